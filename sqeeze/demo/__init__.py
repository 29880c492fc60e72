"""Demo data: two academies with their people, journeys, missions, submissions,
grades, points, teams, notifications, and the public side (blog, inquiries).

``python manage.py seed_demo`` calls :func:`seed_demo`.

Data and builder apart. The data (``data``, ``public_data``, shaped by
``specs``) says what the demo contains; the builder (``builder`` and its steps
``classroom``, ``activity``, ``inbox``, ``public``) writes it through the app's
own code wherever that can write a past: the teachers' services for missions,
journeys, weeks, scheduling and teams, ``points.services`` for points, and for
every notification the sending service's own message builder and receivers
plus ``notification_compose`` (``inbox`` says why not ``notification_send``
itself), so a demo notification says exactly what the app would have sent
(``tests/demo/test_demo_notifications.py`` replays each kind through the real
service). The remaining rows are upserts, each step saying why no service fits
(mostly: the service rightly refuses the past, or stamps "now").

Idempotent: every row is found again by a natural key (an e-mail, organization
and name, journey and week number, the unique constraints) or, where the seed
table has none, by a uuid5 primary key derived from a description of the row
(:func:`demo_uuid`). A rerun refreshes the rows, moving their dates along with
"now" so the demo stays current, and creates nothing new.

Dates are relative to the moment of seeding, laid out on the calendar users see
(``DEFAULT_USER_TIMEZONE``, Asia/Seoul) and stored in UTC.

Passwords: every demo account gets :data:`DEMO_PASSWORD` when it is created. A
rerun leaves a password someone changed alone, unless ``reset_passwords``.
"""

from sqeeze.demo.builder import DemoBuilder, SeedReport
from sqeeze.demo.seed import seed_demo
from sqeeze.demo.specs import DEMO_EMAIL_DOMAIN, DEMO_PASSWORD, demo_email, demo_uuid

__all__ = [
    "DEMO_EMAIL_DOMAIN",
    "DEMO_PASSWORD",
    "DemoBuilder",
    "SeedReport",
    "demo_email",
    "demo_uuid",
    "seed_demo",
]
