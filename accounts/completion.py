"""Profile completion: what a person must tell us before using Sqeeze.

A first social log-in creates a profile with only what Google or Kakao gives
(e-mail, names). ``ProfileCompletionMiddleware`` then sends the person here
until ``profile_is_complete`` holds.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from accounts.forms import ProfileQuestions
from accounts.models import Organization, Profile
from accounts.services import (
    AccessCodeError,
    access_code_redeem,
    access_code_validate,
    role_on_arrival,
)

REDIRECT_FIELD_NAME = "next"


def _filled(value: str | None) -> bool:
    return bool((value or "").strip())


def profile_is_complete(profile: Profile) -> bool:
    """The one rule: an academy, privacy consent, a first and last name and a phone."""
    return bool(
        profile.organization_id
        and profile.privacy_agreed
        and _filled(profile.first_name)
        and _filled(profile.last_name)
        and _filled(profile.phone)
    )


class ProfileCompletionForm(ProfileQuestions, forms.ModelForm):
    """The sign-up's profile questions (same fields and rules as
    ``accounts.forms.SignupForm``), for a person who already has an account.

    A profile that already belongs to an academy (a student created by a CSV
    import, say) keeps it: the academy question is left out, so completion can
    only ever *give* an academy, never change one."""

    class Meta:
        model = Profile
        # Only these reach the profile; a forged role, is_superuser or
        # organization_id in the POST is not a form field and is ignored.
        fields = ["last_name", "first_name", "phone", "organization"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("privacy_agreed", self.instance.privacy_agreed)
        self.initial.setdefault("marketing_opt_in", self.instance.marketing_opt_in)
        self.arriving = self.instance.organization_id is None
        if not self.arriving:
            del self.fields["organization"]

    @property
    def organization(self) -> Organization | None:
        if self.arriving:
            return self.cleaned_data.get("organization")
        return self.instance.organization

    def _clean_name(self, name: str) -> str:
        value = (self.cleaned_data.get(name) or "").strip()
        if not value:
            raise forms.ValidationError(_("This field is required."), code="required")
        return value

    def clean_first_name(self) -> str:
        return self._clean_name("first_name")

    def clean_last_name(self) -> str:
        return self._clean_name("last_name")

    def clean_access_code(self) -> str:
        return (self.cleaned_data.get("access_code") or "").strip()

    def clean(self) -> dict:
        cleaned = super().clean()
        code = cleaned.get("access_code")
        organization = self.organization
        # Without a valid organization its own error says what to fix first.
        if code and organization is not None:
            try:
                access_code_validate(code=code, organization=organization)
            except AccessCodeError as error:
                self.add_error("access_code", error)
        return cleaned

    def save(self, commit: bool = True) -> Profile:
        """Store the answers, and the role, in one transaction.

        Arriving in an academy, the role is the access code's or student:
        whatever the profile held before never carries over. A profile that
        already had its academy keeps its role unless a code of that academy
        grants another.

        Raises ``AccessCodeError`` (and records it on the form) when a racing
        sign-up took the code's last use since the form was checked; then
        nothing is saved."""
        profile: Profile = super().save(commit=False)
        profile.privacy_agreed = True
        profile.marketing_opt_in = self.cleaned_data["marketing_opt_in"]
        code = self.cleaned_data.get("access_code")
        try:
            with transaction.atomic():
                if self.arriving:
                    profile.role = role_on_arrival(organization=self.organization, code=code)
                elif code:
                    profile.role = access_code_redeem(
                        code=code, organization=self.organization
                    ).role
                profile.save(
                    update_fields=[
                        "first_name",
                        "last_name",
                        "phone",
                        "organization",
                        "privacy_agreed",
                        "marketing_opt_in",
                        "role",
                        "updated_at",
                    ]
                )
        except AccessCodeError as error:
            self.add_error("access_code", error)
            raise
        return profile


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
