"""Forms of the teacher's journey pages: the journey itself, deleting it, its
members and e-mailing them. They check what a form can check; the services
check again (and what needs the database)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Profile
from accounts.selectors import public_name
from files.forms import PurposeFileField
from journeys.models import Journey
from journeys.selectors import member_candidates
from journeys.services import (
    EMAIL_MESSAGE_MAX_LENGTH,
    EMAIL_SUBJECT_MAX_LENGTH,
    JOURNEY_COVER_PURPOSE,
    JOURNEY_NAME_MAX_LENGTH,
)

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class JourneyForm(forms.Form):
    """Name, dates and cover of a new or existing journey. Deliberately a plain
    form: an organization in the POST has nothing to bind to."""

    name = forms.CharField(
        label=_("Journey name"),
        max_length=JOURNEY_NAME_MAX_LENGTH,
        error_messages={"required": _("Give the journey a name.")},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    date_start = forms.DateField(
        label=_("Start date"),
        widget=DATE_WIDGET,
        error_messages={"required": _("Enter the start date.")},
    )
    date_end = forms.DateField(
        label=_("End date"),
        widget=DATE_WIDGET,
        error_messages={"required": _("Enter the end date.")},
    )
    cover = PurposeFileField(
        purpose=JOURNEY_COVER_PURPOSE,
        label=_("Cover image (optional)"),
        required=False,
        widget=forms.FileInput,
        help_text=_("JPEG, PNG, WebP or GIF. Shown on the journey's card and header."),
    )
    remove_cover = forms.BooleanField(label=_("Remove the cover image"), required=False)

    def __init__(self, *args, journey: Journey | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.journey = journey
        if journey is None or not journey.cover_url:
            del self.fields["remove_cover"]  # nothing to remove
        elif journey is not None:
            self.fields["cover"].label = _("New cover image (optional)")

    @classmethod
    def initial_for(cls, journey: Journey) -> dict:
        return {
            "name": journey.name,
            "date_start": journey.date_start,
            "date_end": journey.date_end,
        }

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("date_start"), data.get("date_end")
        if start and end and end < start:
            self.add_error("date_end", _("The end date cannot be before the start date."))
        return data


class JourneyDeleteForm(forms.Form):
    """Deleting a journey asks for its name, typed: a click alone is too easy."""

    confirm_name = forms.CharField(
        label=_("Type the journey's name to confirm"),
        strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={"required": _("Type the journey's name to confirm.")},
    )

    def __init__(self, *args, journey: Journey, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.journey = journey

    def clean_confirm_name(self) -> str:
        typed = self.cleaned_data["confirm_name"]
        if " ".join(typed.split()) != " ".join(self.journey.name.split()):
            raise forms.ValidationError(
                _("That is not the journey's name. Type it exactly as shown."), code="mismatch"
            )
        return typed


class PersonChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, person) -> str:
        return f"{public_name(person)} · {person.email}"


class MemberAddForm(forms.Form):
    """People of the academy to enrol. The choices are the academy's active
    people not enrolled yet; the page lists the ones matching a search."""

    people = PersonChoiceField(
        label=_("People to add"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose at least one person to add."),
            "invalid_choice": _("Choose people of your academy who are not in this journey yet."),
            "invalid_pk_value": _("Choose people of your academy who are not in this journey yet."),
        },
    )

    def __init__(self, *args, journey: Journey, choices=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["people"]
        # Validation accepts every candidate; the page shows only ``choices``
        # (the ones matching the search), so a large academy stays one short list.
        # Only a sent form validates: a page drawing it needs no queryset built.
        field.queryset = member_candidates(journey) if self.is_bound else Profile.objects.none()
        if choices is not None:
            field.choices = [(person.pk, field.label_from_instance(person)) for person in choices]


class MembersEmailForm(forms.Form):
    subject = forms.CharField(
        label=_("Subject"),
        max_length=EMAIL_SUBJECT_MAX_LENGTH,
        error_messages={"required": _("Write a subject.")},
    )
    message = forms.CharField(
        label=_("Message"),
        max_length=EMAIL_MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 10}),
        error_messages={"required": _("Write a message.")},
        help_text=_("Plain text. Each member gets their own e-mail; replies come to you."),
    )
