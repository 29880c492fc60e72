"""Forms of the post pages: a submission (and its edit), a comment."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from community.services import COMMENT_MAX_LENGTH, MAX_ATTACHMENTS, TITLE_MAX_LENGTH
from files.purposes import purpose as purpose_named
from files.purposes import size_label

ATTACHMENT_PURPOSE = purpose_named("post_attachment")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one ``<input type="file" multiple>`` (Django's recipe):
    cleans to a list, empty when none was chosen."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ATTACHMENT_PURPOSE.accept}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class PostForm(forms.Form):
    """Title, Markdown content and new attachments; on the edit page also
    checkboxes to remove existing attachments (``attachments``: the post's)."""

    title = forms.CharField(
        label=_("Title"),
        max_length=TITLE_MAX_LENGTH,
        error_messages={
            "required": _("Give your post a title."),
            "max_length": _(
                "The title can be at most %(limit_value)d characters (it has %(show_value)d)."
            ),
        },
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    content = forms.CharField(
        label=_("Content"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("Markdown works: **bold**, *italic*, lists, [links](https://…)."),
    )
    files = MultipleFileField(label=_("Attachments"), required=False)
    remove = forms.MultipleChoiceField(
        label=_("Remove attachments"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, attachments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].help_text = _(
            "Images, documents (PDF, Word, Excel, PowerPoint), audio or video: "
            "up to %(max)d files per post, %(size)s each."
        ) % {"max": MAX_ATTACHMENTS, "size": size_label(ATTACHMENT_PURPOSE.max_bytes)}
        self.attachments = list(attachments)
        if self.attachments:
            self.fields["remove"].choices = [
                (str(row.pk), row.file.file_name) for row in self.attachments
            ]
        else:
            del self.fields["remove"]

    def clean_title(self) -> str:
        return " ".join(self.cleaned_data["title"].split())

    def clean(self):
        cleaned = super().clean()
        kept = len(self.attachments) - len(cleaned.get("remove") or [])
        if kept + len(cleaned.get("files") or []) > MAX_ATTACHMENTS:
            self.add_error(
                "files",
                _("A post can have at most %(max)d attachments.") % {"max": MAX_ATTACHMENTS},
            )
        return cleaned


class CommentForm(forms.Form):
    content = forms.CharField(
        label=_("Comment"),
        max_length=COMMENT_MAX_LENGTH,
        strip=True,
        error_messages={
            "required": _("Write something before sending the comment."),
            "max_length": _(
                "A comment can be at most %(limit_value)d characters (it has %(show_value)d)."
            ),
        },
        widget=forms.Textarea(
            attrs={"rows": 2, "placeholder": _("Write a comment… Use @name to mention someone.")}
        ),
    )
