"""Exports of a journey with a mission of questions: one column per question
number, each post's answer to its own mission's question in it (the choices
with their result, the text, how many images), empty for other missions."""

from __future__ import annotations

import pytest

from community.answers import AnswerInput
from community.services import post_submit
from missions.questions import QuestionInput, question_add
from submissions.exports import COLUMNS
from tests.factories import MissionFactory, MissionInstanceFactory
from tests.submissions import test_exports as content_tests
from tests.submissions.test_exports import csv_rows, xlsx_rows

# The fixtures of test_exports.py serve here too.
eager_celery = content_tests.eager_celery
export_storage = content_tests.export_storage
prepare = content_tests.prepare

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def quiz_post(klass):
    mission = MissionFactory(organization=klass.journey.organization, name="Quiz")
    choice = question_add(
        mission=mission,
        data=QuestionInput(
            kind="multiple_choice",
            text="Which is a noun?",
            points=3,
            options=(("run", False), ("apple", True)),
        ),
    )
    essay = question_add(mission=mission, data=QuestionInput(kind="essay", text="Why?", points=2))
    instance = MissionInstanceFactory(
        mission=mission, journey_week=klass.sheet.journey_week, journey=klass.journey
    )
    return post_submit(
        author=klass.classmate,
        instance=instance,
        title="Quiz answers",
        questions=[choice, essay],
        answers={choice.pk: AnswerInput(choices=(1,)), essay.pk: AnswerInput(text="It names.")},
    )


def test_the_csv_has_a_column_per_question_with_each_answer(client, klass, prepare, quiz_post):
    rows = csv_rows(client, prepare)
    width = len(COLUMNS)
    assert rows[0][width:] == ["Q1", "Q2"]
    quiz = next(row for row in rows[1:] if row[1] == "Quiz")
    assert quiz[width:] == ["apple (correct, 3 PT)", "It names."]
    intro = next(row for row in rows[1:] if row[1] == "Intro")
    assert intro[width:] == ["", ""]
    assert all(len(row) == width + 2 for row in rows)


def test_the_xlsx_has_the_same_answer_columns(client, klass, prepare, quiz_post):
    rows = xlsx_rows(client, prepare)
    width = len(COLUMNS)
    assert rows[0][width:] == ("Q1", "Q2")
    quiz = next(row for row in rows[1:] if row[1] == "Quiz")
    assert quiz[width:] == ("apple (correct, 3 PT)", "It names.")
