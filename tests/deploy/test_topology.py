"""docker-compose.yml and the Dockerfile, checked against the project itself:
every command they run must name a real entry point, and every variable they
pass must be one settings read, so a typo fails here rather than in production."""

from __future__ import annotations

import importlib
import json
import re
import shlex
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from celery import Celery
from celery.app.utils import find_app
from django.conf import settings
from django.core.management import get_commands

from tests.deploy import REPO_ROOT, isolated_environ, run_python, settings_variables
from tests.deploy.test_compose_production import interpolate

COMPOSE_FILE = REPO_ROOT / "docker-compose.yml"
DOCKERFILE = REPO_ROOT / "Dockerfile"
DOCKERIGNORE = REPO_ROOT / ".dockerignore"

LONG_RUNNING_APP_SERVICES = ["web", "worker", "beat"]

# Variables app services may pass that settings do not read, and who reads them.
RUNNER_VARIABLES = {"WEB_CONCURRENCY": "gunicorn, as its worker count"}
# Compose-level variables the app's defaults are derived from (SITE_URL,
# ALLOWED_HOSTS …); the caddy service reads them too (deploy/Caddyfile).
PROXY_VARIABLES = {"DOMAIN", "SITE_SCHEME"}
# `$NAME` or `${NAME...}`; `$$` is compose's escaped dollar.
INTERPOLATION = re.compile(r"(?<!\$)\$\{?([A-Za-z_][A-Za-z0-9_]*)")
WSGI_TARGET = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$")


# --- docker-compose.yml ----------------------------------------------------------


@cache
def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


def services() -> dict[str, dict]:
    return compose()["services"]


def app_service_names() -> list[str]:
    """Services that run the project's own image (they build it)."""
    return sorted(name for name, service in services().items() if "build" in service)


def environment(service: dict) -> dict[str, str | None]:
    env = service.get("environment") or {}
    assert isinstance(env, dict), "write `environment` as a mapping (NAME: value)"
    return env


def command(service: dict) -> list[str]:
    """The service's command, or the image's CMD when it sets none."""
    value = service.get("command")
    if value is None:
        return dockerfile_cmd()
    return shlex.split(value) if isinstance(value, str) else [str(part) for part in value]


def strings_in(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in strings_in(item)]
    if isinstance(value, list):
        return [text for item in value for text in strings_in(item)]
    return []


def interpolated_names(value) -> set[str]:
    return {name for text in strings_in(value) for name in INTERPOLATION.findall(text)}


def substitute(text: str, values: dict[str, str]) -> str:
    """Resolve ``${NAME...}`` as compose would, from ``values`` only."""
    return re.sub(r"\$\{(\w+)[^}]*\}", lambda match: values[match[1]], text)


# --- Dockerfile --------------------------------------------------------------------


@cache
def dockerfile_instructions() -> tuple[tuple[str, str], ...]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined and comments
    dropped, as Docker reads them."""
    instructions, pending = [], ""
    for line in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        if line.strip().startswith("#") or not line.strip():
            continue
        pending += line.rstrip()
        if pending.endswith("\\"):
            pending = pending[:-1] + " "
            continue
        keyword, _, arguments = pending.strip().partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
        pending = ""
    return tuple(instructions)


def dockerfile_arguments(keyword: str) -> list[str]:
    return [arguments for name, arguments in dockerfile_instructions() if name == keyword]


def dockerfile_cmd() -> list[str]:
    arguments = dockerfile_arguments("CMD")[-1]
    return json.loads(arguments) if arguments.startswith("[") else shlex.split(arguments)


def dockerfile_env_names() -> set[str]:
    names = set()
    for keyword in ("ENV", "ARG"):
        for arguments in dockerfile_arguments(keyword):
            tokens = shlex.split(arguments)
            if "=" not in tokens[0]:  # legacy `ENV NAME value`
                names.add(tokens[0])
            names.update(token.partition("=")[0] for token in tokens if "=" in token)
    return names


def collectstatic_assignments() -> dict[str, str]:
    """The ``NAME=value`` prefixes of the RUN step that calls collectstatic."""
    for arguments in dockerfile_arguments("RUN"):
        for step in re.split(r"&&|;", arguments):
            if "collectstatic" in step:
                return leading_assignments(shlex.split(step))
    pytest.fail("no RUN step in the Dockerfile calls collectstatic")


def leading_assignments(tokens: list[str]) -> dict[str, str]:
    assignments = {}
    for token in tokens:
        if not re.match(r"^[A-Za-z_]\w*=", token):
            break
        name, _, value = token.partition("=")
        assignments[name] = value
    return assignments


# --- Entry points ------------------------------------------------------------------


def wsgi_target(argv: list[str]) -> str:
    targets = [arg for arg in argv[1:] if WSGI_TARGET.match(arg)]
    assert len(targets) == 1, f"expected one module:attribute in {argv}"
    return targets[0]


def celery_app_name(argv: list[str]) -> str:
    for index, arg in enumerate(argv):
        if arg in ("-A", "--app"):
            return argv[index + 1]
        if arg.startswith("--app="):
            return arg.partition("=")[2]
    pytest.fail(f"celery command without -A: {argv}")


def assert_entry_point_exists(argv: list[str]) -> None:
    program = Path(argv[0]).name
    if program == "gunicorn":
        module, _, attribute = wsgi_target(argv).partition(":")
        assert hasattr(importlib.import_module(module), attribute)
    elif program == "celery":
        # find_app resolves -A exactly as the celery command line does.
        assert isinstance(find_app(celery_app_name(argv)), Celery)
    elif program.startswith("python") and argv[1:2] == ["manage.py"]:
        assert argv[2] in get_commands(), f"no management command {argv[2]!r}"
    else:
        pytest.fail(f"unknown entry point {argv}: teach this test how to check it")


# --- Tests: the services -----------------------------------------------------------


def test_settings_parser_finds_the_core_variables():
    # Guards the variable checks below against passing vacuously.
    assert {"SECRET_KEY", "DEBUG", "DATABASE_URL", "REDIS_URL"} <= settings_variables()


def test_compose_has_the_production_services():
    assert {"postgres", "redis", "web", "worker", "beat"} <= set(services())
    assert services()["postgres"]["image"].startswith("postgres:15")
    assert services()["redis"]["image"].startswith("redis:7")


def test_data_stores_have_healthchecks():
    assert "pg_isready" in " ".join(strings_in(services()["postgres"]["healthcheck"]["test"]))
    assert "ping" in strings_in(services()["redis"]["healthcheck"]["test"])


def test_web_healthcheck_calls_healthz_with_python():
    # python:3.11-slim has no curl or wget.
    check = " ".join(strings_in(services()["web"]["healthcheck"]["test"]))

    assert "http://localhost:8000/healthz" in check
    assert "python" in check
    assert "curl" not in check


@pytest.mark.parametrize("name", app_service_names())
def test_app_service_runs_a_real_entry_point(name):
    assert_entry_point_exists(command(services()[name]))


def test_web_serves_the_wsgi_application_settings_name():
    module, _, attribute = wsgi_target(command(services()["web"])).partition(":")

    assert f"{module}.{attribute}" == settings.WSGI_APPLICATION


def test_workers_and_beat_run_the_project_celery_app():
    import sqeeze.celery

    assert command(services()["worker"])[-4:] == ["sqeeze", "worker", "-l", "info"]
    assert "beat" in command(services()["beat"])
    assert find_app("sqeeze") is sqeeze.celery.app


@pytest.mark.parametrize("name", app_service_names())
def test_app_service_passes_only_variables_something_reads(name):
    service = services()[name]
    postgres_variables = set(environment(services()["postgres"]))
    # The runtime role's password only goes into DATABASE_URL (migrate creates the role with it).
    url_parts = {"APP_DATABASE_PASSWORD"}
    known = (
        settings_variables()
        | postgres_variables
        | set(RUNNER_VARIABLES)
        | PROXY_VARIABLES
        | url_parts
    )

    unknown_keys = set(environment(service)) - known
    unknown_interpolations = interpolated_names(service) - known

    assert not unknown_keys, f"settings read none of {sorted(unknown_keys)}"
    assert not unknown_interpolations, f"settings read none of {sorted(unknown_interpolations)}"


def test_postgres_service_only_sets_the_images_own_variables():
    assert all(name.startswith("POSTGRES_") for name in environment(services()["postgres"]))


@pytest.mark.parametrize("name", app_service_names())
def test_app_services_share_one_environment(name):
    shared = compose()["x-app-env"]
    env = environment(services()[name])

    assert {key: env.get(key) for key in shared} == shared


def test_app_environment_is_production():
    shared = compose()["x-app-env"]

    assert shared["DEBUG"] == "false"
    # `:?` makes compose refuse to start without them instead of passing "".
    assert "${SECRET_KEY:?" in shared["SECRET_KEY"]
    assert "${POSTGRES_PASSWORD:?" in shared["DATABASE_URL"]


def test_database_urls_point_at_the_postgres_service_as_two_roles():
    """The owner (POSTGRES_USER, which the image creates) migrates; the app runs
    as sqeeze_app, which migrate creates with APP_DATABASE_PASSWORD (default:
    POSTGRES_PASSWORD) and Row Level Security binds."""
    postgres = environment(services()["postgres"])
    shared = compose()["x-app-env"]
    for variables, app_password in (
        ({"POSTGRES_PASSWORD": "secret"}, "secret"),
        ({"POSTGRES_PASSWORD": "secret", "APP_DATABASE_PASSWORD": "other"}, "other"),
    ):
        owner = urlsplit(interpolate(shared["DATABASE_OWNER_URL"], variables))
        runtime = urlsplit(interpolate(shared["DATABASE_URL"], variables))
        for url in (owner, runtime):
            assert url.scheme == "postgres"
            assert (url.hostname, url.port) == ("postgres", 5432)
            assert url.path == "/" + postgres["POSTGRES_DB"]
        assert (owner.username, owner.password) == (postgres["POSTGRES_USER"], "secret")
        assert (runtime.username, runtime.password) == ("sqeeze_app", app_password)


def test_redis_url_points_at_the_redis_service():
    url = urlsplit(compose()["x-app-env"]["REDIS_URL"])

    assert (url.scheme, url.hostname, url.port) == ("redis", "redis", 6379)


@pytest.mark.parametrize("name", LONG_RUNNING_APP_SERVICES)
def test_app_service_waits_for_healthy_stores_and_migrations(name):
    depends_on = services()[name]["depends_on"]

    assert depends_on["postgres"]["condition"] == "service_healthy"
    assert depends_on["redis"]["condition"] == "service_healthy"
    assert depends_on["migrate"]["condition"] == "service_completed_successfully"


def test_migrate_runs_once():
    migrate = services()["migrate"]

    assert command(migrate)[:3] == ["python", "manage.py", "migrate"]
    assert migrate["restart"] == "no"  # any other policy would rerun it forever


def test_beat_keeps_its_schedule_in_a_writable_place():
    # The image's code is root-owned and read-only to the app user.
    argv = command(services()["beat"])
    schedule = argv[argv.index("--schedule") + 1]

    assert schedule.startswith("/tmp/")


# --- Tests: the image --------------------------------------------------------------


def test_image_is_python_3_11_slim():
    assert dockerfile_arguments("FROM")[0].startswith("python:3.11-slim")


def test_image_runs_as_a_non_root_user():
    users = dockerfile_arguments("USER")

    assert users, "the Dockerfile sets no USER, so everything runs as root"
    user = users[-1].partition(":")[0]
    assert user not in ("root", "0")


def test_image_serves_gunicorn_on_port_8000():
    argv = dockerfile_cmd()

    assert argv[0] == "gunicorn"
    assert wsgi_target(argv) == "sqeeze.wsgi:application"
    assert "0.0.0.0:8000" in argv
    assert "8000" in dockerfile_arguments("EXPOSE")


def test_image_installs_the_project_without_dev_extras():
    runs = " ".join(dockerfile_arguments("RUN"))

    assert re.search(r"pip install \.(\s|$)", runs)
    assert "[dev]" not in runs


def test_image_bakes_in_no_secret_or_service_urls():
    # A default in the image would let production start without a real secret,
    # or quietly talk to a dummy database.
    baked = dockerfile_env_names() & {"SECRET_KEY", "DATABASE_URL", "REDIS_URL", "DEBUG"}

    assert not baked


def test_collectstatic_runs_with_dummy_service_urls():
    # Without DATABASE_URL and REDIS_URL, settings would start embedded servers.
    assert {"SECRET_KEY", "DATABASE_URL", "REDIS_URL"} <= set(collectstatic_assignments())


def test_static_files_collect_with_the_build_environment(tmp_path):
    # The Dockerfile's collectstatic, into a temporary STATIC_ROOT: the manifest
    # storage fails the build on a stylesheet that points at a missing file.
    (tmp_path / "build_settings.py").write_text(
        f"from sqeeze.settings import *  # noqa: F403\nSTATIC_ROOT = {str(tmp_path / 'static')!r}\n"
    )
    environ = isolated_environ(
        **collectstatic_assignments(),
        DJANGO_SETTINGS_MODULE="build_settings",
        PYTHONPATH=f"{tmp_path}:{REPO_ROOT}",
    )

    result = run_python("manage.py", "collectstatic", "--noinput", env=environ)

    assert result.returncode == 0, result.stderr
    assert (tmp_path / "static" / "staticfiles.json").exists()


def test_build_context_leaves_out_secrets_and_local_state():
    ignored = set(DOCKERIGNORE.read_text(encoding="utf-8").split())

    assert {".env", ".git", ".venv", ".embedded"} <= ignored
