"""``make backup`` / ``make restore`` (sqeeze.backup) on a real embedded
PostgreSQL in a data dir of its own: a seeded demo academy with an uploaded file
is backed up, wiped and restored, and the demo student logs in again through
the log-in form and downloads the file. Bad archives are refused and change
nothing.

A keeper process holds the embedded servers for the module, as `make run`
would; the commands run as child processes, as an operator runs them."""

from __future__ import annotations

import contextlib
import fcntl
import gzip
import io
import json
import shutil
import subprocess
import sys
import tarfile
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest

from sqeeze import embedded
from sqeeze.backup import BackupError, create, postgres
from tests.deploy import DEMO_PASSWORD, DEMO_STUDENT
from tests.sqeeze.real_processes import REPO, child_env, kill_processes_using

# Migrated, seeded, with one uploaded file; then one migration is taken back,
# so the backup made next is older than the code: restoring it is an upgrade.
SET_UP = """
import hashlib, io, json, django
django.setup()
from core import tenancy
tenancy.set_process_default(tenancy.OPERATOR)  # as manage.py does for its commands
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from PIL import Image
from accounts.models import Profile
from files.purposes import storage_for
from files.services import file_upload

call_command("migrate", verbosity=0)
call_command("seed_demo", verbosity=0)
image = io.BytesIO()
Image.new("RGB", (8, 8), "teal").save(image, "PNG")
stored = file_upload(
    uploader=Profile.objects.get(email="student@sqeeze.test"),
    uploaded_file=SimpleUploadedFile("proof.png", image.getvalue(), content_type="image/png"),
    purpose="post_attachment",
).file
data = storage_for(stored.bucket_name).open(stored.file_path).read()
call_command("migrate", "sessions", "zero", verbosity=0)
print(json.dumps({"id": stored.pk, "path": stored.file_path,
                  "sha256": hashlib.sha256(data).hexdigest()}))
"""

# The demo student logs in through the log-in form, then downloads the file.
LOG_IN = """
import hashlib, json, sys, django
django.setup()
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
client = Client()
form = client.get("/accounts/login/")
answer = client.post(
    "/accounts/login/", {"login": sys.argv[1], "password": sys.argv[2]}, follow=True
)
user = answer.wsgi_request.user
download = client.get(f"/files/{sys.argv[3]}/download/")
body = b"".join(download.streaming_content) if download.streaming else download.content
print(json.dumps({
    "form": form.status_code, "page": answer.status_code,
    "user": user.email if user.is_authenticated else None,
    "download": download.status_code, "sha256": hashlib.sha256(body).hexdigest(),
}))
"""

KEEPER = """
import sys
from sqeeze import embedded
url = embedded.postgres_url(embedded.OWNER_ROLE)  # the tests look at every row
embedded.redis_url()
print(url, flush=True)
sys.stdin.read()
embedded.stop_all()
"""


@dataclass
class Deployment:
    """A Sqeeze installation with its embedded servers and media under ``root``."""

    root: Path
    keeper: subprocess.Popen | None = None
    database_url: str = ""
    upload: dict = field(default_factory=dict)
    archive: Path | None = None

    @property
    def media(self) -> Path:
        return self.root / "media"

    def env(self, **extra: str) -> dict[str, str]:
        return child_env(
            self.root, MEDIA_ROOT=str(self.media), SQEEZE_ENV_FILE="/dev/null", **extra
        )

    def start_servers(self) -> None:
        """Like `make run`: the servers keep running between the commands."""
        self.keeper = subprocess.Popen(
            [sys.executable, "-c", KEEPER], cwd=REPO, env=self.env(),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        url = self.keeper.stdout.readline().strip()
        assert url.startswith("postgres://"), "the keeper did not start PostgreSQL"
        self.database_url = url.replace("postgres://", "postgresql://", 1)

    def stop_servers(self) -> None:
        if self.keeper is not None:
            self.keeper.stdin.close()
            self.keeper.wait(timeout=60)
            self.keeper = None

    def python(self, code: str, *args: str, **extra_env: str) -> str:
        result = subprocess.run(
            [sys.executable, "-c", code, *args], cwd=REPO, env=self.env(**extra_env),
            capture_output=True, text=True, timeout=180,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        return result.stdout.strip().splitlines()[-1]

    def command(self, *args: str, **extra_env: str) -> subprocess.CompletedProcess:
        """``python -m sqeeze.backup …``, without a terminal."""
        return subprocess.run(
            [sys.executable, "-m", "sqeeze.backup", *args], cwd=REPO, env=self.env(**extra_env),
            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=180,
        )  # fmt: skip

    def sql(self, statement: str) -> list[tuple]:
        # A short session: the restore refuses while others are connected.
        with psycopg.connect(self.database_url, autocommit=True) as connection:
            cursor = connection.execute(statement)
            return cursor.fetchall() if cursor.description else []

    def log_in(self) -> dict:
        return json.loads(self.python(LOG_IN, DEMO_STUDENT, DEMO_PASSWORD, str(self.upload["id"])))


@pytest.fixture(scope="module")
def deployment():
    # Inside the checkout, as tests/sqeeze/conftest.py's embedded_dir explains.
    site = Deployment(REPO / ".embedded" / f"test-backup-{uuid.uuid4().hex[:8]}")
    try:
        site.start_servers()
        site.upload = json.loads(site.python(SET_UP))
        site.archive = site.root / "backups" / "older.tar.gz"
        made = site.command("backup", "--output", str(site.archive))
        assert made.returncode == 0, made.stderr
        yield site
    finally:
        with contextlib.suppress(Exception):
            site.stop_servers()
        kill_processes_using(site.root)
        shutil.rmtree(site.root, ignore_errors=True)


def members(archive: Path) -> dict[str, tarfile.TarInfo]:
    with tarfile.open(archive, "r:gz") as tar:
        return {member.name: member for member in tar}


def manifest_of(archive: Path) -> dict:
    with tarfile.open(archive, "r:gz") as tar:
        return json.load(tar.extractfile("manifest.json"))


# --- backup, wipe, restore ------------------------------------------------------


def test_the_archive_holds_the_dump_the_files_and_a_manifest(deployment):
    entries = members(deployment.archive)
    assert entries["database.dump"].size > 0
    assert f"media/private/{deployment.upload['path']}" in entries
    manifest = manifest_of(deployment.archive)
    assert manifest["format"] == "sqeeze-backup" and manifest["format_version"] == 1
    assert manifest["created_at"].endswith("Z")
    assert manifest["sqeeze"]["version"]
    assert manifest["database"]["name"] == embedded.DATABASE_NAME
    assert (
        manifest["database"]["pg_dump_version"].split(".")[0]
        == (manifest["database"]["server_version"].split(".")[0])
    )
    assert "0001_initial" in manifest["migrations"]["accounts"]
    assert "sessions" not in manifest["migrations"]  # taken back before the backup
    assert manifest["media"]["storage"] == "local" and manifest["media"]["included"]
    assert manifest["media"]["files"] >= 1


def test_a_wiped_installation_comes_back_and_the_demo_student_logs_in(deployment):
    deployment.sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    shutil.rmtree(deployment.media)
    # What is not in the backup does not survive the restore.
    deployment.sql("CREATE TABLE stray (note text)")
    (deployment.media / "stray.txt").parent.mkdir(parents=True)
    (deployment.media / "stray.txt").write_text("not in the backup")

    restored = deployment.command("restore", str(deployment.archive), "--yes")

    assert restored.returncode == 0, restored.stderr
    assert "Applying sessions.0001_initial" in restored.stdout  # the upgrade path
    assert deployment.sql("SELECT to_regclass('public.stray')") == [(None,)]
    assert not (deployment.media / "stray.txt").exists()
    assert (deployment.media / "private" / deployment.upload["path"]).is_file()
    assert not list(deployment.media.glob(".sqeeze-restore-*"))
    logged_in = deployment.log_in()
    assert logged_in == {
        "form": 200,
        "page": 200,
        "user": DEMO_STUDENT,
        "download": 200,
        "sha256": deployment.upload["sha256"],
    }


def test_a_backup_taken_while_a_session_writes_is_consistent(deployment, tmp_path):
    archive = deployment.root / "backups" / "busy.tar.gz"
    with psycopg.connect(deployment.database_url) as busy:  # a transaction left open
        busy.execute(
            "UPDATE profiles SET first_name = 'uncommitted' WHERE email = %s", [DEMO_STUDENT]
        )
        made = deployment.command("backup", "--output", str(archive))
        busy.rollback()
    assert made.returncode == 0, made.stderr
    assert f"Backup written to {archive}" in made.stdout
    with tarfile.open(archive, "r:gz") as tar:
        tar.extract("database.dump", tmp_path, filter="data")
    pg_restore = postgres.client_tools(server_major=16).command("pg_restore")
    dump = str(tmp_path / "database.dump")
    data = subprocess.run(
        [pg_restore, "--data-only", "--table=profiles", "--file=-", dump],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert DEMO_STUDENT in data and "uncommitted" not in data


# --- refusals that change nothing -------------------------------------------------


@contextlib.contextmanager
def nothing_changes(deployment: Deployment):
    """A table and a file a real restore would remove must still be there."""
    deployment.sql("CREATE TABLE IF NOT EXISTS sentinel (note text)")
    sentinel = deployment.media / "sentinel.txt"
    sentinel.parent.mkdir(parents=True, exist_ok=True)
    sentinel.write_text("still here")
    profiles = deployment.sql("SELECT count(*) FROM profiles")
    yield
    assert deployment.sql("SELECT to_regclass('public.sentinel')") == [("sentinel",)]
    assert deployment.sql("SELECT count(*) FROM profiles") == profiles
    assert sentinel.read_text() == "still here"
    assert not list(deployment.media.glob(".sqeeze-restore-*"))
    deployment.sql("DROP TABLE sentinel")
    sentinel.unlink()


def truncated(good: Path, folder: Path) -> Path:
    path = folder / "truncated.tar.gz"
    data = good.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def flipped(good: Path, folder: Path) -> Path:
    path = folder / "flipped.tar.gz"
    data = bytearray(good.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    return path


def plain_text(good: Path, folder: Path) -> Path:
    path = folder / "notes.tar.gz"
    path.write_text("these are notes, not a backup")
    return path


def _repacked(good: Path, path: Path, replace: dict[str, bytes | None]) -> Path:
    with tarfile.open(good, "r:gz") as source, tarfile.open(path, "w:gz") as target:
        for member in source:
            data = source.extractfile(member).read() if member.isfile() else None
            if member.name in replace:
                data = replace[member.name]
                if data is None:
                    continue
                member.size = len(data)
            target.addfile(member, io.BytesIO(data) if data is not None else None)
    return path


def without_manifest(good: Path, folder: Path) -> Path:
    return _repacked(good, folder / "no-manifest.tar.gz", {"manifest.json": None})


def damaged_dump(good: Path, folder: Path) -> Path:
    garbage = gzip.compress(b"not a dump") * 50
    return _repacked(good, folder / "bad-dump.tar.gz", {"database.dump": garbage})


@pytest.mark.parametrize(
    ("make_archive", "message"),
    [
        (truncated, "is damaged (cut short or corrupted"),
        (flipped, "is damaged"),
        (plain_text, "is not a Sqeeze backup: not a gzip-compressed tar archive"),
        (without_manifest, "is not a Sqeeze backup: it has no manifest.json"),
        (damaged_dump, "database dump is damaged"),
    ],
)
def test_a_bad_archive_is_refused(deployment, tmp_path, make_archive, message):
    archive = make_archive(deployment.archive, tmp_path)
    with nothing_changes(deployment):
        refused = deployment.command("restore", str(archive), "--yes")
    assert refused.returncode == 1
    assert message in refused.stderr and "Nothing was changed." in refused.stderr


def test_a_missing_archive_is_refused(deployment, tmp_path):
    with nothing_changes(deployment):
        refused = deployment.command("restore", str(tmp_path / "gone.tar.gz"), "--yes")
    assert refused.returncode == 1
    assert f"{tmp_path / 'gone.tar.gz'}: no such file. Nothing was changed." in refused.stderr


def test_a_restore_needs_a_confirmation(deployment):
    with nothing_changes(deployment):
        refused = deployment.command("restore", str(deployment.archive))
    assert refused.returncode == 1
    assert "Confirm with --yes (make restore BACKUP=… CONFIRM=yes)" in refused.stderr


def test_a_restore_refuses_while_sqeeze_is_connected(deployment):
    web = f"{deployment.database_url}&application_name=sqeeze-web"
    with nothing_changes(deployment), psycopg.connect(web):
        refused = deployment.command("restore", str(deployment.archive), "--yes")
    assert refused.returncode == 1
    assert "1 other session(s) are connected" in refused.stderr
    assert "sqeeze-web" in refused.stderr and "Stop Sqeeze first" in refused.stderr


def test_a_restore_refuses_while_make_run_runs(deployment):
    """`make run` holds its lock file as long as it runs, with or without sessions."""
    with (deployment.root / "run.lock").open("a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        lock.write("4242")
        lock.flush()
        with nothing_changes(deployment):
            refused = deployment.command("restore", str(deployment.archive), "--yes")
    (deployment.root / "run.lock").unlink()
    assert refused.returncode == 1
    assert "`make run` is running from this checkout (launcher pid 4242)" in refused.stderr


def test_a_backup_from_newer_code_is_refused(deployment):
    future = "INSERT INTO django_migrations (app, name, applied) "
    deployment.sql(future + "VALUES ('accounts', '9999_from_a_newer_sqeeze', now())")
    newer = deployment.root / "backups" / "newer.tar.gz"
    try:
        made = deployment.command("backup", "--output", str(newer))
    finally:
        deployment.sql("DELETE FROM django_migrations WHERE name = '9999_from_a_newer_sqeeze'")
    assert made.returncode == 0, made.stderr
    with nothing_changes(deployment):
        refused = deployment.command("restore", str(newer), "--yes")
    assert refused.returncode == 1
    assert "comes from a newer Sqeeze" in refused.stderr
    assert "accounts.9999_from_a_newer_sqeeze" in refused.stderr


def test_an_existing_archive_is_not_overwritten(deployment):
    before = deployment.archive.read_bytes()
    refused = deployment.command("backup", "--output", str(deployment.archive))
    assert refused.returncode == 1 and "already exists" in refused.stderr
    assert deployment.archive.read_bytes() == before


# --- without a running Sqeeze, and with S3 ------------------------------------------


def test_with_nothing_running_the_backup_starts_and_stops_the_server(deployment):
    """Runs last: it stops the module's servers."""
    deployment.stop_servers()
    archive = deployment.root / "backups" / "s3.tar.gz"
    made = deployment.command(
        "backup", "--output", str(archive),
        AWS_STORAGE_BUCKET_NAME="sqeeze-files",
        REDIS_URL="redis://127.0.0.1:1/0",  # a backup needs no Redis
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    postmaster = (deployment.root / "postgres" / "postmaster.pid").exists()
    assert not postmaster, "the embedded PostgreSQL still runs after the backup"
    assert "S3 bucket sqeeze-files" in made.stdout and "versioning and replication" in made.stdout
    assert not [name for name in members(archive) if name.startswith("media")]
    media = manifest_of(archive)["media"]
    assert media["storage"] == "s3" and not media["included"]
    assert media["bucket"] == "sqeeze-files" and "versioning and replication" in media["note"]


# --- pieces -----------------------------------------------------------------------


def test_the_default_archive_is_named_by_the_utc_time():
    moment = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert (
        create.default_archive_path(moment) == REPO / "backups" / "sqeeze-20260102T030405Z.tar.gz"
    )


def tools(major: int) -> postgres.ClientTools:
    return postgres.ClientTools(Path(f"/pg/{major}/bin"), major, f"{major}.1")


def test_the_client_tools_of_the_servers_release_are_preferred(monkeypatch):
    monkeypatch.setattr(postgres, "_installed_tools", lambda: [tools(17), tools(15), tools(16)])
    assert postgres.client_tools(server_major=16).major == 16
    assert postgres.client_tools(server_major=14).major == 15  # the oldest newer one
    # pg_restore cannot read an archive from a newer pg_dump
    assert postgres.client_tools(server_major=15, archive_major=16).major == 16


def test_client_tools_older_than_the_server_are_refused(monkeypatch):
    monkeypatch.setattr(postgres, "_installed_tools", lambda: [tools(15)])
    with pytest.raises(BackupError, match="postgresql-client-16"):
        postgres.client_tools(server_major=16)


def test_the_installed_client_tools_include_the_embedded_servers():
    found = postgres._installed_tools()
    assert any("pgserver" in str(each.bindir) and each.major >= 16 for each in found)


def test_make_backup_and_restore_run_the_module():
    def dry_run(*args: str) -> str:
        return subprocess.run(
            ["make", "-n", *args], cwd=REPO, capture_output=True, text=True, check=True
        ).stdout

    assert '-m sqeeze.backup backup --output "b.tar.gz"' in dry_run("backup", "BACKUP=b.tar.gz")
    assert "--output" not in dry_run("backup")
    restore = dry_run("restore", "BACKUP=b.tar.gz", "CONFIRM=yes")
    assert '-m sqeeze.backup restore "b.tar.gz" --yes' in restore
    assert "--yes" not in dry_run("restore", "BACKUP=b.tar.gz")
