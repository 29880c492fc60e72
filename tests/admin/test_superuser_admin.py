"""The platform operator reaches every seed table: index, list, search, add, change."""

from __future__ import annotations

import pytest

from tests.admin.seed_tables import SEED_TABLES, SeedTable, table_ids

pytestmark = pytest.mark.django_db


def test_the_index_lists_all_22_seed_tables(operator_client):
    response = operator_client.get("/admin/")

    assert response.status_code == 200
    assert len(SEED_TABLES) == 22
    content = response.content.decode()
    missing = [table.label for table in SEED_TABLES if table.url("changelist") not in content]
    assert missing == []


def test_the_index_lists_file_statistics(operator_client):
    response = operator_client.get("/admin/")

    assert "/admin/files/filestat/" in response.content.decode()


@pytest.mark.parametrize("table", SEED_TABLES, ids=table_ids(SEED_TABLES))
def test_the_changelist_shows_a_row(operator_client, organization, table: SeedTable):
    obj = table.build(organization)

    response = operator_client.get(table.url("changelist"))

    assert response.status_code == 200
    assert table.url("change", obj.pk) in response.content.decode()


@pytest.mark.parametrize("table", SEED_TABLES, ids=table_ids(SEED_TABLES))
def test_search_finds_the_row(operator_client, organization, table: SeedTable):
    obj = table.build(organization)
    decoy = table.build(organization)

    response = operator_client.get(table.url("changelist"), {"q": table.search_term(obj)})

    assert response.status_code == 200
    content = response.content.decode()
    assert table.url("change", obj.pk) in content
    if table.search_term(decoy) != table.search_term(obj):
        assert table.url("change", decoy.pk) not in content


@pytest.mark.parametrize("table", SEED_TABLES, ids=table_ids(SEED_TABLES))
def test_the_add_page_renders(operator_client, table: SeedTable):
    response = operator_client.get(table.url("add"))

    assert response.status_code == (200 if table.addable else 403)


@pytest.mark.parametrize("table", SEED_TABLES, ids=table_ids(SEED_TABLES))
def test_the_change_page_renders(operator_client, organization, table: SeedTable):
    obj = table.build(organization)

    response = operator_client.get(table.url("change", obj.pk))

    assert response.status_code == 200
    assert response.context["original"] == obj


@pytest.mark.parametrize("table", SEED_TABLES, ids=table_ids(SEED_TABLES))
def test_a_missing_object_answers_404(operator_client, organization, table: SeedTable):
    obj = table.build(organization)
    url = table.url("change", obj.pk)
    obj.delete()

    assert operator_client.get(url).status_code == 404


def test_one_line_text_columns_get_one_line_inputs(operator_client, student):
    content = operator_client.get(f"/admin/accounts/profile/{student.pk}/change/").content.decode()

    assert '<textarea name="first_name"' not in content
    assert 'type="text" name="first_name"' in content
    assert 'type="email" name="email"' in content
