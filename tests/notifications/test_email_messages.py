"""A queue row's e-mail is built once and sent as the bytes Django's SMTP backend would send."""

from __future__ import annotations

import re

import pytest
from django.core.mail.message import sanitize_address

from notifications.email_messages import build_email, email_message_for
from notifications.models import EmailQueue

FIXED_HEADERS = {
    "Message-ID": "<grade-42@sqeeze.test>",
    "Date": "Sun, 06 Dec 2026 08:00:00 -0000",  # message() would write the clock's
}


def row(**fields) -> EmailQueue:
    """An unsaved row: building an e-mail reads nothing from the database."""
    return EmailQueue(
        **{
            "recipient_email": "minji@example.test",
            "recipient_name": "김민지",
            "subject": "[Sqeeze] “미션 3” 제출이 채점됐어요",
            "content": "민지 님, 안녕하세요.\n\n제출이 채점됐어요.\n",
            "html_content": "<p>민지 님, 안녕하세요.</p>",
            "from_email": "Sqeeze <no-reply@sqeeze.test>",
            "headers": dict(FIXED_HEADERS),
            **fields,
        }
    )


def as_django_sends_it(queued: EmailQueue, boundary: str | None) -> bytes:
    """What Django's SMTP backend writes for the same row, with the same boundary."""
    mime = email_message_for(queued).message()
    if boundary is not None:
        mime.set_boundary(boundary)
    return mime.as_bytes(linesep="\r\n")


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"recipient_name": None, "subject": "Week 3 is open", "html_content": None},
        {"subject": "A subject long enough to need folding by the header code, " * 3},
        {"recipient_name": 'Kim "MJ" Minji', "subject": "ASCII only"},
        {"headers": {**FIXED_HEADERS, "Reply-To": "teacher@example.test", "X-Note": "a  b\tc"}},
        {"content": "A line far longer than any header. " * 40, "html_content": None},
    ],
    ids=["korean", "plain-text-only", "long-subject", "quoted-name", "extra-headers", "long-line"],
)
def test_the_bytes_are_what_djangos_smtp_backend_would_send(fields):
    queued = row(**fields)

    email = build_email(queued)

    found = re.search(rb'boundary="([^"]+)"', email.data)
    boundary = found.group(1).decode() if found else None
    assert email.data == as_django_sends_it(queued, boundary)
    assert (boundary is None) == (queued.html_content is None)


def test_the_envelope_is_what_djangos_smtp_backend_would_use():
    queued = row()

    email = build_email(queued)

    assert email.sender == sanitize_address("Sqeeze <no-reply@sqeeze.test>", "utf-8")
    assert email.recipients == [sanitize_address('"김민지" <minji@example.test>', "utf-8")]


def test_each_email_gets_a_boundary_of_its_own():
    first, second = build_email(row()), build_email(row())

    boundaries = [re.search(rb'boundary="([^"]+)"', e.data).group(1) for e in (first, second)]

    assert boundaries[0] != boundaries[1]
    assert first.data.count(b"--" + boundaries[0]) == 3  # two parts and the end


def test_a_bad_address_fails_the_build():
    with pytest.raises(ValueError):
        build_email(row(recipient_email="minji@example.test\nBcc: everyone@example.test"))
