"""core.fragments: a row is drawn once per process for each key, language and
time zone; a key that misses what the row shows is caught when verifying
(on in tests); the table stays bounded."""

from __future__ import annotations

import pytest
from django.utils import timezone, translation

from core import fragments
from core.fragments import drawn


@pytest.fixture(autouse=True)
def empty_table():
    fragments.forget_all()
    yield
    fragments.forget_all()


class Drawing:
    def __init__(self, html: str = "<p>row</p>"):
        self.html, self.calls = html, 0

    def __call__(self) -> str:
        self.calls += 1
        return self.html


def test_a_row_is_drawn_once_for_its_key(settings):
    settings.VERIFY_FRAGMENTS = False
    draw = Drawing()

    assert drawn("card", ("post", 1), draw) == "<p>row</p>"
    assert drawn("card", ("post", 1), draw) == "<p>row</p>"
    assert draw.calls == 1
    drawn("card", ("post", 2), draw)  # another row
    drawn("other", ("post", 1), draw)  # another fragment
    assert draw.calls == 3


def test_each_language_and_time_zone_draws_its_own(settings):
    settings.VERIFY_FRAGMENTS = False
    draw = Drawing()
    with translation.override("ko"), timezone.override("Asia/Seoul"):
        drawn("card", 1, draw)
    with translation.override("en"), timezone.override("Asia/Seoul"):
        drawn("card", 1, draw)
    with translation.override("en"), timezone.override("Europe/Paris"):
        drawn("card", 1, draw)
    with translation.override("ko"), timezone.override("Asia/Seoul"):
        drawn("card", 1, draw)
    assert draw.calls == 3


def test_verifying_catches_a_key_that_misses_what_the_row_shows():
    drawn("card", 1, Drawing("<p>3 likes</p>"))

    with pytest.raises(AssertionError, match="the key must hold everything"):
        drawn("card", 1, Drawing("<p>4 likes</p>"))


def test_the_table_forgets_the_least_recently_used_rows(settings, monkeypatch):
    settings.VERIFY_FRAGMENTS = False
    monkeypatch.setattr(fragments, "_table", fragments.LruTable(2))
    draw = Drawing()
    drawn("card", 1, draw)
    drawn("card", 2, draw)
    drawn("card", 1, draw)  # used again: 2 is now the oldest
    drawn("card", 3, draw)  # 2 goes
    assert draw.calls == 3

    drawn("card", 1, draw)
    assert draw.calls == 3
    drawn("card", 2, draw)
    assert draw.calls == 4


def test_the_tag_makes_one_key_of_several_parts(settings):
    import uuid
    from types import SimpleNamespace

    from django.template import Context, Template

    settings.VERIFY_FRAGMENTS = False
    tabs = Template(
        "{% load fragments %}"
        '{% drawn "journeys/_journey_base.html#journey-tabs" journey.pk manages active_tab %}'
    )
    journey = SimpleNamespace(pk=uuid.uuid4())

    def draw(manages: bool, active_tab: str) -> str:
        context = {"journey": journey, "manages": manages, "active_tab": active_tab}
        return tabs.render(Context(context))

    teacher_feed = draw(True, "feed")
    student_plan = draw(False, "plan")
    assert "/members/" in teacher_feed and "/members/" not in student_plan
    assert 'feed/" aria-current="page"' in teacher_feed
    assert 'plan/" aria-current="page"' in student_plan
    assert draw(True, "feed") == teacher_feed
