"""core.statements: a queryset compiled once per shape answers every later call
with that call's values, refuses a value that changes the SQL, and (with
VERIFY_STATEMENTS, on in tests) catches a shape that should have been a value."""

from __future__ import annotations

import threading
import uuid

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.db.models.expressions import RawSQL
from django.test.utils import CaptureQueriesContext

from community.models import Post
from core import statements
from core.statements import Statement
from journeys.models import Journey
from tests.factories import JourneyFactory, OrganizationFactory, PostFactory

pytestmark = pytest.mark.django_db


class Counting:
    """A builder that counts how often it is asked for a queryset."""

    def __init__(self, build):
        self.build, self.calls = build, 0

    def __call__(self, **arguments):
        self.calls += 1
        return self.build(**arguments)


def by_name(*, journey_id, sort):
    return Journey.objects.filter(pk=journey_id).order_by(sort)


def test_a_shape_is_compiled_once_and_answers_each_calls_values(settings):
    settings.VERIFY_STATEMENTS = False  # verifying builds the queryset again
    first, second = JourneyFactory(name="First"), JourneyFactory(name="Second")
    builder = Counting(by_name)
    statement = Statement(builder, values=("journey_id",))

    assert statement.first(journey_id=first.pk, sort="name") == first
    assert statement.first(journey_id=second.pk, sort="name") == second
    assert statement.first(journey_id=uuid.uuid4(), sort="name") is None
    assert builder.calls == 1
    statement.all(journey_id=first.pk, sort="-name")  # another shape
    assert builder.calls == 2


def test_rows_come_with_their_related_objects_in_one_query(settings):
    settings.VERIFY_STATEMENTS = False
    journey = JourneyFactory()
    statement = Statement(
        lambda *, journey_id: Journey.objects.select_related("organization").filter(pk=journey_id),
        values=("journey_id",),
    )
    statement.all(journey_id=uuid.uuid4())

    with CaptureQueriesContext(connection) as queries:
        found = statement.first(journey_id=journey.pk)
        assert found.organization.name == journey.organization.name
    assert len(queries) == 1


def test_in_array_binds_a_list_of_any_length_as_one_parameter(settings):
    settings.VERIFY_STATEMENTS = False
    journeys = JourneyFactory.create_batch(3)
    builder = Counting(lambda *, ids: Journey.objects.filter(pk__in_array=ids).order_by("pk"))
    statement = Statement(builder, values=("ids",))

    assert statement.all(ids=[journeys[0].pk]) == [journeys[0]]
    everyone = sorted(journeys, key=lambda journey: journey.pk)
    assert statement.all(ids=[j.pk for j in journeys]) == everyone
    assert statement.all(ids=[]) == []
    assert builder.calls == 1


def test_a_value_that_changes_the_sql_is_refused():
    JourneyFactory()
    statement = Statement(lambda *, size: Journey.objects.order_by("pk")[:size], values=("size",))

    with pytest.raises(ImproperlyConfigured, match="size changes the SQL"):
        statement.all(size=5)


def test_a_value_given_as_none_is_another_shape(settings):
    settings.VERIFY_STATEMENTS = False
    mine, other = OrganizationFactory(), OrganizationFactory()
    journey = JourneyFactory(organization=mine)

    def build(*, journey_id, organization_id):
        journeys = Journey.objects.filter(pk=journey_id)
        if organization_id is None:
            return journeys
        return journeys.filter(organization_id=organization_id)

    statement = Statement(build, values=("journey_id", "organization_id"))
    assert statement.first(journey_id=journey.pk, organization_id=other.pk) is None
    assert statement.first(journey_id=journey.pk, organization_id=None) == journey
    assert statement.first(journey_id=journey.pk, organization_id=mine.pk) == journey


def test_verifying_catches_what_the_shape_forgot():
    journey = JourneyFactory(name="Kept")
    wanted = {"name": "Kept"}
    # The builder reads something that is neither shape nor value: the first
    # call's SQL would be served to every later call.
    statement = Statement(
        lambda *, journey_id: Journey.objects.filter(pk=journey_id, name=wanted["name"]),
        values=("journey_id",),
    )
    assert statement.first(journey_id=journey.pk) == journey

    wanted["name"] = "Other"
    with pytest.raises(AssertionError, match="must be in the shape"):
        statement.first(journey_id=journey.pk)


def test_a_shape_that_selects_nothing_runs_no_query():
    statement = Statement(
        lambda *, journey_id, nobody: (
            Journey.objects.none() if nobody else Journey.objects.filter(pk=journey_id)
        ),
        values=("journey_id",),
    )
    with CaptureQueriesContext(connection) as queries:
        assert statement.all(journey_id=uuid.uuid4(), nobody=True) == []
    assert len(queries) == 0


@pytest.mark.django_db(transaction=True)
def test_another_thread_runs_it_on_its_own_connection(settings):
    settings.VERIFY_STATEMENTS = False
    journey = JourneyFactory()
    statement = Statement(
        lambda *, journey_id: Journey.objects.filter(pk=journey_id), values=("journey_id",)
    )
    assert statement.first(journey_id=journey.pk) == journey  # compiled on this thread
    found = []

    def read():
        try:
            found.append(statement.first(journey_id=journey.pk))
        finally:
            connection.close()  # this thread's

    worker = threading.Thread(target=read)
    worker.start()
    worker.join()
    assert found == [journey]


def test_an_integer_keeps_the_type_the_orm_binds_it_with(settings):
    settings.VERIFY_STATEMENTS = False
    quiet, busy = PostFactory(view_count=3), PostFactory(view_count=40)
    statement = Statement(
        lambda *, least: Post.objects.filter(
            view_count__gte=least, pk__in_array=[quiet.pk, busy.pk]
        ),
        values=("least",),
    )

    assert statement.all(least=10) == [busy]
    assert sorted(statement.all(least=0), key=lambda post: post.view_count) == [quiet, busy]
    assert statement.all(least=41) == []


def plan_mode_statement() -> Statement:
    """A journey with the plan_cache_mode PostgreSQL ran its query under."""
    return Statement(
        lambda *, journey_id: Journey.objects.filter(pk=journey_id).annotate(
            plan_mode=RawSQL("current_setting('plan_cache_mode')", [])
        ),
        values=("journey_id",),
        generic_plan=True,
    )


def current_plan_mode() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('plan_cache_mode')")
        return cursor.fetchone()[0]


def test_a_statement_on_its_generic_plan_switches_the_rest_of_its_transaction(settings):
    """PostgreSQL runs the statement under force_generic_plan, and the mode
    stays for the transaction's next statements (no round trip to switch back)."""
    settings.VERIFY_STATEMENTS = False
    journey = JourneyFactory()

    with CaptureQueriesContext(connection) as queries:
        found = plan_mode_statement().first(journey_id=journey.pk)
    assert found == journey and found.plan_mode == "force_generic_plan"
    assert len(queries) == 1  # the switch goes through libpq itself, not logged
    assert current_plan_mode() == "force_generic_plan"


@pytest.mark.django_db(transaction=True)
def test_the_generic_plan_switch_ends_with_its_transaction(settings):
    """The next transaction (the next request on a reused connection) plans
    as PostgreSQL chooses again."""
    settings.VERIFY_STATEMENTS = False
    journey = JourneyFactory()
    with transaction.atomic():
        assert plan_mode_statement().first(journey_id=journey.pk).plan_mode == "force_generic_plan"
    with transaction.atomic():
        assert current_plan_mode() == "auto"


@pytest.mark.django_db(transaction=True)
def test_the_generic_plan_switch_begins_a_transaction_not_begun_yet(settings):
    """Inside an atomic block whose BEGIN PostgreSQL has not seen yet, the
    switch runs as the block's first statement (which begins it)."""
    settings.VERIFY_STATEMENTS = False
    journey = JourneyFactory()
    with transaction.atomic():
        found = plan_mode_statement().first(journey_id=journey.pk)
        assert found.plan_mode == "force_generic_plan"


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_generic_plan_switch_does_nothing(settings, monkeypatch):
    """In autocommit a transaction-local setting would not reach the next
    statement: nothing is switched."""
    settings.VERIFY_STATEMENTS = False
    journey = JourneyFactory()
    switches = []
    monkeypatch.setattr(statements, "send_command", lambda *args: switches.append(args))
    found = plan_mode_statement().first(journey_id=journey.pk)
    assert found.plan_mode == "auto"
    assert switches == []
