"""CSV imports: a CRM extract validated whole, previewed, then written in one transaction.

Rules (issue #3):
- the file is decoded and sniffed (csvfile), its headers mapped for the kind (mapping), every
  value parsed and checked in SQL (staging), references resolved and rows matched (upsert);
- any problem refuses the whole file (ImportRefused, database untouched) unless
  `skip_bad_rows`, which imports the valid rows and returns the rejected ones with a reason;
- a commit writes inserts, updates, opportunity history, audit rows and one import_batch row
  in a single transaction; a dry run does the same work and rolls it back, so the preview's
  figures are exactly what a commit would do.
"""

from __future__ import annotations

import os
import re
from dataclasses import asdict, dataclass, field
from datetime import datetime

import duckdb
import pandas as pd

from planning import access, kpis
from planning.db import Database
from planning.errors import ImportRefused, NotAllowed
from planning.importing import csvfile, staging, upsert
from planning.importing.mapping import (
    KINDS,
    SPECS,
    Mapping,
    auto_map,
    describe_required,
    guess_kind,
    signature_score,
    spec_for,
)

# New stage names get this probability unless the file's own probabilities say otherwise.
DEFAULT_NEW_STAGE_PROBABILITY = 0.10
MAX_LISTED = 1000  # problems and changes carried in a report; the totals are always exact


@dataclass
class ImportReport:
    """What an import did (or, for a dry run, would do)."""

    kind: str
    file_name: str
    sha256: str = ""
    rows_read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    warnings: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    problem_count: int = 0
    unassigned: int = 0
    unknown_amounts: int = 0
    batch_id: int | None = None
    dry_run: bool = False
    encoding: str = ""
    delimiter: str = ","
    mapping: dict[str, str] = field(default_factory=dict)
    unmapped: list[str] = field(default_factory=list)
    new_stages: list[dict] = field(default_factory=list)
    changes: pd.DataFrame | None = None  # line, key, field, old_value, new_value (first MAX_LISTED)
    rejected_rows: pd.DataFrame | None = None  # the file's columns + line + reason

    def summary(self) -> str:
        verb = "would import" if self.dry_run else "imported"
        text = (f"{self.file_name} ({self.kind}) {verb}: {self.inserted} inserted, {self.updated} updated, "
                f"{self.unchanged} unchanged, {self.rejected} rejected, {len(self.warnings)} warnings")
        if self.kind == "opportunities":
            text += f", {self.unassigned} unassigned"
        return text + "."

    def as_dict(self) -> dict:
        data = {k: v for k, v in asdict(self).items() if k not in ("changes", "rejected_rows")}
        return data

    def rejected_csv(self) -> bytes:
        """Rejected rows as CSV with a `reason` column (empty when none)."""
        frame = self.rejected_rows if self.rejected_rows is not None else pd.DataFrame()
        return frame.to_csv(index=False).encode("utf-8")


IMPORT_MEMORY_LIMIT = "1GB"


def import_csv(
    db: Database,
    kind: str,
    source: str | os.PathLike | bytes,
    *,
    file_name: str | None = None,
    user: dict | None = None,
    mapping: dict[str, str | None] | None = None,
    dry_run: bool = False,
    skip_bad_rows: bool = False,
    stage_probabilities: dict[str, float] | None = None,
) -> ImportReport:
    """Import one extract of `kind`; raises ImportRefused (nothing written) when it cannot be used whole.

    `user` None is the local operator (CLI without --user); otherwise it needs role ops or admin.
    `stage_probabilities` confirms the default probability (0..1) of stage names new to the table.
    """
    if user is not None:
        user = access.require_reference_data_editor(user, "import files")
    spec_for(kind)
    csv_file = csvfile.read_source(source, file_name)
    try:
        return _import(db, kind, csv_file, user, mapping, dry_run, skip_bad_rows, stage_probabilities or {})
    finally:
        csv_file.cleanup()


def inspect_headers(source: str | os.PathLike | bytes, file_name: str | None = None) -> dict:
    """Detected facts of a file before import: headers, guessed kind, encoding, delimiter."""
    csv_file = csvfile.read_source(source, file_name)
    csv_file.cleanup()
    return {"headers": csv_file.headers, "kind": guess_kind(csv_file.headers), "encoding": csv_file.encoding,
            "delimiter": csv_file.delimiter}


def _check_mapping(kind: str, csv_file: csvfile.CsvFile, overrides: dict | None) -> Mapping:
    mapped = auto_map(csv_file.headers, kind, overrides)
    guess = guess_kind(csv_file.headers)
    looks_other = (guess not in (None, kind) and not overrides
                   and signature_score(csv_file.headers, kind) == 0 and signature_score(csv_file.headers, guess) > 0)
    if looks_other:
        raise ImportRefused(
            f"{csv_file.file_name} looks like an extract of {guess}, not {kind}: choose the kind {guess!r} "
            "or map its columns explicitly."
        )
    missing = mapped.missing_required()
    if missing:
        hint = f" It looks like an extract of {guess}." if guess and guess != kind else ""
        raise ImportRefused(
            f"{csv_file.file_name} cannot be imported as {kind}: missing required column "
            f"{describe_required(kind, missing)}.{hint}"
        )
    return mapped


def _import(db, kind, csv_file, user, overrides, dry_run, skip_bad_rows, stage_probabilities) -> ImportReport:
    mapped = _check_mapping(kind, csv_file, overrides)
    fields = set(mapped.columns.values())
    report = ImportReport(kind=kind, file_name=csv_file.file_name, sha256=csv_file.sha256, dry_run=dry_run,
                          encoding=csv_file.encoding, delimiter=csv_file.delimiter,
                          mapping=dict(mapped.columns), unmapped=list(mapped.unmapped))
    started = datetime.now()
    with db.connect() as con:
        # Left alone, DuckDB may keep a 1M-row import's staging in up to 80 % of RAM; with a cap it
        # spills what does not fit, and was faster too (issue #10: 1.5 GB → 1.1 GB peak, 14.5 → 12.3 s).
        con.execute(f"SET memory_limit = '{IMPORT_MEMORY_LIMIT}'")
        if dry_run:
            # A big insert is written straight to free blocks of the file before COMMIT (optimistic
            # writes); a dry run rolls back, so it would grow the file for nothing. Keep it in memory.
            con.execute("SET enable_optimistic_write = false")
        report.rows_read = csvfile.load(con, csv_file)
        if report.rows_read == 0:
            raise ImportRefused(f"{csv_file.file_name} has a header line but no rows to import.")
        staging.stage(con, mapped, csv_file.headers, decimal_comma=csv_file.delimiter == ";")
        upsert.resolve(con, kind, fields)
        if kind == "business-units":
            _unresolved_accounts_are_problems(con, mapped)
            upsert.resolve(con, kind, fields)
        _collect_problems(con, report, csv_file, skip_bad_rows)
        report.warnings += _warnings(con, kind, mapped)
        columns = upsert.compared_columns(kind, fields)
        # Line numbers are fixed by now; letting DuckDB write in any order makes big inserts faster.
        con.execute("SET preserve_insertion_order = false")
        # Through Database.transaction on this prepared connection: one writer at a time in this
        # process (an edit in another session would otherwise collide: "Conflict on update") and
        # the write count moves, so cached reads see the import.
        try:
            with db.transaction(con):
                batch_id = con.execute("SELECT nextval('seq_import_batch')").fetchall()[0][0]
                if kind == "opportunities":
                    report.new_stages = _add_new_stages(con, stage_probabilities)
                    if "business_unit" in fields:
                        upsert.business_units(con, batch_id)
                        upsert.attach_business_units(con)
                upsert.changes(con, kind, columns)
                if kind == "users":
                    _check_user_changes(con, user)
                _count(con, report)
                upsert.write(con, kind, columns, batch_id, user["id"] if user else None)
                names = upsert.missing_managers(con, batch_id) if kind == "users" and "manager_ref" in fields else []
                if names:
                    report.warnings.append(
                        f"{len(names)} managers named in the file are not listed in it and were added as users "
                        f"(role rep; an admin can make them leaders): {', '.join(names)}."
                    )
                report.changes = con.execute(
                    "SELECT __line AS line, __key AS key, field, old_value, new_value FROM import_change "
                    f"ORDER BY __line, field LIMIT {MAX_LISTED}"
                ).df()
                if dry_run:
                    raise _DryRun  # rolls the transaction back
                report.batch_id = batch_id
                con.execute(
                    "INSERT INTO import_batch (id, file_name, kind, sha256, rows_read, inserted, updated, unchanged, "
                    "rejected, warnings, user_id, started_at, finished_at, status) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'committed')",
                    [batch_id, csv_file.file_name, kind, csv_file.sha256, report.rows_read, report.inserted,
                     report.updated, report.unchanged, report.rejected, len(report.warnings),
                     user["id"] if user else None, started, datetime.now()],
                )
                if kind == "opportunities" and report.inserted + report.updated:
                    kpis.take_snapshots(con)  # the plans' KPI trend gets today's figures
        except _DryRun:
            pass
        except duckdb.ConstraintException as exc:
            raise ImportRefused(_constraint_sentence(csv_file.file_name, kind, exc)) from exc
        except duckdb.IOException as exc:  # the commit itself is where a full disk shows
            raise ImportRefused(_io_sentence(csv_file.file_name, exc)) from exc
        finally:
            if dry_run:
                con.execute("RESET enable_optimistic_write")  # a global setting: give it back
    return report


class _DryRun(Exception):
    """Raised inside an import's transaction to roll a dry run back."""


# Fields of an existing user only an admin may change: email is the sign-in key, role and
# active flag are rights, manager_id decides whose plans a leader may edit.
ADMIN_ONLY_USER_FIELDS = ("email", "role", "manager_id", "is_active")


def _check_user_changes(con, user: dict | None) -> None:
    """A users import by a non-admin may add users and fill details, never change who someone is.

    `user` None is the local CLI operator, who holds the database file anyway.
    """
    if user is None or user["role"] == "admin":
        return
    found = con.execute(
        "SELECT c.__line, u.name, c.field, c.old_value, c.new_value FROM import_change c JOIN app_user u ON u.id = c.target_id"
        " WHERE c.field IN ? ORDER BY c.__line, c.field",
        [list(ADMIN_ONLY_USER_FIELDS)],
    ).fetchall()
    if found:
        problems = [f"line {line}: {key}'s {field} would change from {old!r} to {new!r}" for line, key, field, old, new in found]
        raise NotAllowed(
            f"A users import by {user['role']} may only add users; changing an existing user's email, role, manager "
            f"or active flag is for an admin ({'; '.join(problems[:3])}). Remove those rows or ask an admin."
        )


def _constraint_sentence(file_name: str, kind: str, exc: Exception) -> str:
    # DuckDB says: Duplicate key "name: Platform Standard" violates unique constraint.
    match = re.search(r'Duplicate key "([^"]*)"', str(exc))
    what = f" with {match.group(1).replace(': ', ' ', 1)}" if match else " with the same unique value"
    return (f"{file_name} cannot be imported as {kind}: the database already has a record{what} under another "
            "CRM id, so a row would duplicate it. Nothing was imported; make the CRM ids agree (or rename the row) "
            "and import again.")


def _io_sentence(file_name: str, exc: Exception) -> str:
    reason = "the disk is full" if "No space left" in str(exc) else f"the database file could not be written ({exc})"
    return f"{file_name} was not imported because {reason}; nothing was changed. Free some space and import it again."


def _unresolved_accounts_are_problems(con, mapped: Mapping) -> None:
    header = mapped.fields["account_ref"]
    con.execute(
        f"INSERT INTO import_problem SELECT __line, {staging.quote(header)}, account_id__unresolved, "
        "'matches no account; import the accounts first' FROM import_rows WHERE account_id__unresolved IS NOT NULL"
    )


def _collect_problems(con, report: ImportReport, csv_file, skip_bad_rows: bool) -> None:
    report.problem_count = con.execute("SELECT count(*) FROM import_problem").fetchall()[0][0]
    if not report.problem_count:
        return
    listed = con.execute(
        f"SELECT line, col, value, message FROM import_problem ORDER BY line, col LIMIT {MAX_LISTED}"
    ).fetchall()
    report.problems = [staging.problem_text(*row) for row in listed]
    bad_rows = con.execute("SELECT count(DISTINCT line) FROM import_problem").fetchall()[0][0]
    if not skip_bad_rows:
        more = f" (and {report.problem_count - 3} more)" if report.problem_count > 3 else ""
        raise ImportRefused(
            f"{csv_file.file_name} was refused, nothing was imported: {report.problem_count} problem"
            f"{'s' if report.problem_count != 1 else ''} in {bad_rows} of {report.rows_read} rows, e.g. "
            + "; ".join(report.problems[:3]) + more + ". Fix the file or choose to skip bad rows.",
            report.problems,
        )
    report.rejected = bad_rows
    columns = ", ".join(f'r.c{i} AS "{h.replace(chr(34), "")}"' for i, h in enumerate(csv_file.headers))
    report.rejected_rows = con.execute(
        f"""
        SELECT r.__line AS line, {columns}, p.reason
        FROM import_raw r JOIN (
            SELECT line, string_agg(col || ': ' || coalesce('''' || value || ''' ', '') || message, '; ' ORDER BY col)
                   AS reason
            FROM import_problem GROUP BY line) p ON p.line = r.__line
        ORDER BY r.__line
        """
    ).df()


def _warnings(con, kind: str, mapped: Mapping) -> list[str]:
    """Unresolved references (kept as text), grouped by value, plus blank amounts."""
    warnings = []
    for ref in upsert.TARGETS[kind].refs:
        if ref.field not in mapped.fields or (kind == "users" and ref.field == "manager_ref"):
            continue
        header = mapped.fields[ref.field]
        rows = con.execute(
            f"SELECT {ref.id_col}__unresolved, count(*), min(__line) FROM import_rows "
            f"WHERE {ref.id_col}__unresolved IS NOT NULL GROUP BY 1 ORDER BY 3"
        ).fetchall()
        kept = "kept as text" if ref.ref_col else "left empty"
        for value, count, first in rows[:100]:
            warnings.append(f"{header} {value!r} matches no {ref.noun} ({count} row{'s' if count != 1 else ''}, "
                            f"first on line {first}); {kept}.")
        if len(rows) > 100:
            warnings.append(f"… and {len(rows) - 100} more {header} values that match no {ref.noun}.")
    if kind == "opportunities" and "amount" in mapped.fields:
        blank = con.execute("SELECT count(*) FROM import_rows WHERE amount IS NULL").fetchall()[0][0]
        if blank:
            warnings.append(f"{blank} opportunities have no amount: unknown, counted as 0 in sums.")
    if kind == "opportunities" and "business_unit" in mapped.fields:
        orphan = con.execute("SELECT count(*) FROM import_rows WHERE business_unit IS NOT NULL "
                             "AND account_id IS NULL").fetchall()[0][0]
        if orphan:
            warnings.append(f"{orphan} opportunities name a business unit but no known account; kept as text.")
    return warnings


def _count(con, report: ImportReport) -> None:
    row = con.execute(
        """
        SELECT count(*) FILTER (WHERE target_id IS NULL),
               count(*) FILTER (WHERE target_id IN (SELECT target_id FROM import_change)),
               count(*) FILTER (WHERE target_id IS NOT NULL AND target_id NOT IN (SELECT target_id FROM import_change))
        FROM import_rows
        """
    ).fetchall()[0]
    report.inserted, report.updated, report.unchanged = row
    if report.kind == "opportunities":
        cols = {r[0] for r in con.execute("DESCRIBE import_rows").fetchall()}
        account = "account_id IS NULL" if "account_id" in cols else "TRUE"
        close = "close_date IS NULL" if "close_date" in cols else "TRUE"
        report.unassigned = con.execute(f"SELECT count(*) FROM import_rows WHERE {account} OR {close}").fetchall()[0][0]
        report.unknown_amounts = (con.execute("SELECT count(*) FROM import_rows WHERE amount IS NULL").fetchall()[0][0]
                                  if "amount" in cols else 0)


def infer_stage_flags(name: str) -> tuple[bool, bool]:
    """(is_closed, is_won) from a stage name: `Won`/`Closed Won` → won, `Lost`/`Closed Lost` → lost."""
    words = set(re.findall(r"[a-z]+", name.lower()))
    if "won" in words:
        return True, True
    if "lost" in words:
        return True, False
    return False, False


def _add_new_stages(con, confirmed: dict[str, float]) -> list[dict]:
    cols = {r[0] for r in con.execute("DESCRIBE import_rows").fetchall()}
    probability = "avg(probability)" if "probability" in cols else "NULL"
    rows = con.execute(
        f"""
        SELECT any_value(stage ORDER BY __line), {probability}, min(__line)
        FROM import_rows r WHERE stage IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM stage s WHERE {staging.fold('s.name')} = {staging.fold('r.stage')})
        GROUP BY {staging.fold('stage')} ORDER BY 3
        """
    ).fetchall()
    order = con.execute("SELECT coalesce(max(sort_order), 0) FROM stage").fetchall()[0][0]
    added = []
    for i, (name, file_probability, _) in enumerate(rows):
        is_closed, is_won = infer_stage_flags(name)
        if name in confirmed:
            chance = float(confirmed[name])
        elif is_closed:
            chance = 1.0 if is_won else 0.0
        else:
            chance = round(file_probability, 4) if file_probability is not None else DEFAULT_NEW_STAGE_PROBABILITY
        added.append({"name": name, "probability": chance, "is_closed": is_closed, "is_won": is_won})
        con.execute("INSERT INTO stage VALUES (?, ?, ?, ?, ?)", [name, chance, is_closed, is_won, order + 1 + i])
    return added


def import_history(db: Database) -> pd.DataFrame:
    """Every import batch, newest first."""
    return db.df(
        """
        SELECT b.id, b.file_name, b.kind, b.status, b.rows_read, b.inserted, b.updated,
               b.unchanged, b.rejected, b.warnings, u.name AS imported_by, b.finished_at
        FROM import_batch b LEFT JOIN app_user u ON u.id = b.user_id
        ORDER BY b.id DESC
        """
    )


__all__ = ["ImportReport", "import_csv", "import_history", "inspect_headers", "KINDS", "SPECS",
           "DEFAULT_NEW_STAGE_PROBABILITY"]
