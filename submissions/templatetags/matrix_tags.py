"""``{% load matrix_tags %}``: the cells of the Submissions matrix.

``{% matrix_cells row.cells %}`` writes what the template wrote cell by cell
(one ``<td>`` each, no blank between them), at the cost of a string join: a
page of the matrix is a thousand cells, and a template's ``{% if %}`` chain per
cell made that most of the page's time. Cells differ only by their kind
(state, team or not, score) and their post's address, so each kind's markup is
built once (per language) and the address is put in between.

``{% matrix_totals overview.totals %}`` writes the "Submitted" row's cells (a
translated title each, which ``{% blocktranslate %}`` made the dearest part
of the page after the cells).
"""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.utils.formats import localize
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

register = template.Library()


def _missing_cell() -> str:
    label = escape(_("Not submitted"))
    return f'<td class="cell cell--missing"><span class="visually-hidden">{label}</span></td>'


@lru_cache(maxsize=1024)
def _kind_markup(
    language: str | None, state: str, by_team: bool, score: int | None
) -> tuple[str, str]:
    """The markup of a submitted cell before and after its post's address:
    what a reader hears (aria-label) and sees (the score, ✓, ✕ or …), in
    ``language`` (the active one: the key of the cache, not read here)."""
    if state == "achieved":
        label = _("Achieved") + (f" · {localize(score)} PT" if score is not None else "")
        text = localize(score) if score is not None else "✓"
    elif state == "not_achieved":
        label, text = _("Not achieved"), "✕"
    else:
        label, text = _("Waiting for grading"), "…"
    if by_team:
        label = f"{label} {_('(team submission)')}"
    modifier = " cell--team" if by_team else ""
    before = f'<td class="cell cell--{escape(state)}{modifier}"><a href="'
    after = f'" aria-label="{escape(label)}">{escape(text)}</a></td>'
    return before, after


@register.simple_tag
def matrix_cells(cells) -> SafeString:
    """A ``<td>`` per cell of ``cells`` (``submissions.selectors.Cell``): a link
    to the post's grading page, or "Not submitted" for the screen reader."""
    language = get_language()
    missing = None
    parts = []
    for cell in cells:
        if not cell.url:
            missing = missing or _missing_cell()
            parts.append(missing)
            continue
        before, after = _kind_markup(language, cell.state, cell.by_team, cell.score)
        parts.append(f"{before}{escape(cell.url)}{after}")
    return mark_safe("".join(parts))


@register.simple_tag
def matrix_totals(totals) -> SafeString:
    """A ``<td>`` per mission of ``totals`` (``submissions.selectors.MissionTotal``):
    the share of the class that submitted it, low under half."""
    parts = []
    for total in totals:
        percent = total.percent
        low = " matrix__total--low" if percent < 50 else ""
        done, students = localize(total.submitted), localize(total.students)
        title = _("%(done)s of %(students)s students submitted") % {
            "done": done,
            "students": students,
        }
        parts.append(
            f'<td class="matrix__total{low}" title="{escape(title)}">'
            f'<span class="matrix__total-percent">{localize(percent)}%</span>'
            f'<span class="matrix__total-count">{done}/{students}</span></td>'
        )
    return mark_safe("".join(parts))
