"""files.forms.PurposeFileField: browser hints and the early size checks."""

from __future__ import annotations

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from files.forms import PurposeFileField, add_upload_error
from files.validation import FileRejected


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


class AvatarForm(forms.Form):
    image = PurposeFileField(purpose="profile_image")


def test_the_input_tells_the_browser_what_to_pick(settings):
    html = str(AvatarForm()["image"])
    assert 'accept="image/jpeg,image/png,image/webp,image/gif,.jpg,' in html
    assert f'data-max-bytes="{settings.FILE_BUCKETS["profile-images"]["max_bytes"]}"' in html


def test_an_oversized_or_empty_file_is_a_form_error(settings):
    settings.FILE_BUCKETS = {
        **settings.FILE_BUCKETS,
        "profile-images": {"public": True, "max_bytes": 5},
    }
    form = AvatarForm(files={"image": SimpleUploadedFile("a.png", b"123456")})
    assert form.errors["image"] == ["The file is too large: the limit is 5\xa0bytes."]
    form = AvatarForm(files={"image": SimpleUploadedFile("a.png", b"")})
    assert form.errors["image"] == ["The submitted file is empty."]


def test_a_small_file_passes_on_to_the_service():
    form = AvatarForm(files={"image": SimpleUploadedFile("a.png", b"1234")})
    assert form.is_valid()


def test_a_refusal_from_the_service_shows_under_the_field():
    form = AvatarForm(files={"image": SimpleUploadedFile("a.png", b"1234")})
    assert form.is_valid()
    add_upload_error(form, "image", FileRejected("The file is empty."))
    assert form.errors["image"] == ["The file is empty."]


def test_an_unknown_purpose_fails_when_the_form_is_defined():
    with pytest.raises(ValueError, match="Unknown upload purpose"):
        PurposeFileField(purpose="avatar")
