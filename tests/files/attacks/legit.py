# What a submission must still do: numpy, the data mirror, its own HOME, cwd and /tmp.
import os
import tempfile
from pathlib import Path

import numpy as np

mirror = Path(os.environ["CNN_COURSE_DATA"])
readme = (mirror / "README.md").read_text(encoding="utf-8")
for folder in (Path.home(), Path.cwd(), Path(tempfile.gettempdir())):
    (folder / "legit.txt").write_text("ok\n", encoding="utf-8")
    assert (folder / "legit.txt").read_text(encoding="utf-8") == "ok\n"
print("legit: OK", int(np.arange(4).sum()), TARGETS["marker"] in readme)
