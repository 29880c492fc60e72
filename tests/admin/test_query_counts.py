"""Changelists run the same number of queries for 2 rows as for 10 (no N+1)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.admin.seed_tables import SEED_TABLES, TENANT_TABLES, SeedTable, build_file, table_ids

pytestmark = pytest.mark.django_db


def changelist_queries(client, table: SeedTable) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(table.url("changelist"))
    assert response.status_code == 200
    return len(queries)


def assert_flat(client, table: SeedTable, organization) -> None:
    for _ in range(2):
        table.build(organization)
    with_two = changelist_queries(client, table)
    for _ in range(8):
        table.build(organization)
    with_ten = changelist_queries(client, table)

    assert with_ten == with_two


@pytest.mark.parametrize("table", SEED_TABLES, ids=table_ids(SEED_TABLES))
def test_the_operators_changelist_stays_flat(operator_client, organization, table: SeedTable):
    assert_flat(operator_client, table, organization)


@pytest.mark.parametrize("table", TENANT_TABLES, ids=table_ids(TENANT_TABLES))
def test_the_org_admins_changelist_stays_flat(org_admin_client, organization, table: SeedTable):
    assert_flat(org_admin_client, table, organization)


def test_the_file_statistics_page_stays_flat(operator_client, organization):
    build_file(organization)
    with CaptureQueriesContext(connection) as few:
        operator_client.get("/admin/files/filestat/")
    for bucket in ("a", "b", "c"):
        build_file(organization, bucket_name=bucket)
    with CaptureQueriesContext(connection) as many:
        operator_client.get("/admin/files/filestat/")

    assert len(many) == len(few)
