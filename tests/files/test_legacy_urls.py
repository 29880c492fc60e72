"""Legacy URL columns: a stored file wins, the seed's URL column is the fallback,
and only http(s) URLs or site paths ever reach a page."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.urls import reverse

from core.links import safe_url as safe_legacy_url
from files.links import display_url, file_url
from files.models import File
from inquiries.models import BugReport
from tests.factories import JourneyFactory

LEGACY = "https://legacy.supabase.co/storage/v1/object/public/images/cover.png"


def make_file(uploader, *, bucket="journey-covers", deleted=False) -> File:
    return File.objects.create(
        user=uploader,
        file_name="cover.png",
        file_path=f"{bucket}/abc123.png",
        file_size=10,
        mime_type="image/png",
        file_type="image",
        bucket_name=bucket,
        is_deleted=deleted,
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (LEGACY, LEGACY),
        ("http://example.com/a.png", "http://example.com/a.png"),
        ("  https://example.com/a.png  ", "https://example.com/a.png"),
        ("/media/public/images/a.png", "/media/public/images/a.png"),
        ("HTTPS://EXAMPLE.COM/A.PNG", "HTTPS://EXAMPLE.COM/A.PNG"),
        ("javascript:alert(1)", None),
        ("JavaScript:alert(1)", None),
        ("  javascript:alert(1)", None),
        ("java\tscript:alert(1)", None),
        ("java\nscript:alert(1)", None),
        ("data:text/html;base64,PHNjcmlwdD4=", None),
        ("vbscript:msgbox", None),
        ("//evil.example/a.png", None),
        ("/\\evil.example/a.png", None),
        ("https:///no-host", None),
        ("images/relative.png", None),
        ("ftp://example.com/a.png", None),
        ("", None),
        (None, None),
    ],
)
def test_only_http_urls_and_site_paths_pass(value, expected):
    assert safe_legacy_url(value) == expected
    assert display_url(None, value) == expected


def test_stored_file_wins_over_the_legacy_url(file_storage, teacher):
    cover = make_file(teacher)
    assert display_url(cover, LEGACY) == file_url(cover)
    if file_storage == "local":
        assert file_url(cover) == "/media/public/journey-covers/abc123.png"
    else:
        assert file_url(cover).startswith("http")
        assert "X-Amz-Signature" not in file_url(cover)


def test_deleted_file_falls_back_to_the_legacy_url(teacher):
    cover = make_file(teacher, deleted=True)
    assert display_url(cover, LEGACY) == LEGACY
    assert display_url(cover, "javascript:alert(1)") is None


def test_private_file_links_to_the_download_view(student):
    screenshot = make_file(student, bucket="bug-reports")
    assert file_url(screenshot) == reverse("files:download", args=[screenshot.pk])
    assert file_url(screenshot) == f"/files/{screenshot.pk}/download/"


def test_profile_image_url(student):
    student.profile_image = LEGACY
    assert student.image_url == LEGACY
    student.profile_image_file = make_file(student, bucket="profile-images")
    assert student.image_url == file_url(student.profile_image_file)
    student.profile_image_file = None
    student.profile_image = "javascript:alert(document.cookie)"
    assert student.image_url is None


def test_journey_cover_url(organization, teacher):
    journey = JourneyFactory(organization=organization, image_url=LEGACY)
    assert journey.cover_url == LEGACY
    journey.image_file = make_file(teacher)
    journey.save()
    journey = type(journey).objects.select_related("image_file").get(pk=journey.pk)
    assert journey.cover_url == file_url(journey.image_file)
    journey.image_url, journey.image_file = None, None
    assert journey.cover_url is None


def test_bug_report_attachment_url(student):
    report = BugReport.objects.create(user=student, title="Broken", file_url=LEGACY)
    assert report.attachment_url == LEGACY
    report.attachment_file = make_file(student, bucket="bug-reports")
    assert report.attachment_url == f"/files/{report.attachment_file.pk}/download/"


def test_template_tag_and_filter(teacher, organization):
    cover = make_file(teacher)
    template = Template(
        "{% load file_links %}"
        "{% file_or_url file legacy as cover %}[{{ cover }}]"
        "[{% file_or_url None bad %}]"
        "[{{ file|file_url }}][{{ missing|file_url }}]"
    )
    rendered = template.render(
        Context({"file": cover, "legacy": LEGACY, "bad": "javascript:alert(1)"})
    )
    url = file_url(cover)
    assert rendered == f"[{url}][][{url}][]"


def test_template_tag_falls_back_and_escapes(organization):
    journey = JourneyFactory(organization=organization, image_url='/x.png?a="b"&c')
    rendered = Template(
        "{% load file_links %}{% file_or_url journey.image_file journey.image_url %}"
    ).render(Context({"journey": journey}))
    assert rendered == "/x.png?a=&quot;b&quot;&amp;c"
