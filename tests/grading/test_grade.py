"""Grading one submission from the grading page: the grade, the points, the
feedback comment, the student's notification, "save" and "save and next",
htmx panel swaps, regrading, and every bad input."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse

from community.models import AchievementStatus, Comment, Post
from notifications.models import Notification
from points.models import TeamPoint, UserPoint
from tests.grading.conftest import (
    elsewhere_in_the_academy,
    grade_url,
    logged_in,
    submission,
    team_submission,
)

pytestmark = pytest.mark.usefixtures("english")


def _grade(client, post, query: str = "", htmx: bool = False, **data):
    fields = {"achievement_status": "achieved", "score": "", "feedback": "", "then": "stay"}
    fields.update({key: str(value) for key, value in data.items()})
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(grade_url(post, query), fields, **headers)


def test_the_page_shows_the_submission_and_the_mission_points(client, school):
    post = submission(school.instance, school.student, content="**My** prompt")
    response = logged_in(client, school.teacher).get(grade_url(post))

    assert response.status_code == 200
    page = response.content.decode()
    assert "<strong>My</strong> prompt" in page  # Markdown, rendered
    assert "Write a prompt" in page and "Kim Minji" not in page  # family name last in English
    assert "Minji Kim" in page
    assert "10 PT" in page
    assert 'value="10"' in page  # the score defaults to the mission's points
    assert "Keyboard shortcuts" in page


def test_achieved_sets_the_grade_and_awards_the_author_points(client, school):
    post = submission(school.instance, school.student)

    response = _grade(logged_in(client, school.teacher), post, score=8)

    assert response.status_code == 302
    post.refresh_from_db()
    assert (post.achievement_status, post.score) == (AchievementStatus.ACHIEVED, 8)
    assert post.graded_by == school.teacher and post.graded_at is not None
    row = UserPoint.objects.get()
    assert (row.profile, row.mission_instance, row.post, row.total_points) == (
        school.student,
        school.instance,
        post,
        8,
    )


def test_the_student_is_told_the_result_with_a_link_to_the_post(client, school):
    post = submission(school.instance, school.student)

    _grade(logged_in(client, school.teacher), post, score=10)

    note = Notification.objects.get(receiver=school.student, type="grading")
    assert "Write a prompt" in note.message and "achieved, 10 PT" in note.message
    assert note.link == reverse("community:post_detail", args=[post.journey_id, post.pk])


def test_not_achieved_defaults_to_zero_and_says_the_student_may_resubmit(client, school):
    post = submission(school.instance, school.student)

    _grade(logged_in(client, school.teacher), post, achievement_status="not_achieved")

    post.refresh_from_db()
    assert (post.achievement_status, post.score) == (AchievementStatus.NOT_ACHIEVED, 0)
    assert not UserPoint.objects.exists()
    note = Notification.objects.get(receiver=school.student, type="grading")
    assert "not achieved" in note.message and "resubmit" in note.message


def test_feedback_becomes_the_teachers_comment_and_mentions_notify(client, school):
    post = submission(school.instance, school.student)

    _grade(
        logged_in(client, school.teacher),
        post,
        score=10,
        feedback="Great work! Compare with @Seojun Lee's version.",
    )

    comment = Comment.objects.get(post=post)
    assert comment.user == school.teacher and comment.content.startswith("Great work!")
    assert Notification.objects.filter(receiver=school.classmate, type="mention").exists()
    # The grading notification carries the feedback's news: no second "comment" one.
    assert Notification.objects.filter(receiver=school.student, type="grading").count() == 1
    assert not Notification.objects.filter(receiver=school.student, type="comment").exists()


def test_regrading_updates_the_same_points_row_and_notifies_again(client, school):
    post = submission(school.instance, school.student)
    client = logged_in(client, school.teacher)
    _grade(client, post, score=10)

    _grade(client, post, score=6)

    assert list(UserPoint.objects.values_list("total_points", flat=True)) == [6]
    messages = list(
        Notification.objects.filter(receiver=school.student, type="grading")
        .order_by("created_at", "id")
        .values_list("message", flat=True)
    )
    assert len(messages) == 2
    assert any("grade was changed" in message and "6 PT" in message for message in messages)


def test_achieved_then_not_achieved_revokes_the_points(client, school):
    post = submission(school.instance, school.student)
    client = logged_in(client, school.teacher)
    _grade(client, post, score=10)

    _grade(client, post, achievement_status="not_achieved")

    assert not UserPoint.objects.exists()
    assert Post.objects.get(pk=post.pk).achievement_status == AchievementStatus.NOT_ACHIEVED


def test_a_team_submission_earns_team_points_and_every_member_is_told(client, school):
    post = team_submission(school.team_instance, school.team, school.teammate)

    _grade(logged_in(client, school.teacher), post, score=18)

    row = TeamPoint.objects.get()
    assert (row.team, row.total_points) == (school.team, 18)
    assert Post.objects.get(pk=post.pk).team_points == 18
    assert not UserPoint.objects.exists()
    told = set(Notification.objects.filter(type="grading").values_list("receiver_id", flat=True))
    assert told == {school.student.pk, school.teammate.pk}


def test_an_admin_of_the_academy_may_grade(client, school):
    post = submission(school.instance, school.student)

    _grade(logged_in(client, school.admin), post, score=10)

    assert Post.objects.get(pk=post.pk).achievement_status == AchievementStatus.ACHIEVED


# --- save and next, htmx ---------------------------------------------------------------


def test_save_stays_on_the_post(client, school):
    post = submission(school.instance, school.student)

    response = _grade(logged_in(client, school.teacher), post, score=10)

    assert response["Location"] == grade_url(post)


def test_save_and_next_goes_to_the_next_post_of_the_filtered_queue(client, school):
    first = submission(school.instance, school.student, minutes_ago=30)
    other_mission = submission(school.team_instance, school.classmate, minutes_ago=20)
    second = submission(school.instance, school.classmate, minutes_ago=10)
    query = f"?mission={school.instance.mission_id}"

    response = _grade(logged_in(client, school.teacher), first, query, score=10, then="next")

    assert response.status_code == 302
    assert response["Location"] == grade_url(second, query)
    assert other_mission.pk.hex not in response["Location"]


def test_save_and_next_comes_back_to_posts_skipped_earlier(client, school):
    skipped = submission(school.instance, school.student, minutes_ago=30)
    last = submission(school.instance, school.classmate, minutes_ago=10)

    response = _grade(logged_in(client, school.teacher), last, score=10, then="next")

    assert response["Location"] == grade_url(skipped)


def test_save_and_next_on_the_last_post_returns_to_the_queue(client, school):
    post = submission(school.instance, school.student)

    response = _grade(logged_in(client, school.teacher), post, score=10, then="next")

    assert response["Location"] == reverse("grading:queue")
    page = client.get(response["Location"]).content.decode()
    assert "Nothing else is waiting in this queue." in page


def test_with_htmx_save_and_next_answers_the_next_panel_and_its_address(client, school):
    first = submission(school.instance, school.student, minutes_ago=30)
    second = submission(school.instance, school.classmate, minutes_ago=10)

    response = _grade(logged_in(client, school.teacher), first, htmx=True, score=10, then="next")

    assert response.status_code == 200
    assert response["HX-Push-Url"] == grade_url(second)
    page = response.content.decode()
    assert page.lstrip().startswith('<div class="grading-panel" id="grading-panel"')
    assert "<html" not in page
    assert second.title in page
    assert f"Saved: “{first.title}” achieved, 10 PT." in page


def test_with_htmx_the_last_post_sends_the_browser_to_the_queue(client, school):
    post = submission(school.instance, school.student)

    response = _grade(logged_in(client, school.teacher), post, htmx=True, score=10, then="next")

    assert response["HX-Redirect"] == reverse("grading:queue")


def test_with_htmx_previous_and_next_links_answer_a_panel(client, school):
    first = submission(school.instance, school.student, minutes_ago=30)
    submission(school.instance, school.classmate, minutes_ago=10)

    response = logged_in(client, school.teacher).get(grade_url(first), HTTP_HX_REQUEST="true")

    assert "<html" not in response.content.decode()
    assert "HX-Request" in response["Vary"]


def _step_link(page: str, rel: str) -> str | None:
    found = re.search(rf'rel="{rel}".*?href="([^"]+)"', page, re.S)
    return html.unescape(found.group(1)) if found else None


def test_previous_and_next_are_the_neighbours_across_every_journey(client, school):
    elsewhere = elsewhere_in_the_academy(school, "Second")
    oldest = submission(school.instance, school.student, minutes_ago=50)
    before = submission(elsewhere, school.classmate, minutes_ago=40)
    here = submission(school.instance, school.classmate, minutes_ago=30)
    after = submission(elsewhere, school.student, minutes_ago=20)
    submission(school.team_instance, school.teammate, minutes_ago=10)

    page = logged_in(client, school.teacher).get(grade_url(here)).content.decode()

    assert _step_link(page, "prev") == grade_url(before)
    assert _step_link(page, "next") == grade_url(after)
    first = client.get(grade_url(oldest)).content.decode()
    assert _step_link(first, "prev") is None and _step_link(first, "next") == grade_url(before)


def test_save_and_next_goes_on_in_another_journey(client, school):
    post = submission(school.instance, school.student, minutes_ago=30)
    following = submission(
        elsewhere_in_the_academy(school, "Second"), school.student, minutes_ago=20
    )
    submission(school.instance, school.classmate, minutes_ago=10)

    response = _grade(logged_in(client, school.teacher), post, score=10, then="next")

    assert response["Location"] == grade_url(following)


def test_the_panel_says_more_than_the_count_limit(client, school, monkeypatch):
    from grading import selectors

    monkeypatch.setattr(selectors, "COUNT_LIMIT", 2)
    posts = [
        submission(school.instance, person, minutes_ago=60 - n)
        for n, person in enumerate([school.student, school.classmate, school.teammate])
    ]
    client = logged_in(client, school.teacher)

    assert "(more than 2 waiting)" in client.get(grade_url(posts[0])).content.decode()
    _grade(client, posts[0], score=10)
    assert "(2 waiting)" in client.get(grade_url(posts[1])).content.decode()


def test_a_graded_post_can_be_regraded_from_the_same_form(client, school):
    post = submission(school.instance, school.student)
    client = logged_in(client, school.teacher)
    _grade(client, post, achievement_status="not_achieved")

    page = client.get(grade_url(post)).content.decode()

    assert "Saving again regrades it." in page
    assert (
        'value="not_achieved" required data-grade-not-achieved\n                     checked'
        in page
    )


# --- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "error"),
    [
        (11, "The score can be at most 10: this mission&#x27;s points."),
        (-1, "The score cannot be below 0."),
        ("ten", "The score is a whole number of points."),
    ],
)
def test_a_score_outside_the_missions_points_is_refused(client, school, score, error):
    post = submission(school.instance, school.student)

    response = _grade(logged_in(client, school.teacher), post, score=score)

    assert response.status_code == 200
    assert error in response.content.decode()
    post.refresh_from_db()
    assert post.achievement_status == AchievementStatus.PENDING and post.score is None
    assert not UserPoint.objects.exists()
    assert not Notification.objects.filter(type="grading").exists()


def test_achieved_without_a_score_is_refused(client, school):
    post = submission(school.instance, school.student)

    response = _grade(logged_in(client, school.teacher), post, score="")

    assert "Give a score between 0 and 10 for an achieved mission." in response.content.decode()
    assert Post.objects.get(pk=post.pk).achievement_status == AchievementStatus.PENDING


def test_a_missing_result_is_refused(client, school):
    post = submission(school.instance, school.student)

    response = _grade(logged_in(client, school.teacher), post, achievement_status="", score=5)

    assert "Choose “achieved” or “not achieved”." in response.content.decode()
    assert Post.objects.get(pk=post.pk).achievement_status == AchievementStatus.PENDING


def test_a_refused_grade_with_htmx_answers_the_panel_with_the_error(client, school):
    post = submission(school.instance, school.student)

    response = _grade(logged_in(client, school.teacher), post, htmx=True, score=99)

    page = response.content.decode()
    assert response.status_code == 200 and "<html" not in page
    assert "The score can be at most 10" in page


def test_a_rejected_regrade_keeps_the_earlier_grade_and_points(client, school):
    post = submission(school.instance, school.student)
    client = logged_in(client, school.teacher)
    _grade(client, post, score=7)

    _grade(client, post, score=70)

    post.refresh_from_db()
    assert (post.achievement_status, post.score) == (AchievementStatus.ACHIEVED, 7)
    assert list(UserPoint.objects.values_list("total_points", flat=True)) == [7]


def test_feedback_too_long_is_refused_and_nothing_is_saved(client, school):
    post = submission(school.instance, school.student)

    response = _grade(logged_in(client, school.teacher), post, score=10, feedback="x" * 2001)

    assert "Feedback can be at most 2000 characters" in response.content.decode()
    assert not Comment.objects.exists()
    assert Post.objects.get(pk=post.pk).achievement_status == AchievementStatus.PENDING


def test_the_grading_page_costs_the_same_queries_however_long_the_queue(
    client, school, django_assert_num_queries
):
    from tests.factories import CommentFactory
    from tests.grading.test_queue import _crowd

    post = submission(school.instance, school.student, minutes_ago=600)
    CommentFactory(post=post, user=school.classmate)
    client = logged_in(client, school.teacher)
    client.get(grade_url(post))  # warm up

    with django_assert_num_queries(GRADE_PAGE_QUERIES):
        client.get(grade_url(post))
    _crowd(school, 200)
    CommentFactory.create_batch(20, post=post, user=school.classmate)
    with django_assert_num_queries(GRADE_PAGE_QUERIES):
        response = client.get(grade_url(post))
    assert response.status_code == 200


# User (the session comes from the cache), the post with its people, its mission, week and
# journey, its attachments, the mission's questions, its comments, its neighbours in the
# queue, the queue's count, the unread notifications badge. A mission of questions adds
# one: the post's answers (whatever their number).
GRADE_PAGE_QUERIES = 9
