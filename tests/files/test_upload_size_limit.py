"""files.upload_handlers: an oversized upload is refused before it is read in full."""

from __future__ import annotations

import logging

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import include, path
from django.utils import translation

from files.upload_handlers import (
    FORM_OVERHEAD_BYTES,
    UploadTooLarge,
    limit_upload_size,
    upload_limit,
)

KIB = 1024


@pytest.fixture(autouse=True)
def english():
    """Messages are checked in English (the site's default language is Korean)."""
    with translation.override("en"):
        yield


class CountingStream:
    """Wraps the request body and counts what the parser reads from it."""

    def __init__(self, stream) -> None:
        self.stream = stream
        self.read_bytes = 0

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        self.read_bytes += len(data)
        return data

    def readline(self, size: int = -1) -> bytes:
        data = self.stream.readline(size)
        self.read_bytes += len(data)
        return data


def upload_request(size: int, **extra):
    """A multipart POST carrying one file of ``size`` bytes, and its counted body."""
    request = RequestFactory().post(
        "/upload/",
        {"title": "homework", "file": SimpleUploadedFile("big.bin", b"x" * size)},
        **extra,
    )
    counted = CountingStream(request._stream)
    request._stream = counted
    return request, counted


def test_a_content_length_over_the_limit_is_refused_before_reading_anything():
    request, body = upload_request(300 * KIB)
    with pytest.raises(UploadTooLarge) as refusal:
        limit_upload_size(request, 100 * KIB)
    assert body.read_bytes == 0
    assert refusal.value.message == "The file is too large: the limit is 100.0\xa0KB."
    assert refusal.value.status_code == 413


def test_an_oversized_file_part_stops_the_parser_early():
    # Room for many files, so the Content-Length check lets it through: the
    # upload handler is what stops it, after about the limit, not 2 MiB later.
    request, body = upload_request(2 * 1024 * KIB)
    total = int(request.META["CONTENT_LENGTH"])
    with pytest.raises(UploadTooLarge):
        limit_upload_size(request, 100 * KIB, max_files=100)
    assert body.read_bytes < 100 * KIB + 3 * 64 * KIB
    assert body.read_bytes < total / 5
    # The parse is over: the other fields are there, the oversized file is not.
    assert request.POST["title"] == "homework"
    assert "file" not in request.FILES


def test_a_file_within_the_limit_is_parsed_in_full():
    request, body = upload_request(100 * KIB)
    limit_upload_size(request, 100 * KIB)
    upload = request.FILES["file"]
    assert upload.size == 100 * KIB and upload.read() == b"x" * 100 * KIB
    assert body.read_bytes == int(request.META["CONTENT_LENGTH"])


def test_each_file_counts_on_its_own():
    request = RequestFactory().post(
        "/upload/",
        {
            "files": [
                SimpleUploadedFile("a.bin", b"a" * 60 * KIB),
                SimpleUploadedFile("b.bin", b"b" * 60 * KIB),
            ]
        },
    )
    limit_upload_size(request, 64 * KIB, max_files=2)
    assert [upload.size for upload in request.FILES.getlist("files")] == [60 * KIB, 60 * KIB]


def test_called_after_the_body_was_read_it_still_refuses_and_warns(caplog):
    request, _body = upload_request(150 * KIB)
    request.POST  # noqa: B018 (what the CSRF middleware does first)
    with (
        caplog.at_level(logging.WARNING, logger="files.upload_handlers"),
        pytest.raises(UploadTooLarge),
    ):
        limit_upload_size(request, 100 * KIB)
    assert "after the body" in caplog.text


def test_form_overhead_is_allowed_next_to_the_file():
    request, _body = upload_request(100 * KIB)
    assert int(request.META["CONTENT_LENGTH"]) < 100 * KIB + FORM_OVERHEAD_BYTES
    limit_upload_size(request, 100 * KIB)  # does not raise


# -- the decorator, through the test client, CSRF checks on --------------------


@upload_limit(100 * KIB)
def size_view(request):
    return HttpResponse(str(request.FILES["file"].size))


# The site's own URLs too: the refused-form page (403_csrf.html) links to them.
urlpatterns = [path("upload/", size_view), path("", include("sqeeze.urls"))]

TOKEN = "a" * 32


@pytest.fixture
def csrf_client():
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    client.cookies["csrftoken"] = TOKEN
    return client


def post(client, size: int, token: str | None = TOKEN, **extra):
    data = {"file": SimpleUploadedFile("f.bin", b"x" * size)}
    if token:
        data["csrfmiddlewaretoken"] = token
    return client.post("/upload/", data, **extra)


@pytest.mark.urls(__name__)
def test_the_decorated_view_gets_a_small_file_after_the_csrf_check(csrf_client, db):
    response = post(csrf_client, 10 * KIB)
    assert response.status_code == 200 and response.content == b"10240"


@pytest.mark.urls(__name__)
def test_the_decorated_view_still_checks_csrf(csrf_client, db):
    assert post(csrf_client, 10 * KIB, token=None).status_code == 403


@pytest.mark.urls(__name__)
def test_the_decorated_view_answers_413_with_the_message(csrf_client, db):
    response = post(csrf_client, 300 * KIB)
    assert response.status_code == 413
    assert "too large" in response.content.decode()

    response = post(csrf_client, 300 * KIB, HTTP_ACCEPT="application/json")
    assert response.status_code == 413
    assert "too large" in response.json()["error"]
