"""Grading in real Chromium (issue 7, items 3, 4, 8 and 11): a teacher opens
the queue, grades the oldest submission with the keyboard ("a", feedback,
Ctrl+Enter = save and next) and lands on the next one without a page reload;
then the student, in another browser, sees the result and the feedback on
their post, and their points and new rank on the journey's dashboard."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connections
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Role
from community.models import AchievementStatus, Comment, Post
from points.models import UserPoint
from tests.factories import (
    TEST_PASSWORD,
    JourneyFactory,
    JourneyWeekFactory,
    MissionFactory,
    MissionInstanceFactory,
    PostFactory,
    ProfileFactory,
    UserJourneyFactory,
    UserPointFactory,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("english"),
]

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def week_of_work(organization, student, teacher):
    """The student's submission (the oldest), a classmate's newer one, and the
    classmate ahead on the leaderboard with 5 points from an earlier mission."""
    journey = JourneyFactory(organization=organization, name="Spring Cohort")
    classmate = ProfileFactory(
        organization=organization, role=Role.USER, first_name="Seojun", last_name="Lee"
    )
    for person in (student, classmate):
        UserJourneyFactory(journey=journey, user=person)
    week = JourneyWeekFactory(journey=journey, week_number=1, name="Week 1")
    earlier = MissionInstanceFactory(
        journey_week=week,
        mission=MissionFactory(organization=organization, name="Warm-up", points=5),
        release_date=timezone.now() - dt.timedelta(days=5),
        expiry_date=timezone.now() - dt.timedelta(days=2),
    )
    UserPointFactory(
        post=PostFactory(mission_instance=earlier, user=classmate, achievement_status="achieved"),
        total_points=5,
    )
    instance = MissionInstanceFactory(
        journey_week=week,
        mission=MissionFactory(organization=organization, name="Photo diary", points=10),
    )
    mine = PostFactory(
        mission_instance=instance, user=student, title="My photo diary", content="A *river*."
    )
    theirs = PostFactory(mission_instance=instance, user=classmate, title="Seojun's diary")
    now = timezone.now()
    Post.objects.filter(pk=mine.pk).update(created_at=now - dt.timedelta(hours=2))
    Post.objects.filter(pk=theirs.pk).update(created_at=now - dt.timedelta(hours=1))
    return journey, mine, theirs


@pytest.fixture
def browser_page(chromium, live_server):
    contexts = []

    def open_page(viewport):
        context = chromium.new_context(base_url=live_server.url, locale="en-US", viewport=viewport)
        contexts.append(context)
        page = context.new_page()
        page.problems = []
        page.on("console", lambda m: m.type == "error" and page.problems.append(m.text))
        page.on("pageerror", lambda error: page.problems.append(str(error)))
        return page

    yield open_page
    for context in contexts:
        context.close()
    connections.close_all()


def log_in(page, person) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_login", person.email)
    page.fill("#id_password", TEST_PASSWORD)
    page.press("#id_password", "Enter")
    expect(page).to_have_url(re.compile(r"/home/$"))


def test_a_teacher_grades_from_the_queue_and_the_student_sees_result_points_and_rank(
    browser_page, week_of_work, teacher, student
):
    journey, mine, theirs = week_of_work

    # The teacher opens the queue from the main navigation: oldest first.
    desk = browser_page(DESKTOP)
    log_in(desk, teacher)
    desk.get_by_role("link", name="Grading", exact=True).click()
    expect(desk).to_have_url(re.compile(r"/grading/$"))
    rows = desk.locator(".queue-row")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Minji Kim")
    expect(desk.get_by_text("2 submissions waiting")).to_be_visible()

    rows.first.locator(".queue-row__main").click()
    expect(desk).to_have_url(re.compile(rf"/grading/posts/{mine.pk}/$"))
    expect(desk.get_by_role("heading", name="My photo diary")).to_be_visible()
    expect(desk.locator(".grading-post .prose em")).to_have_text("river")
    desk.evaluate("window.__sameDocument = true")  # gone if the page reloads

    # Keyboard: "a" picks achieved (the score keeps the mission's 10 points),
    # then feedback and Ctrl+Enter: save and next.
    desk.locator("body").press("a")
    expect(desk.locator("#grade-achieved")).to_be_checked()
    expect(desk.locator("#grade-score")).to_have_value("10")
    desk.locator("#grade-feedback").fill("Lovely river, well done!")
    desk.locator("#grade-feedback").press("Control+Enter")

    # The next submission, swapped in by htmx; the address follows it.
    expect(desk).to_have_url(re.compile(rf"/grading/posts/{theirs.pk}/$"))
    expect(desk.get_by_role("heading", name="Seojun's diary")).to_be_visible()
    expect(desk.locator(".grading-flash")).to_contain_text("achieved, 10 PT")
    assert desk.evaluate("window.__sameDocument") is True
    mine.refresh_from_db()
    assert (mine.achievement_status, mine.score, mine.graded_by) == (
        AchievementStatus.ACHIEVED,
        10,
        teacher,
    )
    assert UserPoint.objects.get(post=mine).total_points == 10
    assert Comment.objects.get(post=mine).content == "Lovely river, well done!"

    # "Back" shows the graded post afresh (never a stale copy); "j" goes on
    # to the next one waiting, "k" back to the one before it.
    desk.go_back()
    expect(desk).to_have_url(re.compile(rf"/grading/posts/{mine.pk}/$"))
    expect(desk.locator(".grading-post .status-badge")).to_contain_text("Achieved · 10 PT")
    expect(desk.locator("#grade-achieved")).to_be_checked()
    desk.locator("body").press("j")
    expect(desk).to_have_url(re.compile(rf"/grading/posts/{theirs.pk}/$"))
    expect(desk.get_by_role("heading", name="Seojun's diary")).to_be_visible()

    # A mouse click on "Not achieved" (focus on its radio) and "s" still saves;
    # the untouched score follows the result to 0. The queue is then empty.
    desk.locator("label[for=grade-not-achieved]").click()
    expect(desk.locator("#grade-score")).to_have_value("0")
    desk.keyboard.press("s")
    expect(desk).to_have_url(re.compile(r"/grading/$"))
    expect(desk.get_by_text("Nothing else is waiting in this queue.")).to_be_visible()
    theirs.refresh_from_db()
    assert (theirs.achievement_status, theirs.score) == (AchievementStatus.NOT_ACHIEVED, 0)
    assert desk.problems == []

    # The student, on a phone in another browser, sees the grade and the feedback...
    phone = browser_page(PHONE)
    log_in(phone, student)
    phone.goto(reverse("community:post_detail", args=[journey.pk, mine.pk]))
    expect(phone.locator(".post .status-badge")).to_contain_text("Achieved · 10 PT")
    expect(phone.locator("#comment-list")).to_contain_text("Lovely river, well done!")
    phone.goto(reverse("notifications:inbox"))
    expect(phone.get_by_text(re.compile("graded: achieved, 10 PT"))).to_be_visible()

    # ...and their points and new rank: 10 PT puts them ahead of Seojun's 5.
    phone.goto(reverse("points:dashboard", args=[journey.pk]))
    stats = phone.locator(".stat-list")
    expect(stats).to_contain_text("10 PT")
    expect(stats).to_contain_text("#1 of 2")
    assert phone.problems == []
