"""Shared Django admin building blocks: tenant scoping and platform-only tables.

Organization admins (role ``admin``, not superuser) reach Django admin for the
apps in ``accounts.models.TENANT_ADMIN_APP_LABELS``. Every ``ModelAdmin`` of a
tenant table derives from ``TenantScopedAdmin`` and names the lookup path from
its model to the ``Organization``; the mixin then limits

* the rows of the changelist, change, delete and history pages,
* the choices of every foreign key (select, autocomplete and inline forms),
* and what a saved form may point at

to the admin's own organization. Another organization's row answers 404,
exactly like a missing one (DESIGN.md, "Roles and tenancy").

Platform tables (blog, inquiries, e-mail queue, role access codes) derive from
``SuperuserOnlyAdmin``: organization admins do not even see them in the index.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.widgets import AdminEmailInputWidget, AdminTextInputWidget
from django.db.models import Model, QuerySet
from django.db.models.constants import LOOKUP_SEP
from django.forms import BaseForm
from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _

from core.db import EmailTextField, TextLineField

NOT_YOUR_ORGANIZATION = _("Choose a value that belongs to your organization.")


def is_platform_operator(request: HttpRequest) -> bool:
    """A Django superuser manages every organization; nobody else does."""
    user = request.user
    return bool(user.is_active and user.is_superuser)


def organization_id_of(obj: Model | None, path: str) -> Any:
    """Follow ``path`` ("team__journey__organization", or "pk" for an
    organization itself) from ``obj`` to an organization id.

    Returns None as soon as a link along the way is empty.
    """
    *hops, last = path.split(LOOKUP_SEP)
    for hop in hops:
        # An unset foreign key raises RelatedObjectDoesNotExist, an AttributeError.
        obj = getattr(obj, hop, None)
        if obj is None:
            return None
    if obj is None:
        return None
    if last == "pk":
        return obj.pk
    # The column itself (organization_id): no query for the last hop.
    return getattr(obj, obj._meta.get_field(last).attname)


def own_organization_column(path: str) -> str | None:
    """The model's own organization field, when ``path`` is just that column."""
    return path if LOOKUP_SEP not in path and path != "pk" else None


# Admin maps every TextField to a textarea, which would undo TextLineField's
# one-line input; the most specific class wins, so e-mail keeps its own widget.
ONE_LINE_TEXT_WIDGETS = {
    TextLineField: {"widget": AdminTextInputWidget},
    EmailTextField: {"widget": AdminEmailInputWidget},
}


class NotFoundForMissingObjectMixin:
    """Answer 404 for an object that is missing or outside the admin's scope.

    Django admin's default is a redirect to the index with a message; a real
    404 tells nothing about whether a row of another organization exists.
    """

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404(_("No such object."))
        return obj


class SuperuserOnlyAdmin(NotFoundForMissingObjectMixin, admin.ModelAdmin):
    """A platform table: only the platform operator sees or edits it."""

    formfield_overrides = ONE_LINE_TEXT_WIDGETS

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # Nobody else finds a row, so every id answers 404 (a 403 would confirm
        # that a row, perhaps about another academy's person, exists).
        queryset = super().get_queryset(request)
        return queryset if is_platform_operator(request) else queryset.none()

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_platform_operator(request)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return is_platform_operator(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_platform_operator(request)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return is_platform_operator(request)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return is_platform_operator(request)


class TenantScopedChoicesMixin:
    """Limit every foreign-key choice to rows the admin may see.

    The target model's own admin decides what that is (its ``scope_queryset``),
    so a choice list can never show more than the target's changelist would.
    Works for ``ModelAdmin`` and inlines alike. A model form validates the
    submitted id against this queryset, so a forged id of another
    organization's row is refused as an invalid choice.
    """

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        if not is_platform_operator(request) and "queryset" not in kwargs:
            kwargs["queryset"] = self.tenant_choices(db_field, request, kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def tenant_choices(self, db_field, request: HttpRequest, using: str | None) -> QuerySet:
        related_model = db_field.remote_field.model
        queryset = self.get_field_queryset(using, db_field, request)
        if queryset is None:
            queryset = related_model._default_manager.using(using).all()
        if self.admin_site.is_registered(related_model):
            target_admin = self.admin_site.get_model_admin(related_model)
            if isinstance(target_admin, TenantScopedAdmin):
                return target_admin.scope_queryset(request, queryset)
        # A target without tenant scoping is a platform table: offer nothing.
        return queryset.none()


def tenant_bound_form(form_class: type[BaseForm], path: str, organization_id: Any) -> type:
    """Wrap an admin form so that what it saves stays in ``organization_id``.

    A model with its own organization column gets it preset (the admin shows it
    read-only); for any other model the form refuses a value whose organization
    is not the admin's, including an empty one (a post without a journey would
    vanish from the admin's own lists).
    """
    first_hop, _sep, rest = path.partition(LOOKUP_SEP)
    own_column = own_organization_column(path)

    class TenantBoundForm(form_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            if own_column:
                attname = self.instance._meta.get_field(own_column).attname
                if getattr(self.instance, attname) is None:
                    setattr(self.instance, attname, organization_id)

        def clean(self):
            cleaned_data = super().clean()
            if first_hop in self.fields:
                if first_hop not in self.cleaned_data:
                    return cleaned_data  # the field already shows its own error
                found = organization_id_of(self.cleaned_data[first_hop], rest or "pk")
                if found != organization_id:
                    self.add_error(first_hop, NOT_YOUR_ORGANIZATION)
            elif organization_id_of(self.instance, path) != organization_id:
                self.add_error(None, NOT_YOUR_ORGANIZATION)
            return cleaned_data

    TenantBoundForm.__name__ = form_class.__name__
    TenantBoundForm.__qualname__ = form_class.__qualname__
    return TenantBoundForm


class TenantScopedAdmin(NotFoundForMissingObjectMixin, TenantScopedChoicesMixin, admin.ModelAdmin):
    """A tenant table: organization admins see and edit only their own rows.

    ``organization_path`` is the lookup from the model to its Organization,
    e.g. ``"journey__organization"``; ``"organization"`` for a model with its
    own column (then shown read-only and forced to the admin's organization).
    """

    organization_path: str = "organization"
    formfield_overrides = ONE_LINE_TEXT_WIDGETS

    def scope_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        """The rows of ``queryset`` that the requesting admin may see."""
        if is_platform_operator(request):
            return queryset
        organization_id = request.user.organization_id
        if organization_id is None:
            # Filtering on None would match rows *without* an organization.
            return queryset.none()
        return queryset.filter(**{self.organization_path: organization_id})

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return self.scope_queryset(request, super().get_queryset(request))

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        readonly = tuple(super().get_readonly_fields(request, obj))
        column = own_organization_column(self.organization_path)
        if column and not is_platform_operator(request) and column not in readonly:
            readonly += (column,)
        return readonly

    def get_form(self, request: HttpRequest, obj=None, change: bool = False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if is_platform_operator(request):
            return form
        return tenant_bound_form(form, self.organization_path, request.user.organization_id)

    def has_add_permission(self, request: HttpRequest) -> bool:
        # An admin without an organization could only create orphans.
        if not is_platform_operator(request) and request.user.organization_id is None:
            return False
        return super().has_add_permission(request)

    def save_model(self, request: HttpRequest, obj: Model, form, change: bool) -> None:
        column = own_organization_column(self.organization_path)
        if column and not is_platform_operator(request):
            # The form already presets it; this guards any other code path.
            setattr(obj, obj._meta.get_field(column).attname, request.user.organization_id)
        super().save_model(request, obj, form, change)


class TenantScopedTabularInline(TenantScopedChoicesMixin, admin.TabularInline):
    """An inline whose foreign-key choices are scoped like its parent's.

    Its rows need no filtering of their own: they hang off a parent object the
    admin could open only if it is in their organization.
    """

    extra = 0
    show_change_link = True
    formfield_overrides = ONE_LINE_TEXT_WIDGETS


def related_only(field_name: str) -> tuple[str, type[admin.RelatedOnlyFieldListFilter]]:
    """A list filter offering only related rows the admin can see.

    The default related filter would list every organization's rows by name.
    """
    return (field_name, admin.RelatedOnlyFieldListFilter)


def journey_from_parent(form, cleaned_data: dict, parent_field: str, mismatch: str) -> dict:
    """Rows that store their journey next to a parent (a post's mission, a mission's
    week) take the parent's journey when it is left empty, and refuse another one."""
    parent = cleaned_data.get(parent_field)
    if parent is None or parent.journey_id is None:
        return cleaned_data
    journey = cleaned_data.get("journey")
    if journey is None:
        cleaned_data["journey"] = parent.journey
    elif journey.pk != parent.journey_id:
        form.add_error("journey", mismatch)
    return cleaned_data
