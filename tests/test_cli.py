"""Tests for the `cnn-course` command, run in-process through `cnn_course.cli.main`."""

from __future__ import annotations

import re

import pytest

from cnn_course import cli


def test_budgets_prints_every_session(capsys):
    """`cnn-course budgets` lists each session under each profile and exits 0."""
    assert cli.main(["budgets"]) == 0
    out = capsys.readouterr().out
    for session in ("mnist", "arquitecturas"):
        assert sum(line.startswith(session) for line in out.splitlines()) >= 4
    assert "convolucion   -" in out and "trains nothing" in out


def test_data_verify_real_mirror_exits_zero(capsys, real_data_env):
    """`data verify` on the offline mirror reports every dataset and exits 0."""
    assert cli.main(["data", "verify", "--data-dir", str(real_data_env)]) == 0
    out = capsys.readouterr().out
    assert "mnist" in out and "cifar10" in out and "natural_scenes" in out
    assert "partial" in out


def test_data_verify_empty_dir_exits_nonzero(tmp_path, no_data_env, capsys):
    """`data verify` on a folder with no data exits non-zero."""
    assert cli.main(["data", "verify", "--data-dir", str(tmp_path)]) != 0


def test_release_unknown_assignment_is_a_one_line_error(capsys):
    """An unknown assignment exits 2 with one sentence naming the valid ids."""
    assert cli.main(["release", "99_nothing"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("cnn-course: error: Unknown assignment '99_nothing'")
    assert "02_mnist" in err
    # The valid ids in number order, whatever the order of the budget table's rows.
    listed = re.findall(r"\b0\d_\w+", err.split("valid assignments:")[1])
    assert listed == sorted(listed) and len(listed) == 5


def test_demo_class_says_how_many_it_wrote(tmp_path, capsys):
    """The help names no stale count; the command says what it wrote."""
    from cnn_course import demo

    assert cli.main(["demo-class", str(tmp_path / "clase")]) == 0
    out = capsys.readouterr().out
    assert f"{len(demo.CASES)} submissions of 02_mnist" in out
    assert len(list((tmp_path / "clase").glob("*.ipynb"))) == len(demo.CASES)
    assert not re.search(r"demo-class \S+\s+# \d+ ", cli.EXAMPLES)


def test_missing_subcommand_is_a_usage_error():
    """Calling the command without a subcommand exits with argparse's usage error."""
    with pytest.raises(SystemExit) as excinfo:
        cli.main([])
    assert excinfo.value.code == 2
