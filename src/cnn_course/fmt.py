"""Numbers as Spanish readers write them: one helper for notebooks, messages and reports.

Thousands are grouped with a space and decimals follow a comma (RAE, Ortografía 2010):
``number(138357544) == "138 357 544"``, ``number(0.9894, 4) == "0,9894"``,
``percent(0.989) == "98,9 %"``; ``count(1, "época", "épocas") == "1 época"`` and
``listing(["45 %", "55 %", "65 %"]) == "45 %, 55 % y 65 %"``, so that neither a plural nor a
list of decimals reads ambiguously.
"""

from __future__ import annotations

import string

_SWAP = str.maketrans({",": " ", ".": ","})


def number(value: float, digits: int | None = None) -> str:
    """``value`` with Spanish grouping and decimal comma; ``digits`` decimals (default: as is)."""
    if isinstance(value, bool):
        raise TypeError("number() formats numbers, not booleans")
    if digits is None:
        spec = ",d" if float(value).is_integer() else ",.4g"
        value = int(value) if spec == ",d" else value
    else:
        spec = f",.{digits}f"
    return format(value, spec).translate(_SWAP)


def percent(fraction: float, digits: int = 1) -> str:
    """A fraction as a Spanish percentage: ``0.989 → "98,9 %"``."""
    return f"{number(100 * fraction, digits)} %"


def count(n: int, singular: str, plural: str) -> str:
    """``n`` and the noun in the right number: ``count(1, "época", "épocas") == "1 época"``."""
    return f"{number(n)} {singular if n == 1 else plural}"


def listing(items) -> str:
    """Items joined the Spanish way, «a, b y c»: a list of decimals with commas inside
    («0,45, 0,55») would be ambiguous, so callers format each item first (e.g. as percentages)."""
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} y {items[-1]}"


class SpanishFormatter(string.Formatter):
    """``str.format`` whose numeric fields follow :func:`number`'s conventions.

    ``{n:,}`` gives ``138 357 544`` and ``{x:.4f}`` gives ``0,9894``; scientific notation
    (``{e:.1e}``) keeps its point, as code and papers write it.
    """

    def format_field(self, value, format_spec: str) -> str:
        text = super().format_field(value, format_spec)
        numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
        if numeric and format_spec and not format_spec.endswith(("e", "E", "g", "G", "%")):
            return text.translate(_SWAP)
        return text


FORMATTER = SpanishFormatter()
