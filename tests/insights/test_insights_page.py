"""The class insights page (/journeys/<id>/insights/): a worker counts the
words of the class's answers (whole journey, one mission, one question) while
the page shows its progress; the result is kept until the class's posts
change; a chart, a table and CSV; teachers of the journey only."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from community.answers import AnswerInput
from community.services import post_update
from insights import counting
from tests.community.builders import classroom_fixture, make_post  # noqa: F401 (fixture)
from tests.factories import JourneyFactory, JourneyWeekFactory, MissionInstanceFactory

pytestmark = pytest.mark.usefixtures("english")


def url(journey, **query) -> str:
    base = reverse("insights:index", args=[journey.pk])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def student_answers_again(classroom, quiz, first: str, second: str) -> None:
    """The student edits their post of the quiz: new answers to both questions."""
    instance, essay, other = quiz
    post_update(
        post=instance.posts.get(user=classroom.student),
        editor=classroom.student,
        title="Fruit",
        questions=[essay, other],
        answers={essay.pk: AnswerInput(text=first), other.pk: AnswerInput(text=second)},
    )


def page(client, address, **extra) -> str:
    response = client.get(address, **extra)
    assert response.status_code == 200
    return response.content.decode()


def test_the_first_visit_starts_one_count_and_shows_its_progress(
    client, classroom, quiz, django_capture_on_commit_callbacks
):
    client.force_login(classroom.teacher)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = page(client, url(classroom.journey, min=1))
        page(client, url(classroom.journey, min=1))  # a second look starts nothing more
    assert len(callbacks) == 1
    assert "Counting the words of the class" in first and 'hx-trigger="load delay:1s"' in first


def test_the_count_runs_and_the_page_shows_the_words_by_their_base_form(
    client, classroom, quiz, eager_celery, django_capture_on_commit_callbacks
):
    client.force_login(classroom.teacher)
    with django_capture_on_commit_callbacks(execute=True):
        page(client, url(classroom.journey, min=1))
    done = page(client, url(classroom.journey, min=1))
    assert "<svg" in done and "Words of 4 answers" in done
    rows = dict(counting.read(counting.cache_key(classroom.journey, counting.Scope()))["words"])
    assert rows["사과"] == 3 and rows["먹다"] == 3 and rows["좋다"] == 2


def test_one_question_counts_only_its_answers_and_csv_downloads_them(
    client, classroom, quiz, eager_celery, django_capture_on_commit_callbacks
):
    instance, essay, _other = quiz
    client.force_login(classroom.teacher)
    address = url(classroom.journey, mission=instance.pk, question=essay.pk, min=2)
    with django_capture_on_commit_callbacks(execute=True):
        page(client, address)
    response = client.get(address + "&format=csv")
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "Word,Count"
    assert set(lines[1:]) == {"사과,3", "먹다,2"}  # "좋다" (once here) is under the minimum


def test_posts_of_missions_without_questions_count_their_whole_text(
    client, classroom, eager_celery, django_capture_on_commit_callbacks
):
    make_post(classroom, content="회의록을 요약했어요. 회의록이 짧아졌다.")
    client.force_login(classroom.teacher)
    with django_capture_on_commit_callbacks(execute=True):
        page(client, url(classroom.journey, min=1))
    words = dict(counting.read(counting.cache_key(classroom.journey, counting.Scope()))["words"])
    assert words["회의록"] == 2


def test_an_edited_answer_is_counted_again(
    client, classroom, quiz, eager_celery, django_capture_on_commit_callbacks
):
    key_before = counting.cache_key(classroom.journey, counting.Scope())
    client.force_login(classroom.teacher)
    with django_capture_on_commit_callbacks(execute=True):
        page(client, url(classroom.journey))
    student_answers_again(classroom, quiz, "귤을 먹었다.", "시다.")
    assert counting.cache_key(classroom.journey, counting.Scope()) != key_before


def test_empty_emoji_and_english_answers_count_without_failing(
    client, classroom, eager_celery, django_capture_on_commit_callbacks
):
    authors = (classroom.student, classroom.classmate, classroom.stranger)
    for author, content in zip(
        authors, ("🍎🍎🍎", "Apples and pears, apples!", "   "), strict=True
    ):
        make_post(classroom, content=content, author=author)
    client.force_login(classroom.teacher)
    with django_capture_on_commit_callbacks(execute=True):
        page(client, url(classroom.journey, min=1))
    words = dict(counting.read(counting.cache_key(classroom.journey, counting.Scope()))["words"])
    assert words == {"apples": 2, "pears": 1}


def test_students_other_academies_and_foreign_ids_get_404(
    client, classroom, quiz, other_organization
):
    instance, essay, _other = quiz
    client.force_login(classroom.student)
    assert client.get(url(classroom.journey)).status_code == 404
    client.force_login(classroom.teacher)
    foreign = MissionInstanceFactory(journey_week__journey__organization=other_organization)
    assert client.get(url(classroom.journey, mission=foreign.pk)).status_code == 404
    assert client.get(url(classroom.journey, mission="not-a-uuid")).status_code == 404
    assert (
        client.get(url(classroom.journey, mission=instance.pk, question=uuid.uuid4())).status_code
        == 404
    )
    other_journey_url = reverse("insights:index", args=[foreign.journey_id])
    assert client.get(other_journey_url).status_code == 404
    assert client.get(url(classroom.journey, min="lots")).status_code == 200  # the default
    assert essay.pk  # the quiz is there: the 404s are about the ids, not a missing class


def test_two_journeys_side_by_side(
    client, classroom, quiz, eager_celery, django_capture_on_commit_callbacks
):
    other = classroom.other_journey
    other_instance = MissionInstanceFactory(
        journey_week__journey=other, mission__organization=other.organization
    )
    make_post(
        classroom, author=classroom.stranger, mission_instance=other_instance, content="배가 좋다."
    )
    client.force_login(classroom.teacher)
    address = url(classroom.journey, compare=other.pk, min=1)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        page(client, address)
    assert len(callbacks) == 2  # one count for each journey
    html = page(client, address)
    assert "Compared with Other class" in html
    # 사과: 3 here, 0 there; 좋다: 2 here, 1 there.
    assert "<td>사과</td><td>3</td><td>0</td>" in html
    assert "<td>좋다</td><td>2</td><td>1</td>" in html


def test_comparing_with_another_academys_journey_is_404(client, classroom, other_organization):
    foreign = JourneyFactory(organization=other_organization)
    client.force_login(classroom.teacher)
    assert client.get(url(classroom.journey, compare=foreign.pk)).status_code == 404
    assert client.get(url(classroom.journey, compare=classroom.journey.pk)).status_code == 404


def test_one_week_counts_the_answers_of_its_missions_only(
    client, classroom, quiz, eager_celery, django_capture_on_commit_callbacks
):
    later = JourneyWeekFactory(journey=classroom.journey, name="Week of pears")
    pears = MissionInstanceFactory(
        journey_week=later, mission__organization=classroom.journey.organization
    )
    make_post(classroom, mission_instance=pears, content="배를 깎았다. 배가 크다.")
    client.force_login(classroom.teacher)
    address = url(classroom.journey, week=later.pk, min=1)
    with django_capture_on_commit_callbacks(execute=True):
        first = page(client, address)
    assert "Week of pears" in first
    words = dict(
        counting.read(counting.cache_key(classroom.journey, counting.Scope(week_id=later.pk)))[
            "words"
        ]
    )
    assert words["배"] == 2 and "사과" not in words  # the quiz is in the first week
    html = page(client, address)
    assert f"week={later.pk}&amp;" in html  # the CSV link keeps the week
    foreign_week = JourneyWeekFactory(journey=classroom.other_journey)
    assert client.get(url(classroom.journey, week=foreign_week.pk)).status_code == 404


def test_counting_again_analyses_only_the_texts_no_count_has_seen(classroom, quiz, monkeypatch):
    analysed: list[list[str]] = []
    analyse = counting.words_of_many

    def recording(texts):
        analysed.append(list(texts))
        return analyse(texts)

    monkeypatch.setattr(counting, "words_of_many", recording)
    counting.count(classroom.journey, counting.Scope(), "first")
    assert sorted(text for batch in analysed for text in batch) == sorted(
        [
            "사과를 먹었어요. 사과가 좋아요.",
            "맛있어서 먹었다.",
            "사과와 배를 먹었다.",
            "달아서 좋다.",
        ]
    )
    analysed.clear()
    student_answers_again(classroom, quiz, "귤을 먹었다.", "맛있어서 먹었다.")
    words = dict(counting.count(classroom.journey, counting.Scope(), "second")["words"])
    assert analysed == [["귤을 먹었다."]]  # the three others were kept from the first count
    assert (words["귤"], words["사과"], words["먹다"]) == (1, 1, 3)
