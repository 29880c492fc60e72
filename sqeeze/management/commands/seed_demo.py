"""``python manage.py seed_demo``: fill the database with demo data (sqeeze/demo/).

Safe to run again: a rerun refreshes the demo rows (dates move along with
today) and creates nothing new. Demo accounts get the password ``sqeeze-demo``
when they are created; a rerun keeps a changed password unless
``--reset-passwords`` is given.

With DEBUG off the command refuses unless ``--force``: the demo includes a
platform superuser whose password is published.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from sqeeze.demo import DEMO_PASSWORD, SeedReport, seed_demo


class Command(BaseCommand):
    help = "Create or refresh the demo academies, people, classes and submissions."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reset-passwords",
            action="store_true",
            help=f"Set every demo account's password back to '{DEMO_PASSWORD}'.",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Seed even with DEBUG off (the demo has a superuser with a known password).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                _(
                    "DEBUG is off: this looks like production. The demo data includes a "
                    "superuser with a published password; pass --force to seed anyway."
                )
            )
        report = seed_demo(reset_passwords=options["reset_passwords"])
        self.stdout.write(self.style.SUCCESS(summary(report)))
        if options["verbosity"] >= 2:
            self.stdout.write(table_counts(report))
            self.stdout.write(logins(report))


def summary(report: SeedReport) -> str:
    return _(
        "Demo data ready: %(rows)d rows in %(tables)d tables "
        "(%(created)d created, %(existing)d already there)."
    ) % {
        "rows": report.total_created + report.total_existing,
        "tables": len(report.tables),
        "created": report.total_created,
        "existing": report.total_existing,
    }


def table_counts(report: SeedReport) -> str:
    lines = [f"  {table:<28} {report.rows(table):>5}" for table in report.tables]
    return "\n".join([_("Rows per table:"), *lines])


def logins(report: SeedReport) -> str:
    lines = [f"  {email:<24} {role:<18} {org}" for email, role, org in report.logins]
    header = _("Demo log-ins (password: %(password)s):") % {"password": DEMO_PASSWORD}
    others = _("  … and %(count)d more students with the same password, e.g. %(example)s") % {
        "count": len(report.other_students),
        "example": report.other_students[0] if report.other_students else "-",
    }
    return "\n".join([header, *lines, others])
