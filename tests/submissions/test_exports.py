"""CSV and XLSX exports of a journey's submissions with their grades: headers
in the requester's language, times on their clock, one row per submission,
Korean text intact, formulas kept as text, and flat query counts."""

from __future__ import annotations

import csv
import io
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from community.models import Post
from submissions.exports import COLUMNS
from tests.factories import JourneyFactory, ProfileFactory, TeamFactory

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


def download(client, viewer, url, language="en"):
    client.force_login(viewer)
    response = client.get(url, headers={"Accept-Language": language})
    assert response.status_code == 200
    return response, b"".join(response.streaming_content)


def csv_rows(client, klass, language="en") -> list[list[str]]:
    response, body = download(client, klass.teacher, klass.csv_url, language)
    assert body.startswith("\ufeff".encode())  # the BOM Excel needs for Korean
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def xlsx_rows(client, klass, language="en") -> list[tuple]:
    response, body = download(client, klass.teacher, klass.xlsx_url, language)
    sheet = load_workbook(io.BytesIO(body)).active
    return [tuple(cell.value for cell in row) for row in sheet.iter_rows()]


def local(moment) -> str:
    return moment.astimezone(SEOUL).strftime("%Y-%m-%d %H:%M")


def post_url(post) -> str:
    return "http://testserver" + reverse("community:post_detail", args=[post.journey_id, post.pk])


# --- CSV ------------------------------------------------------------------------------


def test_csv_headers_are_in_english_for_an_english_reader(client, klass):
    assert csv_rows(client, klass, "en")[0] == ENGLISH_HEADERS


def test_csv_headers_are_in_korean_for_a_korean_reader(client, klass):
    headers = csv_rows(client, klass, "ko")[0]
    with translation.override("ko"):
        assert headers == [str(column) for column in COLUMNS]
    for korean in ("학생", "이메일", "팀", "제목", "상태", "숨김"):
        assert korean in headers


def test_csv_has_one_row_per_submission_with_its_grade(client, klass):
    rows = csv_rows(client, klass)[1:]
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


def test_csv_team_post_row_names_the_team_and_keeps_korean(client, klass):
    team_row = csv_rows(client, klass)[4]
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


def test_csv_journey_name_in_korean_round_trips_in_the_file_name(client, klass):
    response, _ = download(client, klass.teacher, klass.csv_url)
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="submissions-')
    assert (
        "filename*=UTF-8''AI%20%EC%9E%90%EB%8F%99%ED%99%94%20%C2%B7%20Automation%20submissions"
        in disposition
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"


def test_csv_hidden_posts_are_flagged_and_formulas_stay_text(client, klass):
    sheet_row = csv_rows(client, klass)[3]
    assert sheet_row[6] == '\'=HYPERLINK("http://evil.example")'
    assert (sheet_row[8], sheet_row[9], sheet_row[12]) == ("Not achieved", "0", "Yes")


def test_csv_times_are_on_the_readers_clock_even_though_it_streams(client, klass, settings):
    # The middleware puts the zone back before the body streams: the rows must
    # still be in Seoul time, not UTC.
    settings.DEFAULT_USER_TIMEZONE = "Asia/Seoul"
    row = csv_rows(client, klass)[1]
    assert row[7] == local(klass.posts.intro_mine.created_at)


def test_a_journey_without_submissions_exports_just_the_headers(client, klass, teacher):
    empty = JourneyFactory(organization=klass.journey.organization)
    client.force_login(teacher)
    response = client.get(reverse("submissions:export_csv", args=[empty.pk]))
    assert b"".join(response.streaming_content).decode("utf-8-sig").count("\n") == 1


# --- XLSX -----------------------------------------------------------------------------


def test_xlsx_has_the_same_headers_and_rows(client, klass):
    rows = xlsx_rows(client, klass)
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


def test_xlsx_keeps_korean_and_the_team_and_formulas_as_text(client, klass):
    rows = xlsx_rows(client, klass, "ko")
    with translation.override("ko"):
        assert list(rows[0]) == [str(column) for column in COLUMNS]
    assert rows[4][5:7] == ("Blaze", "우리 팀의 발표")
    assert rows[3][6] == '=HYPERLINK("http://evil.example")'  # a string, not a formula


def test_xlsx_is_an_attachment_named_after_the_journey(client, klass):
    response, body = download(client, klass.teacher, klass.xlsx_url)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "filename*=UTF-8''AI%20%EC%9E%90%EB%8F%99%ED%99%94" in response["Content-Disposition"]
    assert body[:2] == b"PK"  # a ZIP archive


# --- access ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["student", "outsider"])
def test_students_and_other_academies_cannot_export(client, klass, who, request):
    client.force_login(request.getfixturevalue(who))
    assert client.get(klass.csv_url).status_code == 404
    assert client.get(klass.xlsx_url).status_code == 404


def test_exports_are_get_only(client, klass):
    client.force_login(klass.teacher)
    assert client.post(klass.csv_url).status_code == 405


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


@pytest.mark.parametrize("url_name", ["csv_url", "xlsx_url"])
def test_the_query_count_does_not_grow_with_the_rows(
    client, klass, url_name, django_assert_num_queries
):
    client.force_login(klass.teacher)
    url = getattr(klass, url_name)
    client.get(url)  # warm the session

    def queries_for_download() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
            body = b"".join(response.streaming_content)
        assert body
        return len(queries)

    few = queries_for_download()
    assert _more_posts(klass, 100) > 300
    with django_assert_num_queries(few):
        response = client.get(url)
        b"".join(response.streaming_content)


def test_quotes_and_line_breaks_in_a_journey_name_cannot_break_the_header(client, klass):
    klass.journey.name = 'Spring "A"\r\nSet-Cookie: x=1 / 봄'
    klass.journey.save(update_fields=["name"])
    response, _ = download(client, klass.teacher, klass.csv_url)
    disposition = response["Content-Disposition"]
    assert "\n" not in disposition and "\r" not in disposition
    assert disposition.count('"') == 2  # only around the ASCII fallback
    assert "filename*=UTF-8''Spring%20A%20Set-Cookie%20x%3D1%20%EB%B4%84%20submissions" in (
        disposition
    )


# --- the journey's index --------------------------------------------------------------


def _export_sql(client, klass) -> str:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(klass.teacher)
    with CaptureQueriesContext(connection) as queries:
        b"".join(client.get(klass.csv_url).streaming_content)
    [sql] = [q["sql"] for q in queries.captured_queries if 'FROM "posts"' in q["sql"]]
    return sql


def test_the_export_finds_posts_by_their_own_journey(client, klass):
    sql = _export_sql(client, klass)
    where = sql.split(" WHERE ", 1)[1].split(" ORDER BY ", 1)[0]
    assert f'"posts"."journey_id" = \'{klass.journey.pk.hex}\'::uuid' in where
    # Not through the mission instances' column, which no index of posts serves.
    assert '"journey_mission_instances"."journey_id"' not in where


def test_the_export_reads_the_journey_through_its_index(klass, organization):
    """With other journeys' posts around (and statistics to know it), PostgreSQL
    reads this journey's posts through the index on posts.journey_id, not the
    whole table."""
    from django.db import connection

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
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE posts")
    plan = submissions_for_export(klass.journey).explain()
    assert "posts_journey_id" in plan, plan


def test_the_export_has_the_rows_the_mission_filter_had(client, klass):
    """Today's rows, in today's order: the posts the former filter (through the
    mission instances) found, and not a journey's post that is no submission."""
    from submissions.exports import submissions_for_export

    Post.objects.create(journey=klass.journey, user=klass.student, title="Just chatting")
    former = Post.objects.filter(mission_instance__journey=klass.journey).order_by(
        *submissions_for_export(klass.journey).query.order_by
    )
    rows = csv_rows(client, klass)[1:]
    assert [row[-1] for row in rows] == [post_url(post) for post in former]
    assert "Just chatting" not in {row[6] for row in rows}
