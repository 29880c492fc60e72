"""Writes of the blog: publishing, unpublishing and the cover image. Posts are
written by platform operators in Django admin (blog/admin.py), which calls
these for everything beyond plain text fields."""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Profile
from blog.models import Blog
from files.models import File
from files.services import file_delete, file_upload

BLOG_COVER_PURPOSE = "blog_image"


def _require_operator(by: Profile) -> None:
    if not (by.is_active and by.is_superuser):
        raise PermissionDenied(_("Only platform operators can change blog posts."))


def blog_publish(
    *, post_ids: Iterable[uuid.UUID], by: Profile, at: dt.datetime | None = None
) -> int:
    """Publish the drafts and scheduled posts among ``post_ids`` as of ``at``
    (default: now); returns how many were published. A post already public keeps
    its date: publishing twice does not move it to the top of the list."""
    _require_operator(by)
    now = timezone.now()
    moment = at or now
    not_public = Q(published_at__isnull=True) | Q(published_at__gt=moment)
    with transaction.atomic():
        return (
            Blog.objects.filter(pk__in=list(post_ids))
            .filter(not_public)
            .update(published_at=moment, updated_at=now)
        )


def blog_unpublish(*, post_ids: Iterable[uuid.UUID], by: Profile) -> int:
    """Turn the published or scheduled posts among ``post_ids`` back into drafts;
    returns how many changed. Their pages, feed entries and sitemap lines go
    at once."""
    _require_operator(by)
    with transaction.atomic():
        return Blog.objects.filter(pk__in=list(post_ids), published_at__isnull=False).update(
            published_at=None, updated_at=timezone.now()
        )


def blog_cover_replace(
    *, post: Blog, by: Profile, cover: UploadedFile | None = None, remove: bool = False
) -> Blog:
    """Give ``post`` the uploaded ``cover`` (stored through the files service as a
    public blog image), or take its cover away (``remove``: the page then shows
    our placeholder). The cover it had is soft-deleted. ``FileRejected`` for an
    image the files service refuses; nothing changes then."""
    _require_operator(by)
    if cover is None and not remove:
        return post
    # Stored before the transaction: file_upload talks to the storage.
    new_file = (
        file_upload(uploader=by, uploaded_file=cover, purpose=BLOG_COVER_PURPOSE).file
        if cover is not None
        else None
    )
    with transaction.atomic():
        locked = (
            Blog.objects.select_for_update(of=("self",))
            .select_related("image_file")
            .get(pk=post.pk)
        )
        old_file = locked.image_file
        locked.image_file = new_file
        # The old address would show through again once the file is gone.
        locked.image_url = None
        locked.save(update_fields=["image_file", "image_url", "updated_at"])
        _retire(old_file, by=by)
    post.image_file, post.image_url = locked.image_file, locked.image_url
    post.updated_at = locked.updated_at
    return post


def _retire(file: File | None, *, by: Profile) -> None:
    if file is None:
        return
    with contextlib.suppress(PermissionDenied):
        file_delete(file=file, by=by)
