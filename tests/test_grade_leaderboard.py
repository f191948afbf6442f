"""Tests for ``cnn_course.grade.leaderboard``: ranked by the grader's measurement, rule
breakers and unmeasured submissions unranked, every value escaped, no script in the page
(headless Chromium), and the judge's measurements carried by each result, on a Dask
cluster too."""

from __future__ import annotations

import csv

import pytest
from markup import IMG, SCRIPT
from test_browser import assert_no_script_ran, chromium, load

from cnn_course.grade import leaderboard
from cnn_course.grade.leaderboard import Entry
from cnn_course.grade.report_html import NAME_LIMIT, esc

EVIL = f"{SCRIPT}{IMG}"


def entries() -> list[Entry]:
    return [
        Entry("ana", accuracy=0.80, params=90_000, train_seconds=120.0, band=2, bands=3),
        Entry(EVIL, accuracy=0.91, params=400_000, train_seconds=None, band=3, bands=3),
        Entry("bea", accuracy=0.80, params=50_000, train_seconds=300.5, band=2, bands=3),
        Entry("carlos", accuracy=0.95, params=2_000_000, broken=("regla 3",)),
        Entry("dani"),
    ]


def test_ranked_by_accuracy_then_fewer_parameters_rule_breakers_last():
    """The grader's accuracy decides; a tie goes to the smaller model; then the unranked."""
    order = [e.student for e in leaderboard.ranking(entries())]
    assert order == [EVIL, "bea", "ana", "carlos", "dani"]


def test_csv_ranks_only_the_models_in_competition(tmp_path):
    path = tmp_path / "leaderboard.csv"
    leaderboard.write_csv(path, entries())
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    assert [(r["rank"], r["student"]) for r in rows] == [
        ("1", EVIL),
        ("2", "bea"),
        ("3", "ana"),
        ("", "carlos"),
        ("", "dani"),
    ]
    assert rows[1]["accuracy"] == "0.8000" and rows[1]["params"] == "50000"
    assert rows[1]["train_seconds"] == "300.5" and rows[1]["band"] == "2/3"
    assert "regla 3" in rows[3]["status"] and rows[3]["accuracy"] == "0.9500"  # shown, unranked


def test_entries_from_measures_trust_no_type():
    """Non-numbers, NaN and booleans become «not measured»; the accuracy cell's figures win."""
    entry = leaderboard.entry_from(
        "eva",
        {
            "test-rules": {"broken": "no es lista"},
            "test-accuracy": {"accuracy": 0.5, "params": True, "train_seconds": float("nan")},
        },
    )
    assert entry == Entry("eva", accuracy=0.5)
    assert leaderboard.entry_from("x", ["no", "es", "dict"]) == Entry("x")


def test_measures_travel_in_the_result(monkeypatch):
    """The judge's figures reach the result (and so the leaderboard) through no side channel:
    a cell without figures, or with oversized ones, brings none."""
    from cnn_course.grade import worker
    from cnn_course.grade.jobs import AssignmentPack

    verdicts = {
        "test-accuracy": {"fraction": 1.0, "reason": None, "measure": {"accuracy": 0.7}},
        "test-rules": {"fraction": 0.5, "reason": "r", "measure": {}},
        "test-duplicates": {"fraction": 1.0, "reason": None, "measure": {"x": "y" * 70_000}},
    }
    monkeypatch.setattr(worker.judging_mod, "verdicts", lambda judging, profile: verdicts)
    pack = AssignmentPack("04_escenas", "escenas", "{}", b"", dict.fromkeys(verdicts, 2.0))
    scores, findings, measures = worker._judge(None, pack)
    assert measures == {"test-accuracy": {"accuracy": 0.7}}
    assert scores == {"test-accuracy": 2.0, "test-rules": 1.0, "test-duplicates": 2.0}
    assert [f.cell for f in findings] == ["test-rules"]


def test_leaderboard_from_results(tmp_path):
    """Only a class whose judges measured something gets leaderboard files."""
    from types import SimpleNamespace

    plain = [SimpleNamespace(student="ana", measures={})]
    assert not leaderboard.write_from_results(tmp_path, "02_mnist", plain)
    assert not (tmp_path / "leaderboard.csv").exists()
    measured = [*plain, SimpleNamespace(student="bea", measures={"t": {"accuracy": 0.6}})]
    assert leaderboard.write_from_results(tmp_path, "04_escenas", measured)
    rows = list(csv.DictReader((tmp_path / "leaderboard.csv").open(encoding="utf-8")))
    assert [(r["rank"], r["student"]) for r in rows] == [("1", "bea"), ("", "ana")]


def view_students(source: str, view: str) -> list[str]:
    """Student cells of one view's rows, in order (as written in the page: escaped)."""
    section = source.split(f'id="{view}"', 1)[1].split("</section>", 1)[0]
    body = section.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [row.split("<td>", 1)[1].split("</td>", 1)[0] for row in body.split("<tr")[1:]]


def test_the_page_escapes_every_value_and_runs_no_script(tmp_path):
    """In headless Chromium: no script ran and the hostile name shows as text; each view
    lists the rows in its own order (accuracy, name, parameters, seconds)."""
    leaderboard.write(tmp_path, "04_escenas", entries())
    path = tmp_path / "leaderboard.html"
    page = load(tmp_path, path)
    assert_no_script_ran(page)
    assert SCRIPT in page.visible and "Clasificación del desafío" in page.title
    source = path.read_text(encoding="utf-8")
    evil = esc(EVIL, NAME_LIMIT)  # escaped, and cut past the report's name limit
    assert view_students(source, "por-exactitud") == [evil, "bea", "ana", "carlos", "dani"]
    assert view_students(source, "por-parametros")[:3] == ["bea", "ana", evil]
    assert view_students(source, "por-segundos")[:3] == ["ana", "bea", evil]
    assert view_students(source, "por-alumno")[:3] == [evil, "ana", "bea"]


def test_a_header_link_shows_its_order(tmp_path):
    """Without a script, the URL fragment picks the view: the page drawn for
    ``#por-parametros`` differs from the default one (by accuracy)."""

    class Uri:  # test_browser.chromium() opens page.resolve().as_uri()
        def __init__(self, uri: str) -> None:
            self.uri = uri

        def resolve(self):
            return self

        def as_uri(self) -> str:
            return self.uri

    leaderboard.write(tmp_path, "04_escenas", entries())
    base = (tmp_path / "leaderboard.html").resolve().as_uri()
    shots = []
    for fragment in ("", "#por-parametros"):
        shot = tmp_path / f"shot{len(shots)}.png"
        chromium(tmp_path, Uri(base + fragment), f"--screenshot={shot}", "--window-size=900,600")
        shots.append(shot.read_bytes())
    assert shots[0] != shots[1]


@pytest.mark.notebook
def test_the_leaderboard_of_a_class_graded_on_a_dask_cluster(real_data_env, tmp_path):
    """The real path: a completed challenge notebook graded by a Dask worker (no shared
    environment, no shared folder with the batch) is measured and ranked."""
    import nbformat
    from distributed import LocalCluster

    from cnn_course import demo
    from cnn_course.course import COURSE
    from cnn_course.grade import batch

    release = nbformat.read(COURSE.release_notebook("04_escenas"), as_version=4)
    answers = demo._answers(nbformat.read(COURSE.source_notebook("04_escenas"), as_version=4))
    subs = tmp_path / "subs"
    subs.mkdir()
    nbformat.write(demo.Demo(release, answers, release).student_nb(), subs / "completa.ipynb")
    with LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        graded = batch.grade_class(
            subs, "04_escenas", tmp_path / "out", scheduler=cluster.scheduler_address,
            progress=False,
        )  # fmt: skip
    [result] = graded.results
    assert result.measures["test-accuracy"]["accuracy"] > 0, result.findings
    rows = list(csv.DictReader((tmp_path / "out" / "leaderboard.csv").open(encoding="utf-8")))
    assert [(r["rank"], r["student"]) for r in rows] == [("1", "completa")]
    assert float(rows[0]["accuracy"]) == pytest.approx(
        result.measures["test-accuracy"]["accuracy"], abs=1e-4
    )
