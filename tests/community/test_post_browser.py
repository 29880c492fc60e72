"""The post pages in real Chromium on a phone-sized screen: the draft kept while
typing, submitting with an image, liking and commenting in place (htmx), under
the strict CSP (any console error fails the test)."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.db import connections
from django.test import Client
from PIL import Image, ImageChops

from community.models import Comment, Like, Post
from files.purposes import storage_for
from tests.community.builders import (  # noqa: F401 (fixtures)
    attachment_storage_fixture,
    classroom_fixture,
    make_post,
    post_url,
    submit_url,
)
from tests.files.images import png

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("english"),
]


@pytest.fixture
def page(chromium, live_server):
    context = chromium.new_context(
        base_url=live_server.url, locale="en-US", viewport={"width": 390, "height": 844}
    )
    page = context.new_page()
    page.problems = []
    page.on("console", lambda m: page.problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: page.problems.append(str(error)))
    yield page
    context.close()
    connections.close_all()


def sign_in(page, live_server, person) -> None:
    client = Client()
    client.force_login(person)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def test_a_draft_survives_a_reload_and_goes_once_submitted(
    page, live_server, classroom, attachment_storage, tmp_path
):
    sign_in(page, live_server, classroom.student)
    page.goto(submit_url(classroom.instance))
    page.fill("input[name=title]", "My draft title")
    page.fill("textarea[name=content]", "Typed before the tab closed")
    # The draft is saved (debounced) a moment after typing stops: wait until
    # this browser's storage holds both fields, not for a guessed time.
    page.wait_for_function(
        """([title, content]) => Object.keys(localStorage).some((key) => {
            if (!key.startsWith("sqeeze:draft:")) return false;
            const values = JSON.parse(localStorage.getItem(key)).values;
            return values.title === title && values.content === content;
        })""",
        arg=["My draft title", "Typed before the tab closed"],
    )
    page.reload()
    assert page.locator("[data-draft-note]").is_visible()
    assert page.input_value("input[name=title]") == "My draft title"

    page.click("[data-draft-discard]")
    assert page.input_value("input[name=title]") == ""
    assert not page.locator("[data-draft-note]").is_visible()
    page.reload()
    assert not page.locator("[data-draft-note]").is_visible()

    page.fill("input[name=title]", "Final title")
    page.fill("textarea[name=content]", "Final **content**")
    image = tmp_path / "photo.png"
    image.write_bytes(png())
    page.set_input_files("input[name=files]", str(image))
    page.click("form.post-form button[type=submit]")
    page.wait_for_url("**/posts/**")
    post = Post.objects.get()
    assert page.locator(".post__images img").count() == 1
    drafts = page.evaluate(
        "Object.keys(localStorage).filter((key) => key.startsWith('sqeeze:draft:'))"
    )
    assert drafts == []
    assert post.title == "Final title"
    assert page.problems == []


def test_a_classmate_likes_and_comments_in_place(page, live_server, classroom):
    post = make_post(classroom, title="Classmate's work")
    sign_in(page, live_server, classroom.classmate)
    page.goto(post_url(post))
    page.click(".like-button")
    page.wait_for_selector('.like-button[aria-pressed="true"]')
    assert page.inner_text(".like-button__count") == "1"
    page.fill("#comment-content", "@Minji nice!")
    page.click("#comment-form button[type=submit]")
    page.wait_for_selector(".comment .mention")
    assert page.inner_text("#comment-count") == "1"
    assert page.input_value("#comment-content") == ""  # a fresh form
    assert not page.locator("#comments-empty").count()
    assert Like.objects.filter(post=post).count() == 1
    assert Comment.objects.get().content == "@Minji nice!"

    page.click(".like-button")
    page.wait_for_selector('.like-button[aria-pressed="false"]')
    assert not Like.objects.exists()

    # Edit in place, then delete (htmx asks for a confirmation first).
    page.click(".comment__actions >> text=Edit")
    page.fill(".comment--editing textarea", "@Minji very nice!")
    page.click(".comment--editing button[type=submit]")
    page.wait_for_selector(".comment:not(.comment--editing) >> text=very nice!")
    assert Comment.objects.get().content == "@Minji very nice!"
    page.on("dialog", lambda dialog: dialog.accept())
    page.click(".comment__actions >> text=Delete")
    page.wait_for_selector(".comment", state="detached")
    assert page.inner_text("#comment-count") == "0"
    assert not Comment.objects.exists()
    assert page.problems == []


def test_typing_at_offers_the_classmates_and_enter_writes_the_name(page, live_server, classroom):
    post = make_post(classroom, title="Classmate's work")
    sign_in(page, live_server, classroom.classmate)
    page.goto(post_url(post))

    page.click("#comment-content")
    page.keyboard.type("Thanks @min")
    page.wait_for_selector('.mention-list [data-mention="Minji Kim"][aria-selected="true"]')
    assert page.get_attribute("#comment-content", "aria-activedescendant") == page.get_attribute(
        '.mention-list [aria-selected="true"]', "id"
    )
    page.keyboard.press("Enter")  # picks the name; the comment is not sent yet
    assert page.input_value("#comment-content") == "Thanks @Minji Kim "
    assert page.locator(".mention-list").is_hidden()
    page.keyboard.type("great!")
    page.click("#comment-form button[type=submit]")
    page.wait_for_selector(".comment .mention")
    assert Comment.objects.get().content == "Thanks @Minji Kim great!"

    # The fresh form htmx put in place offers names too; a tap picks one.
    page.click("#comment-content")
    page.keyboard.type("@서")
    page.click('.mention-list [data-mention="이서준"]')
    assert page.input_value("#comment-content") == "@이서준 "
    # Escape closes the list and keeps the text as typed.
    page.keyboard.type("and @zz")
    page.wait_for_selector(".mention-option--none")
    page.keyboard.press("Escape")
    assert page.locator(".mention-list").is_hidden()
    assert page.input_value("#comment-content") == "@이서준 and @zz"
    assert page.problems == []


def test_the_submit_form_offers_names_in_the_text(page, live_server, classroom):
    sign_in(page, live_server, classroom.student)
    page.goto(submit_url(classroom.instance))
    page.fill("input[name=title]", "With a friend")
    page.click("textarea[name=content]")
    page.keyboard.type("Made with @이서")
    page.click('.mention-list [data-mention="이서준"]')
    assert page.input_value("textarea[name=content]") == "Made with @이서준 "
    page.click("form[data-draft] button[type=submit]")
    page.wait_for_url(f"**{post_url(Post.objects.get())}")
    assert page.problems == []


def _camera_photo(path) -> int:
    """A 12-megapixel photo as a phone takes it (8 MB of JPEG); its size."""
    noise = Image.effect_noise((4000, 3000), 24).convert("L")
    gradient = Image.linear_gradient("L").resize((4000, 3000))
    Image.merge("RGB", (ImageChops.add(gradient, noise, 2), noise, gradient)).save(
        path, "JPEG", quality=95
    )
    return path.stat().st_size


def test_a_large_photo_is_scaled_down_in_the_browser_before_it_goes(
    page, live_server, classroom, attachment_storage, tmp_path
):
    photo, small = tmp_path / "camera.jpg", tmp_path / "small.png"
    original_size = _camera_photo(photo)
    small.write_bytes(png())
    sign_in(page, live_server, classroom.student)
    page.goto(submit_url(classroom.instance))
    page.fill("input[name=title]", "From my phone")

    page.set_input_files("input[name=files]", [str(photo), str(small)])
    page.wait_for_selector("input[name=files][data-downscaled]")

    chosen = page.evaluate(
        "[...document.querySelector('input[name=files]').files]"
        ".map((file) => [file.name, file.type, file.size])"
    )
    (name, kind, size), kept = chosen
    assert (name, kind) == ("camera.webp", "image/webp")
    assert size <= 1.5 * 2**20 < original_size
    assert kept == ["small.png", "image/png", len(png())]  # already small: as it was
    assert page.locator(".upload-preview img").count() == 2
    assert "4000×3000 → 2048×1536" in page.inner_text(".upload-previews")

    page.click("form.post-form button[type=submit]")
    page.wait_for_url("**/posts/**")
    stored = {
        attachment.file.file_name: attachment.file
        for attachment in Post.objects.get().attachments.select_related("file")
    }
    with storage_for(stored["camera.webp"].bucket_name).open(stored["camera.webp"].file_path) as f:
        assert Image.open(f).size == (2048, 1536)
    assert stored["small.png"].file_size == len(png())
    assert page.problems == []
