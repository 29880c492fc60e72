"""Who the database is working for: the context its Row Level Security reads.

Every table with academy data has RLS enabled and forced (docs/architecture.md,
"Tenancy in the database"). Its policies read three settings of the current
transaction: ``sqeeze.person`` (a profile id), ``sqeeze.academy`` (an
organization id) and ``sqeeze.role``. This module is the one place that says
what they may hold and how they reach the database:

- ``user`` / ``teacher`` / ``admin``: a signed-in person of an academy
  (``accounts.tenancy`` builds it for each request);
- ``academy``: work done for one academy with no person, such as a Celery task
  for one of its rows (``for_academy``);
- ``signin``: the log-in, sign-up and password pages, which must find a person
  by e-mail or a code before anyone is known; they see identities only;
- ``visitor``: anyone else on a public page (published blog posts, the inquiry
  form): what no context shows, so the database hears nothing of it;
- ``system``: the platform's own periodic work (the mail drainer, beat's tasks);
- ``operator``: a platform operator (a superuser in Django admin, ``manage.py``).

Code declares a context with ``with tenancy.use(context):``; it is kept in a
context variable, so threads and requests never share it. The database hears of
it only inside a transaction (``set_config(…, true)``): before the first query of
a transaction that lacks it, ``apply_context`` (an execute wrapper on every
connection) sends the three settings. A query outside any transaction with a
context set runs in a transaction of its own; a commit forgets the settings, so a
pooled or reused connection never carries one request's context into another.
No context means empty settings, and the policies then show no row and refuse
every write.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.db import connections, transaction
from psycopg import pq

from core.db import fetch_all, send_command, transaction_begun

# Roles that cross the academy boundary: the platform's own.
PLATFORM_ROLES = ("system", "operator")


@dataclass(frozen=True)
class DbContext:
    role: str
    academy: UUID | None = None
    person: UUID | None = None

    def settings(self) -> tuple[str, str, str]:
        """The values of sqeeze.person, sqeeze.academy and sqeeze.role."""
        return (str(self.person or ""), str(self.academy or ""), self.role)


SYSTEM = DbContext(role="system")
OPERATOR = DbContext(role="operator")
# A visitor sees what a connection without context sees, public rows (no
# policy names the visitor: tests/core/test_row_level_security.py checks it),
# so the database hears nothing of a visitor: a public page's reads run as
# they did before RLS, without a transaction or a set_config around them.
VISITOR = DbContext(role="visitor")
# What a transaction holds before a context is sent, and once it is taken away.
_EMPTY_SETTINGS = ("", "", "")


def _to_send(context: DbContext | None) -> DbContext | None:
    """What the database must hear of ``context``: nothing (None) for no
    context and for the visitor's, which shows the same rows."""
    return None if context is None or context == VISITOR else context


def for_academy(academy_id: UUID | str) -> DbContext:
    """Work for one academy and nobody in it (a task for one of its rows)."""
    return DbContext(role="academy", academy=UUID(str(academy_id)))


def signin(person_id: UUID | None = None, academy_id: UUID | None = None) -> DbContext:
    return DbContext(role="signin", academy=academy_id, person=person_id)


_UNSET = DbContext(role="")
_current: contextvars.ContextVar[DbContext | None] = contextvars.ContextVar(
    "sqeeze_db_context", default=_UNSET
)
# The context of a process where nothing declared one: None (nothing is
# readable) for web servers and workers, OPERATOR for manage.py commands
# (manage.py) and for the tests' own reads and writes (tests/conftest.py).
_process_default: DbContext | None = None


def current() -> DbContext | None:
    context = _current.get()
    return _process_default if context is _UNSET else context


def set_process_default(context: DbContext | None) -> None:
    global _process_default
    _process_default = context


@contextlib.contextmanager
def use(context: DbContext | None):
    """Run the block's database work in ``context`` (None: in no context)."""
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)


def as_academy():
    """The current person's academy doing the work, for a write whose row the
    person may not read back (a notification to someone else: PostgreSQL
    checks the read policy on the row an INSERT returns)."""
    context = current()
    if context is None or context.academy is None or context.role in PLATFORM_ROLES:
        return use(context)
    return use(for_academy(context.academy))


def finding_identities():
    """For a question about identities across academies (is this e-mail
    address taken anywhere?): the sign-in context's reach, which sees profiles
    and addresses but no academy's data. The platform's contexts stay as they are."""
    context = current()
    if context is not None and context.role in PLATFORM_ROLES:
        return use(context)
    if context is None:
        return use(signin())
    return use(signin(context.person, context.academy))


def by_secret():
    """For a row found by a secret it carries (a journey's invite token),
    which whoever holds the secret may see whatever their academy: the lookup
    runs in the system context. The caller then acts in its own context."""
    return use(SYSTEM)


def run_in(context: DbContext):
    """Decorator: the function's database work runs in ``context`` (Celery
    tasks of the platform: ``@tenancy.run_in(tenancy.SYSTEM)``)."""

    def decorate(function):
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            with use(context):
                return function(*args, **kwargs)

        return wrapper

    return decorate


def academy_of_row(table: str, row_id: Any, column: str = "organization_id") -> UUID | None:
    """The academy a row belongs to, read in the system context (a task learns
    whose row it works for before it works in that academy's context); None
    when the row is gone."""
    with use(SYSTEM):
        # table and column are names from our code, never from input.
        rows = fetch_all(f'SELECT "{column}" FROM "{table}" WHERE id = %s', [row_id])
    return rows[0][0] if rows else None


# --- how the context reaches the database -----------------------------------


@dataclass
class _Applied:
    """What a connection's current transaction holds: the context last sent,
    in which transaction (its outermost atomic block) and at which savepoint
    depth. A savepoint that ends (released or rolled back) may take the
    settings with it, so the context counts as sent only while the savepoints
    it was sent under are still open."""

    outer: Any
    savepoints: tuple
    context: DbContext | None


_SET_CONTEXT = (
    "SELECT set_config('sqeeze.person', %s, true), "
    "set_config('sqeeze.academy', %s, true), set_config('sqeeze.role', %s, true)"
)


def _send(connection, context: DbContext | None) -> None:
    values = context.settings() if context is not None else _EMPTY_SETTINGS
    if not _begin_with(connection, values):
        # psycopg's own cursor: no execute wrapper (no recursion), no query log.
        with connection.wrap_database_errors, connection.connection.cursor() as cursor:
            cursor.execute(_SET_CONTEXT, values)
    connection.sqeeze_applied = _Applied(
        connection.atomic_blocks[0], tuple(connection.savepoint_ids), context
    )


def _begin_with(connection, values: tuple[str, str, str]) -> bool:
    """Begin the transaction and set the context in one round trip, when the
    transaction has not begun yet (a request's first query, in production):
    psycopg would send its BEGIN alone first. False when there is nothing to
    begin, or psycopg's BEGIN would say more than BEGIN (an isolation level)."""
    driver = connection.connection
    if (
        driver.autocommit
        or transaction_begun(connection)
        or (driver.isolation_level, driver.read_only, driver.deferrable) != (None, None, None)
    ):
        return False
    # One simple query, so the values are literals, escaped by libpq.
    escaping = pq.Escaping(driver.pgconn)
    literals = [escaping.escape_literal(value.encode()).decode() for value in values]
    send_command(connection, "BEGIN; " + _SET_CONTEXT % tuple(literals))
    return True


def _holds(connection, context: DbContext | None) -> bool:
    """Whether the connection's transaction already holds ``context`` (one
    that ``_to_send`` gave)."""
    applied: _Applied | None = getattr(connection, "sqeeze_applied", None)
    if (
        applied is None
        or not connection.atomic_blocks
        or connection.atomic_blocks[0] is not applied.outer
        # The same atomic block entered again (a decorator's) is a new
        # transaction, which PostgreSQL has not even begun yet.
        or not transaction_begun(connection)
    ):
        # Nothing was sent in this transaction: it holds empty settings.
        return context is None
    depth = len(applied.savepoints)
    return (
        tuple(connection.savepoint_ids[:depth]) == applied.savepoints and applied.context == context
    )


class _UnitOfWork:
    """One transaction for a whole request, begun by its first query (a request
    that reads nothing opens no connection) and ended by ``unit_of_work``.
    ``rollback_only``: end it with a rollback (a request that failed)."""

    def __init__(self) -> None:
        self.blocks: dict[str, transaction.Atomic] = {}
        self.rollback_only = False

    def begin(self, connection) -> None:
        block = transaction.atomic(using=connection.alias, savepoint=False)
        block.__enter__()
        self.blocks[connection.alias] = block

    def end(self, exc_info=(None, None, None)) -> None:
        for alias, block in self.blocks.items():
            if self.rollback_only:
                transaction.set_rollback(True, using=alias)
            block.__exit__(*exc_info)
            connections[alias].sqeeze_applied = None
        self.blocks.clear()


_unit_of_work: contextvars.ContextVar[_UnitOfWork | None] = contextvars.ContextVar(
    "sqeeze_unit_of_work", default=None
)


@contextlib.contextmanager
def unit_of_work():
    """The block's queries share one transaction, begun at the first of them;
    it commits when the block ends, or rolls back on an exception or when the
    block set ``rollback_only`` on the unit it was given."""
    work = _UnitOfWork()
    token = _unit_of_work.set(work)
    try:
        yield work
    except BaseException as error:
        _unit_of_work.reset(token)
        work.rollback_only = True
        work.end(exc_info=(type(error), error, error.__traceback__))
        raise
    _unit_of_work.reset(token)
    work.end()


def apply_context(execute, sql, params, many, context):
    """Execute wrapper (installed on every connection, ``install``): send the
    current context before a query whose transaction lacks it."""
    connection = context["connection"]
    wanted = _to_send(current())
    if not connection.in_atomic_block:
        work = _unit_of_work.get()
        if wanted is not None and work is not None and connection.alias not in work.blocks:
            work.begin(connection)
        else:
            connection.sqeeze_applied = None
            if wanted is None or not _reads_rows(sql):
                return execute(sql, params, many, context)
            with transaction.atomic(using=connection.alias):
                _send(connection, wanted)
                return execute(sql, params, many, context)
    if not _holds(connection, wanted):
        _send(connection, wanted)
    return execute(sql, params, many, context)


# Statements that Row Level Security filters. Others (DDL, VACUUM, CREATE
# DATABASE) need no context, and some may not run inside a transaction.
_ROW_STATEMENTS = ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH", "MERGE", "COPY", "DECLARE")


def _reads_rows(sql) -> bool:
    return str(sql).lstrip(" \n(").upper().startswith(_ROW_STATEMENTS)


def install(sender, connection, **kwargs) -> None:
    """``connection_created`` receiver: every connection of DATABASES applies
    the context (not Django's temporary one to create a test database)."""
    if connection.alias not in connections.settings:
        return
    if apply_context not in connection.execute_wrappers:
        connection.execute_wrappers.append(apply_context)
    connection.sqeeze_applied = None
