"""The bench's wrk driver (``bench.wrk``) reads wrk's own report: against a
small HTTP server on loopback it counts the requests the server answered,
sends the cookie it is given and a browser's Accept-Encoding, and counts
error statuses as failures. wrk is installed by ``make test``
(scripts/ensure-command), as ``make bench`` does."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench import wrk


class _Counting(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as wrk expects
    answered = 0
    cookies: set[str] = set()
    encodings: set[str] = set()

    def do_GET(self):  # noqa: N802 (the standard library's name)
        type(self).answered += 1
        type(self).cookies.add(self.headers.get("Cookie", ""))
        type(self).encodings.add(self.headers.get("Accept-Encoding", ""))
        status = 200 if self.path == "/ok" else 500
        body = b"hello"
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    _Counting.answered, _Counting.cookies, _Counting.encodings = 0, set(), set()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Counting)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_a_run_reports_what_the_server_answered(server):
    result = wrk.run_one(server, "/ok", "sessionid=abc", users=2, warmup=0, seconds=1)

    assert result["failures"] == 0 and result["errors"] == []
    # wrk stops mid-request: the server may have answered a few more than wrk counted.
    assert 0 < result["requests"] <= _Counting.answered
    assert result["rps"] > 0
    assert 0 < result["p50_ms"] <= result["p95_ms"] <= result["p99_ms"]
    assert result["mean_bytes"] > len("hello")  # the headers count too
    assert _Counting.cookies == {"sessionid=abc"}
    # as a browser: a gzipped export is then sent as stored
    assert _Counting.encodings == {"gzip, deflate, br"}
    assert result["server_cpu_ms"] is None  # no server process given


def test_error_statuses_are_failures(server):
    result = wrk.run_one(server, "/broken", "", users=1, warmup=0, seconds=1)

    assert result["requests"] > 0
    assert result["failures"] == result["requests"]
    assert "responses not 2xx or 3xx" in result["errors"][0]
    assert _Counting.cookies == {""}
