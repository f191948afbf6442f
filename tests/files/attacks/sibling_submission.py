# Read another student's submission, graded at the same time next to this one.
try:
    with open(TARGETS["sibling"], encoding="utf-8") as f:
        print("sibling_submission: LEAKED", TARGETS["marker"] in f.read())
except OSError as exc:
    print("sibling_submission: BLOCKED", type(exc).__name__)
