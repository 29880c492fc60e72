"""Profiles' links to organizations and files (created after both tables exist),
and one addition:
- profiles.organization_id has no database default. The seed defaulted it to
  one hard-coded organization id of the original Supabase project; here a
  profile without an organization stays without one until sign-up or the
  profile-completion page asks, instead of landing in a stranger's academy.
- profiles_email_lower_uniq: e-mail is unique regardless of letter case
  ("Kim@x.kr" and "kim@x.kr" are one person); the seed's UNIQUE is case-sensitive.
"""

import django.db.models.deletion
import django.db.models.functions.text
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0001_initial"),
        ("files", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="profile",
            name="profile_image_file",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="files.file",
                verbose_name="profile image",
            ),
        ),
        migrations.AddField(
            model_name="profile",
            name="organization",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="profiles",
                to="accounts.organization",
                verbose_name="organization",
            ),
        ),
        migrations.AddConstraint(
            model_name="profile",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("email"), name="profiles_email_lower_uniq"
            ),
        ),
    ]
