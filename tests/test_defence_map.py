"""SECURITY.md is the one map of attacks, defences and tests: keep it true.

Every test it names exists; every attack cell of ``tests/files/attacks/`` and every
dishonest case of the demo class has a row.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from cnn_course import demo

ROOT = Path(__file__).resolve().parents[1]
MAP = (ROOT / "SECURITY.md").read_text(encoding="utf-8")
HONEST = {"01_perfecto", "02_en_blanco", "03_parcial"}


def _tests(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}


def test_every_named_test_exists():
    named = re.findall(r"`(tests/[\w/]+\.py)::(\w+)`", MAP)
    assert len(named) >= 40
    missing = [f"{f}::{t}" for f, t in named if t not in _tests(ROOT / f)]
    assert missing == []


def test_every_attack_file_has_a_row():
    attacks = sorted(p.name for p in (ROOT / "tests" / "files" / "attacks").glob("*.py"))
    assert attacks and [a for a in attacks if f"`{a}`" not in MAP] == []


def test_every_dishonest_demo_case_has_a_row():
    cases = [c.student for c in demo.CASES if c.student not in HONEST]
    assert len(cases) >= 14
    assert [c for c in cases if c not in MAP] == []


def test_a_missing_test_would_be_caught(tmp_path):
    fake = tmp_path / "t.py"
    fake.write_text("def test_a():\n    pass\n")
    assert _tests(fake) == {"test_a"} and "test_b" not in _tests(fake)
