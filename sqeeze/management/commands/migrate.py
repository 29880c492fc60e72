"""``migrate`` as the tables' owner (DATABASE_OWNER_URL), then the runtime role
(DATABASE_URL) is granted what the new schema holds (core.database_roles)."""

from django.core.management.commands.migrate import Command as DjangoMigrate

from core import database_roles


class Command(DjangoMigrate):
    def handle(self, *args, **options):
        with database_roles.as_owner(options["database"]) as connection:
            super().handle(*args, **options)
            database_roles.grant_runtime_role(connection)
