"""``python manage.py bootstrap``: the first academy and its admin, on an empty database.

Without it, an operator with a fresh database had to read code to log in:
``createsuperuser`` makes a person without an academy (every page then asks to
complete the profile) whose address is unverified (allauth's mandatory
verification, before any mail is configured), and sign-up lists no academy.

In one transaction it creates:

- the academy: an ``organizations`` row, exactly what a platform operator's
  *Add organization* in Django admin saves (the app has no other way, and an
  academy needs nothing else: the sign-up form lists every academy at once);
- its admin: role ``admin`` of that academy, active, with a complete profile
  (``accounts.selectors.profile_is_complete``: names, phone, privacy consent)
  and the e-mail address recorded in allauth as verified and primary, so the
  normal log-in form lets them in at once.

The admin is the platform operator too (``is_superuser``). Role ``admin``
alone already opens Django admin (``Profile.is_staff`` follows the role), but
only on that academy's rows: adding academies, moving people between them,
the blog, the inquiries and the allauth tables belong to operators, and on an
empty database nobody could make one later except through ``createsuperuser``
and its dead end. Once another operator exists, the flag can be taken away in
Django admin.

Safe to repeat: a run whose academy already has this e-mail as its admin
changes nothing and says so. Anything else on a database that already has an
academy is refused, changing nothing (further academies and admins are made in
Django admin and with access codes). Output stays English, as in Django's own
commands.
"""

from __future__ import annotations

import getpass
import secrets
import sys
from collections.abc import Callable
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser, no_translations
from django.core.validators import validate_email
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from accounts.forms import ProfileQuestions
from accounts.models import Organization, Profile, Role
from accounts.selectors import profile_is_complete

NOTHING_CHANGED = "Nothing changed."

# What the command needs, in the order it asks: (name, option, prompt). The
# person's names are the profile's fields, which the sign-up form calls
# "last name" and "first name"; the options say family and given name, which
# mean the same in Korean and Western order.
Fields = tuple[tuple[str, str, str], ...]

IDENTITY: Fields = (
    ("academy_name", "--academy-name", "Academy name"),
    ("email", "--email", "Admin's e-mail address"),
)
PERSON: Fields = (
    ("last_name", "--family-name", "Family name (last name)"),
    ("first_name", "--given-name", "Given name (first name)"),
    ("phone", "--phone", "Phone (e.g. 010-1234-5678)"),
)


def option_dest(option: str) -> str:
    return option.removeprefix("--").replace("-", "_")


def clean_academy_name(raw: str) -> str:
    # One line: the sign-up form shows it as one option of a list.
    name = " ".join(raw.split())
    if not name:
        raise ValidationError("The academy needs a name.")
    return name


def clean_email(raw: str) -> str:
    # Lower case, as sign-up stores addresses (the database's unique index is on lower(email)).
    email = raw.strip().lower()
    validate_email(email)
    return email


def sign_up_rule(field_name: str) -> Callable[[str], str]:
    """The sign-up form's own field, so names and phone obey the same rules as
    anyone's (length, a Korean number in 010-1234-5678 form)."""
    return ProfileQuestions.base_fields[field_name].clean


CLEANERS: dict[str, Callable[[str], str]] = {
    "academy_name": clean_academy_name,
    "email": clean_email,
    "last_name": sign_up_rule("last_name"),
    "first_name": sign_up_rule("first_name"),
    "phone": sign_up_rule("phone"),
}


class Command(BaseCommand):
    help = (
        "Create the first academy and its admin on an empty, migrated database, ready to "
        "log in through the normal log-in form (address verified, profile complete). The "
        "admin is also the platform operator (superuser): an academy admin alone reaches "
        "Django admin only for their academy, while adding academies, the blog and "
        "inquiries need an operator, and an empty database has none. Asks for what is "
        "missing; with --no-input, missing options are an error and a missing password is "
        "generated and printed once. Running it again with the same academy and e-mail "
        "changes nothing; anything else on a database with an academy is refused."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--academy-name", help="The academy's name, as sign-up lists it.")
        parser.add_argument("--email", help="The admin's e-mail address (their log-in).")
        parser.add_argument("--family-name", help="The admin's family name (last name).")
        parser.add_argument("--given-name", help="The admin's given name (first name).")
        parser.add_argument("--phone", help="The admin's phone, a Korean number.")
        parser.add_argument(
            "--password",
            help=(
                "The admin's password (checked by the password validators). It stays in "
                "the shell's history: prefer the prompt, or --no-input to generate one."
            ),
        )
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Never prompt: fail on a missing option, and generate a missing password.",
        )

    @no_translations  # Django's validators answer in English, like this command.
    def handle(self, *args: Any, **options: Any) -> None:
        require_migrated()
        self.can_prompt = options["interactive"] and can_prompt()
        if not self.can_prompt and missing_options(options, IDENTITY):
            # Nothing can be checked without them: name every missing option at once.
            require_options(options, (*IDENTITY, *PERSON), interactive=options["interactive"])
        try:
            self.bootstrap(options)
        except (KeyboardInterrupt, EOFError):
            raise CommandError(f"Cancelled. {NOTHING_CHANGED}") from None

    def bootstrap(self, options: dict[str, Any]) -> None:
        identity = self.values(options, IDENTITY)
        # Checked before asking for the rest, so a repeated run asks nothing more.
        admin = existing_admin(**identity)
        if admin is None:
            draft = Profile(email=identity["email"], **self.values(options, PERSON))
            password, generated = self.password(options, draft)
            admin, created = academy_bootstrap(
                academy_name=identity["academy_name"], draft=draft, password=password
            )
            if created:
                self.report_created(admin, password if generated else None)
                return
        self.report_unchanged(admin, password_given=options["password"] is not None)

    # -- input

    def values(self, options: dict[str, Any], fields: Fields) -> dict[str, str]:
        if not self.can_prompt:
            require_options(options, fields, interactive=options["interactive"])
        return {name: self.value(options, name, option, prompt) for name, option, prompt in fields}

    def value(self, options: dict[str, Any], name: str, option: str, prompt: str) -> str:
        clean, given = CLEANERS[name], options[option_dest(option)]
        if given is not None:
            try:
                return clean(given)
            except ValidationError as error:
                raise CommandError(
                    f"{option}: {' '.join(error.messages)} {NOTHING_CHANGED}"
                ) from None
        while True:
            try:
                return clean(input(f"{prompt}: "))
            except ValidationError as error:
                self.stderr.write(f"Error: {' '.join(error.messages)}")

    def password(self, options: dict[str, Any], draft: Profile) -> tuple[str, bool]:
        """The admin's password, and whether it was generated (then it is printed)."""
        if options["password"] is not None:
            try:
                validate_password(options["password"], user=draft)
            except ValidationError as error:
                raise CommandError(
                    f"--password: {' '.join(error.messages)} {NOTHING_CHANGED}"
                ) from None
            return options["password"], False
        if not self.can_prompt:
            # 128 random bits: nothing a validator could object to.
            return secrets.token_urlsafe(16), True
        while True:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                self.stderr.write("Error: the two passwords differ.")
                continue
            try:
                validate_password(password, user=draft)
            except ValidationError as error:
                self.stderr.write(f"Error: {' '.join(error.messages)}")
                continue
            return password, False

    # -- output

    def report_created(self, admin: Profile, generated_password: str | None) -> None:
        self.stdout.write(
            self.style.SUCCESS(
                f"Created the academy '{admin.organization}' and its admin {admin.email} "
                "(academy admin and platform operator)."
            )
        )
        if generated_password:
            self.stdout.write(f"Generated password (shown only this once): {generated_password}")
        site = settings.SITE_URL.rstrip("/")
        self.stdout.write(f"Log in at {site}{reverse('account_login')}")
        self.stdout.write(f"Django admin: {site}{reverse('admin:index')}")
        self.stdout.write(
            f"Teachers join with an access code from {site}{reverse('people:codes')}; "
            "students sign up and choose the academy."
        )

    def report_unchanged(self, admin: Profile, *, password_given: bool) -> None:
        message = f"The academy '{admin.organization}' already has its admin {admin.email}. "
        message += NOTHING_CHANGED
        if password_given:
            message += f" To change the password: python manage.py changepassword {admin.email}"
        self.stdout.write(message)


# -- checks


def require_migrated() -> None:
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise CommandError(
            f"The database is not fully migrated: run `python manage.py migrate` first. "
            f"{NOTHING_CHANGED}"
        )


def can_prompt() -> bool:
    return sys.stdin.isatty()


def missing_options(options: dict[str, Any], fields: Fields) -> list[str]:
    return [option for _name, option, _prompt in fields if options[option_dest(option)] is None]


def require_options(options: dict[str, Any], fields: Fields, *, interactive: bool) -> None:
    """Name every missing option of ``fields`` at once, instead of failing one by one."""
    missing = missing_options(options, fields)
    if not missing:
        return
    why = "with --no-input" if not interactive else "without a terminal to ask"
    raise CommandError(f"Missing {', '.join(missing)} ({why} they are required). {NOTHING_CHANGED}")


def existing_admin(*, academy_name: str, email: str) -> Profile | None:
    """The admin an earlier run made for this academy and e-mail, or None when
    the database has no academy yet. Anything else is refused (CommandError)."""
    person = Profile.objects.select_related("organization").filter(email__iexact=email).first()
    academy = Organization.objects.filter(name=academy_name).first()
    if person is not None and (academy is None or person.organization_id != academy.pk):
        where = f"the academy '{person.organization}'" if person.organization else "no academy"
        raise CommandError(
            f"{email} is already the log-in of a person of {where}; use another e-mail. "
            f"{NOTHING_CHANGED}"
        )
    if academy is None:
        refuse_unless_empty()
        return None
    if person is not None and person.role == Role.ADMIN:
        return person
    if person is not None:
        raise CommandError(
            f"{email} is a {Role(person.role).label.lower()} of '{academy}', not its admin: "
            f"change roles in "
            f"Django admin. {NOTHING_CHANGED}"
        )
    admins = list(academy.profiles.filter(role=Role.ADMIN).values_list("email", flat=True)[:3])
    if admins:
        raise CommandError(
            f"'{academy}' already has an admin ({', '.join(admins)}): add more admins with "
            f"an access code or in Django admin. {NOTHING_CHANGED}"
        )
    refuse_unless_empty()
    return None


def refuse_unless_empty() -> None:
    # A second run must not quietly make another platform operator beside the first.
    names = list(Organization.objects.values_list("name", flat=True)[:3])
    if names:
        raise CommandError(
            f"This database already has academies ({', '.join(names)}): bootstrap sets up "
            f"an empty database only. A platform operator adds academies and their admins "
            f"in Django admin. {NOTHING_CHANGED}"
        )


# -- the write


def academy_bootstrap(*, academy_name: str, draft: Profile, password: str) -> tuple[Profile, bool]:
    """The academy and its admin, in one transaction; ``False`` when a run at
    the same moment made them first (then its admin is returned)."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            # Two runs at once would each see an empty database; the second waits here.
            cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended('sqeeze.bootstrap', 0))")
        admin = existing_admin(academy_name=academy_name, email=draft.email)
        if admin is not None:
            return admin, False
        academy = Organization.objects.create(name=academy_name)
        admin = Profile.objects.create_superuser(
            draft.email,
            password,
            organization=academy,
            role=Role.ADMIN,
            last_name=draft.last_name,
            first_name=draft.first_name,
            phone=draft.phone,
            # The operator creates their own account here, under the privacy
            # policy they publish; sign-up asks everyone else.
            privacy_agreed=True,
        )
        # allauth lets in only verified addresses (ACCOUNT_EMAIL_VERIFICATION);
        # mail may not be configured yet, and the operator typed the address.
        EmailAddress.objects.create(user=admin, email=admin.email, verified=True, primary=True)
        if not profile_is_complete(admin):
            # The completion rule grew a field this command does not ask for:
            # fail rather than make an admin stuck on the completion page.
            raise CommandError(f"The admin's profile would be incomplete. {NOTHING_CHANGED}")
        return admin, True
