"""core.staticfiles: the production storage gives the manifest's addresses,
works each out once, and keeps nothing it should not."""

from __future__ import annotations

import json

import pytest

from core import staticfiles
from core.staticfiles import RememberedManifestStorage


@pytest.fixture
def storage(tmp_path, settings):
    settings.DEBUG = False
    manifest = {"version": "1.1", "hash": "0", "paths": {"css/site.css": "css/site.abc123.css"}}
    (tmp_path / "staticfiles.json").write_text(json.dumps(manifest))
    return RememberedManifestStorage(location=tmp_path, base_url="/static/")


def test_the_manifests_address_worked_out_once(storage, monkeypatch):
    lookups = []
    stored_name = storage.stored_name

    def counted(name):
        lookups.append(name)
        return stored_name(name)

    monkeypatch.setattr(storage, "stored_name", counted)
    assert storage.url("css/site.css") == "/static/css/site.abc123.css"
    assert storage.url("css/site.css") == "/static/css/site.abc123.css"
    assert lookups == ["css/site.css"]


def test_a_name_the_manifest_lacks_fails_each_time_and_is_not_kept(storage):
    for _attempt in range(2):
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            storage.url("css/missing.css")
    assert ("css/missing.css", False) not in storage._addresses


def test_debug_is_part_of_the_answer(storage, settings):
    assert storage.url("css/site.css") == "/static/css/site.abc123.css"
    settings.DEBUG = True  # Django's storage gives the plain name then
    assert storage.url("css/site.css") == "/static/css/site.css"
    settings.DEBUG = False
    assert storage.url("css/site.css") == "/static/css/site.abc123.css"


def test_forced_addresses_are_djangos_own(storage, settings):
    settings.DEBUG = True
    assert storage.url("css/site.css", force=True) == "/static/css/site.abc123.css"
    assert storage._addresses == {}


def test_names_built_from_input_cannot_grow_the_memory(storage, monkeypatch):
    monkeypatch.setattr(staticfiles, "REMEMBERED_NAMES", 3)
    for number in range(10):
        assert storage.url(f"css/site.css?v={number}").startswith("/static/css/site.abc123.css")
    assert len(storage._addresses) == 3
