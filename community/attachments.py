"""Who may open a post's attachment: the rule the files app asks for through
``settings.FILE_VISIBILITY_RULES`` (see ``files.access``)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef

from accounts.models import Role
from community.models import PostAttachment


def attachments_visible_to(user) -> Exists:
    """Files attached to a post in a journey of ``user``'s organization: every
    one for its teachers, and for students those of the journeys they are in,
    unless the post is hidden. (Admins see every file of their organization
    already; ``files.access`` answers for them before asking.)"""
    attachments = PostAttachment.objects.filter(
        file_id=OuterRef("pk"), post__journey__organization_id=user.organization_id
    )
    if user.role != Role.TEACHER:
        attachments = attachments.filter(
            post__is_hidden=False, post__journey__memberships__user_id=user.pk
        )
    return Exists(attachments)
