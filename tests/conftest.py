"""The same cast for every test (DESIGN.md): a student, a teacher and an admin
in one organization, and an outsider in another organization."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import setup_databases, teardown_databases

from accounts.models import Role
from core import database_roles, fragments, tenancy
from notifications import fan_out_tasks
from notifications.fan_out import notifications_fan_out
from tests.browser import chromium  # noqa: F401 (a fixture for browser tests)
from tests.factories import TEST_PASSWORD, OrganizationFactory, ProfileFactory

# The tests' own reads and writes (factories, assertions, fixtures of any scope)
# are the platform operator's; every request the test client or a browser
# makes runs in its own context (accounts.tenancy), as do tasks (core.tenancy).
tenancy.set_process_default(tenancy.OPERATOR)


@pytest.fixture(scope="session")
def django_db_setup(request, django_test_environment, django_db_blocker):
    """pytest-django's, with the two database roles: the owner creates and
    migrates the test database (which grants the runtime role), and the tests
    connect as the runtime role, so Row Level Security binds everything the
    app does. The run stops if that role could escape it."""
    verbosity = request.config.option.verbose
    with django_db_blocker.unblock():
        with database_roles.as_owner():
            databases = setup_databases(verbosity=verbosity, interactive=False)
        problem = database_roles.runtime_role_problem(connection)
    if problem:
        pytest.exit(
            f"The tests must connect as a runtime role that Row Level Security binds: {problem}. "
            "Set DATABASE_URL to that role and DATABASE_OWNER_URL to the owner (README).",
            returncode=3,
        )
    yield
    with django_db_blocker.unblock(), database_roles.as_owner():
        teardown_databases(databases, verbosity=verbosity)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Tests create many people; the production hasher spends a third of a
    # second on each password. Hashing itself is Django's, tested upstream.
    # PBKDF2 stays listed so hashes made outside this fixture still verify.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """Every test starts with full budgets (core.ratelimit and allauth's): the
    counters live in Redis, which outlives a test and even a test run."""
    client = cache._cache.get_client(write=True)
    for pattern in ("*ratelimit:*", "*allauth:rl:*"):
        keys = list(client.scan_iter(match=pattern, count=1000))
        if keys:
            client.delete(*keys)


@pytest.fixture
def kept_fragments(settings):
    """The production path of core.fragments: rows kept and served without
    drawing them again (tests otherwise draw every kept row again and compare)."""
    settings.VERIFY_FRAGMENTS = False
    fragments.forget_all()
    yield
    fragments.forget_all()


@pytest.fixture
def english(settings):
    """For tests that read messages in English; Korean is the site's default.
    Modules opt in with ``pytestmark = pytest.mark.usefixtures("english")``."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def password() -> str:
    return TEST_PASSWORD


@pytest.fixture
def organization(db):
    return OrganizationFactory(name="Sqeeze Academy")


@pytest.fixture
def other_organization(db):
    return OrganizationFactory(name="Other Academy")


@pytest.fixture
def student(organization):
    return ProfileFactory(
        organization=organization,
        role=Role.USER,
        email="student@example.test",
        first_name="Minji",
        last_name="Kim",
    )


@pytest.fixture
def teacher(organization):
    return ProfileFactory(
        organization=organization,
        role=Role.TEACHER,
        email="teacher@example.test",
        first_name="Jisoo",
        last_name="Park",
    )


@pytest.fixture
def admin_user(organization):
    return ProfileFactory(
        organization=organization,
        role=Role.ADMIN,
        email="admin@example.test",
        first_name="Hana",
        last_name="Lee",
    )


@pytest.fixture
def outsider(other_organization):
    return ProfileFactory(
        organization=other_organization,
        role=Role.ADMIN,
        email="outsider@example.test",
        first_name="Other",
        last_name="Person",
    )


@pytest.fixture
def superuser(organization):
    return ProfileFactory(
        organization=organization,
        role=Role.ADMIN,
        is_superuser=True,
        email="operator@example.test",
    )


@pytest.fixture
def fan_out(monkeypatch, django_capture_on_commit_callbacks):
    """A notification's e-mail and push are decided by a worker once the write
    commits (``notifications.fan_out``). ``with fan_out():`` around a write runs
    its commit callbacks when the block ends, and the fan-out right here, as the
    worker would (the task is called, not queued); e-mails land in the queue."""
    monkeypatch.setattr(
        fan_out_tasks.fan_out_notifications,
        "delay",
        lambda ids: notifications_fan_out(notification_ids=ids),
    )
    return lambda: django_capture_on_commit_callbacks(execute=True)
