"""Two teachers grading the same submission at the same moment, each in their
own thread with their own database connection: the post is locked, so they
are served one after the other and exactly one points row remains, carrying
the last grade."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection

from accounts.models import Role
from community.models import AchievementStatus, Post
from grading import services as grading
from points.models import TeamPoint, UserPoint
from tests.factories import ProfileFactory
from tests.grading.conftest import submission, team_submission

pytestmark = pytest.mark.django_db(transaction=True)


def _in_thread(work, results: dict, key: str) -> threading.Thread:
    def run() -> None:
        try:
            results[key] = work()
        except Exception as error:  # reported by the test, not lost in the thread
            results[key] = error
        finally:
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.fixture
def second_teacher(school):
    return ProfileFactory(organization=school.journey.organization, role=Role.TEACHER)


def _hold_the_lock_while(monkeypatch, first_grader, started: threading.Event) -> None:
    """The first grader's transaction pauses right after taking the post's lock
    (at its points write), long enough for the second grader to arrive and wait."""
    real = grading.points_award

    def slow_award(*, post, score):
        if post.graded_by_id == first_grader.pk:
            started.set()
            time.sleep(0.6)
        return real(post=post, score=score)

    monkeypatch.setattr(grading, "points_award", slow_award)


def test_two_teachers_grading_at_once_leave_one_points_row_with_the_last_score(
    school, second_teacher, monkeypatch
):
    post = submission(school.instance, school.student)
    started = threading.Event()
    _hold_the_lock_while(monkeypatch, school.teacher, started)
    results: dict = {}

    def grade(teacher, score):
        return lambda: grading.post_grade(
            post=post, grader=teacher, achievement_status="achieved", score=score
        )

    first = _in_thread(grade(school.teacher, 7), results, "first")
    assert started.wait(5)
    second = _in_thread(grade(second_teacher, 9), results, "second")
    first.join(10)
    second.join(10)

    assert not isinstance(results["first"], Exception), results["first"]
    assert not isinstance(results["second"], Exception), results["second"]
    rows = list(UserPoint.objects.values_list("profile_id", "total_points"))
    assert rows == [(school.student.pk, 9)]
    post.refresh_from_db()
    assert (post.score, post.graded_by_id) == (9, second_teacher.pk)
    # The second teacher waited for the first and saw their grade: a regrade.
    assert results["second"].regraded and not results["first"].regraded


def test_achieved_and_not_achieved_at_once_end_as_the_last_one_says(
    school, second_teacher, monkeypatch
):
    post = submission(school.instance, school.student)
    started = threading.Event()
    _hold_the_lock_while(monkeypatch, school.teacher, started)
    results: dict = {}

    first = _in_thread(
        lambda: grading.post_grade(
            post=post, grader=school.teacher, achievement_status="achieved", score=10
        ),
        results,
        "first",
    )
    assert started.wait(5)
    second = _in_thread(
        lambda: grading.post_grade(
            post=post, grader=second_teacher, achievement_status="not_achieved"
        ),
        results,
        "second",
    )
    first.join(10)
    second.join(10)

    assert not any(isinstance(result, Exception) for result in results.values()), results
    assert Post.objects.get(pk=post.pk).achievement_status == AchievementStatus.NOT_ACHIEVED
    assert not UserPoint.objects.exists()


def test_a_team_submission_graded_twice_at_once_keeps_one_team_row(school, second_teacher):
    post = team_submission(school.team_instance, school.team, school.teammate)
    barrier = threading.Barrier(2)
    results: dict = {}

    def grade(teacher, score):
        def work():
            barrier.wait(5)
            return grading.post_grade(
                post=post, grader=teacher, achievement_status="achieved", score=score
            )

        return work

    threads = [
        _in_thread(grade(school.teacher, 12), results, "a"),
        _in_thread(grade(second_teacher, 16), results, "b"),
    ]
    for thread in threads:
        thread.join(10)

    assert not any(isinstance(result, Exception) for result in results.values()), results
    post.refresh_from_db()
    row = TeamPoint.objects.get()
    # Whichever came last, the row and the post agree.
    assert row.total_points == post.score == post.team_points
    assert post.score in (12, 16)
