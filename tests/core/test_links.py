"""core.links.AddressOf writes the same address reverse() does, for any row."""

from __future__ import annotations

import uuid

from django.urls import reverse

from core.links import AddressOf


def test_each_row_gets_the_address_reverse_gives():
    journey = uuid.uuid4()
    post_url = AddressOf("community:post_detail", journey)
    for post in (uuid.uuid4(), uuid.uuid4(), uuid.UUID(int=0)):
        assert post_url(post) == reverse("community:post_detail", args=[journey, post])
        assert post_url(str(post)) == reverse("community:post_detail", args=[journey, post])


def test_an_address_with_only_the_row_id():
    grade_url = AddressOf("grading:grade")
    post = uuid.uuid4()
    assert grade_url(post) == reverse("grading:grade", args=[post])
