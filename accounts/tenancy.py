"""The database context of a request (core.tenancy says what a context is).

``context_for_request`` is the one place that decides it:

- a signed-in person: their profile, academy and role;
- a platform operator (a superuser): the operator context, on every page (Django
  admin, the blog's previews; the app's own pages still show their academy);
- the accounts pages (/accounts/: log-in, sign-up, passwords, e-mail
  confirmation, social log-in, finishing a profile; and Django admin's log-in)
  and a person not yet in an academy: the sign-in context, which finds
  identities across academies but reads no other academy's data;
- anyone else: the visitor context (public rows only).

``DatabaseContextMiddleware`` runs the whole request in one transaction that
carries that context (begun by its first query, core.tenancy.unit_of_work), so
the database applies it once per request.
"""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from django.contrib.auth import SESSION_KEY
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

from accounts.models import Role
from core import tenancy
from core.tenancy import DbContext

# Pages that find a person before anyone is known: allauth's and ours under
# /accounts/, and Django admin's log-in form.
SIGNIN_PATHS = ("/accounts/", "/admin/login/")


def context_for_request(request: HttpRequest) -> DbContext:
    user = request.user
    path = request.path_info
    if user.is_authenticated:
        if user.is_superuser:
            return tenancy.OPERATOR
        if path.startswith(SIGNIN_PATHS) or user.organization_id is None:
            return tenancy.signin(user.pk, user.organization_id)
        return person_context(user) or tenancy.signin(user.pk, user.organization_id)
    if path.startswith(SIGNIN_PATHS):
        return tenancy.signin()
    return tenancy.VISITOR


# The session remembers the person's context (role, academy) from their
# log-in, and from their last request when it changed since, so that loading
# the person can already run in it: when the person turns out to be unchanged,
# the database hears the context once a request instead of twice. The session
# lives on the server (SESSION_ENGINE) and is only a guess: the context every
# query after the load runs in is computed from the profile just read, and
# sent again when the guess was wrong.
REMEMBERED_CONTEXT = "sqeeze_db_context"


def _loading_context(request: HttpRequest) -> DbContext:
    """The context to load the session's person in: the one remembered for
    them, else one that shows that person's own profile and nothing else."""
    person = _session_person(request)
    remembered = request.session.get(REMEMBERED_CONTEXT) if person else None
    if isinstance(remembered, dict) and remembered.get("person") == str(person):
        try:
            return DbContext(
                role=remembered["role"], academy=UUID(remembered["academy"]), person=person
            )
        except (KeyError, TypeError, ValueError):
            pass  # an older or damaged value: the safe default
    return DbContext(role="visitor", person=person)


# Role.values builds its list at every call; this runs at every request.
_ROLES = frozenset(Role.values)


def person_context(user) -> DbContext | None:
    """The context of a person of an academy, as their requests get it on the
    app's pages; None for a platform operator or someone in no academy."""
    if user.is_superuser or user.organization_id is None or user.role not in _ROLES:
        return None
    return DbContext(role=str(user.role), academy=user.organization_id, person=user.pk)


def _remember(request: HttpRequest, user) -> None:
    """Keep a person's academy context for their next request: at log-in, and
    again when it changed (a new role). A platform operator or someone in no
    academy keeps none: their requests load them as a visitor."""
    context = person_context(user) if user.is_authenticated else None
    if context is None:
        return
    value = {"person": str(context.person), "academy": str(context.academy), "role": context.role}
    if request.session.get(REMEMBERED_CONTEXT) != value:
        request.session[REMEMBERED_CONTEXT] = value


@receiver(user_logged_in)
def remember_at_log_in(sender, request: HttpRequest | None, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        _remember(request, user)


def _session_person(request: HttpRequest) -> UUID | None:
    """The person the session names, before their profile is read: the
    database shows that one profile so authentication can load it."""
    try:
        return UUID(str(request.session[SESSION_KEY]))
    except (KeyError, ValueError, AttributeError):
        return None


class DatabaseContextMiddleware:
    """After AuthenticationMiddleware: load the person (in the context their
    session remembers, if any), then run the rest of the request in the context
    they get, in one transaction. A response of 500 or more rolls the request's
    writes back. Inside a transaction already (a test's) there is no savepoint:
    a request then costs the same queries as in production."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with tenancy.unit_of_work() as work:
            with tenancy.use(_loading_context(request)):
                request.user.is_authenticated  # noqa: B018 (loads the person now)
            _remember(request, request.user)
            with tenancy.use(context_for_request(request)):
                response = self.get_response(request)
            work.rollback_only = response.status_code >= 500
        return response
