"""Error pages as production shows them (DEBUG off): 400, 403, 404, 500 and a
refused form (CSRF), in the site's look, in the person's language (Korean by
default), each with a way back to the start page. 500 renders with no
database at all."""

from __future__ import annotations

import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from tests.factories import JourneyFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.sqeeze.error_urls")]

HEADINGS = {
    400: "Something is wrong with this request",
    403: "You cannot open this page",
    404: "Page not found",
    500: "Something went wrong",
}
URLS = {
    400: "/test-errors/400/",
    403: "/test-errors/403/",
    404: "/no-such-page/",
    500: "/test-errors/500/",
}


@pytest.fixture(autouse=True)
def production(settings):
    settings.DEBUG = False


@pytest.fixture
def client():
    client = Client()
    client.raise_request_exception = False  # answer 500 like production, not raise
    return client


def in_korean(message: str) -> str:
    with translation.override("ko"):
        return gettext(message)


@pytest.mark.parametrize("status", sorted(URLS))
def test_an_error_page_is_korean_by_default(client, status):
    response = client.get(URLS[status])

    assert response.status_code == status
    html = response.content.decode()
    assert '<html lang="ko">' in html
    assert in_korean(HEADINGS[status]) in html
    assert 'class="site-header"' in html and "/static/css/errors.css" in html
    assert "<script>" not in html  # CSP: no inline scripts


@pytest.mark.parametrize("status", sorted(URLS))
def test_an_error_page_speaks_english_when_asked(client, status):
    response = client.get(URLS[status], HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == status
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert f'<h1 id="error-title">{HEADINGS[status]}</h1>' in html
    assert "Back to the start page" in html


@pytest.mark.parametrize("status", [400, 403, 404])
def test_a_visitor_is_sent_back_to_the_landing_page(client, status):
    html = client.get(URLS[status], HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert '<a class="button" href="/">Back to the start page</a>' in html


@pytest.mark.parametrize("status", [400, 403, 404])
def test_a_signed_in_person_keeps_their_menu_and_goes_home(client, student, status):
    client.force_login(student)

    html = client.get(URLS[status], HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert '<a class="button" href="/home/">Back to the start page</a>' in html
    assert student.get_full_name() in html  # the site's header, as on every page
    assert "Log out" in html


def test_another_academys_object_gets_the_same_404_page(client, outsider, student):
    """A journey of another academy answers 404 like a missing one (DESIGN.md),
    and the page says so without telling which."""
    journey = JourneyFactory(organization=outsider.organization)
    client.force_login(student)

    response = client.get(f"/journeys/{journey.pk}/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 404
    assert "This page does not exist, or it is not one you can open." in response.content.decode()


def test_the_500_page_renders_while_the_database_is_down(client, student):
    """A signed-in person's request fails at its first query (the session);
    the 500 page itself needs no query, no person and no context processor."""
    client.force_login(student)

    def refuse(execute, sql, params, many, context):
        raise OperationalError("the database is down (test)")

    with connection.execute_wrapper(refuse):
        response = client.get("/home/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 500
    html = response.content.decode()
    assert '<h1 id="error-title">Something went wrong</h1>' in html
    assert '<a class="button button--ghost" href="/">Back to the start page</a>' in html
    assert '<a class="button" href="">Try again</a>' in html
    assert student.get_full_name() not in html


def test_a_view_failing_on_the_database_gets_the_500_page_in_korean(client):
    response = client.get("/test-errors/database/")

    assert response.status_code == 500
    assert '<html lang="ko">' in response.content.decode()
    assert in_korean("Something went wrong") in response.content.decode()


def test_a_disallowed_host_gets_the_400_page(client):
    response = client.get("/", HTTP_HOST="evil.example", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert "Something is wrong with this request" in response.content.decode()


# --- a refused form (CSRF) ------------------------------------------------------------


@pytest.fixture
def strict_client():
    return Client(enforce_csrf_checks=True)


def test_a_refused_form_says_to_reload_and_allow_cookies(strict_client):
    response = strict_client.post(
        "/accounts/login/", {"login": "a@example.test"}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 403
    assert [t.name for t in response.templates][0] == "403_csrf.html"
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "The form could not be sent" in html
    assert "Reload the page with the form." in html
    assert "allow cookies for this site" in html
    assert '<a class="button" href="/">Back to the start page</a>' in html


def test_a_refused_form_is_korean_by_default(strict_client):
    response = strict_client.post("/accounts/login/", {"login": "a@example.test"})

    assert response.status_code == 403
    html = response.content.decode()
    assert '<html lang="ko">' in html
    assert in_korean("The form could not be sent") in html
    assert in_korean("Reload the page with the form.") in html


def test_a_refused_form_offers_the_page_it_came_from(strict_client):
    response = strict_client.post(
        "/accounts/login/",
        {"login": "a@example.test"},
        HTTP_REFERER="http://testserver/accounts/login/?next=/home/",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    html = response.content.decode()
    assert (
        '<a class="button" href="http://testserver/accounts/login/?next=/home/">Reload the page</a>'
        in html
    )
    assert 'class="button button--ghost" href="/">Back to the start page' in html


def test_a_refused_form_never_links_to_another_site(strict_client):
    response = strict_client.post(
        "/accounts/login/",
        {"login": "a@example.test"},
        HTTP_REFERER="https://evil.example/phish",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 403
    assert "evil.example" not in response.content.decode()


def test_the_reason_of_a_refusal_shows_only_to_developers(settings):
    hidden = Client(enforce_csrf_checks=True).post("/accounts/login/", {}).content.decode()
    settings.DEBUG = True
    shown = Client(enforce_csrf_checks=True).post("/accounts/login/", {}).content.decode()

    assert "CSRF cookie not set" not in hidden
    assert "CSRF cookie not set" in shown
