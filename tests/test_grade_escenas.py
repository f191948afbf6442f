"""The scenes challenge through the real grading path (``cnn-course grade``): a completed
submission earns every point, the blank student version none, a dense-only model loses
exactly rule 1's points and every accuracy point; the leaderboard beside grades.csv ranks
the completed one and lists the rule breaker unranked.

Slow (three trained notebooks under the ``grading`` profile): the judge on real records is
covered by tests/test_checks_escenas.py and the leaderboard by tests/test_grade_leaderboard.py.
"""

from __future__ import annotations

import csv
import json

import nbformat
import pytest
from nbutil import assert_blank_feedback_explains_every_cell

from cnn_course import demo
from cnn_course.checks.escenas import rules
from cnn_course.course import COURSE
from cnn_course.grade import command

pytestmark = [pytest.mark.notebook, pytest.mark.slow]

ASSIGNMENT = "04_escenas"
DENSE = """def build_model(image_size):
    return keras.Sequential(
        [
            keras.Input(shape=(image_size, image_size, 3)),
            keras.layers.Rescaling(1 / 255),
            keras.layers.Flatten(),
            keras.layers.Dense(6, activation="softmax"),
        ]
    )


model = build_model(TAM)"""


def test_challenge_graded_and_ranked(real_data_env, tmp_path):
    release = nbformat.read(COURSE.release_notebook(ASSIGNMENT), as_version=4)
    answers = demo._answers(nbformat.read(COURSE.source_notebook(ASSIGNMENT), as_version=4))
    cases = demo.Demo(release=release, answers=answers, other=release)
    subs = tmp_path / "subs"
    subs.mkdir()
    nbformat.write(cases.student_nb(), subs / "completa.ipynb")
    nbformat.write(release, subs / "blanca.ipynb")
    nbformat.write(cases.student_nb(model=DENSE), subs / "densa.ipynb")
    out = tmp_path / "out"
    args = command.build_parser().parse_args(
        [
            str(subs),
            "--assignment",
            ASSIGNMENT,
            "--out",
            str(out),
            "--workers",
            "2",
            "--no-progress",
        ]
    )
    assert command.main(args) == 0
    results = {r["student"]: r for r in json.loads((out / "results.json").read_text())}

    complete = results["completa"]
    assert complete["scores"] == complete["max_scores"], complete["findings"]
    assert sum(results["blanca"]["scores"].values()) == 0
    assert_blank_feedback_explains_every_cell(out, "blanca", release)

    dense = results["densa"]["scores"]
    top = results["densa"]["max_scores"]
    assert top["test-rules"] - dense["test-rules"] == pytest.approx(rules.RULE_POINTS["cnn"])
    assert dense["test-accuracy"] == 0
    assert dense["test-duplicates"] == top["test-duplicates"]
    reasons = " ".join(f["detail"].get("reason", "") for f in results["densa"]["findings"])
    assert "Regla 1" in reasons

    rows = list(csv.DictReader((out / "leaderboard.csv").open(encoding="utf-8")))
    assert (rows[0]["rank"], rows[0]["student"]) == ("1", "completa")
    assert (
        float(rows[0]["accuracy"]) > 0
        and 0 < int(rows[0]["params"]) <= rules.limits()["max_params"]
    )
    by_name = {r["student"]: r for r in rows}
    assert by_name["densa"]["rank"] == "" and "regla 1" in by_name["densa"]["status"]
    assert by_name["blanca"]["rank"] == ""
    assert "completa" in (out / "leaderboard.html").read_text(encoding="utf-8")
