"""Likes: one per person (the database says so, even at the same moment), an
htmx toggle with a no-JavaScript fallback, grouped in-app notifications."""

from __future__ import annotations

import threading

import pytest
from django.db import close_old_connections, connection

from community import services
from community.models import Like
from notifications.models import EmailQueue, Notification
from tests.community.builders import (  # noqa: F401 (fixtures)
    classroom_fixture,
    make_post,
    post_url,
)
from tests.factories import PostFactory, ProfileFactory, UserJourneyFactory

pytestmark = pytest.mark.usefixtures("english")


def like(client, post, action=None, **headers):
    data = {"action": action} if action else {}
    return client.post(post_url(post, "like_toggle"), data, **headers)


def test_a_like_without_javascript_goes_back_to_the_post(client, classroom):
    post = make_post(classroom)
    client.force_login(classroom.classmate)
    response = like(client, post)
    assert response.url == post_url(post) + "#likes"
    assert Like.objects.filter(post=post, user=classroom.classmate).exists()
    page = client.get(post_url(post)).content.decode()
    assert 'aria-pressed="true"' in page
    like(client, post)
    assert not Like.objects.exists()


def test_htmx_gets_the_button_with_its_count_and_state(client, classroom):
    post = make_post(classroom)
    client.force_login(classroom.classmate)
    response = like(client, post, "like", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith("<form")
    assert 'aria-pressed="true"' in html
    assert '<span class="like-button__count">1</span>' in html
    assert 'name="action" value="unlike"' in html
    html = like(client, post, "unlike", HTTP_HX_REQUEST="true").content.decode()
    assert 'aria-pressed="false"' in html
    assert '<span class="like-button__count">0</span>' in html


def test_liking_twice_keeps_one_like(client, classroom):
    post = make_post(classroom)
    client.force_login(classroom.classmate)
    like(client, post, "like")
    like(client, post, "like")  # a double click: both say "like"
    assert Like.objects.count() == 1


def test_people_outside_the_journey_cannot_like(client, classroom):
    post = make_post(classroom)
    for person in (classroom.stranger, classroom.outsider):
        client.force_login(person)
        assert like(client, post, "like").status_code == 404
    assert not Like.objects.exists()


def test_liking_needs_a_post_request(client, classroom):
    post = make_post(classroom)
    client.force_login(classroom.classmate)
    assert client.get(post_url(post, "like_toggle")).status_code == 405


def test_likes_notify_the_author_in_one_grouped_notification(classroom):
    post = make_post(classroom, title="My prompt")
    others = [ProfileFactory(organization=classroom.journey.organization) for _ in range(2)]
    for person in others:
        UserJourneyFactory(journey=classroom.journey, user=person)
    services.like_set(post=post, user=classroom.classmate, liked=True)
    first = Notification.objects.get(receiver=classroom.student, type="like")
    assert first.message == "이서준 liked your post “My prompt”."
    for person in others:
        services.like_set(post=post, user=person, liked=True)
    grouped = Notification.objects.get(receiver=classroom.student, type="like")
    assert grouped.pk == first.pk
    assert grouped.message.endswith("and 2 others liked your post “My prompt”.")
    assert grouped.link == post_url(post)
    assert not EmailQueue.objects.exists()  # in-app only


def test_unliking_notifies_nobody(classroom):
    post = make_post(classroom)
    services.like_set(post=post, user=classroom.classmate, liked=True)
    Notification.objects.all().delete()
    services.like_set(post=post, user=classroom.classmate, liked=False)
    assert not Notification.objects.exists()


def test_liking_my_own_post_notifies_nobody(classroom):
    post = make_post(classroom)
    services.like_set(post=post, user=classroom.student, liked=True)
    assert Like.objects.count() == 1
    assert not Notification.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_likes_at_the_same_moment_make_one_row(organization):
    post = PostFactory(mission_instance__journey_week__journey__organization=organization)
    liker = ProfileFactory(organization=organization)
    UserJourneyFactory(journey=post.journey, user=liker)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def like_once():
        try:
            barrier.wait(timeout=5)
            services.like_set(post=post, user=liker, liked=True)
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=like_once) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert errors == []
    assert Like.objects.filter(post=post, user=liker).count() == 1
    assert Notification.objects.filter(receiver=post.user, type="like").count() == 1
