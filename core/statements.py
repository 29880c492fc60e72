"""Querysets compiled to SQL once per process, run with each request's values.

Building a queryset and compiling it costs Python time at every request, and
for the pages read most it cost more than PostgreSQL took to run the result:
a feed page's cards took 2.2 ms to build and compile and 0.9 ms to run, the
journey check every journey page starts with 1.1 ms for 0.3. The SQL text is
the same every time; only the values bound to it change.

A ``Statement`` wraps the function that builds such a queryset. Its keyword
arguments are of two kinds:

- **values**, named in ``values=``: ids, times, lists of ids. They are bound
  as parameters, so the first call of a shape compiles the queryset with
  stand-ins (random values of the same type) and remembers where each lands;
  later calls put their own values there.
- everything else is the **shape**: what changes the SQL text (a role, a
  sort, a page size). Each shape is compiled once; shapes must be few. A
  value given as None is not bound: that it is None is part of the shape.

A value that does not land among the parameters (a page size in ``[:n]``, a
word in ``icontains``) is refused when the shape is compiled: it belongs in
the shape. A shape argument that should have been a value would quietly give
the first caller's SQL to everyone; so with ``VERIFY_STATEMENTS`` (on under
``DEBUG`` and in tests) every call also builds its queryset the ordinary way
and fails loudly if the SQL or its parameters differ.

Only reading rows is offered (``all``, ``first``): a compiled statement
cannot be filtered further. ``prefetch_related`` in the builder still works.
"""

from __future__ import annotations

import copy
import datetime
import random
import secrets
import uuid
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import EmptyResultSet, ImproperlyConfigured
from django.db import connection, connections
from django.db.models import QuerySet

from core.db import send_command, transaction_begun


def _stand_in(value: Any) -> Any:
    """A random value of ``value``'s type, which no query holds by chance."""
    if isinstance(value, uuid.UUID):
        return uuid.uuid4()
    if isinstance(value, bool):
        raise ImproperlyConfigured("A boolean changes the SQL: pass it in the shape.")
    if isinstance(value, int):
        # Within an integer column's range: Django drops a comparison with a
        # number no such column can hold (always true or always false).
        return random.randrange(2**24, 2**31 - 1)
    if isinstance(value, str):
        return f"stand-in-{secrets.token_hex(16)}"
    if isinstance(value, datetime.datetime):
        moment = datetime.datetime(1901, 1, 1, tzinfo=value.tzinfo)
        return moment + datetime.timedelta(microseconds=random.randrange(1, 10**15))
    if isinstance(value, datetime.date):
        return datetime.date(1901, 1, 1) + datetime.timedelta(days=random.randrange(1, 30_000))
    if isinstance(value, list | tuple):
        # One item of the list's kind (a UUID if it is empty): the list is
        # bound whole (``__in_array``), so only its identity in the params matters.
        return [_stand_in(value[0] if value else uuid.uuid4())]
    raise ImproperlyConfigured(f"No stand-in for a value of type {type(value).__name__}.")


def _same(param: Any, stand_in: Any) -> bool:
    # A subclass too: Django hands psycopg an int as Int4 or Int8 (its type
    # for PostgreSQL), which the slot then applies to each call's value.
    return isinstance(param, type(stand_in)) and param == stand_in


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple
    # Per parameter: None for a constant, else the value's name and the type
    # the ORM gave it (Int4 for an int compared with an integer column).
    slots: tuple[tuple[str, Any] | None, ...]
    queryset: QuerySet | None = None  # a Statement's, built with the stand-ins
    compiler: Any = None  # the SQLCompiler that compiled it, with its select state

    def bind(self, values: dict[str, Any]) -> tuple:
        return tuple(
            self.params[index] if slot is None else slot[1](_prepared(values[slot[0]]))
            for index, slot in enumerate(self.slots)
        )


def _as_is(value: Any) -> Any:
    return value


def _prepared(value: Any) -> Any:
    """What the ORM binds for ``value`` (``__in_array`` binds a list)."""
    return list(value) if isinstance(value, tuple) else value


def use_generic_plans() -> None:
    """Run the transaction's next statements, and the rest of the transaction,
    on their prepared generic plans.

    A prepared statement is planned again at each run (a custom plan) when
    PostgreSQL estimates that plan cheaper than the generic one, and Row Level
    Security's conditions tip that estimate for keyset walks (a range on a
    parameter under a LIMIT): the post page's neighbours were planned at every
    request, 0.5 ms of planning for 0.1 of running. For a statement whose
    generic plan is known to be right (``generic_plan=True``), the request's
    transaction switches plan_cache_mode (``SET LOCAL``): one simple command
    sent by libpq itself, no statement to prepare, no query log.

    The switch is not undone: switching back cost a round trip on every page
    that uses it, and the statements that follow a switch (a post page's
    unread badge, a feed page's cards) settle on their generic plans anyway
    (``pg_prepared_statements`` on the bench's pages: every statement but the
    members tab's candidates, which run on no page with a switch). The
    transaction's end puts the mode back. Outside a transaction (autocommit) the
    switch would not outlive its own command, so nothing is switched."""
    if not connection.in_atomic_block:
        return
    command = "SET LOCAL plan_cache_mode = force_generic_plan"
    if transaction_begun(connection):
        send_command(connection, command)
        return
    # Not begun yet: a statement of Django's begins it, with the request's
    # context (core.tenancy), and runs the switch.
    with connection.cursor() as cursor:
        cursor.execute(command)


class _Compiling:
    """What both kinds of statement share: shapes, stand-ins and checks.
    ``_sql(built)`` gives what ``build`` returned as SQL and parameters
    (EmptyResultSet when it selects nothing)."""

    def __init__(
        self, build: Callable[..., Any], *, values: Iterable[str], generic_plan: bool = False
    ):
        self.build = build
        self.values = frozenset(values)
        self.generic_plan = generic_plan
        self._compiled: dict[Hashable, _Compiled | None] = {}

    def _sql(self, built) -> tuple[str, tuple]:
        raise NotImplementedError

    def _bound(self, arguments: dict[str, Any]) -> tuple[_Compiled | None, tuple]:
        """The shape's compiled statement (None: it selects nothing) and
        these arguments' parameters for it."""
        shape, values = self._split(arguments)
        if shape not in self._compiled:
            self._compiled[shape] = self._compile(dict(shape), values)
        compiled = self._compiled[shape]
        params = compiled.bind(values) if compiled is not None else ()
        if settings.VERIFY_STATEMENTS:
            self._verify(arguments, compiled, params)
        return compiled, params

    def _split(self, arguments: dict[str, Any]) -> tuple[Hashable, dict[str, Any]]:
        """The shape (a key) and the values. A value given as None is not
        bound (a shape that does not use it), so which are None is shape."""
        missing = self.values - arguments.keys()
        if missing:
            raise TypeError(f"Missing values: {', '.join(sorted(missing))}")
        shape = tuple(
            sorted(
                (name, None if name in self.values else value)
                for name, value in arguments.items()
                if name not in self.values or value is None
            )
        )
        values = {name: arguments[name] for name in self.values if arguments[name] is not None}
        return shape, values

    def _compile(self, shape: dict[str, Any], values: dict[str, Any]) -> _Compiled | None:
        stand_ins = {name: _stand_in(value) for name, value in values.items()}
        built = self.build(**shape, **stand_ins)
        try:
            sql, params = self._sql(built)
        except EmptyResultSet:
            return None
        slots = []
        for param in params:
            name = next((n for n, s in stand_ins.items() if _same(param, _prepared(s))), None)
            if name is None:
                slots.append(None)
            else:
                wrapped = type(param) is not type(_prepared(stand_ins[name]))
                slots.append((name, type(param) if wrapped else _as_is))
        unbound = set(values) - {slot[0] for slot in slots if slot is not None}
        if unbound:
            raise ImproperlyConfigured(
                f"{', '.join(sorted(unbound))} changes the SQL, not only its parameters "
                "(a slice, a pattern): pass it in the shape."
            )
        return self._compiled_from(built, sql, tuple(params), tuple(slots))

    def _compiled_from(self, built, sql: str, params: tuple, slots: tuple) -> _Compiled:
        return _Compiled(sql, params, slots)

    def _verify(self, arguments: dict[str, Any], compiled: _Compiled | None, params: tuple) -> None:
        try:
            sql, expected = self._sql(self.build(**arguments))
        except EmptyResultSet:
            sql, expected = "", ()
        compiled_sql = compiled.sql if compiled is not None else ""
        if sql != compiled_sql or tuple(expected) != params:
            raise AssertionError(
                f"{self.build.__qualname__}: the compiled statement differs from the "
                f"one these arguments build; an argument that changes the SQL "
                f"must be in the shape.\ncompiled: {compiled_sql} {params}\n"
                f"built:    {sql} {tuple(expected)}"
            )


class Statement(_Compiling):
    """``build(**arguments)``'s queryset, compiled once per shape (see the
    module's text). ``values`` names the arguments bound as parameters."""

    def all(self, **arguments) -> list:
        compiled, params = self._bound(arguments)
        if compiled is None:  # the shape selects nothing (``.none()``)
            return []
        if self.generic_plan:
            use_generic_plans()
        return list(self._queryset(compiled, params))

    def first(self, **arguments):
        rows = self.all(**arguments)
        return rows[0] if rows else None

    def _sql(self, built: QuerySet) -> tuple[str, tuple]:
        return built.query.get_compiler(using=built.db).as_sql()

    def _compiled_from(self, built: QuerySet, sql: str, params: tuple, slots: tuple) -> _Compiled:
        # Compiled once more, to keep a compiler whose select state matches.
        compiler = built.query.get_compiler(using=built.db)
        compiler.as_sql()
        return _Compiled(sql, params, slots, queryset=built, compiler=compiler)

    def _queryset(self, compiled: _Compiled, params: tuple) -> QuerySet:
        """A queryset whose compiler answers with the remembered SQL and these
        parameters; Django's iterables turn its rows into objects as usual."""
        queryset = compiled.queryset._chain()
        compiler = copy.copy(compiled.compiler)
        compiler.connection = connections[queryset.db]  # this thread's
        compiler.as_sql = lambda *args, **kwargs: (compiled.sql, params)
        queryset.query.get_compiler = lambda *args, **kwargs: compiler
        return queryset


class SqlStatement(_Compiling):
    """The same for a statement written in SQL around the ORM's: ``build``
    returns ``(sql, params)`` (EmptyResultSet for nothing to select);
    ``rows`` runs it and returns plain tuples."""

    def sql(self, **arguments) -> tuple[str, tuple] | None:
        compiled, params = self._bound(arguments)
        return None if compiled is None else (compiled.sql, params)

    def rows(self, **arguments) -> list[tuple]:
        statement = self.sql(**arguments)
        if statement is None:
            return []
        if self.generic_plan:
            use_generic_plans()
        with connection.cursor() as cursor:
            cursor.execute(*statement)
            return cursor.fetchall()

    def _sql(self, built: tuple[str, Iterable]) -> tuple[str, tuple]:
        sql, params = built
        return sql, tuple(params)
