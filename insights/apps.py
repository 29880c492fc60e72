from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    """A journey's class insights for its teachers: the words of the class's
    answers, counted by a worker (insights/tasks.py) and kept until they change.
    No table of its own: results live in the cache (insights/counting.py)."""

    name = "insights"
    verbose_name = _("Class insights")
