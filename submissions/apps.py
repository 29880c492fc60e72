from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubmissionsConfig(AppConfig):
    """A journey's Submissions tab for teachers: the overview, reminders and
    exports. Its rows are community posts and mission reminders; its one table
    is the exports teachers ask for (``submission_exports``)."""

    name = "submissions"
    verbose_name = _("Submissions")
