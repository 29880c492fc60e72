"""Bulk student creation pages (/people/import/): upload a CSV, check the
preview, confirm, and follow the progress; plus the invitation link the
created students receive."""

from __future__ import annotations

import csv
import io
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.imports import (
    MAX_FILE_BYTES,
    MAX_ROWS,
    SAMPLE_HEADER,
    SAMPLE_ROW,
    StudentImportError,
    imports_visible_to,
    problem_message,
    result_message,
    student_import_confirm,
    student_import_preview,
    student_invitation_accept,
)
from accounts.models import ImportStatus, Role, StudentImport
from accounts.permissions import require_role
from files.upload_handlers import UploadTooLarge, upload_limit

RECENT_IMPORTS = 10
ACTIVE_STATUSES = (ImportStatus.QUEUED, ImportStatus.RUNNING)


class StudentImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )


def _require_teacher(request: HttpRequest) -> None:
    require_role(request.user, Role.TEACHER, _("Adding students is for teachers and admins."))


def _too_large(request: HttpRequest, error: UploadTooLarge) -> HttpResponse:
    messages.error(request, error.message)
    return redirect("accounts_import:start")


def _start_page(request: HttpRequest, form: StudentImportForm, status: int = 200) -> HttpResponse:
    recent = imports_visible_to(request.user).select_related("created_by")[:RECENT_IMPORTS]
    context = {
        "form": form,
        "imports": recent,
        "max_rows": MAX_ROWS,
        "max_megabytes": MAX_FILE_BYTES // 2**20,
    }
    return render(request, "accounts/import_start.html", context, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
# Refuses a file over 1 MB before the body is read (and before CSRF parses it).
@upload_limit(MAX_FILE_BYTES, on_too_large=_too_large)
def import_start(request: HttpRequest) -> HttpResponse:
    _require_teacher(request)
    if request.method != "POST":
        return _start_page(request, StudentImportForm())
    form = StudentImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _start_page(request, form, status=400)
    try:
        student_import = student_import_preview(
            organization=request.user.organization, by=request.user, file=form.cleaned_data["file"]
        )
    except StudentImportError as error:
        form.add_error("file", error.message)
        return _start_page(request, form, status=400)
    return redirect("accounts_import:detail", pk=student_import.pk)


@login_required
@require_GET
def sample_csv(request: HttpRequest) -> HttpResponse:
    _require_teacher(request)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(SAMPLE_HEADER)
    writer.writerow(SAMPLE_ROW)
    # The BOM makes Excel read the file as UTF-8 (Korean names stay readable).
    response = HttpResponse(
        buffer.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="students-sample.csv"'
    return response


def _import_for(request: HttpRequest, pk) -> StudentImport:
    # Another academy's import answers 404 like a missing one, whoever asks (the
    # role check comes second): only one's own academy's import earns a 403.
    get_object_or_404(StudentImport, pk=pk, organization_id=request.user.organization_id)
    _require_teacher(request)
    return get_object_or_404(imports_visible_to(request.user).select_related("created_by"), pk=pk)


def _context(student_import: StudentImport, *, only_problems: bool = False) -> dict[str, Any]:
    rows = []
    with_problems = 0
    for row in student_import.rows:
        problems = [problem_message(problem) for problem in row["problems"]]
        with_problems += bool(problems)
        if only_problems and not problems:
            continue
        rows.append({**row, "messages": problems})
    results = [{**result, "message": result_message(result)} for result in student_import.results]
    outcome_counts = {"created": 0, "skipped": 0, "failed": 0}
    for result in student_import.results:
        if result.get("line") is not None:
            outcome_counts[result["outcome"]] = outcome_counts.get(result["outcome"], 0) + 1
    total = student_import.total
    return {
        "student_import": student_import,
        "rows": rows,
        "only_problems": only_problems,
        "ok_count": total - with_problems,
        "problem_count": with_problems,
        "results": results,
        "errors": [result for result in results if result.get("line") is None],
        "outcome_counts": outcome_counts,
        "percent": (student_import.processed * 100 // total) if total else 100,
        "is_active": student_import.status in ACTIVE_STATUSES,
        "is_previewed": student_import.status == ImportStatus.PREVIEWED,
    }


@login_required
@require_GET
def import_detail(request: HttpRequest, pk) -> HttpResponse:
    student_import = _import_for(request, pk)
    context = _context(student_import, only_problems=request.GET.get("show") == "problems")
    return render(request, "accounts/import_detail.html", context)


@login_required
@require_GET
def import_progress(request: HttpRequest, pk) -> HttpResponse:
    """The progress part of the import page, which htmx polls while it runs.
    Once the import has finished, htmx reloads the whole page (results)."""
    student_import = _import_for(request, pk)
    response = render(request, "accounts/import_detail.html#progress", _context(student_import))
    if request.htmx and student_import.status not in ACTIVE_STATUSES:
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def import_confirm(request: HttpRequest, pk) -> HttpResponse:
    student_import = _import_for(request, pk)
    if student_import.status != ImportStatus.PREVIEWED:
        messages.info(request, _("This import has already been started."))
    else:
        student_import_confirm(student_import=student_import, by=request.user)
        messages.success(
            request, _("The students are being created; each gets an invitation e-mail.")
        )
    return redirect("accounts_import:detail", pk=student_import.pk)


@require_GET
def invitation(request: HttpRequest, uidb36: str, key: str) -> HttpResponse:
    """An invited student's link: verify their address (the link reached it), then
    let allauth's password-reset page set their first password."""
    student_invitation_accept(uidb36=uidb36, key=key)
    return redirect(
        reverse("account_reset_password_from_key", kwargs={"uidb36": uidb36, "key": key})
    )
