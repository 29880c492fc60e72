"""The Korean catalog (locale/ko/LC_MESSAGES): every message translated, no
fuzzy entry, placeholders kept, and the compiled .mo in step with the .po.

Pure Python on purpose: the .po is parsed here and the .mo read with the
standard library, so these tests run where the gettext tools are missing.
After changing the .po, `make messages` regenerates and recompiles it."""

from __future__ import annotations

import gettext as gnu_gettext
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

CATALOG_DIR = Path(settings.BASE_DIR) / "locale" / "ko" / "LC_MESSAGES"
PO_PATH = CATALOG_DIR / "django.po"
MO_PATH = CATALOG_DIR / "django.mo"
RECOMPILE = "run `make messages` to recompile locale/ko/LC_MESSAGES/django.mo"

# ---------------------------------------------------------------------------
# A small .po parser


@dataclass
class Entry:
    line: int  # where the entry's first keyword is, for failure messages
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)  # singular entries use index 0
    flags: set[str] = field(default_factory=set)

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None

    @property
    def is_fuzzy(self) -> bool:
        return "fuzzy" in self.flags

    @property
    def is_translated(self) -> bool:
        return bool(self.msgstr) and all(self.msgstr.values())

    def __str__(self) -> str:
        context = f" (msgctxt {self.msgctxt!r})" if self.msgctxt is not None else ""
        return f"line {self.line}: {self.msgid!r}{context}"


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b"}
_KEYWORD = re.compile(r"^(msgctxt|msgid|msgid_plural|msgstr(?:\[(\d+)\])?)\s+(\".*\")\s*$")
_STRING = re.compile(r'^(".*")\s*$')


def _unquote(literal: str, where: str) -> str:
    if len(literal) < 2 or not (literal.startswith('"') and literal.endswith('"')):
        raise ValueError(f"{where}: not a quoted string: {literal}")
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), "\\" + m.group(1)), literal[1:-1])


def parse_po(text: str) -> list[Entry]:
    """Entries of a .po file, header included; obsolete (``#~``) entries are skipped."""
    entries: list[Entry] = []
    entry: Entry | None = None
    flags: set[str] = set()
    key: tuple[str, int] | None = None  # the field continuation lines extend
    keywords_seen = False

    def finish() -> None:
        nonlocal entry, flags, key, keywords_seen
        if entry is not None:
            entries.append(entry)
        entry, flags, key, keywords_seen = None, set(), None, False

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        where = f"{PO_PATH.name}:{number}"
        if not line:
            finish()
            continue
        if line.startswith("#"):
            if keywords_seen:  # a comment after the strings starts a new entry
                finish()
            if line.startswith("#,"):
                flags |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}
            continue
        if match := _KEYWORD.match(line):
            keyword, index, literal = match.groups()
            value = _unquote(literal, where)
            if keyword in ("msgctxt", "msgid") and entry is not None and entry.msgstr:
                finish()  # a new entry without a blank line in between
            if entry is None:
                entry = Entry(line=number, flags=flags)
            keywords_seen = True
            if keyword == "msgctxt":
                entry.msgctxt, key = value, ("msgctxt", 0)
            elif keyword == "msgid":
                entry.msgid, key = value, ("msgid", 0)
            elif keyword == "msgid_plural":
                entry.msgid_plural, key = value, ("msgid_plural", 0)
            else:
                slot = int(index) if index is not None else 0
                entry.msgstr[slot], key = value, ("msgstr", slot)
            continue
        if (match := _STRING.match(line)) and entry is not None and key is not None:
            value = _unquote(match.group(1), where)
            name, slot = key
            if name == "msgstr":
                entry.msgstr[slot] += value
            else:
                setattr(entry, name, (getattr(entry, name) or "") + value)
            continue
        raise ValueError(f"{where}: cannot parse {raw!r}")
    finish()
    return entries


def test_parser_reads_continuations_flags_plurals_and_escapes():
    entries = parse_po(
        '# header\n#, fuzzy\nmsgid ""\nmsgstr ""\n"Language: ko\\n"\n\n'
        '#: a.py\n#, python-format\nmsgid ""\n"Hello, "\n"%(name)s"\n'
        'msgstr "%(name)s님, "\n"안녕하세요"\n\n'
        'msgid "%(count)d post"\nmsgid_plural "%(count)d posts"\n'
        'msgstr[0] "게시물 %(count)d개"\n\n'
        '#, fuzzy\nmsgctxt "nav"\nmsgid "Say \\"hi\\""\nmsgstr ""\n'
        '#~ msgid "gone"\n#~ msgstr "없음"\n'
    )
    header, hello, plural, fuzzy = entries
    assert header.is_header and header.is_fuzzy and header.msgstr == {0: "Language: ko\n"}
    assert hello.msgid == "Hello, %(name)s" and hello.flags == {"python-format"}
    assert hello.msgstr == {0: "%(name)s님, 안녕하세요"} and hello.is_translated
    assert plural.msgid_plural == "%(count)d posts" and plural.msgstr == {0: "게시물 %(count)d개"}
    assert fuzzy.msgctxt == "nav" and fuzzy.msgid == 'Say "hi"' and fuzzy.is_fuzzy
    assert not fuzzy.is_translated


# ---------------------------------------------------------------------------
# The catalog


@pytest.fixture(scope="module")
def po_entries() -> list[Entry]:
    assert PO_PATH.exists(), f"{PO_PATH} is missing: run `make messages`"
    return parse_po(PO_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def messages(po_entries) -> list[Entry]:
    return [entry for entry in po_entries if not entry.is_header]


def offenders(entries: list[Entry]) -> str:
    return "\n".join(f"  {entry}" for entry in entries)


def test_header_is_filled_in_and_not_fuzzy(po_entries):
    headers = [entry for entry in po_entries if entry.is_header]
    assert len(headers) == 1, "the .po should have exactly one header entry"
    header = headers[0]
    assert not header.is_fuzzy, "remove the `#, fuzzy` flag from the .po header"
    fields = dict(line.split(":", 1) for line in header.msgstr[0].splitlines() if ":" in line)
    fields = {name.strip(): value.strip() for name, value in fields.items()}
    assert fields.get("Language") == "ko"
    assert fields.get("Plural-Forms") == "nplurals=1; plural=0;"
    assert fields.get("Content-Type") == "text/plain; charset=UTF-8"


def test_every_message_is_translated_and_none_is_fuzzy(messages):
    assert messages, "the Korean catalog has no messages"
    fuzzy = [entry for entry in messages if entry.is_fuzzy]
    untranslated = [entry for entry in messages if not entry.is_translated]
    problems = []
    if untranslated:
        problems.append(f"{len(untranslated)} untranslated:\n{offenders(untranslated)}")
    if fuzzy:
        problems.append(f"{len(fuzzy)} fuzzy:\n{offenders(fuzzy)}")
    assert not problems, "Korean catalog " + "\n".join(problems)


def test_plural_entries_have_the_single_korean_form(messages):
    wrong = [
        entry
        for entry in messages
        if entry.msgid_plural is not None and sorted(entry.msgstr) != [0]
    ]
    assert not wrong, f"Korean has one plural form: fill msgstr[0] only\n{offenders(wrong)}"


_PERCENT_NAMED = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")
_PERCENT_BARE = re.compile(r"%[-#0+]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")
_BRACE = re.compile(r"\{(\w*)(?:![rsa])?(?::[^{}]*)?\}")


def placeholders(text: str) -> Counter[str]:
    """``%(name)s``, ``%s`` and ``{name}`` style placeholders; named ones are
    counted once (a translation may repeat or reorder them), positional ones
    as often as they occur."""
    found: Counter[str] = Counter()
    text = text.replace("%%", "")
    found.update({match.group(0): 1 for match in _PERCENT_NAMED.finditer(text)})
    text = _PERCENT_NAMED.sub("", text)
    found.update(match.group(0) for match in _PERCENT_BARE.finditer(text))
    text = text.replace("{{", "").replace("}}", "")
    for match in _BRACE.finditer(text):
        if match.group(1) and not match.group(1).isdigit():
            found[match.group(0)] = 1
        else:
            found[match.group(0)] += 1
    return found


def test_placeholder_helper():
    assert placeholders("%(count)d of %(count)d · 100%% · %s, %s · {name} {}") == Counter(
        {"%(count)d": 1, "%s": 2, "{name}": 1, "{}": 1}
    )


def test_translations_keep_the_placeholders(messages):
    problems = []
    for entry in messages:
        expected = placeholders(entry.msgid) | placeholders(entry.msgid_plural or "")
        for slot, msgstr in sorted(entry.msgstr.items()):
            if not msgstr:
                continue  # reported by the untranslated test
            found = placeholders(msgstr)
            missing, extra = expected - found, found - expected
            if missing or extra:
                problems.append(
                    f"  {entry}, msgstr[{slot}] {msgstr!r}: "
                    f"missing {sorted(missing.elements())}, extra {sorted(extra.elements())}"
                )
    assert not problems, "placeholders differ from the msgid:\n" + "\n".join(problems)


# ---------------------------------------------------------------------------
# The compiled catalog


@pytest.fixture(scope="module")
def compiled() -> gnu_gettext.GNUTranslations:
    assert MO_PATH.exists(), f"{MO_PATH} is missing: {RECOMPILE}"
    with MO_PATH.open("rb") as mo:
        return gnu_gettext.GNUTranslations(mo)


def lookups(translations, entry: Entry) -> list[tuple[str, str]]:
    """(what was asked, what came back) for every msgstr of an entry."""
    if entry.msgid_plural is None:
        if entry.msgctxt is None:
            return [("gettext", translations.gettext(entry.msgid))]
        return [("pgettext", translations.pgettext(entry.msgctxt, entry.msgid))]
    results = []
    for n in (1, 2, 5):
        if entry.msgctxt is None:
            got = translations.ngettext(entry.msgid, entry.msgid_plural, n)
        else:
            got = translations.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, n)
        results.append((f"n={n}", got))
    return results


def test_compiled_catalog_matches_the_po(messages, compiled):
    stale = []
    for entry in messages:
        if entry.is_fuzzy or not entry.is_translated:
            continue  # not compiled; reported by the untranslated test
        for asked, got in lookups(compiled, entry):
            if got != entry.msgstr[0]:
                stale.append(f"  {entry} [{asked}]: .po {entry.msgstr[0]!r}, .mo {got!r}")
    assert not stale, f"django.mo is out of date with django.po ({RECOMPILE}):\n" + "\n".join(stale)


def test_compiled_catalog_has_no_messages_the_po_lacks(messages, compiled):
    def key(entry: Entry) -> str:
        return entry.msgid if entry.msgctxt is None else f"{entry.msgctxt}\x04{entry.msgid}"

    in_po = {key(entry) for entry in messages}
    # GNUTranslations keys singular messages by msgid, plural ones by (msgid, n)
    in_mo = {
        msgid if isinstance(msgid, str) else msgid[0]
        for msgid in compiled._catalog  # the standard library offers no public list
    }
    leftover = sorted(in_mo - in_po - {""})
    assert not leftover, f"django.mo has messages django.po lacks ({RECOMPILE}): {leftover}"


# ---------------------------------------------------------------------------
# Through Django


def test_django_translates_into_korean():
    with translation.override("ko"):
        assert translation.gettext("Log in") == "로그인"
        assert translation.gettext("journey") == "클라스"
        assert translation.ngettext("%(counter)s week", "%(counter)s weeks", 3) == "%(counter)s주"


def test_django_serves_every_korean_message_from_the_project_catalog(messages):
    """LOCALE_PATHS outranks Django's and the apps' own catalogs: a msgid they
    also translate (like "Log in") must still come out as the project wrote it."""
    different = []
    with translation.override("ko"):
        for entry in messages:
            if entry.is_fuzzy or not entry.is_translated:
                continue
            for asked, got in lookups(translation, entry):
                if got != entry.msgstr[0]:
                    different.append(
                        f"  {entry} [{asked}]: expected {entry.msgstr[0]!r}, got {got!r}"
                    )
    assert not different, (
        f"Django does not serve the project's translation (a stale .mo? {RECOMPILE}):\n"
        + "\n".join(different)
    )


def test_english_stays_untranslated():
    with translation.override("en"):
        assert translation.gettext("Log in") == "Log in"
