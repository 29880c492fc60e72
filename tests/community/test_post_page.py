"""The post page: what it shows, who may open it, views counted once a day,
previous / next, and user text rendered inert."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from community import services
from community.models import AchievementStatus, PostView
from tests.community.builders import (  # noqa: F401 (fixtures)
    attach_file,
    attachment_storage_fixture,
    classroom_fixture,
    make_post,
    post_url,
    submit_url,
)
from tests.factories import PostFactory, TeamFactory, TeamMemberFactory
from tests.files.images import png, upload

pytestmark = pytest.mark.usefixtures("english")

HOSTILE = (
    "<script>alert('x')</script>\n\n"
    "[click](javascript:alert('x'))\n\n"
    '<img src="x" onerror="alert(1)">\n\n'
    '<a href="javascript:alert(2)" onclick="alert(3)">raw</a>'
)


def page_of(client, post) -> str:
    response = client.get(post_url(post))
    assert response.status_code == 200
    return response.content.decode()


def test_it_shows_the_post_with_its_mission_and_author(client, classroom):
    post = make_post(classroom, title="My prompt", content="Hello **world**")
    client.force_login(classroom.classmate)
    page = page_of(client, post)
    assert "My prompt" in page
    assert "<strong>world</strong>" in page
    assert "Minji Kim" in page
    assert "Week 1 · Write a prompt" in page
    assert "Waiting for grading" in page
    assert 'class="avatar avatar--initial"' in page  # no picture: the initial


def test_a_graded_post_shows_its_status_and_score(client, classroom):
    post = make_post(classroom, achievement_status=AchievementStatus.ACHIEVED, score=10)
    client.force_login(classroom.student)
    page = page_of(client, post)
    assert "Achieved · 10 PT" in page


def test_a_team_post_is_shown_as_the_teams(client, classroom):
    team = TeamFactory(journey=classroom.journey, name="Rockets")
    post = make_post(
        classroom,
        mission_instance=classroom.team_instance,
        team=team,
        is_team_submission=True,
    )
    client.force_login(classroom.classmate)
    page = page_of(client, post)
    assert "Team Rockets" in page
    assert "submitted by Minji Kim" in page


def test_images_are_inline_and_documents_downloadable(client, classroom):
    post = make_post(classroom)
    image = attach_file(post, name="photo.png", kind="image", mime="image/png")
    document = attach_file(post, name="report.pdf")
    client.force_login(classroom.classmate)
    page = page_of(client, post)
    image_url = reverse("files:download", args=[image.file.pk])
    document_url = reverse("files:download", args=[document.file.pk])
    assert f'<img src="{image_url}" alt="photo.png"' in page
    assert f'<a href="{document_url}" download' in page
    assert "report.pdf" in page and "2.0\xa0KB" in page


def test_an_attachment_downloads_for_classmates_only(client, classroom, attachment_storage):
    client.force_login(classroom.student)
    client.post(
        submit_url(classroom.instance),
        {"title": "With a photo", "files": [upload(png(), "photo.png")]},
    )
    post = classroom.journey.posts.get()
    download = reverse("files:download", args=[post.attachments.get().file_id])
    client.force_login(classroom.classmate)
    assert client.get(download).status_code == 200
    for person in (classroom.stranger, classroom.outsider):
        client.force_login(person)
        assert client.get(download).status_code == 404


@pytest.mark.parametrize("who", ["stranger", "outsider"])
def test_people_outside_the_journey_get_404(client, classroom, who):
    post = make_post(classroom)
    client.force_login(getattr(classroom, who))
    assert client.get(post_url(post)).status_code == 404


def test_a_post_under_another_journeys_address_is_missing(client, classroom):
    post = make_post(classroom)
    client.force_login(classroom.teacher)  # sees both journeys
    wrong = reverse("community:post_detail", args=[classroom.other_journey.pk, post.pk])
    assert client.get(wrong).status_code == 404


def test_a_hidden_post_is_for_its_author_and_teachers_only(client, classroom):
    post = make_post(classroom, is_hidden=True)
    client.force_login(classroom.classmate)
    assert client.get(post_url(post)).status_code == 404
    for person in (classroom.student, classroom.teacher):
        client.force_login(person)
        assert "This post is hidden" in page_of(client, post)


def test_a_view_counts_once_per_viewer_and_day(client, classroom):
    post = make_post(classroom)
    client.force_login(classroom.classmate)
    assert "1 view" in page_of(client, post)
    assert "1 view" in page_of(client, post)
    client.force_login(classroom.teacher)
    assert "2 views" in page_of(client, post)
    post.refresh_from_db()
    assert post.view_count == 2
    assert PostView.objects.count() == 2
    # Another day counts again.
    # The day after the one the views were counted on (the viewer's calendar,
    # not the test's: they differ from 15:00 to midnight UTC).
    tomorrow = PostView.objects.latest("viewed_on").viewed_on + dt.timedelta(days=1)
    assert services.post_view_record(post=post, viewer=classroom.teacher, day=tomorrow)
    post.refresh_from_db()
    assert post.view_count == 3


def test_previous_and_next_posts_are_among_those_i_can_see(client, classroom):
    now = timezone.now()
    older = make_post(classroom, author=classroom.classmate, title="Older")
    middle = make_post(
        classroom,
        mission_instance=classroom.team_instance,
        title="Middle",
        is_team_submission=False,
    )
    hidden_newer = PostFactory(
        mission_instance=classroom.team_instance,
        user=classroom.classmate,
        title="Hidden newer",
        is_hidden=True,
    )
    for post, minutes in ((older, -30), (middle, -20), (hidden_newer, -10)):
        type(post).objects.filter(pk=post.pk).update(created_at=now + dt.timedelta(minutes=minutes))
    client.force_login(classroom.student)
    page = page_of(client, middle)
    assert "Older" in page and "Previous post" in page
    assert "Hidden newer" not in page and "Next post" not in page
    page = page_of(client, older)
    assert "Next post" in page and "Middle" in page and "Previous post" not in page


def test_edit_and_delete_buttons_are_for_the_author(client, classroom):
    post = make_post(classroom)
    edit, delete = post_url(post, "post_edit"), post_url(post, "post_delete")
    client.force_login(classroom.student)
    page = page_of(client, post)
    assert edit in page and delete in page
    client.force_login(classroom.classmate)
    page = page_of(client, post)
    assert edit not in page and delete not in page


def test_a_graded_post_offers_no_delete_and_achieved_no_edit(client, classroom):
    post = make_post(classroom, achievement_status=AchievementStatus.ACHIEVED)
    client.force_login(classroom.student)
    page = page_of(client, post)
    assert post_url(post, "post_edit") not in page
    assert post_url(post, "post_delete") not in page


def test_a_team_post_is_editable_by_current_members(client, classroom):
    team = TeamFactory(journey=classroom.journey)
    TeamMemberFactory(team=team, user=classroom.student)
    TeamMemberFactory(team=team, user=classroom.classmate)
    post = make_post(
        classroom, mission_instance=classroom.team_instance, team=team, is_team_submission=True
    )
    client.force_login(classroom.classmate)
    page = page_of(client, post)
    assert post_url(post, "post_edit") in page
    assert post_url(post, "post_delete") not in page  # only the author deletes


def test_hostile_content_is_rendered_inert(client, classroom):
    post = make_post(classroom, content=HOSTILE, title="<script>alert(1)</script>")
    client.force_login(classroom.classmate)
    page = page_of(client, post)
    assert "<script>alert" not in page
    assert "javascript:" not in page
    assert "onerror" not in page and "onclick" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # the title, escaped


def test_the_page_has_a_copy_link_control(client, classroom):
    post = make_post(classroom)
    client.force_login(classroom.classmate)
    page = page_of(client, post)
    assert 'data-copy-target="post-share-url"' in page
    assert f'value="http://testserver{post_url(post)}"' in page
    assert "js/copy.js" in page
