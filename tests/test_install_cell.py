"""The students' setup cell installs the course package from a pinned git ref.

A fresh virtual environment that already has TensorFlow and Keras (those of this
test run, reached through a ``.pth`` file, as Colab preinstalls its own) runs the
setup cell exactly as `cnn-course release` writes it, with ``google.colab`` present
and the repository URL pointing at a local clone of this checkout tagged with the
configured ref. The package must install, import, leave Keras untouched, and the
cell must print the runtime profile. Outside Colab, without the package, the cell
prints the one command to install it locally.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

from cnn_course.course import COURSE
from cnn_course.stamp import SETUP_CELL

REF = "v0.0.0-test"  # pip 23 (ensurepip) accepts git+file URLs only with a host: localhost
FAKE_COLAB = "import sys, types\nsys.modules['google.colab'] = types.ModuleType('google.colab')\n"


def _git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def tagged_repo(tmp_path_factory) -> Path:
    """A clone of this checkout's HEAD, tagged with a release ref."""
    repo = tmp_path_factory.mktemp("served") / "cnn-course"
    subprocess.run(["git", "clone", "-q", str(COURSE.root), str(repo)], check=True)
    _git("-c", "user.name=ci", "-c", "user.email=ci@example.org", "tag", REF, cwd=repo)
    return repo


@pytest.fixture(scope="module")
def colab_like_python(tmp_path_factory) -> Path:
    """A new venv whose site-packages also sees this run's TensorFlow and Keras, not cnn_course."""
    env = tmp_path_factory.mktemp("venv") / "colab"
    venv.EnvBuilder(with_pip=True).create(env)
    python = env / "bin" / "python"
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    # What Colab preinstalls: every distribution of this run but the course package itself.
    preinstalled = env.parent / "preinstalled"
    preinstalled.mkdir()
    for entry in Path(sysconfig.get_paths()["purelib"]).iterdir():
        if "cnn_course" not in entry.name and not entry.name.endswith(".pth"):
            (preinstalled / entry.name).symlink_to(entry)
    (Path(site) / "preinstalled.pth").write_text(f"{preinstalled}\n")
    return python


def _run_cell(python: Path, code: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["CNN_COURSE_PROFILE"] = "cpu"
    return subprocess.run(
        [python, "-c", code], capture_output=True, text=True, cwd=cwd, env=env, timeout=600
    )


def test_outside_colab_the_cell_prints_the_install_command(colab_like_python, tmp_path):
    """Runs first, while the fresh venv lacks the package."""
    cell = SETUP_CELL.format(repo="https://example.org/course", ref=REF)
    proc = _run_cell(colab_like_python, cell, tmp_path)
    assert proc.returncode != 0
    assert f'pip install "cnn-course[tf] @ git+https://example.org/course@{REF}"' in proc.stderr


def test_the_cell_installs_the_pinned_package_in_colab(tagged_repo, colab_like_python, tmp_path):
    keras_before = _run_cell(colab_like_python, "import keras; print(keras.__version__)", tmp_path)
    assert keras_before.returncode == 0, keras_before.stderr
    missing = _run_cell(colab_like_python, "import cnn_course.runtime", tmp_path)
    assert missing.returncode != 0, "the fresh venv must not see the project's own install"

    cell = SETUP_CELL.format(repo=f"file://localhost{tagged_repo}", ref=REF)
    proc = _run_cell(colab_like_python, FAKE_COLAB + cell, tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Perfil de ejecución: cpu" in proc.stdout

    where = _run_cell(
        colab_like_python,
        "import cnn_course, keras; print(cnn_course.__file__, keras.__version__)",
        tmp_path,
    )
    installed, keras_after = where.stdout.split()
    assert str(colab_like_python.parent.parent) in installed
    assert keras_after == keras_before.stdout.strip()


def test_a_failed_install_says_what_to_do(colab_like_python, tmp_path):
    cell = SETUP_CELL.format(repo=f"file://localhost{tmp_path}/no-such-repo", ref=REF)
    proc = _run_cell(colab_like_python, FAKE_COLAB + cell, tmp_path)
    assert proc.returncode != 0
    assert "No se pudo instalar el paquete del curso" in proc.stderr
    assert "Traceback" not in proc.stderr.split("No se pudo")[-1]


def test_this_interpreter_is_not_the_fresh_one(colab_like_python):
    assert Path(sys.executable) != colab_like_python
