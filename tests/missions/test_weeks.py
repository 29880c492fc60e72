"""A journey's weeks, from the plan tab: teachers add, rename, reorder and
delete them; students and other organizations get 404."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from journeys.models import JourneyWeek
from missions.models import JourneyMissionInstance, MissionNotice, NoticeKind
from tests.factories import (
    JourneyFactory,
    JourneyWeekFactory,
    MissionInstanceFactory,
    PostFactory,
)

pytestmark = pytest.mark.usefixtures("english")


def url(name: str, journey, week=None) -> str:
    args = [journey.pk] if week is None else [journey.pk, week.pk]
    return reverse(f"missions:{name}", args=args)


def plan_url(journey) -> str:
    return reverse("missions:plan", args=[journey.pk])


def week_names(journey) -> list[str]:
    return list(
        JourneyWeek.objects.filter(journey=journey)
        .order_by("week_number")
        .values_list("name", flat=True)
    )


@pytest.fixture
def weeks(journey):
    return [
        JourneyWeekFactory(journey=journey, week_number=number, name=f"Part {number}")
        for number in (1, 2, 3)
    ]


# --- access ----------------------------------------------------------------------------------


def week_urls(journey, week) -> list[str]:
    return [
        url("week_create", journey),
        url("week_edit", journey, week),
        url("week_move", journey, week),
        url("week_delete", journey, week),
    ]


def test_a_student_gets_404_on_every_week_url(client, student, journey, weeks):
    client.force_login(student)
    for address in week_urls(journey, weeks[0]):
        assert client.get(address).status_code in (404, 405)
        response = client.post(address, {"name": "Hacked", "direction": "down"})
        assert response.status_code == 404
    assert week_names(journey) == ["Part 1", "Part 2", "Part 3"]


def test_another_organization_gets_404(client, outsider, journey, weeks):
    client.force_login(outsider)
    for address in week_urls(journey, weeks[0]):
        assert client.post(address, {"name": "Hacked", "direction": "down"}).status_code == 404
    assert week_names(journey) == ["Part 1", "Part 2", "Part 3"]


def test_a_week_of_another_journey_answers_404(client, teacher, journey, organization):
    elsewhere = JourneyWeekFactory(journey=JourneyFactory(organization=organization))
    client.force_login(teacher)
    for name in ("week_edit", "week_move", "week_delete", "instance_create"):
        address = reverse(f"missions:{name}", args=[journey.pk, elsewhere.pk])
        assert client.post(address, {"name": "x", "direction": "up"}).status_code == 404
    assert JourneyWeek.objects.filter(pk=elsewhere.pk).exists()


def test_moving_needs_a_post(client, teacher, journey, weeks):
    client.force_login(teacher)
    assert client.get(url("week_move", journey, weeks[0])).status_code == 405


# --- adding ----------------------------------------------------------------------------------


def test_a_teacher_adds_a_week_at_the_end(client, teacher, journey, weeks):
    client.force_login(teacher)

    response = client.post(url("week_create", journey), {"name": "  Demo   day "})

    week = JourneyWeek.objects.get(name="Demo day")
    assert week.week_number == 4
    assert response.status_code == 302
    assert response.url == f"{plan_url(journey)}#week-{week.pk}"


def test_the_first_week_is_number_one(client, teacher, journey):
    client.force_login(teacher)
    client.post(url("week_create", journey), {"name": "Kick-off"})
    assert JourneyWeek.objects.get(journey=journey).week_number == 1


def test_the_next_number_follows_the_last_even_after_a_gap(client, teacher, journey):
    JourneyWeekFactory(journey=journey, week_number=7)
    client.force_login(teacher)
    client.post(url("week_create", journey), {"name": "Next"})
    assert JourneyWeek.objects.get(name="Next").week_number == 8


def test_a_week_needs_a_name(client, teacher, journey, weeks):
    client.force_login(teacher)
    for name in ("", "   "):
        response = client.post(url("week_create", journey), {"name": name})
        assert response.status_code == 200
        assert "Give the week a name." in response.content.decode()
    assert len(week_names(journey)) == 3


def test_the_plan_offers_to_add_a_week_named_after_its_number(client, teacher, journey, weeks):
    client.force_login(teacher)
    page = client.get(plan_url(journey)).content.decode()
    assert url("week_create", journey) in page
    assert 'value="Week 4"' in page


# --- renaming --------------------------------------------------------------------------------


def test_a_teacher_renames_a_week(client, teacher, journey, weeks):
    client.force_login(teacher)
    assert 'value="Part 2"' in client.get(url("week_edit", journey, weeks[1])).content.decode()

    response = client.post(url("week_edit", journey, weeks[1]), {"name": "Data week"})

    assert response.status_code == 302
    assert week_names(journey) == ["Part 1", "Data week", "Part 3"]


def test_renaming_to_nothing_is_refused(client, teacher, journey, weeks):
    client.force_login(teacher)
    response = client.post(url("week_edit", journey, weeks[1]), {"name": " "})
    assert "Give the week a name." in response.content.decode()
    assert week_names(journey) == ["Part 1", "Part 2", "Part 3"]


def test_a_name_too_long_is_refused(client, teacher, journey, weeks):
    client.force_login(teacher)
    response = client.post(url("week_edit", journey, weeks[1]), {"name": "x" * 101})
    assert "at most 100 characters" in response.content.decode()
    assert week_names(journey) == ["Part 1", "Part 2", "Part 3"]


# --- reordering ------------------------------------------------------------------------------


def test_moving_a_week_up_swaps_it_with_the_one_before(client, teacher, journey, weeks):
    client.force_login(teacher)

    response = client.post(url("week_move", journey, weeks[2]), {"direction": "up"})

    assert response.url == f"{plan_url(journey)}#week-{weeks[2].pk}"
    assert week_names(journey) == ["Part 1", "Part 3", "Part 2"]
    assert sorted(JourneyWeek.objects.values_list("week_number", flat=True)) == [1, 2, 3]


def test_moving_a_week_down_swaps_it_with_the_one_after(client, teacher, journey, weeks):
    client.force_login(teacher)
    client.post(url("week_move", journey, weeks[0]), {"direction": "down"})
    assert week_names(journey) == ["Part 2", "Part 1", "Part 3"]


def test_the_first_week_cannot_move_up_nor_the_last_down(client, teacher, journey, weeks):
    client.force_login(teacher)

    first = client.post(url("week_move", journey, weeks[0]), {"direction": "up"}, follow=True)
    last = client.post(url("week_move", journey, weeks[2]), {"direction": "down"}, follow=True)

    assert "This is already the first week." in first.content.decode()
    assert "This is already the last week." in last.content.decode()
    assert week_names(journey) == ["Part 1", "Part 2", "Part 3"]


def test_a_bad_direction_changes_nothing(client, teacher, journey, weeks):
    client.force_login(teacher)
    response = client.post(
        url("week_move", journey, weeks[1]), {"direction": "sideways"}, follow=True
    )
    assert "Move a week up or down." in response.content.decode()
    assert week_names(journey) == ["Part 1", "Part 2", "Part 3"]


def test_weeks_without_numbers_or_with_gaps_still_move(client, teacher, journey):
    JourneyWeekFactory(journey=journey, week_number=2, name="A")
    JourneyWeekFactory(journey=journey, week_number=9, name="B")
    unnumbered = JourneyWeekFactory(journey=journey, week_number=None, name="C")
    client.force_login(teacher)

    client.post(url("week_move", journey, unnumbered), {"direction": "up"})

    assert week_names(journey) == ["A", "C", "B"]
    assert sorted(JourneyWeek.objects.values_list("week_number", flat=True)) == [1, 2, 3]


def test_the_plan_shows_weeks_in_their_new_order(client, teacher, journey, weeks):
    client.force_login(teacher)
    client.post(url("week_move", journey, weeks[2]), {"direction": "up"})
    page = client.get(plan_url(journey)).content.decode()
    assert page.index("Part 1") < page.index("Part 3") < page.index("Part 2")


# --- deleting --------------------------------------------------------------------------------


def test_deleting_a_week_asks_first_then_removes_its_missions(client, teacher, journey, weeks):
    instance = MissionInstanceFactory(journey_week=weeks[1], mission__name="Chart")
    MissionNotice.objects.create(
        mission_instance=instance, profile=teacher, kind=NoticeKind.RELEASED
    )
    client.force_login(teacher)
    page = client.get(url("week_delete", journey, weeks[1])).content.decode()
    assert "Delete this week?" in page and "Chart" in page
    assert JourneyWeek.objects.filter(pk=weeks[1].pk).exists()

    response = client.post(url("week_delete", journey, weeks[1]))

    assert response.status_code == 302 and response.url == plan_url(journey)
    assert week_names(journey) == ["Part 1", "Part 3"]
    assert not JourneyMissionInstance.objects.filter(pk=instance.pk).exists()
    assert instance.mission.__class__.objects.filter(pk=instance.mission_id).exists()


def test_deleting_a_week_closes_the_gap_in_the_numbers(client, teacher, journey, weeks):
    client.force_login(teacher)
    client.post(url("week_delete", journey, weeks[0]))
    numbers = dict(JourneyWeek.objects.values_list("name", "week_number"))
    assert numbers == {"Part 2": 1, "Part 3": 2}


def test_a_week_with_submissions_cannot_be_deleted(client, teacher, journey, weeks):
    instance = MissionInstanceFactory(journey_week=weeks[1])
    MissionInstanceFactory(journey_week=weeks[1])
    PostFactory(mission_instance=instance)
    client.force_login(teacher)

    page = client.get(url("week_delete", journey, weeks[1])).content.decode()
    assert "This week cannot be deleted" in page

    response = client.post(url("week_delete", journey, weeks[1]), follow=True)

    assert "have 1 submission, so it cannot be deleted." in response.content.decode()
    assert week_names(journey) == ["Part 1", "Part 2", "Part 3"]
    assert JourneyMissionInstance.objects.filter(journey_week=weeks[1]).count() == 2


# --- the plan tab's controls --------------------------------------------------------------------


def test_teachers_get_week_controls_on_the_plan(client, teacher, journey, weeks):
    client.force_login(teacher)
    page = client.get(plan_url(journey)).content.decode()
    for week in weeks:
        assert url("week_edit", journey, week) in page
        assert url("week_move", journey, week) in page
        assert url("week_delete", journey, week) in page
        assert url("instance_create", journey, week) in page
    # The first week cannot go up, the last cannot go down.
    assert page.count("disabled") == 2


def test_students_see_no_teacher_controls(client, student, journey, weeks):
    MissionInstanceFactory(journey_week=weeks[0])
    client.force_login(student)
    page = client.get(plan_url(journey)).content.decode()
    assert "/schedule/" not in page
    assert "week-tools" not in page and "mission-manage" not in page and "week-add" not in page


def test_changes_need_the_csrf_token(teacher, journey, weeks):
    client = Client(enforce_csrf_checks=True)
    client.force_login(teacher)
    for address in week_urls(journey, weeks[1]):
        response = client.post(address, {"name": "No token", "direction": "up"})
        assert response.status_code == 403
    assert week_names(journey) == ["Part 1", "Part 2", "Part 3"]
