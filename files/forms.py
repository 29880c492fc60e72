"""A form field for uploads of one purpose.

It gives the browser hints (``accept`` for the file picker, ``data-max-bytes``
for a script that warns before sending) and refuses empty and oversized files
early with the same messages as the service. The real checks (type sniffed from
the bytes, image decoding) happen in ``files.services.file_upload``; a view
turns its ``FileRejected`` into a form error with ``add_upload_error``.
"""

from __future__ import annotations

from django import forms

from files.purposes import Purpose
from files.purposes import purpose as purpose_named
from files.validation import FileRejected, too_large_message


class PurposeFileField(forms.FileField):
    """``forms.FileField`` for uploads of ``purpose`` (a key of ``PURPOSES``)."""

    def __init__(self, *, purpose: str, **kwargs) -> None:
        self.purpose: Purpose = purpose_named(purpose)
        kwargs.setdefault("allow_empty_file", False)
        kwargs.setdefault("widget", forms.ClearableFileInput)
        super().__init__(**kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict:
        attrs = super().widget_attrs(widget)
        attrs["accept"] = self.purpose.accept
        attrs["data-max-bytes"] = str(self.purpose.max_bytes)
        return attrs

    def to_python(self, data):
        upload = super().to_python(data)
        if upload is not None and upload.size is not None:
            limit = self.purpose.max_bytes
            if upload.size > limit:
                raise forms.ValidationError(too_large_message(limit), code="too_large")
        return upload


def add_upload_error(form: forms.Form, field: str, error: FileRejected) -> None:
    """Show a refusal from ``file_upload`` under ``field``."""
    form.add_error(field, forms.ValidationError(error.message, code="rejected"))
