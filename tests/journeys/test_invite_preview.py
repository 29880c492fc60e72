"""An invite link shared in KakaoTalk or Slack: their crawlers fetch it
anonymously to draw a preview card. They get a small public page with the
journey's name, cover and academy (Open Graph and Twitter tags too) and
nothing else; people who are logged out are still led to log in or sign up
and back to the link."""

from __future__ import annotations

import html
import re
from urllib.parse import quote

import pytest
from django.urls import reverse

from files.links import file_url
from files.models import File, FileType
from journeys.models import UserJourney
from journeys.views import PENDING_INVITE_SESSION_KEY
from tests.factories import (
    JourneyFactory,
    JourneyWeekFactory,
    MissionInstanceFactory,
    PostFactory,
    ProfileFactory,
    UserJourneyFactory,
)

pytestmark = pytest.mark.usefixtures("english")

SITE = "https://lms.example.kr"
KAKAOTALK_SCRAPER = "facebookexternalhit/1.1; kakaotalk-scrap/1.0; +https://devtalk.kakao.com/"
SLACK = "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)"
CRAWLERS = [
    KAKAOTALK_SCRAPER,
    SLACK,
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "Twitterbot/1.0",
    "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
]
# KakaoTalk's in-app browser: a person, not the crawler.
KAKAOTALK_BROWSER = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Mobile/15E148 KAKAOTALK 10.4.3"
)


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def journey(organization, student):
    journey = JourneyFactory(organization=organization, name="Spring Data Club")
    # What the preview must not tell: members, their posts, the missions.
    UserJourneyFactory(user=student, journey=journey)
    week = JourneyWeekFactory(journey=journey, name="Week of secrets")
    instance = MissionInstanceFactory(journey_week=week, mission__name="Hidden mission name")
    PostFactory(journey=journey, user=student, mission_instance=instance, title="Private essay")
    return journey


def join_url(journey) -> str:
    return reverse("journeys:join", args=[journey.invite_token])


def meta(page: str, key: str) -> str | None:
    found = re.search(rf'<meta (?:name|property)="{re.escape(key)}" content="([^"]*)"', page)
    return html.unescape(found[1]) if found else None


@pytest.mark.parametrize("agent", CRAWLERS)
def test_a_link_preview_crawler_gets_the_journeys_card(client, journey, agent):
    response = client.get(join_url(journey), headers={"user-agent": agent})

    assert response.status_code == 200
    page = response.content.decode()
    assert meta(page, "og:title") == "Join Spring Data Club"
    assert (
        meta(page, "og:description") == "Sqeeze Academy invites you to Spring Data Club on Sqeeze."
    )
    assert meta(page, "og:url") == SITE + join_url(journey)
    assert re.fullmatch(rf"{SITE}/static/icons/sqeeze-share(\.\w+)?\.png", meta(page, "og:image"))
    assert meta(page, "twitter:card") == "summary_large_image"
    assert meta(page, "twitter:title") == "Join Spring Data Club"
    assert meta(page, "robots") == "noindex, nofollow"  # a secret link stays out of search
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert 'rel="canonical"' not in page
    assert "User-Agent" in response["Vary"]


def test_the_card_shows_name_cover_and_academy_and_nothing_else(client, journey, student):
    cover = File.objects.create(
        user=ProfileFactory(organization=journey.organization),
        file_name="cover.png",
        file_path="journey-covers/2026/01/cover.png",
        file_size=10,
        mime_type="image/png",
        file_type=FileType.IMAGE,
        bucket_name="journey-covers",
    )
    journey.image_file = cover
    journey.save()

    page = client.get(join_url(journey), headers={"user-agent": SLACK}).content.decode()

    assert "Spring Data Club" in page and "Sqeeze Academy" in page
    assert meta(page, "og:image") == SITE + file_url(cover)
    assert f'src="{file_url(cover)}"' in page
    for secret in (
        student.first_name,
        student.last_name,
        student.email,
        "Week of secrets",
        "Hidden mission name",
        "Private essay",
        journey.date_start.strftime("%Y.%m.%d"),
        reverse("missions:plan", args=[journey.pk]),
    ):
        assert secret not in page, secret
    assert '<form method="post" action="' + join_url(journey) not in page  # no Join button


def test_the_card_leads_people_to_log_in_or_sign_up_through_the_link(client, journey):
    page = client.get(join_url(journey), headers={"user-agent": SLACK}).content.decode()

    assert f'href="{join_url(journey)}?to=login"' in page
    assert f'href="{join_url(journey)}?to=signup"' in page
    assert "Log in to join" in page and "Sign up to join" in page


def test_a_crawler_gets_no_session_and_enrols_nobody(client, journey):
    response = client.get(join_url(journey), headers={"user-agent": KAKAOTALK_SCRAPER})

    assert response.status_code == 200
    assert PENDING_INVITE_SESSION_KEY not in client.session
    assert "sessionid" not in response.cookies
    assert UserJourney.objects.filter(journey=journey).count() == 1  # the student only


def test_a_person_in_kakaotalks_browser_is_sent_to_log_in_as_before(client, journey):
    response = client.get(join_url(journey), headers={"user-agent": KAKAOTALK_BROWSER})

    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={quote(join_url(journey))}"
    assert client.session[PENDING_INVITE_SESSION_KEY] == journey.invite_token
    assert "User-Agent" in response["Vary"]


def test_log_in_to_join_remembers_the_link_and_comes_back(client, journey, organization, password):
    person = ProfileFactory(organization=organization, email="new@example.test")

    response = client.get(f"{join_url(journey)}?to=login", headers={"user-agent": SLACK})

    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={quote(join_url(journey))}"
    assert client.session[PENDING_INVITE_SESSION_KEY] == journey.invite_token
    response = client.post(
        response.url, {"login": person.email, "password": password, "next": join_url(journey)}
    )
    assert response.url == join_url(journey)
    assert "Join this journey" in client.get(response.url).content.decode()


def test_sign_up_to_join_goes_to_the_sign_up_page_with_the_way_back(client, journey):
    response = client.get(f"{join_url(journey)}?to=signup")

    assert response.status_code == 302
    assert response.url == f"{reverse('account_signup')}?next={quote(join_url(journey), safe='')}"
    assert client.session[PENDING_INVITE_SESSION_KEY] == journey.invite_token
    assert client.get(response.url).status_code == 200


def test_a_crawler_with_an_unknown_token_gets_the_invalid_link_page(client, db):
    response = client.get(
        reverse("journeys:join", args=["no-such-token"]), headers={"user-agent": SLACK}
    )

    assert response.status_code == 404
    assert 'property="og:' not in response.content.decode()


def test_a_signed_in_person_sees_no_open_graph_tags_on_the_join_page(client, organization):
    stranger = ProfileFactory(organization=organization)
    journey = JourneyFactory(organization=organization, name="Spring Data Club")
    client.force_login(stranger)

    response = client.get(join_url(journey), headers={"user-agent": SLACK})

    page = response.content.decode()
    assert "Join this journey" in page
    assert 'property="og:' not in page
    assert response["X-Robots-Tag"] == "noindex, nofollow"
