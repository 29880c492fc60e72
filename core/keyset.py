"""Cursors of keyset pagination: where a page ended, as an ``?after=`` value.

A cursor is the sort key of the page's last row, joined with "~" (URL-safe,
and in neither an ISO time nor a UUID): optional leading parts of the sort,
then the row's ``created_at`` and ``id``, which break every tie. Decoding
refuses anything we did not write, so a tampered URL is a clear 400, never a
database error.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.db.models import Q, QuerySet

SEPARATOR = "~"


class BadCursor(ValueError):
    """An ``after`` parameter that is not one we wrote."""


def cursor_encode(*leading: object, created_at: dt.datetime, id: uuid.UUID) -> str:
    return SEPARATOR.join([*map(str, leading), created_at.isoformat(), str(id)])


def cursor_decode(raw: str, *, leading: int = 0) -> tuple[list[str], dt.datetime, uuid.UUID]:
    """``raw`` as (its ``leading`` parts, created_at, id); ``BadCursor`` when it
    has another shape, a naive time or a malformed id."""
    try:
        parts = raw.split(SEPARATOR)
        if len(parts) != leading + 2:
            raise ValueError(raw)
        created_at = dt.datetime.fromisoformat(parts[-2])
        if created_at.tzinfo is None:
            raise ValueError(raw)
        return parts[:leading], created_at, uuid.UUID(parts[-1])
    except ValueError:
        raise BadCursor(raw) from None


def newest_first_page(
    rows: QuerySet, *, time_field: str, after: str | None, size: int
) -> tuple[list, str | None]:
    """One page of ``rows`` newest first on (``time_field``, id), after the
    cursor ``after`` (``BadCursor`` when it is not one of ours), and the cursor
    of the next page (None on the last). One query: a row beyond ``size`` is
    read only to learn whether another page follows."""
    if after:
        _leading, moment, pk = cursor_decode(after)
        rows = rows.filter(
            Q(**{f"{time_field}__lt": moment}) | Q(**{time_field: moment, "id__lt": pk})
        )
    page = list(rows.order_by(f"-{time_field}", "-id")[: size + 1])
    if len(page) <= size:
        return page, None
    page = page[:size]
    last = page[-1]
    return page, cursor_encode(created_at=getattr(last, time_field), id=last.pk)
