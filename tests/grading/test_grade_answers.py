"""The grading panel of a mission of questions: each answer with its result,
the choices' correct options, a proposed score, and a flat query count."""

from __future__ import annotations

import pytest

from community.answers import AnswerInput
from community.services import post_submit
from missions.questions import QuestionInput, question_add
from tests.grading.conftest import grade_url, logged_in
from tests.grading.test_grade import GRADE_PAGE_QUERIES

pytestmark = pytest.mark.usefixtures("english")


def questions_for(mission, count_open: int = 1):
    choice = question_add(
        mission=mission,
        data=QuestionInput(
            kind="multiple_choice",
            text="Which is a noun?",
            points=3,
            options=(("run", False), ("apple", True)),
        ),
    )
    essays = [
        question_add(
            mission=mission, data=QuestionInput(kind="essay", text=f"Explain {n}.", points=5)
        )
        for n in range(count_open)
    ]
    return choice, essays


def submit(school, choice, essays, chosen: int):
    answers = {choice.pk: AnswerInput(choices=(chosen,))}
    answers |= {essay.pk: AnswerInput(text="Because.") for essay in essays}
    return post_submit(
        author=school.student,
        instance=school.instance,
        title="Answers",
        questions=[choice, *essays],
        answers=answers,
    )


def test_the_panel_shows_each_answer_with_its_result_and_proposes_a_score(client, school):
    choice, essays = questions_for(school.instance.mission)
    post = submit(school, choice, essays, chosen=0)  # wrong
    client = logged_in(client, school.teacher)

    page = client.get(grade_url(post)).content.decode()

    assert "Which is a noun?" in page and "Explain 0." in page and "Because." in page
    assert "Wrong · 0 PT" in page and "correct answer" in page
    assert 'name="score"' in page and 'value="5"' in page  # 0 for the choice + 5 open
    assert "Proposed: 5 PT" in page


def test_a_right_choice_is_marked_and_counted(client, school):
    choice, essays = questions_for(school.instance.mission)
    post = submit(school, choice, essays, chosen=1)
    client = logged_in(client, school.teacher)
    page = client.get(grade_url(post)).content.decode()
    assert "Correct · 3 PT" in page and 'value="8"' in page


@pytest.mark.parametrize("count_open", [1, 6])
def test_the_panel_costs_one_query_more_whatever_the_number_of_questions(
    client, school, django_assert_num_queries, count_open
):
    choice, essays = questions_for(school.instance.mission, count_open)
    post = submit(school, choice, essays, chosen=1)
    client = logged_in(client, school.teacher)
    client.get(grade_url(post))  # warm up
    with django_assert_num_queries(GRADE_PAGE_QUERIES + 1):
        client.get(grade_url(post))
