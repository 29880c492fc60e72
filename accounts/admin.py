"""Admin for organizations, profiles (the user model) and role access codes."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.db.models.functions import Now
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization, Profile, RoleAccessCode
from sqeeze.admin_scoping import (
    SuperuserOnlyAdmin,
    TenantScopedAdmin,
    is_platform_operator,
    related_only,
)

# Profiles carry their own role; Django's groups and permission tables are not
# used (Profile has no PermissionsMixin), so a "Groups" page would only mislead.
if admin.site.is_registered(Group):
    admin.site.unregister(Group)


@admin.register(Organization)
class OrganizationAdmin(TenantScopedAdmin):
    """Organization admins may rename their own organization, nothing more."""

    organization_path = "pk"
    list_display = ("name", "profile_count", "journey_count", "created_at")
    search_fields = ("name",)
    readonly_fields = ("created_at", "updated_at")
    fields = ("name", "description", "created_at", "updated_at")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return (
            super()
            .get_queryset(request)
            .annotate(
                profile_count=Count("profiles", distinct=True),
                journey_count=Count("journeys", distinct=True),
            )
        )

    @admin.display(description=_("people"), ordering="profile_count")
    def profile_count(self, organization: Organization) -> int:
        return organization.profile_count

    @admin.display(description=_("journeys"), ordering="journey_count")
    def journey_count(self, organization: Organization) -> int:
        return organization.journey_count

    # Creating and removing tenants is the platform operator's job.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_platform_operator(request)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return is_platform_operator(request)


def clean_unique_email(form, email: str) -> str:
    """Lower-case the address and refuse one taken in any letter case.

    The database has a unique index on lower(email); checking here turns a
    would-be IntegrityError into a form error.
    """
    email = Profile.objects.normalize_email(email).lower()
    taken = Profile.objects.filter(email__iexact=email).exclude(pk=form.instance.pk)
    if taken.exists():
        raise ValidationError(
            gettext("A profile with this e-mail address already exists."), code="unique"
        )
    return email


class ProfileCreationForm(AdminUserCreationForm):
    """Add a profile: e-mail plus a password typed twice (stored hashed)."""

    class Meta:
        model = Profile
        fields = ("email",)

    def clean_email(self) -> str:
        return clean_unique_email(self, self.cleaned_data["email"])


class ProfileChangeForm(UserChangeForm):
    """Edit a profile; the password shows as its hash summary, never as text."""

    class Meta:
        model = Profile
        fields = "__all__"

    def clean_email(self) -> str:
        return clean_unique_email(self, self.cleaned_data["email"])


@admin.register(Profile)
class ProfileAdmin(TenantScopedAdmin, UserAdmin):
    """People. Built on Django's UserAdmin for its add form (password typed
    twice) and its separate "change password" page, so a password is never
    shown or edited as plain text."""

    organization_path = "organization"
    form = ProfileChangeForm
    add_form = ProfileCreationForm
    list_display = (
        "email",
        "full_name",
        "organization",
        "role",
        "is_active",
        "is_superuser",
        "last_login",
        "created_at",
    )
    list_filter = ("role", "is_active", "is_superuser", related_only("organization"))
    list_select_related = ("organization",)
    search_fields = ("email", "first_name", "last_name", "phone")
    ordering = ("last_name", "first_name", "email")
    autocomplete_fields = ("organization", "profile_image_file")
    readonly_fields = ("last_login", "created_at", "updated_at")
    filter_horizontal = ()
    date_hierarchy = "created_at"
    actions = ("activate_profiles", "deactivate_profiles")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (
            _("Personal details"),
            {"fields": ("last_name", "first_name", "phone", "profile_image_file")},
        ),
        (
            _("Organization and access"),
            {"fields": ("organization", "role", "is_active", "is_superuser")},
        ),
        (_("Consents"), {"fields": ("privacy_agreed", "marketing_opt_in")}),
        (_("Dates"), {"fields": ("last_login", "created_at", "updated_at")}),
        (
            _("Legacy columns"),
            {"classes": ("collapse",), "fields": ("profile_image", "push_subscription")},
        ),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "email",
                    "last_name",
                    "first_name",
                    "organization",
                    "role",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )

    def scope_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        queryset = super().scope_queryset(request, queryset)
        if not is_platform_operator(request):
            # A platform operator may belong to an organization too; its admin
            # must not reset the operator's password or deactivate them.
            queryset = queryset.exclude(is_superuser=True)
        return queryset

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        readonly = tuple(super().get_readonly_fields(request, obj))
        if not is_platform_operator(request):
            readonly += ("is_superuser",)
        return readonly

    def get_fieldsets(self, request: HttpRequest, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None and not is_platform_operator(request):
            # The organization is forced to the admin's own; no need to show it.
            return _without_field(fieldsets, "organization")
        return fieldsets

    @admin.display(description=_("name"), ordering="last_name")
    def full_name(self, profile: Profile) -> str:
        return profile.full_name

    @admin.action(description=_("Activate the selected profiles"), permissions=("change",))
    def activate_profiles(self, request: HttpRequest, queryset: QuerySet) -> None:
        count = queryset.update(is_active=True, updated_at=Now())
        self.message_user(
            request,
            ngettext("%(count)d profile activated.", "%(count)d profiles activated.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Deactivate the selected profiles"), permissions=("change",))
    def deactivate_profiles(self, request: HttpRequest, queryset: QuerySet) -> None:
        # Locking yourself out of the admin by accident helps nobody.
        if queryset.filter(pk=request.user.pk).exists():
            self.message_user(
                request, gettext("You cannot deactivate your own profile."), messages.WARNING
            )
            queryset = queryset.exclude(pk=request.user.pk)
        count = queryset.update(is_active=False, updated_at=Now())
        self.message_user(
            request,
            ngettext("%(count)d profile deactivated.", "%(count)d profiles deactivated.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    # People are deactivated (their posts and points stay), not deleted.
    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return is_platform_operator(request)


def _without_field(fieldsets, field_name: str) -> list:
    return [
        (title, {**options, "fields": tuple(f for f in options["fields"] if f != field_name)})
        for title, options in fieldsets
    ]


@admin.register(RoleAccessCode)
class RoleAccessCodeAdmin(SuperuserOnlyAdmin):
    """Platform-wide until role access codes gain an organization column."""

    list_display = ("code", "role", "expiry_date", "is_valid", "created_at")
    list_filter = ("role",)
    search_fields = ("code",)
    readonly_fields = ("created_at",)
    date_hierarchy = "created_at"

    @admin.display(description=_("still valid"), boolean=True)
    def is_valid(self, access_code: RoleAccessCode) -> bool:
        return access_code.expiry_date is None or access_code.expiry_date > timezone.now()
