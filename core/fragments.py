"""Drawn HTML of repeated rows (feed cards, plan missions), kept per process
by what they show.

Twenty feed cards took 3 ms a request to draw through the template engine,
more than their query took to run, and they are drawn again and again the
same. ``drawn`` keeps a row's HTML under a key made of everything the row
shows (its ``key``, from the code that loads the row) with the language and
the time zone: when any of it changes, the key changes, so nothing needs
invalidating and nothing stale is ever served. Old keys simply age out of a
bounded least-recently-used table in each process.

The key is the contract: a template that reads anything the key does not hold
would draw one person's row for another. So with ``VERIFY_FRAGMENTS`` (on
under ``DEBUG`` and in tests) every row found in the table is drawn again and
compared, and a difference fails loudly, naming the template. Rows holding a
form (a CSRF token is per person) must never be drawn here.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from django.conf import settings
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

# About 2 KB a row: a few megabytes a process at most. Keys hold the rows'
# values (model instances among them), which stay alive as long as the row.
MAX_ROWS = 4000


class LruTable:
    """A bounded least-recently-used table (threads: a live server's)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._rows: OrderedDict[Hashable, object] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable):
        """The value kept under ``key``, or None."""
        with self._lock:
            value = self._rows.get(key)
            if value is not None:
                self._rows.move_to_end(key)
            return value

    def put(self, key: Hashable, value) -> None:
        with self._lock:
            self._rows[key] = value
            self._rows.move_to_end(key)
            while len(self._rows) > self.size:
                self._rows.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._rows.clear()


_table = LruTable(MAX_ROWS)


def drawn(name: str, key: Hashable, draw: Callable[[], str]) -> SafeString:
    """``draw()``'s HTML for the row ``key`` of the fragment ``name``, drawn
    once per process for each language, time zone and key."""
    full_key = (name, get_language(), timezone.get_current_timezone_name(), key)
    html = _table.get(full_key)
    if html is None:
        html = str(draw())
        _table.put(full_key, html)
    elif settings.VERIFY_FRAGMENTS:
        fresh = str(draw())
        if fresh != html:
            raise AssertionError(
                f"{name}: a row drawn for the key {key!r} differs from the one kept "
                f"under it; the key must hold everything the row shows.\n"
                f"kept:  {html}\ndrawn: {fresh}"
            )
    return mark_safe(html)  # drawn by a template, escaped there


def forget_all() -> None:
    """Empty this process's table (tests)."""
    _table.clear()
