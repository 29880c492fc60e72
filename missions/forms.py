"""Forms of the teachers' mission pages: a library template, a week, and a
mission scheduled into a week. They only validate; the services write.

Date-times are typed on the teacher's calendar (``<input type="datetime-local">``,
no zone in the value): Django reads them in the active time zone (the
middleware's) and hands the services aware datetimes, stored in UTC; an
existing value is shown back on the same calendar.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from missions.models import Mission, MissionQuestion, MissionType, QuestionKind
from missions.questions import (
    MAX_IMAGES,
    MAX_OPTION_TEXT,
    MAX_OPTIONS,
    MAX_PLACEHOLDER,
    MAX_POINTS,
    MAX_TEXT,
    QuestionInput,
)
from missions.services import (
    EXTEND_CHOICES,
    MISSION_NAME_MAX_LENGTH,
    MISSION_POINTS_MAX,
    WEEK_NAME_MAX_LENGTH,
)

DATETIME_LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


class MissionForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=MISSION_NAME_MAX_LENGTH,
        error_messages={
            "required": _("Give the mission a name."),
            "max_length": _("The name can be at most %(limit_value)d characters."),
        },
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    mission_type = forms.ChoiceField(
        label=_("Type"),
        choices=MissionType.choices,
        initial=MissionType.INDIVIDUAL,
        widget=forms.RadioSelect,
        help_text=_("A team mission is submitted once per team."),
        error_messages={"required": _("Choose individual or team.")},
    )
    points = forms.IntegerField(
        label=_("Points"),
        min_value=0,
        max_value=MISSION_POINTS_MAX,
        initial=10,
        help_text=_("What an achieved submission earns (0 for none)."),
        error_messages={
            "required": _("Enter the points (0 for none)."),
            "invalid": _("Points must be a whole number, like 10."),
            "min_value": _("Points cannot be below zero."),
            "max_value": _("Points can be at most %(limit_value)s."),
        },
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("Markdown works: **bold**, *italic*, lists, [links](https://…), images."),
    )

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(_("Give the mission a name."))
        return name

    @classmethod
    def initial_from(cls, mission: Mission) -> dict:
        return {
            "name": mission.name,
            "mission_type": mission.mission_type or MissionType.INDIVIDUAL,
            "points": mission.points or 0,
            "description": mission.description or "",
        }


class WeekForm(forms.Form):
    name = forms.CharField(
        label=_("Week name"),
        max_length=WEEK_NAME_MAX_LENGTH,
        error_messages={
            "required": _("Give the week a name."),
            "max_length": _("The name can be at most %(limit_value)d characters."),
        },
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(_("Give the week a name."))
        return name

    @classmethod
    def for_new_week(cls, next_number: int) -> WeekForm:
        """The "add a week" form, its name ready as "Week <next number>"."""
        return cls(initial={"name": _("Week %(number)d") % {"number": next_number}})


class WeekMoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", _("Up")), ("down", _("Down"))])


def _datetime_field(label) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL_FORMAT),
        error_messages={
            "required": _("Choose a date and time."),
            "invalid": _("Enter a date and time, like 2025-03-02 09:00."),
        },
    )


class ScheduleDatesForm(forms.Form):
    """When a scheduled mission opens and closes; the reschedule form."""

    release_date = _datetime_field(_("Opens at"))
    expiry_date = _datetime_field(_("Closes at"))

    def clean(self):
        cleaned = super().clean()
        release, expiry = cleaned.get("release_date"), cleaned.get("expiry_date")
        if release and expiry and expiry <= release:
            self.add_error(
                "expiry_date",
                _(
                    "The mission must open before it closes: choose a closing time "
                    "after the opening."
                ),
            )
        return cleaned


class MissionChoiceField(forms.ModelChoiceField):
    def to_python(self, value):
        # A value that is not even a UUID is just another wrong choice, not a
        # message about UUIDs.
        try:
            return super().to_python(value)
        except forms.ValidationError as error:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            ) from error

    def label_from_instance(self, mission: Mission) -> str:
        kind = _("Team") if mission.mission_type == MissionType.TEAM else _("Individual")
        return f"{mission.name} · {kind} · {mission.points or 0} PT"


class ScheduleForm(ScheduleDatesForm):
    """A library mission and its window; ``missions`` is the organization's
    library, so another academy's mission is not a valid choice."""

    mission = MissionChoiceField(
        label=_("Mission"),
        queryset=Mission.objects.none(),
        empty_label=_("Choose a mission"),
        error_messages={
            "required": _("Choose a mission from the library."),
            "invalid_choice": _("Choose a mission from your academy's library."),
        },
    )
    field_order = ["mission", "release_date", "expiry_date"]

    def __init__(self, *args, missions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mission"].queryset = missions


class ExtendForm(forms.Form):
    """The quick "+1 day" / "+7 days" buttons of a scheduled mission."""

    extend_days = forms.TypedChoiceField(
        coerce=int, choices=[(days, str(days)) for days in EXTEND_CHOICES]
    )


class QuestionForm(forms.Form):
    """One question of a mission (missions/questions.py checks each kind's
    rules; this form reads the fields). Options are rows of a text and a
    "correct" box, ``OPTION_ROWS`` of them; empty rows are ignored. Once the
    mission has submissions (``wording_only``) every field but the wording is
    shown disabled, and Django then keeps the saved values."""

    OPTION_ROWS = MAX_OPTIONS

    kind = forms.ChoiceField(
        label=_("Question type"),
        choices=QuestionKind.choices,
        initial=QuestionKind.ESSAY,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what the question asks for.")},
    )
    text = forms.CharField(
        label=_("Question"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write the question.")},
    )
    points = forms.IntegerField(
        label=_("Points"),
        min_value=0,
        max_value=MAX_POINTS,
        initial=0,
        help_text=_("The mission is worth the sum of its questions' points."),
        error_messages={"invalid": _("Points must be a whole number, like 10.")},
    )
    required = forms.BooleanField(label=_("Students must answer it"), required=False, initial=True)
    placeholder = forms.CharField(
        label=_("Placeholder"),
        required=False,
        max_length=MAX_PLACEHOLDER,
        help_text=_("A hint shown in the empty answer box."),
    )
    min_chars = forms.IntegerField(label=_("At least (characters)"), required=False, min_value=0)
    max_chars = forms.IntegerField(label=_("At most (characters)"), required=False, min_value=1)
    multiple_select = forms.BooleanField(
        label=_("Students may choose several answers"), required=False
    )
    max_images = forms.IntegerField(
        label=_("Number of images"), required=False, min_value=1, max_value=MAX_IMAGES, initial=1
    )

    def __init__(self, *args, wording_only: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for number in range(1, self.OPTION_ROWS + 1):
            self.fields[f"option_{number}"] = forms.CharField(
                label=_("Option %(number)d") % {"number": number},
                required=False,
                max_length=MAX_OPTION_TEXT,
            )
            self.fields[f"correct_{number}"] = forms.BooleanField(
                label=_("Correct"), required=False
            )
        self.wording_only = wording_only
        if wording_only:
            for name, field in self.fields.items():
                if name not in ("text", "placeholder") and not name.startswith("option_"):
                    field.disabled = True

    def option_rows(self) -> list[tuple]:
        """(text field, correct field) for each option row, for the template."""
        return [
            (self[f"option_{number}"], self[f"correct_{number}"])
            for number in range(1, self.OPTION_ROWS + 1)
        ]

    def to_input(self) -> QuestionInput:
        data = self.cleaned_data
        options = tuple(
            (data.get(f"option_{number}") or "", bool(data.get(f"correct_{number}")))
            for number in range(1, self.OPTION_ROWS + 1)
        )
        return QuestionInput(
            kind=data["kind"],
            text=data["text"],
            points=data["points"] if data.get("points") is not None else 0,
            required=data["required"],
            placeholder=data.get("placeholder") or "",
            min_chars=data.get("min_chars"),
            max_chars=data.get("max_chars"),
            options=options,
            multiple_select=data["multiple_select"],
            max_images=data.get("max_images"),
        )

    @classmethod
    def initial_from(cls, question: MissionQuestion) -> dict:
        initial = {
            name: getattr(question, name)
            for name in (
                "kind", "text", "points", "required", "placeholder", "min_chars", "max_chars",
                "multiple_select", "max_images",
            )
        }  # fmt: skip
        for number, option in enumerate(question.options, start=1):
            initial[f"option_{number}"] = option["text"]
            initial[f"correct_{number}"] = option["correct"]
        return initial
