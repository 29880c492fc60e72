from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubmissionsConfig(AppConfig):
    """A journey's Submissions tab for teachers: the overview, reminders and
    exports. Its rows are community posts and mission reminders; it owns no
    table of its own."""

    name = "submissions"
    verbose_name = _("Submissions")
