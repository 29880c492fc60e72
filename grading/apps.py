from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GradingConfig(AppConfig):
    """The teachers' grading dashboard. Its rows are community posts; it owns
    no table of its own."""

    name = "grading"
    verbose_name = _("Grading")
