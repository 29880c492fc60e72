"""The bench's data generator (``bench.generate``) keeps in step with the
schema: at 1/250 of the full size, on the test database, it writes every row
it promises, and a generated student logs in through the form with the bench
password and opens the plan of their journey. (``make bench`` itself is never
part of ``make test``.)"""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.urls import reverse

from accounts.models import Profile
from bench.generate import BENCH_PASSWORD, BENCH_STUDENT_EMAIL, BENCH_TEACHER_EMAIL, generate
from bench.scales import FULL, TENTH, scale_of
from core.database_roles import as_owner
from journeys.models import UserJourney

pytestmark = pytest.mark.django_db


def test_the_scales_follow_the_issue():
    assert (FULL.students, FULL.journeys, FULL.largest) == (10_000, 60, 1_260)
    assert (FULL.posts, FULL.likes, FULL.comments, FULL.notifications) == (
        100_000,
        1_000_000,
        300_000,
        1_000_000,
    )
    assert FULL.mission_templates == 32
    assert (TENTH.students, TENTH.journeys, TENTH.posts, TENTH.likes) == (1_000, 6, 10_000, 100_000)


@pytest.mark.django_db(transaction=True)
def test_a_small_data_set_is_complete_and_usable(client):
    scale = scale_of(1 / 250)
    # As `python -m bench.generate` does: the owner writes (it switches triggers).
    with as_owner() as owner, transaction.atomic():
        counts = generate(
            owner,
            scale,
            password_hash=make_password(BENCH_PASSWORD),
            analyze=False,
            log=lambda message: None,
        )

    staff = scale.academies * scale.staff_per_academy
    assert counts["profiles"] == scale.students + staff
    assert counts["journeys"] == scale.journeys == 1
    assert counts["journey_mission_instances"] == 32
    assert counts["journey_weeks"] == scale.weeks
    assert counts["team_members"] == scale.students
    expected = {
        "posts": scale.posts,
        "likes": scale.likes,
        "comments": scale.comments,
        "notifications": scale.notifications,
    }
    assert {table: counts[table] for table in expected} == expected
    assert 0 < counts["user_points"] < counts["posts"]
    assert counts["team_points"] > 0
    # The class-version triggers, off while it wrote, are on again, and every
    # journey has its version row (journeys.class_cache).
    with connection.cursor() as cursor:
        cursor.execute("SELECT tgenabled FROM pg_trigger WHERE tgname ~ '_class_(rows|columns)$'")
        assert {state for (state,) in cursor.fetchall()} == {"O"}
        cursor.execute(
            "SELECT count(*) FROM journeys"
            " WHERE id NOT IN (SELECT journey_id FROM journey_class_versions)"
        )
        assert cursor.fetchone() == (0,)

    response = client.post(
        reverse("account_login"), {"login": BENCH_STUDENT_EMAIL, "password": BENCH_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    student = Profile.objects.get(email=BENCH_STUDENT_EMAIL)
    journey = UserJourney.objects.get(user=student).journey
    plan = client.get(reverse("missions:plan", args=[journey.pk]))
    assert plan.status_code == 200
    assert "미션 32" in plan.content.decode()

    teacher = Profile.objects.get(email=BENCH_TEACHER_EMAIL)
    assert teacher.is_teacher and teacher.organization_id == journey.organization_id
