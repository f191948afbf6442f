"""What the grader writes: grades.csv, the teacher's report, the table on screen and plain feedback.

The HTML class report (``informe.html``) is in :mod:`cnn_course.grade.report_html`.
"""

from __future__ import annotations

import csv
import html
import json
from pathlib import Path

from cnn_course.grade.findings import Finding
from cnn_course.messages import msg

CSP = (
    "default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
    "base-uri 'none'; form-action 'none'"
)
"""Content-Security-Policy of every page the grader writes: no script at all."""
_CSP_META = f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
# Markdown punctuation that could start markup (links, emphasis, code, tables).
_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]()|~!#"})
_MD_LIMIT = 1000
"""Characters of one value the Markdown report quotes."""


def md_text(value: object, limit: int = _MD_LIMIT) -> str:
    """``value`` as inert Markdown text on one line: no HTML, no link, no emphasis."""
    text = " ".join(str(value).split())
    if len(text) > limit:
        text = text[:limit] + " " + msg("grade.report.truncated", shown=limit, size=len(text))
    return html.escape(text.translate(_MD_SPECIAL), quote=False)


def problems(findings: list[Finding]) -> str:
    """The ``problemas`` column: short Spanish labels, each once, in the order found."""
    labels = []
    for f in findings:
        label = f.label()
        if label not in labels:
            labels.append(label)
    return "; ".join(labels)


def fmt(points: float) -> str:
    """Points as the teacher reads them: 2, 1.5."""
    return f"{points:g}"


def write_grades_csv(path: Path, results: list, grade_ids: list[str]) -> None:
    """grades.csv: student, file, points per grade cell, total, max, status, problems."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["student", "file", *grade_ids, "total", "max", "status", "problems"])
        for r in results:
            w.writerow(
                [
                    r.student,
                    r.filename,
                    *(fmt(r.scores.get(g, 0.0)) for g in grade_ids),
                    fmt(r.total),
                    fmt(r.max_total),
                    r.status,
                    problems(r.findings),
                ]
            )


def write_results_json(path: Path, results: list) -> None:
    """Every result without the feedback HTML, for scripts and tests."""
    data = [
        {
            "student": r.student,
            "file": r.filename,
            "scores": r.scores,
            "max_scores": r.max_scores,
            "total": r.total,
            "max": r.max_total,
            "status": r.status,
            "findings": [f.to_dict() for f in r.findings],
            "manual": list(getattr(r, "manual", [])),
            "isolated": getattr(r, "isolated", True),
            "bounded": getattr(r, "bounded", True),
        }
        for r in results
    ]
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def table(results: list, grade_ids: list[str]) -> str:
    """The grade table printed at the end of a batch."""
    short = [g.removeprefix("test-")[:10] for g in grade_ids]
    width = max([len("student"), *(len(r.student) for r in results)])
    head = f"{'student':<{width}}  " + " ".join(f"{s:>10}" for s in short)
    head += f" {'total':>7}  problems"
    lines = [head, "-" * len(head)]
    for r in results:
        cells = " ".join(f"{fmt(r.scores.get(g, 0.0)):>10}" for g in grade_ids)
        total = f"{fmt(r.total)}/{fmt(r.max_total)}"
        lines.append(f"{r.student:<{width}}  {cells} {total:>7}  {problems(r.findings)}")
    return "\n".join(lines)


def write_report(path: Path, assignment: str, results: list, seconds: float, workers: int) -> None:
    """The teacher's report (Markdown): a summary, then every flagged submission with its reasons.

    Every value from a submission (names, file names, messages quoting code) goes
    through :func:`md_text`: Markdown viewers render raw HTML. The HTML report
    (:func:`cnn_course.grade.report_html.write_html_report`) has the charts.
    """
    graded = [r for r in results if r.status == "graded"]
    max_score = max((r.max_total for r in results), default=0.0)
    flagged = [r for r in results if r.findings]
    mean = sum(r.total for r in results) / len(results) if results else 0.0
    out = [f"# {md_text(msg('grade.report.title', assignment=assignment))}", ""]
    unisolated = [r for r in results if not getattr(r, "isolated", True)]
    if unisolated:
        out += [f"**{md_text(msg('grade.report.not_isolated', count=len(unisolated)))}**", ""]
    unbounded = [r for r in results if not getattr(r, "bounded", True)]
    if unbounded:
        out += [f"**{md_text(msg('grade.report.not_bounded', count=len(unbounded)))}**", ""]
    out.append(
        msg(
            "grade.report.summary",
            graded=len(graded),
            total=len(results),
            mean=mean,
            max_score=max_score,
            flagged=len(flagged),
            seconds=seconds,
            workers=workers,
        )
    )
    out += [
        "",
        f"## {msg('grade.report.grades')}",
        "",
        f"| {msg('grade.report.student')} | {msg('grade.report.score')} "
        f"| {msg('grade.report.problems')} |",
        "|---|---|---|",
    ]
    out += [
        f"| {md_text(r.student)} | {fmt(r.total)} / {fmt(r.max_total)} "
        f"| {md_text(problems(r.findings)) or '—'} |"
        for r in results
    ]
    out += ["", f"## {msg('grade.report.flagged')}", ""]
    if not flagged:
        out.append(msg("grade.report.none"))
    for r in flagged:
        out.append(
            f"### {md_text(r.student)} ({fmt(r.total)} / {fmt(r.max_total)}): {md_text(r.filename)}"
        )
        out.append("")
        for f in r.findings:
            mark = f" *({msg('grade.report.repaired')})*" if f.repaired else ""
            out.append(f"- {md_text(f.message())}{mark}")
        out.append("")
    pending = [(r, m) for r in results for m in getattr(r, "manual", [])]
    if pending:
        out += [f"## {msg('grade.report.manual')}", ""]
        for r, m in pending:
            points = msg("grade.report.manual_points", points=float(m.get("max_points", 0)))
            out.append(
                f"- {md_text(r.student)}, {md_text(m.get('grade_id', ''))} ({points}): "
                f"{md_text(m.get('answer', '')) or msg('grade.report.empty_answer')}"
            )
        out.append("")
    out += [f"## {msg('grade.report.clean')}", ""]
    clean = [r for r in results if not r.findings]
    out.append(
        ", ".join(f"{md_text(r.student)} ({fmt(r.total)})" for r in clean)
        or msg("grade.report.none")
    )
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


def fallback_feedback(
    notebook: str,
    findings: list[Finding],
    points: dict[str, float],
    scores: dict[str, float] | None = None,
) -> str:
    """A plain Spanish feedback page for a submission nbgrader could not give feedback on."""
    scores = scores or dict.fromkeys(points, 0.0)
    rows = "".join(
        f"<tr><td><code>{html.escape(g)}</code></td><td>{fmt(scores.get(g, 0.0))} / {fmt(p)}</td></tr>"
        for g, p in points.items()
    )
    items = "".join(f"<li>{html.escape(f.message())}</li>" for f in findings)
    total = sum(scores.get(g, 0.0) for g in points)
    title = html.escape(msg("grade.feedback.title", notebook=notebook))
    return (
        f'<!DOCTYPE html>\n<html lang="es"><head><meta charset="utf-8">{_CSP_META}'
        f"<title>{title}</title></head><body>"
        f"<h1>{title}</h1><p>{html.escape(msg('grade.feedback.not_graded'))}</p>"
        f"<h2>{html.escape(msg('grade.feedback.findings'))}</h2><ul>{items}</ul>"
        f"<table><tr><th>Apartado</th><th>Puntos</th></tr>{rows}"
        f"<tr><th>Total</th><th>{fmt(total)} / {fmt(sum(points.values()))}</th></tr></table>"
        "</body></html>\n"
    )
