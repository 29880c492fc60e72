"""``{% load points_tags %}``: the Dashboard's repeated labels.

``{{ row.rank|rank_label }}`` and ``{{ row.points|points_label }}`` write what
``{% blocktranslate %}#{{ rank }}{% endblocktranslate %}`` and
``{% blocktranslate %}{{ points }} PT{% endblocktranslate %}`` wrote (the same
messages, so the same translations), without parsing a block per row: the
Dashboard shows some forty of them. ``members_label``, ``week_numbers`` and
``week_bar_label`` do the same for a team's members and a week's progress
(a block each, per team and per week, were a tenth of the page's time).
"""

from __future__ import annotations

from django import template
from django.utils.formats import localize
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()


@register.filter
def rank_label(rank: int) -> str:
    """#3 (3위)."""
    return _("#%(rank)s") % {"rank": localize(rank)}


@register.filter
def points_label(points: int) -> str:
    """120 PT."""
    return _("%(points)s PT") % {"points": localize(points)}


@register.filter
def members_label(count: int) -> str:
    """3 members (3명)."""
    return ngettext("%(counter)s member", "%(counter)s members", count) % {
        "counter": localize(count)
    }


def _week_numbers(row) -> dict[str, str]:
    return {
        "achieved": localize(row.achieved),
        "submitted": localize(row.submitted),
        "total": localize(row.total),
    }


@register.simple_tag
def week_numbers(row) -> str:
    """A week of my progress (``points.dashboard.WeekProgress``) in numbers:
    "2 achieved · 3 submitted · 4 missions"."""
    return ngettext(
        "%(achieved)s achieved · %(submitted)s submitted · %(total)s mission",
        "%(achieved)s achieved · %(submitted)s submitted · %(total)s missions",
        row.total,
    ) % _week_numbers(row)


@register.simple_tag
def week_bar_label(row) -> str:
    """What a screen reader hears of a week's bar: "Week 1: 2 achieved, 3
    submitted, out of 4 missions"."""
    return ngettext(
        "%(week)s: %(achieved)s achieved, %(submitted)s submitted, out of %(total)s mission",
        "%(week)s: %(achieved)s achieved, %(submitted)s submitted, out of %(total)s missions",
        row.total,
    ) % {"week": row.week.name, **_week_numbers(row)}
