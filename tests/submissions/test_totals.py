"""The Submissions tab's numbers are the whole class's, counted by PostgreSQL
in one query: they must equal a brute-force count, student by student and
mission by mission, with every way a cell can be filled (a student's own post,
their team's submission, a team submission whose team is gone, both at once)
and every way a person is not counted (a teacher, a closed account, a student
of another journey)."""

from __future__ import annotations

import datetime as dt
import random
from types import SimpleNamespace

import pytest
from django.utils import timezone

from accounts.models import Profile, Role
from community.models import Post
from journeys.models import UserJourney
from missions.models import MissionReminder
from submissions.selectors import (
    MISSING_LISTED_MAX,
    matrix_page,
    missing_group,
    missing_page,
    reminder_day,
    submissions_overview,
)
from teams.models import TeamMember
from tests.factories import (
    JourneyFactory,
    JourneyWeekFactory,
    MissionFactory,
    MissionInstanceFactory,
    TeamFactory,
    TeamMemberFactory,
)
from tests.submissions.conftest import enrol_students, sort_key

DAY = dt.timedelta(days=1)


@pytest.fixture
def mixed(organization, teacher):
    """40 students in teams of three (four without a team), three weeks, six
    missions (three open: one a team mission, one that all but three have
    submitted; two closed; one not released yet) and posts of every kind,
    drawn with a fixed seed."""
    rng = random.Random(7)
    now = timezone.now()
    journey = JourneyFactory(organization=organization)
    weeks = [JourneyWeekFactory(journey=journey, week_number=n) for n in (1, 2, 3)]
    team_mission = MissionFactory(organization=organization, mission_type="team")

    def scheduled(week, opens, closes, mission=None):
        extra = {"mission": mission} if mission else {}
        return MissionInstanceFactory(
            journey_week=weeks[week], release_date=now + opens, expiry_date=now + closes, **extra
        )

    closed = [scheduled(0, -9 * DAY, -5 * DAY), scheduled(0, -8 * DAY, -4 * DAY)]
    open_one = scheduled(1, -2 * DAY, 3 * DAY)
    open_team = scheduled(1, -1 * DAY, 4 * DAY, mission=team_mission)
    almost_done = scheduled(2, -1 * DAY, 5 * DAY)
    later = scheduled(2, 2 * DAY, 8 * DAY)
    released = [*closed, open_one, open_team, almost_done]

    students = enrol_students(journey, 40)
    teams = [TeamFactory(journey=journey) for _ in range(12)]
    for index, person in enumerate(students[:36]):
        TeamMemberFactory(team=teams[index // 3], user=person)

    posts = [
        Post(mission_instance=instance, journey=journey, user=person, title="Own")
        for instance in [*closed, open_one, later]
        for person in students
        if rng.random() < 0.6
    ]
    # Team submissions of half the teams; one member of a submitting team also
    # has a post of their own for it (counted once).
    for team in teams[::2]:
        member = TeamMember.objects.filter(team=team).first().user
        posts.append(
            Post(
                mission_instance=open_team,
                journey=journey,
                user=member,
                team=team,
                is_team_submission=True,
                title="Team",
            )
        )
    posts.append(
        Post(mission_instance=open_team, journey=journey, user=students[0], title="Mine too")
    )
    # All but three have submitted this one: the tab names them.
    posts += [
        Post(mission_instance=almost_done, journey=journey, user=person, title="Done")
        for person in students[3:]
    ]
    # A team submission whose team was deleted since: its author's.
    posts.append(
        Post(
            mission_instance=open_team,
            journey=journey,
            user=students[37],
            team=None,
            is_team_submission=True,
            title="Orphan",
        )
    )
    # Not counted: a teacher's post, a closed account's post.
    UserJourney.objects.create(journey=journey, user=teacher)
    posts.append(Post(mission_instance=open_one, journey=journey, user=teacher, title="Demo"))
    gone = students[38]
    posts.append(Post(mission_instance=open_one, journey=journey, user=gone, title="Before"))
    Post.objects.bulk_create(posts)
    Profile.objects.filter(pk=gone.pk).update(deleted_at=now)
    # A student of another journey of the academy, with a post of theirs.
    other = JourneyFactory(organization=organization)
    stranger = enrol_students(other, 1)[0]
    Post.objects.create(
        mission_instance=MissionInstanceFactory(journey_week__journey=other),
        journey=other,
        user=stranger,
        title="Elsewhere",
    )
    return SimpleNamespace(
        journey=journey,
        weeks=weeks,
        released=released,
        open=[open_one, open_team, almost_done],
        later=later,
        teacher=teacher,
        students=[p for p in students if p.pk != gone.pk],
        now=now,
    )


def brute_force_submitted(klass, instance, student) -> bool:
    """The cell, asked the slow way: an own post (a team-flagged one whose team
    is gone counts), or a team submission of one of their teams in the journey."""
    own = Post.objects.filter(mission_instance=instance, user=student).exclude(
        is_team_submission=True, team__isnull=False
    )
    teams = TeamMember.objects.filter(user=student, team__journey=klass.journey).values("team")
    by_team = Post.objects.filter(
        mission_instance=instance, team__in=teams, is_team_submission=True
    )
    return own.exists() or by_team.exists()


def overview(klass, **kwargs):
    weeks = list(klass.weeks)
    return submissions_overview(journey=klass.journey, weeks=weeks, now=klass.now, **kwargs)


def test_totals_equal_a_brute_force_count(mixed):
    result = overview(mixed)
    expected = {
        instance.pk: sum(brute_force_submitted(mixed, instance, s) for s in mixed.students)
        for instance in mixed.released
    }
    assert result.student_count == len(mixed.students) == 39
    assert {t.instance.pk: t.submitted for t in result.totals} == expected
    assert all(t.students == 39 for t in result.totals)
    # The week rates add up the same counts.
    for rate in result.rates:
        week_instances = [i for i in mixed.released if i.journey_week_id == rate.week.pk]
        assert rate.released == len(week_instances)
        assert rate.submitted == sum(expected[i.pk] for i in week_instances)
        assert rate.expected == 39 * len(week_instances)
    # And so do the "not submitted" counts of the open missions.
    missing = {group.instance.pk: group.total for group in result.missing}
    assert missing == {i.pk: 39 - expected[i.pk] for i in mixed.open if expected[i.pk] < 39}


def test_a_student_filled_twice_by_team_submissions_counts_once(mixed):
    """A student in two submitting teams, or the author of a team submission
    whose team is gone who is also in a submitting team, is one submission;
    a team of another journey fills nothing here."""
    open_team = mixed.open[1]
    in_team, not_yet = mixed.students[0], mixed.students[3]
    assert brute_force_submitted(mixed, open_team, in_team)
    assert not brute_force_submitted(mixed, open_team, not_yet)
    # Two submitting teams that neither is in yet.
    other_teams = (
        Post.objects.filter(mission_instance=open_team, team__isnull=False)
        .exclude(team__members__user__in=[in_team, not_yet])
        .values_list("team", flat=True)
        .order_by("team")
    )
    first, second = other_teams[:2]
    TeamMember.objects.create(team_id=first, user=in_team)
    TeamMember.objects.create(team_id=second, user=not_yet)
    Post.objects.create(
        mission_instance=open_team,
        journey=mixed.journey,
        user=mixed.students[1],
        team=None,
        is_team_submission=True,
        title="Orphan of a member",
    )
    elsewhere = TeamFactory(journey=JourneyFactory(organization=mixed.journey.organization))
    TeamMemberFactory(team=elsewhere, user=mixed.students[4])
    Post.objects.create(
        mission_instance=open_team,
        journey=mixed.journey,
        user=mixed.students[4],
        team=elsewhere,
        is_team_submission=True,
        title="Wrong class",
    )
    result = overview(mixed)
    expected = sum(brute_force_submitted(mixed, open_team, s) for s in mixed.students)
    [total] = [t for t in result.totals if t.instance == open_team]
    assert total.submitted == expected
    assert brute_force_submitted(mixed, open_team, not_yet)
    assert not brute_force_submitted(mixed, open_team, mixed.students[4])
    [group] = [g for g in result.missing if g.instance == open_team]
    assert group.total == len(mixed.students) - expected


def matrix_rows(klass) -> list:
    """Every row of the matrix, page after page."""
    columns, rows, after = overview(klass).columns, [], None
    while True:
        page = matrix_page(journey=klass.journey, columns=columns, after=after)
        rows += page.rows
        after = page.next_cursor
        if not after:
            return rows


def test_the_matrix_cells_equal_the_brute_force_too(mixed):
    rows = matrix_rows(mixed)
    assert [row.profile.pk for row in rows] == [p.pk for p in sorted(mixed.students, key=sort_key)]
    for row in rows:
        cells = [cell.submitted for cell in row.cells]
        assert cells == [brute_force_submitted(mixed, i, row.profile) for i in mixed.released]


def test_the_missing_lists_name_exactly_who_has_not_submitted(mixed):
    result = overview(mixed)
    for instance in mixed.open:
        expected = sorted(
            (s for s in mixed.students if not brute_force_submitted(mixed, instance, s)),
            key=sort_key,
        )
        [group] = [g for g in result.missing if g.instance == instance]
        # Listed on the tab when few, else a page at a time: the same people.
        assert group.listed == (len(expected) <= MISSING_LISTED_MAX)
        assert group.listed == (instance == mixed.open[2])
        if group.listed:
            assert [s.profile.pk for s in group.students] == [p.pk for p in expected]
        paged, after = [], None
        while True:
            page = missing_page(
                journey=mixed.journey, instance=instance, after=after, size=7, now=mixed.now
            )
            paged += [s.profile.pk for s in page.students]
            after = page.next_cursor
            if not after:
                break
        assert paged == [p.pk for p in expected]


def test_reminded_today_counts_each_student_on_their_own_calendar(mixed):
    instance = mixed.open[0]
    missing = [s for s in mixed.students if not brute_force_submitted(mixed, instance, s)]
    assert len(missing) >= 6
    far_east, far_west, yesterday, default, *rest = missing
    Profile.objects.filter(pk=far_east.pk).update(timezone="Pacific/Kiritimati")  # UTC+14
    Profile.objects.filter(pk=far_west.pk).update(timezone="Pacific/Pago_Pago")  # UTC-11
    far_east.refresh_from_db()
    far_west.refresh_from_db()
    submitted = next(s for s in mixed.students if brute_force_submitted(mixed, instance, s))

    def reminded(student, day):
        MissionReminder.objects.create(
            mission_instance=instance, profile=student, sent_by=mixed.teacher, sent_on=day
        )

    reminded(far_east, reminder_day(mixed.now, far_east))
    reminded(far_west, reminder_day(mixed.now, far_west))
    reminded(default, reminder_day(mixed.now, default))
    reminded(yesterday, reminder_day(mixed.now, yesterday) - DAY)  # not today
    reminded(submitted, reminder_day(mixed.now, submitted))  # has submitted since
    group = missing_group(journey=mixed.journey, instance=instance, now=mixed.now)
    assert group.total == len(missing)
    assert group.not_yet_reminded == len(missing) - 3
    [listed] = [g for g in overview(mixed).missing if g.instance == instance]
    assert listed.not_yet_reminded == len(missing) - 3
    page = missing_page(journey=mixed.journey, instance=instance, size=50, now=mixed.now)
    flagged = {s.profile.pk for s in page.students if s.reminded_today}
    assert flagged == {far_east.pk, far_west.pk, default.pk}


def test_a_teacher_or_a_closed_account_is_never_a_student_to_count(mixed):
    names = {row.profile.pk for row in matrix_rows(mixed)}
    assert mixed.teacher.pk not in names
    assert all(
        p.role == Role.USER and p.deleted_at is None for p in Profile.objects.filter(pk__in=names)
    )
