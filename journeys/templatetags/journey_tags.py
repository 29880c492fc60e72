"""``{% load journey_tags %}``: the plan's deadline labels and the teacher's invite link.

``{% deadline instance as deadline %}`` gives ``deadline.state`` (upcoming,
open, today, closed, unscheduled: a CSS modifier) and ``deadline.label``
("D-3", "D-Day", "Closed", "Opens 6/3 09:00"), on the viewer's calendar.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.templatetags.moments import day_minute
from journeys.selectors import can_manage_journey

register = template.Library()


@dataclass(frozen=True)
class Deadline:
    state: str
    label: str


def short_datetime(moment: dt.datetime) -> str:
    return day_minute(timezone.localtime(moment))


def deadline_of(instance, now: dt.datetime | None = None) -> Deadline:
    """Where ``instance`` stands on the viewer's calendar (the active time zone)."""
    now = now or timezone.now()
    if instance.release_date is None or instance.expiry_date is None:
        return Deadline("unscheduled", _("Not scheduled yet"))
    if now < instance.release_date:
        return Deadline(
            "upcoming", _("Opens %(when)s") % {"when": short_datetime(instance.release_date)}
        )
    if instance.expiry_date <= now:
        return Deadline("closed", _("Closed"))
    # A mission closing at midnight is due "today", not "tomorrow": count the
    # day of its last open moment.
    last_open_day = timezone.localtime(instance.expiry_date - dt.timedelta(microseconds=1)).date()
    days = (last_open_day - timezone.localtime(now).date()).days
    if days <= 0:
        return Deadline("today", _("D-Day"))
    return Deadline("open", _("D-%(days)s") % {"days": days})


@register.simple_tag
def deadline(instance) -> Deadline:
    return deadline_of(instance)


@register.filter
def managed_by(journey, user) -> bool:
    """``{% if journey|managed_by:user %}``: may ``user`` see and change its invite link?"""
    return can_manage_journey(user, journey)


@register.simple_tag(takes_context=True)
def invite_url(context, journey) -> str:
    """The full address of ``journey``'s invite link, to copy and share."""
    path = reverse("journeys:join", args=[journey.invite_token])
    request = context.get("request")
    return request.build_absolute_uri(path) if request is not None else path
