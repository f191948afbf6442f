"""The teacher's class report as one self-contained HTML page: ``informe.html`` beside grades.csv.

A grade histogram and the mean of each question (inline SVG and CSS, no script),
every flagged or repaired submission with its reasons and a link to its feedback
page, and the answers waiting to be graded by hand. Every value that comes from a
submission (names, file names, messages quoting code, answers) is escaped with
:func:`html.escape` and cut to a length that says so, and the page carries the
grader's Content-Security-Policy: it cannot run a script, ours or anybody's.
"""

from __future__ import annotations

import html
from pathlib import Path
from urllib.parse import quote

from cnn_course.fmt import number
from cnn_course.grade.report import CSP, fmt, problems
from cnn_course.messages import msg

NAME_LIMIT = 200
"""Characters of a student id or file name shown."""
MESSAGE_LIMIT = 2000
"""Characters of one finding's message shown."""
ANSWER_LIMIT = 4000
"""Characters of a hand-graded answer shown."""

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 70em; padding: 0 1em;
       color: #222; line-height: 1.4; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
th { background: #f2f2f2; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.warn { background: #fdecea; border-left: 4px solid #d2413a; padding: 0.6em 1em; font-weight: bold; }
.bar { background: #4a7fb5; height: 0.9em; }
.barbox { width: 12em; background: #eee; }
.repaired { color: #2b7a2b; font-style: italic; }
.note { color: #777; font-style: italic; }
pre { white-space: pre-wrap; word-break: break-word; background: #f7f7f7; padding: 0.5em;
      border: 1px solid #e3e3e3; margin: 0.3em 0 1em; }
section.student { border-top: 1px solid #ddd; margin-top: 1em; }
svg text { font-size: 12px; fill: #333; }
"""


def esc(value: object, limit: int = 0) -> str:
    """``value`` as HTML text; past ``limit`` characters cut, with a Spanish note."""
    text = str(value)
    if limit and len(text) > limit:
        note = msg("grade.report.truncated", shown=limit, size=len(text))
        return f'{html.escape(text[:limit])}<span class="note">{html.escape(note)}</span>'
    return html.escape(text)


def feedback_href(student: str) -> str:
    """Relative link to the student's page as :mod:`cnn_course.grade.batch` writes it."""
    from cnn_course.grade.outputs import FEEDBACK_DIR

    return html.escape(f"{FEEDBACK_DIR}/{quote(f'{student}.html', safe='')}")


def histogram_bins(totals: list[float], max_score: float) -> list[tuple[float, float, int]]:
    """(low, high, count) per bin: one per point up to 20 points, else ten; the last is closed."""
    if max_score <= 0:
        return []
    n = int(max_score) if float(max_score).is_integer() and max_score <= 20 else 10
    width = max_score / n
    counts = [0] * n
    for t in totals:
        counts[min(n - 1, max(0, int(t / width)))] += 1
    return [(i * width, (i + 1) * width, c) for i, c in enumerate(counts)]


def histogram_svg(totals: list[float], max_score: float) -> str:
    """The grade histogram as inline SVG (a bar per bin, its count on top)."""
    bins = histogram_bins(totals, max_score)
    if not bins:
        return ""
    top = max(c for _, _, c in bins) or 1
    bar_w, gap, plot_h, left, base = 44, 8, 160, 30, 190
    width = left + len(bins) * (bar_w + gap) + 10
    title = esc(msg("grade.report.histogram_alt"))
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{base + 40}" '
        f'role="img" aria-label="{title}"><title>{title}</title>',
        f'<line x1="{left - 4}" y1="{base}" x2="{width - 5}" y2="{base}" stroke="#888"/>',
    ]
    for i, (low, high, count) in enumerate(bins):
        x = left + i * (bar_w + gap)
        h = round(plot_h * count / top)
        label = f"{fmt(round(low, 2))}–{fmt(round(high, 2))}"
        out.append(
            f'<rect x="{x}" y="{base - h}" width="{bar_w}" height="{h}" fill="#4a7fb5">'
            f"<title>{esc(label)}: {count}</title></rect>"
        )
        out.append(
            f'<text x="{x + bar_w / 2}" y="{base - h - 4}" text-anchor="middle">{count}</text>'
        )
        out.append(
            f'<text x="{x + bar_w / 2}" y="{base + 16}" text-anchor="middle">{esc(label)}</text>'
        )
    out.append(
        f'<text x="{left}" y="{base + 34}">{esc(msg("grade.report.score"))} '
        f"(0–{esc(fmt(max_score))})</text></svg>"
    )
    return "\n".join(out)


def question_means(results: list) -> list[tuple[str, float, float, int]]:
    """(grade id, mean points, max points, submissions counted) per question.

    An answer still waiting for the teacher is left out of its question's mean.
    """
    ids: dict[str, float] = {}
    for r in results:
        for gid, top in r.max_scores.items():
            ids.setdefault(gid, top)
    rows = []
    for gid, top in ids.items():
        scored = [
            r.scores.get(gid, 0.0)
            for r in results
            if gid not in {m.get("grade_id") for m in getattr(r, "manual", [])}
        ]
        mean = sum(scored) / len(scored) if scored else 0.0
        rows.append((gid, mean, top, len(scored)))
    return rows


def _questions(results: list) -> list[str]:
    head = (
        f"<tr><th>{esc(msg('grade.report.question'))}</th><th>{esc(msg('grade.report.mean'))}</th>"
        f"<th>{esc(msg('grade.report.max'))}</th><th></th></tr>"
    )
    rows = []
    for gid, mean, top, _ in question_means(results):
        pct = 100 * mean / top if top else 0.0
        rows.append(
            f"<tr><td><code>{esc(gid, NAME_LIMIT)}</code></td>"
            f'<td class="num">{esc(number(mean, 2))}</td><td class="num">{esc(fmt(top))}</td>'
            f'<td><div class="barbox"><div class="bar" style="width:{pct:.0f}%"></div></div></td>'
            "</tr>"
        )
    return _section("grade.report.per_question", head, rows)


def _section(title_key: str, head: str, rows: list[str]) -> list[str]:
    """A titled table: its header row and its rows (already escaped)."""
    return [f"<h2>{esc(msg(title_key))}</h2>", f"<table>{head}{''.join(rows)}</table>"]


def _grades(results: list) -> list[str]:
    cols = ("student", "file", "score", "status", "problems", "feedback")
    head = "".join(f"<th>{esc(msg(f'grade.report.{c}'))}</th>" for c in cols)
    rows = []
    for r in results:
        rows.append(
            f"<tr><td>{esc(r.student, NAME_LIMIT)}</td><td>{esc(r.filename, NAME_LIMIT)}</td>"
            f'<td class="num">{esc(fmt(r.total))} / {esc(fmt(r.max_total))}</td>'
            f"<td>{esc(msg(f'grade.status.{r.status}'))}</td><td>{esc(problems(r.findings) or '—', MESSAGE_LIMIT)}</td>"
            f'<td><a href="{feedback_href(r.student)}">{esc(msg("grade.report.feedback_link"))}</a>'
            "</td></tr>"
        )
    return _section("grade.report.grades", f"<tr>{head}</tr>", rows)


def _flagged(results: list) -> list[str]:
    out = [f"<h2>{esc(msg('grade.report.flagged'))}</h2>"]
    flagged = [r for r in results if r.findings]
    if not flagged:
        out.append(f"<p>{esc(msg('grade.report.none'))}</p>")
    for r in flagged:
        items = []
        for f in r.findings:
            mark = ""
            if f.repaired:
                mark = f' <span class="repaired">({esc(msg("grade.report.repaired"))})</span>'
            items.append(f"<li>{esc(f.message(), MESSAGE_LIMIT)}{mark}</li>")
        out.append(
            f'<section class="student flagged"><h3>{esc(r.student, NAME_LIMIT)} '
            f"({esc(fmt(r.total))} / {esc(fmt(r.max_total))})</h3>"
            f"<p>{esc(msg('grade.report.file'))}: <code>{esc(r.filename, NAME_LIMIT)}</code> · "
            f'<a href="{feedback_href(r.student)}">{esc(msg("grade.report.feedback_link"))}</a></p>'
            f"<ul>{''.join(items)}</ul></section>"
        )
    return out


def _manual(results: list) -> list[str]:
    out = [f"<h2>{esc(msg('grade.report.manual'))}</h2>"]
    pending = [r for r in results if getattr(r, "manual", [])]
    if not pending:
        out.append(f"<p>{esc(msg('grade.report.none'))}</p>")
    for r in pending:
        out.append(
            f'<section class="student manual"><h3>{esc(r.student, NAME_LIMIT)}</h3>'
            f'<p><a href="{feedback_href(r.student)}">{esc(msg("grade.report.feedback_link"))}</a></p>'
        )
        for m in r.manual:
            points = msg("grade.report.manual_points", points=float(m.get("max_points", 0)))
            answer = str(m.get("answer", ""))
            shown = (
                f"<pre>{esc(answer, ANSWER_LIMIT)}</pre>"
                if answer.strip()
                else f'<p class="note">{esc(msg("grade.report.empty_answer"))}</p>'
            )
            out.append(
                f"<h4><code>{esc(m.get('grade_id', ''), NAME_LIMIT)}</code> ({esc(points)})</h4>"
                f"{shown}"
            )
        out.append("</section>")
    return out


def page_start(title: str, style: str) -> list[str]:
    """The opening of a page the grader writes: our CSP (no script runs), ``title`` (escaped
    HTML) as the page title and heading, and ``style``."""
    return [
        "<!DOCTYPE html>",
        '<html lang="es"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',  # our constant: no "
        f"<title>{title}</title><style>{style}</style></head><body>",
        f"<h1>{title}</h1>",
    ]


def html_report(assignment: str, results: list, seconds: float = 0.0, workers: int = 0) -> str:
    """The whole page."""
    graded = [r for r in results if r.status == "graded"]
    max_score = max((r.max_total for r in results), default=0.0)
    mean = sum(r.total for r in results) / len(results) if results else 0.0
    out = page_start(esc(msg("grade.report.title", assignment=assignment)), _STYLE)
    unisolated = [r for r in results if not getattr(r, "isolated", True)]
    if unisolated:
        out.append(
            f'<p class="warn" id="not-isolated">'
            f"{esc(msg('grade.report.not_isolated', count=len(unisolated)))}</p>"
        )
    unbounded = [r for r in results if not getattr(r, "bounded", True)]
    if unbounded:
        out.append(
            f'<p class="warn" id="not-bounded">'
            f"{esc(msg('grade.report.not_bounded', count=len(unbounded)))}</p>"
        )
    summary = msg(
        "grade.report.summary",
        graded=len(graded),
        total=len(results),
        mean=mean,
        max_score=max_score,
        flagged=sum(1 for r in results if r.findings),
        seconds=seconds,
        workers=workers,
    )
    out.append(f"<p>{esc(summary)}</p>")
    out += [
        f"<h2>{esc(msg('grade.report.histogram'))}</h2>",
        histogram_svg([r.total for r in results], max_score),
    ]
    out += _questions(results)
    out += _grades(results)
    out += _flagged(results)
    out += _manual(results)
    clean = [r for r in results if not r.findings]
    listed = ", ".join(f"{esc(r.student, NAME_LIMIT)} ({esc(fmt(r.total))})" for r in clean)
    out += [
        f"<h2>{esc(msg('grade.report.clean'))}</h2>",
        f"<p>{listed or esc(msg('grade.report.none'))}</p>",
        "</body></html>",
    ]
    return "\n".join(out) + "\n"


def write_html_report(
    path: Path, assignment: str, results: list, seconds: float = 0.0, workers: int = 0
) -> None:
    """Write :func:`html_report` to ``path`` (``informe.html`` beside grades.csv)."""
    Path(path).write_text(html_report(assignment, results, seconds, workers), encoding="utf-8")
