"""The people pages, under /people/: my profile (view, edit, close the
account), others' public profiles, role access codes (teachers and admins),
and the CSV import of students with its invitation link.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
    require_safe,
)

from accounts.models import ImportStatus, Profile, Role, RoleAccessCode, StudentImport
from accounts.permissions import require_role
from accounts.selectors import access_codes_for, profile_visible_to, public_name
from accounts.services import access_code_create, access_code_expire
from files.forms import add_upload_error
from files.services import FileRejected
from files.upload_handlers import UploadTooLarge, upload_limit
from people.forms import (
    AccessCodeForm,
    ColumnMappingForm,
    DeleteAccountForm,
    ProfileForm,
    StudentImportForm,
)
from people.imports import (
    MAX_FILE_BYTES,
    MAX_ROWS,
    SAMPLE_HEADER,
    SAMPLE_ROW,
    StudentImportError,
    imports_visible_to,
    mapping_to_offer,
    problem_message,
    result_message,
    student_import_confirm,
    student_import_map,
    student_import_preview,
)
from people.invitations import student_invitation_accept
from people.selectors import shared_posts
from people.services import account_delete, profile_update

PUBLIC_PROFILE_POSTS = 30


@require_safe
@login_required
def profile_me(request: HttpRequest) -> HttpResponse:
    profile = Profile.objects.select_related("organization", "profile_image_file").get(
        pk=request.user.pk
    )
    context = {"profile": profile, "default_zone": settings.DEFAULT_USER_TIMEZONE}
    return render(request, "people/profile_me.html", context)


def _image_too_large(request: HttpRequest, error: UploadTooLarge) -> HttpResponse:
    messages.error(request, error.message)
    return redirect("people:edit")


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@upload_limit(purpose="profile_image", on_too_large=_image_too_large)
def profile_edit(request: HttpRequest) -> HttpResponse:
    profile = Profile.objects.select_related("profile_image_file").get(pk=request.user.pk)
    if request.method == "POST":
        form = ProfileForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                profile_update(
                    profile=profile,
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    phone=data["phone"],
                    marketing_opt_in=data["marketing_opt_in"],
                    language=data["language"],
                    timezone_name=data["timezone"],
                    image=data.get("image"),
                    remove_image=data["remove_image"] and not data.get("image"),
                )
            except FileRejected as error:
                add_upload_error(form, "image", error)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Your profile is saved."))
                return redirect("people:me")
    else:
        form = ProfileForm(initial=ProfileForm.initial_for(profile))
    return render(request, "people/profile_edit.html", {"profile": profile, "form": form})


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def profile_delete(request: HttpRequest) -> HttpResponse:
    profile = request.user
    form = DeleteAccountForm(request.POST or None, profile=profile)
    if request.method == "POST" and form.is_valid():
        try:
            account_delete(profile=profile)
        except (PermissionDenied, ValidationError) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
            return redirect("people:me")
        logout(request)
        messages.success(request, _("Your account is deleted. Goodbye!"))
        return redirect("landing")
    return render(request, "people/profile_delete.html", {"profile": profile, "form": form})


@require_safe
@login_required
def profile_public(request: HttpRequest, pk) -> HttpResponse:
    person = (
        Profile.objects.select_related("organization", "profile_image_file").filter(pk=pk).first()
    )
    if person is None or not profile_visible_to(request.user, person):
        raise Http404(_("No such person."))
    posts = list(
        shared_posts(viewer=request.user, author=person)
        .select_related("journey", "mission_instance__mission")
        .order_by("-created_at", "-id")[:PUBLIC_PROFILE_POSTS]
    )
    return render(
        request,
        "people/profile_public.html",
        {
            "person": person,
            "name": public_name(person),
            "posts": posts,
            "is_me": person.pk == request.user.pk,
        },
    )


def _require_role(request: HttpRequest, role: str) -> None:
    require_role(request.user, role, _("This page is for teachers and admins of an academy."))


def _render_codes(request: HttpRequest, form: AccessCodeForm | None, status: int = 200):
    codes = [(code, code.is_usable) for code in access_codes_for(request.user)]
    is_admin = request.user.role == Role.ADMIN
    if is_admin and form is None:
        form = AccessCodeForm()
    return render(
        request,
        "people/codes.html",
        {"codes": codes, "form": form if is_admin else None, "is_admin": is_admin},
        status=status,
    )


@require_safe
@login_required
def codes_list(request: HttpRequest) -> HttpResponse:
    _require_role(request, Role.TEACHER)
    return _render_codes(request, None)


@require_POST
@login_required
def codes_create(request: HttpRequest) -> HttpResponse:
    _require_role(request, Role.ADMIN)
    form = AccessCodeForm(request.POST)
    if not form.is_valid():
        return _render_codes(request, form, status=400)
    try:
        code = access_code_create(
            organization=request.user.organization,
            role=form.cleaned_data["role"],
            by=request.user,
            expiry_date=form.cleaned_data["expiry_date"],
            max_uses=form.cleaned_data["max_uses"],
        )
    except ValidationError as error:
        form.add_error(None, error)
        return _render_codes(request, form, status=400)
    messages.success(
        request, _("New %(role)s code created.") % {"role": code.get_role_display().lower()}
    )
    return redirect("people:codes")


@require_POST
@login_required
def codes_expire(request: HttpRequest, pk) -> HttpResponse:
    # Another academy's code answers 404 like a missing one, whoever asks (the
    # role check comes second): only one's own academy's code earns a 403.
    code = get_object_or_404(
        RoleAccessCode,
        pk=pk,
        organization__isnull=False,
        organization_id=request.user.organization_id,
    )
    _require_role(request, Role.ADMIN)
    access_code_expire(code=code, by=request.user)
    messages.success(request, _("The code no longer works."))
    return redirect("people:codes")


RECENT_IMPORTS = 10


ACTIVE_STATUSES = (ImportStatus.QUEUED, ImportStatus.RUNNING)


def _require_teacher(request: HttpRequest) -> None:
    require_role(request.user, Role.TEACHER, _("Adding students is for teachers and admins."))


def _too_large(request: HttpRequest, error: UploadTooLarge) -> HttpResponse:
    messages.error(request, error.message)
    return redirect("people:import_start")


def _start_page(request: HttpRequest, form: StudentImportForm, status: int = 200) -> HttpResponse:
    recent = imports_visible_to(request.user).select_related("created_by")[:RECENT_IMPORTS]
    context = {
        "form": form,
        "imports": recent,
        "max_rows": MAX_ROWS,
        "max_megabytes": MAX_FILE_BYTES // 2**20,
    }
    return render(request, "people/import_start.html", context, status=status)


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
    return redirect("people:import_detail", pk=student_import.pk)


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
    if student_import.status == ImportStatus.MAPPING:
        return redirect("people:import_columns", pk=student_import.pk)
    context = _context(student_import, only_problems=request.GET.get("show") == "problems")
    return render(request, "people/import_detail.html", context)


@login_required
@require_GET
def import_progress(request: HttpRequest, pk) -> HttpResponse:
    """The progress part of the import page, which htmx polls while it runs.
    Once the import has finished, htmx reloads the whole page (results)."""
    student_import = _import_for(request, pk)
    response = render(request, "people/import_detail.html#progress", _context(student_import))
    if request.htmx and student_import.status not in ACTIVE_STATUSES:
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def import_columns(request: HttpRequest, pk) -> HttpResponse:
    """Match the file's columns to fields: before the preview when Sqeeze could
    not match them all, or again from the preview."""
    student_import = _import_for(request, pk)
    if student_import.status not in (ImportStatus.MAPPING, ImportStatus.PREVIEWED):
        messages.info(request, _("This import has already been started."))
        return redirect("people:import_detail", pk=student_import.pk)
    if not student_import.table:  # previewed before files were kept for matching
        messages.info(request, _("This file's columns cannot be matched again: upload it again."))
        return redirect("people:import_detail", pk=student_import.pk)
    form = ColumnMappingForm(
        request.POST or None,
        table=student_import.table,
        mapping=mapping_to_offer(student_import, request.user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            student_import_map(
                student_import=student_import, by=request.user, mapping=form.mapping()
            )
        except StudentImportError as error:
            form.add_error(None, error.message)
        else:
            return redirect("people:import_detail", pk=student_import.pk)
    context = {"student_import": student_import, "form": form}
    status = 400 if form.errors else 200
    return render(request, "people/import_columns.html", context, status=status)


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
    return redirect("people:import_detail", pk=student_import.pk)


@require_GET
def invitation(request: HttpRequest, uidb36: str, key: str) -> HttpResponse:
    """An invited student's link: verify their address (the link reached it), then
    let allauth's password-reset page set their first password."""
    student_invitation_accept(uidb36=uidb36, key=key)
    return redirect(
        reverse("account_reset_password_from_key", kwargs={"uidb36": uidb36, "key": key})
    )
