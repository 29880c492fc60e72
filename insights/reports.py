"""Saved insight reports (insights/models.py): saving one with its word
groups, and adding up its groups from a count (insights/counting.py).

A report belongs to one journey and is shared by the journey's teachers; its
week, mission and question must be the journey's own (a teacher of the
academy could post another journey's ids), and its groups are few and short,
so a report page stays one screen whoever wrote it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from core.errors import ServiceError
from insights.counting import Scope
from insights.models import COLOUR_PATTERN, InsightReport, InsightWordGroup
from journeys.models import Journey, JourneyWeek
from missions.models import JourneyMissionInstance, MissionQuestion

MAX_REPORTS = 50  # a journey's; also how many its insights page lists
MAX_GROUPS = 12
MAX_WORDS = 30  # a group's
MAX_NAME = 60
MAX_GROUP_NAME = 40
MAX_WORD = 30
# Distinct colours a group starts with, readable on white (WCAG AA for large shapes).
PALETTE = (
    "#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2",
    "#db2777", "#65a30d", "#4f46e5", "#b45309", "#0f766e", "#6b7280",
)  # fmt: skip


class ReportRefusal(ServiceError):
    """A report that cannot be saved; ``field`` names what is wrong ("name",
    "scope", "groups"), ``group`` which group (0-based) when it is one."""

    def __init__(self, message, field: str, group: int | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.group = group


@dataclass(frozen=True)
class GroupInput:
    name: str
    colour: str
    words: tuple[str, ...]


@dataclass(frozen=True)
class ReportInput:
    name: str
    groups: tuple[GroupInput, ...]
    week: JourneyWeek | None = None
    instance: JourneyMissionInstance | None = None
    question: MissionQuestion | None = None


@dataclass(frozen=True)
class GroupCount:
    """A group as a report shows it: its words' counts and their sum."""

    name: str
    colour: str
    total: int
    words: list[tuple[str, int]]


def words_from(text: str) -> tuple[str, ...]:
    """The words a teacher typed (commas, semicolons or lines between them),
    as the count writes them: lower case, each once, in the order given."""
    seen: dict[str, None] = {}
    for raw in re.split(r"[,;\n]", text or ""):
        word = " ".join(raw.split()).lower()
        if word:
            seen.setdefault(word, None)
    return tuple(seen)


def scope_of(report: InsightReport) -> Scope:
    return Scope(
        week_id=report.week_id,
        instance_id=report.mission_instance_id,
        question_id=report.question_id,
    )


def report_save(
    *, journey: Journey, data: ReportInput, author=None, report: InsightReport | None = None
) -> InsightReport:
    """Create a report (``report`` None) or replace one's name, scope and
    groups; a fixed number of queries whatever the number of groups."""
    name = " ".join(data.name.split())
    _check_name(journey, name, report)
    _check_scope(journey, data)
    _check_groups(data.groups)
    if report is None and InsightReport.objects.filter(journey=journey).count() >= MAX_REPORTS:
        raise ReportRefusal(
            _("This journey has %(count)d saved reports already; delete one first.")
            % {"count": MAX_REPORTS},
            field="name",
        )
    report = report or InsightReport(journey=journey, created_by=author)
    report.name = name
    report.week = data.week
    report.mission_instance = data.instance
    report.question = data.question
    try:
        with transaction.atomic():
            report.save()
            InsightWordGroup.objects.filter(report=report).delete()
            InsightWordGroup.objects.bulk_create(
                InsightWordGroup(
                    report=report,
                    position=position,
                    name=" ".join(group.name.split()),
                    colour=group.colour.lower(),
                    words=list(group.words),
                )
                for position, group in enumerate(data.groups, start=1)
            )
    except IntegrityError:  # the same name saved meanwhile by a colleague
        raise ReportRefusal(_name_taken(), field="name") from None
    return report


def report_delete(report: InsightReport) -> None:
    report.delete()


def _name_taken():
    return _("This journey already has a report of that name.")


def _check_name(journey: Journey, name: str, report: InsightReport | None) -> None:
    if not name:
        raise ReportRefusal(_("Give the report a name."), field="name")
    if len(name) > MAX_NAME:
        raise ReportRefusal(
            _("A report's name has at most %(count)d characters.") % {"count": MAX_NAME},
            field="name",
        )
    same = InsightReport.objects.filter(journey=journey).alias(lowered=Lower("name"))
    same = same.filter(lowered=name.lower())
    if report is not None:
        same = same.exclude(pk=report.pk)
    if same.exists():
        raise ReportRefusal(_name_taken(), field="name")


def _check_scope(journey: Journey, data: ReportInput) -> None:
    """The week, mission and question are this journey's and agree."""
    week, instance, question = data.week, data.instance, data.question
    if week is not None and week.journey_id != journey.pk:
        raise ReportRefusal(_("That week is not one of this journey's."), field="scope")
    if instance is not None and instance.journey_id != journey.pk:
        raise ReportRefusal(_("That mission is not one of this journey's."), field="scope")
    if week is not None and instance is not None and instance.journey_week_id != week.pk:
        raise ReportRefusal(_("That mission is not in that week."), field="scope")
    if question is not None and (instance is None or question.mission_id != instance.mission_id):
        raise ReportRefusal(
            _("Choose the mission of the question too: it is one of that mission's."),
            field="scope",
        )


def _check_groups(groups: tuple[GroupInput, ...]) -> None:
    if not groups:
        raise ReportRefusal(_("Give the report at least one group of words."), field="groups")
    if len(groups) > MAX_GROUPS:
        raise ReportRefusal(
            _("A report has at most %(count)d groups.") % {"count": MAX_GROUPS}, field="groups"
        )
    names: set[str] = set()
    for index, group in enumerate(groups):
        _check_group(group, index, names)


def _check_group(group: GroupInput, index: int, names: set[str]) -> None:
    name = " ".join(group.name.split())
    if not name:
        raise ReportRefusal(_("Name this group."), field="groups", group=index)
    if len(name) > MAX_GROUP_NAME:
        raise ReportRefusal(
            _("A group's name has at most %(count)d characters.") % {"count": MAX_GROUP_NAME},
            field="groups",
            group=index,
        )
    if name.lower() in names:
        raise ReportRefusal(_("Two groups have this name."), field="groups", group=index)
    names.add(name.lower())
    if not re.fullmatch(COLOUR_PATTERN, group.colour.lower()):
        raise ReportRefusal(_("Choose a colour like #2563eb."), field="groups", group=index)
    if not group.words:
        raise ReportRefusal(_("Give this group at least one word."), field="groups", group=index)
    if len(group.words) > MAX_WORDS:
        raise ReportRefusal(
            _("A group has at most %(count)d words.") % {"count": MAX_WORDS},
            field="groups",
            group=index,
        )
    too_long = [word for word in group.words if len(word) > MAX_WORD]
    if too_long:
        raise ReportRefusal(
            _("A word has at most %(count)d characters: %(word)s")
            % {"count": MAX_WORD, "word": too_long[0][:MAX_WORD] + "…"},
            field="groups",
            group=index,
        )


def group_counts(
    groups: Iterable[InsightWordGroup], words: Iterable[tuple[str, int]]
) -> list[GroupCount]:
    """Each group's words with how often the count found them (most used
    first, unused ones last at 0) and their total."""
    found = dict(words)
    counted = []
    for group in groups:
        pairs = [(word, found.get(word, 0)) for word in group.words]
        pairs.sort(key=lambda pair: -pair[1])  # stable: ties keep the teacher's order
        total = sum(n for _word, n in pairs)
        counted.append(GroupCount(group.name, group.colour, total, pairs))
    return counted
