"""Profile completion: a person whose profile lacks what Sqeeze needs (see
``accounts.selectors.profile_is_complete``) is sent to finish it before
anything else, typically right after a first Google or Kakao log-in."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from accounts.selectors import profile_is_complete
from accounts.views import REDIRECT_FIELD_NAME

# allauth pages a person may need on the way: log-out, finishing a social
# sign-up (its own form asks for an e-mail the provider did not give), the
# e-mail confirmation and a provider's callback.
ALLOWED_URL_NAMES = frozenset(
    {
        "account_logout",
        "account_confirm_email",
        "account_email_verification_sent",
        "account_reauthenticate",
        "socialaccount_signup",
        "socialaccount_login_cancelled",
        "socialaccount_login_error",
        "complete_profile",
        # A provider's callback finishes its log-in.
        "google_callback",
        "kakao_callback",
    }
)
ALLOWED_PATH_PREFIXES = (
    "/healthz",
    "/i18n/",
    "/favicon.ico",
    "/sw.js",
    "/manifest.webmanifest",
    "/offline/",
)


class ProfileCompletionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        if self._is_allowed(request, user) or profile_is_complete(user):
            return None
        target = reverse("accounts:complete_profile")
        if request.method == "GET" and not getattr(request, "htmx", False):
            target = f"{target}?{urlencode({REDIRECT_FIELD_NAME: request.get_full_path()})}"
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(target)
        return HttpResponseRedirect(target)

    @staticmethod
    def _is_allowed(request: HttpRequest, user) -> bool:
        path = request.path_info
        prefixes = (*ALLOWED_PATH_PREFIXES, settings.STATIC_URL, settings.MEDIA_URL)
        if path.startswith(prefixes):
            return True
        match = request.resolver_match
        if match is None:
            return False
        if match.url_name in ALLOWED_URL_NAMES:
            return True
        return match.namespace == "admin" and user.is_superuser
