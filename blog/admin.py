"""Admin for the public blog (platform operator only)."""

from __future__ import annotations

from django.contrib import admin

from blog.models import Blog
from sqeeze.admin_scoping import SuperuserOnlyAdmin


@admin.register(Blog)
class BlogAdmin(SuperuserOnlyAdmin):
    list_display = ("title", "subtitle", "created_at", "updated_at")
    search_fields = ("title", "subtitle", "content")
    readonly_fields = ("created_at", "updated_at")
    date_hierarchy = "created_at"
    fields = ("title", "subtitle", "content", "image_url", "created_at", "updated_at")
