"""The bench's data set, written with set-based SQL (``INSERT … SELECT`` over
``generate_series``) into a migrated, empty database.

    DATABASE_URL=postgres://…/bench_tenth DJANGO_SETTINGS_MODULE=bench.settings \\
        .venv/bin/python -m bench.generate tenth

(``make bench`` does this itself, in a database of its own.) What it writes,
for the full scale (``bench.scales``; a tenth has a tenth of each volume):

- academies of ten journeys each, with an admin and two teachers;
- 10,000 students in 60 journeys of eight weeks, every student in one journey:
  journey 1 has 1,260 students and 32 missions (four a week), the others about
  148 students and 16 missions; a journey is in its seventh week (weeks 1–6
  closed, week 7 open, week 8 to come); one mission in eight is a team mission;
- teams of ten in every journey (the first member leads);
- 100,000 posts: 85% of journey 1's possible individual submissions, about
  90% of the team submissions, the rest spread over the other journeys; graded
  like a real class (closed weeks mostly achieved, the open week mostly
  waiting), with ``user_points`` / ``team_points`` for the achieved ones;
- 1,000,000 likes and 300,000 comments by classmates (and teachers),
  1,000,000 notifications (likes, comments, grading, new missions, deadlines,
  teachers' new submissions), most of them read;
- a published blog, verified e-mail addresses (allauth) for everyone, and the
  same password for everyone, hashed once by Django (``BENCH_PASSWORD``).

Random choices use ``setseed``, so the shape and the counts are the same on
every run (the ids are not). ``generate`` runs in the caller's transaction on
a Django connection: the bench calls it in its own, the test in the test's.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from collections.abc import Callable

from bench.scales import SCALES, Scale, scale_of

BENCH_PASSWORD = "bench-password"  # noqa: S105 (generated people in a throwaway database)
EMAIL_DOMAIN = "bench.sqeeze.test"
# The people the bench logs in as: a student of the largest journey and a
# teacher of its academy.
BENCH_STUDENT_EMAIL = f"student1@{EMAIL_DOMAIN}"
BENCH_TEACHER_EMAIL = f"teacher1@{EMAIL_DOMAIN}"

LAST_NAMES = "ARRAY['김','이','박','최','정','강','조','윤','장','임','한','오']"
FIRST_NAMES = (
    "ARRAY['민준','서연','도윤','지우','하준','서윤','시우','하은','주원','지민',"
    "'예준','수아','지호','채원','유준','지아','건우','다은','우진','소율']"
)
TOPICS = (
    "ARRAY['파이썬 기초','데이터 분석','영어 회화','UX 디자인','마케팅 전략','글쓰기',"
    "'통계 입문','코딩 테스트','프레젠테이션','엑셀 실무','SQL 첫걸음','브랜딩',"
    "'리서치','포트폴리오','협업 도구','회고']"
)
POST_TITLES = (
    "ARRAY['오늘의 회고','과제 제출합니다','미션 완료!','이번 주 결과물','실습 정리',"
    "'질문이 있어요','첫 시도','최종본','Weekly write-up','Draft for review']"
)
PARAGRAPHS = (
    "ARRAY["
    "'이번 주에는 지난번 피드백을 반영해서 **처음부터 다시** 정리해 봤어요. 데이터 전처리 "
    "단계에서 생각보다 시간이 많이 걸렸지만, 덕분에 전체 흐름을 훨씬 잘 이해하게 됐습니다.',"
    "'가장 어려웠던 부분은 요구 사항을 작은 단위로 나누는 일이었어요. 팀원들과 이야기하면서 "
    "우선순위를 정했고, 아래처럼 세 단계로 진행했습니다.',"
    "'I started from the example in the lecture and changed the parts that did not fit "
    "our case. The result is below, with the questions I still have at the end.',"
    "'처음 계획과 달라진 점: 범위를 줄이고, 대신 검증을 더 꼼꼼히 했어요. 결과적으로 "
    "오류가 절반 이하로 줄었습니다.',"
    "'참고한 자료는 강의 노트 3장과 공식 문서예요. 링크는 댓글에 따로 남겨 둘게요.',"
    "'다음 주에는 피드백 받은 부분을 보완하고, 발표 자료를 미리 만들어 보려고 합니다.',"
    "'Questions: is it fine to submit the notebook instead of a PDF? And should the "
    "summary include the failed attempts as well?',"
    "'느낀 점: 혼자 했으면 포기했을 것 같은데, 팀 채널에서 서로 질문하면서 끝까지 할 수 "
    "있었어요. 모두 고마워요!']"
)
COMMENTS = (
    "ARRAY['좋은 글이네요! 많이 배웠어요.','저도 같은 부분에서 막혔는데 덕분에 해결했어요 👍',"
    "'2번 항목 설명이 특히 좋아요.','다음 미션도 기대할게요.',"
    "'예시 하나만 더 보여주실 수 있나요?','정리가 깔끔하네요.',"
    "'Great work, the second part is really clear.','참고 자료 공유 감사합니다!',"
    "'결론 부분을 조금 더 구체적으로 써 보면 좋겠어요.','수고 많으셨어요 🙌']"
)

Log = Callable[[str], None]


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class _Writer:
    """Runs statements with the generation's parameters and logs their time."""

    def __init__(self, cursor, params: dict, log: Log) -> None:
        self.cursor, self.params, self.log = cursor, params, log

    def run(self, label: str, sql: str, **extra) -> int:
        started = time.perf_counter()
        self.cursor.execute(sql, {**self.params, **extra})
        rows = self.cursor.rowcount
        if label:
            shown = f"{rows:>10,}" if rows is not None and rows >= 0 else " " * 10
            self.log(f"  {label:<34}{shown} rows {time.perf_counter() - started:7.1f} s")
        return rows

    def value(self, sql: str, **extra):
        self.cursor.execute(sql, {**self.params, **extra})
        return self.cursor.fetchone()[0]


def generate(
    connection,
    scale: Scale,
    *,
    password_hash: str,
    seed: float = 0.42,
    analyze: bool = True,
    log: Log = _say,
) -> dict[str, int]:
    """Write the data set of ``scale`` through ``connection`` (a Django
    database connection) in the current transaction; return the row counts."""
    started = time.perf_counter()
    params = {
        "password": password_hash,
        "domain": EMAIL_DOMAIN,
        "academies": scale.academies,
        "journeys": scale.journeys,
        "journeys_per_academy": scale.journeys_per_academy,
        "staff": scale.staff_per_academy,
        "students": scale.students,
        "largest": scale.largest,
        "rest": scale.students - scale.largest,
        "weeks": scale.weeks,
        "largest_per_week": scale.largest_missions_per_week,
        "per_week": scale.missions_per_week,
        "templates": scale.mission_templates,
        "team_size": scale.team_size,
        "blog_posts": scale.blog_posts,
    }
    with connection.cursor() as cursor:
        db = _Writer(cursor, params, log)
        db.run("", "SELECT setseed(%(seed)s)", seed=seed)
        db.run("", "SET LOCAL work_mem = '256MB'")
        db.run("", "SET LOCAL synchronous_commit = off")
        class_triggers = _class_triggers(db)
        _switch_triggers(db, class_triggers, "DISABLE")
        _people_and_journeys(db)
        _missions_and_teams(db)
        _posts(db, scale)
        _likes_and_comments(db, scale)
        _notifications(db, scale)
        _blog(db)
        # Deferred foreign-key checks still pending would refuse the ALTER.
        db.run("", "SET CONSTRAINTS ALL IMMEDIATE")
        _switch_triggers(db, class_triggers, "ENABLE")
        counts = _counts(db)
        for table in TEMP_TABLES:
            db.run("", f"DROP TABLE IF EXISTS {table}")
        if analyze:
            db.run("ANALYZE", "ANALYZE")
    log(f"  generated in {time.perf_counter() - started:.1f} s")
    return counts


def _class_triggers(db: _Writer) -> list[tuple[str, str]]:
    """The triggers that raise a journey's class version on each row written
    (journeys.class_triggers). Raising one version row a hundred thousand
    times in one transaction costs time that grows with the square of the
    rows (each update walks the row's versions), so the generator writes
    with them off; the journeys' own trigger, which gives each new journey
    its version row, stays on. A fresh data set needs no raise: nothing is
    cached for it yet."""
    db.cursor.execute(
        "SELECT tgrelid::regclass::text, tgname FROM pg_trigger "
        "WHERE tgname ~ '_class_(rows|columns)$' ORDER BY 1, 2"
    )
    return db.cursor.fetchall()


def _switch_triggers(db: _Writer, triggers: list[tuple[str, str]], action: str) -> None:
    for table, trigger in triggers:
        db.run("", f"ALTER TABLE {table} {action} TRIGGER {trigger}")


TEMP_TABLES = (
    "b_academies",
    "b_staff",
    "b_journeys",
    "b_students",
    "b_missions",
    "b_weeks",
    "b_instances",
    "b_teams",
    "b_candidates",
    "b_chosen",
    "b_posts",
    "b_like_candidates",
    "b_comment_candidates",
    "b_notes",
)

COUNTED_TABLES = (
    "organizations",
    "profiles",
    "journeys",
    "user_journeys",
    "journey_weeks",
    "missions",
    "journey_mission_instances",
    "teams",
    "team_members",
    "posts",
    "likes",
    "comments",
    "notifications",
    "user_points",
    "team_points",
    "blog",
)


def _counts(db: _Writer) -> dict[str, int]:
    return {table: db.value(f"SELECT count(*) FROM {table}") for table in COUNTED_TABLES}


# The first week starts at 09:00 Seoul time, 45 to 47 days ago: every journey
# is in its seventh week. A mission opens on its week's first days (one a
# day) and closes at 23:59 on the week's last day.
JOURNEY_START = (
    "(date_trunc('day', now() AT TIME ZONE 'Asia/Seoul') + interval '9 hours') "
    "AT TIME ZONE 'Asia/Seoul' - make_interval(days => 45 + mod(g, 3))"
)


def _people_and_journeys(db: _Writer) -> None:
    db.run(
        "",
        """
        CREATE TEMP TABLE b_academies AS
        SELECT g AS n, gen_random_uuid() AS id FROM generate_series(1, %(academies)s) AS g
        """,
    )
    db.run(
        "organizations",
        """
        INSERT INTO organizations (id, name, description, created_at, updated_at)
        SELECT id, '벤치 아카데미 ' || n, 'Generated by make bench.',
               now() - interval '400 days', now() - interval '400 days'
        FROM b_academies
        """,
    )
    # Journey 1 is the largest; the other students are spread evenly.
    db.run(
        "",
        f"""
        CREATE TEMP TABLE b_journeys AS
        SELECT g AS n, gen_random_uuid() AS id, a.n AS academy_n, a.id AS academy_id,
               CASE WHEN g = 1 THEN 1
                    ELSE %(largest)s + 1 + (%(rest)s * (g - 2)) / nullif(%(journeys)s - 1, 0)
               END AS first_student,
               CASE WHEN g = 1 THEN %(largest)s
                    ELSE (%(rest)s * (g - 1)) / nullif(%(journeys)s - 1, 0)
                         - (%(rest)s * (g - 2)) / nullif(%(journeys)s - 1, 0)
               END AS size,
               CASE WHEN g = 1 THEN %(largest_per_week)s ELSE %(per_week)s END AS per_week,
               {JOURNEY_START} AS starts_at
        FROM generate_series(1, %(journeys)s) AS g
        JOIN b_academies a ON a.n = 1 + (g - 1) / %(journeys_per_academy)s
        """,
    )
    db.run(
        "journeys",
        f"""
        INSERT INTO journeys (id, name, date_start, date_end, organization_id,
                              created_at, updated_at)
        SELECT id, '클라스 ' || n || ' · ' || ({TOPICS})[1 + mod(n - 1, 16)],
               (starts_at AT TIME ZONE 'Asia/Seoul')::date,
               (starts_at AT TIME ZONE 'Asia/Seoul')::date + 7 * %(weeks)s - 1,
               academy_id, starts_at - interval '14 days', starts_at - interval '14 days'
        FROM b_journeys
        """,
    )
    db.run(
        "",
        """
        CREATE TEMP TABLE b_staff AS
        SELECT a.n AS academy_n, a.id AS academy_id, k, gen_random_uuid() AS id,
               CASE WHEN k = 1 THEN 'admin' ELSE 'teacher' END AS role,
               CASE WHEN k = 1 THEN 'admin' || a.n
                    ELSE 'teacher' || ((a.n - 1) * (%(staff)s - 1) + k - 1) END AS handle
        FROM b_academies a, generate_series(1, %(staff)s) AS k
        """,
    )
    db.run(
        "",
        """
        CREATE TEMP TABLE b_students AS
        SELECT g AS n, gen_random_uuid() AS id, j.n AS journey_n, g - j.first_student AS idx
        FROM generate_series(1, %(students)s) AS g
        JOIN b_journeys j ON g >= j.first_student AND g < j.first_student + j.size
        """,
    )
    db.run("", "CREATE UNIQUE INDEX ON b_students (n)")
    db.run("", "CREATE UNIQUE INDEX ON b_students (journey_n, idx)")
    db.run("", "ANALYZE b_students")
    db.run(
        "profiles",
        f"""
        INSERT INTO profiles (id, password, email, first_name, last_name, phone, role,
                              organization_id, privacy_agreed, marketing_opt_in, is_active,
                              is_superuser, created_at, updated_at)
        SELECT s.id, %(password)s, 'student' || s.n || '@' || %(domain)s,
               ({FIRST_NAMES})[1 + mod(s.n, 20)], ({LAST_NAMES})[1 + mod(s.n / 20, 12)],
               '010-' || (1000 + mod(s.n, 9000)) || '-'
                 || lpad(mod(s.n * 7919, 10000)::text, 4, '0'),
               'user'::role, j.academy_id, true, mod(s.n, 3) = 0, true, false,
               j.starts_at - interval '20 days', j.starts_at - interval '20 days'
        FROM b_students s JOIN b_journeys j ON j.n = s.journey_n
        UNION ALL
        SELECT t.id, %(password)s, t.handle || '@' || %(domain)s,
               ({FIRST_NAMES})[1 + mod(t.academy_n * 3 + t.k, 20)],
               ({LAST_NAMES})[1 + mod(t.academy_n + t.k, 12)],
               '010-5555-' || lpad((t.academy_n * 10 + t.k)::text, 4, '0'),
               t.role::role, t.academy_id, true, false, true, false,
               now() - interval '300 days', now() - interval '300 days'
        FROM b_staff t
        """,
    )
    db.run(
        "account_emailaddress",
        """
        INSERT INTO account_emailaddress (email, verified, "primary", user_id)
        SELECT p.email, true, true, p.id
        FROM profiles p
        WHERE p.id IN (SELECT id FROM b_students UNION ALL SELECT id FROM b_staff)
        """,
    )
    db.run(
        "user_journeys",
        """
        INSERT INTO user_journeys (id, user_id, journey_id, role_in_journey, joined_at,
                                   created_at, updated_at)
        SELECT gen_random_uuid(), s.id, j.id, 'user', j.starts_at - interval '3 days',
               j.starts_at - interval '3 days', j.starts_at - interval '3 days'
        FROM b_students s JOIN b_journeys j ON j.n = s.journey_n
        UNION ALL
        SELECT gen_random_uuid(), t.id, j.id, 'teacher', j.starts_at - interval '10 days',
               j.starts_at - interval '10 days', j.starts_at - interval '10 days'
        FROM b_staff t JOIN b_journeys j ON j.academy_n = t.academy_n
        WHERE t.role = 'teacher'
        """,
    )


def _missions_and_teams(db: _Writer) -> None:
    # Each academy's library: 32 templates, one in eight a team mission.
    db.run(
        "",
        """
        CREATE TEMP TABLE b_missions AS
        SELECT a.n AS academy_n, t, gen_random_uuid() AS id, mod(t, 8) = 0 AS is_team,
               CASE WHEN mod(t, 8) = 0 THEN 20 ELSE 10 END AS points
        FROM b_academies a, generate_series(1, %(templates)s) AS t
        """,
    )
    db.run(
        "missions",
        f"""
        INSERT INTO missions (id, name, mission_type, points, description, organization_id,
                              created_at, updated_at)
        SELECT m.id, '미션 ' || m.t || ': ' || ({TOPICS})[1 + mod(m.t - 1, 16)],
               CASE WHEN m.is_team THEN 'team' ELSE 'individual' END, m.points,
               '## ' || ({TOPICS})[1 + mod(m.t - 1, 16)] || chr(10) || chr(10)
                 || ({PARAGRAPHS})[1 + mod(m.t, 8)] || chr(10) || chr(10)
                 || '- 분량: A4 한 쪽 이상' || chr(10) || '- 형식: 자유' || chr(10)
                 || '- 마감: 주차 마지막 날 23:59',
               a.id, now() - interval '200 days', now() - interval '200 days'
        FROM b_missions m JOIN b_academies a ON a.n = m.academy_n
        """,
    )
    db.run(
        "",
        """
        CREATE TEMP TABLE b_weeks AS
        SELECT j.n AS journey_n, j.id AS journey_id, w, gen_random_uuid() AS id,
               j.starts_at + make_interval(days => 7 * (w - 1)) AS starts_at
        FROM b_journeys j, generate_series(1, %(weeks)s) AS w
        """,
    )
    db.run(
        "journey_weeks",
        """
        INSERT INTO journey_weeks (id, journey_id, name, week_number, created_at, updated_at)
        SELECT id, journey_id, w || '주차', w,
               now() - interval '60 days', now() - interval '60 days'
        FROM b_weeks
        """,
    )
    db.run(
        "",
        """
        CREATE TEMP TABLE b_instances AS
        SELECT row_number() OVER (ORDER BY w.journey_n, w.w, s)::int AS n,
               gen_random_uuid() AS id, w.journey_n, w.journey_id, w.id AS week_id, w.w,
               m.id AS mission_id, m.t, m.is_team, m.points,
               w.starts_at + make_interval(days => s - 1) AS release_date,
               w.starts_at + interval '6 days 14 hours 59 minutes' AS expiry_date
        FROM b_weeks w
        JOIN b_journeys j ON j.n = w.journey_n
        CROSS JOIN LATERAL generate_series(1, j.per_week) AS s
        JOIN b_missions m ON m.academy_n = j.academy_n AND m.t = (w.w - 1) * j.per_week + s
        """,
    )
    db.run("", "CREATE UNIQUE INDEX ON b_instances (n)")
    db.run(
        "journey_mission_instances",
        """
        INSERT INTO journey_mission_instances (id, journey_week_id, mission_id, release_date,
                                               expiry_date, status, journey_id,
                                               created_at, updated_at)
        SELECT id, week_id, mission_id, release_date, expiry_date,
               (CASE WHEN expiry_date <= now() THEN 'completed'
                     WHEN release_date <= now() THEN 'in_progress'
                     ELSE 'not_started' END)::mission_status,
               journey_id, now() - interval '60 days', now() - interval '60 days'
        FROM b_instances
        """,
    )
    db.run(
        "",
        """
        CREATE TEMP TABLE b_teams AS
        SELECT j.n AS journey_n, j.id AS journey_id, k, gen_random_uuid() AS id, j.starts_at
        FROM b_journeys j,
             generate_series(1, ceil(j.size::numeric / %(team_size)s)::int) AS k
        """,
    )
    db.run(
        "teams",
        """
        INSERT INTO teams (id, journey_id, name, created_at, updated_at)
        SELECT id, journey_id, k || '팀', starts_at - interval '2 days',
               starts_at - interval '2 days'
        FROM b_teams
        """,
    )
    db.run(
        "team_members",
        """
        INSERT INTO team_members (id, team_id, user_id, is_leader, joined_at,
                                  created_at, updated_at)
        SELECT gen_random_uuid(), t.id, s.id, mod(s.idx, %(team_size)s) = 0,
               t.starts_at - interval '2 days', t.starts_at - interval '2 days',
               t.starts_at - interval '2 days'
        FROM b_students s
        JOIN b_teams t ON t.journey_n = s.journey_n AND t.k = 1 + s.idx / %(team_size)s
        """,
    )


def _posts(db: _Writer, scale: Scale) -> None:
    # Who submitted what: every (student, opened individual mission) of their
    # journey is a candidate; the team missions are submitted by the leaders.
    db.run(
        "",
        """
        CREATE TEMP TABLE b_candidates AS
        SELECT s.n AS student_n, s.journey_n, i.n AS instance_n, random() AS r
        FROM b_students s
        JOIN b_instances i ON i.journey_n = s.journey_n
        WHERE NOT i.is_team AND i.release_date <= now()
        """,
    )
    db.run(
        "",
        """
        CREATE TEMP TABLE b_chosen AS
        SELECT leader.n AS student_n, t.id AS team_id, i.n AS instance_n
        FROM b_teams t
        JOIN b_instances i ON i.journey_n = t.journey_n AND i.is_team AND i.release_date <= now()
        JOIN b_students leader
          ON leader.journey_n = t.journey_n AND leader.idx = (t.k - 1) * %(team_size)s
        WHERE random() < 0.9
        """,
    )
    team_posts = db.value("SELECT count(*) FROM b_chosen")
    largest_candidates = db.value("SELECT count(*) FROM b_candidates WHERE journey_n = 1")
    largest_posts = min(
        round(largest_candidates * scale.largest_submission_rate), max(0, scale.posts - team_posts)
    )
    db.run(
        "",
        """
        INSERT INTO b_chosen (student_n, instance_n)
        SELECT student_n, instance_n FROM b_candidates WHERE journey_n = 1
        ORDER BY r LIMIT %(limit)s
        """,
        limit=largest_posts,
    )
    db.run(
        "",
        """
        INSERT INTO b_chosen (student_n, instance_n)
        SELECT student_n, instance_n FROM b_candidates WHERE journey_n > 1
        ORDER BY r LIMIT %(limit)s
        """,
        limit=max(0, scale.posts - team_posts - largest_posts),
    )
    # Each post's dates, grade and text. Closed weeks: mostly achieved; the
    # open week: mostly waiting for grading.
    db.run(
        "",
        f"""
        CREATE TEMP TABLE b_posts AS
        SELECT x.*,
               CASE WHEN x.status = 'achieved'
                        THEN greatest(0, x.points - floor(x.r2 * 4)::int)
                    WHEN x.status = 'not_achieved' THEN 0 END AS score,
               CASE WHEN x.status <> 'pending'
                        THEN least(x.created_at + x.r2 * interval '3 days', now()) END AS graded_at
        FROM (
            SELECT y.*,
                   CASE WHEN y.closed THEN
                            CASE WHEN y.r1 < 0.88 THEN 'achieved'
                                 WHEN y.r1 < 0.94 THEN 'not_achieved' ELSE 'pending' END
                        ELSE
                            CASE WHEN y.r1 < 0.30 THEN 'achieved'
                                 WHEN y.r1 < 0.35 THEN 'not_achieved' ELSE 'pending' END
                   END AS status
            FROM (
                SELECT row_number() OVER (ORDER BY c.instance_n, c.student_n)::int AS n,
                       gen_random_uuid() AS id, s.id AS user_id, s.idx AS author_idx,
                       c.team_id, j.n AS journey_n, j.id AS journey_id, j.size AS journey_size,
                       j.academy_n, i.id AS instance_id, i.t, i.points, i.is_team,
                       i.release_date + (least(i.expiry_date, now()) - i.release_date)
                           * (0.02 + 0.96 * random()) AS created_at,
                       i.expiry_date <= now() AS closed,
                       random() AS r1, random() AS r2, random() AS r3,
                       ({POST_TITLES})[1 + mod(c.student_n + i.t, 10)]
                           || ' · 미션 ' || i.t AS title
                FROM b_chosen c
                JOIN b_students s ON s.n = c.student_n
                JOIN b_instances i ON i.n = c.instance_n
                JOIN b_journeys j ON j.n = s.journey_n
            ) y
        ) x
        """,
    )
    db.run("", "CREATE UNIQUE INDEX ON b_posts (n)")
    db.run("", "ANALYZE b_posts")
    db.run(
        "posts",
        f"""
        INSERT INTO posts (id, title, content, score, view_count, is_hidden, hidden_reason,
                           is_team_submission, achievement_status, team_points, created_at,
                           updated_at, journey_id, mission_instance_id, team_id, user_id,
                           graded_at, graded_by_id)
        SELECT p.id, p.title,
               ({PARAGRAPHS})[1 + mod(p.n, 8)] || chr(10) || chr(10)
                 || '1. 목표 정리' || chr(10) || '2. 실습 결과' || chr(10) || '3. 느낀 점'
                 || chr(10) || chr(10) || ({PARAGRAPHS})[1 + mod(p.n / 8 + 3, 8)],
               p.score, floor(p.r3 * 80)::int, p.r3 < 0.005,
               CASE WHEN p.r3 < 0.005 THEN '주제와 관계없는 내용' END,
               p.is_team, p.status,
               CASE WHEN p.is_team AND p.status = 'achieved' THEN p.score ELSE 0 END,
               p.created_at, coalesce(p.graded_at, p.created_at),
               p.journey_id, p.instance_id, p.team_id, p.user_id, p.graded_at,
               CASE WHEN p.graded_at IS NOT NULL THEN t.id END
        FROM b_posts p
        JOIN b_staff t ON t.academy_n = p.academy_n AND t.k = 2 + mod(p.n, %(staff)s - 1)
        ORDER BY p.created_at
        """,
    )
    db.run(
        "user_points",
        """
        INSERT INTO user_points (id, profile_id, mission_instance_id, post_id, total_points,
                                 created_at, updated_at)
        SELECT gen_random_uuid(), user_id, instance_id, id, score, graded_at, graded_at
        FROM b_posts WHERE status = 'achieved' AND NOT is_team
        """,
    )
    db.run(
        "team_points",
        """
        INSERT INTO team_points (id, team_id, mission_instance_id, post_id, total_points,
                                 created_at, updated_at)
        SELECT gen_random_uuid(), team_id, instance_id, id, score, graded_at, graded_at
        FROM b_posts WHERE status = 'achieved' AND is_team
        """,
    )


def _spread(target: int, posts: int) -> int:
    """The most likes (or comments) one post gets: 2.4 times the mean, so the
    candidates outnumber the target by about a fifth and a random fifth goes."""
    return math.ceil(2.4 * target / posts) if posts else 0


def _likes_and_comments(db: _Writer, scale: Scale) -> None:
    posts = db.value("SELECT count(*) FROM b_posts")
    # Likers: k classmates of the author (never the author), a random run of
    # them, so no one likes a post twice.
    db.run(
        "",
        """
        CREATE TEMP TABLE b_like_candidates AS
        SELECT x.n AS post_n, x.journey_n,
               mod(x.author_idx + x.shift + g, x.journey_size) AS idx, random() AS r
        FROM (
            SELECT y.*, floor(random() * (y.journey_size - y.k))::int AS shift
            FROM (
                SELECT n, journey_n, author_idx, journey_size,
                       least(journey_size - 1, floor(random() * (%(most)s + 1))::int) AS k
                FROM b_posts
            ) y
        ) x
        CROSS JOIN LATERAL generate_series(1, x.k) AS g
        """,
        most=_spread(scale.likes, posts),
    )
    db.run(
        "likes",
        """
        INSERT INTO likes (id, post_id, user_id, created_at)
        SELECT gen_random_uuid(), p.id, s.id,
               p.created_at + (now() - p.created_at) * (0.5 * random())
        FROM (SELECT * FROM b_like_candidates ORDER BY r LIMIT %(limit)s) c
        JOIN b_posts p ON p.n = c.post_n
        JOIN b_students s ON s.journey_n = c.journey_n AND s.idx = c.idx
        """,
        limit=scale.likes,
    )
    # Commenters: classmates (the author too, answering), one in seven a teacher.
    db.run(
        "",
        """
        CREATE TEMP TABLE b_comment_candidates AS
        SELECT x.n AS post_n, x.journey_n, x.academy_n,
               mod(x.author_idx + x.shift + g - 1, x.journey_size) AS idx,
               random() < 0.15 AS by_teacher, g, random() AS r
        FROM (
            SELECT y.*, floor(random() * (y.journey_size - y.k + 1))::int AS shift
            FROM (
                SELECT n, journey_n, academy_n, author_idx, journey_size,
                       least(journey_size, floor(random() * (%(most)s + 1))::int) AS k
                FROM b_posts
            ) y
        ) x
        CROSS JOIN LATERAL generate_series(1, x.k) AS g
        """,
        most=_spread(scale.comments, posts),
    )
    db.run(
        "comments",
        f"""
        INSERT INTO comments (id, post_id, user_id, content, created_at, updated_at)
        SELECT gen_random_uuid(), p.id,
               CASE WHEN c.by_teacher THEN t.id ELSE s.id END,
               ({COMMENTS})[1 + mod(c.post_n + c.g * 7, 10)],
               p.created_at + (now() - p.created_at) * (0.4 * c.r),
               p.created_at + (now() - p.created_at) * (0.4 * c.r)
        FROM (SELECT * FROM b_comment_candidates ORDER BY r LIMIT %(limit)s) c
        JOIN b_posts p ON p.n = c.post_n
        JOIN b_students s ON s.journey_n = c.journey_n AND s.idx = c.idx
        JOIN b_staff t ON t.academy_n = c.academy_n AND t.k = 2 + mod(c.g, %(staff)s - 1)
        ORDER BY 5
        """,
        limit=scale.comments,
    )


def _notifications(db: _Writer, scale: Scale) -> None:
    """Like, comment and grading notices go to a post's author, "new mission" and
    "deadline" to a student, "submission" to a teacher of the post's academy;
    what is older than three days (and a third of the rest) has been read."""
    posts = db.value("SELECT count(*) FROM b_posts")
    db.run(
        "",
        """
        CREATE TEMP TABLE b_notes AS
        SELECT g, mod(g, 20) AS slot, 1 + floor(random() * %(posts)s)::int AS post_n,
               1 + floor(random() * %(students)s)::int AS student_n,
               random() AS r1, random() AS r2
        FROM generate_series(1, %(limit)s) AS g
        """,
        posts=posts,
        limit=scale.notifications if posts else 0,
    )
    db.run(
        "notifications",
        f"""
        INSERT INTO notifications (id, receiver_id, type, message, link, read_at, created_at,
                                   notification_json, fanned_out_at)
        SELECT gen_random_uuid(), x.receiver_id, x.type, x.message, x.link,
               CASE WHEN x.created_at < now() - interval '3 days' OR x.r2 < 0.33
                    THEN least(x.created_at + x.r2 * interval '20 hours', now()) END,
               x.created_at, x.payload, x.created_at
        FROM (
            SELECT n.g, n.r2,
                   CASE WHEN n.slot >= 19 THEN t.id
                        WHEN n.slot >= 16 THEN s.id ELSE p.user_id END AS receiver_id,
                   CASE WHEN n.slot < 8 THEN 'like' WHEN n.slot < 12 THEN 'comment'
                        WHEN n.slot < 16 THEN 'grading' WHEN n.slot < 18 THEN 'new_mission'
                        WHEN n.slot < 19 THEN 'deadline' ELSE 'submission' END AS type,
                   CASE WHEN n.slot < 8 THEN
                            ({LAST_NAMES})[1 + mod(n.g, 12)] || ({FIRST_NAMES})[1 + mod(n.g, 20)]
                            || ' 님 외 ' || (1 + mod(n.g, 9)) || '명이 회원님의 게시물 “'
                            || p.title || '”을(를) 좋아해요.'
                        WHEN n.slot < 12 THEN
                            ({LAST_NAMES})[1 + mod(n.g, 12)] || ({FIRST_NAMES})[1 + mod(n.g, 20)]
                            || ' 님이 회원님의 게시물 “' || p.title || '”에 댓글을 남겼어요.'
                        WHEN n.slot < 16 THEN
                            '“미션 ' || p.t || '” 제출이 채점됐어요: 달성, ' || p.points || ' PT.'
                        WHEN n.slot < 18 THEN
                            '클라스 ' || s.journey_n || '에 새 미션이 열렸어요: 미션 '
                            || (1 + mod(n.g, 16))
                        WHEN n.slot < 19 THEN
                            '클라스 ' || s.journey_n || '의 미션 ' || (1 + mod(n.g, 16))
                            || ' 미션이 내일 23:59에 마감돼요. 그 전에 제출해 주세요!'
                        ELSE
                            ({LAST_NAMES})[1 + mod(n.g, 12)] || ({FIRST_NAMES})[1 + mod(n.g, 20)]
                            || ' 님이 “' || p.title || '”을(를) 제출했어요 (미션 ' || p.t || ').'
                   END AS message,
                   CASE WHEN n.slot >= 16 AND n.slot < 19
                            THEN '/journeys/' || sj.id || '/plan/'
                        ELSE '/journeys/' || p.journey_id || '/posts/' || p.id || '/' END AS link,
                   CASE WHEN n.slot >= 16 AND n.slot < 19 THEN '{{}}'
                        ELSE '{{"post_id": "' || p.id || '"}}' END AS payload,
                   CASE WHEN n.slot >= 16 AND n.slot < 19
                            THEN now() - n.r1 * interval '44 days'
                        ELSE p.created_at + (now() - p.created_at) * (0.6 * n.r1) END AS created_at
            FROM b_notes n
            JOIN b_posts p ON p.n = n.post_n
            JOIN b_students s ON s.n = n.student_n
            JOIN b_journeys sj ON sj.n = s.journey_n
            JOIN b_staff t ON t.academy_n = p.academy_n AND t.k = 2 + mod(n.g / 20, %(staff)s - 1)
        ) x
        ORDER BY x.created_at
        """,
    )


def _blog(db: _Writer) -> None:
    db.run(
        "blog",
        f"""
        INSERT INTO blog (id, title, subtitle, content, created_at, updated_at, image_url,
                          published_at)
        SELECT gen_random_uuid(), ({TOPICS})[1 + mod(g, 16)] || ' 수업을 운영하는 법 #' || g,
               CASE WHEN mod(g, 2) = 0 THEN '현장의 선생님들이 전하는 이야기' END,
               '## 시작하며' || chr(10) || chr(10) || ({PARAGRAPHS})[1 + mod(g, 8)]
                 || chr(10) || chr(10) || '## 이렇게 했어요' || chr(10) || chr(10)
                 || ({PARAGRAPHS})[1 + mod(g + 3, 8)] || chr(10) || chr(10)
                 || '- 매주 회고' || chr(10) || '- 팀 미션' || chr(10) || '- 바로 채점',
               now() - make_interval(days => 10 * g), now() - make_interval(days => 10 * g),
               NULL,
               CASE WHEN g > 2 THEN now() - make_interval(days => 10 * g) END
        FROM generate_series(1, %(blog_posts)s) AS g
        """,
    )


def vacuum(connection) -> None:
    """VACUUM (ANALYZE) the fresh data set, outside any transaction: a
    production database has been vacuumed by autovacuum long since, so its
    visibility map lets index-only scans skip the table; freshly inserted rows
    have none until a vacuum, and a server with autovacuum off (as some test
    machines have) would never get one. Without it, a count over an index
    reads every table page it points to, and the bench would measure that."""
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    _say(f"  {'VACUUM (ANALYZE)':<34}{'':>10}      {time.perf_counter() - started:7.1f} s")


# --- the command line -----------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scale", help="full, tenth, or a fraction such as 0.01")
    parser.add_argument("--seed", type=float, default=0.42)
    parser.add_argument("--json", help="write the row counts to this file")
    args = parser.parse_args(argv)
    scale = SCALES.get(args.scale) or scale_of(float(args.scale))

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from core.database_roles import as_owner

    # The owner writes the data set: it switches the class triggers off while it
    # writes, and VACUUM is the owner's (both refused to the runtime role).
    with as_owner() as connection:
        return _generate_into(connection, scale, args, make_password, transaction)


def _generate_into(connection, scale: Scale, args, make_password, transaction) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM profiles")
        if cursor.fetchone()[0]:
            _say("The database has people already: generate into a fresh, migrated one.")
            return 2
    _say(f"Generating the {scale.name} data set ({scale.students:,} students) …")
    started = time.perf_counter()
    with transaction.atomic():
        counts = generate(
            connection, scale, password_hash=make_password(BENCH_PASSWORD), seed=args.seed
        )
    vacuum(connection)
    result = {"scale": scale.as_dict(), "counts": counts, "seconds": time.perf_counter() - started}
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(result, handle, indent=2)
    else:
        print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
