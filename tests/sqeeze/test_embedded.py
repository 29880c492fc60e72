"""The embedded PostgreSQL and Redis: private to the checkout, persistent, and
stopped with the process that started them. Each scenario runs in a child
process, as `make run` or `manage.py` would."""

from __future__ import annotations

import json
from pathlib import Path

from tests.sqeeze.real_processes import alive
from tests.sqeeze.real_processes import run_python as run_python_text


def run_python(code: str, embedded_dir: Path, **extra_env: str) -> dict:
    return json.loads(run_python_text(code, embedded_dir, **extra_env))


WRITE_AND_STOP = """
import json, psycopg, redis
from sqeeze import embedded
# The owner: the runtime role may create no table.
db_url, redis_url = embedded.postgres_url(embedded.OWNER_ROLE), embedded.redis_url()
with psycopg.connect(db_url.replace("postgres://", "postgresql://")) as conn:
    conn.execute("CREATE TABLE IF NOT EXISTS kept (note text)")
    conn.execute("INSERT INTO kept VALUES ('survives a restart')")
redis.Redis.from_url(redis_url).set("kept", "yes")
pids = embedded.server_pids()
embedded.stop_all()
print(json.dumps(pids))
"""

READ_AND_STOP = """
import json, psycopg, redis
from sqeeze import embedded
owner_url = embedded.postgres_url(embedded.OWNER_ROLE)
with psycopg.connect(owner_url.replace("postgres://", "postgresql://")) as conn:
    notes = [row[0] for row in conn.execute("SELECT note FROM kept")]
value = redis.Redis.from_url(embedded.redis_url()).get("kept").decode()
embedded.stop_all()
print(json.dumps({"notes": notes, "redis": value}))
"""


def test_servers_keep_their_data_across_restarts_and_stop_cleanly(embedded_dir):
    pids = run_python(WRITE_AND_STOP, embedded_dir)
    assert pids["postgres"] and pids["redis"]
    assert not alive(pids["postgres"]), "PostgreSQL still runs after stop_all()"
    assert not alive(pids["redis"]), "Redis still runs after stop_all()"
    assert (embedded_dir / "postgres" / "PG_VERSION").exists()

    again = run_python(READ_AND_STOP, embedded_dir)
    assert again == {"notes": ["survives a restart"], "redis": "yes"}


def test_servers_stop_when_a_manage_py_process_exits(embedded_dir):
    code = "import json; from sqeeze import embedded; embedded.postgres_url(); "
    code += "embedded.redis_url(); print(json.dumps(embedded.server_pids()))"
    pids = run_python(code, embedded_dir)
    assert not alive(pids["postgres"]) and not alive(pids["redis"])


def test_configured_servers_start_nothing(embedded_dir):
    code = (
        "import json, django; django.setup(); from sqeeze import embedded; "
        "from django.conf import settings; "
        "print(json.dumps({'pids': embedded.server_pids(), "
        "'db': settings.DATABASES['default']['HOST'], 'cache': settings.CACHES['default']"
        "['LOCATION']}))"
    )
    result = run_python(
        code,
        embedded_dir,
        DJANGO_SETTINGS_MODULE="sqeeze.settings",
        DATABASE_URL="postgres://someone@db.example:5432/sqeeze",
        REDIS_URL="redis://cache.example:6379/0",
    )
    assert result == {
        "pids": {"postgres": None, "redis": None},
        "db": "db.example",
        "cache": "redis://cache.example:6379/0",
    }
    assert not embedded_dir.exists()
