"""Celery tasks of the insights app; Celery's autodiscovery imports this module."""

from __future__ import annotations

import uuid

from celery import shared_task
from django.db import transaction

from core import tenancy
from insights import counting
from insights.counting import Scope, count
from journeys.models import Journey

COUNT_TIME_LIMIT_SECONDS = 300


@shared_task(
    name="insights.count_class_words",
    ignore_result=True,
    soft_time_limit=COUNT_TIME_LIMIT_SECONDS,
    time_limit=COUNT_TIME_LIMIT_SECONDS + 30,
)
def count_class_words(
    journey_id: str, instance_id: str, question_id: str, key: str, week_id: str = ""
) -> int:
    """Count a journey's words for the insights page, in its academy's context;
    a journey deleted meanwhile is skipped. The number of answers counted."""
    academy = tenancy.academy_of_row("journeys", journey_id)
    if academy is None:
        return 0
    with tenancy.use(tenancy.for_academy(academy)):
        journey = Journey.objects.get(pk=journey_id)
        scope = Scope(
            instance_id=uuid.UUID(instance_id) if instance_id else None,
            question_id=uuid.UUID(question_id) if question_id else None,
            week_id=uuid.UUID(week_id) if week_id else None,
        )
        return count(journey, scope, key)["answers"]


def class_words(journey: Journey, scope: Scope) -> dict:
    """The scope's count if kept; else queue one (once, after the request's
    commit) and say it is running."""
    key = counting.cache_key(journey, scope)
    state = counting.read(key)
    if state is not None:
        return state
    if counting.start(key):
        arguments = [
            str(journey.pk),
            str(scope.instance_id or ""),
            str(scope.question_id or ""),
            key,
            str(scope.week_id or ""),
        ]
        transaction.on_commit(lambda: count_class_words.delay(*arguments))
    return {"state": "running", "done": 0, "total": 0}
