"""Addition to student_imports (a table of Sqeeze's own, not in the seed):
a CSV's columns are matched to fields by the teacher when its header is not
one Sqeeze reads by itself (any column names, a single "이름" column holding
whole names).

- status gains "mapping": the file is stored, its columns wait to be matched;
- table: the file's header and cells ({"header": [...], "rows": [{"line",
  "cells"}]}), kept until the import is queued, so the columns can be matched
  again from the preview;
- column_mapping: the field each column was matched to ([{"header", "field"}]);
  the teacher's next file starts from it.
"""

from django.db import migrations, models

import core.db


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_people_by_name_index"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="studentimport",
            name="student_imports_status_check",
        ),
        migrations.AddField(
            model_name="studentimport",
            name="column_mapping",
            field=models.JSONField(blank=True, default=list, verbose_name="column mapping"),
        ),
        migrations.AddField(
            model_name="studentimport",
            name="table",
            field=models.JSONField(
                blank=True, default=dict, verbose_name="file's header and cells"
            ),
        ),
        migrations.AlterField(
            model_name="studentimport",
            name="status",
            field=core.db.TextLineField(
                choices=[
                    ("mapping", "Columns to match"),
                    ("previewed", "Previewed"),
                    ("queued", "Queued"),
                    ("running", "Running"),
                    ("done", "Done"),
                    ("failed", "Failed"),
                ],
                db_default="previewed",
                default="previewed",
                verbose_name="status",
            ),
        ),
        migrations.AddConstraint(
            model_name="studentimport",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("status__in", ["mapping", "previewed", "queued", "running", "done", "failed"])
                ),
                name="student_imports_status_check",
            ),
        ),
    ]
