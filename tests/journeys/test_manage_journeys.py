"""Teachers create, edit and delete journeys (journeys:create|edit|delete), through
the test client: who may, what bad input says, and that nothing changes then."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from accounts.models import Role
from community.models import Comment, Like, Post
from files.models import File
from journeys.models import Journey, JourneyWeek, UserJourney
from missions.models import JourneyMissionInstance, Mission
from points.models import TeamPoint, UserPoint
from teams.models import Team
from tests.factories import (
    CommentFactory,
    JourneyFactory,
    JourneyWeekFactory,
    LikeFactory,
    MissionInstanceFactory,
    PostFactory,
    ProfileFactory,
    TeamFactory,
    TeamPointFactory,
    UserJourneyFactory,
    UserPointFactory,
)
from tests.files.conftest import use_storage
from tests.files.images import pdf, png, upload

pytestmark = pytest.mark.usefixtures("english")

CREATE = reverse("journeys:create")
START, END = dt.date(2026, 3, 2), dt.date(2026, 5, 29)


def edit_url(journey):
    return reverse("journeys:edit", args=[journey.pk])


def delete_url(journey):
    return reverse("journeys:delete", args=[journey.pk])


def journey_data(**overrides) -> dict:
    return {
        "name": "Spring Python",
        "date_start": "2026-03-02",
        "date_end": "2026-05-29",
        **overrides,
    }


@pytest.fixture
def disk(request, settings, tmp_path):
    return use_storage("local", request, settings, tmp_path)


@pytest.fixture
def journey(organization, student):
    journey = JourneyFactory(organization=organization, name="AI Automation")
    UserJourneyFactory(journey=journey, user=student)
    return journey


# --- creating -------------------------------------------------------------------------


def test_a_teacher_creates_a_journey_of_their_own_academy(client, teacher, organization):
    client.force_login(teacher)
    response = client.post(CREATE, journey_data())
    journey = Journey.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("missions:plan", args=[journey.pk])
    assert (journey.name, journey.date_start, journey.date_end) == ("Spring Python", START, END)
    assert journey.organization == organization
    assert journey.image_file is None


def test_an_admin_creates_a_journey_too(client, admin_user, organization):
    client.force_login(admin_user)
    assert client.post(CREATE, journey_data()).status_code == 302
    assert Journey.objects.get().organization == organization


def test_an_organization_in_the_post_is_ignored(client, teacher, organization, other_organization):
    client.force_login(teacher)
    client.post(CREATE, journey_data(organization=str(other_organization.pk)))
    assert Journey.objects.get().organization == organization


def test_the_create_page_shows_the_form(client, teacher):
    client.force_login(teacher)
    response = client.get(CREATE)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="name"' in page and 'name="date_start"' in page and 'name="cover"' in page
    assert 'enctype="multipart/form-data"' in page


def test_a_cover_image_is_stored_through_the_files_service(client, teacher, disk):
    client.force_login(teacher)
    response = client.post(CREATE, journey_data(cover=upload(png(), "cover.png")))
    assert response.status_code == 302
    journey = Journey.objects.select_related("image_file").get()
    assert journey.image_file.bucket_name == "journey-covers"
    assert journey.image_file.user == teacher
    assert journey.cover_url


def test_an_end_before_the_start_is_refused_with_a_clear_message(client, teacher):
    client.force_login(teacher)
    response = client.post(CREATE, journey_data(date_start="2026-05-29", date_end="2026-03-02"))
    assert response.status_code == 400
    assert "The end date cannot be before the start date." in response.content.decode()
    assert not Journey.objects.exists()


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("name", "Give the journey a name."),
        ("date_start", "Enter the start date."),
        ("date_end", "Enter the end date."),
    ],
)
def test_a_missing_field_is_refused_with_a_clear_message(client, teacher, field, message):
    client.force_login(teacher)
    response = client.post(CREATE, journey_data(**{field: ""}))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Journey.objects.exists()


def test_a_blank_name_of_spaces_is_refused(client, teacher):
    client.force_login(teacher)
    response = client.post(CREATE, journey_data(name="   "))
    assert response.status_code == 400
    assert not Journey.objects.exists()


def test_a_cover_that_is_not_an_image_is_refused_and_nothing_is_created(client, teacher, disk):
    client.force_login(teacher)
    response = client.post(
        CREATE, journey_data(cover=upload(pdf(), "cover.png", content_type="image/png"))
    )
    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()
    assert not Journey.objects.exists()
    assert not File.objects.exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_students_get_404_on_the_create_page(client, student, method):
    client.force_login(student)
    response = getattr(client, method)(CREATE, journey_data())
    assert response.status_code == 404
    assert not Journey.objects.exists()


def test_logged_out_people_are_sent_to_log_in(client):
    response = client.get(CREATE)
    assert response.status_code == 302 and "/accounts/login/" in response.url


# --- editing --------------------------------------------------------------------------


def test_a_teacher_edits_name_and_dates(client, teacher, journey):
    client.force_login(teacher)
    response = client.post(edit_url(journey), journey_data(name="  AI   Automation 2 "))
    assert response.status_code == 302
    journey.refresh_from_db()
    assert (journey.name, journey.date_start, journey.date_end) == ("AI Automation 2", START, END)


def test_the_edit_form_starts_with_the_journey_values(client, teacher, journey):
    client.force_login(teacher)
    page = client.get(edit_url(journey)).content.decode()
    assert 'value="AI Automation"' in page
    assert f'value="{journey.date_start:%Y-%m-%d}"' in page
    assert delete_url(journey) in page


def test_editing_with_the_end_before_the_start_changes_nothing(client, teacher, journey):
    before = (journey.name, journey.date_start, journey.date_end)
    client.force_login(teacher)
    response = client.post(
        edit_url(journey), journey_data(name="New", date_start="2026-05-29", date_end="2026-03-02")
    )
    assert response.status_code == 400
    assert "The end date cannot be before the start date." in response.content.decode()
    journey.refresh_from_db()
    assert (journey.name, journey.date_start, journey.date_end) == before


def test_replacing_the_cover_retires_the_old_one(client, teacher, journey, disk):
    client.force_login(teacher)
    client.post(edit_url(journey), journey_data(cover=upload(png(), "first.png")))
    first = Journey.objects.get(pk=journey.pk).image_file
    client.post(edit_url(journey), journey_data(cover=upload(png(size=(40, 30)), "second.png")))
    journey.refresh_from_db()
    first.refresh_from_db()
    assert journey.image_file_id not in (None, first.pk)
    assert first.is_deleted


def test_removing_the_cover_clears_it_and_the_legacy_address(client, teacher, journey, disk):
    client.force_login(teacher)
    client.post(edit_url(journey), journey_data(cover=upload(png(), "first.png")))
    Journey.objects.filter(pk=journey.pk).update(image_url="https://example.test/old.png")
    page = client.get(edit_url(journey)).content.decode()
    assert 'name="remove_cover"' in page
    client.post(edit_url(journey), journey_data(remove_cover="on"))
    journey.refresh_from_db()
    assert journey.image_file is None and journey.image_url is None
    assert File.objects.get().is_deleted


def test_a_cover_uploaded_by_another_teacher_can_be_replaced(client, teacher, journey, disk):
    colleague = ProfileFactory(organization=journey.organization, role=Role.TEACHER)
    client.force_login(colleague)
    client.post(edit_url(journey), journey_data(cover=upload(png(), "theirs.png")))
    client.force_login(teacher)
    response = client.post(edit_url(journey), journey_data(cover=upload(png(), "mine.png")))
    assert response.status_code == 302
    journey.refresh_from_db()
    assert journey.image_file.user == teacher


def test_without_a_cover_there_is_no_remove_checkbox(client, teacher, journey):
    client.force_login(teacher)
    assert 'name="remove_cover"' not in client.get(edit_url(journey)).content.decode()


def test_managers_see_an_edit_link_in_the_journey_header(client, teacher, journey):
    client.force_login(teacher)
    page = client.get(reverse("missions:plan", args=[journey.pk])).content.decode()
    assert edit_url(journey) in page


def test_students_see_no_edit_link(client, student, journey):
    client.force_login(student)
    page = client.get(reverse("missions:plan", args=[journey.pk])).content.decode()
    assert edit_url(journey) not in page


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_student_of_the_journey_gets_404_on_edit(client, student, journey, method):
    client.force_login(student)
    response = getattr(client, method)(edit_url(journey), journey_data(name="Hacked"))
    assert response.status_code == 404
    journey.refresh_from_db()
    assert journey.name == "AI Automation"


@pytest.mark.parametrize("method", ["get", "post"])
def test_another_organizations_teacher_gets_404_on_edit(client, outsider, journey, method):
    client.force_login(outsider)
    response = getattr(client, method)(edit_url(journey), journey_data(name="Hacked"))
    assert response.status_code == 404
    journey.refresh_from_db()
    assert journey.name == "AI Automation"


# --- deleting -------------------------------------------------------------------------


@pytest.fixture
def busy_journey(journey, student, organization):
    """A journey with two weeks, a scheduled mission, a post with a comment and a
    like, points for the student and a team with points."""
    week = JourneyWeekFactory(journey=journey, week_number=1)
    JourneyWeekFactory(journey=journey, week_number=2)
    instance = MissionInstanceFactory(journey_week=week)
    post = PostFactory(mission_instance=instance, user=student)
    CommentFactory(post=post, user=student)
    LikeFactory(post=post, user=student)
    UserPointFactory(post=post)
    team = TeamFactory(journey=journey)
    TeamPointFactory(team=team, mission_instance=instance)
    return journey


def test_the_confirmation_page_says_what_will_be_deleted(client, teacher, busy_journey):
    client.force_login(teacher)
    response = client.get(delete_url(busy_journey))
    page = " ".join(response.content.decode().split())
    assert response.status_code == 200
    for text in (
        "2 weeks",
        "1 scheduled mission",
        "1 post with its comments and likes",
        "1 points record of students",
        "1 points record of teams",
        "1 team",
        "the enrolment of 1 member",
    ):
        assert text in page
    assert 'name="confirm_name"' in page


def test_deleting_with_the_typed_name_removes_the_journey_and_its_content(
    client, teacher, busy_journey
):
    mission_ids = list(Mission.objects.values_list("pk", flat=True))
    client.force_login(teacher)
    response = client.post(delete_url(busy_journey), {"confirm_name": " AI Automation "})
    assert response.status_code == 302 and response.url == reverse("home")
    assert not Journey.objects.filter(pk=busy_journey.pk).exists()
    for model in (JourneyWeek, JourneyMissionInstance, Post, Comment, Like, UserPoint, TeamPoint):
        assert not model.objects.exists(), model
    assert not Team.objects.exists() and not UserJourney.objects.exists()
    # The library keeps its mission templates.
    assert list(Mission.objects.values_list("pk", flat=True)) == mission_ids
    messages = [str(m) for m in client.get(reverse("home")).context["messages"]]
    assert "The journey AI Automation was deleted." in messages


@pytest.mark.parametrize("typed", ["", "AI automation", "Something else"])
def test_deleting_without_the_exact_name_changes_nothing(client, teacher, busy_journey, typed):
    client.force_login(teacher)
    response = client.post(delete_url(busy_journey), {"confirm_name": typed})
    assert response.status_code == 400
    assert Journey.objects.filter(pk=busy_journey.pk).exists()
    assert Post.objects.count() == 1
    assert "errorlist" in response.content.decode()


def test_a_get_never_deletes(client, teacher, journey):
    client.force_login(teacher)
    client.get(delete_url(journey), {"confirm_name": journey.name})
    assert Journey.objects.filter(pk=journey.pk).exists()


@pytest.mark.parametrize("who", ["student", "outsider"])
def test_students_and_other_organizations_get_404_on_delete(client, journey, who, request):
    client.force_login(request.getfixturevalue(who))
    assert client.get(delete_url(journey)).status_code == 404
    response = client.post(delete_url(journey), {"confirm_name": journey.name})
    assert response.status_code == 404
    assert Journey.objects.filter(pk=journey.pk).exists()


def test_deleting_needs_the_csrf_token(teacher, journey):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(teacher)
    response = client.post(delete_url(journey), {"confirm_name": journey.name})
    assert response.status_code == 403
    assert Journey.objects.filter(pk=journey.pk).exists()


# --- home -----------------------------------------------------------------------------


def test_teachers_see_a_new_journey_button_on_home(client, teacher, journey):
    client.force_login(teacher)
    page = client.get(reverse("home")).content.decode()
    assert CREATE in page


def test_a_teacher_of_an_academy_without_journeys_is_offered_to_create_one(client, teacher):
    client.force_login(teacher)
    page = client.get(reverse("home")).content.decode()
    assert CREATE in page
    assert "admin/journeys/journey/add" not in page


def test_students_see_no_new_journey_button(client, student, journey):
    client.force_login(student)
    assert CREATE not in client.get(reverse("home")).content.decode()
