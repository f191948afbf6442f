"""Tests for the feedback's escaping and byte limits: `EscapeOutputs`, `LimitOutputBytes`,
the ``feedback_es`` template and the Markdown report.

A notebook built here carries markup in every place a submission can put it:
outputs of every kind, a markdown cell, cell metadata, stream names, widget
state. ``markup_notebook`` and ``render_feedback`` are reused by tests/test_browser.py.
"""

from __future__ import annotations

import base64
import copy
import re
from types import SimpleNamespace

import nbformat
from markup import IFRAME, IMG, PWN, SCRIPT, SVG
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from traitlets.config import Config

from cnn_course.grade import report
from cnn_course.grade.course import FEEDBACK_PREPROCESSORS, TEMPLATES
from cnn_course.grade.findings import Finding
from cnn_course.grade.preprocessors import EscapeOutputs, LimitOutputBytes, cut_findings
from cnn_course.grade.preprocessors.limitoutputbytes import CUTS_KEY

MARKUP = SCRIPT + IMG + IFRAME
BIG = 5_000_000
# A 1×1 PNG.
PNG = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
        "0000000d49444154789c6360000002000185d31b2c0000000049454e44ae426082"
    )
).decode()
FILE_NAME = "<b>x</b>.ipynb"


def display(data: dict, metadata: dict | None = None):
    return new_output("display_data", data=data, metadata=metadata or {})


def markup_notebook(valid: bool = False) -> nbformat.NotebookNode:
    """A graded notebook whose every output, markdown and metadata field carries markup.

    ``valid``: without the two fields nbformat's schema refuses (an unknown output
    type, a text execution count), which nbconvert would stop at before any template.
    """
    outputs = [
        display({"text/html": MARKUP, "text/plain": "<IPython.core.display.HTML object>"}),
        display(
            {
                "application/javascript": PWN,
                "text/plain": "<IPython.core.display.Javascript object>",
            }
        ),
        display({"image/svg+xml": SVG}),
        display({"text/markdown": f"**negrita** {SCRIPT}"}),
        display({"text/latex": f"$x$ {SCRIPT}"}),
        display(
            {"application/vnd.jupyter.widget-view+json": {"model_id": "m1", "version_major": 2}}
        ),
        new_output(
            "execute_result",
            data={"text/html": MARKUP, "text/plain": "   a\n0  1"},
            execution_count=3,
        ),
        display(
            {"image/png": PNG, "text/plain": "<Figure size 1x1>"},
            {"image/png": {"width": 40, "height": '1" onload="x', "alt": IMG}},
        ),
        display({"image/png": f'x" onerror="{PWN}', "text/plain": "<Figure>"}),
        display({"application/pdf": "JVBERi0xLjQK"}),
        new_output("stream", name='stdout" onmouseover="x', text=f"print: {SCRIPT}\n"),
        new_output(
            "error", ename="ValueError", evalue=IMG, traceback=[IFRAME, "\x1b[31mrojo\x1b[0m"]
        ),
    ]
    if not valid:
        outputs.append({"output_type": "weird", "html": SCRIPT})
    answer = new_code_cell(
        'from IPython.display import HTML, display\ndisplay(HTML("<script>alert(1)</script>"))'
    )
    # Assigned, not passed: nbformat would refuse what a kernel or an editor may still write.
    answer.outputs = [nbformat.from_dict(o) for o in outputs]
    answer.execution_count = 1 if valid else '1" onclick="x'
    answer.metadata["nbgrader"] = {
        "grade": False,
        "solution": True,
        "grade_id": f'"><script>{PWN}</script>',
        "locked": False,
        "comment": f"Comentario {SCRIPT}",
    }
    graded = new_code_cell(
        "assert square(3) == 9",
        outputs=[new_output("stream", name="stdout", text="A" * BIG)],
        execution_count=4,
    )
    graded.metadata["nbgrader"] = {
        "grade": True,
        "solution": False,
        "grade_id": "test-square",
        "points": 1,
        "score": 0,
        "locked": True,
    }
    md = new_markdown_cell(f"# Mi respuesta\n\n{MARKUP}\n\n[enlace](javascript:alert(1)) ![img](x)")
    md.metadata["tags"] = ['"><script>x</script>']
    nb = new_notebook()
    nb.cells = [md, answer, graded]
    nb.metadata["widgets"] = {
        "application/vnd.jupyter.widget-state+json": {"state": {}, "x": f"</script>{SCRIPT}"}
    }
    return nb


def preprocess(nb, *preprocessors):
    resources: dict = {}
    for pp in preprocessors:
        nb, resources = pp.preprocess(nb, resources)
    return nb


def render_feedback(nb, notebook: str = "<b>x</b>") -> str:
    """The feedback page as nbgrader renders it: the same preprocessors (but GetGrades,
    which needs a gradebook: its values are given here) and the same template."""
    from nbconvert.exporters import HTMLExporter
    from nbgrader.server_extensions import formgrader

    bootstrap = f"{formgrader.__path__[0]}/static/node_modules/bootstrap/dist/css"
    c = Config()
    c.HTMLExporter.template_name = "feedback_es"
    c.HTMLExporter.extra_template_basedirs = [str(TEMPLATES)]
    c.HTMLExporter.extra_template_paths = [bootstrap]
    c.HTMLExporter.sanitize_html = True
    exporter = HTMLExporter(config=c)
    for name in FEEDBACK_PREPROCESSORS:
        if not name.endswith("GetGrades"):
            exporter.register_preprocessor(name, enabled=True)
    nb = copy.deepcopy(nb)
    resources = {
        "nbgrader": {"notebook": notebook, "score": 0.0, "max_score": 1.0, "late_penalty": 0},
    }
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    return body


# ---------------------------------------------------------------- EscapeOutputs


def test_every_output_becomes_text_or_a_checked_bitmap():
    nb = preprocess(markup_notebook(), EscapeOutputs())
    allowed = {"text/plain", "image/png", "image/jpeg"}
    cell = nb.cells[1]
    for out in cell.outputs:
        assert set(out.get("data", {})) <= allowed, out
        assert out.output_type in {"stream", "error", "display_data", "execute_result"}
    texts = [o.get("data", {}).get("text/plain", o.get("text", "")) for o in cell.outputs]
    # HTML and JavaScript shown as their source, as text.
    assert MARKUP in texts[0] and "text/html" in texts[0]
    assert PWN in texts[1] and SVG in texts[2] and SCRIPT in texts[3]
    assert "widget" in texts[5] and "model_id" not in texts[5]
    # A meaningful text/plain (a DataFrame's table) is kept instead of its HTML.
    assert texts[6] == "   a\n0  1" and cell.outputs[6].execution_count == 3
    # A valid PNG stays, with only numeric sizes; broken base64 is dropped, with a note.
    assert cell.outputs[7].data["image/png"] == PNG
    assert cell.outputs[7].metadata == {"image/png": {"width": 40}}
    assert "image/png" not in cell.outputs[8].data and "no válida" in texts[8]
    assert "binario" in texts[9]
    assert cell.outputs[10].name == "stdout"
    assert cell.outputs[12].output_type == "stream" and SCRIPT in cell.outputs[12].text
    assert cell.execution_count is None
    assert "widgets" not in nb.metadata


# ---------------------------------------------------------------- LimitOutputBytes


def test_a_huge_single_line_is_cut_in_bytes_with_a_spanish_note():
    nb = preprocess(markup_notebook(), EscapeOutputs(), LimitOutputBytes())
    out = nb.cells[2].outputs[0]
    assert len(out.text.encode()) <= 20_000
    # A printed log is read from its end: the note, then its last bytes.
    assert re.search(r"salida recortada: .*[\d ]+ bytes de 5 000 000", out.text)
    assert out.text.endswith("A" * 1000)
    assert nb.cells[2].metadata[CUTS_KEY][0]["size"] == BIG
    [finding] = cut_findings(nb)
    assert finding.kind == "output_cut" and finding.cell == "test-square" and finding.repaired
    assert finding.detail["size"] == BIG and finding.detail["kept"] < 20_000
    assert "5 000 000" in finding.message()
    # A second pass (autograde, then feedback) cuts nothing more.
    again = preprocess(copy.deepcopy(nb), LimitOutputBytes())
    assert again.cells[2].outputs[0].text == out.text
    assert len(again.cells[2].metadata[CUTS_KEY]) == 1


def test_cell_and_notebook_limits_drop_later_outputs_but_keep_last_lines_and_errors():
    lines = [new_output("stream", name="stdout", text=f"{i}" + "x" * 2999) for i in range(10)]
    error = new_output("error", ename="AssertionError", evalue="falta algo " * 50, traceback=[])
    nb = new_notebook(cells=[new_code_cell("", outputs=[*lines, error]) for _ in range(3)])
    limiter = LimitOutputBytes(
        max_output_bytes=2000, max_cell_bytes=5000, max_notebook_bytes=8000, min_cell_bytes=1500
    )
    nb = preprocess(nb, limiter)
    sizes = [sum(len(o.get("text", "")) for o in c.outputs) for c in nb.cells]
    # Past the limits each cell still keeps its last lines (1,500 bytes) and its error.
    assert all(s <= 5000 + 1500 for s in sizes) and sum(sizes) <= 8000 + 3 * 1500
    for cell in nb.cells:
        assert cell.outputs[-2].output_type == "error"
        assert cell.outputs[-2].evalue.startswith("falta algo")
        last = cell.outputs[-3].text
        assert last.endswith("x" * 1000) and "salida recortada" in last
        assert "salidas más omitidas" in cell.outputs[-1].text
    # The first cell went over its own limit; the second is where the notebook's ran out:
    # the finding says so, not that some small output was too large.
    own, budget = cut_findings(nb)
    assert (own.kind, own.cell) == ("output_cut", "n.º 1")
    assert (budget.kind, budget.cell, budget.detail["limit"]) == ("output_budget", "n.º 2", 8000)
    assert "8 000" in budget.message() and "demasiado grande" not in budget.message()


def test_images_past_their_limit_become_a_note():
    big = base64.b64encode(b"\0" * 3000).decode()
    nb = new_notebook(
        cells=[new_code_cell("", outputs=[display({"image/png": big, "text/plain": "<Figure>"})])]
    )
    nb = preprocess(nb, LimitOutputBytes(max_image_bytes=1000))
    data = nb.cells[0].outputs[0].data
    assert "image/png" not in data and "imagen image/png omitida" in data["text/plain"]


# ---------------------------------------------------------------- template


def test_feedback_page_has_no_markup_of_the_submission_and_no_script():
    page = render_feedback(markup_notebook(valid=True))
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert "script-src" not in page
    low = page.lower()
    assert "<script" not in low and "<iframe" not in low and "mathjax" not in low
    assert not re.search(r"<(img|svg|p|a|div|span)[^>]*\son\w+=", page, re.I)
    assert not re.search(r'<a[^>]*href="javascript', page, re.I)
    # The submission's markup is there, as text.
    assert "&lt;script&gt;" in page and "&lt;iframe" in page
    assert "&lt;b&gt;x&lt;/b&gt;" in page  # the notebook's name
    # Markdown rendered (a heading), its raw HTML shown as text, its bad link not a link.
    assert "<h1>Mi respuesta</h1>" in page and "# Mi respuesta" not in page
    [img] = re.findall(r"<img [^>]*>", page)
    attrs = dict(re.findall(r'(\w+)="([^"]*)"', img))
    assert attrs.pop("src") == f"data:image/png;base64,{PNG}"
    assert attrs == {"width": "40", "alt": attrs.get("alt", "")}  # nbconvert adds an alt
    assert "salida recortada" in page and len(page) < 400_000
    assert page.count("<body") == 1 and page.count("</body>") == 1


# ---------------------------------------------------------------- Markdown report


def test_markdown_report_quotes_names_and_code_as_text(tmp_path):
    result = SimpleNamespace(
        student="<img src=x onerror=alert(1)>",
        filename=FILE_NAME,
        total=1.0,
        max_total=3.0,
        status="graded",
        findings=[
            Finding(
                "suspicious_code", "n.º 3", {"position": "n.º 3", "reason": "x", "line": SCRIPT}
            )
        ],
        manual=[{"grade_id": "why", "answer": f"Porque {IFRAME} | a [b](c)", "max_points": 2}],
        isolated=False,
    )
    path = tmp_path / "informe.md"
    report.write_report(path, "00_tiny", [result], 1.0, 1)
    text = path.read_text()
    assert "<" not in text.replace("&lt;", "")
    assert "&lt;b&gt;x&lt;/b&gt;.ipynb" in text and "&lt;script&gt;" in text
    assert r"\[b\]\(c\)" in text and r"\|" in text
    assert "SIN aislamiento" in text


def test_fallback_feedback_has_the_policy_and_escapes():
    page = report.fallback_feedback(
        FILE_NAME, [Finding("not_a_notebook", detail={"error": SCRIPT})], {"a": 1.0}
    )
    assert "Content-Security-Policy" in page
    assert "<script" not in page.lower() and "&lt;script&gt;" in page
