# Write files outside this submission's course (the test looks for them on the host).
import os

for path in TARGETS["escapes"]:
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write("escaped\n")
        print("write_outside: written (in the sandbox)", path)
    except OSError as exc:
        print("write_outside: BLOCKED", type(exc).__name__, path)
