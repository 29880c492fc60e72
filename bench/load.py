"""The load: Locust (https://locust.io), headless, through its Python API.

    python -m bench.load --plan load-plan.json --out load.json

For each page of the plan it runs the hello view, then the page (hello,
page, hello, page …), each with ``users`` concurrent users that send their
next request as soon as the last one is answered (no think time), for
``warmup`` seconds that are not counted and then ``seconds`` that are. It
writes Locust's numbers for each run: requests per second, response-time
percentiles (p50, p95, p99), failures and the mean size of a response.

A process of its own: Locust patches the standard library for gevent on
import, which the rest of the bench (Django, psycopg, subprocesses) must not see.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

# Imported before anything opens a socket: locust patches the standard library
# for gevent on import (this module imports nothing that does before it).
import gevent
import locust
from locust import FastHttpUser, constant, task
from locust.env import Environment

STOP_TIMEOUT = 300.0
TICKS = os.sysconf("SC_CLK_TCK")


def server_cpu_seconds(pid: int | None) -> float:
    """CPU time (user + system) used so far by ``pid`` and its children: the
    gunicorn master and its workers. On a shared machine this, per request, is
    steadier than the rate, which other processes' load moves."""
    if not pid:
        return 0.0
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            with open(f"/proc/{current}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{current}/task/{current}/children") as handle:
                pending += [int(child) for child in handle.read().split()]
        except (OSError, ValueError):
            continue  # gone, or no /proc: counted as nothing
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICKS


def run_one(
    base_url: str,
    path: str,
    cookie: str,
    users: int,
    warmup: float,
    seconds: float,
    server_pid: int | None = None,
):
    """Locust's statistics for ``seconds`` of load on ``path`` after a warm-up,
    and the server's CPU time per request meanwhile."""
    headers = {"Cookie": cookie} if cookie else {}

    class Reader(FastHttpUser):
        host = base_url
        wait_time = constant(0)
        # A slow page (an export of a large class) waits its turn behind the
        # other users' requests: slow is measured, never cut off as a failure.
        network_timeout = connection_timeout = STOP_TIMEOUT

        @task
        def read(self) -> None:
            with self.client.get(
                path, headers=headers, name=path, allow_redirects=False, catch_response=True
            ) as response:
                if response.status_code != 200:
                    response.failure(f"HTTP {response.status_code}")
                elif not response.content:
                    response.failure("empty body")

    # stop_timeout: stopping lets every request already sent be answered, so
    # the server is idle when the next run starts (sync workers would otherwise
    # go on serving this run's queued requests into the next one).
    environment = Environment(user_classes=[Reader], stop_timeout=STOP_TIMEOUT)
    runner = environment.create_local_runner()
    runner.start(users, spawn_rate=100)  # all at once (Locust warns above 100)
    gevent.sleep(warmup)
    environment.stats.reset_all()
    started, cpu_before = time.monotonic(), server_cpu_seconds(server_pid)
    gevent.sleep(seconds)
    elapsed, cpu_used = time.monotonic() - started, server_cpu_seconds(server_pid) - cpu_before
    total = environment.stats.total
    result = {
        "requests": total.num_requests,
        "failures": total.num_failures,
        "rps": round(total.num_requests / elapsed, 2) if elapsed else 0.0,
        "p50_ms": total.get_response_time_percentile(0.50),
        "p95_ms": total.get_response_time_percentile(0.95),
        "p99_ms": total.get_response_time_percentile(0.99),
        "mean_ms": round(total.avg_response_time, 2),
        "max_ms": round(total.max_response_time or 0, 2),
        "mean_bytes": round(total.avg_content_length),
        "server_cpu_ms": round(cpu_used * 1000 / total.num_requests, 2)
        if server_pid and total.num_requests
        else None,
        "errors": sorted({str(error.error) for error in environment.stats.errors.values()})[:5],
        # The machine's 1-minute load average at the end: how busy it was (others too).
        "load_average": round(os.getloadavg()[0], 2),
    }
    runner.stop()
    runner.quit()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Drive the bench's load with Locust.")
    parser.add_argument("--plan", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    with open(args.plan) as handle:
        plan = json.load(handle)
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
    with open(args.out, "w") as handle:
        json.dump({"locust": locust.__version__, "pages": results}, handle, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
