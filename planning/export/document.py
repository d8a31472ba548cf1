"""The document model of a plan export: blocks that every renderer (HTML, PDF) lays out the same way."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

LIGHT_FILLS = {"#f9a825", "#bdbdbd", "#e0e0e0", "#66bb6a", "#9e9e9e"}  # dark text reads better on these


@dataclass
class Facts:
    """Label → value pairs; an optional colour marks a value (a band, a status)."""
    pairs: list[tuple[str, str, str | None]]


@dataclass
class Table:
    columns: list[str]
    rows: list[list[str]]
    fills: list[list[str | None]] | None = None  # background colour per cell
    caption: str | None = None


@dataclass
class Text:
    heading: str | None
    body: str


@dataclass
class Image:
    title: str
    png: bytes
    svg: str | None = None  # drawn pictures keep their SVG for the HTML


@dataclass
class Notes:
    heading: str
    items: list[str]


Block = Facts | Table | Text | Image | Notes


@dataclass
class Section:
    name: str
    title: str
    blocks: list = field(default_factory=list)


@dataclass
class Document:
    plan: dict
    generated_at: datetime
    sections: list[Section]

    @property
    def title(self) -> str:
        return f"{self.plan['name']} — account plan"


# -- sections and presets ------------------------------------------------------------------
