"""The configured database, seen through PostgreSQL's own client tools
(``pg_dump``, ``pg_restore``, ``psql``) and Django's connection."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.db import DatabaseError, connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from psycopg.conninfo import make_conninfo

from core.database_roles import as_owner
from core.db import fetch_all
from sqeeze.backup import BackupError

TOOLS = ("pg_dump", "pg_restore", "psql")
# Debian's versioned client tools; PATH's pg_dump there is pg_wrapper, which
# picks a version by rules of its own.
DEBIAN_TOOL_DIRS = Path("/usr/lib/postgresql")
# A restore waits this long for another session's locks, then gives up (and
# changes nothing) rather than hang behind a forgotten transaction.
LOCK_TIMEOUT = "30s"
_VERSION = re.compile(r"\(PostgreSQL\) (\d+)(?:\.(\d+))?")


# --- the client tools ---------------------------------------------------------


@dataclass(frozen=True)
class ClientTools:
    """pg_dump, pg_restore and psql of one PostgreSQL release, from one folder."""

    bindir: Path
    major: int
    version: str

    def command(self, name: str) -> str:
        return str(self.bindir / name)


def client_tools(*, server_major: int, archive_major: int = 0) -> ClientTools:
    """Tools that can work with a server of ``server_major`` and read a dump
    made by pg_dump ``archive_major``: pg_dump refuses a server newer than
    itself, pg_restore an archive newer than itself. The server's own release is
    preferred (its SQL fits the server best), else the oldest newer one."""
    found = _installed_tools()
    needed = max(server_major, archive_major)
    usable = [tools for tools in found if tools.major >= needed]
    if not usable:
        seen = ", ".join(f"{t.version} in {t.bindir}" for t in found) or "none"
        raise BackupError(
            f"No PostgreSQL client tools of release {needed} or newer were found "
            f"(the server runs {server_major}; found: {seen}). Install them, e.g. "
            f"`apt-get install postgresql-client-{needed}`, or `make install`, whose "
            "pgserver package ships a set."
        )
    return min(usable, key=lambda tools: (tools.major != server_major, tools.major))


def _installed_tools() -> list[ClientTools]:
    found: dict[Path, ClientTools] = {}
    for bindir in _tool_dirs():
        bindir = bindir.resolve()
        if bindir in found or not all(os.access(bindir / name, os.X_OK) for name in TOOLS):
            continue
        version = _tool_version(bindir / "pg_dump")
        if version is not None:
            found[bindir] = ClientTools(bindir, int(version.split(".")[0]), version)
    return list(found.values())


def _tool_dirs() -> list[Path]:
    dirs = []
    # The embedded server's own release, shipped inside the pgserver package
    # (found without importing it: importing pgserver sets up its locks).
    spec = importlib.util.find_spec("pgserver")
    if spec is not None and spec.origin:
        dirs.append(Path(spec.origin).parent / "pginstall" / "bin")
    for entry in os.environ.get("PATH", "").split(os.pathsep):
        pg_dump = Path(entry or ".") / "pg_dump"
        if pg_dump.exists() and pg_dump.resolve().name == "pg_dump":
            dirs.append(pg_dump.resolve().parent)
    dirs += sorted(DEBIAN_TOOL_DIRS.glob("*/bin"))
    return dirs


def _tool_version(executable: Path) -> str | None:
    try:
        output = subprocess.run(
            [str(executable), "--version"], capture_output=True, text=True, timeout=10
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = _VERSION.search(output)
    if match is None:
        return None
    return f"{match[1]}.{match[2]}" if match[2] else match[1]


# --- the database ---------------------------------------------------------------


@dataclass(frozen=True)
class Database:
    """The configured database as libpq sees it (the password apart, in ``env``,
    so it never shows on a command line)."""

    name: str
    host: str
    conninfo: str
    env: dict[str, str]
    server_version_num: int

    @property
    def server_major(self) -> int:
        return self.server_version_num // 10000

    @property
    def server_version(self) -> str:
        return f"{self.server_major}.{self.server_version_num % 100}"


def configured_database() -> Database:
    """Django's default database (the embedded one when ``DATABASE_URL`` is
    unset: settings started it), reached as the tables' owner
    (``DATABASE_OWNER_URL``): Row Level Security hides every row from the
    runtime role outside a request, and a restore replaces the owner's tables."""
    with as_owner() as owner:
        try:
            owner.ensure_connection()
        except DatabaseError as error:
            raise BackupError(f"Cannot connect to the database: {error}") from None
        params = owner.get_connection_params()
        server_version_num = owner.pg_version
    password = params.pop("password", None)
    # What libpq understands; Django adds Python objects (cursor class, adapters).
    libpq = {
        key: str(value)
        for key, value in params.items()
        if isinstance(value, str | int) and key not in ("prepare_threshold",)
    }
    env = {**os.environ, "PGAPPNAME": "sqeeze-backup"}
    if password:
        env["PGPASSWORD"] = str(password)
    return Database(
        name=str(params.get("dbname", "")),
        host=str(params.get("host", "") or "localhost"),
        conninfo=make_conninfo(**libpq),
        env=env,
        server_version_num=server_version_num,
    )


def database_dump(*, database: Database, tools: ClientTools, path: Path) -> None:
    """A custom-format dump of ``database`` at ``path``, from one snapshot."""
    _run(
        [tools.command("pg_dump"), "--format=custom", f"--file={path}",
         f"--dbname={database.conninfo}"],
        env=database.env,
        what="pg_dump",
    )  # fmt: skip


def dump_check(*, tools: ClientTools, path: Path) -> None:
    """pg_restore can read the dump's table of contents."""
    result = subprocess.run(
        [tools.command("pg_restore"), "--list", str(path)], capture_output=True, text=True
    )
    if result.returncode != 0:
        raise BackupError(
            f"The archive's database dump is damaged ({_error_line(result.stderr)}). "
            "Nothing was changed."
        )


def applied_migrations() -> dict[str, list[str]]:
    """The migrations recorded in the database, by app."""
    applied: dict[str, list[str]] = {}
    for app, name in sorted(MigrationRecorder(connection).applied_migrations()):
        applied.setdefault(app, []).append(name)
    return applied


def unknown_migrations(applied: dict[str, list[str]]) -> list[str]:
    """Migrations in ``applied`` that this code does not have: the database came
    from a newer Sqeeze (or a newer version of a library's app)."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    for migration in loader.disk_migrations.values():
        known.update(migration.replaces)  # squashed ones know their old names
    return [
        f"{app}.{name}"
        for app, names in applied.items()
        for name in names
        if (app, name) not in known
    ]


@dataclass(frozen=True)
class Session:
    pid: int
    user: str
    application: str
    client: str


def other_sessions() -> list[Session]:
    """Client sessions connected to the database, ours apart. Asked as the
    owner: PostgreSQL shows another role's sessions only to a superuser (or a
    member of pg_read_all_stats), and the runtime role is neither."""
    with as_owner():
        return _other_sessions()


def _other_sessions() -> list[Session]:
    rows = fetch_all(
        """
        SELECT pid, coalesce(usename, ''), coalesce(application_name, ''),
               coalesce(client_addr::text, 'local socket')
        FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid()
          AND backend_type = 'client backend'
        ORDER BY pid
        """
    )
    return [Session(*row) for row in rows]


def database_replace(*, database: Database, tools: ClientTools, dump: Path) -> None:
    """Drop every schema of ``database`` and restore ``dump`` in its place, in one
    transaction: if anything fails, the database is as it was."""
    script_start = f"BEGIN;\n{_preamble(database.server_major)}".encode()
    connection.close()  # ours must not hold anything the drop needs
    with tempfile.TemporaryDirectory(prefix="sqeeze-restore-") as scratch:
        restore_errors = Path(scratch) / "pg_restore.err"
        psql_errors = Path(scratch) / "psql.err"
        with restore_errors.open("w") as restore_err, psql_errors.open("w") as psql_err:
            # pg_restore turns the dump into SQL, which we hand to psql between
            # our BEGIN and a COMMIT sent only if pg_restore read the whole dump:
            # psql stops at the first error, and a session that ends without
            # COMMIT changes nothing.
            # No owner and no grants from the dump: the restoring owner owns
            # everything, and migrate (run next) grants this installation's
            # runtime role, whatever the dumped one was called.
            to_sql = subprocess.Popen(
                [tools.command("pg_restore"), "--no-owner", "--no-acl", "--file=-", str(dump)],
                stdout=subprocess.PIPE, stderr=restore_err, env=database.env,
            )  # fmt: skip
            apply = subprocess.Popen(
                [
                    tools.command("psql"), "--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1",
                    "--file=-", f"--dbname={database.conninfo}",
                ],
                stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=psql_err,
                env=database.env,
            )  # fmt: skip
            try:
                apply.stdin.write(script_start)
                shutil.copyfileobj(to_sql.stdout, apply.stdin, 2**20)
                if to_sql.wait() == 0:
                    apply.stdin.write(b"COMMIT;\n")
                apply.stdin.close()
            except BrokenPipeError:
                pass  # psql stopped at an error: its message says which
            finally:
                to_sql.stdout.close()
                if to_sql.poll() is None:
                    to_sql.kill()
                to_sql.wait()
                apply.wait()
        if apply.returncode != 0:
            raise BackupError(
                "Restoring the database failed, so nothing was changed: "
                f"{_error_line(psql_errors.read_text())}"
            )
        if to_sql.returncode != 0:
            raise BackupError(
                "pg_restore could not read the whole dump, so nothing was changed: "
                f"{_error_line(restore_errors.read_text())}"
            )


def _preamble(server_major: int) -> str:
    schemas = [
        name
        for (name,) in fetch_all(
            "SELECT nspname FROM pg_namespace "
            "WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema' ORDER BY 1"
        )
    ]
    lines = [
        "SET client_min_messages = warning;",
        f"SET lock_timeout = '{LOCK_TIMEOUT}';",
        *(f"DROP SCHEMA {_identifier(schema)} CASCADE;" for schema in schemas),
    ]
    # pg_dump leaves out the public schema, which every database has; make it
    # afresh as PostgreSQL does, so the dump's grants apply to the usual defaults.
    if server_major >= 15:
        lines += [
            "CREATE SCHEMA public AUTHORIZATION pg_database_owner;",
            "GRANT USAGE ON SCHEMA public TO PUBLIC;",
        ]
    else:
        lines += ["CREATE SCHEMA public;", "GRANT ALL ON SCHEMA public TO PUBLIC;"]
    return "\n".join(lines) + "\n"


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _run(command: list[str], *, env: dict[str, str], what: str) -> None:
    result = subprocess.run(command, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise BackupError(f"{what} failed: {_error_line(result.stderr)}")


def _error_line(text: str) -> str:
    """The line of a tool's output that says what went wrong."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for line in lines:
        if "ERROR:" in line or "FATAL:" in line or "error:" in line:
            return line
    return lines[-1] if lines else "no message"
