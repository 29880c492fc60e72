"""The seed-spec parser reads every table, column and enum of the data contract,
and refuses SQL it does not understand rather than skipping it."""

from __future__ import annotations

import pytest

from tests.schema.seed_spec import (
    SHARED_SPEC_PATH,
    USER_DEFINED,
    VENDORED_SPEC_PATH,
    SeedSchema,
    SeedSpecError,
    load_seed_schema,
    parse_seed_schema,
    spec_path,
)

SEED_TABLES = {
    "organizations": 5,
    "profiles": 14,
    "role_access_code": 5,
    "journeys": 8,
    "user_journeys": 7,
    "journey_weeks": 6,
    "missions": 7,
    "journey_mission_instances": 9,
    "teams": 6,
    "team_members": 7,
    "posts": 16,
    "comments": 6,
    "likes": 4,
    "notifications": 8,
    "user_points": 7,
    "team_points": 7,
    "files": 13,
    "bug_reports": 9,
    "email_queue": 13,
    "subscriptions": 4,
    "blog": 7,
    "inquiry": 10,
}


@pytest.fixture(scope="module")
def seed() -> SeedSchema:
    return load_seed_schema()


def sql(body: str) -> str:
    """Wraps SQL in a markdown ```sql block, as the spec has it."""
    return f"Some prose.\n\n```sql\n{body}\n```\n\nMore prose.\n"


def test_it_finds_22_tables_and_178_columns(seed: SeedSchema) -> None:
    assert len(seed.tables) == 22
    assert seed.column_count == 178
    assert {name: len(table.columns) for name, table in seed.tables.items()} == SEED_TABLES


def test_it_reads_the_enum_types_in_order(seed: SeedSchema) -> None:
    assert seed.enums == {
        "role": ("user", "teacher", "admin"),
        "mission_status": ("not_started", "in_progress", "submitted", "completed", "rejected"),
        "file_type": ("image", "document", "video", "audio", "other"),
    }


def test_it_normalises_types_as_information_schema_spells_them(seed: SeedSchema) -> None:
    files = seed.tables["files"]
    assert (files.column("id").data_type, files.column("id").auto_generated) == ("bigint", True)
    assert files.column("metadata").data_type == "jsonb"
    assert files.column("file_type").data_type == USER_DEFINED
    assert files.column("file_type").udt_name == "file_type"
    email_id = seed.tables["email_queue"].column("id")
    assert (email_id.data_type, email_id.auto_generated) == ("integer", True)
    assert seed.tables["notifications"].column("message").data_type == "character varying"
    assert seed.tables["journeys"].column("date_start").data_type == "date"
    assert seed.tables["posts"].column("created_at").data_type == "timestamp with time zone"
    assert seed.tables["posts"].column("is_hidden").data_type == "boolean"


def test_it_reads_nullability_keys_and_defaults(seed: SeedSchema) -> None:
    profiles = seed.tables["profiles"]
    assert profiles.column("id").primary_key and not profiles.column("id").nullable
    assert profiles.column("id").default == "auth.uid()"
    assert profiles.column("email").unique and not profiles.column("email").nullable
    assert profiles.column("phone").nullable
    assert profiles.column("role").default == "'user'"
    assert profiles.column("organization_id").default == (
        "'6fb0bbe1-56ac-40fc-8725-ae302d6faac0'::uuid"
    )
    organizations = seed.tables["organizations"]
    assert organizations.column("created_at").default == "(now() AT TIME ZONE 'utc')"
    assert seed.tables["blog"].column("image_url").default == "'https://picsum.photos/980/540'"


def test_it_reads_inline_check_lists(seed: SeedSchema) -> None:
    achievement = seed.tables["posts"].column("achievement_status")
    assert achievement.allowed_values == ("pending", "achieved", "not_achieved")
    assert achievement.default == "'pending'"
    status = seed.tables["inquiry"].column("status")
    assert status.allowed_values == ("pending", "processing", "completed", "cancelled")
    assert [c.qualified_name for c in seed.columns() if c.allowed_values] == [
        "posts.achievement_status",
        "inquiry.status",
    ]


def test_it_reads_past_mysql_style_comments(seed: SeedSchema) -> None:
    inquiry = seed.tables["inquiry"]
    assert inquiry.comment == "학원 자동화 상담 신청 정보"
    assert inquiry.column("name").comment == "신청자 이름"
    # The COMMENT after the CHECK does not end up in the default or the value list.
    assert inquiry.column("status").default == "'pending'"
    assert inquiry.column("created_at").default == "now()"
    assert not inquiry.column("created_at").nullable


def test_it_reads_table_level_foreign_keys(seed: SeedSchema) -> None:
    profiles = seed.tables["profiles"]
    assert profiles.references_of("id") == {"auth.users(id)"}
    assert profiles.references_of("organization_id") == {"organizations(id)"}
    assert profiles.references_of("profile_image_file_id") == {"files(id)"}
    assert seed.tables["journey_mission_instances"].references_of("journey_id") == set()
    assert sum(len(table.foreign_keys) for table in seed.tables.values()) == 31


def test_helper_functions_and_views_are_not_tables(seed: SeedSchema) -> None:
    # The files section's upload_file() says "RETURNS TABLE(...)"; the views are views.
    assert not {"active_files", "file_stats", "upload_file"} & set(seed.tables)


def test_it_handles_lengths_inline_references_in_lists_and_tricky_strings() -> None:
    schema = parse_seed_schema(
        sql(
            """
            -- CREATE TABLE commented_out (id UUID);
            CREATE TYPE mood AS ENUM ('it''s fine', 'great');
            CREATE TABLE notes (
                id BIGSERIAL PRIMARY KEY,
                title VARCHAR(200) NOT NULL DEFAULT 'a, (b) -- c',
                mood mood DEFAULT 'great' COMMENT 'how, (it) feels',
                kind TEXT CHECK (kind IN ('x', 'y')),
                owner_id UUID REFERENCES people(id),
                at TIMESTAMP WITH TIME ZONE
            ) COMMENT 'it''s notes';
            """
        )
    )
    notes = schema.tables["notes"]
    assert schema.enums == {"mood": ("it's fine", "great")}
    assert [column.name for column in notes.columns] == [
        "id",
        "title",
        "mood",
        "kind",
        "owner_id",
        "at",
    ]
    title = notes.column("title")
    assert (title.data_type, title.max_length) == ("character varying", 200)
    assert title.default == "'a, (b) -- c'"
    assert notes.column("mood").comment == "how, (it) feels"
    assert notes.column("kind").allowed_values == ("x", "y")
    assert notes.references_of("owner_id") == {"people(id)"}
    assert notes.column("at").data_type == "timestamp with time zone"
    assert notes.comment == "it's notes"


@pytest.mark.parametrize(
    ("body", "complaint"),
    [
        ("CREATE TABLE t (id MONEY);", "unknown type 'MONEY'"),
        ("CREATE TABLE t (n INTEGER CHECK (n > 0));", "only allowed-values CHECKs"),
        ("CREATE TABLE t (a TEXT, b TEXT, UNIQUE (a, b));", "table constraint not supported"),
        ("CREATE TABLE t (a TEXT, FOREIGN KEY (b) REFERENCES u(id));", "unknown column b"),
        ('CREATE TABLE t (a TEXT COLLATE "C");', "cannot read 'COLLATE'"),
        ("CREATE TABLE t (a TEXT);\nCREATE TABLE t (b TEXT);", "created twice"),
    ],
)
def test_it_refuses_sql_it_does_not_understand(body: str, complaint: str) -> None:
    with pytest.raises(SeedSpecError, match=complaint):
        parse_seed_schema(sql(body))


def test_it_prefers_the_shared_spec_next_to_the_checkout() -> None:
    expected = SHARED_SPEC_PATH if SHARED_SPEC_PATH.is_file() else VENDORED_SPEC_PATH
    assert spec_path() == expected
    assert VENDORED_SPEC_PATH.is_file(), "the vendored copy docs/spec/sqeeze-schema.md is missing"


def test_the_vendored_spec_is_identical_to_the_shared_one() -> None:
    if not SHARED_SPEC_PATH.is_file():
        pytest.skip(f"no shared spec at {SHARED_SPEC_PATH}; the vendored copy is the source")
    assert VENDORED_SPEC_PATH.read_bytes() == SHARED_SPEC_PATH.read_bytes(), (
        "docs/spec/sqeeze-schema.md has drifted from the shared spec. Refresh it from the "
        "repository root with:\n    cp ../shared/spec/sqeeze-schema.md docs/spec/sqeeze-schema.md"
    )
