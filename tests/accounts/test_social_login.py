"""Google and Kakao log-in, with the providers' HTTP answers faked at the network
edge: a local HTTP server plays Google's (Kakao's) token and profile endpoints,
and allauth's own OAuth2 client talks to it through ``requests``."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
from allauth.socialaccount.models import SocialAccount
from allauth.socialaccount.providers.google.views import GoogleOAuth2Adapter
from allauth.socialaccount.providers.kakao.views import KakaoOAuth2Adapter

from accounts.models import Profile, Role
from accounts.social import split_nickname

COMPLETE_URL = "/accounts/complete/"


class FakeProvider:
    """A provider's token and profile endpoints on 127.0.0.1."""

    def __init__(self) -> None:
        self.profile: dict = {}
        self.requests: list[tuple[str, str, dict]] = []
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # keep test output quiet
                pass

            def _answer(self, body: dict, status: int = 200) -> None:
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                form = parse_qs(self.rfile.read(length).decode())
                provider.requests.append(("POST", self.path, form))
                if self.path == "/token" and form.get("code") == ["the-code"]:
                    self._answer(
                        {"access_token": "the-token", "token_type": "Bearer", "expires_in": 3600}
                    )
                else:
                    self._answer({"error": "invalid_grant"}, status=400)

            def do_GET(self) -> None:
                provider.requests.append(("GET", self.path, dict(self.headers)))
                if (
                    self.path == "/userinfo"
                    and self.headers.get("Authorization") == "Bearer the-token"
                ):
                    self._answer(provider.profile)
                else:
                    self._answer({"error": "unauthorized"}, status=401)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeProvider:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def _app(name: str) -> dict:
    return {"APPS": [{"client_id": f"{name}-client", "secret": f"{name}-secret", "key": ""}]}


@pytest.fixture
def providers_on(db, settings, monkeypatch):
    settings.LANGUAGE_CODE = "en"
    settings.SOCIALACCOUNT_PROVIDERS = {
        "google": {**_app("google"), "SCOPE": ["profile", "email"]},
        "kakao": _app("kakao"),
    }
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


@pytest.fixture
def fake_google(providers_on, monkeypatch):
    with FakeProvider() as fake:
        monkeypatch.setattr(GoogleOAuth2Adapter, "access_token_url", f"{fake.base_url}/token")
        monkeypatch.setattr(GoogleOAuth2Adapter, "identity_url", f"{fake.base_url}/userinfo")
        fake.profile = {
            "sub": "108000000000000000001",
            "email": "Seoyeon.Choi@Gmail.example",
            "email_verified": True,
            "given_name": "Seoyeon",
            "family_name": "Choi",
        }
        yield fake


@pytest.fixture
def fake_kakao(providers_on, monkeypatch):
    with FakeProvider() as fake:
        monkeypatch.setattr(KakaoOAuth2Adapter, "access_token_url", f"{fake.base_url}/token")
        monkeypatch.setattr(KakaoOAuth2Adapter, "profile_url", f"{fake.base_url}/userinfo")
        fake.profile = {
            "id": 3141592653,
            "kakao_account": {
                "email": "minji.kim@kakao.example",
                "is_email_verified": True,
                "profile": {"nickname": "김민지"},
            },
        }
        yield fake


def social_login(client, provider: str, authorize_host: str):
    """Start the log-in, check the authorize redirect, and come back with a code."""
    response = client.post(f"/accounts/{provider}/login/")
    assert response.status_code == 302
    authorize = urlparse(response["Location"])
    assert authorize.netloc == authorize_host
    query = parse_qs(authorize.query)
    assert query["client_id"] == [f"{provider}-client"]
    assert query["redirect_uri"][0].endswith(f"/accounts/{provider}/login/callback/")
    state = query["state"][0]
    return client.get(f"/accounts/{provider}/login/callback/", {"code": "the-code", "state": state})


# --- which providers are on --------------------------------------------------------


def test_login_page_shows_google_only_when_configured(client, db, settings):
    settings.LANGUAGE_CODE = "en"
    settings.SOCIALACCOUNT_PROVIDERS = {}
    page = client.get("/accounts/login/").content.decode()
    assert "/accounts/google/login/" not in page
    assert "/accounts/kakao/login/" not in page

    settings.SOCIALACCOUNT_PROVIDERS = {"google": _app("google")}
    page = client.get("/accounts/login/").content.decode()
    assert "/accounts/google/login/" in page
    assert "Google" in page
    assert "/accounts/kakao/login/" not in page


def test_provider_login_url_redirects_to_google_when_configured(client, providers_on):
    response = client.post("/accounts/google/login/")
    assert response.status_code == 302
    assert response["Location"].startswith("https://accounts.google.com/o/oauth2/v2/auth?")


def test_provider_login_url_is_not_found_when_not_configured(client, db, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {}
    assert client.post("/accounts/google/login/").status_code == 404
    assert client.get("/accounts/kakao/login/callback/?code=x&state=y").status_code == 404


# --- Google ----------------------------------------------------------------------


def test_first_google_login_creates_an_incomplete_profile_and_asks_for_the_rest(
    client, fake_google, organization
):
    response = social_login(client, "google", "accounts.google.com")
    assert response.status_code == 302

    # The token request carried the code and our client credentials.
    token_request = next(form for method, path, form in fake_google.requests if path == "/token")
    assert token_request["code"] == ["the-code"]

    profile = Profile.objects.get(email="seoyeon.choi@gmail.example")
    assert (profile.first_name, profile.last_name) == ("Seoyeon", "Choi")
    assert profile.organization is None
    assert profile.phone is None
    assert profile.privacy_agreed is False
    assert profile.role == Role.USER
    assert not profile.has_usable_password()
    assert SocialAccount.objects.get(user=profile, provider="google").uid == (
        "108000000000000000001"
    )
    assert profile.emailaddress_set.get().verified is True
    assert client.session["_auth_user_id"] == str(profile.pk)

    # Wherever it goes, it ends on the completion page first.
    landing = client.get(response["Location"])
    assert landing.status_code == 302
    assert landing["Location"].startswith(COMPLETE_URL)
    page = client.get(landing["Location"])
    assert page.status_code == 200
    assert 'value="Seoyeon"' in page.content.decode()
    other = client.get("/notifications/")
    assert other.status_code == 302
    assert other["Location"] == f"{COMPLETE_URL}?next=%2Fnotifications%2F"

    done = client.post(
        landing["Location"],
        {
            "first_name": "Seoyeon",
            "last_name": "Choi",
            "phone": "010-2345-6789",
            "organization": str(organization.pk),
            "privacy_agreed": "on",
            "next": "/home/",
        },
    )
    assert done.status_code == 302
    assert done["Location"] == "/home/"
    profile.refresh_from_db()
    assert profile.organization == organization
    assert profile.phone == "010-2345-6789"
    assert profile.privacy_agreed is True
    assert client.get("/home/").status_code == 200


def test_a_second_google_login_of_a_completed_profile_goes_straight_in(
    client, fake_google, organization
):
    social_login(client, "google", "accounts.google.com")
    Profile.objects.filter(email="seoyeon.choi@gmail.example").update(
        organization=organization, phone="010-2345-6789", privacy_agreed=True
    )
    client.post("/accounts/logout/")

    response = social_login(client, "google", "accounts.google.com")
    assert response.status_code == 302
    assert response["Location"] == "/home/"
    assert client.get("/home/").status_code == 200
    assert Profile.objects.filter(email__iexact="seoyeon.choi@gmail.example").count() == 1


def test_a_refused_code_logs_nobody_in(client, fake_google):
    response = client.post("/accounts/google/login/")
    state = parse_qs(urlparse(response["Location"]).query)["state"][0]
    response = client.get(
        "/accounts/google/login/callback/", {"code": "a-forged-code", "state": state}
    )
    assert "_auth_user_id" not in client.session
    assert not Profile.objects.filter(email="seoyeon.choi@gmail.example").exists()


def test_a_callback_with_a_foreign_state_logs_nobody_in(client, fake_google):
    client.post("/accounts/google/login/")
    client.get("/accounts/google/login/callback/", {"code": "the-code", "state": "forged"})
    assert "_auth_user_id" not in client.session
    assert not any(path == "/token" for _, path, _ in fake_google.requests)


# --- Kakao -------------------------------------------------------------------------


def test_first_kakao_login_fills_names_from_the_nickname(client, fake_kakao, organization):
    response = social_login(client, "kakao", "kauth.kakao.com")
    assert response.status_code == 302

    profile = Profile.objects.get(email="minji.kim@kakao.example")
    assert (profile.last_name, profile.first_name) == ("김", "민지")
    assert profile.organization is None
    assert SocialAccount.objects.get(user=profile).provider == "kakao"

    landing = client.get(response["Location"])
    assert landing["Location"].startswith(COMPLETE_URL)
    done = client.post(
        COMPLETE_URL,
        {
            "first_name": "민지",
            "last_name": "김",
            "phone": "010-1111-2222",
            "organization": str(organization.pk),
            "privacy_agreed": "on",
        },
    )
    assert done["Location"] == "/home/"
    assert client.get("/home/").status_code == 200


def test_kakao_without_an_email_asks_for_one(client, fake_kakao):
    fake_kakao.profile = {"id": 271828, "kakao_account": {"profile": {"nickname": "somi"}}}
    response = social_login(client, "kakao", "kauth.kakao.com")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/3rdparty/signup/"
    assert client.get(response["Location"]).status_code == 200
    assert not Profile.objects.exists()

    response = client.post(response["Location"], {"email": "Somi@Example.test"})
    assert response.status_code == 302
    profile = Profile.objects.get()
    assert profile.email == "somi@example.test"
    assert profile.first_name == "somi"
    assert profile.organization is None
    assert SocialAccount.objects.get(user=profile).uid == "271828"


@pytest.mark.parametrize(
    ("nickname", "expected"),
    [
        ("김민지", ("민지", "김")),
        ("이솔", ("솔", "이")),
        ("Emma", ("Emma", "")),
        ("남궁 민수", ("남궁 민수", "")),
    ],
)
def test_split_nickname(nickname, expected):
    assert split_nickname(nickname) == expected
