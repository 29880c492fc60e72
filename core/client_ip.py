"""Who is asking, by network address: one answer for the rate limits, the
log-in lock-out (django-axes) and allauth.

``X-Forwarded-For`` is written by whoever sends the request, so it is believed
only behind reverse proxies we run: with ``TRUSTED_PROXY_COUNT = n`` the
client is the n-th address from the right, the one our outermost proxy saw
(each proxy appends the address it was connected from). Anything further left
was written by the client and is ignored. Without a trusted proxy the socket's
address (``REMOTE_ADDR``) is the only truth.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest

# Every host of one IPv6 subscriber shares a /64: counting per address would
# give each person 2^64 fresh budgets.
IPV6_PREFIX = 64


def client_ip(request: HttpRequest) -> str:
    """The client's address, as text ("" when nothing usable was sent)."""
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies > 0 and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        candidate = hops[-proxies] if len(hops) >= proxies else ""
    else:
        candidate = request.META.get("REMOTE_ADDR", "")
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        # A malformed header (or none behind a misconfigured proxy): fall back
        # to the socket, which at worst lumps such clients together.
        return request.META.get("REMOTE_ADDR", "") or ""


def client_network(request: HttpRequest) -> str:
    """What a per-client budget counts: the IPv4 address, or the IPv6 /64."""
    address = client_ip(request)
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address or "unknown"
    if parsed.version == 4:
        return str(parsed)
    if parsed.ipv4_mapped is not None:  # ::ffff:203.0.113.9 is that IPv4 client
        return str(parsed.ipv4_mapped)
    return str(ipaddress.ip_network(f"{parsed}/{IPV6_PREFIX}", strict=False))
