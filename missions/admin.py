"""Admin for mission templates and their scheduled instances."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext

from core.admin_scoping import TenantScopedAdmin, journey_from_parent, related_only
from missions.models import JourneyMissionInstance, Mission, MissionQuestion


class MissionQuestionInline(admin.TabularInline):
    """A mission's questions, to read: teachers compose them in the library,
    whose services keep their order, the mission's points and what may change
    after submissions (missions/questions.py)."""

    model = MissionQuestion
    fields = ("position", "kind", "text", "points", "required")
    readonly_fields = fields
    ordering = ("position",)
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Mission)
class MissionAdmin(TenantScopedAdmin):
    organization_path = "organization"
    list_display = ("name", "mission_type", "points", "organization", "created_at")
    list_filter = ("mission_type", related_only("organization"))
    list_select_related = ("organization",)
    search_fields = ("name", "description")
    autocomplete_fields = ("organization",)
    readonly_fields = ("created_at", "updated_at")
    inlines = (MissionQuestionInline,)


class MissionInstanceForm(forms.ModelForm):
    """The seed keeps ``journey`` next to ``journey_week``; keep the two in step."""

    def clean(self):
        return journey_from_parent(
            self, super().clean(), "journey_week", gettext("The week belongs to another journey.")
        )


@admin.register(JourneyMissionInstance)
class JourneyMissionInstanceAdmin(TenantScopedAdmin):
    organization_path = "journey__organization"
    form = MissionInstanceForm
    list_display = ("mission", "journey_week", "journey", "release_date", "expiry_date", "status")
    list_filter = ("status", related_only("journey"))
    list_select_related = ("mission", "journey_week__journey", "journey")
    search_fields = ("mission__name", "journey_week__name", "journey__name")
    autocomplete_fields = ("journey_week", "mission", "journey")
    readonly_fields = ("created_at", "updated_at")
    date_hierarchy = "release_date"
