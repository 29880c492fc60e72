"""Triage of bug reports: operators in Django admin (status, severity, answer),
academy admins for their own academy's people (status only), and the reporter
notified once per change."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inquiries import services, tasks
from inquiries.models import BugReport, BugReportStatus
from notifications.models import EmailQueue, Notification
from tests.factories import ProfileFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

CHANGELIST = "/admin/inquiries/bugreport/"


@pytest.fixture(autouse=True)
def email_queue_backend(settings):
    # pytest-django swaps EMAIL_BACKEND for locmem in every test; ours writes email_queue.
    settings.EMAIL_BACKEND = "notifications.email_backend.QueueEmailBackend"


def logged_in(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def a_report(user, **fields) -> BugReport:
    return BugReport.objects.create(user=user, title=fields.pop("title", "Upload fails"), **fields)


def change_url(report: BugReport) -> str:
    return reverse("admin:inquiries_bugreport_change", args=[report.pk])


def notifications_of(person) -> list[Notification]:
    return list(Notification.objects.filter(receiver=person, type="bug_report_updated"))


# --- the service ------------------------------------------------------------------------


def test_resolving_with_an_answer_notifies_the_reporter_once(student, superuser, fan_out):
    report = a_report(student)

    with fan_out():
        services.bug_report_update(
            report=report,
            status=BugReportStatus.RESOLVED,
            answer="Fixed in today's release.",
            by=superuser,
        )

    report.refresh_from_db()
    assert report.status == BugReportStatus.RESOLVED
    assert report.answer == "Fixed in today's release."
    assert report.status_changed_at is not None and report.answered_at is not None
    [notification] = notifications_of(student)
    assert notification.link == reverse("inquiries:bug_detail", args=[report.pk])
    assert "Upload fails" in notification.message and "Resolved" in notification.message
    # E-mail is on by default for this type: one mail, rendered from its templates.
    mail = EmailQueue.objects.get(recipient_email=student.email)
    assert "About a problem you reported" in mail.subject


def test_an_answer_alone_notifies_and_a_save_without_change_does_not(student, superuser):
    report = a_report(student)

    services.bug_report_update(report=report, status="open", answer="Which phone?", by=superuser)
    services.bug_report_update(report=report, status="open", answer="Which phone?", by=superuser)

    [notification] = notifications_of(student)
    assert "answered your report" in notification.message


def test_an_academy_admin_may_change_the_status_but_not_answer(student, admin_user):
    report = a_report(student)

    with pytest.raises(PermissionDenied):
        services.bug_report_update(report=report, status="open", answer="Mine", by=admin_user)
    services.bug_report_update(report=report, status="in_progress", answer=None, by=admin_user)

    report.refresh_from_db()
    assert (report.status, report.answer) == ("in_progress", None)
    assert len(notifications_of(student)) == 1


@pytest.mark.parametrize("person", ["teacher", "outsider"])
def test_teachers_and_other_academies_cannot_triage(request, student, person):
    report = a_report(student)

    with pytest.raises(PermissionDenied):
        services.bug_report_update(
            report=report, status="closed", answer=None, by=request.getfixturevalue(person)
        )

    report.refresh_from_db()
    assert report.status == BugReportStatus.OPEN
    assert notifications_of(student) == []


# --- Django admin: the operator -------------------------------------------------------------


def test_the_operator_filters_by_status_severity_and_academy(superuser, student, outsider):
    own = a_report(student, title="Own academy", severity="critical")
    foreign = a_report(outsider, title="Other academy", status="resolved")
    client = logged_in(superuser)

    def listed(**params) -> set[str]:
        content = client.get(CHANGELIST, params).content.decode()
        return {title for title in ("Own academy", "Other academy") if title in content}

    assert listed() == {"Own academy", "Other academy"}
    assert listed(status__exact="resolved") == {"Other academy"}
    assert listed(severity__exact="critical") == {"Own academy"}
    assert listed(user__organization__id__exact=str(outsider.organization_id)) == {"Other academy"}
    assert change_url(own) in client.get(CHANGELIST).content.decode()
    assert change_url(foreign) in client.get(CHANGELIST).content.decode()


def test_the_operator_resolves_and_answers_from_the_change_page(superuser, student):
    report = a_report(student, user_agent="Mozilla/5.0 Test", page_url="/home/")
    client = logged_in(superuser)

    page = client.get(change_url(report)).content.decode()
    assert "Mozilla/5.0 Test" in page and "/home/" in page  # captured, shown read-only

    response = client.post(
        change_url(report),
        {"status": "resolved", "severity": "high", "answer": "Fixed, thank you!"},
    )

    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.severity, report.answer) == (
        "resolved",
        "high",
        "Fixed, thank you!",
    )
    assert len(notifications_of(student)) == 1


def test_a_status_action_notifies_every_reporter_from_a_task_after_the_commit(
    superuser, student, organization, monkeypatch, django_capture_on_commit_callbacks
):
    queued: list[tuple] = []
    monkeypatch.setattr(tasks.notify_bug_reporters, "delay", lambda *a: queued.append(a))
    classmate = ProfileFactory(organization=organization)
    reports = [a_report(student), a_report(classmate), a_report(student, status="closed")]

    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in(superuser).post(
            CHANGELIST,
            {"action": "set_status_closed", "_selected_action": [str(r.pk) for r in reports]},
        )

    assert response.status_code == 302
    assert set(BugReport.objects.values_list("status", flat=True)) == {"closed"}
    assert Notification.objects.count() == 0  # nobody is told inside the request
    [(ids, by_id)] = queued
    assert sorted(ids) == sorted(str(r.pk) for r in reports[:2])  # the closed one did not move
    assert tasks.notify_bug_reporters(ids, by_id) == 2
    assert len(notifications_of(student)) == 1
    assert len(notifications_of(classmate)) == 1


def test_a_status_action_costs_the_same_whatever_the_number_of_reporters(
    superuser, organization, monkeypatch
):
    monkeypatch.setattr(tasks.notify_bug_reporters, "delay", lambda *a: None)
    client = logged_in(superuser)

    def queries_to_close(count: int) -> int:
        reports = [a_report(ProfileFactory(organization=organization)) for _ in range(count)]
        with CaptureQueriesContext(connection) as queries:
            client.post(
                CHANGELIST,
                {"action": "set_status_closed", "_selected_action": [str(r.pk) for r in reports]},
            )
        assert (
            not BugReport.objects.filter(pk__in=[r.pk for r in reports])
            .exclude(status="closed")
            .exists()
        )
        return len(queries)

    assert queries_to_close(2) == queries_to_close(8)


# --- Django admin: an academy admin ----------------------------------------------------------


def test_an_academy_admin_sees_their_own_academys_reports_only(admin_user, student, outsider):
    own = a_report(student, title="Own academy")
    foreign = a_report(outsider, title="Other academy")
    client = logged_in(admin_user)

    content = client.get(CHANGELIST).content.decode()

    assert change_url(own) in content
    assert change_url(foreign) not in content
    assert client.get(change_url(foreign)).status_code == 404
    assert client.get("/admin/inquiries/bugreport/add/").status_code == 403
    assert client.get(reverse("admin:inquiries_bugreport_delete", args=[own.pk])).status_code == 403


def test_an_academy_admin_changes_the_status_only(admin_user, student):
    report = a_report(student, severity="normal")
    client = logged_in(admin_user)

    page = client.get(change_url(report)).content.decode()
    assert 'name="status"' in page
    assert 'name="answer"' not in page and 'name="severity"' not in page

    response = client.post(
        change_url(report), {"status": "resolved", "severity": "critical", "answer": "Mine!"}
    )

    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.severity, report.answer) == ("resolved", "normal", None)
    assert len(notifications_of(student)) == 1


def test_an_academy_admins_action_skips_another_academys_reports(
    admin_user, student, outsider, monkeypatch
):
    monkeypatch.setattr(tasks.notify_bug_reporters, "delay", lambda *a: None)
    own, foreign = a_report(student), a_report(outsider)

    logged_in(admin_user).post(
        CHANGELIST,
        {"action": "set_status_resolved", "_selected_action": [str(own.pk), str(foreign.pk)]},
    )

    own.refresh_from_db()
    foreign.refresh_from_db()
    assert (own.status, foreign.status) == ("resolved", "open")


@pytest.mark.parametrize("person", ["student", "teacher"])
def test_students_and_teachers_never_reach_the_reports_in_admin(request, person, outsider):
    report = a_report(outsider)
    client = logged_in(request.getfixturevalue(person))

    for url in (CHANGELIST, change_url(report)):
        assert client.get(url).status_code == 302  # to the admin's log-in page
