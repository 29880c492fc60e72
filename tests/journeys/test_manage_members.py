"""A journey's members for its teachers (journeys:members, member_add,
member_remove, members_email): the list, adding people of the academy,
removing someone, e-mailing everyone; access, bad input and query counts."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Profile, Role
from journeys.models import UserJourney
from journeys.selectors import MEMBERS_PAGE_SIZE
from notifications.models import EmailQueue, Notification
from points.models import UserPoint
from teams.models import TeamMember
from tests.factories import (
    JourneyFactory,
    JourneyWeekFactory,
    MissionInstanceFactory,
    PostFactory,
    ProfileFactory,
    TeamFactory,
    TeamMemberFactory,
    UserJourneyFactory,
    UserPointFactory,
)

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture(autouse=True)
def email_queue_backend(settings):
    # pytest-django swaps EMAIL_BACKEND for locmem in every test; ours writes email_queue.
    settings.EMAIL_BACKEND = "notifications.email_backend.QueueEmailBackend"


def members_url(journey):
    return reverse("journeys:members", args=[journey.pk])


def add_url(journey):
    return reverse("journeys:member_add", args=[journey.pk])


def remove_url(journey, person):
    return reverse("journeys:member_remove", args=[journey.pk, person.pk])


def email_url(journey):
    return reverse("journeys:members_email", args=[journey.pk])


@pytest.fixture
def journey(organization, student):
    journey = JourneyFactory(organization=organization, name="AI Automation")
    UserJourneyFactory(journey=journey, user=student)
    return journey


def classmate(journey, **fields):
    person = ProfileFactory(organization=journey.organization, role=Role.USER, **fields)
    UserJourneyFactory(journey=journey, user=person)
    return person


# --- the list -------------------------------------------------------------------------


def test_the_members_tab_lists_name_email_role_team_and_joining_time(
    client, teacher, student, journey
):
    UserJourney.objects.filter(user=student).update(
        joined_at=dt.datetime(2026, 3, 2, 0, 30, tzinfo=dt.UTC)
    )
    team = TeamFactory(journey=journey, name="Team Blaze")
    TeamMemberFactory(team=team, user=student, is_leader=True)
    client.force_login(teacher)
    response = client.get(members_url(journey))
    page = response.content.decode()
    assert response.status_code == 200
    assert response.context["active_tab"] == "members"
    assert "1 member" in page
    assert "Minji Kim" in page and "student@example.test" in page
    assert "Student" in page and "Team Blaze" in page
    # 00:30 UTC is 09:30 in Seoul, the default zone.
    assert "2026.03.02 09:30" in page
    assert remove_url(journey, student) in page and email_url(journey) in page


def test_the_joining_time_is_shown_in_the_viewers_zone(client, settings, teacher, student, journey):
    settings.DEFAULT_USER_TIMEZONE = (
        "America/New_York"  # read when the client's first request starts
    )
    UserJourney.objects.filter(user=student).update(
        joined_at=dt.datetime(2026, 3, 2, 0, 30, tzinfo=dt.UTC)
    )
    client.force_login(teacher)
    page = client.get(members_url(journey)).content.decode()
    assert "2026.03.01 19:30" in page


def test_a_deleted_account_shows_as_deleted_user(client, teacher, journey):
    gone = classmate(journey, first_name="Gone", last_name="Away")
    gone.deleted_at = timezone.now()
    gone.save()
    client.force_login(teacher)
    page = client.get(members_url(journey)).content.decode()
    assert "Deleted user" in page and "Gone Away" not in page


def test_the_team_shown_is_the_one_in_this_journey(client, teacher, student, journey, organization):
    other = JourneyFactory(organization=organization)
    UserJourneyFactory(journey=other, user=student)
    TeamMemberFactory(team=TeamFactory(journey=other, name="Elsewhere"), user=student)
    client.force_login(teacher)
    page = client.get(members_url(journey)).content.decode()
    assert "Elsewhere" not in page and "No team" in page


def test_the_add_form_offers_active_people_of_the_academy_not_yet_enrolled(
    client, teacher, student, journey, organization, outsider
):
    newcomer = ProfileFactory(organization=organization, first_name="New", last_name="Comer")
    inactive = ProfileFactory(organization=organization, first_name="Sleepy", is_active=False)
    client.force_login(teacher)
    response = client.get(members_url(journey))
    offered = {person.pk for person in response.context["candidates"]}
    assert newcomer.pk in offered and teacher.pk in offered
    assert student.pk not in offered  # already enrolled
    assert inactive.pk not in offered and outsider.pk not in offered


def test_the_search_narrows_the_people_offered(client, teacher, journey, organization):
    wanted = ProfileFactory(organization=organization, first_name="Seojun", last_name="Lee")
    ProfileFactory(organization=organization, first_name="Hayun", last_name="Park")
    client.force_login(teacher)
    response = client.get(members_url(journey), {"q": "seoj"})
    assert [person.pk for person in response.context["candidates"]] == [wanted.pk]


@pytest.mark.parametrize("who", ["student", "outsider"])
def test_students_and_other_organizations_get_404(client, journey, who, request):
    client.force_login(request.getfixturevalue(who))
    assert client.get(members_url(journey)).status_code == 404


def test_students_do_not_see_the_members_tab(client, student, journey):
    client.force_login(student)
    page = client.get(reverse("missions:plan", args=[journey.pk])).content.decode()
    assert members_url(journey) not in page


# User (the session comes from the cache), journey, unread notifications, the class's version, the
# class's order and the first page's members by key (the first time: then the
# page is in the class cache, drawn), candidates.
MEMBERS_PAGE_QUERIES = 7


@pytest.mark.parametrize("size", [1, 40])
def test_the_members_page_runs_a_fixed_number_of_queries(
    client, teacher, journey, organization, size, django_assert_num_queries
):
    for number in range(size):
        person = classmate(journey)
        team = TeamFactory(journey=journey, name=f"Team {number}")
        TeamMemberFactory(team=team, user=person)
        ProfileFactory(organization=organization)  # a candidate to add
    client.force_login(teacher)
    with django_assert_num_queries(MEMBERS_PAGE_QUERIES):
        assert client.get(members_url(journey)).status_code == 200
    with django_assert_num_queries(MEMBERS_PAGE_QUERIES - 2):
        assert client.get(members_url(journey)).status_code == 200


def test_a_large_class_is_paged_by_key_and_every_member_appears_once(
    client, teacher, student, journey
):
    UserJourneyFactory(journey=journey, user=teacher)
    people = [classmate(journey) for _ in range(MEMBERS_PAGE_SIZE + 7)]
    # Same names across the page boundary: the id breaks the tie, nobody is lost.
    Profile.objects.filter(pk__in=[p.pk for p in people]).update(
        last_name="Kim", first_name="Minji"
    )
    client.force_login(teacher)
    first = client.get(members_url(journey))
    page = first.context["members"]
    assert len(page.row_ids) == MEMBERS_PAGE_SIZE and page.total == len(people) + 2
    assert page.row_ids[0] == str(teacher.pk)  # teachers first
    second = client.get(members_url(journey), {"after": page.next_cursor})
    rest = second.context["members"]
    assert rest.next_cursor is None and not rest.is_first
    shown = page.row_ids + [str(row.profile.pk) for row in rest.rows]
    everyone = [teacher.pk, student.pk, *[p.pk for p in people]]
    assert sorted(map(str, shown)) == sorted(map(str, everyone))
    assert len(set(shown)) == len(shown)
    assert "Back to the first page" in second.content.decode()


def test_the_members_page_stays_small_in_a_large_class(client, teacher, journey):
    for _ in range(3 * MEMBERS_PAGE_SIZE):
        classmate(journey)
    client.force_login(teacher)
    html = client.get(members_url(journey)).content.decode()
    assert html.count('class="member-table__email"') == MEMBERS_PAGE_SIZE
    assert f"{3 * MEMBERS_PAGE_SIZE + 1} members" in html


@pytest.mark.parametrize("cursor", ["x", "W10", "WzEsMl0", "!!!"])
def test_a_cursor_we_did_not_write_is_a_clear_400(client, teacher, journey, cursor):
    client.force_login(teacher)
    assert client.get(members_url(journey), {"after": cursor}).status_code == 400


# --- adding ---------------------------------------------------------------------------


def test_adding_several_people_enrols_and_notifies_each(client, teacher, journey, organization):
    first = ProfileFactory(organization=organization, first_name="Seojun")
    second = ProfileFactory(organization=organization, first_name="Hayun")
    client.force_login(teacher)
    response = client.post(add_url(journey), {"people": [first.pk, second.pk]})
    assert response.status_code == 302 and response.url == members_url(journey)
    enrolled = set(UserJourney.objects.filter(journey=journey).values_list("user_id", flat=True))
    assert {first.pk, second.pk} <= enrolled
    for person in (first, second):
        notification = Notification.objects.get(receiver=person)
        assert notification.type == "invite"
        assert notification.message == "You were added to AI Automation."
        assert notification.link == reverse("missions:plan", args=[journey.pk])
    messages = [str(m) for m in client.get(members_url(journey)).context["messages"]]
    assert "2 people were added and told so." in messages


def test_an_added_teacher_is_enrolled_as_a_teacher(client, teacher, journey, organization):
    colleague = ProfileFactory(organization=organization, role=Role.TEACHER)
    client.force_login(teacher)
    client.post(add_url(journey), {"people": [colleague.pk]})
    assert UserJourney.objects.get(user=colleague).role_in_journey == "teacher"


def test_a_person_of_another_organization_is_refused_and_nobody_is_added(
    client, teacher, journey, organization, outsider
):
    newcomer = ProfileFactory(organization=organization)
    client.force_login(teacher)
    response = client.post(add_url(journey), {"people": [newcomer.pk, outsider.pk]})
    assert response.status_code == 400
    assert (
        "Choose people of your academy who are not in this journey yet."
        in response.content.decode()
    )
    assert not UserJourney.objects.filter(user__in=[newcomer, outsider]).exists()
    assert not Notification.objects.exists()


def test_a_refused_form_keeps_the_people_chosen_checked(
    client, teacher, journey, organization, outsider
):
    """The checkboxes are written by the page's own loop (members.html), not by
    the widget: a refused form still shows who was chosen, marked invalid."""
    chosen = ProfileFactory(organization=organization, first_name="Chosen")
    other = ProfileFactory(organization=organization, first_name="Other")
    client.force_login(teacher)
    response = client.post(add_url(journey), {"people": [chosen.pk, outsider.pk]})
    assert response.status_code == 400
    html = response.content.decode()
    checkbox = re.compile(r'<input type="checkbox" name="people" value="([^"]+)"([^>]*)>')
    boxes = dict(checkbox.findall(html))
    assert " checked" in boxes[str(chosen.pk)]
    assert " checked" not in boxes[str(other.pk)]
    assert all('aria-invalid="true"' in attributes for attributes in boxes.values())
    assert str(outsider.pk) not in boxes
    # Unbound, nothing is checked or invalid.
    html = client.get(members_url(journey)).content.decode()
    assert all(
        " checked" not in attributes and "aria-invalid" not in attributes
        for _value, attributes in checkbox.findall(html)
    )


def test_an_inactive_person_is_refused(client, teacher, journey, organization):
    sleepy = ProfileFactory(organization=organization, is_active=False)
    client.force_login(teacher)
    assert client.post(add_url(journey), {"people": [sleepy.pk]}).status_code == 400
    assert not UserJourney.objects.filter(user=sleepy).exists()


@pytest.mark.parametrize("people", [[], ["not-a-uuid"]])
def test_nothing_chosen_or_garbage_is_refused(client, teacher, journey, people):
    client.force_login(teacher)
    response = client.post(add_url(journey), {"people": people})
    assert response.status_code == 400
    assert UserJourney.objects.filter(journey=journey).count() == 1


def test_someone_already_enrolled_is_not_a_valid_choice(client, teacher, student, journey):
    client.force_login(teacher)
    response = client.post(add_url(journey), {"people": [student.pk]})
    assert response.status_code == 400
    assert UserJourney.objects.filter(journey=journey, user=student).count() == 1


def test_the_service_refuses_a_foreign_person_too(teacher, journey, outsider):
    from django.core.exceptions import ValidationError

    from journeys.services import journey_members_add

    with pytest.raises(ValidationError, match="Only active people of this journey's academy"):
        journey_members_add(journey=journey, by=teacher, people=[outsider])
    assert not UserJourney.objects.filter(user=outsider).exists()


def test_the_service_skips_people_already_enrolled(teacher, student, journey, organization):
    from journeys.services import journey_members_add

    newcomer = ProfileFactory(organization=organization)
    added = journey_members_add(journey=journey, by=teacher, people=[student, newcomer])
    assert [enrolment.user_id for enrolment in added] == [newcomer.pk]
    assert not Notification.objects.filter(receiver=student).exists()


def test_a_student_posting_to_add_gets_404(client, student, journey, organization):
    newcomer = ProfileFactory(organization=organization)
    client.force_login(student)
    assert client.post(add_url(journey), {"people": [newcomer.pk]}).status_code == 404
    assert not UserJourney.objects.filter(user=newcomer).exists()


def test_another_organizations_admin_posting_to_add_gets_404(client, outsider, journey):
    client.force_login(outsider)
    assert client.post(add_url(journey), {"people": [outsider.pk]}).status_code == 404
    assert not UserJourney.objects.filter(user=outsider).exists()


def test_adding_answers_only_post(client, teacher, journey):
    client.force_login(teacher)
    assert client.get(add_url(journey)).status_code == 405


# --- removing -------------------------------------------------------------------------


def test_the_remove_page_asks_first(client, teacher, student, journey):
    client.force_login(teacher)
    response = client.get(remove_url(journey, student))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Remove Minji Kim from the journey?" in page
    assert "Their posts, comments and points stay." in page
    assert UserJourney.objects.filter(user=student).exists()


def test_removing_a_member_keeps_posts_and_points_and_leaves_the_team(
    client, teacher, student, journey
):
    instance = MissionInstanceFactory(journey_week=JourneyWeekFactory(journey=journey))
    post = PostFactory(mission_instance=instance, user=student)
    UserPointFactory(post=post)
    team = TeamFactory(journey=journey)
    TeamMemberFactory(team=team, user=student, is_leader=True)
    other = classmate(journey)
    TeamMemberFactory(team=team, user=other, is_leader=False)
    client.force_login(teacher)
    response = client.post(remove_url(journey, student))
    assert response.status_code == 302 and response.url == members_url(journey)
    assert not UserJourney.objects.filter(journey=journey, user=student).exists()
    assert not TeamMember.objects.filter(user=student).exists()
    # The lead passed on, as when a leader leaves.
    assert TeamMember.objects.get(team=team, user=other).is_leader
    assert post.__class__.objects.filter(pk=post.pk).exists()
    assert UserPoint.objects.filter(profile=student).exists()


def test_removing_keeps_teams_of_other_journeys(client, teacher, student, journey, organization):
    other = JourneyFactory(organization=organization)
    UserJourneyFactory(journey=other, user=student)
    TeamMemberFactory(team=TeamFactory(journey=other), user=student, is_leader=True)
    client.force_login(teacher)
    client.post(remove_url(journey, student))
    assert TeamMember.objects.filter(user=student, team__journey=other).exists()


def test_someone_not_enrolled_answers_404(client, teacher, journey, organization):
    stranger = ProfileFactory(organization=organization)
    client.force_login(teacher)
    assert client.post(remove_url(journey, stranger)).status_code == 404


@pytest.mark.parametrize("who", ["student", "outsider"])
def test_students_and_other_organizations_cannot_remove(client, student, journey, who, request):
    client.force_login(request.getfixturevalue(who))
    assert client.post(remove_url(journey, student)).status_code == 404
    assert UserJourney.objects.filter(journey=journey, user=student).exists()


def test_removing_needs_the_csrf_token(teacher, student, journey):
    client = Client(enforce_csrf_checks=True)
    client.force_login(teacher)
    assert client.post(remove_url(journey, student)).status_code == 403
    assert UserJourney.objects.filter(journey=journey, user=student).exists()


# --- e-mailing everyone -------------------------------------------------------------------


def test_the_email_form_says_how_many_receive_it(client, teacher, journey):
    classmate(journey)
    client.force_login(teacher)
    response = client.get(email_url(journey))
    page = " ".join(response.content.decode().split())
    assert response.status_code == 200
    assert "It goes to 2 members of the journey" in page
    assert 'name="subject"' in page and 'name="message"' in page


def test_an_email_goes_to_each_member_with_reply_to_the_teacher(client, teacher, student, journey):
    second = classmate(journey, email="hayun@example.test")
    sleepy = classmate(journey, email="sleepy@example.test")
    sleepy.is_active = False
    sleepy.save()
    UserJourneyFactory(journey=journey, user=teacher, role_in_journey="teacher")
    client.force_login(teacher)
    response = client.post(
        email_url(journey), {"subject": "Week 2", "message": "Hello all,\nsee you Monday."}
    )
    assert response.status_code == 302 and response.url == members_url(journey)
    rows = list(EmailQueue.objects.order_by("recipient_email"))
    # One each; not the deactivated member, not the sender.
    assert [row.recipient_email for row in rows] == [second.email, student.email]
    for row in rows:
        assert row.subject == "[AI Automation] Week 2"
        assert row.content.startswith("Hello all,\nsee you Monday.")
        assert "Jisoo Park wrote this to the members of AI Automation" in row.content
        assert row.headers["Reply-To"] == teacher.email
    messages = [str(m) for m in client.get(members_url(journey)).context["messages"]]
    assert "Sent to 2 members." in messages


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"subject": "", "message": "Hello"}, "Write a subject."),
        ({"subject": "Hi", "message": ""}, "Write a message."),
        ({"subject": "Hi", "message": "   \n  "}, "Write a message."),
    ],
)
def test_an_empty_subject_or_message_is_refused(client, teacher, journey, data, message):
    client.force_login(teacher)
    response = client.post(email_url(journey), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not EmailQueue.objects.exists()


def test_a_subject_with_a_line_break_becomes_one_line(teacher, journey):
    from journeys.services import journey_members_email

    journey_members_email(journey=journey, by=teacher, subject="Week\n2", message="Hi")
    assert EmailQueue.objects.get().subject == "[AI Automation] Week 2"


def test_a_journey_without_other_members_says_so(client, teacher, organization):
    empty = JourneyFactory(organization=organization)
    client.force_login(teacher)
    response = client.post(email_url(empty), {"subject": "Hi", "message": "Hello"})
    assert response.status_code == 400
    assert "Nobody to e-mail" in response.content.decode()
    assert not EmailQueue.objects.exists()


@pytest.mark.parametrize("who", ["student", "outsider"])
def test_students_and_other_organizations_cannot_email(client, journey, who, request):
    client.force_login(request.getfixturevalue(who))
    assert client.get(email_url(journey)).status_code == 404
    response = client.post(email_url(journey), {"subject": "Spam", "message": "Spam"})
    assert response.status_code == 404
    assert not EmailQueue.objects.exists()


# User (the session comes from the cache), journey, receivers, one INSERT of every row, and the
# savepoints of the service's and the backend's transactions (two pairs).
EMAIL_SEND_QUERIES = 8


@pytest.mark.parametrize("size", [1, 30])
def test_sending_runs_a_fixed_number_of_queries(
    client, teacher, journey, size, django_assert_num_queries
):
    for _ in range(size):
        classmate(journey)
    client.force_login(teacher)
    with django_assert_num_queries(EMAIL_SEND_QUERIES):
        response = client.post(email_url(journey), {"subject": "Hi", "message": "Hello"})
    assert response.status_code == 302
    assert EmailQueue.objects.count() == size + 1
