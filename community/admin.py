"""Admin for posts, comments and likes."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.db.models.functions import Now
from django.http import HttpRequest
from django.utils.text import Truncator
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from community.models import Comment, Like, Post
from core.admin_scoping import TenantScopedAdmin, journey_from_parent, related_only


class PostForm(forms.ModelForm):
    """A submission's journey is its mission's journey; fill it in when left empty."""

    def clean(self):
        return journey_from_parent(
            self,
            super().clean(),
            "mission_instance",
            gettext("The mission belongs to another journey."),
        )


@admin.register(Post)
class PostAdmin(TenantScopedAdmin):
    organization_path = "journey__organization"
    form = PostForm
    list_display = (
        "title",
        "user",
        "journey",
        "mission_instance",
        "achievement_status",
        "score",
        "is_hidden",
        "created_at",
    )
    list_filter = ("achievement_status", "is_hidden", "is_team_submission", related_only("journey"))
    list_select_related = (
        "user",
        "journey",
        "mission_instance__mission",
        "mission_instance__journey_week__journey",
    )
    search_fields = ("title", "content", "user__email", "user__first_name", "user__last_name")
    autocomplete_fields = ("journey", "mission_instance", "user", "team")
    readonly_fields = ("view_count", "created_at", "updated_at")
    date_hierarchy = "created_at"
    actions = ("hide_posts", "unhide_posts")
    fieldsets = (
        (None, {"fields": ("journey", "mission_instance", "user", "team", "is_team_submission")}),
        (_("Content"), {"fields": ("title", "content", "file_url", "is_hidden")}),
        (_("Grading"), {"fields": ("achievement_status", "score", "team_points")}),
        (_("Statistics"), {"fields": ("view_count", "created_at", "updated_at")}),
    )

    @admin.action(description=_("Hide the selected posts"), permissions=("change",))
    def hide_posts(self, request: HttpRequest, queryset: QuerySet) -> None:
        count = queryset.update(is_hidden=True, updated_at=Now())
        self.message_user(
            request,
            ngettext("%(count)d post hidden.", "%(count)d posts hidden.", count) % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Show the selected posts again"), permissions=("change",))
    def unhide_posts(self, request: HttpRequest, queryset: QuerySet) -> None:
        count = queryset.update(is_hidden=False, updated_at=Now())
        self.message_user(
            request,
            ngettext("%(count)d post shown again.", "%(count)d posts shown again.", count)
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(Comment)
class CommentAdmin(TenantScopedAdmin):
    organization_path = "post__journey__organization"
    list_display = ("excerpt", "user", "post", "created_at")
    list_select_related = ("user", "post")
    search_fields = ("content", "user__email", "post__title")
    autocomplete_fields = ("post", "user")
    readonly_fields = ("created_at", "updated_at")
    date_hierarchy = "created_at"

    @admin.display(description=_("comment"))
    def excerpt(self, comment: Comment) -> str:
        return Truncator(comment.content).chars(80)


@admin.register(Like)
class LikeAdmin(TenantScopedAdmin):
    organization_path = "post__journey__organization"
    list_display = ("user", "post", "created_at")
    list_select_related = ("user", "post")
    search_fields = ("user__email", "post__title")
    autocomplete_fields = ("post", "user")
    readonly_fields = ("created_at",)
    date_hierarchy = "created_at"
