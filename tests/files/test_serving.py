"""Serving stored files: /files/<id>/download/ (access-checked, every file) and
/media/public/<path> (public files on local disk). Every test that serves bytes
runs on local disk and on S3 (the ``file_storage`` fixture) with the same
assertions: local disk streams the bytes, S3 answers with a short-lived
presigned redirect that S3 itself then serves."""

from __future__ import annotations

import json
import re
import uuid
from urllib.parse import quote

import pytest
import requests
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from community.models import PostAttachment
from files.links import file_url
from files.models import File
from files.purposes import storage_for
from inquiries.models import BugReport
from tests.factories import JourneyFactory, PostFactory, ProfileFactory, UserJourneyFactory

PDF = b"%PDF-1.4\n% a small test document\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
HTML = b"<!doctype html><script>alert(document.cookie)</script>"


def stored_file(
    uploader,
    *,
    bucket: str = "post-attachments",
    file_name: str = "report.pdf",
    mime_type: str = "application/pdf",
    content: bytes = PDF,
    deleted: bool = False,
) -> File:
    """A files row with its bytes in the bucket's storage (the upload service's job
    in the app; built by hand here so serving is tested on its own)."""
    extension = file_name.rsplit(".", 1)[-1] if "." in file_name else "bin"
    path = storage_for(bucket).save(
        f"{bucket}/{uuid.uuid4().hex}.{extension}", ContentFile(content)
    )
    return File.objects.create(
        user=uploader,
        file_name=file_name,
        file_path=path,
        file_size=len(content),
        mime_type=mime_type,
        file_type="image" if mime_type.startswith("image/") else "document",
        bucket_name=bucket,
        is_deleted=deleted,
    )


def download_url(file: File) -> str:
    return reverse("files:download", args=[file.pk])


def fetch(client, url: str):
    """GET through the site (or straight from S3 for an absolute URL); follow an
    S3 redirect with a real HTTP client. Returns (site response or None, final
    status, final headers, body)."""
    if url.startswith("http"):
        remote = requests.get(url, timeout=10)
        return None, remote.status_code, remote.headers, remote.content
    response = client.get(url)
    if response.status_code == 302:
        remote = requests.get(response["Location"], timeout=10)
        return response, remote.status_code, remote.headers, remote.content
    body = b"".join(response.streaming_content) if response.streaming else b""
    return response, response.status_code, response.headers, body


@pytest.fixture
def journey(organization, student):
    journey = JourneyFactory(organization=organization)
    UserJourneyFactory(journey=journey, user=student)
    return journey


@pytest.fixture
def classmate(journey):
    return UserJourneyFactory(journey=journey, user__role=Role.USER).user


@pytest.fixture
def attachment(file_storage, journey, student) -> File:
    """A PDF the student attached to a post in their journey."""
    file = stored_file(student)
    post = PostFactory(mission_instance__journey_week__journey=journey, user=student)
    PostAttachment.objects.create(post=post, file=file)
    return file


# --- who may download -------------------------------------------------------------


@pytest.mark.parametrize("who", ["student", "classmate", "teacher", "admin_user", "superuser"])
def test_people_allowed_download_a_private_attachment(client, attachment, who, request):
    client.force_login(request.getfixturevalue(who))
    _, status, _, body = fetch(client, download_url(attachment))
    assert status == 200
    assert body == PDF


@pytest.mark.parametrize("who", ["same_org_stranger", "outsider", "other_org_teacher"])
def test_people_not_allowed_get_404(client, attachment, who, organization, other_organization):
    person = {
        # a student of the same organization who is not in the journey
        "same_org_stranger": lambda: ProfileFactory(organization=organization, role=Role.USER),
        # "outsider" is an admin — of another organization
        "outsider": lambda: ProfileFactory(organization=other_organization, role=Role.ADMIN),
        "other_org_teacher": lambda: ProfileFactory(
            organization=other_organization, role=Role.TEACHER
        ),
    }[who]()
    client.force_login(person)
    assert client.get(download_url(attachment)).status_code == 404


def test_anonymous_gets_404_not_a_login_redirect(client, attachment):
    assert client.get(download_url(attachment)).status_code == 404


def test_inactive_member_gets_404(client, attachment, classmate):
    classmate.is_active = False
    classmate.save(update_fields=["is_active"])
    client.force_login(classmate)
    assert client.get(download_url(attachment)).status_code == 404


def test_missing_deleted_and_foreign_files_answer_alike(client, file_storage, student, outsider):
    deleted = stored_file(student, deleted=True)
    foreign = stored_file(outsider)
    client.force_login(student)
    answers = [
        client.get(download_url(deleted)),
        client.get(download_url(foreign)),
        client.get(reverse("files:download", args=[foreign.pk + 1000])),
    ]
    assert [answer.status_code for answer in answers] == [404, 404, 404]
    # Same body too: nothing tells "exists elsewhere" from "never existed".
    assert len({body_without_echoes(answer) for answer in answers}) == 1


def body_without_echoes(answer) -> str:
    """The 404 page, less what every page echoes of its own request: its
    address (language form, footer) and a freshly masked CSRF token."""
    body = answer.content.decode().replace(answer.request["PATH_INFO"], "<path>")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "<token>", body)


def test_deleted_file_is_not_served_even_to_its_uploader(client, attachment, student):
    File.objects.filter(pk=attachment.pk).update(is_deleted=True)
    client.force_login(student)
    assert client.get(download_url(attachment)).status_code == 404


def test_only_get_and_head(client, attachment, student):
    client.force_login(student)
    assert client.post(download_url(attachment)).status_code == 405


@pytest.mark.parametrize(
    ("who", "status"),
    [("student", 200), ("admin_user", 200), ("teacher", 404), ("outsider", 404)],
)
def test_bug_report_screenshot_reporter_and_admins_only(
    client, file_storage, student, who, status, request
):
    screenshot = stored_file(
        student, bucket="bug-reports", file_name="screen.png", mime_type="image/png", content=PNG
    )
    BugReport.objects.create(user=student, title="Button broken", attachment_file=screenshot)
    client.force_login(request.getfixturevalue(who))
    _, final_status, _, body = fetch(client, download_url(screenshot))
    assert final_status == status
    if status == 200:
        assert body == PNG


# --- headers ---------------------------------------------------------------------


def test_pdf_is_an_attachment_with_safe_headers(client, attachment, student, file_storage):
    client.force_login(student)
    site, status, headers, _ = fetch(client, download_url(attachment))
    assert status == 200
    assert site["X-Content-Type-Options"] == "nosniff"
    assert "private" in site["Cache-Control"]
    assert headers["Content-Type"] == "application/pdf"
    assert headers["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''report.pdf" in headers["Content-Disposition"]
    if file_storage == "local":
        assert site["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_html_is_never_rendered_inline(client, file_storage, student):
    page = stored_file(student, file_name="page.html", mime_type="text/html", content=HTML)
    client.force_login(student)
    site, status, headers, body = fetch(client, download_url(page))
    assert status == 200 and body == HTML
    assert site["X-Content-Type-Options"] == "nosniff"
    assert headers["Content-Disposition"].startswith("attachment;")
    if file_storage == "local":
        assert site["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_png_may_be_shown_inline(client, file_storage, student):
    image = stored_file(student, file_name="photo.png", mime_type="image/png", content=PNG)
    client.force_login(student)
    site, status, headers, body = fetch(client, download_url(image))
    assert status == 200 and body == PNG
    assert headers["Content-Type"] == "image/png"
    assert headers["Content-Disposition"].startswith("inline;")
    assert site["X-Content-Type-Options"] == "nosniff"


def test_svg_is_an_attachment(client, file_storage, student):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    image = stored_file(student, file_name="logo.svg", mime_type="image/svg+xml", content=svg)
    client.force_login(student)
    _, status, headers, _ = fetch(client, download_url(image))
    assert status == 200
    assert headers["Content-Disposition"].startswith("attachment;")


def test_hostile_file_name_is_encoded_not_injected(client, file_storage, student):
    hostile = stored_file(
        student, file_name='a"; filename=b.html', mime_type="text/html", content=HTML
    )
    client.force_login(student)
    _, status, headers, _ = fetch(client, download_url(hostile))
    assert status == 200
    disposition = headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename=b.html" not in disposition
    assert disposition.count('"') == 2  # only the fallback's own quotes
    assert "filename*=UTF-8''a%22%3B%20filename%3Db.html" in disposition


def test_korean_file_name_survives_encoded(client, file_storage, student):
    name = "과제 보고서.pdf"
    korean = stored_file(student, file_name=name)
    client.force_login(student)
    _, status, headers, _ = fetch(client, download_url(korean))
    assert status == 200
    assert f"filename*=UTF-8''{quote(name, safe='')}" in headers["Content-Disposition"]


def test_odd_mime_type_does_not_reach_the_header(client, file_storage, student):
    odd = stored_file(student, file_name="x.bin", mime_type="text/html; charset=utf-7")
    client.force_login(student)
    _, status, headers, _ = fetch(client, download_url(odd))
    assert status == 200
    assert headers["Content-Type"] == "application/octet-stream"


# --- the two backends ------------------------------------------------------------


def test_s3_redirects_to_a_short_lived_signed_url(client, attachment, student, file_storage):
    client.force_login(student)
    response = client.get(download_url(attachment))
    if file_storage == "local":
        assert response.status_code == 200
        assert response.streaming
        return
    assert response.status_code == 302
    location = response["Location"]
    assert "X-Amz-Signature=" in location
    assert "X-Amz-Expires=300" in location
    assert "response-content-disposition=" in location
    assert response["Cache-Control"] == "private, no-store"
    remote = requests.get(location, timeout=10)
    assert remote.status_code == 200 and remote.content == PDF
    assert remote.headers["Content-Disposition"].startswith("attachment;")
    # Without the signature S3 refuses, even with public reads allowed for public/.
    allow_public_reads(file_storage)
    assert requests.get(location.split("?", 1)[0], timeout=10).status_code == 403


def test_missing_bytes_are_not_served(client, attachment, student, file_storage):
    storage_for(attachment.bucket_name).delete(attachment.file_path)
    client.force_login(student)
    _, status, _, _ = fetch(client, download_url(attachment))
    if file_storage == "local":
        assert status == 404
    else:
        # S3 answers the signed URL itself: 404, or 403 without s3:ListBucket.
        assert status in (403, 404)


# --- public files ----------------------------------------------------------------


def allow_public_reads(file_storage) -> None:
    """On S3 the public location must be readable by anyone: a bucket policy that
    deployment sets up (see README). Local disk needs nothing."""
    if file_storage != "s3":
        return
    storage = storages["public_files"]
    bucket = storage.bucket_name
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{bucket}/{storage.location}/*",
            }
        ],
    }
    storage.connection.meta.client.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))


@pytest.fixture
def cover(file_storage, teacher) -> File:
    allow_public_reads(file_storage)
    return stored_file(
        teacher, bucket="journey-covers", file_name="cover.png", mime_type="image/png", content=PNG
    )


def test_public_file_is_served_at_its_public_url(client, cover, file_storage):
    url = file_url(cover)
    if file_storage == "local":
        assert url == f"/media/public/{cover.file_path}"
    else:
        assert url.startswith("http") and "X-Amz-Signature" not in url
    _, status, headers, body = fetch(client, url)
    assert status == 200 and body == PNG
    assert headers["Content-Type"] == "image/png"


def test_public_media_route_headers(client, cover, file_storage):
    response = client.get(f"/media/public/{cover.file_path}")
    if file_storage == "s3":
        assert response.status_code == 404  # S3 serves public files itself
        return
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Content-Disposition"].startswith("inline;")
    assert "max-age=31536000" in response["Cache-Control"]
    assert "public" in response["Cache-Control"]


# The /media/public/ route exists for local disk only: S3 serves public files itself.


def test_public_media_route_needs_no_login_and_few_queries(
    client, local_file_storage, teacher, django_assert_max_num_queries
):
    cover = stored_file(
        teacher, bucket="journey-covers", file_name="cover.png", mime_type="image/png", content=PNG
    )
    with django_assert_max_num_queries(1):
        assert client.get(f"/media/public/{cover.file_path}").status_code == 200


def test_public_html_is_an_attachment(client, local_file_storage, teacher):
    page = stored_file(teacher, bucket="images", file_name="x.html", mime_type="text/html")
    response = client.get(f"/media/public/{page.file_path}")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")


def test_public_file_through_download_route(client, cover, file_storage):
    """Anyone may open a public file through the download route too."""
    response, status, _, body = fetch(client, download_url(cover))
    assert status == 200 and body == PNG
    if file_storage == "s3":
        assert "X-Amz-Signature" not in response["Location"]


def test_deleted_public_file_is_not_served(client, cover):
    File.objects.filter(pk=cover.pk).update(is_deleted=True)
    assert client.get(f"/media/public/{cover.file_path}").status_code == 404
    assert client.get(download_url(cover)).status_code == 404


def test_public_media_route_refuses_files_without_a_row(client, file_storage, db):
    storages["public_files"].save("images/stray.png", ContentFile(PNG))
    assert client.get("/media/public/images/stray.png").status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "../private/secret.pdf",
        "images/../../private/secret.pdf",
        "%2e%2e/private/secret.pdf",
        "images/%2e%2e/%2e%2e/private/secret.pdf",
        "/etc/passwd",
        "images//x.png",
        "images/./x.png",
        "..%5cprivate%5csecret.pdf",
        "images/x.png%00",
    ],
)
def test_public_media_route_refuses_traversal(client, file_storage, teacher, path):
    # Even a row naming the odd path, and a file where it points, must not help.
    storages["private_files"].save("secret.pdf", ContentFile(PDF))
    File.objects.create(
        user=teacher,
        file_name="x",
        file_path=path,
        file_size=1,
        mime_type="image/png",
        file_type="image",
        bucket_name="images",
    )
    assert client.get(f"/media/public/{path}").status_code == 404


def test_public_media_route_refuses_a_private_files_path(client, file_storage, student):
    private = stored_file(student)
    assert client.get(f"/media/public/{private.file_path}").status_code == 404
    # Even if its bytes were (wrongly) on the public disk too, the row is private.
    storages["public_files"].save(private.file_path, ContentFile(PDF))
    assert client.get(f"/media/public/{private.file_path}").status_code == 404
    # And the private folder is never reachable from /media.
    assert client.get(f"/media/private/{private.file_path}").status_code == 404


# --- query counts ----------------------------------------------------------------


def test_download_query_count_is_small_and_flat(client, attachment, journey, classmate):
    client.force_login(classmate)
    url = download_url(attachment)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code in (200, 302)
    # More classmates, more posts attaching the same file, more files: same count.
    for _ in range(5):
        other = UserJourneyFactory(journey=journey, user__role=Role.USER).user
        post = PostFactory(mission_instance__journey_week__journey=journey, user=other)
        PostAttachment.objects.create(post=post, file=attachment)
        stored_file(other)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code in (200, 302)
    assert len(few) == len(many)
    # session, person, file, access check
    assert len(many) <= 4
