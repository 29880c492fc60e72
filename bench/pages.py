"""The measured pages: where they are on a generated data set, and what one
request of each costs inside Django (queries, SQL time, size), measured with
the test client outside the load run.

    DJANGO_SETTINGS_MODULE=bench.settings python -m bench.pages \\
        --cookies cookies.json --out pages.json [--pages home,plan]

Run by ``bench.run`` with the same environment as the server it measures.
Who asks: the students' pages as ``student1`` (a student of the largest
journey), the teachers' as ``teacher1`` (a teacher of its academy), the
public ones as a visitor; the cookies are those of real log-ins through the
log-in form (``bench.run``).

The exports are prepared by a Celery worker, not in the request: what a
teacher waits on is the download of the prepared file. So before the load, one
export of each format is prepared here, in process (the worker's own code,
timed: ``notes``), and the "CSV export" and "XLSX export" pages are the GET of
its file.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import statistics
import sys
import time
from dataclasses import asdict, dataclass, field

# key, label, who asks (student, teacher or visitor)
PAGES: tuple[tuple[str, str, str], ...] = (
    ("home", "home", "student"),
    ("plan", "plan tab", "student"),
    ("feed", "feed, page 1", "student"),
    ("feed_deep", "feed, page 50", "student"),
    ("post", "post", "student"),
    ("dashboard", "dashboard tab", "student"),
    ("inbox", "inbox", "student"),
    ("grading_queue", "grading queue", "teacher"),
    ("grading_panel", "grading panel", "teacher"),
    ("submissions", "submissions tab", "teacher"),
    ("members", "members tab", "teacher"),
    ("export_csv", "CSV export", "teacher"),
    ("export_xlsx", "XLSX export", "teacher"),
    ("landing", "landing", "visitor"),
    ("blog", "blog", "visitor"),
)
PAGE_KEYS = tuple(key for key, _label, _who in PAGES)
HELLO_URL = "/bench-hello"
FEED_DEPTH = 50  # "feed page 50": 49 "More" links followed from page 1
MEASURED_RUNS = 3
# Requests before the measured ones: enough for psycopg to prepare each
# statement (its fifth run) and for PostgreSQL to settle on its plan (five runs
# of the prepared statement later), as on a server that has served the page.
WARMUP_RUNS = 12
# The exports prepared before the load: {page key: what preparing it cost}.
PREPARED: dict[str, dict] = {}


@dataclass
class PageCost:
    key: str
    label: str
    who: str
    url: str
    status: int = 0
    content_type: str = ""
    bytes: int = 0
    queries: int = 0
    sql_ms: float = 0.0  # median over MEASURED_RUNS
    wall_ms: float = 0.0  # the whole request in process, median
    error: str = ""
    notes: dict = field(default_factory=dict)


def parse_pages(raw: str | None) -> list[str]:
    """``BENCH_PAGES`` (``home,plan``) as page keys, in the table's order."""
    if not raw:
        return list(PAGE_KEYS)
    wanted = {part.strip() for part in raw.split(",") if part.strip()}
    unknown = wanted - set(PAGE_KEYS)
    if unknown:
        raise SystemExit(
            f"Unknown page(s) {', '.join(sorted(unknown))}; known: {', '.join(PAGE_KEYS)}"
        )
    return [key for key in PAGE_KEYS if key in wanted]


class _QueryTimer:
    """Counts the queries and their time, DEBUG or not (``execute_wrapper``)."""

    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.count += 1


def _fetch(client, url: str):
    """One GET, the body read in full (streamed exports too), with its cost."""
    from django.db import connection

    timer = _QueryTimer()
    started = time.perf_counter()
    with connection.execute_wrapper(timer):
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
    wall = time.perf_counter() - started
    return response, body, timer, wall


def _client(cookies: dict[str, str], host: str):
    from django.test import Client

    from bench.interleave import BROWSER_HEADERS

    client = Client(HTTP_HOST=host, headers=BROWSER_HEADERS)
    for name, value in cookies.items():
        client.cookies[name] = value
    return client


def _urls(keys: list[str], clients: dict, log) -> dict[str, str]:
    """Each page's URL on this data set."""
    from django.db.models import Count, Q
    from django.urls import reverse

    from accounts.models import Profile
    from bench.generate import BENCH_STUDENT_EMAIL
    from community.models import Post
    from journeys.models import UserJourney

    student = Profile.objects.get(email=BENCH_STUDENT_EMAIL)
    journey = UserJourney.objects.select_related("journey").get(user=student).journey
    ids = [journey.pk]
    urls = {
        "home": reverse("home"),
        "plan": reverse("missions:plan", args=ids),
        "feed": reverse("community:feed", args=ids),
        "dashboard": reverse("points:dashboard", args=ids),
        "inbox": reverse("notifications:inbox"),
        "grading_queue": reverse("grading:queue"),
        "submissions": reverse("submissions:index", args=ids),
        "members": reverse("journeys:members", args=ids),
        "landing": reverse("landing"),
        "blog": reverse("blog:list"),
    }
    if "post" in keys:
        # A busy post of a classmate: the newest with at least ten likes and
        # three comments.
        post = (
            Post.objects.filter(journey=journey, is_hidden=False)
            .exclude(user=student)
            .annotate(
                like_count=Count("likes", distinct=True),
                comment_count=Count("comments", distinct=True),
            )
            .filter(Q(like_count__gte=10), Q(comment_count__gte=3))
            .order_by("-created_at")
            .first()
        ) or Post.objects.filter(journey=journey, is_hidden=False).order_by("-created_at").first()
        urls["post"] = reverse("community:post_detail", args=[journey.pk, post.pk])
    if "grading_panel" in keys:
        # The head of the queue: the oldest submission waiting in this journey.
        waiting = (
            Post.objects.filter(journey=journey, achievement_status="pending", is_hidden=False)
            .order_by("created_at", "id")
            .first()
        )
        urls["grading_panel"] = reverse("grading:grade", args=[waiting.pk])
    for key, export_format in (("export_csv", "csv"), ("export_xlsx", "xlsx")):
        if key in keys:
            urls[key] = _prepared_export(journey, export_format, key, log)
    if "feed_deep" in keys:
        urls["feed_deep"] = _feed_page(clients["student"], urls["feed"], FEED_DEPTH, log)
    return urls


def _prepared_export(journey, export_format: str, key: str, log) -> str:
    """The download address of a new export of ``journey`` for the bench's
    teacher, its file written here as the worker writes it (the row is made
    directly: the bench runs no worker to take a queued task)."""
    from django.urls import reverse
    from django.utils import timezone

    from accounts.models import Profile
    from bench.generate import BENCH_TEACHER_EMAIL
    from core.moments import language_of
    from submissions.export_files import EXPORT_LIFETIME, submission_export_build
    from submissions.models import SubmissionExport

    teacher = Profile.objects.get(email=BENCH_TEACHER_EMAIL)
    export = SubmissionExport.objects.create(
        journey=journey,
        requested_by=teacher,
        format=export_format,
        language=language_of(teacher),
        expires_at=timezone.now() + EXPORT_LIFETIME,
    )
    started = time.perf_counter()
    submission_export_build(export_id=export.pk)
    seconds = time.perf_counter() - started
    export.refresh_from_db()
    if export.status != "ready":
        raise RuntimeError(f"The {export_format} export failed: {export.error}")
    PREPARED[key] = {
        "prepare_ms": round(seconds * 1000),
        "rows": export.rows_written,
        "file_bytes": export.file_size,
    }
    log(
        f"  {key}: prepared in {seconds:.1f} s ({export.rows_written:,} rows, "
        f"{export.file_size:,} B)"
    )
    return reverse("submissions:export_download", args=[journey.pk, export.pk])


_MORE_LINK = re.compile(r'href="(\?[^"]*\bafter=[^"]*)"')


def _feed_page(client, first_url: str, depth: int, log) -> str:
    """The address of the feed's page ``depth``, following "More" as a reader does."""
    url = first_url
    for page in range(1, depth):
        response = client.get(url)
        match = _MORE_LINK.search(response.content.decode())
        if response.status_code != 200 or match is None:
            raise RuntimeError(f"The feed has no page {page + 1} (at {url}).")
        url = first_url + html.unescape(match.group(1))
    log(f"  feed page {depth}: {url[:90]}…")
    return url


def measure(keys: list[str], cookies: dict[str, dict[str, str]], host: str, log) -> list[dict]:
    clients = {who: _client(jar, host) for who, jar in cookies.items()}
    clients["visitor"] = _client({}, host)
    urls = _urls(keys, clients, log)
    costs = []
    for key, label, who in [("hello", "hello (bare Django view)", "visitor"), *PAGES]:
        if key != "hello" and key not in keys:
            continue
        url = HELLO_URL if key == "hello" else urls[key]
        cost = PageCost(key=key, label=label, who=who, url=url, notes=dict(PREPARED.get(key, {})))
        samples = []
        try:
            for _run in range(WARMUP_RUNS + MEASURED_RUNS):
                response, body, timer, wall = _fetch(clients[who], url)
                samples.append((timer.count, timer.seconds, wall))
            cost.status = response.status_code
            cost.content_type = response.get("Content-Type", "")
            cost.bytes = len(body)
            measured = samples[WARMUP_RUNS:]
            cost.queries = measured[-1][0]
            cost.sql_ms = round(statistics.median(s[1] for s in measured) * 1000, 2)
            cost.wall_ms = round(statistics.median(s[2] for s in measured) * 1000, 2)
            if response.status_code != 200:
                cost.error = f"HTTP {response.status_code}"
        except Exception as error:  # a broken page is reported, not fatal to the run
            cost.error = f"{type(error).__name__}: {error}"
        log(
            f"  {key:<14} {cost.status} {cost.bytes:>9,} B {cost.queries:>4} queries "
            f"{cost.sql_ms:>8.1f} ms SQL {cost.wall_ms:>8.1f} ms in all {cost.error}"
        )
        costs.append(asdict(cost))
    return costs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Find and cost the bench's pages.")
    parser.add_argument("--cookies", required=True, help="JSON: {who: {cookie: value}}")
    parser.add_argument("--out", required=True)
    parser.add_argument("--pages", default="")
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    from core import tenancy

    # Finding the pages' addresses is the operator's reading (as a manage.py
    # command's); each page requested runs in its person's own context.
    tenancy.set_process_default(tenancy.OPERATOR)

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    with open(args.cookies) as handle:
        cookies = json.load(handle)
    costs = measure(parse_pages(args.pages), cookies, args.host, log)
    with open(args.out, "w") as handle:
        json.dump(costs, handle, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
