"""``seed_demo``: the whole demo in one transaction, part by part (the
modules beside this one), on the builder's shared state."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from sqeeze.demo import activity, classroom, inbox, public
from sqeeze.demo.builder import DemoBuilder, SeedReport


def seed_demo(*, now: dt.datetime | None = None, reset_passwords: bool = False) -> SeedReport:
    """Create or refresh the demo data in one transaction and report what was written."""
    with transaction.atomic():
        demo = DemoBuilder(now=now or timezone.now(), reset_passwords=reset_passwords)
        classroom.seed_classroom(demo)
        for slot in demo.slots:
            activity.seed_submissions(demo, slot)
            activity.seed_insight_report(demo, slot)
            inbox.seed_new_mission_notices(demo, slot)
        activity.seed_scripted_comments(demo)
        inbox.seed_reminders(demo)
        inbox.seed_queued_emails(demo)
        public.seed_public_side(demo)
        return demo.report
