"""Cursors over any sort key (``core.keyset.key_encode`` / ``key_decode``): a
name with any character travels intact, and anything we did not write is a
``BadCursor`` (the page answers 400), never a database error."""

from __future__ import annotations

import base64
import uuid

import pytest

from core.keyset import BadCursor, key_decode, key_encode

TYPES = (int, str, str, uuid.UUID)


def test_a_key_with_any_characters_comes_back_as_it_was():
    key = [1, "김~민지 O'Brien \"/?&#", "", uuid.uuid4()]
    assert key_decode(key_encode(key), types=TYPES) == key


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "not base64 at all!",
        key_encode([1, "Kim", "Minji"]),  # one part short
        key_encode(["1", "Kim", "Minji", str(uuid.uuid4())]),  # a string where a number goes
        key_encode([1, "Kim", "Minji", "not-a-uuid"]),
        base64.urlsafe_b64encode(b'{"role": 1}').decode(),  # not a list
    ],
)
def test_a_cursor_we_did_not_write_is_refused(raw):
    with pytest.raises(BadCursor):
        key_decode(raw, types=TYPES)
