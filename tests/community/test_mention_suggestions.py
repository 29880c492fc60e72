"""The members offered while "@…" is typed (community.views.mention_suggestions):
only the journey's members, by first name, full name or family name, a few at
a time, escaped; other journeys and academies answer 404."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from community.mentions import SUGGESTIONS
from tests.community.builders import classroom_fixture  # noqa: F401 (fixture)
from tests.factories import UserJourneyFactory

pytestmark = pytest.mark.usefixtures("english")


def suggest(client, journey, q):
    return client.get(reverse("community:mention_suggestions", args=[journey.pk]), {"q": q})


def offered(response) -> list[str]:
    return re.findall(r'data-mention="([^"]*)"', response.content.decode())


def test_members_are_offered_by_any_part_of_their_name(client, classroom):
    client.force_login(classroom.student)

    assert offered(suggest(client, classroom.journey, "서")) == ["이서준"]  # first name
    assert offered(suggest(client, classroom.journey, "이서")) == ["이서준"]  # full name
    assert offered(suggest(client, classroom.journey, "이")) == ["이서준"]  # family name
    assert offered(suggest(client, classroom.journey, "min")) == ["Minji Kim"]
    assert offered(suggest(client, classroom.journey, "minji k")) == ["Minji Kim"]


def test_people_outside_the_journey_are_not_offered(client, classroom):
    classroom.stranger.first_name, classroom.stranger.last_name = "서윤", "최"
    classroom.stranger.save(update_fields=["first_name", "last_name"])
    client.force_login(classroom.student)

    assert offered(suggest(client, classroom.journey, "서")) == ["이서준"]


def test_a_few_are_offered_at_a_time_in_name_order(client, classroom):
    for n in range(SUGGESTIONS + 4):
        UserJourneyFactory(
            journey=classroom.journey, user__first_name=f"Sam{n:02}", user__last_name="Moon"
        )
    client.force_login(classroom.student)

    names = offered(suggest(client, classroom.journey, "sam"))

    assert names == [f"Sam{n:02} Moon" for n in range(SUGGESTIONS)]


def test_a_word_that_names_nobody_says_so_and_nothing_is_offered(client, classroom):
    client.force_login(classroom.student)

    response = suggest(client, classroom.journey, "<b>Zed")

    assert offered(response) == []
    assert "Nobody in this class is called “&lt;b&gt;Zed”." in response.content.decode()
    assert suggest(client, classroom.journey, "").content.decode().strip() == ""


def test_names_are_escaped(client, classroom):
    UserJourneyFactory(
        journey=classroom.journey, user__first_name='<img src=x onerror="x">', user__last_name="Kim"
    )
    client.force_login(classroom.student)

    html = suggest(client, classroom.journey, "<img").content.decode()

    assert "<img src=x" not in html and "&lt;img src=x" in html


def test_other_journeys_and_academies_answer_404(client, classroom):
    client.force_login(classroom.stranger)  # same academy, not in the journey
    assert suggest(client, classroom.journey, "서").status_code == 404
    client.force_login(classroom.outsider)
    assert suggest(client, classroom.journey, "서").status_code == 404
    client.logout()
    assert suggest(client, classroom.journey, "서").status_code == 302  # to log in


def test_one_query_for_the_suggestions_whatever_the_class(
    client, classroom, django_assert_num_queries
):
    for n in range(30):
        UserJourneyFactory(journey=classroom.journey, user__first_name=f"Kid{n}")
    client.force_login(classroom.student)
    suggest(client, classroom.journey, "kid")  # warm: session, user
    with django_assert_num_queries(3):  # the user, the journey's access check, the members
        assert len(offered(suggest(client, classroom.journey, "kid"))) == SUGGESTIONS
