from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubmissionsConfig(AppConfig):
    """A journey's Submissions tab for teachers: the overview, reminders and
    exports. Its rows are community posts and mission reminders; its one table
    is the exports teachers ask for (``submission_exports``)."""

    name = "submissions"
    verbose_name = _("Submissions")

    def ready(self) -> None:
        from django.db.models.signals import post_delete

        from submissions.export_files import export_file_forget
        from submissions.models import SubmissionExport

        post_delete.connect(export_file_forget, sender=SubmissionExport)
