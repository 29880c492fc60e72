"""The backup archive: a ``.tar.gz`` of ``database.dump``, ``media/`` and
``manifest.json``, and the swap of ``MEDIA_ROOT``'s contents on restore."""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import os
import secrets
import shutil
import tarfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from sqeeze.backup import BackupError

FORMAT = "sqeeze-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DUMP = "database.dump"
MEDIA = "media"
# Folders a restore makes inside MEDIA_ROOT (on its file system, so the swap is
# a rename even when MEDIA_ROOT is a mounted volume); never backed up.
STAGING_PREFIX = ".sqeeze-restore-"
MANIFEST_MAX_BYTES = 2**20
# The dump is compressed by pg_dump and most uploads (images, PDFs, videos)
# are compressed already: more effort would buy little and cost much time.
COMPRESS_LEVEL = 1
_READ_ERRORS = (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile)


@dataclass(frozen=True)
class MediaCount:
    files: int = 0
    bytes: int = 0


def archive_write(*, path: Path, manifest: dict, dump: Path, media_root: Path | None) -> dict:
    """Write the archive at ``path`` (aside, then renamed: a crash never leaves
    a half archive under the final name). ``media_root`` None: no files (S3).
    Returns the manifest as written, with the files counted."""
    partial = path.with_name(f"{path.name}.partial")
    try:
        with tarfile.open(partial, "w:gz", compresslevel=COMPRESS_LEVEL) as tar:
            tar.add(dump, arcname=DUMP)
            if media_root is not None:
                count = _add_media(tar, media_root)
                manifest["media"].update(files=count.files, bytes=count.bytes)
            data = json.dumps(manifest, indent=2).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(data), int(dump.stat().st_mtime), 0o644
            tar.addfile(info, io.BytesIO(data))
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return manifest


def _add_media(tar: tarfile.TarFile, media_root: Path) -> MediaCount:
    files = size = 0
    if not media_root.is_dir():
        return MediaCount()
    for folder, subfolders, names in os.walk(media_root):
        if Path(folder) == media_root:
            subfolders[:] = [name for name in subfolders if not name.startswith(STAGING_PREFIX)]
        subfolders.sort()
        for name in sorted(names):
            path = Path(folder) / name
            if path.is_symlink() or not path.is_file():
                continue  # storages write plain files only
            try:
                info = tar.gettarinfo(path, arcname=f"{MEDIA}/{path.relative_to(media_root)}")
                with path.open("rb") as handle:
                    tar.addfile(info, handle)
            except FileNotFoundError:
                continue  # purged meanwhile (files.purge_deleted_files): its row was deleted
            files += 1
            size += info.size
    return MediaCount(files, size)


@dataclass(frozen=True)
class Unpacked:
    manifest: dict
    dump: Path
    media_files: int


def archive_read(
    source: Path, *, scratch: Path, media_staging: Path | None, shown: str | None = None
) -> Unpacked:
    """Read the whole archive (gzip's checksum is checked at its end), keep the
    dump in ``scratch`` and the files in ``media_staging`` (None: read, not
    kept); refuse what is not a Sqeeze backup or is damaged. Messages name the
    archive ``shown`` (standard input, say), else by its path."""
    path = shown or str(source)
    try:
        # Closed by the ``with tar`` below; opening apart tells "not an archive"
        # from "damaged".
        tar = tarfile.open(source, "r:gz")  # noqa: SIM115
    except (*_READ_ERRORS, OSError) as error:
        raise BackupError(
            f"{path} is not a Sqeeze backup: not a gzip-compressed tar archive ({error}). "
            "Nothing was changed."
        ) from None
    manifest_data: bytes | None = None
    dump: Path | None = None
    media_files = 0
    with tar:
        try:
            for member in tar:
                name = member.name
                if name in (MANIFEST, DUMP) and not member.isfile():
                    raise BackupError(f"{path} is damaged: {name} is not a file.")
                if name == MANIFEST:
                    manifest_data = tar.extractfile(member).read(MANIFEST_MAX_BYTES)
                elif name == DUMP:
                    dump = scratch / DUMP
                    with tar.extractfile(member) as source, dump.open("wb") as target:
                        shutil.copyfileobj(source, target, 2**20)
                elif name == MEDIA or name.startswith(f"{MEDIA}/"):
                    media_files += member.isfile()
                    if media_staging is not None:
                        tar.extract(member, media_staging, filter="data")
                    elif member.isfile():
                        with tar.extractfile(member) as source:  # read for the checksum
                            while source.read(2**20):
                                pass
                else:
                    raise BackupError(
                        f"{path} is not a Sqeeze backup: it holds {name!r}. Nothing was changed."
                    )
            # tarfile stops at the end-of-archive blocks; gzip checks its CRC
            # only once its stream is read to the very end.
            while tar.fileobj.read(2**20):
                pass
        except tarfile.FilterError as error:  # before TarError, which it is
            raise BackupError(
                f"{path} holds an unsafe entry ({error}). Nothing was changed."
            ) from None
        except _READ_ERRORS as error:
            raise BackupError(
                f"{path} is damaged (cut short or corrupted: {error}). Nothing was changed."
            ) from None
    if manifest_data is None:
        raise BackupError(
            f"{path} is not a Sqeeze backup: it has no {MANIFEST}. Nothing was changed."
        )
    manifest = _manifest(path, manifest_data)
    if dump is None:
        raise BackupError(f"{path} is damaged: it has no {DUMP}. Nothing was changed.")
    return Unpacked(manifest=manifest, dump=dump, media_files=media_files)


def _manifest(path: str, data: bytes) -> dict:
    try:
        manifest = json.loads(data)
    except ValueError:
        manifest = None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(
            f"{path} is not a Sqeeze backup: its {MANIFEST} is not one. Nothing was changed."
        )
    version = manifest.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise BackupError(
            f"{path} was written by a newer Sqeeze (backup format {version}; this code reads "
            f"{FORMAT_VERSION}). Update the code first. Nothing was changed."
        )
    return manifest


# --- MEDIA_ROOT -------------------------------------------------------------------


@contextlib.contextmanager
def media_staging(media_root: Path):
    """A folder inside ``media_root`` to unpack into; gone afterwards, and so is
    ``media_root`` if it was made for it and stayed empty."""
    made_root = not media_root.exists()
    staging = media_root / f"{STAGING_PREFIX}{secrets.token_hex(4)}"
    staging.mkdir(parents=True)
    try:
        yield staging
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if made_root:
            with contextlib.suppress(OSError):
                media_root.rmdir()


def media_replace(*, media_root: Path, staging: Path) -> None:
    """Make ``media_root`` hold what ``staging/media`` holds, by renames (its old
    contents go aside first, then away)."""
    unpacked = staging / MEDIA
    old = media_root / f"{STAGING_PREFIX}old-{secrets.token_hex(4)}"
    old.mkdir()
    for child in media_root.iterdir():
        if child not in (staging, old):
            child.rename(old / child.name)
    if unpacked.is_dir():
        for child in unpacked.iterdir():
            child.rename(media_root / child.name)
    shutil.rmtree(old, ignore_errors=True)
