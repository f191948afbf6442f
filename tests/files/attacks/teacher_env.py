# Read a variable of the teacher's environment: ours, or any process's we can see.
import glob
import os

found = [k for k, v in os.environ.items() if k == TARGETS["env_name"]]
for path in glob.glob("/proc/[0-9]*/environ"):
    try:
        with open(path, "rb") as f:
            if TARGETS["env_value"].encode() in f.read():
                found.append(path)
    except OSError:
        pass
print("teacher_env:", f"LEAKED {found}" if found else "BLOCKED")
