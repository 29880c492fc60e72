"""The Team tab (teams:index) and its POST actions, through the test client."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from teams.models import Team, TeamMember
from tests.factories import (
    JourneyFactory,
    ProfileFactory,
    TeamFactory,
    TeamMemberFactory,
    UserJourneyFactory,
)

pytestmark = pytest.mark.usefixtures("english")


def page_url(journey):
    return reverse("teams:index", args=[journey.pk])


def create_url(journey):
    return reverse("teams:create", args=[journey.pk])


def join_url(journey, team):
    return reverse("teams:join", args=[journey.pk, team.pk])


def leave_url(journey, team):
    return reverse("teams:leave", args=[journey.pk, team.pk])


def member(team, person, *, leader=False, minutes_ago=0):
    return TeamMemberFactory(
        team=team,
        user=person,
        is_leader=leader,
        joined_at=timezone.now() - dt.timedelta(minutes=minutes_ago),
    )


@pytest.fixture
def blaze(journey, classmate_factory):
    """A team of two classmates, Seojun leading."""
    team = TeamFactory(journey=journey, name="Team Blaze", description="We kill reports.")
    member(
        team, classmate_factory(first_name="Seojun", last_name="Lee"), leader=True, minutes_ago=9
    )
    member(team, classmate_factory(first_name="Hayun", last_name="Park"), minutes_ago=5)
    return team


# --- what each person sees ---------------------------------------------------------


def test_without_a_team_i_see_the_teams_with_join_buttons_and_the_create_form(
    client, student, journey, blaze
):
    client.force_login(student)
    response = client.get(page_url(journey))
    page = response.content.decode()
    assert response.status_code == 200
    assert "You are not in a team yet" in page
    assert "Team Blaze" in page and "2 members" in page and "Leader: Seojun Lee" in page
    assert join_url(journey, blaze) in page
    assert create_url(journey) in page and 'name="name"' in page


def test_with_a_team_i_see_its_members_the_leader_and_a_leave_button(
    client, student, journey, blaze
):
    member(blaze, student, minutes_ago=1)
    client.force_login(student)
    page = client.get(page_url(journey)).content.decode()
    assert "My team" in page and "We kill reports." in page
    assert "Seojun Lee" in page and "Hayun Park" in page and "Minji Kim" in page
    assert page.count(">Leader<") == 1
    assert leave_url(journey, blaze) in page
    assert join_url(journey, blaze) not in page and create_url(journey) not in page


def test_the_leader_is_told_who_leads_after_them(client, student, journey, classmate_factory):
    team = TeamFactory(journey=journey, name="Mine")
    member(team, student, leader=True, minutes_ago=10)
    member(team, classmate_factory(first_name="Doyun", last_name="Choi"), minutes_ago=2)
    client.force_login(student)
    page = client.get(page_url(journey)).content.decode()
    assert "If you leave, Doyun Choi will lead the team." in page


def test_a_teacher_sees_every_team_with_its_members(client, teacher, journey, blaze):
    client.force_login(teacher)
    page = client.get(page_url(journey)).content.decode()
    assert "Team Blaze" in page and "Seojun Lee" in page and "Hayun Park" in page
    assert join_url(journey, blaze) not in page
    assert leave_url(journey, blaze) not in page
    assert create_url(journey) not in page


def test_a_teacher_sees_who_is_in_no_team(client, teacher, student, journey, blaze):
    UserJourneyFactory(journey=journey, user=teacher, role_in_journey="teacher")
    client.force_login(teacher)
    page = client.get(page_url(journey)).content.decode()
    assert "1 student without a team" in page
    unassigned = page.split('class="team-unassigned__list"', 1)[1].split("</ul>", 1)[0]
    assert "Minji Kim" in unassigned and "Jisoo Park" not in unassigned


def test_a_deleted_member_shows_as_deleted_user(client, student, journey, blaze):
    gone = TeamMember.objects.filter(team=blaze, is_leader=False).get().user
    gone.deleted_at = timezone.now()
    gone.save()
    member(blaze, student)
    client.force_login(student)
    page = client.get(page_url(journey)).content.decode()
    assert "Deleted user" in page and "Hayun Park" not in page


# --- actions ------------------------------------------------------------------------


def test_creating_a_team_redirects_to_the_tab_with_a_message(client, student, journey):
    client.force_login(student)
    response = client.post(
        create_url(journey), {"name": "Team Wave", "description": "Calendars"}, follow=True
    )
    assert response.redirect_chain == [(page_url(journey), 302)]
    assert "You created the team Team Wave and lead it." in response.content.decode()
    team = Team.objects.get(journey=journey)
    assert (team.name, team.description) == ("Team Wave", "Calendars")
    assert TeamMember.objects.get(team=team).user == student


def test_a_duplicate_name_shows_the_form_again_with_a_clear_error(client, student, journey, blaze):
    client.force_login(student)
    response = client.post(create_url(journey), {"name": "team blaze"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "A team with this name already exists in this journey." in page
    assert 'value="team blaze"' in page
    assert Team.objects.filter(journey=journey).count() == 1


def test_a_blank_name_shows_the_form_again_with_a_clear_error(client, student, journey):
    client.force_login(student)
    response = client.post(create_url(journey), {"name": "  ", "description": "x"})
    assert response.status_code == 400
    assert "Enter a team name." in response.content.decode()
    assert not Team.objects.exists()


def test_joining_redirects_with_a_message(client, student, journey, blaze):
    client.force_login(student)
    response = client.post(join_url(journey, blaze), follow=True)
    assert response.redirect_chain == [(page_url(journey), 302)]
    assert "You joined the team Team Blaze." in response.content.decode()
    assert TeamMember.objects.filter(team=blaze, user=student).exists()


def test_joining_a_second_team_shows_why_and_changes_nothing(client, student, journey, blaze):
    mine = TeamFactory(journey=journey, name="Mine")
    member(mine, student, leader=True)
    client.force_login(student)
    response = client.post(join_url(journey, blaze), follow=True)
    assert "You are already in a team in this journey." in response.content.decode()
    assert list(TeamMember.objects.filter(user=student).values_list("team", flat=True)) == [mine.pk]


def test_leaving_hands_over_the_lead_and_says_so(client, student, journey, classmate_factory):
    team = TeamFactory(journey=journey, name="Mine")
    member(team, student, leader=True, minutes_ago=10)
    next_leader = classmate_factory(first_name="Doyun", last_name="Choi")
    member(team, next_leader, minutes_ago=2)
    client.force_login(student)
    response = client.post(leave_url(journey, team), follow=True)
    assert "You left the team Mine. Doyun Choi leads it now." in response.content.decode()
    assert TeamMember.objects.get(team=team).user == next_leader
    assert TeamMember.objects.get(team=team).is_leader


def test_a_teacher_posting_join_is_told_only_students_can(client, teacher, journey, blaze):
    client.force_login(teacher)
    response = client.post(join_url(journey, blaze), follow=True)
    assert "Only students of this journey can be in its teams." in response.content.decode()
    assert TeamMember.objects.filter(team=blaze).count() == 2


@pytest.mark.parametrize("action", ["create", "join", "leave"])
def test_actions_only_answer_post(client, student, journey, blaze, action):
    client.force_login(student)
    url = {
        "create": create_url(journey),
        "join": join_url(journey, blaze),
        "leave": leave_url(journey, blaze),
    }[action]
    assert client.get(url).status_code == 405


def test_actions_need_the_csrf_token(student, journey, blaze):
    client = Client(enforce_csrf_checks=True)
    client.force_login(student)
    assert client.post(join_url(journey, blaze)).status_code == 403
    assert client.post(create_url(journey), {"name": "Sneaky"}).status_code == 403
    assert not TeamMember.objects.filter(user=student).exists()
    assert not Team.objects.filter(name="Sneaky").exists()


def test_logged_out_people_are_sent_to_log_in(client, journey, blaze):
    response = client.get(page_url(journey))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]
    assert client.post(join_url(journey, blaze)).status_code == 302
    assert TeamMember.objects.filter(team=blaze).count() == 2


# --- access --------------------------------------------------------------------------


def test_a_journey_i_am_not_enrolled_in_answers_404(client, student, organization):
    other = JourneyFactory(organization=organization)
    team = TeamFactory(journey=other)
    client.force_login(student)
    assert client.get(page_url(other)).status_code == 404
    assert client.post(create_url(other), {"name": "Intruders"}).status_code == 404
    assert client.post(join_url(other, team)).status_code == 404
    assert not TeamMember.objects.exists() and Team.objects.count() == 1


def test_another_organization_answers_404(client, outsider, journey, blaze):
    client.force_login(outsider)
    assert client.get(page_url(journey)).status_code == 404
    assert client.post(join_url(journey, blaze)).status_code == 404


def test_a_team_of_another_journey_in_the_url_answers_404(client, student, journey, organization):
    other_journey = JourneyFactory(organization=organization)
    UserJourneyFactory(journey=other_journey, user=student)
    foreign = TeamFactory(journey=other_journey)
    client.force_login(student)
    assert client.post(join_url(journey, foreign)).status_code == 404
    member(foreign, student, leader=True)
    assert client.post(leave_url(journey, foreign)).status_code == 404
    assert TeamMember.objects.filter(team=foreign, user=student).exists()


# --- query counts ----------------------------------------------------------------------


def fill(journey, organization, *, teams, members_each):
    for number in range(teams):
        team = TeamFactory(journey=journey, name=f"Filler {number}")
        for position in range(members_each):
            person = ProfileFactory(organization=organization, role=Role.USER)
            UserJourneyFactory(journey=journey, user=person)
            member(team, person, leader=position == 0, minutes_ago=position)


# User (the session comes from the cache), journey, teams, members, unread notification
# count; teachers also get the students without a team.
STUDENT_PAGE_QUERIES = 5
TEACHER_PAGE_QUERIES = 6


@pytest.mark.parametrize("size", [(1, 1), (12, 6)])
def test_the_page_runs_a_fixed_number_of_queries_for_a_student(
    client, student, journey, organization, size, django_assert_num_queries
):
    fill(journey, organization, teams=size[0], members_each=size[1])
    client.force_login(student)
    with django_assert_num_queries(STUDENT_PAGE_QUERIES):
        assert client.get(page_url(journey)).status_code == 200


@pytest.mark.parametrize("size", [(1, 1), (12, 6)])
def test_the_page_runs_a_fixed_number_of_queries_for_a_teacher(
    client, teacher, journey, organization, size, django_assert_num_queries
):
    fill(journey, organization, teams=size[0], members_each=size[1])
    for _ in range(size[0]):
        UserJourneyFactory(journey=journey, user__organization=organization)
    client.force_login(teacher)
    with django_assert_num_queries(TEACHER_PAGE_QUERIES):
        assert client.get(page_url(journey)).status_code == 200
