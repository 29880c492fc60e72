"""Forms of the Team tab."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

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
