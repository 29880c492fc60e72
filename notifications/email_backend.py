"""Django's e-mail backend for Sqeeze (``EMAIL_BACKEND``): every e-mail goes into
``email_queue``, and a Celery worker delivers it (``notifications.email_delivery``).

Nothing here talks SMTP, so a slow or unreachable mail server never slows or
fails a request, and the rows are written in the caller's transaction: a
request that rolls back sends no e-mail about what it did not do. Putting
failed rows back in the queue (the admin's "retry" action) is here too.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import Iterable, Sequence
from email.header import decode_header, make_header
from email.utils import make_msgid, parseaddr

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import sanitize_address
from django.db import DatabaseError, transaction
from django.db.models import Q
from django.db.models.functions import Now
from django.utils.html import strip_tags

from core import tenancy
from notifications.email_tasks import drain_on_commit
from notifications.models import EmailQueue

logger = logging.getLogger(__name__)

# A header naming what the e-mail is about (a notification's id); it fills
# content_ref_id and is not sent on.
REF_HEADER = "X-Sqeeze-Ref"


class UnsupportedEmailError(ValueError):
    """An e-mail the queue cannot store faithfully (attachments, odd alternatives)."""


class QueueEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        """Queue the messages; returns how many had a recipient and were queued.

        Each recipient (to, cc and bcc alike) becomes a row of its own and gets
        an e-mail addressed to them alone, so bcc stays private and a retry or
        failure concerns one person only.
        """
        if not email_messages:
            return 0
        rows: list[EmailQueue] = []
        accepted = 0
        for message in email_messages:
            message_rows = queue_rows_for(message)
            if message_rows:
                accepted += 1
                rows.extend(message_rows)
        if not rows:
            return 0
        try:
            # The queue is the platform's (Row Level Security): whoever sends a
            # mail hands it to the system, which alone reads the queue.
            with transaction.atomic(), tenancy.use(tenancy.SYSTEM):
                EmailQueue.objects.bulk_create(rows)
                drain_on_commit()
        except DatabaseError:
            if not self.fail_silently:
                raise
            # fail_silently callers (mail_admins from the error log handler)
            # may run inside a transaction that is already broken.
            logger.exception("Could not queue %s e-mail(s)", accepted)
            return 0
        return accepted


def queue_rows_for(message: EmailMessage) -> list[EmailQueue]:
    """Unsaved ``email_queue`` rows for ``message``, one per distinct recipient.

    Raises what Django's SMTP backend would raise at send time (a bad address
    or header), so the caller learns of it now rather than a worker later.
    """
    if message.attachments:
        raise UnsupportedEmailError(
            f"The e-mail queue stores no attachments, and {message.subject!r} has "
            f"{len(message.attachments)}; link to a stored file instead."
        )
    html = _html_alternative(message)
    text = message.body
    if message.content_subtype == "html":
        # An HTML-only message: keep its HTML, and give text readers the words.
        html, text = text, strip_tags(text)

    encoding = message.encoding or settings.DEFAULT_CHARSET
    sanitize_address(message.from_email, encoding)
    message.message()  # BadHeaderError for a subject with a line break, as SMTP would

    headers, ref_id = _headers_and_ref(message)
    rows: list[EmailQueue] = []
    seen: set[str] = set()
    for address in message.recipients():
        sanitize_address(address, encoding)
        name, email = split_address(address)
        if email.lower() in seen:
            continue  # the same person in to and cc gets it once
        seen.add(email.lower())
        rows.append(
            EmailQueue(
                recipient_email=email,
                recipient_name=name,
                subject=str(message.subject),
                content=text,
                html_content=html,
                from_email=message.from_email,
                # Fixed now, so a resend after a crash carries the same id and
                # receivers can recognise it (email_delivery: at least once).
                headers={
                    **headers,
                    "Message-ID": headers.get("Message-ID") or _message_id(message),
                },
                content_ref_id=ref_id,
                # The database's clock, which the drainer's "due" test reads too.
                next_attempt_at=Now(),
            )
        )
    return rows


def _html_alternative(message: EmailMessage) -> str | None:
    html = None
    for content, mimetype in getattr(message, "alternatives", None) or []:
        if mimetype != "text/html" or html is not None:
            raise UnsupportedEmailError(
                f"The e-mail queue stores one text/html alternative, not {mimetype!r} "
                f"({message.subject!r})."
            )
        html = content
    return html


def _headers_and_ref(message: EmailMessage) -> tuple[dict[str, str], uuid.UUID | None]:
    headers: dict[str, str] = {}
    ref_id = None
    for name, value in message.extra_headers.items():
        if name.lower() == REF_HEADER.lower():
            try:
                ref_id = uuid.UUID(str(value))
            except ValueError:
                logger.warning("Ignoring %s %r: not a UUID", REF_HEADER, value)
            continue
        headers[str(name)] = str(value)
    if message.reply_to and not any(name.lower() == "reply-to" for name in headers):
        headers["Reply-To"] = ", ".join(message.reply_to)
    if "message-id" in {name.lower() for name in headers}:
        # One spelling, so the row's Message-ID is found whatever the caller wrote.
        headers = {
            ("Message-ID" if k.lower() == "message-id" else k): v for k, v in headers.items()
        }
    return headers, ref_id


def _message_id(message: EmailMessage) -> str:
    # The sender's domain, not the host's: make_msgid() without a domain asks
    # DNS for this host's name, which can hang a request on a closed network.
    _name, sender = parseaddr(str(message.from_email))
    domain = sender.rpartition("@")[2] or "sqeeze.invalid"
    return make_msgid(domain=domain)


def split_address(address: str) -> tuple[str | None, str]:
    """``"Name <a@b>"`` → ``("Name", "a@b")``; RFC 2047-encoded names are decoded."""
    name, email = parseaddr(address)
    if not email or "@" not in email:
        raise ValueError(f"Not an e-mail address: {address!r}")
    if "=?" in name:
        # An undecodable name is kept as written.
        with contextlib.suppress(LookupError, UnicodeDecodeError, ValueError):
            name = str(make_header(decode_header(name)))
    return (name.strip() or None), email


def email_queue_retry(*, ids: Iterable[int]) -> int:
    """Make failed (and pending) rows due now with a fresh retry budget.

    Returns how many rows will be retried. Sent rows are left alone: sending
    them again would not be a retry. A row that a drainer is sending right now
    is skipped rather than waited for; it gets its outcome in a moment anyway.
    """
    ids = list(ids)
    with transaction.atomic():
        retryable = (
            EmailQueue.objects.filter(pk__in=ids)
            .filter(Q(processed=False) | Q(processed=True, failed_at__isnull=False))
            .select_for_update(skip_locked=True)
        )
        locked_ids = list(retryable.values_list("pk", flat=True))
        count = EmailQueue.objects.filter(pk__in=locked_ids).update(
            processed=False,
            processed_at=None,
            failed_at=None,
            retry_count=0,
            next_attempt_at=Now(),
        )
        if count:
            drain_on_commit()
    return count
