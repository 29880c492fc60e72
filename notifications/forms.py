"""The notification settings form: e-mail and push per notification type, and
for teachers the daily digest of new submissions."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from notifications.selectors import DIGEST_TYPE, Channels, digest_enabled
from notifications.types import NOTIFICATION_TYPES

DIGEST_FIELD = f"{DIGEST_TYPE}__digest"


class PreferencesForm(forms.Form):
    """Two checkboxes per type (``<type>__email``, ``<type>__push``); in-app is always on."""

    def __init__(self, *args, current: dict[str, Channels], user, **kwargs):
        super().__init__(*args, **kwargs)
        self.kinds = {key: kind for key, kind in NOTIFICATION_TYPES.items() if kind.concerns(user)}
        for key, kind in self.kinds.items():
            for channel in ("email", "push"):
                self.fields[f"{key}__{channel}"] = forms.BooleanField(
                    required=False,
                    label=kind.label,
                    initial=getattr(current[key], channel),
                )
        # Teachers (and admins) only: the daily e-mail digest of new submissions.
        self.offers_digest = DIGEST_TYPE in self.kinds
        if self.offers_digest:
            self.fields[DIGEST_FIELD] = forms.BooleanField(
                required=False,
                label=_("Daily e-mail digest of new submissions"),
                help_text=_(
                    "One e-mail every morning at 8:00 (your time zone) listing the submissions and "
                    "resubmissions of the last 24 hours in your journeys (none when there "
                    "were none). Independent of the per-submission e-mails above."
                ),
                initial=digest_enabled(user),
            )

    def rows(self):
        """(type, e-mail field, push field) for the table in the template."""
        for key, kind in self.kinds.items():
            yield kind, self[f"{key}__email"], self[f"{key}__push"]

    def digest_field(self):
        return self[DIGEST_FIELD] if self.offers_digest else None

    def digest_choice(self) -> bool | None:
        """Whether the digest is wanted; None when this person is not offered one."""
        return self.cleaned_data[DIGEST_FIELD] if self.offers_digest else None

    def choices(self) -> dict[str, Channels]:
        return {
            key: Channels(
                email=self.cleaned_data[f"{key}__email"], push=self.cleaned_data[f"{key}__push"]
            )
            for key in self.kinds
        }
