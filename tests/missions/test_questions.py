"""Composing a mission from questions (missions/questions.py): each kind's
rules, order, the mission's points as the sum of its questions', and only
wording once students have answered; the table's tenancy in the database."""

from __future__ import annotations

import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction

from core import tenancy
from core.db import fetch_all
from missions.models import MissionQuestion, QuestionKind
from missions.questions import (
    MAX_QUESTIONS,
    QuestionInput,
    question_add,
    question_check,
    question_delete,
    question_move,
    question_update,
)
from missions.services import mission_update
from tests.factories import MissionFactory, MissionInstanceFactory, PostFactory

pytestmark = pytest.mark.usefixtures("english")

ESSAY = QuestionInput(
    kind="essay",
    text="What did you see?",
    points=5,
    min_chars=10,
    max_chars=500,
    placeholder="I saw…",
)
CHOICE = QuestionInput(
    kind="multiple_choice",
    text="Which is a noun?",
    points=3,
    options=(("run", False), ("apple", True), ("blue", False)),
)
IMAGES = QuestionInput(kind="image_upload", text="Photo of your chart", points=2, max_images=3)


@pytest.fixture
def mission(organization):
    return MissionFactory(organization=organization, points=10)


def texts(mission) -> list[str]:
    return [q.text for q in mission.questions.order_by("position")]


def refusal(data: QuestionInput) -> str:
    with pytest.raises(ValidationError) as caught:
        question_check(data)
    return caught.value.code


# --- each kind's rules --------------------------------------------------------------------


def test_an_essay_keeps_its_limits_and_drops_other_kinds_fields():
    fields = question_check(
        QuestionInput(**{**ESSAY.__dict__, "options": (("x", True),), "max_images": 4})
    )
    assert (fields["min_chars"], fields["max_chars"], fields["placeholder"]) == (10, 500, "I saw…")
    assert fields["options"] == [] and fields["max_images"] is None


def test_a_choice_question_keeps_its_options_in_order_with_the_correct_one():
    fields = question_check(CHOICE)
    assert fields["options"] == [
        {"text": "run", "correct": False},
        {"text": "apple", "correct": True},
        {"text": "blue", "correct": False},
    ]
    assert fields["multiple_select"] is False and fields["min_chars"] is None


def test_mixed_asks_for_text_and_images_with_one_image_by_default():
    fields = question_check(QuestionInput(kind="mixed", text="Tell and show", max_chars=300))
    assert (fields["max_chars"], fields["max_images"]) == (300, 1)


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (QuestionInput(kind="poll", text="?"), "kind"),
        (QuestionInput(kind="essay", text="   "), "text"),
        (QuestionInput(kind="essay", text="x" * 2001), "text"),
        (QuestionInput(kind="essay", text="q", points=-1), "points"),
        (QuestionInput(kind="essay", text="q", points=1001), "points"),
        (QuestionInput(kind="essay", text="q", min_chars=50, max_chars=10), "min_chars"),
        (QuestionInput(kind="essay", text="q", max_chars=0), "max_chars"),
        (QuestionInput(kind="essay", text="q", max_chars=20001), "max_chars"),
        (QuestionInput(kind="multiple_choice", text="q", options=(("only", True),)), "options"),
        (
            QuestionInput(kind="multiple_choice", text="q", options=(("a", False), ("b", False))),
            "options",
        ),
        (
            QuestionInput(kind="multiple_choice", text="q", options=(("a", True), ("b", True))),
            "options",
        ),
        (
            QuestionInput(
                kind="multiple_choice", text="q", options=(("Same", True), ("same", False))
            ),
            "options",
        ),
        (
            QuestionInput(
                kind="multiple_choice", text="q", options=tuple((str(n), n == 0) for n in range(11))
            ),
            "options",
        ),
        (QuestionInput(kind="image_upload", text="q", max_images=0), "max_images"),
        (QuestionInput(kind="image_upload", text="q", max_images=11), "max_images"),
    ],
)
def test_bad_questions_are_refused_with_the_field_to_fix(data, code):
    assert refusal(data) == code


def test_several_correct_options_need_multiple_select():
    data = QuestionInput(
        kind="multiple_choice",
        text="Which are fruits?",
        options=(("apple", True), ("pear", True), ("car", False)),
        multiple_select=True,
    )
    assert [o["correct"] for o in question_check(data)["options"]] == [True, True, False]


# --- order and points ---------------------------------------------------------------------


def test_questions_are_numbered_in_order_and_the_missions_points_are_their_sum(mission):
    question_add(mission=mission, data=ESSAY)
    question_add(mission=mission, data=CHOICE)
    question_add(mission=mission, data=IMAGES)

    assert texts(mission) == ["What did you see?", "Which is a noun?", "Photo of your chart"]
    assert [q.position for q in mission.questions.order_by("position")] == [1, 2, 3]
    mission.refresh_from_db()
    assert mission.points == 10  # 5 + 3 + 2


def test_moving_swaps_two_questions_and_the_edges_say_so(mission):
    first = question_add(mission=mission, data=ESSAY)
    question_add(mission=mission, data=CHOICE)

    question_move(question=first, direction="down")
    assert texts(mission) == ["Which is a noun?", "What did you see?"]

    with pytest.raises(ValidationError) as caught:
        question_move(question=first, direction="down")
    assert caught.value.code == "edge"
    with pytest.raises(ValidationError):
        question_move(question=first, direction="sideways")


def test_deleting_renumbers_the_rest_and_takes_its_points_away(mission):
    question_add(mission=mission, data=ESSAY)
    middle = question_add(mission=mission, data=CHOICE)
    question_add(mission=mission, data=IMAGES)

    question_delete(question=middle)

    assert [(q.position, q.text) for q in mission.questions.order_by("position")] == [
        (1, "What did you see?"),
        (2, "Photo of your chart"),
    ]
    mission.refresh_from_db()
    assert mission.points == 7


def test_editing_points_moves_the_missions_points(mission):
    question = question_add(mission=mission, data=ESSAY)
    question_update(question=question, data=QuestionInput(**{**ESSAY.__dict__, "points": 12}))
    mission.refresh_from_db()
    assert mission.points == 12


def test_a_mission_holds_a_bounded_number_of_questions(mission):
    for number in range(MAX_QUESTIONS):
        question_add(mission=mission, data=QuestionInput(kind="essay", text=f"Q{number}"))
    with pytest.raises(ValidationError) as caught:
        question_add(mission=mission, data=ESSAY)
    assert caught.value.code == "too_many"
    assert mission.questions.count() == MAX_QUESTIONS


# --- after submissions: wording only -----------------------------------------------------


@pytest.fixture
def answered(mission):
    """The mission with two questions, scheduled and submitted once."""
    essay = question_add(mission=mission, data=ESSAY)
    choice = question_add(mission=mission, data=CHOICE)
    instance = MissionInstanceFactory(
        mission=mission, journey_week__journey__organization=mission.organization
    )
    PostFactory(mission_instance=instance)
    return essay, choice


def test_after_submissions_the_wording_can_still_change(answered):
    essay, choice = answered
    question_update(
        question=essay,
        data=QuestionInput(
            **{**ESSAY.__dict__, "text": "What did you notice?", "placeholder": "I noticed…"}
        ),
    )
    question_update(
        question=choice,
        data=QuestionInput(
            **{
                **CHOICE.__dict__,
                "options": (("to run", False), ("an apple", True), ("blue", False)),
            }
        ),
    )
    essay.refresh_from_db()
    choice.refresh_from_db()
    assert (essay.text, essay.placeholder) == ("What did you notice?", "I noticed…")
    assert [o["text"] for o in choice.options] == ["to run", "an apple", "blue"]


@pytest.mark.parametrize(
    "change",
    [
        {"points": 9},
        {"kind": "mixed"},
        {"max_chars": 100},
        {"required": False},
    ],
)
def test_after_submissions_anything_but_wording_is_refused_and_nothing_changes(answered, change):
    essay, _choice = answered
    with pytest.raises(ValidationError) as caught:
        question_update(question=essay, data=QuestionInput(**{**ESSAY.__dict__, **change}))
    assert caught.value.code == "has_submissions"
    essay.refresh_from_db()
    assert (essay.points, essay.kind, essay.max_chars, essay.required) == (5, "essay", 500, True)


def test_after_submissions_the_correct_answer_cannot_move(answered):
    _essay, choice = answered
    moved = (("run", True), ("apple", False), ("blue", False))
    with pytest.raises(ValidationError):
        question_update(
            question=choice, data=QuestionInput(**{**CHOICE.__dict__, "options": moved})
        )
    with pytest.raises(ValidationError):  # nor an option be added
        question_update(
            question=choice,
            data=QuestionInput(
                **{**CHOICE.__dict__, "options": (*CHOICE.options, ("green", False))}
            ),
        )
    choice.refresh_from_db()
    assert choice.correct_options == [1] and len(choice.options) == 3


def test_after_submissions_questions_cannot_be_added_moved_or_deleted(answered, mission):
    essay, choice = answered
    for attempt in (
        lambda: question_add(mission=mission, data=IMAGES),
        lambda: question_move(question=choice, direction="up"),
        lambda: question_delete(question=essay),
    ):
        with pytest.raises(ValidationError) as caught:
            attempt()
        assert caught.value.code == "has_submissions"
    assert texts(mission) == ["What did you see?", "Which is a noun?"]


# --- the database ------------------------------------------------------------------------


def test_two_questions_cannot_share_a_position_at_commit(mission):
    question_add(mission=mission, data=ESSAY)
    with pytest.raises(IntegrityError), transaction.atomic():
        MissionQuestion.objects.create(mission=mission, position=1, kind="essay", text="twin")
        # The constraint is deferred to the commit, which a test never
        # reaches: made immediate, it checks now.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_a_question_takes_its_missions_academy_and_another_academy_sees_none(
    mission, other_organization
):
    question = question_add(mission=mission, data=CHOICE)
    rows = fetch_all("SELECT organization_id FROM mission_questions WHERE id = %s", [question.pk])
    assert rows == [(mission.organization_id,)]

    with tenancy.use(tenancy.for_academy(other_organization.pk)):
        assert not MissionQuestion.objects.filter(pk=question.pk).exists()
        updated = fetch_all(
            "UPDATE mission_questions SET text = 'defaced' WHERE id = %s RETURNING id",
            [question.pk],
        )
    assert updated == []
    question.refresh_from_db()
    assert question.text == "Which is a noun?"


def test_a_question_cannot_be_slipped_into_another_academys_mission(mission, other_organization):
    academy = tenancy.for_academy(other_organization.pk)
    with tenancy.use(academy), pytest.raises(DatabaseError), transaction.atomic():
        fetch_all(
            "INSERT INTO mission_questions (id, mission_id, position, kind, text, points,"
            " required, placeholder, options, multiple_select, created_at, updated_at)"
            " VALUES (%s, %s, 1, 'essay', 'mine', 0, true, '', '[]', false, now(), now())",
            [uuid.uuid4(), mission.pk],
        )
    assert not mission.questions.exists()


def test_kinds_are_the_four_of_the_original():
    assert set(QuestionKind.values) == {"essay", "multiple_choice", "image_upload", "mixed"}


def test_editing_the_mission_keeps_the_points_of_its_questions(mission):
    question_add(mission=mission, data=ESSAY)
    mission_update(mission=mission, name="Renamed", mission_type="individual", points=99)
    mission.refresh_from_db()
    assert (mission.name, mission.points) == ("Renamed", 5)
