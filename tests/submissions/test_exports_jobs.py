"""Exports as background jobs: "Prepare" queues exactly one task (and none
while one of that format is on its way), the exports page shows each state and
polls while a worker runs, only the journey's teachers and admins download a
ready file, failures say so and can be tried again, beat deletes expired files,
and the requests run a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import gzip
import re
import uuid
import zoneinfo

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from submissions.export_files import (
    EXPORT_LIFETIME,
    STALE_AFTER,
    submission_exports_expire,
)
from submissions.models import ExportStatus, SubmissionExport
from submissions.tasks import build_export, expire_exports
from tests.files.conftest import s3_server, use_storage  # noqa: F401 (s3_server: a fixture)
from tests.submissions import test_exports as content_tests
from tests.submissions.conftest import text_of
from tests.submissions.test_exports import download, download_url, exports_url, prepare_url

# The fixtures of test_exports.py serve here too.
eager_celery = content_tests.eager_celery
export_storage = content_tests.export_storage
prepare = content_tests.prepare

pytestmark = pytest.mark.usefixtures("english")


def make_export(klass, *, status=ExportStatus.QUEUED, export_format="csv", by=None, **fields):
    """A row as the service or the worker leaves it, without running either."""
    fields.setdefault("expires_at", timezone.now() + EXPORT_LIFETIME)
    if status == ExportStatus.READY:
        fields.setdefault("file_path", f"submission-exports/{uuid.uuid4().hex}.{export_format}")
        fields.setdefault("file_size", 2048)
        fields.setdefault("rows_written", 4)
    return SubmissionExport.objects.create(
        journey=klass.journey,
        requested_by=by or klass.teacher,
        format=export_format,
        status=status,
        **fields,
    )


# --- preparing ----------------------------------------------------------------------------


def test_preparing_queues_exactly_one_job_once_committed(
    client, klass, django_capture_on_commit_callbacks
):
    client.force_login(klass.teacher)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(prepare_url(klass.journey), {"format": "xlsx"})
    assert response.status_code == 302
    assert response["Location"] == exports_url(klass.journey)
    export = SubmissionExport.objects.get()
    assert (export.format, export.status, export.requested_by) == ("xlsx", "queued", klass.teacher)
    assert export.language == "en"
    assert len(callbacks) == 1


def test_asking_twice_while_one_is_on_its_way_queues_nothing_more(
    client, klass, django_capture_on_commit_callbacks
):
    client.force_login(klass.teacher)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(prepare_url(klass.journey), {"format": "csv"})
        SubmissionExport.objects.update(status=ExportStatus.RUNNING)
        response = client.post(prepare_url(klass.journey), {"format": "csv"}, follow=True)
    assert len(callbacks) == 1
    assert SubmissionExport.objects.count() == 1
    assert "Your CSV file is already being prepared." in text_of(response)
    # The other format, or another teacher, is a job of its own.
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(prepare_url(klass.journey), {"format": "xlsx"})
    assert len(callbacks) == 1
    assert SubmissionExport.objects.count() == 2


def test_the_database_refuses_a_second_active_export_of_a_person_and_format(klass):
    make_export(klass, status=ExportStatus.RUNNING)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_export(klass, status=ExportStatus.QUEUED)
    make_export(klass, status=ExportStatus.READY)  # finished ones do not count


def test_a_ready_export_has_its_file_and_the_format_is_checked(klass):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_export(klass, status=ExportStatus.READY, file_path="")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_export(klass, export_format="pdf")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_export(klass, status="done")


@pytest.mark.parametrize("data", [{}, {"format": "pdf"}, {"format": ""}])
def test_a_tampered_format_is_refused_and_queues_nothing(client, klass, data):
    client.force_login(klass.teacher)
    response = client.post(prepare_url(klass.journey), data)
    assert response.status_code == 400
    assert not SubmissionExport.objects.exists()


def test_preparing_is_post_only_and_keeps_csrf(klass, teacher):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(teacher)
    assert strict.get(prepare_url(klass.journey)).status_code == 405
    assert strict.post(prepare_url(klass.journey), {"format": "csv"}).status_code == 403
    assert not SubmissionExport.objects.exists()


def test_preparing_has_a_budget_per_teacher(client, klass, settings, prepare):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "submission_export": "2/h"}
    prepare("csv")
    prepare("xlsx")
    response = client.post(prepare_url(klass.journey), {"format": "csv"})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "You have asked for many exports lately." in text_of(response)
    assert SubmissionExport.objects.count() == 2


def test_the_prepare_request_runs_a_fixed_number_of_queries(
    client, klass, django_assert_num_queries, django_capture_on_commit_callbacks
):
    client.force_login(klass.teacher)
    client.get(exports_url(klass.journey))  # warm the session
    for _ in range(30):
        make_export(klass, status=ExportStatus.READY, by=None)
    # Person (the session comes from the cache), journey, "one on its way?",
    # then the insert in its savepoint.
    with django_assert_num_queries(6), django_capture_on_commit_callbacks(execute=False):
        response = client.post(prepare_url(klass.journey), {"format": "csv"})
    assert response.status_code == 302


# --- the former download addresses ----------------------------------------------------


@pytest.mark.parametrize("url_name", ["csv_url", "xlsx_url"])
def test_the_former_download_addresses_lead_to_the_exports_page(client, klass, url_name):
    client.force_login(klass.teacher)
    response = client.get(getattr(klass, url_name))
    assert response.status_code == 302
    assert response["Location"] == exports_url(klass.journey)
    assert not SubmissionExport.objects.exists()  # a GET starts nothing
    assert client.post(getattr(klass, url_name)).status_code == 405


# --- the exports page -------------------------------------------------------------------


def test_the_tab_offers_to_prepare_both_formats(client, klass):
    client.force_login(klass.teacher)
    html = client.get(klass.url).content.decode()
    action = re.escape(prepare_url(klass.journey))
    form = re.search(rf'<form[^>]*action="{action}"[^>]*>(.*?)</form>', html, re.S)
    assert form is not None
    assert 'name="csrfmiddlewaretoken"' in form.group(1)
    assert 'value="csv"' in form.group(1) and 'value="xlsx"' in form.group(1)
    assert f'href="{exports_url(klass.journey)}"' in html


def test_the_page_shows_each_state(client, klass, admin_user):
    waiting = make_export(klass, status=ExportStatus.QUEUED, export_format="csv")
    running = make_export(klass, status=ExportStatus.RUNNING, export_format="xlsx")
    ready = make_export(klass, status=ExportStatus.READY, by=admin_user, file_size=7_500_000)
    failed = make_export(klass, status=ExportStatus.FAILED, export_format="xlsx")
    client.force_login(klass.teacher)
    response = client.get(exports_url(klass.journey))
    assert response.status_code == 200
    text = text_of(response)
    html = response.content.decode()
    for label in ("Waiting", "Being prepared", "Ready", "Failed"):
        assert label in text
    assert "Hana Lee" in text and "Jisoo Park" in text  # who asked
    assert "7.2 MB" in text
    assert f'href="{download_url(ready)}"' in html
    for unfinished in (waiting, running, failed):
        assert download_url(unfinished) not in html
    assert "The file could not be prepared." in text and "Try again" in text
    # While a worker is busy, the list polls itself; without JavaScript the page reloads.
    assert 'hx-trigger="every 2s"' in html
    assert '<noscript><meta http-equiv="refresh"' in html


def test_times_are_on_the_viewers_clock(client, klass):
    klass.teacher.timezone = "America/New_York"
    klass.teacher.save(update_fields=["timezone"])
    export = make_export(klass, status=ExportStatus.READY)
    export.refresh_from_db()
    client.force_login(klass.teacher)
    text = text_of(client.get(exports_url(klass.journey)))

    def shown(zone: str) -> str:
        return export.created_at.astimezone(zoneinfo.ZoneInfo(zone)).strftime("%Y.%m.%d %H:%M")

    assert shown("America/New_York") in text
    assert shown("Asia/Seoul") not in text


def test_polling_stops_once_nothing_is_on_its_way(client, klass):
    export = make_export(klass, status=ExportStatus.RUNNING)
    client.force_login(klass.teacher)
    fragment = client.get(exports_url(klass.journey), headers={"HX-Request": "true"})
    assert 'hx-trigger="every 2s"' in fragment.content.decode()
    assert "<html" not in fragment.content.decode()  # just the list
    assert fragment["Vary"].count("HX-Request") == 1
    SubmissionExport.objects.filter(pk=export.pk).update(
        status=ExportStatus.READY, file_path="submission-exports/x.csv"
    )
    fragment = client.get(exports_url(klass.journey), headers={"HX-Request": "true"})
    html = fragment.content.decode()
    assert "hx-trigger" not in html
    assert download_url(export) in html


def test_the_page_lists_the_newest_first_and_pages_by_keyset(client, klass):
    now = timezone.now()
    made = [make_export(klass, status=ExportStatus.READY) for _ in range(23)]
    for age, export in enumerate(made):
        SubmissionExport.objects.filter(pk=export.pk).update(
            created_at=now - dt.timedelta(minutes=age)
        )
    client.force_login(klass.teacher)
    first = client.get(exports_url(klass.journey)).content.decode()
    links = re.findall(r'href="(/journeys/[^"]+/exports/[^"]+/download/)"', first)
    assert links == [download_url(export) for export in made[:20]]
    after = re.search(r'href="\?after=([^"]+)"', first).group(1)
    second = client.get(exports_url(klass.journey) + "?after=" + after).content.decode()
    links = re.findall(r'href="(/journeys/[^"]+/exports/[^"]+/download/)"', second)
    assert links == [download_url(export) for export in made[20:]]
    assert client.get(exports_url(klass.journey) + "?after=nonsense").status_code == 400


def test_expired_exports_are_not_listed(client, klass):
    make_export(klass, status=ExportStatus.READY, expires_at=timezone.now() - dt.timedelta(1))
    client.force_login(klass.teacher)
    assert "No exports yet." in text_of(client.get(exports_url(klass.journey)))


def test_the_page_runs_a_fixed_number_of_queries(client, klass, django_assert_num_queries):
    client.force_login(klass.teacher)
    client.get(exports_url(klass.journey))  # warm the session
    make_export(klass, status=ExportStatus.READY)

    def queries() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert client.get(exports_url(klass.journey)).status_code == 200
        return len(captured)

    few = queries()
    for _ in range(25):
        make_export(klass, status=ExportStatus.READY, by=None)
    with django_assert_num_queries(few):
        client.get(exports_url(klass.journey))


# --- a prepared file, end to end -----------------------------------------------------------


def test_a_prepared_export_is_listed_ready_with_its_download(client, klass, prepare):
    export = prepare("csv")
    export.refresh_from_db()
    assert export.status == ExportStatus.READY
    assert export.started_at is not None and export.finished_at is not None
    assert export.expires_at > export.finished_at + EXPORT_LIFETIME - dt.timedelta(minutes=1)
    response = client.get(exports_url(klass.journey))
    text = text_of(response)
    assert "Preparing the CSV file. It appears below when it is ready." in text
    assert "hx-trigger" not in response.content.decode()
    assert download_url(export) in response.content.decode()
    response, body = download(client, export)
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert body.startswith("\ufeff".encode())


def test_a_failure_is_recorded_and_can_be_tried_again(
    client, klass, settings, tmp_path, prepare, django_capture_on_commit_callbacks
):
    # The private storage's folder cannot be made (a file is in the way).
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    settings.STORAGES = {
        **settings.STORAGES,
        "private_files": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": blocker / "private"},
        },
    }
    export = prepare("csv")
    export.refresh_from_db()
    assert export.status == ExportStatus.FAILED
    assert export.file_path == "" and export.error.startswith(("NotADirectoryError", "FileExists"))
    assert len(export.error) <= 500
    text = text_of(client.get(exports_url(klass.journey)))
    assert "Failed" in text and "The file could not be prepared." in text
    assert client.get(download_url(export)).status_code == 404
    # "Try again": the storage works again, a new export is ready.
    use_storage("local", None, settings, tmp_path / "fixed")
    again = prepare("csv")
    again.refresh_from_db()
    assert again.status == ExportStatus.READY


def test_a_task_for_an_export_no_longer_waiting_does_nothing(klass, export_storage):
    ready = make_export(klass, status=ExportStatus.READY)
    assert build_export.apply(args=[str(ready.pk)]).get() is None
    assert build_export.apply(args=[str(uuid.uuid4())]).get() is None
    assert not any(export_storage.rglob("*.csv"))


# --- download access ------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["teacher", "admin_user"])
def test_the_journeys_teachers_and_admins_download(client, klass, prepare, who, request):
    export = prepare("csv")
    client.force_login(request.getfixturevalue(who))
    assert client.get(download_url(export)).status_code == 200


@pytest.mark.parametrize("who", ["student", "outsider"])
def test_students_and_other_academies_get_404(client, klass, prepare, who, request):
    export = prepare("csv")
    client.force_login(request.getfixturevalue(who))
    assert client.get(download_url(export)).status_code == 404
    assert client.get(exports_url(klass.journey)).status_code == 404
    assert client.post(prepare_url(klass.journey), {"format": "csv"}).status_code == 404
    assert client.get(klass.csv_url).status_code == 404
    assert SubmissionExport.objects.count() == 1


def test_a_teacher_of_another_academy_gets_404(client, klass, prepare, other_organization):
    from accounts.models import Role
    from tests.factories import ProfileFactory

    export = prepare("csv")
    client.force_login(ProfileFactory(organization=other_organization, role=Role.TEACHER))
    assert client.get(download_url(export)).status_code == 404


def test_anonymous_people_are_sent_to_log_in(client, klass, prepare):
    export = prepare("csv")
    client.logout()
    response = client.get(download_url(export))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert client.get(exports_url(klass.journey)).status_code == 302


def test_another_journeys_export_id_is_not_found(client, klass, prepare):
    from tests.factories import JourneyFactory

    other = JourneyFactory(organization=klass.journey.organization)
    export = prepare("csv", journey=other)
    client.force_login(klass.teacher)
    assert client.get(download_url(export)).status_code == 200
    under_this_journey = reverse("submissions:export_download", args=[klass.journey.pk, export.pk])
    assert client.get(under_this_journey).status_code == 404


def test_an_expired_or_unfinished_export_is_not_served(client, klass, prepare):
    export = prepare("csv")
    SubmissionExport.objects.filter(pk=export.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    client.force_login(klass.teacher)
    assert client.get(download_url(export)).status_code == 404
    waiting = make_export(klass, status=ExportStatus.QUEUED, export_format="xlsx")
    assert client.get(download_url(waiting)).status_code == 404


def test_a_ready_row_without_its_file_is_404(client, klass, export_storage):
    export = make_export(klass, status=ExportStatus.READY)  # no bytes behind it
    client.force_login(klass.teacher)
    assert client.get(download_url(export)).status_code == 404


def test_on_s3_the_download_is_a_presigned_redirect(
    client, klass, settings, request, eager_celery, django_capture_on_commit_callbacks
):
    import urllib.request
    from urllib.parse import parse_qs, urlsplit

    use_storage("s3", request, settings, None)
    client.force_login(klass.teacher)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(prepare_url(klass.journey), {"format": "csv"})
    export = SubmissionExport.objects.get()
    assert export.status == ExportStatus.READY
    response = client.get(download_url(export))
    assert response.status_code == 302
    assert response["Cache-Control"] == "private, no-store"
    query = parse_qs(urlsplit(response["Location"]).query)
    assert query["response-content-type"] == ["text/csv; charset=utf-8"]
    assert "filename*=UTF-8''AI%20" in query["response-content-disposition"][0]
    assert query["response-content-encoding"] == ["gzip"]  # the stored CSV is gzipped
    assert "X-Amz-Signature" in query
    with urllib.request.urlopen(response["Location"]) as s3_answer:
        assert s3_answer.headers["Content-Encoding"] == "gzip"
        body = gzip.decompress(s3_answer.read())
    assert body.startswith("\ufeff".encode()) and len(body) == export.file_size


# --- expiry ---------------------------------------------------------------------------------


def test_expired_exports_lose_their_rows_and_files(klass, prepare, export_storage):
    kept, old = prepare("csv"), prepare("xlsx")
    old.refresh_from_db()
    stored = export_storage / old.file_path
    assert stored.exists()
    SubmissionExport.objects.filter(pk=old.pk).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    assert submission_exports_expire() == {"deleted": 1, "stale": 0}
    assert not stored.exists()
    assert list(SubmissionExport.objects.values_list("pk", flat=True)) == [kept.pk]
    kept.refresh_from_db()
    assert (export_storage / kept.file_path).exists()


def test_a_deleted_journey_takes_its_export_files_with_it(
    klass, prepare, export_storage, django_capture_on_commit_callbacks
):
    export = prepare("csv")
    export.refresh_from_db()
    stored = export_storage / export.file_path
    assert stored.exists()
    with django_capture_on_commit_callbacks(execute=True):
        klass.journey.delete()
    assert not SubmissionExport.objects.exists()
    assert not stored.exists()


def test_beat_runs_the_clean_up_and_gives_up_on_stuck_exports(klass, settings, export_storage):
    assert settings.CELERY_BEAT_SCHEDULE["expire-submission-exports"]["task"] == (
        expire_exports.name
    )
    long_ago = timezone.now() - STALE_AFTER - dt.timedelta(minutes=1)
    stuck = make_export(klass, status=ExportStatus.RUNNING, started_at=long_ago)
    lost = make_export(klass, status=ExportStatus.QUEUED, export_format="xlsx")
    SubmissionExport.objects.filter(pk=lost.pk).update(created_at=long_ago)
    busy = make_export(
        klass, status=ExportStatus.RUNNING, started_at=timezone.now(), by=klass.student
    )
    assert expire_exports.apply().get() == {"deleted": 0, "stale": 2}
    statuses = dict(SubmissionExport.objects.values_list("pk", "status"))
    assert statuses == {stuck.pk: "failed", lost.pk: "failed", busy.pk: "running"}
    # A worker that finishes late finds its export given up on: nothing changes.
    assert build_export.apply(args=[str(stuck.pk)]).get() is None


def test_admin_lists_exports_read_only(client, klass, superuser, prepare, export_storage):
    export = prepare("csv")
    export.refresh_from_db()
    client.force_login(superuser)
    listing = client.get(reverse("admin:submissions_submissionexport_changelist"))
    assert listing.status_code == 200
    change = reverse("admin:submissions_submissionexport_change", args=[export.pk])
    page = client.get(change)
    assert page.status_code == 200 and b'name="_save"' not in page.content
    assert client.get(reverse("admin:submissions_submissionexport_add")).status_code == 403
    delete = reverse("admin:submissions_submissionexport_delete", args=[export.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not SubmissionExport.objects.exists()
    assert not (export_storage / export.file_path).exists()
