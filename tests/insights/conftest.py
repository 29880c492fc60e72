"""Shared by the insights tests: a clean cache, Celery run here and now, and
a mission of two essay questions answered by two students."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from community.answers import AnswerInput
from community.services import post_submit
from missions.questions import QuestionInput, question_add
from tests.community.builders import classroom_fixture  # noqa: F401 (fixture)
from tests.factories import MissionFactory, MissionInstanceFactory
from tests.submissions import test_exports as export_tests

# ``delay`` runs the task here and now (the exports' fixture).
eager_celery = export_tests.eager_celery


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def quiz(classroom):
    """A mission of questions in the classroom's journey, answered twice."""
    mission = MissionFactory(organization=classroom.journey.organization, name="Fruit")
    essay = question_add(
        mission=mission, data=QuestionInput(kind="essay", text="Which fruit?", points=2)
    )
    other = question_add(mission=mission, data=QuestionInput(kind="essay", text="Why?", points=2))
    instance = MissionInstanceFactory(
        mission=mission, journey_week=classroom.week, journey=classroom.journey
    )
    for student, first, second in (
        (classroom.student, "사과를 먹었어요. 사과가 좋아요.", "맛있어서 먹었다."),
        (classroom.classmate, "사과와 배를 먹었다.", "달아서 좋다."),
    ):
        post_submit(
            author=student,
            instance=instance,
            title="Fruit",
            questions=[essay, other],
            answers={essay.pk: AnswerInput(text=first), other.pk: AnswerInput(text=second)},
        )
    return instance, essay, other
