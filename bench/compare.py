"""``make bench-compare BASE=<commit>``: the same pages served by an earlier
commit and by this tree, side by side, in short runs that alternate between
the two, so that whatever else the machine does weighs on both alike.

``make bench`` measures one build against a bare Django view, and a run of it
minutes later reads the same code 10–20 % apart on a shared machine (README,
"Reading the numbers"): too coarse to tell whether a change costs 5 % or 15 %.
Here both builds run at once, each on its own copy of the data set:

1. the earlier commit is exported (``git archive``) to ``bench/.work/base-<commit>``
   and its own generator fills ``bench_<set>_base`` (its own migrations: the
   schema it had), while this tree's fills ``bench_<set>``; ``BENCH_REUSE=1``
   keeps either when its generator made it;
2. two gunicorns with the same settings (2 sync workers, production), each
   with its own Redis database, static files and media, logged into as the
   same student and teacher; each build's own ``bench.pages`` finds its
   pages' addresses and costs them in process (queries, SQL time);
3. per page, ``BENCH_ROUNDS`` (6) rounds of base then this, this then base …
   (wrk, ``BENCH_USERS`` connections, a 1 s warm-up then ``BENCH_SECONDS``
   (4) s), and for every run the requests a second and the CPU time per
   request of the gunicorn processes plus PostgreSQL's (every backend, the
   one server being the only one under load);
4. per page, the medians over the rounds of this ÷ base: throughput, and CPU
   per request (the steadier of the two: other processes slow a request's
   wall time more than its CPU time).

The earlier commit runs with this tree's virtualenv: compare commits whose
dependencies agree. ``DATABASE_URL`` as in ``make bench``; a commit from before
``DATABASE_OWNER_URL`` existed runs as the owner, as it did then.

Options (environment): BENCH_ONLY=full|tenth (one set, full by default),
BENCH_PAGES, BENCH_ROUNDS, BENCH_SECONDS, BENCH_USERS, BENCH_WORKERS,
BENCH_REUSE=1.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tarfile
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from bench import run
from bench.generate import BENCH_PASSWORD, BENCH_STUDENT_EMAIL, BENCH_TEACHER_EMAIL
from bench.interleave import TICKS, process_stat, server_cpu_seconds
from bench.pages import PAGES, parse_pages
from bench.run import WORK, BenchError, say

BUILDS = ("base", "this")


@dataclass
class Build:
    """One of the two builds: its tree, database and server, and its pages."""

    name: str
    root: Path
    database: str
    env: dict[str, str] = field(default_factory=dict)
    server: run.Server | None = None
    costs: dict[str, dict] = field(default_factory=dict)  # bench.pages' numbers by page key
    cookies: dict[str, str] = field(default_factory=dict)  # Cookie header by who


@dataclass
class Options:
    commit: str
    scale: str
    pages: list[str]
    rounds: int
    seconds: float
    users: int
    workers: int
    reuse: bool

    @classmethod
    def from_env(cls, commit: str, environ: dict[str, str]) -> Options:
        scale = environ.get("BENCH_ONLY", "full").strip() or "full"
        if scale not in ("full", "tenth"):
            raise BenchError(f"BENCH_ONLY: one data set, full or tenth (not {scale!r}).")
        return cls(
            commit=commit,
            scale=scale,
            pages=parse_pages(environ.get("BENCH_PAGES")),
            rounds=int(environ.get("BENCH_ROUNDS", 6)),
            seconds=float(environ.get("BENCH_SECONDS", 4)),
            users=int(environ.get("BENCH_USERS", 8)),
            workers=int(environ.get("BENCH_WORKERS", 2)),
            reuse=environ.get("BENCH_REUSE", "") not in ("", "0", "false"),
        )


# --- the two trees -------------------------------------------------------------------------


def resolve(commit: str) -> str:
    result = subprocess.run(
        ["git", "rev-parse", "--verify", "--short", f"{commit}^{{commit}}"],
        cwd=run.ROOT, capture_output=True, text=True,
    )  # fmt: skip
    if result.returncode != 0:
        raise BenchError(f"BASE: no commit {commit!r} in this repository.")
    return result.stdout.strip()


def export_tree(commit: str, work: Path = WORK) -> Path:
    """The files of ``commit`` in a directory of their own (kept: a second
    comparison against the same commit reuses it)."""
    target = work / f"base-{commit}"
    if (target / "manage.py").exists():
        return target
    target.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(
        ["git", "archive", "--format=tar", commit], cwd=run.ROOT, capture_output=True, check=True
    )
    archive_path = work / f"base-{commit}.tar"
    archive_path.write_bytes(archive.stdout)
    with tarfile.open(archive_path) as tar:
        tar.extractall(target, filter="data")
    archive_path.unlink()
    return target


def knows_owner_url(root: Path) -> bool:
    """Whether the tree's settings read DATABASE_OWNER_URL (RLS's two roles)."""
    return "DATABASE_OWNER_URL" in (root / "sqeeze" / "settings.py").read_text()


def redis_database(url: str, offset: int) -> str:
    """``url`` with its database number moved by ``offset``: each build keeps
    its cache apart (both data sets have the same ids)."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("redis", "rediss"):
        return url  # a socket URL (embedded Redis): its db is a query parameter
    number = int(parts.path.strip("/") or 0) + offset
    return urllib.parse.urlunsplit(parts._replace(path=f"/{number}"))


def build_env(context: run.Context, build: Build, port: int, offset: int) -> dict[str, str]:
    env = context.env(build.database, port)
    env.update(
        STATIC_ROOT=str(WORK / f"static-{build.name}"),
        MEDIA_ROOT=str(WORK / f"media-{build.name}"),
        REDIS_URL=redis_database(context.redis_url, offset),
    )
    if not knows_owner_url(build.root):
        # Before RLS there was one role: the owner's.
        env["DATABASE_URL"] = env.pop("DATABASE_OWNER_URL")
    return env


# --- PostgreSQL's CPU time ---------------------------------------------------------------


def postmaster_pid(owner_url: str) -> int | None:
    """The local PostgreSQL's main process, if this machine's /proc shows it."""
    try:
        with psycopg.connect(owner_url, autocommit=True) as db:
            return parent_of(db.execute("SELECT pg_backend_pid()").fetchone()[0])
    except psycopg.Error:
        return None


def parent_of(pid: int) -> int | None:
    """A backend's parent: the postmaster."""
    fields = process_stat(pid)
    return int(fields[1]) if fields else None


def database_cpu_seconds(pid: int | None) -> float:
    """CPU time of the PostgreSQL server so far: the postmaster's and its
    running backends' (``server_cpu_seconds``) plus that of the backends that
    have ended, which the kernel adds to their parent's cutime and cstime."""
    fields = process_stat(pid) if pid else None
    if fields is None:
        return 0.0
    ended = (int(fields[13]) + int(fields[14])) / TICKS
    return server_cpu_seconds(pid) + ended


# --- the comparison ----------------------------------------------------------------------


def start(context: run.Context, options: Options, build: Build, offset: int) -> None:
    port = run.free_port()
    build.env = build_env(context, build, port, offset)
    say(f"[{build.name}] collecting static files …")
    run.manage(build.env, "collectstatic", "--noinput", "-v", "0", cwd=build.root)
    run.generate_data_set(
        env=build.env,
        owner_server_url=context.server_url,
        database=build.database,
        scale=options.scale,
        reuse=options.reuse,
        root=build.root,
    )
    say(f"[{build.name}] gunicorn on 127.0.0.1:{port} …")
    build.server = run.start_gunicorn(
        build.env, port, options.workers, WORK / f"gunicorn-{build.name}.log", cwd=build.root
    )
    jars = {
        "student": run.log_in(build.server.base_url, BENCH_STUDENT_EMAIL, BENCH_PASSWORD),
        "teacher": run.log_in(build.server.base_url, BENCH_TEACHER_EMAIL, BENCH_PASSWORD),
    }
    cookies_path = WORK / f"cookies-{build.name}.json"
    cookies_path.write_text(json.dumps(jars))
    build.cookies = {
        who: "; ".join(f"{k}={v}" for k, v in jar.items()) for who, jar in jars.items()
    }
    build.cookies["visitor"] = ""
    say(f"[{build.name}] costing each page in process …")
    costs_path = WORK / f"pages-{build.name}.json"
    run.module(
        build.env, "bench.pages", "--cookies", str(cookies_path), "--out", str(costs_path),
        "--pages", ",".join(options.pages), cwd=build.root,
    )  # fmt: skip
    build.costs = {cost["key"]: cost for cost in json.loads(costs_path.read_text())}
    broken = [key for key, cost in build.costs.items() if cost["error"]]
    if broken:
        raise BenchError(f"[{build.name}] pages that failed: {', '.join(broken)}.")


def measure_run(build: Build, key: str, options: Options, database_pid: int | None) -> dict:
    """One run of ``key`` on ``build``: a warm-up, then the measured load."""
    from bench.wrk import run_one

    cost = build.costs[key]
    url, cookie = cost["url"], build.cookies[cost["who"]]
    pid = build.server.process.pid
    run_one(build.server.base_url, url, cookie, options.users, 0, 1)
    database_before = database_cpu_seconds(database_pid)
    measured = run_one(build.server.base_url, url, cookie, options.users, 0, options.seconds, pid)
    database_used = database_cpu_seconds(database_pid) - database_before
    requests = measured["requests"] or 1
    measured["database_cpu_ms"] = round(database_used * 1000 / requests, 2)
    measured["cpu_ms"] = round((measured["server_cpu_ms"] or 0) + measured["database_cpu_ms"], 2)
    return measured


def compare_page(builds: dict[str, Build], key: str, options: Options, database_pid) -> dict:
    rounds = []
    for number in range(options.rounds):
        order = BUILDS if number % 2 == 0 else tuple(reversed(BUILDS))
        runs = {name: measure_run(builds[name], key, options, database_pid) for name in order}
        failures = sum(measured["failures"] for measured in runs.values())
        if failures:
            raise BenchError(f"{key}: {failures} failed requests (see the gunicorn logs).")
        rounds.append(runs)
    return summarise(key, builds, rounds)


def _median(rounds: list[dict], build: str, metric: str) -> float:
    return round(statistics.median(runs[build][metric] for runs in rounds), 2)


def _median_ratio(rounds: list[dict], metric: str) -> float:
    return round(
        statistics.median(runs["this"][metric] / runs["base"][metric] for runs in rounds), 3
    )


def summarise(key: str, builds: dict[str, Build], rounds: list[dict]) -> dict:
    label = next(label for page_key, label, _who in PAGES if page_key == key)
    summary = {"key": key, "label": label, "rounds": rounds}
    for name in BUILDS:
        cost = builds[name].costs[key]
        summary[name] = {
            "rps": _median(rounds, name, "rps"),
            "p95_ms": _median(rounds, name, "p95_ms"),
            "cpu_ms": _median(rounds, name, "cpu_ms"),
            "database_cpu_ms": _median(rounds, name, "database_cpu_ms"),
            "queries": cost["queries"],
            "sql_ms": cost["sql_ms"],
            "bytes": cost["bytes"],
        }
    summary["rps_ratio"] = _median_ratio(rounds, "rps")
    summary["cpu_ratio"] = _median_ratio(rounds, "cpu_ms")
    return summary


def render(result: dict) -> str:
    lines = [
        f"this ({result['this_commit']}) against base ({result['base_commit']}), "
        f"{result['scale']} data set, {result['rounds']} rounds of {result['seconds']:g} s, "
        f"medians:",
        "",
        "| page | req/s base → this | this ÷ base | CPU ms/request base → this (of it PostgreSQL) "
        "| this ÷ base | queries | SQL ms in process |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for page in result["pages"]:
        base, this = page["base"], page["this"]
        lines.append(
            f"| {page['label']} | {base['rps']:.0f} → {this['rps']:.0f} | {page['rps_ratio']:.3f} "
            f"| {base['cpu_ms']:.1f} → {this['cpu_ms']:.1f} "
            f"({base['database_cpu_ms']:.1f} → {this['database_cpu_ms']:.1f}) "
            f"| {page['cpu_ratio']:.3f} | {base['queries']} → {this['queries']} "
            f"| {base['sql_ms']:.1f} → {this['sql_ms']:.1f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    os.chdir(run.ROOT)
    WORK.mkdir(parents=True, exist_ok=True)
    run.RESULTS.mkdir(parents=True, exist_ok=True)
    builds: dict[str, Build] = {}
    try:
        if len(argv) != 1:
            raise BenchError("usage: python -m bench.compare <commit> (make bench-compare BASE=…)")
        commit = resolve(argv[0])
        options = Options.from_env(commit, dict(os.environ))
        owner, runtime, redis = run.servers()
        context = run.Context(options=None, server_url=owner, runtime_url=runtime, redis_url=redis)
        started = run.dt.datetime.now(run.dt.UTC)
        builds = {
            "base": Build("base", export_tree(commit), f"bench_{options.scale}_base"),
            "this": Build("this", run.ROOT, f"bench_{options.scale}"),
        }
        for offset, name in enumerate(BUILDS):
            start(context, options, builds[name], offset)
        database_pid = postmaster_pid(run.database_url(owner, "postgres"))
        if database_pid is None:
            say("PostgreSQL's processes cannot be read here: CPU per request is gunicorn's only.")
        pages = []
        for key in options.pages:
            say(f"{key}: {options.rounds} rounds …")
            page = compare_page(builds, key, options, database_pid)
            say(
                f"  this ÷ base: req/s {page['rps_ratio']:.3f}, CPU per request "
                f"{page['cpu_ratio']:.3f} ({page['base']['cpu_ms']} → {page['this']['cpu_ms']} ms)"
            )
            pages.append(page)
        machine = run.machine(owner)
        result = {
            "started_at": started.isoformat(timespec="seconds"),
            "machine": machine,
            "base_commit": commit,
            "this_commit": machine.get("commit", "?"),
            "scale": options.scale,
            "rounds": options.rounds,
            "seconds": options.seconds,
            "users": options.users,
            "workers": options.workers,
            "pages": pages,
        }
        path = run.RESULTS / f"compare-{started:%Y%m%dT%H%M%SZ}.json"
        path.write_text(json.dumps(result, indent=2, ensure_ascii=False))
        say("\n" + render(result))
        say(f"\nWritten to {path.relative_to(run.ROOT)}")
        return 0
    except BenchError as error:
        say(f"bench-compare: {error}")
        return 1
    finally:
        for build in builds.values():
            if build.server:
                build.server.stop()


if __name__ == "__main__":
    sys.exit(main())
