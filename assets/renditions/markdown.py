"""Markdown (talk tracks, battlecards, email templates) to sanitised HTML and to a simple PDF.

The HTML: markdown-it-py with raw HTML off (written as text), then nh3 keeps only the tags and
attributes a document needs: no script, no style, no event handler, no image (an uploaded file
must not load anything into the portal's page), links only to http, https and mailto.
The PDF (reportlab) covers what Markdown itself can say: headings, paragraphs, emphasis, code,
lists, quotes, rules and tables, so a Markdown asset is read page by page like any document.
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

ALLOWED_TAGS = {
    "h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "strong", "em", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"style"}, "td": {"style"}}
LINK_SCHEMES = {"http", "https", "mailto"}


def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False}).enable("table")


def markdown_html(text: str) -> str:
    html = _parser().render(text)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=LINK_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        filter_style_properties={"text-align"},
    )


def _inline(token: Token) -> str:
    """reportlab's paragraph markup for one inline token (its text escaped)."""
    out, links = [], []
    simple = {
        "strong_open": "<b>",
        "strong_close": "</b>",
        "em_open": "<i>",
        "em_close": "</i>",
        "softbreak": " ",
        "hardbreak": "<br/>",
    }
    for child in token.children or []:
        kind = child.type
        if kind in simple:
            out.append(simple[kind])
        elif kind in ("text", "image"):
            out.append(escape(child.content or ""))
        elif kind == "code_inline":
            out.append(f'<font face="Courier">{escape(child.content)}</font>')
        elif kind == "link_open":
            href = str(child.attrs.get("href", ""))
            safe = href.split(":", 1)[0].lower() in LINK_SCHEMES
            links.append(safe)
            if safe:
                out.append(f'<a href="{escape(href, {chr(34): "&quot;"})}" color="#1d4ed8">')
        elif kind == "link_close" and links and links.pop():
            out.append("</a>")
    return "".join(out)


class _PdfBuilder:
    """Walks markdown-it's tokens once, keeping the list and quote depth, into reportlab flowables."""

    def __init__(self) -> None:
        from reportlab.lib.styles import getSampleStyleSheet

        self.styles = getSampleStyleSheet()
        self.flow: list = []
        self.lists: list[list] = []  # per open list: [ordered, next number]
        self.bullet: str | None = None
        self.quote = 0
        self.table: list[list[str]] | None = None

    def style(self, name: str):
        from reportlab.lib.styles import ParagraphStyle

        base = self.styles[name]
        indent = 16 * (len(self.lists) + self.quote)
        return ParagraphStyle(
            f"{name}-{indent}", parent=base, leftIndent=indent, bulletIndent=max(0, indent - 12)
        )

    def build(self, tokens: list[Token]) -> list:
        from reportlab.platypus import HRFlowable, Paragraph, Preformatted

        heading = None
        for token in tokens:
            kind = token.type
            if kind == "heading_open":
                heading = {"h1": "Heading1", "h2": "Heading2", "h3": "Heading3"}.get(token.tag, "Heading4")
            elif kind == "inline" and self.table is not None:
                self.table[-1].append(_inline(token))
            elif kind == "inline":
                style = self.style(heading or ("Italic" if self.quote else "BodyText"))
                self.flow.append(Paragraph(_inline(token), style, bulletText=self.bullet))
                self.bullet, heading = None, None
            elif kind in ("bullet_list_open", "ordered_list_open"):
                self.lists.append([kind.startswith("ordered"), int(token.attrs.get("start", 1) or 1)])
            elif kind in ("bullet_list_close", "ordered_list_close"):
                self.lists.pop()
            elif kind == "list_item_open" and self.lists:
                ordered, number = self.lists[-1]
                self.bullet = f"{number}." if ordered else "•"
                self.lists[-1][1] = number + 1
            elif kind == "blockquote_open":
                self.quote += 1
            elif kind == "blockquote_close":
                self.quote -= 1
            elif kind in ("fence", "code_block"):
                self.flow.append(Preformatted(token.content.rstrip("\n"), self.style("Code")))
            elif kind == "hr":
                self.flow.append(HRFlowable(width="100%", spaceBefore=6, spaceAfter=6))
            elif kind == "table_open":
                self.table = []
            elif kind == "tr_open" and self.table is not None:
                self.table.append([])
            elif kind == "table_close":
                self._table()
        return self.flow

    def _table(self) -> None:
        from reportlab.lib import colors
        from reportlab.platypus import Paragraph, Table, TableStyle

        rows = [r for r in (self.table or []) if r]
        self.table = None
        if not rows:
            return
        width = max(len(r) for r in rows)
        cells = [[Paragraph(c, self.styles["BodyText"]) for c in r + [""] * (width - len(r))] for r in rows]
        table = Table(cells, repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef8")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        self.flow.append(table)


def markdown_pdf(text: str, *, title: str = "") -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import SimpleDocTemplate

    flow = _PdfBuilder().build(_parser().parse(text))
    if not flow:
        from reportlab.lib.styles import getSampleStyleSheet
        from reportlab.platypus import Paragraph

        flow = [Paragraph(escape(title or " "), getSampleStyleSheet()["BodyText"])]
    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=A4, title=title, leftMargin=56, rightMargin=56)
    document.build(flow)
    return buffer.getvalue()
