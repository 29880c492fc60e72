"""Leaderboards: points summed over a journey's mission instances (optionally
one week's), ranked in SQL with RANK(), so ties share a rank (1, 1, 3) and
are listed by last name, first name, then id.

Every read builds the same "board" in SQL (each enrolled student, their
points, rank and place in the listing order). The Dashboard's own view of it,
the top and the person's neighbourhood (``leaderboard``), is the same board
for the whole class: it is read whole, once per change of the class, and kept
in the cache (``journeys.class_cache``: PostgreSQL raises the class's version
on every write to points, enrolments, teams or names), so a request costs a
version read and the profiles of the (few) rows shown. One page after a
cursor (``ranking_page``) and one person's standing (``my_standing``) let out
only their rows in SQL; teams are ranked the same way (``team_leaderboard``,
cached too). The sums read ``user_points`` / ``team_points`` through their
covering leaderboard indexes (mission instance, owner, INCLUDE total_points):
the database reads only the class's points rows, from the index alone, and
sums them in one hash aggregate; the students are fetched by primary key,
never by a scan of every profile.

Pages go by key, not by OFFSET: a cursor is the last row's (points, id),
and the next page starts at the rows with fewer points, or as many and a
(last name, first name, id) after that row's. A row moving between two
requests is neither repeated nor skipped because of where the others moved.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db.models import Count, F, QuerySet, Subquery, Sum

from accounts.models import Profile, Role
from accounts.selectors import AVATAR_FIELDS, PUBLIC_NAME_FIELDS, public_name
from core.db import AnyOf, fetch_all
from core.keyset import BadCursor, key_decode, key_encode
from core.statements import Statement
from journeys.class_cache import class_cached
from journeys.models import Journey, JourneyWeek, UserJourney
from missions.models import JourneyMissionInstance
from points.models import TeamPoint, UserPoint
from teams.models import Team, TeamMember

# The Dashboard shows the top rows, then the person's rows around their own.
LEADERBOARD_TOP = 10
LEADERBOARD_AROUND = 2  # rows above and below the person's own
RANKING_PAGE_SIZE = 50
TEAM_TOP = 10


@dataclass(frozen=True)
class StudentStanding:
    profile: Profile
    name: str  # the public name ("Deleted user" never appears: see enrolled_students)
    points: int
    rank: int  # shared by equal points: 1, 1, 3
    place: int  # 1, 2, 3: the row's place in the listing (ties by name, then id)

    @property
    def cursor(self) -> str:
        """Where a page ending with this row stops (``?after=``)."""
        return RankingCursor(points=self.points, id=self.profile.pk).encode()


@dataclass(frozen=True)
class TeamStanding:
    team: Team  # its id and name only
    member_count: int
    points: int
    rank: int
    place: int


@dataclass(frozen=True)
class MyStanding:
    """ "#3 of 25, 120 PT"."""

    rank: int
    out_of: int
    points: int


@dataclass(frozen=True)
class RankingCursor:
    """The last row of a page: its points and its profile's id (a
    ``core.keyset`` key). Its name is read again in SQL, so no name travels in
    a URL."""

    points: int
    id: uuid.UUID

    def encode(self) -> str:
        return key_encode([self.points, self.id])

    @classmethod
    def decode(cls, raw: str) -> RankingCursor:
        """``BadCursor`` for anything we did not write."""
        points, pk = key_decode(raw, types=(int, uuid.UUID))
        # A bigint (a SUM of integers) whatever the input: larger is not ours.
        if abs(points) >= 10**18:
            raise BadCursor(raw)
        return cls(points=points, id=pk)


@dataclass(frozen=True)
class Leaderboard:
    """What the Dashboard shows of a class's ranking."""

    top: list[StudentStanding]
    # The person's own place and the rows around it, when below the top (a
    # neighbourhood that touches the top joins it instead).
    around: list[StudentStanding]
    me: MyStanding | None  # None for a person not ranked (a teacher)
    out_of: int  # students ranked
    best: int  # the most points: a bar's full width
    next_cursor: str | None  # the page after the top; None when the top is all


@dataclass(frozen=True)
class RankingPage:
    rows: list[StudentStanding]
    next_cursor: str | None  # None on the last page
    out_of: int
    best: int


def _instance_ids(journey: Journey, week: JourneyWeek | None) -> QuerySet:
    instances = JourneyMissionInstance.objects.filter(journey=journey)
    if week is not None:
        # A week of another journey simply has none of this journey's instances.
        instances = instances.filter(journey_week=week)
    return instances.values("pk")


def _of_instances(journey: Journey, week: JourneyWeek | None) -> AnyOf:
    """Points rows of the journey's (or the week's) instances: the instances'
    ids are read first, then the rows by the leaderboard index. As a join (or
    ``IN``) the planner may read all the platform's points rows instead."""
    return AnyOf(F("mission_instance_id"), Subquery(_instance_ids(journey, week)))


def enrolled_students(journey: Journey) -> QuerySet[Profile]:
    """The journey's students (role "user"). Closed accounts are left out: their
    row stays for their posts, but they are no longer in the class.

    The class's ids are looked up by primary key: as a join on ``profiles``
    the planner may prefer reading every profile of the platform (a thousand
    index probes look dearer than one sequential scan) and the class would
    then cost as much as the platform is big."""
    enrolled = UserJourney.objects.filter(journey=journey).order_by().values("user_id")
    return Profile.objects.filter(
        AnyOf(F("pk"), Subquery(enrolled)), role=Role.USER, deleted_at__isnull=True
    )


# --- the board ------------------------------------------------------------------

# One row per enrolled student: points (0 without any), the sort keys, RANK()
# over the points, the place in listing order, the class size and the best
# score. The sums are aggregated before the join (one pass over the class's
# points rows), never per student.
_BOARD = """
WITH earned (profile_id, points) AS ({earned}),
students (id, last_name, first_name) AS ({students}),
scored AS (
    SELECT s.id, COALESCE(e.points, 0) AS points,
           COALESCE(s.last_name, '') AS sort_last, COALESCE(s.first_name, '') AS sort_first
    FROM students s LEFT JOIN earned e ON e.profile_id = s.id
),
board AS (
    SELECT id, points, sort_last, sort_first,
           RANK() OVER (ORDER BY points DESC) AS rank,
           ROW_NUMBER() OVER (ORDER BY points DESC, sort_last, sort_first, id) AS place,
           COUNT(*) OVER () AS out_of,
           MAX(points) OVER () AS best
    FROM scored
)
"""
_COLUMNS = "SELECT id, points, rank, place, out_of, best FROM board"


def _board(journey: Journey, week: JourneyWeek | None) -> tuple[str, list]:
    """The board's WITH clause and its parameters, from the ORM's own queries
    for "the points that count" and "the students of the class"."""
    earned = (
        UserPoint.objects.filter(_of_instances(journey, week))
        .order_by()
        .values("profile_id")
        .annotate(points=Sum("total_points"))
    )
    students = enrolled_students(journey).order_by().values("pk", "last_name", "first_name")
    earned_sql, earned_params = earned.query.sql_with_params()
    students_sql, students_params = students.query.sql_with_params()
    sql = _BOARD.format(earned=earned_sql, students=students_sql)
    return sql, [*earned_params, *students_params]


@dataclass(frozen=True)
class _Row:
    id: uuid.UUID
    points: int
    rank: int
    place: int
    out_of: int
    best: int


# The whole board in listing order, ids as text: what the cache keeps.
_WHOLE_BOARD = "SELECT id::text, points, rank, place, out_of, best FROM board ORDER BY place"


def _class_board(journey: Journey, week: JourneyWeek | None) -> list[tuple]:
    """Every row of the board (``_WHOLE_BOARD``), the same for everyone who
    asks: kept in the cache until the class changes (``class_cached``)."""

    def read() -> list[tuple]:
        board, params = _board(journey, week)
        return fetch_all(f"{board} {_WHOLE_BOARD}", params)

    return class_cached(journey, f"board:{_week_key(week)}", read)


def _week_key(week: JourneyWeek | None) -> str:
    """What a class-cache key says of the week a board covers."""
    return str(week.pk) if week else "all"


def _read(sql: str, params: list) -> list[_Row]:
    return [_Row(*row) for row in fetch_all(sql, params)]


def _standings(rows: list[_Row]) -> list[StudentStanding]:
    """The rows with their profiles (one query, avatars included)."""
    if not rows:
        return []
    profiles = {profile.pk: profile for profile in _PROFILES.all(ids=[r.id for r in rows])}
    return [
        StudentStanding(
            profile=profile,
            name=public_name(profile),
            points=row.points,
            rank=row.rank,
            place=row.place,
        )
        for row in rows
        # A profile closed between the two queries is simply not listed.
        if (profile := profiles.get(row.id)) is not None
    ]


_PROFILES = Statement(
    lambda *, ids: (
        Profile.objects.select_related("profile_image_file")
        .only(*PUBLIC_NAME_FIELDS, *AVATAR_FIELDS)
        .filter(pk__in_array=ids)
    ),
    values=("ids",),
)


def _next_cursor(rows: list[StudentStanding], out_of: int) -> str | None:
    return rows[-1].cursor if rows and rows[-1].place < out_of else None


def leaderboard(
    journey: Journey,
    week: JourneyWeek | None = None,
    *,
    profile: Profile | None = None,
    top: int = LEADERBOARD_TOP,
    around: int = LEADERBOARD_AROUND,
) -> Leaderboard:
    """The top ``top`` rows and, when ``profile`` is ranked below them, their
    row with ``around`` rows either side; their standing. The whole class's
    board comes from the cache while the class has not changed (one query for
    its version, the board's statement after a change), then one query for
    the profiles of the rows shown."""
    my_id = str(profile.pk) if profile is not None else None
    shown = _shown_rows(journey, week, my_id, top=top, around=around)
    rows = [_Row(uuid.UUID(row[0]), *row[1:]) for row in shown]
    me = next((row for row in rows if str(row.id) == my_id), None)
    standings = _standings(rows)
    head = [row for row in standings if row.place <= top]
    tail = [row for row in standings if row.place > top]
    if tail and head and tail[0].place == head[-1].place + 1:
        # The neighbourhood follows the top without a gap: one list.
        head, tail = head + tail, []
    out_of = rows[0].out_of if rows else 0
    return Leaderboard(
        top=head,
        around=tail,
        me=MyStanding(rank=me.rank, out_of=me.out_of, points=me.points) if me else None,
        out_of=out_of,
        best=rows[0].best if rows else 0,
        next_cursor=_next_cursor(head, out_of),
    )


def _shown_rows(
    journey: Journey, week: JourneyWeek | None, my_id: str | None, *, top: int, around: int
) -> list[tuple]:
    """The board's rows one viewer sees: the top ``top`` and, when ``my_id``
    is ranked, its row with ``around`` rows either side. Picked from the
    whole board once per change of the class and kept for that viewer: a
    request then reads a few rows from the cache, not a row per student of
    the class (unpickling 1,260 rows cost a millisecond that grew with it)."""

    def pick() -> list[tuple]:
        board = _class_board(journey, week)
        my_index = next((index for index, row in enumerate(board) if row[0] == my_id), None)
        shown = board[:top]
        if my_index is not None:
            # The neighbourhood, without the rows the top already has.
            shown += board[max(my_index - around, top) : my_index + around + 1]
        return shown

    return class_cached(journey, f"board-shown:{_week_key(week)}:{top}:{around}:{my_id}", pick)


def ranking_page(
    journey: Journey,
    week: JourneyWeek | None = None,
    *,
    after: str | None = None,
    size: int = RANKING_PAGE_SIZE,
) -> RankingPage:
    """``size`` rows of the ranking after the cursor ``after`` (from the top
    without one); ``BadCursor`` for a cursor we did not write. Two queries.

    The row that ended the previous page is looked up in the class by id for
    its name: if that student has left the class since, the page goes on
    with the next lower points."""
    board, params = _board(journey, week)
    where, more = "", []
    if after:
        cursor = RankingCursor.decode(after)
        where = (
            " WHERE points < %s OR (points = %s AND (sort_last, sort_first, id) >"
            " (SELECT sort_last, sort_first, id FROM board WHERE id = %s))"
        )
        more = [cursor.points, cursor.points, cursor.id]
    rows = _read(f"{board} {_COLUMNS}{where} ORDER BY place LIMIT %s", [*params, *more, size])
    standings = _standings(rows)
    out_of = rows[0].out_of if rows else 0
    return RankingPage(
        rows=standings,
        next_cursor=_next_cursor(standings, out_of),
        out_of=out_of,
        best=rows[0].best if rows else 0,
    )


def my_standing(
    journey: Journey, profile: Profile, week: JourneyWeek | None = None
) -> MyStanding | None:
    """``profile``'s rank, the class size and their points (one query); None
    when they are not ranked (a teacher, say)."""
    board, params = _board(journey, week)
    rows = _read(f"{board} {_COLUMNS} WHERE id = %s", [*params, profile.pk])
    if not rows:
        return None
    return MyStanding(rank=rows[0].rank, out_of=rows[0].out_of, points=rows[0].points)


# --- teams ------------------------------------------------------------------------

# The same board for the journey's teams: points aggregated in one pass over
# the journey's ``team_points`` (leaderboard index) and member counts in one
# pass over its teams' members, never a subquery per team.
_TEAM_BOARD = """
WITH earned (team_id, points) AS ({earned}),
members (team_id, n) AS ({members}),
board AS (
    SELECT t.id, t.name, COALESCE(e.points, 0) AS point_sum, COALESCE(m.n, 0) AS member_count,
           RANK() OVER (ORDER BY COALESCE(e.points, 0) DESC) AS rank,
           ROW_NUMBER() OVER (ORDER BY COALESCE(e.points, 0) DESC, t.name, t.id) AS place,
           COUNT(*) OVER () AS out_of,
           MAX(COALESCE(e.points, 0)) OVER () AS best
    FROM ({teams}) AS t (id, name)
    LEFT JOIN earned e ON e.team_id = t.id
    LEFT JOIN members m ON m.team_id = t.id
)
SELECT id::text, name, point_sum, member_count, rank, place, out_of, best FROM board
"""


@dataclass(frozen=True)
class TeamBoard:
    top: list[TeamStanding]  # the first rows; every team when asked for all
    mine: TeamStanding | None  # my team's row, wherever it is
    out_of: int  # teams in the journey
    best: int  # the most points: a bar's full width

    @property
    def mine_below(self) -> TeamStanding | None:
        """My team's row when the top does not show it."""
        if self.mine is None or any(row.team.pk == self.mine.team.pk for row in self.top):
            return None
        return self.mine

    @property
    def more(self) -> int:
        """How many teams the top leaves out."""
        return self.out_of - len(self.top)


def team_leaderboard(
    journey: Journey,
    week: JourneyWeek | None = None,
    *,
    team_id=None,
    top: int | None = TEAM_TOP,
) -> TeamBoard:
    """The journey's teams ranked, 0 points included, by rank, then name: the
    first ``top`` (all with ``top=None``) and team ``team_id``'s row. Every
    team's row comes from the cache while the class has not changed (one
    query for its version, the board's statement after a change)."""
    mine = str(team_id) if team_id is not None else None

    def pick() -> list[tuple]:
        # From every team's row, kept until the class changes; this viewer's
        # few are kept too, so a request unpickles those, not the whole board.
        board = class_cached(
            journey, f"teams:{_week_key(week)}", lambda: _read_team_board(journey, week)
        )
        return [row for row in board if top is None or row[5] <= top or row[0] == mine]

    board = class_cached(journey, f"teams-shown:{_week_key(week)}:{top}:{mine}", pick)
    rows = [
        TeamStanding(
            # What a row shows of its team: its id and name.
            team=Team(id=uuid.UUID(pk), name=name),
            member_count=member_count,
            points=points,
            rank=rank,
            place=place,
        )
        for pk, name, points, member_count, rank, place, _out_of, _best in board
    ]
    return TeamBoard(
        top=[row for row in rows if top is None or row.place <= top],
        mine=next((row for row in rows if str(row.team.pk) == mine), None),
        out_of=board[0][6] if board else 0,
        best=board[0][7] if board else 0,
    )


def _read_team_board(journey: Journey, week: JourneyWeek | None) -> list[tuple]:
    """Every team's row of ``_TEAM_BOARD`` in listing order, ids as text."""
    earned = (
        TeamPoint.objects.filter(_of_instances(journey, week))
        .order_by()
        .values("team_id")
        .annotate(points=Sum("total_points"))
    )
    members = (
        TeamMember.objects.filter(team__journey=journey)
        .order_by()
        .values("team_id")
        .annotate(n=Count("pk"))
    )
    teams = Team.objects.filter(journey=journey).order_by().values("pk", "name")
    parts = [q.query.sql_with_params() for q in (earned, members, teams)]
    sql = _TEAM_BOARD.format(earned=parts[0][0], members=parts[1][0], teams=parts[2][0])
    params = [param for _sql, part in parts for param in part]
    return fetch_all(f"{sql} ORDER BY place", params)
