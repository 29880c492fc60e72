"""What is in an export of a journey's submissions, now that a Celery worker
writes it: headers in the requester's language, times on their clock, one row
per submission, Korean text intact, formulas kept as text, the same bytes the
streamed CSV had, and a query count that does not grow with the rows.

Each test prepares an export the way a teacher does (POST "Prepare"), lets the
queued task run as a worker would (eager Celery, on commit) and downloads the
file. The fixtures here serve tests/submissions/test_exports_jobs.py too."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from community.models import Post
from core.database_roles import as_owner
from core.links import absolute_url
from sqeeze.celery import app as celery_app
from submissions import exports
from submissions.exports import COLUMNS, ExportSettings
from submissions.models import SubmissionExport
from submissions.tasks import build_export
from tests.factories import JourneyFactory, ProfileFactory, TeamFactory
from tests.files.conftest import use_storage

SEOUL = zoneinfo.ZoneInfo("Asia/Seoul")

ENGLISH_HEADERS = [
    "Week",
    "Mission",
    "Type",
    "Student",
    "E-mail",
    "Team",
    "Title",
    "Submitted at",
    "Status",
    "Score",
    "Graded at",
    "Graded by",
    "Hidden",
    "Post URL",
]


# --- fixtures (test_exports_jobs.py imports them) -------------------------------------


@pytest.fixture
def export_storage(request, settings, tmp_path):
    """The private files on local disk, in a folder of this test's own."""
    use_storage("local", request, settings, tmp_path)
    return tmp_path / "private"


@pytest.fixture
def eager_celery():
    """``delay`` runs the task here and now, as a worker would (errors raised)."""
    conf = celery_app.conf
    before = conf.task_always_eager, conf.task_eager_propagates
    conf.task_always_eager, conf.task_eager_propagates = True, True
    yield
    conf.task_always_eager, conf.task_eager_propagates = before


def prepare_url(journey) -> str:
    return reverse("submissions:export_prepare", args=[journey.pk])


def exports_url(journey) -> str:
    return reverse("submissions:exports", args=[journey.pk])


def download_url(export) -> str:
    return reverse("submissions:export_download", args=[export.journey_id, export.pk])


@pytest.fixture
def prepare(client, klass, export_storage, eager_celery, django_capture_on_commit_callbacks):
    """``prepare("csv")``: the teacher (or ``viewer``) presses "Prepare CSV",
    reading in ``language``; the task queued on commit runs. The new export."""

    def run(export_format="csv", *, language="en", viewer=None, journey=None):
        journey = journey or klass.journey
        client.force_login(viewer or klass.teacher)
        before = set(SubmissionExport.objects.values_list("pk", flat=True))
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = client.post(
                prepare_url(journey),
                {"format": export_format},
                headers={"Accept-Language": language},
            )
        assert response.status_code == 302, response.content
        assert response["Location"] == exports_url(journey)
        assert len(callbacks) == 1  # one task queued
        [export] = SubmissionExport.objects.exclude(pk__in=before)
        return export

    return run


def download(client, export, language="en"):
    response = client.get(download_url(export), headers={"Accept-Language": language})
    assert response.status_code == 200
    return response, b"".join(response.streaming_content)


def csv_rows(client, prepare, language="en", **options) -> list[list[str]]:
    _response, body = download(client, prepare("csv", language=language, **options), language)
    assert body.startswith("\ufeff".encode())  # the BOM Excel needs for Korean
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def xlsx_rows(client, prepare, language="en") -> list[tuple]:
    _response, body = download(client, prepare("xlsx", language=language), language)
    sheet = load_workbook(io.BytesIO(body)).active
    return [tuple(cell.value for cell in row) for row in sheet.iter_rows()]


def local(moment, zone=SEOUL) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def post_url(post) -> str:
    # Written by a worker, away from any request: on SITE_URL, as e-mails are.
    return absolute_url(reverse("community:post_detail", args=[post.journey_id, post.pk]))


# --- CSV ------------------------------------------------------------------------------


def test_csv_headers_are_in_english_for_an_english_reader(client, prepare):
    assert csv_rows(client, prepare, "en")[0] == ENGLISH_HEADERS


def test_csv_headers_are_in_korean_for_a_korean_reader(client, prepare):
    headers = csv_rows(client, prepare, "ko")[0]
    with translation.override("ko"):
        assert headers == [str(column) for column in COLUMNS]
    for korean in ("학생", "이메일", "팀", "제목", "상태", "숨김"):
        assert korean in headers


def test_the_language_of_the_profile_wins_over_the_browser(client, klass, prepare):
    klass.teacher.language = "ko"
    klass.teacher.save(update_fields=["language"])
    headers = csv_rows(client, prepare, "en")[0]
    assert "학생" in headers


def test_csv_has_one_row_per_submission_with_its_grade(client, klass, prepare):
    rows = csv_rows(client, prepare)[1:]
    mine = klass.posts.intro_mine
    assert len(rows) == 4
    assert rows[0] == [
        "Week 1",
        "Intro",
        "Individual",
        "Minji Kim",
        "student@example.test",
        "",
        "My intro",
        local(mine.created_at),
        "Achieved",
        "8",
        local(mine.graded_at),
        "Jisoo Park",
        "No",
        post_url(mine),
    ]
    # Plan order, then by student: the classmate's intro, the sheet, the team pitch.
    assert [(row[1], row[3]) for row in rows] == [
        ("Intro", "Minji Kim"),
        ("Intro", "Sora Park"),
        ("Sheet", "Sora Park"),
        ("Pitch", "Jun Lee"),
    ]
    waiting = rows[1]
    assert (waiting[8], waiting[9], waiting[10], waiting[11]) == ("Waiting for grading", "", "", "")


def test_csv_team_post_row_names_the_team_and_keeps_korean(client, klass, prepare):
    team_row = csv_rows(client, prepare)[4]
    assert team_row[:7] == [
        "Week 2",
        "Pitch",
        "Team",
        "Jun Lee",
        klass.teammate.email,
        "Blaze",
        "우리 팀의 발표",
    ]
    assert team_row[-1] == post_url(klass.posts.pitch_team)


def test_csv_journey_name_in_korean_round_trips_in_the_file_name(client, prepare):
    response, _body = download(client, prepare("csv"))
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="submissions-')
    assert (
        "filename*=UTF-8''AI%20%EC%9E%90%EB%8F%99%ED%99%94%20%C2%B7%20Automation%20submissions"
        in disposition
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"


def test_csv_hidden_posts_are_flagged_and_formulas_stay_text(client, prepare):
    sheet_row = csv_rows(client, prepare)[3]
    assert sheet_row[6] == '\'=HYPERLINK("http://evil.example")'
    assert (sheet_row[8], sheet_row[9], sheet_row[12]) == ("Not achieved", "0", "Yes")


def test_csv_times_are_on_the_readers_clock_though_a_worker_writes_it(
    client, klass, prepare, settings
):
    # A worker runs in UTC: the rows must still be on the requester's clock,
    # the site's default zone when their profile names none.
    settings.DEFAULT_USER_TIMEZONE = "Asia/Seoul"
    row = csv_rows(client, prepare)[1]
    assert row[7] == local(klass.posts.intro_mine.created_at)


def test_csv_times_are_on_the_clock_of_the_requesters_profile(client, klass, prepare):
    klass.teacher.timezone = "America/New_York"
    klass.teacher.save(update_fields=["timezone"])
    row = csv_rows(client, prepare)[1]
    mine = klass.posts.intro_mine
    assert row[7] == local(mine.created_at, zoneinfo.ZoneInfo("America/New_York"))
    assert row[7] != local(mine.created_at)


def test_the_file_has_the_bytes_the_streamed_csv_had(client, klass, prepare):
    """Byte for byte what ``csv_stream`` (the former download's body) gives in
    the same terms: BOM, quoting, line ends and all."""
    _response, body = download(client, prepare("csv"))
    terms = ExportSettings.for_person(klass.teacher, language="en")
    assert body == "".join(exports.csv_stream(klass.journey, terms)).encode("utf-8")


def test_a_journey_without_submissions_exports_just_the_headers(client, klass, prepare):
    empty = JourneyFactory(organization=klass.journey.organization)
    export = prepare("csv", journey=empty)
    _response, body = download(client, export)
    assert body.decode("utf-8-sig").count("\n") == 1
    export.refresh_from_db()
    assert export.rows_written == 0


# --- XLSX -----------------------------------------------------------------------------


def test_xlsx_has_the_same_headers_and_rows(client, klass, prepare):
    rows = xlsx_rows(client, prepare)
    assert list(rows[0]) == ENGLISH_HEADERS
    assert len(rows) == 5
    mine = klass.posts.intro_mine
    first = rows[1]
    assert first[:7] == (
        "Week 1",
        "Intro",
        "Individual",
        "Minji Kim",
        "student@example.test",
        None,
        "My intro",
    )
    # Real date cells, on the Seoul clock.
    assert first[7].strftime("%Y-%m-%d %H:%M") == local(mine.created_at)
    assert (first[8], first[9], first[11], first[12]) == ("Achieved", 8, "Jisoo Park", "No")
    assert first[13] == post_url(mine)


def test_xlsx_keeps_korean_and_the_team_and_formulas_as_text(client, prepare):
    rows = xlsx_rows(client, prepare, "ko")
    with translation.override("ko"):
        assert list(rows[0]) == [str(column) for column in COLUMNS]
    assert rows[4][5:7] == ("Blaze", "우리 팀의 발표")
    assert rows[3][6] == '=HYPERLINK("http://evil.example")'  # a string, not a formula


def test_xlsx_is_an_attachment_named_after_the_journey(client, prepare):
    response, body = download(client, prepare("xlsx"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "filename*=UTF-8''AI%20%EC%9E%90%EB%8F%99%ED%99%94" in response["Content-Disposition"]
    assert body[:2] == b"PK"  # a ZIP archive


def test_the_export_counts_its_rows_and_bytes(client, prepare, export_storage):
    export = prepare("xlsx")
    export.refresh_from_db()
    assert export.rows_written == 4
    stored = export_storage / export.file_path
    assert export.file_size == stored.stat().st_size > 0
    _response, body = download(client, export)
    assert len(body) == export.file_size


# --- CSV, stored and sent gzipped -------------------------------------------------------


def test_the_csv_is_stored_gzipped_and_browsers_get_it_so(client, prepare, export_storage):
    export = prepare("csv")
    export.refresh_from_db()
    stored = (export_storage / export.file_path).read_bytes()
    assert export.file_path.endswith(".csv.gz")
    identity_response, csv_bytes = download(client, export)
    # A client that does not take gzip (the test client, curl): the CSV itself.
    assert "Content-Encoding" not in identity_response
    assert int(identity_response["Content-Length"]) == export.file_size == len(csv_bytes)
    assert gzip.decompress(stored) == csv_bytes
    # A browser: the stored bytes as they are, which it decodes into the same CSV.
    response = client.get(download_url(export), headers={"Accept-Encoding": "gzip, deflate, br"})
    body = b"".join(response.streaming_content)
    assert response["Content-Encoding"] == "gzip"
    assert int(response["Content-Length"]) == len(body) == len(stored) < len(csv_bytes)
    assert gzip.decompress(body) == csv_bytes
    assert "Accept-Encoding" in response["Vary"]
    assert response["Content-Type"] == "text/csv; charset=utf-8"


@pytest.mark.parametrize("header", ["gzip;q=0, deflate", "identity", "*;q=0", "br"])
def test_a_client_refusing_gzip_gets_the_plain_csv(client, prepare, header):
    export = prepare("csv")
    response = client.get(download_url(export), headers={"Accept-Encoding": header})
    body = b"".join(response.streaming_content)
    assert "Content-Encoding" not in response
    assert body.startswith("\ufeff".encode())


# --- queries --------------------------------------------------------------------------


def _more_posts(klass, students: int) -> int:
    """``students`` more authors, each with three graded individual posts, and
    a team post from every tenth of them."""
    people = ProfileFactory.create_batch(students, organization=klass.journey.organization)
    posts = [
        Post(
            mission_instance=instance,
            journey=klass.journey,
            user=person,
            title=f"Extra {index}",
            achievement_status="achieved",
            score=5,
            graded_by=klass.teacher,
        )
        for index, person in enumerate(people)
        for instance in (klass.intro, klass.sheet, klass.retro)
    ]
    posts += [
        Post(
            mission_instance=klass.pitch,
            journey=klass.journey,
            user=person,
            team=TeamFactory(journey=klass.journey),
            is_team_submission=True,
            title="Team extra",
        )
        for person in people[::10]
    ]
    Post.objects.bulk_create(posts)
    return len(posts)


def _build_queries(klass, export_format: str) -> int:
    """How many queries the worker's task runs for a new export."""
    export = SubmissionExport.objects.create(
        journey=klass.journey,
        requested_by=klass.teacher,
        format=export_format,
        language="en",
        expires_at=timezone.now() + dt.timedelta(days=1),
    )
    with CaptureQueriesContext(connection) as queries:
        assert build_export.apply(args=[str(export.pk)]).get() == "ready"
    return len(queries)


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_the_query_count_does_not_grow_with_the_rows(klass, export_format, export_storage):
    few = _build_queries(klass, export_format)
    assert _more_posts(klass, 100) > 300
    assert _build_queries(klass, export_format) == few


def test_quotes_and_line_breaks_in_a_journey_name_cannot_break_the_header(client, klass, prepare):
    klass.journey.name = 'Spring "A"\r\nSet-Cookie: x=1 / 봄'
    klass.journey.save(update_fields=["name"])
    response, _body = download(client, prepare("csv"))
    disposition = response["Content-Disposition"]
    assert "\n" not in disposition and "\r" not in disposition
    assert disposition.count('"') == 2  # only around the ASCII fallback
    assert "filename*=UTF-8''Spring%20A%20Set-Cookie%20x%3D1%20%EB%B4%84%20submissions" in (
        disposition
    )


# --- the journey's index --------------------------------------------------------------


def _export_sql(klass, export_storage) -> str:
    export = SubmissionExport.objects.create(
        journey=klass.journey,
        requested_by=klass.teacher,
        format="csv",
        expires_at=timezone.now() + dt.timedelta(days=1),
    )
    with CaptureQueriesContext(connection) as queries:
        build_export.apply(args=[str(export.pk)])
    [sql] = [q["sql"] for q in queries.captured_queries if 'FROM "posts"' in q["sql"]]
    return sql


def test_the_export_finds_posts_by_their_own_journey(klass, export_storage):
    sql = _export_sql(klass, export_storage)
    where = sql.split(" WHERE ", 1)[1].split(" ORDER BY ", 1)[0]
    assert f'"posts"."journey_id" = \'{klass.journey.pk.hex}\'::uuid' in where
    # Not through the mission instances' column, which no index of posts serves.
    assert '"journey_mission_instances"."journey_id"' not in where


@pytest.mark.django_db(transaction=True)
def test_the_export_reads_the_journey_through_its_index(klass, organization):
    """With other journeys' posts around (and statistics to know it), PostgreSQL
    reads this journey's posts through the index on posts.journey_id, not the
    whole table."""
    from submissions.exports import submissions_for_export
    from tests.factories import MissionInstanceFactory

    # 2,000 posts of another journey (one per author and mission: a unique index).
    other = JourneyFactory(organization=organization)
    week = MissionInstanceFactory(journey_week__journey=other).journey_week
    instances = [MissionInstanceFactory(journey_week=week) for _ in range(40)]
    authors = ProfileFactory.create_batch(50, organization=organization)
    Post.objects.bulk_create(
        Post(mission_instance=i, journey=other, user=p, title="Elsewhere")
        for i in instances
        for p in authors
    )
    with as_owner() as owner, owner.cursor() as cursor:
        cursor.execute("ANALYZE posts")  # the owner's (committed rows: a transactional test)
    plan = submissions_for_export(klass.journey).explain()
    assert "posts_journey_id" in plan, plan


def test_the_export_has_the_rows_the_mission_filter_had(client, klass, prepare):
    """Today's rows, in today's order: the posts the former filter (through the
    mission instances) found, and not a journey's post that is no submission."""
    from submissions.exports import submissions_for_export

    Post.objects.create(journey=klass.journey, user=klass.student, title="Just chatting")
    former = Post.objects.filter(mission_instance__journey=klass.journey).order_by(
        *submissions_for_export(klass.journey).query.order_by
    )
    rows = csv_rows(client, prepare)[1:]
    assert [row[-1] for row in rows] == [post_url(post) for post in former]
    assert "Just chatting" not in {row[6] for row in rows}
