"""The production compose stack without Docker: deploy/Caddyfile in a real
``caddy run`` in front of gunicorn, each with the environment docker-compose.yml
gives it (resolved by tests/deploy/test_compose_production.py from a .env as
README "Production" writes it), and the health checks of web, worker and beat
run against real processes.

- The HTTPS trial (``DOMAIN=localhost``): Caddy's local CA signs the
  certificate, HTTP answers with a redirect to HTTPS, the proxy replaces the
  client's forwarded headers, and the demo student logs in through the real
  log-in form and sees the home page.
- Without the proxy, the same app refuses every log-in over plain HTTP with
  403: its cookies are Secure, so a browser never sends them back over HTTP
  (why the issue's compose setup could not log in). The plain-HTTP trial
  (``SITE_SCHEME=http``, ``SECURE_COOKIES=false``) logs in through Caddy.

Only what Docker would provide differs: loopback ports instead of 80, 443 and
8000, the test session's PostgreSQL (a fresh database, dropped afterwards) and
Redis, temporary media, static and Caddy data directories. Every process
started here is stopped at the end.

Caddy comes from Debian: ``apt-get install -y caddy``. Without it these tests
fail, saying so.
"""

from __future__ import annotations

import contextlib
import http.server
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests
from django.conf import settings

from tests import celery_worker
from tests.deploy import (
    DEMO_PASSWORD,
    DEMO_STUDENT,
    DEMO_STUDENT_NAME,
    REPO_ROOT,
    gunicorn_command,
    prepare_demo_site,
    production_environ,
    scratch_database,
)
from tests.deploy.test_compose_production import (
    CADDYFILE,
    container_environment,
    project,
    services,
)
from tests.net import free_port

START_TIMEOUT = 60  # seconds for a server to answer
REQUEST_TIMEOUT = 20
CELERY = str(Path(sys.executable).with_name("celery"))

CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def caddy_binary() -> str:
    path = shutil.which("caddy")
    if path is None:
        pytest.fail(
            "caddy is not installed, and these tests run deploy/Caddyfile in a real Caddy. "
            "Install Debian's package: apt-get install -y caddy",
            pytrace=False,
        )
    return path


# --- processes -------------------------------------------------------------------


@dataclass
class Server:
    """A child process in a process group of its own, its output in ``log``."""

    name: str
    log: Path
    process: subprocess.Popen | None = None

    def start(self, command: list[str], environ: dict[str, str]) -> None:
        with self.log.open("wb") as output:
            self.process = subprocess.Popen(
                command,
                cwd=REPO_ROOT,
                env=environ,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its workers go with it
            )

    def log_tail(self) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return f"{self.name}'s log (last lines):\n" + "\n".join(text.splitlines()[-40:])

    def wait_until(self, ready, what: str) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if self.process.poll() is not None:
                pytest.fail(f"{self.name} exited ({self.process.returncode})\n{self.log_tail()}")
            with contextlib.suppress(requests.RequestException):
                if ready():
                    return
            if time.monotonic() > deadline:
                pytest.fail(f"{self.name}: no {what} in {START_TIMEOUT} s\n{self.log_tail()}")
            time.sleep(0.2)

    def stop(self) -> None:
        process = self.process
        if process is None:
            return
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)  # a graceful stop, as docker stop
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=15)
        with contextlib.suppress(ProcessLookupError):  # anything of its group still there
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=15)


@pytest.fixture(scope="module")
def servers() -> Iterator[list[Server]]:
    """Every server the module starts, stopped at its end whatever happens."""
    started: list[Server] = []
    yield started
    for server in reversed(started):
        server.stop()


# --- the machine's part: database, Redis, static and media files ------------------------


@pytest.fixture(scope="module")
def machine(tmp_path_factory) -> Iterator[dict[str, str]]:
    """What the compose services get from Docker, as settings for this
    machine: a fresh database, migrated and seeded with the demo; the test
    session's Redis; collected static files and an empty media folder."""
    root = tmp_path_factory.mktemp("tls-proxy")
    with scratch_database("proxy") as database_urls:
        values = {
            **database_urls,
            "REDIS_URL": settings.REDIS_URL,
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "MEDIA_ROOT": str(root / "media"),
            "STATIC_ROOT": str(root / "static"),  # the image collects its own at build time
        }
        prepare_demo_site(
            production_environ(
                DJANGO_SETTINGS_MODULE="sqeeze.settings",
                SQEEZE_ENV_FILE=os.devnull,
                DEBUG="false",
                SECRET_KEY=secrets.token_urlsafe(50),
                **values,
            )
        )
        yield values


def trial_env_file(**values: str) -> dict[str, str]:
    """A .env as README "Production" has the trial write it."""
    return {
        "DOMAIN": "localhost",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "POSTGRES_PASSWORD": "unused-here",  # the database is the machine's
        **values,
    }


def app_environ(dot_env: dict[str, str], machine: dict[str, str]) -> dict[str, str]:
    """The web service's environment from compose, with the machine's stores."""
    return production_environ(
        **{
            **container_environment("web", dot_env),
            **machine,
            "DJANGO_SETTINGS_MODULE": "sqeeze.settings",
            "SQEEZE_ENV_FILE": os.devnull,
        }
    )


# --- gunicorn and Caddy ------------------------------------------------------------------


@dataclass
class App(Server):
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://localhost:{self.port}"


def start_app(name: str, environ: dict[str, str], servers: list[Server], root: Path) -> App:
    """gunicorn as the image's CMD runs it (Dockerfile), on a loopback port."""
    app = App(name, root / f"{name}.log", port=free_port())
    # In compose, Caddy connects from another container, whose forwarded
    # headers gunicorn does not believe: only the app's BEHIND_TLS_PROXY makes
    # a request secure. Here Caddy is on 127.0.0.1, which gunicorn trusts by
    # default, so trust nobody, as there.
    command = gunicorn_command(app.port, "--workers", "2", "--forwarded-allow-ips", "")
    servers.append(app)
    app.start(command, environ)
    app.wait_until(
        lambda: browser().get(f"{app.url}/healthz", timeout=REQUEST_TIMEOUT).status_code == 200,
        "answer on /healthz",
    )
    return app


@dataclass
class Proxy(Server):
    http_port: int = 0
    https_port: int = 0
    data: Path = field(default_factory=Path)

    @property
    def root_certificate(self) -> Path:
        """The local CA's root: what a browser must trust to drop the warning."""
        return self.data / "caddy" / "pki" / "authorities" / "local" / "root.crt"

    def url(self, scheme: str, path: str) -> str:
        port = self.https_port if scheme == "https" else self.http_port
        return f"{scheme}://localhost:{port}{path}"


def start_proxy(
    name: str, dot_env: dict[str, str], upstream: str, servers: list[Server], root: Path
) -> Proxy:
    """``caddy run`` with the committed Caddyfile and the caddy service's
    environment from compose; only the ports, the upstream, the admin endpoint
    and the data folders are this machine's (never the home folder's)."""
    folder = root / name
    folder.mkdir()
    proxy = Proxy(
        name, root / f"{name}.log", http_port=free_port(), https_port=free_port(),
        data=folder / "data",
    )  # fmt: skip
    environ = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(folder),
        "XDG_DATA_HOME": str(proxy.data),
        "XDG_CONFIG_HOME": str(folder / "config"),
        **project(dot_env)["services"]["caddy"]["environment"],
        "CADDY_HTTP_PORT": str(proxy.http_port),
        "CADDY_HTTPS_PORT": str(proxy.https_port),
        "CADDY_ADMIN": f"127.0.0.1:{free_port()}",
        "APP_UPSTREAM": upstream,
    }
    command = [caddy_binary(), "run", "--config", str(CADDYFILE), "--adapter", "caddyfile"]
    servers.append(proxy)
    proxy.start(command, environ)
    scheme = environ["SITE_SCHEME"]
    session = browser(verify=proxy.root_certificate if scheme == "https" else True)
    with session:
        proxy.wait_until(
            lambda: (
                (scheme == "http" or proxy.root_certificate.exists())
                and session.get(proxy.url(scheme, "/healthz"), timeout=REQUEST_TIMEOUT).ok
            ),
            f"{scheme.upper()} answer from upstream",
        )
    return proxy


@dataclass
class Trial:
    app: App
    proxy: Proxy
    environ: dict[str, str]


@pytest.fixture(scope="module")
def https_trial(machine, servers, tmp_path_factory) -> Trial:
    """README's HTTPS trial: DOMAIN=localhost, nothing else changed."""
    root = tmp_path_factory.mktemp("https-trial")
    dot_env = trial_env_file()
    environ = app_environ(dot_env, machine)
    app = start_app("gunicorn-https-trial", environ, servers, root)
    proxy = start_proxy("caddy-https-trial", dot_env, f"127.0.0.1:{app.port}", servers, root)
    return Trial(app, proxy, environ)


@pytest.fixture(scope="module")
def plain_http_trial(machine, servers, tmp_path_factory) -> Trial:
    """README's plain-HTTP trial: SITE_SCHEME=http and SECURE_COOKIES=false."""
    root = tmp_path_factory.mktemp("plain-http-trial")
    dot_env = trial_env_file(SITE_SCHEME="http", SECURE_COOKIES="false")
    environ = app_environ(dot_env, machine)
    app = start_app("gunicorn-plain-http-trial", environ, servers, root)
    proxy = start_proxy("caddy-plain-http-trial", dot_env, f"127.0.0.1:{app.port}", servers, root)
    return Trial(app, proxy, environ)


# --- a browser --------------------------------------------------------------------------


def browser(verify: Path | bool = True) -> requests.Session:
    session = requests.Session()
    # Not the environment's CA bundle (REQUESTS_CA_BUNDLE would replace
    # ``verify``) nor its proxies: only this machine's servers are asked.
    session.trust_env = False
    session.verify = str(verify) if isinstance(verify, Path) else verify
    session.headers["Accept-Language"] = "en"
    return session


def log_in(session: requests.Session, login_url: str) -> requests.Response:
    """The demo student fills in the log-in form at ``login_url`` and sends it
    as a browser does (with Origin and Referer); the answer, not followed."""
    page = session.get(login_url, timeout=REQUEST_TIMEOUT)
    assert page.status_code == 200
    token = CSRF_TOKEN.search(page.text)
    assert token, "the log-in form carries no CSRF token"
    origin = urlunsplit(urlsplit(login_url)._replace(path="", query=""))
    return session.post(
        login_url,
        data={"csrfmiddlewaretoken": token[1], "login": DEMO_STUDENT, "password": DEMO_PASSWORD},
        headers={"Origin": origin, "Referer": login_url},
        allow_redirects=False,
        timeout=REQUEST_TIMEOUT,
    )


def assert_home_page_of_the_demo_student(session: requests.Session, url: str, server: Server):
    home = session.get(url, allow_redirects=False, timeout=REQUEST_TIMEOUT)
    assert home.status_code == 200, server.log_tail()
    assert DEMO_STUDENT_NAME in home.text
    assert 'name="password"' not in home.text
    return home


# --- Tests: the HTTPS trial ----------------------------------------------------------------


def test_the_demo_student_logs_in_through_https(https_trial):
    proxy = https_trial.proxy
    session = browser(verify=proxy.root_certificate)

    answer = log_in(session, proxy.url("https", "/accounts/login/"))

    assert answer.status_code == 302, f"log-in refused: {answer.status_code}\n{proxy.log_tail()}"
    assert answer.headers["Location"] == "/home/"
    cookies = {cookie.name: cookie for cookie in session.cookies}
    assert cookies[settings.SESSION_COOKIE_NAME].secure
    assert cookies[settings.CSRF_COOKIE_NAME].secure
    home = assert_home_page_of_the_demo_student(
        session, proxy.url("https", "/home/"), https_trial.app
    )
    # Through Caddy: compressed, and without the servers' names.
    assert home.headers.get("Content-Encoding") in ("gzip", "zstd")
    assert "Server" not in home.headers


def test_the_certificate_comes_from_caddys_local_ca(https_trial):
    proxy = https_trial.proxy

    # A browser that does not trust the local CA warns (here: refuses) ...
    with pytest.raises(requests.exceptions.SSLError):
        browser().get(proxy.url("https", "/healthz"), timeout=REQUEST_TIMEOUT)
    # ... and one that trusts its root certificate accepts the site as localhost.
    answer = browser().get(
        proxy.url("https", "/healthz"), verify=proxy.root_certificate, timeout=REQUEST_TIMEOUT
    )
    assert answer.status_code == 200
    assert answer.json()["database"] == answer.json()["broker"] == "ok"


def test_plain_http_is_redirected_to_https(https_trial):
    proxy = https_trial.proxy

    answer = browser().get(
        proxy.url("http", "/accounts/login/?next=/home/"),
        allow_redirects=False,
        timeout=REQUEST_TIMEOUT,
    )

    assert answer.status_code == 308  # permanent, and the method is kept
    location = urlsplit(answer.headers["Location"])
    assert (location.scheme, location.hostname) == ("https", "localhost")
    # Caddy names a port other than 443 from version 2.7 on.
    assert location.port in (None, proxy.https_port)
    assert (location.path, location.query) == ("/accounts/login/", "next=/home/")


def test_without_the_proxy_plain_http_log_in_is_refused_with_403(https_trial):
    """The issue's setup: gunicorn published on plain HTTP. The app's cookies
    are Secure (DEBUG off), so the browser keeps the CSRF cookie to itself
    over HTTP and every log-in form comes back 403."""
    app = https_trial.app
    session = browser()

    answer = log_in(session, f"{app.url}/accounts/login/")

    assert answer.status_code == 403
    assert "The form could not be sent" in answer.text  # sqeeze.error_views.csrf_failure
    assert "CSRF cookie not set" in app.log.read_text(errors="replace")
    assert settings.SESSION_COOKIE_NAME not in session.cookies


# --- Tests: the plain-HTTP trial -------------------------------------------------------------


def test_the_plain_http_trial_logs_in(plain_http_trial):
    proxy = plain_http_trial.proxy
    session = browser()

    answer = log_in(session, proxy.url("http", "/accounts/login/"))

    assert answer.status_code == 302, f"log-in refused: {answer.status_code}\n{proxy.log_tail()}"
    assert answer.headers["Location"] == "/home/"
    assert not any(cookie.secure for cookie in session.cookies)
    assert_home_page_of_the_demo_student(session, proxy.url("http", "/home/"), plain_http_trial.app)


# --- Tests: what the proxy forwards ------------------------------------------------------------


class _Echo(http.server.BaseHTTPRequestHandler):
    """An upstream that answers with what reached it: headers and body size."""

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        received = len(self.rfile.read(length)) if length else 0
        body = json.dumps({"headers": dict(self.headers), "received": received}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, format, *args):  # noqa: A002 (the base class's name)
        pass


@pytest.fixture(scope="module")
def echo_proxy(servers, tmp_path_factory) -> Iterator[Proxy]:
    """The Caddyfile in front of an echo upstream, with a 1 MiB body limit."""
    echo = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    thread = threading.Thread(target=echo.serve_forever, daemon=True)
    thread.start()
    try:
        dot_env = trial_env_file(PROXY_MAX_BODY_SIZE="1MiB")
        upstream = f"127.0.0.1:{echo.server_address[1]}"
        yield start_proxy("caddy-echo", dot_env, upstream, servers, tmp_path_factory.mktemp("e"))
    finally:
        echo.shutdown()
        echo.server_close()


def test_the_proxy_replaces_the_clients_forwarded_headers(echo_proxy):
    """The app believes one proxy (TRUSTED_PROXY_COUNT=1, the last address of
    X-Forwarded-For) and its X-Forwarded-Proto: Caddy must write both itself."""
    forged = {
        "X-Forwarded-For": "203.0.113.9",
        "X-Forwarded-Proto": "http",
        "X-Request-ID": "forged",
    }

    answer = browser().get(
        echo_proxy.url("https", "/x"),
        headers=forged,
        verify=echo_proxy.root_certificate,
        timeout=REQUEST_TIMEOUT,
    )

    received = {name.lower(): value for name, value in answer.json()["headers"].items()}
    assert received["x-forwarded-for"] in ("127.0.0.1", "::1")  # this client, and only it
    assert received["x-forwarded-proto"] == "https"
    assert received["host"] == f"localhost:{echo_proxy.https_port}"  # unchanged
    assert uuid.UUID(received["x-request-id"])  # Caddy's own id for the request


def test_the_proxy_refuses_a_body_over_its_limit(echo_proxy):
    url = echo_proxy.url("https", "/upload")
    verify = echo_proxy.root_certificate

    small = browser().post(url, data=b"x" * 2**19, verify=verify, timeout=REQUEST_TIMEOUT)
    large = browser().post(url, data=b"x" * 2**21, verify=verify, timeout=REQUEST_TIMEOUT)

    assert (small.status_code, small.json()["received"]) == (200, 2**19)
    # 413; Debian's Caddy 2.6 says 502 (caddyserver/caddy#5652, fixed in 2.7).
    assert large.status_code in (413, 502)


# --- Tests: the health checks of web, worker and beat, run for real ---------------------------


def run_healthcheck(service: str, environ: dict[str, str], **replace: str) -> int:
    """The service's compose healthcheck as Docker runs it in the container
    (CMD: the arguments; CMD-SHELL: through sh), with machine-specific strings
    replaced; its exit status."""
    test = list(services()[service]["healthcheck"]["test"])
    kind, arguments = test[0], [argument.replace("$$", "$") for argument in test[1:]]
    for old, new in replace.items():
        arguments = [argument.replace(old, new) for argument in arguments]
    if kind == "CMD-SHELL":
        command = ["sh", "-c", arguments[0]]
    else:
        command = [sys.executable if arguments[0] == "python" else arguments[0], *arguments[1:]]
    # The image's python and celery are this virtualenv's.
    path = f"{Path(sys.executable).parent}:{environ.get('PATH', '/usr/bin:/bin')}"
    result = subprocess.run(
        command, cwd=REPO_ROOT, env={**environ, "PATH": path}, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    return result.returncode


def test_web_healthcheck_passes_on_gunicorn(https_trial):
    app = https_trial.app

    status = run_healthcheck(
        "web", https_trial.environ, **{"localhost:8000": f"localhost:{app.port}"}
    )

    assert status == 0, app.log_tail()


def test_worker_healthcheck_answers_for_this_containers_worker_only(
    machine, servers, tmp_path_factory
):
    root = tmp_path_factory.mktemp("worker")
    environ = app_environ(trial_env_file(), machine)
    hostname = f"sqeeze-test-{uuid.uuid4().hex[:12]}"
    worker = Server("celery-worker", root / "worker.log")
    servers.append(worker)
    # The test broker is shared: a queue of its own, so it takes nobody's tasks.
    with celery_worker.private_queue("sqeeze.healthcheck-takes-no-task", "health") as queue:
        # compose's command, named as in a container whose hostname is ``hostname``
        worker.start(
            [
                CELERY, "-A", "sqeeze", "worker", "-l", "info", "-n", f"celery@{hostname}",
                "-Q", queue, "--pool", "solo", "--without-gossip", "--without-mingle",
            ],
            environ,
        )  # fmt: skip
        worker.wait_until(lambda: "ready." in worker.log.read_text(errors="replace"), "readiness")

        assert run_healthcheck("worker", {**environ, "HOSTNAME": hostname}) == 0, worker.log_tail()
        worker.stop()
        # No answer within the check's timeout: celery inspect exits non-zero.
        assert run_healthcheck("worker", {**environ, "HOSTNAME": hostname}) != 0


def test_beat_healthcheck_follows_the_schedule_file(machine, servers, tmp_path_factory):
    root = tmp_path_factory.mktemp("beat")
    environ = app_environ(trial_env_file(), machine)
    argv = services()["beat"]["command"]
    compose_schedule = argv[argv.index("--schedule") + 1]
    schedule = root / "celerybeat-schedule"
    beat = Server("celery-beat", root / "beat.log")
    servers.append(beat)
    beat.start([CELERY, *argv[1:-1], str(schedule)], environ)  # compose's command, another path

    def written() -> list[Path]:
        return list(root.glob(f"{schedule.name}*"))

    beat.wait_until(lambda: bool(written()), "schedule file")

    assert run_healthcheck("beat", environ, **{compose_schedule: str(schedule)}) == 0
    beat.stop()
    stale = time.time() - 11 * 60  # beat rewrites it at least every 3 minutes
    for path in written():
        os.utime(path, (stale, stale))
    assert run_healthcheck("beat", environ, **{compose_schedule: str(schedule)}) == 1
    for path in written():
        path.unlink()
    assert run_healthcheck("beat", environ, **{compose_schedule: str(schedule)}) == 1
