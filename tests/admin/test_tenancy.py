"""An organization admin sees and edits only their own organization's rows."""

from __future__ import annotations

import json

import pytest

from accounts.models import Organization, Role
from community.models import Post
from journeys.models import Journey
from missions.models import Mission
from teams.models import Team
from tests.admin.seed_tables import (
    PLATFORM_TABLES,
    TENANT_TABLES,
    SeedTable,
    build_file,
    table_ids,
)
from tests.factories import JourneyFactory, MissionInstanceFactory, PostFactory, ProfileFactory

pytestmark = pytest.mark.django_db

# Organization rows are the tenants themselves; they get their own tests below.
ROW_TABLES = [table for table in TENANT_TABLES if table.model is not Organization]


@pytest.mark.parametrize("table", ROW_TABLES, ids=table_ids(ROW_TABLES))
def test_the_changelist_shows_own_rows_only(
    org_admin_client, organization, other_organization, table: SeedTable
):
    own = table.build(organization)
    foreign = table.build(other_organization)

    response = org_admin_client.get(table.url("changelist"))

    assert response.status_code == 200
    content = response.content.decode()
    assert table.url("change", own.pk) in content
    assert table.url("change", foreign.pk) not in content


@pytest.mark.parametrize("table", ROW_TABLES, ids=table_ids(ROW_TABLES))
def test_another_organizations_row_answers_404(
    org_admin_client, organization, other_organization, table: SeedTable
):
    own = table.build(organization)
    foreign = table.build(other_organization)

    assert org_admin_client.get(table.url("change", own.pk)).status_code == 200
    assert org_admin_client.get(table.url("change", foreign.pk)).status_code == 404
    assert org_admin_client.get(table.url("delete", foreign.pk)).status_code == 404
    assert org_admin_client.get(table.url("history", foreign.pk)).status_code == 404


def test_the_organization_list_shows_only_the_own_organization(
    org_admin_client, organization, other_organization
):
    content = org_admin_client.get("/admin/accounts/organization/").content.decode()

    assert f"/admin/accounts/organization/{organization.pk}/change/" in content
    assert f"/admin/accounts/organization/{other_organization.pk}/" not in content


def test_an_org_admin_may_rename_but_not_add_or_delete_organizations(
    org_admin_client, organization, other_organization
):
    change_url = f"/admin/accounts/organization/{organization.pk}/change/"
    response = org_admin_client.post(change_url, {"name": "Renamed Academy", "description": ""})

    assert response.status_code == 302
    organization.refresh_from_db()
    assert organization.name == "Renamed Academy"
    assert org_admin_client.get("/admin/accounts/organization/add/").status_code == 403
    delete_url = f"/admin/accounts/organization/{organization.pk}/delete/"
    assert org_admin_client.get(delete_url).status_code == 403
    other_url = f"/admin/accounts/organization/{other_organization.pk}/change/"
    assert org_admin_client.get(other_url).status_code == 404


def test_platform_tables_are_missing_from_the_org_admins_index(org_admin_client):
    content = org_admin_client.get("/admin/").content.decode()

    for table in PLATFORM_TABLES:
        assert table.url("changelist") not in content
    assert "/admin/journeys/journey/" in content
    assert "/admin/community/post/" in content


@pytest.mark.parametrize("table", PLATFORM_TABLES, ids=table_ids(PLATFORM_TABLES))
def test_platform_table_urls_are_refused(org_admin_client, organization, table: SeedTable):
    obj = table.build(organization)

    for url in (table.url("changelist"), table.url("add"), table.url("change", obj.pk)):
        assert org_admin_client.get(url).status_code in (403, 404), url


def test_the_blog_app_page_does_not_exist_for_an_org_admin(org_admin_client):
    assert org_admin_client.get("/admin/blog/").status_code == 404


def test_the_platform_operators_profile_is_hidden_from_org_admins(
    org_admin_client, organization, superuser
):
    assert superuser.organization == organization  # the shared cast puts them together

    content = org_admin_client.get("/admin/accounts/profile/").content.decode()

    assert f"/admin/accounts/profile/{superuser.pk}/change/" not in content
    url = f"/admin/accounts/profile/{superuser.pk}/password/"
    assert org_admin_client.get(url).status_code == 404


def test_an_org_admin_cannot_make_anyone_a_superuser(org_admin_client, student):
    url = f"/admin/accounts/profile/{student.pk}/change/"
    page = org_admin_client.get(url).content.decode()
    assert 'name="is_superuser"' not in page

    response = org_admin_client.post(
        url,
        {
            "email": student.email,
            "role": Role.USER,
            "is_active": "on",
            "is_superuser": "on",
            "privacy_agreed": "on",
        },
    )

    assert response.status_code == 302
    student.refresh_from_db()
    assert student.is_superuser is False


def test_an_org_admin_cannot_move_a_profile_to_another_organization(
    org_admin_client, student, other_organization
):
    url = f"/admin/accounts/profile/{student.pk}/change/"
    org_admin_client.post(
        url,
        {
            "email": student.email,
            "role": Role.USER,
            "is_active": "on",
            "organization": str(other_organization.pk),
        },
    )

    student.refresh_from_db()
    assert student.organization_id != other_organization.pk


def test_a_journey_added_by_an_org_admin_belongs_to_their_organization(
    org_admin_client, organization, other_organization
):
    response = org_admin_client.post(
        "/admin/journeys/journey/add/",
        {
            "name": "Spring cohort",
            "organization": str(other_organization.pk),  # ignored: read-only for them
            "date_start": "2025-03-01",
            "date_end": "2025-05-31",
            "weeks-TOTAL_FORMS": "1",
            "weeks-INITIAL_FORMS": "0",
            "weeks-0-week_number": "1",
            "weeks-0-name": "Kick-off",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    journey = Journey.objects.get(name="Spring cohort")
    assert journey.organization == organization
    assert list(journey.weeks.values_list("name", flat=True)) == ["Kick-off"]


def test_a_mission_added_by_an_org_admin_belongs_to_their_organization(
    org_admin_client, organization
):
    response = org_admin_client.post(
        "/admin/missions/mission/add/",
        {
            "name": "Essay",
            "mission_type": "individual",
            "points": "5",
            # The questions' inline (read-only) sends its management form too.
            "questions-TOTAL_FORMS": "0",
            "questions-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302
    assert Mission.objects.get(name="Essay").organization == organization


def test_another_organizations_journey_is_refused_as_a_choice(org_admin_client, other_organization):
    foreign_journey = JourneyFactory(organization=other_organization)

    response = org_admin_client.post(
        "/admin/teams/team/add/",
        {
            "name": "Intruders",
            "journey": str(foreign_journey.pk),
            "members-TOTAL_FORMS": "0",
            "members-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 200
    assert "journey" in response.context["adminform"].form.errors
    assert not Team.objects.filter(name="Intruders").exists()


def test_another_organizations_person_is_refused_as_a_team_member(
    org_admin_client, organization, outsider
):
    journey = JourneyFactory(organization=organization)

    response = org_admin_client.post(
        "/admin/teams/team/add/",
        {
            "name": "Mixed",
            "journey": str(journey.pk),
            "members-TOTAL_FORMS": "1",
            "members-INITIAL_FORMS": "0",
            "members-0-user": str(outsider.pk),
        },
    )

    assert response.status_code == 200
    members_formset = response.context["inline_admin_formsets"][0].formset
    assert "user" in members_formset.errors[0]
    assert not Team.objects.filter(name="Mixed").exists()


def test_a_post_left_without_a_journey_is_refused(org_admin_client, student):
    response = org_admin_client.post(
        "/admin/community/post/add/",
        {"user": str(student.pk), "title": "Orphan", "achievement_status": "pending"},
    )

    assert response.status_code == 200
    assert "journey" in response.context["adminform"].form.errors


def test_a_post_takes_its_missions_journey_when_left_empty(org_admin_client, organization, student):
    instance = MissionInstanceFactory(journey_week__journey__organization=organization)

    response = org_admin_client.post(
        "/admin/community/post/add/",
        {
            "user": str(student.pk),
            "mission_instance": str(instance.pk),
            "title": "My essay",
            "achievement_status": "pending",
            "team_points": "0",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    post = Post.objects.get(title="My essay")
    assert post.journey == instance.journey


def autocomplete(client, app_label: str, model_name: str, field_name: str) -> set[str]:
    response = client.get(
        "/admin/autocomplete/",
        {"app_label": app_label, "model_name": model_name, "field_name": field_name, "term": ""},
    )
    assert response.status_code == 200
    return {result["id"] for result in json.loads(response.content)["results"]}


def test_autocomplete_offers_only_own_journeys_and_people(
    org_admin_client, organization, other_organization, student, outsider, superuser
):
    own_journey = JourneyFactory(organization=organization)
    foreign_journey = JourneyFactory(organization=other_organization)

    journeys = autocomplete(org_admin_client, "teams", "team", "journey")
    people = autocomplete(org_admin_client, "teams", "teammember", "user")

    assert str(own_journey.pk) in journeys
    assert str(foreign_journey.pk) not in journeys
    assert str(student.pk) in people
    assert str(outsider.pk) not in people
    assert str(superuser.pk) not in people


def test_autocomplete_offers_only_own_files(org_admin_client, organization, other_organization):
    own = build_file(organization)
    foreign = build_file(other_organization)

    files = autocomplete(org_admin_client, "journeys", "journey", "image_file")

    assert str(own.pk) in files
    assert str(foreign.pk) not in files


def test_related_filters_list_only_own_journeys(org_admin_client, organization, other_organization):
    PostFactory(mission_instance__journey_week__journey__organization=organization)
    foreign = PostFactory(mission_instance__journey_week__journey__organization=other_organization)

    content = org_admin_client.get("/admin/community/post/").content.decode()

    assert foreign.journey.name not in content


def test_an_admin_without_an_organization_sees_no_rows(client, organization, rf):
    lost_admin = ProfileFactory(organization=None, role=Role.ADMIN)
    PostFactory(mission_instance__journey_week__journey__organization=organization)
    client.force_login(lost_admin)

    # First the profile must be completed (an organization chosen) ...
    response = client.get("/admin/community/post/")
    assert response.status_code == 302 and response.url.startswith("/accounts/complete/")

    # ... and underneath, scoping still shows such an admin nothing.
    from django.contrib import admin as django_admin

    from community.models import Post

    request = rf.get("/admin/community/post/")
    request.user = lost_admin
    post_admin = django_admin.site.get_model_admin(Post)
    assert not post_admin.get_queryset(request).exists()


def test_org_admins_see_file_statistics_in_the_index(org_admin_client):
    content = org_admin_client.get("/admin/").content.decode()

    assert "/admin/files/filestat/" in content


def test_other_admins_of_the_organization_stay_visible(org_admin_client, organization):
    colleague = ProfileFactory(organization=organization, role=Role.ADMIN)

    content = org_admin_client.get("/admin/accounts/profile/").content.decode()

    assert f"/admin/accounts/profile/{colleague.pk}/change/" in content
