"""Fixtures for the admin tests (the shared cast comes from tests/conftest.py)."""

from __future__ import annotations

import pytest
from django.test import Client


def logged_in_client(person) -> Client:
    # A client of its own, so a test may use several people side by side.
    client = Client()
    client.force_login(person)
    return client


@pytest.fixture
def operator_client(superuser) -> Client:
    return logged_in_client(superuser)


@pytest.fixture
def org_admin_client(admin_user) -> Client:
    return logged_in_client(admin_user)
