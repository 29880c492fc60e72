"""Reads of the teams app: a journey's teams with their members, for the Team tab."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Exists, F, OuterRef, Prefetch

from accounts.models import Role
from accounts.selectors import public_name
from journeys.models import UserJourney
from teams.models import Team, TeamMember


@dataclass
class MemberRow:
    member: TeamMember
    name: str

    @property
    def profile(self):
        return self.member.user

    @property
    def is_leader(self) -> bool:
        return bool(self.member.is_leader)

    @property
    def initial(self) -> str:
        """The avatar's letter when there is no picture."""
        return self.name[:1].upper()


@dataclass
class TeamRow:
    team: Team
    members: list[MemberRow] = field(default_factory=list)

    @property
    def leader(self) -> MemberRow | None:
        return next((row for row in self.members if row.is_leader), None)

    @property
    def member_count(self) -> int:
        return len(self.members)

    def has_member(self, profile) -> bool:
        return any(row.member.user_id == profile.pk for row in self.members)

    @property
    def has_history(self) -> bool:
        """Posts or points refer to the team (so it cannot be deleted); known
        only when read ``with_history``."""
        return bool(
            getattr(self.team, "has_posts", False) or getattr(self.team, "has_points", False)
        )


def journey_teams(*, journey, with_history: bool = False) -> list[TeamRow]:
    """The journey's teams by name, each with its members (leader first, then by
    joining time) and their names to show; ``with_history`` also tells whether
    posts or points refer to each team. Two queries whatever the number of
    teams and members."""
    members = TeamMember.objects.select_related("user__profile_image_file").order_by(
        F("is_leader").desc(nulls_last=True), "joined_at", "created_at", "id"
    )
    teams = (
        Team.objects.filter(journey=journey)
        .prefetch_related(Prefetch("members", queryset=members))
        .order_by("name", "id")
    )
    if with_history:
        # Through the team's own relations: posts and points belong to apps
        # above teams (community, points), which this module does not import.
        same_team = Team.objects.filter(pk=OuterRef("pk"))
        teams = teams.annotate(
            has_posts=Exists(same_team.filter(posts__isnull=False)),
            has_points=Exists(same_team.filter(points__isnull=False)),
        )
    return [
        TeamRow(
            team=team,
            members=[MemberRow(member=m, name=public_name(m.user)) for m in team.members.all()],
        )
        for team in teams
    ]


def team_of(rows: list[TeamRow], profile) -> TeamRow | None:
    """``profile``'s team among ``rows`` (a student is in at most one per journey)."""
    return next((row for row in rows if row.has_member(profile)), None)


@dataclass(frozen=True)
class PersonRow:
    profile: object
    name: str


def students_without_team(*, journey) -> list[PersonRow]:
    """The journey's active students who are in none of its teams, by name (for
    teachers). One query."""
    in_a_team = TeamMember.objects.filter(user_id=OuterRef("user_id"), team__journey=journey)
    enrolments = (
        UserJourney.objects.filter(
            journey=journey,
            user__role=Role.USER,
            user__is_active=True,
            user__deleted_at__isnull=True,
        )
        .exclude(Exists(in_a_team))
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__email")
    )
    return [PersonRow(profile=row.user, name=public_name(row.user)) for row in enrolments]
