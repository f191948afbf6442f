"""What pre-flight and grading found in one submission: a kind, a cell and the values."""

from __future__ import annotations

from dataclasses import dataclass, field

from cnn_course.messages import msg

# The submission cannot be graded at all: nbgrader never sees it.
FATAL = frozenset({"not_a_notebook", "wrong_assignment", "too_large"})


@dataclass(frozen=True)
class Finding:
    """One problem of a submission; ``kind`` names its message ``grade.<kind>``."""

    kind: str
    cell: str = ""
    """grade id of the cell, or its position ("n.º 12") when it has none"""
    detail: dict = field(default_factory=dict)
    """values of the message template"""
    repaired: bool = False
    """whether the grader repaired it (otherwise it is only reported)"""

    @property
    def fatal(self) -> bool:
        return self.kind in FATAL

    def message(self) -> str:
        """The Spanish sentence for the teacher's report and the student's feedback."""
        return msg(f"grade.{self.kind}", cell=self.cell, **self.detail)

    def label(self) -> str:
        """The short Spanish form for the ``problemas`` column of grades.csv."""
        return msg(f"grade.label.{self.kind}", cell=self.cell, **self.detail)

    def to_dict(self) -> dict:
        return {
            "kind": self.kind,
            "cell": self.cell,
            "detail": dict(self.detail),
            "repaired": self.repaired,
        }


def position(index: int) -> str:
    """How a cell without a grade id is named in messages: its 1-based position."""
    return f"n.º {index + 1}"
