"""`planning backup DIR` / `planning restore DIR`: a consistent copy of the database and back
(a DuckDB file copy, or pg_dump / pg_restore on PostgreSQL: planning.db.pg_backup)."""

from __future__ import annotations

import argparse
import json

from planning.db import Database, backup


def register(subparsers) -> None:
    parser = subparsers.add_parser("backup", help="copy the database into a new or empty directory")
    parser.add_argument("directory", metavar="DIR", help="where to write the backup (created if missing)")
    parser.add_argument("--json", action="store_true", help="print the backup's manifest as JSON")
    parser.set_defaults(func=run_backup)
    parser = subparsers.add_parser("restore", help="replace the database with a backup made by `planning backup`")
    parser.add_argument("directory", metavar="DIR", help="a directory written by `planning backup`")
    parser.add_argument("--json", action="store_true", help="print the restored backup's manifest as JSON")
    parser.set_defaults(func=run_restore)


def run_backup(args: argparse.Namespace, db: Database) -> int:
    manifest = backup.backup(db, args.directory)
    if args.json:
        print(json.dumps(manifest, indent=2))
    else:
        print(f"{db.path}: backed up to {args.directory} (schema version {manifest['schema_version']}, "
              f"{manifest['bytes'] / 1e6:.1f} MB, {_rows(manifest)}).")
    return 0


def run_restore(args: argparse.Namespace, db: Database) -> int:
    manifest = backup.restore(db, args.directory)
    if args.json:
        print(json.dumps(manifest, indent=2))
    else:
        print(f"{db.path}: restored from {args.directory} (backup of {manifest['created_at']}, "
              f"schema version {manifest['schema_version']}, {_rows(manifest)}).")
        if manifest.get("kept"):
            print(f"The database it replaced is kept as {manifest['kept']} until the next backup.")
        elif db.dialect == "postgres":
            print("The data it replaced is not kept on PostgreSQL: your server's own backups hold it.")
    return 0


def _rows(manifest: dict) -> str:
    counts = manifest["row_counts"]
    labels = {"account": "accounts", "opportunity": "opportunities", "plan": "plans"}
    return ", ".join(f"{counts.get(table, 0):,} {label}" for table, label in labels.items())
