"""The feedback page and the class report of a submission full of markup, in a real browser.

Debian's headless Chromium loads each page from disk; every piece of markup in the
submission tries to run ``document.title='PWNED'`` or to add an element with id
``pwned``. The DOM Chromium dumps after loading must show neither, and its visible
text must show the markup as text. Two control pages prove that this harness does
see a script that runs, and that Chromium honours the pages' Content-Security-Policy.
"""

from __future__ import annotations

import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import nbformat
import pytest
from markup import IFRAME, IMG, PWN, SCRIPT, SVG
from nbformat.v4 import new_code_cell, new_markdown_cell
from test_grade_report import EVIL_FILE, EVIL_STUDENT, markup_class
from test_grade_report import SCRIPT as REPORT_SCRIPT

from cnn_course.course import CourseDirectory
from cnn_course.grade.assignment import build_pack
from cnn_course.grade.batch import kernel_env
from cnn_course.grade.jobs import Job
from cnn_course.grade.report import CSP
from cnn_course.grade.report_html import write_html_report
from cnn_course.grade.worker import grade_submission

CHROMIUM = Path("/usr/bin/chromium")
FILES = Path(__file__).with_name("files")
STUDENT_CODE = f"""\
from IPython.display import HTML, SVG, Javascript, Markdown, display
display(HTML({SCRIPT + IMG + IFRAME!r}))
display(Javascript({PWN!r}))
display(Markdown({"**md** " + SCRIPT!r}))
display(SVG({SVG!r}))
print({SCRIPT!r})
print("A" * 5_000_000)
"""
# TensorFlow 2.21 prints these on import where oneDNN is on (AVX-512 CPUs): written here
# by the student's cell itself, so the test does not depend on the CPU that runs it.
STARTUP_LINES = (
    "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n"
    "I0000 00:00:1796526861.843727    5670 port.cc:153] oneDNN custom operations are on. "
    "You may see slightly different numerical results due to floating-point round-off "
    "errors from different computation orders. To turn them off, set the environment "
    "variable `TF_ENABLE_ONEDNN_OPTS=0`.\n"
)
# Hex in the source, so that only the output could show the lines.
STDERR_CODE = f"""\
import sys
sys.stderr.write(bytes.fromhex({STARTUP_LINES.encode().hex()!r}).decode())
sys.stderr.write("aviso del estudiante\\n")
sys.stderr.flush()
"""
COURSE_MARKDOWN = """\
## Entorno de ejecución

**Objetivo.** Calcular el tamaño de salida:

| capa | salida |
|---|---|
| Conv2D | 26 × 26 × 32 |

$$O = \\frac{N + 2P - F}{S} + 1$$
"""
HOSTILE_MARKDOWN = (
    f"$\\text{{{SCRIPT}}}$ $\\text{{{IMG}}}$ [a](data:text/html,{SCRIPT}) "
    f"![b](javascript:{PWN}) <math><mtext>{SCRIPT}</mtext></math>"
)


# ---------------------------------------------------------------- the browser


class Page(HTMLParser):
    """A dumped DOM: its title, tags with their attributes, and visible text."""

    def __init__(self, dom: str):
        super().__init__()
        self.title, self.tags, self.text = "", [], []
        self._in = []
        self.feed(dom)
        self.visible = "".join(self.text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in.append(tag)

    def handle_endtag(self, tag):
        while self._in and self._in.pop() != tag:
            pass

    def handle_data(self, data):
        if "title" in self._in:
            self.title += data
        elif not {"style", "script"} & set(self._in):
            self.text.append(data)


def chromium(tmp_path: Path, page: Path, *flags: str) -> str:
    """Run headless Chromium on ``page`` (a local file); its stdout."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} not found: these tests need Debian's chromium "
            "(`apt-get install chromium`, as the project's Makefile does)."
        )
    cmd = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
        "--virtual-time-budget=3000",  # let timers and load handlers run, if any could
        *flags,
        page.resolve().as_uri(),
    ]
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stderr[-3000:]
    return run.stdout


def load(tmp_path: Path, page: Path) -> Page:
    dom = chromium(tmp_path, page, "--dump-dom")
    assert "<body" in dom, dom[:2000]
    return Page(dom)


def assert_no_script_ran(page: Page, ours: frozenset = frozenset()) -> None:
    """Nothing the markup would do if it ran; no element that could run or load anything
    (but ``ours``: the report draws its histogram in SVG)."""
    assert "PWNED" not in page.title
    assert not any(attrs.get("id") == "pwned" for _, attrs in page.tags)
    tags = {t for t, _ in page.tags} - ours
    assert not tags & {"script", "iframe", "object", "embed", "svg", "form", "base"}, tags
    handlers = [(t, k) for t, attrs in page.tags for k in attrs if k.startswith("on")]
    assert handlers == []
    for tag, attrs in page.tags:
        for key in ("src", "href"):
            value = attrs.get(key) or ""
            assert not value.lower().startswith("javascript:"), (tag, value)
            if tag == "img":
                assert value.startswith("data:image/"), value


def screenshot(tmp_path: Path, page: Path) -> Path:
    from PIL import Image

    shot = tmp_path / f"{page.stem}.png"
    chromium(tmp_path, page, f"--screenshot={shot}", "--window-size=1280,2400", "--hide-scrollbars")
    with Image.open(shot) as img:
        lo, hi = img.convert("L").getextrema()
        assert img.size == (1280, 2400) and hi - lo > 100  # something drawn, not a blank page
    return shot


# ---------------------------------------------------------------- controls


def test_the_harness_sees_a_script_run_and_the_policy_stop_it(tmp_path):
    bare = tmp_path / "bare.html"
    bare.write_text(
        f"<!DOCTYPE html><html><head><title>t</title></head><body>{IMG}{SCRIPT}</body></html>"
    )
    page = load(tmp_path, bare)
    assert page.title == "PWNED" and any(a.get("id") == "pwned" for _, a in page.tags)

    guarded = tmp_path / "guarded.html"
    guarded.write_text(
        f'<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="{CSP}">'
        f"<title>t</title></head><body>{IMG}{SCRIPT}</body></html>"
    )
    page = load(tmp_path, guarded)
    assert page.title == "t" and not any(a.get("id") == "pwned" for _, a in page.tags)


# ---------------------------------------------------------------- the real pages


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """A submission with markup in its outputs and a markdown cell, graded by the worker."""
    pack = build_pack(
        "00_tiny", tmp_path_factory.mktemp("cache"), course=CourseDirectory(FILES / "course")
    )
    nb = nbformat.read(FILES / "submitted-clean.ipynb", as_version=4)
    at = next(i for i, c in enumerate(nb.cells) if c.get("id") == "square") + 1
    nb.cells[at:at] = [
        new_markdown_cell(f"# Mi respuesta\n\n{SCRIPT}{IMG}{IFRAME}\n\n[enlace](javascript:x)"),
        new_code_cell(STUDENT_CODE),
        new_markdown_cell(COURSE_MARKDOWN),
        new_markdown_cell(HOSTILE_MARKDOWN),
        new_code_cell(STDERR_CODE),
    ]
    job = Job(
        student="markup",
        filename=EVIL_FILE,
        data=nbformat.writes(nb).encode(),
        pack=pack,
        timeout=60,
        env=kernel_env(1),
    )
    return grade_submission(job)


@pytest.mark.notebook
def test_feedback_of_a_submission_full_of_markup_runs_no_script(graded, tmp_path):
    assert graded.status == "graded" and graded.total == 3.0, graded.log[-3000:]
    path = tmp_path / "feedback" / "markup.html"
    path.parent.mkdir()
    path.write_text(graded.feedback_html, encoding="utf-8")
    page = load(tmp_path, path)
    assert_no_script_ran(page)
    assert "Corrección de tiny" in page.title
    text = page.visible
    for markup in (SCRIPT, IMG, IFRAME, SVG, f"**md** {SCRIPT}", PWN):
        assert markup in text, markup
    # Markdown rendered: headings, a table and a formula (MathML, no script), its raw HTML
    # and its javascript: link as text.
    tags = [t for t, _ in page.tags]
    assert {"h1", "h2", "table", "th", "td", "strong", "math", "mfrac"} <= set(tags)
    assert "# Mi respuesta" not in text and "## Entorno" not in text and "|---|" not in text
    assert "Entorno de ejecución" in text and "[enlace](javascript:x)" in text
    assert not any(t == "a" and "data:" in a.get("href", "") for t, a in page.tags)
    # TensorFlow's start-up lines are gone from what the kernel printed; the rest stays.
    assert "aviso del estudiante" in text
    assert "oneDNN custom operations" not in text and "absl::InitializeLog" not in text
    # print(SCRIPT) and the 5 MB line are one stream output of 5 000 124 bytes.
    assert re.search(r"salida recortada: .*[\d ]+ bytes de 5 000 \d{3}\b", text)
    assert "A" * 30_000 not in graded.feedback_html
    screenshot(tmp_path, path)


@pytest.mark.notebook
def test_class_report_with_markup_runs_no_script_and_links_the_feedback(graded, tmp_path):
    (tmp_path / "feedback").mkdir()
    results = [graded, *markup_class()]
    for r in results:
        (tmp_path / "feedback" / f"{r.student}.html").write_text("<p>ok</p>")
    path = tmp_path / "informe.html"
    write_html_report(path, "00_tiny", results, 30.0, 2)
    page = load(tmp_path, path)
    assert_no_script_ran(page, ours=frozenset({"svg"}))
    text = page.visible
    assert EVIL_STUDENT in text and EVIL_FILE in text and REPORT_SCRIPT in text
    assert "Pendiente de corrección manual" in text and "Distribución de notas" in text
    links = [
        a["href"] for t, a in page.tags if t == "a" and a.get("href", "").startswith("feedback/")
    ]
    assert links, "no link to a feedback page"
    assert "feedback/markup.html" in links
    for href in links:  # every link opens a page that exists
        assert (tmp_path / unquote(href)).is_file(), href
    screenshot(tmp_path, path)
