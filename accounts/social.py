"""allauth social account adapter (Google, Kakao).

A first social log-in creates a profile with what the provider gives (e-mail,
names) and nothing else; ``ProfileCompletionMiddleware`` then asks for the
academy, phone and privacy consent."""

from __future__ import annotations

from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp
from django.db.models.expressions import DatabaseDefault
from django.http import Http404, HttpRequest

from accounts.models import Role, is_hangul


def split_nickname(nickname: str) -> tuple[str, str]:
    """(first name, last name) from a Kakao nickname; the person confirms them.

    A Korean name of two to four syllables is read as a one-syllable family
    name and a given name (김민지 → 민지, 김); anything else is the first name."""
    nickname = nickname.strip()
    if is_hangul(nickname) and " " not in nickname and 2 <= len(nickname) <= 4:
        return nickname[1:], nickname[0]
    return nickname, ""


def names_from_provider(provider_id: str, data: dict, extra_data: dict) -> tuple[str, str]:
    first = (data.get("first_name") or "").strip()
    last = (data.get("last_name") or "").strip()
    if provider_id == "kakao" and not (first or last):
        account = extra_data.get("kakao_account") or {}
        nickname = (account.get("profile") or {}).get("nickname") or (
            extra_data.get("properties") or {}
        ).get("nickname")
        if nickname:
            first, last = split_nickname(nickname)
    return first, last


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def get_app(self, request: HttpRequest, provider, client_id=None):
        # A provider without a client id and secret is switched off: its log-in
        # URL answers 404, not a server error.
        try:
            return super().get_app(request, provider, client_id=client_id)
        except SocialApp.DoesNotExist:
            raise Http404("This log-in provider is not configured.") from None

    def serialize_instance(self, instance) -> dict:
        # When the provider gave no e-mail, allauth keeps the unsaved profile in
        # the session while its sign-up form asks for one. Columns the database
        # fills (id, created_at, role ...) hold a DatabaseDefault marker that
        # JSON cannot store; leaving them out restores the marker on the way back.
        saved = {
            name: value
            for name, value in instance.__dict__.items()
            if isinstance(value, DatabaseDefault)
        }
        for name in saved:
            del instance.__dict__[name]
        try:
            return super().serialize_instance(instance)
        finally:
            instance.__dict__.update(saved)

    def populate_user(self, request: HttpRequest, sociallogin, data: dict):
        user = super().populate_user(request, sociallogin, data)
        first, last = names_from_provider(
            sociallogin.account.provider, data, sociallogin.account.extra_data or {}
        )
        user.first_name = first or None
        user.last_name = last or None
        if user.email:
            user.email = user.email.strip().lower()
        for address in sociallogin.email_addresses:
            address.email = address.email.strip().lower()
        # Academy, phone and privacy consent come from the person, not the
        # provider; a role only from an access code at profile completion.
        user.organization = None
        user.role = Role.USER
        user.is_superuser = False
        user.phone = None
        user.privacy_agreed = False
        user.marketing_opt_in = False
        return user
