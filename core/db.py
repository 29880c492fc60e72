"""Model building blocks shared by every app: seed-faithful column helpers."""

from __future__ import annotations

import uuid

import psycopg
from django.core import validators
from django.db import connection, models
from django.utils.translation import gettext_lazy as _
from psycopg import pq


class PostgresEnumField(models.CharField):
    """A column of a PostgreSQL ENUM type (the seed's ``role``, ``mission_status``,
    ``file_type``), so the database itself refuses values outside the list.

    The type is created by a ``RunSQL`` in the owning app's first migration.
    """

    def __init__(self, *args, enum_name: str, **kwargs):
        self.enum_name = enum_name
        kwargs.setdefault("max_length", 32)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["enum_name"] = self.enum_name
        return name, path, args, kwargs

    def db_type(self, connection):
        return self.enum_name

    def cast_db_type(self, connection):
        return self.enum_name


def create_enum_sql(name: str, choices: type[models.TextChoices]) -> str:
    values = ", ".join(f"'{value}'" for value in choices.values)
    return f"CREATE TYPE {name} AS ENUM ({values});"


class DatabaseNow(models.Func):
    """``now()``: the transaction's start time, as the seed's defaults say.

    Django's ``Now()`` renders ``STATEMENT_TIMESTAMP()`` on PostgreSQL, which
    would give rows written in one transaction different timestamps.
    """

    template = "now()"
    output_field = models.DateTimeField()


def created_at_field(*, null: bool = True) -> models.DateTimeField:
    """``created_at TIMESTAMPTZ DEFAULT now()``: the database stamps the row."""
    return models.DateTimeField(
        _("created at"), null=null, db_default=DatabaseNow(), editable=False
    )


def updated_at_field(*, null: bool = True) -> models.DateTimeField:
    """``updated_at TIMESTAMPTZ DEFAULT now()``, refreshed by every ORM save."""
    return models.DateTimeField(
        _("updated at"), null=null, db_default=DatabaseNow(), auto_now=True, editable=False
    )


class GenRandomUUID(models.Func):
    function = "gen_random_uuid"
    output_field = models.UUIDField()


def uuid_field(**kwargs) -> models.UUIDField:
    """A UUID column defaulting to ``gen_random_uuid()`` in the database.

    The Python default makes the ORM know the id before saving (forms, inlines,
    factories); the database default serves rows inserted with plain SQL.
    """
    return models.UUIDField(default=uuid.uuid4, db_default=GenRandomUUID(), **kwargs)


def uuid_pk() -> models.UUIDField:
    """``id UUID PRIMARY KEY DEFAULT gen_random_uuid()``."""
    return uuid_field(primary_key=True, editable=False)


class TextLineField(models.TextField):
    """A ``TEXT`` column edited as one line (names, titles, phone numbers).

    The seed uses TEXT everywhere; a textarea for a name would be odd.
    """

    def formfield(self, **kwargs):
        from django import forms

        kwargs.setdefault("widget", forms.TextInput)
        return super().formfield(**kwargs)


class EmailTextField(TextLineField):
    """An e-mail address stored as ``TEXT`` (the seed's type), validated as e-mail."""

    default_validators = [validators.validate_email]

    def formfield(self, **kwargs):
        from django import forms

        kwargs.setdefault("form_class", forms.EmailField)
        kwargs.setdefault("widget", forms.EmailInput)
        return super().formfield(**kwargs)


class RandomToken(models.Func):
    """64 hex characters (two v4 UUIDs, 244 random bits) from ``gen_random_uuid()``:
    the embedded PostgreSQL has no pgcrypto for ``gen_random_bytes``."""

    template = "replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', '')"
    output_field = models.TextField()


def new_random_token() -> str:
    """The Python twin of ``RandomToken``, so the ORM knows a new row's token."""
    return uuid.uuid4().hex + uuid.uuid4().hex


class SubqueryCount(models.Subquery):
    """How many rows a correlated queryset has, as an integer annotation:
    ``(SELECT count(*) FROM (…) AS counted)``. A subquery per count rather than
    ``Count()`` over joins, so two counts on one row cannot multiply each other
    and the outer query needs no GROUP BY; an empty set counts 0, not NULL."""

    template = "(SELECT count(*) FROM (%(subquery)s) AS counted)"
    output_field = models.IntegerField()

    def __init__(self, queryset, **extra):
        super().__init__(queryset.order_by().values("pk"), **extra)


class AnyOf(models.Lookup):
    """``lhs = ANY(ARRAY(subquery))``: the subquery's values are read first
    (an init plan) and the rows are then fetched by them through the index of
    ``lhs``, where ``lhs IN (subquery)`` may be planned as a join, or, inside
    an OR, as a filter over every row. Use it as an expression:
    ``filter(AnyOf(F("team_id"), Subquery(teams)))``."""

    lookup_name = "any_of"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY(ARRAY{rhs})", (*lhs_params, *rhs_params)


@models.Field.register_lookup
class InArray(models.Lookup):
    """``field__in_array=[…]``: ``field = ANY(%s::type[])``, one array parameter
    whatever the list's length, where ``__in`` writes one parameter per item
    and so a new statement (and a new prepared statement) per length."""

    lookup_name = "in_array"
    prepare_rhs = False

    def get_db_prep_lookup(self, value, connection):
        field = self.lhs.output_field
        return "%s", [[field.get_db_prep_value(item, connection) for item in value]]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        element_type = self.lhs.output_field.cast_db_type(connection)
        return f"{lhs} = ANY({rhs}::{element_type}[])", [*lhs_params, *rhs_params]


def fetch_all(sql: str, params=None) -> list[tuple]:
    """The rows of a statement written in SQL, as plain tuples (no ORM
    converters: for the reads where building rows cost more than the query)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def send_command(db_connection, command: str) -> None:
    """Send ``command`` (SQL without parameters; several statements may be
    separated by semicolons) in one simple-protocol round trip, through libpq
    itself: no prepared statement, no execute wrapper, no query log, a fraction
    of a Django cursor's cost. For the few fixed commands every request sends
    (core.tenancy, core.statements); psycopg keeps reading the transaction's
    state from libpq, so a BEGIN sent here is one psycopg does not send."""
    driver = db_connection.connection
    with db_connection.wrap_database_errors:
        with driver.lock:
            result = driver.pgconn.exec_(command.encode())
        if result.status not in (pq.ExecStatus.COMMAND_OK, pq.ExecStatus.TUPLES_OK):
            raise psycopg.errors.error_from_result(result)


def transaction_begun(db_connection) -> bool:
    """Whether PostgreSQL is inside a transaction on this connection (Django
    may be in an atomic block whose BEGIN psycopg has not sent yet)."""
    driver = db_connection.connection
    return driver is not None and driver.pgconn.transaction_status != pq.TransactionStatus.IDLE
