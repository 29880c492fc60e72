"""The questions of a mission in the library: the list on the mission's edit
page and the pages that add, edit, reorder and delete them (teachers and
admins of the academy; everyone else 404)."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from missions.models import MissionQuestion
from missions.questions import QuestionInput, question_add
from tests.factories import MissionFactory, MissionInstanceFactory, PostFactory

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def mission(organization):
    return MissionFactory(organization=organization, name="Nouns", points=10)


@pytest.fixture
def two_questions(mission):
    first = question_add(
        mission=mission, data=QuestionInput(kind="essay", text="Describe a noun.", points=4)
    )
    second = question_add(
        mission=mission,
        data=QuestionInput(
            kind="multiple_choice",
            text="Which is a noun?",
            points=2,
            options=(("run", False), ("apple", True)),
        ),
    )
    return first, second


def edit_url(mission) -> str:
    return reverse("missions:edit", args=[mission.pk])


def create_url(mission) -> str:
    return reverse("missions:question_create", args=[mission.pk])


def question_url(name: str, question) -> str:
    return reverse(f"missions:question_{name}", args=[question.mission_id, question.pk])


def choice_fields(**overrides) -> dict:
    fields = {
        "kind": "multiple_choice",
        "text": "Which word is a verb?",
        "points": "3",
        "required": "on",
        "option_1": "jump",
        "correct_1": "on",
        "option_2": "table",
        "option_3": "",
    }
    fields.update(overrides)
    return fields


def test_the_edit_page_lists_the_questions_in_order_and_the_points_as_their_sum(
    client, teacher, mission, two_questions
):
    client.force_login(teacher)
    page = client.get(edit_url(mission)).content.decode()

    assert page.index("Describe a noun.") < page.index("Which is a noun?")
    assert "6 PT" in page  # the mission's points, read-only: 4 + 2
    assert 'name="points" value="6"' in page and 'type="number" name="points"' not in page


def test_a_mission_without_questions_says_it_keeps_one_free_text_form(client, teacher, mission):
    client.force_login(teacher)
    page = client.get(edit_url(mission)).content.decode()
    assert "No questions: students answer this mission in one free-text form." in page
    assert 'type="number" name="points"' in page


def test_a_teacher_adds_a_choice_question(client, teacher, mission):
    client.force_login(teacher)
    response = client.post(create_url(mission), choice_fields())

    question = mission.questions.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"#question-{question.pk}")
    assert question.kind == "multiple_choice" and question.points == 3
    assert question.options == [
        {"text": "jump", "correct": True},
        {"text": "table", "correct": False},
    ]
    mission.refresh_from_db()
    assert mission.points == 3


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"correct_1": ""}, "Mark the correct option."),
        ({"correct_2": "on"}, "Only one option can be correct"),
        ({"option_2": ""}, "Give from 2 to 10 options."),
        ({"text": "  "}, "Write the question."),
        ({"kind": "quiz"}, "Select a valid choice."),
        ({"kind": "essay", "min_chars": "80", "max_chars": "20"}, "above the maximum"),
        ({"points": "-1"}, "greater than or equal to 0"),
    ],
)
def test_a_bad_question_is_shown_again_with_its_message_and_nothing_is_added(
    client, teacher, mission, fields, message
):
    client.force_login(teacher)
    response = client.post(create_url(mission), choice_fields(**fields))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not mission.questions.exists()


def test_editing_reordering_and_deleting(client, teacher, mission, two_questions):
    first, second = two_questions
    client.force_login(teacher)

    client.post(
        question_url("edit", first),
        {"kind": "essay", "text": "Describe two nouns.", "points": "5", "max_chars": "300"},
    )
    first.refresh_from_db()
    assert (first.text, first.points, first.max_chars, first.required) == (
        "Describe two nouns.",
        5,
        300,
        False,  # the box was left unticked
    )

    client.post(question_url("move", second), {"direction": "up"})
    assert list(mission.questions.order_by("position").values_list("pk", flat=True)) == [
        second.pk,
        first.pk,
    ]

    response = client.post(question_url("delete", second))
    assert response.status_code == 302
    assert list(mission.questions.values_list("position", "pk")) == [(1, first.pk)]
    mission.refresh_from_db()
    assert mission.points == 5


def test_moving_past_the_edge_says_so_and_changes_nothing(client, teacher, two_questions):
    first, _second = two_questions
    client.force_login(teacher)
    response = client.post(question_url("move", first), {"direction": "up"}, follow=True)
    assert "This is already the first question." in response.content.decode()
    first.refresh_from_db()
    assert first.position == 1


def test_after_submissions_the_form_offers_the_wording_only(
    client, teacher, mission, two_questions
):
    _first, second = two_questions
    instance = MissionInstanceFactory(
        mission=mission, journey_week__journey__organization=mission.organization
    )
    PostFactory(mission_instance=instance)
    client.force_login(teacher)

    page = client.get(edit_url(mission)).content.decode()
    assert "Add a question" not in page and question_url("delete", second) not in page
    form_page = client.get(question_url("edit", second)).content.decode()
    assert "only the wording can change" in form_page

    # A forged post changing the points and the correct answer changes only the words.
    client.post(
        question_url("edit", second),
        choice_fields(text="Which word names a thing?", points="50", correct_1="", correct_2="on",
                      option_1="to run", option_2="an apple"),
    )  # fmt: skip
    second.refresh_from_db()
    assert second.text == "Which word names a thing?"
    assert second.points == 2
    assert second.options == [
        {"text": "to run", "correct": False},
        {"text": "an apple", "correct": True},
    ]
    assert client.post(question_url("delete", second)).status_code == 302
    assert MissionQuestion.objects.filter(pk=second.pk).exists()


def test_students_and_other_academies_get_404_everywhere(
    client, student, teacher, mission, two_questions, other_organization
):
    first, _second = two_questions
    theirs = MissionFactory(organization=other_organization)
    urls = [
        ("get", create_url(mission)),
        ("get", question_url("edit", first)),
        ("post", question_url("move", first)),
        ("post", question_url("delete", first)),
    ]
    client.force_login(student)
    for method, url in urls:
        assert getattr(client, method)(url).status_code == 404, url

    client.force_login(teacher)
    assert client.get(create_url(theirs)).status_code == 404
    # A question of this academy through another mission's address: 404 too.
    other_mission = MissionFactory(organization=teacher.organization)
    wrong = reverse("missions:question_edit", args=[other_mission.pk, first.pk])
    assert client.get(wrong).status_code == 404
    missing = reverse("missions:question_edit", args=[mission.pk, uuid.uuid4()])
    assert client.get(missing).status_code == 404
    assert client.get(question_url("delete", first)).status_code == 405
    first.refresh_from_db()
    assert first.text == "Describe a noun."


def test_an_answered_mission_without_questions_does_not_offer_to_add_any(client, teacher, mission):
    instance = MissionInstanceFactory(
        mission=mission, journey_week__journey__organization=mission.organization
    )
    PostFactory(mission_instance=instance)
    client.force_login(teacher)

    page = client.get(edit_url(mission)).content.decode()

    assert "To ask questions one by one, create a new mission." in page
    assert create_url(mission) not in page
    assert client.post(create_url(mission), choice_fields()).status_code == 200
    assert not mission.questions.exists()
