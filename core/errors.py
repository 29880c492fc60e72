"""The one base of refusals a person can read (DESIGN.md, "How code is written").

A service that refuses a request raises a ``ServiceError`` (or one of its
subclasses, where callers tell the reasons apart): ``message`` says why, in
words fit to show the person who asked, and may be a lazy translation that
renders in the language active where it is shown. Views catch it and show the
message (a form error or a flash message); anything else that goes wrong is a
bug, not a refusal.
"""

from __future__ import annotations

from django.utils.functional import Promise


class ServiceError(Exception):
    """A refused change; ``message`` (also ``str()``) says why, for the person who asked."""

    def __init__(self, message: str | Promise) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)
