import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from community.models import AchievementStatus
from tests.factories import (
    JourneyFactory,
    JourneyWeekFactory,
    MissionInstanceFactory,
    NotificationFactory,
    PostFactory,
    ProfileFactory,
    TeamFactory,
    TeamMemberFactory,
    UserJourneyFactory,
)


def test_visitors_see_the_landing_page(client, db):
    response = client.get("/")
    assert response.status_code == 200
    assert reverse("account_login") in response.content.decode()
    assert "default-src 'self'" in response["Content-Security-Policy"]


def test_signed_in_visitors_of_the_landing_page_go_home(client, student):
    client.force_login(student)
    assert client.get("/").url == reverse("home")


def test_home_requires_log_in(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("url_name", ["account_login", "account_reset_password", "account_signup"])
def test_account_pages_render_in_our_layout(client, db, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    assert 'class="site-header"' in response.content.decode()


def test_a_user_logs_in_with_email_and_password(client, student, password):
    response = client.post(
        reverse("account_login"), {"login": student.email.upper(), "password": password}
    )
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert client.get(reverse("home")).context["user"] == student


def test_a_wrong_password_is_refused_with_a_message(client, student):
    response = client.post(reverse("account_login"), {"login": student.email, "password": "nope"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not response.context["user"].is_authenticated


def test_password_reset_accepts_a_known_address(client, student, mailoutbox):
    response = client.post(reverse("account_reset_password"), {"email": student.email})
    assert response.status_code == 302
    assert [student.email] == mailoutbox[0].to


def test_home_greets_the_student_and_lists_only_their_journeys(client, student, organization):
    mine = UserJourneyFactory(user=student, journey__organization=organization).journey
    JourneyWeekFactory(journey=mine)
    JourneyFactory(organization=organization, name="Not enrolled")
    client.force_login(student)
    response = client.get(reverse("home"))
    page = response.content.decode()
    assert student.first_name in page
    assert str(Role.USER.label) in page
    assert list(response.context["journeys"]) == [mine]
    assert "Not enrolled" not in page


def test_home_counts_every_member_of_a_students_journey(client, student):
    journey = UserJourneyFactory(user=student, journey__organization=student.organization).journey
    UserJourneyFactory.create_batch(2, journey=journey)
    client.force_login(student)
    [shown] = client.get(reverse("home")).context["journeys"]
    assert shown.member_count == 3


def test_home_lists_the_organizations_journeys_for_a_teacher(client, teacher, outsider):
    own = JourneyFactory(organization=teacher.organization)
    JourneyFactory(organization=outsider.organization)
    client.force_login(teacher)
    assert list(client.get(reverse("home")).context["journeys"]) == [own]


def test_a_student_without_journeys_is_told_how_to_join(client, student):
    client.force_login(student)
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en")
    assert "invite link" in response.content.decode()


# --- home: my journeys, my progress, my notifications and my posts ---------------------


def enrolled_journey(student, **fields):
    return UserJourneyFactory(
        user=student, journey__organization=student.organization, **fields
    ).journey


def english_home(client, person):
    client.force_login(person)
    return client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en")


def test_a_journey_card_links_to_the_journey_with_its_dates_and_members(client, student):
    journey = enrolled_journey(student, journey__name="Spring coding")
    UserJourneyFactory(journey=journey)
    page = english_home(client, student).content.decode()
    assert f'href="{reverse("journeys:detail", args=[journey.pk])}"' in page
    assert "Spring coding" in page
    assert journey.date_start.strftime("%Y.%m.%d") in page
    assert "2 members" in page


def test_my_progress_counts_achieved_missions_among_those_released_so_far(client, student):
    journey = enrolled_journey(student)
    week = JourneyWeekFactory(journey=journey)
    achieved, pending, untouched = MissionInstanceFactory.create_batch(3, journey_week=week)
    MissionInstanceFactory(  # not open yet: not in the count
        journey_week=week,
        release_date=timezone.now() + dt.timedelta(days=2),
        expiry_date=timezone.now() + dt.timedelta(days=9),
    )
    PostFactory(mission_instance=achieved, user=student, achievement_status="achieved")
    PostFactory(mission_instance=pending, user=student)
    # A classmate's achieved post is not my progress.
    PostFactory(mission_instance=untouched, achievement_status="achieved")

    response = english_home(client, student)

    [card] = response.context["journeys"]
    assert (card.achieved_count, card.released_count) == (1, 3)
    page = response.content.decode()
    assert "1 of 3 missions achieved" in page
    assert '<progress value="1" max="3"' in page


def test_my_teams_achieved_submission_counts_as_my_progress(client, student):
    journey = enrolled_journey(student)
    instance = MissionInstanceFactory(journey_week__journey=journey, mission__mission_type="team")
    team = TeamFactory(journey=journey)
    TeamMemberFactory(team=team, user=student)
    teammate = TeamMemberFactory(team=team, user__organization=student.organization).user
    PostFactory(
        mission_instance=instance,
        user=teammate,
        team=team,
        is_team_submission=True,
        achievement_status="achieved",
    )
    [card] = english_home(client, student).context["journeys"]
    assert (card.achieved_count, card.released_count) == (1, 1)


def test_a_mission_achieved_by_me_and_by_my_team_counts_once(client, student):
    journey = enrolled_journey(student)
    instance = MissionInstanceFactory(journey_week__journey=journey)
    team = TeamFactory(journey=journey)
    TeamMemberFactory(team=team, user=student)
    PostFactory(mission_instance=instance, user=student, achievement_status="achieved")
    PostFactory(
        mission_instance=instance,
        user=student,
        team=team,
        is_team_submission=True,
        achievement_status="achieved",
    )
    [card] = english_home(client, student).context["journeys"]
    assert (card.achieved_count, card.released_count) == (1, 1)


def test_an_achieved_post_on_a_mission_not_open_yet_is_not_progress(client, student):
    journey = enrolled_journey(student)
    MissionInstanceFactory(journey_week__journey=journey)
    later = MissionInstanceFactory(
        journey_week__journey=journey,
        release_date=timezone.now() + dt.timedelta(days=2),
        expiry_date=timezone.now() + dt.timedelta(days=9),
    )
    PostFactory(mission_instance=later, user=student, achievement_status="achieved")
    [card] = english_home(client, student).context["journeys"]
    assert (card.achieved_count, card.released_count) == (0, 1)


def test_a_journey_without_opened_missions_says_so_instead_of_an_empty_bar(client, student):
    enrolled_journey(student)
    page = english_home(client, student).content.decode()
    assert "No missions opened yet" in page
    assert "<progress" not in page


def test_teachers_see_members_and_weeks_but_no_personal_progress(client, teacher):
    journey = JourneyFactory(organization=teacher.organization)
    JourneyWeekFactory.create_batch(2, journey=journey)
    MissionInstanceFactory(journey_week__journey=journey)
    page = english_home(client, teacher).content.decode()
    assert "3 weeks" in page  # two here, one made for the instance
    assert "missions achieved" not in page and "<progress" not in page
    assert "My posts" not in page


def test_my_latest_notifications_are_listed_unread_first_marked_with_a_link_to_the_inbox(
    client, student
):
    old = NotificationFactory(receiver=student, message="Old and read", read_at=timezone.now())
    old.created_at = timezone.now() - dt.timedelta(days=3)
    old.save(update_fields=["created_at"])
    NotificationFactory(receiver=student, message="Fresh news")
    NotificationFactory(message="Somebody else's news")

    response = english_home(client, student)

    page = response.content.decode()
    assert [n.message for n in response.context["latest_notifications"]] == [
        "Fresh news",
        "Old and read",
    ]
    assert "Somebody else" not in page
    assert page.count("notification--unread") == 1
    assert f'href="{reverse("notifications:inbox")}"' in page


def test_only_the_newest_few_notifications_are_shown(client, student):
    NotificationFactory.create_batch(9, receiver=student)
    assert len(english_home(client, student).context["latest_notifications"]) == 5


def test_my_posts_link_to_the_post_with_mission_and_grading_status(client, student):
    journey = enrolled_journey(student)
    instance = MissionInstanceFactory(
        journey_week__journey=journey, mission__name="Chart of the week"
    )
    post = PostFactory(
        mission_instance=instance,
        user=student,
        title="My bike chart",
        achievement_status=AchievementStatus.NOT_ACHIEVED,
    )
    PostFactory(mission_instance=instance, title="A classmate's post")

    page = english_home(client, student).content.decode()

    assert reverse("community:post_detail", args=[journey.pk, post.pk]) in page
    assert "My bike chart" in page and "Chart of the week" in page
    assert "progress-badge--not_achieved" in page and "Not achieved" in page
    assert "A classmate" not in page


def test_posts_of_a_journey_i_left_are_not_listed(client, student):
    enrolment = UserJourneyFactory(user=student, journey__organization=student.organization)
    PostFactory(mission_instance__journey_week__journey=enrolment.journey, user=student)
    enrolment.delete()
    assert english_home(client, student).context["my_posts"] == []


def fill_home(student, *, journeys: int, per_journey: int) -> None:
    for _ in range(journeys):
        journey = enrolled_journey(student)
        UserJourneyFactory.create_batch(2, journey=journey)
        team = TeamFactory(journey=journey)
        TeamMemberFactory(team=team, user=student)
        for _ in range(per_journey):
            instance = MissionInstanceFactory(journey_week__journey=journey)
            PostFactory(mission_instance=instance, user=student, achievement_status="achieved")
    NotificationFactory.create_batch(journeys * per_journey, receiver=student)


@pytest.mark.parametrize("role", [Role.USER, Role.TEACHER])
def test_home_runs_the_same_queries_for_few_and_many_rows(
    client, organization, role, django_assert_num_queries
):
    person = ProfileFactory(organization=organization, role=role)
    if role == Role.USER:
        fill_home(person, journeys=1, per_journey=1)
    else:
        JourneyFactory(organization=organization)
        NotificationFactory(receiver=person)
    client.force_login(person)
    client.get(reverse("home"))  # warm up: the session row
    with django_assert_num_queries(6 if role == Role.USER else 5) as few:
        client.get(reverse("home"))
    if role == Role.USER:
        fill_home(person, journeys=6, per_journey=4)
    else:
        for _ in range(8):
            journey = JourneyFactory(organization=organization)
            UserJourneyFactory.create_batch(2, journey=journey)
            JourneyWeekFactory(journey=journey)
        NotificationFactory.create_batch(10, receiver=person)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(reverse("home"))
    assert len(response.context["journeys"]) >= 7


def test_home_query_count_stays_flat(client, teacher, django_assert_max_num_queries):
    client.force_login(teacher)
    JourneyFactory(organization=teacher.organization)
    with django_assert_max_num_queries(6) as few:
        client.get(reverse("home"))
    for _ in range(10):
        journey = JourneyFactory(organization=teacher.organization)
        UserJourneyFactory(journey=journey)
        JourneyWeekFactory(journey=journey)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("home"))
