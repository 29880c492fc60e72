"""The image library: teachers and admins upload images once and reuse their
URLs (blog posts, mission descriptions). The original app had one page for it."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from accounts.models import Role
from accounts.permissions import require_role
from files import services
from files.links import file_url
from files.models import File, FileType
from files.upload_handlers import UploadTooLarge, upload_limit

LIBRARY_BUCKET = "images"
LIBRARY_PURPOSE = "library_image"
PAGE_SIZE = 24
MAX_FILES_PER_UPLOAD = 20


def _require_teacher(request: HttpRequest) -> None:
    require_role(request.user, Role.TEACHER, _("The image library is for teachers and admins."))


def library_images(user) -> QuerySet[File]:
    """The organization's library: its members' active images in the library bucket.

    Blog covers share that bucket but belong to the platform's blog, not to the
    academy of the operator who uploaded them: an academy must neither reuse
    nor delete them."""
    return (
        File.objects.filter(
            bucket_name=LIBRARY_BUCKET,
            file_type=FileType.IMAGE,
            is_deleted=False,
            user__organization_id=user.organization_id,
        )
        .exclude(metadata__purpose="blog_image")
        .select_related("user")
    )


@login_required
@require_GET
def library(request: HttpRequest) -> HttpResponse:
    _require_teacher(request)
    images = library_images(request.user).order_by("-id")
    before = request.GET.get("before")
    if before is not None:
        if not before.isdigit():
            return HttpResponseBadRequest(_("This page of the library does not exist."))
        images = images.filter(id__lt=int(before))
    page = list(images[: PAGE_SIZE + 1])
    has_more = len(page) > PAGE_SIZE
    page = page[:PAGE_SIZE]
    for image in page:
        image.public_url = request.build_absolute_uri(file_url(image))
    context = {
        "images": page,
        "next_before": page[-1].pk if has_more else None,
        "max_megabytes": settings.FILE_BUCKETS[LIBRARY_BUCKET]["max_bytes"] // 2**20,
        "max_files": MAX_FILES_PER_UPLOAD,
    }
    return render(request, "files/library.html", context)


def _too_large(request: HttpRequest, error: UploadTooLarge) -> HttpResponse:
    messages.error(request, error.message)
    return redirect("files:library")


@login_required
@require_POST
# Refuses an oversized image before the body is read (and before CSRF parses it).
@upload_limit(purpose=LIBRARY_PURPOSE, max_files=MAX_FILES_PER_UPLOAD, on_too_large=_too_large)
def library_upload(request: HttpRequest) -> HttpResponse:
    _require_teacher(request)
    uploads = request.FILES.getlist("images")
    if not uploads:
        messages.error(request, _("Choose one or more images to upload."))
        return redirect("files:library")
    if len(uploads) > MAX_FILES_PER_UPLOAD:
        messages.error(
            request,
            _("Upload at most %(count)d images at once.") % {"count": MAX_FILES_PER_UPLOAD},
        )
        return redirect("files:library")
    stored = 0
    for upload in uploads:
        try:
            services.file_upload(
                uploader=request.user, uploaded_file=upload, purpose=LIBRARY_PURPOSE
            )
            stored += 1
        except services.FileRejected as error:
            # One bad file does not cost the others; say which one and why.
            messages.error(request, f"{upload.name}: {error}")
    if stored:
        messages.success(
            request,
            ngettext("%(count)d image added.", "%(count)d images added.", stored)
            % {"count": stored},
        )
    return redirect("files:library")


@login_required
@require_POST
def library_delete(request: HttpRequest, pk: int) -> HttpResponse:
    # Another organization's image, or one already deleted, is simply not found,
    # whoever asks (the role check comes second, for one's own academy's images).
    image = get_object_or_404(library_images(request.user), pk=pk)
    _require_teacher(request)
    try:
        services.file_delete(file=image, by=request.user)
    except PermissionDenied:
        messages.error(
            request, _("Only the person who uploaded an image or an admin can delete it.")
        )
        return redirect("files:library")
    if request.htmx:
        return HttpResponse("")  # the card disappears in place
    messages.success(request, _("The image was deleted."))
    return redirect("files:library")
