"""``migrate`` as the tables' owner (DATABASE_OWNER_URL); then the runtime role
(DATABASE_URL) is granted what the new schema holds (core.database_roles), and
the text search match is declared leakproof (core.rls.mark_leakproof)."""

from django.core.management.commands.migrate import Command as DjangoMigrate

from core import database_roles, rls


class Command(DjangoMigrate):
    def handle(self, *args, **options):
        with database_roles.as_owner(options["database"]) as connection:
            super().handle(*args, **options)
            database_roles.grant_runtime_role(connection)
            if not rls.mark_leakproof(connection):
                self.stderr.write(
                    "The owner is not a superuser: the feed's search cannot use its index "
                    "under Row Level Security (core.rls.LEAKPROOF_FUNCTIONS)."
                )
