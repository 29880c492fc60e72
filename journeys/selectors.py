"""Reads for the home page, the invite link and the plan tab.

Every function here runs a fixed number of queries, whatever the number of
journeys, weeks, instances, posts or notifications (counts are subqueries,
never one query per row).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db.models import (
    Case,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from accounts.models import Profile, Role
from accounts.selectors import AVATAR_FIELDS, PUBLIC_NAME_FIELDS, fields_through, public_name
from core import tenancy
from core.db import SubqueryCount
from core.keyset import first_rows, key_after, key_decode, key_encode
from core.links import AddressOf
from core.statements import Statement
from journeys.class_cache import class_page
from journeys.models import Journey, JourneyWeek, UserJourney

# An invite token is a short random string (core.db.new_random_token); a
# longer one cannot be ours, so it is refused without asking the database.
INVITE_TOKEN_MAX_LENGTH = 100


# --- invite links ---------------------------------------------------------------------


def journey_by_invite_token(token: str) -> Journey | None:
    """The journey whose current invite link carries ``token``, or None (an
    unknown token, or one replaced by a newer link)."""
    if not token or len(token) > INVITE_TOKEN_MAX_LENGTH:
        return None
    # Anyone with the link sees the journey's card (logged out, or of another
    # academy, to be told so); joining then runs in the person's own context.
    with tenancy.by_secret():
        return (
            Journey.objects.select_related("image_file", "organization")
            .filter(invite_token=token)
            .first()
        )


def is_enrolled(*, user: Profile, journey: Journey) -> bool:
    return UserJourney.objects.filter(user=user, journey=journey).exists()


def can_manage_journey(user, journey: Journey) -> bool:
    """Teachers and admins of the journey's organization, and the platform
    operator: they see the invite link and may replace it."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_superuser or user.has_role_at_least(Role.TEACHER, journey.organization)


# --- the ?week= filter of the dashboard and submissions tabs -------------------------------


def journey_weeks(journey: Journey) -> list[JourneyWeek]:
    """The journey's weeks in the plan's order (number, then creation; NULL
    numbers, possible in imported data, last). One query."""
    return _JOURNEY_WEEKS.all(journey_id=journey.pk)


_JOURNEY_WEEKS = Statement(
    lambda *, journey_id: JourneyWeek.objects.filter(journey_id=journey_id).order_by(
        "week_number", "created_at", "id"
    ),
    values=("journey_id",),
)


def week_from_query(raw: str | None, weeks: list[JourneyWeek]) -> tuple[JourneyWeek | None, str]:
    """The week named by ``?week=``, or None for all weeks. A value that is not
    one of this journey's weeks gives a message and all weeks: it is a filter,
    not an error page."""
    if not raw:
        return None, ""
    try:
        wanted = uuid.UUID(raw)
    except ValueError:
        wanted = None
    for week in weeks:
        if week.pk == wanted:
            return week, ""
    return None, _("That week is not part of this journey; showing all weeks.")


# --- managing a journey (teachers) ---------------------------------------------------------

MEMBER_CANDIDATE_LIMIT = 100
# Members shown per page of the Members tab: a class of 1,260 is 26 pages, not one.
MEMBERS_PAGE_SIZE = 50


@dataclass(frozen=True)
class DeleteSummary:
    """What deleting a journey takes with it, for the confirmation page."""

    weeks: int
    instances: int
    posts: int
    user_points: int
    team_points: int
    teams: int
    members: int


def journey_delete_summary(journey: Journey) -> DeleteSummary:
    """Counts of everything deleting ``journey`` removes. One query.

    Most of those rows belong to apps above journeys (missions, community,
    teams, points), which this module does not import: they are reached
    through the journey's own relations. A points row is counted through the
    join that finds it (one row per point), not as a distinct instance."""
    counted = {
        "weeks": journey.weeks.all(),
        "instances": journey.mission_instances.all(),
        "posts": journey.posts.all(),
        "user_points": journey.mission_instances.filter(user_points__isnull=False),
        "team_points": journey.teams.filter(points__isnull=False),
        "teams": journey.teams.all(),
        "members": journey.memberships.all(),
    }
    # Prefixed: some names ("weeks", "teams") are the journey's relations.
    row = (
        Journey.objects.filter(pk=journey.pk)
        .annotate(**{f"count_{name}": SubqueryCount(rows) for name, rows in counted.items()})
        .values(*(f"count_{name}" for name in counted))
        .get()
    )
    return DeleteSummary(**{name: row[f"count_{name}"] for name in counted})


@dataclass(frozen=True)
class MemberRow:
    """One member as the Members tab shows them. What the row prints is read
    once here, flat: a page is fifty rows, and a template's lookups through the
    enrolment and its profile cost more than the rest of the page."""

    enrolment: UserJourney
    name: str
    team_name: str | None
    image_url: str | None = None
    email: str | None = None  # None for a closed account: not shown
    role: str = ""
    role_label: str = ""
    remove_url: str = ""  # the "Remove…" page for this member

    @property
    def profile(self) -> Profile:
        return self.enrolment.user

    @property
    def initial(self) -> str:
        return self.name[:1].upper()

    @property
    def remove_label(self) -> str:
        """What "Remove…" says to a screen reader."""
        return _("Remove %(name)s from the journey") % {"name": self.name}


def _member_row(enrolment: UserJourney, remove_url: AddressOf) -> MemberRow:
    person = enrolment.user
    return MemberRow(
        enrolment=enrolment,
        name=public_name(person),
        team_name=enrolment.team_name,
        image_url=person.image_url,
        email=None if person.deleted_at else person.email,
        role=person.role,
        role_label=person.get_role_display(),
        remove_url=remove_url(enrolment.user_id),
    )


@dataclass(frozen=True)
class MembersPage:
    rows: list[MemberRow]
    next_cursor: str | None
    is_first: bool
    total: int

    @property
    def has_rows(self) -> bool:
        return bool(self.rows)


# The members' sort key: teachers first, then by last name, first name, e-mail;
# the enrolment id breaks ties. Names are never NULL in the key, so it compares.
MEMBER_KEY = ("key_role", "key_last", "key_first", "key_email", "id")
MEMBER_KEY_TYPES = (int, str, str, str, uuid.UUID)


def journey_members_page(
    journey: Journey, *, after: str | None = None, size: int = MEMBERS_PAGE_SIZE
) -> MembersPage:
    """One page of the people enrolled in ``journey``, in ``MEMBER_KEY`` order,
    after the cursor ``after`` (``BadCursor`` if it is not one of ours), with
    the name to show and their team in this journey (reached through the
    person's team memberships: teams sit above journeys), and how many members
    there are in all.

    The class's order (its enrolment ids, sorted) is the same for every
    teacher who asks: it is kept in the class cache until the class changes,
    so a page reads its fifty rows by key, not the whole class sorted. A page
    after a member who has left since is found by key in SQL instead."""
    key = key_decode(after, types=MEMBER_KEY_TYPES) if after else None
    page = class_page(
        journey,
        "members",
        ordered=_members_by_key(journey),
        rows_of=lambda ids: _members_in_order(journey).filter(pk__in=ids),
        after_id=str(key[-1]) if key else None,
        size=size,
        by_key=lambda: _members_after_key(journey, key, size),
    )
    rows = page.rows
    next_cursor = None
    if page.more and rows:
        next_cursor = key_encode([getattr(rows[-1], field) for field in MEMBER_KEY])
    remove_url = AddressOf("journeys:member_remove", journey.pk)
    return MembersPage(
        rows=[_member_row(row, remove_url) for row in rows],
        next_cursor=next_cursor,
        is_first=not after,
        total=page.total,
    )


def _members_after_key(journey: Journey, key: list, size: int) -> tuple[list[UserJourney], bool]:
    return first_rows(_members_in_order(journey).filter(key_after(MEMBER_KEY, key)), size)


def _members_in_order(journey: Journey) -> QuerySet[UserJourney]:
    team_name = (
        Profile.objects.filter(
            pk=OuterRef("user_id"), team_memberships__team__journey_id=journey.pk
        )
        .order_by()
        .values("team_memberships__team__name")[:1]
    )
    return (
        _members_by_key(journey)
        .select_related("user__profile_image_file")
        .only(*MEMBER_ROW_FIELDS)
        .annotate(team_name=Subquery(team_name))
    )


# What a row of the Members tab reads (``_member_row``; the avatar through
# ``Profile.image_url``): fifty rows of every column cost more to load than to
# query.
MEMBER_ROW_FIELDS = (
    "journey_id",
    "user_id",
    "joined_at",
    "user__role",
    *fields_through("user", PUBLIC_NAME_FIELDS + AVATAR_FIELDS),
)
# What the list of people to add shows of each (``public_name`` and the e-mail).
CANDIDATE_FIELDS = PUBLIC_NAME_FIELDS


def _members_by_key(journey: Journey) -> QuerySet[UserJourney]:
    return (
        UserJourney.objects.filter(journey=journey)
        .annotate(
            key_role=Case(When(user__role=Role.USER, then=Value(1)), default=Value(0)),
            key_last=Coalesce("user__last_name", Value(""), output_field=TextField()),
            key_first=Coalesce("user__first_name", Value(""), output_field=TextField()),
            key_email=F("user__email"),
        )
        .order_by(*MEMBER_KEY)
    )


def member_candidates(journey: Journey) -> QuerySet[Profile]:
    """People who may be added to ``journey``: the active people of its
    organization who are not enrolled yet. The add form validates against it."""
    return _candidates(journey_id=journey.pk, organization_id=journey.organization_id)


def _candidates(*, journey_id, organization_id) -> QuerySet[Profile]:
    enrolled = UserJourney.objects.filter(journey_id=journey_id, user_id=OuterRef("pk"))
    return (
        Profile.objects.filter(
            organization_id=organization_id,
            is_active=True,
            deleted_at__isnull=True,
        )
        .exclude(Exists(enrolled))
        .order_by("last_name", "first_name", "email", "id")
    )


def member_candidates_matching(
    journey: Journey, search: str = "", *, limit: int = MEMBER_CANDIDATE_LIMIT
) -> tuple[list[Profile], bool]:
    """The first ``limit`` candidates whose name or e-mail contains ``search``,
    and whether there are more (then the page asks to narrow the search). One query."""
    words = search.split()
    if words:
        candidates = member_candidates(journey).only(*CANDIDATE_FIELDS)
        for word in words:
            candidates = candidates.filter(
                Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(email__icontains=word)
            )
        rows = list(candidates[: limit + 1])
    else:  # the page as every teacher first opens it
        rows = _FIRST_CANDIDATES.all(
            journey_id=journey.pk, organization_id=journey.organization_id, size=limit + 1
        )
    return rows[:limit], len(rows) > limit


_FIRST_CANDIDATES = Statement(
    lambda *, size, **ids: _candidates(**ids).only(*CANDIDATE_FIELDS)[:size],
    values=("journey_id", "organization_id"),
)


def email_receivers(journey: Journey, *, sender: Profile) -> QuerySet[Profile]:
    """Who gets an e-mail to all members: everyone enrolled with an active
    account and an address, except the sender."""
    return (
        Profile.objects.filter(
            journey_memberships__journey=journey, is_active=True, deleted_at__isnull=True
        )
        .exclude(pk=sender.pk)
        .exclude(email="")
        .order_by("email")
    )
