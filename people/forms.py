"""Forms of the people pages: my profile, closing my account, role access
codes and the CSV import of students.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _

from accounts.forms import KoreanPhoneField
from accounts.models import Role
from accounts.services import password_confirms
from core.moments import common_zones, is_known_zone, validate_zone
from files.forms import PurposeFileField
from people.imports import COLUMN_FIELDS, COLUMN_LABELS, mapping_problems


class ProfileForm(forms.Form):
    """What a person may change about themselves. Deliberately a plain form
    with its own fields: role, organization, e-mail or superuser status in the
    POST have nothing to bind to."""

    # Required, like at sign-up: a profile without them is sent back to the
    # completion page (accounts.selectors.profile_is_complete).
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
    # Pages, e-mails, pushes and reminders use these (core.moments). Empty: the
    # browser's language on pages, and the site's default zone.
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        help_text=_("Pages, e-mails and push notifications are written in this language."),
    )
    timezone = forms.CharField(
        label=_("Time zone"),
        required=False,
        validators=[validate_zone],
        widget=forms.Select,
        help_text=_("Deadlines and other times are shown on this clock."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = language_choices()
        current = self.data.get("timezone") if self.is_bound else self.initial.get("timezone")
        self.fields["timezone"].widget.choices = zone_choices(current)

    @classmethod
    def initial_for(cls, profile) -> dict:
        return {
            "last_name": profile.last_name or "",
            "first_name": profile.first_name or "",
            "phone": profile.phone or "",
            "marketing_opt_in": profile.marketing_opt_in,
            "language": profile.language or "",
            "timezone": profile.timezone or "",
        }


def language_choices() -> list[tuple[str, str]]:
    """The site's languages, each in its own name (as the header's switcher)."""
    return [("", _("As my browser says"))] + [
        (code, translation.get_language_info(code)["name_local"])
        for code, _name in settings.LANGUAGES
    ]


# The regions of the zone list, as optgroups (a flat list of 400 cities is hard
# to scan); their names translated.
ZONE_REGIONS = {
    "Africa": _("Africa"),
    "America": _("America"),
    "Antarctica": _("Antarctica"),
    "Asia": _("Asia"),
    "Atlantic": _("Atlantic"),
    "Australia": _("Australia"),
    "Europe": _("Europe"),
    "Indian": _("Indian Ocean"),
    "Pacific": _("Pacific"),
}


def _zone_label(name: str, now: dt.datetime) -> str:
    """ "Seoul (UTC+09:00)": the city, and its offset today (summer time included)."""
    offset = now.astimezone(ZoneInfo(name)).strftime("%z")
    city = name.split("/", 1)[-1].replace("_", " ")
    return f"{city} (UTC{offset[:3]}:{offset[3:]})"


def zone_choices(current: str | None = None) -> list:
    """The time-zone select: "the default", UTC, then the cities by region. A
    zone the browser reported that is not in the list (an old alias such as
    Asia/Calcutta) is offered too, so the person's own stays selected."""
    now = timezone.now()
    default = settings.DEFAULT_USER_TIMEZONE
    groups: dict[str, list[tuple[str, str]]] = {}
    names = list(common_zones())
    if current and is_known_zone(current) and current not in names:
        names.append(current)
    for name in names:
        region = name.split("/", 1)[0]
        if "/" in name:
            groups.setdefault(region, []).append((name, _zone_label(name, now)))
    choices: list = [("", _("Default (%(zone)s)") % {"zone": default}), ("UTC", "UTC")]
    for region, zones in sorted(groups.items()):
        choices.append((ZONE_REGIONS.get(region, region), sorted(zones, key=lambda z: z[1])))
    return choices


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


class StudentImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )


class ColumnMappingForm(forms.Form):
    """Which field each column of an import's file holds: one choice per column
    (``column_0`` …), shown with the column's first values."""

    SAMPLE_ROWS = 3

    def __init__(self, *args, table: dict, mapping: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        fields = [(field, COLUMN_LABELS[field]) for field in COLUMN_FIELDS]
        choices = [("", _("Leave out")), *fields]
        samples = table["rows"][: self.SAMPLE_ROWS]
        self.columns = []
        for index, header in enumerate(table["header"]):
            name = f"column_{index}"
            self.fields[name] = forms.ChoiceField(
                label=header or _("Column %(number)s") % {"number": index + 1},
                choices=choices,
                required=False,
                initial=mapping[index] if index < len(mapping) else "",
            )
            values = [row["cells"][index] for row in samples if row["cells"][index]]
            self.columns.append({"field": self[name], "samples": values})

    def clean(self):
        cleaned = super().clean()
        mapping = self.mapping()
        for problem in mapping_problems(mapping):
            self.add_error(None, problem)
        return cleaned

    def mapping(self) -> list[str]:
        return [self.cleaned_data.get(f"column_{index}", "") for index in range(len(self.columns))]
