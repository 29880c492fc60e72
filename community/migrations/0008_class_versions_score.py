"""A regrade that changes only a submission's score (achieved 10 → achieved
8) raises its journey's class version too: the Submissions tab's matrix,
drawn once per version (submissions.views._first_matrix_page), shows scores."""

from django.db import migrations

from journeys.class_triggers import watch

POSTS_HOW = ("journey_id", "mission_instance_id")
POSTS_COLUMNS = (
    "journey_id",
    "mission_instance_id",
    "user_id",
    "team_id",
    "is_team_submission",
    "achievement_status",
)


def _replace_columns_trigger(columns: tuple[str, ...]) -> str:
    """SQL putting a trigger watching ``columns`` in place of the posts' UPDATE trigger."""
    watched = watch("posts", POSTS_HOW, columns, rows=False)
    return "DROP TRIGGER posts_class_columns ON posts;\n" + watched.sql


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0007_class_versions"),
    ]

    operations = [
        migrations.RunSQL(
            sql=_replace_columns_trigger((*POSTS_COLUMNS, "score")),
            reverse_sql=_replace_columns_trigger(POSTS_COLUMNS),
        ),
    ]
