"""Counting a class's words (insights/words.py) for the insights page: which
answers a filter covers, and the count kept in the cache under the journey's
submissions as they are, so it stays until they change (a submission, an
edit, a deletion: ``cache_key``).

A count runs in a worker (``insights.tasks.count_class_words``), a batch of
answers at a time, and writes its progress where the page reads it:
``{"state": "running", "done": 2000, "total": 40320}``, then
``{"state": "done", "words": [[word, count], …], "answers": 40320}``.
"""

from __future__ import annotations

import hashlib
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, Max

from community.models import Post, PostAnswer
from insights.words import WORDS_VERSION, weighted, words_of_many
from journeys.class_cache import CLASS_CACHE_SECONDS
from journeys.models import Journey

BATCH = 2000
# How long a count may stay "running" before the page asks for it again (a
# worker that died mid-way leaves no answer behind).
RUNNING_SECONDS = 120
# How long a text's words are kept for the next count (by the text's digest,
# whoever wrote it: the words of a text are the same in every academy).
WORDS_SECONDS = 7 * 24 * 60 * 60


@dataclass(frozen=True)
class Scope:
    """Which answers: the whole journey, or those of one week, one scheduled
    mission, one question (each narrowing the one before)."""

    instance_id: uuid.UUID | None = None
    question_id: uuid.UUID | None = None
    week_id: uuid.UUID | None = None

    def key(self) -> str:
        return f"{self.week_id or '-'}:{self.instance_id or '-'}:{self.question_id or '-'}"


def cache_key(journey: Journey, scope: Scope) -> str:
    """Where a count is kept: under the journey's submissions as they are now
    (how many, and the last time one was written, which an edit of its text
    or its answers moves). The class version does not move on such an edit,
    which changes nothing the class-wide pages show."""
    posts = Post.objects.filter(journey_id=journey.pk, mission_instance__isnull=False)
    state = posts.aggregate(count=Count("id"), last=Max("updated_at"))
    last = state["last"].timestamp() if state["last"] else 0
    return f"insights:{journey.pk}:{state['count']}:{last}:{scope.key()}"


def answer_texts(journey: Journey, scope: Scope) -> Iterator[str]:
    """The texts a scope covers: the answers to questions, and the whole text
    of posts of missions without questions (their one answer)."""
    answers = PostAnswer.objects.filter(post__journey_id=journey.pk).exclude(text="")
    posts = Post.objects.filter(journey_id=journey.pk, mission_instance__isnull=False)
    if scope.week_id:
        answers = answers.filter(post__mission_instance__journey_week_id=scope.week_id)
        posts = posts.filter(mission_instance__journey_week_id=scope.week_id)
    if scope.instance_id:
        answers = answers.filter(post__mission_instance_id=scope.instance_id)
        posts = posts.filter(mission_instance_id=scope.instance_id)
    if scope.question_id:
        answers = answers.filter(question_id=scope.question_id)
    yield from answers.values_list("text", flat=True).iterator(chunk_size=BATCH)
    if scope.question_id:
        return  # a question is answered in its answers only
    plain = posts.filter(answers__isnull=True).exclude(content="")
    yield from plain.values_list("content", flat=True).iterator(chunk_size=BATCH)


def read(key: str) -> dict | None:
    return cache.get(key)


def start(key: str) -> bool:
    """Mark the count as running; False when one already is (or is done)."""
    return cache.add(key, {"state": "running", "done": 0, "total": 0}, RUNNING_SECONDS)


def count(journey: Journey, scope: Scope, key: str) -> dict:
    """Count the scope's words batch by batch of distinct texts (a text given
    again is analysed once, and one an earlier count analysed not at all),
    telling the cache how far it got."""
    given = Counter(text.strip() for text in answer_texts(journey, scope) if text.strip())
    answers = sum(given.values())
    distinct = list(given.items())
    totals: Counter = Counter()
    for start_at in range(0, len(distinct), BATCH):
        batch = distinct[start_at : start_at + BATCH]
        texts = [text for text, _times in batch]
        totals.update(weighted([times for _text, times in batch], words_kept(texts)))
        done = min(start_at + BATCH, len(distinct))
        progress = {"state": "running", "done": done, "total": len(distinct)}
        cache.set(key, progress, RUNNING_SECONDS)
    # Every word is kept, not only the most used: a report's word groups add
    # up words used once too. A class's vocabulary is what bounds it.
    words = sorted(totals.items(), key=lambda pair: (-pair[1], pair[0]))
    result = {"state": "done", "words": [list(pair) for pair in words], "answers": answers}
    cache.set(key, result, CLASS_CACHE_SECONDS)
    return result


def words_kept(texts: list[str]) -> list[list[str]]:
    """Each text's words (insights/words.py), analysed only when no count has
    analysed that text before: a class of 40,000 answers that gains one is
    counted again in about a second, not half a minute."""
    keys = [
        f"insights:words:{WORDS_VERSION}:{hashlib.sha256(text.encode()).hexdigest()}"
        for text in texts
    ]
    kept = cache.get_many(keys)
    missing = [index for index, key in enumerate(keys) if key not in kept]
    if missing:
        fresh = words_of_many([texts[index] for index in missing])
        analysed = {keys[index]: words for index, words in zip(missing, fresh, strict=True)}
        cache.set_many(analysed, WORDS_SECONDS)
        kept.update(analysed)
    return [kept[key] for key in keys]
