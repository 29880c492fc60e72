"""The form of a saved insight report: its name, which answers it reads (the
journey's own weeks, missions and questions only) and its word groups, one
row each (a formset: the groups it has, and a few empty rows to add more).
They only validate and shape the input; insights/reports.py decides."""

from __future__ import annotations

from django import forms
from django.template.defaultfilters import truncatechars
from django.utils.translation import gettext_lazy as _

from insights.reports import (
    MAX_GROUP_NAME,
    MAX_GROUPS,
    MAX_NAME,
    PALETTE,
    GroupInput,
    ReportInput,
    words_from,
)
from journeys.models import Journey, JourneyWeek
from missions.models import JourneyMissionInstance, MissionQuestion

EMPTY_ROWS = 3  # offered after a report's groups, up to MAX_GROUPS


class ReportForm(forms.Form):
    name = forms.CharField(
        label=_("Report name"),
        max_length=MAX_NAME,
        error_messages={"required": _("Give the report a name.")},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    week = forms.ModelChoiceField(
        label=_("Week"),
        queryset=JourneyWeek.objects.none(),
        required=False,
        empty_label=_("All weeks"),
    )
    mission = forms.ModelChoiceField(
        label=_("Mission"),
        queryset=JourneyMissionInstance.objects.none(),
        required=False,
        empty_label=_("All missions"),
    )
    question = forms.ModelChoiceField(
        label=_("Question"),
        queryset=MissionQuestion.objects.none(),
        required=False,
        empty_label=_("All questions"),
        help_text=_("A question needs its mission chosen too."),
    )

    def __init__(self, *args, journey: Journey, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["week"].queryset = JourneyWeek.objects.filter(journey=journey).order_by(
            "week_number", "name"
        )
        mission = self.fields["mission"]
        mission.queryset = (
            JourneyMissionInstance.objects.filter(journey=journey)
            .select_related("mission", "journey_week")
            .order_by("journey_week__week_number", "release_date", "pk")
        )
        mission.label_from_instance = lambda row: f"{row.journey_week.name} · {row.mission.name}"
        question = self.fields["question"]
        question.queryset = (
            MissionQuestion.objects.filter(mission__instances__journey=journey)
            .select_related("mission")
            .order_by("mission__name", "mission_id", "position")
            .distinct()
        )
        question.label_from_instance = lambda row: (
            f"{row.mission.name} · {row.position}. {truncatechars(row.text, 60)}"
        )


class GroupForm(forms.Form):
    """One word group; a row left empty is no group."""

    name = forms.CharField(label=_("Group"), max_length=MAX_GROUP_NAME, required=False)
    colour = forms.CharField(
        label=_("Colour"),
        max_length=7,
        required=False,
        widget=forms.TextInput(attrs={"type": "color"}),
    )
    # The rules are written once above the rows (report_form.html), which
    # each box points to for screen readers.
    words = forms.CharField(
        label=_("Words"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "aria-describedby": "report-words-help"}),
    )

    def is_empty_row(self) -> bool:
        data = self.cleaned_data
        return not (data.get("name", "").strip() or words_from(data.get("words", "")))


GroupFormSet = forms.formset_factory(
    GroupForm, extra=0, max_num=MAX_GROUPS, absolute_max=MAX_GROUPS, validate_max=True
)


def group_rows(groups=()) -> list[dict]:
    """The formset's rows: a report's groups, then empty rows, each with a
    colour no group has yet (never more than MAX_GROUPS rows)."""
    rows = [
        {"name": group.name, "colour": group.colour, "words": ", ".join(group.words)}
        for group in groups
    ]
    wanted = min(MAX_GROUPS, len(rows) + EMPTY_ROWS)
    taken = {row["colour"] for row in rows}
    free = [colour for colour in PALETTE if colour not in taken] or list(PALETTE)
    rows += [{"colour": free[index % len(free)]} for index in range(wanted - len(rows))]
    return rows


def report_input(form: ReportForm, formset) -> tuple[ReportInput, list[int]]:
    """The input of a valid form and formset, and for each group given the
    index of its row (to show a refusal on the right row)."""
    given = [(index, row) for index, row in enumerate(formset.forms) if not row.is_empty_row()]
    groups = tuple(
        GroupInput(
            name=row.cleaned_data.get("name", ""),
            colour=row.cleaned_data.get("colour", ""),
            words=words_from(row.cleaned_data.get("words", "")),
        )
        for _index, row in given
    )
    data = form.cleaned_data
    report = ReportInput(
        name=data["name"],
        groups=groups,
        week=data.get("week"),
        instance=data.get("mission"),
        question=data.get("question"),
    )
    return report, [index for index, _row in given]
