"""Only organization admins and the platform operator get into Django admin."""

from __future__ import annotations

import pytest

from tests.admin.seed_tables import SEED_TABLES, SeedTable, table_ids

pytestmark = pytest.mark.django_db

LOGIN_URL = "/admin/login/"


def assert_sent_to_login(response) -> None:
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)


@pytest.mark.parametrize("person", ["student", "teacher"])
def test_students_and_teachers_are_sent_to_the_admin_login(client, request, person):
    client.force_login(request.getfixturevalue(person))

    assert_sent_to_login(client.get("/admin/"))


@pytest.mark.parametrize("person", ["student", "teacher"])
@pytest.mark.parametrize("table", SEED_TABLES, ids=table_ids(SEED_TABLES))
def test_students_and_teachers_see_no_rows(client, request, organization, person, table: SeedTable):
    obj = table.build(organization)
    client.force_login(request.getfixturevalue(person))

    assert_sent_to_login(client.get(table.url("changelist")))
    assert_sent_to_login(client.get(table.url("change", obj.pk)))


def test_an_anonymous_visitor_is_sent_to_the_admin_login(client):
    assert_sent_to_login(client.get("/admin/"))


def test_a_deactivated_admin_is_sent_to_the_admin_login(client, admin_user):
    admin_user.is_active = False
    admin_user.save()
    client.force_login(admin_user)

    assert_sent_to_login(client.get("/admin/"))


def test_the_admin_login_page_tells_a_student_they_lack_access(client, student):
    client.force_login(student)

    response = client.get(LOGIN_URL)

    assert response.status_code == 200
    assert student.email in response.content.decode()  # "you are logged in as …, but"
    assert "/admin/journeys/" not in response.content.decode()
