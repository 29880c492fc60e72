"""Cursors of keyset pagination: where a page ended, as an ``?after=`` value.

A cursor is the sort key of the page's last row, joined with "~" (URL-safe,
and in neither an ISO time nor a UUID): optional leading parts of the sort,
then the row's ``created_at`` and ``id``, which break every tie. Decoding
refuses anything we did not write, so a tampered URL is a clear 400, never a
database error.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import uuid
from collections.abc import Sequence

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


def older_than(time_field: str, moment: dt.datetime, pk: object) -> Q:
    """Rows before (``moment``, ``pk``) in newest-first order on (``time_field``, id)."""
    return key_before((time_field, "id"), (moment, pk))


def newer_than(time_field: str, moment: dt.datetime, pk: object) -> Q:
    """Rows after (``moment``, ``pk``) in oldest-first order on (``time_field``, id)."""
    return key_after((time_field, "id"), (moment, pk))


def newest_first_page(
    rows: QuerySet, *, time_field: str, after: str | None, size: int
) -> tuple[list, str | None]:
    """One page of ``rows`` newest first on (``time_field``, id), after the
    cursor ``after`` (``BadCursor`` when it is not one of ours), and the cursor
    of the next page (None on the last). One query: a row beyond ``size`` is
    read only to learn whether another page follows."""
    if after:
        _leading, moment, pk = cursor_decode(after)
        rows = rows.filter(older_than(time_field, moment, pk))
    page = list(rows.order_by(f"-{time_field}", "-id")[: size + 1])
    if len(page) <= size:
        return page, None
    page = page[:size]
    last = page[-1]
    return page, cursor_encode(created_at=getattr(last, time_field), id=last.pk)


# --- any sort key ---------------------------------------------------------------------
#
# For lists sorted by something other than time (a class by role and name): the
# cursor is the last row's whole sort key as JSON in URL-safe base64, so names
# with any character in them travel intact, and its parts must have the types
# the list expects.


def key_encode(values: Sequence[object]) -> str:
    text = json.dumps([str(value) if isinstance(value, uuid.UUID) else value for value in values])
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def key_decode(raw: str, *, types: Sequence[type]) -> list:
    """The sort key in ``raw``, each part of the type at its place in ``types``
    (``uuid.UUID`` parts come back as UUIDs); ``BadCursor`` otherwise."""
    try:
        padded = raw + "=" * (-len(raw) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
        if not isinstance(values, list) or len(values) != len(types):
            raise ValueError(raw)
        decoded = []
        for value, kind in zip(values, types, strict=True):
            if kind is uuid.UUID:
                decoded.append(uuid.UUID(value))
            elif type(value) is kind:
                decoded.append(value)
            else:
                raise ValueError(raw)
        return decoded
    except (ValueError, TypeError, AttributeError, binascii.Error, UnicodeDecodeError):
        raise BadCursor(raw) from None


def key_after(fields: Sequence[str], values: Sequence[object]) -> Q:
    """Rows after ``values`` in the ascending order of ``fields``: the row
    comparison ``(f1, f2, …) > (v1, v2, …)`` written out, which works on
    annotations too. The last field must be unique (the id)."""
    return _beyond(fields, values, "gt")


def key_before(fields: Sequence[str], values: Sequence[object]) -> Q:
    """Rows before ``values`` in the ascending order of ``fields`` (after them in
    the descending order); as ``key_after``."""
    return _beyond(fields, values, "lt")


def _beyond(fields: Sequence[str], values: Sequence[object], way: str) -> Q:
    """The row comparison, ``way`` being ``gt`` or ``lt``, led by the bound on
    its first field (``f1 >= v1``, or ``<=``), which the OR implies: statements
    are prepared (settings), and a prepared statement's generic plan cannot see
    that implication, so without the bound PostgreSQL walks the index from its
    end (the post page's neighbours: 19 ms instead of 0.1)."""
    beyond = Q(**{f"{fields[-1]}__{way}": values[-1]})
    for field, value in zip(reversed(fields[:-1]), reversed(values[:-1]), strict=True):
        beyond = Q(**{f"{field}__{way}": value}) | (Q(**{field: value}) & beyond)
    return Q(**{f"{fields[0]}__{way}e": values[0]}) & beyond


def first_rows(rows: QuerySet, size: int) -> tuple[list, bool]:
    """At most ``size`` of ``rows`` and whether more follow: one query, a row
    beyond ``size`` read only to know."""
    page = list(rows[: size + 1])
    return page[:size], len(page) > size


def page_of_order(
    order: Sequence[str], after_id: str | None, size: int
) -> tuple[list[str], bool] | None:
    """A page of ``size`` ids from ``order`` (every id of a list, in its sort
    order, kept whole elsewhere: ``journeys.class_cache``), after the id
    ``after_id`` (from the start without one), and whether more follow. None
    when ``after_id`` is no longer in the list: the caller then pages by key
    in SQL, which finds where that row stood."""
    start = 0
    if after_id is not None:
        try:
            start = order.index(after_id) + 1
        except ValueError:
            return None
    return list(order[start : start + size]), start + size < len(order)
