"""The same cast for every test (DESIGN.md): a student, a teacher and an admin
in one organization, and an outsider in another organization."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from accounts.models import Role
from tests.browser import chromium  # noqa: F401 (a fixture for browser tests)
from tests.factories import TEST_PASSWORD, OrganizationFactory, ProfileFactory


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
