"""Bulk student creation from a CSV: parsing, the per-row checks (the preview),
and the run that creates the accounts and sends the invitations.

A teacher uploads a CSV (e-mail, first name, last name, phone; English or Korean
headers; UTF-8, with or without BOM, or CP949 from Korean Excel). The preview
stores every row with its problems in ``StudentImport.rows``; confirming queues
``accounts.run_student_import``, which calls ``student_import_run``. Rows with
problems are skipped. Each created student gets an unusable password and an
invitation e-mail whose link sets the password (allauth's password-reset key).

Problems and results are stored as codes (``{"code": "duplicate", "line": 3}``)
and turned into words when shown, so each reader sees them in their language.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import uuid
from collections.abc import Iterable
from typing import IO, Any

from allauth.account.forms import UserTokenForm, default_token_generator
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.validators import validate_email
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import QuerySet
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.forms import phone_normalize
from accounts.models import ImportStatus, Organization, Profile, Role, StudentImport
from accounts.permissions import require_role
from core.errors import ServiceError
from core.links import absolute_url

logger = logging.getLogger(__name__)

MAX_FILE_BYTES = 1024 * 1024
MAX_ROWS = 5_000
# Rows per transaction in the run: progress shows after each batch, and a crash
# loses at most one batch (which the next run redoes: ``processed`` is the mark).
BATCH_SIZE = 25
MAX_NAME_LENGTH = 100
ENCODINGS = ("utf-8-sig", "cp949")

FIELDS = ("email", "first_name", "last_name", "phone")
REQUIRED_FIELDS = ("email", "first_name", "last_name")

# Header spellings, compared after lower-casing and dropping spaces, "_" and "-".
HEADER_ALIASES: dict[str, str] = {
    alias: field
    for field, aliases in {
        "email": ("email", "emailaddress", "mail", "이메일", "이메일주소", "메일", "전자우편"),
        "first_name": ("firstname", "givenname", "name", "이름"),
        "last_name": ("lastname", "familyname", "surname", "성"),
        "phone": (
            "phone",
            "phonenumber",
            "mobile",
            "tel",
            "전화번호",
            "전화",
            "휴대폰",
            "휴대폰번호",
            "휴대전화",
            "핸드폰",
            "연락처",
        ),
    }.items()
    for alias in aliases
}

# The sample file offered for download (English headers read by every Excel).
SAMPLE_HEADER = ("email", "first_name", "last_name", "phone")
SAMPLE_ROW = ("minji.kim@example.com", "Minji", "Kim", "010-1234-5678")

PROBLEM_MESSAGES = {
    "email_missing": gettext_lazy("E-mail is missing."),
    "email_invalid": gettext_lazy("Not a valid e-mail address."),
    "duplicate": gettext_lazy("Same e-mail as row %(line)s."),
    "exists": gettext_lazy("This e-mail already has an account."),
    "first_name_missing": gettext_lazy("First name is missing."),
    "last_name_missing": gettext_lazy("Last name is missing."),
    "name_too_long": gettext_lazy("A name is longer than %(max)s characters."),
    "phone_invalid": gettext_lazy("Not a Korean phone number (e.g. 010-1234-5678)."),
}
RESULT_MESSAGES = {
    "created": gettext_lazy("Created; invitation sent."),
    "problems": gettext_lazy("Skipped: the row has problems."),
    "exists": gettext_lazy("Skipped: this e-mail already has an account."),
    "error": gettext_lazy("Failed: %(detail)s"),
}


class StudentImportError(ServiceError):
    """A file or import the service refuses; ``message`` says why, for the uploader."""


# --- Parsing -----------------------------------------------------------------


def decode_csv(data: bytes) -> str:
    """The text of a CSV from UTF-8 (BOM or not), else CP949/EUC-KR (Korean Excel)."""
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise StudentImportError(
        _("The file is not readable text. Save it from Excel as “CSV UTF-8” and try again.")
    )


def _header_key(cell: str) -> str:
    return re.sub(r"[\s_\-]+", "", cell.strip().lower())


def _columns(header: list[str]) -> dict[str, int]:
    columns: dict[str, int] = {}
    unknown: list[str] = []
    for index, cell in enumerate(header):
        if not cell.strip():
            continue  # Excel leaves empty header cells after the last column
        field = HEADER_ALIASES.get(_header_key(cell))
        if field is None:
            unknown.append(cell.strip())
        elif field in columns:
            raise StudentImportError(
                _("The column “%(column)s” appears twice.") % {"column": cell.strip()}
            )
        else:
            columns[field] = index
    expected = _(
        "Expected columns: email, first_name, last_name, phone (or 이메일, 이름, 성, 전화번호)."
    )
    if unknown:
        raise StudentImportError(
            _("Unknown columns: %(columns)s.") % {"columns": ", ".join(unknown)} + " " + expected
        )
    missing = [field for field in REQUIRED_FIELDS if field not in columns]
    if missing:
        raise StudentImportError(
            _("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)} + " " + expected
        )
    return columns


def parse_csv(text: str, *, max_rows: int = MAX_ROWS) -> list[dict[str, Any]]:
    """The data rows as ``{"line", "email", "first_name", "last_name", "phone"}``
    (``line`` is the row's line in the file, the header being line 1). Blank
    lines are skipped. Raises ``StudentImportError`` for a bad header, no rows,
    or more than ``max_rows`` rows."""
    reader = csv.reader(io.StringIO(text, newline=""))
    columns: dict[str, int] | None = None
    rows: list[dict[str, Any]] = []
    try:
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if columns is None:
                columns = _columns(cells)
                continue
            if len(rows) >= max_rows:
                raise StudentImportError(
                    _("The file has more than %(max)s students; split it into smaller files.")
                    % {"max": f"{max_rows:,}"}
                )
            row: dict[str, Any] = {"line": reader.line_num}
            for field in FIELDS:
                index = columns.get(field)
                value = cells[index] if index is not None and index < len(cells) else ""
                row[field] = " ".join(value.split())  # trims and folds inner whitespace
            rows.append(row)
    except csv.Error as error:
        raise StudentImportError(
            _("The file is not a valid CSV (line %(line)s: %(error)s).")
            % {"line": reader.line_num, "error": error}
        ) from None
    if columns is None:
        raise StudentImportError(_("The file is empty."))
    if not rows:
        raise StudentImportError(_("The file has a header but no students."))
    return rows


def normalize_phone(value: str) -> str | None:
    """``010-1234-5678`` for a Korean number in any usual spelling (the sign-up
    form's rule), also when Excel dropped the leading 0 of a number cell
    (``1012345678``); else ``None``."""
    phone = phone_normalize(value)
    if phone is None:
        digits = re.sub(r"[\s\-.()/]", "", value)
        if digits.isdigit() and digits.startswith("1") and len(digits) in (9, 10):
            phone = phone_normalize("0" + digits)
    return phone


def existing_emails(emails: Iterable[str]) -> set[str]:
    """Which of ``emails`` (lower-case) already belong to someone, in any
    organization: as a profile's address or as an allauth address of theirs."""
    emails = list(emails)
    if not emails:
        return set()
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


def check_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each row with ``problems`` (a list of ``{"code", ...}``); e-mails are
    lower-cased and phones normalised."""
    first_line: dict[str, int] = {}
    for row in rows:
        problems: list[dict[str, Any]] = []
        email = row["email"].lower()
        row["email"] = email
        if not email:
            problems.append({"code": "email_missing"})
        else:
            try:
                validate_email(email)
            except ValidationError:
                problems.append({"code": "email_invalid"})
            if email in first_line:
                problems.append({"code": "duplicate", "line": first_line[email]})
            else:
                first_line[email] = row["line"]
        if not row["first_name"]:
            problems.append({"code": "first_name_missing"})
        if not row["last_name"]:
            problems.append({"code": "last_name_missing"})
        if max(len(row["first_name"]), len(row["last_name"])) > MAX_NAME_LENGTH:
            problems.append({"code": "name_too_long", "max": MAX_NAME_LENGTH})
        if row["phone"]:
            phone = normalize_phone(row["phone"])
            if phone is None:
                problems.append({"code": "phone_invalid"})
            else:
                row["phone"] = phone
        row["problems"] = problems
    taken = existing_emails(first_line)
    for row in rows:
        if row["email"] in taken:
            row["problems"].append({"code": "exists"})
    return rows


def problem_message(problem: dict[str, Any]) -> str:
    return str(PROBLEM_MESSAGES[problem["code"]]) % problem


def result_message(result: dict[str, Any]) -> str:
    return str(RESULT_MESSAGES[result["outcome_code"]]) % result


# --- Reads ---------------------------------------------------------------------


def imports_visible_to(user) -> QuerySet[StudentImport]:
    """The imports ``user`` may see: their organization's, for teachers and admins."""
    if not user.is_authenticated or not user.has_role_at_least(Role.TEACHER):
        return StudentImport.objects.none()
    if user.organization_id is None:
        return StudentImport.objects.none()
    return StudentImport.objects.filter(organization_id=user.organization_id)


# --- Services ------------------------------------------------------------------


def _require_teacher(by: Profile, organization: Organization) -> None:
    require_role(
        by,
        Role.TEACHER,
        _("Only teachers and admins of this academy may add students."),
        organization,
    )


def student_import_preview(*, organization: Organization, by: Profile, file: IO) -> StudentImport:
    """Parse and check an uploaded CSV and store it as a previewed import.

    Refuses (``StudentImportError``, nothing stored) a file over 1 MB, one that
    is not CSV text, has wrong columns, or more than ``MAX_ROWS`` rows."""
    _require_teacher(by, organization)
    size = getattr(file, "size", None)
    if size is not None and size > MAX_FILE_BYTES:
        raise StudentImportError(_("The file is larger than 1 MB; split it into smaller files."))
    data = file.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise StudentImportError(_("The file is larger than 1 MB; split it into smaller files."))
    rows = check_rows(parse_csv(decode_csv(data)))
    name = str(getattr(file, "name", "") or "students.csv").replace("\\", "/").rsplit("/", 1)[-1]
    with transaction.atomic():
        return StudentImport.objects.create(
            organization=organization,
            created_by=by,
            file_name=name[:200] or "students.csv",
            status=ImportStatus.PREVIEWED,
            rows=rows,
            results=[],
            total=len(rows),
            processed=0,
        )


def student_import_confirm(*, student_import: StudentImport, by: Profile) -> StudentImport:
    """Queue a previewed import: the task runs once the transaction commits.
    Confirming twice queues it once."""
    from accounts.tasks import run_student_import

    _require_teacher(by, student_import.organization)
    with transaction.atomic():
        locked = StudentImport.objects.select_for_update().get(pk=student_import.pk)
        if locked.status != ImportStatus.PREVIEWED:
            return locked
        locked.status = ImportStatus.QUEUED
        locked.save(update_fields=["status", "updated_at"])
        transaction.on_commit(lambda: run_student_import.delay(str(locked.pk)))
    return locked


def invitation_url(profile: Profile) -> str:
    """An absolute link that sets the first password (allauth's reset key, through
    ``accounts_import:invitation``, which first marks the address verified)."""
    key = default_token_generator.make_token(profile)
    path = reverse(
        "accounts_import:invitation",
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
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("accounts/import_invitation.subject.txt", context)
        text = render_to_string("accounts/import_invitation.txt", context)
        html = render_to_string("accounts/import_invitation.html", context)
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
    form = UserTokenForm(data={"uidb36": uidb36, "key": key})
    if not form.is_valid():
        return None
    profile = form.reset_user
    if profile.has_usable_password():
        return profile  # not an invitation: an ordinary password reset
    with transaction.atomic():
        EmailAddress.objects.filter(user=profile, email__iexact=profile.email).update(verified=True)
    return profile
