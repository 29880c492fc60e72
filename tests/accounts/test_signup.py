"""Sign-up: our profile fields, access codes, and every bad input turned away."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone

from accounts.forms import phone_normalize
from accounts.models import Profile, Role, RoleAccessCode
from notifications.models import EmailQueue
from tests.factories import OrganizationFactory, ProfileFactory

pytestmark = pytest.mark.django_db

URL = "/accounts/signup/"
PASSWORD = "Kettle-Orbit-93!"


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"
    settings.ACCOUNT_RATE_LIMITS = False
    # pytest-django puts mail in a local outbox; ours goes through the queue.
    settings.EMAIL_BACKEND = "notifications.email_backend.QueueEmailBackend"


def signup_data(org, /, **overrides) -> dict:
    data = {
        "email": "new.person@example.test",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "last_name": "Kim",
        "first_name": "Minji",
        "phone": "010-1234-5678",
        "organization": str(org.pk),
        "privacy_agreed": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def make_code(organization, **fields) -> RoleAccessCode:
    fields.setdefault("role", Role.TEACHER)
    fields.setdefault("expiry_date", timezone.now() + dt.timedelta(days=7))
    return RoleAccessCode.objects.create(code=uuid.uuid4(), organization=organization, **fields)


def errors(response) -> dict[str, list[str]]:
    form = response.context["form"]
    return {name: [str(message) for message in messages] for name, messages in form.errors.items()}


# --- the page ---------------------------------------------------------------------


def test_the_page_shows_every_field_and_the_organizations_by_name(client):
    OrganizationFactory(name="Zeta Academy")
    first = OrganizationFactory(name="Alpha Academy")

    response = client.get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    for name in (
        "email",
        "password1",
        "password2",
        "last_name",
        "first_name",
        "phone",
        "organization",
        "access_code",
        "privacy_agreed",
        "marketing_opt_in",
    ):
        assert f'name="{name}"' in html, name
    assert html.index("Alpha Academy") < html.index("Zeta Academy")
    assert f'<option value="{first.pk}">Alpha Academy</option>' in html
    assert 'type="tel"' in html


# --- a good sign-up ------------------------------------------------------------


def test_a_sign_up_creates_a_student_with_the_profile_and_a_verification_mail(client, organization):
    response = client.post(
        URL,
        signup_data(organization, email="New.Person@Example.TEST", phone="+82 10-9876-5432"),
    )

    assert response.status_code == 302, errors(response)
    assert response["Location"] == "/accounts/confirm-email/"
    person = Profile.objects.get()
    assert person.email == "new.person@example.test"
    assert (person.first_name, person.last_name) == ("Minji", "Kim")
    assert person.phone == "010-9876-5432"
    assert person.organization == organization
    assert person.role == Role.USER
    assert person.privacy_agreed is True
    assert person.marketing_opt_in is False
    assert person.is_superuser is False
    assert person.check_password(PASSWORD)
    address = EmailAddress.objects.get(user=person)
    assert (address.email, address.verified, address.primary) == (
        "new.person@example.test",
        False,
        True,
    )
    [mail] = EmailQueue.objects.filter(recipient_email="new.person@example.test")
    assert "/accounts/confirm-email/" in mail.content


def test_marketing_consent_is_kept_when_given(client, organization):
    client.post(URL, signup_data(organization, marketing_opt_in="on"))

    assert Profile.objects.get().marketing_opt_in is True


def test_a_valid_code_grants_its_role_and_counts_a_use(client, organization):
    code = make_code(organization, role=Role.ADMIN, max_uses=3, use_count=1)

    response = client.post(URL, signup_data(organization, access_code=f"  {code.code}  "))

    assert response.status_code == 302, errors(response)
    assert Profile.objects.get().role == Role.ADMIN
    code.refresh_from_db()
    assert code.use_count == 2


def test_a_code_without_an_academy_elevates_nobody_at_sign_up(client, organization):
    """ASVS 5.0 V8.2.1: a NULL-academy code is refused like an unknown one."""
    code = make_code(None, role=Role.ADMIN, expiry_date=None)

    response = client.post(URL, signup_data(organization, access_code=str(code.code)))

    assert response.status_code == 200
    assert errors(response) == {"access_code": ["This access code is not valid."]}
    assert not Profile.objects.exists()
    code.refresh_from_db()
    assert code.use_count == 0


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("010-1234-5678", "010-1234-5678"),
        ("01012345678", "010-1234-5678"),
        ("010 1234 5678", "010-1234-5678"),
        ("+82 10-1234-5678", "010-1234-5678"),
        ("+82-10-1234-5678", "010-1234-5678"),
        ("+82 (0)10 1234 5678", "010-1234-5678"),
        ("02-123-4567", "02-123-4567"),
        ("0212345678", "02-1234-5678"),
        ("+82 2 123 4567", "02-123-4567"),
        ("031-123-4567", "031-123-4567"),
        ("051.1234.5678", "051-1234-5678"),
        ("011-123-4567", "011-123-4567"),
        ("070-1234-5678", "070-1234-5678"),
        ("1588-1234", "1588-1234"),
    ],
)
def test_korean_phone_numbers_are_normalised(given, stored):
    assert phone_normalize(given) == stored


@pytest.mark.parametrize(
    "given",
    [
        "12345",
        "010-123-456",
        "0101234567",
        "010-1234-56789",
        "hello",
        "+1 415 555 0100",
        "02-12-3456",
        "099-123-4567",
        "010-1234-567a",
    ],
)
def test_other_text_is_not_a_phone_number(given):
    assert phone_normalize(given) is None


# --- bad input: a clear error, nobody created, no code use consumed -------------


def assert_nothing_happened(code: RoleAccessCode | None = None, *, people: int = 0) -> None:
    assert Profile.objects.count() == people
    assert EmailAddress.objects.count() == people
    assert not EmailQueue.objects.exists()
    if code is not None:
        used = code.use_count
        code.refresh_from_db()
        assert code.use_count == used


def test_an_address_taken_in_another_letter_case_is_refused(client, organization):
    ProfileFactory(email="taken@example.test", organization=organization)
    code = make_code(organization)

    response = client.post(
        URL, signup_data(organization, email="TAKEN@Example.Test", access_code=str(code.code))
    )

    assert response.status_code == 200
    assert errors(response)["email"] == ["A user is already registered with this email address."]
    assert_nothing_happened(code, people=1)


def test_different_passwords_are_refused(client, organization):
    response = client.post(URL, signup_data(organization, password2="Kettle-Orbit-94!"))

    assert errors(response) == {"password2": ["You must type the same password each time."]}
    assert_nothing_happened()


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short1", "This password is too short. It must contain at least 8 characters."),
        ("password123", "This password is too common."),
        ("4815162342", "This password is entirely numeric."),
        ("new.person", "The password is too similar to the e-mail."),
    ],
)
def test_a_weak_password_is_refused(client, organization, password, message):
    response = client.post(URL, signup_data(organization, password1=password, password2=password))

    assert message in errors(response)["password1"]
    assert_nothing_happened()


def test_the_privacy_consent_is_required(client, organization):
    response = client.post(URL, signup_data(organization, privacy_agreed=None))

    assert errors(response) == {
        "privacy_agreed": ["Please agree to the privacy policy to continue."]
    }
    assert_nothing_happened()


@pytest.mark.parametrize(
    ("code_fields", "message"),
    [
        (
            {"expiry_date": timezone.now() - dt.timedelta(seconds=1)},
            "This access code has expired.",
        ),
        (
            {"max_uses": 2, "use_count": 2},
            "This access code has already been used as many times as allowed.",
        ),
    ],
)
def test_an_expired_or_used_up_code_is_refused(client, organization, code_fields, message):
    code = make_code(organization, **code_fields)

    response = client.post(URL, signup_data(organization, access_code=str(code.code)))

    assert errors(response) == {"access_code": [message]}
    assert_nothing_happened(code)


def test_a_code_of_another_organization_is_refused(client, organization, other_organization):
    code = make_code(other_organization, role=Role.ADMIN)

    response = client.post(URL, signup_data(organization, access_code=str(code.code)))

    assert errors(response) == {
        "access_code": ["This access code is not valid for this organization."]
    }
    assert_nothing_happened(code)


@pytest.mark.parametrize("text", ["teacher", "1234-5678", str(uuid.uuid4()), "{" * 60])
def test_a_malformed_or_unknown_code_is_refused(client, organization, text):
    response = client.post(URL, signup_data(organization, access_code=text))

    assert errors(response) == {"access_code": ["This access code is not valid."]}
    assert_nothing_happened()


@pytest.mark.parametrize("phone", ["12345", "call me", "+1 415 555 0100", ""])
def test_a_phone_that_is_not_a_phone_number_is_refused(client, organization, phone):
    response = client.post(URL, signup_data(organization, phone=phone))

    expected = (
        "This field is required."
        if not phone
        else "Enter a Korean phone number, for example 010-1234-5678 or 02-123-4567."
    )
    assert errors(response) == {"phone": [expected]}
    assert_nothing_happened()


@pytest.mark.parametrize("organization_id", [str(uuid.uuid4()), "not-an-id", ""])
def test_an_unknown_organization_is_refused(client, organization, organization_id):
    code = make_code(organization)

    response = client.post(
        URL, signup_data(organization, organization=organization_id, access_code=str(code.code))
    )

    assert list(errors(response)) == ["organization"]
    assert errors(response)["organization"][0] in {
        "Choose an organization from the list.",
        "This field is required.",
    }
    assert_nothing_happened(code)


def test_a_code_used_up_after_the_form_check_creates_nobody(client, organization, monkeypatch):
    # Another sign-up took the last use between the form's check and the save.
    code = make_code(organization, max_uses=1, use_count=1)
    monkeypatch.setattr("accounts.forms.access_code_validate", lambda **kwargs: code)

    response = client.post(URL, signup_data(organization, access_code=str(code.code)))

    assert response.status_code == 200
    assert errors(response) == {
        "access_code": ["This access code has already been used as many times as allowed."]
    }
    assert_nothing_happened(code)


def test_forged_role_and_superuser_fields_are_ignored(client, organization):
    response = client.post(
        URL,
        signup_data(
            organization,
            role="admin",
            is_superuser="on",
            is_active="on",
            use_count="0",
        ),
    )

    assert response.status_code == 302, errors(response)
    person = Profile.objects.get()
    assert person.role == Role.USER
    assert person.is_superuser is False
    assert person.is_staff is False


def test_a_refused_sign_up_keeps_what_was_typed_but_not_the_password(client, organization):
    response = client.post(URL, signup_data(organization, phone="nope"))

    html = response.content.decode()
    assert 'value="new.person@example.test"' in html
    assert 'value="Minji"' in html
    assert PASSWORD not in html
    assert 'class="errorlist' in html


# --- in a real browser -------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_signing_up_in_a_browser(live_server, chromium, settings):
    OrganizationFactory(name="Browser Academy")
    page = chromium.new_page(viewport={"width": 420, "height": 900}, locale="en-US")
    page.goto(f"{live_server.url}{URL}")
    page.screenshot(path="/tmp/signup-empty.png", full_page=True)

    page.fill("#id_email", "browser.person@example.test")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.fill("#id_last_name", "Lee")
    page.fill("#id_first_name", "Hana")
    page.fill("#id_phone", "not a phone")
    page.select_option("#id_organization", label="Browser Academy")
    page.check("#id_privacy_agreed")
    page.click("form.signup-form button[type=submit]")
    page.wait_for_load_state()
    assert "Enter a Korean phone number" in page.content()
    page.screenshot(path="/tmp/signup-error.png", full_page=True)
    assert not Profile.objects.exists()

    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.fill("#id_phone", "010 5555 1234")
    page.check("#id_privacy_agreed")
    page.click("form.signup-form button[type=submit]")
    page.wait_for_url("**/accounts/confirm-email/")
    # Let the last page finish before the live server stops (no request left
    # holding a database connection).
    page.wait_for_load_state("networkidle")
    page.close()
    person = Profile.objects.get()
    assert (person.email, person.phone) == ("browser.person@example.test", "010-5555-1234")
