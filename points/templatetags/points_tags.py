"""``{% load points_tags %}``: the leaderboard rows' labels.

``{{ row.rank|rank_label }}`` and ``{{ row.points|points_label }}`` write what
``{% blocktranslate %}#{{ rank }}{% endblocktranslate %}`` and
``{% blocktranslate %}{{ points }} PT{% endblocktranslate %}`` wrote (the same
messages, so the same translations), without parsing a block per row: the
Dashboard shows some forty of them.
"""

from __future__ import annotations

from django import template
from django.utils.formats import localize
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def rank_label(rank: int) -> str:
    """#3 (3위)."""
    return _("#%(rank)s") % {"rank": localize(rank)}


@register.filter
def points_label(points: int) -> str:
    """120 PT."""
    return _("%(points)s PT") % {"points": localize(points)}
