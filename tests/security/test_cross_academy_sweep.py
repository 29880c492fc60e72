"""Threat: broken object-level authorization across academies (IDOR / BOLA).

A person of academy A (student, teacher or admin) takes a URL of this site and
puts academy B's real ids in it: B's journey, week, mission, scheduled mission,
post, comment, team, member, file, notification, access code, student import,
or any row in Django admin. Every such request must answer 404, exactly like a
random id, so that nothing of B is shown, changed, or even confirmed to exist
(DESIGN.md, "Roles and tenancy": "an object of another organization answers
404, exactly like a missing one").

The sweep finds the URLs itself: it walks ``django.urls.get_resolver()`` (every
included URLconf, namespace and the Django admin) and takes every pattern with
a kwarg that names an object. ``tests/security/sweep_objects.py`` says how to
fill each kwarg with B's ids; a new URL whose kwargs it cannot fill fails its
test until someone teaches the sweep its kind, or lists it in ``NOT_EXERCISED``
with the reason.

Each URL is requested by A's student, teacher and admin, GET and POST (the test
client skips CSRF), with B's real ids, with random ids of the same shape, and,
for nested journey URLs, with A's own journey and B's other ids (and A's
journey and team with B's member). Every answer must be 404; a method refused
with 405 before any lookup counts only if a random id gets the same 405. No row
of any table may change. In Django admin, students and teachers are sent to the
admin's login page for any id: that is their refusal; organization admins get
404 like everywhere else.

OWASP ASVS 5.0 requirements:

- V8.2.2: data-specific access is restricted to consumers with explicit
  permissions to specific data items, to mitigate insecure direct object
  reference (IDOR) and broken object level authorization (BOLA);
- V8.4.1: a multi-tenant application uses cross-tenant controls so that a
  consumer's operations never affect tenants they may not interact with (the
  POSTs change nothing in academy B);
- V8.2.1: function-level access (students and teachers are refused at the
  Django admin door: a redirect to its login page, the same for any id).
"""

from __future__ import annotations

import itertools
import re
import uuid
from dataclasses import dataclass
from importlib import import_module
from types import ModuleType
from urllib.parse import quote

import pytest
from allauth.account.utils import user_pk_to_url_str
from django.apps import apps
from django.db import connection, transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, path, reverse
from django.urls.resolvers import RoutePattern

import accounts.tenancy
from core import tenancy
from journeys.models import Journey
from tests.files.conftest import local_storages
from tests.security.sweep_objects import (
    ADMIN_OBJECT_KWARGS,
    KIND_BY_KWARG,
    KIND_BY_URL_KWARG,
    KINDS,
    AcademyA,
    AcademyB,
    Kind,
    admin_kind,
    admin_model,
    build_academy_a,
    build_academy_b,
)

pytestmark = pytest.mark.django_db

ROLES = {"student": "student", "teacher": "teacher", "admin": "admin_user"}
METHODS = ("get", "post")
ADMIN_LOGIN = "/admin/login/"
REDIRECT_VIEW = "django.views.generic.base.RedirectView"

# Kwargs that name no object of an academy: URLs with only these are not swept.
NON_OBJECT_KWARGS = {
    "app_label": "admin/<app_label>/: an app of the admin index, the same for every academy",
    "url": "admin/<url>: the admin's catch-all, which answers anything unknown with 404",
}

PLATFORM_TABLE = (
    "a platform table, no academy's row: organization admins are refused every row "
    "(tests/admin/test_tenancy.py::test_platform_table_urls_are_refused)"
)


def admin_object_urls(label: str, reason: str) -> dict[str, str]:
    """The object URLs Django admin gives a model (change, delete, history, and
    the bare ``<object_id>/`` that redirects to change)."""
    app_label, model_name = label.split(".")
    named = {
        f"admin:{app_label}_{model_name}_{action}": reason
        for action in ("change", "delete", "history")
    }
    return named | {f"admin/{app_label}/{model_name}/<path:object_id>/": reason}


# URLs with an object kwarg that the sweep does not fill, each with its reason.
NOT_EXERCISED: dict[str, str] = {
    "journeys:join": (
        "the invite token is a bearer secret (244 random bits) that B's teachers hand out: "
        "whoever holds the link is shown the journey's name by design, logged out too, and a "
        "person of another academy is refused with 403 'belongs to another academy' and "
        "enrols nowhere (tests/journeys/test_join.py)"
    ),
    # uid + HMAC key: no 404 to compare, but a real uid of B with a forged key must
    # answer like a random uid (test_secret_links_tell_nothing_about_another_academy).
    "people:invitation": (
        "the invitation link is a password-reset token (uid + HMAC key): without B's key "
        "it is invalid whatever the uid, and only redirects to allauth's reset page"
    ),
    "account_reset_password_from_key": (
        "allauth's password-reset link (uid + HMAC key): an invalid-link page without the key"
    ),
    "account_confirm_email": "allauth's e-mail confirmation key: an HMAC secret, not an id",
    "blog:post": "the platform's public blog: a post is no academy's object",
    "blog:preview": "the platform operator's preview of a blog post: no academy's object",
    **admin_object_urls("sites.site", PLATFORM_TABLE),
    **admin_object_urls("socialaccount.socialapp", PLATFORM_TABLE),
    **admin_object_urls("axes.accessattempt", PLATFORM_TABLE),
    **admin_object_urls("axes.accesslog", PLATFORM_TABLE),
    **admin_object_urls("axes.accessfailurelog", PLATFORM_TABLE),
    **admin_object_urls("notifications.emailqueue", PLATFORM_TABLE),
    **admin_object_urls("blog.blog", PLATFORM_TABLE),
    **admin_object_urls("inquiries.inquiry", PLATFORM_TABLE),
}


# --- discovery ----------------------------------------------------------------------


@dataclass(frozen=True)
class DiscoveredURL:
    id: str  # the URL's name with its namespaces, or its route if it has none
    name: str | None
    route: str
    kwargs: tuple[str, ...]
    view: str

    @property
    def object_kwargs(self) -> tuple[str, ...]:
        return tuple(kwarg for kwarg in self.kwargs if kwarg not in NON_OBJECT_KWARGS)

    @property
    def is_admin(self) -> bool:
        return self.route.startswith("admin/")

    def __str__(self) -> str:
        return self.id


def pattern_kwargs(pattern) -> tuple[str, ...]:
    if isinstance(pattern, RoutePattern):  # path()
        return tuple(pattern.converters)
    return tuple(pattern.regex.groupindex)  # re_path()


def discover(resolver=None, prefix="", namespace=None, kwargs=()) -> list[DiscoveredURL]:
    """Every URL pattern of the project, nested includes and namespaces resolved."""
    resolver = resolver or get_resolver()
    found = []
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        entry_kwargs = kwargs + pattern_kwargs(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            found += discover(entry, route, inner, entry_kwargs)
        elif isinstance(entry, URLPattern):
            name = entry.name and (f"{namespace}:{entry.name}" if namespace else entry.name)
            found.append(DiscoveredURL(name or route, name, route, entry_kwargs, entry.lookup_str))
    return found


ALL_URLS = discover()
SWEPT_URLS = [url for url in ALL_URLS if url.object_kwargs and url.id not in NOT_EXERCISED]


# --- filling a URL with ids ---------------------------------------------------------


def kind_of(url: DiscoveredURL, kwarg: str) -> Kind | None:
    if (url.name, kwarg) in KIND_BY_URL_KWARG:
        return KINDS[KIND_BY_URL_KWARG[url.name, kwarg]]
    if url.is_admin and kwarg in ADMIN_OBJECT_KWARGS:
        model = admin_model(url.route)
        return admin_kind(model) if model is not None else None
    if kwarg in KIND_BY_KWARG:
        return KINDS[KIND_BY_KWARG[kwarg]]
    return None


@dataclass(frozen=True)
class Filling:
    label: str
    values: dict[str, str]
    # The filling with random ids in the same places: where the B filling is
    # refused before any lookup (405), its random twin must be refused alike.
    twin: str


def fillings(url: DiscoveredURL, b: AcademyB, make_a) -> list[Filling]:
    """B's ids (each of B's objects of the kind for a one-id URL, B's consistent
    set for a nested one), random ids, and for nested journey URLs A's own
    journey (and team) with B's ids. Fails the test if a kwarg cannot be filled."""
    kinds = {kwarg: kind_of(url, kwarg) for kwarg in url.object_kwargs}
    unknown = [kwarg for kwarg, kind in kinds.items() if kind is None]
    if unknown:
        pytest.fail(
            f"{url.id} ({url.route}): the sweep cannot fill {unknown}. Teach "
            "tests/security/sweep_objects.py which kind of academy B's object it names, "
            "or list the URL in NOT_EXERCISED with the reason."
        )
    of_b = {kwarg: kind.of_b(b) for kwarg, kind in kinds.items()}
    empty = [kwarg for kwarg, values in of_b.items() if not values]
    if empty:
        pytest.fail(
            f"{url.id} ({url.route}): academy B has no object for {empty} "
            f"({[kinds[kwarg].name for kwarg in empty]}); add one to build_academy_b."
        )
    random_ids = {kwarg: kind.random() for kwarg, kind in kinds.items()}
    result = [Filling("random ids", random_ids, "random ids")]
    if len(kinds) == 1:
        ((kwarg, values),) = of_b.items()
        result += [
            Filling(f"B's {kinds[kwarg].name} #{n}", {kwarg: value}, "random ids")
            for n, value in enumerate(values, 1)
        ]
    else:
        result.append(
            Filling("B's ids", {kwarg: values[0] for kwarg, values in of_b.items()}, "random ids")
        )
    if "journey_id" in kinds and len(kinds) > 1:
        a: AcademyA = make_a()
        a_journey = {"journey_id": KINDS["journey"].of_a(a)}
        rest_of_b = {kwarg: values[0] for kwarg, values in of_b.items() if kwarg != "journey_id"}
        result += [
            Filling("A's journey, random ids", random_ids | a_journey, "A's journey, random ids"),
            Filling("A's journey, B's ids", rest_of_b | a_journey, "A's journey, random ids"),
        ]
        # A's own objects everywhere but the member: B's person in A's team.
        a_rest = {kwarg: kind.of_a(a) for kwarg, kind in kinds.items() if kind.of_a}
        if "user_id" in kinds and set(a_rest) | {"user_id"} == set(kinds) and len(a_rest) > 1:
            result.append(
                Filling(
                    "A's journey and team, B's member",
                    a_rest | {"user_id": of_b["user_id"][0]},
                    "A's journey, random ids",
                )
            )
    return result


def path_of(url: DiscoveredURL, values: dict) -> str:
    values = {kwarg: str(value) for kwarg, value in values.items()}
    if url.name:
        return reverse(url.name, kwargs=values)
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda match: quote(values[match[1]]), url.route)


# --- what may not change ------------------------------------------------------------

# Sessions change with every log-in; every other table must stay as it was.
NOT_SNAPSHOT = frozenset({"sessions"})


def snapshot() -> dict[str, str]:
    """A digest of every row of every table (academy B's and A's alike), in one
    query."""
    tables = sorted(
        {
            model._meta.db_table
            for model in apps.get_models(include_auto_created=True)
            if model._meta.app_label not in NOT_SNAPSHOT and model._meta.managed
        }
    )
    digest = (
        "SELECT %s, (SELECT md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) FROM {} t)"
    )
    sql = " UNION ALL ".join(digest.format(connection.ops.quote_name(table)) for table in tables)
    with connection.cursor() as cursor:
        cursor.execute(sql, tables)
        return dict(cursor.fetchall())


def changed_tables(before: dict, after: dict) -> list[str]:
    return [label for label in before if before[label] != after[label]]


# --- fixtures -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def sweep_media(tmp_path_factory):
    return tmp_path_factory.mktemp("sweep-media")


@pytest.fixture(scope="module")
def academy_b(django_db_setup, django_db_blocker, sweep_media) -> AcademyB:
    """Academy B, built once for the module inside a transaction that is rolled
    back at its end; each test runs in a savepoint of its own inside it."""
    with django_db_blocker.unblock(), transaction.atomic():
        with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
            built = build_academy_b(sweep_media)
        yield built
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def sweep_client() -> Client:
    """One client for the module: building a client's middleware (WhiteNoise
    scans the static files) would otherwise cost more than the requests."""
    return Client()


@pytest.fixture(autouse=True)
def sweep_storage(settings, sweep_media):
    """Files on local disk, where academy B's bytes are."""
    base = {alias: settings.STORAGES[alias] for alias in ("default", "staticfiles")}
    settings.MEDIA_ROOT = sweep_media
    settings.STORAGES = {**base, **local_storages(sweep_media)}


# --- the sweep ----------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    path: str
    status: int  # the last response's, when redirects were followed
    location: str  # where it was sent: the Location header, or the last redirect followed

    @classmethod
    def of(cls, address: str, response) -> Answer:
        chain = getattr(response, "redirect_chain", None)
        location = chain[-1][0] if chain else response.get("Location", "")
        return cls(address, response.status_code, location)

    def __str__(self) -> str:
        return f"{self.status} -> {self.location}" if self.location else str(self.status)


def judge(url: DiscoveredURL, role: str, answers: dict, twins: dict[str, str]) -> list[str]:
    """What is wrong with the answers, one line per request."""
    problems = []
    for label in dict.fromkeys(label for label, _method in answers):
        if url.is_admin and role != "admin":
            # The admin site's door sends students and teachers to its login page
            # before any lookup, whatever the id: that is their refusal.
            for method in METHODS:
                answer = answers[label, method]
                if not answer.location.startswith(ADMIN_LOGIN):
                    problems.append(
                        f"{method.upper()} {answer.path} [{label}] answered {answer}, "
                        f"expected a redirect to {ADMIN_LOGIN}"
                    )
            continue
        reached = False
        for method in METHODS:
            answer = answers[label, method]
            if answer.status == 404:
                reached = True
            elif answer.status == 405 and answers[twins[label], method].status == 405:
                pass  # this method is refused before any lookup, for any id alike
            else:
                problems.append(
                    f"{method.upper()} {answer.path} [{label}] answered {answer}, expected 404"
                )
        if not reached:
            problems.append(f"[{label}]: neither GET nor POST reached the lookup")
    return problems


def sweep(client, url: DiscoveredURL, role: str, b: AcademyB, make_a) -> tuple[list, list]:
    """Request ``url`` with every filling, GET and POST, as the logged-in
    ``client``: what was wrong with the answers, and which tables changed."""
    plan = fillings(url, b, make_a)
    # The admin's bare "<object_id>/" redirects to the change page for any id
    # without a lookup: it is followed, the change page must then refuse.
    follow = url.view == REDIRECT_VIEW
    before = snapshot()
    answers = {}
    for filling, method in itertools.product(plan, METHODS):
        address = path_of(url, filling.values)
        response = getattr(client, method)(address, follow=follow)
        answers[filling.label, method] = Answer.of(address, response)
    twins = {filling.label: filling.twin for filling in plan}
    return judge(url, role, answers, twins), changed_tables(before, snapshot())


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url", SWEPT_URLS, ids=str)
def test_other_academy_ids_answer_404(request, sweep_client, url: DiscoveredURL, role, academy_b):
    """ASVS 5.0 V8.2.2 (no IDOR: another academy's id answers 404 like a random
    one), V8.4.1 (cross-tenant: GET and POST change nothing in academy B), V8.2.1
    (students and teachers are refused at the admin's door, whatever the id)."""

    def make_a() -> AcademyA:
        return build_academy_a(
            request.getfixturevalue("organization"), request.getfixturevalue("student")
        )

    sweep_client.force_login(request.getfixturevalue(ROLES[role]))

    problems, changed = sweep(sweep_client, url, role, academy_b, make_a)

    assert not problems, f"{url.id} as A's {role}:\n" + "\n".join(problems)
    assert changed == [], f"{url.id} as A's {role} changed {changed}"


# --- the sweep's own upkeep ---------------------------------------------------------


def test_not_exercised_names_only_existing_urls_with_object_ids():
    """ASVS 5.0 V8.2.2: the list of URLs the sweep skips stays true; a URL that
    was removed or renamed must leave it, so that nothing hides behind a stale
    entry."""
    by_id = {url.id: url for url in ALL_URLS}
    stale = sorted(name for name in NOT_EXERCISED if name not in by_id)
    assert stale == [], f"NOT_EXERCISED names URLs that no longer exist: {stale}"
    without_ids = sorted(name for name in NOT_EXERCISED if not by_id[name].object_kwargs)
    assert without_ids == [], f"NOT_EXERCISED names URLs without an object id: {without_ids}"
    assert all(reason.strip() for reason in NOT_EXERCISED.values())


def test_the_sweep_discovers_the_urls_of_every_app_and_the_admin():
    """ASVS 5.0 V8.2.2, V8.4.1: discovery itself works (a broken walk would
    silently sweep nothing)."""
    swept = {url.id for url in SWEPT_URLS}
    expected = {
        "missions:plan",
        "journeys:member_remove",
        "community:post_detail",
        "community:comment_edit",
        "teams:manage_remove",
        "missions:week_edit",
        "submissions:index",
        "missions:edit",
        "grading:grade",
        "people:import_detail",
        "people:codes_expire",
        "people:profile",
        "files:download",
        "notifications:open",
        "public_media",
        "admin:journeys_journey_change",
        "admin:accounts_profile_role",
        "admin/community/post/<path:object_id>/",
    }
    assert expected <= swept, sorted(expected - swept)
    assert len(ALL_URLS) == len({url.id for url in ALL_URLS}), "two URLs share an id"


SECRET_LINKS = ("people:invitation", "account_reset_password_from_key")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", SECRET_LINKS)
def test_secret_links_tell_nothing_about_another_academy(
    request, sweep_client, name, role, academy_b
):
    """ASVS 5.0 V8.2.2, V8.4.1: a link made of a uid and an HMAC key, filled with
    B's real person and a forged key, answers exactly like a random uid (the same
    statuses, nothing of the person shown) and changes nothing."""
    sweep_client.force_login(request.getfixturevalue(ROLES[role]))
    person = academy_b.student
    before = snapshot()

    answers = []
    for uid in (user_pk_to_url_str(person), uuid.uuid4().hex):
        address = reverse(name, kwargs={"uidb36": uid, "key": "forged-key"})
        response = sweep_client.get(address, follow=True)
        page = response.content.decode()
        assert person.email not in page, address
        answers.append(([status for _url, status in response.redirect_chain], response.status_code))

    assert answers[0] == answers[1]
    assert changed_tables(before, snapshot()) == []


def leaky_read(request, journey_id):
    """An IDOR: the journey is looked up without the person's academy."""
    return HttpResponse(get_object_or_404(Journey, pk=journey_id).name)


def leaky_write(request, journey_id):
    """A write before the refusal: the 404 comes too late."""
    Journey.objects.filter(pk=journey_id).update(name="Taken over")
    raise Http404


def test_the_sweep_catches_a_lookup_without_the_academy(
    settings, client, teacher, academy_b, monkeypatch
):
    """ASVS 5.0 V8.2.2, V8.4.1: the sweep itself fails on the two holes it is
    for, a read of another academy's object and a write before the 404. Row
    Level Security would hide both holes from it, so the requests run in the
    operator's database context here: the sweep checks the application's own
    boundary, the database's is tested in tests/core/test_row_level_security.py."""
    monkeypatch.setattr(accounts.tenancy, "context_for_request", lambda request: tenancy.OPERATOR)
    urlconf = ModuleType("leaky_urls")
    urlconf.urlpatterns = [
        path("leaky/<uuid:journey_id>/", leaky_read, name="leaky_read"),
        path("leaky/<uuid:journey_id>/write/", leaky_write, name="leaky_write"),
        *import_module(settings.ROOT_URLCONF).urlpatterns,  # the pages' own links
    ]
    settings.ROOT_URLCONF = urlconf
    urls = {url.id: url for url in discover()}
    client.force_login(teacher)

    read_problems, read_changes = sweep(client, urls["leaky_read"], "teacher", academy_b, None)
    write_problems, write_changes = sweep(client, urls["leaky_write"], "teacher", academy_b, None)

    journey_path = f"/leaky/{academy_b.journey.pk}/"
    assert f"GET {journey_path} [B's journey #1] answered 200, expected 404" in read_problems
    assert read_changes == []
    assert write_problems == []  # every answer was a 404...
    assert write_changes == [Journey._meta.db_table]  # ...after the write
