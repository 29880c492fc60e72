"""Writing the blog in Django admin (platform operators only): the preview of
any post, publish and unpublish actions, scheduling, and the cover image
uploaded through the files service."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from blog.models import Blog
from blog.services import blog_publish, blog_unpublish
from files.models import File
from tests.blog.builders import BlogFactory, draft, scheduled
from tests.community.builders import attachment_storage_fixture  # noqa: F401 (a fixture)
from tests.files.images import png, upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

CHANGELIST = reverse("admin:blog_blog_changelist")


@pytest.fixture
def operator(superuser) -> Client:
    client = Client()
    client.force_login(superuser)
    return client


def run_action(client: Client, action: str, *posts: Blog):
    return client.post(
        CHANGELIST, {"action": action, "_selected_action": [str(post.pk) for post in posts]}
    )


def form_data(post: Blog, **changes) -> dict:
    """The change form as the admin shows it for ``post``, with ``changes``."""
    published = timezone.localtime(post.published_at) if post.published_at else None
    data = {
        "title": post.title,
        "subtitle": post.subtitle or "",
        "content": post.content,
        "published_at_0": published.strftime("%Y-%m-%d") if published else "",
        "published_at_1": published.strftime("%H:%M:%S") if published else "",
        "image_url": post.image_url or "",
    }
    return data | changes


# --- the preview ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make", [draft, scheduled, BlogFactory], ids=["draft", "scheduled", "published"]
)
def test_an_operator_previews_any_post_in_the_public_template(operator, make):
    post = make(title="Spring cohort", content="**Soon** in class")

    response = operator.get(reverse("blog:preview", args=[post.pk]))

    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "blog/post.html"
    page = response.content.decode()
    assert "<strong>Soon</strong> in class" in page
    assert '<meta name="robots" content="noindex, nofollow">' in page
    assert 'property="og:' not in page and 'rel="canonical"' not in page
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    assert reverse("admin:blog_blog_change", args=[post.pk]) in page


def test_the_preview_says_what_the_public_sees(operator):
    assert (
        "Preview of a draft"
        in operator.get(reverse("blog:preview", args=[draft().pk])).content.decode()
    )
    assert (
        "Preview of a scheduled post"
        in operator.get(reverse("blog:preview", args=[scheduled().pk])).content.decode()
    )


@pytest.mark.parametrize("who", ["anonymous", "student", "teacher", "admin_user", "outsider"])
def test_nobody_else_can_preview_a_draft(client, request, who):
    post = draft(title="Secret plans")
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))

    response = client.get(reverse("blog:preview", args=[post.pk]))

    assert response.status_code == 404
    assert "Secret plans" not in response.content.decode()


def test_the_admin_links_each_post_to_its_preview(operator):
    post = draft()

    listing = operator.get(CHANGELIST).content.decode()
    change = operator.get(reverse("admin:blog_blog_change", args=[post.pk])).content.decode()

    preview = reverse("blog:preview", args=[post.pk])
    assert f'href="{preview}"' in listing
    assert f'href="{preview}"' in change
    assert "Draft" in listing


# --- publishing -------------------------------------------------------------------------


def test_publish_puts_drafts_and_scheduled_posts_online_now(operator, client):
    a_draft, a_scheduled = draft(), scheduled()
    before = timezone.now()

    response = run_action(operator, "publish_now", a_draft, a_scheduled)

    assert response.status_code == 302
    for post in (a_draft, a_scheduled):
        post.refresh_from_db()
        assert before <= post.published_at <= timezone.now()
        assert client.get(post.get_absolute_url()).status_code == 200
    messages = [str(m) for m in operator.get(CHANGELIST).context["messages"]]
    assert "2 posts published." in messages


def test_publishing_a_published_post_keeps_its_date(operator):
    post = BlogFactory(published_at=timezone.now() - dt.timedelta(days=30))
    original = post.published_at

    run_action(operator, "publish_now", post)

    post.refresh_from_db()
    assert post.published_at == original


def test_unpublish_turns_posts_back_into_drafts_that_answer_404(operator, client):
    post = BlogFactory(title="Going away")
    assert client.get(post.get_absolute_url()).status_code == 200

    run_action(operator, "unpublish", post)

    post.refresh_from_db()
    assert post.published_at is None
    assert client.get(post.get_absolute_url()).status_code == 404
    assert "Going away" not in client.get(reverse("blog:list")).content.decode()
    assert str(post.pk) not in client.get(reverse("sitemap")).content.decode()


def test_a_publication_time_in_the_future_schedules_the_post(operator, client):
    post = draft()
    later = timezone.localtime(timezone.now() + dt.timedelta(days=3))

    response = operator.post(
        reverse("admin:blog_blog_change", args=[post.pk]),
        form_data(
            post,
            published_at_0=later.strftime("%Y-%m-%d"),
            published_at_1=later.strftime("%H:%M:%S"),
        ),
    )

    assert response.status_code == 302
    post.refresh_from_db()
    assert post.published_at > timezone.now()
    assert client.get(post.get_absolute_url()).status_code == 404
    assert "Scheduled" in operator.get(CHANGELIST).content.decode()


def test_only_operators_may_publish(admin_user, teacher):
    post = draft()
    for person in (admin_user, teacher):
        with pytest.raises(PermissionDenied):
            blog_publish(post_ids=[post.pk], by=person)
        with pytest.raises(PermissionDenied):
            blog_unpublish(post_ids=[post.pk], by=person)
    post.refresh_from_db()
    assert post.published_at is None


def test_an_academy_admin_cannot_run_the_blog_actions(client, admin_user):
    post = draft()
    client.force_login(admin_user)  # an admin of an academy, not a platform operator

    run_action(client, "publish_now", post)

    post.refresh_from_db()
    assert post.published_at is None


# --- the cover image --------------------------------------------------------------------


def test_an_uploaded_cover_goes_through_the_files_service(operator, client, attachment_storage):
    post = BlogFactory()

    response = operator.post(
        reverse("admin:blog_blog_change", args=[post.pk]),
        form_data(post, cover=upload(png((120, 63)), "cover.png")),
    )

    assert response.status_code == 302
    post.refresh_from_db()
    cover = post.image_file
    assert cover.bucket_name == "images" and cover.mime_type == "image/png"
    assert cover.metadata["purpose"] == "blog_image"
    assert post.image_url is None
    page = client.get(post.get_absolute_url()).content.decode()
    assert f'src="{post.cover_url}"' in page
    assert client.get(post.cover_url).status_code == 200  # a public file, served to anyone


def test_a_file_that_is_not_an_image_is_refused_and_nothing_changes(operator, attachment_storage):
    post = BlogFactory(title="Unchanged")

    response = operator.post(
        reverse("admin:blog_blog_change", args=[post.pk]),
        form_data(post, title="Changed", cover=upload(b"<script>alert(1)</script>", "cover.png")),
    )

    assert response.status_code == 200
    assert "This type of file is not accepted here" in response.content.decode()
    post.refresh_from_db()
    assert post.title == "Unchanged" and post.image_file is None
    assert not File.objects.exists()


def test_removing_the_cover_shows_the_placeholder(operator, client, attachment_storage):
    post = BlogFactory()
    operator.post(
        reverse("admin:blog_blog_change", args=[post.pk]),
        form_data(post, cover=upload(png(), "cover.png")),
    )
    post.refresh_from_db()
    old_cover = post.image_file

    operator.post(
        reverse("admin:blog_blog_change", args=[post.pk]), form_data(post, remove_cover="on")
    )

    post.refresh_from_db()
    old_cover.refresh_from_db()
    assert post.image_file is None and old_cover.is_deleted
    assert "icons/blog-cover.svg" in client.get(post.get_absolute_url()).content.decode()


def test_a_new_post_written_in_admin_starts_as_a_draft(operator, client):
    response = operator.post(
        reverse("admin:blog_blog_add"),
        {
            "title": "Fresh",
            "subtitle": "",
            "content": "Text",
            "published_at_0": "",
            "published_at_1": "",
            "image_url": "",
        },
    )

    assert response.status_code == 302
    post = Blog.objects.get(title="Fresh")
    assert post.published_at is None
    assert client.get(post.get_absolute_url()).status_code == 404
