"""Admin for journeys, their weeks and enrolments."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin_scoping import TenantScopedAdmin, TenantScopedTabularInline, related_only
from journeys.models import Journey, JourneyWeek, UserJourney


class JourneyWeekInline(TenantScopedTabularInline):
    model = JourneyWeek
    fields = ("week_number", "name")
    ordering = ("week_number",)


@admin.register(Journey)
class JourneyAdmin(TenantScopedAdmin):
    organization_path = "organization"
    list_display = ("name", "organization", "date_start", "date_end", "created_at")
    list_filter = (related_only("organization"), "date_start")
    list_select_related = ("organization",)
    search_fields = ("name",)
    autocomplete_fields = ("organization", "image_file")
    readonly_fields = ("created_at", "updated_at")
    date_hierarchy = "date_start"
    inlines = (JourneyWeekInline,)
    fieldsets = (
        (None, {"fields": ("name", "organization", "date_start", "date_end")}),
        (_("Cover"), {"fields": ("image_file", "image_url")}),
        (_("Dates"), {"fields": ("created_at", "updated_at")}),
    )


@admin.register(JourneyWeek)
class JourneyWeekAdmin(TenantScopedAdmin):
    organization_path = "journey__organization"
    list_display = ("name", "week_number", "journey", "created_at")
    list_filter = (related_only("journey"),)
    list_select_related = ("journey",)
    search_fields = ("name", "journey__name")
    autocomplete_fields = ("journey",)
    readonly_fields = ("created_at", "updated_at")
    ordering = ("journey__name", "week_number")


@admin.register(UserJourney)
class UserJourneyAdmin(TenantScopedAdmin):
    organization_path = "journey__organization"
    list_display = ("user", "journey", "role_in_journey", "joined_at")
    list_filter = (related_only("journey"), "role_in_journey")
    list_select_related = ("user", "journey")
    search_fields = ("user__email", "user__first_name", "user__last_name", "journey__name")
    autocomplete_fields = ("user", "journey")
    readonly_fields = ("joined_at", "created_at", "updated_at")
    date_hierarchy = "joined_at"
