"""Plan exports: one Document built from a plan's sections, rendered as HTML or PDF.

`build` turns a plan into a Document and keeps the presets; `document` is the model;
`html` and `pdf` render it; `charts` draws the chart images both renderers embed.
"""

from planning.export.build import (
    FORMATS,
    MATRIX_COLUMNS_PER_TABLE,
    SECTION_NAMES,
    SECTIONS,
    account_plan_id,
    build_document,
    check_sections,
    delete_preset,
    export_plan,
    file_name,
    list_presets,
    matrix_tables,
    money,
    percent,
    preset_sections,
    save_preset,
)
from planning.export.document import Document
from planning.export.html import render_html

__all__ = [
    "FORMATS", "MATRIX_COLUMNS_PER_TABLE", "SECTIONS", "SECTION_NAMES", "Document", "account_plan_id",
    "build_document", "check_sections", "delete_preset", "export_plan", "file_name", "list_presets",
    "matrix_tables", "money", "percent", "preset_sections", "render_html", "save_preset",
]
