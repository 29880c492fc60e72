"""Admin for teams and their members."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin_scoping import TenantScopedAdmin, TenantScopedTabularInline, related_only
from journeys.models import Journey
from teams.models import Team, TeamMember


class TeamMemberInline(TenantScopedTabularInline):
    model = TeamMember
    fields = ("user", "is_leader", "joined_at")
    readonly_fields = ("joined_at",)
    autocomplete_fields = ("user",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")


@admin.register(Team)
class TeamAdmin(TenantScopedAdmin):
    organization_path = "journey__organization"
    list_display = ("name", "journey", "created_at")
    list_filter = (related_only("journey"),)
    list_select_related = ("journey",)
    search_fields = ("name", "journey__name")
    autocomplete_fields = ("journey",)
    readonly_fields = ("created_at", "updated_at")
    inlines = (TeamMemberInline,)


@admin.register(TeamMember)
class TeamMemberAdmin(TenantScopedAdmin):
    organization_path = "team__journey__organization"
    list_display = ("user", "team", "journey", "is_leader", "joined_at")
    list_filter = ("is_leader", related_only("team__journey"))
    list_select_related = ("user", "team__journey")
    search_fields = ("user__email", "user__first_name", "user__last_name", "team__name")
    autocomplete_fields = ("team", "user")
    readonly_fields = ("joined_at", "created_at", "updated_at")

    @admin.display(description=_("journey"), ordering="team__journey__name")
    def journey(self, member: TeamMember) -> Journey:
        return member.team.journey
