"""Shared scenarios (DESIGN.md): the situations many tests start from, said once.

``ClassScenario.build`` makes "a class with students": one journey of an
organization, its students (the conftest ones and new classmates, by the name
the test knows them by), optionally its teacher, numbered weeks, scheduled
missions and teams. Tests add what is particular to them (posts, points,
strangers) on top, and their fixtures pick what they need from the result.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from accounts.models import Organization, Profile, Role
from journeys.models import Journey, JourneyWeek
from missions.models import JourneyMissionInstance
from teams.models import Team
from tests.factories import (
    JourneyFactory,
    JourneyWeekFactory,
    MissionFactory,
    MissionInstanceFactory,
    ProfileFactory,
    TeamFactory,
    TeamMemberFactory,
    UserJourneyFactory,
)


@dataclass(frozen=True)
class Classmate:
    """A student the scenario creates in the organization."""

    first_name: str
    last_name: str


@dataclass(frozen=True)
class MissionAt:
    """A mission scheduled in week ``week`` (1-based). ``opens``/``closes`` are
    offsets from now; left out, the factory's window (opened yesterday, closes
    in six days) applies. ``name=None`` takes the factory's name."""

    name: str | None = None
    week: int = 1
    kind: str = "individual"
    points: int = 10
    opens: dt.timedelta | None = None
    closes: dt.timedelta | None = None
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class TeamOf:
    """A team of the journey; members and leader by their scenario names."""

    name: str
    members: tuple[str, ...] = ()
    leader: str | None = None


@dataclass
class ClassScenario:
    organization: Organization
    journey: Journey
    teacher: Profile | None
    students: dict[str, Profile]
    weeks: list[JourneyWeek]
    missions: list[JourneyMissionInstance]
    teams: dict[str, Team]

    @property
    def week(self) -> JourneyWeek:
        return self.weeks[0]

    def mission(self, name: str) -> JourneyMissionInstance:
        [instance] = [m for m in self.missions if m.mission.name == name]
        return instance

    @classmethod
    def build(
        cls,
        organization: Organization,
        *,
        journey_name: str | None = None,
        journey_dates: tuple[dt.date, dt.date] | None = None,
        students: dict[str, Profile | Classmate] | None = None,
        teacher: Profile | None = None,
        enrol_teacher: bool = False,
        weeks: int = 1,
        missions: tuple[MissionAt, ...] = (),
        teams: tuple[TeamOf, ...] = (),
    ) -> ClassScenario:
        """Everything is made in a fixed order (journey, people, enrolments,
        weeks, missions, teams), so row ids follow the order given here."""
        journey_fields: dict = {"organization": organization}
        if journey_name is not None:
            journey_fields["name"] = journey_name
        if journey_dates is not None:
            journey_fields["date_start"], journey_fields["date_end"] = journey_dates
        journey = JourneyFactory(**journey_fields)

        people = {
            key: (
                ProfileFactory(
                    organization=organization,
                    role=Role.USER,
                    first_name=person.first_name,
                    last_name=person.last_name,
                )
                if isinstance(person, Classmate)
                else person
            )
            for key, person in (students or {}).items()
        }
        for person in people.values():
            UserJourneyFactory(journey=journey, user=person)
        if enrol_teacher:
            # Teachers are enrolled too (as in the demo); they are not students.
            UserJourneyFactory(journey=journey, user=teacher, role_in_journey=Role.TEACHER)

        journey_weeks = [
            JourneyWeekFactory(journey=journey, week_number=n, name=f"Week {n}")
            for n in range(1, weeks + 1)
        ]

        now = timezone.now()
        instances = []
        for spec in missions:
            mission_fields = {"organization": organization, "mission_type": spec.kind}
            mission_fields["points"] = spec.points
            if spec.name is not None:
                mission_fields["name"] = spec.name
            window = {}
            if spec.opens is not None:
                window["release_date"] = now + spec.opens
            if spec.closes is not None:
                window["expiry_date"] = now + spec.closes
            instances.append(
                MissionInstanceFactory(
                    journey_week=journey_weeks[spec.week - 1],
                    mission=MissionFactory(**mission_fields),
                    **window,
                    **spec.extra,
                )
            )

        journey_teams = {}
        for spec in teams:
            team = TeamFactory(journey=journey, name=spec.name)
            for key in spec.members:
                TeamMemberFactory(team=team, user=people[key], is_leader=key == spec.leader)
            journey_teams[spec.name] = team

        return cls(
            organization=organization,
            journey=journey,
            teacher=teacher,
            students=people,
            weeks=journey_weeks,
            missions=instances,
            teams=journey_teams,
        )
