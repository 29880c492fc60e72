"""Bulk student creation from a CSV: parsing, matching its columns to fields,
the per-row checks (the preview), and the run that creates the accounts and
sends the invitations.

A teacher uploads a CSV (e-mail, names, phone; UTF-8, with or without BOM, or
CP949 from Korean Excel). Its columns are matched to fields by their header
(English or Korean names; a single "이름" column holds whole names, split into
last and first name), then by what the teacher matched the same header to last
time; when a column is still unknown, or a field missing, the teacher matches
them on a form (``StudentImport.table`` keeps the file until then). The preview
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
# A student list has a handful of columns; the matching form has one per column.
MAX_COLUMNS = 30
ENCODINGS = ("utf-8-sig", "cp949")

FIELDS = ("email", "first_name", "last_name", "phone")
# What a column can be matched to; "" leaves it out. A full name is split into
# last and first name (``split_full_name``).
COLUMN_FIELDS = ("email", "last_name", "first_name", "full_name", "phone")
COLUMN_LABELS = {
    "email": gettext_lazy("E-mail"),
    "last_name": gettext_lazy("Last name"),
    "first_name": gettext_lazy("First name"),
    "full_name": gettext_lazy("Full name (split into last and first name)"),
    "phone": gettext_lazy("Phone"),
}
# Headers that may mean a first name or a whole name: a whole name when the
# file has no last-name column (Korean lists often have one "이름" column).
AMBIGUOUS_NAME_HEADERS = ("name", "이름")
# Two-syllable Korean family names: 남궁민수 is 남궁 + 민수, not 남 + 궁민수.
COMPOUND_FAMILY_NAMES = frozenset(
    ("남궁", "황보", "제갈", "선우", "독고", "사공", "서문", "동방", "어금", "망절", "장곡")
)

# Header spellings, compared after lower-casing and dropping spaces, "_" and "-".
HEADER_ALIASES: dict[str, str] = {
    alias: field
    for field, aliases in {
        "email": ("email", "emailaddress", "mail", "이메일", "이메일주소", "메일", "전자우편"),
        "first_name": ("firstname", "givenname", "name", "이름"),
        "last_name": ("lastname", "familyname", "surname", "성"),
        "full_name": ("fullname", "성명", "성함", "학생명", "학생이름", "studentname"),
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


def read_table(text: str, *, max_rows: int = MAX_ROWS) -> dict[str, Any]:
    """The file as ``{"header": [cells], "rows": [{"line", "cells"}]}`` (``line``
    is the row's line in the file, the header being line 1; blank lines are
    skipped). Raises ``StudentImportError`` for a file that is not CSV, is
    empty, has no data rows, too many rows or too many columns."""
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    rows: list[dict[str, Any]] = []
    try:
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if header is None:
                header = _trim_empty_tail([cell.strip() for cell in cells])
                if len(header) > MAX_COLUMNS:
                    raise StudentImportError(
                        _("The file has more than %(max)s columns; keep only the students' ones.")
                        % {"max": MAX_COLUMNS}
                    )
                continue
            if len(rows) >= max_rows:
                raise StudentImportError(
                    _("The file has more than %(max)s students; split it into smaller files.")
                    % {"max": f"{max_rows:,}"}
                )
            # Trimmed, inner whitespace folded; as many cells as the header has.
            folded = [" ".join(cell.split()) for cell in cells[: len(header)]]
            folded += [""] * (len(header) - len(folded))
            rows.append({"line": reader.line_num, "cells": folded})
    except csv.Error as error:
        raise StudentImportError(
            _("The file is not a valid CSV (line %(line)s: %(error)s).")
            % {"line": reader.line_num, "error": error}
        ) from None
    if header is None:
        raise StudentImportError(_("The file is empty."))
    if not rows:
        raise StudentImportError(_("The file has a header but no students."))
    return {"header": header, "rows": rows}


def _trim_empty_tail(header: list[str]) -> list[str]:
    # Excel leaves empty header cells after the last column.
    while header and not header[-1]:
        header.pop()
    return header


def guess_mapping(
    header: list[str], remembered: dict[str, str], rows: list[dict[str, Any]] = ()
) -> list[str]:
    """A field (or "") for each column: what the teacher matched its header to
    last time (``remembered``: header key → field), else by the header's known
    spellings, else by the column's first values in ``rows`` (all e-mail
    addresses, or all phone numbers). A field claimed by an earlier column is
    not given twice."""
    mapping: list[str] = []
    for index, cell in enumerate(header):
        key = _header_key(cell)
        field = (
            remembered.get(key)
            or HEADER_ALIASES.get(key)
            or _field_by_values([row["cells"][index] for row in rows[:GUESS_ROWS]])
        )
        mapping.append(field if field in COLUMN_FIELDS and field not in mapping else "")
    if "first_name" in mapping and "last_name" not in mapping and "full_name" not in mapping:
        column = mapping.index("first_name")
        if _header_key(header[column]) in AMBIGUOUS_NAME_HEADERS:
            mapping[column] = "full_name"
    return mapping


GUESS_ROWS = 20
_EMAIL_LIKE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _field_by_values(values: list[str]) -> str:
    present = [value for value in values if value]
    if not present:
        return ""
    if all(_EMAIL_LIKE.match(value) for value in present):
        return "email"
    if all(normalize_phone(value) for value in present):
        return "phone"
    return ""


def mapping_problems(mapping: list[str]) -> list[str]:
    """Why ``mapping`` (a field or "" per column) cannot build rows; none if it can."""
    problems: list[str] = []
    chosen = [field for field in mapping if field]
    for field in COLUMN_FIELDS:
        if chosen.count(field) > 1:
            problems.append(
                _("“%(field)s” is chosen for more than one column.")
                % {"field": COLUMN_LABELS[field]}
            )
    if "email" not in chosen:
        problems.append(_("Choose the column with the e-mail addresses."))
    has_parts = "first_name" in chosen or "last_name" in chosen
    if "full_name" in chosen and has_parts:
        problems.append(
            _("Choose either a full-name column or last- and first-name columns, not both.")
        )
    elif "full_name" not in chosen and not ("first_name" in chosen and "last_name" in chosen):
        problems.append(
            _("Choose the columns with the names: a full name, or a last and a first name.")
        )
    return problems


def is_complete(header: list[str], mapping: list[str]) -> bool:
    """Every column with a header is matched and the mapping builds rows: the
    file needs no matching by the teacher."""
    matched = all(field or not cell for cell, field in zip(header, mapping, strict=True))
    return matched and not mapping_problems(mapping)


def split_full_name(value: str) -> tuple[str, str]:
    """(first name, last name) of a whole name. Korean names put the family name
    first (김민지, 김 민지; 남궁민수 has a two-syllable one); names in Latin
    letters put it last (Minji Kim). A single word that is not Korean is a
    first name alone (the row then lacks a last name)."""
    words = value.split()
    if not words:
        return "", ""
    if len(words) > 1:
        if _is_hangul(words[0]):
            return " ".join(words[1:]), words[0]
        return " ".join(words[:-1]), words[-1]
    word = words[0]
    if not _is_hangul(word) or len(word) < 2:
        return word, ""
    family_length = 2 if len(word) > 2 and word[:2] in COMPOUND_FAMILY_NAMES else 1
    return word[family_length:], word[:family_length]


def _is_hangul(text: str) -> bool:
    return all("\uac00" <= char <= "\ud7a3" for char in text)


def rows_from_table(table: dict[str, Any], mapping: list[str]) -> list[dict[str, Any]]:
    """The rows ``{"line", "email", "first_name", "last_name", "phone"}`` that
    ``mapping`` (a field or "" per column, without problems) makes of ``table``."""
    rows = []
    for source in table["rows"]:
        row: dict[str, Any] = {"line": source["line"], **dict.fromkeys(FIELDS, "")}
        for field, cell in zip(mapping, source["cells"], strict=True):
            if field == "full_name":
                row["first_name"], row["last_name"] = split_full_name(cell)
            elif field:
                row[field] = cell
        rows.append(row)
    return rows


def mapping_to_offer(student_import: StudentImport, by: Profile) -> list[str]:
    """What the matching form starts from: the import's own matching when it
    has one, else the guess for its file."""
    if student_import.column_mapping:
        return [record["field"] for record in student_import.column_mapping]
    table = student_import.table
    return guess_mapping(table["header"], remembered_mapping(by), table["rows"])


def mapping_records(header: list[str], mapping: list[str]) -> list[dict[str, str]]:
    return [{"header": cell, "field": field} for cell, field in zip(header, mapping, strict=True)]


def remembered_mapping(by: Profile) -> dict[str, str]:
    """What ``by`` matched each header to in their latest import that needed it
    (header key → field)."""
    records = (
        StudentImport.objects.filter(created_by=by)
        .exclude(column_mapping=[])
        .order_by("-created_at")
        .values_list("column_mapping", flat=True)
        .first()
    ) or []
    return {
        _header_key(record["header"]): record["field"]
        for record in records
        if record.get("field") in COLUMN_FIELDS
    }


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
    """Read an uploaded CSV and store it: previewed (rows built and checked)
    when its columns match fields by themselves, else waiting for the teacher
    to match them (``student_import_map``).

    Refuses (``StudentImportError``, nothing stored) a file over 1 MB, one that
    is not CSV text, has no rows, more than ``MAX_ROWS`` rows or more than
    ``MAX_COLUMNS`` columns."""
    _require_teacher(by, organization)
    size = getattr(file, "size", None)
    if size is not None and size > MAX_FILE_BYTES:
        raise StudentImportError(_("The file is larger than 1 MB; split it into smaller files."))
    data = file.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise StudentImportError(_("The file is larger than 1 MB; split it into smaller files."))
    table = read_table(decode_csv(data))
    mapping = guess_mapping(table["header"], remembered_mapping(by), table["rows"])
    complete = is_complete(table["header"], mapping)
    name = str(getattr(file, "name", "") or "students.csv").replace("\\", "/").rsplit("/", 1)[-1]
    with transaction.atomic():
        return StudentImport.objects.create(
            organization=organization,
            created_by=by,
            file_name=name[:200] or "students.csv",
            status=ImportStatus.PREVIEWED if complete else ImportStatus.MAPPING,
            table=table,
            column_mapping=mapping_records(table["header"], mapping) if complete else [],
            rows=check_rows(rows_from_table(table, mapping)) if complete else [],
            results=[],
            total=len(table["rows"]),
            processed=0,
        )


def student_import_map(
    *, student_import: StudentImport, by: Profile, mapping: list[str]
) -> StudentImport:
    """Match the file's columns to ``mapping`` (a field or "" per column) and
    preview the rows it builds. Refuses (``StudentImportError``, nothing
    changed) a mapping with problems (``mapping_problems``) and an import
    already queued."""
    _require_teacher(by, student_import.organization)
    with transaction.atomic():
        locked = StudentImport.objects.select_for_update().get(pk=student_import.pk)
        if locked.status not in (ImportStatus.MAPPING, ImportStatus.PREVIEWED) or not locked.table:
            raise StudentImportError(_("This import has already been started."))
        header = locked.table["header"]
        if len(mapping) != len(header) or any(
            field and field not in COLUMN_FIELDS for field in mapping
        ):
            raise StudentImportError(_("Choose a field for each column from the list."))
        problems = mapping_problems(mapping)
        if problems:
            raise StudentImportError(" ".join(problems))
        locked.rows = check_rows(rows_from_table(locked.table, mapping))
        locked.column_mapping = mapping_records(header, mapping)
        locked.status = ImportStatus.PREVIEWED
        locked.save(update_fields=["rows", "column_mapping", "status", "updated_at"])
    return locked


def student_import_confirm(*, student_import: StudentImport, by: Profile) -> StudentImport:
    """Queue a previewed import: the task runs once the transaction commits.
    Confirming twice queues it once."""
    _require_teacher(by, student_import.organization)
    with transaction.atomic():
        locked = StudentImport.objects.select_for_update().get(pk=student_import.pk)
        if locked.status != ImportStatus.PREVIEWED:
            return locked
        locked.status = ImportStatus.QUEUED
        locked.table = {}  # the rows are built: the file's cells are not kept twice
        locked.save(update_fields=["status", "table", "updated_at"])
        transaction.on_commit(lambda: run_student_import.delay(str(locked.pk)))
    return locked
