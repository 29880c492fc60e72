"""A person's language and time zone (profiles.language, profiles.timezone):
chosen on the profile page or with the header's switcher, and recorded from
the browser at sign-up and at profile completion."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from accounts.models import Profile
from tests.factories import ProfileFactory

pytestmark = pytest.mark.usefixtures("english")

EDIT = "/people/me/edit/"


def logged_in(person: Profile) -> Client:
    client = Client()
    client.force_login(person)
    return client


def edit_data(**overrides) -> dict:
    return {
        "last_name": "Kim",
        "first_name": "Minji",
        "phone": "010-1234-5678",
        "language": "",
        "timezone": "",
        **overrides,
    }


def terms(person: Profile) -> tuple[str | None, str | None]:
    person.refresh_from_db()
    return person.language, person.timezone


# --- the profile page -------------------------------------------------------------------


def test_the_page_offers_languages_and_zones_with_mine_selected(student):
    Profile.objects.filter(pk=student.pk).update(language="en", timezone="Europe/Berlin")
    page = logged_in(student).get(EDIT).content.decode()
    assert 'name="language"' in page and 'name="timezone"' in page
    assert '<option value="en" selected>English</option>' in page
    assert '<option value="ko">한국어</option>' in page
    assert '<option value="Europe/Berlin" selected>Berlin (UTC+0' in page
    assert '<optgroup label="Asia">' in page and ">Seoul (UTC+09:00)</option>" in page
    assert "Default (Asia/Seoul)" in page


def test_a_zone_the_browser_reported_outside_the_list_stays_selected(student):
    Profile.objects.filter(pk=student.pk).update(timezone="Asia/Calcutta")
    page = logged_in(student).get(EDIT).content.decode()
    assert '<option value="Asia/Calcutta" selected>' in page


def test_choosing_saves_both_and_empty_goes_back_to_the_defaults(student):
    client = logged_in(student)
    response = client.post(EDIT, edit_data(language="ko", timezone="America/New_York"))
    assert response.status_code == 302
    assert terms(student) == ("ko", "America/New_York")

    client.post(EDIT, edit_data())
    assert terms(student) == (None, None)


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("timezone", "Mars/Olympus", "“Mars/Olympus” is not a time zone we know."),
        ("timezone", "+09:00", "is not a time zone we know"),
        ("language", "fr", "Select a valid choice."),
    ],
)
def test_a_bad_language_or_zone_gives_a_clear_error_and_changes_nothing(
    student, field, value, error
):
    Profile.objects.filter(pk=student.pk).update(language="en", timezone="Europe/Berlin")
    student.refresh_from_db()
    before = (student.first_name, student.phone, student.language, student.timezone)

    response = logged_in(student).post(EDIT, edit_data(first_name="Changed", **{field: value}))

    assert response.status_code == 200
    assert error in " ".join(response.context["form"].errors[field])
    student.refresh_from_db()
    assert (student.first_name, student.phone, student.language, student.timezone) == before


def test_the_database_refuses_a_language_without_a_catalog(student):
    with pytest.raises(IntegrityError), transaction.atomic():
        Profile.objects.filter(pk=student.pk).update(language="fr")


# --- the header's switcher --------------------------------------------------------------


def test_switching_language_signed_in_stores_it_and_the_next_page_follows(student):
    client = logged_in(student)
    response = client.post(reverse("set_language"), {"language": "ko", "next": "/home/"})

    assert response.status_code == 302 and response["Location"] == "/home/"
    assert terms(student)[0] == "ko"
    page = client.get("/home/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="ko">' in page

    client.post(reverse("set_language"), {"language": "en", "next": "/home/"})
    assert terms(student)[0] == "en"


def test_switching_as_a_visitor_only_sets_the_cookie(client, db):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "en"


def test_an_unknown_language_changes_nothing(student):
    Profile.objects.filter(pk=student.pk).update(language="en")
    logged_in(student).post(reverse("set_language"), {"language": "xx", "next": "/home/"})
    assert terms(student)[0] == "en"


# --- defaults from the browser ----------------------------------------------------------


@pytest.fixture
def signup_settings(settings):
    settings.ACCOUNT_RATE_LIMITS = False
    settings.EMAIL_BACKEND = "notifications.email_backend.QueueEmailBackend"


def signup(client, organization, **extra):
    password = "Kettle-Orbit-93!"
    return client.post(
        "/accounts/signup/",
        {
            "email": "new.person@example.test",
            "password1": password,
            "password2": password,
            "last_name": "Kim",
            "first_name": "Minji",
            "phone": "010-1234-5678",
            "organization": str(organization.pk),
            "privacy_agreed": "on",
            **extra,
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )


def test_the_signup_page_asks_the_browser_for_its_zone_with_a_static_script(client, db):
    page = client.get("/accounts/signup/").content.decode()
    assert '<input type="hidden" name="browser_timezone"' in page
    assert "data-browser-zone" in page
    assert "js/browser-zone" in page and "<script>" not in page


def test_signup_records_the_browsers_zone_and_language(client, organization, signup_settings):
    signup(client, organization, browser_timezone="Europe/Berlin")
    assert terms(Profile.objects.get(email="new.person@example.test")) == ("en", "Europe/Berlin")


@pytest.mark.parametrize("zone", ["Mars/Olympus", "", "<script>", "x" * 300])
def test_signup_ignores_a_zone_it_does_not_know(client, organization, signup_settings, zone):
    response = signup(client, organization, browser_timezone=zone)
    assert response.status_code == 302
    assert terms(Profile.objects.get(email="new.person@example.test")) == ("en", None)


def test_completing_a_profile_records_the_browser_but_keeps_a_choice(client, organization):
    newcomer = ProfileFactory(organization=None, phone=None, privacy_agreed=False)
    chooser = ProfileFactory(
        organization=None, phone=None, privacy_agreed=False, language="ko", timezone="Asia/Seoul"
    )
    answers = {
        "first_name": "Dana",
        "last_name": "Yoon",
        "phone": "010-9876-5432",
        "organization": str(organization.pk),
        "privacy_agreed": "on",
        "browser_timezone": "America/Toronto",
    }
    for person in (newcomer, chooser):
        page = logged_in(person).get("/accounts/complete/").content.decode()
        assert 'name="browser_timezone"' in page and "Browser timezone" not in page
        response = logged_in(person).post("/accounts/complete/", answers, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 302

    assert terms(newcomer) == ("en", "America/Toronto")
    assert terms(chooser) == ("ko", "Asia/Seoul")


def test_my_profile_says_which_language_and_zone_i_read_in(student, settings):
    settings.DEFAULT_USER_TIMEZONE = "Asia/Seoul"
    page = logged_in(student).get("/people/me/").content.decode()
    assert "As my browser says" in page and "Default (Asia/Seoul)" in page

    Profile.objects.filter(pk=student.pk).update(language="ko", timezone="Europe/Berlin")
    page = logged_in(student).get("/people/me/").content.decode()
    assert "한국어" in page and "Europe/Berlin" in page
