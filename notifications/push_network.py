"""Where the push worker may connect to, and connecting only there.

A push endpoint is a URL that a browser, so anyone, sent us, and the worker
POSTs to it. Reading the URL's text is not enough to keep that POST away from
our own network: a public-looking name can resolve to 127.0.0.1, to
10.0.0.5 or to the cloud metadata address 169.254.169.254, and it can give
one answer when we check and another a second later when we connect (DNS
rebinding). So:

- ``resolve_checked`` resolves the host once (``socket.getaddrinfo``) and
  refuses it unless *every* address is globally routable
  (``address_is_public``), IPv4 addresses wrapped in IPv6 included;
- ``pinned_session`` gives a ``requests`` session that connects to the
  address that was checked, without a second lookup, while the Host header,
  TLS SNI and the certificate check keep the endpoint's host name.

Nothing here knows about subscriptions or Django: ``notifications.push_endpoints``
decides what a refusal means for a person, ``notifications.push_delivery`` what
it means for a delivery.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connectionpool import HTTPConnectionPool

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

DEFAULT_PORTS = {"https": 443, "http": 80}

# IANA special-purpose ranges that are not globally reachable, plus multicast and
# the reserved block. Listed here rather than trusting ``is_global`` alone:
# Python's idea of "global" changes between releases (3.11 calls 224.0.0.1 and
# 64:ff9b:1::/48 global).
_REFUSED_V4 = tuple(
    ipaddress.IPv4Network(network)
    for network in (
        "0.0.0.0/8",  # "this network", 0.0.0.0 reaches the local host
        "10.0.0.0/8",  # RFC 1918
        "100.64.0.0/10",  # carrier-grade NAT (RFC 6598)
        "127.0.0.0/8",  # loopback
        "169.254.0.0/16",  # link-local, the cloud metadata service
        "172.16.0.0/12",  # RFC 1918
        "192.0.0.0/24",  # IETF protocol assignments
        "192.0.2.0/24",  # documentation (TEST-NET-1)
        "192.88.99.0/24",  # retired 6to4 relay anycast
        "192.168.0.0/16",  # RFC 1918
        "198.18.0.0/15",  # benchmarking
        "198.51.100.0/24",  # documentation (TEST-NET-2)
        "203.0.113.0/24",  # documentation (TEST-NET-3)
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved, 255.255.255.255 broadcast included
    )
)
_REFUSED_V6 = tuple(
    ipaddress.IPv6Network(network)
    for network in (
        "::/96",  # unspecified, loopback and IPv4-compatible (deprecated)
        "64:ff9b:1::/48",  # NAT64 for local use (RFC 8215)
        "100::/64",  # discard-only
        "2001::/23",  # IETF protocol assignments: Teredo, benchmarking, ORCHID
        "2001:db8::/32",  # documentation
        "3fff::/20",  # documentation (RFC 9637)
        "5f00::/16",  # SRv6 segment identifiers
        "fc00::/7",  # unique local addresses
        "fe80::/10",  # link-local
        "fec0::/10",  # site-local (deprecated, still routed inside some sites)
        "ff00::/8",  # multicast
    )
)
# IPv6 forms that carry an IPv4 address to an IPv4 host: what matters is that host.
_IPV4_MAPPED = ipaddress.IPv6Network("::ffff:0:0/96")
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


class HostNotFound(Exception):
    """The host name has no address (or the resolver could not answer now)."""


class AddressRefused(Exception):
    """The host is, or resolves to, an address the worker must not connect to."""

    def __init__(self, *, host: str, addresses: tuple[IPAddress, ...]) -> None:
        self.host = host
        self.addresses = addresses
        super().__init__(f"{host} resolves to {', '.join(map(str, addresses))}")


# --- Addresses ---------------------------------------------------------------------


def ip_literal(host: str) -> IPAddress | None:
    """The address ``host`` spells, or None for a name.

    Also the odd IPv4 spellings that resolvers and ``inet_aton`` accept ("127.1",
    "2130706433", "0x7f.0.0.1", "0177.0.0.1"): a check that read them as names
    would let them through while the connection still went to 127.0.0.1.
    """
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        try:
            address = ipaddress.IPv4Address(socket.inet_aton(host))
        except (OSError, ValueError):
            return None
    return unwrap_mapped(address)


def unwrap_mapped(address: IPAddress) -> IPAddress:
    """``::ffff:a.b.c.d`` is a.b.c.d on a dual-stack socket; treat it as such."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 host an IPv6 address really reaches (IPv4-mapped, NAT64 64:ff9b::/96,
    6to4 2002::/16, Teredo's client), or None when it carries none.

    A translator or tunnel forwards to that IPv4 address, so a public-looking
    IPv6 address can still lead to 10.0.0.1 or 127.0.0.1.
    """
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    return None


def _ipv4_is_public(address: ipaddress.IPv4Address) -> bool:
    return address.is_global and not any(address in network for network in _REFUSED_V4)


def address_is_public(address: IPAddress) -> bool:
    """True when ``address`` is globally routable, and so is any IPv4 address it wraps.

    Refused: loopback, RFC 1918, link-local (cloud metadata), CGNAT, multicast,
    broadcast, reserved, unspecified, documentation and benchmarking ranges,
    IPv6 ULA and site-local, and IPv4-mapped / NAT64 / 6to4 / Teredo addresses
    whose IPv4 host is any of those.
    """
    if isinstance(address, ipaddress.IPv4Address):
        return _ipv4_is_public(address)
    inner = embedded_ipv4(address)
    if address.ipv4_mapped is not None or address in _NAT64:
        # The IPv6 prefix only says "translate"; the IPv4 host is the destination.
        return inner is not None and _ipv4_is_public(inner)
    if inner is not None and not _ipv4_is_public(inner):
        return False
    return (
        address.is_global
        and not address.is_multicast
        and not address.is_reserved
        and not address.is_site_local
        and not any(address in network for network in _REFUSED_V6)
    )


def address_is_allowed(address: IPAddress, *, allow_loopback: bool) -> bool:
    """Public, or loopback when the test-only setting allows it (nothing else is
    loosened: a private address stays refused under that setting)."""
    address = unwrap_mapped(address)
    return address_is_public(address) or (allow_loopback and address.is_loopback)


# --- Resolution ---------------------------------------------------------------------


def host_resolve(*, host: str, port: int) -> tuple[IPAddress, ...]:
    """Every address ``host`` resolves to, in the resolver's order of preference.

    One call to ``socket.getaddrinfo``: what the operating system (hosts file,
    DNS, DNS64) says, exactly what a connection would have used.
    """
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError) as error:
        raise HostNotFound(host) from error
    addresses: list[IPAddress] = []
    for family, _type, _proto, _canonical, sockaddr in answers:
        if family not in (socket.AF_INET, socket.AF_INET6):
            continue
        try:
            address = unwrap_mapped(ipaddress.ip_address(sockaddr[0]))
        except ValueError:
            # An answer we cannot read is not an address we can vouch for.
            raise AddressRefused(host=host, addresses=()) from None
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise HostNotFound(host)
    return tuple(addresses)


def resolve_checked(*, host: str, port: int, allow_loopback: bool) -> tuple[IPAddress, ...]:
    """The addresses for ``host`` (an IP literal or a name), all of them allowed.

    Raises ``AddressRefused`` when even one is not: a name that answers one
    public and one private address could be made to pick either.
    """
    literal = ip_literal(host)
    addresses = (literal,) if literal is not None else host_resolve(host=host, port=port)
    refused = tuple(
        address
        for address in addresses
        if not address_is_allowed(address, allow_loopback=allow_loopback)
    )
    if refused:
        raise AddressRefused(host=host, addresses=refused)
    return addresses


# --- Connecting to the checked address ------------------------------------------------


@dataclass(frozen=True)
class PinnedHost:
    """An endpoint's origin and the one checked address to connect to for it."""

    scheme: str
    host: str  # as in the URL, lower case, without brackets or a trailing dot
    port: int
    address: IPAddress

    @property
    def tls_name(self) -> str:
        """The name for SNI and the certificate check: the host name, or the
        address in its canonical form when the URL spells an address."""
        return str(self.address) if ip_literal(self.host) is not None else self.host

    @property
    def authority(self) -> str:
        """The Host header the push service expects: the URL's host (and port
        when it is not the scheme's default), never the address we dialled."""
        name = f"[{self.host}]" if ":" in self.host else self.host
        if self.port == DEFAULT_PORTS.get(self.scheme):
            return name
        return f"{name}:{self.port}"

    def matches(self, url: str) -> bool:
        """True when ``url`` has this scheme, host and port."""
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            return False
        scheme = parts.scheme.lower()
        return (
            scheme == self.scheme
            and (parts.hostname or "").rstrip(".") == self.host
            and (port or DEFAULT_PORTS.get(scheme)) == self.port
        )


class PinnedAdapter(HTTPAdapter):
    """Sends requests for one origin to its checked address, never elsewhere.

    The connection pool is keyed by the address, so urllib3 has no name to
    look up; ``server_hostname`` (SNI) and ``assert_hostname`` (certificate
    check) carry the host name, and ``add_headers`` sets the Host header. Any
    other origin, and any proxy, is refused: nothing may route around the check.
    """

    def __init__(self, *, pin: PinnedHost, **kwargs: Any) -> None:
        self.pin = pin
        super().__init__(**kwargs)

    def get_connection_with_tls_context(
        self,
        request: requests.PreparedRequest,
        verify: bool | str | None,
        proxies: dict[str, str] | None = None,
        cert: Any = None,
    ) -> HTTPConnectionPool:
        if not self.pin.matches(request.url or ""):
            raise requests.exceptions.InvalidURL(
                f"{request.url} is not the checked push endpoint {self.pin.authority}",
                request=request,
            )
        try:
            host_params, pool_kwargs = self.build_connection_pool_key_attributes(
                request, verify, cert
            )
        except ValueError as error:
            raise requests.exceptions.InvalidURL(error, request=request) from error
        host_params["host"] = str(self.pin.address)
        if self.pin.scheme == "https":
            pool_kwargs["server_hostname"] = self.pin.tls_name
            pool_kwargs["assert_hostname"] = self.pin.tls_name
        return self.poolmanager.connection_from_host(**host_params, pool_kwargs=pool_kwargs)

    def request_url(self, request: requests.PreparedRequest, proxies: Any) -> str:
        """Always the origin form (path and query): no proxy ever sees the request."""
        return request.path_url

    def add_headers(self, request: requests.PreparedRequest, **kwargs: Any) -> None:
        request.headers["Host"] = self.pin.authority


class NoRedirectSession(requests.Session):
    """A push service answers, it never redirects: following one would let an
    endpoint bounce the worker to an internal address."""

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs["allow_redirects"] = False
        return super().request(*args, **kwargs)


def pinned_session(pin: PinnedHost) -> NoRedirectSession:
    """A session that only reaches ``pin``'s origin, at ``pin.address``, with no
    redirects and no proxies or credentials from the environment (a proxy
    would do its own lookup of the name)."""
    session = NoRedirectSession()
    session.trust_env = False
    adapter = PinnedAdapter(pin=pin)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session
