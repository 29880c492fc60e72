"""The load: wrk (https://github.com/wg/wrk), the tool the scale issue measured
with, one process per run.

    python -m bench.wrk --plan load-plan.json --out load.json

The same plan and numbers as ``bench.load`` (Locust): hello, page, hello, page
…, each with ``users`` connections that send their next request as soon as the
last one is answered, for ``warmup`` seconds that are not counted (a run of
its own) and then ``seconds`` that are. wrk is written in C and takes little
of the machine's CPU, so hello's rate is the server's, not the load
generator's: ratios are lower than Locust's and closer to what a client
elsewhere would see. Two wrk threads (the machine's cores); a Lua script
reports the run as JSON. Failures are the responses that were not 2xx or 3xx
and the socket errors; the pages are checked for 200 before the load
(``bench.pages``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

from bench import interleave
from bench.interleave import BROWSER_HEADERS, cpu_ms_per_request, server_cpu_seconds

THREADS = 2
TIMEOUT_SECONDS = 300  # a slow page is measured, never cut off as a failure
REPORT_LUA = """
done = function(summary, latency, requests)
  local errors = summary.errors
  io.write("WRK-JSON ", string.format(
    '{"requests": %d, "micros": %d, "bytes": %d, "status_errors": %d, '
    .. '"socket_errors": %d, "p50": %d, "p95": %d, "p99": %d, "mean": %f, "max": %d}',
    summary.requests, summary.duration, summary.bytes, errors.status,
    errors.connect + errors.read + errors.write + errors.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    latency.mean, latency.max), "\\n")
end
"""


def wrk_binary() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise SystemExit(
            "wrk is not installed: apt-get install wrk (make bench does it as root), "
            "or run the bench with BENCH_LOAD=locust."
        )
    return found


def wrk_version() -> str:
    # wrk has no --version; its usage text starts with the version.
    result = subprocess.run([wrk_binary(), "-v"], capture_output=True, text=True)
    words = (result.stdout + result.stderr).split()
    return words[1] if len(words) > 1 and words[0] == "wrk" else "unknown"


def _wrk(url: str, cookie: str, users: int, seconds: float, script: str) -> dict:
    command = [
        wrk_binary(), "--threads", str(min(THREADS, users)), "--connections", str(users),
        "--duration", f"{max(1, round(seconds))}s", "--timeout", f"{TIMEOUT_SECONDS}s",
        "--script", script,
    ]  # fmt: skip
    for name, value in BROWSER_HEADERS.items():
        command += ["--header", f"{name}: {value}"]
    if cookie:
        command += ["--header", f"Cookie: {cookie}"]
    result = subprocess.run(command + [url], capture_output=True, text=True)
    for line in result.stdout.splitlines():
        if line.startswith("WRK-JSON "):
            return json.loads(line.removeprefix("WRK-JSON "))
    raise RuntimeError(f"wrk gave no report for {url}: {result.stdout}{result.stderr}")


def run_one(
    base_url: str,
    path: str,
    cookie: str,
    users: int,
    warmup: float,
    seconds: float,
    server_pid: int | None = None,
) -> dict:
    """wrk's numbers for ``seconds`` of load on ``path`` after a warm-up run,
    and the server's CPU time per request meanwhile."""
    url = base_url + path
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(REPORT_LUA)
        script.flush()
        if warmup > 0:
            _wrk(url, cookie, users, warmup, script.name)
        started, cpu_before = time.monotonic(), server_cpu_seconds(server_pid)
        run = _wrk(url, cookie, users, seconds, script.name)
        cpu_used = server_cpu_seconds(server_pid) - cpu_before
        elapsed = run["micros"] / 1e6 or time.monotonic() - started
    requests = run["requests"]
    failures = run["status_errors"] + run["socket_errors"]
    errors = []
    if run["status_errors"]:
        errors.append(f"{run['status_errors']} responses not 2xx or 3xx")
    if run["socket_errors"]:
        errors.append(f"{run['socket_errors']} socket errors (connect, read, write, timeout)")
    return {
        "requests": requests,
        "failures": failures,
        "rps": round(requests / elapsed, 2) if elapsed else 0.0,
        "p50_ms": round(run["p50"] / 1000, 1),
        "p95_ms": round(run["p95"] / 1000, 1),
        "p99_ms": round(run["p99"] / 1000, 1),
        "mean_ms": round(run["mean"] / 1000, 2),
        "max_ms": round(run["max"] / 1000, 2),
        # Headers included: wrk counts what came over the socket.
        "mean_bytes": round(run["bytes"] / requests) if requests else 0,
        "server_cpu_ms": cpu_ms_per_request(cpu_used, requests, server_pid),
        "errors": errors,
        "load_average": round(os.getloadavg()[0], 2),
    }


def main(argv: list[str] | None = None) -> int:
    return interleave.main(argv, tool="wrk", version=wrk_version(), run_one=run_one)


if __name__ == "__main__":
    sys.exit(main())
