"""Admin for the public blog (platform operator only): writing, previewing,
publishing and unpublishing posts, and their cover images."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from blog import services
from blog.forms import BlogAdminForm
from blog.models import Blog
from core.admin_scoping import SuperuserOnlyAdmin


class PublicationFilter(admin.SimpleListFilter):
    title = _("publication")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return (
            ("published", _("Published")),
            ("scheduled", _("Scheduled")),
            ("draft", _("Draft")),
        )

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "published":
            return queryset.filter(published_at__lte=now)
        if self.value() == "scheduled":
            return queryset.filter(published_at__gt=now)
        if self.value() == "draft":
            return queryset.filter(published_at__isnull=True)
        return queryset


@admin.register(Blog)
class BlogAdmin(SuperuserOnlyAdmin):
    form = BlogAdminForm
    list_display = ("title", "state", "published_at", "updated_at", "preview_link")
    list_filter = (PublicationFilter,)
    search_fields = ("title", "subtitle", "content")
    readonly_fields = ("state", "preview_link", "cover_preview", "created_at", "updated_at")
    date_hierarchy = "created_at"
    actions = ("publish_now", "unpublish")
    fieldsets = (
        (None, {"fields": ("title", "subtitle", "content")}),
        (
            _("Publishing"),
            {
                "fields": ("state", "published_at", "preview_link"),
                "description": _(
                    "A draft is seen only by operators, through Preview. Publish it with the "
                    "action on the list, or set a publication time (a future time schedules it)."
                ),
            },
        ),
        (_("Cover"), {"fields": ("cover_preview", "cover", "remove_cover", "image_url")}),
        (_("Dates"), {"fields": ("created_at", "updated_at")}),
    )

    def view_on_site(self, obj: Blog) -> str:
        # "View on site" opens the preview: a draft's public address is a 404.
        return reverse("blog:preview", args=[obj.pk])

    @admin.display(description=_("state"))
    def state(self, obj: Blog) -> str:
        if obj.published_at is None:
            return _("Draft")
        if obj.published_at > timezone.now():
            return _("Scheduled")
        return _("Published")

    @admin.display(description=_("preview"))
    def preview_link(self, obj: Blog) -> str:
        if obj.pk is None or obj._state.adding:
            return _("Save the post to preview it.")
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>',
            reverse("blog:preview", args=[obj.pk]),
            _("Preview"),
        )

    @admin.display(description=_("current cover"))
    def cover_preview(self, obj: Blog) -> str:
        url = obj.cover_url if obj.pk else None
        if not url:
            return _("None: the post shows Sqeeze's placeholder picture.")
        return format_html('<img src="{}" alt="" width="240" height="126">', url)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Blog]:
        return super().get_queryset(request).select_related("image_file")

    def save_model(self, request: HttpRequest, obj: Blog, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        services.blog_cover_replace(
            post=obj,
            by=request.user,
            cover=form.cleaned_data.get("cover"),
            remove=bool(form.cleaned_data.get("remove_cover")),
        )

    @admin.action(description=_("Publish the selected posts now"))
    def publish_now(self, request: HttpRequest, queryset: QuerySet[Blog]) -> None:
        count = services.blog_publish(
            post_ids=queryset.values_list("pk", flat=True), by=request.user
        )
        messages.success(
            request,
            ngettext("%(count)d post published.", "%(count)d posts published.", count)
            % {"count": count},
        )

    @admin.action(description=_("Unpublish the selected posts (back to drafts)"))
    def unpublish(self, request: HttpRequest, queryset: QuerySet[Blog]) -> None:
        count = services.blog_unpublish(
            post_ids=queryset.values_list("pk", flat=True), by=request.user
        )
        messages.success(
            request,
            ngettext("%(count)d post is a draft again.", "%(count)d posts are drafts again.", count)
            % {"count": count},
        )
