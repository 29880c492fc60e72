"""``backup``: the database dump, the uploaded files and the manifest in one archive."""

from __future__ import annotations

import importlib.metadata
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings

from sqeeze.backup import BackupError, archive, postgres

BASE_DIR = Path(__file__).resolve().parent.parent.parent
BACKUP_DIR = BASE_DIR / "backups"
S3_NOTE = (
    "Uploaded files live in the S3 bucket {bucket} and are not in this archive: "
    "the bucket is backed up by the provider's versioning and replication "
    "(switch both on for it)."
)

Say = Callable[[str], None]


def default_archive_path(moment: datetime) -> Path:
    return BACKUP_DIR / f"sqeeze-{moment.astimezone(UTC):%Y%m%dT%H%M%SZ}.tar.gz"


def backup_create(*, output: str | None, say: Say) -> None:
    """Dump the database, add the uploaded files (local storage) and the manifest."""
    created = datetime.now(UTC)
    streaming = output == "-"
    destination = None if streaming else Path(output) if output else default_archive_path(created)
    if destination is not None and destination.exists():
        raise BackupError(f"{destination} already exists; name another file (BACKUP=…).")
    database = postgres.configured_database()
    tools = postgres.client_tools(server_major=database.server_major)
    bucket = settings.AWS_STORAGE_BUCKET_NAME
    media_root = None if bucket else Path(settings.MEDIA_ROOT)

    say(
        f"Backing up database {database.name} (PostgreSQL {database.server_version}) "
        f"with pg_dump {tools.version} from {tools.bindir} …"
    )
    with tempfile.TemporaryDirectory(prefix="sqeeze-backup-") as scratch:
        dump = Path(scratch) / archive.DUMP
        migrations = postgres.applied_migrations()
        postgres.database_dump(database=database, tools=tools, path=dump)
        if media_root is not None:
            say(f"Adding the uploaded files in {media_root} …")
        target = Path(scratch) / "archive.tar.gz" if destination is None else destination
        target.parent.mkdir(parents=True, exist_ok=True)
        manifest = archive.archive_write(
            path=target,
            manifest=_manifest(created, database, tools, migrations, bucket, media_root),
            dump=dump,
            media_root=media_root,
        )
        size = target.stat().st_size
        if streaming:
            with target.open("rb") as written:
                shutil.copyfileobj(written, sys.stdout.buffer, 2**20)
            sys.stdout.buffer.flush()

    media = manifest["media"]
    contents = f"database {database.name} ({sum(map(len, migrations.values()))} migrations)"
    if media["included"]:
        contents += f", {files_count(media['files'])} ({_size(media['bytes'])})"
    say(f"Backup written to {destination or 'standard output'} ({_size(size)}): {contents}.")
    if bucket:
        say(S3_NOTE.format(bucket=bucket))


def _manifest(
    created: datetime,
    database: postgres.Database,
    tools: postgres.ClientTools,
    migrations: dict[str, list[str]],
    bucket: str,
    media_root: Path | None,
) -> dict:
    if media_root is None:
        media = {
            "storage": "s3",
            "included": False,
            "bucket": bucket,
            "note": S3_NOTE.format(bucket=bucket),
        }
    else:
        media = {"storage": "local", "included": True, "root": str(media_root)}
    return {
        "format": archive.FORMAT,
        "format_version": archive.FORMAT_VERSION,
        "created_at": created.isoformat(timespec="seconds").replace("+00:00", "Z"),
        "sqeeze": {"version": _sqeeze_version(), "git_revision": _git_revision()},
        "database": {
            "name": database.name,
            "host": database.host,
            "server_version": database.server_version,
            "pg_dump_version": tools.version,
            "file": archive.DUMP,
        },
        "migrations": migrations,
        "media": media,
    }


def _sqeeze_version() -> str | None:
    try:
        return importlib.metadata.version("sqeeze")
    except importlib.metadata.PackageNotFoundError:
        return None


def _git_revision() -> str | None:
    if not (BASE_DIR / ".git").exists():
        return None
    try:
        result = subprocess.run(
            ["git", "-C", str(BASE_DIR), "rev-parse", "HEAD"],
            capture_output=True, text=True, timeout=10,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    if result.returncode != 0:
        return None
    return result.stdout.strip() or None


def files_count(count: int) -> str:
    return f"{count} uploaded file{'' if count == 1 else 's'}"


def _size(count: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if count < 1024 or unit == "GB":
            return f"{count:.0f} {unit}" if unit == "bytes" else f"{count:.1f} {unit}"
        count /= 1024
    return f"{count} bytes"
