"""Answering a mission of questions on the submit and edit pages: one block
per question with its rules, answers stored per question and choices scored
on submission, each refused answer shown at its question with nothing
saved, and editing or resubmitting as for any post."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from community.models import AchievementStatus, Post, PostAnswer, PostAttachment
from missions.questions import QuestionInput, question_add
from tests.community.builders import (  # noqa: F401 (fixtures)
    attachment_storage_fixture,
    classroom_fixture,
    make_post,
    post_url,
    submit_url,
)
from tests.files.images import png, upload

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def quiz(classroom):
    """The classroom's individual mission, made of three questions."""
    mission = classroom.instance.mission
    essay = question_add(
        mission=mission,
        data=QuestionInput(
            kind="essay", text="What is a noun?", points=4, min_chars=5, max_chars=40
        ),
    )
    choice = question_add(
        mission=mission,
        data=QuestionInput(
            kind="multiple_choice",
            text="Which is a noun?",
            points=3,
            options=(("run", False), ("apple", True), ("blue", False)),
        ),
    )
    photo = question_add(
        mission=mission,
        data=QuestionInput(kind="image_upload", text="A photo of a noun", points=2, max_images=2),
    )
    return essay, choice, photo


def answers(**overrides) -> dict:
    fields = {
        "title": "My answers",
        "q1_text": "A naming word.",
        "q2_choice": "1",
        "q3_images": [upload(png(), "apple.png")],
    }
    fields.update(overrides)
    return {key: value for key, value in fields.items() if value is not None}


def test_the_form_asks_each_question_with_its_rules(client, classroom, quiz):
    client.force_login(classroom.student)
    page = client.get(submit_url(classroom.instance)).content.decode()

    assert page.index("What is a noun?") < page.index("Which is a noun?") < page.index("A photo")
    assert 'name="q1_text"' in page and 'data-max-chars="40"' in page
    assert "At least 5 characters" in page and "At most 40 characters" in page
    assert 'type="radio" name="q2_choice"' in page and "Choose one" in page
    assert 'name="q3_images"' in page and "Up to 2 images" in page
    assert 'name="content"' not in page  # no free text beside the questions
    assert "data-draft" in page and "charcount.js" in page


def test_answers_are_stored_per_question_and_the_choice_is_scored(
    client, classroom, quiz, attachment_storage
):
    essay, choice, photo = quiz
    client.force_login(classroom.student)

    response = client.post(submit_url(classroom.instance), answers())

    post = Post.objects.get()
    assert response.status_code == 302 and response.url == post_url(post)
    rows = {row.question_id: row for row in PostAnswer.objects.filter(post=post)}
    assert rows[essay.pk].text == "A naming word."
    assert (rows[choice.pk].choices, rows[choice.pk].is_correct, rows[choice.pk].auto_points) == (
        [1],
        True,
        3,
    )
    image = PostAttachment.objects.get(post=post)
    assert image.answer_id == rows[photo.pk].pk and image.file.file_name == "apple.png"
    assert "**2. Which is a noun?**\n\n- apple" in post.content
    assert post.achievement_status == AchievementStatus.PENDING


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"q2_choice": "7"}, "Select a valid choice."),  # not among the options
        ({"q2_choice": None}, "Choose an answer."),
        ({"q1_text": "Hi"}, "Write at least 5 characters (you wrote 2)."),
        ({"q1_text": "x" * 41}, "Write at most 40 characters (you wrote 41)."),
        ({"q3_images": None}, "Add an image."),
        (
            {"q3_images": [upload(png(), f"{n}.png") for n in range(3)]},
            "Add at most 2 images.",
        ),
    ],
)
def test_a_wrong_answer_is_shown_at_its_question_and_nothing_is_saved(
    client, classroom, quiz, attachment_storage, fields, message
):
    client.force_login(classroom.student)
    response = client.post(submit_url(classroom.instance), answers(**fields))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Post.objects.exists() and not PostAnswer.objects.exists()
    assert not PostAttachment.objects.exists()


@pytest.mark.parametrize(
    ("sent", "message"),
    [
        (["0", "1"], "Choose one answer."),
        (["abc", "1"], "That answer is not one of the options."),
        (["1", "1"], "An option was chosen twice."),
    ],
)
def test_forged_choices_on_a_single_choice_question_are_refused(
    client, classroom, quiz, sent, message
):
    client.force_login(classroom.student)
    response = client.post(submit_url(classroom.instance), answers(q2_choice=sent))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Post.objects.exists()


def test_editing_changes_the_answers_and_a_resubmission_is_scored_again(
    client, classroom, quiz, attachment_storage
):
    _essay, choice, photo = quiz
    client.force_login(classroom.student)
    client.post(submit_url(classroom.instance), answers(q2_choice="0"))
    post = Post.objects.get()
    assert PostAnswer.objects.get(post=post, question=choice).auto_points == 0
    Post.objects.filter(pk=post.pk).update(achievement_status=AchievementStatus.NOT_ACHIEVED)

    form = client.get(post_url(post, "post_edit")).content.decode()
    assert "A naming word." in form  # the saved answers are shown again
    assert 'name="q2_choice" value="0"' in form and "checked" in form.split('value="0"', 1)[1][:80]

    response = client.post(
        post_url(post, "post_edit"),
        {"title": "Better", "q1_text": "A word for a thing.", "q2_choice": "1"},
    )

    assert response.status_code == 302
    post.refresh_from_db()
    assert post.achievement_status == AchievementStatus.PENDING  # resubmitted
    row = PostAnswer.objects.get(post=post, question=choice)
    assert (row.is_correct, row.auto_points) == (True, 3)
    # The photo answer keeps its image: the edit added none and removed none.
    assert PostAttachment.objects.filter(post=post, answer__question=photo).count() == 1
    assert "A word for a thing." in post.content


def test_removing_the_only_image_of_a_required_image_question_is_refused(
    client, classroom, quiz, attachment_storage
):
    client.force_login(classroom.student)
    client.post(submit_url(classroom.instance), answers())
    post = Post.objects.get()
    image = PostAttachment.objects.get(post=post)

    response = client.post(
        post_url(post, "post_edit"),
        {"title": "Same", "q1_text": "A naming word.", "q2_choice": "1", "remove": [str(image.pk)]},
    )

    assert response.status_code == 200
    assert "Add an image." in response.content.decode()
    assert PostAttachment.objects.filter(pk=image.pk).exists()


def test_a_mission_without_questions_keeps_its_free_text_form(client, classroom):
    client.force_login(classroom.student)
    page = client.get(submit_url(classroom.instance)).content.decode()
    assert 'name="content"' in page and 'name="q1_text"' not in page


# --- the post page ------------------------------------------------------------------------


@pytest.fixture
def answered(client, classroom, quiz, attachment_storage):
    client.force_login(classroom.student)
    client.post(submit_url(classroom.instance), answers(q2_choice="0"))  # a wrong choice
    client.logout()
    return Post.objects.get()


def page_for(client, person, post) -> str:
    client.force_login(person)
    return client.get(post_url(post)).content.decode()


def test_the_post_shows_the_answers_one_by_one_without_results_until_graded(
    client, classroom, answered
):
    mine = page_for(client, classroom.student, answered)
    assert "What is a noun?" in mine and "A naming word." in mine
    assert "correct answer" not in mine and "Wrong · 0 PT" not in mine

    Post.objects.filter(pk=answered.pk).update(
        achievement_status=AchievementStatus.ACHIEVED, score=6
    )
    graded = page_for(client, classroom.student, answered)
    assert "Wrong · 0 PT" in graded and "correct answer" in graded

    classmates = page_for(client, classroom.classmate, answered)
    assert "A naming word." in classmates and "correct answer" not in classmates
    assert "correct answer" in page_for(client, classroom.teacher, answered)


def test_a_post_with_answers_costs_two_queries_more_whatever_their_number(
    client, classroom, answered
):
    plain = make_post(classroom, author=classroom.classmate)  # no answers
    client.force_login(classroom.teacher)

    def queries(post) -> int:
        client.get(post_url(post))  # the day's first view done
        with CaptureQueriesContext(connection) as captured:
            client.get(post_url(post))
        return len(captured)

    assert queries(answered) == queries(plain) + 2
