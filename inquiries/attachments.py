"""Who may open a bug report's screenshot: the rule the files app asks for
through ``settings.FILE_VISIBILITY_RULES`` (see ``files.access``)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef

from inquiries.models import BugReport


def screenshots_visible_to(user) -> Exists:
    """Screenshots of ``user``'s own bug reports. Teachers do not see others':
    a screenshot may show another person's screen or data."""
    return Exists(BugReport.objects.filter(attachment_file_id=OuterRef("pk"), user_id=user.pk))
