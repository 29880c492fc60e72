"""What is in an export of a journey's submissions with their grades, as CSV
and XLSX, and what its file is called.

One row per submission (a team's post is one row, under its author, with the
team's name). Headers and labels are in the requesting teacher's language,
times on their clock. Rows come from one query, on the journey's index, read
through ``iterator()`` (a server-side cursor, ``ITERATOR_CHUNK`` rows at a
time) with ``select_related``: memory and the number of queries stay flat
however many submissions there are.

A Celery worker writes the files (``submissions.export_files``): there is no
request there, so ``ExportSettings`` carries the requester's language and zone
and the rows re-activate them, and post addresses are made absolute on
``SITE_URL`` (``core.links``), as everything read away from a request is.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import zoneinfo
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import IO
from urllib.parse import quote

from django.db.models import Count, Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.selectors import public_name
from community.models import AchievementStatus, Post, PostAnswer
from core.links import absolute_url
from core.moments import language_of, zone_of
from core.spreadsheet import UTF8_BOM, spreadsheet_text
from journeys.models import Journey
from missions.models import MissionQuestion, MissionType, QuestionKind
from submissions.selectors import PLACEHOLDER_ID, url_maker

# The columns, in order. Lazy: each export renders them in the requester's language.
COLUMNS = (
    gettext_lazy("Week"),
    gettext_lazy("Mission"),
    gettext_lazy("Type"),
    gettext_lazy("Student"),
    gettext_lazy("E-mail"),
    gettext_lazy("Team"),
    gettext_lazy("Title"),
    gettext_lazy("Submitted at"),
    gettext_lazy("Status"),
    gettext_lazy("Score"),
    gettext_lazy("Graded at"),
    gettext_lazy("Graded by"),
    gettext_lazy("Hidden"),
    gettext_lazy("Post URL"),
)
# Widths (in characters) of the XLSX columns, so the sheet opens readable;
# then each question's answer column (missions of questions).
XLSX_WIDTHS = (12, 24, 10, 14, 26, 14, 36, 17, 14, 7, 17, 14, 8, 60)
XLSX_ANSWER_WIDTH = 40
DATETIME_TEXT = "%Y-%m-%d %H:%M"
XLSX_DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
ITERATOR_CHUNK = 500

# Not allowed (or troublesome) in file names on common systems.
UNSAFE_FILENAME_CHARS = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')


@dataclass(frozen=True)
class ExportSettings:
    """Whose terms the rows are written in: a language, a zone, and how a
    post's path becomes an address."""

    language: str
    zone: zoneinfo.ZoneInfo | dt.tzinfo
    absolute_url: Callable[[str], str]

    @classmethod
    def for_person(cls, person, *, language: str = "") -> ExportSettings:
        """``person``'s zone (``core.moments``) and ``language`` when given (the
        one they read the page in when they asked), else theirs; addresses on
        ``SITE_URL``. ``person`` may be None (someone since deleted): the
        site's defaults then."""
        return cls(
            language=language or language_of(person),
            zone=zone_of(person),
            absolute_url=absolute_url,
        )


def submissions_for_export(journey: Journey) -> QuerySet[Post]:
    """The journey's submissions in plan order, then by student; everything a
    row shows comes with them (select_related), so rows cost no extra query.

    Found by the post's own ``journey_id`` (its index, posts_journey_id_…),
    not through ``mission_instance__journey``: that filter is on the joined
    instances' column, so PostgreSQL reads every post of every academy to find
    one journey's. A post with no mission (not a submission) is left out, as
    the join left it out."""
    return (
        Post.objects.filter(journey_id=journey.pk, mission_instance__isnull=False)
        .select_related(
            "mission_instance__mission",
            "mission_instance__journey_week",
            "user",
            "team",
            "graded_by",
        )
        # Only what a row shows (and public_name reads): a profile row has many
        # more columns, and every row of the export would parse them.
        .only(
            "title",
            "created_at",
            "achievement_status",
            "score",
            "graded_at",
            "is_hidden",
            "mission_instance__journey_week__name",
            "mission_instance__mission__name",
            "mission_instance__mission__mission_type",
            "team__name",
            *(
                f"{person}__{name}"
                for person in ("user", "graded_by")
                for name in ("first_name", "last_name", "email", "deleted_at")
            ),
        )
        .order_by(
            "mission_instance__journey_week__week_number",
            "mission_instance__release_date",
            "mission_instance_id",
            "user__last_name",
            "user__first_name",
            "created_at",
            "id",
        )
    )


def headers(questions: int = 0) -> list[str]:
    """The columns, then one per question number (the journey's missions of
    questions: "Q1" holds each post's answer to its own mission's first)."""
    answers = [_("Q%(number)d") % {"number": number} for number in range(1, questions + 1)]
    return [str(column) for column in COLUMNS] + answers


def question_columns(journey: Journey) -> int:
    """The most questions a mission of the journey has: its answer columns."""
    counts = (
        MissionQuestion.objects.filter(mission__instances__journey_id=journey.pk)
        .values("mission_id")
        .annotate(count=Count("id", distinct=True))
    )
    return max((row["count"] for row in counts), default=0)


# A post's answers come with each chunk of posts (one query a chunk).
ANSWERS = Prefetch(
    "answers",
    queryset=PostAnswer.objects.select_related("question")
    .annotate(image_count=Count("images"))
    .order_by("question__position"),
)


def answer_cell(answer: PostAnswer) -> str:
    """An answer as one cell: the chosen options with the result, or the text,
    and how many images."""
    question = answer.question
    parts = []
    if question.kind == QuestionKind.MULTIPLE_CHOICE:
        chosen = ", ".join(question.options[index]["text"] for index in answer.choices)
        result = _("correct") if answer.is_correct else _("wrong")
        parts.append(f"{chosen} ({result}, {answer.auto_points or 0} PT)")
    elif answer.text:
        parts.append(answer.text)
    if answer.image_count:
        count = answer.image_count
        parts.append(ngettext("%(count)d image", "%(count)d images", count) % {"count": count})
    return " · ".join(parts)


def export_rows(journey: Journey, settings: ExportSettings) -> Iterator[list]:
    """The header row, then one row per submission, as Python values (text,
    numbers, naive local datetimes). Runs in ``settings``' language and zone."""
    with translation.override(settings.language), timezone.override(settings.zone):
        questions = question_columns(journey)
        yield headers(questions)
        statuses = {choice.value: str(choice.label) for choice in AchievementStatus}
        types = {choice.value: str(choice.label) for choice in MissionType}
        yes, no = _("Yes"), _("No")
        # Every post is the journey's (the filter): its address is one string.
        post_url = url_maker(
            settings.absolute_url(
                reverse("community:post_detail", args=[journey.pk, PLACEHOLDER_ID])
            )
        )
        posts = submissions_for_export(journey)
        if questions:
            posts = posts.prefetch_related(ANSWERS)
        for post in posts.iterator(chunk_size=ITERATOR_CHUNK):
            instance = post.mission_instance
            answers = [answer_cell(answer) for answer in post.answers.all()] if questions else []
            yield [
                instance.journey_week.name,
                instance.mission.name,
                types.get(instance.mission.mission_type, ""),
                public_name(post.user),
                post.user.email,
                post.team.name if post.team_id else "",
                post.title,
                _local(post.created_at, settings.zone),
                statuses.get(post.achievement_status or AchievementStatus.PENDING, ""),
                post.score,
                _local(post.graded_at, settings.zone),
                public_name(post.graded_by) if post.graded_by_id else "",
                yes if post.is_hidden else no,
                post_url(post.pk),
                *answers,
                *[""] * (questions - len(answers)),
            ]


def _local(moment: dt.datetime | None, zone) -> dt.datetime | None:
    """The moment on the requester's clock, without tzinfo (spreadsheets have none)."""
    if moment is None:
        return None
    return timezone.localtime(moment, zone).replace(tzinfo=None, microsecond=0)


# --- CSV --------------------------------------------------------------------


class _Echo:
    """A file-like object whose ``write`` returns the text: csv.writer then
    hands each formatted line back instead of buffering it."""

    def write(self, value: str) -> str:
        return value


def _csv_value(value) -> str | int:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime(DATETIME_TEXT)
    if isinstance(value, str):
        # A student's title "=HYPERLINK(…)" must stay text (CSV injection).
        return spreadsheet_text(value)
    return value


def csv_stream(journey: Journey, settings: ExportSettings) -> Iterator[str]:
    """The CSV text, line by line."""
    return _csv_lines(export_rows(journey, settings))


def _csv_lines(rows: Iterable[list]) -> Iterator[str]:
    """``rows`` as CSV lines after a UTF-8 byte order mark: without it, Excel
    reads the file in the system's legacy code page and garbles Korean."""
    writer = csv.writer(_Echo())
    yield UTF8_BOM
    for row in rows:
        yield writer.writerow([_csv_value(value) for value in row])


class _Counted:
    """An iterator of rows that counts what went through it."""

    def __init__(self, rows: Iterator[list]) -> None:
        self.rows = rows
        self.count = 0

    def __iter__(self) -> Iterator[list]:
        for row in self.rows:
            self.count += 1
            yield row


def csv_write(journey: Journey, settings: ExportSettings, output: IO[bytes]) -> int:
    """Write the CSV, UTF-8 encoded, into ``output`` a line at a time; the
    number of submissions written (the header row not counted)."""
    rows = _Counted(export_rows(journey, settings))
    for line in _csv_lines(rows):
        output.write(line.encode("utf-8"))
    return rows.count - 1


# --- XLSX -------------------------------------------------------------------


def xlsx_write(journey: Journey, settings: ExportSettings, output: IO[bytes]) -> int:
    """Write the workbook into ``output`` (a seekable file); the number of
    submissions written (the header row not counted).

    An XLSX is a ZIP archive, whose central directory (the index of its parts)
    is written only at the end, and openpyxl writes it through ``zipfile`` onto
    a seekable file: nothing of it is usable before the whole workbook is done.
    The write-only workbook still keeps memory flat: rows go to disk as they
    come from the iterator."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    with translation.override(settings.language):
        sheet = workbook.create_sheet(title=_sheet_title(_("Submissions")))
    rows = export_rows(journey, settings)
    header = next(rows)
    # The columns after the fixed ones are the questions' answers.
    widths = [*XLSX_WIDTHS, *[XLSX_ANSWER_WIDTH] * (len(header) - len(XLSX_WIDTHS))]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)

    def cell(value, *, header: bool = False):
        written = WriteOnlyCell(sheet, value=value)
        if header:
            written.font = bold
        elif isinstance(value, dt.datetime):
            written.number_format = XLSX_DATETIME_FORMAT
        elif isinstance(value, str) and value.startswith("="):
            # openpyxl takes any text starting with "=" for a formula.
            written.data_type = "s"
        return written

    sheet.append([cell(value, header=True) for value in header])
    written = 0
    for row in rows:
        sheet.append([cell(value) for value in row])
        written += 1
    workbook.save(output)
    return written


def _sheet_title(title: str) -> str:
    # Excel refuses these characters in sheet names, and more than 31 of them.
    return re.sub(r"[\[\]:*?/\\]", " ", title)[:31] or "Sheet1"


# --- file names -------------------------------------------------------------


def export_filename(journey: Journey, extension: str, *, day: dt.date | None = None) -> str:
    """ "<journey> submissions 2026-11-25.csv", in the active language, of
    ``day`` (today on the active calendar by default: pass the export's own day
    when it was made earlier); characters file systems refuse become spaces."""
    name = UNSAFE_FILENAME_CHARS.sub(" ", journey.name)
    name = " ".join(name.split())[:80] or "journey"
    day_text = (day or timezone.localdate()).isoformat()
    return (
        _("%(journey)s submissions %(day)s") % {"journey": name, "day": day_text} + f".{extension}"
    )


def content_disposition(filename: str, *, fallback: str) -> str:
    """``attachment`` with an ASCII ``filename`` for old clients and the real
    name as ``filename*`` (RFC 5987/6266: UTF-8, percent-encoded), which every
    current browser prefers. The fallback is ours, plain ASCII, so it needs no
    escaping; the real name is percent-encoded, so quotes and line breaks in a
    journey's name cannot break the header."""
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def ascii_filename(extension: str, *, day: dt.date | None = None) -> str:
    return f"submissions-{(day or timezone.localdate()).isoformat()}.{extension}"
