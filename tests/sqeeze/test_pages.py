import pytest
from django.urls import reverse

from accounts.models import Role
from tests.factories import JourneyFactory, JourneyWeekFactory, UserJourneyFactory


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
