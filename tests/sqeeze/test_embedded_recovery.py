"""The embedded servers come back after whatever stopped them (issue 17): a
SIGKILL, a crash, a reboot; and whatever such an end leaves behind (dead pids
in pgserver's list, stale pid files) never keeps them from starting or stopping.

Nothing here reaps the killed servers, as in a container whose init does not:
a killed postmaster stays a zombie, which pgserver took for a live server."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.sqeeze.real_processes import alive, child_env, kill_and_wait, run_python

# A user of the servers that dies without any clean-up (as by SIGKILL).
START_AND_VANISH = """
import json, os
from sqeeze import embedded
embedded.postgres_url(), embedded.redis_url()
print(json.dumps({"pid": os.getpid(), **embedded.server_pids()}), flush=True)
os._exit(0)
"""

USE_AND_STOP = """
import json, os, psycopg, redis
from sqeeze import embedded
db_url, redis_url = embedded.postgres_url(), embedded.redis_url()
with psycopg.connect(db_url.replace("postgres://", "postgresql://")) as conn:
    answer = conn.execute("SELECT 40 + 2").fetchone()[0]
redis.Redis.from_url(redis_url).set("back", "yes")
handles = json.loads((embedded.EMBEDDED_DIR / "postgres" / ".handle_pids.json").read_text())
print(json.dumps({
    "pid": os.getpid(), "answer": answer, "handles": handles,
    "value": redis.Redis.from_url(redis_url).get("back").decode(), **embedded.server_pids(),
}))
"""


def start_and_vanish(embedded_dir) -> dict:
    return json.loads(run_python(START_AND_VANISH, embedded_dir))


def use_and_stop(embedded_dir) -> dict:
    return json.loads(run_python(USE_AND_STOP, embedded_dir))


def test_killed_servers_come_back_and_dead_users_are_forgotten(embedded_dir):
    first = start_and_vanish(embedded_dir)
    kill_and_wait(first["postgres"])
    kill_and_wait(first["redis"])
    handles = embedded_dir / "postgres" / ".handle_pids.json"
    assert json.loads(handles.read_text()) == [first["pid"]]
    # More users that died long ago, and a live process that uses nothing.
    with subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"]) as bystander:
        try:
            handles.write_text(json.dumps([first["pid"], 999_999, bystander.pid]))
            again = use_and_stop(embedded_dir)
        finally:
            bystander.kill()

    assert again["answer"] == 42 and again["value"] == "yes"
    assert again["handles"] == [again["pid"]]
    assert again["postgres"] != first["postgres"] and again["redis"] != first["redis"]
    # The last user stopped both on its way out, dead handles notwithstanding.
    assert not alive(again["postgres"]) and not alive(again["redis"])
    assert json.loads(handles.read_text()) == []


def test_pid_files_naming_someone_else_after_a_reboot_are_ignored(embedded_dir):
    """After a reboot the pids in the pid files belong to other processes."""
    first = start_and_vanish(embedded_dir)
    postmaster_pid = embedded_dir / "postgres" / "postmaster.pid"
    registry = json.loads((embedded_dir / "redis" / "sqeeze.rdb.settings").read_text())
    stale_postmaster = postmaster_pid.read_text()
    kill_and_wait(first["postgres"])
    kill_and_wait(first["redis"])
    with subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"]) as stranger:
        try:
            lines = stale_postmaster.splitlines()
            postmaster_pid.write_text("\n".join([str(stranger.pid), *lines[1:]]) + "\n")
            with open(registry["pidfile"], "w") as pidfile:
                pidfile.write(str(stranger.pid))
            again = use_and_stop(embedded_dir)
            assert alive(stranger.pid), "recovery must not touch the process that has the pid"
        finally:
            stranger.kill()
    assert again["answer"] == 42 and again["value"] == "yes"


def test_a_server_stays_up_while_another_process_uses_it(embedded_dir):
    """A process leaving while another still uses the servers stops nothing."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_UNTIL_STDIN_CLOSES],
        cwd=embedded_dir.parent.parent,
        env=child_env(embedded_dir),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        held = json.loads(holder.stdout.readline())
        passer_by = use_and_stop(embedded_dir)
        assert passer_by["postgres"] == held["postgres"]
        assert alive(held["postgres"]) and alive(held["redis"])
    finally:
        holder.stdin.close()
        holder.wait(timeout=60)
    assert not alive(held["postgres"]) and not alive(held["redis"])


HOLD_UNTIL_STDIN_CLOSES = """
import json, sys
from sqeeze import embedded
embedded.postgres_url(), embedded.redis_url()
print(json.dumps(embedded.server_pids()), flush=True)
sys.stdin.read()
"""


def test_redis_stops_even_when_its_data_dir_is_gone(embedded_dir):
    """Redis refuses SIGTERM and SHUTDOWN SAVE when it cannot save; a test run
    that deleted its temporary dir first used to leave it running."""
    code = (
        "import json, shutil; from sqeeze import embedded; embedded.redis_url(); "
        "pid = embedded.server_pids()['redis']; "
        "shutil.rmtree(embedded.EMBEDDED_DIR / 'redis'); embedded.stop_all(); "
        "print(json.dumps(pid))"
    )
    pid = json.loads(run_python(code, embedded_dir))
    assert pid and not alive(pid)
