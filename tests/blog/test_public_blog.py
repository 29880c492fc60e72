"""The public blog: the list (keyset pages, newest first), a post's page, the
RSS feed; drafts and scheduled posts stay hidden everywhere; Markdown is
sanitised; the seed's stock picture is never fetched; every page shares
absolute meta, Open Graph and Twitter tags."""

from __future__ import annotations

import datetime as dt
import html
import re
import uuid
from html.parser import HTMLParser
from urllib.parse import urlencode
from xml.etree import ElementTree
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from blog.models import SEED_PLACEHOLDER_IMAGE_URL, Blog
from blog.selectors import BLOG_PAGE_SIZE
from files.links import file_url
from files.models import File, FileType
from tests.blog.builders import BlogFactory, draft, scheduled
from tests.factories import ProfileFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

SITE = "https://lms.example.kr"
FEED_LINK = (
    '<link rel="alternate" type="application/rss+xml" title="Sqeeze blog" '
    f'href="{SITE}/blog/feed/">'
)


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE


def page_of(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def meta(page: str, key: str) -> str | None:
    """The content of ``<meta name|property="key" content="…">``, unescaped."""
    found = re.search(rf'<meta (?:name|property)="{re.escape(key)}" content="([^"]*)"', page)
    return html.unescape(found[1]) if found else None


def feed_links(client) -> list[str]:
    root = ElementTree.fromstring(client.get(reverse("blog:feed")).content)
    return [item.findtext("link") for item in root.iter("item")]


def sitemap_locations(client) -> list[str]:
    root = ElementTree.fromstring(client.get(reverse("sitemap")).content)
    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    return [loc.text for loc in root.findall("s:url/s:loc", namespace)]


# --- the list -----------------------------------------------------------------------


def test_the_list_shows_published_posts_newest_first_as_cards(client):
    now = timezone.now()
    older = BlogFactory(title="Older news", published_at=now - dt.timedelta(days=9))
    newer = BlogFactory(title="Newer news", published_at=now - dt.timedelta(hours=2))

    page = page_of(client, reverse("blog:list"))

    assert page.index("Newer news") < page.index("Older news")
    for post in (older, newer):
        assert post.get_absolute_url() in page
        assert post.subtitle in page
    # Dates are shown in the reader's zone (Asia/Seoul by default).
    seoul = timezone.localtime(newer.published_at, ZoneInfo("Asia/Seoul"))
    assert f'<time datetime="{seoul.isoformat()}">' in page


def test_the_list_pages_by_key_without_repeating_or_skipping(client):
    moment = timezone.now() - dt.timedelta(days=1)
    # Ten posts published at the very same moment: the id breaks the tie.
    posts = [BlogFactory(published_at=moment) for _ in range(10)]
    posts += [BlogFactory(published_at=moment - dt.timedelta(hours=n)) for n in range(1, 21)]
    expected = [
        post.pk for post in sorted(posts, key=lambda p: (p.published_at, p.pk), reverse=True)
    ]

    seen, url, pages = [], reverse("blog:list"), 0
    while url:
        response = client.get(url)
        page = response.context["page"]
        seen += [post.pk for post in page.posts]
        pages += 1
        after = page.next_cursor
        url = f"{reverse('blog:list')}?{urlencode({'after': after})}" if after else None

    assert seen == expected
    assert pages == -(-len(posts) // BLOG_PAGE_SIZE)


def test_an_older_page_links_back_and_is_not_indexed_itself(client):
    BlogFactory.create_batch(BLOG_PAGE_SIZE + 1)
    first = client.get(reverse("blog:list"))
    cursor = first.context["page"].next_cursor
    assert f'href="?{urlencode({"after": cursor})}"' in first.content.decode()

    second = page_of(client, f"{reverse('blog:list')}?{urlencode({'after': cursor})}")

    assert meta(second, "robots") == "noindex, follow"
    assert f'href="{reverse("blog:list")}"' in second
    assert 'rel="canonical"' not in second


@pytest.mark.parametrize("cursor", ["nonsense", "2024-01-01T00:00:00~not-a-uuid", "~~"])
def test_a_tampered_page_address_is_a_clear_400(client, cursor):
    response = client.get(reverse("blog:list"), {"after": cursor})
    assert response.status_code == 400
    assert "This page of the blog does not exist." in response.content.decode()


def test_the_list_runs_the_same_queries_for_few_and_many_posts(client):
    BlogFactory.create_batch(2)
    with CaptureQueriesContext(connection) as few:
        page_of(client, reverse("blog:list"))
    BlogFactory.create_batch(30)
    with CaptureQueriesContext(connection) as many:
        page_of(client, reverse("blog:list"))

    assert len(many) == len(few)
    assert len(few) <= 2


def test_an_empty_blog_says_so(client):
    assert "No posts yet" in page_of(client, reverse("blog:list"))


# --- drafts and scheduled posts --------------------------------------------------------


@pytest.mark.parametrize("make", [draft, scheduled], ids=["draft", "scheduled"])
def test_a_draft_or_scheduled_post_is_hidden_everywhere(client, make):
    hidden = make(title="Not yet for your eyes")
    public = BlogFactory(title="Out in the open")

    assert client.get(hidden.get_absolute_url()).status_code == 404
    listed = page_of(client, reverse("blog:list"))
    assert "Not yet for your eyes" not in listed and "Out in the open" in listed
    assert feed_links(client) == [SITE + public.get_absolute_url()]
    locations = sitemap_locations(client)
    assert SITE + public.get_absolute_url() in locations
    assert not any(str(hidden.pk) in location for location in locations)
    assert "Not yet for your eyes" not in page_of(client, reverse("landing"))


def test_a_scheduled_post_appears_once_its_time_has_come(client):
    post = scheduled()
    assert client.get(post.get_absolute_url()).status_code == 404

    Blog.objects.filter(pk=post.pk).update(published_at=timezone.now() - dt.timedelta(seconds=1))

    assert client.get(post.get_absolute_url()).status_code == 200


def test_an_unknown_post_is_404(client):
    assert client.get(reverse("blog:post", args=[uuid.uuid4()])).status_code == 404


# --- a post's page ----------------------------------------------------------------------


def test_a_post_renders_its_markdown(client):
    post = BlogFactory(
        content="## A heading\n\n- one\n- two\n\n**bold** and [a link](https://example.com)"
    )

    page = page_of(client, post.get_absolute_url())

    assert "<h2>A heading</h2>" in page
    assert "<li>one</li>" in page and "<strong>bold</strong>" in page
    assert 'href="https://example.com"' in page


class Markup(HTMLParser):
    """Every tag and attribute of a piece of HTML, as a browser would read them."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


@pytest.mark.parametrize(
    "content",
    [
        "Hi <script>alert(1)</script> there",
        "[click me](javascript:alert(1))",
        "[click me](JaVaScRiPt:alert(1))",
        '<a href="javascript:alert(1)">click</a>',
        '<img src="x" onerror="alert(1)">',
        '![pic](x" onerror="alert(1))',
        '<iframe src="https://evil.example"></iframe>',
        '<p style="position:fixed" onclick="steal()">overlay</p>',
        '<svg onload="alert(1)"><circle r="9"/></svg>',
    ],
)
def test_markdown_in_a_post_is_sanitised(client, content):
    post = BlogFactory(title="Safe", content=content)

    page = page_of(client, post.get_absolute_url())
    body = page.split('class="blog-post__content prose">')[1].split("</article>")[0]

    for tag, attrs in Markup(body).tags:
        assert tag not in ("script", "iframe", "svg", "style"), body
        for name, value in attrs.items():
            assert not name.startswith("on"), body
            assert name != "style", body
            assert not (value or "").strip().lower().startswith("javascript:"), body


def test_a_title_with_markup_is_escaped_everywhere(client):
    post = BlogFactory(title='<script>alert("t")</script>', subtitle='"><img src=x onerror=1>')

    for url in (post.get_absolute_url(), reverse("blog:list"), reverse("landing")):
        page = page_of(client, url)
        assert '<script>alert("t")' not in page
        assert "<img src=x onerror=1>" not in page
    assert b"<script>" not in client.get(reverse("blog:feed")).content


def test_the_meta_tags_of_a_post_are_complete_and_absolute(client, settings):
    post = BlogFactory(title="Team missions that work", subtitle="Five habits of good teams")
    url = SITE + post.get_absolute_url()

    page = page_of(client, post.get_absolute_url())

    assert "<title>Team missions that work · Sqeeze</title>" in page
    assert meta(page, "description") == "Five habits of good teams"
    assert f'<link rel="canonical" href="{url}">' in page
    assert meta(page, "og:type") == "article"
    assert meta(page, "og:title") == "Team missions that work"
    assert meta(page, "og:description") == "Five habits of good teams"
    assert meta(page, "og:url") == url
    assert meta(page, "og:image").startswith(SITE + "/static/icons/blog-cover")
    assert meta(page, "og:image").endswith(".png")  # link previews do not draw SVG
    seoul = timezone.localtime(post.published_at, ZoneInfo("Asia/Seoul"))
    assert meta(page, "article:published_time") == seoul.isoformat()
    assert meta(page, "twitter:card") == "summary_large_image"
    assert meta(page, "twitter:title") == "Team missions that work"
    assert meta(page, "twitter:image") == meta(page, "og:image")
    assert meta(page, "robots") is None  # public pages are indexed
    assert "noindex" not in page
    assert FEED_LINK in page
    assert "X-Robots-Tag" not in client.get(post.get_absolute_url()).headers


def test_without_a_subtitle_the_description_is_the_start_of_the_text(client):
    text = "학원 수업을 주차별 미션으로 운영하는 방법을 소개합니다. " * 10
    post = BlogFactory(subtitle="", content=f"## 소개\n\n**{text.strip()}**")

    description = meta(page_of(client, post.get_absolute_url()), "description")

    assert description.startswith("소개 학원 수업을 주차별")
    assert "**" not in description and "##" not in description
    assert 100 < len(description) <= 160


def test_an_uploaded_cover_is_shown_and_shared_with_its_absolute_address(client):
    cover = File.objects.create(
        user=ProfileFactory(),
        file_name="cover.png",
        file_path="images/2026/01/cover.png",
        file_size=10,
        mime_type="image/png",
        file_type=FileType.IMAGE,
        bucket_name="images",
    )
    post = BlogFactory(image_file=cover)
    cover_path = file_url(cover)
    assert cover_path.startswith("/media/public/")

    page = page_of(client, post.get_absolute_url())

    assert meta(page, "og:image") == SITE + cover_path
    assert f'class="blog-post__cover" src="{cover_path}"' in page
    assert f'src="{cover_path}"' in page_of(client, reverse("blog:list"))


def test_a_cover_address_with_a_dangerous_scheme_falls_back_to_the_placeholder(client):
    post = BlogFactory(image_url="javascript:alert(1)")

    page = page_of(client, post.get_absolute_url())

    assert "javascript:" not in page
    assert "icons/blog-cover.svg" in page


# --- the seed's stock picture --------------------------------------------------------------


def test_the_seeds_stock_picture_is_never_put_on_a_page(client, superuser):
    published = [BlogFactory(), BlogFactory(image_url="https://picsum.photos/seed/x/800/400")]
    preview = draft()
    assert all(post.image_url for post in published)
    assert Blog.objects.filter(image_url=SEED_PLACEHOLDER_IMAGE_URL).count() == 2  # the default

    pages = [
        reverse("landing"),
        reverse("blog:list"),
        reverse("blog:feed"),
        reverse("sitemap"),
        *(post.get_absolute_url() for post in published),
    ]
    for url in pages:
        assert "picsum.photos" not in client.get(url).content.decode(), url
    client.force_login(superuser)
    assert "picsum.photos" not in page_of(client, reverse("blog:preview", args=[preview.pk]))
    assert "icons/blog-cover.svg" in page_of(client, reverse("blog:preview", args=[preview.pk]))


# --- the feed ---------------------------------------------------------------------------


def test_the_feed_lists_published_posts_newest_first_with_absolute_links(client):
    now = timezone.now()
    older = BlogFactory(title="First", published_at=now - dt.timedelta(days=3))
    newer = BlogFactory(
        title="Second", subtitle="The latest", published_at=now - dt.timedelta(days=1)
    )

    response = client.get(reverse("blog:feed"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    root = ElementTree.fromstring(response.content)
    channel = root.find("channel")
    assert channel.findtext("link") == f"{SITE}/blog/"
    items = channel.findall("item")
    assert [item.findtext("title") for item in items] == ["Second", "First"]
    assert items[0].findtext("link") == SITE + newer.get_absolute_url()
    assert items[0].findtext("description") == "The latest"
    assert items[1].findtext("link") == SITE + older.get_absolute_url()


def test_the_list_page_links_its_feed(client):
    page = page_of(client, reverse("blog:list"))
    assert FEED_LINK in page
    assert meta(page, "og:url") == f"{SITE}/blog/"
    assert f'<link rel="canonical" href="{SITE}/blog/">' in page
