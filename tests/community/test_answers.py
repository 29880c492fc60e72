"""Answers to a mission's questions (community/answers.py): each question's
rules, all-or-nothing scoring of choices, rows written per question with a
fixed number of statements, the post's readable content, and the table's
tenancy in the database."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, transaction
from django.db.models import ProtectedError
from django.test.utils import CaptureQueriesContext

from community.answers import (
    AnswerInput,
    AnswerRefusal,
    Score,
    answers_as_text,
    answers_check,
    answers_save,
    score,
)
from community.models import PostAnswer
from core import tenancy
from core.db import fetch_all
from missions.questions import QuestionInput, question_add
from tests.factories import MissionFactory, MissionInstanceFactory, PostFactory

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def mission(organization):
    return MissionFactory(organization=organization)


@pytest.fixture
def essay(mission):
    return question_add(
        mission=mission,
        data=QuestionInput(kind="essay", text="Why?", points=4, min_chars=5, max_chars=20),
    )


@pytest.fixture
def single(mission):
    return question_add(
        mission=mission,
        data=QuestionInput(
            kind="multiple_choice",
            text="Which is a noun?",
            points=3,
            options=(("run", False), ("apple", True), ("blue", False)),
        ),
    )


@pytest.fixture
def several(mission):
    return question_add(
        mission=mission,
        data=QuestionInput(
            kind="multiple_choice",
            text="Which are fruits?",
            points=2,
            options=(("pear", True), ("car", False), ("fig", True)),
            multiple_select=True,
        ),
    )


@pytest.fixture
def photos(mission):
    return question_add(
        mission=mission, data=QuestionInput(kind="image_upload", text="Show it", max_images=2)
    )


def image(name="chart.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"not read here", content_type="image/png")


def problems_of(questions, answers) -> dict:
    with pytest.raises(AnswerRefusal) as caught:
        answers_check(questions, answers)
    return caught.value.problems


# --- the rules, each refused with its question's message --------------------------------


@pytest.mark.parametrize(
    ("choices", "message"),
    [
        ((7,), "That answer is not one of the options."),
        ((-1,), "That answer is not one of the options."),
        ((0, 1), "Choose one answer."),
        ((), "Choose an answer."),
        ((1, 1), "An option was chosen twice."),
    ],
)
def test_a_bad_choice_is_refused(single, choices, message):
    assert problems_of([single], {single.pk: AnswerInput(choices=choices)}) == {single.pk: message}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Write your answer."),
        ("   ", "Write your answer."),
        ("abc", "Write at least 5 characters (you wrote 3)."),
        ("x" * 21, "Write at most 20 characters (you wrote 21)."),
    ],
)
def test_an_answer_outside_the_limits_is_refused(essay, text, message):
    assert problems_of([essay], {essay.pk: AnswerInput(text=text)}) == {essay.pk: message}


def test_emoji_and_korean_count_as_characters(essay):
    checked = answers_check([essay], {essay.pk: AnswerInput(text="  사과가 좋아 🍎  ")})
    assert checked[essay.pk].text == "사과가 좋아 🍎"


def test_too_many_images_or_none_for_a_required_image_question(photos):
    assert problems_of([photos], {photos.pk: AnswerInput(images=[image()] * 3)}) == {
        photos.pk: "Add at most 2 images."
    }
    assert problems_of([photos], {}) == {photos.pk: "Add an image."}
    kept = AnswerInput(images=[image()], kept_images=2)  # an edit keeping two
    assert problems_of([photos], {photos.pk: kept}) == {photos.pk: "Add at most 2 images."}


def test_every_wrong_answer_is_named_at_once(essay, single):
    problems = problems_of([essay, single], {single.pk: AnswerInput(choices=(5,))})
    assert set(problems) == {essay.pk, single.pk}


def test_an_optional_question_may_stay_empty(mission):
    optional = question_add(
        mission=mission,
        data=QuestionInput(kind="essay", text="Anything else?", required=False, min_chars=10),
    )
    assert answers_check([optional], {})[optional.pk].text == ""


def test_fields_of_other_kinds_are_dropped(single):
    checked = answers_check([single], {single.pk: AnswerInput(text="ignored", choices=(1,))})
    assert checked[single.pk] == AnswerInput(choices=(1,))


# --- scoring ----------------------------------------------------------------------------


def test_a_choice_earns_its_points_only_when_exactly_right(single, several, essay):
    assert score(single, [1]) == Score(True, 3)
    assert score(single, [0]) == Score(False, 0)
    assert score(several, [2, 0]) == Score(True, 2)
    assert score(several, [0]) == Score(False, 0)
    assert score(several, [0, 1, 2]) == Score(False, 0)
    assert score(essay, []) == Score(None, None)


# --- writing ----------------------------------------------------------------------------


def make_post(mission):
    """A submission of ``mission`` (its questions are written first: once
    submitted, a mission's questions can no longer be added)."""
    instance = MissionInstanceFactory(
        mission=mission, journey_week__journey__organization=mission.organization
    )
    return PostFactory(mission_instance=instance)


@pytest.fixture
def post(mission, essay, single, several):
    return make_post(mission)


def test_answers_are_stored_per_question_scored_and_replaced_on_resubmission(
    post, essay, single, several
):
    questions = [essay, single, several]
    first = answers_check(
        questions,
        {
            essay.pk: AnswerInput(text="Because."),
            single.pk: AnswerInput(choices=(0,)),
            several.pk: AnswerInput(choices=(2, 0)),
        },
    )
    answers_save(post=post, questions=questions, answers=first)
    rows = {row.question_id: row for row in PostAnswer.objects.filter(post=post)}
    assert rows[essay.pk].text == "Because." and rows[essay.pk].auto_points is None
    assert (rows[single.pk].choices, rows[single.pk].is_correct, rows[single.pk].auto_points) == (
        [0],
        False,
        0,
    )
    assert (rows[several.pk].choices, rows[several.pk].auto_points) == ([0, 2], 2)

    again = answers_check(
        questions,
        {
            essay.pk: AnswerInput(text="Because I can."),
            single.pk: AnswerInput(choices=(1,)),
            several.pk: AnswerInput(choices=(0, 2)),
        },
    )
    answers_save(post=post, questions=questions, answers=again)
    assert PostAnswer.objects.filter(post=post).count() == 3
    single_row = PostAnswer.objects.get(post=post, question=single)
    assert (single_row.is_correct, single_row.auto_points) == (True, 3)


def test_saving_takes_one_statement_whatever_the_number_of_questions(mission):
    questions = [
        question_add(mission=mission, data=QuestionInput(kind="essay", text=f"Q{n}"))
        for n in range(12)
    ]
    post = make_post(mission)
    answers = answers_check(questions, {q.pk: AnswerInput(text="ok") for q in questions})
    with CaptureQueriesContext(transaction.get_connection()) as queries:
        answers_save(post=post, questions=questions, answers=answers)
    assert len(queries) == 1


def test_the_posts_content_reads_each_question_and_its_answer(essay, single, photos):
    questions = [essay, single, photos]
    answers = answers_check(
        questions,
        {
            essay.pk: AnswerInput(text="Because."),
            single.pk: AnswerInput(choices=(1,)),
            photos.pk: AnswerInput(images=[image(), image()]),
        },
    )
    assert answers_as_text(questions, answers) == (
        "**1. Why?**\n\nBecause.\n\n"
        "**2. Which is a noun?**\n\n- apple\n\n"
        "**3. Show it**\n\n(2 images)"
    )


# --- the database ---------------------------------------------------------------------


def test_an_answered_question_cannot_be_deleted_under_it(post, essay):
    answers_save(post=post, questions=[essay], answers={essay.pk: AnswerInput(text="Because.")})
    with pytest.raises(ProtectedError):
        essay.delete()


def test_an_answer_takes_its_posts_academy_and_another_academy_sees_none(
    post, essay, single, other_organization
):
    answers_save(post=post, questions=[essay], answers={essay.pk: AnswerInput(text="Mine.")})
    row = PostAnswer.objects.get(post=post)
    rows = fetch_all("SELECT organization_id FROM post_answers WHERE id = %s", [row.pk])
    assert rows == [(post.journey.organization_id,)]
    # Another question of the mission, so only the policy can refuse the row.
    other_question = single
    with tenancy.use(tenancy.for_academy(other_organization.pk)):
        assert not PostAnswer.objects.filter(pk=row.pk).exists()
        with pytest.raises(DatabaseError), transaction.atomic():
            fetch_all(
                "INSERT INTO post_answers (id, post_id, question_id, text, choices,"
                " created_at, updated_at) VALUES (gen_random_uuid(), %s, %s, 'forged', '{}',"
                " now(), now())",
                [post.pk, other_question.pk],
            )
    assert PostAnswer.objects.filter(post=post).count() == 1
