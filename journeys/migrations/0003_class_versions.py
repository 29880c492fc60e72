"""Addition to the seed: ``journey_class_versions``, one number per journey that
PostgreSQL raises whenever something the class-wide reads (the leaderboards,
the Submissions tab's totals) depend on changes. Those reads are kept in the
cache under that number (``journeys.class_cache``), so they are computed once
per change of the class instead of once per request, and never served after
a change, whichever path made it: a service, Django admin, plain SQL or a
cascade. Triggers, not application code, raise it for that reason
(``journeys.class_triggers``); this migration creates the table, the functions,
a row per journey (and for each new one), and watches enrolments and the
people's names, roles, zones and pictures. The other apps watch their own
tables in their ``class_versions`` migrations."""

import django.db.models.deletion
from django.db import migrations, models

from journeys.class_triggers import FUNCTIONS_REVERSE_SQL, FUNCTIONS_SQL, watch

PERSON_COLUMNS = (
    "first_name",
    "last_name",
    "email",
    "role",
    "deleted_at",
    "is_active",
    "timezone",
    "profile_image",
    "profile_image_file_id",
)


class Migration(migrations.Migration):
    dependencies = [
        ("journeys", "0002_invite_token"),
        ("accounts", "0005_profile_language_and_timezone"),
    ]

    operations = [
        migrations.CreateModel(
            name="ClassVersion",
            fields=[
                (
                    "journey",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="class_version",
                        serialize=False,
                        to="journeys.journey",
                        verbose_name="journey",
                    ),
                ),
                (
                    "version",
                    models.BigIntegerField(db_default=0, default=0, verbose_name="version"),
                ),
            ],
            options={
                "verbose_name": "class version",
                "verbose_name_plural": "class versions",
                "db_table": "journey_class_versions",
                "db_table_comment": "Raised by triggers when a journey's class-wide data changes",
            },
        ),
        migrations.RunSQL(sql=FUNCTIONS_SQL, reverse_sql=FUNCTIONS_REVERSE_SQL),
        watch("user_journeys", ("journey_id",), ("journey_id", "user_id", "role_in_journey")),
        watch("profiles", ("person",), PERSON_COLUMNS, rows=False),
    ]
