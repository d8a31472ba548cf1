"""The app's pages in navigation order: (file, title, icon). app.py, tests and benchmarks read it."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PAGES = [
    ("pages/portfolio.py", "Portfolio", "📊"),
    ("pages/plan.py", "Plan", "🗂️"),
    ("pages/scorecard.py", "Scorecard", "✅"),
    ("pages/whitespace.py", "Whitespace", "🧩"),
    ("pages/stakeholders.py", "Stakeholders", "🕸️"),
    ("pages/import.py", "Import", "📥"),
    ("pages/admin.py", "Admin", "🛠️"),
]
PAGE_FILES = [file for file, _, _ in PAGES]
PAGE_TITLES = [title for _, title, _ in PAGES]
