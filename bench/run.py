"""``make bench``: generate the data sets, serve Sqeeze as in production,
measure every page against a bare Django view, measure the mail queue, and
report (a table on the terminal, everything in ``bench/results/<time>.json``).

For each data set (``tenth``, then ``full``; ``BENCH_ONLY`` picks one):

1. a fresh database ``bench_<set>`` on the server of ``DATABASE_URL`` (or the
   embedded PostgreSQL), migrated by ``manage.py migrate`` and filled by
   ``bench.generate`` (``BENCH_REUSE=1`` keeps a complete one from an earlier
   run of the same generator);
2. gunicorn serving ``sqeeze.wsgi`` with production settings (DEBUG off, a
   random SECRET_KEY, whitenoise serving ``collectstatic``'s files, cookies
   without ``Secure`` because this is plain HTTP on loopback), ``BENCH_WORKERS``
   sync workers (2); the URLconf adds ``/bench-hello`` (``bench.urls``);
3. a student and a teacher log in through the real log-in form;
4. each page's queries, SQL time and size, once, in process (``bench.pages``);
5. the load: hello, page, hello, page …, ``BENCH_USERS`` (8) concurrent
   connections, ``BENCH_SECONDS`` (10) each after a ``BENCH_WARMUP`` (1 s)
   that is not counted, driven by wrk (``bench.wrk``, the default: the scale
   issue's tool) or Locust (``bench.load``, ``BENCH_LOAD=locust``);
6. gunicorn stops; the mail queue is measured (``bench.mail``).

Options (environment): BENCH_ONLY=tenth|full, BENCH_PAGES=home,plan,…, BENCH_LOAD=wrk|locust,
BENCH_SECONDS, BENCH_USERS, BENCH_WARMUP, BENCH_WORKERS, BENCH_MAILS (3000),
BENCH_MAIL_CONCURRENCY (1), BENCH_SKIP_MAIL=1, BENCH_REUSE=1, BENCH_PORT.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import http.cookiejar
import json
import os
import platform
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from bench import report
from bench.generate import BENCH_PASSWORD, BENCH_STUDENT_EMAIL, BENCH_TEACHER_EMAIL
from bench.pages import HELLO_URL, parse_pages
from bench.scales import SCALES

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / ".work"
RESULTS = ROOT / "bench" / "results"
PYTHON = sys.executable
# BENCH_LOAD: the tool's name, and the module that drives the load with it.
LOAD_TOOLS = {"wrk": ("wrk", "bench.wrk"), "locust": ("Locust", "bench.load")}


class BenchError(Exception):
    """Something the person running the bench can fix; printed without a traceback."""


@dataclass
class Options:
    sets: list[str]
    pages: list[str]
    seconds: float = 10.0
    users: int = 8
    warmup: float = 1.0
    workers: int = 2
    mails: int = 3000
    mail_concurrency: int = 1
    skip_mail: bool = False
    reuse: bool = False
    port: int | None = None
    load: str = "wrk"

    @classmethod
    def from_env(cls, environ: dict[str, str]) -> Options:
        only = [part.strip() for part in environ.get("BENCH_ONLY", "").split(",") if part.strip()]
        unknown = set(only) - set(SCALES)
        if unknown:
            raise BenchError(f"BENCH_ONLY: unknown data set(s) {sorted(unknown)}; use tenth, full.")
        load = environ.get("BENCH_LOAD", "wrk").strip() or "wrk"
        if load not in LOAD_TOOLS:
            raise BenchError(f"BENCH_LOAD: unknown load tool {load!r}; use wrk or locust.")
        return cls(
            sets=[name for name in ("tenth", "full") if not only or name in only],
            pages=parse_pages(environ.get("BENCH_PAGES")),
            seconds=float(environ.get("BENCH_SECONDS", 10)),
            users=int(environ.get("BENCH_USERS", 8)),
            warmup=float(environ.get("BENCH_WARMUP", 1)),
            workers=int(environ.get("BENCH_WORKERS", 2)),
            mails=int(environ.get("BENCH_MAILS", 3000)),
            mail_concurrency=int(environ.get("BENCH_MAIL_CONCURRENCY", 1)),
            skip_mail=environ.get("BENCH_SKIP_MAIL", "") not in ("", "0", "false"),
            reuse=environ.get("BENCH_REUSE", "") not in ("", "0", "false"),
            port=int(environ["BENCH_PORT"]) if environ.get("BENCH_PORT") else None,
            load=load,
        )


def say(message: str) -> None:
    print(message, flush=True)


# --- databases ---------------------------------------------------------------------


# Sqeeze is measured as it runs: as a runtime role that Row Level Security
# binds. Without DATABASE_OWNER_URL, DATABASE_URL is taken as the owner's and
# the app runs as this role of the same server (trusted local connections;
# migrate creates it).
BENCH_RUNTIME_ROLE = "sqeeze_app"


def servers() -> tuple[str, str, str]:
    """The PostgreSQL server as its owner and as the runtime role (URLs whose
    database name is replaced) and the Redis URL: the environment's, else the
    embedded ones (started here, kept up until the bench ends)."""
    owner = os.environ.get("DATABASE_OWNER_URL", "")
    runtime = os.environ.get("DATABASE_URL", "")
    redis = os.environ.get("REDIS_URL", "")
    if runtime and not owner:
        owner, runtime = runtime, with_user(runtime, BENCH_RUNTIME_ROLE)
    if not runtime or not redis:
        from sqeeze import embedded

        if not runtime:
            say("Starting the embedded PostgreSQL (.embedded/postgres) …")
            owner = embedded.postgres_url(embedded.OWNER_ROLE)
            runtime = embedded.postgres_url()
        if not redis:
            say("Starting the embedded Redis (.embedded/redis) …")
            redis = embedded.redis_url()
    return owner, runtime, redis


def with_user(url: str, user: str) -> str:
    parts = urllib.parse.urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    return urllib.parse.urlunsplit(parts._replace(netloc=f"{user}@{host}"))


def database_url(server_url: str, name: str) -> str:
    parts = urllib.parse.urlsplit(server_url)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


def recreate_database(server_url: str, name: str) -> None:
    with psycopg.connect(database_url(server_url, "postgres"), autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        db.execute(f'CREATE DATABASE "{name}"')


def generator_fingerprint(root: Path = ROOT) -> str:
    digest = hashlib.sha256()
    for module in ("generate.py", "scales.py"):
        digest.update((root / "bench" / module).read_bytes())
    return digest.hexdigest()[:16]


def stored_data_set(url: str) -> dict | None:
    """What ``bench_meta`` says of a complete earlier data set, if anything."""
    try:
        with psycopg.connect(url, autocommit=True) as db:
            row = db.execute("SELECT value FROM bench_meta WHERE key = 'data_set'").fetchone()
    except psycopg.Error:
        return None
    return row[0] if row else None


def record_data_set(url: str, generated: dict) -> None:
    with psycopg.connect(url, autocommit=True) as db:
        db.execute("CREATE TABLE IF NOT EXISTS bench_meta (key text PRIMARY KEY, value jsonb)")
        db.execute(
            "INSERT INTO bench_meta VALUES ('data_set', %s) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [json.dumps(generated)],
        )


# --- processes ------------------------------------------------------------------------


def manage(env: dict[str, str], *args: str, cwd: Path = ROOT) -> None:
    result = subprocess.run([PYTHON, "manage.py", *args], cwd=cwd, env=env)
    if result.returncode != 0:
        raise BenchError(f"manage.py {' '.join(args)} failed (exit {result.returncode}).")


def module(env: dict[str, str], name: str, *args: str, cwd: Path = ROOT) -> None:
    result = subprocess.run([PYTHON, "-m", name, *args], cwd=cwd, env=env)
    if result.returncode != 0:
        raise BenchError(f"python -m {name} failed (exit {result.returncode}).")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    process: subprocess.Popen
    base_url: str

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def start_gunicorn(
    env: dict[str, str], port: int, workers: int, log_path: Path, cwd: Path = ROOT
) -> Server:
    command = [
        PYTHON, "-m", "gunicorn", "sqeeze.wsgi:application",
        "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--worker-class", "sync",
    ]  # fmt: skip
    if Path("/dev/shm").is_dir():
        command += ["--worker-tmp-dir", "/dev/shm"]
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    server = Server(process, f"http://127.0.0.1:{port}")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"gunicorn exited (code {process.returncode}); see {log_path}.")
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(server.base_url + HELLO_URL, timeout=2) as response,
        ):
            if response.status == 200:
                return server
        time.sleep(0.3)
    server.stop()
    raise BenchError(f"gunicorn did not answer within a minute; see {log_path}.")


def log_in(base_url: str, email: str, password: str) -> dict[str, str]:
    """Log in through the real form, as a browser does; the cookies it leaves."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    login_url = base_url + "/accounts/login/"
    with opener.open(login_url, timeout=30) as response:
        page = response.read().decode()
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if match is None:
        raise BenchError("The log-in page has no CSRF token.")
    form = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": match.group(1), "login": email, "password": password}
    ).encode()
    request = urllib.request.Request(login_url, data=form, headers={"Referer": login_url})
    with opener.open(request, timeout=30) as response:
        landed = urllib.parse.urlsplit(response.geturl()).path
    cookies = {cookie.name: cookie.value for cookie in jar}
    if "sessionid" not in cookies or landed.startswith("/accounts/"):
        raise BenchError(f"Logging in as {email} failed (ended at {landed}).")
    return cookies


# --- one data set ------------------------------------------------------------------------


@dataclass
class Context:
    options: Options
    server_url: str  # the owner's
    runtime_url: str
    redis_url: str
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(50))
    static_root: Path = WORK / "static"

    def env(self, database: str, port: int | None = None) -> dict[str, str]:
        site = f"http://127.0.0.1:{port}" if port else "http://127.0.0.1"
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "STATIC_ROOT": str(self.static_root),
            # Its uploads and export files stay with the bench's own work.
            "MEDIA_ROOT": str(WORK / "media"),
            "DEBUG": "false",
            "SECRET_KEY": self.secret_key,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SITE_URL": site,
            "SECURE_COOKIES": "false",
            "DATABASE_URL": database_url(self.runtime_url, database),
            "DATABASE_OWNER_URL": database_url(self.server_url, database),
            "REDIS_URL": self.redis_url,
            "PYTHONUNBUFFERED": "1",
        }


def prepare_data_set(context: Context, name: str, url: str) -> dict:
    return generate_data_set(
        env=context.env(f"bench_{name}"),
        owner_server_url=context.server_url,
        database=f"bench_{name}",
        scale=name,
        reuse=context.options.reuse,
    )


def generate_data_set(
    *,
    env: dict[str, str],
    owner_server_url: str,
    database: str,
    scale: str,
    reuse: bool,
    root: Path = ROOT,
) -> dict:
    """The data set ``scale`` in ``database``, made by the generator of the
    tree at ``root`` (``bench.compare`` makes an earlier commit's too), or the
    complete one already there when ``reuse`` and that generator made it."""
    url = database_url(owner_server_url, database)
    fingerprint = generator_fingerprint(root)
    if reuse:
        stored = stored_data_set(url)
        if stored and stored.get("fingerprint") == fingerprint:
            say(f"Reusing {database} (generated {stored['generated_at']}) …")
            manage(env, "migrate", "--noinput", "-v", "0", cwd=root)
            return stored
    say(f"Creating the database {database} …")
    recreate_database(owner_server_url, database)
    manage(env, "migrate", "--noinput", "-v", "0", cwd=root)
    counts_path = WORK / f"generate-{database}.json"
    module(env, "bench.generate", scale, "--json", str(counts_path), cwd=root)
    generated = json.loads(counts_path.read_text())
    generated["fingerprint"] = fingerprint
    generated["generated_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    record_data_set(url, generated)
    return generated


def bench_data_set(context: Context, name: str) -> dict:
    options = context.options
    url = database_url(context.server_url, f"bench_{name}")
    say(f"\n=== {name} data set ===")
    generated = prepare_data_set(context, name, url)
    port = options.port or free_port()
    env = context.env(f"bench_{name}", port)
    say(f"Starting gunicorn ({options.workers} sync workers) on 127.0.0.1:{port} …")
    server = start_gunicorn(env, port, options.workers, WORK / f"gunicorn-{name}.log")
    try:
        cookies = {
            "student": log_in(server.base_url, BENCH_STUDENT_EMAIL, BENCH_PASSWORD),
            "teacher": log_in(server.base_url, BENCH_TEACHER_EMAIL, BENCH_PASSWORD),
        }
        cookies_path = WORK / f"cookies-{name}.json"
        cookies_path.write_text(json.dumps(cookies))
        say("Costing each page in process (queries, SQL time, size) …")
        costs_path = WORK / f"pages-{name}.json"
        module(
            env, "bench.pages", "--cookies", str(cookies_path), "--out", str(costs_path),
            "--pages", ",".join(options.pages),
        )  # fmt: skip
        costs = json.loads(costs_path.read_text())
        cookie_headers = {
            who: "; ".join(f"{key}={value}" for key, value in jar.items())
            for who, jar in cookies.items()
        }
        cookie_headers["visitor"] = ""
        plan = {
            "base_url": server.base_url,
            "server_pid": server.process.pid,
            "hello_url": HELLO_URL,
            "users": options.users,
            "seconds": options.seconds,
            "warmup": options.warmup,
            "pages": [
                {"key": cost["key"], "url": cost["url"], "cookie": cookie_headers[cost["who"]]}
                for cost in costs
                if cost["key"] != "hello"
            ],
        }
        plan_path = WORK / f"load-plan-{name}.json"
        plan_path.write_text(json.dumps(plan, indent=2))
        say(
            f"Load: {LOAD_TOOLS[options.load][0]}, {options.users} connections, "
            f"{options.seconds:g} s per run (+{options.warmup:g} s warm-up), "
            "hello and page interleaved …"
        )
        load_path = WORK / f"load-{name}.json"
        module(env, LOAD_TOOLS[options.load][1], "--plan", str(plan_path), "--out", str(load_path))
        load = json.loads(load_path.read_text())
    finally:
        server.stop()
    mail = None
    if not options.skip_mail:
        from bench.mail import mail_bench

        say(f"Mail queue: {options.mails:,} e-mails, one Celery worker, SMTP on loopback …")
        mail = mail_bench(
            database_url=url,
            env=env,
            count=options.mails,
            concurrency=options.mail_concurrency,
            log_path=WORK / f"celery-{name}.log",
            log=say,
        )
    return {
        "database": url.rsplit("/", 1)[-1].split("?")[0],
        "generated": generated,
        "pages": report.combine(costs, load["pages"]),
        "load_tool": f"{load['tool']} {load['version']}",
        "mail": mail,
    }


# --- the machine -------------------------------------------------------------------------


def machine(server_url: str) -> dict:
    info = {
        "python": platform.python_version(),
        "system": platform.platform(),
        "cores": os.cpu_count(),
        "load_average_at_start": [round(value, 2) for value in os.getloadavg()],
    }
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["memory_gib"] = round(int(line.split()[1]) / 2**20, 1)
    with (
        contextlib.suppress(psycopg.Error),
        psycopg.connect(database_url(server_url, "postgres"), autocommit=True) as db,
    ):
        info["postgresql"] = db.execute("SHOW server_version").fetchone()[0]
    info["postgresql_where"] = "DATABASE_URL" if os.environ.get("DATABASE_URL") else "embedded"
    with contextlib.suppress(OSError, subprocess.CalledProcessError):
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT, capture_output=True, text=True,
        ).stdout.strip()  # fmt: skip
        info["commit"] = commit + ("+changes" if dirty else "")
    return info


def main() -> int:
    os.chdir(ROOT)
    try:
        options = Options.from_env(dict(os.environ))
    except BenchError as error:
        say(f"make bench: {error}")
        return 2
    WORK.mkdir(parents=True, exist_ok=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    started = dt.datetime.now(dt.UTC)
    code = 0
    try:
        server_url, runtime_url, redis_url = servers()
        context = Context(
            options=options, server_url=server_url, runtime_url=runtime_url, redis_url=redis_url
        )
        results = {
            "started_at": started.isoformat(timespec="seconds"),
            "machine": machine(server_url),
            "config": {
                "load": LOAD_TOOLS[options.load][0],
                "users": options.users,
                "seconds": options.seconds,
                "warmup_seconds": options.warmup,
                "gunicorn_workers": options.workers,
                "worker_class": "sync",
                "settings": "production (DEBUG off) + /bench-hello",
                "mails": options.mails,
                "mail_worker_concurrency": options.mail_concurrency,
            },
            "data_sets": {},
        }
        say("Collecting static files (whitenoise, production storage) …")
        static_env = context.env("postgres")
        manage(static_env, "collectstatic", "--noinput", "-v", "0")
        for name in options.sets:
            results["data_sets"][name] = bench_data_set(context, name)
        if {"tenth", "full"} <= results["data_sets"].keys():
            results["growth"] = report.growth(
                results["data_sets"]["tenth"], results["data_sets"]["full"]
            )
        results["finished_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        path = RESULTS / f"{started:%Y%m%dT%H%M%SZ}.json"
        path.write_text(json.dumps(results, indent=2, ensure_ascii=False))
        say("")
        say(report.render(results))
        say(f"\nWritten to {path.relative_to(ROOT)}")
    except BenchError as error:
        say(f"make bench: {error}")
        code = 1
    except KeyboardInterrupt:
        say("make bench: interrupted.")
        code = 130
    # Embedded servers started here stop when this process exits, unless
    # another process (a test run, `make run`) still uses them.
    return code


if __name__ == "__main__":
    sys.exit(main())
