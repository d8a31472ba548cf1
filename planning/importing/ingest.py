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
from typing import TYPE_CHECKING

from planning import access, kpis
from planning.db import Database
from planning.db.dialect import Dialects, constraint_errors, refresh_statistics, write_errors
from planning.errors import ImportRefused, NotAllowed
from planning.importing import csvfile, saved, scratch, sources, stages, staging, upsert
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

if TYPE_CHECKING:  # pandas loads with the first DataFrame read: `planning import` never needs it (~0.4 s)
    import pandas as pd

MAX_LISTED = 1000  # problems and changes carried in a report; the totals are always exact
CHANGE_COLUMNS = ["line", "key", "field", "old_value", "new_value"]


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
    warnings: list[str] = field(default_factory=list)  # one line per kind of warning, with count and lines
    warning_groups: list[dict] = field(default_factory=list)  # the same: kind, message, count, first_lines
    source: str = "plain"  # sources.Source.key
    source_label: str = ""  # "HubSpot deals export"
    readings: list[str] = field(default_factory=list)  # "Close Date: dates read as DD.MM.YYYY"
    dropped: list[str] = field(default_factory=list)  # report framing dropped before reading
    saved_mapping: str | None = None  # "applied the mapping saved on 2026-12-01"
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
    change_rows: list[tuple] = field(default_factory=list, repr=False)  # CHANGE_COLUMNS (first MAX_LISTED)
    rejected_rows: pd.DataFrame | None = None  # the file's columns + line + reason

    @property
    def changes(self) -> pd.DataFrame:
        """The changes to existing records (`change_rows`) as a DataFrame: line, key, field, old_value, new_value."""
        import pandas as pd

        return pd.DataFrame(self.change_rows, columns=CHANGE_COLUMNS)

    def summary(self) -> str:
        verb = "would import" if self.dry_run else "imported"
        what = f"{self.kind}, {self.source_label}" if self.source_label else self.kind
        text = (f"{self.file_name} ({what}) {verb}: {self.inserted} inserted, {self.updated} updated, "
                f"{self.unchanged} unchanged, {self.rejected} rejected, {len(self.warnings)} warnings")
        if self.kind == "opportunities":
            text += f", {self.unassigned} unassigned"
        return text + "."

    def warn(self, kind: str, message: str, count: int, lines: list[int]) -> None:
        """One grouped warning: `message (N rows, first on lines 3, 8, 12).`"""
        shown = ", ".join(str(n) for n in lines[:5])
        where = f"first on line{'s' if len(lines[:5]) != 1 else ''} {shown}" if lines else ""
        rows = f"{count} row{'s' if count != 1 else ''}"
        self.warnings.append(f"{message} ({rows}{', ' + where if where else ''}).")
        self.warning_groups.append({"kind": kind, "message": message, "count": count, "first_lines": lines[:5]})

    def notes(self) -> list[str]:
        """What the preview states besides the counts: source, dropped framing, readings, saved mapping."""
        notes = [f"Recognised as a {self.source_label}."] if self.source_label else []
        notes += [f"Dropped {d}." for d in self.dropped]
        notes += [f"{r}." for r in self.readings]
        if self.saved_mapping:
            notes.append(self.saved_mapping + ".")
        return notes

    def as_dict(self) -> dict:
        data = {k: v for k, v in asdict(self).items() if k not in ("change_rows", "rejected_rows")}
        return data

    def rejected_csv(self) -> bytes:
        """Rejected rows as CSV with a `reason` column (empty when none)."""
        import pandas as pd

        frame = self.rejected_rows if self.rejected_rows is not None else pd.DataFrame()
        return frame.to_csv(index=False).encode("utf-8")


IMPORT_MEMORY_LIMIT = "1GB"
# An import that wrote this many rows refreshes PostgreSQL's planner statistics of its table.
BULK_ROWS = 10_000




# The batch number a commit takes; a dry run's rollback gives DuckDB's back, but PostgreSQL never
# returns a sequence value, so there a dry run only reads the number the next commit would take.
NEXT_BATCH = Dialects(duckdb="SELECT nextval('seq_import_batch')", postgres="SELECT nextval('seq_import_batch')")
PEEK_BATCH = Dialects(duckdb=NEXT_BATCH.duckdb, postgres="SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value END "
                      "FROM seq_import_batch")
# The first (up to) five lines of the rows a query counts, smallest first.
FIRST_LINES = Dialects(duckdb="min(__line, 5)", postgres="(array_agg(__line ORDER BY __line))[1:5]")


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
    stage_probabilities: dict | None = None,
    date_order: str | None = None,
) -> ImportReport:
    """Import one extract of `kind` (CSV or .xlsx); raises ImportRefused (nothing written) when it cannot be used whole.

    `user` None is the local operator (CLI without --user); otherwise it needs role ops or admin.
    `stage_probabilities` confirms stage names new to the table: name → probability (0..1, an open
    stage) or name → (state, probability) with state open / won / lost (see stages.py).
    `date_order` DMY or MDY settles slash dates no value of the file disambiguates.
    """
    if user is not None:
        user = access.require_reference_data_editor(user, "import files")
    spec_for(kind)
    if date_order is not None and date_order not in staging.DATE_ORDERS:
        raise ImportRefused(f"The date order is DMY or MDY, not {date_order!r}.")
    def run(taken: csvfile.CsvFile) -> ImportReport:
        return _import(db, kind, taken, user, mapping, dry_run, skip_bad_rows, stage_probabilities or {}, date_order)

    csv_file = csvfile.read_source(source, file_name)
    try:
        try:
            return run(csv_file)
        except (ImportRefused, csvfile.NotPlain):
            # Refused, or read, before the file's streamed check was done: a file that needs the full
            # path is imported (or refused) by it, as if it had been taken from the start.
            full = csvfile.settled(csv_file)
            if full is csv_file:
                raise
            csv_file = full
        return run(csv_file)
    finally:
        csv_file.cleanup()


def inspect_headers(source: str | os.PathLike | bytes, file_name: str | None = None) -> dict:
    """Detected facts of a file before import: headers, guessed kind, source, encoding, delimiter."""
    csv_file = csvfile.settled(csvfile.read_source(source, file_name))
    csv_file.cleanup()
    kind = guess_kind(csv_file.headers)
    crm = sources.detect(csv_file.headers, footer_dropped=bool(csv_file.framing))
    return {"headers": csv_file.headers, "kind": kind, "encoding": csv_file.encoding,
            "delimiter": csv_file.delimiter, "source": crm.key,
            "source_label": crm.label(kind or "opportunities"), "dropped": list(csv_file.framing)}


def saved_mapping(db: Database, kind: str, headers: list[str]) -> dict[str, str | None]:
    """The overrides remembered for this file shape (empty when none)."""
    with db.connect() as con:
        found = saved.load(con, kind, headers)
    return found[0] if found else {}


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


def _import(db, kind, csv_file, user, overrides, dry_run, skip_bad_rows, confirmations, date_order) -> ImportReport:
    crm = sources.detect(csv_file.headers, footer_dropped=bool(csv_file.framing))
    explicit = dict(overrides or {})
    remembered = saved_mapping(db, kind, csv_file.headers)
    mapped = _check_mapping(kind, csv_file, {**remembered, **explicit} or None)
    fields = set(mapped.columns.values())
    if "status" in fields:
        fields |= {"is_closed", "is_won"}  # staging derives both from the status column
    report = ImportReport(kind=kind, file_name=csv_file.file_name, dry_run=dry_run,
                          encoding=csv_file.encoding, delimiter=csv_file.delimiter,
                          mapping=dict(mapped.columns), unmapped=list(mapped.unmapped),
                          source=crm.key, source_label=crm.label(kind))
    if remembered:
        pairs = ", ".join(f"{h} → {f or 'ignored'}" for h, f in remembered.items())
        report.saved_mapping = f"Applied the column mapping saved for this file shape ({pairs})"
    started = datetime.now()
    with db.connect() as con, scratch.work_connection(con) as work:
        # `work` reads and checks the file: `con` itself on DuckDB, an in-memory DuckDB beside a
        # PostgreSQL database (planning.importing.scratch); references and the write are on `con`.
        separate = scratch.is_separate(work, con)
        scratch.forget(con)
        if not separate:
            # Left alone, DuckDB may keep a 1M-row import's staging in up to 80 % of RAM; with a cap it
            # spills what does not fit, and was faster too (issue #10: 1.5 GB → 1.1 GB peak, 14.5 → 12.3 s).
            con.execute(f"SET memory_limit = '{IMPORT_MEMORY_LIMIT}'")
        if dry_run and not separate:
            # A big insert is written straight to free blocks of the file before COMMIT (optimistic
            # writes); a dry run rolls back, so it would grow the file for nothing. Keep it in memory.
            con.execute("SET enable_optimistic_write = false")
        try:
            _stage_and_write(db, con, work, report, kind, csv_file, mapped, fields, user, explicit, remembered, crm,
                             dry_run, skip_bad_rows, confirmations, date_order, started)
        finally:
            if dry_run and not separate:
                con.execute("RESET enable_optimistic_write")  # a global setting: give it back
            scratch.forget(con, done=True)
    return report


def _stage_and_write(db, con, work, report, kind, csv_file, mapped, fields, user, explicit, remembered, crm,
                     dry_run, skip_bad_rows, confirmations, date_order, started) -> None:
    separate = scratch.is_separate(work, con)
    report.rows_read = csvfile.load(work, csv_file)
    report.sha256 = csv_file.sha256  # known once the file's streamed check is done (csvfile.load)
    # Each record's line is in `__line` from here on: DuckDB may build the staging tables and
    # write in any order (parallel, without keeping row order).
    work.execute("SET preserve_insertion_order = false")
    report.dropped = list(csv_file.framing)
    if report.rows_read == 0:
        raise ImportRefused(f"{csv_file.file_name} has a header line but no rows to import.")
    # On DuckDB the per-row checks run on the pass that builds `import_rows` (staging.RowChecks),
    # unless rows of the file may name each other (a parent account, a manager): a row must not
    # resolve to one that is then left out, so those kinds find bad rows first, in their own scan.
    defer = not separate and kind not in upsert.SELF_TABLE
    readings = staging.stage(work, mapped, csv_file.headers, date_order, csv_file.padded, defer_row_checks=defer)
    report.readings = readings.notes
    if readings.coded_amounts:
        fields.add("currency")  # the amounts' codes are the rows' currencies, without a currency column
    if kind == "opportunities" and "account_ref" in fields:
        _several_accounts(work, report, mapped)
    if separate:
        for table in ("import_typed", "import_problem"):
            scratch.ship(work, con, table)
    upsert.resolve(con, kind, fields, readings.row_checks)
    if kind == "business-units":
        _unresolved_accounts_are_problems(con, mapped, work)
        upsert.resolve(con, kind, fields)
    if kind == "opportunities":
        _require_close_dates(con, report, csv_file, fields)
    _collect_problems(work, report, csv_file, skip_bad_rows)
    # The file's text and its typed copy are done with: their memory goes to the write.
    csvfile.unload(work)
    staging.unload(work)
    if separate:
        staging.unload(con)
    _warnings(con, report, kind, mapped)
    columns = upsert.compared_columns(kind, fields)
    # Through Database.transaction on this prepared connection: one writer at a time in this
    # process (an edit in another session would otherwise collide: "Conflict on update") and
    # the write count moves, so cached reads see the import.
    try:
        with db.transaction(con):
            batch_id = con.execute((PEEK_BATCH if dry_run else NEXT_BATCH).on(con)).fetchall()[0][0]
            if kind == "opportunities":
                report.new_stages = stages.add_new_stages(con, crm, confirmations)
                if not dry_run and any(s["pending"] for s in report.new_stages):
                    raise stages.pending_refusal(csv_file.file_name, report.new_stages)
            staged = "import_rows"  # the staged rows' table: import_rows, unless units make it a view over it
            if kind == "opportunities" and "business_unit" in fields:
                upsert.business_units(con, batch_id)
                staged = upsert.attach_business_units(con)
            upsert.changes(con, kind, columns)
            if kind == "users":
                _check_user_changes(con, user)
            new_lines = _count(con, report, staged)
            upsert.write(con, kind, columns, batch_id, user["id"] if user else None, new_lines)
            if report.inserted or "external_id" in columns:
                _refuse_shared_crm_id(con, csv_file.file_name, kind, batch_id)
            names = upsert.missing_managers(con, batch_id) if kind == "users" and "manager_ref" in fields else []
            if names:
                report.warn("managers_added", "managers named in the file but not listed in it were added as "
                            "users (role rep; an admin can make them leaders): " + ", ".join(names),
                            len(names), [])
            report.change_rows = [tuple(row) for row in con.execute(
                "SELECT __line AS line, __key AS key, field, old_value, new_value FROM import_change "
                f"ORDER BY __line, field LIMIT {MAX_LISTED}"
            ).fetchall()]
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
            if explicit:
                saved.save(con, kind, csv_file.headers, crm.key, {**remembered, **explicit},
                           user["id"] if user else None)
            if kind == "opportunities" and report.inserted + report.updated:
                kpis.take_snapshots(con)  # the plans' KPI trend gets today's figures
        if report.inserted + report.updated >= BULK_ROWS:
            refresh_statistics(con, [upsert.TARGETS[kind].table] + (["opportunity_history"] if kind == "opportunities" else []))
    except _DryRun:
        pass
    except constraint_errors() as exc:
        raise ImportRefused(_constraint_sentence(csv_file.file_name, kind, exc)) from exc
    except write_errors() as exc:  # the commit itself is where a full disk shows
        raise ImportRefused(_io_sentence(csv_file.file_name, exc)) from exc


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
        f" WHERE c.field IN ({', '.join(staging.quote(f) for f in ADMIN_ONLY_USER_FIELDS)}) ORDER BY c.__line, c.field"
    ).fetchall()
    if found:
        problems = [f"line {line}: {key}'s {field} would change from {old!r} to {new!r}" for line, key, field, old, new in found]
        raise NotAllowed(
            f"A users import by {user['role']} may only add users; changing an existing user's email, role, manager "
            f"or active flag is for an admin ({'; '.join(problems[:3])}). Remove those rows or ask an admin."
        )


def _constraint_sentence(file_name: str, kind: str, exc: Exception) -> str:
    # DuckDB says: Duplicate key "name: Platform Standard" violates unique constraint.
    # PostgreSQL: DETAIL:  Key (name)=(Platform Standard) already exists.
    match = re.search(r'Duplicate key "([^"]*)"', str(exc))
    pg = re.search(r"Key \((.*?)\)=\((.*)\) already exists", str(exc))
    what = (f" with {match.group(1).replace(': ', ' ', 1)}" if match else f" with {re.sub(r'::[a-z ]+', '', pg.group(1))} {pg.group(2)}" if pg
            else " with the same unique value")
    return (f"{file_name} cannot be imported as {kind}: the database already has a record{what} under another "
            "CRM id, so a row would duplicate it. Nothing was imported; make the CRM ids agree (or rename the row) "
            "and import again.")


def _refuse_shared_crm_id(con, file_name: str, kind: str, batch_id: int) -> None:
    shared = upsert.duplicate_crm_id(con, kind, batch_id)
    if shared is not None:
        raise ImportRefused(
            f"{file_name} cannot be imported as {kind}: the book would then hold two opportunities with CRM id "
            f"{shared} (an import that finished while this one ran may have added it). Nothing was imported; "
            "import the file again, and if this repeats, check which rows carry that id.")


def _io_sentence(file_name: str, exc: Exception) -> str:
    reason = "the disk is full" if "No space left" in str(exc) else f"the database file could not be written ({exc})"
    return f"{file_name} was not imported because {reason}; nothing was changed. Free some space and import it again."


def _several_accounts(con, report: ImportReport, mapped: Mapping) -> None:
    """`id1;id2` in the account column: the first (HubSpot's primary) is used, said once with a count."""
    count, lines, most = con.execute(
        "SELECT count(*), min(__line, 5), max(len(string_split(account_ref__raw, ';'))) "
        "FROM import_typed WHERE contains(account_ref__raw, ';')"
    ).fetchall()[0]
    if count:
        header = mapped.fields["account_ref"]
        report.warn("several_accounts", f"{header} names several accounts (up to {most}) on some rows; the first "
                    "(primary) was used", count, lines)


def _require_close_dates(con, report: ImportReport, csv_file, fields: set[str]) -> None:
    """New opportunities need a close date (plans count by it); updates of known ones may omit it."""
    new, lines = con.execute(
        f"SELECT count(*), {FIRST_LINES.on(con)} FROM import_rows WHERE target_id IS NULL"
    ).fetchall()[0]
    if "close_date" not in fields and new:
        raise ImportRefused(
            f"{csv_file.file_name} has no close-date column, so its {new} new opportunit"
            f"{'ies' if new != 1 else 'y'} (first on line {lines[0]}) would be outside every plan: map the column "
            "that holds the close date (--map 'COLUMN=close_date', or the page's column mapping); "
            "nothing was imported. Updates of opportunities already imported may leave it out."
        )


def _unresolved_accounts_are_problems(con, mapped: Mapping, work) -> None:
    """Business units naming no account are problems (in `work` too: it lists the rejected rows)."""
    header = mapped.fields["account_ref"]
    select = (f"SELECT __line, {staging.quote(header)}, account_id__unresolved, "
              "'matches no account; import the accounts first' FROM import_rows WHERE account_id__unresolved IS NOT NULL")
    if scratch.is_separate(work, con):
        found = con.execute(select).fetchall()
        if found:
            work.executemany("INSERT INTO import_problem VALUES (?, ?, ?, ?)", found)
    con.execute(f"INSERT INTO import_problem {select}")


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


def _warnings(con, report: ImportReport, kind: str, mapped: Mapping) -> None:
    """Grouped: one line per unresolved reference column, blank amounts, missing close dates."""
    for ref in upsert.TARGETS[kind].refs:
        if ref.field not in mapped.fields or (kind == "users" and ref.field == "manager_ref"):
            continue
        header = mapped.fields[ref.field]
        values, rows, lines, examples = con.execute(
            f"SELECT count(DISTINCT {ref.id_col}__unresolved), count(*), {FIRST_LINES.on(con)}, "
            f"(array_agg(DISTINCT {ref.id_col}__unresolved ORDER BY {ref.id_col}__unresolved))[1:5] "
            f"FROM import_rows WHERE {ref.id_col}__unresolved IS NOT NULL"
        ).fetchall()[0]
        if rows:
            kept = "kept as text" if ref.ref_col else "left empty"
            shown = ", ".join(repr(v) for v in sorted(examples)) + (", …" if values > len(examples) else "")
            report.warn(f"unresolved_{ref.field}", f"{header}: {values} value{'s' if values != 1 else ''} "
                        f"match{'es' if values == 1 else ''} no {ref.noun}, {kept} ({shown})", rows, lines)
    if kind != "opportunities":
        return
    cols = scratch.columns(con, "import_rows")
    if "amount" in mapped.fields:
        blank, lines = con.execute(
            f"SELECT count(*), {FIRST_LINES.on(con)} FROM import_rows WHERE amount IS NULL").fetchall()[0]
        if blank:
            report.warn("blank_amount", "opportunities have no amount: unknown, counted as 0 in sums", blank, lines)
    if "close_date" in cols:
        blank, lines = con.execute(
            f"SELECT count(*), {FIRST_LINES.on(con)} FROM import_rows "
            "WHERE close_date IS NULL AND target_id IS NULL").fetchall()[0]
        if blank:
            report.warn("no_close_date", "new opportunities have no close date, so no plan counts them", blank, lines)
    if "currency" in cols:
        _currencies(con, report, mapped.fields.get("currency") or mapped.fields["amount"])
    if "business_unit" in mapped.fields:
        orphan, lines = con.execute(f"SELECT count(*), {FIRST_LINES.on(con)} FROM import_rows "
                                    "WHERE business_unit IS NOT NULL AND account_id IS NULL").fetchall()[0]
        if orphan:
            report.warn("orphan_business_unit", "opportunities name a business unit but no known account; kept as text",
                        orphan, lines)


def book_currency(con) -> str:
    """The currency the book's figures are in (setting `currency`; USD, as the app shows $)."""
    found = con.execute("SELECT value FROM setting WHERE key = 'currency'").fetchall()
    return found[0][0] if found and found[0][0] else "USD"


def _currencies(con, report: ImportReport, header: str) -> None:
    """Rows whose amount is in another currency than the book's: said, never converted."""
    book = book_currency(con)
    found = con.execute(
        f"SELECT currency, count(*), {FIRST_LINES.on(con)} FROM import_rows WHERE currency IS NOT NULL AND currency <> ? "
        "GROUP BY currency ORDER BY count(*) DESC, currency", [book],
    ).fetchall()
    if not found:
        return
    count = sum(n for _, n, _ in found)
    lines = sorted(line for _, _, first in found for line in first)[:5]
    shown = ", ".join(f"{code} {n}" for code, n, _ in found[:5]) + (", …" if len(found) > 5 else "")
    report.warn("other_currency", f"{header}: amounts in {len(found)} currenc{'ies' if len(found) != 1 else 'y'} "
                f"other than the book's {book} ({shown}); kept with their currency but summed as written in "
                "KPIs, with no exchange rate applied", count, lines)


def _count(con, report: ImportReport, staged: str) -> tuple[int | None, int | None]:
    """Inserted / updated / unchanged (and, for opportunities, unassigned and unknown amounts) in one scan.

    Returns the first and last line of the new records (None, None: there are none), which the
    write numbers them by (upsert.write): a scan of the staged rows fewer. `staged` is their table
    (counting needs no business unit, so not the view that joins them in).
    """
    extra = ""
    if report.kind == "opportunities":
        cols = scratch.columns(con, staged)
        account = "account_id IS NULL" if "account_id" in cols else "TRUE"
        close = "close_date IS NULL" if "close_date" in cols else "TRUE"
        amount = "amount IS NULL" if "amount" in cols else "FALSE"
        extra = f", count(*) FILTER (WHERE {account} OR {close}), count(*) FILTER (WHERE {amount})"
    row = con.execute(
        f"""
        SELECT count(*) FILTER (WHERE r.target_id IS NULL),
               count(*) FILTER (WHERE c.target_id IS NOT NULL),
               count(*) FILTER (WHERE r.target_id IS NOT NULL AND c.target_id IS NULL),
               min(r.__line) FILTER (WHERE r.target_id IS NULL), max(r.__line) FILTER (WHERE r.target_id IS NULL){extra}
        FROM {staged} r LEFT JOIN (SELECT DISTINCT target_id FROM import_change) c ON c.target_id = r.target_id
        """
    ).fetchall()[0]
    report.inserted, report.updated, report.unchanged = row[:3]
    if report.kind == "opportunities":
        report.unassigned, report.unknown_amounts = row[5:]
    return row[3], row[4]


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


__all__ = ["ImportReport", "import_csv", "import_history", "inspect_headers", "saved_mapping", "KINDS", "SPECS"]
