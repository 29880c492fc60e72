"""Addition to the seed: teams and their members raise their journey's class
version (team submissions count for every member; journeys' migration 0003
says why)."""

from django.db import migrations

from journeys.class_triggers import watch


class Migration(migrations.Migration):
    dependencies = [
        ("teams", "0001_initial"),
        ("journeys", "0003_class_versions"),
    ]

    operations = [
        watch("teams", ("journey_id",), ("journey_id", "name")),
        watch("team_members", ("team_id",), ("team_id", "user_id")),
    ]
