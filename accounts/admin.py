"""Admin for organizations, profiles (the user model) and role access codes."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount, SocialToken
from django.contrib import admin, messages
from django.contrib.admin.utils import quote, unquote
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, QuerySet
from django.db.models.functions import Now
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts.forms import OrganizationMoveForm, RoleChangeForm
from accounts.lockout import lockout_clear
from accounts.models import Organization, OrganizationChange, Profile, RoleAccessCode, RoleChange
from accounts.services import access_code_expire, profile_move, role_change
from core.admin_scoping import (
    SuperuserOnlyAdmin,
    TenantScopedAdmin,
    is_platform_operator,
    related_only,
)

# Profiles carry their own role; Django's groups and permission tables are not
# used (Profile has no PermissionsMixin), so a "Groups" page would only mislead.
if admin.site.is_registered(Group):
    admin.site.unregister(Group)

# allauth's rows of people (addresses, social log-ins, their tokens) are platform
# tables here: organization admins may not open them (TENANT_ADMIN_APP_LABELS),
# and as SuperuserOnlyAdmin any id, another academy's person's too, answers 404.
for _model in (EmailAddress, SocialAccount, SocialToken):
    _allauth_admin = type(admin.site.get_model_admin(_model))
    admin.site.unregister(_model)
    admin.site.register(
        _model, type(_allauth_admin.__name__, (SuperuserOnlyAdmin, _allauth_admin), {})
    )


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
    actions = ("activate_profiles", "deactivate_profiles", "change_role", "unlock_login")
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
        (_("Language and time zone"), {"fields": ("language", "timezone")}),
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
        if obj is not None:
            # A role and an academy change only through their confirmation
            # pages, which write the audit rows (role_change, profile_move); a
            # forged "role" or "organization" in the POST is ignored.
            readonly += ("role_with_change_link", "role_history")
            # Organization admins already see "organization" read-only
            # (TenantScopedAdmin); the operator gets the link to the move page.
            if is_platform_operator(request):
                readonly += ("organization_with_change_link",)
        return readonly

    def get_fieldsets(self, request: HttpRequest, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None and not is_platform_operator(request):
            # The organization is forced to the admin's own; no need to show it.
            return _without_field(fieldsets, "organization")
        if obj is not None:
            fieldsets = _replace_field(fieldsets, "role", "role_with_change_link")
            if is_platform_operator(request):
                fieldsets = _replace_field(
                    fieldsets, "organization", "organization_with_change_link"
                )
            return [*fieldsets, (_("Role history"), {"fields": ("role_history",)})]
        return fieldsets

    def get_urls(self):
        opts = self.model._meta
        return [
            path(
                "<path:object_id>/role/",
                self.admin_site.admin_view(self.role_change_view),
                name=f"{opts.app_label}_{opts.model_name}_role",
            ),
            path(
                "<path:object_id>/organization/",
                self.admin_site.admin_view(self.organization_move_view),
                name=f"{opts.app_label}_{opts.model_name}_organization",
            ),
            *super().get_urls(),
        ]

    @admin.display(description=_("organization"))
    def organization_with_change_link(self, profile: Profile) -> str:
        name = profile.organization or gettext("none")
        url = reverse("admin:accounts_profile_organization", args=[quote(profile.pk)])
        return format_html(
            '{} · <a href="{}">{}</a>', name, url, gettext("Move to another academy…")
        )

    def organization_move_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """A platform operator moves one person to another academy, confirming
        the academy and a reason; the person becomes a student there."""
        if not is_platform_operator(request):
            raise Http404(gettext("No such object."))
        profile = self.get_object(request, unquote(object_id))
        change_url = reverse("admin:accounts_profile_change", args=[quote(profile.pk)])
        form = OrganizationMoveForm(request.POST or None, profile=profile)
        if request.method == "POST" and form.is_valid():
            try:
                profile_move(
                    profile=profile,
                    organization=form.cleaned_data["organization"],
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                )
            except (PermissionDenied, ValidationError) as error:
                form.add_error(None, _error_text(error))
            else:
                self.message_user(
                    request,
                    gettext("%(name)s now belongs to %(organization)s, as a student.")
                    % {"name": profile, "organization": profile.organization},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(change_url)
        return self._confirmation_page(
            request,
            "admin/accounts/profile/move.html",
            title=gettext("Move to another academy"),
            profile=profile,
            form=form,
            change_url=change_url,
        )

    @admin.display(description=_("role"))
    def role_with_change_link(self, profile: Profile) -> str:
        url = reverse("admin:accounts_profile_role", args=[quote(profile.pk)])
        return format_html(
            '{} · <a href="{}">{}</a>', profile.get_role_display(), url, gettext("Change role…")
        )

    @admin.display(description=_("role changes"))
    def role_history(self, profile: Profile) -> str:
        # Read-only text rather than an inline: no formset for the change form
        # to carry, and nothing an admin could edit or delete.
        changes = profile.role_changes.select_related("changed_by").order_by("-created_at")[:50]
        if not changes:
            return gettext("No role changes yet.")
        return format_html_join(
            mark_safe("<br>"),  # noqa: S308 (a constant)
            "{} · {} → {} · {}{}",
            (
                (
                    formats.date_format(
                        timezone.localtime(change.created_at), "SHORT_DATETIME_FORMAT"
                    ),
                    change.get_old_role_display(),
                    change.get_new_role_display(),
                    change.changed_by or gettext("unknown"),
                    f" · {change.reason}" if change.reason else "",
                )
                for change in changes
            ),
        )

    def role_change_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Confirm a role change for one person: the new role, an optional reason."""
        profile = self.get_object(request, unquote(object_id))  # 404 outside the scope
        if not self.has_change_permission(request, profile):
            raise PermissionDenied
        change_url = reverse("admin:accounts_profile_change", args=[quote(profile.pk)])
        form = RoleChangeForm(request.POST or None, initial={"new_role": profile.role})
        if request.method == "POST" and form.is_valid():
            try:
                role_change(
                    profile=profile,
                    new_role=form.cleaned_data["new_role"],
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                )
            except (PermissionDenied, ValidationError) as error:
                form.add_error(None, _error_text(error))
            else:
                self.message_user(
                    request,
                    gettext("%(name)s is now %(role)s.")
                    % {"name": profile, "role": profile.get_role_display()},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(change_url)
        return self._role_page(request, [profile], form, change_url=change_url)

    def _role_page(self, request, profiles, form, *, change_url=None, selected=None):
        return self._confirmation_page(
            request,
            "admin/accounts/profile/change_role.html",
            title=gettext("Change role"),
            profiles=profiles,
            form=form,
            change_url=change_url,
            selected=selected,
            action_checkbox_name=admin.helpers.ACTION_CHECKBOX_NAME,
        )

    def _confirmation_page(self, request, template: str, **context) -> TemplateResponse:
        """An admin page of ours (role change, move) in the admin's frame."""
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, **context}
        request.current_app = self.admin_site.name
        return TemplateResponse(request, template, context)

    @admin.action(description=_("Change role…"), permissions=("change",))
    def change_role(self, request: HttpRequest, queryset: QuerySet):
        """An intermediate page (like "Delete selected"): choose the role and a
        reason, confirm, then one audited change per person."""
        form = RoleChangeForm(request.POST if "confirm" in request.POST else None)
        if "confirm" in request.POST and form.is_valid():
            changed = 0
            for profile in queryset:
                try:
                    role_change(
                        profile=profile,
                        new_role=form.cleaned_data["new_role"],
                        by=request.user,
                        reason=form.cleaned_data["reason"],
                    )
                except (PermissionDenied, ValidationError) as error:
                    self.message_user(request, _error_text(error), messages.WARNING)
                else:
                    changed += 1
            self.message_user(
                request,
                ngettext("%(count)d role changed.", "%(count)d roles changed.", changed)
                % {"count": changed},
                messages.SUCCESS,
            )
            return None
        profiles = list(queryset)
        return self._role_page(request, profiles, form, selected=[p.pk for p in profiles])

    @admin.action(description=_("Unlock log-in"), permissions=("change",))
    def unlock_login(self, request: HttpRequest, queryset: QuerySet) -> None:
        """Clear failed log-in attempts (django-axes) for the selected people."""
        count = 0
        for email in queryset.values_list("email", flat=True):
            lockout_clear(email=email)
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d profile unlocked.", "%(count)d profiles unlocked.", count)
            % {"count": count},
            messages.SUCCESS,
        )

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


def _error_text(error: Exception) -> str:
    return " ".join(getattr(error, "messages", None) or [str(error)])


def _replace_field(fieldsets, field_name: str, replacement: str) -> list:
    return [
        (
            title,
            {
                **options,
                "fields": tuple(replacement if f == field_name else f for f in options["fields"]),
            },
        )
        for title, options in fieldsets
    ]


@admin.register(RoleChange)
class RoleChangeAdmin(TenantScopedAdmin):
    """The audit trail of role changes: read-only, for everyone."""

    organization_path = "profile__organization"
    list_display = ("created_at", "profile", "old_role", "new_role", "changed_by", "reason")
    list_filter = ("new_role",)
    list_select_related = ("profile", "changed_by")
    search_fields = ("profile__email", "profile__last_name", "profile__first_name", "reason")
    date_hierarchy = "created_at"
    fields = ("profile", "old_role", "new_role", "changed_by", "reason", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(OrganizationChange)
class OrganizationChangeAdmin(SuperuserOnlyAdmin):
    """The audit trail of moves between academies: read-only, for platform
    operators (the only people who move anyone)."""

    list_display = (
        "created_at",
        "profile",
        "old_organization",
        "new_organization",
        "old_role",
        "changed_by",
        "reason",
    )
    list_select_related = ("profile", "changed_by", "old_organization", "new_organization")
    search_fields = ("profile__email", "profile__last_name", "profile__first_name", "reason")
    date_hierarchy = "created_at"
    fields = (
        "profile",
        "old_organization",
        "new_organization",
        "old_role",
        "changed_by",
        "reason",
        "created_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


def _without_field(fieldsets, field_name: str) -> list:
    return [
        (title, {**options, "fields": tuple(f for f in options["fields"] if f != field_name)})
        for title, options in fieldsets
    ]


@admin.register(RoleAccessCode)
class RoleAccessCodeAdmin(TenantScopedAdmin):
    """Organization admins manage their own organization's codes (created in
    it, by them); the platform operator manages all."""

    organization_path = "organization"
    list_display = (
        "code",
        "role",
        "organization",
        "expiry_date",
        "uses",
        "is_valid",
        "created_by",
        "created_at",
    )
    list_filter = ("role", related_only("organization"))
    list_select_related = ("organization", "created_by")
    search_fields = ("code",)
    fields = (
        "code",
        "role",
        "organization",
        "expiry_date",
        "max_uses",
        "use_count",
        "created_by",
        "created_at",
    )
    readonly_fields = ("code", "use_count", "created_by", "created_at")
    date_hierarchy = "created_at"
    actions = ("expire_now",)

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        # The column is nullable only for rows the seed could hold (migration
        # 0004 expired them; they elevate nobody): a new code names its academy.
        if db_field.name == "organization":
            kwargs["required"] = True
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("still valid"), boolean=True)
    def is_valid(self, access_code: RoleAccessCode) -> bool:
        return access_code.organization_id is not None and access_code.is_usable

    @admin.display(description=_("uses"), ordering="use_count")
    def uses(self, access_code: RoleAccessCode) -> str:
        if access_code.max_uses is None:
            return str(access_code.use_count)
        return f"{access_code.use_count} / {access_code.max_uses}"

    def save_model(self, request: HttpRequest, obj: RoleAccessCode, form, change: bool) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Expire now"), permissions=("change",))
    def expire_now(self, request: HttpRequest, queryset: QuerySet) -> None:
        count = 0
        for code in queryset.select_related("organization"):
            access_code_expire(code=code, by=request.user)
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d code expired.", "%(count)d codes expired.", count)
            % {"count": count},
            messages.SUCCESS,
        )
