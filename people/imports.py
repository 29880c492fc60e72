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
import re
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.forms import phone_normalize
from accounts.models import ImportStatus, Organization, Profile, Role, StudentImport
from accounts.permissions import require_role
from core.errors import ServiceError
from people.invitations import existing_emails
from people.tasks import run_student_import

MAX_FILE_BYTES = 1024 * 1024
MAX_ROWS = 5_000
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
    _require_teacher(by, student_import.organization)
    with transaction.atomic():
        locked = StudentImport.objects.select_for_update().get(pk=student_import.pk)
        if locked.status != ImportStatus.PREVIEWED:
            return locked
        locked.status = ImportStatus.QUEUED
        locked.save(update_fields=["status", "updated_at"])
        transaction.on_commit(lambda: run_student_import.delay(str(locked.pk)))
    return locked
