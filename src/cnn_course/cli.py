"""The ``cnn-course`` command: thin argument parsing over the package's modules."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from cnn_course.grade import command as grade_command  # argparse only: no nbgrader import

EXAMPLES = """\
examples:
  cnn-course data verify --data-dir ../shared/data
  cnn-course data fetch mnist
  cnn-course release                      # regenerate exercises/ from solutions/
  cnn-course validate 02_mnist            # release consistency + nbgrader validate both ways
  cnn-course budgets mnist
  cnn-course demo-class build/demo-class  # MNIST submissions, one per thing that goes wrong
  cnn-course grade build/demo-class --assignment 02_mnist --out build/demo-grades
  cnn-course manual build/demo-grades notas_manuales.csv   # hand-graded answers
  cnn-course heldout ~/escenas-privadas    # the challenge's private images, before grading
"""


def _data_verify(args) -> int:
    from cnn_course import data

    return data.main_verify(args.data_dir)


def _data_fetch(args) -> int:
    from cnn_course import data

    return data.main_fetch(args.name)


def _release(args) -> int:
    from cnn_course import release

    return release.main_release(args.assignments or None, args.dest)


def _validate(args) -> int:
    from cnn_course import notebooks

    return notebooks.main_validate(args.assignments or None, args.profile, not args.no_execute)


def _budgets(args) -> int:
    from cnn_course import runtime

    return runtime.main_budgets(args.sessions or None)


def _grade(args) -> int:
    from cnn_course import grade

    return grade.main(args)


def _manual(args) -> int:
    from cnn_course.grade import manual

    return manual.main(args.out, args.marks)


def _heldout(args) -> int:
    from cnn_course.data import heldout

    return heldout.main(args.folder)


def _demo_class(args) -> int:
    from cnn_course import demo

    return demo.main(args.outdir)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cnn-course",
        description="Spanish CNN exercise pack: data, student versions, validation, grading.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("data", help="verify or fetch the datasets")
    dsub = p.add_subparsers(dest="data_command", required=True)
    v = dsub.add_parser("verify", help="table of datasets, locations, hashes and counts")
    v.add_argument("--data-dir", type=Path, help="offline mirror (default: $CNN_COURSE_DATA)")
    v.set_defaults(func=_data_verify)
    f = dsub.add_parser("fetch", help="download a dataset into the Keras cache")
    f.add_argument("name", help="dataset name (mnist, cifar10, natural_scenes)")
    f.set_defaults(func=_data_fetch)

    p = sub.add_parser("release", help="regenerate the student notebooks (exercises/)")
    p.add_argument("assignments", nargs="*", help="assignment ids, e.g. 02_mnist (default: all)")
    p.add_argument("--dest", type=Path, help="release folder (default: exercises/)")
    p.set_defaults(func=_release)

    p = sub.add_parser("validate", help="prove exercises/ and solutions/ consistent")
    p.add_argument("assignments", nargs="*", help="assignment ids (default: all)")
    p.add_argument("--profile", default="ci", help="runtime profile for execution (default: ci)")
    p.add_argument("--no-execute", action="store_true", help="skip nbgrader validate")
    p.set_defaults(func=_validate)

    p = sub.add_parser(
        "grade",
        help="grade a class: pre-flight repairs, parallel nbgrader autograde, feedback, report",
        epilog=grade_command.EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    grade_command.add_arguments(p)
    p.set_defaults(func=_grade)

    p = sub.add_parser(
        "manual", help="merge hand-graded points (CSV: student,grade_id,points) into a graded class"
    )
    p.add_argument("out", type=Path, help="the --out folder of `cnn-course grade`")
    p.add_argument("marks", type=Path, help="CSV with columns student, grade_id, points")
    p.set_defaults(func=_manual)

    p = sub.add_parser(
        "heldout", help="check the teacher's private labelled images of the challenge (04_escenas)"
    )
    p.add_argument("folder", type=Path, help="folder of class folders (<class>/*.jpg)")
    p.set_defaults(func=_heldout)

    p = sub.add_parser("demo-class", help="write the demo class of MNIST submissions")
    p.add_argument("outdir", type=Path, help="folder to write the submissions into")
    p.set_defaults(func=_demo_class)

    p = sub.add_parser("budgets", help="print the budget table")
    p.add_argument("sessions", nargs="*", help="session names (default: all)")
    p.set_defaults(func=_budgets)
    return parser


def main(argv: list[str] | None = None) -> int:
    # TensorFlow's start-up log lines are noise in the teacher's terminal and reports.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (ValueError, FileNotFoundError, RuntimeError) as exc:
        print(f"cnn-course: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
