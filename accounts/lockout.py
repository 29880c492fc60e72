"""Log-in lock-out (django-axes): who is counted, the page a locked-out person
sees, and unlocking an account."""

from __future__ import annotations

import math

from axes.utils import reset
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def normalize_login(value: str | None) -> str | None:
    value = (value or "").strip().lower()
    return value or None


def axes_username(request: HttpRequest, credentials: dict | None) -> str | None:
    """The address a log-in attempt is for (``AXES_USERNAME_CALLABLE``).

    allauth authenticates with ``email=...`` while its form posts ``login``;
    either way the address is lower-cased, so "Kim@x.kr" and "kim@x.kr" share
    one counter (e-mail is case-insensitive here)."""
    if credentials:
        for key in ("email", "login", "username"):
            if credentials.get(key):
                return normalize_login(credentials[key])
    data = getattr(request, "POST", None) or {}
    return normalize_login(data.get("login") or data.get("email"))


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict | None = None,
) -> HttpResponse:
    """The page a locked-out log-in gets (``AXES_LOCKOUT_CALLABLE``)."""
    minutes = max(1, math.ceil(float(settings.AXES_COOLOFF_TIME) * 60))
    response = render(request, "accounts/locked_out.html", {"cooloff_minutes": minutes}, status=429)
    response["Retry-After"] = str(minutes * 60)
    return response


def lockout_clear(*, email: str) -> int:
    """Unlock the account ``email``; returns how many attempt records were removed."""
    username = normalize_login(email)
    if username is None:
        raise ValueError("An e-mail address is needed to unlock an account.")
    return reset(username=username)
