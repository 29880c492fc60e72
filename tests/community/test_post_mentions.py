"""@mentions in posts notify like those in comments (once per person, only
members who may open the post, never the writer), and an @word that names
nobody, or several people, is left as text with a hint to its writer."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from community.models import Post
from notifications.models import Notification
from tests.community.builders import (  # noqa: F401 (fixtures)
    classroom_fixture,
    make_post,
    post_url,
    submit_url,
)
from tests.factories import UserJourneyFactory

pytestmark = pytest.mark.usefixtures("english")
HTMX = {"HTTP_HX_REQUEST": "true"}


def submit(client, instance, content, title="My prompt"):
    return client.post(submit_url(instance), {"title": title, "content": content})


def mentions() -> set[tuple]:
    return {(n.receiver_id, n.message) for n in Notification.objects.filter(type="mention")}


def test_a_post_mentioning_a_classmate_tells_them(client, classroom):
    client.force_login(classroom.student)
    submit(client, classroom.instance, "Built on @서준's idea, with @Minji Kim (me).")

    post = Post.objects.get()
    told = Notification.objects.get(type="mention")
    assert told.receiver == classroom.classmate
    assert told.message == "Minji Kim mentioned you in the post “My prompt”."
    assert told.link == post_url(post)
    # The writer mentioned themselves: not told. The teachers hear of the submission.
    assert set(Notification.objects.values_list("type", flat=True)) == {"mention", "submission"}


def test_an_edit_tells_only_the_people_it_newly_mentions(client, classroom):
    third = UserJourneyFactory(
        journey=classroom.journey, user__first_name="Hana", user__last_name="Lee"
    ).user
    client.force_login(classroom.student)
    submit(client, classroom.instance, "Thanks @서준")
    post = Post.objects.get()

    client.post(
        post_url(post, "post_edit"), {"title": "My prompt", "content": "Thanks @서준 and @Hana Lee"}
    )

    receivers = list(
        Notification.objects.filter(type="mention").values_list("receiver_id", flat=True)
    )
    assert sorted(receivers) == sorted([classroom.classmate.pk, third.pk])


def test_people_outside_the_journey_are_never_told(client, classroom):
    classroom.stranger.first_name, classroom.stranger.last_name = "Bora", "Choi"
    classroom.stranger.save(update_fields=["first_name", "last_name"])
    client.force_login(classroom.student)

    response = submit(client, classroom.instance, "Hello @Bora Choi")

    assert mentions() == set()
    page = client.get(response.url).content.decode()
    assert "@Bora names nobody in this class" in page


def test_a_name_that_fits_nobody_or_several_gets_a_hint(client, classroom):
    for first in ("지호", "지호"):
        UserJourneyFactory(journey=classroom.journey, user__first_name=first, user__last_name="박")
    client.force_login(classroom.student)

    response = submit(client, classroom.instance, "Ask @Gandalf, @지호 or @서준")

    page = client.get(response.url).content.decode()
    assert "@Gandalf names nobody in this class: it stays plain text and nobody is told." in page
    assert "@지호 fits more than one member: write the full name." in page
    assert {receiver for receiver, _message in mentions()} == {classroom.classmate.pk}


def test_a_comment_naming_nobody_gets_the_hint_beside_the_fresh_form(client, classroom):
    post = make_post(classroom)
    client.force_login(classroom.classmate)

    html = client.post(
        post_url(post, "comment_create"), {"content": "cc @Gandalf"}, **HTMX
    ).content.decode()
    assert 'class="mention-hint" role="status">@Gandalf names nobody in this class' in html

    quiet = client.post(
        post_url(post, "comment_create"), {"content": "cc @Minji Kim"}, **HTMX
    ).content.decode()
    assert "mention-hint" not in quiet


def test_a_submission_costs_the_same_queries_whoever_it_mentions(client, classroom):
    people = [
        UserJourneyFactory(
            journey=classroom.journey, user__first_name=f"Name{n}", user__last_name="Lee"
        ).user
        for n in range(6)
    ]
    client.force_login(classroom.student)
    costs = []
    for content in ("@Name0 Lee", " ".join(f"@Name{n} Lee" for n in range(6))):
        Post.objects.all().delete()
        with CaptureQueriesContext(connection) as queries:
            submit(client, classroom.instance, content)
        costs.append(len(queries))

    assert costs[0] == costs[1]
    # The first submission's one, then six.
    assert Notification.objects.filter(type="mention").count() == len(people) + 1
