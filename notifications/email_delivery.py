"""Delivery of the e-mail queue: what the Celery worker does with ``email_queue`` rows.

Requests never talk SMTP: ``QueueEmailBackend`` writes one row per recipient,
and ``email_queue_drain`` sends the due rows through the real backend
(``settings.EMAIL_DELIVERY_BACKEND``, from ``EMAIL_URL``), over one connection
for the whole drain.

Claiming. A drain works through the due rows in chunks of
``ROWS_PER_TRANSACTION``: one transaction claims a chunk in one query
(``SELECT … FOR UPDATE SKIP LOCKED``), sends its e-mails and writes their
outcomes (the sent rows in one UPDATE) before it commits, so each row's lock
is held from the claim until its outcome is written. Any number of drainers
may run at once: a locked row is skipped by the others, so no two drainers
send the same row, and the index ``email_queue_due_idx`` keeps the claim
cheap however large the history grows.

Delivery is at least once, not exactly once. A worker killed mid-chunk, or a
database that fails between the server's "250" and our commit, leaves the
chunk's rows pending (their locks die with the connection) and a later drain
sends them again: at most one chunk's e-mails, the price of paying the claim,
the UPDATE and the commit once per chunk instead of once per e-mail. Every row
keeps the Message-ID it was queued with, so receivers can tell such a resend
from a new e-mail.

Outcomes (``retry_count`` counts failed attempts):

* accepted: processed, ``processed_at``, ``status_code``/``response`` from the
  server's reply to DATA; ``error_message`` keeps the last failure, if any, as
  history of how the e-mail got through.
* temporary failure (SMTP 4xx, a dropped or refused connection, a timeout, an
  unexpected error): due again after ``EMAIL_RETRY_BASE_SECONDS * 2**(n-1)``
  (at most six hours); after ``EMAIL_MAX_RETRIES`` failed attempts it fails.
  The connection is closed, and the next e-mail opens a fresh one; when none
  can be opened, the drain stops, and the rows it has not tried wait (still
  due, their retries unspent) for the next drain.
* permanent failure (SMTP 5xx to this e-mail's MAIL, RCPT or DATA, an e-mail
  that cannot be built): failed at once. A connection that cannot be opened
  (even with a 5xx greeting or log-in refusal) is never the e-mail's fault,
  so it is a temporary failure.

Outcome times (``processed_at``, ``failed_at``, the base of the backoff) are
the database's clock when the outcome is written, like the claim's "due" test
and the queue's insert default: web and worker hosts whose clocks differ still
agree on "due".
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from collections import Counter
from dataclasses import dataclass, replace

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.db import connection, transaction
from django.db.models import DateTimeField, ExpressionWrapper, Func
from django.db.models.functions import Now

from notifications.email_messages import BuiltEmail, build_email
from notifications.models import EmailQueue

logger = logging.getLogger(__name__)

# However many failures, the next attempt is never further away than this:
# a mail server that was down for a day still gets the mail soon after.
MAX_RETRY_DELAY = dt.timedelta(hours=6)

# Rows claimed, sent and recorded per transaction. More rows spread the claim,
# the UPDATE and the commit over more e-mails; fewer keep the locks shorter and
# bound what a crash sends twice (at least once, above). At 50, a chunk takes
# about a tenth of a second against a local server, and its database work is a
# few per cent of it.
ROWS_PER_TRANSACTION = 50


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
class _Accepted:
    status_code: int
    response: str


@dataclass(frozen=True)
class _Failure:
    permanent: bool
    status_code: int | None
    response: str | None
    error_message: str
    # No connection could be opened: the rest of the chunk would fail alike.
    unreachable: bool = False


class _OutcomeTime(Func):
    """The database's clock when the outcome is written.

    Not ``now()``: that is the transaction's start, which for a chunk is the
    claim, up to a chunk's sending time earlier.
    """

    template = "statement_timestamp()"
    output_field = DateTimeField()


def email_queue_drain(*, batch_size: int | None = None) -> DrainResult:
    """Send up to ``batch_size`` due rows (default ``EMAIL_QUEUE_BATCH_SIZE``)."""
    if batch_size is None:
        batch_size = settings.EMAIL_QUEUE_BATCH_SIZE
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, not {batch_size}.")
    outcomes: Counter[str] = Counter()
    delivery = _DeliveryConnection()
    try:
        more = True
        while more and (remaining := batch_size - outcomes.total()) > 0:
            chunk_outcomes, more = _deliver_chunk(delivery, min(remaining, ROWS_PER_TRANSACTION))
            outcomes.update(chunk_outcomes)
    finally:
        delivery.close()
    return DrainResult(
        sent=outcomes["sent"],
        retried=outcomes["retried"],
        failed=outcomes["failed"],
        batch_size=batch_size,
    )


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


def _deliver_chunk(delivery: _DeliveryConnection, limit: int) -> tuple[list[str], bool]:
    """Claim up to ``limit`` due rows, send them and record the outcomes, in one transaction.

    Returns the outcomes and whether more may be due (the chunk was full).
    """
    outcomes: list[str] = []
    accepted: list[tuple[EmailQueue, _Accepted]] = []
    with transaction.atomic():
        rows = _claim_due(limit)
        for row in rows:
            result = _attempt(delivery, row)
            if isinstance(result, _Accepted):
                accepted.append((row, result))
                outcomes.append("sent")
                continue
            outcomes.append(_record_failure(row, result))
            row.save(update_fields=_DELIVERY_FIELDS)
            if result.unreachable:
                # The rows not tried go back as they were, still due, for the
                # next drain: trying each would hold this transaction open for
                # a connection timeout per row and spend their retries on an
                # outage that is not theirs.
                break
        _record_sent(accepted)
    if accepted:
        # One line per chunk; the rows hold each e-mail's recipient and reply.
        ids = ", ".join(str(row.pk) for row, _ in accepted)
        logger.info("Sent %s queued e-mail(s): ids %s", len(accepted), ids)
    return outcomes, len(rows) == limit and len(outcomes) == limit


def _claim_due(limit: int) -> list[EmailQueue]:
    return list(
        EmailQueue.objects.select_for_update(skip_locked=True)
        .filter(processed=False, next_attempt_at__lte=Now())
        .order_by("next_attempt_at", "id")[:limit]
    )


def _attempt(delivery: _DeliveryConnection, row: EmailQueue) -> _Accepted | _Failure:
    try:
        email = build_email(row)
    except Exception as error:
        logger.exception("Queued e-mail %s cannot be built", row.pk)
        return _Failure(True, None, None, _describe(error))
    try:
        delivery.open()
    except Exception as error:
        # Refused, timed out, or a greeting, HELO or log-in refused: whatever
        # the reply's code, the server's doing or ours, never the e-mail's, so
        # it is retried like any outage.
        return replace(_classify(error), permanent=False, unreachable=True)
    try:
        accepted = delivery.send(email)
    except Exception as error:
        # Whatever broke, the next e-mail gets a fresh connection.
        delivery.close()
        return _classify(error)
    logger.debug("Sent queued e-mail %s to %s", row.pk, row.recipient_email)
    return accepted


_RECORD_SENT_SQL = f"""UPDATE {EmailQueue._meta.db_table} AS queued
SET processed = true, processed_at = statement_timestamp(), failed_at = NULL,
    status_code = sent.status_code, response = sent.response
FROM unnest(%s::integer[], %s::integer[], %s::text[]) AS sent (id, status_code, response)
WHERE queued.id = sent.id
"""


def _record_sent(accepted: list[tuple[EmailQueue, _Accepted]]) -> None:
    """Mark the accepted rows sent, each with its server's reply, in one UPDATE."""
    if not accepted:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            _RECORD_SENT_SQL,
            [
                [row.pk for row, _ in accepted],
                [reply.status_code for _, reply in accepted],
                [reply.response for _, reply in accepted],
            ],
        )


def _record_failure(row: EmailQueue, failure: _Failure) -> str:
    row.retry_count = (row.retry_count or 0) + 1
    row.status_code = failure.status_code
    row.response = failure.response
    row.error_message = failure.error_message
    if failure.permanent or row.retry_count >= settings.EMAIL_MAX_RETRIES:
        row.processed = True
        row.processed_at = _OutcomeTime()
        row.failed_at = _OutcomeTime()
        logger.error(
            "Gave up on queued e-mail %s to %s after %s attempt(s): %s",
            row.pk,
            row.recipient_email,
            row.retry_count,
            failure.error_message,
        )
        return "failed"
    row.next_attempt_at = ExpressionWrapper(
        _OutcomeTime() + retry_delay(row.retry_count), output_field=DateTimeField()
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
        # Sender refused, DATA refused (or, on opening, greeting, HELO or AUTH).
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
    """One connection of the delivery backend for a whole drain.

    Opened on first use and reused for the following rows; after any error it
    is closed and the next row opens a fresh one, so one broken SMTP session
    does not fail the rest of the drain.
    """

    def __init__(self) -> None:
        self._backend: BaseEmailBackend | None = None
        self._smtp: smtplib.SMTP | None = None
        self._replies: list[tuple[int, bytes]] = []

    def send(self, email: BuiltEmail) -> _Accepted:
        backend = self.open()
        self._replies.clear()
        if self._smtp is not None:
            # The SMTP session itself, with the bytes built and checked once;
            # what Django's SMTP backend would send, without building it again.
            self._smtp.sendmail(email.sender, email.recipients, email.data)
        elif not backend.send_messages([email.message]):
            raise _NothingAccepted("The e-mail backend accepted nothing.")
        if self._replies:
            code, reply = self._replies[-1]
            return _Accepted(code, _decode(reply) or "accepted")
        return _Accepted(250, "accepted")  # not SMTP (console, file …): no server reply

    def close(self) -> None:
        backend, self._backend, self._smtp = self._backend, None, None
        if backend is None:
            return
        try:
            backend.close()
        except Exception:
            # The connection is already broken; dropping it is all we need.
            logger.debug("Closing the e-mail connection failed", exc_info=True)

    def open(self) -> BaseEmailBackend:
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
            if _sends_as_django_does(backend):
                self._smtp = smtp
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


def _sends_as_django_does(backend: BaseEmailBackend) -> bool:
    """Django's SMTP backend, or a subclass that sends the same way.

    A subclass that changes how a message is sent (signing it, say) keeps
    its say: it gets the message through ``send_messages``.
    """
    backend_type = type(backend)
    return (
        isinstance(backend, SMTPBackend)
        and backend_type.send_messages is SMTPBackend.send_messages
        and backend_type._send is SMTPBackend._send
    )
