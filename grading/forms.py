"""Forms of the grading dashboard: a grade, a reason to hide, a reason to delete."""

from __future__ import annotations

from django import forms
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from community.models import AchievementStatus
from community.services import COMMENT_MAX_LENGTH
from grading.services import HIDDEN_REASON_MAX_LENGTH


class GradeForm(forms.Form):
    """Achieved or not, a score from 0 to the mission's points (``max_points``),
    and optional feedback, posted as the teacher's comment."""

    achievement_status = forms.ChoiceField(
        label=_("Result"),
        choices=[
            (AchievementStatus.ACHIEVED, _("Achieved")),
            (AchievementStatus.NOT_ACHIEVED, _("Not achieved")),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose “achieved” or “not achieved”."),
            "invalid_choice": _("Choose “achieved” or “not achieved”."),
        },
    )
    score = forms.IntegerField(
        label=_("Score"),
        required=False,
        min_value=0,
        error_messages={
            "invalid": _("The score is a whole number of points."),
            "min_value": _("The score cannot be below 0."),
            "max_value": _("The score can be at most %(limit_value)s: this mission's points."),
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": 1}),
    )
    feedback = forms.CharField(
        label=_("Feedback to the student"),
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        strip=True,
        help_text=_("Optional. Posted as your comment on the post; @name mentions work."),
        error_messages={
            "max_length": _(
                "Feedback can be at most %(limit_value)d characters (it has %(show_value)d)."
            ),
        },
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, max_points: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_points = max_points
        score = self.fields["score"]
        # The limit is this mission's, known only now: the field's own
        # max_value would have added its validator at class creation.
        score.max_value = max_points
        score.validators.append(MaxValueValidator(max_points))
        score.widget.attrs.update({"min": 0, "max": max_points})
        score.help_text = _("From 0 to %(max)d points.") % {"max": max_points}

    def clean(self):
        cleaned = super().clean()
        status = cleaned.get("achievement_status")
        if "score" in self.errors:
            return cleaned
        if cleaned.get("score") is None:
            if status == AchievementStatus.ACHIEVED:
                self.add_error(
                    "score",
                    _("Give a score between 0 and %(max)d for an achieved mission.")
                    % {"max": self.max_points},
                )
            else:
                cleaned["score"] = 0
        return cleaned


class HideForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (the author reads it)"),
        max_length=HIDDEN_REASON_MAX_LENGTH,
        error_messages={
            "required": _("Say why you hide this post: its author will read the reason."),
            "max_length": _(
                "The reason can be at most %(limit_value)d characters (it has %(show_value)d)."
            ),
        },
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class RemoveForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional; the author reads it)"),
        required=False,
        max_length=HIDDEN_REASON_MAX_LENGTH,
        error_messages={
            "max_length": _(
                "The reason can be at most %(limit_value)d characters (it has %(show_value)d)."
            ),
        },
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
