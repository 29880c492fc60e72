"""Who reaches the grading dashboard: teachers and admins of the post's
academy only. Students, and teachers of another academy, get 404 on every
grading URL, GET or POST, exactly like a missing post, and nothing changes."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from community.models import AchievementStatus, Post
from notifications.models import Notification
from points.models import UserPoint
from tests.factories import PostFactory
from tests.grading.conftest import logged_in, submission

pytestmark = pytest.mark.usefixtures("english")


def _post_urls(post) -> list[str]:
    return [
        reverse(name, args=[post.pk])
        for name in ("grading:grade", "grading:hide", "grading:unhide", "grading:delete")
    ]


def _all_urls(post) -> list[str]:
    return [reverse("grading:queue"), reverse("grading:bulk_achieve"), *_post_urls(post)]


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_student_gets_404_on_every_grading_url(client, school, method):
    post = submission(school.instance, school.student)
    client = logged_in(client, school.student)
    data = {"achievement_status": "achieved", "score": 10, "reason": "x", "post": [post.pk]}

    for url in _all_urls(post):
        response = getattr(client, method)(url, data) if method == "post" else client.get(url)
        assert response.status_code == 404, url

    post.refresh_from_db()
    assert post.achievement_status == AchievementStatus.PENDING and not post.is_hidden
    assert not UserPoint.objects.exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_another_academys_post_is_404_for_a_teacher(client, school, method):
    post = school.foreign_post
    client = logged_in(client, school.teacher)
    data = {"achievement_status": "achieved", "score": 1, "reason": "spam"}

    # (hide and unhide answer any GET with 405, whatever the post: nothing to learn there)
    urls = _post_urls(post) if method == "post" else _post_urls(post)[::3]
    for url in urls:
        response = getattr(client, method)(url, data) if method == "post" else client.get(url)
        assert response.status_code == 404, url

    post.refresh_from_db()
    assert post.achievement_status == AchievementStatus.PENDING and not post.is_hidden
    assert Post.objects.filter(pk=post.pk).exists()
    assert not UserPoint.objects.exists()


def test_a_missing_post_is_404(client, school):
    response = logged_in(client, school.teacher).get(reverse("grading:grade", args=[uuid.uuid4()]))

    assert response.status_code == 404


def test_the_outsider_admin_sees_none_of_our_submissions(client, school):
    mine = submission(school.instance, school.student)

    page = logged_in(client, school.outsider).get(reverse("grading:queue")).content.decode()

    assert mine.title not in page
    assert school.foreign_post.title in page  # their own academy's
    assert client.get(reverse("grading:grade", args=[mine.pk])).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, school):
    response = client.get(reverse("grading:queue"))

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_feed_post_without_a_mission_has_no_grading_page(client, school):
    post = PostFactory(mission_instance=None, journey=school.journey, user=school.student)

    response = logged_in(client, school.teacher).get(reverse("grading:grade", args=[post.pk]))

    assert response.status_code == 404


def test_grading_actions_need_post(client, school):
    post = submission(school.instance, school.student)
    client = logged_in(client, school.teacher)

    for name in ("grading:hide", "grading:unhide"):
        assert client.get(reverse(name, args=[post.pk])).status_code == 405
    assert client.get(reverse("grading:bulk_achieve")).status_code == 405


def test_the_post_page_shows_teachers_a_grade_link_and_students_none(client, school):
    post = submission(school.instance, school.student)
    url = reverse("community:post_detail", args=[post.journey_id, post.pk])
    grade_link = reverse("grading:grade", args=[post.pk])

    assert grade_link in logged_in(client, school.teacher).get(url).content.decode()
    assert grade_link not in logged_in(client, school.student).get(url).content.decode()


def test_the_service_refuses_a_grader_of_another_academy(school):
    from django.core.exceptions import PermissionDenied

    from grading.services import post_grade

    post = submission(school.instance, school.student)
    with pytest.raises(PermissionDenied):
        post_grade(post=post, grader=school.outsider, achievement_status="achieved", score=10)
    assert Post.objects.get(pk=post.pk).achievement_status == AchievementStatus.PENDING
    assert not Notification.objects.filter(type="grading").exists()
