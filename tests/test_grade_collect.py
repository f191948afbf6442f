"""Tests for `cnn_course.grade.collect`: folders, LMS zips, rosters; originals untouched."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from cnn_course.grade.collect import (
    LmsFileNameCollector,
    Roster,
    collect,
    fingerprint,
    normalise,
)

FILES = Path(__file__).with_name("files")
NB = (FILES / "submitted-clean.ipynb").read_bytes()


def test_moodle_file_name():
    """Moodle: 'Nombre Apellido_12345_assignsubmission_file_mnist.ipynb'."""
    info = LmsFileNameCollector().collect("Ana Pérez_12345_assignsubmission_file_mnist.ipynb")
    assert info == {
        "student_id": "ana_perez",
        "file_id": "mnist.ipynb",
        "name": "Ana Pérez",
        "lms_id": "12345",
        "lms": "moodle",
    }


def test_moodle_folder_per_student():
    """Moodle's 'download in folders' export: the name is the folder's."""
    info = LmsFileNameCollector().collect("Ana Pérez_12345_assignsubmission_file_/mnist.ipynb")
    assert (info["student_id"], info["lms_id"], info["file_id"]) == (
        "ana_perez",
        "12345",
        "mnist.ipynb",
    )


@pytest.mark.parametrize(
    "name",
    ["perezana_12345_67890_mnist.ipynb", "perezana_LATE_12345_67890_mnist.ipynb"],
)
def test_canvas_file_name(name):
    """Canvas: 'apellidonombre_12345_67890_mnist.ipynb', late ones included."""
    info = LmsFileNameCollector().collect(name)
    assert (info["student_id"], info["lms_id"], info["file_id"], info["lms"]) == (
        "perezana",
        "12345",
        "mnist.ipynb",
        "canvas",
    )


def test_plain_name_is_not_an_lms_name():
    """A file named by student is left to the folder rule."""
    assert LmsFileNameCollector().collect("ana_perez.ipynb") is None


def test_normalise_ignores_accents_case_and_spaces():
    """«Ana Pérez», «ANA PEREZ» and «anaperez» are one name."""
    assert normalise("Ana Pérez") == normalise("ANA PEREZ") == "anaperez"


@pytest.fixture
def roster(tmp_path) -> Path:
    path = tmp_path / "alumnos.csv"
    path.write_text(
        "student_id,lms_id,first_name,last_name\n"
        "u001,12345,Ana,Pérez\n"
        "u002,,Luis,Gómez\n"
        "u003,,Eva,Sanz\n",
        encoding="utf-8",
    )
    return path


def lms_zip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("Ana Pérez_12345_assignsubmission_file_mnist.ipynb", NB)  # Moodle, by id
        zf.writestr("gomezluis_555_777_mnist.ipynb", NB)  # Canvas, by name (last first)
        zf.writestr("Nadie Nuevo_999_assignsubmission_file_mnist.ipynb", NB)  # not in roster
        zf.writestr("Ana Pérez_12345_assignsubmission_file_notas.pdf", b"%PDF")
        zf.writestr("__MACOSX/._basura.ipynb", b"")
    return path


def test_lms_zip_mapped_through_roster(tmp_path, roster):
    """LMS ids and names map to roster ids; an unknown student is kept and reported."""
    subs = {s.student: s for s in collect(lms_zip(tmp_path / "moodle.zip"), Roster.read(roster))}
    assert set(subs) == {"u001", "u002", "nadie_nuevo"}
    assert [f.kind for f in subs["nadie_nuevo"].findings] == ["unknown_student"]
    # Two files of one student: the notebook is graded, and that is reported.
    assert subs["u001"].filename.endswith("mnist.ipynb") and subs["u001"].data == NB
    assert [f.kind for f in subs["u001"].findings] == ["extra_submission"]


def test_lms_zip_without_roster_uses_names(tmp_path):
    """Without a roster, students are named after the LMS's name field."""
    subs = collect(lms_zip(tmp_path / "moodle.zip"))
    assert [s.student for s in subs] == ["ana_perez", "gomezluis", "nadie_nuevo"]


def test_same_name_two_lms_users_stay_apart(tmp_path):
    """Two different LMS users with one name are told apart by their LMS ids."""
    with zipfile.ZipFile(tmp_path / "c.zip", "w") as zf:
        zf.writestr("Ana Pérez_1_assignsubmission_file_mnist.ipynb", NB)
        zf.writestr("Ana Pérez_2_assignsubmission_file_mnist.ipynb", NB)
    assert [s.student for s in collect(tmp_path / "c.zip")] == ["ana_perez_1", "ana_perez_2"]


def test_folder_of_notebooks_named_by_student(tmp_path):
    """In a plain folder, the file name is the student id and other files are ignored."""
    (tmp_path / "ana.ipynb").write_bytes(NB)
    (tmp_path / "luis.ipynb").write_bytes(b"{roto")
    (tmp_path / "LEEME.txt").write_text("no es una entrega")
    (tmp_path / ".ipynb_checkpoints").mkdir()
    (tmp_path / ".ipynb_checkpoints" / "ana-checkpoint.ipynb").write_bytes(NB)
    assert [(s.student, s.filename) for s in collect(tmp_path)] == [
        ("ana", "ana.ipynb"),
        ("luis", "luis.ipynb"),
    ]


def test_collecting_never_changes_the_originals(tmp_path, roster):
    """Every input file hashes the same before and after collecting."""
    archive = lms_zip(tmp_path / "moodle.zip")
    before = fingerprint(archive)
    collect(archive, Roster.read(roster))
    assert fingerprint(archive) == before


def test_missing_input_is_one_clear_error(tmp_path):
    """A path that does not exist is rejected with one sentence."""
    with pytest.raises(FileNotFoundError, match="give a folder or a zip file"):
        collect(tmp_path / "no-existe")
