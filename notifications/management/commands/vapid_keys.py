"""``manage.py vapid_keys``: a new VAPID key pair for web push, ready for .env."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from notifications.push_keys import push_is_configured, vapid_keys_generate, vapid_signer


class Command(BaseCommand):
    help = (
        "Print a new VAPID key pair for web push as two .env lines. "
        "VAPID_PUBLIC_KEY is the uncompressed P-256 public point (65 bytes), base64url "
        "without padding: the browser's applicationServerKey. VAPID_PRIVATE_KEY is the "
        "raw 32-byte P-256 private key, base64url without padding. Keep the private key "
        "secret; changing the pair ends every existing browser subscription. "
        "With --check, verify the configured pair instead."
    )
    # Printing keys must work wherever the settings load, whatever the
    # project's checks would say of the rest of the configuration; and it never
    # touches the database (tests/sqeeze/test_ops_edges.py runs it without one).
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="Check that VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY are set and belong together.",
        )

    def handle(self, *args, check: bool = False, **options):
        if check:
            if not push_is_configured():
                raise CommandError("Web push is off: VAPID_PUBLIC_KEY or VAPID_PRIVATE_KEY unset.")
            try:
                vapid_signer()
            except ImproperlyConfigured as error:
                raise CommandError(str(error)) from None
            self.stdout.write("The VAPID keys are set and belong together.")
            return
        public, private = vapid_keys_generate()
        self.stderr.write("# Web push keys: add these lines to .env (or the environment).")
        self.stdout.write(f"VAPID_PUBLIC_KEY={public}")
        self.stdout.write(f"VAPID_PRIVATE_KEY={private}")
