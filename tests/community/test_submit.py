"""Submitting a mission: only while it is open, only for enrolled students, one
submission per student (or team), attachments through the files service."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from community import services
from community.models import AchievementStatus, Post, PostAttachment
from files.models import File
from notifications.models import Notification
from tests.community.builders import (  # noqa: F401 (fixtures)
    attachment_storage_fixture,
    classroom_fixture,
    instance_at,
    make_post,
    post_url,
    submit_url,
)
from tests.factories import TeamFactory, TeamMemberFactory
from tests.files.images import pdf, png, upload

pytestmark = pytest.mark.usefixtures("english")


def submit(client, instance, **data):
    fields = {"title": "My prompt", "content": "I asked **nicely**."} | data
    return client.post(submit_url(instance), fields)


def test_the_form_shows_the_mission(client, classroom):
    client.force_login(classroom.student)
    response = client.get(submit_url(classroom.instance))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Write a prompt" in page
    assert 'name="title"' in page and 'name="files"' in page
    assert "data-draft" in page


def test_a_student_submits_and_the_teachers_are_told(client, classroom):
    client.force_login(classroom.student)
    response = submit(client, classroom.instance)
    post = Post.objects.get()
    assert response.status_code == 302
    assert response.url == post_url(post)
    assert (post.user, post.title, post.journey) == (
        classroom.student,
        "My prompt",
        classroom.journey,
    )
    assert post.achievement_status == AchievementStatus.PENDING
    assert post.is_team_submission is False
    told = Notification.objects.filter(type="submission")
    assert {n.receiver for n in told} == {classroom.teacher, classroom.admin}
    assert all(n.link == post_url(post) for n in told)
    assert "Minji Kim submitted “My prompt” (Write a prompt)." in told[0].message
    page = client.get(response.url).content.decode()
    assert "Submitted!" in page


def test_several_attachments_are_stored_with_the_post(client, classroom, attachment_storage):
    client.force_login(classroom.student)
    files = [upload(png(), "photo.png"), upload(pdf(), "report.pdf", "application/pdf")]
    response = submit(client, classroom.instance, files=files)
    assert response.status_code == 302
    post = Post.objects.get()
    names = sorted(a.file.file_name for a in PostAttachment.objects.filter(post=post))
    assert names == ["photo.png", "report.pdf"]
    assert set(File.objects.values_list("bucket_name", flat=True)) == {"post-attachments"}


def test_a_refused_file_saves_nothing(client, classroom, attachment_storage):
    client.force_login(classroom.student)
    files = [upload(png(), "photo.png"), upload(b"<html>hi</html>", "page.html", "text/html")]
    response = submit(client, classroom.instance, files=files)
    assert response.status_code == 200
    assert "page.html: This type of file is not accepted here." in response.content.decode()
    assert not Post.objects.exists()
    assert not PostAttachment.objects.exists()
    assert not File.objects.exists()
    assert not Notification.objects.exists()


def test_an_oversized_file_is_refused_before_it_is_read(
    client, classroom, attachment_storage, settings
):
    settings.FILE_BUCKETS = {
        **settings.FILE_BUCKETS,
        "post-attachments": {"public": False, "max_bytes": 1024},
    }
    client.force_login(classroom.student)
    big = upload(b"%PDF-1.4 " + b"x" * 200_000, "big.pdf", "application/pdf")
    response = submit(client, classroom.instance, files=[big])
    assert response.status_code == 302
    assert response.url == submit_url(classroom.instance)
    page = client.get(response.url).content.decode()
    assert "The file is too large" in page
    assert not Post.objects.exists()


@pytest.mark.parametrize(
    ("opens", "closes", "message"),
    [
        (-10, -1, "This mission closed on"),
        (2, 9, "This mission opens on"),
    ],
)
def test_a_closed_or_future_mission_takes_no_submission(client, classroom, opens, closes, message):
    instance = instance_at(classroom, opens_in_days=opens, closes_in_days=closes)
    client.force_login(classroom.student)
    shown = client.get(submit_url(instance)).content.decode()
    assert message in shown
    assert 'name="title"' not in shown
    response = submit(client, instance)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Post.objects.exists()


def test_the_refusal_gives_the_date_in_my_time_zone(client, classroom):
    instance = instance_at(classroom, opens_in_days=-10, closes_in_days=-1)
    client.force_login(classroom.student)
    page = client.get(submit_url(instance)).content.decode()
    seoul = instance.expiry_date.astimezone(ZoneInfo("Asia/Seoul"))
    assert f"This mission closed on {seoul:%Y.%m.%d %H:%M}" in page


def test_a_foreign_instance_is_missing(client, classroom):
    mine = instance_at(classroom, opens_in_days=-1, closes_in_days=3)
    other = instance_at(classroom, opens_in_days=-1, closes_in_days=3)
    other.journey = classroom.other_journey
    other.save()
    client.force_login(classroom.student)
    # An instance of another journey, under my journey's address, and under its own.
    wrong_pair = reverse("community:submit", args=[classroom.journey.pk, other.pk])
    assert client.post(wrong_pair, {"title": "x"}).status_code == 404
    assert client.get(submit_url(other)).status_code == 404
    assert client.get(submit_url(mine)).status_code == 200
    client.force_login(classroom.outsider)
    assert client.get(submit_url(classroom.instance)).status_code == 404
    client.force_login(classroom.stranger)
    assert client.post(submit_url(classroom.instance), {"title": "x"}).status_code == 404
    assert not Post.objects.exists()


def test_a_second_submission_leads_to_the_first(client, classroom):
    first = make_post(classroom, title="First")
    client.force_login(classroom.student)
    response = submit(client, classroom.instance, title="Second")
    assert response.status_code == 302
    assert response.url == post_url(first)
    assert Post.objects.count() == 1
    page = client.get(response.url).content.decode()
    assert "You have already submitted this mission." in page
    assert client.get(submit_url(classroom.instance)).url == post_url(first)


def test_a_submission_race_is_caught_by_the_database(classroom, monkeypatch):
    first = make_post(classroom, title="Other tab")
    # As if both requests had passed the check before either inserted.
    monkeypatch.setattr(services, "submission_check", lambda **kwargs: None)
    with pytest.raises(services.AlreadySubmitted) as refused:
        services.post_submit(author=classroom.student, instance=classroom.instance, title="Late")
    assert refused.value.post == first
    assert Post.objects.count() == 1


@pytest.mark.parametrize(("length", "ok"), [(100, True), (101, False)])
def test_a_title_has_at_most_100_characters(client, classroom, length, ok):
    client.force_login(classroom.student)
    response = submit(client, classroom.instance, title="가" * length)
    assert Post.objects.exists() is ok
    if not ok:
        assert response.status_code == 200
        assert "The title can be at most 100 characters (it has 101)." in (
            response.content.decode()
        )


def test_a_title_is_required(client, classroom):
    client.force_login(classroom.student)
    response = submit(client, classroom.instance, title="   ")
    assert "Give your post a title." in response.content.decode()
    assert not Post.objects.exists()


def test_a_teacher_cannot_submit(client, classroom):
    client.force_login(classroom.teacher)
    response = submit(client, classroom.instance)
    assert "Only students enrolled in this journey can submit" in response.content.decode()
    assert not Post.objects.exists()


def test_a_team_mission_is_submitted_once_for_the_team(client, classroom):
    team = TeamFactory(journey=classroom.journey, name="Rockets")
    TeamMemberFactory(team=team, user=classroom.student)
    TeamMemberFactory(team=team, user=classroom.classmate)
    client.force_login(classroom.student)
    form = client.get(submit_url(classroom.team_instance)).content.decode()
    assert "you submit for team Rockets" in form
    response = submit(client, classroom.team_instance, title="Our idea")
    post = Post.objects.get()
    assert (post.team, post.is_team_submission, post.user) == (team, True, classroom.student)
    assert "Team Rockets" in client.get(response.url).content.decode()
    message = Notification.objects.filter(receiver=classroom.teacher).get().message
    assert "for team Rockets" in message

    client.force_login(classroom.classmate)
    again = submit(client, classroom.team_instance, title="Also our idea")
    assert again.url == post_url(post)
    assert Post.objects.count() == 1


def test_a_student_without_a_team_is_sent_to_the_team_tab(client, classroom):
    client.force_login(classroom.student)
    page = client.get(submit_url(classroom.team_instance)).content.decode()
    assert "This is a team mission: create or join a team on the Team tab first" in page
    assert reverse("teams:index", args=[classroom.journey.pk]) in page
    submit(client, classroom.team_instance)
    assert not Post.objects.exists()
