"""The access codes page: teachers see valid teacher codes to hand out; admins
also create and expire codes; students are refused."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Profile, Role, RoleAccessCode
from accounts.services import access_code_create, access_code_expire

pytestmark = pytest.mark.django_db

CODES = "/people/codes/"
CREATE = "/people/codes/new/"


def logged_in(person: Profile) -> Client:
    Profile.objects.filter(pk=person.pk, phone__isnull=True).update(phone="010-1111-2222")
    client = Client()
    client.force_login(person)
    return client


def make_code(organization, role=Role.TEACHER, **fields) -> RoleAccessCode:
    return RoleAccessCode.objects.create(organization=organization, role=role, **fields)


def expire_url(code: RoleAccessCode) -> str:
    return f"/people/codes/{code.pk}/expire/"


def test_a_teacher_sees_valid_teacher_codes_only(
    settings, teacher, organization, other_organization
):
    settings.LANGUAGE_CODE = "en"
    valid = make_code(organization, expiry_date=timezone.now() + dt.timedelta(days=3), max_uses=5)
    endless = make_code(organization)
    expired = make_code(organization, expiry_date=timezone.now() - dt.timedelta(days=1))
    used_up = make_code(organization, max_uses=1, use_count=1)
    admin_code = make_code(organization, role=Role.ADMIN)
    foreign = make_code(other_organization)

    response = logged_in(teacher).get(CODES)

    assert response.status_code == 200
    content = response.content.decode()
    for shown in (valid, endless):
        assert str(shown.code) in content
    for hidden in (expired, used_up, admin_code, foreign):
        assert str(hidden.code) not in content
    assert "Used 0 of 5 times" in content
    assert f'data-copy-target="code-value-{valid.pk}"' in content
    assert "js/copy.js" in content
    assert CREATE not in content  # no create form for teachers
    assert "Expire now" not in content


def test_students_are_refused(student):
    client = logged_in(student)
    assert client.get(CODES).status_code == 403
    assert client.post(CREATE, {"role": Role.TEACHER}).status_code == 403
    assert not RoleAccessCode.objects.exists()


def test_a_teacher_cannot_create_or_expire(teacher, organization):
    code = make_code(organization)
    client = logged_in(teacher)

    assert client.post(CREATE, {"role": Role.TEACHER}).status_code == 403
    assert client.post(expire_url(code)).status_code == 403
    code.refresh_from_db()
    assert code.expiry_date is None
    assert RoleAccessCode.objects.count() == 1


def test_an_admin_sees_every_code_of_the_organization(settings, admin_user, organization):
    settings.LANGUAGE_CODE = "en"
    admin_code = make_code(organization, role=Role.ADMIN)
    expired = make_code(organization, expiry_date=timezone.now() - dt.timedelta(days=1))

    content = logged_in(admin_user).get(CODES).content.decode()

    assert str(admin_code.code) in content
    assert str(expired.code) in content
    assert "No longer works" in content
    assert 'action="/people/codes/new/"' in content


def test_an_admin_creates_a_code(settings, admin_user, organization):
    day = timezone.localdate() + dt.timedelta(days=10)
    response = logged_in(admin_user).post(
        CREATE, {"role": Role.ADMIN, "expiry_date": day.isoformat(), "max_uses": "2"}
    )

    assert response.status_code == 302
    code = RoleAccessCode.objects.get()
    assert (code.organization, code.role, code.created_by) == (organization, Role.ADMIN, admin_user)
    assert code.max_uses == 2 and code.use_count == 0
    # Through the end of that day where the admin is (the site's default zone).
    zone = ZoneInfo(settings.DEFAULT_USER_TIMEZONE)
    assert code.expiry_date == dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, zone)


@pytest.mark.parametrize(
    "data",
    [
        {"role": Role.USER},
        {"role": "superuser"},
        {"role": Role.TEACHER, "max_uses": "0"},
        {"role": Role.TEACHER, "expiry_date": "2001-01-01"},
        {"role": Role.TEACHER, "expiry_date": "tomorrow"},
    ],
)
def test_wrong_values_create_nothing(admin_user, data):
    response = logged_in(admin_user).post(CREATE, data)

    assert response.status_code == 400
    assert response.context["form"].errors
    assert not RoleAccessCode.objects.exists()


def test_a_forged_organization_is_ignored(admin_user, organization, other_organization):
    logged_in(admin_user).post(
        CREATE, {"role": Role.TEACHER, "organization": str(other_organization.pk)}
    )
    assert RoleAccessCode.objects.get().organization == organization


def test_an_admin_expires_a_code(admin_user, organization):
    code = make_code(organization, expiry_date=timezone.now() + dt.timedelta(days=30))

    response = logged_in(admin_user).post(expire_url(code))

    assert response.status_code == 302
    code.refresh_from_db()
    assert code.expiry_date <= timezone.now()


def test_expiring_needs_post(admin_user, organization):
    code = make_code(organization)
    assert logged_in(admin_user).get(expire_url(code)).status_code == 405


def test_another_organizations_code_answers_404(admin_user, other_organization):
    foreign = make_code(other_organization)

    assert logged_in(admin_user).post(expire_url(foreign)).status_code == 404
    foreign.refresh_from_db()
    assert foreign.expiry_date is None


def test_the_services_check_who_may(admin_user, teacher, outsider, organization):
    with pytest.raises(PermissionDenied):
        access_code_create(organization=organization, role=Role.TEACHER, by=teacher)
    with pytest.raises(PermissionDenied):
        access_code_create(organization=organization, role=Role.TEACHER, by=outsider)
    with pytest.raises(ValidationError):
        access_code_create(organization=organization, role=Role.USER, by=admin_user)
    code = access_code_create(organization=organization, role=Role.TEACHER, by=admin_user)
    with pytest.raises(PermissionDenied):
        access_code_expire(code=code, by=outsider)


def test_expiring_an_expired_code_keeps_its_date(admin_user, organization):
    past = timezone.now() - dt.timedelta(days=2)
    code = make_code(organization, expiry_date=past)

    access_code_expire(code=code, by=admin_user)

    code.refresh_from_db()
    assert code.expiry_date == past


def test_the_codes_page_runs_the_same_queries_for_2_or_10_codes(admin_user, organization):
    client = logged_in(admin_user)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(CODES).status_code == 200
        return len(captured)

    for _ in range(2):
        make_code(organization, created_by=admin_user)
    few = queries()
    for _ in range(8):
        make_code(organization, created_by=admin_user)
    assert queries() == few
