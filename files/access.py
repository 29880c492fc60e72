"""Who may see a stored file: the one place that answers it, for the download
view (``file_visible_to``) and for lists (``visible_files``).

A file belongs to its uploader's organization. Rules, in order:

- a deleted file: nobody (it is no longer served);
- a file in a public bucket (``FILE_BUCKETS[bucket]["public"]``): anyone, signed in
  or not, since its address is public anyway;
- otherwise nobody who is anonymous or inactive;
- a platform operator (superuser): yes;
- the uploader: yes;
- anyone from another organization: no (the view answers 404, as for a missing file);
- admins of the file's organization: yes;
- a post attachment: teachers of the organization whose journey the post is in,
  and the journey's members (``UserJourney``) unless the post is hidden;
- a bug-report screenshot: the reporter (and the admins above). Teachers do not
  see screenshots: they may show another person's screen or data.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.models import Role
from community.models import PostAttachment
from files.links import public_buckets
from files.models import File, FileColumns
from files.purposes import is_public
from inquiries.models import BugReport


def _is_signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))


def visible_files(user, queryset: QuerySet[File] | None = None) -> QuerySet[File]:
    """The non-deleted files ``user`` may open, as one SQL filter (with EXISTS
    subqueries for post attachments and bug reports, so no duplicate rows)."""
    files = (File.objects.all() if queryset is None else queryset).filter(is_deleted=False)
    public = Q(bucket_name__in=public_buckets())
    if not _is_signed_in(user):
        return files.filter(public)
    if user.is_superuser:
        return files
    own = Q(user_id=user.pk)
    organization_id = user.organization_id
    if organization_id is None:
        return files.filter(public | own)
    same_organization = Q(user__organization_id=organization_id)
    if user.role == Role.ADMIN:
        return files.filter(public | own | same_organization)

    attachments = PostAttachment.objects.filter(
        file_id=OuterRef("pk"), post__journey__organization_id=organization_id
    )
    if user.role != Role.TEACHER:
        attachments = attachments.filter(
            post__is_hidden=False, post__journey__memberships__user_id=user.pk
        )
    screenshots = BugReport.objects.filter(attachment_file_id=OuterRef("pk"), user_id=user.pk)
    shared = same_organization & (Exists(attachments) | Exists(screenshots))
    return files.filter(public | own | shared)


def file_visible_to(user, file: FileColumns) -> bool:
    """May ``user`` see ``file``? Answers the common cases without a query and the
    rest with one, through ``visible_files`` so both always agree."""
    if file.is_deleted:
        return False
    if is_public(file.bucket_name):
        return True
    if not _is_signed_in(user):
        return False
    if user.is_superuser or file.user_id == user.pk:
        return True
    return visible_files(user).filter(pk=file.pk).exists()
