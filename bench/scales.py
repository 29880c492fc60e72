"""The sizes of the bench's data sets: the full one (the issue's numbers) and
any fraction of it (a tenth for ``make bench``, a sliver for the test).

Volumes (people, journeys, posts, likes, comments, notifications) scale; the
shape of a journey does not: eight weeks, the largest journey with 32 missions
(four a week), the others with 16, teams of ten.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

# The full data set, as the issue gives it.
FULL_STUDENTS = 10_000
FULL_JOURNEYS = 60
FULL_LARGEST = 1_260
FULL_POSTS = 100_000
FULL_LIKES = 1_000_000
FULL_COMMENTS = 300_000
FULL_NOTIFICATIONS = 1_000_000


@dataclass(frozen=True)
class Scale:
    name: str
    factor: float
    students: int
    journeys: int
    largest: int  # students of journey 1, the largest
    posts: int
    likes: int
    comments: int
    notifications: int
    weeks: int = 8
    largest_missions_per_week: int = 4  # 32 missions in the largest journey
    missions_per_week: int = 2  # 16 in the others
    team_size: int = 10
    journeys_per_academy: int = 10
    staff_per_academy: int = 3  # one admin, two teachers
    blog_posts: int = 24
    # Share of the largest journey's possible individual submissions that exist.
    largest_submission_rate: float = 0.85

    @property
    def academies(self) -> int:
        return -(-self.journeys // self.journeys_per_academy)

    @property
    def mission_templates(self) -> int:
        return self.weeks * self.largest_missions_per_week

    def as_dict(self) -> dict:
        return {**asdict(self), "academies": self.academies}


def scale_of(factor: float, name: str | None = None) -> Scale:
    """The full data set times ``factor`` (1, 0.1, 1/250 …)."""
    if not 0 < factor <= 1:
        raise ValueError(f"A scale is a fraction in (0, 1], not {factor}.")
    students = max(2, round(FULL_STUDENTS * factor))
    journeys = max(1, round(FULL_JOURNEYS * factor))
    largest = students if journeys == 1 else max(2, round(FULL_LARGEST * factor))
    return Scale(
        name=name or f"x{factor:g}",
        factor=factor,
        students=students,
        journeys=journeys,
        largest=largest,
        posts=max(1, round(FULL_POSTS * factor)),
        likes=round(FULL_LIKES * factor),
        comments=round(FULL_COMMENTS * factor),
        notifications=round(FULL_NOTIFICATIONS * factor),
    )


FULL = scale_of(1.0, "full")
TENTH = scale_of(0.1, "tenth")
SCALES = {"full": FULL, "tenth": TENTH}
