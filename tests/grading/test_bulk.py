"""Bulk "mark achieved" from the queue: every selected submission of my
academy is achieved with full points, in one transaction; others are skipped
and counted; every student is told."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from community.models import AchievementStatus, Post
from grading.services import posts_bulk_achieve
from notifications.models import Notification
from points.models import TeamPoint, UserPoint
from tests.grading.conftest import logged_in, submission, team_submission

pytestmark = pytest.mark.usefixtures("english")

BULK = reverse("grading:bulk_achieve")


def test_selected_submissions_are_achieved_with_full_points(client, school):
    mine = submission(school.instance, school.student)
    classmate = submission(school.instance, school.classmate)
    team_post = team_submission(school.team_instance, school.team, school.teammate)
    untouched = submission(school.team_instance, school.classmate)

    response = logged_in(client, school.teacher).post(
        BULK, {"post": [mine.pk, classmate.pk, team_post.pk]}
    )

    assert response.status_code == 302 and response["Location"] == reverse("grading:queue")
    for post in (mine, classmate, team_post):
        post.refresh_from_db()
        assert post.achievement_status == AchievementStatus.ACHIEVED
        assert post.graded_by == school.teacher
    assert (mine.score, team_post.score) == (10, 20)
    assert sorted(UserPoint.objects.values_list("total_points", flat=True)) == [10, 10]
    assert TeamPoint.objects.get().total_points == 20
    assert Post.objects.get(pk=untouched.pk).achievement_status == AchievementStatus.PENDING
    told = Notification.objects.filter(type="grading").values_list("receiver_id", flat=True)
    assert sorted(told) == sorted(
        [school.student.pk, school.classmate.pk, school.student.pk, school.teammate.pk]
    )
    page = client.get(response["Location"]).content.decode()
    assert "3 submissions marked achieved with full points." in page


def test_other_academies_posts_are_skipped_and_counted(client, school):
    mine = submission(school.instance, school.student)

    response = logged_in(client, school.teacher).post(
        BULK, {"post": [mine.pk, school.foreign_post.pk, uuid.uuid4(), "junk"]}, follow=True
    )

    page = response.content.decode()
    assert "1 submission marked achieved with full points." in page
    assert "3 selected submissions were skipped" in page
    assert Post.objects.get(pk=mine.pk).achievement_status == AchievementStatus.ACHIEVED
    school.foreign_post.refresh_from_db()
    assert school.foreign_post.achievement_status == AchievementStatus.PENDING


def test_nothing_selected_says_so(client, school):
    response = logged_in(client, school.teacher).post(BULK, {}, follow=True)

    assert "Select the submissions to mark achieved first." in response.content.decode()


def test_the_filters_survive_the_bulk_action(client, school):
    post = submission(school.instance, school.student)
    query = f"?journey={school.journey.pk}"

    response = logged_in(client, school.teacher).post(BULK + query, {"post": [post.pk]})

    assert response["Location"] == reverse("grading:queue") + query


def test_bulk_grading_is_one_transaction(school, monkeypatch):
    """A failure half-way (here: the second notification) leaves every post as it was."""
    from grading import services as grading

    first = submission(school.instance, school.student)
    second = submission(school.instance, school.classmate)
    real = grading.notifications_send
    calls = []

    def failing(**kwargs):
        calls.append(kwargs)
        if len(calls) == 2:
            raise RuntimeError("database on fire")
        return real(**kwargs)

    monkeypatch.setattr(grading, "notifications_send", failing)
    with pytest.raises(RuntimeError):
        posts_bulk_achieve(post_ids=[first.pk, second.pk], grader=school.teacher)

    assert set(Post.objects.values_list("achievement_status", flat=True)) == {"pending"}
    assert not UserPoint.objects.exists()
    assert not Notification.objects.filter(type="grading").exists()
