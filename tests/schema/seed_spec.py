"""A parser for the seed schema, the ```sql blocks of ``spec/sqeeze-schema.md``.

The spec is markdown written for people, with SQL in fenced blocks that mixes
PostgreSQL (enum types, ``= ANY (ARRAY[...])``) and MySQL-style ``COMMENT '...'``
clauses. The parser reads what the data contract promises about each table
(columns, types, nullability, defaults, allowed values, foreign keys) and the
enum types, so the parity test can hold the migrated database against it.

It is strict on purpose: a clause it does not understand raises ``SeedSpecError``
instead of being skipped, because a skipped clause would be a promise of the
seed that nobody checks.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]
# The source of truth, next to the checkout (present in CI and on the team's machines).
SHARED_SPEC_PATH = REPOSITORY_ROOT.parent / "shared" / "spec" / "sqeeze-schema.md"
# A verbatim copy, so the tests also run from a lone checkout.
VENDORED_SPEC_PATH = REPOSITORY_ROOT / "docs" / "spec" / "sqeeze-schema.md"

# Seed type names → how information_schema.columns.data_type spells them.
SQL_TYPES: dict[str, str] = {
    "TEXT": "text",
    "UUID": "uuid",
    "TIMESTAMPTZ": "timestamp with time zone",
    "TIMESTAMP WITH TIME ZONE": "timestamp with time zone",
    "TIMESTAMP": "timestamp without time zone",
    "INTEGER": "integer",
    "INT": "integer",
    "BIGINT": "bigint",
    "SMALLINT": "smallint",
    "BOOLEAN": "boolean",
    "JSONB": "jsonb",
    "JSON": "json",
    "DATE": "date",
    "VARCHAR": "character varying",
    "CHARACTER VARYING": "character varying",
}
# SERIAL types are an integer column whose value the database generates.
SERIAL_TYPES: dict[str, str] = {"SERIAL": "integer", "BIGSERIAL": "bigint"}
# Only these types take a length, as in VARCHAR(255).
TYPES_WITH_LENGTH = frozenset({"character varying"})
USER_DEFINED = "USER-DEFINED"

# Words that end a DEFAULT expression: the next column constraint starts there.
CONSTRAINT_KEYWORDS = frozenset(
    {"NOT", "NULL", "PRIMARY", "UNIQUE", "DEFAULT", "CHECK", "COMMENT", "REFERENCES"}
)

SQL_BLOCK = re.compile(r"^```sql[ \t]*\n(.*?)^```", re.DOTALL | re.MULTILINE)
STRING_OR_LINE_COMMENT = re.compile(r"'(?:[^']|'')*'|--[^\n]*")
QUOTED_STRING = re.compile(r"'((?:[^']|'')*)'")
CREATE_TABLE = re.compile(r"\bCREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?([\w.]+)\s*\(", re.I)
CREATE_ENUM = re.compile(r"\bCREATE\s+TYPE\s+([\w.]+)\s+AS\s+ENUM\s*\(", re.I)
TABLE_TAIL = re.compile(r"\s*(?:COMMENT\s+'((?:[^']|'')*)'\s*)?;", re.I)
FOREIGN_KEY = re.compile(
    r"^FOREIGN\s+KEY\s*\(\s*(\w+)\s*\)\s*REFERENCES\s+([\w.]+)\s*\(\s*(\w+)\s*\)$", re.I
)
REFERENCE = re.compile(r"^\(\s*(\w+)\s*\)$")
# CHECK (col = ANY (ARRAY['a', 'b'])) or CHECK (col IN ('a', 'b')).
ALLOWED_VALUES_CHECK = re.compile(
    r"^\(\s*(?P<column>\w+)\s*(?:=\s*ANY\s*\(\s*ARRAY\s*\[(?P<array>[^\]]*)\]\s*\)"
    r"|IN\s*\((?P<list>[^)]*)\))\s*\)$",
    re.I,
)
TOKEN = re.compile(r"::|[A-Za-z_][\w.]*|-?\d+(?:\.\d+)?|\S")


class SeedSpecError(ValueError):
    """The spec holds SQL this parser does not understand."""


@dataclass(frozen=True)
class SeedColumn:
    table: str
    name: str
    data_type: str  # as information_schema.columns.data_type shows it
    udt_name: str | None = None  # the enum type, when data_type is USER-DEFINED
    max_length: int | None = None
    auto_generated: bool = False  # SERIAL / BIGSERIAL
    nullable: bool = True
    primary_key: bool = False
    unique: bool = False
    default: str | None = None  # the SQL expression as the seed writes it
    allowed_values: tuple[str, ...] | None = None  # from an inline CHECK
    comment: str | None = None

    @property
    def qualified_name(self) -> str:
        return f"{self.table}.{self.name}"


@dataclass(frozen=True)
class SeedForeignKey:
    table: str
    column: str
    referenced_table: str
    referenced_column: str

    @property
    def target(self) -> str:
        """``table(column)``, the way the seed writes the reference."""
        return f"{self.referenced_table}({self.referenced_column})"


@dataclass(frozen=True)
class SeedTable:
    name: str
    columns: tuple[SeedColumn, ...]
    foreign_keys: tuple[SeedForeignKey, ...] = ()
    comment: str | None = None

    def column(self, name: str) -> SeedColumn:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(f"{self.name} has no column {name!r} in the seed")

    def references_of(self, column_name: str) -> frozenset[str]:
        return frozenset(fk.target for fk in self.foreign_keys if fk.column == column_name)


@dataclass(frozen=True)
class SeedSchema:
    tables: dict[str, SeedTable]
    enums: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def column_count(self) -> int:
        return sum(len(table.columns) for table in self.tables.values())

    def columns(self) -> Iterator[SeedColumn]:
        for table in self.tables.values():
            yield from table.columns


@dataclass(frozen=True)
class _Token:
    text: str
    start: int
    end: int

    @property
    def word(self) -> str:
        return self.text.upper()


def spec_path() -> Path:
    """The shared spec when it is next to the checkout, else the vendored copy."""
    return SHARED_SPEC_PATH if SHARED_SPEC_PATH.is_file() else VENDORED_SPEC_PATH


def load_seed_schema(path: Path | None = None) -> SeedSchema:
    return parse_seed_schema((path or spec_path()).read_text(encoding="utf-8"))


def parse_seed_schema(markdown: str) -> SeedSchema:
    blocks = [strip_line_comments(block) for block in sql_blocks(markdown)]
    # Enums first: a table may use a type created in an earlier (or later) block.
    enums: dict[str, tuple[str, ...]] = {}
    for block in blocks:
        enums.update(parse_enums(block))
    tables: dict[str, SeedTable] = {}
    for block in blocks:
        for table in parse_tables(block, enum_names=frozenset(enums)):
            if table.name in tables:
                raise SeedSpecError(f"table {table.name} is created twice")
            tables[table.name] = table
    return SeedSchema(tables=tables, enums=enums)


def sql_blocks(markdown: str) -> list[str]:
    return SQL_BLOCK.findall(markdown)


def strip_line_comments(sql: str) -> str:
    """Drops ``-- ...`` comments, leaving ``--`` inside string literals alone."""
    return STRING_OR_LINE_COMMENT.sub(
        lambda match: match.group(0) if match.group(0).startswith("'") else "", sql
    )


def parse_enums(sql: str) -> dict[str, tuple[str, ...]]:
    enums = {}
    for match in CREATE_ENUM.finditer(sql):
        close = matching_paren(sql, match.end() - 1)
        enums[match.group(1)] = quoted_values(sql[match.end() : close])
    return enums


def parse_tables(sql: str, *, enum_names: frozenset[str]) -> list[SeedTable]:
    tables = []
    for match in CREATE_TABLE.finditer(sql):
        close = matching_paren(sql, match.end() - 1)
        tail = TABLE_TAIL.match(sql, close + 1)
        if tail is None:
            raise SeedSpecError(f"cannot read what follows table {match.group(1)}")
        table_comment = unescape(tail.group(1)) if tail.group(1) is not None else None
        body = sql[match.end() : close]
        tables.append(parse_table_body(match.group(1), body, enum_names, table_comment))
    return tables


def parse_table_body(
    name: str, body: str, enum_names: frozenset[str], comment: str | None
) -> SeedTable:
    columns: list[SeedColumn] = []
    foreign_keys: list[SeedForeignKey] = []
    for item in split_top_level(body):
        if item.upper().startswith("FOREIGN"):
            foreign_keys.append(parse_foreign_key(name, item))
            continue
        if item.split(None, 1)[0].upper() in {"PRIMARY", "UNIQUE", "CHECK", "CONSTRAINT"}:
            raise SeedSpecError(f"{name}: table constraint not supported: {item}")
        column, inline_fk = parse_column(name, item, enum_names)
        columns.append(column)
        if inline_fk is not None:
            foreign_keys.append(inline_fk)
    known = {column.name for column in columns}
    for fk in foreign_keys:
        if fk.column not in known:
            raise SeedSpecError(f"{name}: foreign key on unknown column {fk.column}")
    return SeedTable(name, tuple(columns), tuple(foreign_keys), comment)


def parse_foreign_key(table: str, item: str) -> SeedForeignKey:
    match = FOREIGN_KEY.match(" ".join(item.split()))
    if match is None:
        raise SeedSpecError(f"{table}: cannot read foreign key: {item}")
    column, referenced_table, referenced_column = match.groups()
    return SeedForeignKey(table, column, referenced_table, referenced_column)


def parse_column(
    table: str, definition: str, enum_names: frozenset[str]
) -> tuple[SeedColumn, SeedForeignKey | None]:
    tokens = tokenize(definition)
    name = tokens[0].text
    position, type_fields = read_type(table, name, tokens, 1, enum_names)
    fields: dict = {"table": table, "name": name, **type_fields}
    inline_fk = None
    while position < len(tokens):
        word = tokens[position].word
        if word == "NOT" and next_word(tokens, position) == "NULL":
            fields["nullable"], position = False, position + 2
        elif word == "NULL":
            position += 1
        elif word == "PRIMARY" and next_word(tokens, position) == "KEY":
            fields.update(primary_key=True, nullable=False)
            position += 2
        elif word == "UNIQUE":
            fields["unique"], position = True, position + 1
        elif word == "DEFAULT":
            fields["default"], position = read_default(definition, tokens, position + 1)
        elif word == "CHECK":
            fields["allowed_values"] = allowed_values(table, name, tokens[position + 1].text)
            position += 2
        elif word == "COMMENT":
            fields["comment"], position = string_literal(table, name, tokens, position + 1)
        elif word == "REFERENCES":
            inline_fk = read_reference(table, name, tokens, position + 1)
            position += 3
        else:
            raise SeedSpecError(f"{table}.{name}: cannot read {tokens[position].text!r}")
    return SeedColumn(**fields), inline_fk


def read_type(
    table: str, column: str, tokens: list[_Token], position: int, enum_names: frozenset[str]
) -> tuple[int, dict]:
    """Reads the column type starting at ``position``; returns where it ends."""
    for length in (4, 3, 2, 1):  # longest first: TIMESTAMP WITH TIME ZONE before TIMESTAMP
        words = " ".join(token.word for token in tokens[position : position + length])
        if words in SQL_TYPES or words in SERIAL_TYPES:
            return read_type_length(table, column, tokens, position + length, words)
    type_name = tokens[position].text
    if type_name in enum_names:
        return position + 1, {"data_type": USER_DEFINED, "udt_name": type_name}
    raise SeedSpecError(f"{table}.{column}: unknown type {type_name!r}")


def read_type_length(
    table: str, column: str, tokens: list[_Token], position: int, type_words: str
) -> tuple[int, dict]:
    if type_words in SERIAL_TYPES:
        return position, {"data_type": SERIAL_TYPES[type_words], "auto_generated": True}
    fields: dict = {"data_type": SQL_TYPES[type_words]}
    if position < len(tokens) and tokens[position].text.startswith("("):
        if fields["data_type"] not in TYPES_WITH_LENGTH:
            raise SeedSpecError(f"{table}.{column}: {type_words} takes no length")
        fields["max_length"] = int(tokens[position].text.strip("() "))
        position += 1
    return position, fields


def read_default(definition: str, tokens: list[_Token], position: int) -> tuple[str, int]:
    """The DEFAULT expression runs until the next column constraint keyword."""
    end = position
    while end < len(tokens) and tokens[end].word not in CONSTRAINT_KEYWORDS:
        end += 1
    if end == position:
        raise SeedSpecError(f"DEFAULT without an expression in: {definition}")
    return definition[tokens[position].start : tokens[end - 1].end], end


def read_reference(table: str, column: str, tokens: list[_Token], position: int) -> SeedForeignKey:
    match = REFERENCE.match(tokens[position + 1].text) if position + 1 < len(tokens) else None
    if match is None:
        raise SeedSpecError(f"{table}.{column}: cannot read REFERENCES")
    return SeedForeignKey(table, column, tokens[position].text, match.group(1))


def allowed_values(table: str, column: str, check: str) -> tuple[str, ...]:
    """The list of an inline ``CHECK (col = ANY (ARRAY['a', 'b']))``."""
    match = ALLOWED_VALUES_CHECK.match(" ".join(check.split()))
    if match is None or match.group("column") != column:
        raise SeedSpecError(f"{table}.{column}: only allowed-values CHECKs are supported: {check}")
    return quoted_values(match.group("array") or match.group("list"))


def next_word(tokens: list[_Token], position: int) -> str | None:
    return tokens[position + 1].word if position + 1 < len(tokens) else None


def tokenize(sql: str) -> list[_Token]:
    """Words, numbers, ``::`` and punctuation; a quoted string or a whole
    parenthesised group is one token."""
    tokens = []
    position = 0
    while position < len(sql):
        if sql[position].isspace():
            position += 1
            continue
        if sql[position] == "'":
            end = end_of_string(sql, position)
        elif sql[position] == "(":
            end = matching_paren(sql, position) + 1
        else:
            end = TOKEN.match(sql, position).end()
        tokens.append(_Token(sql[position:end], position, end))
        position = end
    return tokens


def split_top_level(body: str) -> list[str]:
    """Splits a table body on the commas outside parentheses and strings."""
    items, depth, start, position = [], 0, 0, 0
    while position < len(body):
        char = body[position]
        if char == "'":
            position = end_of_string(body, position)
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "," and depth == 0:
            items.append(body[start:position])
            start = position + 1
        position += 1
    items.append(body[start:])
    return [" ".join(item.split()) for item in items if item.strip()]


def matching_paren(sql: str, open_position: int) -> int:
    """The position of the ``)`` closing the ``(`` at ``open_position``."""
    depth = 0
    position = open_position
    while position < len(sql):
        char = sql[position]
        if char == "'":
            position = end_of_string(sql, position)
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return position
        position += 1
    raise SeedSpecError(f"unbalanced parenthesis at: {sql[open_position : open_position + 60]}")


def end_of_string(sql: str, quote_position: int) -> int:
    """The position just after the string literal opening at ``quote_position``
    (``''`` inside it is an escaped quote)."""
    match = QUOTED_STRING.match(sql, quote_position)
    if match is None:
        raise SeedSpecError(f"unterminated string at: {sql[quote_position : quote_position + 60]}")
    return match.end()


def string_literal(table: str, column: str, tokens: list[_Token], position: int) -> tuple[str, int]:
    """The text of the string literal token at ``position``, and where it ends."""
    match = QUOTED_STRING.fullmatch(tokens[position].text) if position < len(tokens) else None
    if match is None:
        raise SeedSpecError(f"{table}.{column}: COMMENT needs a string literal")
    return unescape(match.group(1)), position + 1


def quoted_values(sql: str) -> tuple[str, ...]:
    return tuple(unescape(value) for value in QUOTED_STRING.findall(sql))


def unescape(string_body: str) -> str:
    return string_body.replace("''", "'")
