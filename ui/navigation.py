"""The app's pages in navigation order: (file, title, icon). app.py, tests and benchmarks read it."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PAGES = [
    ("pages/portfolio.py", "Portfolio", ":material/dashboard:"),
    ("pages/plan.py", "Plan", ":material/assignment:"),
    ("pages/scorecard.py", "Scorecard", ":material/fact_check:"),
    ("pages/whitespace.py", "Whitespace", ":material/grid_view:"),
    ("pages/stakeholders.py", "Stakeholders", ":material/hub:"),
    ("pages/import.py", "Import", ":material/upload_file:"),
    ("pages/admin.py", "Admin", ":material/admin_panel_settings:"),
]
PAGE_FILES = [file for file, _, _ in PAGES]
PAGE_TITLES = [title for _, title, _ in PAGES]
