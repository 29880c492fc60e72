"""Addition to the seed: an index of an academy's people by name
(organization, last name, first name, e-mail, id). The Members tab lists the
first people of the academy not yet in the class to add them; without it,
PostgreSQL read and sorted every person of the academy for fifty names, a cost
that grew with the academy. With it, the list walks the index in order and
stops at the fiftieth."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_profile_language_and_timezone"),
        ("files", "0001_initial"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="profile",
            index=models.Index(
                fields=["organization", "last_name", "first_name", "email", "id"],
                name="profiles_org_name_idx",
            ),
        ),
    ]
