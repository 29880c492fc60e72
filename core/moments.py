"""One way to show a moment to a person: in *their* language, on *their* clock.

Everything is stored in UTC. What a person reads (a page, an e-mail, a push, the
teachers' digest, a reminder) shows moments in the person's time zone
(``profiles.timezone``) and words in the person's language
(``profiles.language``). Both columns may be empty ("as the browser, or the
academy"); then the site's defaults apply: ``settings.LANGUAGE_CODE`` and
``settings.DEFAULT_USER_TIMEZONE``. (Academies have no language or zone of
their own yet; when ``organizations`` gets such columns, ``zone_name_of`` and
``language_of`` are the one place to read them, from a preloaded academy: a
worker looping over receivers must not pay a query per person.)

Why one helper instead of ``timezone.localtime(moment)`` here and there: the
*active* zone and language are request state. The middleware activates the
signed-in person's, but a Celery worker (which renders notifications, e-mails,
pushes, the digest and reminders) has none: "the active zone" there is the
server's UTC, and a message written for one person in a loop over many
receivers must not be written in the previous receiver's terms, nor in the
sender's. So every message for a person names that person, and goes through
``in_person_terms`` / ``format_moment`` / ``local_date``.

``core`` imports no app, so a "person" is anything with optional ``language``
and ``timezone`` attributes (a ``Profile``; ``None`` for nobody in particular,
e.g. an anonymous visitor).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import zoneinfo
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import formats, timezone, translation
from django.utils.translation import gettext_lazy as _

# Day and minute, as messages write a moment ("2026.03.14 23:59").
MESSAGE_FORMAT = "Y.m.d H:i"

# The regions whose zones a person picks from; the rest of the IANA database
# (Etc/GMT+3, US/Pacific, SystemV/…) are aliases nobody looks for in a list.
_ZONE_REGIONS = (
    "Africa/",
    "America/",
    "Antarctica/",
    "Asia/",
    "Atlantic/",
    "Australia/",
    "Europe/",
    "Indian/",
    "Pacific/",
)


# --- what is known ---------------------------------------------------------------------


@functools.cache
def known_zones() -> frozenset[str]:
    """Every IANA zone name this machine can use (read once: it scans files)."""
    return frozenset(zoneinfo.available_timezones())


@functools.cache
def common_zones() -> tuple[str, ...]:
    """The zones offered in a settings list: the continents' cities and UTC, sorted."""
    return ("UTC", *sorted(name for name in known_zones() if name.startswith(_ZONE_REGIONS)))


def is_known_zone(name: object) -> bool:
    return isinstance(name, str) and name in known_zones()


def is_known_language(code: object) -> bool:
    return isinstance(code, str) and code in dict(settings.LANGUAGES)


def validate_zone(value: str) -> None:
    """A model and form validator: only names the zone database knows are stored,
    so reading a person's zone can never fail later, in a worker."""
    if not is_known_zone(value):
        raise ValidationError(
            _("“%(value)s” is not a time zone we know. Choose one from the list."),
            code="invalid_zone",
            params={"value": value},
        )


# --- a person's terms -------------------------------------------------------------------


def zone_name_of(person: Any) -> str:
    """The IANA name of ``person``'s zone: theirs, else the site's default."""
    value = getattr(person, "timezone", None)
    return value if is_known_zone(value) else settings.DEFAULT_USER_TIMEZONE


def zone_of(person: Any) -> zoneinfo.ZoneInfo:
    """``person``'s time zone: theirs, else the site's default
    (``DEFAULT_USER_TIMEZONE``). Never the active zone: see the module."""
    return zoneinfo.ZoneInfo(zone_name_of(person))


def language_of(person: Any) -> str:
    """The language to write to ``person`` in: theirs, else the site's
    (``LANGUAGE_CODE``). In a request for someone who chose none, the
    middleware keeps the browser's language instead; a worker has no browser."""
    value = getattr(person, "language", None)
    return value if is_known_language(value) else settings.LANGUAGE_CODE


@contextlib.contextmanager
def in_person_terms(person: Any) -> Iterator[None]:
    """Render for ``person``: inside, ``gettext``, lazy messages, templates'
    ``{% trans %}`` and ``|date`` use their language and zone. Both are restored
    afterwards, so a loop over receivers cannot leak one person's terms into the
    next one's message, and a worker stays in UTC otherwise."""
    with translation.override(language_of(person)), timezone.override(zone_of(person)):
        yield


def format_moment(moment: dt.datetime, person: Any, fmt: str = MESSAGE_FORMAT) -> str:
    """``moment`` as ``person`` reads it: on their clock, with month and day
    names (if ``fmt`` has any) in their language. ``fmt`` is Django's date
    format syntax (``"Y.m.d H:i"``) or a format's name (``"SHORT_DATETIME_FORMAT"``,
    then the language's own)."""
    with translation.override(language_of(person)):
        return formats.date_format(timezone.localtime(moment, zone_of(person)), fmt)


def local_date(moment: dt.datetime, person: Any) -> dt.date:
    """The calendar day ``moment`` falls on for ``person`` ("today" is
    ``local_date(timezone.now(), person)``): days reset at their midnight."""
    return timezone.localtime(moment, zone_of(person)).date()


def local_moment(moment: dt.datetime, person: Any) -> dt.datetime:
    """``moment`` as an aware datetime on ``person``'s clock, for templates and
    context data that format it later (``|date`` keeps its zone)."""
    return timezone.localtime(moment, zone_of(person))
