"""``manage.py seed_demo``: what the demo contains, that it hangs together, and
that a second run changes nothing.

The demo is seeded once for this module, inside a transaction that is rolled
back at the end, so no other test module ever sees the demo rows. Each test
still runs in its own savepoint (the ``db`` fixture).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management import call_command
from django.db import models, transaction
from django.db.models import Count
from django.test import override_settings
from django.utils import timezone, translation

from accounts.models import Organization, Profile, Role, RoleAccessCode
from blog.models import Blog
from community.models import AchievementStatus, Comment, Like, Post, PostAnswer
from files.models import File
from files.purposes import storage_for
from inquiries.models import BugReport, Inquiry
from insights.models import InsightReport, InsightWordGroup
from journeys.models import Journey, JourneyWeek, UserJourney
from missions.models import (
    JourneyMissionInstance,
    Mission,
    MissionNotice,
    MissionReminder,
    MissionStatus,
    MissionType,
)
from notifications.models import EmailQueue, Notification, Subscription
from points.models import TeamPoint, UserPoint
from sqeeze.demo import DEMO_PASSWORD, seed_demo
from teams.models import Team, TeamMember

SEED_TABLE_MODELS: list[type[models.Model]] = [
    Organization,
    Profile,
    RoleAccessCode,
    Journey,
    UserJourney,
    JourneyWeek,
    Mission,
    JourneyMissionInstance,
    Post,
    Comment,
    Like,
    Team,
    TeamMember,
    UserPoint,
    TeamPoint,
    File,
    Notification,
    Subscription,
    EmailQueue,
    Blog,
    Inquiry,
    BugReport,
]

# Not in the seed schema, and written by the demo as the app writes them with
# its notifications: who was told of a mission, and a teacher's reminder.
NOTICE_MODELS: list[type[models.Model]] = [MissionNotice, MissionReminder]

MAIN_ORG_NAME = "스퀴즈 아카데미 / Sqeeze Academy"


def run_seed(*args: str) -> str:
    """Run the command as a developer would: DEBUG on (pytest-django turns it off).
    In English, so the assertions on its output hold once Korean translations land."""
    out = io.StringIO()
    with override_settings(DEBUG=True), translation.override("en"):
        call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    models_ = SEED_TABLE_MODELS + NOTICE_MODELS
    return {model._meta.db_table: model.objects.count() for model in models_} | {
        "account_emailaddress": EmailAddress.objects.count(),
        "insight_reports": InsightReport.objects.count(),
        "insight_word_groups": InsightWordGroup.objects.count(),
    }


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[str]:
    media_root = tmp_path_factory.mktemp("media")
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media_root),
        transaction.atomic(),
    ):
        yield run_seed("--verbosity", "2")
        transaction.set_rollback(True)


@pytest.fixture
def demo(seeded, db) -> str:
    """The seeded demo, with this test's changes rolled back afterwards."""
    return seeded


def profile(email: str) -> Profile:
    return Profile.objects.select_related("organization").get(email=email)


def test_the_seed_tables_are_all_twenty_two():
    assert len({model._meta.db_table for model in SEED_TABLE_MODELS}) == 22


def test_it_creates_the_demo_log_ins_with_their_roles(demo):
    superuser = profile("admin@sqeeze.test")
    assert (superuser.role, superuser.is_superuser, superuser.is_staff) == (Role.ADMIN, True, True)
    org_admin = profile("admin2@sqeeze.test")
    assert (org_admin.role, org_admin.is_superuser, org_admin.is_staff) == (Role.ADMIN, False, True)
    assert org_admin.organization != superuser.organization
    assert profile("teacher@sqeeze.test").role == Role.TEACHER
    assert profile("teacher2@sqeeze.test").role == Role.TEACHER
    student = profile("student@sqeeze.test")
    assert (student.role, student.is_superuser) == (Role.USER, False)
    assert student.organization.name == MAIN_ORG_NAME
    for email in ("admin@sqeeze.test", "admin2@sqeeze.test", "teacher@sqeeze.test"):
        assert profile(email).check_password(DEMO_PASSWORD)
    assert student.check_password(DEMO_PASSWORD)


def test_every_demo_person_looks_like_a_real_sign_up(demo):
    people = Profile.objects.all()
    assert all(person.privacy_agreed for person in people)
    assert all(re.fullmatch(r"010-\d{4}-\d{4}", person.phone) for person in people)
    assert people.filter(marketing_opt_in=True).exists()
    assert people.filter(marketing_opt_in=False).exists()
    assert not EmailAddress.objects.filter(verified=False).exists()
    assert EmailAddress.objects.count() == people.count()
    hangul = re.compile(r"[\uac00-\ud7a3]")
    assert any(hangul.search(person.last_name) for person in people)
    assert any(person.last_name.isascii() for person in people)


def test_students_spread_over_both_organizations_most_in_the_first(demo):
    per_org = dict(
        Profile.objects.filter(role=Role.USER)
        .values_list("organization__name")
        .annotate(count=Count("id"))
    )
    assert len(per_org) == 2
    assert sum(per_org.values()) >= 30
    assert per_org[MAIN_ORG_NAME] > sum(per_org.values()) / 2


def test_the_first_academy_runs_two_journeys_of_four_weeks_around_today(demo):
    today = timezone.localdate(timezone.now(), ZoneInfo(settings.DEFAULT_USER_TIMEZONE))
    journeys = Journey.objects.filter(organization__name=MAIN_ORG_NAME)
    assert journeys.count() == 2
    for journey in journeys:
        assert journey.date_start <= today <= journey.date_end
        assert journey.date_end - journey.date_start == dt.timedelta(days=27)
        weeks = list(journey.weeks.order_by("week_number"))
        assert [week.week_number for week in weeks] == [1, 2, 3, 4]
        assert weeks[0].name == "1주차 · Week 1"
    started_days_ago = sorted((today - journey.date_start).days for journey in journeys)
    assert 7 <= started_days_ago[0] < 14 <= started_days_ago[1] < 21


def test_the_second_academy_has_its_own_class_people_and_missions(demo):
    second = Organization.objects.exclude(name=MAIN_ORG_NAME).get()
    journey = Journey.objects.get(organization=second)
    assert journey.weeks.count() == 4
    enrolled = Profile.objects.filter(journey_memberships__journey=journey)
    assert enrolled.exists()
    assert set(enrolled.values_list("organization", flat=True)) == {second.pk}
    assert not Journey.objects.visible_to(profile("admin2@sqeeze.test")).exclude(
        organization=second
    )


def test_missions_are_templates_of_the_organization(demo):
    missions = Mission.objects.all()
    assert all(10 <= mission.points <= 50 for mission in missions)
    assert missions.filter(mission_type=MissionType.TEAM).exists()
    assert missions.filter(mission_type=MissionType.INDIVIDUAL).count() >= 3
    assert all("## " in mission.description for mission in missions)
    for instance in JourneyMissionInstance.objects.select_related("mission", "journey_week"):
        assert instance.mission.organization_id == instance.journey.organization_id
        assert instance.journey_week.journey_id == instance.journey_id


def test_a_mission_of_questions_is_answered_question_by_question(demo):
    mission = Mission.objects.get(questions__kind="multiple_choice")
    questions = list(mission.questions.order_by("position"))
    assert len(questions) >= 3 and len({question.kind for question in questions}) >= 2
    assert mission.points == sum(question.points for question in questions)
    posts = Post.objects.filter(mission_instance__mission=mission)
    assert posts.count() >= 3
    answers = PostAnswer.objects.filter(post__in=posts)
    assert answers.filter(question__kind="essay").exclude(text="").count() == posts.count()
    scored = answers.filter(question__kind="multiple_choice")
    assert scored.filter(is_correct=True).exists() and scored.filter(is_correct=False).exists()
    for row in scored.select_related("question"):
        assert row.auto_points == (row.question.points if row.is_correct else 0)


def test_the_teachers_find_a_saved_report_of_word_groups_on_its_essay(demo):
    report = InsightReport.objects.select_related("question", "mission_instance").first()
    assert report is not None and report.question.kind == "essay"
    assert report.question.mission_id == report.mission_instance.mission_id
    groups = list(report.groups.all())
    assert len(groups) >= 3 and len({group.colour for group in groups}) == len(groups)


def test_instances_lie_in_the_past_the_present_and_the_future(demo):
    now = timezone.now()
    instances = JourneyMissionInstance.objects.all()
    assert set(instances.values_list("status", flat=True)) == {
        MissionStatus.COMPLETED,
        MissionStatus.IN_PROGRESS,
        MissionStatus.NOT_STARTED,
    }
    for instance in instances:
        if instance.status == MissionStatus.COMPLETED:
            assert instance.expiry_date <= now
        elif instance.status == MissionStatus.IN_PROGRESS:
            assert instance.release_date <= now < instance.expiry_date
        else:
            assert now < instance.release_date
    # Nobody submits to a mission that has not opened.
    assert not Post.objects.filter(mission_instance__status=MissionStatus.NOT_STARTED).exists()


def test_the_demo_student_has_an_open_mission_to_submit(demo):
    from missions.selectors import Progress, instances_with_progress

    student = profile("student@sqeeze.test")
    now = timezone.now()
    unsubmitted_open = [
        instance
        for journey in Journey.objects.filter(memberships__user=student)
        for instance in instances_with_progress(journey=journey, profile=student)
        if instance.is_open(now) and instance.my_progress == Progress.NOT_STARTED
    ]
    assert unsubmitted_open


def test_enrolments_put_students_and_teachers_in_their_own_organizations_classes(demo):
    student = profile("student@sqeeze.test")
    main_journeys = Journey.objects.filter(organization=student.organization)
    assert set(student.journey_memberships.values_list("journey", flat=True)) == set(
        main_journeys.values_list("pk", flat=True)
    )
    assert UserJourney.objects.filter(
        user__email="teacher@sqeeze.test", role_in_journey="teacher"
    ).count() == len(main_journeys)
    for enrolment in UserJourney.objects.select_related("user", "journey"):
        assert enrolment.user.organization_id == enrolment.journey.organization_id
        expected = "teacher" if enrolment.user.role == Role.TEACHER else "user"
        assert enrolment.role_in_journey == expected


def test_posts_come_in_every_achievement_state(demo):
    posts = Post.objects.all()
    assert set(posts.values_list("achievement_status", flat=True)) == set(AchievementStatus.values)
    assert not posts.filter(achievement_status="achieved", score__isnull=True).exists()
    assert posts.filter(is_hidden=True).exists()
    for post in posts.select_related("mission_instance"):
        assert post.journey_id == post.mission_instance.journey_id
        assert post.created_at <= timezone.now()
        assert UserJourney.objects.filter(user=post.user_id, journey=post.journey_id).exists()


def test_team_submissions_belong_to_a_team_and_earn_team_points(demo):
    team_posts = Post.objects.filter(is_team_submission=True)
    assert team_posts.exists()
    assert not team_posts.filter(team__isnull=True).exists()
    assert not team_posts.exclude(mission_instance__mission__mission_type="team").exists()
    achieved = team_posts.filter(achievement_status=AchievementStatus.ACHIEVED)
    assert achieved.exists()
    for post in achieved:
        assert post.team_points > 0
        team_point = TeamPoint.objects.get(
            team=post.team_id, mission_instance=post.mission_instance_id
        )
        assert (team_point.post_id, team_point.total_points) == (post.pk, post.team_points)
    assert TeamPoint.objects.count() == achieved.count()


def test_each_achieved_post_has_exactly_one_points_row_equal_to_its_score(demo):
    # As points.services awards them: a student's own post earns user points, a
    # team post team points only (the test above).
    achieved = Post.objects.filter(achievement_status=AchievementStatus.ACHIEVED)
    individual = achieved.exclude(is_team_submission=True)
    for post in individual:
        rows = UserPoint.objects.filter(
            profile=post.user_id, mission_instance=post.mission_instance_id
        )
        assert [(row.post_id, row.total_points) for row in rows] == [(post.pk, post.score)]
    assert UserPoint.objects.count() == individual.count()
    assert not UserPoint.objects.filter(post__is_team_submission=True).exists()
    assert UserPoint.objects.filter(profile__email="student@sqeeze.test").exists()


def test_grades_are_what_grading_stores(demo):
    graded = Post.objects.exclude(achievement_status=AchievementStatus.PENDING)
    assert not graded.filter(graded_at__isnull=True).exists()
    assert not graded.filter(graded_by__isnull=True).exists()
    # post_grade stores 0 for "not achieved" (clean_score), not an empty score.
    assert set(
        graded.filter(achievement_status=AchievementStatus.NOT_ACHIEVED).values_list(
            "score", flat=True
        )
    ) == {0}
    pending = Post.objects.filter(achievement_status=AchievementStatus.PENDING)
    assert not pending.exclude(score__isnull=True).exists()
    assert not pending.filter(graded_at__isnull=False).exists()


def test_teams_have_one_leader_and_members_of_their_class(demo):
    teams = Team.objects.all()
    assert teams.exists()
    for team in teams:
        assert team.members.filter(is_leader=True).count() == 1
        for member in team.members.all():
            assert UserJourney.objects.filter(user=member.user_id, journey=team.journey_id).exists()
    # One team per student per class.
    assert not (
        TeamMember.objects.values("user", "team__journey")
        .annotate(teams=Count("team"))
        .filter(teams__gt=1)
        .exists()
    )


def test_the_feed_has_comments_and_likes(demo):
    assert Comment.objects.filter(user__role=Role.TEACHER).exists()
    assert Comment.objects.filter(user__role=Role.USER).exists()
    assert Like.objects.count() > Post.objects.count() / 2
    assert not Like.objects.filter(post__user=models.F("user")).exists()


def test_notifications_are_read_and_unread_with_links_and_payloads(demo):
    notifications = Notification.objects.all()
    kinds = set(notifications.values_list("type", flat=True))
    assert {"grading", "comment", "new_mission"} <= kinds
    inbox = notifications.filter(receiver__email="student@sqeeze.test")
    assert inbox.filter(read_at__isnull=True).exists()
    assert inbox.filter(read_at__isnull=False).exists()
    for notification in notifications:
        assert notification.link.startswith("/")
        assert isinstance(json.loads(notification.notification_json), dict)
        if notification.read_at:
            assert notification.read_at >= notification.created_at


def test_the_public_side_and_the_back_office_have_rows(demo):
    assert Blog.objects.count() == 4
    assert Blog.objects.published().count() == 3  # and one draft, seen only in its preview
    assert Blog.objects.filter(published_at__isnull=True).count() == 1
    assert Inquiry.objects.exists()
    bug_report = BugReport.objects.filter(attachment_file__isnull=False).get()
    screenshot = bug_report.attachment_file
    assert screenshot.bucket_name == "bug-reports"  # private: served after an access check
    assert storage_for(screenshot.bucket_name).exists(screenshot.file_path)
    assert EmailQueue.objects.filter(processed=True).exists()
    assert EmailQueue.objects.filter(processed=False).exists()
    assert RoleAccessCode.objects.filter(expiry_date__gt=timezone.now()).exists()


def test_the_command_prints_a_summary_and_the_log_ins(demo):
    # Uses the ``db`` fixture through ``demo`` only so pytest-django keeps this test with
    # the module's other database tests and the seeded module fixture is built once.
    assert "Demo data ready:" in demo
    assert "student@sqeeze.test" in demo
    assert DEMO_PASSWORD in demo


def test_running_it_again_changes_no_row_count(demo):
    before = row_counts()
    output = run_seed()
    assert row_counts() == before
    assert "(0 " in output


def test_a_rerun_a_week_later_moves_the_dates_and_creates_nothing(demo, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    before = row_counts()
    starts = dict(Journey.objects.values_list("name", "date_start"))
    report = seed_demo(now=timezone.now() + dt.timedelta(days=7))
    assert report.total_created == 0
    assert row_counts() == before
    week_later = {name: start + dt.timedelta(days=7) for name, start in starts.items()}
    assert dict(Journey.objects.values_list("name", "date_start")) == week_later


def test_a_rerun_over_a_demo_seeded_before_questions_keeps_its_free_text(demo, settings, tmp_path):
    """A demo database from before the data story had questions (answered as
    free text) is seeded again without error: an answered mission takes no
    questions, so it stays as it was."""
    settings.MEDIA_ROOT = tmp_path
    mission = Mission.objects.get(questions__kind="multiple_choice")
    PostAnswer.objects.filter(question__mission=mission).delete()
    mission.questions.all().delete()

    seed_demo(now=timezone.now())

    assert not mission.questions.exists()
    assert not PostAnswer.objects.filter(post__mission_instance__mission=mission).exists()


def test_a_rerun_keeps_a_changed_password_unless_asked_to_reset_it(demo):
    student = profile("student@sqeeze.test")
    student.set_password("my-own-new-password")
    student.save()
    run_seed()
    student.refresh_from_db()
    assert student.check_password("my-own-new-password")
    run_seed("--reset-passwords")
    student.refresh_from_db()
    assert student.check_password(DEMO_PASSWORD)


def test_the_demo_student_can_log_in(demo, client):
    response = client.post(
        "/accounts/login/", {"login": "student@sqeeze.test", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(profile("student@sqeeze.test").pk)
