"""The two database roles (settings: DATABASE_URL and DATABASE_OWNER_URL).

Sqeeze connects as the *runtime* role: not a superuser, not the tables' owner,
without BYPASSRLS, so Row Level Security binds everything it does. The *owner*
role owns the tables; only migrations, ``flush`` (tests) and backups connect as
it, through ``as_owner``. After every migration the owner grants the runtime
role what it needs (``grant_runtime_role``), creating it first when it is missing
and the owner may create roles.
"""

from __future__ import annotations

import contextlib
import logging

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from psycopg import sql

logger = logging.getLogger(__name__)

# The connection settings that differ between the two roles; NAME stays the
# connection's own (a test run's database is test_<name>).
_ROLE_KEYS = ("USER", "PASSWORD", "HOST", "PORT")


def runtime_role() -> str:
    return settings.DATABASE_RUNTIME["USER"]


def owner_role() -> str:
    return settings.DATABASE_OWNER["USER"]


def has_two_roles() -> bool:
    return owner_role() != runtime_role()


@contextlib.contextmanager
def as_owner(alias: str = DEFAULT_DB_ALIAS):
    """Connect ``alias`` as the owner for the block, then as the runtime role again."""
    connection = connections[alias]
    if not has_two_roles():
        yield connection
        return
    saved = {key: connection.settings_dict.get(key) for key in _ROLE_KEYS}
    connection.close()
    connection.settings_dict.update({key: settings.DATABASE_OWNER.get(key) for key in _ROLE_KEYS})
    try:
        yield connection
    finally:
        connection.close()
        connection.settings_dict.update(saved)


def grant_runtime_role(connection) -> None:
    """As the owner: make sure the runtime role exists and may use every table,
    sequence and function of the schema (idempotent; run after each migration)."""
    if not has_two_roles():
        logger.warning(
            "DATABASE_URL and DATABASE_OWNER_URL name one role (%s): Row Level Security "
            "does not bind it. Give Sqeeze its own runtime role (README, Configuration).",
            runtime_role(),
        )
        return
    role = connection.ops.quote_name(runtime_role())
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [runtime_role()])
        if cursor.fetchone() is None:
            _create_runtime_role(cursor, role)
        cursor.execute("SELECT current_database(), current_schema()")
        database, schema = (connection.ops.quote_name(name) for name in cursor.fetchone())
        for statement in (
            f"GRANT CONNECT, TEMPORARY ON DATABASE {database} TO {role}",
            f"GRANT USAGE ON SCHEMA {schema} TO {role}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role}",
            f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {schema} TO {role}",
            f"GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA {schema} TO {role}",
        ):
            cursor.execute(statement)


def _create_runtime_role(cursor, role: str) -> None:
    cursor.execute("SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user")
    if not cursor.fetchone()[0]:
        raise RuntimeError(
            f"The runtime role {runtime_role()} (DATABASE_URL) does not exist and the owner "
            f"{owner_role()} may not create roles. Create it: CREATE ROLE {role} LOGIN PASSWORD "
            "'…' (README, Configuration)."
        )
    # A utility statement takes no bound parameter: the password is quoted here.
    password = sql.Literal(settings.DATABASE_RUNTIME.get("PASSWORD") or None)
    # NOSUPERUSER NOBYPASSRLS: Row Level Security must bind it.
    statement = sql.SQL(
        "CREATE ROLE {} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD {}"
    ).format(sql.Identifier(runtime_role()), password)
    cursor.execute(statement.as_string(cursor.db.connection))


def runtime_role_problem(connection) -> str | None:
    """Why the connected role escapes Row Level Security, or None when it cannot."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolname, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user"
        )
        name, is_superuser, bypasses = cursor.fetchone()
        if is_superuser or bypasses:
            return f"the role {name} is a superuser or has BYPASSRLS"
        cursor.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() "
            "AND tableowner = current_user"
        )
        if cursor.fetchone()[0]:
            return f"the role {name} owns tables"
    return None
