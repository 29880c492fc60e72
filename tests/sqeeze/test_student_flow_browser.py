"""A student's whole day on a phone, in real Chromium (issue 6, item 9): log in,
open a journey, submit an open mission with an image, find the post in the feed,
like and comment on a classmate's post, and read a notification.

Every step goes through the pages a student uses; the only thing the test does
behind the browser's back is the classmate's reply, which another person would
type on another phone.
"""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.db import connections
from PIL import Image
from playwright.sync_api import expect

from community.models import Comment, Like, Post, PostAttachment
from community.services import comment_create
from missions.models import MissionStatus, MissionType
from notifications.models import Notification
from tests.factories import TEST_PASSWORD, PostFactory
from tests.scenarios import Classmate, ClassScenario, MissionAt

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def classroom(organization, student):
    scenario = ClassScenario.build(
        organization,
        journey_name="Spring Cohort",
        students={"student": student, "classmate": Classmate("Jisoo", "Park")},
        missions=(
            MissionAt(
                "Photo diary",
                kind=MissionType.INDIVIDUAL,
                points=10,
                opens=-dt.timedelta(days=1),
                closes=dt.timedelta(days=2),
                extra={"status": MissionStatus.IN_PROGRESS},
            ),
        ),
    )
    journey, classmate = scenario.journey, scenario.students["classmate"]
    [instance] = scenario.missions
    classmates_post = PostFactory(
        journey=journey,
        mission_instance=instance,
        user=classmate,
        title="Jisoo's diary",
        content="My first photo diary.",
    )
    return journey, classmate, classmates_post


@pytest.fixture
def phone(chromium, live_server):
    context = chromium.new_context(base_url=live_server.url, locale="en-US", viewport=PHONE)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    yield page, problems
    context.close()
    connections.close_all()


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (240, 120, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_a_student_submits_finds_likes_comments_and_reads_on_a_phone(phone, classroom, student):
    page, problems = phone
    journey, classmate, classmates_post = classroom

    # Log in through the real form.
    page.goto("/accounts/login/")
    page.fill("#id_login", student.email)
    page.fill("#id_password", TEST_PASSWORD)
    page.press("#id_password", "Enter")
    expect(page).to_have_url(re.compile(r"/home/$"))

    # Open the journey from its card on the home page: the plan tab.
    page.get_by_role("link", name=re.compile("Spring Cohort")).first.click()
    expect(page).to_have_url(re.compile(rf"/journeys/{journey.pk}/plan/$"))
    expect(page.get_by_text("Photo diary").first).to_be_visible()

    # Submit the open mission with an image.
    page.get_by_role("link", name="Submit", exact=True).click()
    page.get_by_label("Title").fill("My photo diary")
    page.get_by_label("Content").fill("Today I **walked** to the river.")
    page.locator("input[type=file]").set_input_files(
        {"name": "river.png", "mimeType": "image/png", "buffer": png_bytes()}
    )
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(page.get_by_role("heading", name="My photo diary")).to_be_visible()
    mine = Post.objects.get(user=student, title="My photo diary")
    assert PostAttachment.objects.filter(post=mine).count() == 1
    # The image shows inline, served through the access-checked download view.
    image = page.locator(".post img[src*='/files/']").first
    expect(image).to_be_visible()
    loaded = page.wait_for_function(
        "(img) => img.complete && img.naturalWidth", arg=image.element_handle()
    )
    assert loaded.json_value() == 64

    # The post is in the journey's feed.
    page.get_by_role("link", name="Feed", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/journeys/{journey.pk}/feed/"))
    expect(page.get_by_role("link", name="My photo diary")).to_be_visible()

    # Like and comment on the classmate's post (htmx: no reload needed).
    page.get_by_role("link", name="Jisoo's diary").click()
    like = page.locator(".like-button")
    like.click()
    expect(page.locator(".like-button[aria-pressed=true]")).to_be_visible()
    expect(page.locator(".like-button__count")).to_have_text("1")
    page.get_by_placeholder(re.compile("Write a comment")).fill("Lovely river!")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#comment-list")).to_contain_text("Lovely river!")
    assert Like.objects.filter(post=classmates_post, user=student).count() == 1
    assert Comment.objects.filter(post=classmates_post, user=student).count() == 1

    # The classmate answers on the student's post (on their own phone)...
    comment_create(post=mine, author=classmate, content="Nice photo!")
    notification = Notification.objects.get(receiver=student, type="comment")

    # ...and the student reads it from the bell.
    page.goto("/home/")
    page.locator(".nav-bell").click()
    expect(page).to_have_url(re.compile(r"/notifications/"))
    page.get_by_text(notification.message).click()
    expect(page).to_have_url(re.compile(rf"/journeys/{journey.pk}/posts/{mine.pk}/"))
    expect(page.locator("#comment-list")).to_contain_text("Nice photo!")
    notification.refresh_from_db()
    assert notification.read_at is not None

    assert problems == []
