"""The @mention rule (community.mentions): who a mention means, and how it is shown."""

from __future__ import annotations

from types import SimpleNamespace
from uuid import uuid4

import pytest

from community.mentions import MentionIndex


def person(last, first, **extra):
    from accounts.models import Profile

    profile = Profile(pk=uuid4(), last_name=last, first_name=first, email=f"{uuid4()}@x.test")
    for key, value in extra.items():
        setattr(profile, key, value)
    return profile


@pytest.fixture
def people():
    return SimpleNamespace(
        minji=person("김", "민지"),
        emma=person("Smith", "Emma"),
        emmanuel=person("Lee", "Emmanuel"),
        jiho=person("박", "지호"),
        jiho2=person("최", "지호"),
    )


@pytest.fixture
def index(people):
    return MentionIndex.of_people(vars(people).values())


@pytest.mark.parametrize(
    ("text", "who"),
    [
        ("@김민지 안녕", {"minji"}),
        ("@민지야 안녕", {"minji"}),  # a Korean particle right after the name
        ("@김민지님", {"minji"}),
        ("@Emma Smith, hi", {"emma"}),
        ("@EmmaSmith hi", {"emma"}),
        ("@emma hi", {"emma"}),  # case does not matter
        ("@Emmanuel hi", {"emmanuel"}),  # not Emma: the longest name wins
        ("@Emmax hi", set()),  # a Latin name ends where the word ends
        ("@지호 hi", set()),  # two members are called 지호: nobody
        ("@박지호 @최지호", {"jiho", "jiho2"}),
        ("minji@example.com", set()),  # an e-mail address is not a mention
        ("@@김민지", set()),
        ("no mention", set()),
    ],
)
def test_who_a_mention_means(people, index, text, who):
    expected = {getattr(people, name).pk for name in who}
    assert index.mentioned(text) == expected


def test_deleted_and_inactive_people_cannot_be_mentioned():
    from django.utils import timezone

    gone = person("김", "민지", deleted_at=timezone.now())
    asleep = person("Smith", "Emma", is_active=False)
    index = MentionIndex.of_people([gone, asleep])
    assert index.mentioned("@김민지 @Emma") == set()


def test_mentions_are_highlighted_and_the_rest_escaped(index):
    html = index.render("@김민지 <b>hi</b>\nsecond line\n\nnext paragraph @지호")
    assert html == (
        '<p><strong class="mention">@김민지</strong> &lt;b&gt;hi&lt;/b&gt;<br>second line</p>'
        "\n\n<p>next paragraph @지호</p>"
    )


def test_marker_characters_in_the_text_cannot_open_tags(index):
    html = index.render("\ue000<script>\ue001 @김민지")
    assert "<script>" not in html
    assert html.count("<strong") == html.count("</strong>") == 1


# --- reading only the members a text names (mention_index_for) -----------------


@pytest.fixture
def journey_with_people(db):
    from tests.factories import JourneyFactory, ProfileFactory, UserJourneyFactory

    journey = JourneyFactory()
    names = {
        "minji": ("김", "민지"),
        "emma": ("Smith", "Emma"),
        "emmanuel": ("Lee", "Emmanuel"),
        "jiho": ("박", "지호"),
        "jiho2": ("최", "지호"),
        "maryann": ("Lee", "Mary Ann"),
        "spaced": ("  Kim ", " Sora  "),
    }
    people = {}
    for key, (last, first) in names.items():
        people[key] = UserJourneyFactory(
            journey=journey, user__last_name=last, user__first_name=first
        ).user
    # Same name, other journey: never mentioned from this one.
    ProfileFactory(last_name="김", first_name="민지", organization=journey.organization)
    return journey, people


@pytest.mark.parametrize(
    ("text", "who"),
    [
        ("@김민지 안녕", {"minji"}),
        ("@민지야 안녕", {"minji"}),
        ("@김민지님", {"minji"}),
        ("@Emma Smith, hi", {"emma"}),
        ("@EmmaSmith hi", {"emma"}),
        ("@emma hi", {"emma"}),
        ("@Emmanuel hi", {"emmanuel"}),
        ("@지호 hi", set()),
        ("@박지호 @최지호", {"jiho", "jiho2"}),
        ("@Mary Ann Lee thanks", {"maryann"}),
        ("@MaryAnnLee thanks", {"maryann"}),
        ("@Mary Ann thanks", {"maryann"}),
        ("@Sora Kim hi", {"spaced"}),
        ("line one @\n김민지", set()),  # a name does not run across lines
        ("no mention", set()),
    ],
)
def test_reading_only_the_named_members_finds_whom_the_whole_class_would(
    journey_with_people, text, who
):
    from community.mentions import journey_members, mention_index_for

    journey, people = journey_with_people
    expected = {people[name].pk for name in who}
    assert mention_index_for(journey.pk, [text]).mentioned(text) == expected
    whole_class = MentionIndex.of_people(journey_members(journey.pk))
    assert whole_class.mentioned(text) == expected


def test_a_text_without_at_reads_nobody(journey_with_people, django_assert_num_queries):
    from community.mentions import mention_index_for

    journey, _people = journey_with_people
    with django_assert_num_queries(0):
        index = mention_index_for(journey.pk, ["hello", "no mention here", ""])
    assert index.names == {}


def test_only_the_named_members_are_read(journey_with_people, django_assert_num_queries):
    from community.mentions import mention_index_for

    journey, people = journey_with_people
    with django_assert_num_queries(1):
        index = mention_index_for(journey.pk, ["@Emma hi", "@민지야"])
    read = set().union(*index.names.values())
    assert read == {people["emma"].pk, people["minji"].pk}


def test_a_flood_of_at_signs_is_read_up_to_a_bound():
    from community.mentions import MAX_MENTIONS_READ, written_names

    names = written_names(["@a" * 10_000 + "@zz"])
    assert names == ["a"]
    assert len(written_names(["@" + "x" * 500])) == 60  # the longest name we match
    flood = " ".join(f"@n{number}" for number in range(MAX_MENTIONS_READ + 50))
    assert "n0" in written_names([flood])
    assert f"n{MAX_MENTIONS_READ + 10}" not in written_names([flood])
