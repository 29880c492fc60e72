"""Answers to a mission's questions: checking them against each question's
rules, scoring the choices, and writing them (missions/questions.py says what
a question may ask).

A submission of a mission with questions carries one answer per question:
``answers_check`` refuses the whole set with a message per question (so the
form can show each next to its question), ``answers_save`` writes the rows
inside the caller's transaction, and ``answers_as_text`` gives the post's
readable content (the feed, search and notifications read the post as before).

Scoring is all or nothing: a choice question earns its points when the chosen
options are exactly the correct ones. Open questions (essay, images, mixed)
are left to the teacher.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from community.models import Post, PostAnswer
from core.errors import ServiceError
from missions.models import MissionQuestion, QuestionKind


@dataclass(frozen=True)
class AnswerInput:
    """What a student gave for one question: text, the positions of the
    chosen options (0 for the first), new images, and the answer's images
    already stored that they keep (on an edit)."""

    text: str = ""
    choices: tuple[int, ...] = ()
    images: Sequence[UploadedFile] = ()
    kept_images: int = 0


@dataclass(frozen=True)
class Score:
    is_correct: bool | None
    points: int | None


class AnswerRefusal(ServiceError):
    """Some answers break their question's rules: ``problems`` says what, by
    question id, for the form to show next to each question."""

    def __init__(self, problems: dict) -> None:
        super().__init__(_("Some answers need another look."))
        self.problems = problems


def _text_problem(question: MissionQuestion, text: str) -> str | None:
    length = len(text)
    if not text:
        return _("Write your answer.") if question.required else None
    if question.min_chars and length < question.min_chars:
        return ngettext(
            "Write at least %(min)d character (you wrote %(count)d).",
            "Write at least %(min)d characters (you wrote %(count)d).",
            question.min_chars,
        ) % {"min": question.min_chars, "count": length}
    if question.max_chars and length > question.max_chars:
        return ngettext(
            "Write at most %(max)d character (you wrote %(count)d).",
            "Write at most %(max)d characters (you wrote %(count)d).",
            question.max_chars,
        ) % {"max": question.max_chars, "count": length}
    return None


def _choice_problem(question: MissionQuestion, choices: tuple[int, ...]) -> str | None:
    if any(not 0 <= choice < len(question.options) for choice in choices):
        return _("That answer is not one of the options.")
    if len(set(choices)) != len(choices):
        return _("An option was chosen twice.")
    if len(choices) > 1 and not question.multiple_select:
        return _("Choose one answer.")
    if not choices and question.required:
        return _("Choose an answer.")
    return None


def _image_problem(question: MissionQuestion, count: int) -> str | None:
    limit = question.max_images or 1
    if count > limit:
        return ngettext("Add at most %(max)d image.", "Add at most %(max)d images.", limit) % {
            "max": limit
        }
    if count == 0 and question.required and question.kind == QuestionKind.IMAGE_UPLOAD:
        return _("Add an image.")
    return None


def answer_problem(question: MissionQuestion, answer: AnswerInput) -> str | None:
    """What is wrong with ``answer`` to ``question``, or None."""
    if question.kind == QuestionKind.MULTIPLE_CHOICE:
        return _choice_problem(question, answer.choices)
    problems = []
    if question.asks_text:
        problems.append(_text_problem(question, answer.text.strip()))
    if question.asks_images:
        problems.append(_image_problem(question, answer.kept_images + len(answer.images)))
    return next((problem for problem in problems if problem), None)


def answers_check(questions: Sequence[MissionQuestion], answers: dict) -> dict[object, AnswerInput]:
    """The answers by question id, each cleaned (text stripped, choices
    sorted); ``AnswerRefusal`` naming every question whose answer is wrong.
    A question with no answer given counts as answered with nothing."""
    cleaned, problems = {}, {}
    for question in questions:
        given = answers.get(question.pk) or AnswerInput()
        answer = AnswerInput(
            text=given.text.strip() if question.asks_text else "",
            choices=tuple(sorted(given.choices))
            if question.kind == QuestionKind.MULTIPLE_CHOICE
            else (),
            images=tuple(given.images) if question.asks_images else (),
            kept_images=given.kept_images if question.asks_images else 0,
        )
        problem = answer_problem(question, answer)
        if problem:
            problems[question.pk] = problem
        cleaned[question.pk] = answer
    if problems:
        raise AnswerRefusal(problems)
    return cleaned


def score(question: MissionQuestion, choices: Sequence[int]) -> Score:
    """A choice question's result: its points when exactly the correct
    options are chosen, else 0. Other kinds: not scored (None, None)."""
    if question.kind != QuestionKind.MULTIPLE_CHOICE:
        return Score(None, None)
    correct = sorted(choices) == question.correct_options
    return Score(correct, question.points if correct else 0)


def answers_save(
    *, post: Post, questions: Sequence[MissionQuestion], answers: dict[object, AnswerInput]
) -> list[PostAnswer]:
    """Write ``post``'s answer to each question (checked by ``answers_check``),
    scored, replacing the ones it had; a fixed number of statements whatever
    the number of questions. The images are stored by the caller (as the
    post's attachments whose ``answer`` is the row)."""
    rows = []
    for question in questions:
        answer = answers[question.pk]
        result = score(question, answer.choices)
        rows.append(
            PostAnswer(
                post=post,
                question=question,
                text=answer.text,
                choices=list(answer.choices),
                is_correct=result.is_correct,
                auto_points=result.points,
            )
        )
    return PostAnswer.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["post", "question"],
        update_fields=["text", "choices", "is_correct", "auto_points", "updated_at"],
    )


def answers_as_text(questions: Sequence[MissionQuestion], answers: dict) -> str:
    """The post's content for a mission of questions: each question and its
    answer in Markdown (the chosen options by their words), so the feed,
    search and notifications show what was answered."""
    parts = []
    for number, question in enumerate(questions, start=1):
        answer = answers[question.pk]
        lines = [f"**{number}. {question.text}**", ""]
        if question.kind == QuestionKind.MULTIPLE_CHOICE:
            lines += [f"- {question.options[choice]['text']}" for choice in answer.choices]
        elif answer.text:
            lines.append(answer.text)
        if question.asks_images:
            count = answer.kept_images + len(answer.images)
            if count:
                lines.append(
                    ngettext("(%(count)d image)", "(%(count)d images)", count) % {"count": count}
                )
        parts.append("\n".join(lines).rstrip())
    return "\n\n".join(parts)
