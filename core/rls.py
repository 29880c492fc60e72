"""Row Level Security, written once: the SQL a migration runs to put a table
under RLS (docs/architecture.md, "Tenancy in the database").

The policies read the context core.tenancy sends, through four small SQL
functions (``sqeeze_person()``, ``sqeeze_academy()``, ``sqeeze_role()``,
``sqeeze_is_platform()``), each called as ``(SELECT …)`` so PostgreSQL computes
it once per query, not once per row. The usual rule is the academy boundary:
``organization_id`` equals the context's academy, or the context is the
platform's own (system, operator). A table whose rows hang off another's gets
its own ``organization_id``, filled from the parent row by a trigger on every
insert and on every update of the parent key or of the column itself (so no
write can set it by hand), and updated when the parent's changes.

A migration that adds a table with academy data calls, in order:

    migrations.RunSQL(rls.organization_column("my_table", parent="journeys", key="journey_id")),
    migrations.RunSQL(rls.protect("my_table")),

``tests/core/test_row_level_security.py`` fails for a table that holds an
``organization_id`` (or is listed there) without RLS and a policy per command.
"""

from __future__ import annotations

from dataclasses import dataclass

COMMANDS = ("SELECT", "INSERT", "UPDATE", "DELETE")

ACADEMY = "(SELECT sqeeze_academy())"
PERSON = "(SELECT sqeeze_person())"
ROLE = "(SELECT sqeeze_role())"
PLATFORM = "(SELECT sqeeze_is_platform())"
SIGNIN = f"{ROLE} = 'signin'"
# The usual rule: the row is the context's academy's, or the platform's own work.
BOUNDARY = f"(organization_id = {ACADEMY} OR {PLATFORM})"

CONTEXT_FUNCTIONS = """
CREATE OR REPLACE FUNCTION sqeeze_person() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT nullif(current_setting('sqeeze.person', true), '')::uuid $$;
CREATE OR REPLACE FUNCTION sqeeze_academy() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT nullif(current_setting('sqeeze.academy', true), '')::uuid $$;
CREATE OR REPLACE FUNCTION sqeeze_role() RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT coalesce(current_setting('sqeeze.role', true), '') $$;
CREATE OR REPLACE FUNCTION sqeeze_is_platform() RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT coalesce(current_setting('sqeeze.role', true), '') IN ('system', 'operator') $$;
"""

DROP_CONTEXT_FUNCTIONS = """
DROP FUNCTION IF EXISTS sqeeze_person(), sqeeze_academy(), sqeeze_role(), sqeeze_is_platform();
"""


# Under RLS, PostgreSQL lets a query's condition run before the policies (in an
# index scan, say) only if everything in it is LEAKPROOF, and it ships the text
# search match and tsquery parser as not: the feed's search could not use its
# GIN index (posts_search_idx) and would read every post of the journey. They
# compute a value from their arguments, and their only errors are about the
# searched words or a value's size, which say nothing a policy hides, so we
# declare them leakproof (the words of a post come from a function of ours for
# the same reason: community migration 0009). Only a superuser may; without one
# the search still works, slower. Set after every migrate (``migrate``), since a
# restored dump does not carry a built-in function's flags.
LEAKPROOF_FUNCTIONS = (
    "ts_match_vq(tsvector, tsquery)",  # @@
    "to_tsquery(regconfig, text)",
    "sqeeze_post_document(text, text)",
)


def mark_leakproof(connection) -> bool:
    """Declare LEAKPROOF_FUNCTIONS leakproof if the connected role may; True if it did."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if not cursor.fetchone()[0]:
            return False
        for function in LEAKPROOF_FUNCTIONS:
            cursor.execute("SELECT to_regprocedure(%s) IS NOT NULL", [function])
            if cursor.fetchone()[0]:  # not there before its migration
                cursor.execute(f"ALTER FUNCTION {function} LEAKPROOF")
    return True


@dataclass(frozen=True)
class Policies:
    """One condition per command (SQL over the table's columns)."""

    select: str = BOUNDARY
    insert: str = BOUNDARY
    update: str = BOUNDARY
    delete: str = BOUNDARY

    def of(self, command: str) -> str:
        return getattr(self, command.lower())


def protect(table: str, policies: Policies = Policies()) -> str:
    """Enable and force RLS on ``table`` with a policy per command. UPDATE checks
    its condition on the row before (USING) and after (WITH CHECK)."""
    statements = [
        f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY;',
        f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY;',
    ]
    for command in COMMANDS:
        condition = policies.of(command)
        name = f"{table}_{command.lower()}"
        statements.append(f'DROP POLICY IF EXISTS "{name}" ON "{table}";')
        if command == "INSERT":
            clause = f"WITH CHECK ({condition})"
        elif command == "UPDATE":
            clause = f"USING ({condition}) WITH CHECK ({condition})"
        else:
            clause = f"USING ({condition})"
        statements.append(f'CREATE POLICY "{name}" ON "{table}" FOR {command} {clause};')
    return "\n".join(statements)


def unprotect(table: str) -> str:
    statements = [f'DROP POLICY IF EXISTS "{table}_{c.lower()}" ON "{table}";' for c in COMMANDS]
    statements.append(f'ALTER TABLE "{table}" NO FORCE ROW LEVEL SECURITY;')
    statements.append(f'ALTER TABLE "{table}" DISABLE ROW LEVEL SECURITY;')
    return "\n".join(statements)


def organization_column(table: str, *, parent: str, key: str, fallback: str = "") -> str:
    """Add ``table.organization_id`` (indexed), filled from ``parent`` through the
    column ``key`` by a trigger, and filled now for the rows there are. The
    trigger's lookup keeps one generic plan (a primary key's): planned at each
    call under the parent's policies, it cost three times its run.
    ``fallback``: an SQL expression over NEW for rows whose key is NULL."""
    function = f"sqeeze_fill_organization_{table}"
    found = f'(SELECT organization_id FROM "{parent}" WHERE id = NEW."{key}")'
    value = f"coalesce({found}, {fallback})" if fallback else found
    backfill_found = f'(SELECT p.organization_id FROM "{parent}" p WHERE p.id = t."{key}")'
    backfill = (
        f"coalesce({backfill_found}, {fallback.replace('NEW.', 't.')})"
        if fallback
        else backfill_found
    )
    return f"""
ALTER TABLE "{table}" ADD COLUMN IF NOT EXISTS organization_id uuid;
UPDATE "{table}" t SET organization_id = {backfill};
CREATE INDEX IF NOT EXISTS "{table}_organization_idx" ON "{table}" (organization_id);
CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql
    SET plan_cache_mode = force_generic_plan AS $$
BEGIN
    NEW.organization_id := {value};
    RETURN NEW;
END $$;
DROP TRIGGER IF EXISTS "{table}_organization" ON "{table}";
CREATE TRIGGER "{table}_organization" BEFORE INSERT OR UPDATE OF "{key}", organization_id
    ON "{table}" FOR EACH ROW EXECUTE FUNCTION {function}();
"""


def drop_organization_column(table: str) -> str:
    return f"""
DROP TRIGGER IF EXISTS "{table}_organization" ON "{table}";
DROP FUNCTION IF EXISTS sqeeze_fill_organization_{table}();
ALTER TABLE "{table}" DROP COLUMN IF EXISTS organization_id;
"""


def follow_parent(parent: str, children: dict[str, str]) -> str:
    """When a ``parent`` row moves to another academy, its ``children`` ({table:
    key column}) move with it (each child's own trigger reads the new value)."""
    function = f"sqeeze_move_children_of_{parent}"
    updates = "\n    ".join(
        f'UPDATE "{child}" SET organization_id = NEW.organization_id WHERE "{key}" = NEW.id;'
        for child, key in children.items()
    )
    return f"""
CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {updates}
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS "{parent}_children_follow" ON "{parent}";
CREATE TRIGGER "{parent}_children_follow" AFTER UPDATE OF organization_id ON "{parent}"
    FOR EACH ROW WHEN (OLD.organization_id IS DISTINCT FROM NEW.organization_id)
    EXECUTE FUNCTION {function}();
"""


def drop_follow_parent(parent: str) -> str:
    return f"""
DROP TRIGGER IF EXISTS "{parent}_children_follow" ON "{parent}";
DROP FUNCTION IF EXISTS sqeeze_move_children_of_{parent}();
"""
