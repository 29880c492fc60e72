"""Writes of the missions app.

Teachers' writes (the mission library, a journey's weeks, scheduling missions
into weeks): each service validates its input, raises ``ValidationError`` with
a message a teacher can act on, and runs in one transaction. And keeping each
scheduled mission's lifecycle status current (beat, missions/tasks.py).

The notices that run on a clock (a mission opened, a mission closes within a
day) are in missions/notices.py.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import Organization, Profile
from core.moments import zone_of
from core.ordering import AtEdge, MissingRow, swap_with_neighbour
from journeys.models import Journey, JourneyWeek
from missions.models import (
    JourneyMissionInstance,
    Mission,
    MissionStatus,
    MissionType,
)
from missions.questions import has_submissions, points_of_questions
from missions.selectors import WEEK_ORDER

# --- lifecycle status ------------------------------------------------------------------


def _lifecycle_rule(now: dt.datetime) -> dict[MissionStatus, Q]:
    """The one statement of DESIGN.md's lifecycle: which instances should have
    which ``status`` at ``now``. ``not_started`` before release (or while
    unscheduled), ``in_progress`` while open, ``completed`` after expiry. The
    conditions do not overlap, so each instance matches exactly one."""
    completed = Q(expiry_date__lte=now)
    in_progress = Q(release_date__lte=now, expiry_date__gt=now)
    return {
        MissionStatus.COMPLETED: completed,
        MissionStatus.IN_PROGRESS: in_progress,
        MissionStatus.NOT_STARTED: ~completed & ~in_progress,
    }


def _statuses_apply(
    instances: QuerySet[JourneyMissionInstance], *, now: dt.datetime
) -> dict[str, int]:
    """Bring ``instances`` in line with ``_lifecycle_rule``: three UPDATEs
    touching only rows that change; returns how many rows moved to each status."""
    counts = {}
    with transaction.atomic():
        for status, condition in _lifecycle_rule(now).items():
            # exclude() keeps rows whose status is NULL: they need a value too.
            counts[status.value] = (
                instances.filter(condition)
                .exclude(status=status)
                .update(status=status, updated_at=now)
            )
    return counts


def mission_statuses_sync(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Set every instance's ``status`` from its dates (``_lifecycle_rule``).
    Three UPDATEs touching only rows that change; returns how many rows moved
    to each status."""
    return _statuses_apply(JourneyMissionInstance.objects.all(), now=now or timezone.now())


def mission_instance_status_sync(
    *, instance: JourneyMissionInstance, now: dt.datetime | None = None
) -> str:
    """Set one instance's ``status`` from its dates right away (after it is
    scheduled or its dates change), by the same rule as the beat task; beat
    then keeps it current. Updates ``instance.status`` and returns it."""
    now = now or timezone.now()
    _statuses_apply(JourneyMissionInstance.objects.filter(pk=instance.pk), now=now)
    instance.status = (
        JourneyMissionInstance.objects.filter(pk=instance.pk)
        .values_list("status", flat=True)
        .first()
    )
    return instance.status


# --- the mission library (teachers) ----------------------------------------------------------

MISSION_NAME_MAX_LENGTH = 200
MISSION_POINTS_MAX = 10_000
WEEK_NAME_MAX_LENGTH = 100


def _one_line(text: str) -> str:
    return " ".join((text or "").split())


def _mission_fields_check(*, name: str, mission_type: str, points: int) -> str:
    """Raise ``ValidationError`` for a mission the library cannot hold; return
    the name tidied to one line."""
    name = _one_line(name)
    if not name:
        raise ValidationError(_("Give the mission a name."), code="name")
    if len(name) > MISSION_NAME_MAX_LENGTH:
        raise ValidationError(_("The name is too long."), code="name")
    if mission_type not in MissionType.values:
        raise ValidationError(_("Choose individual or team."), code="mission_type")
    if isinstance(points, bool) or not isinstance(points, int):
        raise ValidationError(_("Points must be a whole number, like 10."), code="points")
    if not 0 <= points <= MISSION_POINTS_MAX:
        raise ValidationError(
            _("Points must be between 0 and %(max)d.") % {"max": MISSION_POINTS_MAX},
            code="points",
        )
    return name


def mission_create(
    *,
    organization: Organization,
    name: str,
    mission_type: str,
    points: int,
    description: str = "",
) -> Mission:
    """A new mission template in ``organization``'s library."""
    name = _mission_fields_check(name=name, mission_type=mission_type, points=points)
    with transaction.atomic():
        return Mission.objects.create(
            organization=organization,
            name=name,
            mission_type=mission_type,
            points=points,
            description=description.strip(),
        )


def mission_update(
    *, mission: Mission, name: str, mission_type: str, points: int, description: str = ""
) -> Mission:
    """Change a template; every journey where it is scheduled shows the change.
    Its type cannot change once students have submitted it: their posts were
    made (and are counted) as individual or team work."""
    name = _mission_fields_check(name=name, mission_type=mission_type, points=points)
    with transaction.atomic():
        locked = Mission.objects.select_for_update().get(pk=mission.pk)
        old_type = locked.mission_type or MissionType.INDIVIDUAL
        if mission_type != old_type and has_submissions(locked):
            raise ValidationError(
                _(
                    "Students have already submitted this mission, so its type "
                    "cannot change. Create a new mission instead."
                ),
                code="mission_type",
            )
        locked.name = name
        locked.mission_type = mission_type
        # A mission of questions is worth their points (missions/questions.py).
        locked.points = points_of_questions(locked) if locked.questions.exists() else points
        locked.description = description.strip()
        locked.save(update_fields=["name", "mission_type", "points", "description", "updated_at"])
    return locked


def mission_delete(*, mission: Mission) -> None:
    """Remove a template from the library. Refused while it is scheduled
    anywhere (``journey_mission_instances.mission`` is RESTRICT): detach it
    from those weeks first. The row lock makes a concurrent scheduling wait,
    so it cannot slip in between the check and the delete."""
    with transaction.atomic():
        locked = Mission.objects.select_for_update().get(pk=mission.pk)
        scheduled = locked.instances.count()
        if scheduled:
            raise ValidationError(
                ngettext(
                    "“%(name)s” is scheduled in %(count)d week. Detach it there "
                    "before deleting it.",
                    "“%(name)s” is scheduled %(count)d times. Detach it from those "
                    "weeks before deleting it.",
                    scheduled,
                )
                % {"name": locked.name, "count": scheduled},
                code="scheduled",
            )
        locked.delete()


# --- weeks of a journey (teachers) ---------------------------------------------------------


def _week_name_check(name: str) -> str:
    name = _one_line(name)
    if not name:
        raise ValidationError(_("Give the week a name."), code="name")
    if len(name) > WEEK_NAME_MAX_LENGTH:
        raise ValidationError(_("The name is too long."), code="name")
    return name


def _journey_lock(journey_id) -> None:
    """Serialise changes to one journey's list of weeks: two teachers adding a
    week at once must not both take the same next number."""
    list(Journey.objects.select_for_update().filter(pk=journey_id).values_list("pk"))


def _weeks_renumber(weeks: list[JourneyWeek]) -> None:
    """Number ``weeks`` (in plan order) 1, 2, 3 … and save those that change.
    The unique (journey, week_number) key is checked at commit (DEFERRABLE
    INITIALLY DEFERRED), so numbers may collide on the way."""
    for position, week in enumerate(weeks, start=1):
        if week.week_number != position:
            week.week_number = position
            week.save(update_fields=["week_number", "updated_at"])


def week_create(*, journey: Journey, name: str) -> JourneyWeek:
    """Add a week at the end of ``journey``'s plan."""
    name = _week_name_check(name)
    with transaction.atomic():
        _journey_lock(journey.pk)
        last = JourneyWeek.objects.filter(journey=journey).aggregate(last=Max("week_number"))
        return JourneyWeek.objects.create(
            journey=journey, name=name, week_number=(last["last"] or 0) + 1
        )


def week_rename(*, week: JourneyWeek, name: str) -> JourneyWeek:
    name = _week_name_check(name)
    with transaction.atomic():
        JourneyWeek.objects.filter(pk=week.pk).update(name=name, updated_at=timezone.now())
    week.name = name
    return week


def week_move(*, week: JourneyWeek, direction: str) -> JourneyWeek:
    """Move ``week`` one place ``"up"`` (earlier) or ``"down"`` (later): it swaps
    ``week_number`` with its neighbour in one transaction. The weeks are first
    numbered 1 … n in plan order, so gaps or missing numbers cannot stop a swap."""
    if direction not in ("up", "down"):
        raise ValidationError(_("Move a week up or down."), code="direction")
    with transaction.atomic():
        _journey_lock(week.journey_id)
        weeks = list(JourneyWeek.objects.filter(journey_id=week.journey_id).order_by(*WEEK_ORDER))
        _weeks_renumber(weeks)
        try:
            moved, neighbour = swap_with_neighbour(weeks, week.pk, direction, "week_number")
        except MissingRow:
            raise ValidationError(_("This week no longer exists."), code="missing") from None
        except AtEdge:
            message = (
                _("This is already the first week.")
                if direction == "up"
                else _("This is already the last week.")
            )
            raise ValidationError(message, code="edge") from None
        for row in (moved, neighbour):
            row.save(update_fields=["week_number", "updated_at"])
    return moved


def week_delete(*, week: JourneyWeek) -> None:
    """Delete a week with its scheduled missions, then close the gap in the
    numbering. Refused if any of its missions has submissions: students' work
    is never deleted by rearranging the plan. The instances are locked first, so
    a submission arriving at the same moment either is seen here or fails."""
    with transaction.atomic():
        _journey_lock(week.journey_id)
        instance_ids = list(
            JourneyMissionInstance.objects.select_for_update()
            .filter(journey_week_id=week.pk)
            .values_list("pk", flat=True)
        )
        submissions = JourneyMissionInstance.objects.filter(pk__in=instance_ids).aggregate(
            count=Count("posts")
        )["count"]
        if submissions:
            raise ValidationError(
                ngettext(
                    "This week's missions have %(count)d submission, so it cannot be deleted.",
                    "This week's missions have %(count)d submissions, so it cannot be deleted.",
                    submissions,
                )
                % {"count": submissions},
                code="has_submissions",
            )
        JourneyWeek.objects.filter(pk=week.pk).delete()
        _weeks_renumber(
            list(JourneyWeek.objects.filter(journey_id=week.journey_id).order_by(*WEEK_ORDER))
        )


# --- scheduling a mission into a week (teachers) --------------------------------------------

EXTEND_CHOICES = (1, 7)


def _window_check(release_date: dt.datetime | None, expiry_date: dt.datetime | None) -> None:
    if release_date is None or expiry_date is None:
        raise ValidationError(_("Choose when the mission opens and closes."), code="required")
    if expiry_date <= release_date:
        raise ValidationError(
            _("The mission must open before it closes: choose a closing time after the opening."),
            code="window",
        )


def instance_schedule(
    *,
    week: JourneyWeek,
    mission: Mission,
    release_date: dt.datetime,
    expiry_date: dt.datetime,
    now: dt.datetime | None = None,
) -> JourneyMissionInstance:
    """Schedule a library mission into ``week``, open from ``release_date`` to
    ``expiry_date`` (aware datetimes). Its status is set at once; the beat task
    announces it to the students when it opens (within a day of its release)."""
    _window_check(release_date, expiry_date)
    journey = week.journey
    if mission.organization_id != journey.organization_id:
        raise ValidationError(_("Choose a mission from your academy's library."), code="mission")
    with transaction.atomic():
        instance = JourneyMissionInstance.objects.create(
            journey_week=week,
            journey=journey,
            mission=mission,
            release_date=release_date,
            expiry_date=expiry_date,
        )
        mission_instance_status_sync(instance=instance, now=now)
    return instance


def instance_reschedule(
    *,
    instance: JourneyMissionInstance,
    release_date: dt.datetime,
    expiry_date: dt.datetime,
    now: dt.datetime | None = None,
) -> JourneyMissionInstance:
    """New dates for a scheduled mission: reschedule, reopen a closed one (an
    expiry in the future) or extend it (a later expiry). Students told that it
    opened are not told again (their ``MissionNotice`` row stays)."""
    _window_check(release_date, expiry_date)
    with transaction.atomic():
        JourneyMissionInstance.objects.filter(pk=instance.pk).update(
            release_date=release_date, expiry_date=expiry_date, updated_at=timezone.now()
        )
        instance.release_date, instance.expiry_date = release_date, expiry_date
        mission_instance_status_sync(instance=instance, now=now)
    return instance


def extended_expiry(
    instance: JourneyMissionInstance,
    *,
    days: int,
    now: dt.datetime | None = None,
    zone: dt.tzinfo,
) -> dt.datetime:
    """The expiry that "+``days`` days" gives. An instance still open (or not yet
    open) closes ``days`` later than now planned. A closed one reopens until
    ``days`` days from today, at the hour it used to close (23:59 stays 23:59
    on the teacher's calendar, ``zone``), rather than at an odd minute."""
    now = now or timezone.now()
    if instance.expiry_date > now:
        return instance.expiry_date + dt.timedelta(days=days)
    closing_time = timezone.localtime(instance.expiry_date, zone).time()
    today = timezone.localtime(now, zone).date()
    base = dt.datetime.combine(today, closing_time, tzinfo=zone)
    return base + dt.timedelta(days=days)


def instance_extend(
    *,
    instance: JourneyMissionInstance,
    days: int,
    teacher: Profile,
    now: dt.datetime | None = None,
) -> JourneyMissionInstance:
    """The quick "+1 day" / "+7 days" buttons: extend, or reopen a closed mission
    (then at its old closing hour on ``teacher``'s clock)."""
    if days not in EXTEND_CHOICES:
        raise ValidationError(_("Choose how many days to add."), code="days")
    if instance.release_date is None or instance.expiry_date is None:
        raise ValidationError(_("Choose when the mission opens and closes."), code="required")
    return instance_reschedule(
        instance=instance,
        release_date=instance.release_date,
        expiry_date=extended_expiry(instance, days=days, now=now, zone=zone_of(teacher)),
        now=now,
    )


def instance_detach(*, instance: JourneyMissionInstance) -> None:
    """Take a scheduled mission out of its week (the template stays in the
    library). Refused once it has submissions (``posts.mission_instance`` is
    RESTRICT). The row lock makes a submission arriving at the same moment
    wait, then fail, instead of slipping in between the check and the delete."""
    with transaction.atomic():
        locked = JourneyMissionInstance.objects.select_for_update().filter(pk=instance.pk).first()
        if locked is None:
            return
        submissions = locked.posts.count()
        if submissions:
            raise ValidationError(
                ngettext(
                    "This mission has %(count)d submission, so it cannot be detached. "
                    "Change its dates instead.",
                    "This mission has %(count)d submissions, so it cannot be detached. "
                    "Change its dates instead.",
                    submissions,
                )
                % {"count": submissions},
                code="has_submissions",
            )
        locked.delete()
