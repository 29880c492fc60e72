"""Editing a post until it is graded, resubmitting after "not achieved", and
deleting a post that waits for grading."""

from __future__ import annotations

import pytest

from community.models import AchievementStatus, Post, PostAttachment
from files.models import File
from notifications.models import Notification
from tests.community.builders import (  # noqa: F401 (fixtures)
    attach_file,
    attachment_storage_fixture,
    classroom_fixture,
    instance_at,
    make_post,
    post_url,
)
from tests.factories import CommentFactory, LikeFactory, TeamFactory, TeamMemberFactory
from tests.files.images import png, upload

pytestmark = pytest.mark.usefixtures("english")


def edit(client, post, **data):
    fields = {"title": "Better title", "content": "Better content"} | data
    return client.post(post_url(post, "post_edit"), fields)


def test_the_author_edits_a_pending_post(client, classroom):
    post = make_post(classroom)
    client.force_login(classroom.student)
    form = client.get(post_url(post, "post_edit")).content.decode()
    assert post.title in form and "data-draft" in form
    response = edit(client, post)
    assert response.url == post_url(post)
    post.refresh_from_db()
    assert (post.title, post.content) == ("Better title", "Better content")
    assert post.achievement_status == AchievementStatus.PENDING
    assert not Notification.objects.exists()  # an edit before grading is not news
    assert "Your changes are saved." in client.get(response.url).content.decode()


def test_attachments_can_be_added_and_removed(client, classroom, attachment_storage):
    post = make_post(classroom)
    old = attach_file(post, name="old.pdf")
    client.force_login(classroom.student)
    response = edit(client, post, remove=[str(old.pk)], files=[upload(png(), "new.png")])
    assert response.status_code == 302
    assert [a.file.file_name for a in post.attachments.all()] == ["new.png"]
    assert File.objects.get(pk=old.file_id).is_deleted


def test_a_bad_new_file_changes_nothing(client, classroom, attachment_storage):
    post = make_post(classroom, title="Kept")
    old = attach_file(post, name="old.pdf")
    client.force_login(classroom.student)
    response = edit(client, post, remove=[str(old.pk)], files=[upload(b"#!/bin/sh", "x.sh")])
    assert response.status_code == 200
    assert "x.sh: This type of file is not accepted here." in response.content.decode()
    post.refresh_from_db()
    assert post.title == "Kept"
    assert list(PostAttachment.objects.all()) == [old]
    assert not File.objects.get(pk=old.file_id).is_deleted


def test_a_title_of_101_characters_is_refused_on_edit(client, classroom):
    post = make_post(classroom, title="Kept")
    client.force_login(classroom.student)
    response = edit(client, post, title="a" * 101)
    assert "The title can be at most 100 characters (it has 101)." in response.content.decode()
    post.refresh_from_db()
    assert post.title == "Kept"


def test_an_achieved_post_is_locked(client, classroom):
    post = make_post(classroom, title="Kept", achievement_status=AchievementStatus.ACHIEVED)
    client.force_login(classroom.student)
    response = client.get(post_url(post, "post_edit"))
    assert response.url == post_url(post)
    assert edit(client, post).status_code == 302
    post.refresh_from_db()
    assert post.title == "Kept"
    page = client.get(post_url(post)).content.decode()
    assert "graded as achieved, so it can no longer be changed" in page


def test_a_not_achieved_post_is_resubmitted_by_editing(client, classroom):
    post = make_post(classroom, achievement_status=AchievementStatus.NOT_ACHIEVED, score=0)
    client.force_login(classroom.student)
    form = client.get(post_url(post, "post_edit")).content.decode()
    assert "Resubmit your work" in form
    response = edit(client, post)
    post.refresh_from_db()
    assert post.achievement_status == AchievementStatus.PENDING
    assert post.score is None
    told = Notification.objects.filter(type="submission")
    assert {n.receiver for n in told} == {classroom.teacher, classroom.admin}
    assert "resubmitted “Better title”" in told[0].message
    assert "Resubmitted!" in client.get(response.url).content.decode()


def test_a_closed_mission_takes_no_resubmission(client, classroom):
    closed = instance_at(classroom, opens_in_days=-9, closes_in_days=-1)
    post = make_post(
        classroom,
        mission_instance=closed,
        title="Kept",
        achievement_status=AchievementStatus.NOT_ACHIEVED,
    )
    client.force_login(classroom.student)
    response = edit(client, post)
    assert response.url == post_url(post)
    post.refresh_from_db()
    assert (post.title, post.achievement_status) == ("Kept", AchievementStatus.NOT_ACHIEVED)
    assert "This mission closed on" in client.get(response.url).content.decode()
    assert not Notification.objects.exists()


def test_a_teammate_edits_the_team_post(client, classroom):
    team = TeamFactory(journey=classroom.journey)
    TeamMemberFactory(team=team, user=classroom.student)
    TeamMemberFactory(team=team, user=classroom.classmate)
    post = make_post(
        classroom, mission_instance=classroom.team_instance, team=team, is_team_submission=True
    )
    client.force_login(classroom.classmate)
    assert edit(client, post).status_code == 302
    post.refresh_from_db()
    assert post.title == "Better title"


@pytest.mark.parametrize("who", ["classmate", "teacher", "stranger", "outsider"])
def test_editing_someone_elses_post_is_missing(client, classroom, who):
    post = make_post(classroom, title="Kept")
    client.force_login(getattr(classroom, who))
    assert client.get(post_url(post, "post_edit")).status_code == 404
    assert edit(client, post).status_code == 404
    post.refresh_from_db()
    assert post.title == "Kept"


def test_the_author_deletes_a_pending_post_after_confirming(client, classroom):
    post = make_post(classroom)
    CommentFactory(post=post, user=classroom.classmate)
    LikeFactory(post=post, user=classroom.classmate)
    attachment = attach_file(post)
    client.force_login(classroom.student)
    confirm = client.get(post_url(post, "post_delete"))
    assert "Delete this post?" in confirm.content.decode()
    assert Post.objects.filter(pk=post.pk).exists()
    response = client.post(post_url(post, "post_delete"))
    assert response.status_code == 302
    assert not Post.objects.filter(pk=post.pk).exists()
    assert File.objects.get(pk=attachment.file_id).is_deleted


@pytest.mark.parametrize("status", [AchievementStatus.ACHIEVED, AchievementStatus.NOT_ACHIEVED])
def test_a_graded_post_cannot_be_deleted(client, classroom, status):
    post = make_post(classroom, achievement_status=status)
    client.force_login(classroom.student)
    response = client.post(post_url(post, "post_delete"))
    assert response.url == post_url(post)
    assert Post.objects.filter(pk=post.pk).exists()
    assert "already graded" in client.get(response.url).content.decode()


@pytest.mark.parametrize("who", ["classmate", "teacher", "stranger", "outsider"])
def test_deleting_someone_elses_post_is_missing(client, classroom, who):
    post = make_post(classroom)
    client.force_login(getattr(classroom, who))
    assert client.get(post_url(post, "post_delete")).status_code == 404
    assert client.post(post_url(post, "post_delete")).status_code == 404
    assert Post.objects.filter(pk=post.pk).exists()


def test_a_teammate_cannot_delete_the_team_post(client, classroom):
    team = TeamFactory(journey=classroom.journey)
    TeamMemberFactory(team=team, user=classroom.student)
    TeamMemberFactory(team=team, user=classroom.classmate)
    post = make_post(
        classroom, mission_instance=classroom.team_instance, team=team, is_team_submission=True
    )
    client.force_login(classroom.classmate)
    assert client.post(post_url(post, "post_delete")).status_code == 404
    assert Post.objects.filter(pk=post.pk).exists()
