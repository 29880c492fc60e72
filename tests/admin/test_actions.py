"""Admin actions: hide/unhide posts, (de)activate profiles, set a status."""

from __future__ import annotations

import pytest

from inquiries.models import BugReport, BugReportStatus, Inquiry, InquiryStatus
from tests.admin.seed_tables import SEED_TABLES, in_org
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db

TABLES = {table.model: table for table in SEED_TABLES}


def run_action(client, model, action: str, *objects):
    return client.post(
        TABLES[model].url("changelist"),
        {"action": action, "_selected_action": [str(obj.pk) for obj in objects]},
    )


def test_posts_can_be_hidden_and_shown_again(org_admin_client, organization):
    post = PostFactory(**in_org(organization))

    response = run_action(org_admin_client, type(post), "hide_posts", post)
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.is_hidden is True

    run_action(org_admin_client, type(post), "unhide_posts", post)
    post.refresh_from_db()
    assert post.is_hidden is False


def test_an_action_ignores_another_organizations_rows(
    org_admin_client, organization, other_organization
):
    own = PostFactory(**in_org(organization))
    foreign = PostFactory(**in_org(other_organization))

    run_action(org_admin_client, type(own), "hide_posts", own, foreign)

    own.refresh_from_db()
    foreign.refresh_from_db()
    assert (own.is_hidden, foreign.is_hidden) == (True, False)


def test_profiles_can_be_deactivated_and_activated(org_admin_client, student, teacher):
    run_action(org_admin_client, type(student), "deactivate_profiles", student, teacher)
    student.refresh_from_db()
    teacher.refresh_from_db()
    assert (student.is_active, teacher.is_active) == (False, False)

    run_action(org_admin_client, type(student), "activate_profiles", student)
    student.refresh_from_db()
    assert student.is_active is True


def test_an_admin_cannot_deactivate_themselves(org_admin_client, admin_user, student):
    response = run_action(org_admin_client, type(admin_user), "deactivate_profiles", admin_user)

    assert response.status_code == 302
    admin_user.refresh_from_db()
    assert admin_user.is_active is True


def test_a_bug_report_status_can_be_set(org_admin_client, student):
    report = BugReport.objects.create(user=student, title="Upload fails")

    run_action(org_admin_client, BugReport, "set_status_resolved", report)

    report.refresh_from_db()
    assert report.status == BugReportStatus.RESOLVED


def test_an_inquiry_status_can_be_set(operator_client):
    inquiry = Inquiry.objects.create(name="Lee", phone="010", automation_needs="Grading")

    run_action(operator_client, Inquiry, "set_status_processing", inquiry)

    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.PROCESSING
