"""Forms of the Team tab: the students' and the teachers'."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Profile, Role
from teams.models import Team
from teams.services import TEAM_DESCRIPTION_MAX_LENGTH, TEAM_NAME_MAX_LENGTH


class TeamCreateForm(forms.Form):
    """Name and description of a new team. Whether the name is free in the
    journey is the service's check (it needs the journey and a lock)."""

    name = forms.CharField(
        label=_("Team name"),
        max_length=TEAM_NAME_MAX_LENGTH,
        error_messages={"required": _("Enter a team name.")},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    description = forms.CharField(
        label=_("Description (optional)"),
        required=False,
        max_length=TEAM_DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What your team wants to do, in a sentence or two."),
    )


# --- teachers ---------------------------------------------------------------------------


class TeamEditForm(TeamCreateForm):
    """A teacher's team: a new one, or renaming one (same fields, same limits)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["description"].help_text = ""


class TeamPlacementForm(forms.Form):
    """A student of the journey and a team of the journey: for putting a
    student without a team into one, or moving a student to another team.
    Anything of another journey is not a valid choice."""

    student = forms.ModelChoiceField(
        queryset=Profile.objects.none(),
        error_messages={
            "required": _("Choose a student."),
            "invalid_choice": _("Choose a student of this journey."),
        },
    )
    team = forms.ModelChoiceField(
        queryset=Team.objects.none(),
        error_messages={
            "required": _("Choose a team."),
            "invalid_choice": _("Choose a team of this journey."),
        },
    )

    def __init__(self, *args, journey, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["student"].queryset = Profile.objects.filter(
            journey_memberships__journey=journey, role=Role.USER
        )
        self.fields["team"].queryset = Team.objects.filter(journey=journey)
