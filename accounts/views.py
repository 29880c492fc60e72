"""The accounts pages of our own (allauth serves log-in, sign-up and the
e-mail pages): profile completion, what a person must tell us before using
Sqeeze. A first social log-in creates a profile with only what Google or Kakao
gives (e-mail, names); ``ProfileCompletionMiddleware`` then sends the person
here until ``accounts.selectors.profile_is_complete`` holds.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from accounts.forms import ProfileCompletionForm
from accounts.models import Profile
from accounts.selectors import profile_is_complete
from accounts.services import (
    AccessCodeError,
)

REDIRECT_FIELD_NAME = "next"


def safe_next_url(request: HttpRequest, url: str | None) -> str | None:
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return None


@never_cache
@login_required
def complete_profile(request: HttpRequest) -> HttpResponse:
    """Only for a profile that is not complete yet. Once complete, a GET or a
    POST alike goes on to ``next`` and changes nothing: the academy and the
    role are no longer the person's to choose (a platform operator moves
    people between academies, in Django admin)."""
    next_url = safe_next_url(
        request, request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME)
    )
    # A fresh copy, locked for a POST: a rejected form must not leave its
    # values on request.user, and two racing POSTs must not both see the
    # profile as incomplete.
    with transaction.atomic():
        profiles = Profile.objects.select_related("organization")
        if request.method == "POST":
            profiles = profiles.select_for_update(of=("self",))
        profile = profiles.get(pk=request.user.pk)
        if profile_is_complete(profile):
            return redirect(next_url or "home")
        if request.method == "POST":
            form = ProfileCompletionForm(request.POST, instance=profile)
            if form.is_valid():
                try:
                    form.save()
                except AccessCodeError:
                    pass  # the form now carries the error; show it again
                else:
                    messages.success(request, _("Thank you, your profile is complete."))
                    return redirect(next_url or "home")
        else:
            form = ProfileCompletionForm(instance=profile)
    return render(
        request,
        "accounts/complete_profile.html",
        {"form": form, "next": next_url or "", "redirect_field_name": REDIRECT_FIELD_NAME},
    )
