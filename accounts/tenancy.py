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
from django.http import HttpRequest, HttpResponse

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
        return DbContext(role=str(user.role), academy=user.organization_id, person=user.pk)
    if path.startswith(SIGNIN_PATHS):
        return tenancy.signin()
    return tenancy.VISITOR


def _session_person(request: HttpRequest) -> UUID | None:
    """The person the session names, before their profile is read: the
    database shows that one profile so authentication can load it."""
    try:
        return UUID(str(request.session[SESSION_KEY]))
    except (KeyError, ValueError, AttributeError):
        return None


class DatabaseContextMiddleware:
    """After AuthenticationMiddleware: load the person in their own profile's
    context, then run the rest of the request in the context it gets, in one
    transaction. A response of 500 or more rolls the request's writes back.
    Inside a transaction already (a test's) there is no savepoint: a request
    then costs the same queries as in production."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with tenancy.unit_of_work() as work:
            with tenancy.use(DbContext(role="visitor", person=_session_person(request))):
                request.user.is_authenticated  # noqa: B018 (loads the person now)
            with tenancy.use(context_for_request(request)):
                response = self.get_response(request)
            work.rollback_only = response.status_code >= 500
        return response
