"""Hiding, showing again and deleting a post from the grading page, with a
reason the author reads; a teacher's delete takes the post's points back."""

from __future__ import annotations

import pytest
from django.urls import reverse

from community.models import Comment, Post
from notifications.models import Notification
from points.models import TeamPoint, UserPoint
from tests.factories import CommentFactory, PostFactory
from tests.grading.conftest import grade_url, logged_in, submission, team_submission

pytestmark = pytest.mark.usefixtures("english")


def _url(name, post) -> str:
    return reverse(f"grading:{name}", args=[post.pk])


def test_hiding_stores_the_reason_and_tells_the_author(client, school):
    post = submission(school.instance, school.student)

    response = logged_in(client, school.teacher).post(
        _url("hide", post), {"reason": "Contains a phone number"}
    )

    assert response["Location"] == grade_url(post)
    post.refresh_from_db()
    assert post.is_hidden and post.hidden_reason == "Contains a phone number"
    note = Notification.objects.get(receiver=school.student, type="moderation")
    assert "hid your post" in note.message and "Contains a phone number" in note.message


def test_a_hidden_post_shows_its_author_the_reason(client, school):
    post = submission(school.instance, school.student)
    logged_in(client, school.teacher).post(_url("hide", post), {"reason": "Personal data"})

    url = reverse("community:post_detail", args=[post.journey_id, post.pk])
    page = logged_in(client, school.student).get(url).content.decode()

    assert "Reason: Personal data" in page
    assert logged_in(client, school.classmate).get(url).status_code == 404


def test_hiding_without_a_reason_is_refused(client, school):
    post = submission(school.instance, school.student)

    response = logged_in(client, school.teacher).post(
        _url("hide", post), {"reason": "   "}, follow=True
    )

    assert "Say why you hide this post" in response.content.decode()
    post.refresh_from_db()
    assert not post.is_hidden and post.hidden_reason is None
    assert not Notification.objects.filter(type="moderation").exists()


def test_hiding_without_a_reason_with_htmx_reopens_the_form_with_the_error(client, school):
    post = submission(school.instance, school.student)

    response = logged_in(client, school.teacher).post(
        _url("hide", post), {"reason": ""}, HTTP_HX_REQUEST="true"
    )

    page = response.content.decode()
    assert "<html" not in page and "Say why you hide this post" in page
    assert '<details class="grading-hide" open>' in page


def test_showing_again_clears_the_reason_and_tells_the_author(client, school):
    post = submission(school.instance, school.student, is_hidden=True, hidden_reason="Oops")

    response = logged_in(client, school.teacher).post(_url("unhide", post), HTTP_HX_REQUEST="true")

    assert "The post is visible again" in response.content.decode()
    post.refresh_from_db()
    assert not post.is_hidden and post.hidden_reason is None
    note = Notification.objects.get(receiver=school.student, type="moderation")
    assert "showed your post" in note.message


def test_a_feed_post_can_be_hidden_too(client, school):
    post = PostFactory(mission_instance=None, journey=school.journey, user=school.student)

    response = logged_in(client, school.teacher).post(_url("hide", post), {"reason": "Spam"})

    assert response["Location"] == reverse("community:post_detail", args=[post.journey_id, post.pk])
    assert Post.objects.get(pk=post.pk).is_hidden


def test_delete_asks_first(client, school):
    post = submission(school.instance, school.student)

    response = logged_in(client, school.teacher).get(_url("delete", post))

    assert response.status_code == 200
    assert "Delete this post?" in response.content.decode()
    assert Post.objects.filter(pk=post.pk).exists()


def test_deleting_a_graded_post_revokes_its_points_and_tells_the_author(client, school):
    post = submission(school.instance, school.student)
    CommentFactory(post=post, user=school.classmate)
    client = logged_in(client, school.teacher)
    client.post(grade_url(post), {"achievement_status": "achieved", "score": 10})
    assert UserPoint.objects.exists()

    response = client.post(_url("delete", post), {"reason": "Copied from a classmate"})

    assert response["Location"] == reverse("grading:queue")
    assert not Post.objects.filter(pk=post.pk).exists()
    assert not UserPoint.objects.exists()
    assert not Comment.objects.filter(post_id=post.pk).exists()
    note = Notification.objects.filter(receiver=school.student, type="moderation").get()
    assert "deleted your post" in note.message and "Copied from a classmate" in note.message


def test_deleting_a_team_submission_revokes_the_team_points(client, school):
    post = team_submission(school.team_instance, school.team, school.student)
    client = logged_in(client, school.teacher)
    client.post(grade_url(post), {"achievement_status": "achieved", "score": 20})
    assert TeamPoint.objects.exists()

    client.post(_url("delete", post))

    assert not TeamPoint.objects.exists()
