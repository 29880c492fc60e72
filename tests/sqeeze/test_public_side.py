"""What visitors, search engines and link previews see: the landing page (what
Sqeeze does, the latest posts, a consultation), /robots.txt, /sitemap.xml,
and that signed-in pages stay out of search results and share nothing."""

from __future__ import annotations

import datetime as dt
import html
import re
from xml.etree import ElementTree
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.blog.builders import BlogFactory, draft, scheduled
from tests.factories import JourneyFactory, PostFactory, UserJourneyFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

SITE = "https://lms.example.kr"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE


def meta(page: str, key: str) -> str | None:
    found = re.search(rf'<meta (?:name|property)="{re.escape(key)}" content="([^"]*)"', page)
    return html.unescape(found[1]) if found else None


# --- the landing page --------------------------------------------------------------------


def test_the_landing_page_shows_the_three_latest_published_posts(client):
    now = timezone.now()
    oldest = BlogFactory(title="Oldest story", published_at=now - dt.timedelta(days=40))
    latest = [
        BlogFactory(title=f"Story {n}", published_at=now - dt.timedelta(days=n)) for n in (3, 2, 1)
    ]
    draft(title="Draft story")
    scheduled(title="Tomorrow's story")

    page = client.get(reverse("landing")).content.decode()

    positions = [page.index(f"Story {n}") for n in (1, 2, 3)]
    assert positions == sorted(positions)  # newest first
    for post in latest:
        assert post.get_absolute_url() in page
        assert post.subtitle in page
    for hidden in ("Oldest story", "Draft story", "Tomorrow's story"):
        assert hidden not in page
    assert oldest.get_absolute_url() not in page
    assert f'href="{reverse("blog:list")}"' in page


def test_the_landing_page_asks_for_a_consultation_next_to_log_in_and_sign_up(client, db):
    page = client.get(reverse("landing")).content.decode()

    assert page.count(f'href="{reverse("inquiries:inquiry")}"') >= 2  # the hero and the band
    assert f'href="{reverse("account_login")}"' in page
    assert f'href="{reverse("account_signup")}"' in page
    for audience in ("For students", "For teachers", "For academies"):
        assert audience in page
    assert "<script>" not in page and " style=" not in page  # CSP: nothing inline


def test_without_posts_the_landing_page_has_no_empty_blog_section(client, db):
    assert "From the blog" not in client.get(reverse("landing")).content.decode()


def test_the_landing_page_is_in_korean_first(client, settings, db):
    settings.LANGUAGE_CODE = "ko"
    response = client.get(reverse("landing"))
    assert response["Content-Language"] == "ko"
    assert '<html lang="ko">' in response.content.decode()
    assert meta(response.content.decode(), "og:locale") == "ko_KR"


def test_the_landing_page_shares_absolute_meta_tags(client, db):
    response = client.get(reverse("landing"))
    page = response.content.decode()

    assert meta(page, "description").startswith("Sqeeze runs your classes as journeys")
    assert f'<link rel="canonical" href="{SITE}/">' in page
    assert meta(page, "og:url") == f"{SITE}/"
    assert meta(page, "og:type") == "website"
    assert meta(page, "og:title").startswith("Sqeeze")
    assert re.fullmatch(rf"{SITE}/static/icons/sqeeze-share(\.\w+)?\.png", meta(page, "og:image"))
    assert meta(page, "twitter:card") == "summary_large_image"
    assert meta(page, "robots") is None and "X-Robots-Tag" not in response.headers
    assert f'href="{SITE}/blog/feed/"' in page


def test_the_landing_page_runs_the_same_queries_for_few_and_many_posts(client, db):
    BlogFactory()
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("landing"))
    BlogFactory.create_batch(20)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("landing"))
    assert len(many) == len(few) == 1


# --- robots.txt and the sitemap -----------------------------------------------------------


def test_robots_txt_opens_the_public_pages_and_closes_the_app(client, db):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines
    for private in (
        "/home/", "/journeys/", "/grading/", "/people/", "/notifications/", "/files/",
        "/missions/", "/admin/", "/accounts/",
    ):  # fmt: skip
        assert f"Disallow: {private}" in lines
    for public in ("/accounts/login/", "/accounts/signup/", "/journeys/join/"):
        assert f"Allow: {public}" in lines
    assert not any(line in ("Disallow: /", "Disallow: /blog/") for line in lines)
    assert lines[-1] == f"Sitemap: {SITE}/sitemap.xml"


def test_the_sitemap_lists_the_public_pages_and_published_posts_only(client):
    published = BlogFactory()
    hidden = [draft(), scheduled()]

    response = client.get("/sitemap.xml")

    assert response.status_code == 200
    root = ElementTree.fromstring(response.content)
    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locations = [loc.text for loc in root.findall("s:url/s:loc", namespace)]
    assert locations == [
        f"{SITE}/",
        f"{SITE}/blog/",
        SITE + reverse("inquiries:inquiry"),
        SITE + published.get_absolute_url(),
    ]
    assert not any(str(post.pk) in response.content.decode() for post in hidden)
    lastmod = root.findall("s:url/s:lastmod", namespace)
    # The day on the site's clock (visitors get the default zone), which is not
    # UTC's from 15:00 to midnight UTC.
    site_day = timezone.localtime(published.updated_at, ZoneInfo(settings.DEFAULT_USER_TIMEZONE))
    assert [element.text for element in lastmod] == [site_day.date().isoformat()]


# --- signed-in pages -------------------------------------------------------------------------


@pytest.fixture
def signed_in_pages(student, teacher):
    journey = JourneyFactory(organization=student.organization, name="Private class")
    UserJourneyFactory(user=student, journey=journey)
    post = PostFactory(
        mission_instance__journey_week__journey=journey, user=student, title="My private essay"
    )
    return [
        reverse("home"),
        reverse("missions:plan", args=[journey.pk]),
        reverse("community:post_detail", args=[journey.pk, post.pk]),
        reverse("community:feed", args=[journey.pk]),
        reverse("people:me"),
        reverse("people:profile", args=[teacher.pk]),
        reverse("notifications:inbox"),
    ]


def test_signed_in_pages_are_noindex_and_share_nothing(client, student, signed_in_pages):
    client.force_login(student)
    for url in signed_in_pages:
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        assert response["X-Robots-Tag"] == "noindex, nofollow", url
        assert '<meta name="robots" content="noindex, nofollow">' in page, url
        assert 'property="og:' not in page and 'name="twitter:' not in page, url
        assert 'name="description"' not in page and 'rel="canonical"' not in page, url


def test_anonymous_public_pages_carry_no_robots_header(client):
    post = BlogFactory()
    for url in (reverse("landing"), reverse("blog:list"), post.get_absolute_url(), "/robots.txt"):
        assert "X-Robots-Tag" not in client.get(url).headers, url
