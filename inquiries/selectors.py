"""Reads of the inquiries app: a person's own bug reports, paged by key."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import DateTimeField, QuerySet, Value
from django.db.models.functions import Coalesce

from core.keyset import newest_first_page
from inquiries.models import BugReport

MY_REPORTS_PAGE_SIZE = 20
# Seed rows may lack created_at; they sort as the oldest instead of breaking the keyset.
_NO_DATE = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class ReportPage:
    reports: list[BugReport]
    next_cursor: str | None


def my_reports_page(user, after: str | None = None) -> ReportPage:
    """One page of the reports ``user`` wrote, newest first: one indexed query
    (on the user_id index; a person has few reports). ``after`` is the previous page's cursor
    (``BadCursor`` when it is not one of ours)."""
    reports: QuerySet[BugReport] = (
        BugReport.objects.reported_by(user)
        .annotate(listed_at=Coalesce("created_at", Value(_NO_DATE, output_field=DateTimeField())))
        .only("id", "title", "status", "severity", "created_at", "answered_at")
    )
    rows, next_cursor = newest_first_page(
        reports, time_field="listed_at", after=after, size=MY_REPORTS_PAGE_SIZE
    )
    return ReportPage(reports=rows, next_cursor=next_cursor)


def my_report(user, pk) -> BugReport:
    """One of ``user``'s own reports with its screenshot; anyone else's, or a
    missing one, raises ``BugReport.DoesNotExist`` (the view answers 404)."""
    return BugReport.objects.reported_by(user).select_related("attachment_file").get(pk=pk)
