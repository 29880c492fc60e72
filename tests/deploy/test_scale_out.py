"""Scale-out proof: two Sqeeze instances under gunicorn on loopback share one
PostgreSQL, one Redis and one S3 (moto's server), as several web containers
behind one reverse proxy would; nothing ties a person to one instance.

- A session made through one instance's log-in form works on the other, and
  logging out on one ends it on both: sessions live in the shared database,
  signed with the shared SECRET_KEY.
- A budget of anonymous requests (core.ratelimit) is one budget, whichever
  instance counts: the counters live in the shared Redis.
- A file uploaded through one instance downloads through the other: a private
  post attachment through the download view's signed S3 link, a public profile
  image from the S3 address the page shows. The bytes are in the bucket and on
  neither instance's own disk (each has an empty MEDIA_ROOT of its own).

Everything is real: ``migrate``, ``seed_demo`` and ``collectstatic`` in child
processes, gunicorn with production settings (DEBUG off; only SECURE_COOKIES is
off, for plain HTTP on loopback), the demo student filling in the real forms
with their CSRF tokens. The database is a fresh one on the test session's
PostgreSQL server (DATABASE_URL's, or the embedded one), dropped afterwards;
Redis is the test session's. Every process started here is stopped at the end.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import secrets
import signal
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

import boto3
import pytest
import requests
from django.conf import settings
from PIL import Image

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
from tests.net import free_port

S3_ACCESS_KEY = "sqeeze-scale-out"
S3_SECRET_KEY = "sqeeze-scale-out-secret"
S3_REGION = "us-east-1"

WORKERS_PER_INSTANCE = 2
START_TIMEOUT = 60  # seconds for an instance to answer /healthz
REQUEST_TIMEOUT = 20
JOIN_BUDGET = 2  # invite-link visits per client address and hour (RATE_LIMIT_JOIN)


# --- the deployment ------------------------------------------------------------


@dataclass
class Instance:
    """One gunicorn master (and its workers) serving the app on a loopback port."""

    name: str
    port: int
    media_root: Path
    log: Path
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def at(self, path: str) -> str:
        return self.url + path

    def log_tail(self) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return f"instance {self.name}'s log (last lines):\n" + "\n".join(text.splitlines()[-40:])

    def stored_files(self) -> list[Path]:
        return [path for path in self.media_root.rglob("*") if path.is_file()]


@dataclass
class Deployment:
    a: Instance
    b: Instance
    s3_endpoint: str
    bucket: str
    s3: object = field(repr=False)  # a boto3 S3 client

    def bucket_url(self, prefix: str) -> str:
        """The unsigned address S3 serves ``prefix`` under (path-style, as on moto)."""
        return f"{self.s3_endpoint}/{self.bucket}/{prefix}"

    def object_bytes(self, url: str) -> bytes:
        """What the bucket itself holds at the object an S3 address names."""
        key = unquote(urlsplit(url).path).removeprefix(f"/{self.bucket}/")
        return self.s3.get_object(Bucket=self.bucket, Key=key)["Body"].read()


@pytest.fixture(scope="module")
def s3_endpoint():
    """moto's S3 server on a free loopback port, for this module."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture(scope="module")
def shared_database_urls():
    """A fresh, empty database of its own for both instances (DATABASE_URL and
    DATABASE_OWNER_URL)."""
    with scratch_database("scale_out") as urls:
        yield urls


def _start(instance: Instance, environ: dict[str, str]) -> None:
    with instance.log.open("wb") as log:
        instance.process = subprocess.Popen(
            gunicorn_command(
                instance.port, "--workers", str(WORKERS_PER_INSTANCE), "--graceful-timeout", "5"
            ),
            cwd=REPO_ROOT,
            env={**environ, "MEDIA_ROOT": str(instance.media_root)},
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the workers go with it
        )


def _wait_until_healthy(instance: Instance) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        if instance.process.poll() is not None:
            pytest.fail(f"instance {instance.name} exited at start\n{instance.log_tail()}")
        with contextlib.suppress(requests.RequestException):
            answer = requests.get(instance.at("/healthz"), timeout=REQUEST_TIMEOUT)
            if answer.status_code == 200:
                return
        if time.monotonic() > deadline:
            pytest.fail(f"instance {instance.name} not healthy in time\n{instance.log_tail()}")
        time.sleep(0.2)


def _stop(instance: Instance) -> None:
    process = instance.process
    if process is None:
        return
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)  # gunicorn: graceful stop of master and workers
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=15)
    with contextlib.suppress(ProcessLookupError):  # anything of its group still there
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=15)


@pytest.fixture(scope="module")
def deployment(s3_endpoint, shared_database_urls, tmp_path_factory):
    root = tmp_path_factory.mktemp("scale-out")
    bucket = f"sqeeze-scale-out-{uuid.uuid4().hex[:12]}"
    s3 = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        aws_access_key_id=S3_ACCESS_KEY,
        aws_secret_access_key=S3_SECRET_KEY,
        region_name=S3_REGION,
    )
    s3.create_bucket(Bucket=bucket)
    # README "Files": anyone may read public/*, private/* stays closed.
    public_read = {
        "Effect": "Allow",
        "Principal": "*",
        "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{bucket}/public/*",
    }
    s3.put_bucket_policy(
        Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [public_read]})
    )
    environ = production_environ(
        DJANGO_SETTINGS_MODULE="sqeeze.settings",
        SQEEZE_ENV_FILE=os.devnull,
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),  # one secret, both instances
        SECURE_COOKIES="false",  # plain HTTP on loopback; production has TLS in front
        ALLOWED_HOSTS="127.0.0.1",
        **shared_database_urls,
        REDIS_URL=settings.REDIS_URL,
        STATIC_ROOT=str(root / "static"),
        MEDIA_ROOT=str(root / "setup-media"),
        AWS_STORAGE_BUCKET_NAME=bucket,
        AWS_ACCESS_KEY_ID=S3_ACCESS_KEY,
        AWS_SECRET_ACCESS_KEY=S3_SECRET_KEY,
        AWS_S3_REGION_NAME=S3_REGION,
        AWS_S3_ENDPOINT_URL=s3_endpoint,
        # Small enough to reach in a test; counted in the shared Redis.
        RATE_LIMIT_JOIN=f"{JOIN_BUDGET}/h",
        LOG_LEVEL="WARNING",
    )
    prepare_demo_site(environ)

    instances = []
    for name in ("A", "B"):
        media_root = root / f"media-{name}"
        media_root.mkdir()
        instances.append(Instance(name, free_port(), media_root, root / f"gunicorn-{name}.log"))
    try:
        for instance in instances:
            _start(instance, environ)
        for instance in instances:
            _wait_until_healthy(instance)
        yield Deployment(*instances, s3_endpoint=s3_endpoint, bucket=bucket, s3=s3)
    finally:
        for instance in instances:
            _stop(instance)


# --- a browser -------------------------------------------------------------------


class Browser:
    """One person's browser: one cookie jar, whichever instance answers. Both
    instances are on 127.0.0.1 and cookies ignore ports, so what one instance
    sets goes to the other, as behind a load balancer."""

    def __init__(self) -> None:
        self.session = requests.Session()

    def get(self, instance: Instance, path: str, *, follow: bool = False) -> requests.Response:
        return self.session.get(instance.at(path), allow_redirects=follow, timeout=REQUEST_TIMEOUT)

    def post(self, instance: Instance, path: str, **kwargs) -> requests.Response:
        return self.session.post(
            instance.at(path), allow_redirects=False, timeout=REQUEST_TIMEOUT, **kwargs
        )

    @property
    def session_id(self) -> str:
        value = self.session.cookies.get(settings.SESSION_COOKIE_NAME)
        assert value, "no session cookie in the browser"
        return value


@dataclass
class Form:
    action: str
    fields: dict[str, str] = field(default_factory=dict)  # what a browser would send
    names: set[str] = field(default_factory=set)  # every control's name, files too


class _FormReader(HTMLParser):
    """The forms of a page with the values their controls hold."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {key: value or "" for key, value in attrs}
        if tag == "form":
            self._form = Form(action=values.get("action", ""))
            self.forms.append(self._form)
            return
        name = values.get("name")
        if self._form is None:
            return
        if tag == "option" and self._select:
            if "selected" in values or self._select not in self._form.fields:
                self._form.fields[self._select] = values.get("value", "")
            return
        if not name:
            return
        self._form.names.add(name)
        kind = values.get("type", "text").lower()
        if tag == "input" and kind not in ("file", "submit", "button", "image", "reset"):
            if kind not in ("checkbox", "radio") or "checked" in values:
                self._form.fields[name] = values.get("value", "on")
        elif tag == "select":
            self._select = name
        elif tag == "textarea":
            self._textarea = name
            self._form.fields[name] = ""

    def handle_data(self, data: str) -> None:
        if self._form is not None and self._textarea:
            self._form.fields[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def form_with(page: requests.Response, *, control: str = "", action: str = "") -> Form:
    """The page's form that has a control named ``control`` (or posts to ``action``)."""
    reader = _FormReader()
    reader.feed(page.text)
    for form in reader.forms:
        if (control and control in form.names) or (action and form.action == action):
            assert form.fields.get("csrfmiddlewaretoken"), "the form carries no CSRF token"
            return form
    pytest.fail(f"no form with {control or action!r} on {page.url}")


def is_log_in_page(answer: requests.Response) -> bool:
    """The answer a signed-out visitor gets for a signed-in page."""
    location = answer.headers.get("Location", "")
    return answer.status_code == 302 and location.startswith("/accounts/login/")


def log_in(browser: Browser, instance: Instance) -> None:
    """The demo student logs in through ``instance``'s log-in form."""
    page = browser.get(instance, "/accounts/login/")
    assert page.status_code == 200, instance.log_tail()
    form = form_with(page, control="password")
    answer = browser.post(
        instance,
        form.action or "/accounts/login/",
        data={**form.fields, "login": DEMO_STUDENT, "password": DEMO_PASSWORD},
    )
    assert answer.status_code == 302, f"log-in refused: {answer.status_code}\n{instance.log_tail()}"
    assert answer.headers["Location"] == "/home/"


SUBMIT_LINK = re.compile(r'href="(/journeys/[0-9a-f-]{36}/missions/[0-9a-f-]{36}/submit/)"')


def open_mission_submit_path(browser: Browser, instance: Instance) -> str:
    """The submit page of a mission the student may still submit, found as the
    student finds it: home page, then each journey's plan."""
    home = browser.get(instance, "/home/")
    journeys = sorted(set(re.findall(r'href="(/journeys/[0-9a-f-]{36}/)"', home.text)))
    for journey in journeys:
        plan = browser.get(instance, journey, follow=True)
        found = SUBMIT_LINK.search(plan.text)
        if found:
            return found[1]
    pytest.fail("the demo student has no open mission left to submit (sqeeze/demo data)")


def pdf_bytes() -> bytes:
    marker = uuid.uuid4().hex.encode()  # a file no earlier run stored
    return b"%PDF-1.4\n% scale-out proof " + marker + b"\ntrailer <<>>\n%%EOF\n"


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (24, 16), (secrets.randbelow(256), 120, 200)).save(buffer, "PNG")
    return buffer.getvalue()


# --- the proofs --------------------------------------------------------------------


def test_a_session_made_on_one_instance_works_on_the_other(deployment):
    a, b = deployment.a, deployment.b
    browser = Browser()
    assert is_log_in_page(browser.get(b, "/home/"))  # signed out, B tells it apart

    log_in(browser, a)

    # Only the session cookie A set, sent to B by a client that has nothing else.
    home = requests.get(
        b.at("/home/"),
        cookies={settings.SESSION_COOKIE_NAME: browser.session_id},
        allow_redirects=False,
        timeout=REQUEST_TIMEOUT,
    )
    assert home.status_code == 200, b.log_tail()
    assert DEMO_STUDENT_NAME in home.text
    assert 'name="password"' not in home.text


def test_a_private_attachment_uploaded_through_one_instance_downloads_through_the_other(
    deployment,
):
    a, b = deployment.a, deployment.b
    browser = Browser()
    log_in(browser, a)
    submit_path = open_mission_submit_path(browser, a)
    form = form_with(browser.get(a, submit_path), control="files")
    document = pdf_bytes()

    answer = browser.post(
        a,
        form.action or submit_path,
        data={**form.fields, "title": "Scale-out proof", "content": "Uploaded through A."},
        files=[("files", ("scale-out-proof.pdf", document, "application/pdf"))],
    )

    assert answer.status_code == 302, f"submission refused ({answer.status_code})\n{a.log_tail()}"
    post_page = browser.get(b, answer.headers["Location"])
    assert post_page.status_code == 200, b.log_tail()
    downloads = re.findall(r'href="(/files/\d+/download/)"', post_page.text)
    assert len(downloads) == 1, "B's post page links the attachment once"
    # B checks access (the shared session and database), then sends the browser
    # to a short-lived signed address of the shared bucket.
    redirect = browser.get(b, downloads[0])
    assert redirect.status_code == 302, b.log_tail()
    signed_url = redirect.headers["Location"]
    assert signed_url.startswith(deployment.bucket_url("private/post-attachments/"))
    assert "X-Amz-Signature=" in signed_url
    assert requests.get(signed_url, timeout=REQUEST_TIMEOUT).content == document
    assert deployment.object_bytes(signed_url) == document
    unsigned_url = urlunsplit(urlsplit(signed_url)._replace(query=""))
    assert requests.get(unsigned_url, timeout=REQUEST_TIMEOUT).status_code == 403
    assert a.stored_files() == [] and b.stored_files() == []
    # The access check is B's own: without the session, the file does not exist.
    stranger = requests.get(b.at(downloads[0]), allow_redirects=False, timeout=REQUEST_TIMEOUT)
    assert stranger.status_code == 404


def test_a_public_image_uploaded_through_one_instance_shows_through_the_other(deployment):
    a, b = deployment.a, deployment.b
    browser = Browser()
    log_in(browser, a)
    form = form_with(browser.get(a, "/people/me/edit/"), control="image")

    answer = browser.post(
        a,
        form.action or "/people/me/edit/",
        data=form.fields,  # the profile as it is, plus a new picture
        files={"image": ("me.png", png_bytes(), "image/png")},
    )

    assert answer.status_code == 302, f"profile not saved ({answer.status_code})\n{a.log_tail()}"
    profile = browser.get(b, "/people/me/")
    assert profile.status_code == 200, b.log_tail()
    prefix = re.escape(deployment.bucket_url("public/profile-images/"))
    sources = re.findall(rf'src="({prefix}[^"?]+)"', profile.text)
    assert len(sources) == 1, "B's profile page shows the picture from the bucket, unsigned"
    served = requests.get(sources[0], timeout=REQUEST_TIMEOUT)
    assert served.status_code == 200
    # Stored re-encoded (metadata removed): the same picture, the bucket's bytes.
    assert Image.open(io.BytesIO(served.content)).size == (24, 16)
    assert served.content == deployment.object_bytes(sources[0])
    assert a.stored_files() == [] and b.stored_files() == []


def test_logging_out_on_one_instance_ends_the_session_on_the_other(deployment):
    a, b = deployment.a, deployment.b
    browser = Browser()
    log_in(browser, a)
    session_id = browser.session_id
    form = form_with(browser.get(b, "/home/"), action="/accounts/logout/")

    answer = browser.post(b, form.action, data=form.fields)

    assert answer.status_code == 302, b.log_tail()
    # The cookie B told the browser to forget, replayed to A: the session is gone.
    replay = requests.get(
        a.at("/home/"),
        cookies={settings.SESSION_COOKIE_NAME: session_id},
        allow_redirects=False,
        timeout=REQUEST_TIMEOUT,
    )
    assert is_log_in_page(replay)


def test_a_rate_limit_budget_is_one_budget_across_instances(deployment):
    a, b = deployment.a, deployment.b
    # Visits to unknown invite links spend the join budget (the test session's
    # autouse fixture emptied it); the instances take turns.
    answers = [
        requests.get(
            instance.at(f"/journeys/join/unknown-{uuid.uuid4().hex}/"),
            allow_redirects=False,
            timeout=REQUEST_TIMEOUT,
        ).status_code
        for instance in (a, b) * JOIN_BUDGET
    ]

    # Each instance alone has seen only its share; together they used it up.
    assert answers[:JOIN_BUDGET] == [404] * JOIN_BUDGET
    assert set(answers[JOIN_BUDGET:]) == {429}
