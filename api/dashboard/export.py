"""The CSV export of the log's entries (their redacted text) for a period and a plan, for a
spreadsheet: UTF-8 with a byte-order mark and « ; » between fields (what Excel set up in French
opens in columns), a header row, latencies in whole milliseconds (no decimal separator to
misread). A cell that a spreadsheet would run as a formula (it starts with =, +, -, @, a tab or a
carriage return) is prefixed with an apostrophe: the questions are typed by the public.

Times: ``heure_locale`` (first column) is the answer's hour in the organisation's time zone, the
log's (standard time in winter, daylight time in summer where the zone has one), as
``AAAA-MM-JJ HH:MM``, what a spreadsheet reads as a date; ``heure_utc`` (last column) is the same
hour in UTC, ISO 8601, for the one autumn hour that local time names twice. The log keeps hours
only (rounded down). ``reponse_donnee`` is the first line the citizen read (redacted like the
question), ``tour`` the answer's place in its conversation."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import UTC, tzinfo

from assistant.questionlog.records import LoggedAnswer
from assistant.questionlog.report import COVERAGE_LABELS, REASON_LABELS

BOM = "\ufeff"
DELIMITER = ";"
HEADER = (
    "heure_locale",
    "reponse",
    "conversation",
    "question",
    "langue",
    "intention",
    "couverture",
    "references",
    "plans",
    "latence_ms",
    "build",
    "origine",
    "avis",
    "raison",
    "commentaire",
    "reponse_donnee",
    "tour",
    "heure_utc",
)
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def safe(value: object) -> str:
    """A cell's text, never read as a formula by a spreadsheet."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA) else text


def row(item: LoggedAnswer, zone: tzinfo) -> list[str]:
    """One entry's cells, its hour first in ``zone`` (the log's)."""
    e, fb = item.entry, item.feedback
    vote = "" if fb is None else ("utile" if fb.helpful else "inutile")
    cells: list[object] = [
        e.hour.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
        e.answer_id,
        e.conversation_id or "",
        e.question,
        e.language,
        e.intent,
        COVERAGE_LABELS.get(e.coverage, e.coverage),
        " ".join(e.refs),
        " ".join(e.plan_ids),
        round(e.latency_ms),
        e.build_id,
        e.origin or "",
        vote,
        REASON_LABELS.get(fb.reason, fb.reason) if fb is not None and fb.reason else "",
        (fb.comment or "") if fb is not None else "",
        e.lead or "",
        e.turn or "",
        e.hour.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ"),
    ]
    return [safe(c) for c in cells]


def _take(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def csv_lines(items: Iterable[LoggedAnswer], zone: tzinfo, chunk: int = 200) -> Iterator[str]:
    """The export, ``chunk`` rows at a time (the entries are read in chunks, never all at once), its
    local hours in ``zone`` (the log's)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=DELIMITER, lineterminator="\r\n")
    writer.writerow(HEADER)
    yield BOM + _take(buffer)
    pending = 0
    for item in items:
        writer.writerow(row(item, zone))
        pending += 1
        if pending == chunk:
            yield _take(buffer)
            pending = 0
    if pending:
        yield _take(buffer)
