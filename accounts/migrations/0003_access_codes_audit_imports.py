"""Accounts (issue 5): access codes a real academy can hand out, an audit trail
of role changes, bulk student imports, and deleted accounts.

role_access_code additions:
- organization_id: a teacher code of one academy must not make a teacher in
  another; a code names the academy it is for.
- max_uses / use_count: a code may be limited to N sign-ups; use_count grows
  with an F() update in the sign-up transaction, and a CHECK keeps it within
  the limit even when two sign-ups race.
- created_by: who issued the code (shown to admins).
- role_access_code_code_uniq: a code identifies one row (the seed generated
  random UUIDs but did not promise uniqueness).

role_changes (new): who changed whose role, from what to what, when and why;
written by the admin action that changes roles.

student_imports (new): a CSV of students being previewed and created in the
background, with per-row problems, results and progress.

profiles.deleted_at: set when a person deletes their account; the row stays,
anonymised and inactive, so their posts remain under "deleted user".
"""

import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import core.db


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="RoleChange",
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
                    "old_role",
                    core.db.PostgresEnumField(
                        choices=[("user", "Student"), ("teacher", "Teacher"), ("admin", "Admin")],
                        enum_name="role",
                        max_length=32,
                        verbose_name="old role",
                    ),
                ),
                (
                    "new_role",
                    core.db.PostgresEnumField(
                        choices=[("user", "Student"), ("teacher", "Teacher"), ("admin", "Admin")],
                        enum_name="role",
                        max_length=32,
                        verbose_name="new role",
                    ),
                ),
                ("reason", models.TextField(blank=True, default="", verbose_name="reason")),
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
                "verbose_name": "role change",
                "verbose_name_plural": "role changes",
                "db_table": "role_changes",
                "ordering": ["-created_at"],
            },
        ),
        migrations.CreateModel(
            name="StudentImport",
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
                ("file_name", core.db.TextLineField(verbose_name="file name")),
                (
                    "status",
                    core.db.TextLineField(
                        choices=[
                            ("previewed", "Previewed"),
                            ("queued", "Queued"),
                            ("running", "Running"),
                            ("done", "Done"),
                            ("failed", "Failed"),
                        ],
                        db_default="previewed",
                        default="previewed",
                        verbose_name="status",
                    ),
                ),
                ("rows", models.JSONField(default=list, verbose_name="rows")),
                ("results", models.JSONField(default=list, verbose_name="results")),
                (
                    "total",
                    models.PositiveIntegerField(
                        db_default=0, default=0, verbose_name="rows in file"
                    ),
                ),
                (
                    "processed",
                    models.PositiveIntegerField(db_default=0, default=0, verbose_name="rows done"),
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
                "verbose_name": "student import",
                "verbose_name_plural": "student imports",
                "db_table": "student_imports",
                "ordering": ["-created_at"],
            },
        ),
        migrations.AddField(
            model_name="profile",
            name="deleted_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="account deleted at"),
        ),
        migrations.AddField(
            model_name="roleaccesscode",
            name="created_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="created by",
            ),
        ),
        migrations.AddField(
            model_name="roleaccesscode",
            name="max_uses",
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name="use limit"),
        ),
        migrations.AddField(
            model_name="roleaccesscode",
            name="organization",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="access_codes",
                to="accounts.organization",
                verbose_name="organization",
            ),
        ),
        migrations.AddField(
            model_name="roleaccesscode",
            name="use_count",
            field=models.PositiveIntegerField(db_default=0, default=0, verbose_name="uses"),
        ),
        migrations.AddConstraint(
            model_name="roleaccesscode",
            constraint=models.UniqueConstraint(fields=("code",), name="role_access_code_code_uniq"),
        ),
        migrations.AddConstraint(
            model_name="roleaccesscode",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("max_uses__isnull", True),
                    ("use_count__lte", models.F("max_uses")),
                    _connector="OR",
                ),
                name="role_access_code_within_limit",
            ),
        ),
        migrations.AddField(
            model_name="rolechange",
            name="changed_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="changed by",
            ),
        ),
        migrations.AddField(
            model_name="rolechange",
            name="profile",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="role_changes",
                to=settings.AUTH_USER_MODEL,
                verbose_name="person",
            ),
        ),
        migrations.AddField(
            model_name="studentimport",
            name="created_by",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="created by",
            ),
        ),
        migrations.AddField(
            model_name="studentimport",
            name="organization",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="accounts.organization",
                verbose_name="organization",
            ),
        ),
        migrations.AddConstraint(
            model_name="studentimport",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("status__in", ["previewed", "queued", "running", "done", "failed"])
                ),
                name="student_imports_status_check",
            ),
        ),
    ]
