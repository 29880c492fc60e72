"""The seed's inquiry and bug_reports tables. The seed's COMMENT clauses on inquiry
become PostgreSQL table and column comments; its id defaults to
gen_random_uuid() where the seed says uuid_generate_v4() (see blog).
"""

import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import core.db


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("files", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="BugReport",
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
                ("title", core.db.TextLineField(verbose_name="title")),
                (
                    "description",
                    models.TextField(blank=True, null=True, verbose_name="description"),
                ),
                (
                    "file_url",
                    models.TextField(blank=True, null=True, verbose_name="screenshot URL (legacy)"),
                ),
                (
                    "status",
                    core.db.TextLineField(
                        blank=True,
                        choices=[
                            ("open", "Open"),
                            ("in_progress", "In progress"),
                            ("resolved", "Resolved"),
                            ("closed", "Closed"),
                        ],
                        db_default="open",
                        default="open",
                        null=True,
                        verbose_name="status",
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
                    "attachment_file",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="files.file",
                        verbose_name="screenshot",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="bug_reports",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="reported by",
                    ),
                ),
            ],
            options={
                "verbose_name": "bug report",
                "verbose_name_plural": "bug reports",
                "db_table": "bug_reports",
                "ordering": ["-created_at"],
            },
        ),
        migrations.CreateModel(
            name="Inquiry",
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
                ("name", core.db.TextLineField(db_comment="신청자 이름", verbose_name="name")),
                (
                    "phone",
                    core.db.TextLineField(db_comment="신청자 전화번호", verbose_name="phone"),
                ),
                (
                    "automation_needs",
                    models.TextField(
                        db_comment="자동화하고 싶은 내용", verbose_name="what to automate"
                    ),
                ),
                (
                    "current_tools",
                    models.TextField(
                        blank=True,
                        db_comment="현재 사용 중인 업무 툴",
                        null=True,
                        verbose_name="tools in use",
                    ),
                ),
                (
                    "tool_issues",
                    models.TextField(
                        blank=True,
                        db_comment="사용 중인 툴의 문제점",
                        null=True,
                        verbose_name="problems with those tools",
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(
                        db_comment="문의 생성 시각",
                        db_default=core.db.DatabaseNow(),
                        editable=False,
                        verbose_name="created at",
                    ),
                ),
                (
                    "updated_at",
                    models.DateTimeField(
                        auto_now=True,
                        db_comment="문의 수정 시각",
                        db_default=core.db.DatabaseNow(),
                        verbose_name="updated at",
                    ),
                ),
                (
                    "status",
                    core.db.TextLineField(
                        blank=True,
                        choices=[
                            ("pending", "Pending"),
                            ("processing", "Processing"),
                            ("completed", "Completed"),
                            ("cancelled", "Cancelled"),
                        ],
                        db_comment="상담 처리 상태",
                        db_default="pending",
                        default="pending",
                        null=True,
                        verbose_name="status",
                    ),
                ),
                (
                    "notes",
                    models.TextField(
                        blank=True, db_comment="관리자 메모", null=True, verbose_name="admin notes"
                    ),
                ),
            ],
            options={
                "verbose_name": "inquiry",
                "verbose_name_plural": "inquiries",
                "db_table": "inquiry",
                "db_table_comment": "학원 자동화 상담 신청 정보",
                "ordering": ["-created_at"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("status__in", ["pending", "processing", "completed", "cancelled"])
                        ),
                        name="inquiry_status_check",
                    )
                ],
            },
        ),
    ]
