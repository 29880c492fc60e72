"""Moving one row of an ordered list by one place (weeks of a journey,
questions of a mission)."""

from __future__ import annotations

from typing import Any


class MissingRow(LookupError):
    """The row to move is not in the list (deleted meanwhile)."""


class AtEdge(IndexError):
    """The row is already first (moving up) or last (moving down)."""


def swap_with_neighbour(rows: list, pk: Any, direction: str, field: str) -> tuple[Any, Any]:
    """Swap the ``field`` values of the row ``pk`` and the row before it in
    ``rows`` (``"up"``) or after it (``"down"``); the moved row and its
    neighbour, for the caller to save (in one transaction, under a deferred
    unique constraint or a lock)."""
    index = next((i for i, row in enumerate(rows) if row.pk == pk), None)
    if index is None:
        raise MissingRow(pk)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(rows):
        raise AtEdge(direction)
    moved, neighbour = rows[index], rows[other]
    moved_value = getattr(moved, field)
    setattr(moved, field, getattr(neighbour, field))
    setattr(neighbour, field, moved_value)
    return moved, neighbour
