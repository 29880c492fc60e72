"""Text from a request header stored as it is: one printable line."""

from __future__ import annotations


def printable_line(value: str | None, *, max_length: int) -> str:
    """``value`` without control characters, its whitespace collapsed to single
    spaces, cut to ``max_length``: a browser's User-Agent header, say, which
    goes into a list in admin and must not break it."""
    printable = "".join(char for char in value or "" if char.isprintable())
    return " ".join(printable.split())[:max_length]
