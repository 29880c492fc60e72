"""The words of the class's answers, counted as a teacher reads them: Korean
by its morphemes (kiwipiepy, a well-kept morphological analyser), nouns as they
are, verbs and adjectives by their dictionary form (읽었어요 → 읽다, 추워서 →
춥다, 깨끗한 → 깨끗하다), English words in lower case, and neither particles,
endings, numbers, emoji nor the stop words below.

``weighted_word_counts`` is what a worker runs over a whole class's answers
for the class insights (insights/counting.py); ``word_counts`` the same for a
plain list of texts.
"""

from __future__ import annotations

import functools
import os
import re
from collections import Counter
from collections.abc import Iterable

# Nouns (common, proper), verbs and adjectives, regular or not ("-I", "-R").
NOUN_TAGS = ("NNG", "NNP")
PREDICATE_TAGS = ("VV", "VA")
ROOT_TAG = "XR"  # 깨끗 in 깨끗하다: a root made a word by the suffix after it
ROOT_SUFFIXES = ("XSA", "XSV")
FOREIGN_TAG = "SL"

# Words every answer has and no chart needs.
STOP_WORDS = frozenset(
    {
        # Korean: bound nouns, pronouns, the commonest verbs and adjectives.
        "것", "수", "등", "때", "곳", "중", "점", "번", "분", "년", "월", "일", "거",
        "이것", "그것", "저것", "여기", "거기", "우리", "저희", "나", "저", "제",
        "하다", "되다", "있다", "없다", "않다", "같다", "이다", "아니다", "보다", "주다",
        # English: articles, pronouns, auxiliaries.
        "a", "an", "the", "and", "or", "but", "of", "to", "in", "on", "at", "for", "with",
        "is", "are", "was", "were", "be", "been", "it", "its", "this", "that", "i", "we",
        "you", "he", "she", "they", "my", "our", "your", "do", "does", "did", "not",
    }
)  # fmt: skip
MIN_LENGTH_FOREIGN = 2
_LATIN = re.compile(r"[a-z]+(?:'[a-z]+)?")


# Threads the analyser spreads a batch over: 40,000 short answers took 21 s
# one by one on this project's two-core machine, 13-15 s as one batch on two.
ANALYSER_THREADS = min(4, os.cpu_count() or 1)


@functools.lru_cache(maxsize=1)
def _analyser():
    """One analyser a process: loading its model takes a second and 100 MB."""
    from kiwipiepy import Kiwi

    return Kiwi(num_workers=ANALYSER_THREADS)


def words_of(text: str) -> list[str]:
    """The counted words of one answer, in order."""
    text = (text or "").strip()
    if not text:
        return []
    tokens = _analyser().tokenize(text)
    return [word for word in _words(tokens) if word not in STOP_WORDS]


def _words(tokens) -> Iterable[str]:
    for index, token in enumerate(tokens):
        tag = token.tag.split("-")[0]
        if tag in NOUN_TAGS:
            yield token.form
        elif tag in PREDICATE_TAGS:
            yield token.form + "다"
        elif tag == ROOT_TAG:
            following = tokens[index + 1].tag if index + 1 < len(tokens) else ""
            yield token.form + ("하다" if following in ROOT_SUFFIXES else "")
        elif tag == FOREIGN_TAG:
            word = token.form.lower()
            if len(word) >= MIN_LENGTH_FOREIGN and _LATIN.fullmatch(word):
                yield word


def word_counts(texts: Iterable[str], *, min_count: int = 1) -> list[tuple[str, int]]:
    """Each word of ``texts`` with how many times it was used, most used
    first (ties in alphabetical order), leaving out those used fewer than
    ``min_count`` times."""
    counts = weighted_word_counts(Counter(text.strip() for text in texts if text and text.strip()))
    kept = [(word, count) for word, count in counts.items() if count >= min_count]
    return sorted(kept, key=lambda pair: (-pair[1], pair[0]))


def weighted_word_counts(given: dict[str, int]) -> Counter:
    """The words of texts given so many times each ({text: times}): each
    distinct text is analysed once (answers repeat: "사과", a copied sentence)
    and its words counted as often as it was given. The texts go to the
    analyser as one batch."""
    distinct = [text for text in given if text]
    counts: Counter = Counter()
    for text, tokens in zip(distinct, _analyser().tokenize(distinct), strict=True):
        times = given[text]
        for word in _words(tokens):
            if word not in STOP_WORDS:
                counts[word] += times
    return counts
