from django.db import connection
from django.db.backends.postgresql.base import DatabaseWrapper

from sqeeze import health
from tests.net import free_port


def test_healthz_answers_ok_when_database_and_broker_answer(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok", "status": "ok"}


def test_healthz_names_an_unreachable_broker(client, db, settings):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{free_port()}/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["database"] == "ok"
    assert body["broker"].startswith("unavailable")


def test_healthz_names_an_unreachable_database(client, db, monkeypatch):
    unreachable = DatabaseWrapper(
        {**connection.settings_dict, "HOST": "127.0.0.1", "PORT": free_port()},
        alias="unreachable",
    )
    monkeypatch.setattr(health, "database_connection", lambda: unreachable)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"].startswith("unavailable")
    assert response.json()["broker"] == "ok"


def test_healthz_answers_head_like_get_without_a_body(client, db):
    """Load balancers and uptime monitors often check with HEAD."""
    get = client.get("/healthz")
    head = client.head("/healthz")

    assert head.status_code == get.status_code == 200
    assert head["Content-Type"] == get["Content-Type"] == "application/json"
    assert head["Cache-Control"] == get["Cache-Control"]
    assert head.content == b""


def test_healthz_answers_head_with_503_when_the_broker_is_down(client, db, settings):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{free_port()}/0"

    response = client.head("/healthz")

    assert response.status_code == 503
    assert response.content == b""


def test_healthz_refuses_writes(client, db):
    assert client.post("/healthz").status_code == 405
