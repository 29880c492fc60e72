"""Composing a mission from questions (writes; missions/services.py has the
rest of the library's).

A mission's questions are ordered (``position`` 1, 2, …) and each has its
points; the mission's points are then the sum of its questions' points,
kept by every write here, so the two can never disagree (the mission form
shows the sum instead of a points field). While nothing has been submitted a
teacher may add, edit, reorder and delete questions; once a student has
submitted the mission, its answers were given to those questions, so only
their wording may change (the question, the placeholder, the options' text).

Every write locks the mission's row first: two teachers editing the same
mission wait for each other instead of numbering two questions alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from core.ordering import AtEdge, MissingRow, swap_with_neighbour
from missions.models import IMAGE_KINDS, TEXT_KINDS, Mission, MissionQuestion, QuestionKind

MAX_QUESTIONS = 30
MAX_TEXT = 2000
MAX_PLACEHOLDER = 200
MAX_POINTS = 1000
MAX_CHARS_LIMIT = 20000
MIN_OPTIONS, MAX_OPTIONS = 2, 10
MAX_OPTION_TEXT = 200
MAX_IMAGES = 10

# What a question may still change once its mission has submissions.
WORDING = ("text", "placeholder", "option_texts")


@dataclass(frozen=True)
class QuestionInput:
    """A question as a teacher wrote it (the form's cleaned values).
    ``options``: (text, correct) pairs in the order shown."""

    kind: str
    text: str
    points: int = 0
    required: bool = True
    placeholder: str = ""
    min_chars: int | None = None
    max_chars: int | None = None
    options: tuple[tuple[str, bool], ...] = field(default_factory=tuple)
    multiple_select: bool = False
    max_images: int | None = None


def _one_line(text: str) -> str:
    return " ".join((text or "").split())


def question_check(data: QuestionInput) -> dict:
    """The model fields of ``data`` once valid, the fields of other kinds
    cleared; ValidationError (with the field as code) saying what to fix."""
    if data.kind not in QuestionKind.values:
        raise ValidationError(_("Choose what the question asks for."), code="kind")
    text = (data.text or "").strip()
    if not text:
        raise ValidationError(_("Write the question."), code="text")
    if len(text) > MAX_TEXT:
        raise ValidationError(
            _("The question is too long (at most %(max)d characters).") % {"max": MAX_TEXT},
            code="text",
        )
    if not isinstance(data.points, int) or not 0 <= data.points <= MAX_POINTS:
        raise ValidationError(
            _("Points must be a whole number from 0 to %(max)d.") % {"max": MAX_POINTS},
            code="points",
        )
    fields = {
        "kind": data.kind,
        "text": text,
        "points": data.points,
        "required": bool(data.required),
        "placeholder": "",
        "min_chars": None,
        "max_chars": None,
        "options": [],
        "multiple_select": False,
        "max_images": None,
    }
    if data.kind in TEXT_KINDS:
        fields.update(_text_rules(data))
    if data.kind == QuestionKind.MULTIPLE_CHOICE:
        fields.update(_choice_rules(data))
    if data.kind in IMAGE_KINDS:
        fields.update(_image_rules(data))
    return fields


def _text_rules(data: QuestionInput) -> dict:
    placeholder = _one_line(data.placeholder)
    if len(placeholder) > MAX_PLACEHOLDER:
        raise ValidationError(_("The placeholder is too long."), code="placeholder")
    for value in (data.min_chars, data.max_chars):
        if value is not None and not 0 <= value <= MAX_CHARS_LIMIT:
            raise ValidationError(
                _("Character limits go from 0 to %(max)d.") % {"max": MAX_CHARS_LIMIT},
                code="max_chars",
            )
    limits = (data.min_chars, data.max_chars)
    if None not in limits and limits[0] > limits[1]:
        raise ValidationError(
            _("The minimum number of characters is above the maximum."), code="min_chars"
        )
    if data.max_chars == 0:
        raise ValidationError(_("Allow at least one character."), code="max_chars")
    return {
        "placeholder": placeholder,
        "min_chars": data.min_chars or None,
        "max_chars": data.max_chars,
    }


def _choice_rules(data: QuestionInput) -> dict:
    options = [(_one_line(text), bool(correct)) for text, correct in data.options]
    options = [(text, correct) for text, correct in options if text]
    if not MIN_OPTIONS <= len(options) <= MAX_OPTIONS:
        raise ValidationError(
            _("Give from %(min)d to %(max)d options.") % {"min": MIN_OPTIONS, "max": MAX_OPTIONS},
            code="options",
        )
    if any(len(text) > MAX_OPTION_TEXT for text, _correct in options):
        raise ValidationError(_("An option is too long."), code="options")
    if len({text.casefold() for text, _correct in options}) < len(options):
        raise ValidationError(_("Two options say the same thing."), code="options")
    correct = sum(1 for _text, is_correct in options if is_correct)
    if correct == 0:
        raise ValidationError(_("Mark the correct option."), code="options")
    if correct > 1 and not data.multiple_select:
        raise ValidationError(
            _("Only one option can be correct when students choose one answer."), code="options"
        )
    return {
        "options": [{"text": text, "correct": is_correct} for text, is_correct in options],
        "multiple_select": bool(data.multiple_select),
    }


def _image_rules(data: QuestionInput) -> dict:
    count = 1 if data.max_images is None else data.max_images
    if not 1 <= count <= MAX_IMAGES:
        raise ValidationError(
            _("Allow from 1 to %(max)d images.") % {"max": MAX_IMAGES}, code="max_images"
        )
    return {"max_images": count}


# --- the writes -------------------------------------------------------------------------


def _locked(mission: Mission) -> Mission:
    return Mission.objects.select_for_update().get(pk=mission.pk)


def has_submissions(mission: Mission) -> bool:
    return mission.instances.filter(posts__isnull=False).exists()


def _refuse_if_submitted(mission: Mission) -> None:
    if has_submissions(mission):
        raise ValidationError(
            _(
                "Students have already answered this mission: only the wording of its "
                "questions can change. Create a new mission to ask something else."
            ),
            code="has_submissions",
        )


def points_of_questions(mission: Mission) -> int:
    return mission.questions.aggregate(total=Sum("points"))["total"] or 0


def _points_sync(mission: Mission) -> None:
    """The mission's points become the sum of its questions' (0 for none)."""
    total = points_of_questions(mission)
    if mission.points != total:
        mission.points = total
        mission.save(update_fields=["points", "updated_at"])


def question_add(*, mission: Mission, data: QuestionInput) -> MissionQuestion:
    """Add a question after the mission's last one."""
    fields = question_check(data)
    with transaction.atomic():
        locked = _locked(mission)
        _refuse_if_submitted(locked)
        count = locked.questions.count()
        if count >= MAX_QUESTIONS:
            raise ValidationError(
                _("A mission holds at most %(max)d questions.") % {"max": MAX_QUESTIONS},
                code="too_many",
            )
        question = MissionQuestion.objects.create(mission=locked, position=count + 1, **fields)
        _points_sync(locked)
    return question


def question_update(*, question: MissionQuestion, data: QuestionInput) -> MissionQuestion:
    """Change a question. After submissions only its wording may change: the
    same kind, points, rules and options (count and correct ones), new words."""
    fields = question_check(data)
    with transaction.atomic():
        locked_mission = _locked(question.mission)
        locked = MissionQuestion.objects.select_for_update().get(pk=question.pk)
        if has_submissions(locked_mission) and not _wording_only(locked, fields):
            _refuse_if_submitted(locked_mission)
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.save()
        _points_sync(locked_mission)
    return locked


def _wording_only(question: MissionQuestion, fields: dict) -> bool:
    """Whether ``fields`` change nothing of ``question`` but its words."""
    for name, value in fields.items():
        if name in ("text", "placeholder"):
            continue
        if name == "options":
            before = [option["correct"] for option in question.options]
            if [option["correct"] for option in value] != before:
                return False
            continue
        if getattr(question, name) != value:
            return False
    return True


def question_move(*, question: MissionQuestion, direction: str) -> MissionQuestion:
    """Swap a question with the one above (``up``) or below (``down``)."""
    if direction not in ("up", "down"):
        raise ValidationError(_("Move a question up or down."), code="direction")
    with transaction.atomic():
        locked_mission = _locked(question.mission)
        _refuse_if_submitted(locked_mission)
        questions = list(locked_mission.questions.order_by("position"))
        try:
            moved, swapped = swap_with_neighbour(questions, question.pk, direction, "position")
        except MissingRow:
            raise ValidationError(_("This question no longer exists."), code="missing") from None
        except AtEdge:
            message = (
                _("This is already the first question.")
                if direction == "up"
                else _("This is already the last question.")
            )
            raise ValidationError(message, code="edge") from None
        # The unique position is checked at commit (deferred), so both can move.
        MissionQuestion.objects.bulk_update([moved, swapped], ["position"])
    return moved


def question_delete(*, question: MissionQuestion) -> None:
    """Remove a question; the ones after it move up."""
    with transaction.atomic():
        locked_mission = _locked(question.mission)
        _refuse_if_submitted(locked_mission)
        deleted, _rows = locked_mission.questions.filter(pk=question.pk).delete()
        if not deleted:
            raise ValidationError(_("This question no longer exists."), code="missing")
        rest = list(locked_mission.questions.order_by("position"))
        for number, remaining in enumerate(rest, start=1):
            remaining.position = number
        MissionQuestion.objects.bulk_update(rest, ["position"])
        _points_sync(locked_mission)
