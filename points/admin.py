"""Admin for student and team points rows."""

from __future__ import annotations

from django.contrib import admin

from core.admin_scoping import TenantScopedAdmin
from points.models import TeamPoint, UserPoint

# A mission instance prints as "mission (journey · week)".
MISSION_INSTANCE_LABEL_JOINS = (
    "mission_instance__mission",
    "mission_instance__journey_week__journey",
)


@admin.register(UserPoint)
class UserPointAdmin(TenantScopedAdmin):
    organization_path = "profile__organization"
    list_display = ("profile", "mission_instance", "total_points", "post", "created_at")
    list_select_related = ("profile", "post", *MISSION_INSTANCE_LABEL_JOINS)
    search_fields = ("profile__email", "profile__first_name", "profile__last_name", "post__title")
    autocomplete_fields = ("profile", "mission_instance", "post")
    readonly_fields = ("created_at", "updated_at")
    date_hierarchy = "created_at"


@admin.register(TeamPoint)
class TeamPointAdmin(TenantScopedAdmin):
    organization_path = "team__journey__organization"
    list_display = ("team", "mission_instance", "total_points", "post", "created_at")
    list_select_related = ("team", "post", *MISSION_INSTANCE_LABEL_JOINS)
    search_fields = ("team__name", "post__title")
    autocomplete_fields = ("team", "mission_instance", "post")
    readonly_fields = ("created_at", "updated_at")
    date_hierarchy = "created_at"
