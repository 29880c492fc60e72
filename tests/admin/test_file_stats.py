"""The file statistics page: counts and sizes per kind and bucket, active files only."""

from __future__ import annotations

import pytest
from django.utils import timezone

from files.models import FileType
from tests.admin.seed_tables import build_file

pytestmark = pytest.mark.django_db

STATS_URL = "/admin/files/filestat/"


def by_kind_and_bucket(response) -> dict[tuple[str, str], tuple[int, int]]:
    return {
        (row.file_type, row.bucket_name): (row.file_count, row.total_size)
        for row in response.context["rows"]
    }


@pytest.fixture
def files(organization, other_organization):
    build_file(organization, file_size=100)
    build_file(organization, file_size=300)
    build_file(organization, file_size=5000, is_deleted=True, deleted_at=timezone.now())
    build_file(
        organization,
        file_type=FileType.DOCUMENT,
        bucket_name="documents",
        mime_type="application/pdf",
        file_size=50,
    )
    build_file(other_organization, file_size=1000)


def test_the_operator_sees_every_active_file_counted(operator_client, files):
    response = operator_client.get(STATS_URL)

    assert response.status_code == 200
    assert by_kind_and_bucket(response) == {
        ("image", "images"): (3, 1400),
        ("document", "documents"): (1, 50),
    }
    assert (response.context["total_count"], response.context["total_size"]) == (4, 1450)
    content = response.content.decode()
    assert 'data-file-type="image" data-bucket="images"' in content
    assert 'data-file-type="document" data-bucket="documents"' in content


def test_an_org_admin_sees_their_organizations_files_only(org_admin_client, files):
    response = org_admin_client.get(STATS_URL)

    assert response.status_code == 200
    assert by_kind_and_bucket(response) == {
        ("image", "images"): (2, 400),
        ("document", "documents"): (1, 50),
    }
    assert response.context["total_count"] == 3


def test_soft_deleted_files_are_not_counted(operator_client, organization):
    build_file(organization, file_size=10, is_deleted=True, deleted_at=timezone.now())

    response = operator_client.get(STATS_URL)

    assert response.context["rows"] == []
    assert response.context["total_count"] == 0


def test_the_statistics_page_is_read_only(operator_client):
    index = operator_client.get("/admin/").content.decode()

    assert "/admin/files/filestat/add/" not in index
    assert operator_client.get("/admin/files/filestat/add/").status_code == 404
    assert operator_client.get("/admin/files/filestat/image/change/").status_code == 404


def test_students_cannot_read_the_statistics(client, student):
    client.force_login(student)

    assert client.get(STATS_URL).status_code == 302
