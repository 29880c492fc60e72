"""The plan tab: weeks in order, each mission with its dates on my calendar, its
deadline label, points, my status and what I can do with it."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Profile
from community.models import AchievementStatus
from tests.factories import (
    JourneyFactory,
    JourneyWeekFactory,
    MissionInstanceFactory,
    PostFactory,
    ProfileFactory,
    TeamFactory,
    TeamMemberFactory,
    UserJourneyFactory,
)

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def journey(student):
    return UserJourneyFactory(user=student, journey__organization=student.organization).journey


def plan_url(journey) -> str:
    return reverse("missions:plan", args=[journey.pk])


def plan_page(client, person, journey) -> str:
    client.force_login(person)
    response = client.get(plan_url(journey))
    assert response.status_code == 200
    return response.content.decode()


def mission_card(page: str, instance) -> str:
    """The HTML of one instance's card."""
    match = re.search(rf'<li[^>]*id="mission-{instance.pk}".*?</li>', page, re.S)
    assert match, f"no card for {instance}"
    return match.group(0)


def open_instance(journey, **fields):
    return MissionInstanceFactory(journey_week__journey=journey, **fields)


# --- access -----------------------------------------------------------------------------


def test_the_journey_address_opens_the_plan(client, student, journey):
    client.force_login(student)
    response = client.get(reverse("journeys:detail", args=[journey.pk]))
    assert response.status_code == 302 and response.url == plan_url(journey)


def test_a_journey_i_am_not_in_answers_404(client, student, organization, outsider):
    not_mine = JourneyFactory(organization=organization)
    foreign = JourneyFactory(organization=outsider.organization)
    client.force_login(student)
    for journey in (not_mine, foreign):
        assert client.get(plan_url(journey)).status_code == 404
        assert client.get(reverse("journeys:detail", args=[journey.pk])).status_code == 404


def test_a_teacher_of_another_academy_gets_404(client, outsider, journey):
    client.force_login(outsider)
    assert client.get(plan_url(journey)).status_code == 404


def test_the_plan_needs_a_log_in(client, journey):
    response = client.get(plan_url(journey))
    assert response.status_code == 302 and "/accounts/login/" in response.url


# --- layout --------------------------------------------------------------------------------


def test_weeks_come_in_week_number_order_with_their_missions(client, student, journey):
    for number in (3, 1, 2):
        week = JourneyWeekFactory(journey=journey, week_number=number, name=f"Part {number}")
        MissionInstanceFactory(journey_week=week, mission__name=f"Task of part {number}")

    page = plan_page(client, student, journey)

    positions = [page.index(f"Part {n}") for n in (1, 2, 3)]
    assert positions == sorted(positions)
    tasks = [page.index(f"Task of part {n}") for n in (1, 2, 3)]
    assert tasks == sorted(tasks)
    assert positions[0] < tasks[0] < positions[1] < tasks[1] < positions[2]


def test_a_week_without_missions_says_so(client, student, journey):
    JourneyWeekFactory(journey=journey, name="Kick-off")
    page = plan_page(client, student, journey)
    assert "Kick-off" in page and "No missions in this week yet." in page


def test_an_empty_plan_explains_itself(client, student, journey):
    assert "The plan is empty for now." in plan_page(client, student, journey)


def test_a_mission_shows_name_type_points_and_its_description_safely(client, student, journey):
    instance = open_instance(
        journey,
        mission__name="Bike chart",
        mission__points=30,
        mission__mission_type="individual",
        mission__description=(
            "Draw **one** chart.<script>alert(1)</script>"
            '<img src=x onerror="alert(2)"> [link](javascript:alert(3))'
        ),
    )
    team = open_instance(journey, mission__mission_type="team", mission__name="Team pitch")

    page = plan_page(client, student, journey)

    card = mission_card(page, instance)
    assert "Bike chart" in card and "30 PT" in card
    assert "mission-type--individual" in card and ">Individual<" in card
    assert "<details" in card and "<strong>one</strong>" in card
    assert "<script" not in card and "onerror" not in card and "javascript:" not in card
    assert ">Team<" in mission_card(page, team)


def test_dates_are_shown_on_my_calendar(client, student, journey):
    # Everyone's calendar is Asia/Seoul for now (sqeeze.middleware.UserTimezoneMiddleware).
    now = timezone.now()
    # Release at 00:30 UTC (09:30 in Seoul); close at 15:00 UTC (midnight in Seoul).
    release = (now - dt.timedelta(days=2)).replace(hour=0, minute=30, second=0, microsecond=0)
    expiry = (now + dt.timedelta(days=5)).replace(hour=15, minute=0, second=0, microsecond=0)
    instance = open_instance(journey, release_date=release, expiry_date=expiry)

    card = mission_card(plan_page(client, student, journey), instance)

    seoul_release = release.astimezone(ZoneInfo("Asia/Seoul"))
    seoul_expiry = expiry.astimezone(ZoneInfo("Asia/Seoul"))
    assert f"{seoul_release.month}/{seoul_release.day} 09:30" in card
    assert f"{seoul_expiry.month}/{seoul_expiry.day} 00:00" in card


def test_deadline_labels_for_open_closing_today_closed_and_future_missions(
    client, student, journey
):
    now = timezone.now()
    in_days = open_instance(journey, expiry_date=now + dt.timedelta(days=3, hours=1))
    closed = open_instance(
        journey, release_date=now - dt.timedelta(days=9), expiry_date=now - dt.timedelta(days=2)
    )
    future = open_instance(
        journey, release_date=now + dt.timedelta(days=2), expiry_date=now + dt.timedelta(days=9)
    )

    page = plan_page(client, student, journey)

    assert re.search(r"D-[34]<", mission_card(page, in_days))
    assert "Closed" in mission_card(page, closed)
    future_card = mission_card(page, future)
    seoul = timezone.localtime(future.release_date, ZoneInfo("Asia/Seoul"))
    assert f"Opens {seoul.month}/{seoul.day} {seoul:%H:%M}" in future_card
    assert "Submit" not in mission_card(page, closed) and "Submit" not in future_card


# --- my status and what I can do ------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "badge", "label"),
    [
        (None, "not_started", "Not submitted"),
        (AchievementStatus.PENDING, "submitted", "Submitted"),
        (AchievementStatus.ACHIEVED, "achieved", "Achieved"),
        (AchievementStatus.NOT_ACHIEVED, "not_achieved", "Not achieved"),
    ],
)
def test_my_status_on_each_mission_is_a_coloured_badge(
    client, student, journey, status, badge, label
):
    instance = open_instance(journey)
    if status is not None:
        PostFactory(mission_instance=instance, user=student, achievement_status=status)

    card = mission_card(plan_page(client, student, journey), instance)

    assert re.search(rf'progress-badge--{badge}">\s*{label}\s*<', card)


@pytest.mark.parametrize("language", ["en", "ko"])
def test_a_closed_mission_i_never_submitted_says_not_submitted(client, student, journey, language):
    """Not "Not started" (시작 전) beside "Closed" (종료됨), as a student who
    joined late used to read."""
    now = timezone.now()
    closed = open_instance(
        journey, release_date=now - dt.timedelta(days=9), expiry_date=now - dt.timedelta(days=2)
    )
    Profile.objects.filter(pk=student.pk).update(language=language)
    card = mission_card(plan_page(client, student, journey), closed)
    label = {"en": "Not submitted", "ko": "미제출"}[language]
    assert re.search(rf'progress-badge--not_started">\s*{label}\s*<', card)
    assert "Not started" not in card and "시작 전" not in card


def test_an_open_mission_i_have_not_submitted_offers_the_submit_button(client, student, journey):
    instance = open_instance(journey)
    card = mission_card(plan_page(client, student, journey), instance)
    assert reverse("community:submit", args=[journey.pk, instance.pk]) in card
    assert "View my submission" not in card


def test_a_submitted_mission_links_to_my_submission_instead(client, student, journey):
    instance = open_instance(journey)
    post = PostFactory(mission_instance=instance, user=student)

    card = mission_card(plan_page(client, student, journey), instance)

    assert reverse("community:post_detail", args=[journey.pk, post.pk]) in card
    assert "View my submission" in card
    assert reverse("community:submit", args=[journey.pk, instance.pk]) not in card
    assert "Resubmit" not in card


def test_a_not_achieved_open_mission_offers_to_resubmit(client, student, journey):
    instance = open_instance(journey)
    post = PostFactory(
        mission_instance=instance, user=student, achievement_status=AchievementStatus.NOT_ACHIEVED
    )
    card = mission_card(plan_page(client, student, journey), instance)
    assert reverse("community:post_edit", args=[journey.pk, post.pk]) in card
    assert "Resubmit" in card


def test_a_not_achieved_closed_mission_cannot_be_resubmitted(client, student, journey):
    now = timezone.now()
    instance = open_instance(
        journey, release_date=now - dt.timedelta(days=9), expiry_date=now - dt.timedelta(hours=1)
    )
    PostFactory(
        mission_instance=instance, user=student, achievement_status=AchievementStatus.NOT_ACHIEVED
    )
    card = mission_card(plan_page(client, student, journey), instance)
    assert "Resubmit" not in card and "View my submission" in card


def test_a_team_mission_without_a_team_points_to_the_team_tab(client, student, journey):
    instance = open_instance(journey, mission__mission_type="team")

    card = mission_card(plan_page(client, student, journey), instance)

    assert reverse("teams:index", args=[journey.pk]) in card
    assert "Create or join a team" in card
    assert reverse("community:submit", args=[journey.pk, instance.pk]) not in card


def test_a_team_mission_shows_my_teams_submission(client, student, journey):
    instance = open_instance(journey, mission__mission_type="team")
    team = TeamFactory(journey=journey)
    TeamMemberFactory(team=team, user=student)
    teammate = TeamMemberFactory(team=team, user__organization=journey.organization).user
    post = PostFactory(mission_instance=instance, user=teammate, team=team, is_team_submission=True)

    card = mission_card(plan_page(client, student, journey), instance)

    assert "progress-badge--submitted" in card
    assert reverse("community:post_detail", args=[journey.pk, post.pk]) in card
    assert "Create or join a team" not in card


def test_with_a_team_i_can_submit_a_team_mission(client, student, journey):
    instance = open_instance(journey, mission__mission_type="team")
    TeamMemberFactory(team=TeamFactory(journey=journey), user=student)
    card = mission_card(plan_page(client, student, journey), instance)
    assert reverse("community:submit", args=[journey.pk, instance.pk]) in card


def test_a_classmates_submission_is_not_my_status(client, student, journey):
    instance = open_instance(journey)
    PostFactory(mission_instance=instance, achievement_status=AchievementStatus.ACHIEVED)
    card = mission_card(plan_page(client, student, journey), instance)
    assert "progress-badge--not_started" in card


def test_teachers_see_the_plan_without_personal_status_or_submit_buttons(client, teacher, journey):
    instance = open_instance(journey, mission__name="Bike chart")
    card = mission_card(plan_page(client, teacher, journey), instance)
    assert "Bike chart" in card
    assert "progress-badge" not in card
    assert "Submit" not in card and "View my submission" not in card


# --- query count ---------------------------------------------------------------------------


def fill_plan(journey, student, *, weeks: int, per_week: int) -> None:
    team = TeamFactory(journey=journey)
    TeamMemberFactory(team=team, user=student)
    for _ in range(weeks):
        week = JourneyWeekFactory(journey=journey)
        for index in range(per_week):
            instance = MissionInstanceFactory(
                journey_week=week, mission__mission_type="team" if index % 2 else "individual"
            )
            if index % 2:
                PostFactory(
                    mission_instance=instance, user=student, team=team, is_team_submission=True
                )
            else:
                PostFactory(mission_instance=instance, user=student)
            PostFactory(mission_instance=instance)  # a classmate's


@pytest.mark.parametrize("viewer", ["student", "teacher"])
def test_the_plan_runs_the_same_queries_for_few_and_many_missions(
    client, request, viewer, journey, student, django_assert_num_queries
):
    person = request.getfixturevalue(viewer)
    fill_plan(journey, student, weeks=1, per_week=1)
    client.force_login(person)
    client.get(plan_url(journey))  # warm up: the session row
    with django_assert_num_queries(7 if viewer == "student" else 5) as few:
        client.get(plan_url(journey))

    fill_plan(journey, student, weeks=5, per_week=6)
    ProfileFactory.create_batch(3, organization=journey.organization)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(plan_url(journey))
    assert len(list(response.context["plan"].instances)) == 31


# --- cards drawn once per process (core.fragments) ------------------------------------


@pytest.mark.usefixtures("kept_fragments")
def test_a_kept_card_follows_my_submission_and_its_grade(client, student, journey):
    instance = open_instance(journey)
    assert "progress-badge--not_started" in mission_card(
        plan_page(client, student, journey), instance
    )

    post = PostFactory(mission_instance=instance, user=student)
    assert "View my submission" in mission_card(plan_page(client, student, journey), instance)

    type(post).objects.filter(pk=post.pk).update(achievement_status=AchievementStatus.NOT_ACHIEVED)
    assert "Resubmit" in mission_card(plan_page(client, student, journey), instance)


@pytest.mark.usefixtures("kept_fragments")
def test_a_kept_card_is_never_another_students(client, student, journey):
    classmate = UserJourneyFactory(journey=journey, user__organization=journey.organization).user
    instance = open_instance(journey)
    post = PostFactory(mission_instance=instance, user=student)
    mine = mission_card(plan_page(client, student, journey), instance)
    assert reverse("community:post_detail", args=[journey.pk, post.pk]) in mine

    theirs = mission_card(plan_page(client, classmate, journey), instance)
    assert "progress-badge--not_started" in theirs
    assert reverse("community:post_detail", args=[journey.pk, post.pk]) not in theirs


@pytest.mark.usefixtures("kept_fragments")
def test_a_kept_card_follows_an_edited_mission_and_the_clock(client, student, journey):
    now = timezone.now()
    instance = open_instance(
        journey,
        mission__name="First name",
        release_date=now + dt.timedelta(minutes=1),
        expiry_date=now + dt.timedelta(days=3),
    )
    assert "Opens" in mission_card(plan_page(client, student, journey), instance)

    instance.mission.name = "Second name"
    instance.mission.save()
    type(instance).objects.filter(pk=instance.pk).update(release_date=now - dt.timedelta(hours=1))

    card = mission_card(plan_page(client, student, journey), instance)
    assert "Second name" in card and "First name" not in card
    assert "Opens" not in card and "D-" in card
