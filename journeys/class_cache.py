"""Class-wide reads kept in the cache until the class changes.

A leaderboard or the Submissions tab's totals read the whole class (a thousand
students, their points or their posts) to show a few numbers; every student
of the class asks for the same ones. ``class_rows`` runs such a statement once
per change of the class: its rows are cached under the journey's
``ClassVersion``, which PostgreSQL raises on every write those statements can
see (``journeys.class_triggers``). A request reads the version (one small
query), then the rows from the cache, or runs the statement and keeps them.
``class_cached`` does the same for any computation over the class.

Correct whatever the order of events: the version is read before the rows, so
rows computed while a write commits are kept under the old version at worst,
which nobody asks for once the write's new version is read; and versions come
from a sequence, so rows a rolled-back write showed sit under a number that
never comes back. The version is read once per journey object: a view that
writes after reading class rows must not read them again with that object. Keys hold the
journey, its version and the statement with its parameters, so rows are only
ever served to the read that made them, for the journey whose access the
caller has already checked.

Rows are pickled as returned: statements that return many rows return their
ids as text (unpickling a thousand UUID objects costs more than the query).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from django.core.cache import cache
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from core.db import fetch_all
from core.fragments import LruTable
from core.keyset import page_of_order
from journeys.models import ClassVersion, Journey

# Entries die with the next version anyway; this only bounds what an idle
# journey's old rows occupy.
CLASS_CACHE_SECONDS = 60 * 60
T = TypeVar("T")
_VERSION_SQL = f"SELECT version FROM {ClassVersion._meta.db_table} WHERE journey_id = %s"


def class_version(journey: Journey) -> int | None:
    """The journey's version, read once per journey object (a request's). None
    if it has no row (then nothing is cached)."""
    if not hasattr(journey, "_class_version"):
        rows = fetch_all(_VERSION_SQL, [journey.pk])
        journey._class_version = rows[0][0] if rows else None
    return journey._class_version


def class_cached(journey: Journey, name: str, compute: Callable[[], T]) -> T:
    """``compute()``, a read of ``journey``'s class, from the cache while the
    class has not changed. ``name`` must say everything else the result
    depends on (which week, say)."""
    version = class_version(journey)
    if version is None:
        return compute()
    key = f"class:{journey.pk}:{version}:{name}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, CLASS_CACHE_SECONDS)
    return value


def class_rows(journey: Journey, sql: str, params) -> list[tuple]:
    """``sql``'s rows with ``params`` (a read of ``journey``'s class), from the
    cache while the class has not changed."""
    # repr is stable for what statements take (UUIDs, dates, numbers, text and
    # lists or dicts of them, dicts in the order they were written).
    digest = hashlib.sha256(f"{sql}\x00{params!r}".encode()).hexdigest()
    return class_cached(journey, f"rows:{digest}", lambda: fetch_all(sql, params))


@dataclass(frozen=True)
class ClassPage:
    rows: list  # the page's rows, in the class's order
    more: bool  # rows follow this page
    total: int  # rows in the whole class's order


def class_page(
    journey: Journey,
    name: str,
    *,
    ordered: QuerySet,
    rows_of: Callable[[list[str]], Iterable],
    after_id: str | None,
    size: int,
    by_key: Callable[[], tuple[list, bool]],
) -> ClassPage:
    """A page of a class-wide list (the Members tab, the Submissions matrix)
    without sorting the class at each request. The list's order, ``ordered``'s
    ids, is the same for every teacher: it is kept in the class cache under
    ``name``; a page is the ``size`` ids after ``after_id``, whose rows
    ``rows_of(ids)`` reads by key (a row gone meanwhile is simply not listed).
    When ``after_id`` has left the class since, ``by_key()`` pages by the
    cursor's sort key in SQL instead, which finds where that row stood."""
    order = class_cached(
        journey, f"{name}:order", lambda: [str(pk) for pk in ordered.values_list("pk", flat=True)]
    )
    page = page_of_order(order, after_id, size)
    if page is None:
        rows, more = by_key()
        return ClassPage(rows=rows, more=more, total=len(order))
    ids, more = page
    by_id = {str(row.pk): row for row in rows_of(ids)}
    return ClassPage(rows=[by_id[pk] for pk in ids if pk in by_id], more=more, total=len(order))


@dataclass(frozen=True)
class DrawnPage:
    """The first page of a class-wide list, drawn (``class_first_page``): its
    rows' HTML and what the page around them needs."""

    rows_html: str
    row_ids: list[str]  # the rows', in order
    next_cursor: str | None
    total: int = 0
    is_first: bool = True

    @property
    def has_rows(self) -> bool:
        return bool(self.row_ids)

    @property
    def html(self) -> SafeString:
        return mark_safe(self.rows_html)  # drawn by a template, escaped there


def class_first_page(journey: Journey, name: str, draw: Callable[[], DrawnPage]) -> DrawnPage:
    """The first page of a class-wide list (the Members tab, the Submissions
    matrix), the page every teacher opens, drawn once per change of the class
    and kept in the class cache: its rows cost more to read and draw than
    the rest of their page. The drawing must not depend on who looks, but
    for the language and the time zone, which are part of the key. Later
    pages, after a cursor anyone can write, are drawn at each request: their
    keys could fill the cache."""
    key = f"first-page:{name}:{get_language()}:{timezone.get_current_timezone_name()}"
    version = class_version(journey)
    if version is None:
        return draw()
    # Kept in this process too, under the same version: a page of 100 KB and
    # more cost more to fetch from Redis and unpickle than the rest of its read.
    here = (journey.pk, version, key)
    page = _FIRST_PAGES_HERE.get(here)
    if page is None:
        page = class_cached(journey, key, draw)
        _FIRST_PAGES_HERE.put(here, page)
    return page


_FIRST_PAGES_HERE = LruTable(64)
