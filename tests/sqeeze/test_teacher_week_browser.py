"""A teacher's week in real Chromium (issue 7, item 11): the teacher schedules a
mission from the plan, a student submits it on a phone, the teacher grades the
queue with "save and next", and the student sees the result, the points and the
new rank. Everything goes through the pages; nothing is set up behind the
browser's back once the journey exists.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import pytest
from django.conf import settings
from django.db import connections
from django.utils import timezone
from playwright.sync_api import expect

from community.models import AchievementStatus, Post
from missions.models import JourneyMissionInstance, Mission, MissionStatus, MissionType
from points.models import UserPoint
from tests.factories import TEST_PASSWORD, MissionFactory, PostFactory
from tests.scenarios import Classmate, ClassScenario, MissionAt

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def classroom(organization, student, teacher):
    """A journey with a warm-up the classmate has already submitted, and a
    "Photo diary" mission in the library, not yet scheduled."""
    today = timezone.localdate()
    scenario = ClassScenario.build(
        organization,
        journey_name="Spring Cohort",
        journey_dates=(today - dt.timedelta(days=3), today + dt.timedelta(days=25)),
        students={"student": student, "classmate": Classmate("Jisoo", "Park")},
        teacher=teacher,
        missions=(
            MissionAt(
                "Warm-up",
                points=10,
                opens=-dt.timedelta(days=2),
                closes=dt.timedelta(days=2),
                extra={"status": MissionStatus.IN_PROGRESS},
            ),
        ),
    )
    journey, classmate = scenario.journey, scenario.students["classmate"]
    [warm_up] = scenario.missions
    now = timezone.now()
    PostFactory(
        journey=journey,
        mission_instance=warm_up,
        user=classmate,
        title="Jisoo's warm-up",
        created_at=now - dt.timedelta(hours=5),
    )
    MissionFactory(
        organization=organization,
        name="Photo diary",
        mission_type=MissionType.INDIVIDUAL,
        points=10,
    )
    return journey


@pytest.fixture
def contexts():
    """Browser contexts opened by the test, closed even when it fails (an open
    one would keep a database connection and block the test database's drop)."""
    opened = []
    yield opened
    for context in opened:
        context.close()
    connections.close_all()


def logged_in(chromium, live_server, contexts, person, viewport):
    context = chromium.new_context(base_url=live_server.url, locale="en-US", viewport=viewport)
    contexts.append(context)
    page = context.new_page()
    page.problems = []
    page.on("console", lambda m: m.type == "error" and page.problems.append(m.text))
    page.on("pageerror", lambda error: page.problems.append(str(error)))
    page.goto("/accounts/login/")
    page.fill("#id_login", person.email)
    page.fill("#id_password", TEST_PASSWORD)
    page.press("#id_password", "Enter")
    expect(page).to_have_url(re.compile(r"/home/$"))
    return page


def local_input(moment: dt.datetime) -> str:
    """A datetime-local value on the teacher's calendar (the default zone)."""
    zone = zoneinfo.ZoneInfo(settings.DEFAULT_USER_TIMEZONE)
    return moment.astimezone(zone).strftime("%Y-%m-%dT%H:%M")


def test_a_teacher_schedules_grades_and_the_student_sees_points_and_rank(
    chromium, live_server, contexts, classroom, teacher, student
):
    journey = classroom
    desk = logged_in(chromium, live_server, contexts, teacher, {"width": 1280, "height": 900})
    phone = logged_in(chromium, live_server, contexts, student, {"width": 390, "height": 844})

    # The teacher schedules "Photo diary" into week 1 from the plan.
    desk.goto(f"/journeys/{journey.pk}/plan/")
    desk.get_by_role("link", name=re.compile("Schedule a mission")).click()
    photo_diary = Mission.objects.get(organization=journey.organization, name="Photo diary")
    desk.get_by_label("Mission").select_option(value=str(photo_diary.pk))
    now = timezone.now()
    desk.locator("input[name=release_date]").fill(local_input(now - dt.timedelta(hours=1)))
    desk.locator("input[name=expiry_date]").fill(local_input(now + dt.timedelta(days=3)))
    desk.get_by_role("button", name="Schedule", exact=True).click()
    expect(desk).to_have_url(re.compile(rf"/journeys/{journey.pk}/plan/"))
    instance = JourneyMissionInstance.objects.get(journey=journey, mission__name="Photo diary")
    assert instance.status == MissionStatus.IN_PROGRESS

    # The student submits it on the phone.
    phone.goto(f"/journeys/{journey.pk}/plan/")
    phone.locator(f"#mission-{instance.pk}").get_by_role("link", name="Submit").click()
    phone.get_by_label("Title").fill("River at dawn")
    phone.get_by_label("Content").fill("Three photos of the river.")
    phone.get_by_role("button", name="Submit", exact=True).click()
    expect(phone.get_by_role("heading", name="River at dawn")).to_be_visible()
    mine = Post.objects.get(user=student, mission_instance=instance)

    # The teacher grades the queue, oldest first: the classmate's warm-up with
    # the keyboard, then "save and next" lands on the student's post.
    desk.goto("/grading/")
    desk.get_by_role("link", name=re.compile("Warm-up")).first.click()
    expect(desk.get_by_role("heading", name="Jisoo's warm-up")).to_be_visible()
    desk.locator("body").press("a")
    expect(desk.locator("#grade-achieved")).to_be_checked()
    desk.locator("body").press("s")
    expect(desk).to_have_url(re.compile(rf"/grading/posts/{mine.pk}/"))
    expect(desk.get_by_role("heading", name="River at dawn")).to_be_visible()
    desk.locator("body").press("a")
    expect(desk.locator("#grade-achieved")).to_be_checked()
    desk.locator("#grade-score").fill("8")
    desk.get_by_role("button", name=re.compile("Save and next")).click()
    expect(desk.get_by_text("Nothing is waiting for grading.")).to_be_visible()
    mine.refresh_from_db()
    assert mine.achievement_status == AchievementStatus.ACHIEVED and mine.score == 8
    assert UserPoint.objects.get(profile=student, mission_instance=instance).total_points == 8

    # The student sees the result, the points and the rank (the classmate has 10).
    phone.goto(f"/journeys/{journey.pk}/posts/{mine.pk}/")
    expect(phone.locator("body")).to_contain_text("Achieved")
    phone.goto(f"/journeys/{journey.pk}/dashboard/")
    expect(phone.locator("body")).to_contain_text("#2 of 2")
    expect(phone.locator("body")).to_contain_text("8 PT")

    assert desk.problems == [] and phone.problems == []
