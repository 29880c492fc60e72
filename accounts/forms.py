"""Account forms: sign-up (allauth's, with our profile fields) and a Korean
phone number field others may reuse."""

from __future__ import annotations

import re

from allauth.account import app_settings as allauth_settings
from allauth.account.adapter import get_adapter
from allauth.account.forms import AddEmailForm as AllauthAddEmailForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from allauth.account.internal.flows.manage_email import email_already_exists
from allauth.account.utils import filter_users_by_email
from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization, Profile, Role
from accounts.services import (
    AccessCodeError,
    access_code_redeem,
    access_code_validate,
    browser_terms,
    role_on_arrival,
)
from core.moments import is_known_zone

# Korean numbers, without separators and with the leading 0:
# mobile 010 (8 digits after), older mobile 011/016-019 (7-8), Seoul 02 (7-8),
# the other area codes 031-064 (7-8), internet phones 070 (8), and
# nationwide representative numbers 15xx/16xx/18xx (8 digits in all).
_PHONE_PATTERNS = [
    re.compile(r"^(010)(\d{4})(\d{4})$"),
    re.compile(r"^(01[16789])(\d{3,4})(\d{4})$"),
    re.compile(r"^(02)(\d{3,4})(\d{4})$"),
    re.compile(r"^(0[3-6][1-5])(\d{3,4})(\d{4})$"),
    re.compile(r"^(070)(\d{4})(\d{4})$"),
    re.compile(r"^(1[568]\d{2})(\d{4})$"),
]
_SEPARATORS = re.compile(r"[\s\-.()/]")


def phone_normalize(value: str) -> str | None:
    """``"+82 10-1234-5678"``, ``"01012345678"`` → ``"010-1234-5678"``;
    ``"02 123 4567"`` → ``"02-123-4567"``; ``None`` when it is not a Korean
    phone number."""
    text = _SEPARATORS.sub("", value.strip())
    if text.startswith("+82"):
        text = text[3:]
        text = text if text.startswith("0") else f"0{text}"
    elif text.startswith("0082"):
        text = text[4:]
        text = text if text.startswith("0") else f"0{text}"
    if not text.isdigit():
        return None
    for pattern in _PHONE_PATTERNS:
        if match := pattern.match(text):
            return "-".join(match.groups())
    return None


class KoreanPhoneField(forms.CharField):
    """A Korean mobile or landline number, cleaned to ``010-1234-5678`` form."""

    default_error_messages = {
        "invalid": _("Enter a Korean phone number, for example 010-1234-5678 or 02-123-4567."),
    }

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("max_length", 32)
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={"type": "tel", "autocomplete": "tel", "placeholder": "010-1234-5678"}
            ),
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return value
        normalized = phone_normalize(value)
        if normalized is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return normalized


class OrganizationChoiceField(forms.ModelChoiceField):
    default_error_messages = {
        "invalid_choice": _("Choose an organization from the list."),
    }

    def to_python(self, value):
        try:
            return super().to_python(value)
        except ValidationError as error:
            # Not a UUID at all: the same answer as an unknown organization.
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            ) from error


class ProfileQuestions(forms.Form):
    """What Sqeeze asks everyone: names, phone, academy, consents and an optional
    role code. Sign-up and profile completion (after a social log-in) share it."""

    last_name = forms.CharField(
        label=_("Last name"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    first_name = forms.CharField(
        label=_("First name"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    phone = KoreanPhoneField(label=_("Phone"))
    organization = OrganizationChoiceField(
        label=_("Organization"),
        queryset=Organization.objects.order_by("name", "id"),
        empty_label=_("Choose your academy"),
    )
    access_code = forms.CharField(
        label=_("Access code (optional)"),
        required=False,
        max_length=64,
        help_text=_("Teachers and admins: enter the code your academy gave you."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "off"}
        ),
    )
    privacy_agreed = forms.BooleanField(
        label=_("I agree to the collection and use of my personal information."),
        error_messages={"required": _("Please agree to the privacy policy to continue.")},
    )
    marketing_opt_in = forms.BooleanField(
        label=_("Send me news and offers by e-mail (optional)."),
        required=False,
    )
    # Filled by static/js/browser-zone.js: the browser's IANA zone, so times
    # show on the person's clock from the start (they can change it later).
    browser_timezone = forms.CharField(
        required=False, widget=forms.HiddenInput(attrs={"data-browser-zone": ""})
    )

    def clean_browser_timezone(self) -> str | None:
        # A hint, not an answer: a zone we do not know (an old browser, a
        # forged POST) is dropped rather than refused, since nobody can fix a
        # hidden field; the site's default zone then applies.
        value = (self.cleaned_data.get("browser_timezone") or "").strip()
        return value if is_known_zone(value) else None


class SignupForm(ProfileQuestions, AllauthSignupForm):
    """allauth's sign-up (e-mail, password twice) plus the profile the original
    asked for: names, phone, organization, consents and an optional role code."""

    field_order = [
        "email",
        "password1",
        "password2",
        "last_name",
        "first_name",
        "phone",
        "organization",
        "access_code",
        "privacy_agreed",
        "marketing_opt_in",
    ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if "password1" in self.fields:
            # allauth lists every validator's rule as HTML; one plain line reads better.
            self.fields["password1"].help_text = _(
                "At least 8 characters, not a common password, not only digits, "
                "and not like your name or e-mail."
            )

    def validate_unique_email(self, value: str) -> str:
        # Sign-up tells a person plainly that the address is taken (any letter
        # case), rather than allauth's silent "account exists" mail.
        email, _exists = email_already_exists(value, always_raise=True)
        return email

    def clean_access_code(self) -> str:
        return (self.cleaned_data.get("access_code") or "").strip()

    def clean(self) -> dict:
        cleaned_data = super().clean()
        code = cleaned_data.get("access_code")
        organization = cleaned_data.get("organization")
        # Without a valid organization its own error says what to fix first.
        if code and organization is not None:
            try:
                access_code_validate(code=code, organization=organization)
            except AccessCodeError as error:
                self.add_error("access_code", error)
        return cleaned_data

    def try_save(self, request):
        """Create the person, their e-mail address and the code's use in one
        transaction (the adapter's ``save_user`` redeems the code). When a racing
        sign-up took the code's last use since the form was checked, nobody is
        created and the form comes back with the reason."""
        try:
            with transaction.atomic():
                return super().try_save(request)
        except AccessCodeError as error:
            self.add_error("access_code", error)
            return None, render(
                request, f"account/signup.{allauth_settings.TEMPLATE_EXTENSION}", {"form": self}
            )


class AddEmailForm(AllauthAddEmailForm):
    """allauth's "add an e-mail address", refusing an address another person
    uses (any letter case) with a clear error. allauth's own form, with
    enumeration prevention on, would instead record the address unverified on
    this account and mail a confirmation link to its owner."""

    def clean_email(self) -> str:
        value = super().clean_email()
        if filter_users_by_email(value):
            # super() already refused this person's own addresses.
            raise get_adapter().validation_error("email_taken")
        return value


class ProfileCompletionForm(ProfileQuestions, forms.ModelForm):
    """The sign-up's profile questions (same fields and rules as
    ``accounts.forms.SignupForm``), for a person who already has an account.

    A profile that already belongs to an academy (a student created by a CSV
    import, say) keeps it: the academy question is left out, so completion can
    only ever *give* an academy, never change one."""

    class Meta:
        model = Profile
        # Only these reach the profile; a forged role, is_superuser or
        # organization_id in the POST is not a form field and is ignored.
        fields = ["last_name", "first_name", "phone", "organization"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("privacy_agreed", self.instance.privacy_agreed)
        self.initial.setdefault("marketing_opt_in", self.instance.marketing_opt_in)
        self.arriving = self.instance.organization_id is None
        if not self.arriving:
            del self.fields["organization"]

    @property
    def organization(self) -> Organization | None:
        if self.arriving:
            return self.cleaned_data.get("organization")
        return self.instance.organization

    def _clean_name(self, name: str) -> str:
        value = (self.cleaned_data.get(name) or "").strip()
        if not value:
            raise forms.ValidationError(_("This field is required."), code="required")
        return value

    def clean_first_name(self) -> str:
        return self._clean_name("first_name")

    def clean_last_name(self) -> str:
        return self._clean_name("last_name")

    def clean_access_code(self) -> str:
        return (self.cleaned_data.get("access_code") or "").strip()

    def clean(self) -> dict:
        cleaned = super().clean()
        code = cleaned.get("access_code")
        organization = self.organization
        # Without a valid organization its own error says what to fix first.
        if code and organization is not None:
            try:
                access_code_validate(code=code, organization=organization)
            except AccessCodeError as error:
                self.add_error("access_code", error)
        return cleaned

    def save(self, commit: bool = True) -> Profile:
        """Store the answers, and the role, in one transaction.

        Arriving in an academy, the role is the access code's or student:
        whatever the profile held before never carries over. A profile that
        already had its academy keeps its role unless a code of that academy
        grants another.

        Raises ``AccessCodeError`` (and records it on the form) when a racing
        sign-up took the code's last use since the form was checked; then
        nothing is saved."""
        profile: Profile = super().save(commit=False)
        profile.privacy_agreed = True
        profile.marketing_opt_in = self.cleaned_data["marketing_opt_in"]
        terms = browser_terms(profile, zone=self.cleaned_data.get("browser_timezone"))
        code = self.cleaned_data.get("access_code")
        try:
            with transaction.atomic():
                if self.arriving:
                    profile.role = role_on_arrival(organization=self.organization, code=code)
                elif code:
                    profile.role = access_code_redeem(
                        code=code, organization=self.organization
                    ).role
                profile.save(
                    update_fields=[
                        "first_name",
                        "last_name",
                        "phone",
                        "organization",
                        "privacy_agreed",
                        "marketing_opt_in",
                        "role",
                        "updated_at",
                        *terms,
                    ]
                )
        except AccessCodeError as error:
            self.add_error("access_code", error)
            raise
        return profile


class RoleChangeForm(forms.Form):
    new_role = forms.ChoiceField(label=_("New role"), choices=Role.choices)
    reason = forms.CharField(
        label=_("Reason (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class OrganizationMoveForm(forms.Form):
    """A platform operator's choice of the academy to move a person to."""

    organization = forms.ModelChoiceField(
        label=_("New academy"), queryset=Organization.objects.order_by("name", "id")
    )
    reason = forms.CharField(
        label=_("Reason (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, profile, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = self.fields["organization"].queryset.exclude(
            pk=profile.organization_id
        )
