"""The site's own name (SITE_NAME) and address (SITE_URL) everywhere a mail
shows them, instead of Django's "example.com".

The django.contrib.sites record is set by a data migration for a new database
and again after every ``migrate`` (sqeeze.sites); allauth's subjects carry
"[SITE_NAME] " (ACCOUNT_EMAIL_SUBJECT_PREFIX). Every e-mail template the
project can send is rendered here, in both languages, and none may say
example.com."""

from __future__ import annotations

import datetime as dt
import importlib
from pathlib import Path
from types import SimpleNamespace

import pytest
from allauth.account.adapter import get_adapter
from allauth.core.context import request_context
from django.apps import apps
from django.conf import settings
from django.contrib.sites.models import Site
from django.contrib.sites.shortcuts import get_current_site
from django.core import mail
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection
from django.test import RequestFactory
from django.test.signals import template_rendered
from django.utils import timezone, translation

from inquiries.models import Inquiry
from inquiries.notify import inquiry_operators_mail
from notifications.fan_out import notification_email
from notifications.models import EmailQueue, Notification
from notifications.types import NOTIFICATION_TYPES
from people.invitations import invitation_message
from sqeeze.sites import site_domain, site_sync
from submissions import digest
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

SIGNUP_PASSWORD = "Kettle-Orbit-93!"
# Mail templates found on disk that Sqeeze never sends, with the reason.
NEVER_SENT = {
    "mfa/": "allauth.mfa is not installed",
    "registration/": "Django's own password reset is not wired; allauth resets passwords",
}


@pytest.mark.parametrize(
    ("site_url", "domain"),
    [
        ("http://localhost:8000", "localhost:8000"),
        ("https://lms.Hanbit.kr", "lms.hanbit.kr"),
        ("https://lms.hanbit.kr/", "lms.hanbit.kr"),
        ("https://user:secret@lms.hanbit.kr:8443/app", "lms.hanbit.kr:8443"),
        ("http://[::1]:8000", "[::1]:8000"),
    ],
)
def test_the_sites_domain_is_site_urls_host_with_its_port(site_url, domain):
    assert site_domain(site_url) == domain


def test_a_migrated_database_names_the_site_after_the_settings():
    site = Site.objects.get(pk=settings.SITE_ID)

    assert (site.name, site.domain) == ("Sqeeze", "localhost:8000")
    assert get_current_site(None).name == settings.SITE_NAME


def test_every_migrate_puts_the_settings_back_into_the_site(settings):
    """`make run` and docker compose's migrate service run `migrate`; it ends
    with post_migrate, where Django itself would add example.com to an empty table."""
    Site.objects.all().delete()
    settings.SITE_NAME = "Hanbit LMS"
    settings.SITE_URL = "https://lms.hanbit.kr"

    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")

    [site] = Site.objects.all()
    assert (site.pk, site.name, site.domain) == (settings.SITE_ID, "Hanbit LMS", "lms.hanbit.kr")


def test_the_data_migration_names_the_site_of_a_new_database():
    migration = importlib.import_module("sqeeze.migrations.0001_site_name_and_domain")
    Site.objects.all().delete()

    migration.forwards(apps, SimpleNamespace(connection=connection))

    site = Site.objects.get()
    assert (site.pk, site.name, site.domain) == (1, "Sqeeze", "localhost:8000")
    # The id sequence moved past the explicit id: a second site can be added.
    assert Site.objects.create(domain="second.example.test", name="second").pk > 1


# --- every e-mail template -----------------------------------------------------------


def template_roots() -> list[Path]:
    roots = [Path(directory) for directory in settings.TEMPLATES[0]["DIRS"]]
    roots += [Path(app.path) / "templates" for app in apps.get_app_configs()]
    return [root for root in roots if root.is_dir()]


def mail_templates() -> set[str]:
    """Every template that builds an e-mail: those under an email/ folder
    (allauth's, ours), every *subject.txt, and the bodies beside a subject."""
    found = set()
    for root in template_roots():
        for path in root.rglob("*"):
            name = path.relative_to(root).as_posix()
            if not path.is_file() or name.startswith(tuple(NEVER_SENT)):
                continue
            subject_beside = path.with_name(path.name.split(".")[0] + ".subject.txt")
            if "email/" in name or name.endswith("subject.txt") or subject_beside.exists():
                found.add(name)
    return found


@pytest.fixture
def rendered_templates():
    names: set[str] = set()

    def record(sender, template, context, **kwargs):
        names.add(template.name)

    template_rendered.connect(record)
    yield names
    template_rendered.disconnect(record)


def allauth_mails(student) -> None:
    """Each of allauth's mails, through its adapter as allauth sends them."""
    request = RequestFactory().get("/accounts/email/")
    request.user = student
    context = {
        "user": student,
        "activate_url": "http://testserver/accounts/confirm-email/MQ:key/",
        "key": "MQ:key",
        "code": "X7K2QP",
        "password_reset_url": "http://testserver/accounts/password/reset/key/1-key/",
        "username": student.email,
        "signup_url": "http://testserver/accounts/signup/",
        "from_email": "old@example.test",
        "to_email": student.email,
        "deleted_email": "old@example.test",
        "provider": "Kakao",
        "account": SimpleNamespace(get_provider=lambda: SimpleNamespace(name="Kakao")),
        "timestamp": timezone.now(),
        "ip": "203.0.113.7",
        "user_agent": "Mozilla/5.0 (iPhone)",
    }
    prefixes = sorted(
        name.removesuffix("_subject.txt")
        for name in mail_templates()
        if name.endswith("_subject.txt")
    )
    assert "account/email/email_confirmation_signup" in prefixes
    with request_context(request):
        for prefix in prefixes:
            # Only the code mails carry a code; e-mail confirmation is by link here.
            code = {"code": context["code"] if prefix.endswith("_code") else None}
            get_adapter().send_mail(prefix, student.email, {**context, **code})


def other_mails(student, organization, operator) -> None:
    """The CSV import's invitation and the operators' inquiry alert."""
    mail.outbox.append(invitation_message(profile=student, organization=organization))
    inquiry = Inquiry.objects.create(
        name="Park Jiwoo", phone="010-2345-6789", automation_needs="Weekly reports"
    )
    assert inquiry_operators_mail(inquiry_id=str(inquiry.pk)) == 1
    assert mail.outbox[-1].to == [operator.email]


def notification_mails(student, teacher) -> None:
    """Each notification type's mail and the teachers' digest, by the code that sends them."""
    keys = sorted(
        name.removeprefix("notifications/email/").removesuffix(".subject.txt")
        for name in mail_templates()
        if name.startswith("notifications/email/") and name.endswith(".subject.txt")
    )
    for key in keys:
        if key == "digest":
            continue
        notification = Notification(
            receiver=student,
            type=key,
            message="Minji Kim — Week 1 essay",
            link="/journeys/",
            created_at=timezone.now(),
        )
        notification_email(notification, NOTIFICATION_TYPES[key]).send()
    now = timezone.now()
    item = digest.DigestItem(
        journey="Spring English",
        mission="Week 1 essay",
        student="Minji Kim",
        team="Blue",
        title="My essay",
        resubmitted=True,
        at=now,
        url="http://localhost:8000/journeys/",
    )
    journeys = [digest.JourneyDigest(journey="Spring English", items=[item])]
    digest._email(teacher, journeys, since=now - dt.timedelta(days=1), until=now)


@pytest.mark.parametrize("language", ["ko", "en"])
def test_no_mail_template_says_example_com(
    language, settings, student, teacher, superuser, organization, rendered_templates
):
    settings.LANGUAGE_CODE = language  # the receivers' language
    mail.outbox.clear()

    with translation.override(language):
        allauth_mails(student)
        notification_mails(student, teacher)
        other_mails(student, organization, superuser)

    missing = mail_templates() - rendered_templates
    assert not missing, f"mail templates this test did not render: {sorted(missing)}"
    assert len(mail.outbox) > 20
    for message in mail.outbox:
        parts = [message.subject, message.body]
        parts += [content for content, _type in getattr(message, "alternatives", [])]
        for part in parts:
            assert "example.com" not in part, (message.subject, part)
    allauth_subjects = [m.subject for m in mail.outbox if m.subject.startswith("[")]
    assert len(allauth_subjects) >= 14
    assert all(subject.startswith("[Sqeeze] ") for subject in allauth_subjects)


def test_allauths_mails_greet_and_sign_with_the_sites_name_and_address(student):
    allauth_mails(student)

    [signup, _again] = [m for m in mail.outbox if "/confirm-email/" in m.body]
    assert signup.subject.startswith("[Sqeeze] ")
    assert "Sqeeze" in signup.body
    assert "localhost:8000" in signup.body


# --- a real sign-up ------------------------------------------------------------------


def sign_up(client, organization):
    return client.post(
        "/accounts/signup/",
        {
            "email": "new.person@example.test",
            "password1": SIGNUP_PASSWORD,
            "password2": SIGNUP_PASSWORD,
            "last_name": "Kim",
            "first_name": "Minji",
            "phone": "010-1234-5678",
            "organization": str(organization.pk),
            "privacy_agreed": "on",
        },
    )


@pytest.fixture
def queued_mail(settings):
    # pytest-django puts mail in a local outbox; ours goes through the queue.
    settings.EMAIL_BACKEND = "notifications.email_backend.QueueEmailBackend"
    settings.ACCOUNT_RATE_LIMITS = False


@pytest.mark.parametrize("language", ["ko", "en"])
def test_a_sign_ups_queued_mail_carries_the_site_name(client, queued_mail, settings, language):
    settings.LANGUAGE_CODE = language
    organization = OrganizationFactory(name="Hanbit Academy")

    response = sign_up(client, organization)

    assert response.status_code == 302
    [row] = EmailQueue.objects.filter(recipient_email="new.person@example.test")
    assert row.subject.startswith("[Sqeeze] ")
    assert "Sqeeze" in row.content and "localhost:8000" in row.content
    for text in (row.subject, row.content, row.html_content or ""):
        assert "example.com" not in text


def test_a_renamed_site_is_named_in_the_sign_up_mail(client, queued_mail, settings):
    """A deployment sets SITE_NAME and SITE_URL, and migrates (as the launcher
    and docker compose do): the mail follows. ACCOUNT_EMAIL_SUBJECT_PREFIX is
    derived from SITE_NAME in settings.py, so it is set along here."""
    settings.LANGUAGE_CODE = "en"
    settings.SITE_NAME = "Hanbit LMS"
    settings.SITE_URL = "https://lms.hanbit.kr"
    settings.ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{settings.SITE_NAME}] "
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")

    assert sign_up(client, OrganizationFactory()).status_code == 302

    [row] = EmailQueue.objects.all()
    assert row.subject.startswith("[Hanbit LMS] ")
    assert "Hello from Hanbit LMS!" in row.content
    assert "lms.hanbit.kr" in row.content
    assert "Sqeeze" not in row.subject


def test_the_settings_derive_the_subject_prefix_from_site_name():
    prefix, name = settings.ACCOUNT_EMAIL_SUBJECT_PREFIX, settings.SITE_NAME
    assert (prefix, name) == ("[Sqeeze] ", "Sqeeze")
    site_sync()  # idempotent
    assert Site.objects.get(pk=settings.SITE_ID).name == settings.SITE_NAME


def test_pages_and_the_mail_layout_carry_the_site_name(client, student, settings):
    """Every page's title, brand and footer, the standalone pages and the e-mail
    layout say SITE_NAME, not a hard-coded "Sqeeze"."""
    from django.template.loader import render_to_string

    settings.SITE_NAME = "Hanbit LMS"
    landing = client.get("/").content.decode()
    assert "· Hanbit LMS</title>" in landing
    assert '<meta property="og:site_name" content="Hanbit LMS">' in landing
    assert "© Hanbit LMS" in landing
    offline = client.get("/offline/").content.decode()
    assert "Hanbit LMS</title>" in offline and "© Hanbit LMS" in offline
    client.force_login(student)
    assert "· Hanbit LMS</title>" in client.get("/home/").content.decode()
    mail = render_to_string("email/layout.html", {})
    assert "Hanbit LMS" in mail and ">Sqeeze<" not in mail
