"""Row Level Security (issue 15): the database keeps academies apart even
against raw SQL, as the runtime role Sqeeze connects as.

- the runtime role cannot escape RLS (not superuser, no BYPASSRLS, owns nothing);
- every table with academy data has RLS enabled and forced and a policy per
  command, and the next table cannot be forgotten (the guard below);
- a connection without context reads nothing and writes nothing;
- with academy A's context, raw SQL can neither read, insert, update nor
  delete academy B's rows, nor move a person to another academy or change a
  role it may not;
- each request, task and command runs in its context, transaction-locally.
"""

from __future__ import annotations

import datetime as dt
import importlib
import uuid

import psycopg
import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.test import RequestFactory
from django.utils import timezone
from psycopg import _connection_base

from accounts.models import Role
from accounts.tenancy import REMEMBERED_CONTEXT, DatabaseContextMiddleware, _loading_context
from blog.models import Blog
from core import database_roles, tenancy
from core.tenancy import DbContext
from journeys.models import Journey
from people.tasks import run_student_import
from submissions.tasks import build_export
from tests.admin.seed_tables import SEED_TABLES
from tests.blog.builders import BlogFactory, draft
from tests.factories import (
    CommentFactory,
    JourneyFactory,
    LikeFactory,
    NotificationFactory,
    PostFactory,
    UserJourneyFactory,
)

rls_tables = importlib.import_module("sqeeze.migrations.0002_row_level_security")

# Tables without academy data, and why they need no RLS.
WITHOUT_ACADEMY_DATA = {
    "django_migrations": "the schema's history",
    "django_content_type": "the list of models",
    "django_site": "the installation's name and address",
    "auth_permission": "the list of permissions",
    "auth_group": "permission groups (unused)",
    "auth_group_permissions": "permission groups (unused)",
    "socialaccount_socialapp": "the platform's OAuth client settings",
    "socialaccount_socialapp_sites": "the platform's OAuth client settings",
    # Read before anyone is known, by a secret key or a client address:
    "django_session": "a session is found by its secret key before its person is known",
    "axes_accessattempt": "log-in throttling by address, before anyone is known",
    "axes_accessattemptexpiration": "log-in throttling by address, before anyone is known",
    "axes_accessfailurelog": "log-in throttling by address, before anyone is known",
    "axes_accesslog": "log-in throttling by address, before anyone is known",
}
COMMAND_CODES = {"r": "SELECT", "a": "INSERT", "w": "UPDATE", "d": "DELETE"}


def public_tables() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') ORDER BY 1"
        )
        return [row[0] for row in cursor.fetchall()]


# --- the roles -------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_tests_connect_as_a_runtime_role_that_rls_binds():
    assert database_roles.has_two_roles()
    assert database_roles.runtime_role_problem(connection) is None
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] == settings.DATABASE_RUNTIME["USER"]


@pytest.mark.django_db
def test_the_runtime_role_may_not_truncate_or_alter_a_table():
    for statement in (
        "TRUNCATE journeys CASCADE",
        "ALTER TABLE journeys DISABLE ROW LEVEL SECURITY",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)


# --- the guard -------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_table_with_academy_data_has_rls_forced_and_a_policy_per_command():
    """The guard for the next table: a table is either listed above, with the
    reason it holds no academy data, or under RLS with four policies (its
    migration calls core.rls.protect; docs/architecture.md)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity, "
            "coalesce(array_agg(p.polcmd::text) FILTER (WHERE p.polcmd IS NOT NULL), '{}') "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "LEFT JOIN pg_policy p ON p.polrelid = c.oid "
            "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') GROUP BY 1, 2, 3"
        )
        tables = {name: (enabled, forced, set(cmds)) for name, enabled, forced, cmds in cursor}
    problems = []
    for table, (enabled, forced, commands) in sorted(tables.items()):
        if table in WITHOUT_ACADEMY_DATA:
            continue
        if not (enabled and forced):
            problems.append(f"{table}: RLS is not enabled and forced")
        missing = [name for code, name in COMMAND_CODES.items() if not {code, "*"} & commands]
        if missing:
            problems.append(f"{table}: no policy for {', '.join(missing)}")
    assert problems == []
    assert set(WITHOUT_ACADEMY_DATA) <= set(tables), "a table listed as exempt is gone"


@pytest.mark.django_db
def test_every_organization_column_is_indexed_and_filled_by_the_database():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND column_name = 'organization_id'"
        )
        tables = {row[0] for row in cursor.fetchall()}
        cursor.execute(
            "SELECT t.relname FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid "
            "JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = i.indkey[0] "
            "WHERE a.attname = 'organization_id'"
        )
        indexed = {row[0] for row in cursor.fetchall()}
        cursor.execute(
            "SELECT tgrelid::regclass::text FROM pg_trigger WHERE tgname LIKE '%_organization'"
        )
        filled = {row[0].strip('"') for row in cursor.fetchall()}
    assert set(rls_tables.ORGANIZATION_FROM_PARENT) <= tables
    assert tables - indexed == set()
    assert set(rls_tables.ORGANIZATION_FROM_PARENT) <= filled


# Counts and lookups the pages make on every request, each answered from an
# index that carries organization_id, as before RLS (sqeeze migrations 0003
# and 0004): without it, RLS's condition sends PostgreSQL to every counted row.
FROM_THE_INDEX = {
    "a journey's member count": (
        "SELECT count(*) FROM user_journeys WHERE journey_id = %(journey)s",
        "user_journeys_member_idx",
    ),
    "is the person in the journey": (
        "SELECT 1 FROM user_journeys WHERE user_id = %(person)s AND journey_id = %(journey)s",
        "user_journeys_enrolment_idx",
    ),
    "a post's like count": (
        "SELECT count(*) FROM likes WHERE post_id = %(post)s",
        "likes_post_user_idx",
    ),
    "did I like it": (
        "SELECT 1 FROM likes WHERE post_id = %(post)s AND user_id = %(person)s",
        "likes_post_user_idx",
    ),
    "a post's comment count": (
        "SELECT count(*) FROM comments WHERE post_id = %(post)s",
        "comments_post_count_idx",
    ),
    "the unread badge": (
        "SELECT count(*) FROM notifications WHERE receiver_id = %(person)s AND read_at IS NULL",
        "notifications_unread_idx",
    ),
}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("case", FROM_THE_INDEX)
def test_the_pages_counts_are_read_from_the_index_alone_under_rls(case, student):
    journey = UserJourneyFactory(user=student, journey__organization=student.organization).journey
    post = PostFactory(mission_instance__journey_week__journey=journey, user=student)
    LikeFactory(post=post, user=student)
    CommentFactory(post=post, user=student)
    NotificationFactory(receiver=student)
    with database_roles.as_owner() as owner, owner.cursor() as cursor:
        for table in ("user_journeys", "likes", "comments", "notifications"):
            cursor.execute(f"VACUUM ANALYZE {table}")  # all rows visible: no heap needed
        cursor.execute("SELECT pg_get_indexdef(%s::regclass)", [FROM_THE_INDEX[case][1]])
        definition = cursor.fetchone()[0]
    sql, index = FROM_THE_INDEX[case]
    values = {"journey": journey.pk, "person": student.pk, "post": post.pk}
    context = DbContext(role="user", academy=student.organization_id, person=student.pk)
    with tenancy.use(context), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, values)
        assert cursor.fetchone()[0] == 1  # the student's own row, through RLS
        # The tables are tiny: PostgreSQL is made to choose among index scans.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("EXPLAIN (ANALYZE, COSTS OFF) " + sql, values)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    # Which covering index serves a tiny table is PostgreSQL's choice; that
    # RLS lets it read the index alone, and that the index is there, are ours.
    assert "Index Only Scan" in plan and "Heap Fetches: 0" in plan
    assert "organization_id" in plan  # RLS's condition, checked in the index
    assert "INCLUDE (organization_id)" in definition


# --- without context ---------------------------------------------------------------------


def runtime_connection() -> psycopg.Connection:
    """A connection of its own, as Sqeeze's runtime role, to the test database."""
    params = connection.get_connection_params()
    params.pop("prepare_threshold", None)
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params.pop("server_side_binding", None)
    return psycopg.connect(**params, autocommit=True)


@pytest.mark.django_db(transaction=True)
def test_a_connection_without_context_reads_no_row_of_any_table(organization, other_organization):
    for table in SEED_TABLES:
        table.build(organization)
        table.build(other_organization)
    protected = [t for t in public_tables() if t not in WITHOUT_ACADEMY_DATA]
    with database_roles.as_owner() as owner, owner.cursor() as cursor:
        present = {}
        for table in protected:
            cursor.execute(f'SELECT count(*) FROM "{table}"')
            present[table] = cursor.fetchone()[0]
    with runtime_connection() as raw:
        seen = {
            table: raw.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
            for table in protected
        }
        # Public rows are public: the seed builders' files are in a public bucket.
        seen["files"] = raw.execute(
            "SELECT count(*) FROM files WHERE bucket_name NOT IN " + rls_tables.PUBLIC_BUCKETS
        ).fetchone()[0]
    assert sum(present.values()) > 0 and len([t for t in present if present[t]]) >= 20
    assert {table: count for table, count in seen.items() if count} == {}


@pytest.mark.django_db(transaction=True)
def test_a_connection_without_context_writes_nothing(organization):
    journey = JourneyFactory(organization=organization)
    with runtime_connection() as raw:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            raw.execute(
                "INSERT INTO journeys (id, name, organization_id, created_at, updated_at,"
                " invite_token) VALUES (%s, 'x', %s, now(), now(), 'tok')",
                [uuid.uuid4(), organization.pk],
            )
        assert raw.execute("UPDATE journeys SET name = 'taken' WHERE true").rowcount == 0
        assert raw.execute("DELETE FROM journeys WHERE true").rowcount == 0
    journey.refresh_from_db()
    assert journey.name != "taken"


@pytest.mark.django_db
def test_the_orm_without_context_finds_nothing_and_may_not_write(organization):
    """A missing context is an error (a refused write) or an empty answer, never a leak."""
    JourneyFactory(organization=organization)
    with tenancy.use(None):
        assert Journey.objects.count() == 0
        with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
            JourneyFactory(organization=organization)


# --- academy A's context against academy B's rows ---------------------------------------


def raw_sql(sql: str, params=()) -> tuple[int, list]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall() if cursor.description else []
        return cursor.rowcount, rows


def refused(sql: str, params=()) -> bool:
    """True when the database refuses the statement (its savepoint is rolled back)."""
    try:
        with transaction.atomic():
            raw_sql(sql, params)
    except DatabaseError:
        return True
    return False


@pytest.fixture
def two_academies(organization, other_organization, admin_user, outsider):
    mine = PostFactory(
        mission_instance__journey_week__journey__organization=organization, user=admin_user
    )
    theirs = PostFactory(
        mission_instance__journey_week__journey__organization=other_organization, user=outsider
    )
    CommentFactory(post=theirs, user=outsider)
    NotificationFactory(receiver=outsider)
    return mine, theirs


TABLES_OF_B = ("journeys", "posts", "comments", "notifications", "profiles", "journey_weeks")


@pytest.mark.django_db
def test_academy_a_cannot_read_update_or_delete_academy_b_rows(
    two_academies, admin_user, other_organization
):
    with tenancy.use(tenancy.OPERATOR):
        counts_before = {t: raw_sql(f"SELECT count(*) FROM {t}")[1][0][0] for t in TABLES_OF_B}
    with tenancy.use(tenancy.for_academy(admin_user.organization_id)):
        for table in TABLES_OF_B:
            b_rows = f"SELECT count(*) FROM {table} WHERE organization_id = %s"
            assert raw_sql(b_rows, [other_organization.pk])[1][0][0] == 0, table
            assert (
                raw_sql(f"DELETE FROM {table} WHERE organization_id = %s", [other_organization.pk])[
                    0
                ]
                == 0
            )
        assert (
            raw_sql(
                "UPDATE journeys SET name = 'mine now' WHERE organization_id = %s",
                [other_organization.pk],
            )[0]
            == 0
        )
        assert (
            raw_sql(
                "UPDATE posts SET title = 'defaced' WHERE organization_id = %s",
                [other_organization.pk],
            )[0]
            == 0
        )
    with tenancy.use(tenancy.OPERATOR):
        counts_after = {t: raw_sql(f"SELECT count(*) FROM {t}")[1][0][0] for t in TABLES_OF_B}
        assert raw_sql("SELECT count(*) FROM posts WHERE title = 'defaced'")[1][0][0] == 0
    assert counts_after == counts_before


@pytest.mark.django_db
def test_academy_a_cannot_insert_into_academy_b(two_academies, admin_user, other_organization):
    mine, theirs = two_academies
    context = DbContext(role="admin", academy=admin_user.organization_id, person=admin_user.pk)
    with tenancy.use(context):
        assert refused(
            "INSERT INTO journeys (id, name, organization_id, created_at, updated_at, invite_token)"
            " VALUES (%s, 'planted', %s, now(), now(), 'planted')",
            [uuid.uuid4(), other_organization.pk],
        )
        # A child row takes its parent's academy whatever it says: a comment on
        # B's post is B's, so A may not write it.
        assert refused(
            "INSERT INTO comments (id, post_id, user_id, content, created_at, updated_at,"
            " organization_id) VALUES (%s, %s, %s, 'hi', now(), now(), %s)",
            [uuid.uuid4(), theirs.pk, admin_user.pk, admin_user.organization_id],
        )
        # Nor may a row of A's be moved into B by setting its column.
        assert raw_sql(
            "UPDATE posts SET organization_id = %s WHERE id = %s", [other_organization.pk, mine.pk]
        )[0] in (0, 1)
    with tenancy.use(tenancy.OPERATOR):
        mine_after = raw_sql("SELECT organization_id FROM posts WHERE id = %s", [mine.pk])[1][0][0]
    assert mine_after == admin_user.organization_id


@pytest.mark.django_db
def test_an_admin_cannot_move_a_person_to_another_academy(admin_user, student, other_organization):
    context = DbContext(role="admin", academy=admin_user.organization_id, person=admin_user.pk)
    with tenancy.use(context):
        for person in (admin_user, student):
            assert refused(
                "UPDATE profiles SET organization_id = %s WHERE id = %s",
                [other_organization.pk, person.pk],
            )
        # An admin may change a role in their academy (the people pages do).
        assert not refused("UPDATE profiles SET role = 'teacher' WHERE id = %s", [student.pk])
    student.refresh_from_db()
    assert student.organization_id == admin_user.organization_id


@pytest.mark.django_db
def test_a_student_or_teacher_cannot_change_a_role(student, teacher):
    for person in (student, teacher):
        context = DbContext(role=person.role, academy=person.organization_id, person=person.pk)
        with tenancy.use(context):
            assert refused("UPDATE profiles SET role = 'admin' WHERE id = %s", [person.pk])
    student.refresh_from_db()
    assert student.role == Role.USER


@pytest.mark.django_db
def test_a_student_reads_the_posts_of_their_journeys_only(student, organization):
    enrolled = UserJourneyFactory(user=student, journey__organization=organization).journey
    other = JourneyFactory(organization=organization)
    seen = PostFactory(journey=enrolled, mission_instance__journey_week__journey=enrolled)
    hidden = PostFactory(journey=other, mission_instance__journey_week__journey=other)
    context = DbContext(role="user", academy=organization.pk, person=student.pk)
    with tenancy.use(context):
        ids = {row[0] for row in raw_sql("SELECT id FROM posts")[1]}
    assert seen.pk in ids and hidden.pk not in ids


@pytest.mark.django_db
def test_a_notification_is_its_receivers_alone(student, teacher):
    NotificationFactory(receiver=teacher)
    mine = NotificationFactory(receiver=student)
    context = DbContext(role="user", academy=student.organization_id, person=student.pk)
    with tenancy.use(context):
        ids = {row[0] for row in raw_sql("SELECT id FROM notifications")[1]}
    assert ids == {mine.pk}


# --- requests, tasks, connections --------------------------------------------------------


def settings_in_request(path: str, user=None) -> tuple:
    """The three settings the database sees inside a request to ``path``."""
    request = RequestFactory().get(path)
    request.session = {}
    request.user = user if user is not None else _anonymous()

    def view(request):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT current_setting('sqeeze.person', true), "
                "current_setting('sqeeze.academy', true), current_setting('sqeeze.role', true)"
            )
            response = type("Answer", (), {"status_code": 200})()
            response.values = cursor.fetchone()
            return response

    return DatabaseContextMiddleware(view)(request).values


def _anonymous():
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()


@pytest.mark.django_db
def test_each_request_runs_in_its_persons_context(student, superuser):
    assert settings_in_request("/home/", student) == (
        str(student.pk),
        str(student.organization_id),
        "user",
    )
    assert settings_in_request("/accounts/email/", student)[2] == "signin"
    assert settings_in_request("/admin/", superuser) == ("", "", "operator")
    assert settings_in_request("/accounts/login/") == ("", "", "signin")
    assert settings_in_request("/admin/login/") == ("", "", "signin")
    # A visitor's context is no context (below).
    assert settings_in_request("/admin/") == ("", "", "")
    assert settings_in_request("/blog/") == ("", "", "")


@pytest.mark.django_db(transaction=True)
def test_a_reused_connection_carries_no_context_into_the_next_request(student, outsider):
    """The worker's connection serves A's request, then B's: each sees its own
    context, and between them (and after) the connection holds none."""
    assert settings_in_request("/home/", student)[1] == str(student.organization_id)
    with tenancy.use(None), connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('sqeeze.academy', true)")
        assert cursor.fetchone()[0] in (None, "")
    assert settings_in_request("/home/", outsider)[1] == str(outsider.organization_id)
    with tenancy.use(None):
        assert Journey.objects.count() == 0


@pytest.mark.django_db
def test_no_policy_or_function_of_ours_names_the_visitor():
    """What lets a visitor's requests send the database nothing: the visitor
    context shows exactly what no context shows (core.tenancy.VISITOR)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename || '.' || policyname FROM pg_policies "
            "WHERE schemaname = current_schema() "
            "AND (coalesce(qual, '') || coalesce(with_check, '')) ILIKE '%%visitor%%' "
            "UNION ALL SELECT proname FROM pg_proc "
            "WHERE proname LIKE 'sqeeze%%' AND prosrc ILIKE '%%visitor%%'"
        )
        assert cursor.fetchall() == []
        cursor.execute("SELECT count(*) FROM pg_policies WHERE schemaname = current_schema()")
        assert cursor.fetchone()[0] > 100  # the query above reads the policies there are


def visitor_request(view, path: str = "/blog/"):
    request = RequestFactory().get(path)
    request.session = {}
    request.user = _anonymous()
    return DatabaseContextMiddleware(view)(request)


@pytest.mark.django_db(transaction=True)
def test_a_visitors_reads_run_without_a_transaction_or_a_context(context_sends):
    """As before RLS: a public page costs its own queries and no more."""
    published, _unpublished = BlogFactory(), draft()
    seen = {}

    def view(request):
        with connection.cursor() as cursor:
            cursor.execute("SELECT id FROM blog")
            seen["ids"] = {row[0] for row in cursor.fetchall()}
        seen["in_transaction"] = connection.in_atomic_block
        return type("Answer", (), {"status_code": 200})()

    visitor_request(view)
    assert seen == {"ids": {published.pk}, "in_transaction": False}
    assert context_sends == []


@pytest.mark.django_db(transaction=True)
def test_a_visitors_request_that_writes_still_rolls_back_on_a_server_error(context_sends):
    """A visitor's write is handed to a context that reaches the database (an
    inquiry to the system's): the request's transaction begins there, and a
    response of 500 still takes the write back."""

    def view(request):
        Journey.objects.exists()  # a visitor's read first: no transaction yet
        with tenancy.use(tenancy.SYSTEM):
            BlogFactory(title="Written, then taken back")
        assert connection.in_atomic_block
        return type("Answer", (), {"status_code": 500})()

    visitor_request(view, "/inquiries/")
    assert context_sends == [tenancy.SYSTEM]
    assert not Blog.objects.filter(title="Written, then taken back").exists()


@pytest.mark.django_db(transaction=True)
def test_an_atomic_block_entered_again_sends_its_context_again(student):
    """A function decorated with ``transaction.atomic`` enters the same block
    object at every call, each call a transaction of its own."""
    context = DbContext(role="user", academy=student.organization_id, person=student.pk)

    @transaction.atomic
    def academy_seen() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('sqeeze.academy', true)")
            return cursor.fetchone()[0]

    with tenancy.use(context):
        assert academy_seen() == str(student.organization_id)
        assert academy_seen() == str(student.organization_id)


@pytest.fixture
def commands(monkeypatch) -> list:
    """The commands psycopg sends of its own (BEGIN, COMMIT …), in order."""
    sent = []
    exec_command = _connection_base.BaseConnection._exec_command

    def recording(self, command, *args, **kwargs):
        sent.append(bytes(command))
        return exec_command(self, command, *args, **kwargs)

    monkeypatch.setattr(_connection_base.BaseConnection, "_exec_command", recording)
    return sent


@pytest.mark.django_db(transaction=True)
def test_a_request_begins_its_transaction_and_sets_its_context_in_one_round_trip(student, commands):
    """BEGIN travels with the settings: psycopg sends no BEGIN of its own."""
    connection.ensure_connection()
    assert settings_in_request("/home/", student)[1] == str(student.organization_id)
    assert b"BEGIN" not in commands and b"COMMIT" in commands


@pytest.mark.django_db(transaction=True)
def test_a_connection_with_an_isolation_level_begins_as_psycopg_says(student, commands):
    connection.ensure_connection()
    driver = connection.connection
    driver.isolation_level = psycopg.IsolationLevel.SERIALIZABLE
    try:
        assert settings_in_request("/home/", student)[1] == str(student.organization_id)
    finally:
        driver.isolation_level = None
    assert b"BEGIN ISOLATION LEVEL SERIALIZABLE" in commands


@pytest.fixture
def context_sends(monkeypatch) -> list:
    """The contexts requests send the database, in order (not the operator's,
    which the tests' own queries and the session's, outside the request's
    transaction, run in: the process default of the tests)."""
    sent = []
    send = tenancy._send

    def counting(connection, context):
        if context != tenancy.OPERATOR:
            sent.append(context)
        return send(connection, context)

    monkeypatch.setattr(tenancy, "_send", counting)
    return sent


@pytest.mark.django_db(transaction=True)
def test_a_signed_in_request_sends_its_context_once(client, student, context_sends):
    """The session remembers the person's context from the log-in: a request
    loads the person in it and works in it, one set_config per request."""
    client.force_login(student)
    expected = DbContext(role="user", academy=student.organization_id, person=student.pk)
    assert client.session[REMEMBERED_CONTEXT]["role"] == "user"

    assert client.get("/home/").status_code == 200
    assert context_sends == [expected]


@pytest.mark.django_db(transaction=True)
def test_a_session_without_a_remembered_context_learns_it(client, student, context_sends):
    """A session from before (or one whose context was dropped) loads the
    person as a visitor who sees their own profile, then remembers."""
    client.force_login(student)
    session = client.session
    del session[REMEMBERED_CONTEXT]
    session.save()
    expected = DbContext(role="user", academy=student.organization_id, person=student.pk)

    assert client.get("/home/").status_code == 200
    assert context_sends == [DbContext(role="visitor", person=student.pk), expected]
    context_sends.clear()
    assert client.get("/home/").status_code == 200
    assert context_sends == [expected]


@pytest.mark.django_db(transaction=True)
def test_a_remembered_context_that_is_no_longer_true_is_corrected(
    client, student, other_organization, context_sends
):
    """The session's context is a guess for loading the person: when their
    role or academy changed since, the request runs in what the profile says."""
    client.force_login(student)
    assert client.get("/home/").status_code == 200
    Profile = type(student)
    Profile.objects.filter(pk=student.pk).update(role=Role.TEACHER)

    context_sends.clear()
    assert client.get("/home/").status_code == 200
    teacher = DbContext(role="teacher", academy=student.organization_id, person=student.pk)
    assert context_sends[-1] == teacher
    assert client.session[REMEMBERED_CONTEXT]["role"] == "teacher"


@pytest.mark.django_db
@pytest.mark.parametrize("case", ["someone else's", "a damaged academy", "not a mapping"])
def test_a_remembered_context_of_someone_else_or_damaged_is_ignored(student, case):
    remembered = {
        "someone else's": {
            "person": str(uuid.uuid4()),
            "academy": str(student.organization_id),
            "role": "admin",
        },
        "a damaged academy": {"person": str(student.pk), "academy": "x", "role": "admin"},
        "not a mapping": "admin",
    }[case]
    request = RequestFactory().get("/home/")
    request.session = {SESSION_KEY: str(student.pk), REMEMBERED_CONTEXT: remembered}
    assert _loading_context(request) == DbContext(role="visitor", person=student.pk)


@pytest.mark.django_db
def test_a_task_for_a_deleted_row_does_nothing():
    assert build_export(str(uuid.uuid4())) is None
    assert run_student_import(str(uuid.uuid4())) is None


@pytest.mark.django_db
def test_a_task_works_in_the_academy_of_its_row(organization, teacher):
    journey = JourneyFactory(organization=organization)
    from submissions.models import SubmissionExport

    export = SubmissionExport.objects.create(
        journey=journey,
        requested_by=teacher,
        format="csv",
        expires_at=timezone.now() + dt.timedelta(days=1),
    )
    assert tenancy.academy_of_row("submission_exports", export.pk) == organization.pk


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/accounts/login/", "/admin/login/"])
def test_people_log_in_through_the_forms_under_rls(client, superuser, password, path):
    """Logged out, nobody's context is known yet: the sign-in context finds
    the person by e-mail (allauth's form names it ``login``, admin's ``username``)."""
    field = "login" if path.startswith("/accounts/") else "username"
    response = client.post(path, {field: superuser.email, "password": password})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_the_sign_in_context_reads_identities_but_a_signed_in_person_writes_only_their_own(
    student, outsider
):
    """On the accounts pages a signed-in person may learn that an address is
    taken in another academy, but may not change that person; someone not yet
    signed in (signing up, resetting a password) writes the profile they reach."""
    update = "UPDATE profiles SET first_name = 'Changed' WHERE id = %s"
    with tenancy.use(tenancy.signin(student.pk, student.organization_id)):
        assert raw_sql("SELECT count(*) FROM profiles WHERE id = %s", [outsider.pk])[1][0][0] == 1
        assert raw_sql(update, [outsider.pk])[0] == 0
        assert raw_sql(update, [student.pk])[0] == 1
    with tenancy.use(tenancy.signin()):
        assert raw_sql(update, [outsider.pk])[0] == 1
    with tenancy.use(tenancy.VISITOR):
        assert raw_sql("SELECT count(*) FROM profiles")[1][0][0] == 0
