"""Budgets for anonymous writes, per client address, shared by every process.

Sign-ups, password-reset mails, verification mails and invite links cost us
something (a row, a mail, a session) and are open to anyone, so each client
address gets a budget per period (``settings.RATE_LIMITS``, e.g. ``"5/h"``).
Counters live in the Django cache, which is Redis: every web process and
worker sees the same numbers, and they survive a restart of the web server.

The count is an approximated sliding window: the current fixed window's count
plus the previous window's, weighted by how much of it still overlaps. That
smooths the burst a plain fixed window allows at its edge, at the cost of two
keys. A hit is counted with an atomic ``INCR`` *before* the work is done, so
fifty parallel sign-ups cannot all squeeze under the limit; when the work
turns out not to count (an invalid form), the hit is given back.

``RateLimitMiddleware`` applies the budgets to URLs by name
(``settings.RATE_LIMITED_URLS``), so a new public form is covered by one line
of settings; code that spends a budget elsewhere (the verification mail
inside allauth's log-in) calls ``rate_limit_hit`` itself.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from core.client_ip import client_network

_UNITS = {"s": 1, "m": 60, "h": 60 * 60, "d": 24 * 60 * 60}


@dataclass(frozen=True)
class Rate:
    limit: int
    seconds: int


def parse_rate(text: str) -> Rate:
    """``"5/h"`` → 5 per hour; ``"20/15m"``, ``"100/d"``; a limit of 0 refuses all."""
    try:
        count, _slash, period = text.strip().partition("/")
        number = period[:-1] or "1"
        seconds = int(number) * _UNITS[period[-1]]
        rate = Rate(limit=int(count), seconds=seconds)
    except (KeyError, IndexError, ValueError):
        raise ValueError(f"Not a rate: {text!r} (use e.g. 5/h, 20/15m, 100/d)") from None
    if rate.limit < 0 or rate.seconds <= 0:
        raise ValueError(f"Not a rate: {text!r}")
    return rate


def rate_for(scope: str) -> Rate:
    return parse_rate(settings.RATE_LIMITS[scope])


@dataclass(frozen=True)
class Hit:
    """One counted use of a budget; ``retry_after`` is meaningful when refused."""

    allowed: bool
    key: str
    retry_after: int


def rate_limit_hit(*, scope: str, client: str, now: float | None = None) -> Hit:
    """Count one use of ``scope`` by ``client``. A refused hit is not counted."""
    rate = rate_for(scope)
    now = time.time() if now is None else now
    window = int(now // rate.seconds)
    elapsed = (now % rate.seconds) / rate.seconds
    key = f"ratelimit:{scope}:{client}:{window}"
    previous_key = f"ratelimit:{scope}:{client}:{window - 1}"
    # Two windows' lifetime: the next window still reads this one's count.
    cache.add(key, 0, timeout=2 * rate.seconds)
    count = cache.incr(key)
    previous = cache.get(previous_key) or 0
    if previous * (1 - elapsed) + count <= rate.limit:
        return Hit(allowed=True, key=key, retry_after=0)
    rate_limit_refund(Hit(allowed=False, key=key, retry_after=0))
    wait = _seconds_until_allowed(rate, elapsed=elapsed, current=count - 1, previous=previous)
    return Hit(allowed=False, key=key, retry_after=wait)


def _seconds_until_allowed(rate: Rate, *, elapsed: float, current: int, previous: int) -> int:
    """When one more hit fits, if nobody tries meanwhile. A hit fits at window
    fraction t when ``previous * (1 - t) + current + 1 <= limit``."""
    if rate.limit == 0:
        return rate.seconds
    if current + 1 <= rate.limit:
        # This window has room; the previous one must slide out far enough.
        fraction = 1 - (rate.limit - current - 1) / previous
        return max(1, math.ceil((fraction - elapsed) * rate.seconds))
    # This window is full: in the next one, it is the "previous" that slides out.
    fraction = 1 - (rate.limit - 1) / current
    return max(1, math.ceil((1 - elapsed + fraction) * rate.seconds))


def rate_limit_refund(hit: Hit) -> None:
    """Give back a counted hit (the work it paid for did not happen)."""
    # ValueError: the window expired meanwhile, nothing left to give back.
    with contextlib.suppress(ValueError):
        cache.decr(hit.key)


def rate_limited_response(request: HttpRequest, hit: Hit, *, scope: str) -> HttpResponse:
    """The page a client over its budget sees, in its language (429)."""
    minutes = max(1, math.ceil(hit.retry_after / 60))
    context = {"retry_minutes": minutes, "scope": scope}
    response = render(request, "429.html", context, status=429)
    response["Retry-After"] = str(hit.retry_after)
    return response


# --- URLs by name ----------------------------------------------------------------------


@dataclass(frozen=True)
class LimitedUrl:
    """How one URL spends a budget.

    ``methods``: the requests that count; ``anonymous_only``: logged-in people
    are not counted; ``counts_on``: ``"all"`` counts every such request,
    ``"redirect"`` only those answered with a redirect (a form that succeeded:
    a form sent back with errors gives its hit back), ``"unless_ok"`` all but
    those answered 2xx (a page that was only shown, like an invite link's
    preview for a link-preview crawler, wrote nothing).
    """

    scope: str
    methods: frozenset[str] = frozenset({"POST"})
    anonymous_only: bool = False
    counts_on: str = "redirect"


def _counted(rule: LimitedUrl, response: HttpResponse) -> bool:
    if rule.counts_on == "all":
        return True
    if rule.counts_on == "unless_ok":
        return not 200 <= response.status_code < 300
    return 300 <= response.status_code < 400


class RateLimitMiddleware:
    """Applies ``settings.RATE_LIMITED_URLS`` ({url name: LimitedUrl fields}); place it
    after the locale and authentication middleware (the 429 page is in the
    person's language, and ``anonymous_only`` needs to know who is asking)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.rules = {
            name: LimitedUrl(
                scope=spec["scope"],
                methods=frozenset(spec.get("methods", ["POST"])),
                anonymous_only=spec.get("anonymous_only", False),
                counts_on=spec.get("counts_on", "redirect"),
            )
            for name, spec in settings.RATE_LIMITED_URLS.items()
        }
        for rule in self.rules.values():
            rate_for(rule.scope)  # a misspelt scope or rate fails at start-up

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        spent = getattr(request, "_rate_limit_spent", None)
        if spent is not None:
            rule, hit = spent
            if not _counted(rule, response):
                rate_limit_refund(hit)
        return response

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        match = request.resolver_match
        rule = self.rules.get(match.view_name) if match else None
        if rule is None or request.method not in rule.methods:
            return None
        user = getattr(request, "user", None)
        if rule.anonymous_only and user is not None and user.is_authenticated:
            return None
        hit = rate_limit_hit(scope=rule.scope, client=client_network(request))
        if not hit.allowed:
            return rate_limited_response(request, hit, scope=rule.scope)
        request._rate_limit_spent = (rule, hit)
        return None
