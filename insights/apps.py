from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    """A journey's class insights for its teachers: the words of the class's
    answers, counted by a worker (insights/tasks.py) and kept in the cache until
    they change (insights/counting.py); its tables hold only the saved reports
    and their word groups (insights/models.py), never counts."""

    name = "insights"
    verbose_name = _("Class insights")
