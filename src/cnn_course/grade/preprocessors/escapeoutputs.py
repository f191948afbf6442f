"""Turn every output of a submission into plain text (or a PNG/JPEG) before it becomes HTML."""

from __future__ import annotations

import json
import re

from nbformat import NotebookNode
from nbgrader.preprocessors import NbGraderPreprocessor

from cnn_course.messages import msg

IMAGES = ("image/png", "image/jpeg")
"""Kept as images: a bitmap shown by <img src="data:..."> cannot run a script."""
WIDGET = "application/vnd.jupyter.widget-view+json"
_BINARY = ("application/pdf",)
_BASE64 = re.compile(r"[A-Za-z0-9+/=\s]*\Z")
# The useless text/plain of display(HTML(...)), display(Javascript(...)), widgets...
_GENERIC_REPR = re.compile(r"<[\w.]+ object(?: at 0x[0-9a-fA-F]+)?>\Z")


def text(value) -> str:
    """A field of an output as one string (nbformat allows a list of lines; JSON as JSON)."""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "".join(value)
    return json.dumps(value, indent=1, ensure_ascii=False, default=str)


def _count(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _size(value) -> int:
    return len(text(value).encode("utf-8", "replace"))


def _shown(mime: str, value) -> str:
    """What the page shows instead of a rich representation: its source, or a note."""
    if mime == WIDGET:
        return msg("grade.output.widget")
    if mime in _BINARY or (mime.startswith("image/") and mime != "image/svg+xml"):
        return msg("grade.output.binary", mime=mime, size=_size(value))
    return f"{msg('grade.output.as_text', mime=mime)}\n{text(value)}"


def safe_bundle(data: dict, metadata: dict) -> tuple[dict, dict]:
    """(data, metadata) of a display: ``text/plain`` and valid base64 PNG/JPEG, nothing else.

    A meaningful ``text/plain`` (a DataFrame's table, a number) is kept as it is; when
    it is missing or only names the object (``<IPython.core.display.HTML object>``),
    the source of each rich representation is shown instead, as text.
    """
    data = data if isinstance(data, dict) else {}
    metadata = metadata if isinstance(metadata, dict) else {}
    images, image_meta, notes = {}, {}, []
    for mime in IMAGES:
        if mime not in data:
            continue
        value = text(data[mime])
        if not _BASE64.match(value):
            notes.append(msg("grade.output.bad_image", mime=mime))
            continue
        images[mime] = value
        sizes = metadata.get(mime)
        if isinstance(sizes, dict):
            kept = {k: sizes[k] for k in ("width", "height") if _count(sizes.get(k)) is not None}
            if kept:
                image_meta[mime] = kept
    plain = text(data["text/plain"]) if "text/plain" in data else ""
    rich = [m for m in data if m != "text/plain" and m not in IMAGES]
    if rich and not images and (not plain.strip() or _GENERIC_REPR.match(plain.strip())):
        parts = [_shown(m, data[m]) for m in rich]
    else:
        parts = [plain] if plain else []
    parts += notes
    out = dict(images)
    if parts:
        out["text/plain"] = "\n".join(parts)
    return out, image_meta


def safe_output(output) -> NotebookNode:
    """One output rebuilt from its text: no field of the original reaches the page unchecked."""
    kind = output.get("output_type") if isinstance(output, dict) else None
    if kind == "stream":
        name = output.get("name")
        return NotebookNode(
            output_type="stream",
            name=name if name in ("stdout", "stderr") else "stdout",
            text=text(output.get("text", "")),
        )
    if kind == "error":
        tb = output.get("traceback") or []
        return NotebookNode(
            output_type="error",
            ename=text(output.get("ename", "")),
            evalue=text(output.get("evalue", "")),
            traceback=[text(line) for line in tb] if isinstance(tb, list) else [text(tb)],
        )
    if kind in ("display_data", "execute_result"):
        data, metadata = safe_bundle(output.get("data"), output.get("metadata"))
        node = NotebookNode(output_type=kind, data=data, metadata=metadata)
        if kind == "execute_result":
            node["execution_count"] = _count(output.get("execution_count"))
        return node
    note = msg("grade.output.unknown", kind=text(kind)[:100])
    return NotebookNode(output_type="stream", name="stdout", text=f"{note}\n{text(output)}")


class EscapeOutputs(NbGraderPreprocessor):
    """Make every output of every cell plain text before the feedback page is rendered.

    HTML, SVG, JavaScript, Markdown, LaTeX, JSON and widget outputs become
    ``text/plain`` showing their source (or a short Spanish note); PNG and JPEG
    stay images when their data is plain base64, with only a numeric width and
    height; stream names, execution counts and unknown output types are
    normalised so that the template never prints a value it did not expect.
    Markdown cells are rendered as text by the ``feedback_es`` template itself.
    """

    def preprocess(self, nb, resources):
        nb.metadata.pop("widgets", None)  # saved widget state: a <script> in nbconvert
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code":
            cell.execution_count = _count(cell.get("execution_count"))
            cell.outputs = [safe_output(o) for o in cell.get("outputs", [])]
        cell.pop("attachments", None)  # markdown is shown as text: nothing refers to them
        return cell, resources
