"""Teachers manage a journey's teams on its Team tab: create, rename, delete,
put students in, move them, take them out, choose the leader. Through the test
client (access, bad input, messages) and the services (the rules)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from teams import services
from teams.models import Team, TeamMember
from tests.factories import (
    JourneyFactory,
    JourneyWeekFactory,
    MissionInstanceFactory,
    PostFactory,
    ProfileFactory,
    TeamFactory,
    TeamMemberFactory,
    TeamPointFactory,
    UserJourneyFactory,
)

pytestmark = pytest.mark.usefixtures("english")


def page_url(journey):
    return reverse("teams:index", args=[journey.pk])


def create_url(journey):
    return reverse("teams:manage_create", args=[journey.pk])


def rename_url(team):
    return reverse("teams:manage_rename", args=[team.journey_id, team.pk])


def delete_url(team):
    return reverse("teams:manage_delete", args=[team.journey_id, team.pk])


def assign_url(journey):
    return reverse("teams:manage_assign", args=[journey.pk])


def move_url(journey):
    return reverse("teams:manage_move", args=[journey.pk])


def remove_url(team, person):
    return reverse("teams:manage_remove", args=[team.journey_id, team.pk, person.pk])


def leader_url(team, person):
    return reverse("teams:manage_leader", args=[team.journey_id, team.pk, person.pk])


def member(team, person, *, leader=False, minutes_ago=0):
    return TeamMemberFactory(
        team=team,
        user=person,
        is_leader=leader,
        joined_at=timezone.now() - dt.timedelta(minutes=minutes_ago),
    )


def members_of(team) -> list[tuple[str, bool]]:
    rows = TeamMember.objects.filter(team=team).order_by("joined_at").select_related("user")
    return [(row.user.first_name, bool(row.is_leader)) for row in rows]


def messages_of(client, journey) -> list[str]:
    return [str(m) for m in client.get(page_url(journey)).context["messages"]]


@pytest.fixture
def blaze(journey, classmate_factory):
    """Seojun leads, Hayun is a member."""
    team = TeamFactory(journey=journey, name="Team Blaze")
    member(team, classmate_factory(first_name="Seojun"), leader=True, minutes_ago=9)
    member(team, classmate_factory(first_name="Hayun"), minutes_ago=5)
    return team


@pytest.fixture
def wave(journey):
    return TeamFactory(journey=journey, name="Team Wave")


def person_named(team, first_name):
    return TeamMember.objects.get(team=team, user__first_name=first_name).user


@pytest.fixture
def teacher_client(client, teacher):
    client.force_login(teacher)
    return client


# --- the tab ------------------------------------------------------------------------------


def test_a_teacher_sees_the_controls(teacher_client, journey, student, blaze, wave):
    page = teacher_client.get(page_url(journey)).content.decode()
    seojun = person_named(blaze, "Seojun")
    hayun = person_named(blaze, "Hayun")
    assert create_url(journey) in page and assign_url(journey) in page
    assert rename_url(blaze) in page and delete_url(blaze) in page
    assert move_url(journey) in page
    assert remove_url(blaze, seojun) in page and leader_url(blaze, hayun) in page
    # The leader is not offered to become leader again.
    assert leader_url(blaze, seojun) not in page
    # The student without a team can be put in either team.
    assert f'name="student" value="{student.pk}"' in page


def test_a_team_with_history_offers_no_delete(teacher_client, journey, blaze):
    TeamPointFactory(
        team=blaze,
        mission_instance=MissionInstanceFactory(journey_week=JourneyWeekFactory(journey=journey)),
    )
    page = teacher_client.get(page_url(journey)).content.decode()
    assert delete_url(blaze) not in page
    assert "Has posts or points, so it cannot be deleted." in page


def test_a_student_still_sees_their_own_view_without_teacher_controls(
    client, student, journey, blaze
):
    client.force_login(student)
    page = client.get(page_url(journey)).content.decode()
    assert "You are not in a team yet" in page
    assert reverse("teams:join", args=[journey.pk, blaze.pk]) in page
    for url in (create_url(journey), assign_url(journey), rename_url(blaze), delete_url(blaze)):
        assert url not in page


def fill(journey, organization, *, teams, members_each, unassigned):
    for number in range(teams):
        team = TeamFactory(journey=journey, name=f"Filler {number}")
        for position in range(members_each):
            person = ProfileFactory(organization=organization, role=Role.USER)
            UserJourneyFactory(journey=journey, user=person)
            member(team, person, leader=position == 0, minutes_ago=position)
        PostFactory(
            journey=journey,
            mission_instance=MissionInstanceFactory(
                journey_week=JourneyWeekFactory(journey=journey)
            ),
            team=team,
            is_team_submission=True,
        )
    for _ in range(unassigned):
        UserJourneyFactory(journey=journey, user__organization=organization)


# User (the session comes from the cache), journey, teams (with their history), members, unread
# notification count, students without a team.
TEACHER_PAGE_QUERIES = 6


@pytest.mark.parametrize("size", [(1, 1, 1), (10, 6, 15)])
def test_the_teacher_tab_runs_a_fixed_number_of_queries(
    teacher_client, journey, organization, size, django_assert_num_queries
):
    fill(journey, organization, teams=size[0], members_each=size[1], unassigned=size[2])
    with django_assert_num_queries(TEACHER_PAGE_QUERIES):
        response = teacher_client.get(page_url(journey))
    assert response.status_code == 200
    assert len(response.context["teams"]) == size[0]


# --- creating -----------------------------------------------------------------------------


def test_a_teacher_creates_an_empty_team(teacher_client, journey):
    response = teacher_client.post(
        create_url(journey), {"name": " Team   Bolt ", "description": ""}
    )
    assert response.status_code == 302 and response.url == page_url(journey)
    team = Team.objects.get(journey=journey)
    assert team.name == "Team Bolt" and not TeamMember.objects.filter(team=team).exists()
    assert "The team Team Bolt is ready. Add students to it below." in messages_of(
        teacher_client, journey
    )


def test_a_duplicate_name_whatever_the_case_is_refused(teacher_client, journey, blaze):
    response = teacher_client.post(create_url(journey), {"name": "team BLAZE"})
    assert response.status_code == 400
    assert "A team with this name already exists in this journey." in response.content.decode()
    assert Team.objects.filter(journey=journey).count() == 1


def test_the_same_name_in_another_journey_is_fine(teacher_client, journey, organization):
    TeamFactory(journey=JourneyFactory(organization=organization), name="Team Blaze")
    assert teacher_client.post(create_url(journey), {"name": "Team Blaze"}).status_code == 302
    assert Team.objects.filter(journey=journey, name="Team Blaze").exists()


@pytest.mark.parametrize("name", ["", "   ", "x" * 51])
def test_a_blank_or_too_long_name_is_refused(teacher_client, journey, name):
    response = teacher_client.post(create_url(journey), {"name": name})
    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()
    assert not Team.objects.exists()


# --- renaming -----------------------------------------------------------------------------


def test_renaming_changes_name_and_description(teacher_client, journey, blaze):
    response = teacher_client.post(
        rename_url(blaze), {"name": "Team Inferno", "description": "Hotter."}
    )
    assert response.status_code == 302
    blaze.refresh_from_db()
    assert (blaze.name, blaze.description) == ("Team Inferno", "Hotter.")
    assert "The team Team Blaze is now called Team Inferno." in messages_of(teacher_client, journey)


def test_a_team_may_change_the_case_of_its_own_name(teacher_client, journey, blaze):
    teacher_client.post(rename_url(blaze), {"name": "TEAM BLAZE"})
    blaze.refresh_from_db()
    assert blaze.name == "TEAM BLAZE"


def test_renaming_to_another_teams_name_is_refused(teacher_client, journey, blaze, wave):
    teacher_client.post(rename_url(wave), {"name": "team blaze"})
    wave.refresh_from_db()
    assert wave.name == "Team Wave"
    assert "A team with this name already exists in this journey." in messages_of(
        teacher_client, journey
    )


def test_renaming_to_a_blank_name_is_refused(teacher_client, journey, blaze):
    teacher_client.post(rename_url(blaze), {"name": "  "})
    blaze.refresh_from_db()
    assert blaze.name == "Team Blaze"
    assert "Enter a team name." in messages_of(teacher_client, journey)


# --- deleting -----------------------------------------------------------------------------


def test_deleting_a_team_without_history_frees_its_members(teacher_client, journey, blaze):
    response = teacher_client.post(delete_url(blaze))
    assert response.status_code == 302
    assert not Team.objects.filter(pk=blaze.pk).exists()
    assert not TeamMember.objects.exists()
    assert "The team Team Blaze was deleted." in messages_of(teacher_client, journey)


def test_a_team_with_posts_cannot_be_deleted(teacher_client, journey, blaze):
    PostFactory(
        journey=journey,
        mission_instance=MissionInstanceFactory(journey_week=JourneyWeekFactory(journey=journey)),
        user=person_named(blaze, "Seojun"),
        team=blaze,
        is_team_submission=True,
    )
    teacher_client.post(delete_url(blaze))
    assert Team.objects.filter(pk=blaze.pk).exists()
    assert TeamMember.objects.filter(team=blaze).count() == 2
    assert (
        "Team Blaze has posts or points, so it cannot be deleted. "
        "Rename it or move its members instead." in messages_of(teacher_client, journey)
    )


def test_a_team_with_points_cannot_be_deleted(teacher_client, journey, blaze):
    instance = MissionInstanceFactory(journey_week=JourneyWeekFactory(journey=journey))
    TeamPointFactory(team=blaze, mission_instance=instance)
    teacher_client.post(delete_url(blaze))
    assert Team.objects.filter(pk=blaze.pk).exists()


# --- putting a student in a team ------------------------------------------------------------


def test_a_student_without_a_team_is_put_in_one(teacher_client, journey, student, blaze):
    response = teacher_client.post(assign_url(journey), {"student": student.pk, "team": blaze.pk})
    assert response.status_code == 302
    assert members_of(blaze) == [("Seojun", True), ("Hayun", False), ("Minji", False)]
    assert "Minji Kim is now in Team Blaze." in messages_of(teacher_client, journey)


def test_the_first_student_in_an_empty_team_leads_it(teacher_client, journey, student, wave):
    teacher_client.post(assign_url(journey), {"student": student.pk, "team": wave.pk})
    assert members_of(wave) == [("Minji", True)]


def test_a_student_already_in_a_team_is_not_put_in_a_second(teacher_client, journey, blaze, wave):
    hayun = person_named(blaze, "Hayun")
    teacher_client.post(assign_url(journey), {"student": hayun.pk, "team": wave.pk})
    assert not TeamMember.objects.filter(team=wave).exists()
    [message] = messages_of(teacher_client, journey)
    assert message.startswith(hayun.full_name)
    assert message.endswith("is already in a team in this journey: move them instead.")


def test_a_team_of_another_journey_in_the_post_changes_nothing(
    teacher_client, journey, student, organization
):
    elsewhere = TeamFactory(journey=JourneyFactory(organization=organization))
    teacher_client.post(assign_url(journey), {"student": student.pk, "team": elsewhere.pk})
    assert not TeamMember.objects.exists()
    assert "Choose a team of this journey." in messages_of(teacher_client, journey)


def test_a_student_of_another_journey_in_the_post_changes_nothing(
    teacher_client, journey, blaze, organization
):
    stranger = UserJourneyFactory(journey=JourneyFactory(organization=organization)).user
    teacher_client.post(assign_url(journey), {"student": stranger.pk, "team": blaze.pk})
    assert not TeamMember.objects.filter(user=stranger).exists()
    assert "Choose a student of this journey." in messages_of(teacher_client, journey)


def test_a_teacher_enrolled_in_the_journey_cannot_be_put_in_a_team(
    teacher_client, journey, teacher, blaze
):
    UserJourneyFactory(journey=journey, user=teacher, role_in_journey="teacher")
    teacher_client.post(assign_url(journey), {"student": teacher.pk, "team": blaze.pk})
    assert not TeamMember.objects.filter(user=teacher).exists()


@pytest.mark.parametrize("data", [{}, {"student": "nope", "team": "nope"}])
def test_missing_or_garbage_choices_change_nothing(teacher_client, journey, blaze, data):
    teacher_client.post(assign_url(journey), data)
    assert TeamMember.objects.count() == 2


# --- moving -----------------------------------------------------------------------------------


def test_moving_the_leader_hands_over_the_lead(teacher_client, journey, blaze, wave):
    seojun = person_named(blaze, "Seojun")
    response = teacher_client.post(move_url(journey), {"student": seojun.pk, "team": wave.pk})
    assert response.status_code == 302
    assert members_of(blaze) == [("Hayun", True)]
    assert members_of(wave) == [("Seojun", True)]
    assert "Seojun" in messages_of(teacher_client, journey)[0]


def test_a_student_moved_into_a_led_team_is_a_member(teacher_client, journey, blaze, wave, student):
    member(wave, student, leader=True, minutes_ago=20)
    hayun = person_named(blaze, "Hayun")
    teacher_client.post(move_url(journey), {"student": hayun.pk, "team": wave.pk})
    assert members_of(wave) == [("Minji", True), ("Hayun", False)]
    assert TeamMember.objects.filter(user=hayun).count() == 1


def test_moving_to_the_same_team_is_refused(teacher_client, journey, blaze):
    hayun = person_named(blaze, "Hayun")
    teacher_client.post(move_url(journey), {"student": hayun.pk, "team": blaze.pk})
    assert members_of(blaze) == [("Seojun", True), ("Hayun", False)]
    assert any("is already in Team Blaze" in m for m in messages_of(teacher_client, journey))


def test_moving_a_student_without_a_team_is_refused(teacher_client, journey, student, blaze):
    teacher_client.post(move_url(journey), {"student": student.pk, "team": blaze.pk})
    assert not TeamMember.objects.filter(user=student).exists()
    assert any("is not in a team yet" in m for m in messages_of(teacher_client, journey))


def test_moving_to_a_team_of_another_journey_changes_nothing(
    teacher_client, journey, blaze, organization
):
    elsewhere = TeamFactory(journey=JourneyFactory(organization=organization))
    hayun = person_named(blaze, "Hayun")
    teacher_client.post(move_url(journey), {"student": hayun.pk, "team": elsewhere.pk})
    assert members_of(blaze) == [("Seojun", True), ("Hayun", False)]
    assert not TeamMember.objects.filter(team=elsewhere).exists()


# --- taking out and the leader ------------------------------------------------------------------


def test_removing_the_leader_hands_over_the_lead(teacher_client, journey, blaze):
    seojun = person_named(blaze, "Seojun")
    response = teacher_client.post(remove_url(blaze, seojun))
    assert response.status_code == 302
    assert members_of(blaze) == [("Hayun", True)]
    assert "Seojun" in messages_of(teacher_client, journey)[0]


def test_a_team_emptied_by_a_teacher_stays(teacher_client, journey, wave, student):
    member(wave, student, leader=True)
    teacher_client.post(remove_url(wave, student))
    assert Team.objects.filter(pk=wave.pk).exists() and members_of(wave) == []


def test_removing_someone_not_in_the_team_answers_404(teacher_client, journey, blaze, student):
    assert teacher_client.post(remove_url(blaze, student)).status_code == 404


def test_setting_the_leader_leaves_exactly_one(teacher_client, journey, blaze):
    hayun = person_named(blaze, "Hayun")
    response = teacher_client.post(leader_url(blaze, hayun))
    assert response.status_code == 302
    assert members_of(blaze) == [("Seojun", False), ("Hayun", True)]
    assert "Hayun" in messages_of(teacher_client, journey)[0]


def test_setting_the_leader_to_a_non_member_answers_404(teacher_client, journey, blaze, wave):
    hayun = person_named(blaze, "Hayun")
    assert teacher_client.post(leader_url(wave, hayun)).status_code == 404
    assert members_of(blaze) == [("Seojun", True), ("Hayun", False)]


# --- who may --------------------------------------------------------------------------------------


def every_action(journey, team, person) -> list[tuple[str, dict]]:
    return [
        (create_url(journey), {"name": "Intruders"}),
        (rename_url(team), {"name": "Hacked"}),
        (delete_url(team), {}),
        (assign_url(journey), {"student": person.pk, "team": team.pk}),
        (move_url(journey), {"student": person.pk, "team": team.pk}),
        (remove_url(team, person), {}),
        (leader_url(team, person), {}),
    ]


def snapshot():
    return (
        sorted(Team.objects.values_list("name", flat=True)),
        sorted(TeamMember.objects.values_list("user_id", "team_id", "is_leader")),
    )


@pytest.mark.parametrize("action", range(7))
def test_a_student_posting_to_a_teacher_url_gets_404(client, student, journey, blaze, action):
    hayun = person_named(blaze, "Hayun")
    url, data = every_action(journey, blaze, hayun)[action]
    before = snapshot()
    client.force_login(student)
    assert client.post(url, data).status_code == 404
    assert snapshot() == before


@pytest.mark.parametrize("action", range(7))
def test_another_organizations_admin_gets_404(client, outsider, journey, blaze, action):
    hayun = person_named(blaze, "Hayun")
    url, data = every_action(journey, blaze, hayun)[action]
    before = snapshot()
    client.force_login(outsider)
    assert client.post(url, data).status_code == 404
    assert snapshot() == before


@pytest.mark.parametrize("action", range(7))
def test_teacher_actions_answer_only_post(teacher_client, journey, blaze, action):
    url, _data = every_action(journey, blaze, person_named(blaze, "Hayun"))[action]
    assert teacher_client.get(url).status_code == 405


def test_teacher_actions_need_the_csrf_token(teacher, journey, blaze):
    client = Client(enforce_csrf_checks=True)
    client.force_login(teacher)
    assert client.post(delete_url(blaze)).status_code == 403
    assert Team.objects.filter(pk=blaze.pk).exists()


def test_a_team_of_another_journey_in_the_url_answers_404(teacher_client, journey, organization):
    elsewhere = TeamFactory(journey=JourneyFactory(organization=organization), name="Elsewhere")
    url = reverse("teams:manage_rename", args=[journey.pk, elsewhere.pk])
    assert teacher_client.post(url, {"name": "Hacked"}).status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.name == "Elsewhere"


def test_the_services_refuse_students_and_other_organizations(journey, student, outsider, blaze):
    hayun = person_named(blaze, "Hayun")
    for person in (student, outsider):
        with pytest.raises(PermissionDenied):
            services.team_create_by_teacher(journey=journey, by=person, name="X")
        with pytest.raises(PermissionDenied):
            services.team_leader_set(team=blaze, student=hayun, by=person)
        with pytest.raises(PermissionDenied):
            services.team_delete(team=blaze, by=person)
    assert snapshot()[0] == ["Team Blaze"]


def test_the_services_name_the_student_in_their_errors(journey, teacher, blaze, wave):
    hayun = person_named(blaze, "Hayun")
    with pytest.raises(ValidationError, match="is already in a team in this journey"):
        services.team_member_assign(team=wave, student=hayun, by=teacher)
