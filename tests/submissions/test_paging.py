"""The matrix of a big class, a page of students at a time: one page rendered
whatever the class size, pages by key on the students' sort key (last name,
first name, id; not OFFSET), "More students" as a link without JavaScript and
in place with htmx, and refusals for a cursor we did not write."""

from __future__ import annotations

import base64
import json
import re
import uuid
from types import SimpleNamespace

import pytest
from django.urls import reverse

from accounts.selectors import public_name
from community.models import AchievementStatus, Post
from submissions.selectors import MATRIX_PAGE_SIZE
from tests.factories import JourneyFactory, JourneyWeekFactory, MissionInstanceFactory
from tests.submissions.conftest import enrol_students, sort_key

pytestmark = pytest.mark.usefixtures("english")

HTMX = {"HX-Request": "true"}


def make_class(organization, students: int, *, names=None) -> SimpleNamespace:
    """A journey of ``students`` students, two weeks, three open missions, and
    a post from two students in three for each."""
    journey = JourneyFactory(organization=organization)
    weeks = [JourneyWeekFactory(journey=journey, week_number=n) for n in (1, 2)]
    instances = [MissionInstanceFactory(journey_week=weeks[n // 2]) for n in range(3)]
    people = enrol_students(journey, students, names=names)
    statuses = list(AchievementStatus)
    Post.objects.bulk_create(
        Post(
            mission_instance=instance,
            journey=journey,
            user=person,
            title="Work",
            achievement_status=statuses[index % 3],
            score=7,
        )
        for n, instance in enumerate(instances)
        for index, person in enumerate(people)
        if (index + n) % 3
    )
    return SimpleNamespace(
        journey=journey,
        weeks=weeks,
        instances=instances,
        students=sorted(people, key=sort_key),
        url=reverse("submissions:index", args=[journey.pk]),
    )


@pytest.fixture
def big(organization):
    return make_class(organization, 300)


def get(client, viewer, url, headers=None, **params):
    client.force_login(viewer)
    return client.get(url, params, headers=headers or {})


def row_ids(response) -> list[uuid.UUID]:
    page = response.context["page"]
    if not page.is_first:
        return [row.profile.pk for row in page.rows]
    return [uuid.UUID(pk) for pk in page.row_ids]  # the first page comes drawn


def cursor_of(response) -> str:
    return response.context["page"].next_cursor


# --- one page, whatever the class ---------------------------------------------------


def test_a_big_class_shows_its_first_page_of_students_by_name(client, teacher, big):
    response = get(client, teacher, big.url)
    assert response.status_code == 200
    assert row_ids(response) == [p.pk for p in big.students[:MATRIX_PAGE_SIZE]]
    html = response.content.decode()
    assert html.count('<tr><th scope="row" class="matrix__student">') == MATRIX_PAGE_SIZE
    # The totals and the chart are the whole class's, not the page's.
    overview = response.context["overview"]
    assert overview.student_count == 300
    assert [t.students for t in overview.totals] == [300, 300, 300]
    assert (
        "300 students, by name. 30 at a time; the “Submitted” row counts the whole class."
        in " ".join(html.split())
    )


def test_the_page_weighs_the_same_for_40_or_300_students(client, organization, teacher):
    sizes = {}
    for count in (40, 300):
        klass = make_class(organization, count)
        sizes[count] = len(get(client, teacher, klass.url).content)
    # Both render one page of students: only a few digits of the totals differ.
    assert abs(sizes[300] - sizes[40]) < 1500, sizes
    assert sizes[300] < 200_000


def test_page_two_continues_where_page_one_ended(client, teacher, big):
    first = get(client, teacher, big.url)
    second = get(client, teacher, big.url, after=cursor_of(first))
    assert second.status_code == 200
    page_size = MATRIX_PAGE_SIZE
    assert row_ids(second) == [p.pk for p in big.students[page_size : 2 * page_size]]
    assert "Back to the first students" in second.content.decode()
    assert "Back to the first students" not in first.content.decode()


def test_every_page_in_turn_lists_each_student_once_in_order(client, organization, teacher):
    # Many share a name (the id breaks the tie); some have none (sorted as "").
    names = [("Ana", "Lee"), ("Bo", "Lee"), ("Ana", "Kim"), (None, None), ("", "Lee")]
    klass = make_class(organization, 95, names=[names[i % 5] for i in range(95)])
    seen, after, pages = [], None, 0
    while True:
        response = get(client, teacher, klass.url, **({"after": after} if after else {}))
        seen += row_ids(response)
        pages += 1
        after = cursor_of(response)
        if not after:
            break
    assert pages == 4  # 30 + 30 + 30 + 5
    assert seen == [p.pk for p in klass.students]


def test_without_javascript_more_students_is_a_link_to_the_next_page(client, teacher, big):
    response = get(client, teacher, big.url, week=str(big.weeks[0].pk))
    html = response.content.decode()
    cursor = cursor_of(response)
    # The week filter is kept, the page jumps to the matrix.
    link = f'href="?week={big.weeks[0].pk}&amp;after={cursor}#matrix"'
    assert link in html
    assert f'hx-get="?week={big.weeks[0].pk}&amp;after={cursor}"' in html
    assert ">More students</a>" in html


def test_with_htmx_more_students_answers_the_next_rows_only(client, teacher, big):
    first = get(client, teacher, big.url)
    response = get(client, teacher, big.url, headers=HTMX, after=cursor_of(first))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html and "matrix-legend" not in html
    assert html.strip().startswith("<tr><th")
    assert html.count('<tr><th scope="row" class="matrix__student">') == MATRIX_PAGE_SIZE
    assert 'class="matrix__more"' in html  # and the next "More"
    assert 'aria-label="Achieved · 7 PT"' in html  # labels without the page around
    names = re.findall(r'<span class="matrix__student-name">([^<]+)</span>', html)
    expected = big.students[MATRIX_PAGE_SIZE : 2 * MATRIX_PAGE_SIZE]
    assert names == [public_name(p) for p in expected]
    assert response["Vary"].count("HX-Request") == 1


def test_the_last_page_has_no_more_link(client, organization, teacher):
    klass = make_class(organization, MATRIX_PAGE_SIZE + 3)
    first = get(client, teacher, klass.url)
    last = get(client, teacher, klass.url, headers=HTMX, after=cursor_of(first)).content.decode()
    assert last.count('<tr><th scope="row" class="matrix__student">') == 3
    assert "matrix__more" not in last


def test_a_cursor_past_the_last_student_says_there_are_no_more(client, teacher, big):
    cursor = _cursor(["zzzz", "zzzz", str(uuid.UUID(int=2**128 - 1))])
    response = get(client, teacher, big.url, after=cursor)
    assert response.status_code == 200
    assert "No more students." in response.content.decode()


# --- refusals ---------------------------------------------------------------------------


def _cursor(value) -> str:
    raw = value if isinstance(value, bytes) else json.dumps(value).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "nope!",
        "~~~",
        _cursor(b"not json"),
        _cursor({"a": 1}),
        _cursor(["Lee", "Ana"]),
        _cursor(["Lee", "Ana", "not-a-uuid"]),
        _cursor(["Lee", 3, str(uuid.uuid4())]),
        _cursor(["Lee\x00", "Ana", str(uuid.uuid4())]),
        _cursor(["x" * 4000, "Ana", str(uuid.uuid4())]),
    ],
)
@pytest.mark.parametrize("htmx", [False, True])
def test_a_cursor_we_did_not_write_is_a_bad_request(client, teacher, big, cursor, htmx):
    response = get(client, teacher, big.url, headers=HTMX if htmx else None, after=cursor)
    assert response.status_code == 400


def test_another_academys_journey_is_404_cursor_or_not(
    client, teacher, outsider, big, other_organization
):
    cursor = cursor_of(get(client, teacher, big.url))
    for params in ({}, {"after": cursor}):
        assert get(client, outsider, big.url, **params).status_code == 404
        assert get(client, outsider, big.url, headers=HTMX, **params).status_code == 404
    theirs = make_class(other_organization, 3)
    assert get(client, teacher, theirs.url, after=cursor).status_code == 404


def test_students_cannot_page_the_matrix(client, big):
    someone = big.students[0]
    assert get(client, someone, big.url, headers=HTMX, after="x").status_code == 404
