"""TensorFlow's and absl's start-up log lines: told apart from what a student printed.

TensorFlow 2.21 writes a few lines to stderr when it is imported, whatever
``TF_CPP_MIN_LOG_LEVEL`` says, on CPUs where oneDNN is on (those with AVX-512),
and none elsewhere::

    WARNING: All log messages before absl::InitializeLog() is called are written to STDERR
    I0000 00:00:1796526861.843727    5670 port.cc:153] oneDNN custom operations are on. ...

They are noise to a student reading feedback and to a teacher watching a class being
graded, and they make a page depend on the machine that graded it. Only these lines
are recognised: an absl/glog prefix followed by one of :data:`MESSAGES`, the absl
warning itself, and the continuation line of the CPU-feature message. Everything
else, glog-looking lines of other origin included, is kept.

:func:`strip_startup` cleans a text; :class:`StartupFilter` cleans this process's
file descriptor 2 (and so that of every child it starts) while the grader runs.
"""

from __future__ import annotations

import contextlib
import os
import re
import threading

MESSAGES = (
    "oneDNN custom operations are on",
    "This TensorFlow binary is optimized to use available CPU instructions",
    "Unable to register cuDNN factory",
    "Unable to register cuFFT factory",
    "Unable to register cuBLAS factory",
    "computation placer already registered",
    "Could not find cuda drivers on your machine",
    "failed call to cuInit",
    "TF-TRT Warning: Could not find TensorRT",
)
"""Start-up messages of TensorFlow and XLA, as logged after an absl/glog prefix."""

_GLOG_PREFIX = r"[IWEF]\d{4} \d\d:\d\d:\d+\.\d+\s+\d+ [\w.-]+:\d+\] "
STARTUP_LINE = re.compile(
    r"(?:WARNING: All log messages before absl::InitializeLog\(\) is called are written to "
    r"STDERR"
    rf"|{_GLOG_PREFIX}(?:{'|'.join(re.escape(m) for m in MESSAGES)}).*"
    r"|To enable the following instructions: .*rebuild TensorFlow with the appropriate "
    r"compiler flags\.)\r?\n?\Z"
)
"""One whole start-up line (its newline included)."""


def is_startup_line(line: str) -> bool:
    return STARTUP_LINE.match(line) is not None


def _may_start_startup(partial: str) -> bool:
    """Whether an unfinished line could still become a start-up line (else it passes now)."""
    return partial[:1] in ("W", "I", "E", "F", "T")


def strip_startup(text: str) -> str:
    """``text`` without its start-up lines; every other line kept exactly."""
    return "".join(line for line in text.splitlines(keepends=True) if not is_startup_line(line))


class StartupFilter:
    """While active, whatever is written to file descriptor 2 by this process or its
    children (started after :meth:`start`) reaches the real stderr without start-up lines.

    fd 2 is pointed at a pipe; a thread reads it and writes on to a copy of the old fd 2.
    A chunk that ends in a carriage return (a progress bar) passes at once; other text
    passes line by line. Use as a context manager.
    """

    def __init__(self) -> None:
        self._saved = -1
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        read, write = os.pipe()
        self._saved = os.dup(2)
        os.dup2(write, 2)
        os.close(write)
        self._thread = threading.Thread(target=self._pump, args=(read,), daemon=True)
        self._thread.start()

    def _pump(self, read: int) -> None:
        pending = ""
        with os.fdopen(read, "rb", buffering=0) as pipe:
            while chunk := pipe.read(65536):
                pending += chunk.decode("utf-8", "replace")
                pending = self._write_complete(pending)
        if pending:
            self._write(pending)

    def _write_complete(self, pending: str) -> str:
        """Write what is certainly not a start-up line; return the part to wait for."""
        lines = pending.splitlines(keepends=True)
        keep = ""
        if lines and not lines[-1].endswith(("\n", "\r")) and _may_start_startup(lines[-1]):
            keep = lines.pop()
        self._write(strip_startup("".join(lines)))
        return keep

    def _write(self, text: str) -> None:
        if text:
            with contextlib.suppress(OSError):  # the real stderr is gone: nowhere to show it
                os.write(self._saved, text.encode("utf-8", "replace"))

    def stop(self) -> None:
        """Give fd 2 back. A child still holding the pipe (a judge server) keeps the thread
        pumping to the real stderr until it exits."""
        if self._saved < 0:
            return
        os.dup2(self._saved, 2)
        if self._thread is not None:
            self._thread.join(timeout=1)
            if self._thread.is_alive():
                return
        os.close(self._saved)
        self._saved = -1

    def __enter__(self) -> StartupFilter:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
