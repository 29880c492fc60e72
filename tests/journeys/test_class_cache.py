"""The class version and the class cache (journeys.class_cache): every write a
class-wide read can see raises the journey's version, whichever path makes it;
writes it cannot see raise nothing; and the pages built from the cache show a
change at the next request."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Profile, Role
from community.models import Like, Post
from community.services import post_view_record
from core.templatetags.moments import minute
from grading.services import post_grade
from journeys.class_cache import class_cached, class_version
from journeys.models import Journey, UserJourney
from missions.models import JourneyMissionInstance, MissionReminder
from points.models import TeamPoint, UserPoint
from teams.models import Team, TeamMember
from tests.factories import (
    MissionInstanceFactory,
    PostFactory,
    ProfileFactory,
    TeamFactory,
    TeamMemberFactory,
    UserJourneyFactory,
)
from tests.scenarios import ClassScenario, MissionAt


@pytest.fixture
def klass(organization, teacher):
    scenario = ClassScenario.build(
        organization, weeks=1, missions=(MissionAt(week=1),), teacher=teacher, enrol_teacher=True
    )
    journey = scenario.journey
    student = ProfileFactory(organization=organization, role=Role.USER, last_name="Kim")
    UserJourneyFactory(journey=journey, user=student)
    team = TeamFactory(journey=journey)
    TeamMemberFactory(team=team, user=student)
    instance = scenario.missions[0]
    post = PostFactory(mission_instance=instance, journey=journey, user=student)
    return SimpleNamespace(
        journey=journey, student=student, team=team, instance=instance, post=post, teacher=teacher
    )


def version_of(journey) -> int:
    """The version as it is now (not the one a journey object read before)."""
    return class_version(Journey.objects.get(pk=journey.pk))


def _enrol(k):
    UserJourneyFactory(journey=k.journey, user=ProfileFactory(organization=k.journey.organization))


def _unenrol(k):
    UserJourney.objects.filter(journey=k.journey, user=k.student).delete()


def _rename(k):
    Profile.objects.filter(pk=k.student.pk).update(last_name="Lee")


def _make_teacher(k):
    k.student.role = Role.TEACHER
    k.student.save()


def _close_account(k):
    Profile.objects.filter(pk=k.student.pk).update(deleted_at=timezone.now())


def _move_zone(k):
    Profile.objects.filter(pk=k.student.pk).update(timezone="Europe/Paris")


def _new_team(k):
    TeamFactory(journey=k.journey)


def _rename_team(k):
    Team.objects.filter(pk=k.team.pk).update(name="Renamed")


def _join_team(k):
    newcomer = ProfileFactory(organization=k.journey.organization)
    TeamMemberFactory(team=k.team, user=newcomer)


def _leave_team(k):
    TeamMember.objects.filter(team=k.team, user=k.student).delete()


def _delete_team(k):
    k.team.delete()


def _submit(k):
    PostFactory(mission_instance=k.instance, journey=k.journey)


def _grade_in_sql(k):
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE posts SET achievement_status = 'achieved' WHERE id = %s", [k.post.pk]
        )


def _rescore(k):
    Post.objects.filter(pk=k.post.pk).update(achievement_status="achieved", score=8)
    version = version_of(k.journey)
    Post.objects.filter(pk=k.post.pk).update(score=10)
    return version


def _make_team_submission(k):
    Post.objects.filter(pk=k.post.pk).update(team=k.team, is_team_submission=True)


def _delete_post(k):
    Post.objects.filter(pk=k.post.pk).delete()


def _award(k):
    UserPoint.objects.create(profile=k.student, mission_instance=k.instance, total_points=5)


def _change_points(k):
    _award(k)
    version = version_of(k.journey)
    UserPoint.objects.filter(profile=k.student).update(total_points=9)
    return version


def _team_award(k):
    TeamPoint.objects.create(team=k.team, mission_instance=k.instance, total_points=5)


def _schedule(k):
    MissionInstanceFactory(journey_week=k.instance.journey_week)


def _reschedule(k):
    JourneyMissionInstance.objects.filter(pk=k.instance.pk).update(
        expiry_date=timezone.now() + dt.timedelta(days=30)
    )


def _unschedule(k):
    spare = MissionInstanceFactory(journey_week=k.instance.journey_week)  # no posts yet
    version = version_of(k.journey)
    JourneyMissionInstance.objects.filter(pk=spare.pk).delete()
    return version


def _remind(k):
    MissionReminder.objects.create(
        mission_instance=k.instance, profile=k.student, sent_by=k.teacher, sent_on=timezone.now()
    )


RAISING = [
    _enrol,
    _unenrol,
    _rename,
    _make_teacher,
    _close_account,
    _move_zone,
    _new_team,
    _rename_team,
    _join_team,
    _leave_team,
    _delete_team,
    _submit,
    _grade_in_sql,
    _rescore,
    _make_team_submission,
    _delete_post,
    _award,
    _change_points,
    _team_award,
    _schedule,
    _reschedule,
    _unschedule,
    _remind,
]


@pytest.mark.parametrize("write", RAISING, ids=lambda write: write.__name__.strip("_"))
def test_a_write_the_class_reads_can_see_raises_the_version(klass, write):
    before = version_of(klass.journey)
    # A write that needs rows of its own first returns the version after them.
    before = write(klass) or before
    assert version_of(klass.journey) != before


def _view(k):
    post_view_record(post=k.post, viewer=k.teacher)


def _edit_text(k):
    k.post.title = "A better title"
    k.post.content = "More words."
    k.post.save()


def _like(k):
    Like.objects.create(post=k.post, user=k.teacher)


def _log_in(k):
    k.student.last_login = timezone.now()
    k.student.save(update_fields=["last_login"])


def _save_unchanged(k):
    k.student.save()  # every column written, none changed


@pytest.mark.parametrize(
    "write", [_view, _edit_text, _like, _log_in, _save_unchanged], ids=lambda w: w.__name__[1:]
)
def test_a_write_the_class_reads_cannot_see_raises_nothing(klass, write):
    before = version_of(klass.journey)
    write(klass)
    assert version_of(klass.journey) == before


def test_a_write_raises_only_its_own_journeys_version(klass, organization):
    other = ClassScenario.build(organization, weeks=1, missions=(MissionAt(week=1),)).journey
    before = version_of(other)
    _submit(klass)
    _award(klass)
    _rename_team(klass)
    assert version_of(other) == before


def test_a_person_in_two_classes_raises_both(klass, organization):
    other = ClassScenario.build(organization, weeks=1, missions=(MissionAt(week=1),)).journey
    UserJourneyFactory(journey=other, user=klass.student)
    before = (version_of(klass.journey), version_of(other))
    _rename(klass)
    after = (version_of(klass.journey), version_of(other))
    assert after[0] != before[0] and after[1] != before[1]


def test_a_new_journey_has_a_version(organization):
    journey = ClassScenario.build(organization, weeks=1, missions=()).journey
    assert version_of(journey) is not None


def test_a_version_a_rolled_back_write_showed_never_comes_back(klass):
    before = version_of(klass.journey)
    with pytest.raises(RuntimeError), transaction.atomic():
        _submit(klass)
        seen_inside = version_of(klass.journey)
        raise RuntimeError("rolled back")
    assert version_of(klass.journey) == before
    _submit(klass)
    assert version_of(klass.journey) not in (before, seen_inside)


def test_the_cache_answers_until_the_class_changes(klass):
    calls = []

    def compute():
        calls.append(1)
        return [len(calls)]

    first = Journey.objects.get(pk=klass.journey.pk)
    assert class_cached(first, "probe", compute) == [1]
    assert class_cached(Journey.objects.get(pk=klass.journey.pk), "probe", compute) == [1]
    _award(klass)
    assert class_cached(Journey.objects.get(pk=klass.journey.pk), "probe", compute) == [2]
    # A journey object keeps the version it read: one request, one version.
    assert class_cached(first, "probe", compute) == [1]


def test_a_drawn_first_page_is_kept_in_the_process_until_the_class_changes(klass):
    from django.core.cache import cache

    from journeys.class_cache import DrawnPage, class_first_page

    drawings = []

    def draw():
        drawings.append(1)
        return DrawnPage(rows_html=f"<tr>{len(drawings)}</tr>", row_ids=[], next_cursor=None)

    def first_page():
        return class_first_page(Journey.objects.get(pk=klass.journey.pk), "probe", draw)

    assert first_page().rows_html == "<tr>1</tr>"
    cache.clear()  # the shared cache is not asked again: this process keeps it
    assert first_page().rows_html == "<tr>1</tr>"
    _award(klass)
    assert first_page().rows_html == "<tr>2</tr>"
    assert len(drawings) == 2


def test_the_cache_keeps_journeys_and_names_apart(klass, organization):
    other = ClassScenario.build(organization, weeks=1, missions=(MissionAt(week=1),)).journey
    assert class_cached(klass.journey, "probe", lambda: ["mine"]) == ["mine"]
    assert class_cached(other, "probe", lambda: ["theirs"]) == ["theirs"]
    assert class_cached(klass.journey, "other-probe", lambda: ["another"]) == ["another"]
    assert class_cached(klass.journey, "probe", lambda: ["recomputed"]) == ["mine"]


def test_grading_shows_on_the_dashboard_at_the_next_request(client, klass):
    url = reverse("points:dashboard", args=[klass.journey.pk])
    client.force_login(klass.student)
    board = client.get(url).context["board"]
    assert [row.points for row in board.top] == [0]
    post_grade(post=klass.post, grader=klass.teacher, achievement_status="achieved", score=7)
    board = client.get(url).context["board"]
    assert [row.points for row in board.top] == [7]
    assert board.me.points == 7


def test_a_team_joining_shows_on_the_team_board_at_the_next_request(client, klass):
    url = reverse("points:dashboard", args=[klass.journey.pk])
    client.force_login(klass.student)
    assert [row.member_count for row in client.get(url).context["teams"]] == [1]
    _join_team(klass)
    assert [row.member_count for row in client.get(url).context["teams"]] == [2]


def test_a_submission_shows_in_the_submissions_totals_at_the_next_request(client, klass):
    classmate = ProfileFactory(organization=klass.journey.organization, role=Role.USER)
    UserJourneyFactory(journey=klass.journey, user=classmate)
    url = reverse("submissions:index", args=[klass.journey.pk])
    client.force_login(klass.teacher)
    overview = client.get(url).context["overview"]
    assert overview.student_count == 2
    rate = overview.rates[0]
    assert (rate.submitted, rate.expected) == (1, 2)
    PostFactory(mission_instance=klass.instance, journey=klass.journey, user=classmate)
    rate = client.get(url).context["overview"].rates[0]
    assert (rate.submitted, rate.expected) == (2, 2)


def _students(journey, count: int, last_name: str = "Choi") -> list[Profile]:
    people = []
    for number in range(count):
        person = ProfileFactory(
            organization=journey.organization,
            role=Role.USER,
            last_name=last_name,
            first_name=f"{number:03d}",
        )
        UserJourneyFactory(journey=journey, user=person)
        people.append(person)
    return people


def test_the_members_order_follows_the_class_at_the_next_request(client, klass):
    url = reverse("journeys:members", args=[klass.journey.pk])
    client.force_login(klass.teacher)
    before = client.get(url).context["members"].row_ids
    newcomer = ProfileFactory(
        organization=klass.journey.organization, role=Role.USER, last_name="Ahn", first_name="Z"
    )
    UserJourneyFactory(journey=klass.journey, user=newcomer)
    response = client.get(url)
    page = response.context["members"]
    # The teacher first, then the students by last name: Ahn before Kim.
    assert page.row_ids == [before[0], str(newcomer.pk), *before[1:]]
    assert page.total == len(before) + 1
    assert "Z Ahn" in response.content.decode()
    Profile.objects.filter(pk=newcomer.pk).update(last_name="Yoon")
    response = client.get(url)
    assert response.context["members"].row_ids[-1] == str(newcomer.pk)
    assert "Z Yoon" in response.content.decode()


def test_a_page_after_a_member_who_left_goes_on_where_they_stood(client, klass):
    from journeys.selectors import MEMBERS_PAGE_SIZE

    _students(klass.journey, MEMBERS_PAGE_SIZE + 5)
    url = reverse("journeys:members", args=[klass.journey.pk])
    client.force_login(klass.teacher)
    first = client.get(url).context["members"]
    UserJourney.objects.filter(journey=klass.journey, user_id=first.row_ids[-1]).delete()
    rest = client.get(url, {"after": first.next_cursor}).context["members"]
    shown = first.row_ids[:-1] + [str(row.profile.pk) for row in rest.rows]
    enrolled = UserJourney.objects.filter(journey=klass.journey).values_list("user_id", flat=True)
    assert sorted(map(str, shown)) == sorted(map(str, enrolled))


def test_the_matrix_pages_follow_the_class_at_the_next_request(client, klass):
    from submissions.selectors import MATRIX_PAGE_SIZE

    _students(klass.journey, MATRIX_PAGE_SIZE + 3)
    url = reverse("submissions:index", args=[klass.journey.pk])
    client.force_login(klass.teacher)
    first = client.get(url).context["page"]
    assert len(first.row_ids) == MATRIX_PAGE_SIZE
    # A student who leaves after the first page: the next page goes on where
    # they stood, nobody repeated or lost.
    UserJourney.objects.filter(journey=klass.journey, user_id=first.row_ids[-1]).delete()
    second = client.get(url, {"after": first.next_cursor}).context["page"]
    shown = first.row_ids[:-1] + [str(row.profile.pk) for row in second.rows]
    assert len(shown) == len(set(shown)) == MATRIX_PAGE_SIZE + 3  # of 1 + 33 - 1 students
    assert second.next_cursor is None
    # A newcomer sorted first is on the first page at the next request.
    newcomer = ProfileFactory(
        organization=klass.journey.organization, role=Role.USER, last_name="Ahn"
    )
    UserJourneyFactory(journey=klass.journey, user=newcomer)
    assert client.get(url).context["page"].row_ids[0] == str(newcomer.pk)


def test_the_matrix_shows_a_regrade_at_the_next_request(client, klass):
    """The first page is drawn once per class version: a new score, with the
    state unchanged, must raise it too."""
    post_grade(post=klass.post, grader=klass.teacher, achievement_status="achieved", score=7)
    url = reverse("submissions:index", args=[klass.journey.pk])
    client.force_login(klass.teacher)
    assert "cell--achieved" in (page := client.get(url).content.decode())
    assert "7 PT" in page
    Post.objects.filter(pk=klass.post.pk).update(score=9)
    page = client.get(url).content.decode()
    assert "9 PT" in page
    assert "7 PT" not in page


def test_the_members_first_page_is_drawn_in_each_viewers_language_and_zone(client, klass):
    """The first page is drawn once per class version for every teacher, but
    its dates and words follow whoever looks."""
    url = reverse("journeys:members", args=[klass.journey.pk])
    joined = UserJourney.objects.get(journey=klass.journey, user=klass.student).joined_at
    seoul = klass.teacher
    Profile.objects.filter(pk=seoul.pk).update(timezone="Asia/Seoul", language="ko")
    new_york = ProfileFactory(
        organization=klass.journey.organization,
        role=Role.TEACHER,
        timezone="America/New_York",
        language="en",
    )
    shown = {}
    for viewer, zone in ((seoul, "Asia/Seoul"), (new_york, "America/New_York")):
        client.force_login(viewer)
        shown[zone] = client.get(url).content.decode()
        assert minute(timezone.localtime(joined, ZoneInfo(zone))) in shown[zone]
    assert "Remove…" in shown["America/New_York"]
    assert "Remove…" not in shown["Asia/Seoul"]  # in Korean
