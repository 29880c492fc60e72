"""The migrated database keeps the seed's data contract (spec/sqeeze-schema.md).

For every seed table and column the database must have the same type,
nullability, default, primary key / unique, foreign keys and allowed values,
and the seed's enum types with the same values in the same order. Additions
(extra columns, tables, indexes, CHECKs) are free; the only departures from the
seed allowed are the ones in ``DEVIATIONS`` below, each with its reason.

``schema_mismatches`` returns every difference as one readable line, so a
failing run lists all of them at once; the tests at the bottom break the schema
on purpose (inside the test transaction) to prove each kind is caught.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

import pytest
from django.db import connection, transaction

from core.database_roles import as_owner
from tests.schema.seed_spec import (
    USER_DEFINED,
    SeedColumn,
    SeedSchema,
    load_seed_schema,
    matching_paren,
)

Aspect = Literal["default", "foreign key"]


@dataclass(frozen=True)
class Deviation:
    """One deliberate departure from the seed. ``seed`` is what the seed says
    (checked, so a deviation goes stale loudly when the seed changes); ``ours``
    is what our database has instead. ``None`` means "none"."""

    table: str
    column: str
    aspect: Aspect
    seed: str | None
    ours: str | None
    reason: str


AUTH_UID_REASON = (
    "auth.uid() is Supabase's JWT user and does not exist here; the service that "
    "writes the row sets the author explicitly."
)
UUID_OSSP_REASON = (
    "uuid_generate_v4() needs the uuid-ossp extension, which the embedded PostgreSQL "
    "lacks; gen_random_uuid() is built in and gives the same kind of id."
)
UTC_WALL_CLOCK_REASON = (
    "(now() AT TIME ZONE 'utc') is a zone-less UTC wall clock that PostgreSQL "
    "reinterprets in the session's zone (nine hours early in Asia/Seoul): a seed bug "
    "(accounts/migrations/0001_initial.py)."
)

# Every known, documented departure from the seed; anything else is a mismatch.
DEVIATIONS: tuple[Deviation, ...] = (
    Deviation(
        "profiles",
        "id",
        "default",
        seed="auth.uid()",
        ours="gen_random_uuid()",
        reason="profiles is the user table (AUTH_USER_MODEL), so it makes its own ids "
        "(accounts/migrations/0001_initial.py).",
    ),
    Deviation(
        "profiles",
        "id",
        "foreign key",
        seed="auth.users(id)",
        ours=None,
        reason="there is no Supabase auth.users: profiles IS the user table "
        "(accounts/migrations/0001_initial.py).",
    ),
    Deviation(
        "profiles",
        "organization_id",
        "default",
        seed="'6fb0bbe1-56ac-40fc-8725-ae302d6faac0'::uuid",
        ours=None,
        reason="the seed defaulted to one hard-coded academy of the original project; "
        "a new profile must not land in a stranger's academy "
        "(accounts/migrations/0002_initial.py).",
    ),
    Deviation(
        "organizations",
        "created_at",
        "default",
        seed="(now() AT TIME ZONE 'utc')",
        ours="now()",
        reason=UTC_WALL_CLOCK_REASON,
    ),
    Deviation(
        "organizations",
        "updated_at",
        "default",
        seed="(now() AT TIME ZONE 'utc')",
        ours="now()",
        reason=UTC_WALL_CLOCK_REASON,
    ),
    Deviation("posts", "user_id", "default", "auth.uid()", None, AUTH_UID_REASON),
    Deviation("comments", "user_id", "default", "auth.uid()", None, AUTH_UID_REASON),
    Deviation("likes", "user_id", "default", "auth.uid()", None, AUTH_UID_REASON),
    Deviation("bug_reports", "user_id", "default", "auth.uid()", None, AUTH_UID_REASON),
    Deviation("blog", "id", "default", "uuid_generate_v4()", "gen_random_uuid()", UUID_OSSP_REASON),
    Deviation(
        "inquiry", "id", "default", "uuid_generate_v4()", "gen_random_uuid()", UUID_OSSP_REASON
    ),
    Deviation(
        "journey_mission_instances",
        "journey_id",
        "foreign key",
        seed=None,
        ours="journeys(id)",
        reason="addition: the seed declares the column without a constraint, so it could "
        "point at nothing (missions/migrations/0001_initial.py).",
    ),
)


@dataclass(frozen=True)
class LiveColumn:
    data_type: str
    udt_name: str
    max_length: int | None
    nullable: bool
    default: str | None
    is_identity: bool

    @property
    def auto_generated(self) -> bool:
        """An identity column or a serial's ``nextval(...)`` default."""
        return self.is_identity or (self.default or "").startswith("nextval(")


@dataclass
class LiveSchema:
    """What the connected database has, in the current schema."""

    tables: set[str] = field(default_factory=set)
    columns: dict[tuple[str, str], LiveColumn] = field(default_factory=dict)
    foreign_keys: dict[tuple[str, str], set[str]] = field(default_factory=lambda: defaultdict(set))
    # Each allowed-values CHECK on a single column, as the set of its values.
    allowed_values: dict[tuple[str, str], list[frozenset[str]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    primary_key_columns: set[tuple[str, str]] = field(default_factory=set)
    unique_columns: set[tuple[str, str]] = field(default_factory=set)
    enums: dict[str, tuple[str, ...]] = field(default_factory=dict)


TABLES_SQL = """
    SELECT table_name FROM information_schema.tables
    WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'
"""
COLUMNS_SQL = """
    SELECT table_name, column_name, data_type, udt_name, character_maximum_length,
           is_nullable = 'YES', column_default, is_identity = 'YES'
    FROM information_schema.columns
    WHERE table_schema = current_schema()
"""
# pg_constraint rather than information_schema: constraint_column_usage only shows
# tables the current role owns, and pg_constraint pairs the columns directly.
FOREIGN_KEYS_SQL = """
    SELECT con.conrelid::regclass::text, src.attname, con.confrelid::regclass::text, dst.attname
    FROM pg_constraint con
    CROSS JOIN LATERAL unnest(con.conkey, con.confkey) AS pair(src_attnum, dst_attnum)
    JOIN pg_attribute src ON src.attrelid = con.conrelid AND src.attnum = pair.src_attnum
    JOIN pg_attribute dst ON dst.attrelid = con.confrelid AND dst.attnum = pair.dst_attnum
    WHERE con.contype = 'f' AND con.connamespace = current_schema()::regnamespace
"""
SINGLE_COLUMN_CHECKS_SQL = """
    SELECT con.conrelid::regclass::text, att.attname, pg_get_constraintdef(con.oid)
    FROM pg_constraint con
    JOIN pg_attribute att ON att.attrelid = con.conrelid AND att.attnum = con.conkey[1]
    WHERE con.contype = 'c' AND cardinality(con.conkey) = 1
      AND con.connamespace = current_schema()::regnamespace
"""
# Unique indexes on exactly one plain column, without a WHERE: what UNIQUE and
# PRIMARY KEY promise. Expression indexes (lower(email)) are additions, not these.
SINGLE_COLUMN_UNIQUE_SQL = """
    SELECT idx.indrelid::regclass::text, att.attname, idx.indisprimary
    FROM pg_index idx
    JOIN pg_class tbl ON tbl.oid = idx.indrelid
    JOIN pg_attribute att ON att.attrelid = idx.indrelid AND att.attnum = idx.indkey[0]
    WHERE idx.indisunique AND idx.indnkeyatts = 1
      AND idx.indexprs IS NULL AND idx.indpred IS NULL
      AND tbl.relnamespace = current_schema()::regnamespace
"""
ENUMS_SQL = """
    SELECT typ.typname, val.enumlabel
    FROM pg_type typ JOIN pg_enum val ON val.enumtypid = typ.oid
    WHERE typ.typnamespace = current_schema()::regnamespace
    ORDER BY typ.typname, val.enumsortorder
"""

ARRAY_VALUES = re.compile(r"=\s*ANY\s*\(+\s*ARRAY\[(?P<values>[^\]]*)\]", re.I)
QUOTED = re.compile(r"'((?:[^']|'')*)'")
STRING_LITERAL_SPLIT = re.compile(r"('(?:[^']|'')*')")
# A cast such as ::text, ::role, ::"char", ::character varying, ::text[].
CAST = re.compile(
    r"::\s*(?:\"[^\"]+\"|[a-z_][\w.]*)"
    r"(?:\s+(?:varying|precision|with(?:out)?\s+time\s+zone))?(?:\[\])?",
    re.I,
)
QUOTED_NUMBER = re.compile(r"^'(-?\d+(?:\.\d+)?)'$")


def read_live_schema() -> LiveSchema:
    live = LiveSchema()
    with connection.cursor() as cursor:
        live.tables = {name for (name,) in fetch(cursor, TABLES_SQL)}
        for table, column, *details in fetch(cursor, COLUMNS_SQL):
            live.columns[table, column] = LiveColumn(*details)
        for table, column, referenced_table, referenced_column in fetch(cursor, FOREIGN_KEYS_SQL):
            live.foreign_keys[table, column].add(f"{referenced_table}({referenced_column})")
        for table, column, definition in fetch(cursor, SINGLE_COLUMN_CHECKS_SQL):
            values = check_allowed_values(definition)
            if values is not None:
                live.allowed_values[table, column].append(values)
        for table, column, is_primary in fetch(cursor, SINGLE_COLUMN_UNIQUE_SQL):
            live.unique_columns.add((table, column))
            if is_primary:
                live.primary_key_columns.add((table, column))
        enums: dict[str, list[str]] = defaultdict(list)
        for type_name, label in fetch(cursor, ENUMS_SQL):
            enums[type_name].append(label)
        live.enums = {name: tuple(labels) for name, labels in enums.items()}
    return live


def fetch(cursor, sql: str) -> list[tuple]:
    cursor.execute(sql)
    return cursor.fetchall()


def check_allowed_values(definition: str) -> frozenset[str] | None:
    """The values of ``CHECK ((col = ANY (ARRAY['a'::text, ...])))``, as PostgreSQL
    prints both ``= ANY (ARRAY[...])`` and ``IN (...)``; None for other CHECKs."""
    match = ARRAY_VALUES.search(definition)
    if match is None:
        return None
    return frozenset(value.replace("''", "'") for value in QUOTED.findall(match["values"]))


def normalise_default(expression: str | None) -> str | None:
    """Compares defaults the way the seed writes them: without casts
    (``'user'::role`` → ``'user'``), without wrapping parentheses, lower case
    outside string literals, single spaces."""
    if expression is None:
        return None
    parts = STRING_LITERAL_SPLIT.split(expression)
    text = "".join(
        part if part.startswith("'") else re.sub(r"\s+", " ", CAST.sub("", part)).lower()
        for part in parts
    ).strip()
    while text.startswith("(") and matching_paren(text, 0) == len(text) - 1:
        text = text[1:-1].strip()
    # PostgreSQL prints a negative number default as '-1'::integer.
    number = QUOTED_NUMBER.match(text)
    return number.group(1) if number else text


def deviation_for(table: str, column: str, aspect: Aspect) -> Deviation | None:
    for deviation in DEVIATIONS:
        if (deviation.table, deviation.column, deviation.aspect) == (table, column, aspect):
            return deviation
    return None


def expected_default(column: SeedColumn) -> str | None:
    deviation = deviation_for(column.table, column.name, "default")
    return normalise_default(deviation.ours if deviation else column.default)


def expected_references(seed: SeedSchema, column: SeedColumn) -> set[str]:
    references = set(seed.tables[column.table].references_of(column.name))
    deviation = deviation_for(column.table, column.name, "foreign key")
    if deviation is not None:
        references.discard(deviation.seed)
        if deviation.ours is not None:
            references.add(deviation.ours)
    return references


def describe_type(data_type: str, udt_name: str | None, max_length: int | None) -> str:
    name = udt_name if data_type == USER_DEFINED else data_type
    return f"{name}({max_length})" if max_length is not None else str(name)


def schema_mismatches(seed: SeedSchema, live: LiveSchema) -> list[str]:
    """Every difference between the seed (minus ``DEVIATIONS``) and the database."""
    mismatches = list(stale_deviations(seed))
    mismatches += enum_mismatches(seed, live)
    for table in seed.tables.values():
        if table.name not in live.tables:
            mismatches.append(f"{table.name}: table is missing from the database")
            continue
        for column in table.columns:
            mismatches += column_mismatches(seed, column, live)
    return mismatches


def find_schema_mismatches() -> list[str]:
    return schema_mismatches(load_seed_schema(), read_live_schema())


def stale_deviations(seed: SeedSchema) -> Iterator[str]:
    """A deviation must describe the seed as it is now, or it could hide a change."""
    seen = set()
    for deviation in DEVIATIONS:
        key = (deviation.table, deviation.column, deviation.aspect)
        where = f"{deviation.table}.{deviation.column}: {deviation.aspect} deviation"
        if key in seen:
            yield f"{where} is listed twice"
        seen.add(key)
        table = seed.tables.get(deviation.table)
        if table is None or deviation.column not in {c.name for c in table.columns}:
            yield f"{where} names a column the seed does not have"
        elif deviation.aspect == "default":
            actual = table.column(deviation.column).default
            if normalise_default(actual) != normalise_default(deviation.seed):
                yield f"{where} is stale: the seed now says {actual!r}, not {deviation.seed!r}"
        else:
            actual_references = set(table.references_of(deviation.column))
            expected = {deviation.seed} if deviation.seed else set()
            if actual_references != expected:
                yield (
                    f"{where} is stale: the seed now references {sorted(actual_references)}, "
                    f"not {deviation.seed!r}"
                )


def enum_mismatches(seed: SeedSchema, live: LiveSchema) -> Iterator[str]:
    for name, values in seed.enums.items():
        actual = live.enums.get(name)
        if actual is None:
            yield f"enum {name}: type is missing from the database"
        elif actual != values:
            yield f"enum {name}: values are {list(actual)}, seed expects {list(values)} (in order)"


def column_mismatches(seed: SeedSchema, column: SeedColumn, live: LiveSchema) -> list[str]:
    key = (column.table, column.name)
    actual = live.columns.get(key)
    if actual is None:
        return [f"{column.qualified_name}: column is missing from the database"]
    checks = (
        type_mismatch(column, actual),
        nullable_mismatch(column, actual),
        auto_generated_mismatch(column, actual),
        default_mismatch(column, actual),
        key_mismatch(column, live),
        foreign_key_mismatch(seed, column, live),
        allowed_values_mismatch(column, live),
    )
    return [f"{column.qualified_name}: {problem}" for problem in checks if problem]


def type_mismatch(column: SeedColumn, actual: LiveColumn) -> str | None:
    expected = describe_type(column.data_type, column.udt_name, column.max_length)
    found = describe_type(actual.data_type, actual.udt_name, actual.max_length)
    return None if found == expected else f"type is {found}, seed expects {expected}"


def nullable_mismatch(column: SeedColumn, actual: LiveColumn) -> str | None:
    if actual.nullable == column.nullable:
        return None
    return "nullable, seed expects NOT NULL" if actual.nullable else "NOT NULL, seed allows NULL"


def auto_generated_mismatch(column: SeedColumn, actual: LiveColumn) -> str | None:
    if actual.auto_generated == column.auto_generated:
        return None
    if column.auto_generated:
        return "auto-generated: not auto-generated, seed expects SERIAL (identity or nextval)"
    return "auto-generated: values are generated, seed has no SERIAL here"


def default_mismatch(column: SeedColumn, actual: LiveColumn) -> str | None:
    if column.auto_generated:  # the serial's nextval() is its default
        return None
    expected = expected_default(column)
    found = normalise_default(actual.default)
    if found == expected:
        return None
    return (
        f"default is {describe_default(found)}, expected {describe_default(expected)}"
        f"{deviation_note(column, 'default')}"
    )


def describe_default(normalised: str | None) -> str:
    return "no default" if normalised is None else normalised


def deviation_note(column: SeedColumn, aspect: Aspect) -> str:
    return " (as listed in DEVIATIONS)" if deviation_for(column.table, column.name, aspect) else ""


def key_mismatch(column: SeedColumn, live: LiveSchema) -> str | None:
    key = (column.table, column.name)
    if column.primary_key and key not in live.primary_key_columns:
        return "primary key: not the table's primary key, seed expects PRIMARY KEY"
    if column.unique and key not in live.unique_columns:
        return "unique: no UNIQUE constraint on the column, seed expects UNIQUE"
    return None


def foreign_key_mismatch(seed: SeedSchema, column: SeedColumn, live: LiveSchema) -> str | None:
    expected = expected_references(seed, column)
    found = live.foreign_keys.get((column.table, column.name), set())
    if found == expected:
        return None
    return (
        f"foreign key references {describe_references(found)}, "
        f"expected {describe_references(expected)}{deviation_note(column, 'foreign key')}"
    )


def describe_references(references: set[str]) -> str:
    return ", ".join(sorted(references)) or "nothing"


def allowed_values_mismatch(column: SeedColumn, live: LiveSchema) -> str | None:
    if column.allowed_values is None:
        return None  # a CHECK the seed lacks is an addition, which is allowed
    checks = live.allowed_values.get((column.table, column.name), [])
    if not checks:
        return f"allowed values: no CHECK on the column, seed expects {list(column.allowed_values)}"
    # Several CHECKs on one column all apply: what passes is their intersection.
    allowed = frozenset.intersection(*checks)
    if allowed == frozenset(column.allowed_values):
        return None
    return f"allowed values are {sorted(allowed)}, seed expects {sorted(column.allowed_values)}"


# --------------------------------------------------------------------------- tests


@pytest.mark.django_db
def test_database_matches_the_seed_schema() -> None:
    mismatches = find_schema_mismatches()
    assert not mismatches, (
        f"{len(mismatches)} difference(s) between the seed (spec/sqeeze-schema.md) and the "
        "migrated database. Fix the model/migration, or, for a deliberate and documented "
        "departure, add it to DEVIATIONS with its reason:\n  " + "\n  ".join(mismatches)
    )


def test_every_deviation_still_describes_the_seed() -> None:
    stale = list(stale_deviations(load_seed_schema()))
    assert not stale, "\n".join(stale)


@pytest.mark.parametrize(
    ("database_default", "seed_default"),
    [
        ("now()", "now()"),
        ("gen_random_uuid()", "gen_random_uuid()"),
        ("false", "false"),
        ("0", "0"),
        ("'user'::role", "'user'"),
        ("'pending'::text", "'pending'"),
        ("'https://picsum.photos/980/540'::text", "'https://picsum.photos/980/540'"),
        ("(now() AT TIME ZONE 'utc'::text)", "(now() AT TIME ZONE 'utc')"),
        ("'6fb0bbe1-56ac-40fc-8725-ae302d6faac0'::uuid", "'6fb0bbe1-56ac-40fc-8725-ae302d6faac0'"),
        ("'-1'::integer", "-1"),
        ("'A::B'::text", "'A::B'"),  # a cast-like string literal is data, kept as is
    ],
)
def test_defaults_are_compared_without_casts_and_wrapping(
    database_default: str, seed_default: str
) -> None:
    assert normalise_default(database_default) == normalise_default(seed_default)


def test_a_different_default_stays_different() -> None:
    assert normalise_default("'User'::text") != normalise_default("'user'")
    assert normalise_default("statement_timestamp()") != normalise_default("now()")


# The broken-schema tests change the schema inside a savepoint of the test's
# transaction and roll it back before returning (the test transaction itself is
# rolled back too), so no other test sees the damage.


def lookup_constraint(table: str, column: str, contype: str) -> str:
    """The name of the constraint of kind ``contype`` on exactly ``table.column``."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT con.conname FROM pg_constraint con
            JOIN pg_attribute att ON att.attrelid = con.conrelid AND att.attnum = con.conkey[1]
            WHERE con.conrelid = %s::regclass AND att.attname = %s
              AND con.contype = %s AND cardinality(con.conkey) = 1
            """,
            [table, column, contype],
        )
        rows = cursor.fetchall()
    assert len(rows) == 1, f"expected one {contype!r} constraint on {table}.{column}: {rows}"
    return rows[0][0]


def mismatches_after(statements: list[str]) -> list[str]:
    """Runs ``statements``, returns the mismatches, then undoes the statements."""
    # Only the owner may alter tables; its transaction is rolled back below.
    with as_owner() as owner, transaction.atomic():
        with owner.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
        mismatches = find_schema_mismatches()
        transaction.set_rollback(True)
    return mismatches


def drop_constraint_sql(table: str, column: str, contype: str) -> str:
    return f"ALTER TABLE {table} DROP CONSTRAINT {lookup_constraint(table, column, contype)}"


def replace_achievement_check_sql() -> list[str]:
    return [
        drop_constraint_sql("posts", "achievement_status", "c"),
        "ALTER TABLE posts ADD CONSTRAINT parity_probe_check"
        " CHECK (achievement_status IN ('pending', 'achieved', 'rejected'))",
    ]


BROKEN_SCHEMAS = {
    "dropped column": (
        lambda: ["ALTER TABLE likes DROP COLUMN created_at"],
        "likes.created_at: column is missing from the database",
    ),
    "dropped NOT NULL": (
        lambda: ["ALTER TABLE posts ALTER COLUMN title DROP NOT NULL"],
        "posts.title: nullable, seed expects NOT NULL",
    ),
    "changed default": (
        lambda: ["ALTER TABLE missions ALTER COLUMN points SET DEFAULT 5"],
        "missions.points: default is 5, expected 0",
    ),
    "deviation undone": (
        lambda: [
            "ALTER TABLE profiles ALTER COLUMN organization_id"
            " SET DEFAULT '6fb0bbe1-56ac-40fc-8725-ae302d6faac0'"
        ],
        "profiles.organization_id: default is '6fb0bbe1-56ac-40fc-8725-ae302d6faac0', "
        "expected no default (as listed in DEVIATIONS)",
    ),
    "dropped foreign key": (
        lambda: [drop_constraint_sql("comments", "post_id", "f")],
        "comments.post_id: foreign key references nothing, expected posts(id)",
    ),
    "foreign key the seed lacks": (
        lambda: [
            "ALTER TABLE email_queue ADD CONSTRAINT parity_probe_fk"
            " FOREIGN KEY (content_ref_id) REFERENCES posts(id)"
        ],
        "email_queue.content_ref_id: foreign key references posts(id), expected nothing",
    ),
    "changed allowed values": (
        replace_achievement_check_sql,
        "posts.achievement_status: allowed values are ['achieved', 'pending', 'rejected'], "
        "seed expects ['achieved', 'not_achieved', 'pending']",
    ),
    "allowed values narrowed by a second CHECK": (
        lambda: [
            "ALTER TABLE inquiry ADD CONSTRAINT parity_probe_check"
            " CHECK (status IN ('pending', 'completed'))"
        ],
        "inquiry.status: allowed values are ['completed', 'pending'], "
        "seed expects ['cancelled', 'completed', 'pending', 'processing']",
    ),
    "dropped CHECK": (
        lambda: [drop_constraint_sql("inquiry", "status", "c")],
        "inquiry.status: allowed values: no CHECK on the column",
    ),
    "changed type": (
        lambda: ["ALTER TABLE notifications ALTER COLUMN message TYPE text"],
        "notifications.message: type is text, seed expects character varying",
    ),
    "renamed enum value": (
        lambda: ["ALTER TYPE file_type RENAME VALUE 'other' TO 'misc'"],
        "enum file_type: values are ['image', 'document', 'video', 'audio', 'misc']",
    ),
    "serial no longer generated": (
        lambda: ["ALTER TABLE email_queue ALTER COLUMN id DROP IDENTITY"],
        "email_queue.id: auto-generated: not auto-generated",
    ),
    "dropped UNIQUE": (
        lambda: [drop_constraint_sql("profiles", "email", "u")],
        "profiles.email: unique: no UNIQUE constraint on the column",
    ),
    "missing table": (
        lambda: ["ALTER TABLE likes RENAME TO likes_renamed"],
        "likes: table is missing from the database",
    ),
}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("case", list(BROKEN_SCHEMAS))
def test_a_broken_schema_is_reported(case: str) -> None:
    make_statements, expected_message = BROKEN_SCHEMAS[case]
    before = find_schema_mismatches()

    after = mismatches_after(make_statements())

    assert any(expected_message in mismatch for mismatch in after), (
        f"{expected_message!r} not reported; got:\n  " + "\n  ".join(after)
    )
    assert not any(expected_message in mismatch for mismatch in before)
    assert find_schema_mismatches() == before, "the broken schema leaked out of its savepoint"


@pytest.mark.django_db(transaction=True)
def test_every_difference_is_reported_in_one_run() -> None:
    before = set(find_schema_mismatches())

    after = mismatches_after(
        [
            "ALTER TABLE likes DROP COLUMN created_at",
            "ALTER TABLE posts ALTER COLUMN title DROP NOT NULL",
            "ALTER TABLE missions ALTER COLUMN points SET DEFAULT 5",
            drop_constraint_sql("comments", "post_id", "f"),
            *replace_achievement_check_sql(),
        ]
    )

    new = sorted(set(after) - before)
    assert [message.split(":", 1)[0] for message in new] == [
        "comments.post_id",
        "likes.created_at",
        "missions.points",
        "posts.achievement_status",
        "posts.title",
    ], new
