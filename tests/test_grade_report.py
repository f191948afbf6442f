"""Tests for `cnn_course.grade.report_html`: the teacher's class report, ``informe.html``.

Results are built here (no nbgrader): the report is a pure function of them.
``markup_class`` is reused by tests/test_browser.py.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from cnn_course.grade.findings import Finding
from cnn_course.grade.jobs import Result
from cnn_course.grade.report_html import (
    ANSWER_LIMIT,
    histogram_bins,
    html_report,
    question_means,
    write_html_report,
)

PWN = "document.title='PWNED'"
SCRIPT = f"<script>{PWN}</script>"
EVIL_STUDENT = f'<img src=x onerror="{PWN}">'
EVIL_FILE = "<b>x</b>.ipynb"
POINTS = {"test-square": 1.0, "test-cube": 2.0, "why": 2.0}


def result(student: str, scores: dict, findings=(), manual=(), isolated=True, filename=""):
    return Result(
        student,
        filename or f"{student}.ipynb",
        dict(scores),
        dict(POINTS),
        list(findings),
        "",
        "graded",
        manual=list(manual),
        isolated=isolated,
    )


def markup_class() -> list[Result]:
    """Four students: clean, flagged with markup everywhere, repaired, and hand-grading pending."""
    return [
        result("ana", {"test-square": 1.0, "test-cube": 2.0, "why": 2.0}),
        result(
            EVIL_STUDENT,
            {"test-square": 0.0, "test-cube": 2.0, "why": 0.0},
            findings=[
                Finding(
                    "suspicious_code",
                    "n.º 4",
                    {"position": "n.º 4", "reason": "usa importlib", "line": SCRIPT},
                ),
                Finding(
                    "extra_submission", EVIL_STUDENT, {"files": EVIL_FILE, "chosen": EVIL_FILE}
                ),
            ],
            manual=[
                {
                    "grade_id": "why",
                    "answer": f"Mi respuesta {SCRIPT}\n" + "x" * 9000,
                    "max_points": 2.0,
                }
            ],
            isolated=False,
            filename=EVIL_FILE,
        ),
        result(
            "luis",
            {"test-square": 1.0, "test-cube": 0.0, "why": 1.0},
            findings=[Finding("deleted_cell", "test-cube", repaired=True)],
        ),
        result(
            "eva",
            {"test-square": 1.0, "test-cube": 2.0, "why": 0.0},
            manual=[{"grade_id": "why", "answer": "", "max_points": 2.0}],
        ),
    ]


class _Text(HTMLParser):
    """Visible text and the tags of a page."""

    def __init__(self):
        super().__init__()
        self.text, self.tags, self._skip = [], [], 0

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._skip += tag in ("style", "title")

    def handle_endtag(self, tag):
        self._skip -= tag in ("style", "title")

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)


def parse(page: str) -> _Text:
    p = _Text()
    p.feed(page)
    return p


def test_report_has_every_section_and_the_policy(tmp_path):
    path = tmp_path / "informe.html"
    write_html_report(path, "00_tiny", markup_class(), 12.0, 2)
    page = path.read_text(encoding="utf-8")
    text = " ".join(parse(page).text)
    assert "default-src 'none'" in page and "script-src" not in page
    for heading in (
        "Distribución de notas",
        "Media por apartado",
        "Notas",
        "Entregas con incidencias",
        "Pendiente de corrección manual",
        "Entregas sin incidencias",
    ):
        assert heading in text
    assert "<svg" in page and page.count("<rect") == 5  # 5 bins of one point (max 5)
    assert 'id="not-isolated"' in page and "SIN aislamiento" in text


def test_everything_from_a_submission_is_text():
    page = html_report("00_tiny", markup_class())
    tags = parse(page).tags
    assert {t for t, _ in tags} <= {
        "html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "h4", "p", "svg",
        "line", "rect", "text", "table", "tr", "th", "td", "div", "a", "section", "ul", "li",
        "code", "pre", "span",
    }  # fmt: skip
    assert not any(k.startswith("on") for _, attrs in tags for k in attrs)
    text = "".join(parse(page).text)
    assert SCRIPT in text and EVIL_STUDENT in text and EVIL_FILE in text
    assert "&lt;script&gt;" in page


def test_flagged_and_repaired_submissions_link_to_their_feedback():
    page = html_report("00_tiny", markup_class())
    flagged = re.findall(r'<section class="student flagged">.*?</section>', page, re.S)
    assert len(flagged) == 2  # the one with markup and the repaired one; not ana, not eva
    assert 'href="feedback/luis.html"' in flagged[1] and "(reparado)" in flagged[1]
    assert "test-cube" in flagged[1]
    href = re.search(r'href="([^"]+)"', flagged[0]).group(1)
    assert (
        href == "feedback/%3Cimg%20src%3Dx%20onerror%3D%22document.title%3D%27PWNED%27%22%3E.html"
    )


def test_pending_answers_are_listed_and_long_ones_cut():
    page = html_report("00_tiny", markup_class())
    manual = re.findall(r'<section class="student manual">.*?</section>', page, re.S)
    assert len(manual) == 2 and "eva" in manual[1] and "respuesta vacía" in manual[1]
    assert "Mi respuesta &lt;script&gt;" in manual[0] and "2 puntos" in manual[0]
    assert "x" * ANSWER_LIMIT not in manual[0] and "recortado" in manual[0]


def test_means_per_question_leave_pending_answers_out():
    means = {gid: (round(mean, 3), top, n) for gid, mean, top, n in question_means(markup_class())}
    assert means["test-square"] == (0.75, 1.0, 4)
    assert means["why"] == (1.5, 2.0, 2)  # ana 2 and luis 1; the two pending are not counted


def test_histogram_bins():
    assert [c for *_, c in histogram_bins([0, 1, 3, 3, 3], 3)] == [1, 1, 3]
    assert len(histogram_bins([50.0], 100.0)) == 10
    assert histogram_bins([], 0) == []


def test_no_results_still_writes_a_page():
    page = html_report("00_tiny", [])
    assert "Ninguna." in page and "<svg" not in page
