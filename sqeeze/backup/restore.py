"""``restore``: check an archive, then put its database and files in place of
the configured ones and migrate."""

from __future__ import annotations

import contextlib
import shutil
import sys
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from redis.exceptions import RedisError

from sqeeze import embedded
from sqeeze.backup import BackupError, archive, postgres
from sqeeze.backup.create import Say, files_count


def backup_restore(*, source: str, confirmed: bool, ignore_connections: bool, say: Say) -> None:
    """Check the archive, then replace the database (one transaction) and the
    uploaded files, migrate, and forget the cache."""
    bucket = settings.AWS_STORAGE_BUCKET_NAME
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(prefix="sqeeze-restore-") as scratch_name:
        scratch = Path(scratch_name)
        path = _stdin_to_file(scratch) if source == "-" else Path(source)
        shown = "standard input" if source == "-" else str(path)
        staging_folder = contextlib.nullcontext() if bucket else archive.media_staging(media_root)
        with staging_folder as staging:
            unpacked = archive.archive_read(
                path, scratch=scratch, media_staging=staging, shown=shown
            )
            manifest = unpacked.manifest
            migrations = _manifest_migrations(shown, manifest)
            database = postgres.configured_database()
            tools = postgres.client_tools(
                server_major=database.server_major,
                archive_major=_major(manifest.get("database", {}).get("pg_dump_version")),
            )
            postgres.dump_check(tools=tools, path=unpacked.dump)
            newer = postgres.unknown_migrations(migrations)
            if newer:
                raise BackupError(
                    f"{shown} comes from a newer Sqeeze: its database has {len(newer)} "
                    f"migration(s) this code does not know ({', '.join(newer[:5])}"
                    f"{', …' if len(newer) > 5 else ''}). Update the code to that version or "
                    "later, then restore. Nothing was changed."
                )
            media_included = bool(manifest.get("media", {}).get("included"))
            replace_media = media_included and not bucket
            _refuse_while_connected(database, ignore_connections)  # before asking, and after
            _confirm(
                shown=shown,
                manifest=manifest,
                database=database,
                media=media_root if replace_media else None,
                confirmed=confirmed,
                can_ask=source != "-" and sys.stdin.isatty(),
                say=say,
            )
            _refuse_while_connected(database, ignore_connections)
            say(f"Replacing database {database.name} …")
            postgres.database_replace(database=database, tools=tools, dump=unpacked.dump)
            if replace_media:
                count = files_count(unpacked.media_files)
                say(f"Replacing the uploaded files in {media_root} ({count}) …")
                try:
                    archive.media_replace(media_root=media_root, staging=staging)
                except OSError as error:
                    raise BackupError(
                        f"The database was restored, but the files in {media_root} could not "
                        f"be replaced ({error}); the ones there before are in its "
                        f"{archive.STAGING_PREFIX}old-… folder."
                    ) from error

    if media_included and bucket:
        say(
            f"Note: the archive holds {files_count(unpacked.media_files)} from local storage, "
            f"but this installation keeps files in the S3 bucket {bucket}; they were not "
            "copied there (unpack the archive's media/ and upload it, e.g. with "
            "`aws s3 sync`)."
        )
    elif not media_included:
        note = (manifest.get("media") or {}).get("note") or "it was made without them"
        say(
            f"Note: the archive holds no uploaded files ({note}); "
            f"{'the bucket' if bucket else media_root} was left as it is."
        )
    say("Applying migrations …")
    try:
        call_command("migrate", interactive=False, verbosity=1)
    except Exception as error:
        raise BackupError(
            f"The backup was restored, but migrate failed: {error}. Fix the cause, then run "
            "`python manage.py migrate`."
        ) from error
    _cache_forget(say)
    say(f"Restored {shown} (made {manifest.get('created_at')}).")


def _stdin_to_file(scratch: Path) -> Path:
    path = scratch / "standard-input.tar.gz"
    with path.open("wb") as target:
        shutil.copyfileobj(sys.stdin.buffer, target, 2**20)
    return path


def _manifest_migrations(shown: str, manifest: dict) -> dict[str, list[str]]:
    migrations = manifest.get("migrations")
    if not isinstance(migrations, dict) or not all(
        isinstance(names, list) and all(isinstance(name, str) for name in names)
        for names in migrations.values()
    ):
        raise BackupError(
            f"{shown} is damaged: its manifest lists no migrations. Nothing was changed."
        )
    return migrations


def _major(version: object) -> int:
    try:
        return int(str(version).split(".")[0])
    except ValueError:
        return 0


def _confirm(
    *,
    shown: str,
    manifest: dict,
    database: postgres.Database,
    media: Path | None,
    confirmed: bool,
    can_ask: bool,
    say: Say,
) -> None:
    made_by = manifest.get("sqeeze") or {}
    revision = (made_by.get("git_revision") or "")[:12]
    what = f"database {database.name} on {database.host}"
    if media is not None:
        what += f" and every file in {media}"
    say(
        f"{shown}: made {manifest.get('created_at')} by Sqeeze {made_by.get('version')}"
        f"{f' ({revision})' if revision else ''} from database "
        f"{manifest.get('database', {}).get('name')}."
    )
    if confirmed:
        return
    if not can_ask:
        raise BackupError(
            f"Restoring replaces {what}. Confirm with --yes "
            "(make restore BACKUP=… CONFIRM=yes). Nothing was changed."
        )
    try:
        answer = input(f"This replaces {what}. Type yes to go ahead: ")
    except EOFError:
        answer = ""
    if answer.strip().lower() != "yes":
        raise BackupError("Not confirmed. Nothing was changed.")


def _refuse_while_connected(database: postgres.Database, ignore: bool) -> None:
    if ignore:
        return
    launcher = embedded.running_launcher()
    if launcher is not None:
        raise BackupError(
            f"`make run` is running from this checkout (launcher pid {launcher}). Stop it "
            "first (Ctrl-C where it runs), then restore. Nothing was changed."
        )
    sessions = postgres.other_sessions()
    if not sessions:
        return
    listed = "; ".join(
        f"pid {s.pid} {s.application or 'unnamed'} ({s.user}, {s.client})" for s in sessions[:5]
    )
    raise BackupError(
        f"{len(sessions)} other session(s) are connected to database {database.name}: "
        f"{listed}. Stop Sqeeze first (Ctrl-C where `make run` runs; with Docker "
        "`docker compose stop web worker beat`), then restore; --ignore-connections "
        "restores anyway. Nothing was changed."
    )


def _cache_forget(say: Say) -> None:
    """Class pages are cached under versions drawn from a sequence
    (journeys.class_cache); the restored sequence hands those numbers out again,
    and the rows cached under them belong to the database just replaced."""
    prefix = settings.CACHES["default"].get("KEY_PREFIX", "")
    try:
        if not prefix:
            cache.clear()
            return
        # Only the cache's keys: the Celery broker may share this Redis database.
        client = cache._cache.get_client(write=True)
        keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
        for start in range(0, len(keys), 1000):
            client.delete(*keys[start : start + 1000])
    except RedisError as error:
        say(
            f"Warning: the cache could not be cleared ({error}); clear it before Sqeeze "
            "serves pages again (stale class pages could show otherwise)."
        )
