"""Render markdown cells to safe HTML for the feedback page.

The course's own instructions (headings, tables, formulas) and a student's written
answers are read as a person would read them in Jupyter, yet nothing in a cell can
become markup of its own:

- CommonMark (markdown-it-py) with raw HTML off: ``<script>`` in a cell is shown as text;
- links only to ``http(s)`` addresses and anchors, images only as ``data:`` PNG, JPEG,
  GIF or WebP (the page's Content-Security-Policy allows no other image source);
- math (``$…$``, ``$$…$$``) as MathML built here by latex2mathml and rebuilt from an
  allow-list of MathML elements and attributes; what does not convert stays as text.

No script is involved, so the page keeps its CSP without any script source.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from functools import cache

from nbgrader.preprocessors import NbGraderPreprocessor

HTML_KEY = "cnn_course_html"
"""Cell metadata: the cell's rendered HTML (set here for every markdown cell, and only here)."""
_LINK = re.compile(r"(https?://|#)", re.IGNORECASE)
_IMAGE = re.compile(r"data:image/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]*\Z", re.IGNORECASE)
_MATHML = "{http://www.w3.org/1998/Math/MathML}"
_MATH_TAGS = frozenset(
    [
        "math",
        "mrow",
        "mi",
        "mn",
        "mo",
        "ms",
        "mtext",
        "mspace",
        "msub",
        "msup",
        "msubsup",
        "mfrac",
        "msqrt",
        "mroot",
        "mover",
        "munder",
        "munderover",
        "mtable",
        "mtr",
        "mtd",
        "mstyle",
        "mpadded",
        "mphantom",
        "menclose",
        "merror",
    ]
)
_MATH_ATTRS = frozenset(
    [
        "display",
        "mathvariant",
        "stretchy",
        "fence",
        "separator",
        "lspace",
        "rspace",
        "accent",
        "accentunder",
        "linethickness",
        "columnalign",
        "rowalign",
        "columnspacing",
        "rowspacing",
        "width",
        "height",
        "depth",
        "scriptlevel",
        "displaystyle",
        "minsize",
        "maxsize",
        "movablelimits",
        "symmetric",
        "form",
        "notation",
    ]
)
_ATTR_VALUE = re.compile(r"[\w .%#+-]*\Z")


def _mathml(node: ET.Element) -> str:
    """``node`` written anew: allowed elements and attributes only, every text escaped."""
    tag = node.tag.removeprefix(_MATHML)
    inner = html.escape(node.text or "")
    inner += "".join(_mathml(child) + html.escape(child.tail or "") for child in node)
    if tag not in _MATH_TAGS:
        return inner  # an element outside the list keeps only its escaped text
    attrs = "".join(
        f' {k}="{html.escape(v)}"'
        for k, v in sorted(node.attrib.items())
        if k in _MATH_ATTRS and _ATTR_VALUE.match(v)
    )
    if tag == "math":
        attrs = f' xmlns="http://www.w3.org/1998/Math/MathML"{attrs}'
    return f"<{tag}{attrs}>{inner}</{tag}>"


def math_html(latex: str, display: bool) -> str:
    """A formula as MathML, or as escaped text when it cannot be converted."""
    from latex2mathml.converter import convert

    shown = f"$${latex}$$" if display else f"${latex}$"
    try:
        tree = ET.fromstring(convert(latex, display="block" if display else "inline"))
    except Exception:  # any LaTeX the converter cannot read: show it as written
        return f'<code class="math-source">{html.escape(shown)}</code>'
    return _mathml(tree)


@cache
def _renderer():
    from markdown_it import MarkdownIt
    from mdit_py_plugins.dollarmath import dollarmath_plugin

    md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
    md.validateLink = lambda url: bool(_LINK.match(url) or _IMAGE.match(url))
    dollarmath_plugin(
        md,
        allow_digits=False,
        double_inline=True,
        renderer=lambda c, cfg: math_html(c, cfg["display_mode"]),
    )
    default_link = md.renderer.rules.get("link_open")
    default_image = md.renderer.rules.get("image")

    def link_open(self, tokens, idx, options, env):
        token = tokens[idx]
        if not _LINK.match(token.attrGet("href") or ""):
            token.attrs.pop("href", None)  # an image address is not a link target
        else:
            token.attrSet("rel", "noopener noreferrer nofollow")
        return (
            default_link(tokens, idx, options, env)
            if default_link
            else self.renderToken(tokens, idx, options, env)
        )

    def image(self, tokens, idx, options, env):
        token = tokens[idx]
        if not _IMAGE.match(token.attrGet("src") or ""):
            alt = self.renderInlineAsText(token.children or [], options, env)
            return f'<span class="image-alt">[{html.escape(alt)}]</span>'
        return default_image(tokens, idx, options, env)

    md.add_render_rule("link_open", link_open)
    md.add_render_rule("image", image)
    return md


def render_markdown(source: str) -> str:
    """Safe HTML of a markdown cell's source."""
    return _renderer().render(source)


class RenderMarkdown(NbGraderPreprocessor):
    """Store each markdown cell's rendered HTML in its metadata (``cnn_course_html``) for the
    ``feedback_es`` template; the key is removed from every other cell, so a submission
    cannot bring its own."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "markdown":
            source = cell.source if isinstance(cell.source, str) else "".join(cell.source)
            cell.metadata[HTML_KEY] = render_markdown(source)
        else:
            cell.metadata.pop(HTML_KEY, None)
        return cell, resources
