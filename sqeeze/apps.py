from django.apps import AppConfig, apps
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class SqeezeConfig(AppConfig):
    name = "sqeeze"
    verbose_name = _("Sqeeze")

    def ready(self) -> None:
        from core import tenancy
        from sqeeze.sites import site_sync_after_migrate  # needs the models loaded

        # Every connection sends the current database context (core.tenancy).
        connection_created.connect(tenancy.install, dispatch_uid="core.tenancy.install")

        # Sent for the sites app, after its own handler (connected earlier, in
        # its ready()) has created "example.com" in an empty table.
        post_migrate.connect(
            site_sync_after_migrate,
            sender=apps.get_app_config("sites"),
            dispatch_uid="sqeeze.sites.site_sync_after_migrate",
        )
