"""A person's own profile (view, edit, delete the account) and other members'
public profiles."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from accounts.models import Profile
from accounts.profile_forms import DeleteAccountForm, ProfileForm
from accounts.profile_services import (
    account_delete,
    profile_update,
    profile_visible_to,
    public_name,
    shared_posts,
)
from files.forms import add_upload_error
from files.services import FileRejected
from files.upload_handlers import UploadTooLarge, upload_limit

PUBLIC_PROFILE_POSTS = 30


@require_safe
@login_required
def profile_me(request: HttpRequest) -> HttpResponse:
    profile = Profile.objects.select_related("organization", "profile_image_file").get(
        pk=request.user.pk
    )
    return render(request, "accounts/profile_me.html", {"profile": profile})


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
                    image=data.get("image"),
                    remove_image=data["remove_image"] and not data.get("image"),
                )
            except FileRejected as error:
                add_upload_error(form, "image", error)
            else:
                messages.success(request, _("Your profile is saved."))
                return redirect("people:me")
    else:
        form = ProfileForm(initial=ProfileForm.initial_for(profile))
    return render(request, "accounts/profile_edit.html", {"profile": profile, "form": form})


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
    return render(request, "accounts/profile_delete.html", {"profile": profile, "form": form})


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
        "accounts/profile_public.html",
        {
            "person": person,
            "name": public_name(person),
            "posts": posts,
            "is_me": person.pk == request.user.pk,
        },
    )
