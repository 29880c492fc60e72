"""The operator's blog post form in Django admin: the post's own fields plus a
cover upload that goes through the files service."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from blog.models import Blog
from blog.services import BLOG_COVER_PURPOSE
from files.forms import PurposeFileField
from files.validation import FileRejected, process_image, read_upload, sniff


class BlogAdminForm(forms.ModelForm):
    cover = PurposeFileField(
        purpose=BLOG_COVER_PURPOSE,
        label=_("Upload a cover image"),
        required=False,
        widget=forms.FileInput,
        help_text=_(
            "JPEG, PNG, WebP or GIF, ideally 1200 × 630 pixels: shown on the post, its "
            "card and link previews. It replaces the cover image URL."
        ),
    )
    remove_cover = forms.BooleanField(
        label=_("Remove the cover image"),
        required=False,
        help_text=_("The post then shows Sqeeze's own placeholder picture."),
    )

    class Meta:
        model = Blog
        fields = ("title", "subtitle", "content", "published_at", "image_url")
        widgets = {
            "content": forms.Textarea(attrs={"rows": 24, "class": "vLargeTextField"}),
            "image_url": forms.TextInput(attrs={"class": "vURLField"}),
        }
        help_texts = {
            "image_url": _(
                "Used when no cover is uploaded: an https:// address or a path on this site. "
                "The seed's stock picture (picsum.photos) is never loaded; the placeholder "
                "shows instead."
            ),
        }

    def clean_cover(self):
        """Refuse a file the files service would refuse, here, where the message
        can stand under the field and nothing has been saved yet (the service
        checks again when it stores the file)."""
        upload = self.cleaned_data.get("cover")
        if upload is None:
            return None
        spec = self.fields["cover"].purpose
        try:
            data = read_upload(upload, max_bytes=spec.max_bytes)
            process_image(
                data, format=sniff(data, purpose=spec), max_pixels=settings.FILE_IMAGE_MAX_PIXELS
            )
        except FileRejected as error:
            raise forms.ValidationError(error.message, code="rejected") from None
        upload.seek(0)
        return upload
