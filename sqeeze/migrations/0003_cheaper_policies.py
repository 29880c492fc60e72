"""What Row Level Security cost the busiest pages, taken back (issue 15;
``make bench-compare BASE=093a14c`` measured it: the post page cost 19 % more
CPU per request than before RLS, the grading panel 17 %, the exports' downloads
20 %).

1. ``sqeeze_enrolled_journeys()`` (a student's posts policy) becomes PL/pgSQL.
   As an SQL function it was not inlined (it aggregates), so its query was
   planned again at every query of posts: 0.18 ms of the post page's 0.47.
   PL/pgSQL keeps the plan for the connection's life: 0.04 ms.
2. The triggers that fill ``organization_id`` from the parent row use a generic
   plan. Their lookup (``WHERE id = NEW.key``, under the parent's policies) was
   planned at each call: a post's first view a day cost 0.15 ms in its trigger,
   now 0.05. ``core.rls.organization_column`` says the same for new tables.
3. ``notifications_unread_idx`` carries ``organization_id``: the unread badge,
   on every page, is again counted from the index alone (0.26 ms for a teacher
   with many unread, now 0.03 as before RLS). Django's state keeps the index as
   notifications' migrations declare it (INCLUDE adds no key column).
"""

import importlib

from django.db import migrations

rls_tables = importlib.import_module("sqeeze.migrations.0002_row_level_security")

ENROLLED_JOURNEYS = """
CREATE OR REPLACE FUNCTION sqeeze_enrolled_journeys() RETURNS uuid[]
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    AS $$
BEGIN
    RETURN (SELECT coalesce(array_agg(journey_id), '{}') FROM user_journeys
            WHERE user_id = (SELECT sqeeze_person()));
END $$;
"""

UNREAD_INDEX = """
DROP INDEX IF EXISTS notifications_unread_idx;
CREATE INDEX notifications_unread_idx ON notifications (receiver_id)
    INCLUDE (organization_id) WHERE read_at IS NULL;
"""
UNREAD_INDEX_BEFORE = """
DROP INDEX IF EXISTS notifications_unread_idx;
CREATE INDEX notifications_unread_idx ON notifications (receiver_id) WHERE read_at IS NULL;
"""


def fill_functions(setting: str) -> str:
    return "\n".join(
        f"ALTER FUNCTION sqeeze_fill_organization_{table}() {setting};"
        for table in rls_tables.ORGANIZATION_FROM_PARENT
    )


class Migration(migrations.Migration):
    dependencies = [("sqeeze", "0002_row_level_security")]

    operations = [
        migrations.RunSQL(ENROLLED_JOURNEYS, rls_tables.ENROLLED_JOURNEYS),
        migrations.RunSQL(
            fill_functions("SET plan_cache_mode = force_generic_plan"),
            fill_functions("RESET plan_cache_mode"),
        ),
        migrations.RunSQL(UNREAD_INDEX, UNREAD_INDEX_BEFORE),
    ]
