"""Addition to the seed: points rows raise their journey's class version, which
keeps the cached leaderboards right (journeys' migration 0003 says why)."""

from django.db import migrations

from journeys.class_triggers import watch


class Migration(migrations.Migration):
    dependencies = [
        ("points", "0001_initial"),
        ("journeys", "0003_class_versions"),
    ]

    operations = [
        watch(
            "user_points",
            ("mission_instance_id",),
            ("mission_instance_id", "profile_id", "total_points"),
        ),
        watch(
            "team_points",
            ("mission_instance_id",),
            ("mission_instance_id", "team_id", "total_points"),
        ),
    ]
