# Read a file in the teacher's home, and list the home.
import os

try:
    with open(TARGETS["home_file"], encoding="utf-8") as f:
        print("teacher_home: LEAKED", TARGETS["marker"] in f.read())
except OSError as exc:
    print("teacher_home: BLOCKED", type(exc).__name__)
try:
    names = os.listdir(TARGETS["home"])
    leaked = os.path.basename(TARGETS["home_file"]) in names
    print("teacher_home_listing:", "LEAKED" if leaked else "BLOCKED", len(names), "entries")
except OSError as exc:
    print("teacher_home_listing: BLOCKED", type(exc).__name__)
