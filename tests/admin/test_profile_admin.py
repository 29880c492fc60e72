"""Profiles in admin: passwords are never shown or typed as plain text."""

from __future__ import annotations

import pytest

from accounts.models import Profile, Role
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-fresh-and-long-passphrase-42"


def test_the_change_page_shows_the_password_hash_summary_only(org_admin_client, student):
    response = org_admin_client.get(f"/admin/accounts/profile/{student.pk}/change/")

    content = response.content.decode()
    assert response.status_code == 200
    assert TEST_PASSWORD not in content
    assert student.password not in content  # not even the full hash
    assert 'type="password"' not in content
    assert 'href="../password/"' in content


def test_an_org_admin_adds_a_profile_in_their_organization(org_admin_client, organization):
    response = org_admin_client.post(
        "/admin/accounts/profile/add/",
        {
            "email": "New.Teacher@Example.test",
            "last_name": "Choi",
            "first_name": "Yuna",
            "role": Role.TEACHER,
            "usable_password": "true",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )

    assert response.status_code == 302
    profile = Profile.objects.get(email="new.teacher@example.test")
    assert profile.organization == organization
    assert profile.role == Role.TEACHER
    assert profile.check_password(NEW_PASSWORD)
    assert profile.password != NEW_PASSWORD


def test_an_e_mail_taken_in_another_letter_case_is_refused(org_admin_client, student):
    response = org_admin_client.post(
        "/admin/accounts/profile/add/",
        {
            "email": student.email.upper(),
            "role": Role.USER,
            "usable_password": "true",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )

    assert response.status_code == 200
    assert "email" in response.context["adminform"].form.errors
    assert Profile.objects.filter(email__iexact=student.email).count() == 1


def test_an_org_admin_resets_a_students_password(org_admin_client, student):
    url = f"/admin/accounts/profile/{student.pk}/password/"
    assert org_admin_client.get(url).status_code == 200

    response = org_admin_client.post(
        url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"}
    )

    assert response.status_code == 302
    student.refresh_from_db()
    assert student.check_password(NEW_PASSWORD)


def test_an_outsiders_password_page_answers_404(org_admin_client, outsider):
    assert (
        org_admin_client.get(f"/admin/accounts/profile/{outsider.pk}/password/").status_code == 404
    )


def test_the_operator_can_grant_platform_access(operator_client, admin_user):
    page = operator_client.get(f"/admin/accounts/profile/{admin_user.pk}/change/")
    assert 'name="is_superuser"' in page.content.decode()

    response = operator_client.post(
        f"/admin/accounts/profile/{admin_user.pk}/change/",
        {
            "email": admin_user.email,
            "organization": str(admin_user.organization_id),
            "role": Role.ADMIN,
            "is_active": "on",
            "is_superuser": "on",
        },
    )

    assert response.status_code == 302
    admin_user.refresh_from_db()
    assert admin_user.is_superuser is True


def test_org_admins_cannot_delete_profiles(org_admin_client, student):
    assert org_admin_client.get(f"/admin/accounts/profile/{student.pk}/delete/").status_code == 403
