from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Organizations and people")

    def ready(self) -> None:
        # The session remembers a person's database context from their log-in.
        from accounts import tenancy  # noqa: F401 (connects its user_logged_in receiver)
