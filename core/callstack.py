"""Room on the interpreter's frame stack for a whole request.

Since Python 3.11, CPython keeps the frames of a thread's running functions on a
stack of 16 KiB chunks, each mapped from the system (``mmap``) when a call needs
one and unmapped as soon as the call that needed it returns. Code whose depth
goes back and forth across a chunk's edge maps and unmaps a chunk at every
crossing, and touches four fresh pages each time: a template's loop over rows
whose nodes render a few frames deeper, for instance. CPython fixed it in
3.13 and 3.14 by keeping one spare chunk (python/cpython#142183); 3.11 and 3.12
keep none.

Served, the journey's dashboard hit it: its week bars' loop crossed an edge
120 times a request (``strace -c`` on a worker: 120 ``mmap`` and 120 ``munmap``
a request), 1.2-1.6 ms of a 12 ms request. Where the edges fall depends on how
deep the request's frames start, so any change to the middleware can move a
page onto one or off it.

``with_room(function)`` calls ``function`` from a frame that declares a large
evaluation stack (its code's ``co_stacksize``), so that frame needs a chunk of
its own, and CPython allocates one large enough for the frame plus the usual
margin: 512 KiB, of which the frame takes half. Every frame the call makes
after it lands in the other half, far from any edge: a request crosses no edge
at all, maps one chunk and unmaps it once. The declared stack is never used,
so its pages are never touched and cost no memory.
"""

from __future__ import annotations

import types

# Slots (8 bytes each) the calling frame declares: 256 KiB, so CPython gives
# the chunk 512 KiB (it doubles 16 KiB until the frame plus a margin fits),
# and leaves 256 KiB (32,768 slots) for the call's own frames; a request's
# frames use a few thousand.
ROOM_SLOTS = 32 * 1024


def _call(function, args):
    return function(*args)


_call_with_room = types.FunctionType(
    _call.__code__.replace(co_stacksize=ROOM_SLOTS), _call.__globals__, "call_with_room"
)


def with_room(function):
    """``function`` wrapped so each call runs in a frame-stack chunk of its own."""

    def wrapper(*args):
        return _call_with_room(function, args)

    wrapper.__wrapped__ = function
    return wrapper
