"""axe-core on every main page of each role (issue 12, item 9; DESIGN.md "Tests"):
a visitor, a student, a teacher and an admin of one academy open their pages in
real Chromium, in Korean (the site's default), on the demo academy
(``sqeeze.demo``: journeys with past, open and upcoming missions, posts graded
achieved and not achieved, comments, likes, teams, points, unread
notifications), plus a mission closing today for the student to submit.

No page may have a violation whose impact is "serious" or "critical". The test
visits every page, collects what axe reports and fails once, with a report that
names per page the rule, its impact, its help text and the selectors of the
failing nodes. A few steps act before checking (a form sent back with an error,
a submission and its flash message, the phone menu opened), since those states
have their own markup.

axe-core comes bundled with ``axe-playwright-python`` and is evaluated in the
page through Playwright's DevTools connection: nothing is fetched from a CDN,
and the site's Content-Security-Policy needs no exception.

Django admin is held to the same rule, except where Django's own admin markup
breaks it: ``DJANGO_ADMIN_EXCEPTIONS`` lists each such rule with the part of the
page it is allowed in and why; it is ignored there, on /admin/ pages only.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.cache import cache
from django.db import connections
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import Organization, Profile, Role
from community.models import AchievementStatus, Like, Post
from insights import counting
from insights.reports import GroupInput, ReportInput, report_save, scope_of
from journeys.models import Journey, JourneyWeek
from missions.models import JourneyMissionInstance, Mission, MissionStatus
from missions.questions import QuestionInput, question_add
from sqeeze.demo import DEMO_PASSWORD, seed_demo
from tests.community.builders import (
    attachment_storage_fixture,  # noqa: F401 (a fixture)
    post_url,
)
from tests.factories import TEST_PASSWORD, MissionInstanceFactory, ProfileFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
FAILING_IMPACTS = ("critical", "serious")
NODES_SHOWN = 5

# Violations in Django's own admin markup, ignored on /admin/ pages only:
# {rule id: (the part of the page they are allowed in, why it is Django's and not ours)}.
DJANGO_ADMIN_EXCEPTIONS: dict[str, tuple[str, str]] = {
    "link-in-text-block": (
        ".breadcrumbs",
        "admin/css/base.css colours breadcrumb links without underlining them",
    ),
    "label": (
        ".tabular",
        "TabularInline (admin/edit_inline/tabular.html) names its inputs by column "
        "headers only, without a <label> per input",
    ),
    "aria-input-field-name": (
        ".select2-container",
        "the autocomplete widget (autocomplete_fields, Django's bundled Select2) renders "
        "a role=combobox without an accessible name",
    ),
}

# A step opens a URL, or acts on the page it is given and leaves it where axe should look.
Step = tuple[str, str | Callable[[Page], None]]


@dataclass(frozen=True)
class Demo:
    student: Profile
    teacher: Profile
    admin: Profile
    journey: Journey
    due_today: JourneyMissionInstance  # closes later today; the student submits it


@pytest.fixture
def demo(attachment_storage) -> Demo:
    seed_demo(now=timezone.now())
    organization = Organization.objects.get(name__startswith="스퀴즈 아카데미")
    # The demo student's main class: week 3 of 4 open.
    journey = Journey.objects.get(name__startswith="AI 업무 자동화")
    # A library mission scheduled into the open week, closing later today ("D-Day"),
    # that the student has not submitted yet.
    now = timezone.now()
    due_today = MissionInstanceFactory(
        journey_week=JourneyWeek.objects.get(journey=journey, week_number=3),
        mission=Mission.objects.get(organization=organization, name__startswith="나만의 프롬프트"),
        release_date=now - dt.timedelta(days=1),
        expiry_date=now + dt.timedelta(minutes=30),
        status=MissionStatus.IN_PROGRESS,
    )
    return Demo(
        student=Profile.objects.get(email="student@sqeeze.test"),
        teacher=Profile.objects.get(email="teacher@sqeeze.test"),
        # An admin of this academy only (the demo's admin@ is also the platform operator).
        admin=ProfileFactory(
            organization=organization,
            role=Role.ADMIN,
            email="academy-admin@example.test",
            last_name="정",
            first_name="하나",
        ),
        journey=journey,
        due_today=due_today,
    )


def existing(path: str) -> bool:
    try:
        resolve(path)
    except Resolver404:
        return False
    return True


def visitor_steps() -> list[Step]:
    steps: list[Step] = [
        ("landing", "/"),
        ("log-in", reverse("account_login")),
        ("sign-up", reverse("account_signup")),
        ("password reset", reverse("account_reset_password")),
    ]
    # Pages other areas own, checked once they exist.
    steps += [(path.strip("/"), path) for path in ("/blog/", "/inquiry/") if existing(path)]
    return steps


def journey_tabs(journey: Journey) -> list[Step]:
    return [
        (f"journey {tab}", reverse(url_name, args=[journey.pk]))
        for tab, url_name in (
            ("plan", "missions:plan"),
            ("feed", "community:feed"),
            ("dashboard", "points:dashboard"),
            ("team", "teams:index"),
        )
    ]


def student_steps(demo: Demo) -> list[Step]:
    mine = Post.objects.filter(user=demo.student)
    achieved = mine.filter(
        journey=demo.journey, achievement_status=AchievementStatus.ACHIEVED
    ).first()
    not_achieved = mine.filter(achievement_status=AchievementStatus.NOT_ACHIEVED).first()
    liked = Like.objects.filter(user=demo.student, post__journey=demo.journey).first().post
    answered = mine.filter(
        answers__isnull=False, achievement_status=AchievementStatus.NOT_ACHIEVED
    ).first()
    submit = reverse("community:submit", args=[demo.journey.pk, demo.due_today.pk])

    def title_of_spaces(page: Page) -> None:
        page.goto(submit)
        page.fill("#id_title", "   ")
        page.get_by_role("button", name="제출", exact=True).click()
        expect(page.locator(".errorlist").first).to_be_visible()

    def submitted(page: Page) -> None:
        page.goto(submit)
        page.fill("#id_title", "나만의 프롬프트 다섯 개")
        page.fill("#id_content", "1. 회의록 요약\n2. 이메일 초안\n\n**매주** 씁니다.")
        page.get_by_role("button", name="제출", exact=True).click()
        expect(page.locator(".messages .message--success")).to_be_visible()

    def phone_menu(page: Page) -> None:
        page.set_viewport_size(PHONE)
        page.goto(reverse("home"))
        page.locator(".nav-toggle").click()
        expect(page.locator("#site-menu")).to_be_visible()

    return [
        ("home", reverse("home")),
        *journey_tabs(demo.journey),
        ("post (achieved)", post_url(achieved)),
        ("post (not achieved)", post_url(not_achieved)),
        ("post (liked)", post_url(liked)),
        ("submit form", submit),
        ("submit form with an error", title_of_spaces),
        # The demo's data story is a mission of questions, answered and not achieved.
        ("post of questions", post_url(answered)),
        (
            "resubmit form of questions",
            reverse("community:post_edit", args=[answered.journey_id, answered.pk]),
        ),
        ("post just submitted, with its flash message", submitted),
        ("notifications", reverse("notifications:inbox")),
        ("notification settings", reverse("notifications:preferences")),
        ("my profile", reverse("people:me")),
        ("profile edit", reverse("people:edit")),
        ("home on a phone, menu open", phone_menu),
    ]


def question_steps(demo: Demo) -> list[Step]:
    """A library mission made of questions: its edit page lists them; the
    question form shows every type's fields."""
    mission = Mission.objects.create(
        organization=demo.teacher.organization, name="Questions", mission_type="individual"
    )
    question_add(
        mission=mission,
        data=QuestionInput(
            kind="multiple_choice", text="Which?", points=2, options=(("a", True), ("b", False))
        ),
    )
    question = question_add(mission=mission, data=QuestionInput(kind="essay", text="Why?"))
    return [
        ("mission with questions", reverse("missions:edit", args=[mission.pk])),
        ("new question", reverse("missions:question_create", args=[mission.pk])),
        ("edit question", reverse("missions:question_edit", args=[mission.pk, question.pk])),
    ]


def insight_report_steps(demo: Demo) -> list[Step]:
    """A saved report of word groups: counted (its words put where the worker
    writes them, just before the visit), its form, and the form refusing a
    row that names a group without words."""
    report = report_save(
        journey=demo.journey,
        data=ReportInput(
            name="감정",
            groups=(
                GroupInput("좋음", "#16a34a", ("좋다", "재미있다")),
                GroupInput("어려움", "#dc2626", ("어렵다",)),
            ),
        ),
    )
    address = reverse("insights:report", args=[demo.journey.pk, report.pk])
    new_report = reverse("insights:report_create", args=[demo.journey.pk])

    def counted(page: Page) -> None:
        key = counting.cache_key(demo.journey, scope_of(report))
        words = [["좋다", 4], ["어렵다", 2]]
        cache.set(key, {"state": "done", "words": words, "answers": 6}, 60)
        page.goto(address)
        expect(page.locator(".insights-table--groups")).to_be_visible()

    def group_without_words(page: Page) -> None:
        page.goto(new_report)
        page.fill("#id_name", "주제")
        page.fill("#id_groups-0-name", "날씨")
        page.get_by_role("button", name="리포트 저장").click()
        expect(page.locator(".report-form__row .errorlist").first).to_be_visible()

    return [
        ("insight report, counted", counted),
        ("new insight report", new_report),
        ("new insight report with an error", group_without_words),
        ("insight report edit", reverse("insights:report_edit", args=[demo.journey.pk, report.pk])),
    ]


def teacher_steps(demo: Demo) -> list[Step]:
    waiting = Post.objects.filter(
        journey=demo.journey, achievement_status=AchievementStatus.PENDING
    ).first()
    return [
        ("home", reverse("home")),
        *journey_tabs(demo.journey),
        ("grading queue", reverse("grading:queue")),
        ("grading panel", reverse("grading:grade", args=[waiting.pk])),
        ("missions library", reverse("missions:library")),
        ("new mission", reverse("missions:create")),
        *question_steps(demo),
        ("journey members", reverse("journeys:members", args=[demo.journey.pk])),
        ("submissions overview and matrix", reverse("submissions:index", args=[demo.journey.pk])),
        ("submission exports", reverse("submissions:exports", args=[demo.journey.pk])),
        ("class insights (counting)", reverse("insights:index", args=[demo.journey.pk])),
        *insight_report_steps(demo),
        ("image library", reverse("files:library")),
        ("student import", reverse("people:import_start")),
        ("access codes", reverse("people:codes")),
        ("notifications", reverse("notifications:inbox")),
        ("my profile", reverse("people:me")),
    ]


def admin_steps(demo: Demo) -> list[Step]:
    """An admin's own pages. The other teacher pages render the same templates for
    an admin (only the navigation's "Admin" link differs, checked on home), so
    they are not visited twice."""
    return [
        ("home", reverse("home")),
        ("journey plan", reverse("missions:plan", args=[demo.journey.pk])),
        ("grading queue (the whole academy)", reverse("grading:queue")),
        ("access codes, with the form to issue one", reverse("people:codes")),
        ("new journey", reverse("journeys:create")),
        ("Django admin", reverse("admin:index")),
        ("Django admin: journeys", reverse("admin:journeys_journey_changelist")),
        (
            "Django admin: a journey",
            reverse("admin:journeys_journey_change", args=[demo.journey.pk]),
        ),
    ]


def log_in(page: Page, email: str, password: str) -> None:
    page.goto(reverse("account_login"))
    page.fill("#id_login", email)
    page.fill("#id_password", password)
    page.press("#id_password", "Enter")
    expect(page).to_have_url(re.compile(r"/home/$"))


def inside(page: Page, node: dict, part: str) -> bool:
    """Whether the failing ``node`` lies within an element matching ``part``."""
    return page.evaluate(
        "([target, part]) => Boolean(document.querySelector(target)?.closest(part))",
        [str(node["target"][0]), part],
    )


def axe_problems(page: Page) -> list[str]:
    """The serious and critical violations on the page, one readable entry each."""
    admin_page = urlsplit(page.url).path.startswith("/admin/")
    problems = []
    for violation in Axe().run(page).response["violations"]:
        if violation["impact"] not in FAILING_IMPACTS:
            continue
        nodes = violation["nodes"]
        if admin_page and violation["id"] in DJANGO_ADMIN_EXCEPTIONS:
            part = DJANGO_ADMIN_EXCEPTIONS[violation["id"]][0]
            nodes = [node for node in nodes if not inside(page, node, part)]
        if not nodes:
            continue
        lines = [f"  {violation['id']} ({violation['impact']}): {violation['help']}"]
        lines += [
            f"    - {' '.join(map(str, node['target']))}: "
            + node["failureSummary"].splitlines()[-1].strip()
            for node in nodes[:NODES_SHOWN]
        ]
        if len(nodes) > NODES_SHOWN:
            lines.append(f"    … and {len(nodes) - NODES_SHOWN} more")
        lines.append(f"    {violation['helpUrl'].split('?')[0]}")
        problems.append("\n".join(lines))
    return problems


def check(page: Page, step: Step) -> list[str]:
    _, target = step
    if callable(target):
        target(page)
    else:
        response = page.goto(target)
        if response is None or response.status != 200:
            return [f"  answered {response.status if response else 'nothing'}, not 200"]
    return axe_problems(page)


def test_every_main_page_has_no_serious_or_critical_axe_violation(chromium, live_server, demo):
    roles = [
        ("visitor", None, visitor_steps()),
        ("student", (demo.student.email, DEMO_PASSWORD), student_steps(demo)),
        ("teacher", (demo.teacher.email, DEMO_PASSWORD), teacher_steps(demo)),
        ("admin", (demo.admin.email, TEST_PASSWORD), admin_steps(demo)),
    ]
    checked = 0
    report: list[str] = []
    try:
        for role, credentials, steps in roles:
            # No service worker: it would fetch pages of its own while axe looks at one.
            context = chromium.new_context(
                base_url=live_server.url,
                locale="ko-KR",
                viewport=DESKTOP,
                service_workers="block",
            )
            try:
                page = context.new_page()
                if credentials:
                    log_in(page, *credentials)
                for step in steps:
                    problems = check(page, step)
                    checked += 1
                    if problems:
                        report.append(f"{role} · {step[0]} ({page.url}):\n" + "\n".join(problems))
            finally:
                context.close()
    finally:
        connections.close_all()

    assert not report, (
        f"{len(report)} of {checked} pages have serious or critical axe violations:\n"
        + "\n".join(report)
    )
