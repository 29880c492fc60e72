"""Logs as JSON lines, for a log collector (``LOG_FORMAT=json``; see settings).

One JSON object per record and per line, whatever the message holds (a
traceback's new lines are escaped inside the string), so a collector never has
to guess where a record ends:

``{"time": "2026-03-14T05:02:11.042Z", "level": "ERROR", "logger":
"django.request", "message": "Internal Server Error: /feed/", "exception":
"Traceback …", "method": "GET", "path": "/feed/", "status": 500,
"request_id": "…"}``

``time`` is UTC in ISO 8601 (the servers' clocks and zones do not matter);
``exception`` and ``stack`` appear only when the record has them. Records that
carry the request (Django's ``django.request`` and ``django.security`` loggers
do, as ``extra={"request": …}``) add its method and path, and the request id a
proxy put in ``X-Request-ID``, if any; never the query string, a person or a
body (academies' people include minors).
"""

from __future__ import annotations

import datetime as dt
import json
import logging


class JsonFormatter(logging.Formatter):
    """Writes a record as one line of JSON (see the module)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": _utc_iso(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        entry.update(_request_fields(record))
        # default=str: a record's arguments are already in the message; this only
        # keeps an odd value in an extra field from losing the whole line.
        return json.dumps(entry, ensure_ascii=False, default=str)


def _utc_iso(created: float) -> str:
    moment = dt.datetime.fromtimestamp(created, tz=dt.UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _request_fields(record: logging.LogRecord) -> dict[str, object]:
    """Method, path, status and request id of the request a record names.
    Duck-typed: ``django.server`` passes its socket as ``request``, which has
    no path and adds nothing."""
    request = getattr(record, "request", None)
    path = getattr(request, "path", None)
    fields: dict[str, object] = {}
    if isinstance(path, str):
        fields["method"] = getattr(request, "method", None)
        fields["path"] = path
        headers = getattr(request, "headers", None)
        request_id = headers.get("X-Request-ID") if headers is not None else None
        if request_id:
            fields["request_id"] = request_id
    status = getattr(record, "status_code", None)
    if isinstance(status, int):
        fields["status"] = status
    return fields
