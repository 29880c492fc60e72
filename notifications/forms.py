"""The notification settings form: e-mail and push per notification type."""

from __future__ import annotations

from django import forms

from notifications.services import Channels
from notifications.types import NOTIFICATION_TYPES


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

    def rows(self):
        """(type, e-mail field, push field) for the table in the template."""
        for key, kind in self.kinds.items():
            yield kind, self[f"{key}__email"], self[f"{key}__push"]

    def choices(self) -> dict[str, Channels]:
        return {
            key: Channels(
                email=self.cleaned_data[f"{key}__email"], push=self.cleaned_data[f"{key}__push"]
            )
            for key in self.kinds
        }
