"""A mission's questions in the library: add, edit, reorder and delete them
(teachers and admins of the mission's academy; missions/questions.py holds
the rules). The list is shown on the mission's edit page; each write returns
there, to the question it touched."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from missions import questions
from missions.access import library_mission_for
from missions.forms import QuestionForm
from missions.models import Mission, MissionQuestion


def _questions_url(mission: Mission, anchor: str = "questions") -> str:
    return f"{reverse('missions:edit', args=[mission.pk])}#{anchor}"


def _question_of(mission: Mission, question_id: uuid.UUID) -> MissionQuestion:
    return get_object_or_404(mission.questions.all(), pk=question_id)


def _render(request, form: QuestionForm, mission: Mission, question=None) -> HttpResponse:
    context = {"form": form, "mission": mission, "question": question}
    return render(request, "missions/question_form.html", context)


def _refusal_on(form: QuestionForm, error: ValidationError) -> None:
    """A service's refusal next to the field it concerns (options: on the
    options' block, shown above their rows)."""
    field = "option_1" if error.code == "options" else error.code
    form.add_error(field if field in form.fields else None, error.messages)


@login_required
@require_http_methods(["GET", "POST"])
def question_create(request: HttpRequest, mission_id: uuid.UUID) -> HttpResponse:
    mission = library_mission_for(request, mission_id)
    if request.method == "GET":
        return _render(request, QuestionForm(), mission)
    form = QuestionForm(request.POST)
    if form.is_valid():
        try:
            question = questions.question_add(mission=mission, data=form.to_input())
        except ValidationError as error:
            _refusal_on(form, error)
        else:
            messages.success(
                request, _("Question %(number)d is added.") % {"number": question.position}
            )
            return redirect(_questions_url(mission, f"question-{question.pk}"))
    return _render(request, form, mission)


@login_required
@require_http_methods(["GET", "POST"])
def question_edit(
    request: HttpRequest, mission_id: uuid.UUID, question_id: uuid.UUID
) -> HttpResponse:
    mission = library_mission_for(request, mission_id)
    question = _question_of(mission, question_id)
    wording_only = questions.has_submissions(mission)
    initial = QuestionForm.initial_from(question)
    if request.method == "GET":
        return _render(
            request, QuestionForm(initial=initial, wording_only=wording_only), mission, question
        )
    form = QuestionForm(request.POST, initial=initial, wording_only=wording_only)
    if form.is_valid():
        try:
            questions.question_update(question=question, data=form.to_input())
        except ValidationError as error:
            _refusal_on(form, error)
        else:
            messages.success(
                request, _("Question %(number)d is saved.") % {"number": question.position}
            )
            return redirect(_questions_url(mission, f"question-{question.pk}"))
    return _render(request, form, mission, question)


@login_required
@require_POST
def question_move(
    request: HttpRequest, mission_id: uuid.UUID, question_id: uuid.UUID
) -> HttpResponse:
    mission = library_mission_for(request, mission_id)
    question = _question_of(mission, question_id)
    try:
        questions.question_move(question=question, direction=request.POST.get("direction", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(_questions_url(mission, f"question-{question.pk}"))


@login_required
@require_POST
def question_delete(
    request: HttpRequest, mission_id: uuid.UUID, question_id: uuid.UUID
) -> HttpResponse:
    mission = library_mission_for(request, mission_id)
    question = _question_of(mission, question_id)
    try:
        questions.question_delete(question=question)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(_questions_url(mission, f"question-{question.pk}"))
    messages.success(request, _("The question is deleted."))
    return redirect(_questions_url(mission))
