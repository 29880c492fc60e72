"""Addition to the seed: mission instances (their week and dates decide what the
class-wide reads count) and reminders (the Submissions tab counts who was
reminded today) raise their journey's class version (journeys' migration
0003 says why)."""

from django.db import migrations

from journeys.class_triggers import watch


class Migration(migrations.Migration):
    dependencies = [
        ("missions", "0003_mission_reminders"),
        ("journeys", "0003_class_versions"),
    ]

    operations = [
        watch(
            "journey_mission_instances",
            ("journey_id",),
            ("journey_id", "journey_week_id", "mission_id", "release_date", "expiry_date"),
        ),
        watch("mission_reminders", ("mission_instance_id",), ("mission_instance_id", "profile_id")),
    ]
