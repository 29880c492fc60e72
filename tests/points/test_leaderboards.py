"""points.selectors: individual and team leaderboards, ranked in SQL: the
full ranking (read here page by page), the top with a person's neighbourhood,
one person's standing, and keyset pages."""

from __future__ import annotations

import uuid
from types import SimpleNamespace

import pytest
from django.utils import timezone

from accounts.models import Role
from core.keyset import BadCursor
from points.models import TeamPoint, UserPoint
from points.selectors import (
    MyStanding,
    RankingCursor,
    leaderboard,
    my_standing,
    ranking_page,
    team_leaderboard,
)
from tests.factories import (
    JourneyFactory,
    JourneyWeekFactory,
    MissionInstanceFactory,
    ProfileFactory,
    TeamFactory,
    TeamMemberFactory,
    UserJourneyFactory,
)
from tests.scenarios import ClassScenario, MissionAt


@pytest.fixture
def klass(organization):
    """No students yet (each test enrols its own); one mission in each of two weeks."""
    scenario = ClassScenario.build(
        organization, weeks=2, missions=(MissionAt(week=1), MissionAt(week=2))
    )
    week1, week2 = scenario.weeks
    w1, w2 = scenario.missions
    return SimpleNamespace(journey=scenario.journey, week1=week1, week2=week2, w1=w1, w2=w2)


def enrol(journey, last_name: str, first_name: str = "", role=Role.USER):
    person = ProfileFactory(
        organization=journey.organization, last_name=last_name, first_name=first_name, role=role
    )
    UserJourneyFactory(journey=journey, user=person)
    return person


def award(profile, instance, points: int) -> None:
    UserPoint.objects.create(profile=profile, mission_instance=instance, total_points=points)


def team_award(team, instance, points: int) -> None:
    TeamPoint.objects.create(team=team, mission_instance=instance, total_points=points)


def individual_leaderboard(journey, week=None):
    """The whole ranking, page after page (a page of 2 rows, so ties and
    page boundaries meet often)."""
    rows, after = [], None
    while True:
        page = ranking_page(journey, week, after=after, size=2)
        rows += page.rows
        if page.next_cursor is None:
            return rows
        after = page.next_cursor


def table(rows) -> list[tuple[str, int, int]]:
    return [(row.profile.last_name, row.points, row.rank) for row in rows]


def test_ties_share_a_rank_and_the_next_rank_skips(klass):
    a, b, c, d = (enrol(klass.journey, name) for name in ("Alpha", "Bravo", "Charlie", "Delta"))
    award(b, klass.w1, 30)
    award(d, klass.w1, 30)
    award(a, klass.w1, 10)
    award(a, klass.w2, 10)

    assert table(individual_leaderboard(klass.journey)) == [
        ("Bravo", 30, 1),
        ("Delta", 30, 1),
        ("Alpha", 20, 3),
        ("Charlie", 0, 4),
    ]


def test_students_without_points_are_listed_with_zero_in_name_order(klass):
    for name in ("Kim", "Choi", "Park"):
        enrol(klass.journey, name)
    assert table(individual_leaderboard(klass.journey)) == [
        ("Choi", 0, 1),
        ("Kim", 0, 1),
        ("Park", 0, 1),
    ]


def test_only_the_journeys_enrolled_students_are_ranked(klass, teacher):
    student = enrol(klass.journey, "Student")
    enrol(klass.journey, "Teacher", role=Role.TEACHER)
    gone = enrol(klass.journey, "Gone")
    gone.deleted_at = timezone.now()
    gone.save()
    ProfileFactory(organization=klass.journey.organization, last_name="NotEnrolled")

    assert [row.profile for row in individual_leaderboard(klass.journey)] == [student]


def test_another_journeys_points_do_not_count(klass):
    student = enrol(klass.journey, "Both")
    other = JourneyFactory(organization=klass.journey.organization)
    UserJourneyFactory(journey=other, user=student)
    award(student, klass.w1, 10)
    award(student, MissionInstanceFactory(journey_week__journey=other), 500)

    assert table(individual_leaderboard(klass.journey)) == [("Both", 10, 1)]
    assert table(individual_leaderboard(other)) == [("Both", 500, 1)]


def test_a_week_counts_only_its_own_instances(klass):
    early, late = enrol(klass.journey, "Early"), enrol(klass.journey, "Late")
    award(early, klass.w1, 50)
    award(late, klass.w2, 20)

    assert table(individual_leaderboard(klass.journey, week=klass.week2)) == [
        ("Late", 20, 1),
        ("Early", 0, 2),
    ]
    assert table(individual_leaderboard(klass.journey, week=klass.week1)) == [
        ("Early", 50, 1),
        ("Late", 0, 2),
    ]


def test_a_week_of_another_journey_counts_nothing(klass):
    student = enrol(klass.journey, "Solo")
    award(student, klass.w1, 50)
    foreign_week = JourneyWeekFactory()
    assert table(individual_leaderboard(klass.journey, week=foreign_week)) == [("Solo", 0, 1)]


def test_a_points_row_without_a_value_counts_as_zero(klass):
    student = enrol(klass.journey, "Nulls")
    UserPoint.objects.create(profile=student, mission_instance=klass.w1, total_points=None)
    assert table(individual_leaderboard(klass.journey)) == [("Nulls", 0, 1)]


def test_the_team_leaderboard_ranks_every_team_with_ties(klass):
    blaze, wave, bolt, calm = (
        TeamFactory(journey=klass.journey, name=name) for name in ("Blaze", "Wave", "Bolt", "Calm")
    )
    TeamMemberFactory.create_batch(3, team=blaze)
    team_award(blaze, klass.w1, 40)
    team_award(wave, klass.w1, 25)
    team_award(wave, klass.w2, 15)
    team_award(bolt, klass.w2, 10)
    TeamFactory(name="Elsewhere")  # another journey's team
    team_award(calm, MissionInstanceFactory(), 999)  # points from another journey

    rows = team_leaderboard(klass.journey).top

    assert [(row.team.name, row.points, row.rank) for row in rows] == [
        ("Blaze", 40, 1),
        ("Wave", 40, 1),
        ("Bolt", 10, 3),
        ("Calm", 0, 4),
    ]
    assert rows[0].member_count == 3 and rows[3].member_count == 0
    week2 = team_leaderboard(klass.journey, week=klass.week2).top
    assert [(row.team.name, row.points, row.rank) for row in week2][:2] == [
        ("Wave", 15, 1),
        ("Bolt", 10, 2),
    ]


def test_my_standing_says_rank_out_of_and_points(klass, teacher, django_assert_num_queries):
    first, me, third = (enrol(klass.journey, name) for name in ("A", "B", "C"))
    award(first, klass.w1, 30)
    award(me, klass.w1, 20)

    with django_assert_num_queries(1):
        assert my_standing(klass.journey, me) == MyStanding(rank=2, out_of=3, points=20)
    assert my_standing(klass.journey, me, week=klass.week2) == MyStanding(1, 3, 0)
    assert my_standing(klass.journey, teacher) is None


def test_the_top_and_my_neighbourhood_far_below_it(klass):
    students = [enrol(klass.journey, f"S{number:02d}") for number in range(30)]
    for number, student in enumerate(students):
        award(student, klass.w1, 100 - number)  # S00 first … S29 last
    me = students[20]  # place 21

    board = leaderboard(klass.journey, profile=me, top=10, around=2)

    assert [row.place for row in board.top] == list(range(1, 11))
    assert [(row.profile, row.place) for row in board.around] == [
        (students[number], number + 1) for number in range(18, 23)
    ]
    assert board.me == MyStanding(rank=21, out_of=30, points=80)
    assert (board.out_of, board.best) == (30, 100)
    # "More" goes on after the top, not after my rows.
    assert board.next_cursor == RankingCursor(points=91, id=students[9].pk).encode()


def test_a_neighbourhood_touching_the_top_joins_it(klass):
    students = [enrol(klass.journey, f"S{number:02d}") for number in range(20)]
    for number, student in enumerate(students):
        award(student, klass.w1, 100 - number)

    board = leaderboard(klass.journey, profile=students[11], top=10, around=2)

    assert [row.place for row in board.top] == list(range(1, 15))
    assert board.around == []
    assert board.next_cursor == board.top[-1].cursor


def test_my_neighbourhood_at_the_bottom_and_in_the_top(klass):
    students = [enrol(klass.journey, f"S{number:02d}") for number in range(15)]
    last = leaderboard(klass.journey, profile=students[-1], top=5, around=2)
    assert [row.place for row in last.around] == [13, 14, 15]
    first = leaderboard(klass.journey, profile=students[0], top=5, around=2)
    assert first.around == [] and first.me.rank == 1


def test_a_teacher_sees_the_top_and_no_neighbourhood(klass, teacher):
    for number in range(12):
        enrol(klass.journey, f"S{number:02d}")
    board = leaderboard(klass.journey, profile=teacher, top=10)
    assert len(board.top) == 10 and board.around == [] and board.me is None
    assert board.out_of == 12 and board.next_cursor is not None


def test_an_empty_class_has_an_empty_leaderboard(klass, student):
    board = leaderboard(klass.journey, profile=student)
    assert (board.top, board.around, board.me, board.out_of, board.best) == ([], [], None, 0, 0)
    assert board.next_cursor is None
    assert ranking_page(klass.journey).rows == []


def test_pages_continue_exactly_after_the_cursor_across_ties(klass):
    # Seven students on 10 points (a tie across every page boundary), two above.
    names = ["Tie-" + letter for letter in "GFEDCBA"]
    tied = [enrol(klass.journey, name) for name in names]
    for student in tied:
        award(student, klass.w1, 10)
    top = [enrol(klass.journey, name) for name in ("Zed", "Yan")]
    award(top[0], klass.w1, 50)
    award(top[1], klass.w1, 40)

    first = ranking_page(klass.journey, size=4)
    second = ranking_page(klass.journey, after=first.next_cursor, size=4)
    third = ranking_page(klass.journey, after=second.next_cursor, size=4)

    listed = [row.profile.last_name for page in (first, second, third) for row in page.rows]
    assert listed == ["Zed", "Yan", *sorted(names)]
    assert [row.place for page in (first, second, third) for row in page.rows] == list(range(1, 10))
    assert {row.rank for row in second.rows + third.rows} == {3}  # one rank for the tie
    assert third.next_cursor is None and len(third.rows) == 1


def test_a_tie_is_ordered_by_first_name_then_id(klass):
    a = enrol(klass.journey, "Kim", "Ara")
    b = enrol(klass.journey, "Kim", "Bora")
    twins = sorted((enrol(klass.journey, "Kim", "Cho") for _ in range(2)), key=lambda p: p.pk)
    rows = individual_leaderboard(klass.journey)
    assert [row.profile for row in rows] == [a, b, *twins]
    assert {row.rank for row in rows} == {1}


def test_a_page_after_a_student_who_left_goes_on_with_lower_points(klass):
    students = [enrol(klass.journey, name) for name in ("A", "B", "C", "D")]
    for points, student in zip((40, 30, 30, 20), students, strict=True):
        award(student, klass.w1, points)
    first = ranking_page(klass.journey, size=2)  # A, B
    students[1].journey_memberships.all().delete()

    after = ranking_page(klass.journey, after=first.next_cursor, size=2)

    # B's name is no longer in the class: C (B's tie) cannot be placed after it.
    assert [row.profile.last_name for row in after.rows] == ["D"]


def test_a_page_of_one_week_ranks_that_week(klass):
    early, late, later = (enrol(klass.journey, name) for name in ("Early", "Late", "Later"))
    award(early, klass.w1, 50)
    award(late, klass.w2, 20)
    award(later, klass.w2, 10)

    first = ranking_page(klass.journey, klass.week2, size=1)
    second = ranking_page(klass.journey, klass.week2, after=first.next_cursor, size=5)

    assert table(first.rows) == [("Late", 20, 1)]
    assert table(second.rows) == [("Later", 10, 2), ("Early", 0, 3)]
    assert second.best == 20


@pytest.mark.parametrize(
    "raw",
    [
        "nope",
        "10",
        "10~not-a-uuid",
        "ten~7a0e2f5c-9a3b-4d5e-8f6a-0b1c2d3e4f5a",
        "1.5~7a0e2f5c-9a3b-4d5e-8f6a-0b1c2d3e4f5a",
        "1~2~7a0e2f5c-9a3b-4d5e-8f6a-0b1c2d3e4f5a",
        "9" * 40 + "~7a0e2f5c-9a3b-4d5e-8f6a-0b1c2d3e4f5a",
    ],
)
def test_a_cursor_we_did_not_write_is_refused(klass, raw):
    with pytest.raises(BadCursor):
        ranking_page(klass.journey, after=raw)


def test_a_cursor_reads_back_what_it_wrote():
    cursor = RankingCursor(points=-5, id=uuid.uuid4())
    assert RankingCursor.decode(cursor.encode()) == cursor


def test_the_team_board_shows_the_top_and_my_team_below_it(klass):
    teams = [TeamFactory(journey=klass.journey, name=f"T{number:02d}") for number in range(14)]
    for number, team in enumerate(teams):
        team_award(team, klass.w1, 100 - number)

    board = team_leaderboard(klass.journey, team_id=teams[12].pk, top=10)

    assert [row.team.name for row in board.top] == [f"T{number:02d}" for number in range(10)]
    assert board.mine_below.team == teams[12] and board.mine.rank == 13
    assert (board.out_of, board.more, board.best) == (14, 4, 100)
    every = team_leaderboard(klass.journey, team_id=teams[12].pk, top=None)
    assert len(every.top) == 14 and every.mine_below is None and every.more == 0


@pytest.mark.parametrize("size", [3, 60])
def test_each_read_is_a_fixed_number_of_queries(klass, django_assert_num_queries, size):
    students = []
    for number in range(size):
        student = enrol(klass.journey, f"S{number:03d}")
        students.append(student)
        award(student, klass.w1, number % 7)
        team = TeamFactory(journey=klass.journey)
        TeamMemberFactory(team=team, user=student)
        team_award(team, klass.w2, number % 5)

    # The class's version (once per journey object), the whole board, the
    # rows' profiles; the next read of the board, from the class cache, only
    # the profiles.
    with django_assert_num_queries(3):
        board = leaderboard(klass.journey, klass.week1, profile=students[-1], top=1, around=0)
        [row.profile.image_url for row in board.top + board.around]  # avatars come with them
    with django_assert_num_queries(1):
        again = leaderboard(klass.journey, klass.week1, profile=students[-1], top=1, around=0)
    assert again == board
    with django_assert_num_queries(2):
        page = ranking_page(klass.journey, klass.week1, after=board.top[-1].cursor, size=100)
        [row.profile.image_url for row in page.rows]
    with django_assert_num_queries(1):  # every team's row (then in the class cache)
        teams = team_leaderboard(klass.journey, top=None)
        [(row.team.name, row.member_count) for row in teams.top]
    assert len(teams.top) == size and teams.top[0].member_count == 1
    assert len(board.top) + len(page.rows) == size and board.me is not None
