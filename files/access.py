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
- otherwise, files another app shares with them. Those rules live in the app
  that owns the rows, named in ``settings.FILE_VISIBILITY_RULES`` (files sit
  below the apps whose rows attach them, so they cannot import them):
  - a post attachment (``community.attachments``): teachers of the organization
    whose journey the post is in, and the journey's members unless the post is
    hidden;
  - a bug-report screenshot (``inquiries.attachments``): the reporter (and the
    admins above). Teachers do not see screenshots: they may show another
    person's screen or data.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.conf import settings
from django.db.models import Exists, Q, QuerySet
from django.utils.module_loading import import_string

from accounts.models import Role
from files.links import public_buckets
from files.models import File, FileColumns
from files.purposes import is_public

# (user) -> an EXISTS over OuterRef("pk") of ``files``: "this file is shared with user"
VisibilityRule = Callable[..., Exists]


@functools.cache
def _visibility_rules() -> tuple[VisibilityRule, ...]:
    return tuple(import_string(path) for path in settings.FILE_VISIBILITY_RULES)


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

    shared_with_user = Q()
    for rule in _visibility_rules():
        shared_with_user |= rule(user)
    return files.filter(public | own | (same_organization & shared_with_user))


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
