"""Writes of the teams app: creating, joining and leaving a team (students),
and managing the teams of a journey (its teachers and admins).

The rules (issue 6, ORIGINAL.md): a student is in at most one team per journey;
only the journey's enrolled students create or join its teams; whoever creates
a team leads it; a leader who leaves hands the lead to the earliest-joined
member still there; a team left empty disappears unless it has history (posts
or points) worth keeping.

Teachers (issue 7) create empty teams, rename them, delete those without
history, put students into teams, move them between teams, take them out and
choose the leader. The same rules hold: names unique in the journey whatever
the case, one team per student and journey, exactly one leader in a team that
has members. A team a teacher empties stays (the teacher made it on purpose).

Concurrency: every service first locks the student's enrolment row
(``user_journeys``, SELECT … FOR UPDATE). Two requests of one student (two
tabs, a double click) therefore run one after the other, and the second sees
the membership the first made. Changes to one team's members also lock the
team row, so two members leaving at once cannot leave a team without a leader.
Locks are always taken in that order (enrolment, then journey, then teams;
two teams in the order of their ids).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, Value, When
from django.utils.translation import gettext as _

from accounts.models import Profile, Role
from accounts.selectors import public_name
from journeys.models import Journey, UserJourney
from journeys.selectors import can_manage_journey
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
        team = _insert_team(journey_id=journey.pk, name=name, description=description)
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

        if not TeamMember.objects.filter(team=team).exists():
            return LeaveOutcome(new_leader=None, team_deleted=_delete_if_without_history(team))
        successor = _hand_over_lead(team)
        return LeaveOutcome(new_leader=successor.user if successor else None, team_deleted=False)


# --- teachers managing a journey's teams ----------------------------------------------


def team_create_by_teacher(
    *, journey: Journey, by: Profile, name: str, description: str = ""
) -> Team:
    """Create an empty team in ``journey``; students are added to it afterwards
    (``team_member_assign``) or join it themselves."""
    _require_team_manager(by, journey)
    name = normalized_team_name(name)
    description = (description or "").strip()
    _check_team_fields(name=name, description=description)
    with transaction.atomic():
        return _insert_team(journey_id=journey.pk, name=name, description=description)


def team_rename(*, team: Team, by: Profile, name: str, description: str | None = None) -> Team:
    """Give ``team`` a new name (free in its journey, whatever the case) and,
    when ``description`` is not None, a new description."""
    _require_team_manager(by, team.journey)
    name = normalized_team_name(name)
    description = None if description is None else description.strip()
    _check_team_fields(name=name, description=description or "")
    with transaction.atomic():
        # The journey lock of team_create: a rename and a creation take turns.
        _lock_journey(team.journey_id)
        _refuse_taken_name(journey_id=team.journey_id, name=name, except_team=team)
        _lock_team(team)
        team.name = name
        fields = ["name", "updated_at"]
        if description is not None:
            team.description = description or None
            fields.append("description")
        try:
            with transaction.atomic():
                team.save(update_fields=fields)
        except IntegrityError:
            raise _name_taken() from None
    return team


def team_delete(*, team: Team, by: Profile) -> None:
    """Delete ``team`` and its memberships. Refused (``ValidationError``) when
    posts or points refer to it: the feed and the team leaderboard keep it."""
    _require_team_manager(by, team.journey)
    with transaction.atomic():
        # FOR UPDATE (not NO KEY): a team submission or points row being written
        # for this team right now holds a KEY SHARE lock; we wait for it and
        # then see it below.
        if not Team.objects.select_for_update().filter(pk=team.pk).exists():
            raise ValidationError(_("This team no longer exists."))
        if _has_history(team):
            raise ValidationError(
                _(
                    "%(team)s has posts or points, so it cannot be deleted. "
                    "Rename it or move its members instead."
                )
                % {"team": team.name}
            )
        team.delete()


def team_member_assign(*, team: Team, student: Profile, by: Profile) -> TeamMember:
    """Put ``student``, enrolled in the team's journey and in none of its teams,
    into ``team``. They lead it if it has no leader yet."""
    _require_team_manager(by, team.journey)
    with transaction.atomic():
        _lock_student_enrolment(journey_id=team.journey_id, user=student)
        _refuse_second_team(
            journey_id=team.journey_id,
            user=student,
            message=_("%(name)s is already in a team in this journey: move them instead.")
            % {"name": public_name(student)},
        )
        _lock_team(team)
        has_leader = TeamMember.objects.filter(team=team, is_leader=True).exists()
        return TeamMember.objects.create(team=team, user=student, is_leader=not has_leader)


def team_member_move(*, student: Profile, to_team: Team, by: Profile) -> TeamMember:
    """Move ``student`` from their team in the journey to ``to_team`` (same
    journey). The team they leave hands over its lead if they led it; they lead
    ``to_team`` only if it had no leader."""
    _require_team_manager(by, to_team.journey)
    with transaction.atomic():
        _lock_student_enrolment(journey_id=to_team.journey_id, user=student)
        current = (
            TeamMember.objects.filter(team__journey_id=to_team.journey_id, user_id=student.pk)
            .select_related("team")
            .first()
        )
        if current is None:
            raise ValidationError(
                _("%(name)s is not in a team yet: add them to one instead.")
                % {"name": public_name(student)}
            )
        if current.team_id == to_team.pk:
            raise ValidationError(
                _("%(name)s is already in %(team)s.")
                % {"name": public_name(student), "team": to_team.name}
            )
        for team in sorted((current.team, to_team), key=lambda t: str(t.pk)):
            _lock_team(team)
        current.delete()
        if current.is_leader:
            _hand_over_lead(current.team)
        has_leader = TeamMember.objects.filter(team=to_team, is_leader=True).exists()
        return TeamMember.objects.create(team=to_team, user=student, is_leader=not has_leader)


def team_member_remove(*, team: Team, student: Profile, by: Profile) -> None:
    """Take ``student`` out of ``team``; the lead passes on as when they leave.
    The team stays, even empty."""
    _require_team_manager(by, team.journey)
    with transaction.atomic():
        _lock_enrolment_if_any(journey_id=team.journey_id, user=student)
        _lock_team(team)
        _remove_member(team=team, user=student)


def team_leader_set(*, team: Team, student: Profile, by: Profile) -> None:
    """Make ``student``, a member of ``team``, its one leader."""
    _require_team_manager(by, team.journey)
    with transaction.atomic():
        _lock_team(team)
        if not TeamMember.objects.filter(team=team, user_id=student.pk).exists():
            raise ValidationError(
                _("%(name)s is not a member of %(team)s.")
                % {"name": public_name(student), "team": team.name}
            )
        # One statement: there is never a moment with two leaders or none.
        TeamMember.objects.filter(team=team).update(
            is_leader=Case(When(user_id=student.pk, then=Value(True)), default=Value(False))
        )


def team_memberships_end(*, journey: Journey, user: Profile) -> None:
    """Take ``user`` out of every team of ``journey`` (there is at most one),
    handing over the lead; for removing someone from the journey. The caller
    checks permissions and already holds the enrolment's lock."""
    for membership in TeamMember.objects.filter(team__journey_id=journey.pk, user_id=user.pk):
        team = Team(pk=membership.team_id, journey_id=journey.pk)
        _lock_team(team)
        _remove_member(team=team, user=user)


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


def _insert_team(*, journey_id, name: str, description: str) -> Team:
    """Insert a team whose name (already checked) is free in the journey."""
    # The database keeps names unique case-sensitively only; locking the
    # journey row (NO KEY: inserts referencing it still go ahead) makes two
    # people creating "Alpha" and "alpha" at once take turns, so the
    # case-insensitive check below sees the other's team.
    _lock_journey(journey_id)
    _refuse_taken_name(journey_id=journey_id, name=name)
    try:
        with transaction.atomic():
            return Team.objects.create(
                journey_id=journey_id, name=name, description=description or None
            )
    except IntegrityError:  # another writer got there first
        raise _name_taken() from None


def _lock_journey(journey_id) -> None:
    Journey.objects.select_for_update(no_key=True).filter(pk=journey_id).exists()


def _refuse_taken_name(*, journey_id, name: str, except_team: Team | None = None) -> None:
    taken = Team.objects.filter(journey_id=journey_id, name__iexact=name)
    if except_team is not None:
        taken = taken.exclude(pk=except_team.pk)
    if taken.exists():
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


def _refuse_second_team(*, journey_id, user: Profile, message: str | None = None) -> None:
    if TeamMember.objects.filter(team__journey_id=journey_id, user_id=user.pk).exists():
        raise ValidationError(
            message
            or _("You are already in a team in this journey. Leave it first to join another.")
        )


def _lock_enrolment_if_any(*, journey_id, user: Profile) -> None:
    """Lock ``user``'s enrolment when there is one (taking someone out of a team
    works even after their account or enrolment is gone)."""
    UserJourney.objects.select_for_update().filter(journey_id=journey_id, user_id=user.pk).exists()


def _require_team_manager(by: Profile, journey: Journey) -> None:
    if not can_manage_journey(by, journey):
        raise PermissionDenied(_("Only the journey's teachers can manage its teams."))


def _remove_member(*, team: Team, user: Profile) -> None:
    """Delete ``user``'s membership of the locked ``team`` and hand over the lead."""
    membership = TeamMember.objects.filter(team=team, user_id=user.pk).first()
    if membership is None:
        raise ValidationError(
            _("%(name)s is not a member of this team.") % {"name": public_name(user)}
        )
    membership.delete()
    if membership.is_leader:
        _hand_over_lead(team)


def _hand_over_lead(team: Team) -> TeamMember | None:
    """Make the earliest-joined member of the locked ``team`` its leader when it
    has members but no leader; returns that member (with ``user``), or None."""
    if TeamMember.objects.filter(team=team, is_leader=True).exists():
        return None
    successor = (
        TeamMember.objects.filter(team=team)
        .select_related("user")
        .order_by("joined_at", "created_at", "id")
        .first()
    )
    if successor is not None:
        TeamMember.objects.filter(pk=successor.pk).update(is_leader=True)
    return successor


def _lock_team(team: Team) -> None:
    # NO KEY UPDATE: new team_members rows (which take KEY SHARE on the team)
    # wait only for other writers of this team, not for readers.
    if not Team.objects.select_for_update(no_key=True).filter(pk=team.pk).exists():
        raise ValidationError(_("This team no longer exists."))


def _delete_if_without_history(team: Team) -> bool:
    """Delete an empty team unless posts or points refer to it: those keep
    their team (the team leaderboard, the feed) and someone may join it again."""
    if _has_history(team):
        return False
    team.delete()
    return True


def _has_history(team: Team) -> bool:
    """Has the team submitted or earned anything? Asked through its own
    relations: posts and points belong to apps above teams."""
    return team.posts.exists() or team.points.exists()
