"""Render an export Document as one self-contained, print-friendly HTML page (user text escaped)."""

from __future__ import annotations

import base64
import html

from planning.export.document import (
    LIGHT_FILLS,
    Document,
    Facts,
    Image,
    Notes,
    Table,
    Text,
)

_CSS = """
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #212121; margin: 2em auto; max-width: 60em; line-height: 1.4; }
h1 { font-size: 1.6em; margin-bottom: .2em; } h2 { border-bottom: 2px solid #1976d2; padding-bottom: .2em; margin-top: 1.6em; }
h3 { font-size: 1.05em; margin: 1em 0 .3em; } .meta { color: #616161; font-size: .9em; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2em 1.2em; } dl.facts dt { font-weight: 600; } dl.facts dd { margin: 0; }
table { border-collapse: collapse; width: 100%; margin: .5em 0 1em; font-size: .85em; }
th, td { border: 1px solid #bdbdbd; padding: .3em .5em; text-align: left; vertical-align: top; white-space: pre-line; }
th { background: #eeeeee; }
.swatch { display: inline-block; width: .8em; height: .8em; border-radius: 2px; margin-right: .3em; vertical-align: middle; }
td.filled { color: #ffffff; font-weight: 600; } td.filled.light { color: #212121; } figure { margin: 1em 0; } figure img { max-width: 100%; }
.text { white-space: pre-wrap; } caption { caption-side: bottom; text-align: left; color: #616161; font-size: .9em; }
@media print { body { margin: 0; max-width: none; } section { break-inside: avoid-page; } h2 { break-after: avoid; } }
"""


def _e(text) -> str:
    return html.escape("" if text is None else str(text))


def _html_block(block) -> str:
    if isinstance(block, Facts):
        items = "".join(
            f"<dt>{_e(label)}</dt><dd>{f'<span class=swatch style=background:{colour}></span>' if colour else ''}{_e(value)}</dd>"
            for label, value, colour in block.pairs
        )
        return f'<dl class="facts">{items}</dl>'
    if isinstance(block, Table):
        head = "".join(f"<th>{_e(c)}</th>" for c in block.columns)
        body = []
        for r, row in enumerate(block.rows):
            cells = []
            for c, value in enumerate(row):
                fill = block.fills[r][c] if block.fills else None
                style = f' class="filled{" light" if fill in LIGHT_FILLS else ""}" style="background:{fill}"' if fill else ""
                cells.append(f"<td{style}>{_e(value)}</td>")
            body.append(f"<tr>{''.join(cells)}</tr>")
        caption = f"<caption>{_e(block.caption)}</caption>" if block.caption else ""
        return f"<table>{caption}<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    if isinstance(block, Text):
        heading = f"<h3>{_e(block.heading)}</h3>" if block.heading else ""
        return f'{heading}<div class="text">{_e(block.body)}</div>'
    if isinstance(block, Image):
        if block.svg:
            source = "data:image/svg+xml;base64," + base64.b64encode(block.svg.encode()).decode()
        else:
            source = "data:image/png;base64," + base64.b64encode(block.png).decode()
        return f'<figure><img src="{source}" alt="{_e(block.title)}"><figcaption>{_e(block.title)}</figcaption></figure>'
    if isinstance(block, Notes):
        return f"<h3>{_e(block.heading)}</h3><ul>{''.join(f'<li>{_e(item)}</li>' for item in block.items)}</ul>"
    raise TypeError(f"unknown block {block!r}")


def render_html(document: Document) -> str:
    """A self-contained HTML page (inline CSS, images as data URIs, no script)."""
    sections = "".join(
        f'<section id="{s.name}"><h2>{_e(s.title)}</h2>{"".join(_html_block(b) for b in s.blocks)}</section>'
        for s in document.sections
    )
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{_e(document.title)}</title>'
        f"<style>{_CSS}</style></head><body><header><h1>{_e(document.plan['name'])}</h1>"
        f'<p class="meta">{_e(document.plan["account"])} · account plan exported {document.generated_at:%d %b %Y %H:%M}</p>'
        f"</header>{sections}</body></html>"
    )


# -- one call for pages and the CLI --------------------------------------------------------
