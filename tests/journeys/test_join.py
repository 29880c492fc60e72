"""Joining a journey through its invite link, and replacing that link."""

from __future__ import annotations

import re
import threading
import time
from urllib.parse import quote, urlsplit

import pytest
from django.db import connection, transaction
from django.urls import reverse

from accounts.models import Role
from journeys.models import UserJourney
from journeys.services import journey_join
from journeys.views import PENDING_INVITE_SESSION_KEY
from notifications.models import Notification
from tests.factories import JourneyFactory, ProfileFactory, UserJourneyFactory

pytestmark = pytest.mark.usefixtures("english")

PASSWORD = "Kettle-Orbit-93!"


@pytest.fixture
def journey(organization):
    return JourneyFactory(organization=organization, name="Spring Data Club")


def join_url(journey_or_token) -> str:
    token = getattr(journey_or_token, "invite_token", journey_or_token)
    return reverse("journeys:join", args=[token])


def plan_url(journey) -> str:
    return reverse("missions:plan", args=[journey.pk])


def enrolled(user, journey) -> bool:
    return UserJourney.objects.filter(user=user, journey=journey).exists()


def shown_messages(response) -> list[str]:
    return [str(message) for message in response.wsgi_request._messages]


# --- a student of the academy ---------------------------------------------------------


def test_the_link_shows_the_journey_and_a_join_button_without_enrolling(client, student, journey):
    client.force_login(student)

    response = client.get(join_url(journey))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Spring Data Club" in page
    assert journey.date_start.strftime("%Y.%m.%d") in page
    assert f'<form method="post" action="{join_url(journey)}"' in page
    assert "Join this journey" in page
    assert not enrolled(student, journey)


def test_joining_enrols_welcomes_and_opens_the_plan(client, student, journey):
    client.force_login(student)

    response = client.post(join_url(journey), follow=True)

    assert response.redirect_chain == [(plan_url(journey), 302)]
    assert enrolled(student, journey)
    assert any("Welcome to Spring Data Club" in text for text in shown_messages(response))
    [welcome] = Notification.objects.filter(receiver=student)
    assert welcome.type == "invite"
    assert welcome.link == plan_url(journey)
    assert "Spring Data Club" in welcome.message


def test_joining_twice_keeps_one_enrolment_and_one_welcome(client, student, journey):
    client.force_login(student)
    client.post(join_url(journey))

    response = client.post(join_url(journey), follow=True)

    assert response.redirect_chain == [(plan_url(journey), 302)]
    assert UserJourney.objects.filter(user=student, journey=journey).count() == 1
    assert Notification.objects.filter(receiver=student).count() == 1
    assert any("already in Spring Data Club" in text for text in shown_messages(response))


def test_an_enrolled_student_opening_the_link_goes_straight_to_the_plan(client, student, journey):
    UserJourneyFactory(user=student, journey=journey)
    client.force_login(student)

    response = client.get(join_url(journey))

    assert response.status_code == 302 and response.url == plan_url(journey)


# --- people who cannot join -------------------------------------------------------------


def test_a_student_of_another_academy_is_refused_and_nothing_changes(
    client, journey, other_organization
):
    stranger = ProfileFactory(organization=other_organization, role=Role.USER)
    client.force_login(stranger)

    shown = client.get(join_url(journey))
    posted = client.post(join_url(journey))

    for response in (shown, posted):
        assert response.status_code == 403
        page = response.content.decode()
        assert "belongs to another academy" in page
        assert "Join this journey" not in page
    assert not UserJourney.objects.filter(journey=journey).exists()
    assert not Notification.objects.exists()


def test_teachers_and_admins_of_the_academy_are_taken_to_the_journey(
    client, teacher, admin_user, journey
):
    for person in (teacher, admin_user):
        client.force_login(person)
        for method in (client.get, client.post):
            response = method(join_url(journey))
            assert response.status_code == 302 and response.url == plan_url(journey)
    assert not UserJourney.objects.filter(journey=journey).exists()


def test_a_teacher_of_another_academy_is_refused(client, outsider, journey):
    client.force_login(outsider)
    response = client.post(join_url(journey))
    assert response.status_code == 403
    assert not UserJourney.objects.filter(journey=journey).exists()


@pytest.mark.parametrize("token", ["not-a-real-token", "x" * 500])
def test_an_unknown_token_says_the_link_is_no_longer_valid(client, student, journey, token):
    client.force_login(student)
    for method in (client.get, client.post):
        response = method(join_url(token))
        assert response.status_code == 404
        assert "This invite link is no longer valid" in response.content.decode()
    assert not UserJourney.objects.exists()


def test_an_old_link_stops_working_once_a_teacher_makes_a_new_one(
    client, student, teacher, journey
):
    old_token = journey.invite_token
    client.force_login(teacher)
    client.post(reverse("journeys:invite_regenerate", args=[journey.pk]))
    client.force_login(student)

    shown = client.get(join_url(old_token))
    posted = client.post(join_url(old_token))

    for response in (shown, posted):
        assert response.status_code == 404
        assert "This invite link is no longer valid" in response.content.decode()
    assert not enrolled(student, journey)
    journey.refresh_from_db()
    assert client.get(join_url(journey)).status_code == 200


def test_the_join_page_only_answers_get_and_post(client, student, journey):
    client.force_login(student)
    assert client.put(join_url(journey)).status_code == 405
    assert not enrolled(student, journey)


# --- logged out: log in or sign up first, then land on the link ------------------------------


def test_logged_out_the_link_asks_to_log_in_and_comes_back(client, student, password, journey):
    response = client.get(join_url(journey))

    login = f"{reverse('account_login')}?next={quote(join_url(journey))}"
    assert response.status_code == 302 and response.url == login
    assert client.session[PENDING_INVITE_SESSION_KEY] == journey.invite_token
    page = client.get(response.url).content.decode()
    assert "Log in or sign up to join Spring Data Club" in page

    response = client.post(
        response.url,
        {"login": student.email, "password": password, "next": join_url(journey)},
    )

    assert response.url == join_url(journey)
    assert client.get(response.url).status_code == 200
    assert not enrolled(student, journey)  # the GET enrols nobody: the button does
    assert PENDING_INVITE_SESSION_KEY not in client.session


def test_a_log_in_without_next_still_lands_on_the_pending_link_once(
    client, student, password, journey
):
    client.get(join_url(journey))

    response = client.post(
        reverse("account_login"), {"login": student.email, "password": password}, follow=True
    )

    assert response.redirect_chain == [(reverse("home"), 302), (join_url(journey), 302)]
    assert response.status_code == 200 and "Join this journey" in response.content.decode()
    assert client.get(reverse("home")).status_code == 200  # followed once, then forgotten


def test_a_logged_out_visit_with_a_bad_token_remembers_nothing(client, db):
    response = client.get(join_url("no-such-token"))
    assert response.status_code == 404
    assert PENDING_INVITE_SESSION_KEY not in client.session


def test_a_new_student_signs_up_confirms_the_address_logs_in_and_joins(
    client, organization, journey, mailoutbox, settings
):
    settings.ACCOUNT_RATE_LIMITS = False
    # The link, then the log-in page's "sign up" link, which carries the way back.
    login_page = client.get(client.get(join_url(journey)).url).content.decode()
    [signup_url] = re.findall(r'href="(/accounts/signup/\?next=[^"]+)"', login_page)

    response = client.post(
        signup_url.replace("&amp;", "&"),
        {
            "email": "new.student@example.test",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "last_name": "Kim",
            "first_name": "Dana",
            "phone": "010-2345-6789",
            "organization": str(organization.pk),
            "privacy_agreed": "on",
            "next": join_url(journey),
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    assert "_auth_user_id" not in client.session  # the address is not confirmed yet

    [mail] = mailoutbox
    confirm_path = urlsplit(re.search(r"https?://\S+/accounts/confirm-email/\S+", mail.body)[0])
    assert client.post(confirm_path.path).status_code == 302

    response = client.post(
        reverse("account_login"),
        {"login": "new.student@example.test", "password": PASSWORD},
        follow=True,
    )

    assert response.redirect_chain[-1] == (join_url(journey), 302)
    assert "Join this journey" in response.content.decode()
    response = client.post(join_url(journey), follow=True)
    assert response.redirect_chain == [(plan_url(journey), 302)]
    assert UserJourney.objects.filter(
        journey=journey, user__email="new.student@example.test"
    ).exists()


# --- the invite link for teachers -----------------------------------------------------------------


def test_teachers_see_the_invite_link_with_a_copy_button_on_every_tab(client, teacher, journey):
    client.force_login(teacher)

    page = client.get(plan_url(journey)).content.decode()

    assert f"http://testserver{join_url(journey)}" in page
    assert 'data-copy-target="invite-link-' in page
    assert "js/copy" in page
    assert reverse("journeys:invite_regenerate", args=[journey.pk]) in page


def test_students_see_no_invite_link_or_teacher_controls(client, student, journey):
    UserJourneyFactory(user=student, journey=journey)
    client.force_login(student)

    page = client.get(plan_url(journey)).content.decode()

    assert journey.invite_token not in page
    assert reverse("journeys:invite_regenerate", args=[journey.pk]) not in page
    assert "data-copy-target" not in page


def test_a_teacher_makes_a_new_link_which_replaces_the_old(client, teacher, journey):
    old_token = journey.invite_token
    client.force_login(teacher)

    response = client.post(
        reverse("journeys:invite_regenerate", args=[journey.pk]),
        {"next": reverse("community:feed", args=[journey.pk])},
        follow=False,
    )

    assert response.status_code == 302
    assert response.url == reverse("community:feed", args=[journey.pk])
    journey.refresh_from_db()
    assert journey.invite_token != old_token and len(journey.invite_token) >= 32
    assert any("previous link no longer works" in text for text in shown_messages(response))


def test_a_new_link_ignores_a_next_address_on_another_site(client, admin_user, journey):
    client.force_login(admin_user)
    response = client.post(
        reverse("journeys:invite_regenerate", args=[journey.pk]),
        {"next": "https://evil.example/phish"},
    )
    assert response.url == plan_url(journey)


@pytest.mark.parametrize("who", ["enrolled_student", "outsider"])
def test_only_the_journeys_teachers_can_make_a_new_link(client, request, who, journey, student):
    UserJourneyFactory(user=student, journey=journey)
    person = student if who == "enrolled_student" else request.getfixturevalue("outsider")
    old_token = journey.invite_token
    client.force_login(person)

    response = client.post(reverse("journeys:invite_regenerate", args=[journey.pk]))

    assert response.status_code == 404
    journey.refresh_from_db()
    assert journey.invite_token == old_token


def test_making_a_new_link_needs_a_post_and_a_log_in(client, teacher, journey):
    url = reverse("journeys:invite_regenerate", args=[journey.pk])
    old_token = journey.invite_token
    assert client.post(url).status_code == 302  # to the log-in page
    client.force_login(teacher)
    assert client.get(url).status_code == 405
    journey.refresh_from_db()
    assert journey.invite_token == old_token


def _backend_waiting_for_a_lock(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
        row = cursor.fetchone()
    return row is not None and row[0] == "Lock"


@pytest.mark.django_db(transaction=True)
def test_two_joins_at_once_leave_one_enrolment(student, journey):
    """The second of two simultaneous joins finds no enrolment when it looks,
    then hits the unique constraint when it inserts: it reports "already in".

    Two threads, each with its own connection: the first joins inside a
    transaction it keeps open, so its enrolment is not yet visible; the second
    looks (finds nothing), inserts and waits on the unique index until the first
    commits, then fails the constraint."""
    first_joined, release_first = threading.Event(), threading.Event()
    second_pid: list[int] = []
    results: dict = {}

    def in_thread(key, work):
        def run():
            try:
                results[key] = work()
            except Exception as error:  # noqa: BLE001 (the test reports it)
                results[key] = error
            finally:
                connection.close()  # this thread's own connection

        thread = threading.Thread(target=run)
        thread.start()
        return thread

    def first_join():
        with transaction.atomic():
            joined = journey_join(journey=journey, user=student)
            first_joined.set()
            release_first.wait(10)  # uncommitted until the second one is stuck
        return joined

    def second_join():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            second_pid.append(cursor.fetchone()[0])
        return journey_join(journey=journey, user=student)

    first_thread = in_thread("first", first_join)
    try:
        assert first_joined.wait(10)
        second_thread = in_thread("second", second_join)
        # Wait until the second join's insert is blocked by the first one's row.
        deadline = time.monotonic() + 10
        while not (second_pid and _backend_waiting_for_a_lock(second_pid[0])):
            assert second_thread.is_alive(), results.get("second")
            assert time.monotonic() < deadline, "the second join never waited for the first"
            time.sleep(0.01)  # polling interval only; the loop waits for the condition
    finally:
        release_first.set()
        first_thread.join(10)
    second_thread.join(10)
    first, second = results["first"], results["second"]
    assert not isinstance(first, Exception), first
    assert not isinstance(second, Exception), second

    assert (first.created, second.created) == (True, False)
    assert second.enrolment == first.enrolment
    assert UserJourney.objects.filter(user=student, journey=journey).count() == 1
    assert Notification.objects.filter(receiver=student).count() == 1
