"""The triggers behind ``ClassVersion``: SQL for the migrations named
``class_versions``. Each app's migration watches its own tables with
``watch()``; the function they call is created once, by journeys' migration
(``FUNCTIONS_SQL``).

A trigger finds the journeys a changed row belongs to by the row's own columns
(TG_ARGV, read from the row as JSON so one function serves every table):

- ``journey_id``: the row's journey;
- ``mission_instance_id``: the journey of the row's mission instance;
- ``team_id``: the journey of the row's team;
- ``person``: every journey the row's person (``profiles.id``) is enrolled in.

An UPDATE counts only when one of the watched columns really changes (the
trigger's WHEN), so a view counter or a last log-in raises nothing. Versions
are locked in id order before they are raised, so two writers raising the
same journeys cannot deadlock; they are taken from a sequence, so none is
ever used twice.

Migrations import this module: change what it writes only together with a
new migration that replaces the triggers.
"""

from __future__ import annotations

from django.db import migrations

FUNCTIONS_SQL = """
-- Versions come from a sequence, never version + 1: a sequence does not go
-- back when a transaction rolls back, so a number a rolled-back write showed
-- (and rows cached under it) can never come back for other data.
CREATE SEQUENCE journey_class_version_seq;

CREATE FUNCTION bump_class_versions(journey_ids uuid[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM journey_class_versions
    WHERE journey_id = ANY(journey_ids) ORDER BY journey_id FOR NO KEY UPDATE;
    UPDATE journey_class_versions SET version = nextval('journey_class_version_seq')
    WHERE journey_id = ANY(journey_ids);
END $$;

CREATE FUNCTION class_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    changed jsonb[] := ARRAY[]::jsonb[];
    journey_ids uuid[] := ARRAY[]::uuid[];
    row_data jsonb;
    how text;
BEGIN
    IF TG_OP <> 'DELETE' THEN changed := changed || to_jsonb(NEW); END IF;
    IF TG_OP <> 'INSERT' THEN changed := changed || to_jsonb(OLD); END IF;
    FOREACH row_data IN ARRAY changed LOOP
        FOREACH how IN ARRAY TG_ARGV LOOP
            journey_ids := journey_ids || CASE how
                WHEN 'journey_id' THEN ARRAY[(row_data ->> 'journey_id')::uuid]
                WHEN 'mission_instance_id' THEN ARRAY(
                    SELECT journey_id FROM journey_mission_instances
                    WHERE id = (row_data ->> 'mission_instance_id')::uuid)
                WHEN 'team_id' THEN ARRAY(
                    SELECT journey_id FROM teams WHERE id = (row_data ->> 'team_id')::uuid)
                WHEN 'person' THEN ARRAY(
                    SELECT journey_id FROM user_journeys WHERE user_id = (row_data ->> 'id')::uuid)
            END;
        END LOOP;
    END LOOP;
    PERFORM bump_class_versions(journey_ids);
    RETURN NULL;
END $$;

CREATE FUNCTION class_version_for_new_journey() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO journey_class_versions (journey_id, version) VALUES (NEW.id, 0);
    RETURN NULL;
END $$;

CREATE TRIGGER journeys_class_version AFTER INSERT ON journeys
FOR EACH ROW EXECUTE FUNCTION class_version_for_new_journey();

INSERT INTO journey_class_versions (journey_id, version) SELECT id, 0 FROM journeys;
"""

FUNCTIONS_REVERSE_SQL = """
DROP TRIGGER journeys_class_version ON journeys;
DROP FUNCTION class_version_for_new_journey();
DROP FUNCTION class_changed();
DROP FUNCTION bump_class_versions(uuid[]);
DROP SEQUENCE journey_class_version_seq;
"""


def watch(
    table: str, how: tuple[str, ...], columns: tuple[str, ...] = (), *, rows: bool = True
) -> migrations.RunSQL:
    """Raise the class version of the journeys of ``table``'s rows (found by
    ``how``) when a row is inserted or deleted (unless ``rows`` is False:
    another table's trigger sees those, as enrolments do for people) and,
    with ``columns``, when one of them changes."""
    arguments = ", ".join(f"'{way}'" for way in how)
    sql, reverse = [], []
    if rows:
        sql.append(
            f"CREATE TRIGGER {table}_class_rows AFTER INSERT OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION class_changed({arguments});"
        )
        reverse.append(f"DROP TRIGGER {table}_class_rows ON {table};")
    if columns:
        changed = " OR ".join(f"OLD.{column} IS DISTINCT FROM NEW.{column}" for column in columns)
        sql.append(
            f"CREATE TRIGGER {table}_class_columns AFTER UPDATE OF {', '.join(columns)} "
            f"ON {table} FOR EACH ROW WHEN ({changed}) "
            f"EXECUTE FUNCTION class_changed({arguments});"
        )
        reverse.append(f"DROP TRIGGER {table}_class_columns ON {table};")
    return migrations.RunSQL(sql="\n".join(sql), reverse_sql="\n".join(reverse))
