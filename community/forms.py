"""Forms of the post pages: a submission (and its edit), a comment."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from community.answers import AnswerInput
from community.services import COMMENT_MAX_LENGTH, MAX_ATTACHMENTS, TITLE_MAX_LENGTH
from files.purposes import purpose as purpose_named
from files.purposes import size_label
from missions.models import QuestionKind

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
        # The post's own attachments; an answer's images count in its question.
        own = {str(row.pk) for row in self.attachments if not row.answer_id}
        kept = len(own - set(cleaned.get("remove") or []))
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


IMAGE_PURPOSE_ACCEPT = "image/*"


class AnswersForm(forms.Form):
    """The answers to a mission's questions, one block per question in order
    (``blocks``): a text box with its limits (essay, mixed), the options as
    radio buttons or checkboxes (multiple choice), an image picker (image
    upload, mixed). Fields are named by the question's number (``q1_text``,
    ``q1_choice``, ``q1_images``). This form only reads what was sent;
    community/answers.py checks it against each question's rules."""

    def __init__(self, *args, questions=(), answers=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        answers = answers or {}
        for number, question in enumerate(self.questions, start=1):
            given = answers.get(question.pk)
            if question.asks_text:
                attrs = {"rows": 6, "data-char-count": ""}
                if question.max_chars:
                    attrs["data-max-chars"] = question.max_chars
                if question.min_chars:
                    attrs["data-min-chars"] = question.min_chars
                if question.placeholder:
                    attrs["placeholder"] = question.placeholder
                self.fields[f"q{number}_text"] = forms.CharField(
                    label=question.text,
                    required=False,
                    strip=False,
                    widget=forms.Textarea(attrs=attrs),
                    initial=given.text if given else "",
                )
            if question.kind == QuestionKind.MULTIPLE_CHOICE:
                choices = [
                    (str(index), option["text"]) for index, option in enumerate(question.options)
                ]
                chosen = [str(index) for index in given.choices] if given else []
                if question.multiple_select:
                    field = forms.MultipleChoiceField(
                        choices=choices, widget=forms.CheckboxSelectMultiple, initial=chosen
                    )
                else:
                    field = forms.ChoiceField(
                        choices=choices,
                        widget=forms.RadioSelect,
                        initial=chosen[0] if chosen else None,
                    )
                field.required = False
                field.label = question.text
                self.fields[f"q{number}_choice"] = field
            if question.asks_images:
                self.fields[f"q{number}_images"] = MultipleFileField(
                    label=_("Images"),
                    required=False,
                    widget=MultipleFileInput(attrs={"accept": IMAGE_PURPOSE_ACCEPT}),
                )

    def blocks(self) -> list[dict]:
        """Per question, in order: its number, the question and its fields."""
        blocks = []
        for number, question in enumerate(self.questions, start=1):
            fields = {
                kind: self[name]
                for kind in ("text", "choice", "images")
                if (name := f"q{number}_{kind}") in self.fields
            }
            blocks.append({"number": number, "question": question, **fields})
        return blocks

    def answers(self) -> dict:
        """What was sent, by question id (valid forms only). On an edit the
        service counts the images each answer keeps."""
        data = self.cleaned_data
        return {
            question.pk: AnswerInput(
                text=data.get(f"q{number}_text") or "",
                choices=self._chosen(number),
                images=data.get(f"q{number}_images") or [],
            )
            for number, question in enumerate(self.questions, start=1)
        }

    def _chosen(self, number: int) -> tuple[int, ...]:
        """Every option sent for question ``number``: a radio button's field
        keeps only the last value sent, and a forged second one must reach
        the check ("Choose one answer."), not be dropped."""
        name = f"q{number}_choice"
        if name not in self.fields:
            return ()
        sent = self.data.getlist(name) if hasattr(self.data, "getlist") else []
        # A value that is not a position (forged) becomes one no option has.
        return tuple(int(value) if value.isdigit() else -1 for value in sent if value != "")

    def add_problems(self, problems: dict) -> None:
        """Each refused answer's message on its question's first field."""
        for number, question in enumerate(self.questions, start=1):
            if question.pk in problems:
                name = next(
                    f"q{number}_{kind}"
                    for kind in ("text", "choice", "images")
                    if f"q{number}_{kind}" in self.fields
                )
                self.add_error(name, problems[question.pk])
