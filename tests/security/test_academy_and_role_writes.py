"""Threat: privilege escalation across academies (an academy takeover).

A person of academy A must never become a member of academy B, let alone a
teacher or admin there, by anything they can send. These are every path that
writes ``profiles.organization_id`` or ``profiles.role``:

- sign-up (allauth's form, ``AccountAdapter.save_user``),
- profile completion (``/accounts/complete/``),
- profile edit (``/people/me/edit/``),
- social log-in (``SocialAccountAdapter.populate_user``),
- the CSV import of students (``/people/import/``),
- Django admin (profile change form, the role page, the move page),
- access-code redemption (at sign-up and completion; the codes pages),

each tested below as an attacker would use it. OWASP ASVS 5.0 requirements:
V8.2.1 (function-level access: only those allowed change academy or role),
V8.2.2 (data-specific access: no object of another academy), V8.4.1
(multi-tenant: cross-tenant controls), V2.2.1 (input validated against
business rules), V16.3.2 (authorization changes are logged: the audit rows).
"""

from __future__ import annotations

import io
import uuid

import pytest
from allauth.socialaccount.models import SocialAccount, SocialLogin
from django.test import Client, RequestFactory

from accounts.models import OrganizationChange, Profile, Role, RoleAccessCode, RoleChange
from accounts.services import profile_move
from accounts.social import SocialAccountAdapter
from people.imports import student_import_confirm, student_import_preview
from people.invitations import student_import_run
from tests.factories import ProfileFactory

pytestmark = pytest.mark.usefixtures("english")

COMPLETE_URL = "/accounts/complete/"


def logged_in(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def code_of(organization, role=Role.ADMIN) -> RoleAccessCode:
    return RoleAccessCode.objects.create(role=role, code=uuid.uuid4(), organization=organization)


def answers(organization, **changes) -> dict:
    data = {
        "first_name": "Dana",
        "last_name": "Yoon",
        "phone": "010-9876-5432",
        "organization": str(organization.pk),
        "privacy_agreed": "on",
    }
    data.update(changes)
    return data


def snapshot(person) -> tuple:
    person.refresh_from_db()
    return (person.organization_id, person.role, person.is_superuser)


# --- profile completion ----------------------------------------------------------


@pytest.mark.parametrize("attacker", ["teacher", "admin_user", "student"])
def test_completion_post_for_a_complete_profile_changes_nothing(
    request, attacker, other_organization
):
    """ASVS 5.0 V8.2.1, V8.4.1: the takeover found from outside (issue 11, 1)."""
    person = request.getfixturevalue(attacker)
    before = snapshot(person)
    b_code = code_of(other_organization)

    for data in (
        answers(other_organization),
        answers(other_organization, access_code=str(b_code.code)),
    ):
        response = logged_in(person).post(COMPLETE_URL, data)
        assert response.status_code == 302
        assert response["Location"] == "/home/"
        assert snapshot(person) == before
    b_code.refresh_from_db()
    assert b_code.use_count == 0


def test_completion_never_changes_an_academy_already_set(organization, other_organization):
    """ASVS 5.0 V8.4.1: an incomplete profile with an academy (a CSV-imported
    student without a phone) cannot pick another one on the way."""
    imported = ProfileFactory(organization=organization, role=Role.TEACHER, phone=None)
    client = logged_in(imported)
    page = client.get(COMPLETE_URL).content.decode()
    assert 'name="organization"' not in page
    assert organization.name in page

    response = client.post(COMPLETE_URL, answers(other_organization))
    assert response.status_code == 302
    imported.refresh_from_db()
    assert imported.organization == organization
    assert imported.role == Role.TEACHER  # same academy: nothing moved
    assert imported.phone == "010-9876-5432"


def test_a_role_held_without_an_academy_does_not_survive_arriving_in_one(other_organization):
    """ASVS 5.0 V8.2.1: arriving in an academy without its code makes a student."""
    drifter = ProfileFactory(organization=None, role=Role.ADMIN, phone=None)
    logged_in(drifter).post(COMPLETE_URL, answers(other_organization))
    drifter.refresh_from_db()
    assert drifter.organization == other_organization
    assert drifter.role == Role.USER


def test_arriving_with_a_code_of_the_new_academy_grants_its_role(other_organization):
    """ASVS 5.0 V8.2.1: the legitimate path still works."""
    newcomer = ProfileFactory(organization=None, phone=None)
    b_code = code_of(other_organization, role=Role.TEACHER)
    logged_in(newcomer).post(
        COMPLETE_URL, answers(other_organization, access_code=str(b_code.code))
    )
    newcomer.refresh_from_db()
    assert (newcomer.organization, newcomer.role) == (other_organization, Role.TEACHER)


# --- sign-up ------------------------------------------------------------------------


def signup_data(organization, **extra) -> dict:
    return {
        "email": "new.person@example.test",
        "password1": "a-long-and-unusual-passphrase-7",
        "password2": "a-long-and-unusual-passphrase-7",
        "last_name": "Yoon",
        "first_name": "Dana",
        "phone": "010-5555-1234",
        "organization": str(organization.pk),
        "privacy_agreed": "on",
        **extra,
    }


@pytest.mark.parametrize("which", ["other academy", "no academy", "unknown"])
def test_sign_up_with_a_code_that_is_not_this_academys_is_refused(
    client, organization, other_organization, which
):
    """ASVS 5.0 V8.2.1, V2.2.1: a code grants a role only in its own academy."""
    code = {
        "other academy": lambda: str(code_of(other_organization).code),
        "no academy": lambda: str(code_of(None).code),
        "unknown": lambda: str(uuid.uuid4()),
    }[which]()
    response = client.post("/accounts/signup/", signup_data(organization, access_code=code))
    assert response.status_code == 200
    assert not Profile.objects.filter(email="new.person@example.test").exists()
    assert not RoleAccessCode.objects.filter(use_count__gt=0).exists()


def test_sign_up_ignores_forged_role_fields(client, organization, other_organization):
    """ASVS 5.0 V8.2.1: mass assignment of role, superuser or a second academy."""
    client.post(
        "/accounts/signup/",
        signup_data(
            organization,
            role=Role.ADMIN,
            is_superuser="on",
            is_staff="on",
            organization_id=str(other_organization.pk),
        ),
    )
    person = Profile.objects.get(email="new.person@example.test")
    assert (person.organization, person.role, person.is_superuser) == (
        organization,
        Role.USER,
        False,
    )


# --- profile edit ----------------------------------------------------------------------


def test_profile_edit_ignores_forged_academy_and_role(teacher, other_organization):
    """ASVS 5.0 V8.2.1: the edit form has no academy or role to bind to."""
    before = snapshot(teacher)
    response = logged_in(teacher).post(
        "/people/me/edit/",
        {
            "last_name": "Park",
            "first_name": "Jisoo",
            "phone": "010-1111-2222",
            "organization": str(other_organization.pk),
            "organization_id": str(other_organization.pk),
            "role": Role.ADMIN,
            "is_superuser": "on",
        },
    )
    assert response.status_code == 302
    assert snapshot(teacher) == before
    assert teacher.phone == "010-1111-2222"


# --- social log-in ----------------------------------------------------------------------


def test_a_social_log_in_brings_no_academy_and_no_role(db, organization):
    """ASVS 5.0 V8.2.1: whatever a provider's data says, a new social profile is
    a student of no academy until it completes its profile."""
    user = Profile(email="x@example.test", organization=organization, role=Role.ADMIN)
    user.is_superuser = True
    login = SocialLogin(user=user, account=SocialAccount(provider="google", extra_data={}))
    request = RequestFactory().get("/")
    populated = SocialAccountAdapter().populate_user(
        request, login, {"email": "X@Example.test", "first_name": "A", "last_name": "B"}
    )
    assert populated.organization is None
    assert populated.role == Role.USER
    assert populated.is_superuser is False


# --- CSV import -------------------------------------------------------------------------


def test_the_csv_import_never_moves_or_promotes_an_existing_person(teacher, outsider):
    """ASVS 5.0 V8.4.1: a teacher of A listing B's admin in a CSV does not pull
    them into A; new rows are students of the importer's academy."""
    before = snapshot(outsider)
    text = (
        "email,last_name,first_name,phone\n"
        f"{outsider.email.upper()},Person,Other,010-1234-0000\n"
        "fresh@example.test,Kim,Bora,010-1234-0001\n"
    )
    preview = student_import_preview(
        organization=teacher.organization, by=teacher, file=io.BytesIO(text.encode())
    )
    student_import_confirm(student_import=preview, by=teacher)
    student_import_run(import_id=preview.pk)

    assert snapshot(outsider) == before
    fresh = Profile.objects.get(email="fresh@example.test")
    assert (fresh.organization_id, fresh.role) == (teacher.organization_id, Role.USER)


# --- Django admin ---------------------------------------------------------------------


def change_form(profile, **overrides) -> dict:
    data = {
        "email": profile.email,
        "last_name": profile.last_name or "",
        "first_name": profile.first_name or "",
        "phone": profile.phone or "",
        "is_active": "on",
        "privacy_agreed": "on",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("who", ["admin_user", "superuser"])
def test_the_admin_change_form_does_not_move_anyone(request, who, teacher, other_organization):
    """ASVS 5.0 V8.2.1: the profile form itself writes neither academy nor role,
    for an academy admin or a platform operator (the move page does that)."""
    editor = request.getfixturevalue(who)
    before = snapshot(teacher)[:2]
    response = logged_in(editor).post(
        f"/admin/accounts/profile/{teacher.pk}/change/",
        change_form(
            teacher,
            organization=str(other_organization.pk),
            role=Role.ADMIN,
            is_superuser="on",
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    # (Granting platform-operator status is the operator's own business.)
    assert snapshot(teacher)[:2] == before


def test_only_a_platform_operator_reaches_the_move_page(admin_user, teacher, other_organization):
    """ASVS 5.0 V8.2.1: an academy admin cannot move people, even their own."""
    url = f"/admin/accounts/profile/{teacher.pk}/organization/"
    client = logged_in(admin_user)
    assert client.get(url).status_code == 404
    assert client.post(url, {"organization": str(other_organization.pk)}).status_code == 404
    teacher.refresh_from_db()
    assert teacher.organization_id == admin_user.organization_id


def test_a_move_by_the_operator_makes_a_student_and_is_audited(
    superuser, teacher, organization, other_organization
):
    """ASVS 5.0 V8.2.1, V16.3.2: a role never survives a change of academy, and
    both changes are recorded with who, when and why."""
    client = logged_in(superuser)
    url = f"/admin/accounts/profile/{teacher.pk}/organization/"
    page = client.get(url)
    assert page.status_code == 200
    assert "will be a student" in page.content.decode()

    response = client.post(url, {"organization": str(other_organization.pk), "reason": "Moved"})
    assert response.status_code == 302
    teacher.refresh_from_db()
    assert (teacher.organization, teacher.role) == (other_organization, Role.USER)
    move = OrganizationChange.objects.get(profile=teacher)
    assert (move.old_organization, move.new_organization) == (organization, other_organization)
    assert (move.old_role, move.changed_by, move.reason) == (Role.TEACHER, superuser, "Moved")
    demotion = RoleChange.objects.get(profile=teacher)
    assert (demotion.old_role, demotion.new_role) == (Role.TEACHER, Role.USER)
    # The person no longer sees the old academy's pages.
    assert logged_in(teacher).get("/grading/").status_code in (403, 404)


def test_profile_move_refuses_anyone_but_an_operator(admin_user, teacher, other_organization):
    """ASVS 5.0 V8.2.1: the service checks too, not only the admin page."""
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        profile_move(profile=teacher, organization=other_organization, by=admin_user)
    assert not OrganizationChange.objects.exists()


def test_the_role_page_of_another_academys_person_answers_404(admin_user, outsider):
    """ASVS 5.0 V8.4.1: an academy admin cannot promote or demote in another."""
    response = logged_in(admin_user).post(
        f"/admin/accounts/profile/{outsider.pk}/role/", {"new_role": Role.USER}
    )
    assert response.status_code == 404
    outsider.refresh_from_db()
    assert outsider.role == Role.ADMIN


# --- codes pages ------------------------------------------------------------------------


def test_academy_admins_neither_see_nor_expire_codes_without_an_academy(admin_user):
    """ASVS 5.0 V8.4.1: such rows are the platform operator's, in Django admin."""
    orphan = code_of(None)
    client = logged_in(admin_user)
    assert str(orphan.code) not in client.get("/people/codes/").content.decode()
    assert client.post(f"/people/codes/{orphan.pk}/expire/").status_code == 404
    assert client.get(f"/admin/accounts/roleaccesscode/{orphan.pk}/change/").status_code == 404


def test_operators_see_codes_without_an_academy_and_cannot_create_one(superuser):
    """ASVS 5.0 V8.2.1: a new code must name its academy."""
    orphan = code_of(None)
    client = logged_in(superuser)
    listing = client.get("/admin/accounts/roleaccesscode/?organization__isnull=True")
    assert str(orphan.code) in listing.content.decode()
    response = client.post("/admin/accounts/roleaccesscode/add/", {"role": Role.TEACHER})
    assert response.status_code == 200
    assert "organization" in response.context["adminform"].form.errors
    assert RoleAccessCode.objects.count() == 1
