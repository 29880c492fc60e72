"""``{% load moments %}``: ``{{ moment|minute }}``, ``{{ moment|day_minute }}``
and ``{{ moment|iso }}`` write what ``|date:"Y.m.d H:i"``, ``|date:"n/j H:i"``
and ``|date:"c"`` write, in the reader's zone
as ``|date`` does, about ten times faster: Django's date formatting parses its
format on every call, and a list page shows dozens of moments (the grading
queue fifty, the feed forty).
"""

from __future__ import annotations

import datetime as dt

from django import template

register = template.Library()


@register.filter(expects_localtime=True)
def minute(moment: dt.datetime | None) -> str:
    """2026.03.05 14:07"""
    if not isinstance(moment, dt.datetime):
        return ""
    day = f"{moment.year:04d}.{moment.month:02d}.{moment.day:02d}"
    return f"{day} {moment.hour:02d}:{moment.minute:02d}"


@register.filter(expects_localtime=True)
def iso(moment: dt.date | None) -> str:
    """2026-03-05T14:07:31.204512+09:00 (a day: 2026-03-05), for ``<time datetime>``."""
    if not isinstance(moment, dt.date):
        return ""
    return moment.isoformat()


@register.filter(expects_localtime=True)
def day_minute(moment: dt.datetime | None) -> str:
    """3/5 14:07 (``|date:"n/j H:i"``): short enough for a phone, the same in
    Korean and English."""
    if not isinstance(moment, dt.datetime):
        return ""
    return f"{moment.month}/{moment.day} {moment.hour:02d}:{moment.minute:02d}"
