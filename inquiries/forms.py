"""The public inquiry form and the signed-in bug report form.

Both only check the shape of what was typed (limits in ``inquiries.models``);
the services check it again and store it.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.forms import KoreanPhoneField
from files.forms import PurposeFileField
from files.purposes import size_label
from inquiries.models import (
    ANSWER_MAX_LENGTH,
    DESCRIPTION_MAX_LENGTH,
    NAME_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    BugReportSeverity,
)

# The honeypot: a field people never see (hidden with CSS, and its label asks
# screen-reader users to leave it empty) but form-filling robots do fill. Its
# name looks like a field worth filling.
HONEYPOT_FIELD = "website"


# In the form each severity says what it means, so people choose alike.
SEVERITY_CHOICES = [
    (BugReportSeverity.LOW, _("Low: a small annoyance")),
    (BugReportSeverity.NORMAL, _("Normal: something does not work as it should")),
    (BugReportSeverity.HIGH, _("High: I cannot do what I need to")),
    (BugReportSeverity.CRITICAL, _("Critical: data is wrong or lost, or nobody can work")),
]


def _one_line(value: str) -> str:
    # A name is one line: newlines and tabs would break mail subjects and lists.
    return " ".join(value.split())


class InquiryForm(forms.Form):
    name = forms.CharField(
        label=_("Your name"),
        max_length=NAME_MAX_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    phone = KoreanPhoneField(
        label=_("Phone"),
        help_text=_("We call you back on this number."),
    )
    automation_needs = forms.CharField(
        label=_("What would you like to automate?"),
        max_length=ANSWER_MAX_LENGTH,
        help_text=_("For example: attendance messages to parents, weekly reports, grading."),
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    current_tools = forms.CharField(
        label=_("Which tools do you use today? (optional)"),
        required=False,
        max_length=ANSWER_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    tool_issues = forms.CharField(
        label=_("What bothers you about them? (optional)"),
        required=False,
        max_length=ANSWER_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    privacy_agreed = forms.BooleanField(
        label=_(
            "I agree that Sqeeze collects my name and phone number to answer this inquiry "
            "and keeps them until it is handled."
        ),
        error_messages={"required": _("Please agree to the collection of your details.")},
    )
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def clean_name(self) -> str:
        name = _one_line(self.cleaned_data["name"])
        if not name:
            raise forms.ValidationError(self.fields["name"].error_messages["required"])
        return name

    def is_from_a_robot(self) -> bool:
        """Was the honeypot filled? Read from the raw data, before any other check,
        so a robot gets the same "thank you" whatever else it sent."""
        return bool((self.data.get(HONEYPOT_FIELD) or "").strip())


class BugReportForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=TITLE_MAX_LENGTH,
        help_text=_("In a few words, for example: the photo upload stops at 90%."),
    )
    description = forms.CharField(
        label=_("What happened? (optional)"),
        required=False,
        max_length=DESCRIPTION_MAX_LENGTH,
        help_text=_("What you did, what you expected, and what happened instead."),
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    # Radios, not a select: each choice explains itself in a sentence, which a
    # phone's select box would cut off.
    severity = forms.ChoiceField(
        label=_("How bad is it?"),
        choices=SEVERITY_CHOICES,
        initial=BugReportSeverity.NORMAL,
        widget=forms.RadioSelect,
    )
    screenshot = PurposeFileField(
        purpose="bug_screenshot",
        label=_("Screenshot (optional)"),
        required=False,
        widget=forms.FileInput,
    )
    # The page the person came from (the footer link's ?from=): carried through
    # the form as it is, with no error of its own (it would show nowhere); the
    # service keeps it only when it is a short path of this site.
    page_url = forms.CharField(required=False, strip=True, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        screenshot = self.fields["screenshot"]
        screenshot.help_text = _("An image (%(formats)s) of at most %(size)s.") % {
            "formats": screenshot.purpose.format_names,
            "size": size_label(screenshot.purpose.max_bytes),
        }
