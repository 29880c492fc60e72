"""Organizations (tenants), profiles (the user model) and role access codes."""

from __future__ import annotations

from email.utils import formataddr

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.db import (
    EmailTextField,
    PostgresEnumField,
    TextLineField,
    created_at_field,
    updated_at_field,
    uuid_field,
    uuid_pk,
)
from core.links import safe_url
from core.moments import validate_zone


def is_hangul(text: str) -> bool:
    return any("\uac00" <= char <= "\ud7a3" for char in text)


class Role(models.TextChoices):
    """The seed's ``role`` enum, ranked student < teacher < admin."""

    USER = "user", _("Student")
    TEACHER = "teacher", _("Teacher")
    ADMIN = "admin", _("Admin")


ROLE_RANK = {Role.USER: 1, Role.TEACHER: 2, Role.ADMIN: 3}

# The apps whose models an organization admin may manage in Django admin
# (each admin class still scopes rows to the admin's own organization).
TENANT_ADMIN_APP_LABELS = frozenset(
    {
        "accounts",
        "journeys",
        "missions",
        "teams",
        "community",
        "points",
        "submissions",
        "files",
        "notifications",
        "inquiries",
    }
)


class Organization(models.Model):
    id = uuid_pk()
    name = TextLineField(_("name"))
    description = models.TextField(_("description"), null=True, blank=True)
    created_at = created_at_field()
    updated_at = updated_at_field()

    class Meta:
        db_table = "organizations"
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ProfileManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **fields) -> Profile:
        if not email:
            raise ValueError("A profile needs an e-mail address.")
        profile = self.model(email=self.normalize_email(email).lower(), **fields)
        profile.set_password(password)
        profile.save(using=self._db)
        return profile

    def create_user(self, email: str, password: str | None = None, **fields) -> Profile:
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields) -> Profile:
        fields["is_superuser"] = True
        fields.setdefault("role", Role.ADMIN)
        return self._create(email, password, **fields)

    def get_by_natural_key(self, email: str) -> Profile:
        return self.get(email__iexact=email)


class Profile(AbstractBaseUser):
    """One row per person: the seed's ``profiles`` plus what Django's auth needs
    (``password``, ``last_login``, ``is_active``, ``is_superuser``)."""

    id = uuid_pk()
    first_name = TextLineField(_("first name"), null=True, blank=True)
    last_name = TextLineField(_("last name"), null=True, blank=True)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="profiles",
        verbose_name=_("organization"),
    )
    email = EmailTextField(_("e-mail"), unique=True)
    phone = TextLineField(_("phone"), null=True, blank=True)
    profile_image = models.TextField(_("profile image URL (legacy)"), null=True, blank=True)
    profile_image_file = models.ForeignKey(
        "files.File",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("profile image"),
    )
    marketing_opt_in = models.BooleanField(_("marketing consent"), default=False, db_default=False)
    privacy_agreed = models.BooleanField(_("privacy consent"), default=False, db_default=False)
    created_at = created_at_field()
    updated_at = updated_at_field()
    role = PostgresEnumField(
        _("role"), enum_name="role", choices=Role.choices, default=Role.USER, db_default=Role.USER
    )
    push_subscription = models.TextField(_("push subscription (legacy)"), null=True, blank=True)

    # Addition (migration 0003): when the person deleted their account; the row
    # stays, anonymised, so their posts remain under "deleted user".
    deleted_at = models.DateTimeField(_("account deleted at"), null=True, blank=True)

    # Additions (migration 0005): the language and time zone every message to
    # this person is written in (core.moments). Empty: as their browser says
    # on pages, the site's default in e-mails and pushes.
    language = TextLineField(
        _("language"),
        choices=settings.LANGUAGES,
        null=True,
        blank=True,
        db_comment="이 사람의 언어 (settings.LANGUAGES의 코드; 비어 있으면 브라우저·기본 언어)",
    )
    timezone = TextLineField(
        _("time zone"),
        null=True,
        blank=True,
        validators=[validate_zone],
        db_comment="이 사람의 시간대 (IANA 이름, 예: Asia/Seoul; 비어 있으면 기본 시간대)",
    )

    # Django auth
    is_active = models.BooleanField(_("active"), default=True, db_default=True)
    is_superuser = models.BooleanField(
        _("platform operator"),
        default=False,
        db_default=False,
        help_text=_("Can manage every organization in Django admin."),
    )

    objects = ProfileManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        db_table = "profiles"
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")
        ordering = ["last_name", "first_name", "email"]
        constraints = [
            # Addition: "Kim@x.kr" and "kim@x.kr" are one person (the seed's
            # UNIQUE is case-sensitive).
            models.UniqueConstraint(Lower("email"), name="profiles_email_lower_uniq"),
            # Addition: a language the site has a catalog for, whoever writes the row.
            models.CheckConstraint(
                condition=Q(language__isnull=True)
                | Q(language__in=[code for code, _name in settings.LANGUAGES]),
                name="profiles_language_check",
            ),
        ]
        indexes = [
            # Addition: an academy's people by name (the Members tab's "add
            # people" list walks it to its first rows, whatever the academy's size).
            models.Index(
                fields=["organization", "last_name", "first_name", "email", "id"],
                name="profiles_org_name_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def image_url(self) -> str | None:
        """The profile image's address: the stored file, else the legacy URL column
        (http(s) or a site path only). Lists: ``select_related("profile_image_file")``."""
        # files.links.display_url's rule, written here because accounts sits
        # below files (files know their uploader, not the other way round).
        image = self.profile_image_file
        if image is not None and not image.is_deleted:
            return image.url
        return safe_url(self.profile_image)

    @property
    def full_name(self) -> str:
        """김민지 (family name first, no space), but Emma Smith."""
        last, first = (self.last_name or "").strip(), (self.first_name or "").strip()
        if is_hangul(last):
            return f"{last}{first}"
        return f"{first} {last}".strip()

    @property
    def mailbox(self) -> str:
        """Where an e-mail to this person goes: "김민지 <minji@…>", or the bare
        address when they have no name."""
        name = self.full_name
        return formataddr((name, self.email)) if name else self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.first_name or self.email

    def has_role_at_least(self, role: str, organization: Organization | None = None) -> bool:
        """Is this person at least ``role`` (in ``organization``, when given)?"""
        if not self.is_active:
            return False
        if organization is not None and self.organization_id != organization.pk:
            return False
        return ROLE_RANK[Role(self.role)] >= ROLE_RANK[Role(role)]

    @property
    def is_teacher(self) -> bool:
        return self.has_role_at_least(Role.TEACHER)

    @property
    def is_org_admin(self) -> bool:
        return self.has_role_at_least(Role.ADMIN)

    # Django admin: organization admins and platform operators get in; each
    # ModelAdmin then limits rows to the admin's organization.
    @property
    def is_staff(self) -> bool:
        return self.is_active and (self.is_superuser or self.role == Role.ADMIN)

    def has_perm(self, perm: str, obj=None) -> bool:
        return self.has_module_perms(perm.split(".", 1)[0])

    def has_perms(self, perm_list, obj=None) -> bool:
        return all(self.has_perm(perm, obj) for perm in perm_list)

    def has_module_perms(self, app_label: str) -> bool:
        if not self.is_active:
            return False
        if self.is_superuser:
            return True
        return self.role == Role.ADMIN and app_label in TENANT_ADMIN_APP_LABELS


class RoleAccessCodeQuerySet(models.QuerySet):
    def usable(self) -> RoleAccessCodeQuerySet:
        """Unexpired and not used up (``RoleAccessCode.is_usable`` in SQL); which
        academy a code is for is the caller's question."""
        return self.filter(
            Q(expiry_date__isnull=True) | Q(expiry_date__gt=timezone.now()),
            Q(max_uses__isnull=True) | Q(use_count__lt=F("max_uses")),
        )


class RoleAccessCode(models.Model):
    """A code handed out to teachers/admins; entering it at sign-up grants its role."""

    id = uuid_pk()
    role = PostgresEnumField(_("role"), enum_name="role", choices=Role.choices)
    code = uuid_field(verbose_name=_("code"), null=True, blank=True)
    expiry_date = models.DateTimeField(_("expires at"), null=True, blank=True)
    created_at = created_at_field()
    # Additions (migration 0003): a code works in one academy only, may be
    # limited to a number of sign-ups, and counts its uses (F() updates).
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="access_codes",
        verbose_name=_("organization"),
    )
    max_uses = models.PositiveIntegerField(_("use limit"), null=True, blank=True)
    use_count = models.PositiveIntegerField(_("uses"), default=0, db_default=0)
    created_by = models.ForeignKey(
        "accounts.Profile",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    objects = RoleAccessCodeQuerySet.as_manager()

    class Meta:
        db_table = "role_access_code"
        verbose_name = _("role access code")
        verbose_name_plural = _("role access codes")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["code"], name="role_access_code_code_uniq"),
            models.CheckConstraint(
                condition=Q(max_uses__isnull=True) | Q(use_count__lte=F("max_uses")),
                name="role_access_code_within_limit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} · {self.code}"

    @property
    def is_expired(self) -> bool:
        return self.expiry_date is not None and self.expiry_date <= timezone.now()

    @property
    def is_used_up(self) -> bool:
        return self.max_uses is not None and self.use_count >= self.max_uses

    @property
    def is_usable(self) -> bool:
        """Unexpired and not used up (``RoleAccessCode.objects.usable()`` in Python)."""
        return not self.is_expired and not self.is_used_up


class RoleChange(models.Model):
    """Audit trail: who changed whose role, from what to what, and when."""

    id = uuid_pk()
    profile = models.ForeignKey(
        Profile, on_delete=models.CASCADE, related_name="role_changes", verbose_name=_("person")
    )
    changed_by = models.ForeignKey(
        Profile,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    old_role = PostgresEnumField(_("old role"), enum_name="role", choices=Role.choices)
    new_role = PostgresEnumField(_("new role"), enum_name="role", choices=Role.choices)
    reason = models.TextField(_("reason"), blank=True, default="")
    created_at = created_at_field()

    class Meta:
        db_table = "role_changes"
        verbose_name = _("role change")
        verbose_name_plural = _("role changes")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.profile}: {self.old_role} → {self.new_role}"


class OrganizationChange(models.Model):
    """Audit trail: who moved whom from which academy to which, and when.

    Only a platform operator moves a person (``profile_move``); the role they
    had is kept here, because the move itself makes them a student."""

    id = uuid_pk()
    profile = models.ForeignKey(
        Profile,
        on_delete=models.CASCADE,
        related_name="organization_changes",
        verbose_name=_("person"),
    )
    changed_by = models.ForeignKey(
        Profile,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    old_organization = models.ForeignKey(
        Organization,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("old organization"),
    )
    new_organization = models.ForeignKey(
        Organization,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("new organization"),
    )
    old_role = PostgresEnumField(_("role before"), enum_name="role", choices=Role.choices)
    reason = models.TextField(_("reason"), blank=True, default="")
    created_at = created_at_field()

    class Meta:
        db_table = "organization_changes"
        verbose_name = _("organization change")
        verbose_name_plural = _("organization changes")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.profile}: {self.old_organization} → {self.new_organization}"


class ImportStatus(models.TextChoices):
    MAPPING = "mapping", _("Columns to match")
    PREVIEWED = "previewed", _("Previewed")
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class StudentImport(models.Model):
    """A bulk student creation from a CSV: its rows, their checks, and progress.

    ``table`` holds the file's header and cells until the import is queued;
    ``column_mapping`` which field each column was matched to (the teacher's
    next file starts from it); ``rows`` the rows built from them, with their
    problems (the preview); ``results`` one outcome per row once the Celery
    task has run."""

    id = uuid_pk()
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", verbose_name=_("organization")
    )
    created_by = models.ForeignKey(
        Profile, on_delete=models.CASCADE, related_name="+", verbose_name=_("created by")
    )
    file_name = TextLineField(_("file name"))
    status = TextLineField(
        _("status"),
        choices=ImportStatus.choices,
        default=ImportStatus.PREVIEWED,
        db_default=ImportStatus.PREVIEWED,
    )
    table = models.JSONField(_("file's header and cells"), default=dict, blank=True)
    column_mapping = models.JSONField(_("column mapping"), default=list, blank=True)
    rows = models.JSONField(_("rows"), default=list)
    results = models.JSONField(_("results"), default=list)
    total = models.PositiveIntegerField(_("rows in file"), default=0, db_default=0)
    processed = models.PositiveIntegerField(_("rows done"), default=0, db_default=0)
    created_at = created_at_field()
    updated_at = updated_at_field()

    class Meta:
        db_table = "student_imports"
        verbose_name = _("student import")
        verbose_name_plural = _("student imports")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ImportStatus.values), name="student_imports_status_check"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"
