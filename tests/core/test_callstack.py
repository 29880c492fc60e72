"""core.callstack: a request's frames get a frame-stack chunk of their own, so
code going back and forth across a chunk's edge no longer maps and unmaps
memory at each crossing (CPython 3.11 and 3.12, python/cpython#142183)."""

import resource

import pytest

from core.callstack import with_room


def _descend(depth: int) -> int:
    return _descend(depth - 1) if depth else 0


def _back_and_forth() -> None:
    """Calls at every depth up to 300 frames, again and again: wherever the
    chunks' edges fall, some of these calls cross one."""
    for _ in range(10):
        for depth in range(1, 300):
            _descend(depth)


def _page_faults(function) -> int:
    """Minor page faults while ``function`` runs: a chunk mapped afresh
    faults in its pages when the frames first touch them."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    function()
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before


def test_frames_crossing_a_chunks_edge_map_memory_again_at_each_crossing_without_room():
    # The interpreter's behaviour the module works around: if a Python this
    # project supports stopped doing it, this fails and the module can go.
    assert _page_faults(_back_and_forth) > 1000


def test_with_room_the_same_calls_map_one_chunk_once():
    assert _page_faults(with_room(_back_and_forth)) < 100


def test_with_room_passes_the_arguments_and_the_answer_through():
    def answer(environ, start_response):
        return [environ["PATH_INFO"], start_response]

    wrapped = with_room(answer)
    assert wrapped({"PATH_INFO": "/x"}, "start") == ["/x", "start"]
    assert wrapped.__wrapped__ is answer


def test_with_room_an_exception_reaches_the_caller():
    def fails():
        raise LookupError("gone")

    with pytest.raises(LookupError, match="gone"):
        with_room(fails)()


def test_the_served_application_runs_each_request_with_room():
    from django.core.handlers.wsgi import WSGIHandler

    from sqeeze.wsgi import application

    assert isinstance(application.__wrapped__, WSGIHandler)
