"""points.services: the one place points are awarded and revoked. One row per
student (or team) and mission instance, whatever happens."""

from __future__ import annotations

import pytest

from community.models import Post
from points.models import TeamPoint, UserPoint
from points.services import PointsError, points_award, points_revoke
from tests.factories import (
    JourneyFactory,
    JourneyWeekFactory,
    MissionFactory,
    MissionInstanceFactory,
    PostFactory,
    TeamFactory,
    TeamMemberFactory,
    UserJourneyFactory,
    UserPointFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def instance(organization):
    journey = JourneyFactory(organization=organization)
    week = JourneyWeekFactory(journey=journey)
    return MissionInstanceFactory(journey_week=week, mission__points=10)


@pytest.fixture
def post(instance, student):
    UserJourneyFactory(journey=instance.journey, user=student)
    return PostFactory(mission_instance=instance, user=student)


@pytest.fixture
def team_post(instance, student):
    team = TeamFactory(journey=instance.journey)
    TeamMemberFactory(team=team, user=student)
    mission = MissionFactory(organization=instance.journey.organization, mission_type="team")
    team_instance = MissionInstanceFactory(journey_week=instance.journey_week, mission=mission)
    return PostFactory(
        mission_instance=team_instance, user=student, team=team, is_team_submission=True
    )


def test_awarding_gives_the_author_one_row_for_the_instance(post, student, instance):
    award = points_award(post=post, score=8)

    row = UserPoint.objects.get()
    assert (row.profile, row.mission_instance, row.post, row.total_points) == (
        student,
        instance,
        post,
        8,
    )
    assert award.profile_id == student.pk
    assert not TeamPoint.objects.exists()


def test_awarding_again_updates_the_row_instead_of_adding_one(post):
    points_award(post=post, score=8)
    points_award(post=post, score=3)

    assert list(UserPoint.objects.values_list("total_points", flat=True)) == [3]


def test_an_earlier_row_for_the_same_student_and_instance_is_taken_over(post, student, instance):
    # The seed keeps one row per profile and instance, sometimes without a post.
    UserPointFactory(post=None, profile=student, mission_instance=instance, total_points=1)

    points_award(post=post, score=9)

    row = UserPoint.objects.get()
    assert (row.post, row.total_points) == (post, 9)


def test_revoking_removes_the_row(post):
    points_award(post=post, score=8)

    assert points_revoke(post=post) == 1
    assert not UserPoint.objects.exists()


def test_revoking_without_points_changes_nothing(post):
    assert points_revoke(post=post) == 0


def test_a_team_submission_earns_team_points_not_student_points(team_post):
    award = points_award(post=team_post, score=15)

    row = TeamPoint.objects.get()
    assert (row.team, row.post, row.total_points) == (team_post.team, team_post, 15)
    assert award.team_id == team_post.team_id
    assert not UserPoint.objects.exists()
    assert Post.objects.get(pk=team_post.pk).team_points == 15


def test_regrading_a_team_submission_updates_its_one_row(team_post):
    points_award(post=team_post, score=15)
    points_award(post=team_post, score=5)

    assert list(TeamPoint.objects.values_list("total_points", flat=True)) == [5]
    assert Post.objects.get(pk=team_post.pk).team_points == 5


def test_revoking_team_points_resets_the_post_column(team_post):
    points_award(post=team_post, score=15)

    assert points_revoke(post=team_post) == 1
    assert not TeamPoint.objects.exists()
    assert Post.objects.get(pk=team_post.pk).team_points == 0


def test_revoking_leaves_other_students_and_instances_alone(post, instance, organization):
    other = UserPointFactory(mission_instance=instance, total_points=4)  # a classmate's
    points_award(post=post, score=8)

    points_revoke(post=post)

    assert list(UserPoint.objects.all()) == [other]


def test_a_negative_score_is_refused(post):
    with pytest.raises(PointsError):
        points_award(post=post, score=-1)
    assert not UserPoint.objects.exists()


def test_a_post_outside_a_mission_earns_nothing(student, organization):
    journey = JourneyFactory(organization=organization)
    post = PostFactory(mission_instance=None, journey=journey, user=student)

    with pytest.raises(PointsError):
        points_award(post=post, score=1)
