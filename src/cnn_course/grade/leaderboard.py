"""The class leaderboard of a challenge: ``leaderboard.csv`` and ``leaderboard.html`` beside
grades.csv, ranked by what the grader measured, never by what a notebook printed.

A session's judge may attach figures to a verdict (``Outcome.measure``: accuracy on the
teacher's images, parameters, band...). They travel in each submission's
:class:`~cnn_course.grade.jobs.Result` (``measures``), in a local pool and through Dask
alike; this module writes the table from the results. Submissions that broke a rule of the challenge, or
that the grader could not measure, are listed after the ranked ones, without a rank.

The HTML page is sortable without a script: one copy of the table per order, shown by
the URL fragment (``#por-exactitud``, ``#por-parametros``, ...) with CSS ``:target``,
so the page keeps the grader's Content-Security-Policy (no script at all). Every value
is escaped.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

from cnn_course.fmt import number
from cnn_course.grade.report_html import NAME_LIMIT, esc, page_start
from cnn_course.messages import msg


@dataclass(frozen=True)
class Entry:
    """One student's line: the grader's figures (None where not measured)."""

    student: str
    accuracy: float | None = None
    params: int | None = None
    train_seconds: float | None = None
    band: int | None = None
    bands: int | None = None
    broken: tuple[str, ...] = ()
    """keys of the challenge rules the model broke"""

    @property
    def ranked(self) -> bool:
        return self.accuracy is not None and not self.broken


def _number(value, kind=float):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    value = kind(value)
    return value if math.isfinite(value) else None


def entry_from(student: str, measures: dict) -> Entry:
    """An :class:`Entry` from a judge's measurements (the cell that measured accuracy wins)."""
    found = (
        [v for v in measures.values() if isinstance(v, dict)] if isinstance(measures, dict) else []
    )
    merged: dict = {}
    for value in sorted(found, key=lambda v: "accuracy" in v):
        merged.update(value)
    broken = merged.get("broken", [])
    broken = tuple(str(b)[:40] for b in broken) if isinstance(broken, list) else ()
    return Entry(
        student,
        accuracy=_number(merged.get("accuracy")),
        params=_number(merged.get("params"), int),
        train_seconds=_number(merged.get("train_seconds")),
        band=_number(merged.get("band"), int),
        bands=_number(merged.get("bands"), int),
        broken=broken,
    )


def ranking(entries: list[Entry]) -> list[Entry]:
    """Ranked entries first: higher accuracy, then fewer parameters, then name; the rest after,
    by name."""
    ranked = sorted(
        (e for e in entries if e.ranked),
        key=lambda e: (-e.accuracy, e.params if e.params is not None else math.inf, e.student),
    )
    rest = sorted((e for e in entries if not e.ranked), key=lambda e: e.student)
    return ranked + rest


def _status(entry: Entry) -> str:
    if entry.broken:
        return msg("grade.leaderboard.excluded", rules=", ".join(entry.broken))
    if entry.accuracy is None:
        return msg("grade.leaderboard.unmeasured")
    return msg("grade.leaderboard.ranked")


def _band(entry: Entry) -> str:
    if entry.band is None:
        return ""
    return f"{entry.band}/{entry.bands}" if entry.bands else str(entry.band)


def write_csv(path: Path, entries: list[Entry]) -> None:
    """leaderboard.csv: rank (empty when unranked), student, the figures, status."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["rank", "student", "accuracy", "params", "train_seconds", "band", "status"])
        rank = 0
        for e in ranking(entries):
            rank += e.ranked
            w.writerow(
                [
                    rank if e.ranked else "",
                    e.student,
                    "" if e.accuracy is None else f"{e.accuracy:.4f}",
                    "" if e.params is None else e.params,
                    "" if e.train_seconds is None else f"{e.train_seconds:.1f}",
                    _band(e),
                    _status(e),
                ]
            )


# ---------------------------------------------------------------- the page
VIEWS = (
    # (fragment id, column key, sort key of the ranked entries)
    ("por-exactitud", "accuracy", None),
    ("por-alumno", "student", lambda e: e.student),
    ("por-parametros", "params", lambda e: (e.params is None, e.params or 0, e.student)),
    (
        "por-segundos",
        "train_seconds",
        lambda e: (e.train_seconds is None, e.train_seconds or 0.0, e.student),
    ),
)
COLUMNS = ("rank", "student", "accuracy", "params", "train_seconds", "band", "status")

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 70em; padding: 0 1em;
       color: #222; line-height: 1.4; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; }
th { background: #f2f2f2; }
th a { color: inherit; }
th.sorted { background: #dde8f3; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.unranked td { color: #777; }
section.view { display: none; }
section.view:target { display: block; }
body:not(:has(section.view:target)) #por-exactitud { display: block; }
"""


def _cells(entry: Entry, rank: int | None) -> str:
    values = {
        "rank": "" if rank is None else str(rank),
        "student": esc(entry.student, NAME_LIMIT),
        "accuracy": "" if entry.accuracy is None else esc(number(entry.accuracy, 4)),
        "params": "" if entry.params is None else esc(number(entry.params)),
        "train_seconds": "" if entry.train_seconds is None else esc(number(entry.train_seconds, 1)),
        "band": esc(_band(entry)),
        "status": esc(_status(entry)),
    }
    numeric = {"rank", "accuracy", "params", "train_seconds"}
    return "".join(
        f'<td class="num">{values[c]}</td>' if c in numeric else f"<td>{values[c]}</td>"
        for c in COLUMNS
    )


def _view(view_id: str, column: str, order, entries: list[Entry]) -> str:
    by_rank = ranking(entries)
    ranks = {}
    for i, e in enumerate([e for e in by_rank if e.ranked], start=1):
        ranks[e.student] = i
    shown = by_rank
    if order is not None:
        shown = sorted((e for e in by_rank if e.ranked), key=order)
        shown += [e for e in by_rank if not e.ranked]
    sortable = {v[1]: v[0] for v in VIEWS}
    head = []
    for c in COLUMNS:
        label = esc(msg(f"grade.leaderboard.{c}"))
        css = ' class="sorted"' if c == column else ""
        if c in sortable:
            label = f'<a href="#{sortable[c]}">{label}</a>'
        head.append(f"<th{css}>{label}</th>")
    rows = []
    for e in shown:
        css = "" if e.ranked else ' class="unranked"'
        rows.append(f"<tr{css}>{_cells(e, ranks.get(e.student))}</tr>")
    caption = esc(msg("grade.leaderboard.sorted_by", column=msg(f"grade.leaderboard.{column}")))
    return (
        f'<section class="view" id="{view_id}"><table><caption>{caption}</caption>'
        f"<thead><tr>{''.join(head)}</tr></thead><tbody>{''.join(rows)}</tbody></table></section>"
    )


def html_page(assignment: str, entries: list[Entry]) -> str:
    """The whole page: title, what decides the rank, and one table per order."""
    out = page_start(esc(msg("grade.leaderboard.title", assignment=assignment)), _STYLE)
    out.append(f"<p>{esc(msg('grade.leaderboard.about'))}</p>")
    out += [_view(view_id, column, order, entries) for view_id, column, order in VIEWS]
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def write(out: Path, assignment: str, entries: list[Entry]) -> None:
    """``leaderboard.csv`` and ``leaderboard.html`` in ``out``."""
    write_csv(Path(out) / "leaderboard.csv", entries)
    (Path(out) / "leaderboard.html").write_text(html_page(assignment, entries), encoding="utf-8")


def write_from_results(out: Path, assignment: str, results: list) -> bool:
    """Write the leaderboard when the session's judge measured anything; True if written."""
    measures = {r.student: getattr(r, "measures", {}) or {} for r in results}
    if not any(measures.values()):
        return False
    write(out, assignment, [entry_from(s, m) for s, m in measures.items()])
    return True


__all__ = ["Entry", "entry_from", "ranking", "write", "write_from_results"]
