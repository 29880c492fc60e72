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
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.db import connection

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
        with connection.cursor() as cursor:
            cursor.execute(_VERSION_SQL, [journey.pk])
            row = cursor.fetchone()
        journey._class_version = row[0] if row else None
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
    return class_cached(journey, f"rows:{digest}", lambda: _fetch(sql, params))


def _fetch(sql: str, params) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
