"""``@name`` mentions in comments and posts: who is meant, and how a mention
is shown.

The rule, in full:

- A mention starts with ``@`` that does not follow a letter or digit (so the
  ``@`` inside ``minji@example.com`` is not one).
- It names a **member of the journey** (anyone enrolled in it) by one of:
  their full name as shown on the site (``@김민지``, ``@Emma Smith``), their full
  name without spaces (``@EmmaSmith``) or their first name (``@민지``, ``@Emma``).
  Case does not matter.
- When several names fit, the longest wins: ``@Emma Smith`` means Emma Smith,
  not every Emma.
- A Latin name must end where the word ends (``@Emmanuel`` is not ``@Emma``);
  a Korean name may be followed directly by a particle or title, because that
  is how Korean is written (``@민지야``, ``@김민지님``).
- A name that fits more than one member (two classmates called 민지) mentions
  nobody: guessing would notify the wrong person. Their full names still work.

- An ``@word`` that names nobody (or several people) stays plain text; the
  writer is told so when saving (``mention_hint``).

Nothing is stored: the same rule finds the people to notify when a comment or
a post is saved and highlights the mentions when a comment is shown.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.html import escape, linebreaks
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Profile
from journeys.models import UserJourney

# Long enough for any name we match; a mention is never longer.
_LONGEST_NAME = 60
_AT = re.compile(r"(?<![\w@])@")
_LATIN_WORD_CHAR = re.compile(r"[A-Za-z0-9_]")
# What an unmatched mention is quoted as in the hint: the word after "@".
_WRITTEN_WORD = re.compile(r"[^\s@.,!?;:()\[\]{}\"']{1,30}")


def _normal(text: str) -> str:
    return text.casefold()


@dataclass
class MentionIndex:
    """The names members of one journey can be mentioned by, ready to match."""

    names: dict[str, set[uuid.UUID]] = field(default_factory=dict)

    @classmethod
    def of_people(cls, people: Iterable[Profile]) -> MentionIndex:
        index = cls()
        for person in people:
            if not person.is_active or person.deleted_at is not None:
                continue
            full = (person.full_name or "").strip()
            first = (person.first_name or "").strip()
            for name in {full, full.replace(" ", ""), first}:
                if name:
                    index.names.setdefault(_normal(name), set()).add(person.pk)
        return index

    def _match_at(self, text: str, start: int) -> tuple[str, set[uuid.UUID]] | None:
        """The longest name that ``text`` spells from ``start`` (just after ``@``)."""
        window = _normal(text[start : start + _LONGEST_NAME])
        best: str | None = None
        for name in self.names:
            if len(name) <= len(best or "") or not window.startswith(name):
                continue
            after = text[start + len(name) : start + len(name) + 1]
            if _LATIN_WORD_CHAR.match(name[-1]) and after and _LATIN_WORD_CHAR.match(after):
                continue  # "@Emmanuel" is not "@Emma"
            best = name
        if best is None:
            return None
        return text[start : start + len(best)], self.names[best]

    def spans(self, text: str) -> list[tuple[int, int, uuid.UUID | None]]:
        """(start, end, person id) of each mention in ``text``, ``@`` included;
        the id is None for an ambiguous name (highlighted, nobody notified)."""
        found = []
        for at in _AT.finditer(text or ""):
            match = self._match_at(text, at.end())
            if match is None:
                continue
            written, people = match
            person = next(iter(people)) if len(people) == 1 else None
            found.append((at.start(), at.end() + len(written), person))
        return found

    def mentioned(self, text: str) -> set[uuid.UUID]:
        """The ids of the members ``text`` mentions unambiguously."""
        return {person for _start, _end, person in self.spans(text) if person is not None}

    def unmatched(self, text: str) -> tuple[list[str], list[str]]:
        """The ``@words`` of ``text`` that name nobody, and the names that fit
        several members, each once, in the order written."""
        nobody: list[str] = []
        several: list[str] = []
        matched = {start: (end, person) for start, end, person in self.spans(text)}
        for at in _AT.finditer(text or ""):
            if at.start() in matched:
                end, person = matched[at.start()]
                if person is None and text[at.start() : end] not in several:
                    several.append(text[at.start() : end])
                continue
            word = _WRITTEN_WORD.match(text, at.end())
            if word is not None and "@" + word.group() not in nobody:
                nobody.append("@" + word.group())
        return nobody, several

    def render(self, text: str) -> SafeString:
        """``text`` as safe HTML: escaped, paragraphs and line breaks kept, and
        each unambiguous mention wrapped in ``<strong class="mention">``."""
        # The two private-use characters mark mentions below; the author's text
        # may not carry its own.
        text = (text or "").replace("\ue000", "").replace("\ue001", "")
        pieces, position = [], 0
        for start, end, person in self.spans(text):
            if person is None:
                continue
            pieces.append(escape(text[position:start]))
            # A private-use marker survives escaping and linebreaks, then becomes the tag.
            pieces.append("\ue000" + escape(text[start:end]) + "\ue001")
            position = end
        pieces.append(escape(text[position:]))
        html = linebreaks("".join(pieces), autoescape=False)
        html = html.replace("\ue000", '<strong class="mention">').replace("\ue001", "</strong>")
        return mark_safe(html)  # noqa: S308 - every piece of the text was escaped above


# A journey's members who can be mentioned, with their trimmed name parts
# (``part.first``, ``part.last``); the statements below add their conditions.
_MEMBERS_SQL = """
    SELECT person.id, person.first_name, person.last_name, person.is_active, person.deleted_at
    FROM {profiles} person
    CROSS JOIN LATERAL (
        SELECT btrim(coalesce(person.first_name, '')) AS first,
               btrim(coalesce(person.last_name, '')) AS last
    ) part
    WHERE person.id = ANY(ARRAY(
              SELECT member.user_id FROM {user_journeys} member
              WHERE member.journey_id = %(journey)s))
      AND person.is_active AND person.deleted_at IS NULL
"""
# Each way a person's name may be written after "@" (``MentionIndex.of_people``)
# has its twin here, in lower case, so a page reads only the members whose name
# a text actually writes. The twins are a superset (both name orders, with and
# without spaces): of_people then keeps the exact names.
_MEMBERS_NAMED_SQL = (
    _MEMBERS_SQL
    + """
      AND (lower(part.first) = ANY(%(names)s)
           OR lower(part.last || part.first) = ANY(%(names)s)
           OR lower(btrim(part.first || ' ' || part.last)) = ANY(%(names)s)
           OR lower(replace(part.first || part.last, ' ', '')) = ANY(%(names)s)
           OR lower(replace(part.last || part.first, ' ', '')) = ANY(%(names)s))
"""
)
# A text is searched for at most this many mentions: enough for any comment,
# and a text of ten thousand "@" cannot make one query of a million names.
MAX_MENTIONS_READ = 100


def written_names(texts: Iterable[str]) -> list[str]:
    """Everything ``texts`` may write as a name after an ``@``, in lower case:
    each prefix of the line after each ``@`` (a name has no line break and no
    ``@``), up to the longest name we match."""
    found: set[str] = set()
    seen = 0
    for text in texts:
        for at in _AT.finditer(text or ""):
            seen += 1
            if seen > MAX_MENTIONS_READ:
                return sorted(found)
            window = re.split(r"[\n@]", text[at.end() : at.end() + _LONGEST_NAME], maxsplit=1)[0]
            window = window.lower()
            found.update(window[:length] for length in range(1, len(window) + 1))
    return sorted(found)


def journey_members(journey_id, names: list[str] | None = None) -> list[Profile]:
    """The people who can be mentioned in a journey's comments (one query):
    with ``names``, only those whose name is one of them (``written_names``)."""
    if names is None:
        return list(
            Profile.objects.filter(
                pk__in=UserJourney.objects.filter(journey_id=journey_id).values("user_id")
            ).only("id", "first_name", "last_name", "is_active", "deleted_at")
        )
    if not names:
        return []
    sql = _MEMBERS_NAMED_SQL.format(
        profiles=Profile._meta.db_table, user_journeys=UserJourney._meta.db_table
    )
    return list(Profile.objects.raw(sql, {"journey": journey_id, "names": names}))


# The suggestions offered while typing "@…" (``members_to_mention``).
SUGGESTIONS = 8
_SUGGESTIONS_SQL = (
    _MEMBERS_SQL
    + """
      AND (starts_with(lower(part.first), %(prefix)s)
           OR starts_with(lower(part.last || part.first), %(prefix)s)
           OR starts_with(lower(btrim(part.first || ' ' || part.last)), %(prefix)s)
           OR starts_with(lower(part.last), %(prefix)s))
    ORDER BY part.last, part.first, person.id
    LIMIT %(limit)s
"""
)


def members_to_mention(journey_id, prefix: str) -> list[Profile]:
    """The journey's members a writer who typed ``@prefix`` may mean: those
    whose first name, full name (either order) or family name starts with it,
    at most ``SUGGESTIONS``, by name. One query (a scan of the class's
    members, never of the academy)."""
    prefix = prefix.strip().lower()[:_LONGEST_NAME]
    if not prefix:
        return []
    sql = _SUGGESTIONS_SQL.format(
        profiles=Profile._meta.db_table, user_journeys=UserJourney._meta.db_table
    )
    params = {"journey": journey_id, "prefix": prefix, "limit": SUGGESTIONS}
    return list(Profile.objects.raw(sql, params))


def mention_hint(index: MentionIndex, text: str) -> str | None:
    """What the writer of ``text`` is told of its ``@words`` that notify nobody
    (None when every one names a member)."""
    nobody, several = index.unmatched(text)
    parts = []
    if nobody:
        parts.append(
            ngettext(
                "%(names)s names nobody in this class: it stays plain text and nobody is told.",
                "%(names)s name nobody in this class: they stay plain text and nobody is told.",
                len(nobody),
            )
            % {"names": ", ".join(nobody)}
        )
    if several:
        parts.append(
            _("%(names)s fits more than one member: write the full name.")
            % {"names": ", ".join(several)}
        )
    return " ".join(parts) or None


def mention_index_for(journey_id, texts: Iterable[str] | None = None) -> MentionIndex:
    """The names ``texts`` may mention in the journey: only the members whose
    name follows an ``@`` in them are read, so a post page costs the same in a
    class of 20 or of 2,000 (no ``@``, no query). ``texts=None``: every member,
    for a caller matching many texts of one journey."""
    names = None if texts is None else written_names(texts)
    if names is not None and not names:
        return MentionIndex()
    return MentionIndex.of_people(journey_members(journey_id, names))
