"""A visitor in real Chromium, on a desktop and on a phone: the landing page,
then the blog, then a post. Under the strict CSP nothing is blocked, no
request leaves the site (the seed's stock picture is never fetched), every
picture draws, axe-core finds nothing serious, and the screenshots show a
page with content, not a blank or broken one."""

from __future__ import annotations

import datetime as dt
import io
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.db import connections
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from tests.blog.builders import BlogFactory, draft

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("english"),
]

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def posts():
    now = timezone.now()
    older = [
        BlogFactory(title=f"Older story {n}", published_at=now - dt.timedelta(days=10 + n))
        for n in range(2)
    ]
    story = BlogFactory(
        title="How one academy runs team missions",
        subtitle="Five habits of good teams",
        content="## Small teams\n\nFour people at most.\n\n- rotate the leader\n- comment early",
        published_at=now - dt.timedelta(days=1),
    )
    draft(title="Unfinished draft")
    return [story, *older]


def axe_problems(page) -> list[str]:
    return [
        f"{violation['id']}: {violation['help']}"
        for violation in Axe().run(page).response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


def images_drawn(page) -> bool:
    return page.evaluate(
        "() => [...document.images].every(img => img.complete && img.naturalWidth > 0)"
    )


def looks_like_a_page(png: bytes, width: int) -> None:
    image = Image.open(io.BytesIO(png))
    assert image.width == width
    colours = image.convert("RGB").resize((64, 64)).getcolors(64 * 64)
    assert colours is not None and len(colours) > 40  # text, cards, the cover: not blank


@pytest.mark.parametrize("device", VIEWPORTS)
def test_a_visitor_reads_a_post_from_the_landing_page(
    chromium, live_server, posts, device, tmp_path
):
    viewport = VIEWPORTS[device]
    context = chromium.new_context(base_url=live_server.url, viewport=viewport, locale="en-US")
    page = context.new_page()
    problems, elsewhere = [], []
    page.on("console", lambda m: m.type == "error" and problems.append(m.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    site = urlsplit(live_server.url).netloc
    page.on("request", lambda r: urlsplit(r.url).netloc != site and elsewhere.append(r.url))
    try:
        page.goto("/")
        expect(page.get_by_role("heading", name="From the blog")).to_be_visible()
        expect(page.get_by_role("link", name="Ask for a consultation").first).to_be_visible()
        assert page.get_by_role("link", name="Unfinished draft").count() == 0
        assert axe_problems(page) == []

        page.get_by_role("link", name="All posts").click()
        expect(page).to_have_url(f"{live_server.url}/blog/")
        expect(page.locator(".post-card")).to_have_count(3)
        assert images_drawn(page)
        assert axe_problems(page) == []

        page.get_by_role("link", name="How one academy runs team missions").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "How one academy runs team missions"
        )
        expect(page.get_by_role("heading", name="Small teams")).to_be_visible()
        expect(page.get_by_text("rotate the leader")).to_be_visible()
        assert images_drawn(page)
        assert axe_problems(page) == []
        # The phone layout does not scroll sideways.
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]

        shot = page.screenshot(path=tmp_path / f"post-{device}.png", full_page=True)
        looks_like_a_page(shot, viewport["width"])
        assert problems == []
        assert elsewhere == []
    finally:
        context.close()
        connections.close_all()
