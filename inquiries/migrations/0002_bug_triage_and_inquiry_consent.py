"""Inquiries and bug reports (issue 12): what the seed lacks for a real form and triage.

inquiry additions:
- privacy_agreed_at: the public form asks for consent to collect the person's name
  and phone; the moment it was given is kept as proof (empty for rows from before).
- status_changed_at: when the pending -> processing -> completed | cancelled
  workflow last moved, shown to operators next to created_at and updated_at
  (updated_at also moves when only the notes change).

bug_reports additions:
- severity (low / normal / high / critical, default normal, CHECK): the reporter's
  own estimate, for triage.
- page_url, user_agent: the page the person was on (a path of this site only) and
  their browser, captured automatically; most reports cannot be reproduced without.
- answer, answered_at: one answer from the operators, shown on the reporter's
  report page. A single column rather than a table of replies: a report gets one
  explanation (edited if it changes), not a conversation.
- status_changed_at: when the status last moved.
- bug_reports_status_check: the seed's statuses (open, in_progress, resolved,
  closed) enforced by the database, like inquiry's.
"""

from django.conf import settings
from django.db import migrations, models

import core.db


class Migration(migrations.Migration):
    dependencies = [
        ("files", "0001_initial"),
        ("inquiries", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="bugreport",
            name="answer",
            field=models.TextField(
                blank=True,
                db_comment="운영자가 신고자에게 남긴 답변 (신고자가 자기 신고 화면에서 봄)",
                null=True,
                verbose_name="answer to the reporter",
            ),
        ),
        migrations.AddField(
            model_name="bugreport",
            name="answered_at",
            field=models.DateTimeField(
                blank=True,
                db_comment="답변이 마지막으로 바뀐 시각",
                editable=False,
                null=True,
                verbose_name="answered at",
            ),
        ),
        migrations.AddField(
            model_name="bugreport",
            name="page_url",
            field=models.TextField(
                blank=True,
                db_comment="신고할 때 보고 있던 이 사이트의 경로 (다른 사이트 주소는 저장하지 않음)",
                null=True,
                verbose_name="page",
            ),
        ),
        migrations.AddField(
            model_name="bugreport",
            name="severity",
            field=core.db.TextLineField(
                choices=[
                    ("low", "Low"),
                    ("normal", "Normal"),
                    ("high", "High"),
                    ("critical", "Critical"),
                ],
                db_comment="심각도: low, normal, high, critical (신고자가 고름)",
                db_default="normal",
                default="normal",
                verbose_name="severity",
            ),
        ),
        migrations.AddField(
            model_name="bugreport",
            name="status_changed_at",
            field=models.DateTimeField(
                blank=True,
                db_comment="처리 상태가 마지막으로 바뀐 시각",
                editable=False,
                null=True,
                verbose_name="status changed at",
            ),
        ),
        migrations.AddField(
            model_name="bugreport",
            name="user_agent",
            field=models.TextField(
                blank=True,
                db_comment="신고할 때의 브라우저 User-Agent (최대 500자)",
                null=True,
                verbose_name="browser",
            ),
        ),
        migrations.AddField(
            model_name="inquiry",
            name="privacy_agreed_at",
            field=models.DateTimeField(
                blank=True,
                db_comment="개인정보 수집·이용 동의 시각 (동의 항목 이전의 행은 비어 있음)",
                editable=False,
                null=True,
                verbose_name="privacy consent given at",
            ),
        ),
        migrations.AddField(
            model_name="inquiry",
            name="status_changed_at",
            field=models.DateTimeField(
                blank=True,
                db_comment="상담 처리 상태가 마지막으로 바뀐 시각",
                editable=False,
                null=True,
                verbose_name="status changed at",
            ),
        ),
        migrations.AddConstraint(
            model_name="bugreport",
            constraint=models.CheckConstraint(
                condition=models.Q(("status__in", ["open", "in_progress", "resolved", "closed"])),
                name="bug_reports_status_check",
            ),
        ),
        migrations.AddConstraint(
            model_name="bugreport",
            constraint=models.CheckConstraint(
                condition=models.Q(("severity__in", ["low", "normal", "high", "critical"])),
                name="bug_reports_severity_check",
            ),
        ),
    ]
