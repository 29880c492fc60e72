"""Writes of the teams app: creating, joining and leaving a team.

The rules (issue 6, ORIGINAL.md): a student is in at most one team per journey;
only the journey's enrolled students create or join its teams; whoever creates
a team leads it; a leader who leaves hands the lead to the earliest-joined
member still there; a team left empty disappears unless it has history (posts
or points) worth keeping.

Concurrency: every service first locks the student's enrolment row
(``user_journeys``, SELECT … FOR UPDATE). Two requests of one student (two
tabs, a double click) therefore run one after the other, and the second sees
the membership the first made. Changes to one team's members also lock the
team row, so two members leaving at once cannot leave a team without a leader.
Locks are always taken in that order (enrolment, then team or journey).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import Profile, Role
from community.models import Post
from journeys.models import Journey, UserJourney
from points.models import TeamPoint
from teams.models import Team, TeamMember

TEAM_NAME_MAX_LENGTH = 50
TEAM_DESCRIPTION_MAX_LENGTH = 500


@dataclass(frozen=True)
class LeaveOutcome:
    """What leaving did, for the message the person sees."""

    new_leader: Profile | None
    team_deleted: bool


def team_create(*, journey: Journey, user: Profile, name: str, description: str = "") -> Team:
    """Create a team in ``journey`` with ``user`` as its leader and only member."""
    name = normalized_team_name(name)
    description = (description or "").strip()
    _check_team_fields(name=name, description=description)
    with transaction.atomic():
        _lock_student_enrolment(journey_id=journey.pk, user=user)
        _refuse_second_team(journey_id=journey.pk, user=user)
        # The database keeps names unique case-sensitively only; locking the
        # journey row (NO KEY: inserts referencing it still go ahead) makes two
        # students creating "Alpha" and "alpha" at once take turns, so the
        # case-insensitive check below sees the other's team.
        Journey.objects.select_for_update(no_key=True).filter(pk=journey.pk).exists()
        _refuse_taken_name(journey_id=journey.pk, name=name)
        try:
            with transaction.atomic():
                team = Team.objects.create(
                    journey_id=journey.pk, name=name, description=description or None
                )
        except IntegrityError:  # another writer (a teacher's rename) got there first
            raise _name_taken() from None
        TeamMember.objects.create(team=team, user=user, is_leader=True)
    return team


def team_join(*, team: Team, user: Profile) -> TeamMember:
    """Add ``user`` to ``team``. They lead it if it has no leader (an empty team)."""
    with transaction.atomic():
        _lock_student_enrolment(journey_id=team.journey_id, user=user)
        _refuse_second_team(journey_id=team.journey_id, user=user)
        _lock_team(team)
        has_leader = TeamMember.objects.filter(team=team, is_leader=True).exists()
        return TeamMember.objects.create(team=team, user=user, is_leader=not has_leader)


def team_leave(*, team: Team, user: Profile) -> LeaveOutcome:
    """Take ``user`` out of ``team``; hand over the lead, or remove an empty team."""
    with transaction.atomic():
        _lock_student_enrolment(journey_id=team.journey_id, user=user)
        _lock_team(team)
        membership = TeamMember.objects.filter(team=team, user=user).first()
        if membership is None:
            raise ValidationError(_("You are not a member of this team."))
        membership.delete()

        successor = (
            TeamMember.objects.filter(team=team)
            .select_related("user")
            .order_by("joined_at", "created_at", "id")
            .first()
        )
        if successor is None:
            return LeaveOutcome(new_leader=None, team_deleted=_delete_if_without_history(team))
        if membership.is_leader:
            TeamMember.objects.filter(pk=successor.pk).update(is_leader=True)
            return LeaveOutcome(new_leader=successor.user, team_deleted=False)
        return LeaveOutcome(new_leader=None, team_deleted=False)


# --- helpers ------------------------------------------------------------------


def normalized_team_name(name: str) -> str:
    """One space between words: "Team  Blaze " and "Team Blaze" are one name."""
    return " ".join((name or "").split())


def _check_team_fields(*, name: str, description: str) -> None:
    errors = {}
    if not name:
        errors["name"] = _("Enter a team name.")
    elif len(name) > TEAM_NAME_MAX_LENGTH:
        errors["name"] = _("A team name can have at most %(limit)d characters.") % {
            "limit": TEAM_NAME_MAX_LENGTH
        }
    if len(description) > TEAM_DESCRIPTION_MAX_LENGTH:
        errors["description"] = _("A description can have at most %(limit)d characters.") % {
            "limit": TEAM_DESCRIPTION_MAX_LENGTH
        }
    if errors:
        raise ValidationError(errors)


def _refuse_taken_name(*, journey_id, name: str) -> None:
    if Team.objects.filter(journey_id=journey_id, name__iexact=name).exists():
        raise _name_taken()


def _name_taken() -> ValidationError:
    return ValidationError({"name": _("A team with this name already exists in this journey.")})


def _lock_student_enrolment(*, journey_id, user: Profile) -> UserJourney:
    """Lock ``user``'s enrolment in the journey; only enrolled students have one
    that counts. Everyone else (teachers included) may not be in its teams."""
    enrolment = None
    if user.is_active and user.role == Role.USER:
        enrolment = (
            UserJourney.objects.select_for_update()
            .filter(journey_id=journey_id, user_id=user.pk)
            .first()
        )
    if enrolment is None:
        raise PermissionDenied(_("Only students of this journey can be in its teams."))
    return enrolment


def _refuse_second_team(*, journey_id, user: Profile) -> None:
    if TeamMember.objects.filter(team__journey_id=journey_id, user_id=user.pk).exists():
        raise ValidationError(
            _("You are already in a team in this journey. Leave it first to join another.")
        )


def _lock_team(team: Team) -> None:
    # NO KEY UPDATE: new team_members rows (which take KEY SHARE on the team)
    # wait only for other writers of this team, not for readers.
    if not Team.objects.select_for_update(no_key=True).filter(pk=team.pk).exists():
        raise ValidationError(_("This team no longer exists."))


def _delete_if_without_history(team: Team) -> bool:
    """Delete an empty team unless posts or points refer to it: those keep
    their team (the team leaderboard, the feed) and someone may join it again."""
    has_history = (
        Post.objects.filter(team=team).exists() or TeamPoint.objects.filter(team=team).exists()
    )
    if has_history:
        return False
    team.delete()
    return True
