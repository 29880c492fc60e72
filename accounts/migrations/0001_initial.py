"""The seed's organizations, profiles and role_access_code tables.

Mirrors the seed (spec/sqeeze-schema.md) column for column, with these
deliberate differences, each because the seed's version cannot work here:
- profiles.id defaults to gen_random_uuid(), not Supabase's auth.uid(), and
  has no foreign key to auth.users: profiles IS the user table (AUTH_USER_MODEL).
  Django's auth adds password, last_login, is_active and is_superuser.
- organizations.created_at/updated_at default to now(), not the seed's
  (now() AT TIME ZONE 'utc'): that expression yields a zone-less UTC wall
  clock which PostgreSQL reinterprets in the session's zone, so a session in
  Asia/Seoul would stamp rows nine hours early.
"""

import uuid

from django.db import migrations, models

import accounts.models
import core.db


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        # The seed's role enum: the database itself refuses any other role.
        migrations.RunSQL(
            sql="CREATE TYPE role AS ENUM ('user', 'teacher', 'admin');",
            reverse_sql="DROP TYPE role;",
        ),
        migrations.CreateModel(
            name="Profile",
            fields=[
                ("password", models.CharField(max_length=128, verbose_name="password")),
                (
                    "last_login",
                    models.DateTimeField(blank=True, null=True, verbose_name="last login"),
                ),
                (
                    "id",
                    models.UUIDField(
                        db_default=core.db.GenRandomUUID(),
                        default=uuid.uuid4,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                (
                    "first_name",
                    core.db.TextLineField(blank=True, null=True, verbose_name="first name"),
                ),
                (
                    "last_name",
                    core.db.TextLineField(blank=True, null=True, verbose_name="last name"),
                ),
                ("email", core.db.EmailTextField(unique=True, verbose_name="e-mail")),
                ("phone", core.db.TextLineField(blank=True, null=True, verbose_name="phone")),
                (
                    "profile_image",
                    models.TextField(
                        blank=True, null=True, verbose_name="profile image URL (legacy)"
                    ),
                ),
                (
                    "marketing_opt_in",
                    models.BooleanField(
                        db_default=False, default=False, verbose_name="marketing consent"
                    ),
                ),
                (
                    "privacy_agreed",
                    models.BooleanField(
                        db_default=False, default=False, verbose_name="privacy consent"
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(
                        db_default=core.db.DatabaseNow(),
                        editable=False,
                        null=True,
                        verbose_name="created at",
                    ),
                ),
                (
                    "updated_at",
                    models.DateTimeField(
                        auto_now=True,
                        db_default=core.db.DatabaseNow(),
                        null=True,
                        verbose_name="updated at",
                    ),
                ),
                (
                    "role",
                    core.db.PostgresEnumField(
                        choices=[("user", "Student"), ("teacher", "Teacher"), ("admin", "Admin")],
                        db_default="user",
                        default="user",
                        enum_name="role",
                        max_length=32,
                        verbose_name="role",
                    ),
                ),
                (
                    "push_subscription",
                    models.TextField(
                        blank=True, null=True, verbose_name="push subscription (legacy)"
                    ),
                ),
                (
                    "is_active",
                    models.BooleanField(db_default=True, default=True, verbose_name="active"),
                ),
                (
                    "is_superuser",
                    models.BooleanField(
                        db_default=False,
                        default=False,
                        help_text="Can manage every organization in Django admin.",
                        verbose_name="platform operator",
                    ),
                ),
            ],
            options={
                "verbose_name": "profile",
                "verbose_name_plural": "profiles",
                "db_table": "profiles",
                "ordering": ["last_name", "first_name", "email"],
            },
            managers=[
                ("objects", accounts.models.ProfileManager()),
            ],
        ),
        migrations.CreateModel(
            name="Organization",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        db_default=core.db.GenRandomUUID(),
                        default=uuid.uuid4,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                ("name", core.db.TextLineField(verbose_name="name")),
                (
                    "description",
                    models.TextField(blank=True, null=True, verbose_name="description"),
                ),
                (
                    "created_at",
                    models.DateTimeField(
                        db_default=core.db.DatabaseNow(),
                        editable=False,
                        null=True,
                        verbose_name="created at",
                    ),
                ),
                (
                    "updated_at",
                    models.DateTimeField(
                        auto_now=True,
                        db_default=core.db.DatabaseNow(),
                        null=True,
                        verbose_name="updated at",
                    ),
                ),
            ],
            options={
                "verbose_name": "organization",
                "verbose_name_plural": "organizations",
                "db_table": "organizations",
                "ordering": ["name"],
            },
        ),
        migrations.CreateModel(
            name="RoleAccessCode",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        db_default=core.db.GenRandomUUID(),
                        default=uuid.uuid4,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                (
                    "role",
                    core.db.PostgresEnumField(
                        choices=[("user", "Student"), ("teacher", "Teacher"), ("admin", "Admin")],
                        enum_name="role",
                        max_length=32,
                        verbose_name="role",
                    ),
                ),
                (
                    "code",
                    models.UUIDField(
                        blank=True,
                        db_default=core.db.GenRandomUUID(),
                        default=uuid.uuid4,
                        null=True,
                        verbose_name="code",
                    ),
                ),
                (
                    "expiry_date",
                    models.DateTimeField(blank=True, null=True, verbose_name="expires at"),
                ),
                (
                    "created_at",
                    models.DateTimeField(
                        db_default=core.db.DatabaseNow(),
                        editable=False,
                        null=True,
                        verbose_name="created at",
                    ),
                ),
            ],
            options={
                "verbose_name": "role access code",
                "verbose_name_plural": "role access codes",
                "db_table": "role_access_code",
                "ordering": ["-created_at"],
            },
        ),
    ]
