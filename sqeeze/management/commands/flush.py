"""``flush`` as the tables' owner (DATABASE_OWNER_URL): it empties every table
with TRUNCATE, which the runtime role may not run (TRUNCATE ignores Row Level
Security). Test runs call it between transactional tests."""

from django.core.management.commands.flush import Command as DjangoFlush

from core import database_roles


class Command(DjangoFlush):
    def handle(self, **options):
        with database_roles.as_owner(options["database"]):
            return super().handle(**options)
