"""nbgrader's Execute, with a fresh kernel after one dies or hangs: one bad cell costs one cell.

nbgrader's ``Execute`` stops the whole notebook when the kernel dies in a cell
(``os._exit``, a segfault, the OOM killer) or stops answering after a timeout
(a cell that ignores the interrupt): autograde fails and every cell scores 0.
:class:`RecoverKernel` takes its place in the autograde pipeline. When the kernel
is lost in cell ``k``:

- cells before ``k`` keep the outputs of the first kernel (and the records it
  wrote), so they keep their points;
- cell ``k`` gets an error output saying what happened (nbgrader scores it 0) and
  is never run again;
- a fresh kernel starts and replays, silently, the code cells before ``k`` that
  are not tests (setup, the student's answers and extra cells: imports, data,
  functions, a trained model), then runs the cells after ``k`` as usual.

A death while replaying skips that cell in the next replay. After
:attr:`max_restarts` fresh kernels the rest of the notebook is not run: its code
cells get an error output (0 points). The lost cells are marked in their metadata
(:data:`KERNEL_KEY`) for the worker's report.
"""

from __future__ import annotations

import copy

from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat import NotebookNode
from nbgrader.preprocessors import Execute
from traitlets import Integer

from cnn_course.messages import msg

KERNEL_KEY = "cnn_course_kernel"
"""Cell metadata set here only: ``died``, ``hung`` (the kernel was lost in this cell) or
``not_run`` (after the last allowed restart)."""
ENAMES = {"died": "KernelDied", "hung": "KernelHung", "not_run": "CellNotRun"}
_LOST = (DeadKernelError, CellTimeoutError)


def _is_test(cell: NotebookNode) -> bool:
    """A grade cell that is not an answer: graded once, in the kernel that reached it."""
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return bool(meta.get("grade")) and not meta.get("solution")


def _runs(cell: NotebookNode) -> bool:
    return cell.cell_type == "code" and bool(cell.source.strip())


class RecoverKernel(Execute):
    """Execute every cell; a kernel lost in one cell is replaced for the cells after it."""

    max_restarts = Integer(
        3,
        help="Fresh kernels one notebook may get after its kernel died or hung; then the "
        "remaining cells are not run (0 points).",
    ).tag(config=True)

    def preprocess(self, nb, resources=None, km=None):
        for cell in nb.cells:  # only this preprocessor writes the key
            cell.get("metadata", {}).pop(KERNEL_KEY, None)
        self._lost: set[int] = set()
        self._restarts = 0
        self._gave_up = False
        return super().preprocess(nb, resources, km)

    def preprocess_cell(self, cell, resources, index):
        if self._gave_up:
            if _runs(cell):
                self._mark(cell, "not_run")
            return cell, self.resources
        try:
            return super().preprocess_cell(cell, resources, index)
        except _LOST as exc:
            how = "died" if isinstance(exc, DeadKernelError) else "hung"
            self.log.warning("Kernel %s in cell %d; starting a fresh one", how, index)
            self._mark(cell, how, timeout=self.timeout)
            self._lost.add(index)
            self._recover(index)
            return cell, self.resources

    def _mark(self, cell: NotebookNode, how: str, **values) -> None:
        cell.metadata[KERNEL_KEY] = how
        cell.setdefault("outputs", [])
        cell.outputs.append(
            NotebookNode(
                output_type="error",
                ename=ENAMES[how],
                evalue=msg(f"grade.output.{how}", **values),
                traceback=[],
            )
        )

    def _recover(self, index: int) -> None:
        """A fresh kernel with the state of the cells before ``index``, or give up."""
        while True:
            if self._restarts >= self.max_restarts:
                self._gave_up = True
                self._fresh_kernel(start=False)
                return
            self._restarts += 1
            self._fresh_kernel()
            replaying = None
            try:
                for pos in range(index):
                    cell = self.nb.cells[pos]
                    if pos in self._lost or not _runs(cell) or _is_test(cell):
                        continue
                    replaying = pos
                    # On a copy: the cell keeps the outputs (and points) of its first run.
                    self.execute_cell(copy.deepcopy(cell), pos, store_history=False)
                return
            except _LOST:
                self.log.warning("Kernel lost again replaying cell %s", replaying)
                if replaying is not None:
                    self._lost.add(replaying)

    def _fresh_kernel(self, start: bool = True) -> None:
        """Kill the current kernel (it may ignore every request) and start another."""
        graceful = self.shutdown_kernel
        self.shutdown_kernel = "immediate"
        try:
            if self.km is not None:
                self._cleanup_kernel()
        finally:
            self.shutdown_kernel = graceful
        self.km = self.create_kernel_manager()
        if start:
            self.start_new_kernel()
            self.start_new_kernel_client()
