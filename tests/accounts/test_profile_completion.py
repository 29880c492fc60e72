"""Profile completion: the middleware that sends incomplete profiles to
/accounts/complete/, and the form there."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from accounts.models import Profile, Role, RoleAccessCode
from accounts.selectors import profile_is_complete
from tests.factories import ProfileFactory

pytestmark = pytest.mark.usefixtures("english")

COMPLETE_URL = "/accounts/complete/"


@pytest.fixture
def newcomer(db):
    """What a first social log-in leaves: e-mail and names, nothing else."""
    return ProfileFactory(
        email="newcomer@example.test",
        first_name="Dana",
        last_name="Yoon",
        organization=None,
        phone=None,
        privacy_agreed=False,
    )


@pytest.fixture
def complete_student(organization):
    return ProfileFactory(organization=organization, phone="010-1234-5678")


def answers(academy, **changes) -> dict:
    data = {
        "first_name": "Dana",
        "last_name": "Yoon",
        "phone": "010-9876-5432",
        "organization": str(academy.pk),
        "privacy_agreed": "on",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def make_code(organization, role=Role.TEACHER, **fields) -> RoleAccessCode:
    return RoleAccessCode.objects.create(
        role=role, code=uuid.uuid4(), organization=organization, **fields
    )


# --- the rule ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "missing",
    [
        {"organization": None},
        {"privacy_agreed": False},
        {"first_name": None},
        {"last_name": "  "},
        {"phone": ""},
    ],
)
def test_profile_is_incomplete_without_each_required_answer(organization, missing):
    fields = {
        "organization": organization,
        "privacy_agreed": True,
        "first_name": "Dana",
        "last_name": "Yoon",
        "phone": "010-1234-5678",
    }
    assert profile_is_complete(Profile(**fields))
    assert not profile_is_complete(Profile(**{**fields, **missing}))


# --- the middleware ----------------------------------------------------------------


def test_an_incomplete_profile_is_sent_to_the_completion_page_with_next(client, newcomer):
    client.force_login(newcomer)
    response = client.get("/home/?tab=all")
    assert response.status_code == 302
    assert response["Location"] == f"{COMPLETE_URL}?next=%2Fhome%2F%3Ftab%3Dall"


def test_a_post_of_an_incomplete_profile_is_redirected_without_next(client, newcomer):
    client.force_login(newcomer)
    response = client.post("/notifications/read-all/", {})
    assert response.status_code == 302
    assert response["Location"] == COMPLETE_URL


def test_htmx_requests_get_hx_redirect(client, newcomer):
    client.force_login(newcomer)
    response = client.get("/notifications/", headers={"HX-Request": "true"})
    assert response["HX-Redirect"] == COMPLETE_URL
    assert response.status_code == 200


@pytest.mark.parametrize("path", ["/healthz", "/i18n/setlang/", "/static/css/sqeeze.css"])
def test_technical_paths_are_not_redirected(client, newcomer, path):
    client.force_login(newcomer)
    response = client.get(path)
    assert not response.get("Location", "").startswith(COMPLETE_URL)


def test_log_out_still_works(client, newcomer):
    client.force_login(newcomer)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_a_superuser_reaches_the_admin_but_an_incomplete_org_admin_does_not(client, db):
    operator = ProfileFactory(is_superuser=True, role=Role.ADMIN, organization=None, phone=None)
    client.force_login(operator)
    assert client.get("/admin/").status_code == 200
    assert client.get("/home/")["Location"].startswith(COMPLETE_URL)

    org_admin = ProfileFactory(role=Role.ADMIN, phone=None)
    client.force_login(org_admin)
    assert client.get("/admin/")["Location"].startswith(COMPLETE_URL)


def test_a_complete_profile_is_left_alone(client, complete_student):
    client.force_login(complete_student)
    assert client.get("/home/").status_code == 200
    assert client.get(COMPLETE_URL)["Location"] == "/home/"


def test_visitors_are_not_redirected(client, db):
    assert client.get("/").status_code == 200
    assert client.get(COMPLETE_URL)["Location"].startswith("/accounts/login/")


# --- the form ---------------------------------------------------------------------


def test_the_page_shows_the_form_prefilled(client, newcomer, organization):
    client.force_login(newcomer)
    page = client.get(COMPLETE_URL, {"next": "/notifications/"}).content.decode()
    assert "Complete your profile" in page
    assert 'value="Dana"' in page
    assert organization.name in page
    assert 'name="next" value="/notifications/"' in page


def test_completing_saves_the_answers_and_follows_next(client, newcomer, organization):
    client.force_login(newcomer)
    response = client.post(
        COMPLETE_URL,
        answers(organization, marketing_opt_in="on", next="/notifications/"),
    )
    assert response.status_code == 302
    assert response["Location"] == "/notifications/"
    newcomer.refresh_from_db()
    assert newcomer.organization == organization
    assert newcomer.phone == "010-9876-5432"
    assert newcomer.privacy_agreed is True
    assert newcomer.marketing_opt_in is True
    assert newcomer.role == Role.USER
    assert profile_is_complete(newcomer)
    assert client.get("/notifications/").status_code == 200


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/x", "javascript:x"])
def test_an_unsafe_next_goes_home(client, newcomer, organization, next_url):
    client.force_login(newcomer)
    response = client.post(COMPLETE_URL + "?next=" + next_url, answers(organization))
    assert response["Location"] == "/home/"


def test_forged_fields_are_ignored(client, newcomer, organization, other_organization):
    client.force_login(newcomer)
    client.post(
        COMPLETE_URL,
        answers(
            organization,
            role=Role.ADMIN,
            is_superuser="on",
            organization_id=str(other_organization.pk),
            email="someone-else@example.test",
        ),
    )
    newcomer.refresh_from_db()
    assert newcomer.role == Role.USER
    assert newcomer.is_superuser is False
    assert newcomer.organization == organization
    assert newcomer.email == "newcomer@example.test"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"privacy_agreed": None}, "privacy_agreed", "Please agree to the privacy policy"),
        ({"phone": "call me"}, "phone", "Enter a Korean phone number"),
        ({"phone": "  "}, "phone", "This field is required"),
        ({"first_name": " "}, "first_name", "This field is required"),
        ({"organization": str(uuid.uuid4())}, "organization", "Choose an organization"),
        ({"access_code": "not-a-code"}, "access_code", "not valid"),
    ],
)
def test_wrong_answers_give_a_clear_error_and_change_nothing(
    client, newcomer, organization, changes, field, message
):
    client.force_login(newcomer)
    response = client.post(COMPLETE_URL, answers(organization, **changes))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert message in response.content.decode()
    newcomer.refresh_from_db()
    assert newcomer.organization is None
    assert newcomer.privacy_agreed is False


# --- access codes -------------------------------------------------------------------


def test_a_valid_access_code_grants_its_role_and_counts_a_use(client, newcomer, organization):
    code = make_code(organization, max_uses=2)
    client.force_login(newcomer)
    response = client.post(COMPLETE_URL, answers(organization, access_code=str(code.code)))
    assert response.status_code == 302
    newcomer.refresh_from_db()
    assert newcomer.role == Role.TEACHER
    code.refresh_from_db()
    assert code.use_count == 1


def test_a_code_without_an_academy_elevates_nobody(client, newcomer, organization):
    """ASVS 5.0 V8.2.1: a NULL-academy code is refused like an unknown one."""
    code = make_code(None, role=Role.ADMIN)
    client.force_login(newcomer)
    response = client.post(COMPLETE_URL, answers(organization, access_code=str(code.code)))
    assert response.status_code == 200
    assert "This access code is not valid." in response.content.decode()
    newcomer.refresh_from_db()
    assert newcomer.role == Role.USER
    assert newcomer.organization is None


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda org, other: make_code(org, expiry_date=timezone.now() - dt.timedelta(days=1)),
            "has expired",
        ),
        (lambda org, other: make_code(other), "not valid for this organization"),
        (lambda org, other: make_code(org, max_uses=1, use_count=1), "as many times as allowed"),
        (lambda org, other: None, "not valid"),
    ],
)
def test_an_unusable_access_code_is_refused(
    client, newcomer, organization, other_organization, build, message
):
    code = build(organization, other_organization)
    value = str(code.code) if code else str(uuid.uuid4())
    client.force_login(newcomer)
    response = client.post(COMPLETE_URL, answers(organization, access_code=value))
    assert response.status_code == 200
    assert message in response.content.decode()
    newcomer.refresh_from_db()
    assert newcomer.role == Role.USER
    assert newcomer.organization is None
    if code:
        before = code.use_count
        code.refresh_from_db()
        assert code.use_count == before


def test_an_access_code_used_up_after_validation_is_refused_at_save(newcomer, organization):
    """The check inside the transaction (row lock) wins over the earlier form check."""
    from accounts.forms import ProfileCompletionForm
    from accounts.services import AccessCodeError

    code = make_code(organization, max_uses=1)
    form = ProfileCompletionForm(
        answers(organization, access_code=str(code.code)), instance=newcomer
    )
    assert form.is_valid()
    RoleAccessCode.objects.filter(pk=code.pk).update(use_count=1)  # someone else was faster
    with pytest.raises(AccessCodeError):
        form.save()
    assert "access_code" in form.errors
    newcomer.refresh_from_db()
    assert newcomer.role == Role.USER
    assert newcomer.organization is None
