"""`planning export plan ID --format html|pdf [--sections a,b] [--preset NAME] -o FILE`, and export presets."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from planning import export
from planning.commands.plans import acting_user
from planning.db import Database
from planning.errors import InvalidInput, NotFound


def register(subparsers) -> None:
    parser = subparsers.add_parser("export", help="export a plan as HTML or PDF; manage export presets")
    actions = parser.add_subparsers(dest="export_action", metavar="ACTION", required=True)
    plan = actions.add_parser("plan", help="write one plan as a self-contained HTML page or a PDF")
    plan.add_argument("plan_id", type=int, metavar="ID", help="the plan's id")
    plan.add_argument("--format", choices=export.FORMATS, help="html or pdf (default: from the file name, else html)")
    plan.add_argument("--sections", help=f"comma-separated sections (default all): {','.join(export.SECTION_NAMES)}")
    plan.add_argument("--preset", help="use a saved preset's sections")
    plan.add_argument("-o", "--output", required=True, help="file to write")
    plan.set_defaults(func=run_plan)
    listing = actions.add_parser("presets", help="list saved export presets")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(func=run_presets)
    save = actions.add_parser("save-preset", help="save a named section preset (admins)")
    save.add_argument("name")
    save.add_argument("--sections", required=True, help="comma-separated sections")
    save.add_argument("--as", dest="acting", help="acting user's name or email (default: $PLANNING_USER, else the first admin)")
    save.set_defaults(func=run_save_preset)


def _require_db(db: Database) -> None:
    if not db.exists():
        raise NotFound(f"{db.path} does not exist; run `planning init` first.")


def run_plan(args: argparse.Namespace, db: Database) -> int:
    _require_db(db)
    if args.sections and args.preset:
        raise InvalidInput("Give --sections or --preset, not both.")
    sections = export.preset_sections(db, args.preset) if args.preset else export.check_sections(args.sections)
    fmt = args.format or ("pdf" if args.output.lower().endswith(".pdf") else "html")
    data = export.export_plan(db, args.plan_id, fmt, sections)
    Path(args.output).write_bytes(data)
    print(f"Wrote plan {args.plan_id} as {fmt.upper()} ({len(data):,} bytes, sections {','.join(sections)}) to {args.output}.")
    return 0


def run_presets(args: argparse.Namespace, db: Database) -> int:
    _require_db(db)
    presets = export.list_presets(db)
    if args.json:
        print(json.dumps([{"name": p["name"], "sections": p["sections"], "created_by": p["created_by"]} for p in presets], indent=2))
    elif not presets:
        print("No export presets saved yet.")
    for p in [] if args.json else presets:
        print(f"{p['name']}: {','.join(p['sections'])}")
    return 0


def run_save_preset(args: argparse.Namespace, db: Database) -> int:
    _require_db(db)
    user = acting_user(db, args.acting)
    export.save_preset(db, user, args.name, export.check_sections(args.sections))
    print(f"Saved export preset “{args.name.strip()}”.")
    return 0
