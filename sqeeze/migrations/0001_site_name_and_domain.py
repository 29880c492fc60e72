"""The Site record (SITE_ID) says SITE_NAME and SITE_URL's domain instead of
Django's "example.com", which allauth's mails showed in every subject and
greeting. Every later ``migrate`` sets it again (sqeeze.sites), so a changed
SITE_NAME or SITE_URL takes effect too; this migration covers a new database."""

from django.db import migrations

from sqeeze.sites import site_sync


def forwards(apps, schema_editor):
    site_sync(site_model=apps.get_model("sites", "Site"), using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [("sites", "0002_alter_domain_unique")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
