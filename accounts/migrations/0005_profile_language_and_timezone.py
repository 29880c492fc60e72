"""Every message in its reader's language and time zone (architecture issue:
one way to show a moment to a person, core.moments).

profiles additions:
- language: the language pages, e-mails, pushes, the digest and reminders are
  written in for this person; one of settings.LANGUAGES (a CHECK keeps plain
  SQL to those too). Chosen on the profile settings page or with the language
  switcher; recorded from the browser at sign-up. Empty: as the browser says on
  pages, the site's LANGUAGE_CODE where there is no browser (a worker).
- timezone: the IANA zone moments are shown in for this person (deadlines in
  reminders, times in the digest, dates on pages). Validated against the zone
  database in Python (zoneinfo.available_timezones(); a CHECK cannot ask it).
  Recorded from the browser at sign-up. Empty: DEFAULT_USER_TIMEZONE.

Nullable without a default: existing people keep today's behaviour until they
choose, and "not chosen" stays distinguishable from "chose the default".
"""

from django.db import migrations, models

import core.db
import core.moments


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_organization_changes_and_orphan_codes"),
    ]

    operations = [
        migrations.AddField(
            model_name="profile",
            name="language",
            field=core.db.TextLineField(
                blank=True,
                choices=[("ko", "Korean"), ("en", "English")],
                db_comment="이 사람의 언어 (settings.LANGUAGES의 코드; 비어 있으면 브라우저·기본 언어)",
                null=True,
                verbose_name="language",
            ),
        ),
        migrations.AddField(
            model_name="profile",
            name="timezone",
            field=core.db.TextLineField(
                blank=True,
                db_comment="이 사람의 시간대 (IANA 이름, 예: Asia/Seoul; 비어 있으면 기본 시간대)",
                null=True,
                validators=[core.moments.validate_zone],
                verbose_name="time zone",
            ),
        ),
        migrations.AddConstraint(
            model_name="profile",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("language__isnull", True), ("language__in", ["ko", "en"]), _connector="OR"
                ),
                name="profiles_language_check",
            ),
        ),
    ]
