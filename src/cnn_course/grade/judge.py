"""Judge one submission's records in a clean process: the only source of its points.

:func:`run_forked` (in a process forked from the worker's judge server, see
:mod:`cnn_course.grade.judging`) or ``python -m cnn_course.grade.judge SPEC.json`` runs
after the student's kernel has exited. It imports none of the student's code: it reads the records the hidden cells
wrote (:mod:`cnn_course.record`), regenerates the inputs the grader drew for this
submission from the seed in the spec, and runs each cell's judge of the session's
``grading`` module with the grader's own data and profile. It writes, per grade cell,
the fraction of the cell's points earned (0 to 1; a judge returns an ``Outcome`` for
part of them), the Spanish reason when points were lost, and what the judge measured.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import resource
import sys
import traceback
from pathlib import Path

from cnn_course import sessions


def grading_module(session: str):
    """The session's out-of-kernel grading module, or None if the session has none yet."""
    name = f"{sessions.get(session).checks_module}.grading"
    if importlib.util.find_spec(name) is None:
        return None
    return importlib.import_module(name)


def judge(session: str, records: Path, seed: int, profile: str) -> dict[str, dict]:
    """``{grade_id: {"fraction": 0.0..1.0, "reason": str | None[, "measure": {...}]}}`` for
    every judged cell."""
    from cnn_course.checks.toolkit import CheckError
    from cnn_course.checks.toolkit.grading import Outcome, plans
    from cnn_course.checks.toolkit.records import RecordError, Records

    module = grading_module(session)
    drawn = plans(module.CELLS, seed)
    verdicts = {}
    for gid, cell in module.CELLS.items():
        try:
            outcome = cell.judge(Records.load(records, gid), drawn[gid], profile)
            if isinstance(outcome, Outcome):  # part of the points, and what was measured
                verdicts[gid] = outcome.verdict()
            else:  # a judge that returns normally gives every point
                verdicts[gid] = {"fraction": 1.0, "reason": None}
        except (CheckError, RecordError) as exc:
            verdicts[gid] = {"fraction": 0.0, "reason": str(exc)}
        except Exception as exc:  # anything else in a record costs that cell, with the cause
            reason = f"no se pudo corregir lo registrado ({type(exc).__name__}: {exc})"
            verdicts[gid] = {"fraction": 0.0, "reason": reason[:600]}
    return verdicts


def preload_modules() -> list[str]:
    """What the judge server imports once: TensorFlow, Keras, this module and every
    session's grading module (never anything of a submission)."""
    names = [f"{s.checks_module}.grading" for s in sessions.all_sessions()]
    return ["tensorflow", "keras", __name__, *(n for n in names if importlib.util.find_spec(n))]


def bound_memory(memory_mb: int) -> None:
    """Limit this process's address space to what it holds now plus ``memory_mb`` MiB (a
    judge forked from the server already maps TensorFlow): a record that would need more
    gets a ``MemoryError``, which costs its cell only."""
    if memory_mb <= 0:
        return
    import psutil

    limit = psutil.Process().memory_info().vms + memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def run_forked(spec: str, log: str, env: dict[str, str]) -> None:
    """The judge in a process forked from the judge server, with the environment ``env``
    (:func:`cnn_course.grade.judging._judge_env`); its output and a failure's traceback go
    to the file ``log`` (not to the worker's terminal)."""
    os.environ.clear()
    os.environ.update(env)
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    try:
        main([spec])
    except BaseException:
        traceback.print_exc()
        sys.stderr.flush()
        os._exit(1)


def main(argv: list[str]) -> int:
    spec = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    import keras  # noqa: F401  (mapped before the bound: the server's fork has it already)

    bound_memory(int(spec.get("memory_mb", 0)))
    verdicts = judge(spec["session"], Path(spec["records"]), int(spec["seed"]), spec["profile"])
    Path(spec["out"]).write_text(json.dumps(verdicts, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
