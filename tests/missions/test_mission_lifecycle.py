"""mission_statuses_sync: an instance's status follows its dates."""

from __future__ import annotations

from missions.models import JourneyMissionInstance, MissionStatus
from missions.services import mission_statuses_sync


def status_of(instance) -> str:
    return JourneyMissionInstance.objects.values_list("status", flat=True).get(pk=instance.pk)


def test_statuses_follow_release_and_expiry(journey, schedule, now):
    future = schedule(journey, opens=+2, closes=+30, status=MissionStatus.IN_PROGRESS)
    open_ = schedule(journey, opens=-2, closes=+30, status=MissionStatus.NOT_STARTED)
    closed = schedule(journey, opens=-50, closes=-1, status=MissionStatus.IN_PROGRESS)
    just_closed = schedule(journey, opens=-50, closes=0, status=MissionStatus.IN_PROGRESS)
    just_opened = schedule(journey, opens=0, closes=+3, status=MissionStatus.NOT_STARTED)

    counts = mission_statuses_sync(now=now)

    assert counts == {"completed": 2, "in_progress": 2, "not_started": 1}
    assert status_of(future) == MissionStatus.NOT_STARTED
    assert status_of(open_) == MissionStatus.IN_PROGRESS
    assert status_of(just_opened) == MissionStatus.IN_PROGRESS
    assert status_of(closed) == MissionStatus.COMPLETED
    assert status_of(just_closed) == MissionStatus.COMPLETED


def test_a_second_run_changes_nothing(journey, schedule, now):
    schedule(journey, opens=-2, closes=+30, status=MissionStatus.NOT_STARTED)
    schedule(journey, opens=-50, closes=-1, status=MissionStatus.IN_PROGRESS)
    mission_statuses_sync(now=now)
    assert mission_statuses_sync(now=now) == {"completed": 0, "in_progress": 0, "not_started": 0}


def test_unscheduled_and_null_status_instances_get_a_value(journey, schedule, now):
    unscheduled = schedule(journey, opens=-2, closes=+30)
    JourneyMissionInstance.objects.filter(pk=unscheduled.pk).update(
        release_date=None, expiry_date=None, status=MissionStatus.IN_PROGRESS
    )
    no_status = schedule(journey, opens=-2, closes=+30)
    JourneyMissionInstance.objects.filter(pk=no_status.pk).update(status=None)

    mission_statuses_sync(now=now)

    assert status_of(unscheduled) == MissionStatus.NOT_STARTED
    assert status_of(no_status) == MissionStatus.IN_PROGRESS


def test_a_legacy_per_student_status_is_replaced_by_the_lifecycle(journey, schedule, now):
    legacy = schedule(journey, opens=-50, closes=-1, status=MissionStatus.SUBMITTED)
    mission_statuses_sync(now=now)
    assert status_of(legacy) == MissionStatus.COMPLETED


def test_the_sync_runs_three_updates_whatever_the_number_of_instances(
    journey, schedule, now, django_assert_num_queries
):
    for hours in range(30):
        schedule(journey, opens=hours - 15, closes=hours - 10, status=MissionStatus.NOT_STARTED)
    # Three UPDATEs inside a savepoint (the test's transaction wraps it).
    with django_assert_num_queries(5):
        mission_statuses_sync(now=now)
