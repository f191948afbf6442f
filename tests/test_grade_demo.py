"""Tests for `cnn_course.demo`: the demo class, graded end to end through `cnn-course grade`.

One batch of 17 MNIST submissions on 2 workers (several minutes of CPU). The
per-cell timeout is lowered to 90 s so that the endless loop and the hung kernel
cost 1.5 minutes each, not the grading budget's 5; every real cell of the notebook
runs well within it (the training cell takes about 10 s here).
"""

from __future__ import annotations

import html
import json
import re

import nbformat
import pytest
from nbutil import assert_blank_feedback_explains_every_cell

from cnn_course import demo
from cnn_course.course import COURSE
from cnn_course.grade import command

CELL_TIMEOUT = 90


@pytest.mark.notebook
def test_demo_class_gets_every_expected_score_and_explanation(real_data_env, tmp_path, capsys):
    """Each case scores exactly its expected points per grade cell, with its expected findings."""
    submissions = tmp_path / "clase"
    written = demo.make_demo_class(submissions)
    assert len(written) == len(demo.CASES) >= 17

    out = tmp_path / "notas"
    args = command.build_parser().parse_args(
        [
            str(submissions),
            *("--assignment", demo.ASSIGNMENT, "--out", str(out), "--workers", "2"),
            *("--timeout", str(CELL_TIMEOUT), "--no-progress"),
        ]
    )
    assert command.main(args) == 0
    table = capsys.readouterr().out
    assert all(case.student in table for case in demo.CASES)

    results = {r["student"]: r for r in json.loads((out / "results.json").read_text())}
    points = next(iter(results.values()))["max_scores"]
    expected = demo.expected_scores(points)
    problems = []
    for case in demo.CASES:
        got = results[case.student]
        if got["scores"] != expected[case.student]:
            problems.append(f"{case.student}: {got['scores']} != {expected[case.student]}")
        kinds = {f["kind"] for f in got["findings"]}
        want = set(case.findings)
        fatal = want & {"not_a_notebook", "wrong_assignment"}
        if not fatal and 0.0 in expected[case.student].values():
            want.add("judged")  # each cell the judge gives 0 is reported with its reason
        if kinds != want:
            problems.append(f"{case.student}: findings {sorted(kinds)} != {sorted(want)}")
    assert problems == []
    # The feedback never shows the hidden tests (each is one `_c.record(...)` call), nor
    # TensorFlow's start-up log lines.
    pages = list((out / "feedback").glob("*.html"))
    assert pages
    for page in pages:
        text = html.unescape(re.sub(r"<[^>]+>", "", page.read_text(encoding="utf-8")))
        assert "HIDDEN TESTS" not in text and "_c.record(" not in text, page.name
        for startup in ("oneDNN custom operations", "absl::InitializeLog", "cpu_feature_guard"):
            assert startup not in text, (page.name, startup)
    release = nbformat.read(COURSE.release_notebook(demo.ASSIGNMENT), as_version=4)
    assert_blank_feedback_explains_every_cell(out, "02_en_blanco", release)
