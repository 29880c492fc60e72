"""A mission of questions from end to end in real Chromium (issue 16): the
teacher builds three questions of three kinds in the library, a student
answers them on a phone (the choice, an essay with its live count, a photo),
the choice is scored on submission, the teacher grades it in the panel,
which shows each answer with its result and proposes the score, and the
journey's class insights show the class's words in Korean, counted by a real
Celery worker."""

from __future__ import annotations

import datetime as dt
import io
import re
import tempfile
from pathlib import Path

import pytest
from django.db import connections
from PIL import Image
from playwright.sync_api import expect

from community.models import AchievementStatus, Post, PostAnswer, PostAttachment
from missions.models import MissionStatus, MissionType
from tests import celery_worker
from tests.factories import TEST_PASSWORD
from tests.scenarios import ClassScenario, MissionAt

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 900}


@pytest.fixture
def classroom(organization, student, teacher):
    scenario = ClassScenario.build(
        organization,
        journey_name="Grammar Club",
        students={"student": student},
        teacher=teacher,
        missions=(
            MissionAt(
                "Nouns",
                kind=MissionType.INDIVIDUAL,
                points=10,
                opens=-dt.timedelta(days=1),
                closes=dt.timedelta(days=2),
                extra={"status": MissionStatus.IN_PROGRESS},
            ),
        ),
    )
    [instance] = scenario.missions
    return scenario.journey, instance


@pytest.fixture
def insights_worker():
    """A real worker for the insights' count, on a queue of this test's own."""
    with celery_worker.private_queue("insights.count_class_words", "insights") as queue:
        log = Path(tempfile.mkstemp(prefix="sqeeze-insights-worker-", suffix=".log")[1])
        worker = celery_worker.start_worker(queue, log)
        yield worker, log
        celery_worker.stop_worker(worker)
        log.unlink(missing_ok=True)


@pytest.fixture
def browser_pages(chromium, live_server):
    contexts = []

    def open_page(viewport):
        context = chromium.new_context(base_url=live_server.url, locale="en-US", viewport=viewport)
        contexts.append(context)
        page = context.new_page()
        page.problems = []
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


def add_question(page, mission, kind: str, text: str, points: str, **fill) -> None:
    page.goto(f"/missions/{mission.pk}/edit/")
    page.get_by_role("link", name="Add a question").click()
    page.locator(f"input[name=kind][value={kind}]").check()
    page.locator("textarea[name=text]").fill(text)
    page.locator("input[name=points]").fill(points)
    for name, value in fill.items():
        field = page.locator(f"[name={name}]")
        if value is True:
            field.check()
        elif value is False:
            field.uncheck()
        else:
            field.fill(value)
    page.get_by_role("button", name="Add question").click()
    expect(page.locator(".question-list")).to_contain_text(text)


def photo() -> dict:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (40, 120, 240)).save(buffer, format="PNG")
    return {"name": "noun.png", "mimeType": "image/png", "buffer": buffer.getvalue()}


def test_a_teacher_builds_a_quiz_a_student_answers_on_a_phone_and_it_is_graded(
    browser_pages, classroom, student, teacher, insights_worker
):
    journey, instance = classroom
    mission = instance.mission

    # The teacher composes the mission in the library.
    desk = browser_pages(DESK)
    log_in(desk, teacher)
    add_question(
        desk,
        mission,
        "multiple_choice",
        "Which word is a noun?",
        "3",
        option_1="run",
        option_2="apple",
        correct_2=True,
        option_3="blue",
    )
    add_question(desk, mission, "essay", "Use it in a sentence.", "5", max_chars="200")
    add_question(
        desk, mission, "image_upload", "A photo of it.", "2", required=False, max_images="1"
    )
    expect(desk.locator(".mission-form__points")).to_contain_text("10 PT")

    # The student answers on a phone.
    phone = browser_pages(PHONE)
    log_in(phone, student)
    phone.goto(f"/journeys/{journey.pk}/plan/")
    phone.get_by_role("link", name="Submit", exact=True).click()
    phone.get_by_label("Title").fill("My nouns")
    phone.get_by_label("apple").check()
    essay = phone.locator("textarea[name=q2_text]")
    essay.fill("사과를 먹었어요. 사과가 좋아요.")
    expect(phone.locator("[data-char-count-for=id_q2_text]")).to_have_text("18 / 200")
    phone.locator("input[name=q3_images]").set_input_files(photo())
    phone.get_by_role("button", name="Submit", exact=True).click()
    expect(phone.get_by_role("heading", name="My nouns")).to_be_visible()
    expect(phone.locator(".answer-sheet")).to_contain_text("사과를 먹었어요.")
    expect(phone.locator(".answer-sheet")).not_to_contain_text("correct answer")

    post = Post.objects.get(user=student)
    choice = PostAnswer.objects.get(post=post, question__kind="multiple_choice")
    assert (choice.choices, choice.is_correct, choice.auto_points) == ([1], True, 3)
    assert PostAttachment.objects.filter(post=post, answer__isnull=False).count() == 1

    # The teacher grades it from the queue: each answer with its result.
    desk.goto("/grading/")
    expect(desk.locator("main")).to_contain_text("Nouns")
    desk.goto(f"/grading/posts/{post.pk}/")
    expect(desk.locator(".answer-sheet")).to_contain_text("Correct · 3 PT")
    expect(desk.locator("#grade-score")).to_have_value("10")  # 3 scored + 5 + 2 open
    desk.locator("label[for=grade-achieved]").click()
    desk.locator("[data-grade-save]").click()
    expect(desk.locator(".grading-post .status-badge")).to_contain_text("Achieved · 10 PT")
    post.refresh_from_db()
    assert (post.achievement_status, post.score) == (AchievementStatus.ACHIEVED, 10)

    # Once graded, the student sees right and wrong.
    phone.reload()
    expect(phone.locator(".answer-sheet")).to_contain_text("correct answer")

    # The journey's insights: a worker counts the class's words while the
    # page shows its progress and asks again; then the words by their base form.
    worker, log = insights_worker
    desk.goto(f"/journeys/{journey.pk}/submissions/")
    desk.get_by_role("link", name="Class insights").click()
    table = desk.locator(".insights-table")
    try:
        expect(table).to_contain_text("사과", timeout=60_000)
    except AssertionError:
        pytest.fail(f"No words counted (worker alive: {worker.poll() is None}):\n{log.read_text()}")
    expect(table.locator("tr", has_text="사과")).to_contain_text("2")
    expect(desk.locator(".insights-chart")).to_contain_text("사과")
    assert desk.problems == [] and phone.problems == []
