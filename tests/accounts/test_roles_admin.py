"""Changing roles in Django admin: a confirmation page, an audit row, and the
rules of who may change whose role; the read-only role history; unlocking
log-ins; organization admins managing their own access codes."""

from __future__ import annotations

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from accounts import admin as accounts_admin
from accounts.models import Profile, Role, RoleAccessCode, RoleChange
from accounts.services import role_change

pytestmark = pytest.mark.django_db

PROFILES = "/admin/accounts/profile/"
CODES = "/admin/accounts/roleaccesscode/"


def logged_in(person: Profile) -> Client:
    Profile.objects.filter(pk=person.pk, phone__isnull=True).update(phone="010-1111-2222")
    client = Client()
    client.force_login(person)
    return client


def role_url(person: Profile) -> str:
    return f"{PROFILES}{person.pk}/role/"


# --- the service ------------------------------------------------------------


def test_role_change_writes_an_audit_row(admin_user, student):
    change = role_change(profile=student, new_role=Role.TEACHER, by=admin_user, reason="Hired")

    student.refresh_from_db()
    assert student.role == Role.TEACHER
    assert (change.old_role, change.new_role) == (Role.USER, Role.TEACHER)
    assert change.changed_by == admin_user and change.reason == "Hired"
    assert RoleChange.objects.filter(profile=student).count() == 1


@pytest.mark.parametrize("who", ["teacher", "student", "outsider"])
def test_only_admins_of_the_organization_may_change_roles(request, student, who):
    by = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        role_change(profile=student, new_role=Role.TEACHER, by=by)
    student.refresh_from_db()
    assert student.role == Role.USER
    assert not RoleChange.objects.exists()


def test_nobody_changes_their_own_role(admin_user, superuser):
    with pytest.raises(PermissionDenied):
        role_change(profile=admin_user, new_role=Role.USER, by=admin_user)
    with pytest.raises(PermissionDenied):
        role_change(profile=superuser, new_role=Role.USER, by=superuser)


def test_an_org_admin_cannot_touch_a_platform_operator(admin_user, superuser):
    with pytest.raises(PermissionDenied):
        role_change(profile=superuser, new_role=Role.USER, by=admin_user)


def test_a_platform_operator_changes_any_role(superuser, outsider):
    role_change(profile=outsider, new_role=Role.TEACHER, by=superuser)
    outsider.refresh_from_db()
    assert outsider.role == Role.TEACHER
    assert outsider.is_superuser is False


# --- the admin pages --------------------------------------------------------


def test_the_role_is_not_editable_in_the_change_form(settings, admin_user, student):
    settings.LANGUAGE_CODE = "en"
    client = logged_in(admin_user)
    page = client.get(f"{PROFILES}{student.pk}/change/").content.decode()

    assert 'name="role"' not in page
    assert role_url(student) in page
    assert "Change role…" in page

    client.post(
        f"{PROFILES}{student.pk}/change/",
        {"email": student.email, "role": Role.ADMIN, "is_active": "on", "privacy_agreed": "on"},
    )
    student.refresh_from_db()
    assert student.role == Role.USER


def test_the_confirmation_page_changes_the_role_with_a_reason(settings, admin_user, student):
    settings.LANGUAGE_CODE = "en"
    client = logged_in(admin_user)
    page = client.get(role_url(student))
    assert page.status_code == 200
    assert "Confirm role change" in page.content.decode()

    response = client.post(role_url(student), {"new_role": Role.TEACHER, "reason": "New hire"})

    assert response.status_code == 302
    assert response["Location"] == f"{PROFILES}{student.pk}/change/"
    student.refresh_from_db()
    assert student.role == Role.TEACHER
    change = RoleChange.objects.get(profile=student)
    assert (change.changed_by, change.reason) == (admin_user, "New hire")
    # The history shows on the person's page.
    history = client.get(f"{PROFILES}{student.pk}/change/").content.decode()
    assert "New hire" in history


def test_an_unchanged_or_own_role_is_refused_on_the_page(settings, admin_user, student):
    settings.LANGUAGE_CODE = "en"
    client = logged_in(admin_user)

    same = client.post(role_url(student), {"new_role": Role.USER})
    own = client.post(role_url(admin_user), {"new_role": Role.USER})

    assert same.status_code == 200 and "already has this role" in same.content.decode()
    assert own.status_code == 200 and "your own role" in own.content.decode()
    admin_user.refresh_from_db()
    assert admin_user.role == Role.ADMIN
    assert not RoleChange.objects.exists()


def test_another_organizations_person_answers_404(admin_user, outsider, superuser):
    client = logged_in(admin_user)
    assert client.get(role_url(outsider)).status_code == 404
    assert client.post(role_url(outsider), {"new_role": Role.USER}).status_code == 404
    assert client.get(role_url(superuser)).status_code == 404  # hidden from org admins
    outsider.refresh_from_db()
    assert outsider.role == Role.ADMIN


def test_students_and_teachers_cannot_reach_the_page(student, teacher):
    for person in (student, teacher):
        response = logged_in(person).post(role_url(student), {"new_role": Role.ADMIN})
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]
    student.refresh_from_db()
    assert student.role == Role.USER


def test_the_action_asks_first_then_changes_every_selected_role(
    settings, admin_user, student, teacher
):
    settings.LANGUAGE_CODE = "en"
    client = logged_in(admin_user)
    selection = {"action": "change_role", ACTION_CHECKBOX_NAME: [student.pk, teacher.pk]}

    intermediate = client.post(PROFILES, selection)

    assert intermediate.status_code == 200
    assert "Confirm role change" in intermediate.content.decode()
    student.refresh_from_db()
    assert student.role == Role.USER

    response = client.post(
        PROFILES, {**selection, "confirm": "yes", "new_role": Role.TEACHER, "reason": "Term 2"}
    )

    assert response.status_code == 302
    student.refresh_from_db()
    assert student.role == Role.TEACHER
    # The teacher already was one: refused with a message, no audit row.
    assert list(RoleChange.objects.values_list("profile_id", flat=True)) == [student.pk]


def test_the_role_history_is_read_only_and_scoped(
    settings, admin_user, student, outsider, superuser
):
    own = role_change(profile=student, new_role=Role.TEACHER, by=admin_user, reason="Mine")
    foreign = role_change(profile=outsider, new_role=Role.TEACHER, by=superuser, reason="Theirs")
    client = logged_in(admin_user)

    listing = client.get("/admin/accounts/rolechange/").content.decode()

    assert "Mine" in listing and "Theirs" not in listing
    assert client.get(f"/admin/accounts/rolechange/{own.pk}/change/").status_code == 200
    assert client.get(f"/admin/accounts/rolechange/{foreign.pk}/change/").status_code == 404
    assert client.get("/admin/accounts/rolechange/add/").status_code == 403
    assert client.get(f"/admin/accounts/rolechange/{own.pk}/delete/").status_code == 403
    client.post(f"/admin/accounts/rolechange/{own.pk}/change/", {"reason": "Edited"})
    own.refresh_from_db()
    assert own.reason == "Mine"


def test_unlock_log_in_clears_the_lock_out(admin_user, student, monkeypatch):
    cleared = []
    monkeypatch.setattr(
        accounts_admin, "lockout_clear", lambda *, email: cleared.append(email) or 1
    )

    response = logged_in(admin_user).post(
        PROFILES, {"action": "unlock_login", ACTION_CHECKBOX_NAME: [student.pk]}
    )

    assert response.status_code == 302
    assert cleared == [student.email]


def test_unlock_log_in_really_unlocks(admin_user, student):

    AccessAttempt.objects.create(
        username=student.email,
        ip_address="10.0.0.1",
        user_agent="test",
        failures_since_start=99,
        get_data="",
        post_data="",
        http_accept="",
        path_info="/accounts/login/",
    )

    logged_in(admin_user).post(
        PROFILES, {"action": "unlock_login", ACTION_CHECKBOX_NAME: [student.pk]}
    )

    assert not AccessAttempt.objects.filter(username=student.email).exists()


# --- role access codes in admin ---------------------------------------------


def test_an_org_admin_creates_a_code_in_their_organization(
    admin_user, organization, other_organization
):
    response = logged_in(admin_user).post(
        f"{CODES}add/",
        {"role": Role.TEACHER, "organization": str(other_organization.pk), "max_uses": "3"},
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    code = RoleAccessCode.objects.get()
    assert code.organization == organization
    assert code.created_by == admin_user
    assert code.max_uses == 3


def test_an_org_admin_sees_and_expires_only_their_codes(
    admin_user, organization, other_organization
):
    later = timezone.now() + dt.timedelta(days=7)
    own = RoleAccessCode.objects.create(
        organization=organization, role=Role.TEACHER, expiry_date=later
    )
    foreign = RoleAccessCode.objects.create(
        organization=other_organization, role=Role.TEACHER, expiry_date=later
    )
    client = logged_in(admin_user)

    listing = client.get(CODES).content.decode()
    assert str(own.code) in listing and str(foreign.code) not in listing

    client.post(CODES, {"action": "expire_now", ACTION_CHECKBOX_NAME: [own.pk, foreign.pk]})

    own.refresh_from_db()
    foreign.refresh_from_db()
    assert own.expiry_date <= timezone.now()
    assert foreign.expiry_date == later
