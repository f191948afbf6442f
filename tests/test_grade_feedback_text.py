"""What the student reads in feedback: TensorFlow's start-up lines dropped (and kept off the
teacher's terminal), split prints joined, tracebacks trimmed to the student's frames,
Markdown rendered safely, every cell's error kept within the output budget, the true
reason of a cell that recorded nothing, and one Spanish vocabulary in the report.

None of these depends on the CPU that runs the tests: the start-up lines are the ones
TensorFlow 2.21 printed on an AVX-512 machine, written into the outputs by the tests.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from test_grade_escaping import preprocess, render_feedback

from cnn_course import runtime, sessions
from cnn_course.course import COURSE
from cnn_course.grade import pipelines
from cnn_course.grade.findings import Finding
from cnn_course.grade.preprocessors import (
    CoalesceStreams,
    DropStartupLines,
    EscapeOutputs,
    LimitOutputBytes,
    RenderMarkdown,
    TrimTracebacks,
    cut_findings,
)
from cnn_course.grade.preprocessors.rendermarkdown import HTML_KEY, render_markdown
from cnn_course.grade.worker import _true_reason
from cnn_course.tflog import strip_startup

# As TensorFlow 2.21 printed them on import, on an AMD EPYC with AVX-512 (2026-12-06).
STARTUP = (
    "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n"
    "I0000 00:00:1796527283.506569   12826 port.cc:153] oneDNN custom operations are on. You "
    "may see slightly different numerical results due to floating-point round-off errors from "
    "different computation orders. To turn them off, set the environment variable "
    "`TF_ENABLE_ONEDNN_OPTS=0`.\n"
    "I0000 00:00:1796527283.549483   12826 cpu_feature_guard.cc:227] This TensorFlow binary is "
    "optimized to use available CPU instructions in performance-critical operations.\n"
    "To enable the following instructions: AVX2 AVX512F AVX512_VNNI AVX512_BF16 FMA, in other "
    "operations, rebuild TensorFlow with the appropriate compiler flags.\n"
)
# A student's own lines that look alike: kept.
OWN = (
    "I0000 00:00:12.5   1 mi_modelo.py:3] época 1 terminada\n"
    "WARNING: mi aviso\n"
    "oneDNN custom operations are on (lo copio del enunciado)\n"
)


# ---------------------------------------------------------------- start-up lines


def test_strip_startup_drops_exactly_the_startup_lines():
    assert strip_startup(STARTUP) == ""
    assert strip_startup(STARTUP + OWN) == OWN
    assert strip_startup(OWN + STARTUP + "fin") == OWN + "fin"


def test_drop_startup_lines_cleans_stderr_only():
    cell = new_code_cell(
        "",
        outputs=[
            new_output("stream", name="stderr", text=STARTUP),
            new_output("stream", name="stdout", text=STARTUP),  # printed: the student's
            new_output("stream", name="stderr", text=STARTUP + "aviso del estudiante\n"),
        ],
    )
    nb = preprocess(new_notebook(cells=[cell]), DropStartupLines())
    outputs = nb.cells[0].outputs
    assert [o.name for o in outputs] == ["stdout", "stderr"]
    assert outputs[0].text == STARTUP and outputs[1].text == "aviso del estudiante\n"


def test_startup_lines_never_reach_the_teachers_terminal():
    """fd 2 of the grader and of every child it starts is filtered; progress bars and the
    rest pass."""
    child = f"import os; os.write(2, {(STARTUP + 'hijo: error real' + chr(10)).encode()!r})"
    script = textwrap.dedent(
        f"""
        import subprocess, sys
        from cnn_course.tflog import StartupFilter
        with StartupFilter():
            sys.stderr.write("\\rgrading: 50%")
            sys.stderr.flush()
            subprocess.run([sys.executable, "-c", {child!r}])
            sys.stderr.write({STARTUP!r} + "padre: aviso\\n")
            sys.stderr.flush()
        sys.stderr.write("después\\n")
        """
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stderr.decode() == "\rgrading: 50%hijo: error real\npadre: aviso\ndespués\n"


@pytest.mark.notebook
def test_a_students_kernel_shows_no_startup_lines_from_the_profile_detection(monkeypatch):
    """In Jupyter, ipykernel shows what reaches fd 2 as a cell's stderr: the setup cell's
    TensorFlow import (``runtime.detect_profile``) runs inside the filter. The lines are
    written at fd level by the cell, so the test holds on any CPU."""
    from nbclient import NotebookClient

    code = (
        "import os\n"
        "from cnn_course.tflog import StartupFilter\n"
        "with StartupFilter():\n"
        f"    os.write(2, {STARTUP.encode()!r})\n"
        "    os.write(2, b'aviso propio\\n')\n"
        "import time; time.sleep(0.5)\n"
    )
    nb = new_notebook(cells=[new_code_cell(code)])
    # ipykernel shows fd-level output unless it runs under pytest: run it as in Jupyter.
    monkeypatch.delenv("PYTEST_CURRENT_TEST", raising=False)
    NotebookClient(nb, timeout=60, kernel_name="python3").execute()
    shown = "".join(o.get("text", "") for o in nb.cells[0].outputs)
    assert "aviso propio" in shown
    assert "oneDNN" not in shown and "absl::InitializeLog" not in shown
    assert "with StartupFilter():" in (Path(runtime.__file__).read_text())


# ---------------------------------------------------------------- streams and tracebacks


def test_split_prints_are_joined():
    cell = new_code_cell(
        "",
        outputs=[
            new_output("stream", name="stdout", text="OK 6"),
            new_output("stream", name="stdout", text=" True\n"),
        ],
    )
    nb = preprocess(new_notebook(cells=[cell]), CoalesceStreams())
    assert [o.text for o in nb.cells[0].outputs] == ["OK 6 True\n"]
    assert "cnn_course.grade.preprocessors.CoalesceStreams" in pipelines.FEEDBACK
    assert "cnn_course.grade.preprocessors.CoalesceStreams" in pipelines.autograde()


@pytest.fixture(scope="module")
def library_traceback():
    """A real IPython traceback: the student's function calls NumPy, which raises."""
    from nbclient import NotebookClient

    code = "import numpy as np\n\ndef f():\n    return np.reshape(np.arange(3), (2, 2))\n\nf()"
    nb = new_notebook(cells=[new_code_cell(code)])
    NotebookClient(nb, timeout=60, kernel_name="python3", allow_errors=True).execute()
    [error] = [o for o in nb.cells[0].outputs if o.output_type == "error"]
    return error


@pytest.mark.notebook
def test_tracebacks_keep_the_students_frames_and_the_exception(library_traceback):
    cell = new_code_cell("", outputs=[library_traceback])
    before = "\n".join(library_traceback.traceback)
    assert "fromnumeric" in before  # NumPy's own frames are there to drop
    nb = preprocess(new_notebook(cells=[cell]), TrimTracebacks())
    after = nb.cells[0].outputs[0].traceback
    joined = "\n".join(after)
    assert "fromnumeric" not in joined and "marcos de bibliotecas omitidos" in joined
    plain = re.sub(r"\x1b\[[0-9;]*m", "", joined)
    assert plain.count("Cell In[") == 2  # the call f() and the line in f
    assert "cannot reshape" in after[-1] and len(joined) < len(before) / 2


def test_grade_cell_tracebacks_become_their_message():
    error = new_output("error", ename="AssertionError", evalue="mensaje", traceback=["x"] * 9)
    cell = new_code_cell("", outputs=[error])
    cell.metadata["nbgrader"] = {"grade": True, "grade_id": "t", "points": 1, "solution": False}
    nb = preprocess(new_notebook(cells=[cell]), TrimTracebacks())
    assert nb.cells[0].outputs[0].traceback == ["AssertionError: mensaje"]


# ---------------------------------------------------------------- Markdown


def test_markdown_renders_headings_tables_and_math_without_markup_of_its_own():
    html = render_markdown(
        "## Entorno\n\n**Objetivo.** x\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
        "$$O = \\frac{N + 2P - F}{S} + 1$$ y $x^2$; cuesta $5 y $6.\n\n"
        "[keras](https://keras.io) [mal](javascript:alert(1)) ![img](http://x/y.png)"
    )
    assert "<h2>Entorno</h2>" in html and "<strong>Objetivo.</strong>" in html
    assert "<table>" in html and "<th>a</th>" in html
    assert "<mfrac>" in html and "<msup>" in html and "cuesta $5 y $6" in html
    assert '<a href="https://keras.io"' in html and "javascript" not in html.split("[mal]")[0]
    assert "<img" not in html and "[img]" in html


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "$\\text{<script>alert(1)</script>}$",
        "$$\\text{<img src=x onerror=alert(1)>}$$",
        "$\\mathrm{</math><script>alert(1)</script>}$",
        "[a](javascript:alert(1)) [b](data:text/html,<script>alert(1)</script>)",
        "![c](javascript:alert(1)) ![d](data:image/svg+xml;base64,PHN2Zz4=)",
        "<math><mtext><script>alert(1)</script></mtext></math>",
    ],
)
def test_hostile_markdown_becomes_text(source):
    tags = _tags(render_markdown(source))
    assert not {t for t, _ in tags} & {"script", "img", "iframe", "svg", "object", "embed"}, tags
    for tag, attrs in tags:
        assert not any(k.startswith("on") for k in attrs), (tag, attrs)
        for key in ("href", "src"):
            assert not (attrs.get(key) or "").lower().startswith(("javascript:", "data:")), tags


def _tags(html: str) -> list[tuple[str, dict]]:
    from html.parser import HTMLParser

    found = []

    class Parser(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, dict(attrs)))

    Parser().feed(html)
    return found


def test_a_submission_cannot_bring_its_own_rendered_html():
    code = new_code_cell("")
    code.metadata[HTML_KEY] = "<script>alert(1)</script>"
    md = new_markdown_cell("# Hola")
    md.metadata[HTML_KEY] = "<script>alert(1)</script>"
    nb = preprocess(new_notebook(cells=[md, code]), RenderMarkdown())
    assert nb.cells[0].metadata[HTML_KEY] == "<h1>Hola</h1>\n"
    assert HTML_KEY not in nb.cells[1].metadata
    page = render_feedback(nb)
    assert "<h1>Hola</h1>" in page and "<script" not in page.lower()


# ---------------------------------------------------------------- output budget


# A traceback as ipykernel sends it for an unfinished cell: ~7 kB of library frames.
def _unfinished_error(message: str) -> dict:
    frames = [f"File \x1b[0;32m/site-packages/lib.py:{i}\x1b[0m\n" + "x" * 700 for i in range(9)]
    return new_output(
        "error",
        ename="NotImplementedError",
        evalue=message,
        traceback=[
            "\x1b[0;31m" + "-" * 75,
            "\x1b[0;31mNotImplementedError\x1b[0m   Traceback (most recent call last)",
            "Cell \x1b[0;32mIn[3], line 2\x1b[0m\n      1 # TU CÓDIGO AQUÍ\n----> 2 f()",
            *frames,
            f"\x1b[0;31mNotImplementedError\x1b[0m: {message}",
        ],
    )


@pytest.mark.parametrize("assignment", sessions.assignments())
def test_a_blank_notebook_keeps_every_graded_cells_error(assignment):
    """Every code cell of the student version fails as an unfinished one does; after the
    autograde and feedback pipelines each grade cell still shows its own message."""
    nb = nbformat.read(COURSE.release_notebook(assignment), as_version=4)
    messages = {}
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        gid = cell.metadata.get("nbgrader", {}).get("grade_id", f"celda-{i}")
        messages[gid] = f"mensaje propio de «{gid}»"
        cell.outputs = [
            new_output("stream", name="stderr", text=STARTUP),
            new_output("stream", name="stdout", text=f"trabajando en {gid}\n" * 40),
            _unfinished_error(messages[gid]),
        ]
    autograde = [DropStartupLines(), CoalesceStreams(), TrimTracebacks(), LimitOutputBytes()]
    feedback = [EscapeOutputs(), LimitOutputBytes()]
    nb = preprocess(nb, *autograde, *feedback)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        [error] = [o for o in cell.outputs if o.output_type == "error"]
        assert error.evalue == messages[gid or error.evalue.split("«")[1][:-1]], gid
        assert "marcos de bibliotecas omitidos" in "\n".join(error.traceback) or gid
        assert "trabajando en" in "".join(o.get("text", "") for o in cell.outputs)
        assert not any("oneDNN" in o.get("text", "") for o in cell.outputs)
    for finding in cut_findings(nb):
        assert finding.kind in ("output_cut", "output_budget"), finding
        if finding.kind == "output_cut":
            assert finding.detail["size"] > 1000, finding  # never a small output blamed


# ---------------------------------------------------------------- reasons and words


def test_a_cell_that_recorded_nothing_gives_its_own_reason(tmp_path):
    message = "conv_output_size(7, 3, 0, 1) debe devolver un número entero (devuelve 5.0)"
    raised = new_code_cell(
        "", outputs=[new_output("error", ename="AssertionError", evalue=message)]
    )
    raised.execution_count = 5
    not_run = new_code_cell("")
    recorded = new_code_cell("")
    recorded.execution_count = 6
    for cell, gid in ((raised, "a"), (not_run, "b"), (recorded, "c")):
        cell.metadata["nbgrader"] = {"grade": True, "grade_id": gid, "points": 1}
    path = tmp_path / "autograded.ipynb"
    nbformat.write(new_notebook(cells=[raised, not_run, recorded]), path)
    records = tmp_path / "records"
    (records / "c").mkdir(parents=True)
    (records / "c" / "record.json").write_text("{}")
    lost = {"reason": "la celda no registró nada: no se ejecutó, o falló antes", "max": "1"}

    def reason(gid):
        nb = nbformat.read(path, as_version=4)
        return _true_reason(Finding("judged", gid, dict(lost)), records, nb).detail["reason"]

    assert message in reason("a") and "no registró nada" not in reason("a")
    assert reason("b") == "la celda no se ejecutó"
    assert reason("c") == lost["reason"]  # it recorded: the judge's reason stands


def test_the_report_speaks_spanish():
    from types import SimpleNamespace

    from cnn_course.grade.report_html import html_report

    results = [
        SimpleNamespace(
            student=s, filename=f"{s}.ipynb", scores={}, max_scores={}, total=0.0, max_total=1.0,
            status=status, findings=[], manual=[], isolated=True,
        )
        for s, status in (("ana", "graded"), ("luis", "not_graded"), ("eva", "failed"))
    ]  # fmt: skip
    page = html_report("02_mnist", results)
    cells = page.split("<td>")
    for word in ("graded", "not_graded", "failed"):
        assert f"{word}</td>" not in cells
        assert not any(c.startswith(f"{word}<") for c in cells)
    for word in ("corregida", "no corregida", "corrección fallida"):
        assert f"<td>{word}</td>" in page
