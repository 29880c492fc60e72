"""Delivery of the e-mail queue: what the Celery worker does with ``email_queue`` rows.

Requests never talk SMTP: ``QueueEmailBackend`` writes one row per recipient,
and ``email_queue_drain`` sends the due rows through the real backend
(``settings.EMAIL_DELIVERY_BACKEND``, from ``EMAIL_URL``).

Claiming. Each row is sent inside its own short transaction that holds the
row's lock (``SELECT … FOR UPDATE SKIP LOCKED``) from the claim until the
outcome is written. Any number of drainers may run at once: a locked row is
skipped by the others, so no two drainers send the same row, and the index
``email_queue_due_idx`` keeps the claim cheap however large the history grows.

Delivery is at least once, not exactly once. A worker killed mid-send, or a
database that fails between the server's "250" and our commit, leaves the row
pending (its lock dies with the connection) and a later drain sends it again.
Every row keeps the Message-ID it was queued with, so receivers can tell such
a resend from a new e-mail.

Outcomes (``retry_count`` counts failed attempts):

* accepted: processed, ``processed_at``, ``status_code``/``response`` from the
  server's reply to DATA; ``error_message`` keeps the last failure, if any, as
  history of how the e-mail got through.
* temporary failure (SMTP 4xx, a dropped or refused connection, a timeout, an
  unexpected error): due again after ``EMAIL_RETRY_BASE_SECONDS * 2**(n-1)``
  (at most six hours); after ``EMAIL_MAX_RETRIES`` failed attempts it fails.
* permanent failure (SMTP 5xx, an e-mail that cannot be built): failed at once.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import sanitize_address
from django.db import transaction
from django.db.models import DateTimeField, ExpressionWrapper
from django.db.models.functions import Now

from notifications.models import EmailQueue

logger = logging.getLogger(__name__)

# However many failures, the next attempt is never further away than this:
# a mail server that was down for a day still gets the mail soon after.
MAX_RETRY_DELAY = dt.timedelta(hours=6)


@dataclass(frozen=True)
class DrainResult:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    batch_size: int = 0

    @property
    def claimed(self) -> int:
        return self.sent + self.retried + self.failed

    @property
    def batch_full(self) -> bool:
        """The batch ended because it was full, not because nothing was due."""
        return self.batch_size > 0 and self.claimed >= self.batch_size


@dataclass(frozen=True)
class _Failure:
    permanent: bool
    status_code: int | None
    response: str | None
    error_message: str


def email_queue_drain(*, batch_size: int | None = None) -> DrainResult:
    """Send up to ``batch_size`` due rows (default ``EMAIL_QUEUE_BATCH_SIZE``)."""
    if batch_size is None:
        batch_size = settings.EMAIL_QUEUE_BATCH_SIZE
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, not {batch_size}.")
    counts = {"sent": 0, "retried": 0, "failed": 0}
    delivery = _DeliveryConnection()
    try:
        for _ in range(batch_size):
            outcome = _deliver_next(delivery)
            if outcome is None:
                break
            counts[outcome] += 1
    finally:
        delivery.close()
    return DrainResult(**counts, batch_size=batch_size)


# What a delivery attempt writes; the e-mail itself is never changed.
_DELIVERY_FIELDS = [
    "processed",
    "processed_at",
    "failed_at",
    "status_code",
    "response",
    "error_message",
    "retry_count",
    "next_attempt_at",
]


def _deliver_next(delivery: _DeliveryConnection) -> str | None:
    """Claim one due row, send it and record the outcome, all in one transaction."""
    with transaction.atomic():
        row = (
            EmailQueue.objects.select_for_update(skip_locked=True)
            .filter(processed=False, next_attempt_at__lte=Now())
            .order_by("next_attempt_at", "id")
            .first()
        )
        if row is None:
            return None
        try:
            message = email_message_for(row)
            _check_buildable(message)
        except Exception as error:
            logger.exception("Queued e-mail %s cannot be built", row.pk)
            outcome = _record_failure(row, _Failure(True, None, None, _describe(error)))
        else:
            try:
                status_code, response = delivery.send(message)
            except Exception as error:
                delivery.close()
                outcome = _record_failure(row, _classify(error))
            else:
                outcome = _record_sent(row, status_code, response)
        row.save(update_fields=_DELIVERY_FIELDS)
    return outcome


def email_message_for(row: EmailQueue) -> EmailMultiAlternatives:
    """The e-mail a queue row stands for: one recipient, text and optional HTML."""
    recipient = (
        format_address(row.recipient_name, row.recipient_email)
        if row.recipient_name
        else row.recipient_email
    )
    message = EmailMultiAlternatives(
        subject=row.subject,
        body=row.content,
        from_email=row.from_email or settings.DEFAULT_FROM_EMAIL,
        to=[recipient],
        headers=dict(row.headers or {}),
    )
    if row.html_content:
        message.attach_alternative(row.html_content, "text/html")
    return message


def _check_buildable(message: EmailMultiAlternatives) -> None:
    # What the SMTP backend would raise half-way through a send: a bad address
    # or header. Such an e-mail fails for good; retrying cannot mend it.
    encoding = message.encoding or settings.DEFAULT_CHARSET
    for address in [message.from_email, *message.recipients()]:
        sanitize_address(address, encoding)
    message.message()


def format_address(name: str, address: str) -> str:
    """``"Name" <address>`` that Django's address parser reads back unchanged.

    ``email.utils.formataddr`` would RFC 2047-encode a Korean name here, and
    Django would then encode the encoded word a second time.
    """
    quoted = name.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{quoted}" <{address}>'


def _record_sent(row: EmailQueue, status_code: int, response: str) -> str:
    row.processed = True
    row.processed_at = Now()
    row.failed_at = None
    row.status_code = status_code
    row.response = response
    logger.info("Sent queued e-mail %s to %s", row.pk, row.recipient_email)
    return "sent"


def _record_failure(row: EmailQueue, failure: _Failure) -> str:
    row.retry_count = (row.retry_count or 0) + 1
    row.status_code = failure.status_code
    row.response = failure.response
    row.error_message = failure.error_message
    if failure.permanent or row.retry_count >= settings.EMAIL_MAX_RETRIES:
        row.processed = True
        row.processed_at = Now()
        row.failed_at = Now()
        logger.error(
            "Gave up on queued e-mail %s to %s after %s attempt(s): %s",
            row.pk,
            row.recipient_email,
            row.retry_count,
            failure.error_message,
        )
        return "failed"
    # The database's clock, like the claim's "due" test and the insert's
    # default: web and worker hosts whose clocks differ still agree on "due".
    row.next_attempt_at = ExpressionWrapper(
        Now() + retry_delay(row.retry_count), output_field=DateTimeField()
    )
    logger.warning(
        "Queued e-mail %s to %s failed (attempt %s), will retry: %s",
        row.pk,
        row.recipient_email,
        row.retry_count,
        failure.error_message,
    )
    return "retried"


def retry_delay(failed_attempts: int) -> dt.timedelta:
    """Exponential backoff: base, 2×base, 4×base … capped at ``MAX_RETRY_DELAY``."""
    exponent = max(failed_attempts - 1, 0)
    # Bounded before the power, so a large retry count cannot overflow timedelta.
    if exponent >= 32:
        return MAX_RETRY_DELAY
    seconds = settings.EMAIL_RETRY_BASE_SECONDS * 2**exponent
    return min(dt.timedelta(seconds=seconds), MAX_RETRY_DELAY)


def _classify(error: Exception) -> _Failure:
    """Temporary (retry later) or permanent (give up now), with the server's words."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        # One recipient per row, so one (code, reply) pair.
        code, reply = next(iter(error.recipients.values()), (None, b""))
        return _smtp_failure(error, code, reply)
    if isinstance(error, smtplib.SMTPResponseException):
        # Sender refused, DATA refused, bad greeting, HELO or AUTH refused.
        return _smtp_failure(error, error.smtp_code, error.smtp_error)
    # A dropped connection, a refused one, a timeout (all OSError or
    # SMTPServerDisconnected), and anything unexpected: retried a bounded number
    # of times, so a passing outage delays mail instead of losing it.
    return _Failure(False, None, None, _describe(error))


def _smtp_failure(error: Exception, code: int | None, reply: bytes | str) -> _Failure:
    text = _decode(reply)
    permanent = code is not None and 500 <= code < 600
    message = f"{type(error).__name__}: {code} {text}".rstrip()
    return _Failure(permanent, code, text or None, message)


def _describe(error: Exception) -> str:
    text = str(error)
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _decode(reply: bytes | str | None) -> str:
    if reply is None:
        return ""
    if isinstance(reply, bytes):
        return reply.decode("utf-8", errors="replace")
    return str(reply)


class _NothingAccepted(Exception):
    """The delivery backend returned without sending (and without an error)."""


class _DeliveryConnection:
    """One connection of the delivery backend for a whole batch.

    Opened on first use and reused for the following rows; after any error it
    is closed and the next row opens a fresh one, so one broken SMTP session
    does not fail the rest of the batch.
    """

    def __init__(self) -> None:
        self._backend: BaseEmailBackend | None = None
        self._replies: list[tuple[int, bytes]] = []

    def send(self, message: EmailMultiAlternatives) -> tuple[int, str]:
        backend = self._open()
        self._replies.clear()
        if not backend.send_messages([message]):
            raise _NothingAccepted("The e-mail backend accepted nothing.")
        if self._replies:
            code, reply = self._replies[-1]
            return code, _decode(reply) or "accepted"
        return 250, "accepted"  # not SMTP (console, file …): no server reply to show

    def close(self) -> None:
        backend, self._backend = self._backend, None
        if backend is None:
            return
        try:
            backend.close()
        except Exception:
            # The connection is already broken; dropping it is all we need.
            logger.debug("Closing the e-mail connection failed", exc_info=True)

    def _open(self) -> BaseEmailBackend:
        if self._backend is not None:
            return self._backend
        backend = get_connection(settings.EMAIL_DELIVERY_BACKEND, fail_silently=False)
        try:
            backend.open()
        except Exception:
            try:
                backend.close()
            except Exception:
                logger.debug("Closing a half-open e-mail connection failed", exc_info=True)
            raise
        smtp = getattr(backend, "connection", None)
        if isinstance(smtp, smtplib.SMTP):
            self._record_data_replies(smtp)
        self._backend = backend
        return backend

    def _record_data_replies(self, smtp: smtplib.SMTP) -> None:
        # smtplib's sendmail() drops the server's reply to DATA, which names
        # the server's queue id ("250 2.0.0 Ok: queued as 4F2A1"), the one
        # thing a postmaster needs to trace a delivered e-mail. Wrapping this
        # connection's data() keeps it.
        send_data = smtp.data
        replies = self._replies

        def data(msg):
            reply = send_data(msg)
            replies.append(reply)
            return reply

        smtp.data = data
