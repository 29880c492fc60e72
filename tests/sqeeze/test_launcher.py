import socket

import pytest

from sqeeze import launcher


@pytest.fixture
def lock_file(tmp_path, monkeypatch):
    path = tmp_path / "run.lock"
    monkeypatch.setattr(launcher, "LOCK_FILE", path)
    return path


def test_a_second_copy_is_refused_with_a_clear_message(lock_file):
    first = launcher.acquire_lock()
    try:
        with pytest.raises(launcher.LaunchError, match="already running from this checkout"):
            launcher.acquire_lock()
    finally:
        first.close()
    launcher.acquire_lock().close()  # released when the first copy ends


def test_a_busy_port_is_refused_with_a_hint():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(launcher.LaunchError, match=f"PORT={port + 1} make run"):
            launcher.ensure_port_free("127.0.0.1", port)


@pytest.mark.parametrize("value", ["abc", "0", "70000", "-1"])
def test_a_bad_port_is_refused(monkeypatch, value):
    monkeypatch.setenv("PORT", value)
    with pytest.raises(launcher.LaunchError, match="PORT must be a number"):
        launcher.read_port()


def test_the_port_defaults_to_8000(monkeypatch):
    monkeypatch.delenv("PORT", raising=False)
    assert launcher.read_port() == 8000


def test_development_push_keys_are_made_once_and_reused(tmp_path, monkeypatch):
    monkeypatch.setattr(launcher, "VAPID_FILE", tmp_path / "vapid.env")
    first = launcher.Launcher(port=8000, host="127.0.0.1", env={"DEBUG": "true"})
    first.ensure_vapid_keys()
    assert len(first.env["VAPID_PUBLIC_KEY"]) == 87  # 65 bytes, base64url
    assert len(first.env["VAPID_PRIVATE_KEY"]) == 43  # 32 bytes, base64url
    again = launcher.Launcher(port=8000, host="127.0.0.1", env={"DEBUG": "true"})
    again.ensure_vapid_keys()
    assert again.env["VAPID_PRIVATE_KEY"] == first.env["VAPID_PRIVATE_KEY"]


def test_configured_push_keys_win(tmp_path, monkeypatch):
    monkeypatch.setattr(launcher, "VAPID_FILE", tmp_path / "vapid.env")
    configured = {"VAPID_PUBLIC_KEY": "public", "VAPID_PRIVATE_KEY": "private"}
    run = launcher.Launcher(port=8000, host="127.0.0.1", env=dict(configured))
    run.ensure_vapid_keys()
    assert run.env == configured
    assert not (tmp_path / "vapid.env").exists()
