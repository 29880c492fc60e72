"""The class itself: academies, people, access codes, the mission library,
journeys with their weeks and scheduled missions, enrolments and teams.

Written through the teachers' own services where the app has one (missions,
journeys, weeks, scheduling, teams), so the demo passes the same checks as a
teacher's input and gets its status from the same lifecycle rule; the rest are
upserts, each saying why.
"""

from __future__ import annotations

import datetime as dt

from allauth.account.models import EmailAddress

from accounts.models import Organization, Profile, Role, RoleAccessCode
from journeys.models import Journey, JourneyWeek, UserJourney
from journeys.services import journey_create, journey_update
from missions.models import JourneyMissionInstance, Mission
from missions.questions import has_submissions, question_add
from missions.services import (
    instance_reschedule,
    instance_schedule,
    mission_create,
    mission_update,
    week_create,
    week_rename,
)
from sqeeze.demo.builder import DemoBuilder, Slot
from sqeeze.demo.data import (
    JOURNEYS,
    KEY_PEOPLE,
    MAIN_ORG,
    MISSION_QUESTIONS,
    MISSIONS,
    ORGANIZATIONS,
    PEOPLE,
    SUPERUSER,
    WEEKS_PER_JOURNEY,
)
from sqeeze.demo.specs import JourneySpec, PersonSpec, demo_phone, demo_uuid
from teams.models import Team, TeamMember
from teams.services import (
    team_create,
    team_join,
    team_leader_set,
    team_member_move,
    team_rename,
)


def seed_classroom(demo: DemoBuilder) -> None:
    seed_organizations(demo)
    seed_people(demo)
    seed_role_access_codes(demo)
    seed_missions(demo)
    for spec in JOURNEYS:
        seed_journey(demo, spec)


# --- academies and people ----------------------------------------------------------------


def seed_organizations(demo: DemoBuilder) -> None:
    # Upserts: academies are made by the platform operator in the admin, no service.
    for spec in ORGANIZATIONS:
        demo.organizations[spec.key] = demo.upsert(
            Organization, {"description": spec.description}, name=spec.name
        )


def seed_people(demo: DemoBuilder) -> None:
    for spec in PEOPLE:
        demo.people[spec.email] = seed_person(demo, spec)


def seed_person(demo: DemoBuilder, spec: PersonSpec) -> Profile:
    # Upserts: people arrive through the sign-up forms (allauth), not a service.
    organization = demo.organizations[spec.organization]
    profile = demo.upsert(
        Profile,
        {
            "first_name": spec.first_name,
            "last_name": spec.last_name,
            "organization": organization,
            "phone": demo_phone(spec.email),
            "role": spec.role,
            "is_superuser": spec.is_superuser,
            "is_active": True,
            "privacy_agreed": True,
            "marketing_opt_in": spec.marketing_opt_in,
        },
        email=spec.email,
    )
    if demo.reset_passwords or not profile.password:
        profile.password = demo.demo_password_hash
        profile.save(update_fields=["password"])
    # A verified address: the demo log-ins keep working when a deployment
    # switches ACCOUNT_EMAIL_VERIFICATION to "mandatory".
    demo.upsert(EmailAddress, {"verified": True, "primary": True}, user=profile, email=spec.email)
    record_login(demo, spec, organization)
    return profile


def record_login(demo: DemoBuilder, spec: PersonSpec, organization: Organization) -> None:
    if spec not in KEY_PEOPLE:
        demo.report.other_students.append(spec.email)
        return
    role = str(Role(spec.role).label)
    if spec.is_superuser:
        role = f"{role} + superuser"
    demo.report.logins.append((spec.email, role, organization.name))


def seed_role_access_codes(demo: DemoBuilder) -> None:
    # One code to hand to a new colleague, and one that ran out (refused at sign-up);
    # both of the main academy, so its teachers see the first on /people/codes/.
    # Upserts: access_code_create draws a new code each time and refuses a past
    # expiry, and the demo needs the same code on every run and one expired.
    for role, expires_in_days in ((Role.TEACHER, 30), (Role.ADMIN, -1)):
        demo.upsert(
            RoleAccessCode,
            {
                "role": role,
                "code": demo_uuid("role-access-code", role, "code"),
                "expiry_date": demo.now + dt.timedelta(days=expires_in_days),
                "organization": demo.organizations[MAIN_ORG],
                "created_by": demo.people[SUPERUSER.email],
            },
            id=demo_uuid("role-access-code", role),
        )


# --- missions, journeys, weeks, enrolments, teams ------------------------------------------


def seed_missions(demo: DemoBuilder) -> None:
    for spec in MISSIONS:
        organization = demo.organizations[spec.organization]
        fields = {
            "name": spec.name,
            "mission_type": spec.mission_type,
            "points": spec.points,
            "description": spec.description,
        }
        demo.missions[spec.key] = demo.through_service(
            Mission,
            Mission.objects.filter(organization=organization, name=spec.name).first(),
            create=lambda organization=organization, fields=fields: mission_create(
                organization=organization, **fields
            ),
            refresh=lambda mission, fields=fields: mission_update(mission=mission, **fields),
        )
        seed_questions(demo.missions[spec.key], MISSION_QUESTIONS.get(spec.key, ()))


def seed_questions(mission: Mission, questions) -> None:
    """A mission's questions, through the library's service. Written once: a
    rerun finds them. A demo seeded before the mission had questions keeps its
    free-text submissions: questions cannot be added to an answered mission."""
    if not questions or mission.questions.exists() or has_submissions(mission):
        return
    for question in questions:
        question_add(mission=mission, data=question)
    mission.refresh_from_db()


def seed_journey(demo: DemoBuilder, spec: JourneySpec) -> None:
    start = demo.today - dt.timedelta(days=spec.started_days_ago)
    teacher = demo.people[spec.teachers[0]]
    fields = {
        "by": teacher,
        "name": spec.name,
        "date_start": start,
        "date_end": start + dt.timedelta(days=7 * WEEKS_PER_JOURNEY - 1),
    }
    journey = demo.through_service(
        Journey,
        Journey.objects.filter(organization=demo.organizations[spec.organization], name=spec.name)
        .order_by("created_at", "id")
        .first(),
        create=lambda: journey_create(**fields),
        refresh=lambda journey: journey_update(journey=journey, **fields),
    )
    for week_number, mission_keys in enumerate(spec.weeks, start=1):
        name = f"{week_number}주차 · Week {week_number}"
        week = demo.through_service(
            JourneyWeek,
            JourneyWeek.objects.filter(journey=journey, week_number=week_number).first(),
            # Weeks are created in order, so week_create numbers them 1, 2, 3 …
            create=lambda name=name: week_create(journey=journey, name=name),
            refresh=lambda week, name=name: week_rename(week=week, name=name),
        )
        first_day = start + dt.timedelta(days=7 * (week_number - 1))
        for mission_key in mission_keys:
            seed_slot(demo, spec, week, first_day, mission_key)
    seed_enrolments(demo, spec, journey, joined_at=demo.at(start - dt.timedelta(days=3), 10))
    seed_teams(demo, spec, journey, formed_at=demo.at(start + dt.timedelta(days=1), 20))


def seed_slot(
    demo: DemoBuilder, spec: JourneySpec, week: JourneyWeek, first_day: dt.date, mission_key: str
) -> None:
    # Open from the week's first morning to its last night. The scheduling
    # services set the status by the lifecycle rule at the demo's "now".
    mission = demo.missions[mission_key]
    dates = {
        "release_date": demo.at(first_day, 9),
        "expiry_date": demo.at(first_day + dt.timedelta(days=6), 23, 59),
        "now": demo.now,
    }
    instance = demo.through_service(
        JourneyMissionInstance,
        JourneyMissionInstance.objects.filter(journey_week=week, mission=mission)
        .order_by("created_at", "id")
        .first(),
        create=lambda: instance_schedule(week=week, mission=mission, **dates),
        refresh=lambda instance: instance_reschedule(instance=instance, **dates),
    )
    # Read back as the app's services read it (dates in UTC, as payloads carry them).
    instance = JourneyMissionInstance.objects.select_related("mission", "journey").get(
        pk=instance.pk
    )
    mission_spec = next(m for m in MISSIONS if m.key == mission_key)
    demo.slots.append(Slot(spec, week.journey, week.week_number, mission_spec, instance))


def seed_enrolments(
    demo: DemoBuilder, spec: JourneySpec, journey: Journey, *, joined_at: dt.datetime
) -> None:
    # Upserts: journey_join refuses teachers (they see every journey of their
    # academy without joining; the demo enrols them as the original data did), and
    # for students it stamps the moment of joining, while the demo's joined three
    # days before the class started.
    members = [(email, "teacher") for email in spec.teachers]
    members += [(email, "user") for email in spec.students]
    for email, role_in_journey in members:
        demo.upsert(
            UserJourney,
            {"role_in_journey": role_in_journey, "joined_at": joined_at},
            user=demo.people[email],
            journey=journey,
        )


def seed_teams(
    demo: DemoBuilder, spec: JourneySpec, journey: Journey, *, formed_at: dt.datetime
) -> None:
    """Each team's leader creates it and the others join, as students do; a
    rerun puts back, through the teachers' services, what changed since."""
    teams = demo.teams.setdefault(spec.key, [])
    teacher = demo.people[spec.teachers[0]]
    for team_spec in spec.teams:
        members = [demo.people[email] for email in team_spec.members]
        leader = members[0]
        team_of = dict(  # each member's team in the journey before this run
            TeamMember.objects.filter(team__journey=journey, user__in=members).values_list(
                "user_id", "team_id"
            )
        )
        found = Team.objects.filter(journey=journey, name=team_spec.name).first()
        team = demo.through_service(
            Team,
            found,
            create=lambda team_spec=team_spec, leader=leader: team_create(
                journey=journey,
                user=leader,
                name=team_spec.name,
                description=team_spec.description,
            ),
            refresh=lambda team, team_spec=team_spec: team_rename(
                team=team, by=teacher, name=team_spec.name, description=team_spec.description
            ),
        )
        teams.append((team, team_spec))
        for student in members:
            was_in = team_of.get(student.pk)
            if was_in is not None and was_in != team.pk:
                team_member_move(student=student, to_team=team, by=teacher)
            elif was_in is None and not (found is None and student == leader):
                team_join(team=team, user=student)  # (team_create made the new team's leader)
            demo.report.record(TeamMember, created=was_in != team.pk)
        if not TeamMember.objects.filter(team=team, user=leader, is_leader=True).exists():
            team_leader_set(team=team, student=leader, by=teacher)
        # The services stamp the moment of joining; the demo's teams formed on the
        # class's second evening.
        TeamMember.objects.filter(team=team).update(joined_at=formed_at)
