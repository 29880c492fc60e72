"""The beat schedule runs the missions tasks, and each task runs its service."""

from __future__ import annotations

import pytest
from django.conf import settings

from missions import tasks
from missions.models import JourneyMissionInstance, MissionStatus
from notifications.models import Notification
from sqeeze.celery import app

TASKS = {
    "missions.sync_mission_statuses": 60,
    "missions.send_new_mission_notices": 5 * 60,
    "missions.send_deadline_reminders": 15 * 60,
}


@pytest.mark.parametrize("name, every", TASKS.items())
def test_beat_runs_each_task_on_its_schedule(name, every):
    entries = [entry for entry in settings.CELERY_BEAT_SCHEDULE.values() if entry["task"] == name]
    assert [entry["schedule"] for entry in entries] == [every]
    app.loader.import_default_modules()
    assert name in app.tasks


def test_the_status_task_syncs_statuses(journey, schedule):
    instance = schedule(journey, opens=-50, closes=-1, status=MissionStatus.IN_PROGRESS)
    result = tasks.sync_mission_statuses.apply()
    assert result.successful() and result.result["completed"] == 1
    assert JourneyMissionInstance.objects.get(pk=instance.pk).status == MissionStatus.COMPLETED


def test_the_new_mission_task_sends_notices(journey, student, schedule):
    schedule(journey, opens=-1, closes=+48)
    assert tasks.send_new_mission_notices.apply().result == 1
    assert Notification.objects.get(receiver=student).type == "new_mission"


def test_the_deadline_task_sends_reminders(journey, student, schedule):
    schedule(journey, opens=-48, closes=+5)
    assert tasks.send_deadline_reminders.apply().result == 1
    assert Notification.objects.get(receiver=student).type == "deadline"
