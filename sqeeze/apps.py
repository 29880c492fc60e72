from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SqeezeConfig(AppConfig):
    name = "sqeeze"
    verbose_name = _("Sqeeze")
