"""The mission library at /missions/: teachers and admins of an organization list,
write, preview and delete its mission templates; nobody else sees it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from community.models import AchievementStatus
from missions.models import Mission, MissionType
from tests.factories import MissionFactory, MissionInstanceFactory, PostFactory

pytestmark = pytest.mark.usefixtures("english")

LIBRARY = reverse("missions:library")
CREATE = reverse("missions:create")


def edit_url(mission) -> str:
    return reverse("missions:edit", args=[mission.pk])


def delete_url(mission) -> str:
    return reverse("missions:delete", args=[mission.pk])


def valid_fields(**overrides) -> dict:
    fields = {
        "name": "Bike chart",
        "mission_type": "individual",
        "points": "30",
        "description": "Draw **one** chart.",
    }
    fields.update(overrides)
    return fields


@pytest.fixture
def mission(organization):
    return MissionFactory(organization=organization, name="Prompt e-mail", points=20)


# --- access -------------------------------------------------------------------------------


@pytest.mark.parametrize("person", ["teacher", "admin_user"])
def test_teachers_and_admins_see_their_organizations_library(client, request, person, mission):
    MissionFactory(name="Someone else's template")  # another organization
    client.force_login(request.getfixturevalue(person))

    response = client.get(LIBRARY)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Prompt e-mail" in page
    assert "Someone else&#x27;s template" not in page and "Someone else's template" not in page


def test_students_get_404_on_every_library_url(client, student, mission):
    client.force_login(student)
    for url in (LIBRARY, CREATE, edit_url(mission), delete_url(mission)):
        assert client.get(url).status_code == 404
    for url in (CREATE, edit_url(mission), delete_url(mission), reverse("missions:preview")):
        assert client.post(url, valid_fields()).status_code == 404
    assert Mission.objects.count() == 1
    assert Mission.objects.get().name == "Prompt e-mail"


def test_a_mission_of_another_organization_answers_404(client, outsider, mission):
    client.force_login(outsider)
    assert client.get(edit_url(mission)).status_code == 404
    assert client.post(edit_url(mission), valid_fields(name="Stolen")).status_code == 404
    assert client.get(delete_url(mission)).status_code == 404
    assert client.post(delete_url(mission)).status_code == 404
    mission.refresh_from_db()
    assert mission.name == "Prompt e-mail"


def test_the_library_needs_a_log_in(client):
    response = client.get(LIBRARY)
    assert response.status_code == 302 and "/accounts/login/" in response.url


# --- the list ---------------------------------------------------------------------------------


def test_each_mission_shows_type_points_and_how_often_it_is_scheduled(
    client, teacher, organization
):
    team = MissionFactory(
        organization=organization, name="Team pitch", mission_type="team", points=40
    )
    MissionInstanceFactory.create_batch(
        3, mission=team, journey_week__journey__organization=organization
    )
    MissionFactory(organization=organization, name="Unused", points=0)
    client.force_login(teacher)

    page = client.get(LIBRARY).content.decode()

    team_card = page[page.index(f'id="mission-{team.pk}"') :]
    team_card = team_card[: team_card.index("</li>")]
    assert "Team pitch" in team_card and ">Team<" in team_card and "40 PT" in team_card
    assert "Scheduled 3 times" in team_card
    assert "Not scheduled yet" in page and "0 PT" in page


def test_an_empty_library_invites_to_write_the_first_mission(client, teacher):
    client.force_login(teacher)
    page = client.get(LIBRARY).content.decode()
    assert "The library is empty." in page and CREATE in page


def test_the_library_runs_the_same_queries_for_few_and_many_missions(
    client, teacher, organization, django_assert_num_queries
):
    MissionInstanceFactory(
        mission__organization=organization, journey_week__journey__organization=organization
    )
    client.force_login(teacher)
    client.get(LIBRARY)  # warm up: the session row
    with django_assert_num_queries(3) as few:
        client.get(LIBRARY)

    for index in range(25):
        mission = MissionFactory(organization=organization, description=f"Do thing {index}")
        MissionInstanceFactory.create_batch(
            2, mission=mission, journey_week__journey__organization=organization
        )
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(LIBRARY)
    assert len(response.context["missions"]) == 26


# --- creating ---------------------------------------------------------------------------------


def test_a_teacher_adds_a_mission_to_the_library(client, teacher, organization):
    client.force_login(teacher)

    response = client.post(CREATE, valid_fields(mission_type="team"))

    mission = Mission.objects.get()
    assert response.status_code == 302 and response.url.startswith(LIBRARY)
    assert (mission.name, mission.mission_type, mission.points) == ("Bike chart", "team", 30)
    assert mission.description == "Draw **one** chart."
    assert mission.organization == organization


def test_the_form_offers_name_type_points_and_description(client, teacher):
    client.force_login(teacher)
    page = client.get(CREATE).content.decode()
    for name in ("name", "mission_type", "points", "description"):
        assert f'name="{name}"' in page
    assert 'value="individual"' in page and 'value="team"' in page


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": ""}, "Give the mission a name."),
        ({"name": "   "}, "Give the mission a name."),
        ({"points": "-1"}, "Points cannot be below zero."),
        ({"points": "ten"}, "Points must be a whole number, like 10."),
        ({"points": "2.5"}, "Points must be a whole number, like 10."),
        ({"points": ""}, "Enter the points (0 for none)."),
        ({"points": "10000000000"}, "Points can be at most 10000."),
        ({"mission_type": "solo"}, "Select a valid choice"),
        ({"mission_type": ""}, "Choose individual or team."),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(client, teacher, fields, message):
    client.force_login(teacher)

    response = client.post(CREATE, valid_fields(**fields))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Mission.objects.exists()


def test_zero_points_is_fine(client, teacher):
    client.force_login(teacher)
    client.post(CREATE, valid_fields(points="0"))
    assert Mission.objects.get().points == 0


def test_after_saving_it_goes_back_to_a_page_of_ours_only(client, teacher):
    client.force_login(teacher)
    back = "/journeys/some/schedule/"
    response = client.post(CREATE, {**valid_fields(), "next": back})
    # The schedule form it came from gets the new mission preselected.
    assert response.url == f"{back}?mission={Mission.objects.get().pk}"

    response = client.post(CREATE, {**valid_fields(name="Other"), "next": "https://evil.test/"})
    assert response.url.startswith(LIBRARY)


# --- the Markdown preview ---------------------------------------------------------------------


def test_the_preview_button_shows_the_rendered_description_without_saving(client, teacher):
    client.force_login(teacher)

    response = client.post(
        CREATE,
        valid_fields(description="Use **bold**<script>alert(1)</script>", preview="1"),
    )

    page = response.content.decode()
    assert response.status_code == 200 and not Mission.objects.exists()
    assert "<strong>bold</strong>" in page and "<script>alert(1)" not in page
    # The form keeps what was typed.
    assert "Use **bold**" in page


def test_the_htmx_preview_returns_only_the_rendered_description(client, teacher):
    client.force_login(teacher)

    response = client.post(
        reverse("missions:preview"),
        {"description": "- one\n- two\n\n[x](javascript:alert(1))"},
        HTTP_HX_REQUEST="true",
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "<li>one</li>" in page and "javascript:" not in page
    assert "<html" not in page


def test_the_preview_needs_a_post(client, teacher):
    client.force_login(teacher)
    assert client.get(reverse("missions:preview")).status_code == 405


# --- editing ---------------------------------------------------------------------------------


def test_the_edit_form_starts_from_the_mission(client, teacher, mission):
    client.force_login(teacher)
    page = client.get(edit_url(mission)).content.decode()
    assert 'value="Prompt e-mail"' in page and 'value="20"' in page


def test_a_teacher_edits_a_mission(client, teacher, mission):
    client.force_login(teacher)

    response = client.post(edit_url(mission), valid_fields(name="Prompt e-mail v2", points="25"))

    assert response.status_code == 302
    mission.refresh_from_db()
    assert (mission.name, mission.points) == ("Prompt e-mail v2", 25)


def test_bad_points_on_edit_change_nothing(client, teacher, mission):
    client.force_login(teacher)
    response = client.post(edit_url(mission), valid_fields(points="-5"))
    assert "Points cannot be below zero." in response.content.decode()
    mission.refresh_from_db()
    assert (mission.name, mission.points) == ("Prompt e-mail", 20)


def test_the_type_of_a_mission_with_submissions_cannot_change(client, teacher, mission):
    PostFactory(
        mission_instance=MissionInstanceFactory(
            mission=mission, journey_week__journey__organization=mission.organization
        )
    )
    client.force_login(teacher)

    response = client.post(edit_url(mission), valid_fields(mission_type="team"))

    assert response.status_code == 200
    assert "its type cannot change" in response.content.decode()
    mission.refresh_from_db()
    assert mission.mission_type == MissionType.INDIVIDUAL and mission.name == "Prompt e-mail"


def test_other_fields_of_a_mission_with_submissions_can_change(client, teacher, mission):
    PostFactory(
        mission_instance=MissionInstanceFactory(
            mission=mission, journey_week__journey__organization=mission.organization
        ),
        achievement_status=AchievementStatus.ACHIEVED,
    )
    client.force_login(teacher)
    client.post(edit_url(mission), valid_fields(name="Better name"))
    mission.refresh_from_db()
    assert mission.name == "Better name"


# --- deleting --------------------------------------------------------------------------------


def test_an_unscheduled_mission_is_deleted_after_confirming(client, teacher, mission):
    client.force_login(teacher)
    page = client.get(delete_url(mission)).content.decode()
    assert "Delete this mission?" in page

    response = client.post(delete_url(mission))

    assert response.status_code == 302 and response.url == LIBRARY
    assert not Mission.objects.filter(pk=mission.pk).exists()


def test_a_scheduled_mission_cannot_be_deleted(client, teacher, mission):
    instance = MissionInstanceFactory(
        mission=mission, journey_week__journey__organization=mission.organization
    )
    client.force_login(teacher)

    page = client.get(delete_url(mission)).content.decode()
    assert "This mission cannot be deleted yet" in page
    assert instance.journey_week.journey.name in page
    assert 'type="submit"' not in page.split('class="card confirm-card"')[1]

    response = client.post(delete_url(mission), follow=True)

    assert Mission.objects.filter(pk=mission.pk).exists()
    assert (
        "is scheduled in 1 week. Detach it there before deleting it." in response.content.decode()
    )


def test_the_delete_url_needs_a_post_to_delete(client, teacher, mission):
    client.force_login(teacher)
    client.get(delete_url(mission))
    assert Mission.objects.filter(pk=mission.pk).exists()
