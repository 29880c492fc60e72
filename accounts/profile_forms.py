"""Forms of the profile pages, account deletion, role changes and access codes."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.forms import KoreanPhoneField
from accounts.models import Organization, Role
from accounts.profile_services import password_confirms
from files.forms import PurposeFileField


class ProfileForm(forms.Form):
    """What a person may change about themselves. Deliberately a plain form
    with its own fields: role, organization, e-mail or superuser status in the
    POST have nothing to bind to."""

    # Required, like at sign-up: a profile without them is sent back to the
    # completion page (accounts.completion.profile_is_complete).
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    first_name = forms.CharField(label=_("First name"), max_length=100)
    # The sign-up form's field: one notion of a valid Korean number.
    phone = KoreanPhoneField(label=_("Phone"))
    marketing_opt_in = forms.BooleanField(
        label=_("Send me news and offers by e-mail"), required=False
    )
    image = PurposeFileField(
        purpose="profile_image",
        label=_("New profile image"),
        required=False,
        widget=forms.FileInput,
        help_text=_("JPEG, PNG, WebP or GIF. Location and camera data are removed."),
    )
    remove_image = forms.BooleanField(label=_("Remove my profile image"), required=False)

    @classmethod
    def initial_for(cls, profile) -> dict:
        return {
            "last_name": profile.last_name or "",
            "first_name": profile.first_name or "",
            "phone": profile.phone or "",
            "marketing_opt_in": profile.marketing_opt_in,
        }


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, profile, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.profile = profile
        if not profile.has_usable_password():
            field = self.fields["password"]
            field.label = _("Your e-mail address")
            field.widget = forms.EmailInput(attrs={"autocomplete": "off"})

    def clean_password(self) -> str:
        value = self.cleaned_data["password"]
        if not password_confirms(self.profile, value):
            if self.profile.has_usable_password():
                raise forms.ValidationError(_("The password is not correct."), code="password")
            raise forms.ValidationError(_("Type the e-mail address of this account."), code="email")
        return value


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


class AccessCodeForm(forms.Form):
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[(Role.TEACHER, Role.TEACHER.label), (Role.ADMIN, Role.ADMIN.label)],
        initial=Role.TEACHER,
    )
    expiry_date = forms.DateField(
        label=_("Valid until (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The code works through the end of this day."),
    )
    max_uses = forms.IntegerField(
        label=_("Use limit (optional)"),
        required=False,
        min_value=1,
        max_value=10000,
        help_text=_("How many people may sign up with it."),
    )

    def clean_expiry_date(self) -> dt.datetime | None:
        day = self.cleaned_data.get("expiry_date")
        if day is None:
            return None
        if day < timezone.localdate():
            raise forms.ValidationError(_("Choose today or a later day."), code="past")
        end_of_day = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min)
        return timezone.make_aware(end_of_day)
