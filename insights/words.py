"""The words of the class's answers, counted as a teacher reads them: Korean
by its morphemes (kiwipiepy, a well-kept morphological analyser), nouns as they
are, verbs and adjectives by their dictionary form (읽었어요 → 읽다, 추워서 →
춥다, 깨끗한 → 깨끗하다), English words in lower case, and neither particles,
endings, numbers, emoji nor the stop words below.

``words_of_many`` is what a worker runs over a class's answers for the class
insights (insights/counting.py, which keeps each text's words under
``WORDS_VERSION``); ``word_counts`` counts a plain list of texts.
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

# Words every answer has and no chart needs.
STOP_WORDS = frozenset(
    {
        # Korean: bound nouns, pronouns, the commonest verbs and adjectives.
        "것", "수", "등", "때", "곳", "중", "점", "번", "분", "년", "월", "일", "거",
        "이것", "그것", "저것", "여기", "거기", "우리", "저희", "나", "저", "제",
        "하다", "되다", "있다", "없다", "않다", "같다", "이다", "아니다", "보다", "주다",
        # English: articles, pronouns, auxiliaries, prepositions, conjunctions,
        # question words, quantifiers and the contractions of them.
        "a", "an", "the", "and", "or", "but", "nor", "so", "if", "then", "than", "as",
        "of", "to", "in", "on", "at", "for", "with", "by", "from", "about", "into", "onto",
        "over", "under", "after", "before", "up", "down", "out", "off", "through", "between",
        "is", "are", "was", "were", "be", "been", "being", "am", "do", "does", "did", "doing",
        "has", "have", "had", "having", "will", "would", "shall", "should", "can", "could",
        "may", "might", "must", "it", "its", "this", "that", "these", "those", "there", "here",
        "i", "me", "my", "mine", "we", "us", "our", "ours", "you", "your", "yours", "he", "him",
        "his", "she", "her", "hers", "they", "them", "their", "theirs", "what", "which", "who",
        "whom", "whose", "when", "where", "why", "how", "all", "any", "some", "no", "not",
        "yes", "each", "both", "few", "more", "most", "much", "many", "other", "such", "only",
        "own", "same", "very", "too", "also", "just", "again", "because", "while", "until",
        "don't", "doesn't", "didn't", "isn't", "aren't", "wasn't", "weren't", "can't",
        "won't", "i'm", "it's", "i've", "that's", "there's", "let's", "ok", "etc",
    }
)  # fmt: skip
MIN_LENGTH_FOREIGN = 2
# English words are read from the text itself, not from the analyser's
# tokens: it glues a sentence's full stop to the last word ("happy.") and,
# after Korean, sometimes cuts a word in two ("ha" + "ppy").
_ENGLISH_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?")


# Threads the analyser spreads a batch over: 40,000 short answers took 21 s
# one by one on this project's two-core machine, 13-15 s as one batch on two.
# Its threads keep both cores busy (1.97 of 2), so a second process would
# only add a second model (500 MB) for no time.
ANALYSER_THREADS = min(4, os.cpu_count() or 1)

# How far below the best reading the analyser still follows another one
# (kiwipiepy's beam cut-off, 8 by default): the analysis is what the count
# costs, and the readings 4 leaves out almost never win. 40,320 answers of
# 200 characters on two cores: 30-35 s at 8, 25-29 s at 4 (side by side, a
# fifth less CPU; 5 saves an eighth, 3 or less little more than 4 and changes
# more words); 0.1% of them came out with other words (과학실 → 과학 + 실,
# 146명: 명 a counter, no word), none of the 200 most used words changed;
# of the app's 1,559 Korean interface strings 3 did (내보낸 → 내보내다, better;
# 주차별로 → 주 + 차별, worse).
ANALYSER_CUTOFF = 4.0

# What words_of gives a text is kept between counts under this number (a
# class that gains a submission is counted again without analysing the rest):
# raise it with any change to what words_of gives (tags, stop words, the
# analyser's settings or version).
WORDS_VERSION = 2


@functools.lru_cache(maxsize=1)
def _analyser():
    """One analyser a process: loading its model takes a second and 100 MB.
    Its other settings stay kiwipiepy's: none of them saved more than a few
    per cent (z_coda, match options, dictionaries, oov handling), and some
    change words (without the typo dictionary 괜찬아요 is read as a noun)."""
    from kiwipiepy import Kiwi

    kiwi = Kiwi(num_workers=ANALYSER_THREADS)
    kiwi.global_config.cutoff_threshold = ANALYSER_CUTOFF
    return kiwi


def words_of(text: str) -> list[str]:
    """The counted words of one answer, in order."""
    text = (text or "").strip()
    if not text:
        return []
    return _words(text, _analyser().tokenize(text))


def _words(text: str, tokens) -> list[str]:
    """The counted words of ``text``, in its order: Korean from the
    analyser's ``tokens``, English from the text."""
    found = sorted([*_korean_words(tokens), *_english_words(text)], key=lambda pair: pair[0])
    return [word for _position, word in found if word not in STOP_WORDS]


def _korean_words(tokens) -> Iterable[tuple[int, str]]:
    for index, token in enumerate(tokens):
        tag = token.tag.split("-")[0]
        if token.form.isascii():
            continue  # English (or a name in its dictionary): read from the text
        if tag in NOUN_TAGS:
            yield token.start, token.form
        elif tag in PREDICATE_TAGS:
            yield token.start, token.form + "다"
        elif tag == ROOT_TAG:
            following = tokens[index + 1].tag if index + 1 < len(tokens) else ""
            yield token.start, token.form + ("하다" if following in ROOT_SUFFIXES else "")


def _english_words(text: str) -> Iterable[tuple[int, str]]:
    for match in _ENGLISH_WORD.finditer(text):
        if len(match[0]) >= MIN_LENGTH_FOREIGN:
            yield match.start(), match[0].lower()


def word_counts(texts: Iterable[str], *, min_count: int = 1) -> list[tuple[str, int]]:
    """Each word of ``texts`` with how many times it was used, most used
    first (ties in alphabetical order), leaving out those used fewer than
    ``min_count`` times. A text given again is analysed once (answers
    repeat: "사과", a copied sentence) and counted as often as it was given."""
    given = Counter(text.strip() for text in texts if text and text.strip())
    counts = weighted(given.values(), words_of_many(list(given)))
    kept = [(word, count) for word, count in counts.items() if count >= min_count]
    return sorted(kept, key=lambda pair: (-pair[1], pair[0]))


def weighted(times: Iterable[int], words_of_texts: Iterable[list[str]]) -> Counter:
    """The words of texts each given so many ``times``, counted as often as
    their text was given (``words_of_texts`` in the same order)."""
    counts: Counter = Counter()
    for given, words in zip(times, words_of_texts, strict=True):
        for word in words:
            counts[word] += given
    return counts


def words_of_many(texts: list[str]) -> list[list[str]]:
    """``words_of`` of each text, the texts analysed as one batch on the
    analyser's threads."""
    tokenized = _analyser().tokenize(texts)
    return [_words(text, tokens) for text, tokens in zip(texts, tokenized, strict=True)]
