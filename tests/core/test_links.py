"""core.links: AddressOf writes the same address reverse() does, for any row;
remembered_reverse and the templates' {% url %} give what reverse() gives,
whatever was reversed before."""

from __future__ import annotations

import uuid
from types import ModuleType

import pytest
from django.template import engines
from django.test import RequestFactory
from django.urls import NoReverseMatch, URLResolver, get_resolver, path, reverse
from django.urls.resolvers import LocalePrefixPattern
from django.utils.functional import Promise

from core import links
from core.links import AddressOf, remembered_reverse


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


# --- remembered_reverse and {% url %} ---------------------------------------------------


def test_remembered_addresses_are_reverses_own():
    journey, post = uuid.uuid4(), uuid.uuid4()
    expected = reverse("community:post_detail", args=[journey, post])
    assert remembered_reverse("community:post_detail", [journey, post]) == expected
    assert remembered_reverse("community:post_detail", [journey, post]) == expected  # remembered
    assert remembered_reverse("community:post_detail", [str(journey), str(post)]) == expected
    other = uuid.uuid4()
    assert remembered_reverse("community:post_detail", [journey, other]) == reverse(
        "community:post_detail", args=[journey, other]
    )
    assert remembered_reverse("community:feed", kwargs={"journey_id": journey}) == reverse(
        "community:feed", kwargs={"journey_id": journey}
    )


def test_equal_values_with_other_texts_get_their_own_addresses():
    # 1 == True and they hash alike: a bool is reversed each time, never from memory.
    urlconf = ModuleType("numbered_urls")
    urlconf.urlpatterns = [path("n/<str:value>/", lambda request, value: None, name="numbered")]
    assert remembered_reverse("numbered", [1], urlconf=urlconf) == "/n/1/"
    assert remembered_reverse("numbered", [True], urlconf=urlconf) == "/n/True/"
    assert remembered_reverse("numbered", ["1"], urlconf=urlconf) == "/n/1/"


def test_arguments_whose_text_is_not_their_value_are_not_remembered():
    class Named:
        def __init__(self, name):
            self.name = name

        def __str__(self):
            return self.name

    urlconf = ModuleType("named_urls")
    urlconf.urlpatterns = [path("n/<str:value>/", lambda request, value: None, name="named")]
    thing = Named("first")
    assert remembered_reverse("named", [thing], urlconf=urlconf) == "/n/first/"
    thing.name = "second"  # its text changed: the address follows
    assert remembered_reverse("named", [thing], urlconf=urlconf) == "/n/second/"


def test_a_failed_reverse_is_raised_each_time_and_never_remembered():
    for _attempt in range(2):
        with pytest.raises(NoReverseMatch):
            remembered_reverse("community:post_detail", ["not-a-uuid", uuid.uuid4()])
    with pytest.raises(NoReverseMatch):
        remembered_reverse("no-such-view")


def test_another_urlconf_is_another_address(settings):
    first = ModuleType("first_urls")
    first.urlpatterns = [path("first/", lambda request: None, name="page")]
    second = ModuleType("second_urls")
    second.urlpatterns = [path("second/", lambda request: None, name="page")]
    settings.ROOT_URLCONF = first
    assert remembered_reverse("page") == "/first/"
    settings.ROOT_URLCONF = second  # Django forgets its resolvers; we forget the addresses
    assert remembered_reverse("page") == "/second/"
    assert remembered_reverse("page", urlconf=first) == "/first/"


def test_the_memory_is_bounded():
    assert links._reverse_by_key.cache_info().maxsize == links.REMEMBERED_ADDRESSES


def _routes(patterns):
    """Every pattern and resolver of ``patterns``, included ones too."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _routes(entry.url_patterns)
        yield entry


def test_no_route_depends_on_the_language():
    """The addresses are remembered without the language: a translated route
    (gettext_lazy in path(), i18n_patterns) would be given in the language of
    whoever reversed it first. Add get_language() to the key before translating one."""
    translated = [
        entry
        for entry in _routes(get_resolver().url_patterns)
        if isinstance(entry.pattern, LocalePrefixPattern)
        or isinstance(getattr(entry.pattern, "_route", None), Promise)
        or isinstance(getattr(entry.pattern, "_regex", None), Promise)
    ]
    assert translated == []


def _render(source: str, request=None, **context) -> str:
    return engines["django"].from_string(source).render(context, request)


def test_the_url_tag_is_djangos_syntax_with_djangos_addresses():
    journey, post = uuid.uuid4(), uuid.uuid4()
    expected = reverse("community:post_detail", args=[journey, post])
    source = '{% url "community:post_detail" journey post %}'
    assert _render(source, journey=journey, post=post) == expected
    assert _render(source, journey=journey, post=post) == expected
    kept = '{% url "community:post_detail" journey post as address %}[{{ address }}]'
    assert _render(kept, journey=journey, post=post) == f"[{expected}]"
    by_name = '{% url "community:feed" journey_id=journey %}'
    assert _render(by_name, journey=journey) == reverse("community:feed", args=[journey])


def test_the_url_tag_still_fails_loudly_unless_kept_in_a_variable():
    with pytest.raises(NoReverseMatch):
        _render('{% url "no-such-view" %}')
    assert _render('{% url "no-such-view" as address %}[{{ address }}]') == "[]"


def test_the_url_tag_escapes_an_address_as_djangos_does():
    urlconf = ModuleType("quoted_urls")
    urlconf.urlpatterns = [path("q/<str:word>/", lambda request, word: None, name="quoted")]
    request = RequestFactory().get("/")
    request.urlconf = urlconf  # a request's own URLconf is honoured
    assert _render('{% url "quoted" word %}', request, word="a&b") == "/q/a&amp;b/"
    unescaped = '{% autoescape off %}{% url "quoted" word %}{% endautoescape %}'
    assert _render(unescaped, request, word="a&b") == "/q/a&b/"
