"""What the two load drivers (``bench.load``: Locust; ``bench.wrk``: wrk)
share: the server's CPU time, and the interleaved runs of a load plan (hello,
page, hello, page …) written as JSON.

Each driver gives ``run_plan`` a function that loads one path for the plan's
users and seconds and returns its numbers under the same keys: requests,
failures, rps, p50_ms, p95_ms, p99_ms, mean_ms, max_ms, mean_bytes,
server_cpu_ms, errors, load_average.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable

TICKS = os.sysconf("SC_CLK_TCK")
# What every browser says it takes: a prepared CSV export is stored gzipped
# and sent as it is (sendfile) to a client that takes gzip; without this
# header the load would measure the decompression only curl-like clients get.
BROWSER_HEADERS = {"Accept-Encoding": "gzip, deflate, br"}


def process_stat(pid: int) -> list[str] | None:
    """The fields of ``/proc/<pid>/stat`` after the command's name (state,
    ppid, … utime at 11, stime at 12, cutime at 13, cstime at 14); None when
    the process is gone or there is no /proc."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def server_cpu_seconds(pid: int | None) -> float:
    """CPU time (user + system) used so far by ``pid`` and its children: the
    gunicorn master and its workers. On a shared machine this, per request, is
    steadier than the rate, which other processes' load moves."""
    if not pid:
        return 0.0
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        fields = process_stat(current)
        try:
            with open(f"/proc/{current}/task/{current}/children") as handle:
                pending += [int(child) for child in handle.read().split()]
        except (OSError, ValueError):
            pass  # gone, or no /proc: its children are counted as nothing
        if fields is not None:
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICKS


def cpu_ms_per_request(cpu_seconds: float, requests: int, server_pid: int | None) -> float | None:
    if not server_pid or not requests:
        return None
    return round(cpu_seconds * 1000 / requests, 2)


RunOne = Callable[..., dict]


def run_plan(plan: dict, run_one: RunOne) -> dict[str, dict]:
    """hello, then the page, for every page of ``plan``; each run's numbers."""
    results = {}
    for page in plan["pages"]:
        runs = {}
        for role, path, cookie in (
            ("hello", plan["hello_url"], ""),
            ("page", page["url"], page["cookie"]),
        ):
            runs[role] = run_one(
                plan["base_url"],
                path,
                cookie,
                plan["users"],
                plan["warmup"],
                plan["seconds"],
                plan.get("server_pid"),
            )
        hello, measured = runs["hello"], runs["page"]
        print(
            f"  {page['key']:<14} {measured['rps']:8.1f} req/s (hello {hello['rps']:7.1f}) "
            f"p50 {measured['p50_ms']:>6} ms p95 {measured['p95_ms']:>6} ms "
            f"p99 {measured['p99_ms']:>6} ms, server CPU {measured['server_cpu_ms']} ms/request, "
            f"failures {measured['failures']}",
            file=sys.stderr,
            flush=True,
        )
        results[page["key"]] = runs
    return results


def main(argv: list[str] | None, *, tool: str, version: str, run_one: RunOne) -> int:
    parser = argparse.ArgumentParser(description=f"Drive the bench's load with {tool}.")
    parser.add_argument("--plan", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    with open(args.plan) as handle:
        plan = json.load(handle)
    results = run_plan(plan, run_one)
    with open(args.out, "w") as handle:
        json.dump({"tool": tool, "version": version, "pages": results}, handle, indent=2)
    return 0
