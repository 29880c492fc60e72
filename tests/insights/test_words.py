"""The words the class insights count (insights/words.py): Korean by its base
forms, English in lower case, nothing of particles, endings, emoji or stop
words; empty, emoji-only and English-only answers included."""

from __future__ import annotations

import pytest

from insights.words import word_counts, words_of


def test_korean_nouns_verbs_and_adjectives_by_their_dictionary_form():
    words = words_of("학생들이 어제 도서관에서 책을 읽었어요. 날씨가 추워서 깨끗한 방에 있었다.")
    assert words == ["학생", "도서관", "책", "읽다", "날씨", "춥다", "깨끗하다", "방"]


def test_the_same_verb_in_different_endings_counts_as_one_word():
    counts = dict(word_counts(["사과를 먹었다.", "사과를 먹어요.", "사과를 먹고 싶어요."]))
    assert counts["사과"] == 3 and counts["먹다"] == 3


@pytest.mark.parametrize("text", ["", "   ", "🍎🍎 😀", "123 456", "!!! ...", None])
def test_answers_with_nothing_to_count_give_no_word(text):
    assert words_of(text) == []


def test_english_only_answers_count_their_words_in_lower_case_without_stop_words():
    assert words_of("The Apple is red and I like the apple") == ["apple", "red", "like", "apple"]


def test_stop_words_are_left_out():
    assert words_of("그것은 할 수 있는 것이다") == []


def test_counts_are_sorted_and_a_minimum_leaves_rare_words_out():
    texts = ["사과 사과 배", "사과 배 귤"]
    assert word_counts(texts) == [("사과", 3), ("배", 2), ("귤", 1)]
    assert word_counts(texts, min_count=2) == [("사과", 3), ("배", 2)]


def test_a_repeated_answer_counts_as_often_as_it_was_given():
    assert word_counts(["사과 좋아요", "사과 좋아요", " 사과 좋아요 ", "배"]) == [
        ("사과", 3),
        ("좋다", 3),
        ("배", 1),
    ]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        # The analyser glues a sentence's full stop to its last English word,
        # and after Korean sometimes cuts one in two: read from the text.
        ("I am happy.", ["happy"]),
        ("오늘은 정말 happy. 그리고 exciting!", ["오늘", "happy", "exciting"]),
        ("코딩이 재미있어요. It was exciting.", ["코딩", "재미있다", "exciting"]),
        ("ChatGPT를 썼다. I love ChatGPT.", ["chatgpt", "쓰다", "love", "chatgpt"]),
        ("I don't know, and by the way it's after class", ["know", "way", "class"]),
    ],
)
def test_english_words_are_whole_in_any_place_and_common_ones_left_out(text, words):
    assert words_of(text) == words
