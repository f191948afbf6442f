"""Cap the bytes of every output, cell and notebook; say in Spanish where it cut.

nbgrader's own ``LimitOutput`` counts lines: one 100 MB ``print`` is one line and
passes whole into the graded notebook and the feedback page. This counts bytes.
"""

from __future__ import annotations

from nbformat import NotebookNode
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Integer

from cnn_course.grade.findings import Finding, position
from cnn_course.grade.preprocessors.escapeoutputs import text
from cnn_course.messages import msg

CUTS_KEY = "cnn_course_cuts"
"""Cell metadata: [{"output": index, "kept": bytes shown, "size": bytes produced}, ...]."""
# Bytes kept free for the note that replaces the rest, so a second pass cuts nothing more.
_NOTE_RESERVE = 200
# An error always keeps this much (or the output limit if smaller): the check's message.
_ERROR_FLOOR = 2000
_ENAME_MAX = 200


def _is_image(mime: str) -> bool:
    return mime.startswith("image/") and mime != "image/svg+xml"


def _cut(value: str, budget: int, tail: bool = False) -> tuple[str, int, int]:
    """(value or its first bytes, or its last with ``tail``, plus the note; bytes of content
    kept; bytes it had)."""
    raw = value.encode("utf-8", "replace")
    if len(raw) <= budget:
        return value, len(raw), len(raw)
    room = max(0, budget - _NOTE_RESERVE)
    if tail:
        kept = raw[len(raw) - room :].decode("utf-8", "ignore") if room else ""
        n = len(kept.encode("utf-8"))
        return f"{msg('grade.output.cut_head', kept=n, size=len(raw))}\n{kept}", n, len(raw)
    kept = raw[:room].decode("utf-8", "ignore")
    n = len(kept.encode("utf-8"))
    return f"{kept}\n{msg('grade.output.cut', kept=n, size=len(raw))}\n", n, len(raw)


def _why(budget: int, output_limit: int, cell_left: int) -> str:
    """Which limit set ``budget``: the output's own, its cell's, or the notebook's."""
    if budget == output_limit:
        return "output"
    return "cell" if budget == cell_left else "notebook"


def output_bytes(output) -> int:
    """Bytes of an output's text (images not counted)."""
    total = 0
    for key in ("text", "evalue", "traceback"):
        if key in output:
            total += len(text(output[key]).encode("utf-8", "replace"))
    data = output.get("data")
    if isinstance(data, dict):
        total += sum(
            len(text(v).encode("utf-8", "replace")) for m, v in data.items() if not _is_image(m)
        )
    return total


class LimitOutputBytes(NbGraderPreprocessor):
    """Cut each output to ``max_output_bytes``, each cell to ``max_cell_bytes`` and the
    notebook to ``max_notebook_bytes`` of text, and drop images past their own limits.

    Where it cuts it appends «… salida recortada: N bytes de M»; past the notebook's
    limit later outputs are dropped (one note per cell says how many), except errors,
    which keep their first bytes so the student still reads why a test failed. Each
    cut is recorded in the cell's metadata (``cnn_course_cuts``) for
    :func:`cut_findings`. Running it twice cuts nothing more.
    """

    max_output_bytes = Integer(20_000, help="bytes of text one output keeps").tag(config=True)
    max_cell_bytes = Integer(50_000, help="bytes of text all outputs of one cell keep").tag(
        config=True
    )
    max_notebook_bytes = Integer(100_000, help="bytes of text all outputs keep").tag(config=True)
    min_cell_bytes = Integer(
        1_500, help="bytes of its last output every cell keeps, even past the notebook's limit"
    ).tag(config=True)
    max_image_bytes = Integer(1_000_000, help="base64 bytes one image may have").tag(config=True)
    max_notebook_image_bytes = Integer(
        5_000_000, help="base64 bytes all images of the notebook may have"
    ).tag(config=True)

    def preprocess(self, nb, resources):
        self._text_left = self.max_notebook_bytes
        self._images_left = self.max_notebook_image_bytes
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code" or not cell.get("outputs"):
            return cell, resources
        cell_left = self.max_cell_bytes
        cuts, kept, dropped, dropped_size = [], [], 0, 0
        last_text = max(
            (i for i, o in enumerate(cell.outputs) if o.get("output_type") != "error"), default=-1
        )
        for i, output in enumerate(cell.outputs):
            self._limit_images(output, i, cuts)
            budget = min(self.max_output_bytes, cell_left, self._text_left)
            why = _why(budget, self.max_output_bytes, cell_left)
            limit = {"output": self.max_output_bytes, "cell": self.max_cell_bytes}.get(
                why, self.max_notebook_bytes
            )
            is_error = output.get("output_type") == "error"
            floor = min(self.max_output_bytes, _ERROR_FLOOR if is_error else self.min_cell_bytes)
            if is_error or i == last_text:  # a cell's error and last lines are always shown
                budget = max(budget, floor)
            size = output_bytes(output)
            if size > budget and budget <= _NOTE_RESERVE:
                dropped, dropped_size = dropped + 1, dropped_size + size
                cuts.append({"output": i, "kept": 0, "size": size, "why": why, "limit": limit})
                continue
            used, shown = self._limit_text(output, budget)
            if shown < size:
                cuts.append({"output": i, "kept": shown, "size": size, "why": why, "limit": limit})
            cell_left = max(0, cell_left - used)
            self._text_left = max(0, self._text_left - used)
            kept.append(output)
        if dropped:
            note = msg("grade.output.dropped", count=dropped, size=dropped_size)
            kept.append(NotebookNode(output_type="stream", name="stdout", text=note + "\n"))
        if cuts:
            cell.outputs = kept
            cell.metadata.setdefault(CUTS_KEY, []).extend(cuts)
        return cell, resources

    def _limit_text(self, output, budget: int) -> tuple[int, int]:
        """Cut the output's text fields in place to ``budget`` bytes in all; (used, shown)."""
        if "ename" in output:
            output["ename"] = text(output["ename"])[:_ENAME_MAX]
        fields = [(output, k) for k in ("text", "evalue", "traceback") if k in output]
        data = output.get("data")
        if isinstance(data, dict):
            fields += [(data, m) for m in list(data) if not _is_image(m)]
        used = shown = 0
        for holder, key in fields:
            value = holder[key]
            joined = "\n".join(map(text, value)) if key == "traceback" else text(value)
            # A printed log is read from its end (the last epoch, the final message).
            tail = key == "text" or key == "traceback"
            new, n, size = _cut(joined, max(0, budget - used), tail)
            if n < size:
                holder[key] = new.split("\n") if key == "traceback" else new
            used += len(new.encode("utf-8", "replace"))
            shown += n
        return used, shown

    def _limit_images(self, output, index: int, cuts: list) -> None:
        data = output.get("data")
        if not isinstance(data, dict):
            return
        for mime in [m for m in data if _is_image(m)]:
            size = len(text(data[mime]))
            limit = min(self.max_image_bytes, self._images_left)
            if size <= limit:
                self._images_left -= size
                continue
            del data[mime]
            if isinstance(output.get("metadata"), dict):
                output["metadata"].pop(mime, None)
            note = msg("grade.output.image_dropped", mime=mime, size=size, limit=limit)
            plain = text(data.get("text/plain", ""))
            data["text/plain"] = f"{plain}\n{note}" if plain else note
            cuts.append({"output": index, "kept": 0, "size": size, "why": "image"})


def cut_findings(nb) -> list[Finding]:
    """What :class:`LimitOutputBytes` cut: one repaired ``output_cut`` finding per cell with an
    output over its own or its cell's limit, and one ``output_budget`` finding, naming the
    first cell it reached, when the notebook's outputs together went over the notebook's."""
    found, budget = [], None
    for pos, cell in enumerate(nb.cells):
        cuts = cell.get("metadata", {}).get(CUTS_KEY)
        if not cuts:
            continue
        name = cell.metadata.get("nbgrader", {}).get("grade_id") or position(pos)
        # Per output the largest record: a second pass records what the first left.
        by_output: dict[int, dict] = {}
        for c in cuts:
            if c["size"] >= by_output.get(c["output"], {"size": -1})["size"]:
                by_output[c["output"]] = c
        own = [c for c in by_output.values() if c.get("why") != "notebook"]
        if budget is None and len(own) < len(by_output):
            limit = next(
                c.get("limit", 0) for c in by_output.values() if c.get("why") == "notebook"
            )
            budget = Finding("output_budget", name, {"limit": limit}, repaired=True)
        if own:
            kept = sum(c["kept"] for c in own)
            size = sum(c["size"] for c in own)
            found.append(Finding("output_cut", name, {"kept": kept, "size": size}, repaired=True))
    return [*found, budget] if budget else found
