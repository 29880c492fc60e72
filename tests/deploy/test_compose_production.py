"""docker-compose.yml for production: Caddy in front (the only published
ports), every setting through the .env file, health checks on web, worker and
beat, volumes for what must survive, and deploy/env.example naming every
setting of README.md ("Configuration").

No Docker engine runs here, so compose's own reading is reproduced: its
``${...}`` interpolation (from the shell and .env), then the service's
``env_file`` overlaid by its ``environment``. tests/deploy/test_tls_proxy.py
runs real processes with the environments these helpers resolve.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache

import pytest
import yaml
from django.conf import settings

from community.services import ATTACHMENT_PURPOSE, MAX_ATTACHMENTS
from files.purposes import purpose
from files.upload_handlers import FORM_OVERHEAD_BYTES
from files.views import LIBRARY_PURPOSE, MAX_FILES_PER_UPLOAD
from people.imports import MAX_FILE_BYTES as PEOPLE_IMPORT_MAX_BYTES
from tests.deploy import REPO_ROOT, settings_variables

COMPOSE_FILE = REPO_ROOT / "docker-compose.yml"
CADDYFILE = REPO_ROOT / "deploy" / "Caddyfile"
ENV_EXAMPLE = REPO_ROOT / "deploy" / "env.example"
README = REPO_ROOT / "README.md"

APP_SERVICES = ("migrate", "web", "worker", "beat")
# What the topology decides whatever .env says (env.example says so too).
FIXED_BY_COMPOSE = {
    "DEBUG",
    "DATABASE_URL",
    "DATABASE_OWNER_URL",
    "REDIS_URL",
    "MEDIA_ROOT",
    "BEHIND_TLS_PROXY",
}
# A .env value compose extends: the web healthcheck asks for localhost.
EXTENDED_BY_COMPOSE = {"ALLOWED_HOSTS": ",localhost"}

# The smallest .env compose starts with (deploy/env.example's required values).
PRODUCTION = {
    "DOMAIN": "lms.example.kr",
    "SECRET_KEY": "test-only-not-a-secret",
    "POSTGRES_PASSWORD": "0123abcd",
}


# --- compose's interpolation --------------------------------------------------------


class MissingVariable(Exception):
    """``${NAME:?message}`` with NAME unset or empty: compose refuses to start."""


NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
OPERATORS = (":-", ":?", ":+", "-", "?", "+")


def interpolate(text: str, variables: Mapping[str, str]) -> str:
    """``text`` as compose substitutes it from ``variables`` (the shell and
    .env): ``$$``, ``$NAME``, ``${NAME}``, and ``${NAME<op>argument}`` for the
    operators of the compose specification, nested arguments included."""
    out, index = [], 0
    while index < len(text):
        if text[index] != "$":
            out.append(text[index])
            index += 1
        elif text.startswith("$$", index):
            out.append("$")
            index += 2
        elif text.startswith("${", index):
            end = _closing_brace(text, index + 2)
            out.append(_expand(text[index + 2 : end], variables))
            index = end + 1
        elif match := NAME.match(text, index + 1):
            out.append(variables.get(match[0], ""))
            index = match.end()
        else:
            out.append("$")
            index += 1
    return "".join(out)


def _closing_brace(text: str, start: int) -> int:
    depth, index = 1, start
    while index < len(text):
        if text.startswith("$$", index):
            index += 2
            continue
        if text.startswith("${", index):
            depth, index = depth + 1, index + 2
            continue
        if text[index] == "}":
            depth -= 1
            if depth == 0:
                return index
        index += 1
    raise ValueError(f"unclosed ${{ in {text!r}")


def _expand(body: str, variables: Mapping[str, str]) -> str:
    match = NAME.match(body)
    assert match, f"not a variable: ${{{body}}}"
    name, rest = match[0], body[match.end() :]
    value = variables.get(name)
    if not rest:
        return value or ""
    operator = next((op for op in OPERATORS if rest.startswith(op)), None)
    assert operator, f"compose has no operator {rest!r} (in ${{{body}}})"
    argument = rest[len(operator) :]
    present = bool(value) if operator.startswith(":") else value is not None
    if operator.endswith("-"):
        return value if present else interpolate(argument, variables)
    if operator.endswith("?"):
        if present:
            return value
        raise MissingVariable(f"{name}: {interpolate(argument, variables)}")
    return interpolate(argument, variables) if present else ""


def interpolated(value, variables: Mapping[str, str]):
    """Every string value of a YAML tree interpolated (keys are not)."""
    if isinstance(value, str):
        return interpolate(value, variables)
    if isinstance(value, dict):
        return {key: interpolated(item, variables) for key, item in value.items()}
    if isinstance(value, list):
        return [interpolated(item, variables) for item in value]
    return value


# --- compose's reading of the file -------------------------------------------------


@cache
def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


def services() -> dict[str, dict]:
    return compose()["services"]


def project(variables: Mapping[str, str]) -> dict:
    """The whole file interpolated, as compose does before any command: one
    missing required variable anywhere stops every command."""
    return interpolated(compose(), variables)


def env_files(service: dict) -> list[dict]:
    """``env_file`` in its long form: [{"path": …, "required": …}]."""
    value = service.get("env_file") or []
    entries = [value] if isinstance(value, str) else value
    return [
        {"path": entry, "required": True} if isinstance(entry, str) else entry for entry in entries
    ]


def container_environment(name: str, dot_env: Mapping[str, str]) -> dict[str, str]:
    """The environment compose gives service ``name`` when ``dot_env`` is the
    .env file beside docker-compose.yml (and the shell adds nothing): the
    env_file's values, overlaid by ``environment``. An entry without a value
    takes the shell's or .env's, and without one there it is removed, over
    the env_file's value (compose-go's WithServicesEnvironmentResolved)."""
    service = project(dot_env)["services"][name]
    environment: dict[str, str] = {}
    for entry in env_files(service):
        assert entry["path"] == ".env", f"{name}: only .env is read here, not {entry['path']}"
        environment.update(dot_env)
    for key, value in (service.get("environment") or {}).items():
        if value is not None:
            environment[key] = str(value)
        elif key in dot_env:
            environment[key] = dot_env[key]
        else:
            environment.pop(key, None)
    return environment


# --- .env files ------------------------------------------------------------------------

ASSIGNMENT = re.compile(r"^(?P<comment>#\s*)?(?:export\s+)?(?P<name>[A-Za-z_]\w*)=(?P<value>.*)$")


def env_file_values(text: str) -> dict[str, str]:
    """The assignments compose reads from an env file (comments skipped)."""
    values = {}
    for line in text.splitlines():
        match = ASSIGNMENT.match(line.strip())
        if match and not match["comment"]:
            value = match["value"].strip()
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
                value = value[1:-1]
            else:
                value = value.split(" #", 1)[0].strip()
            values[match["name"]] = value
    return values


def env_file_mentions(text: str) -> set[str]:
    """Every variable an env file sets or shows commented out (``# NAME=…``)."""
    return {
        match["name"] for line in text.splitlines() if (match := ASSIGNMENT.match(line.strip()))
    }


@cache
def env_example() -> str:
    return ENV_EXAMPLE.read_text(encoding="utf-8")


@cache
def readme_configuration_variables() -> frozenset[str]:
    """The variables of README.md's "Configuration" table (first column)."""
    section = README.read_text(encoding="utf-8").split("\n## Configuration\n", 1)[1]
    section = section.split("\n## ", 1)[0]
    names = set()
    for line in section.splitlines():
        if line.startswith("| `"):
            names.update(re.findall(r"`([A-Z][A-Z0-9_]*)`", line.split("|")[1]))
    return frozenset(names)


# --- the Caddyfile ---------------------------------------------------------------------

CADDY_PLACEHOLDER = re.compile(r"\{\$([A-Za-z_]\w*)(?::([^}]*))?\}")


@cache
def caddyfile_placeholders() -> dict[str, str | None]:
    """``{$NAME:default}`` of deploy/Caddyfile (outside comments): NAME → default."""
    lines = CADDYFILE.read_text(encoding="utf-8").splitlines()
    code = "\n".join(line for line in lines if not line.strip().startswith("#"))
    return {name: default or None for name, default in CADDY_PLACEHOLDER.findall(code)}


def byte_size(text: str) -> int:
    """Caddy's sizes: 256MiB, 300MB, 1GiB …"""
    match = re.fullmatch(r"(\d+)\s*([KMG]i?B)", text.strip())
    assert match, f"not a size Caddy reads: {text!r}"
    power = "KMG".index(match[2][0]) + 1
    return int(match[1]) * (1024 if "i" in match[2] else 1000) ** power


def largest_form_bytes() -> int:
    """The largest request body an upload form of the app accepts: files at
    their limits times how many one form takes, plus the form around them
    (files.upload_handlers.limit_upload_size)."""
    forms = [
        purpose(ATTACHMENT_PURPOSE).max_bytes * MAX_ATTACHMENTS,  # a post
        purpose(LIBRARY_PURPOSE).max_bytes * MAX_FILES_PER_UPLOAD,  # the image library
        PEOPLE_IMPORT_MAX_BYTES,  # a roster import
        *(bucket["max_bytes"] for bucket in settings.FILE_BUCKETS.values()),  # one file
    ]
    return max(forms) + FORM_OVERHEAD_BYTES


# --- Tests: the proxy ----------------------------------------------------------------


def test_the_interpolation_helper_reads_nested_defaults_as_compose_does():
    # Guards the tests below: compose-go's own cases (template_test.go).
    variables = {"FOO": "first", "BAR": "", "SET": "x"}

    assert interpolate("ok ${BAR:-${FOO} ${FOO}}", variables) == "ok first first"
    assert interpolate("ok ${BAR-${FOO}}", variables) == "ok "
    assert interpolate("ok ${UNSET-$FOO}", variables) == "ok first"
    assert interpolate("ok ${SET:+$FOO ${FOO:+second}}", variables) == "ok first second"
    assert interpolate("$${HOSTNAME} $$FOO", variables) == "${HOSTNAME} $FOO"
    with pytest.raises(MissingVariable, match="BAR: say so"):
        interpolate("${BAR:?say so}", variables)


def test_only_caddy_publishes_ports():
    published = {
        name: service["ports"] for name, service in services().items() if "ports" in service
    }

    assert published == {"caddy": ["80:80", "443:443", "443:443/udp"]}


def test_caddy_runs_the_committed_caddyfile_and_keeps_its_certificates():
    caddy = services()["caddy"]

    assert caddy["image"] == "caddy:2"
    assert "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro" in caddy["volumes"]
    # The official image keeps certificates in /data and its config in /config.
    assert {"caddy-data:/data", "caddy-config:/config"} <= set(caddy["volumes"])
    assert caddy["restart"] == "unless-stopped"


def test_caddy_gets_the_values_the_caddyfile_reads():
    environment = project(PRODUCTION)["services"]["caddy"]["environment"]
    placeholders = caddyfile_placeholders()

    assert set(environment) <= set(placeholders), "compose passes what the Caddyfile never reads"
    without_default = {name for name, default in placeholders.items() if default is None}
    assert without_default <= set(environment), f"the Caddyfile needs {without_default}"
    assert environment == {
        "DOMAIN": "lms.example.kr",
        "SITE_SCHEME": "https",
        "PROXY_MAX_BODY_SIZE": placeholders["PROXY_MAX_BODY_SIZE"],
    }


def test_caddyfile_proxies_to_the_web_service():
    assert caddyfile_placeholders()["APP_UPSTREAM"] == "web:8000"
    assert services()["caddy"]["depends_on"] == ["web"]


def test_the_body_limit_lets_every_form_of_the_app_through():
    """The app refuses an oversized file itself, saying so in the page; the
    proxy must not cut a form the app accepts into a bare error."""
    limit = caddyfile_placeholders()["PROXY_MAX_BODY_SIZE"]

    assert byte_size(limit) >= largest_form_bytes()
    # compose's default is the Caddyfile's.
    assert (
        "${PROXY_MAX_BODY_SIZE:-" + limit + "}"
        in (services()["caddy"]["environment"]["PROXY_MAX_BODY_SIZE"])
    )


def test_site_address_follows_domain():
    environment = container_environment("web", PRODUCTION)

    assert environment["ALLOWED_HOSTS"] == "lms.example.kr,localhost"
    assert environment["SITE_URL"] == "https://lms.example.kr"
    assert environment["CSRF_TRUSTED_ORIGINS"] == "https://lms.example.kr"
    assert environment["ACCOUNT_DEFAULT_HTTP_PROTOCOL"] == "https"


def test_the_plain_http_trial_changes_the_scheme_everywhere():
    dot_env = {**PRODUCTION, "DOMAIN": "192.168.0.10", "SITE_SCHEME": "http"}
    dot_env["SECURE_COOKIES"] = "false"

    environment = container_environment("web", dot_env)
    caddy = project(dot_env)["services"]["caddy"]["environment"]

    assert caddy["SITE_SCHEME"] == "http"
    assert environment["SITE_URL"] == "http://192.168.0.10"
    assert environment["CSRF_TRUSTED_ORIGINS"] == "http://192.168.0.10"
    assert environment["ACCOUNT_DEFAULT_HTTP_PROTOCOL"] == "http"
    assert environment["SECURE_COOKIES"] == "false"


def test_an_address_in_env_file_wins_over_the_derived_one():
    dot_env = {**PRODUCTION, "SITE_URL": "https://www.example.kr", "ALLOWED_HOSTS": "a,b"}

    environment = container_environment("web", dot_env)

    assert environment["SITE_URL"] == "https://www.example.kr"
    assert environment["ALLOWED_HOSTS"] == "a,b,localhost"


@pytest.mark.parametrize("name", ["DOMAIN", "SECRET_KEY", "POSTGRES_PASSWORD"])
@pytest.mark.parametrize("value", [None, ""], ids=["unset", "empty"])
def test_compose_refuses_to_start_without_a_required_value(name, value):
    dot_env = {key: item for key, item in PRODUCTION.items() if key != name}
    if value is not None:
        dot_env[name] = value

    with pytest.raises(MissingVariable, match=f"^{name}: set {name} in .env"):
        project(dot_env)


# --- Tests: every setting through the env file --------------------------------------


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_service_reads_the_env_file(name):
    # Long syntax (compose 2.24+): optional, so a shell-only deployment works too.
    assert env_files(services()[name]) == [{"path": ".env", "required": False}]


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_service_environment_has_no_entry_without_a_value(name):
    """``NAME:`` with no value would be unset in the container whenever the
    shell lacks it, over the value .env gives (compose-go overlays
    ``environment`` on ``env_file``)."""
    environment = services()[name]["environment"]

    empty = [key for key, value in environment.items() if value is None or value == ""]
    assert not empty
    assert all(isinstance(value, str) for value in environment.values())


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_service_is_behind_the_proxy_in_production_mode(name):
    environment = container_environment(name, PRODUCTION)

    assert environment["BEHIND_TLS_PROXY"] == "true"
    assert environment["DEBUG"] == "false"
    assert environment["SECRET_KEY"] == PRODUCTION["SECRET_KEY"]


@pytest.mark.parametrize("name", APP_SERVICES)
def test_every_setting_in_env_file_reaches_the_app_service(name):
    variables = readme_configuration_variables()
    dot_env = {**PRODUCTION, **{variable: f"from-env-file-{variable}" for variable in variables}}

    environment = container_environment(name, dot_env)

    for variable in variables - FIXED_BY_COMPOSE:
        expected = dot_env[variable] + EXTENDED_BY_COMPOSE.get(variable, "")
        assert environment.get(variable) == expected, f"{variable} from .env does not reach {name}"


def test_compose_fixes_only_what_the_topology_decides():
    shared = compose()["x-app-env"]

    fixed = {key for key, value in shared.items() if "${" + key not in value}

    assert fixed == FIXED_BY_COMPOSE


# --- Tests: deploy/env.example ---------------------------------------------------------


def test_env_example_names_every_configuration_variable():
    missing = readme_configuration_variables() - env_file_mentions(env_example())

    assert not missing, f"deploy/env.example does not mention {sorted(missing)}"


def test_env_example_names_only_variables_something_reads():
    compose_variables = set(re.findall(r"\$\{(\w+)", COMPOSE_FILE.read_text(encoding="utf-8")))
    known = (
        settings_variables()
        | readme_configuration_variables()
        | compose_variables
        | set(caddyfile_placeholders())
    )

    unknown = env_file_mentions(env_example()) - known

    assert not unknown, f"nothing reads {sorted(unknown)}"


def test_env_example_sets_nothing_compose_overrides():
    values = env_file_values(env_example())

    assert not set(values) & FIXED_BY_COMPOSE
    shown = env_file_mentions(env_example())  # commented out, with the value compose sets
    assert not FIXED_BY_COMPOSE - shown


def test_env_example_leaves_empty_only_what_compose_demands():
    """An empty setting would reach the app as "" instead of its default."""
    values = env_file_values(env_example())

    empty = {name for name, value in values.items() if value == ""}

    assert empty == set(PRODUCTION)
    with pytest.raises(MissingVariable):
        project(values)  # copied unchanged, it makes compose refuse to start


def test_env_example_with_its_required_values_filled_in_is_production():
    dot_env = {**env_file_values(env_example()), **PRODUCTION}

    environment = container_environment("web", dot_env)

    assert environment["SITE_URL"] == "https://lms.example.kr"
    assert environment["BEHIND_TLS_PROXY"] == "true"


# --- Tests: health checks and volumes ---------------------------------------------------


def healthcheck_command(name: str) -> str:
    return " ".join(services()[name]["healthcheck"]["test"])


@pytest.mark.parametrize("name", ["web", "worker", "beat"])
def test_long_running_app_service_has_a_healthcheck(name):
    check = services()[name]["healthcheck"]

    assert check["test"][0] in ("CMD", "CMD-SHELL")
    assert {"interval", "timeout", "retries", "start_period"} <= set(check)


def test_worker_healthcheck_pings_this_containers_worker():
    # The worker's node name is celery@ the container's hostname; $$ keeps
    # $HOSTNAME from compose's interpolation for the container's shell.
    check = services()["worker"]["healthcheck"]["test"]

    assert check[0] == "CMD-SHELL"
    assert "celery -A sqeeze inspect ping --destination celery@$${HOSTNAME}" in check[1]


def test_beat_healthcheck_watches_the_schedule_file_beat_writes():
    argv = services()["beat"]["command"]
    schedule = argv[argv.index("--schedule") + 1]

    assert f"glob.glob('{schedule}*')" in healthcheck_command("beat")


def test_data_lives_in_volumes():
    declared = set(compose()["volumes"])

    assert {"postgres-data", "redis-data", "media", "caddy-data", "caddy-config"} <= declared
    assert "postgres-data:/var/lib/postgresql/data" in services()["postgres"]["volumes"]
    for name in APP_SERVICES:
        assert "media:/app/media" in services()[name]["volumes"]
        assert container_environment(name, PRODUCTION)["MEDIA_ROOT"] == "/app/media"
