"""The ``cnn-course`` command: thin argument parsing over the package's modules."""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from cnn_course.grade import command as grade_command  # argparse only: no nbgrader import

EXAMPLES = """\
examples:
  cnn-course data verify --data-dir ../shared/data
  cnn-course data fetch mnist
  cnn-course release                      # regenerate exercises/ from solutions/
  cnn-course validate 02_mnist            # release consistency + nbgrader validate both ways
  cnn-course budgets mnist
  cnn-course demo-class build/demo-class  # 13 MNIST submissions, one per thing that goes wrong
  cnn-course grade build/demo-class --assignment 02_mnist --out build/demo-grades
"""


def _data(args) -> int:
    from cnn_course import data

    if args.data_command == "verify":
        return data.main_verify(args.data_dir)
    return data.main_fetch(args.name)


def _release(args) -> int:
    from cnn_course import release

    for path in release.release(args.assignments or None, dest=args.dest):
        print(f"wrote {path}")
    return 0


def _validate(args) -> int:
    from cnn_course import notebooks, release
    from cnn_course._tables import REPO_ROOT

    aids = args.assignments or release.assignment_ids()
    problems: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "exercises"
        release.release(aids, dest=fresh)
        for aid in aids:
            committed = REPO_ROOT / "exercises" / aid
            problems += [f"{aid}: {p}" for p in release.compare_releases(fresh / aid, committed)]
            for source in sorted((REPO_ROOT / "solutions" / aid).glob("*.ipynb")):
                student = committed / source.name
                if notebooks.dirty_cells(source):
                    problems.append(f"{source}: stored with outputs or execution counts")
                if student.exists():
                    problems += [
                        f"{student}: leaks «{ln}»"
                        for ln in notebooks.solution_leaks(source, student)
                    ]
                if args.no_execute:
                    continue
                for path, invert in ((source, False), (student, True)):
                    if not path.exists():
                        continue
                    start = time.perf_counter()
                    result = notebooks.validate(path, invert=invert, profile=args.profile)
                    took = time.perf_counter() - start
                    verdict = "OK" if not result else "FAIL"
                    mode = "--invert " if invert else ""
                    print(
                        f"nbgrader validate {mode}{path.relative_to(REPO_ROOT)}: {verdict} ({took:.0f} s)"
                    )
                    for kind, cells in result.items():
                        for cell in cells:
                            first = cell.get("source", "").splitlines()[:1]
                            problems.append(
                                f"{path}: {kind} cell {first} {cell.get('raw_error', '')[-400:]}"
                            )
    for p in problems:
        print(p, file=sys.stderr)
    print("validation: " + ("OK" if not problems else f"{len(problems)} problems"))
    return 1 if problems else 0


def _budgets(args) -> int:
    from cnn_course import runtime

    print(
        f"{'session':<14}{'profile':<9}{'epochs':>7}{'batch':>6}{'train':>7}{'test':>6}"
        f"{'timeout':>9}{'thresh':>8}  measured runs"
    )
    for session in args.sessions or runtime.sessions():
        for profile in runtime.PROFILES:
            b = runtime.budget(session, profile)
            runs = ", ".join(f"{r.metric:.4f}" for r in b.runs) or b.measured
            print(
                f"{session:<14}{profile:<9}{b.epochs:>7}{b.batch_size:>6}{b.train_size:>7}"
                f"{b.test_size:>6}{b.timeout:>9}{b.threshold:>8.3f}  {runs}"
            )
    return 0


def _grade(args) -> int:
    from cnn_course import grade

    return grade.main(args)


def _demo_class(args) -> int:
    from cnn_course import demo

    return demo.main(args)


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
    f = dsub.add_parser("fetch", help="download a dataset into the Keras cache")
    f.add_argument("name", help="dataset name (mnist, cifar10, natural_scenes)")
    p.set_defaults(func=_data)

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

    p = sub.add_parser("demo-class", help="write the demo class of MNIST submissions")
    p.add_argument("outdir", type=Path, help="folder to write the submissions into")
    p.set_defaults(func=_demo_class)

    p = sub.add_parser("budgets", help="print the budget table")
    p.add_argument("sessions", nargs="*", help="session names (default: all)")
    p.set_defaults(func=_budgets)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (ValueError, FileNotFoundError, RuntimeError) as exc:
        print(f"cnn-course: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
