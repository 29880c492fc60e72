"""Turning the demo's data into rows: the state one run shares, the helpers
every step uses, and :func:`seed_demo`, which runs the steps in order.

The steps live by subject: ``classroom`` (academies, people, missions,
journeys, teams), ``activity`` (submissions, grades, points, comments, likes),
``inbox`` (notifications and e-mails) and ``public`` (blog, problem reports,
inquiries).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import models
from django.utils import timezone

from accounts.models import Organization, Profile
from journeys.models import Journey
from missions.models import JourneyMissionInstance, Mission
from notifications.models import Notification
from sqeeze.demo.specs import DEMO_PASSWORD, JourneySpec, MissionSpec, TeamSpec
from teams.models import Team

ModelT = TypeVar("ModelT", bound=models.Model)


@dataclass
class SeedReport:
    """What a run wrote, per table: new rows and rows that were already there."""

    created: Counter[str] = field(default_factory=Counter)
    existing: Counter[str] = field(default_factory=Counter)
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # e-mail, role, org
    other_students: list[str] = field(default_factory=list)  # e-mails, same password

    def record(self, model: type[models.Model], *, created: bool) -> None:
        (self.created if created else self.existing)[model._meta.db_table] += 1

    def rows(self, table: str) -> int:
        return self.created[table] + self.existing[table]

    @property
    def tables(self) -> list[str]:
        return sorted(set(self.created) | set(self.existing))

    @property
    def total_created(self) -> int:
        return sum(self.created.values())

    @property
    def total_existing(self) -> int:
        return sum(self.existing.values())


@dataclass
class Slot:
    """One mission scheduled into one week of one journey."""

    journey_spec: JourneySpec
    journey: Journey
    week_number: int
    mission_spec: MissionSpec
    instance: JourneyMissionInstance

    @property
    def key(self) -> str:
        return f"{self.journey_spec.key}/{self.week_number}/{self.mission_spec.key}"


class DemoBuilder:
    """The state of one run: the clock it lays the demo out on, what it has
    written so far (looked up by the data's keys), and what it reports."""

    def __init__(self, *, now: dt.datetime, reset_passwords: bool = False) -> None:
        self.now = now
        self.tz = ZoneInfo(settings.DEFAULT_USER_TIMEZONE)
        self.today = timezone.localdate(now, self.tz)
        self.reset_passwords = reset_passwords
        self.report = SeedReport()
        self.organizations: dict[str, Organization] = {}
        self.people: dict[str, Profile] = {}
        self.missions: dict[str, Mission] = {}
        self.slots: list[Slot] = []
        self.teams: dict[str, list[tuple[Team, TeamSpec]]] = {}  # per journey key
        self.submitted: dict[str, set[str]] = {}  # e-mails per slot key, team members included
        # The notifications written, by (receiver e-mail, type, slot key), for the e-mails.
        self.inbox: dict[tuple[str, str, str], Notification] = {}
        self.cache: dict[tuple[object, ...], Any] = {}  # what several steps ask the app once

    # -- writing rows

    def upsert(self, model: type[ModelT], defaults: dict[str, Any], **lookup: Any) -> ModelT:
        """A row found by ``lookup`` and set to ``defaults``, or created: for the
        rows no service writes (each caller says why)."""
        row, created = model._default_manager.update_or_create(defaults=defaults, **lookup)
        self.report.record(model, created=created)
        return row

    def through_service(
        self,
        model: type[ModelT],
        found: ModelT | None,
        *,
        create: Callable[[], ModelT],
        refresh: Callable[[ModelT], ModelT] | None = None,
    ) -> ModelT:
        """A row written by the app's own service: ``create()`` when the data's key
        finds nothing (``found`` is None), else ``refresh(found)`` brings it back
        to the data. The service validates the demo like any input."""
        row = found if found is not None else create()
        if found is not None and refresh is not None:
            row = refresh(found)
        self.report.record(model, created=found is None)
        return row

    # -- the clock

    def at(self, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        """A wall-clock time on the users' calendar (stored as UTC by the database)."""
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=self.tz)

    def not_after_now(self, moment: dt.datetime) -> dt.datetime:
        # Nothing in the demo may have happened in the future.
        return min(moment, self.now - dt.timedelta(minutes=1))

    # -- lookups

    def slot(self, journey_key: str, mission_key: str) -> Slot:
        return next(
            slot
            for slot in self.slots
            if slot.journey_spec.key == journey_key and slot.mission_spec.key == mission_key
        )

    def team_spec(self, slot: Slot, team: Team) -> TeamSpec:
        return next(spec for row, spec in self.teams[slot.journey_spec.key] if row.pk == team.pk)

    @cached_property
    def demo_password_hash(self) -> str:
        # Hashed once and shared: the demo accounts publish one password anyway, and
        # hashing it per account would cost seconds on every fresh seed.
        return make_password(DEMO_PASSWORD)
