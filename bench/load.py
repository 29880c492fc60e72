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

import os
import sys
import time

# Imported before anything opens a socket: locust patches the standard library
# for gevent on import (this module imports nothing that does before it).
import gevent
import locust
from locust import FastHttpUser, constant, task
from locust.env import Environment

from bench import interleave
from bench.interleave import BROWSER_HEADERS, cpu_ms_per_request, server_cpu_seconds

STOP_TIMEOUT = 300.0


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
    headers = {**BROWSER_HEADERS, **({"Cookie": cookie} if cookie else {})}

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
        "server_cpu_ms": cpu_ms_per_request(cpu_used, total.num_requests, server_pid),
        "errors": sorted({str(error.error) for error in environment.stats.errors.values()})[:5],
        # The machine's 1-minute load average at the end: how busy it was (others too).
        "load_average": round(os.getloadavg()[0], 2),
    }
    runner.stop()
    runner.quit()
    return result


def main(argv: list[str] | None = None) -> int:
    return interleave.main(argv, tool="Locust", version=locust.__version__, run_one=run_one)


if __name__ == "__main__":
    sys.exit(main())
