from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    """The pages about people of an academy: profiles, role access codes and
    the CSV import of students. Its rows are the accounts app's; it sits above
    the apps whose data those pages show (files, posts, notifications)."""

    name = "people"
    verbose_name = _("People")
