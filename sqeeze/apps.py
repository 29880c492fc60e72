from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class SqeezeConfig(AppConfig):
    name = "sqeeze"
    verbose_name = _("Sqeeze")

    def ready(self) -> None:
        from sqeeze.sites import site_sync_after_migrate  # needs the models loaded

        # Sent for the sites app, after its own handler (connected earlier, in
        # its ready()) has created "example.com" in an empty table.
        post_migrate.connect(
            site_sync_after_migrate,
            sender=apps.get_app_config("sites"),
            dispatch_uid="sqeeze.sites.site_sync_after_migrate",
        )
