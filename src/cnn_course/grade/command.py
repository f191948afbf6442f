"""`cnn-course grade`: arguments and entry point (wired into :mod:`cnn_course.cli`)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

EXAMPLES = """\
examples:
  cnn-course demo-class build/demo-class
  cnn-course grade build/demo-class --assignment 02_mnist --out build/grades
  cnn-course grade moodle-export.zip --assignment 02_mnist --out notas --roster alumnos.csv
  cnn-course grade entregas/ --assignment 02_mnist --out notas --scheduler tcp://10.0.0.5:8786
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `cnn-course grade`."""
    parser.add_argument("submissions", type=Path, help="folder of .ipynb files or an LMS zip")
    parser.add_argument("--assignment", required=True, help="assignment id, e.g. 02_mnist")
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument(
        "--workers", type=int, default=None, help="parallel submissions (default: CPU cores)"
    )
    parser.add_argument(
        "--scheduler", default=None, help="address of a Dask scheduler (default: local processes)"
    )
    parser.add_argument("--roster", type=Path, default=None, help="CSV: student_id[, lms_id, name]")
    parser.add_argument(
        "--timeout",
        type=int,
        default=None,
        help="seconds per cell (default: the grading profile's budget)",
    )
    parser.add_argument(
        "--submission-timeout",
        type=float,
        default=0,
        help="seconds per submission (default: code cells × cell timeout + 120)",
    )
    parser.add_argument(
        "--memory-mb", type=int, default=None, help="memory per kernel in MiB (0: no limit)"
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def main(args: argparse.Namespace) -> int:
    """Grade a class and print its table; 0 when every submission was graded or explained."""
    from cnn_course.grade import batch, report
    from cnn_course.grade.outputs import OutputFolder
    from cnn_course.tflog import StartupFilter

    if not os.environ.get("CNN_COURSE_DATA"):
        print(
            "cnn-course grade: warning: CNN_COURSE_DATA is not set; kernels will look for the "
            "datasets in the Keras cache or download them.",
            file=sys.stderr,
        )
    if args.workers is not None and args.workers < 1:
        raise ValueError(f"--workers must be at least 1 (got {args.workers}).")
    # TensorFlow's start-up lines (the judge's imports, workers) stay off the teacher's terminal.
    with StartupFilter():
        graded = batch.grade_class(
            args.submissions,
            args.assignment,
            args.out,
            workers=args.workers,
            scheduler=args.scheduler,
            roster=args.roster,
            timeout=args.timeout,
            limit_s=args.submission_timeout,
            memory_mb=batch.DEFAULT_MEMORY_MB if args.memory_mb is None else args.memory_mb,
            progress=not args.no_progress,
        )
    print(report.table(graded.results, graded.grade_ids))
    flagged = sum(bool(r.findings) for r in graded.results)
    where = "a Dask cluster" if args.scheduler else f"{graded.workers} workers"
    print(
        f"\n{len(graded.results)} submissions, {flagged} flagged, graded in "
        f"{graded.seconds:.0f} s on {where}. Wrote {graded.out}/: "
        + ", ".join(n for n in OutputFolder(graded.out).names() if (graded.out / n).exists())
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cnn-course grade",
        description="Grade a class's submissions with nbgrader: pre-flight, parallel autograde, "
        "feedback without hidden tests, report.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_arguments(parser)
    return parser
