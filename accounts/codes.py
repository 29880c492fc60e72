"""Role access codes outside Django admin: teachers look up their
organization's teacher codes to hand out; admins also create and expire codes."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from accounts.models import Role, RoleAccessCode
from accounts.permissions import require_role
from accounts.profile_forms import AccessCodeForm
from accounts.profile_services import (
    access_code_create,
    access_code_expire,
    access_codes_for,
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
        "accounts/codes.html",
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
