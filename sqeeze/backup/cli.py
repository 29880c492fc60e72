"""``python -m sqeeze.backup backup|restore``, which ``make backup`` and
``make restore`` run (README "Backups and upgrades")."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import django
import environ
from django.core.exceptions import ImproperlyConfigured

from sqeeze.backup import BackupError
from sqeeze.backup.create import BASE_DIR, backup_create
from sqeeze.backup.restore import backup_restore

PROG = "python -m sqeeze.backup"


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    # An archive written to standard output keeps it clean of messages.
    stream = sys.stderr if args.command == "backup" and args.output == "-" else sys.stdout

    def say(message: str) -> None:
        print(message, file=stream, flush=True)

    try:
        if args.command == "restore" and args.archive != "-" and not Path(args.archive).exists():
            raise BackupError(f"{args.archive}: no such file. Nothing was changed.")
        _setup_django()
        if args.command == "backup":
            backup_create(output=args.output, say=say)
        else:
            backup_restore(
                source=args.archive,
                confirmed=args.yes,
                ignore_connections=args.ignore_connections,
                say=say,
            )
    except BackupError as error:
        print(f"{PROG} {args.command}: {error}", file=sys.stderr, flush=True)
        return 1
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG, description="Back up or restore Sqeeze's database and uploaded files."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    backup = commands.add_parser(
        "backup", help="write the database and the uploaded files into one .tar.gz archive"
    )
    backup.add_argument(
        "--output",
        "-o",
        metavar="PATH",
        help="where to write the archive ('-': standard output); "
        "default backups/sqeeze-<UTC time>.tar.gz",
    )
    restore = commands.add_parser(
        "restore",
        help="replace the database and the uploaded files with an archive's, then migrate",
    )
    restore.add_argument("archive", metavar="PATH", help="the archive ('-': standard input)")
    restore.add_argument(
        "--yes", action="store_true", help="replace without asking (needed without a terminal)"
    )
    restore.add_argument(
        "--ignore-connections",
        action="store_true",
        help="restore even while other sessions use the database (they will not notice "
        "that it changed under them: stop Sqeeze instead when you can)",
    )
    return parser


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sqeeze.settings")
    # As settings will: the environment first, then .env for what it lacks.
    environ.Env.read_env(os.environ.get("SQEEZE_ENV_FILE", BASE_DIR / ".env"), overwrite=False)
    if not os.environ.get("SECRET_KEY"):
        # A development checkout: run as `make run` does. Production always has
        # a SECRET_KEY, and then its own DEBUG stands.
        os.environ.setdefault("DEBUG", "true")
    try:
        django.setup()
    except ImproperlyConfigured as error:
        raise BackupError(str(error)) from None
