"""``manage.py bootstrap``: from an empty database to an academy admin who logs
in through the normal log-in form, safely repeatable, refusing anything else."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.management.commands import bootstrap
from accounts.models import Organization, Profile, Role
from accounts.selectors import profile_is_complete
from tests.factories import OrganizationFactory, ProfileFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Kettle-Orbit-93!"
ACADEMY = "Hanbit Academy"
EMAIL = "owner@hanbit.test"
OPTIONS = {
    "academy_name": ACADEMY,
    "email": EMAIL,
    "family_name": "김",
    "given_name": "민지",
    "phone": "010 1234 5678",
}


def run(*, interactive: bool = False, **overrides) -> str:
    """The command as a script runs it (``--no-input`` unless ``interactive``);
    returns what it printed."""
    options = {**OPTIONS, **overrides}
    args = [f"--{name.replace('_', '-')}={value}" for name, value in options.items() if value]
    if not interactive:
        args.append("--no-input")
    out = StringIO()
    call_command("bootstrap", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def rows() -> tuple[int, int, int]:
    return (
        Organization.objects.count(),
        Profile.objects.count(),
        EmailAddress.objects.count(),
    )


def log_in(client, email: str, password: str):
    return client.post("/accounts/login/", {"login": email, "password": password})


# --- the first run -----------------------------------------------------------------


def test_it_creates_the_academy_and_its_admin_on_an_empty_database():
    assert rows() == (0, 0, 0)

    output = run(password=PASSWORD)

    assert rows() == (1, 1, 1)
    admin = Profile.objects.select_related("organization").get()
    assert admin.organization.name == ACADEMY
    assert admin.email == EMAIL
    assert (admin.last_name, admin.first_name, admin.phone) == ("김", "민지", "010-1234-5678")
    assert admin.role == Role.ADMIN
    assert admin.is_active and admin.is_superuser and admin.is_staff
    assert profile_is_complete(admin)
    assert admin.check_password(PASSWORD)
    address = EmailAddress.objects.get()
    assert (address.user_id, address.email, address.verified, address.primary) == (
        admin.pk,
        EMAIL,
        True,
        True,
    )
    assert f"Created the academy '{ACADEMY}' and its admin {EMAIL}" in output
    assert "/accounts/login/" in output
    assert PASSWORD not in output


def test_the_admin_logs_in_through_the_form_and_reaches_home(client):
    run(password=PASSWORD)

    response = log_in(client, EMAIL, PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == "/home/"
    home = client.get("/home/")
    assert home.status_code == 200
    # The operator reaches Django admin, and may add the next academy there.
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/accounts/organization/add/").status_code == 200


def test_sign_up_lists_the_new_academy(client):
    run(password=PASSWORD)
    academy = Organization.objects.get()

    page = client.get("/accounts/signup/").content.decode()

    assert f'value="{academy.pk}"' in page
    assert ACADEMY in page


def test_without_a_password_it_prints_a_generated_one_that_logs_in(client):
    output = run()

    match = re.search(r"Generated password \(shown only this once\): (\S+)", output)
    assert match, output
    response = log_in(client, EMAIL, match.group(1))
    assert response.status_code == 302
    assert response["Location"] == "/home/"


def test_it_asks_for_what_is_missing_on_a_terminal(monkeypatch, client):
    monkeypatch.setattr(bootstrap, "can_prompt", lambda: True)
    answers = iter([ACADEMY, "not-an-address", EMAIL, "김", "민지", "12", "01012345678"])
    monkeypatch.setattr("builtins.input", lambda prompt: next(answers))
    # A mismatch, then a weak password: each asked again.
    passwords = iter(["one-Password-1!", "other-Password-2!", "12345678", "12345678"])
    passwords = iter([*passwords, PASSWORD, PASSWORD])
    monkeypatch.setattr(bootstrap.getpass, "getpass", lambda prompt: next(passwords))

    call_command("bootstrap", stdout=StringIO(), stderr=StringIO())

    admin = Profile.objects.get()
    assert (admin.email, admin.phone) == (EMAIL, "010-1234-5678")
    assert log_in(client, EMAIL, PASSWORD)["Location"] == "/home/"


# --- running it again --------------------------------------------------------------


def test_a_second_run_changes_nothing_and_says_so():
    run(password=PASSWORD)
    admin = Profile.objects.get()
    before = (rows(), admin.password, admin.updated_at)

    output = run(password="Another-Password-77?", family_name="이")

    admin.refresh_from_db()
    assert (rows(), admin.password, admin.updated_at) == before
    assert admin.last_name == "김"
    assert "Nothing changed." in output
    assert "changepassword" in output


def test_a_second_run_without_options_for_the_person_asks_nothing_more(monkeypatch):
    run(password=PASSWORD)
    monkeypatch.setattr(bootstrap, "can_prompt", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: pytest.fail(f"asked {prompt!r}"))

    out = StringIO()
    call_command("bootstrap", f"--academy-name={ACADEMY}", f"--email={EMAIL}", stdout=out)

    assert "Nothing changed." in out.getvalue()
    assert "Generated password" not in out.getvalue()
    assert rows() == (1, 1, 1)


def test_a_scripted_second_run_needs_only_the_academy_and_email():
    run(password=PASSWORD)

    output = run(family_name=None, given_name=None, phone=None)

    assert "Nothing changed." in output
    assert "Generated password" not in output
    assert rows() == (1, 1, 1)


def test_another_email_for_an_academy_with_an_admin_is_refused():
    run(password=PASSWORD)
    before = rows()

    with pytest.raises(CommandError, match=rf"already has an admin \({EMAIL}\)"):
        run(email="intruder@hanbit.test", password=PASSWORD)

    assert rows() == before
    assert not Profile.objects.filter(email="intruder@hanbit.test").exists()


def test_the_admins_email_for_another_academy_is_refused():
    run(password=PASSWORD)
    before = rows()

    with pytest.raises(CommandError, match=rf"log-in of a person of the academy '{ACADEMY}'"):
        run(academy_name="Second Academy", password=PASSWORD)

    assert rows() == before


def test_an_email_of_another_academys_person_is_refused():
    ProfileFactory(email="taken@other.test", organization=OrganizationFactory(name="Other"))
    before = rows()

    with pytest.raises(CommandError, match="log-in of a person of the academy 'Other'"):
        run(email="Taken@Other.test", password=PASSWORD)

    assert rows() == before


def test_a_person_of_the_academy_who_is_no_admin_is_refused():
    run(password=PASSWORD)
    academy = Organization.objects.get()
    ProfileFactory(email="teacher@hanbit.test", organization=academy, role=Role.TEACHER)
    before = rows()

    with pytest.raises(CommandError, match="is a teacher of 'Hanbit Academy', not its admin"):
        run(email="teacher@hanbit.test", password=PASSWORD)

    assert rows() == before


def test_a_database_with_academies_is_not_bootstrapped_again():
    OrganizationFactory(name="Existing Academy")
    before = rows()

    with pytest.raises(CommandError, match=r"already has academies \(Existing Academy\)"):
        run(password=PASSWORD)

    assert rows() == before
    assert not Profile.objects.filter(is_superuser=True).exists()


# --- bad input ---------------------------------------------------------------------


def test_no_input_names_every_missing_option():
    with pytest.raises(CommandError) as error:
        run(email=None, phone=None)

    assert "Missing --email, --phone (with --no-input they are required)" in str(error.value)
    assert rows() == (0, 0, 0)


def test_no_input_names_the_missing_options_about_the_person_when_creating():
    with pytest.raises(CommandError) as error:
        run(family_name=None, phone=None)

    assert "Missing --family-name, --phone" in str(error.value)
    assert rows() == (0, 0, 0)


def test_without_a_terminal_missing_options_are_an_error_too(monkeypatch):
    monkeypatch.setattr(bootstrap, "can_prompt", lambda: False)

    with pytest.raises(CommandError, match="Missing --given-name"):
        run(interactive=True, given_name=None)

    assert rows() == (0, 0, 0)


@pytest.mark.parametrize(
    ("password", "complaint"),
    [
        ("12345678", "too common"),
        ("short", "too short"),
        ("owner.hanbit", "too similar"),
    ],
)
def test_a_weak_password_is_refused_and_changes_nothing(password, complaint):
    with pytest.raises(CommandError, match=f"--password: .*{complaint}"):
        run(password=password)

    assert rows() == (0, 0, 0)


@pytest.mark.parametrize(
    ("override", "complaint"),
    [
        ({"email": "not-an-address"}, "--email: Enter a valid email address"),
        ({"phone": "12"}, "--phone: Enter a Korean phone number"),
        ({"academy_name": "   "}, "--academy-name: The academy needs a name"),
        ({"family_name": "x" * 101}, "--family-name: Ensure this value has at most 100"),
    ],
)
def test_bad_values_are_refused_and_change_nothing(override, complaint):
    with pytest.raises(CommandError, match=complaint):
        run(password=PASSWORD, **override)

    assert rows() == (0, 0, 0)
