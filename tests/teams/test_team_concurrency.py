"""Two requests at once, each on its own database connection: the one-team rule
and the case-insensitive name rule still hold."""

from __future__ import annotations

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from teams import services
from teams.models import Team, TeamMember
from tests.factories import TeamFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("english")]


def run_together(*calls):
    """Run each call in its own thread (so its own connection) at the same moment;
    return what each returned or raised."""
    start = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def work(index, call):
        try:
            start.wait()
            results[index] = call()
        except Exception as error:  # noqa: BLE001 (the test inspects it)
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.fixture
def slow_checks(monkeypatch):
    """Widen the window between "is the student free?" and the insert, so both
    requests would pass the check if nothing serialised them."""
    for name in ("_refuse_second_team", "_refuse_taken_name"):
        original = getattr(services, name)

        def slowed(*args, _original=original, **kwargs):
            result = _original(*args, **kwargs)
            time.sleep(0.3)
            return result

        monkeypatch.setattr(services, name, slowed)


def test_two_joins_at_once_leave_one_membership(slow_checks, journey, student):
    first, second = TeamFactory(journey=journey), TeamFactory(journey=journey)

    results = run_together(
        lambda: services.team_join(team=first, user=student),
        lambda: services.team_join(team=second, user=student),
    )

    assert TeamMember.objects.filter(user=student).count() == 1
    refused = [result for result in results if isinstance(result, ValidationError)]
    assert len(refused) == 1 and "already in a team" in refused[0].messages[0]


def test_a_create_and_a_join_at_once_leave_one_membership(slow_checks, journey, student):
    existing = TeamFactory(journey=journey)

    run_together(
        lambda: services.team_join(team=existing, user=student),
        lambda: services.team_create(journey=journey, user=student, name="Brand new"),
    )

    assert TeamMember.objects.filter(user=student).count() == 1


def test_two_students_creating_one_name_in_two_spellings_make_one_team(
    slow_checks, journey, student, classmate_factory
):
    classmate = classmate_factory()

    results = run_together(
        lambda: services.team_create(journey=journey, user=student, name="Team Wave"),
        lambda: services.team_create(journey=journey, user=classmate, name="team wave"),
    )

    assert Team.objects.filter(journey=journey).count() == 1
    refused = [result for result in results if isinstance(result, ValidationError)]
    assert [error.message_dict for error in refused] == [
        {"name": ["A team with this name already exists in this journey."]}
    ]
