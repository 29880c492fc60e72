"""Creating the students of a confirmed CSV import and inviting them: batches
under a row lock (run by the ``run_student_import`` task), the invitation
mail with its set-your-password link, and accepting that link.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from typing import Any

from allauth.account.forms import UserTokenForm, default_token_generator
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.models import ImportStatus, Organization, Profile, Role, StudentImport
from core import tenancy
from core.links import absolute_url
from core.moments import in_person_terms

logger = logging.getLogger(__name__)


# Rows per transaction in the run: progress shows after each batch, and a crash
# loses at most one batch (which the next run redoes: ``processed`` is the mark).
BATCH_SIZE = 25


def existing_emails(emails: Iterable[str]) -> set[str]:
    """Which of ``emails`` (lower-case) already belong to someone, in any
    organization: as a profile's address or as an allauth address of theirs."""
    emails = list(emails)
    if not emails:
        return set()
    with tenancy.finding_identities():
        taken = set(
            Profile.objects.annotate(lower_email=Lower("email"))
            .filter(lower_email__in=emails)
            .values_list("lower_email", flat=True)
        )
        taken.update(
            EmailAddress.objects.annotate(lower_email=Lower("email"))
            .filter(lower_email__in=emails)
            .values_list("lower_email", flat=True)
        )
    return taken


def invitation_url(profile: Profile) -> str:
    """An absolute link that sets the first password (allauth's reset key, through
    ``people:invitation``, which first marks the address verified)."""
    key = default_token_generator.make_token(profile)
    path = reverse(
        "people:invitation",
        kwargs={"uidb36": user_pk_to_url_str(profile), "key": key},
    )
    return absolute_url(path)


def invitation_message(*, profile: Profile, organization: Organization) -> EmailMultiAlternatives:
    context = {
        "profile": profile,
        "organization": organization,
        "invitation_url": invitation_url(profile),
        "site_url": settings.SITE_URL,
        "timeout_days": max(settings.PASSWORD_RESET_TIMEOUT // 86400, 1),
    }
    # Rendered in a worker: in the student's terms (a new student has chosen
    # none yet, so the site's language and zone), never the worker's.
    with in_person_terms(profile):
        subject = render_to_string("people/import_invitation.subject.txt", context)
        text = render_to_string("people/import_invitation.txt", context)
        html = render_to_string("people/import_invitation.html", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[profile.email],
    )
    message.attach_alternative(html, "text/html")
    return message


def _create_student(
    student_import: StudentImport, row: dict[str, Any], outbox: list[EmailMultiAlternatives]
) -> dict[str, Any]:
    result = {"line": row["line"], "email": row["email"]}
    if row["problems"]:
        return {**result, "outcome": "skipped", "outcome_code": "problems"}
    try:
        with transaction.atomic():  # a savepoint: one failed row leaves the batch intact
            profile = Profile(
                email=row["email"],
                first_name=row["first_name"],
                last_name=row["last_name"],
                phone=row["phone"] or None,
                organization_id=student_import.organization_id,
                role=Role.USER,
                # They accept the privacy terms themselves at their first log-in.
                privacy_agreed=False,
            )
            profile.set_unusable_password()
            profile.save()
            # Unverified until they open the invitation link (mailed to this address).
            EmailAddress.objects.create(
                user=profile, email=profile.email, verified=False, primary=True
            )
            message = invitation_message(profile=profile, organization=student_import.organization)
            message.message()  # a header the mailer would refuse fails this row, not the batch
    except IntegrityError:
        # Someone signed up with this address between the check and the insert.
        return {**result, "outcome": "skipped", "outcome_code": "exists"}
    except DatabaseError:
        raise  # the database itself is in trouble: the whole import fails
    except Exception as error:  # this row only (say, an address the mailer refuses)
        logger.exception("Student import %s: row %s failed", student_import.pk, row["line"])
        detail = f"{type(error).__name__}: {error}"[:300]
        return {**result, "outcome": "failed", "outcome_code": "error", "detail": detail}
    outbox.append(message)
    return {**result, "outcome": "created", "outcome_code": "created"}


def _run_batch(import_id: uuid.UUID | str) -> bool:
    """Process the next batch; returns whether there is more to do."""
    with transaction.atomic():
        student_import = (
            # of=self: lock the import, not the organization row it joins.
            StudentImport.objects.select_for_update(of=("self",))
            .select_related("organization")
            .get(pk=import_id)
        )
        if student_import.status != ImportStatus.RUNNING:
            return False
        start = student_import.processed
        batch = student_import.rows[start : start + BATCH_SIZE]
        taken = existing_emails(row["email"] for row in batch if not row["problems"])
        results = []
        outbox: list[EmailMultiAlternatives] = []
        for row in batch:
            if not row["problems"] and row["email"] in taken:
                # Someone signed up (or was imported) since the preview.
                results.append(
                    {
                        "line": row["line"],
                        "email": row["email"],
                        "outcome": "skipped",
                        "outcome_code": "exists",
                    }
                )
            else:
                results.append(_create_student(student_import, row, outbox))
        # One call per batch: the e-mail queue rows join this transaction, and
        # the queue asks for one delivery run instead of one per student.
        if outbox:
            get_connection().send_messages(outbox)
        # Results up to ``processed`` are final; anything after is a crashed batch's.
        student_import.results = student_import.results[:start] + results
        student_import.processed = start + len(batch)
        more = student_import.processed < len(student_import.rows)
        if not more:
            student_import.status = ImportStatus.DONE
        student_import.save(update_fields=["results", "processed", "status", "updated_at"])
        return more


def student_import_run(*, import_id: uuid.UUID | str) -> StudentImport:
    """Create the students of a queued import in batches of ``BATCH_SIZE``.

    Each batch is its own transaction (so the page shows progress), under a row
    lock (two workers never create the same row). Re-running a done or failed
    import does nothing; a run interrupted mid-way resumes at ``processed``.
    An unexpected error marks the import failed, with the error as a result
    without a line."""
    with transaction.atomic():
        student_import = StudentImport.objects.select_for_update().get(pk=import_id)
        if student_import.status == ImportStatus.QUEUED:
            student_import.status = ImportStatus.RUNNING
            student_import.save(update_fields=["status", "updated_at"])
        elif student_import.status != ImportStatus.RUNNING:
            return student_import
    try:
        while _run_batch(import_id):
            pass
    except Exception as error:
        logger.exception("Student import %s failed", import_id)
        with transaction.atomic():
            student_import = StudentImport.objects.select_for_update().get(pk=import_id)
            student_import.status = ImportStatus.FAILED
            student_import.results = student_import.results[: student_import.processed] + [
                {
                    "line": None,
                    "email": "",
                    "outcome": "failed",
                    "outcome_code": "error",
                    "detail": f"{type(error).__name__}: {error}"[:500],
                }
            ]
            student_import.save(update_fields=["status", "results", "updated_at"])
    return StudentImport.objects.get(pk=import_id)


def student_invitation_accept(*, uidb36: str, key: str) -> Profile | None:
    """The invited person opened their link: it was mailed to their address, so
    the address is theirs (verified). Returns the person, or ``None`` for a bad
    or used link (allauth's page then says so)."""
    # A link opened logged out, like allauth's password reset: the sign-in
    # context finds the person the link names (core.tenancy).
    with tenancy.use(tenancy.signin()):
        form = UserTokenForm(data={"uidb36": uidb36, "key": key})
        if not form.is_valid():
            return None
        profile = form.reset_user
        if profile.has_usable_password():
            return profile  # not an invitation: an ordinary password reset
        with transaction.atomic():
            EmailAddress.objects.filter(user=profile, email__iexact=profile.email).update(
                verified=True
            )
    return profile
