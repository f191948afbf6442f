# List the teachers' solution notebooks of the course's checkout.
import os

try:
    print("solutions: LEAKED", sorted(os.listdir(TARGETS["solutions"])))
except OSError as exc:
    print("solutions: BLOCKED", type(exc).__name__)
