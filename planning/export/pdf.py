"""The plan export as a PDF (reportlab), block for block the same content as the HTML.

Fonts: reportlab ships the Bitstream Vera TrueType fonts inside its wheel, so the PDF embeds a
Unicode font on any machine without a system package. Vera covers Latin-1 and the usual
typography (é, ü, –, ’, “ ”, €, …). A character Vera lacks (→, ✎, CJK) is folded to a close
ASCII spelling or "?" by `fit_to_font` rather than printed as an empty box or failing.
"""

from __future__ import annotations

import io
import unicodedata
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Image as PdfImage
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
)
from reportlab.platypus import Table as PdfTable

from planning.export.document import (
    LIGHT_FILLS,
    Document,
    Facts,
    Image,
    Notes,
    Table,
    Text,
)

FONT, BOLD = "Vera", "Vera-Bold"
SUBSTITUTES = {"✎": "*", "→": "->", "←": "<-", "✓": "v", "✔": "v", "✗": "x"}
PAGE = A4
MARGIN = 15 * mm
WIDTH = PAGE[0] - 2 * MARGIN


def _register_fonts() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, "Vera.ttf"))  # found on reportlab's own font path
        pdfmetrics.registerFont(TTFont(BOLD, "VeraBd.ttf"))
        pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=BOLD, italic=FONT, boldItalic=BOLD)


def fit_to_font(text: str) -> str:
    """`text` with every character the embedded font cannot draw folded to ASCII (or "?")."""
    _register_fonts()
    glyphs = pdfmetrics.getFont(FONT).face.charToGlyph
    out = []
    for ch in text:
        if ord(ch) in glyphs or ch in "\n\t":
            out.append(ch)
        elif ch in SUBSTITUTES:
            out.append(SUBSTITUTES[ch])
        else:
            folded = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode()
            out.append(folded or "?")
    return "".join(out)


def _styles() -> dict[str, ParagraphStyle]:
    _register_fonts()
    base = ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=12.5)
    return {
        "body": base,
        "title": ParagraphStyle("title", parent=base, fontName=BOLD, fontSize=18, leading=22, spaceAfter=2),
        "meta": ParagraphStyle("meta", parent=base, textColor=colors.HexColor("#616161"), spaceAfter=6),
        "h2": ParagraphStyle("h2", parent=base, fontName=BOLD, fontSize=13, leading=16, spaceBefore=10, spaceAfter=4,
                             textColor=colors.HexColor("#0d47a1")),
        "h3": ParagraphStyle("h3", parent=base, fontName=BOLD, fontSize=10.5, leading=13, spaceBefore=6, spaceAfter=2),
        "cell": ParagraphStyle("cell", parent=base, fontSize=7.5, leading=9.5),
        "head": ParagraphStyle("head", parent=base, fontName=BOLD, fontSize=7.5, leading=9.5),
        "caption": ParagraphStyle("caption", parent=base, fontSize=8, textColor=colors.HexColor("#616161")),
    }


def _p(text, style: ParagraphStyle, colour: str | None = None) -> Paragraph:
    """A paragraph of user text: fitted to the font, XML-escaped, line breaks kept."""
    body = escape(fit_to_font("" if text is None else str(text))).replace("\n", "<br/>")
    if colour:
        body = f'<font color="{colour}">{body}</font>'
    return Paragraph(body, style)


def _grid() -> list:
    return [("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#bdbdbd")), ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3)]


def _facts(block: Facts, styles) -> PdfTable:
    """Label, a swatch cell (coloured when the value has a status colour), value."""
    rows = [[_p(label, styles["head"]), "", _p(value, styles["body"])] for label, value, _ in block.pairs]
    style = [("VALIGN", (0, 0), (-1, -1), "TOP"), ("BOTTOMPADDING", (0, 0), (-1, -1), 1), ("TOPPADDING", (0, 0), (-1, -1), 1)]
    style += [("BACKGROUND", (1, i), (1, i), colors.HexColor(colour)) for i, (_, _, colour) in enumerate(block.pairs) if colour]
    return PdfTable(rows, colWidths=[48 * mm, 3 * mm, WIDTH - 53 * mm], hAlign="LEFT", style=style)


def _table(block: Table, styles) -> list:
    head = [_p(c, styles["head"]) for c in block.columns]
    body = []
    for r, row in enumerate(block.rows):
        cells = []
        for c, value in enumerate(row):
            fill = block.fills[r][c] if block.fills else None
            white = fill and fill not in LIGHT_FILLS
            cells.append(_p(value, styles["cell"], "#ffffff" if white else None))
        body.append(cells)
    style = _grid() + [("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee"))]
    if block.fills:
        for r, fill_row in enumerate(block.fills, start=1):
            for c, fill in enumerate(fill_row):
                if fill:
                    style.append(("BACKGROUND", (c, r), (c, r), colors.HexColor(fill)))
    table = PdfTable([head, *body], colWidths=[WIDTH / len(block.columns)] * len(block.columns), repeatRows=1, style=style)
    flow = [table]
    if block.caption:
        flow.append(_p(block.caption, styles["caption"]))
    return flow + [Spacer(1, 4 * mm)]


def _image(block: Image, styles) -> list:
    picture = PdfImage(io.BytesIO(block.png))
    scale = min(1.0, WIDTH / picture.imageWidth, (120 * mm) / picture.imageHeight)
    picture.drawWidth, picture.drawHeight = picture.imageWidth * scale, picture.imageHeight * scale
    picture.hAlign = "LEFT"
    return [KeepTogether([picture, _p(block.title, styles["caption"])]), Spacer(1, 3 * mm)]


def _flowables(block, styles) -> list:
    if isinstance(block, Facts):
        return [_facts(block, styles), Spacer(1, 3 * mm)]
    if isinstance(block, Table):
        return _table(block, styles)
    if isinstance(block, Text):
        heading = [_p(block.heading, styles["h3"])] if block.heading else []
        return heading + [_p(block.body, styles["body"])]
    if isinstance(block, Image):
        return _image(block, styles)
    if isinstance(block, Notes):
        return [_p(block.heading, styles["h3"])] + [_p(f"• {item}", styles["body"]) for item in block.items]
    raise TypeError(f"unknown block {block!r}")


def render_pdf(document: Document) -> bytes:
    """The document as PDF bytes (A4, embedded Vera font)."""
    styles = _styles()
    story = [
        _p(document.plan["name"], styles["title"]),
        _p(f"{document.plan['account']} · account plan exported {document.generated_at:%d %b %Y %H:%M}", styles["meta"]),
    ]
    for section in document.sections:
        story.append(_p(section.title, styles["h2"]))
        for block in section.blocks:
            story.extend(_flowables(block, styles))
    buffer = io.BytesIO()
    pdf = SimpleDocTemplate(buffer, pagesize=PAGE, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                            bottomMargin=MARGIN, title=fit_to_font(document.title), author="Account Planner")
    pdf.build(story)
    return buffer.getvalue()
