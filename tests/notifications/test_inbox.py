"""The inbox: unread first then newest, paged by key; opening; mark all read; badge."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification
from notifications.selectors import INBOX_PAGE_SIZE, UNREAD_BADGE_LIMIT, inbox_page, unread_count
from tests.factories import NotificationFactory


def make(receiver, count, *, read, start):
    rows = []
    for number in range(count):
        created = start + dt.timedelta(minutes=number)
        row = NotificationFactory(
            receiver=receiver, message=f"{'read' if read else 'new'} {number}"
        )
        Notification.objects.filter(pk=row.pk).update(
            created_at=created, read_at=created if read else None
        )
        rows.append(row)
    return rows


def walk(receiver):
    """Every page of the inbox, following the cursors."""
    seen, after = [], None
    while True:
        page = inbox_page(receiver, after=after)
        seen += page.notifications
        if page.next_cursor is None:
            return seen
        after = page.next_cursor


def test_unread_come_first_then_read_each_newest_first_over_every_page(student):
    start = timezone.now() - dt.timedelta(days=2)
    make(student, 25, read=True, start=start + dt.timedelta(hours=1))  # newer, but read
    make(student, 23, read=False, start=start)
    messages = [row.message for row in walk(student)]
    assert messages == [f"new {n}" for n in reversed(range(23))] + [
        f"read {n}" for n in reversed(range(25))
    ]


def test_rows_with_the_same_time_are_neither_skipped_nor_repeated(student):
    moment = timezone.now()
    rows = NotificationFactory.create_batch(INBOX_PAGE_SIZE * 2 + 3, receiver=student)
    Notification.objects.filter(receiver=student).update(created_at=moment)
    assert sorted(row.pk for row in walk(student)) == sorted(row.pk for row in rows)


def test_the_inbox_shows_only_my_notifications(client, student, teacher):
    NotificationFactory(receiver=teacher, message="for the teacher")
    NotificationFactory(receiver=student, message="for the student")
    client.force_login(student)
    page = client.get(reverse("notifications:inbox")).content.decode()
    assert "for the student" in page and "for the teacher" not in page


def test_a_made_up_page_cursor_is_a_clear_400(client, student):
    client.force_login(student)
    response = client.get(reverse("notifications:inbox"), {"after": "u~yesterday~nope"})
    assert response.status_code == 400


def test_showing_older_with_htmx_returns_only_the_next_rows(client, student):
    make(student, INBOX_PAGE_SIZE + 5, read=False, start=timezone.now() - dt.timedelta(days=1))
    client.force_login(student)
    first = client.get(reverse("notifications:inbox"))
    cursor = first.context["page"].next_cursor
    more = client.get(reverse("notifications:inbox"), {"after": cursor}, HTTP_HX_REQUEST="true")
    assert more.status_code == 200
    assert "<html" not in more.content.decode()
    assert more.content.decode().count('<li class="notification') == 5


def test_the_inbox_query_count_stays_flat(client, student, django_assert_max_num_queries):
    client.force_login(student)
    url = reverse("notifications:inbox")
    NotificationFactory(receiver=student)
    with django_assert_max_num_queries(10) as few:
        client.get(url)
    make(student, 60, read=False, start=timezone.now() - dt.timedelta(days=1))
    make(student, 60, read=True, start=timezone.now() - dt.timedelta(days=2))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_opening_marks_read_and_follows_the_link(client, student):
    notification = NotificationFactory(receiver=student, link="/home/")
    client.force_login(student)
    response = client.get(reverse("notifications:open", args=[notification.pk]))
    assert response.status_code == 302 and response.url == "/home/"
    notification.refresh_from_db()
    first_read = notification.read_at
    assert first_read is not None
    client.get(reverse("notifications:open", args=[notification.pk]))
    notification.refresh_from_db()
    assert notification.read_at == first_read  # reading again keeps the first time


def test_opening_one_without_a_link_returns_to_the_inbox(client, student):
    notification = NotificationFactory(receiver=student, link=None)
    client.force_login(student)
    response = client.get(reverse("notifications:open", args=[notification.pk]))
    assert response.url == reverse("notifications:inbox")


def test_another_persons_notification_is_404_and_stays_unread(client, student, teacher):
    theirs = NotificationFactory(receiver=teacher)
    client.force_login(student)
    assert client.get(reverse("notifications:open", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_an_unknown_notification_is_404(client, student):
    client.force_login(student)
    url = reverse("notifications:open", args=["8c4a9a8e-3f6d-4f7e-9a51-1d1f0d2e9b77"])
    assert client.get(url).status_code == 404
    assert client.get("/notifications/not-a-uuid/").status_code == 404


def test_mark_all_read_reads_only_mine(client, student, teacher):
    NotificationFactory.create_batch(3, receiver=student)
    theirs = NotificationFactory(receiver=teacher)
    client.force_login(student)
    assert client.get(reverse("notifications:mark_all_read")).status_code == 405
    response = client.post(reverse("notifications:mark_all_read"))
    assert response.status_code == 302
    assert unread_count(student) == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read_with_htmx_redraws_the_list(client, student):
    NotificationFactory.create_batch(2, receiver=student)
    client.force_login(student)
    response = client.post(reverse("notifications:mark_all_read"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'id="inbox-body"' in response.content.decode()
    assert "notification--unread" not in response.content.decode()


def test_the_inbox_needs_a_log_in(client, db):
    response = client.get(reverse("notifications:inbox"))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_the_unread_badge_is_on_every_page_and_costs_one_query(
    client, student, django_assert_num_queries
):
    NotificationFactory.create_batch(3, receiver=student)
    client.force_login(student)
    page = client.get(reverse("home")).content.decode()
    assert 'class="count-badge"' in page and ">3</span>" in page
    with django_assert_num_queries(1):
        assert unread_count(student) == 3


def test_past_99_unread_the_badge_says_99_plus_without_counting_them_all(
    client, student, django_assert_num_queries
):
    NotificationFactory.create_batch(UNREAD_BADGE_LIMIT + 21, receiver=student)
    client.force_login(student)
    page = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f">{UNREAD_BADGE_LIMIT}+</span>" in page
    assert f"More than {UNREAD_BADGE_LIMIT} unread notifications" in page
    with django_assert_num_queries(1):
        assert unread_count(student, limit=UNREAD_BADGE_LIMIT) == UNREAD_BADGE_LIMIT + 1
    assert unread_count(student) == UNREAD_BADGE_LIMIT + 21


def test_exactly_99_unread_are_counted_exactly(client, student):
    NotificationFactory.create_batch(UNREAD_BADGE_LIMIT, receiver=student)
    client.force_login(student)
    page = client.get(reverse("home")).content.decode()
    assert f">{UNREAD_BADGE_LIMIT}</span>" in page
    assert f"{UNREAD_BADGE_LIMIT}+" not in page


@pytest.mark.parametrize("unread", [0, 40])
def test_the_badge_does_not_grow_the_page_query_count(
    client, student, unread, django_assert_max_num_queries
):
    NotificationFactory.create_batch(unread, receiver=student)
    client.force_login(student)
    with django_assert_max_num_queries(7):
        client.get(reverse("home"))
