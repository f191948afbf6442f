"""``python -m cnn_course._nbgrader ARGS``: nbgrader's command line, started faster.

Importing nbgrader imports ``jsonschema``, whose format checkers import ``rfc3987_syntax``
when it is installed (``jupyter-events`` requires it); that module compiles a Lark grammar at
import, about 1.4 s of every nbgrader start on a 2-core machine (``python -X importtime``),
for the ``iri`` string format, which no notebook or nbgrader schema uses. The grader starts
nbgrader twice per submission, so that grammar is left unimported here: jsonschema then
simply does not check ``iri`` strings. Everything else is nbgrader's own ``main``.
"""

import sys

sys.modules.setdefault("rfc3987_syntax", None)  # None in sys.modules: "import" raises ImportError

from nbgrader.apps.nbgraderapp import main  # noqa: E402

if __name__ == "__main__":
    main()
