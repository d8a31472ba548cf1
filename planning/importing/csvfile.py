"""CSV bytes as a table: detect encoding and delimiter, refuse what is not a CSV, load with DuckDB.

Pure until `load`: `read_source` turns a path or bytes into a `CsvFile` (decoded facts, no
database). `load` reads it with DuckDB's CSV reader, every column as text, into a temp table
with the file line number of each record (`__line`), counted with embedded newlines.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import re
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from planning.errors import ImportRefused

DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}
SNIFF_BYTES = 65536


@dataclass
class CsvFile:
    """A readable CSV extract: where DuckDB can read it as UTF-8, and what was detected."""

    file_name: str
    sha256: str
    size: int
    encoding: str  # utf-8, utf-8-sig, cp1252, latin-1, or xlsx (a workbook's first sheet)
    delimiter: str
    path: Path  # UTF-8 file DuckDB reads (the original when it already was UTF-8 without BOM)
    headers: list[str]
    temporary: bool
    lines: int  # physical lines in the file, header included
    framing: list[str] = field(default_factory=list)  # report framing dropped, said in the report
    record_lines: list[int] | None = None  # each record's first line, when blank lines break rowid + 2
    padded: set[str] | None = None  # columns (c0, c1, ...) with a value trim() may change; set by load
    ascii_only: bool = False  # known to be ASCII (checked while streamed)
    blank_lines_checked: bool = True  # False: record_lines not yet looked for (a streamed file)
    check: _StreamCheck | None = field(default=None, repr=False)  # the streamed check, while it runs

    def cleanup(self) -> None:
        if self.temporary:
            self.path.unlink(missing_ok=True)

    def settle(self) -> None:
        """Wait for the streamed check (sha256, lines, ASCII); NotPlain when the file needs the full path."""
        check = self.check
        if check is None:
            return
        check.join()
        if check.error is not None:
            raise check.error
        if not check.plain:
            raise NotPlain(self)  # again on every call: the file stays unfit for reading in place
        self.check = None
        self.sha256, self.size, self.lines, self.ascii_only = check.sha256, check.size, check.lines, check.ascii_only


class NotPlain(Exception):
    """A file read in place whose streamed check found it needs the full path (see `settled`)."""

    def __init__(self, csv_file: CsvFile):
        super().__init__(csv_file.file_name)
        self.csv_file = csv_file


def settled(csv_file: CsvFile) -> CsvFile:
    """The file once its streamed check is done: itself, or what the full path makes of it (which may refuse)."""
    try:
        csv_file.settle()
    except NotPlain:
        return _whole(csv_file.path.read_bytes(), csv_file.path, csv_file.file_name)
    return csv_file


MAX_COLUMNS = 1_000  # Salesforce's widest standard object export has a few hundred


def read_source(source: str | os.PathLike | bytes, file_name: str | None = None) -> CsvFile:
    """Check and decode an extract; raises ImportRefused with one sentence when it is not a CSV."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        original: Path | None = None
        file_name = file_name or "upload.csv"
    else:
        original = Path(source)
        file_name = file_name or original.name
        try:
            streamed = _plain_utf8(original, file_name)
            if streamed is not None:
                return streamed
            data = original.read_bytes()
        except FileNotFoundError:
            raise ImportRefused(f"There is no file {str(original)!r}.") from None
        except IsADirectoryError:
            raise ImportRefused(f"{str(original)!r} is a folder, not a CSV file.") from None
    return _whole(data, original, file_name)


def _whole(data: bytes, original: Path | None, file_name: str) -> CsvFile:
    """The full path: the file decoded in memory (any encoding, a workbook, a report footer)."""
    sha = hashlib.sha256(data).hexdigest()
    size = len(data)
    if data[:4] == b"PK\x03\x04":
        text, encoding = xlsx_text(data, file_name), "xlsx"
    else:
        text, encoding = _decode(data, file_name)
    del data
    if not text.strip():
        raise ImportRefused(f"{file_name} is empty: there is nothing to import.")
    if text.count('"') % 2:
        raise ImportRefused(
            f"{file_name} looks truncated: a quoted value is never closed (an odd number of \" marks)."
        )
    delimiter = "," if encoding == "xlsx" else _detect_delimiter(text[:SNIFF_BYTES])
    text, footer = drop_report_framing(text, delimiter)
    framing = [describe_footer(footer)] if footer else []
    lines = text.count("\n") + (0 if text.endswith("\n") else 1)
    record_lines = _record_lines(text, delimiter) if _has_blank_line(text) else None
    if encoding == "utf-8" and original is not None and not framing:
        path, temporary = original, False
    else:
        # DuckDB reads UTF-8 only: write a transcoded copy (also drops a BOM and a report's footer).
        handle = tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, encoding="utf-8", newline="")
        with handle:
            handle.write(text)
        path, temporary = Path(handle.name), True
    del text
    headers = _headers(path, delimiter, file_name)
    return CsvFile(file_name, sha, size, encoding, delimiter, path, headers, temporary, lines, framing, record_lines)


STREAM_CHUNK = 1 << 23


def _plain_utf8(path: Path, file_name: str) -> CsvFile | None:
    """A UTF-8 file on disk without BOM or footer: DuckDB reads the original, checked while it reads.

    The file is never held, decoded or copied whole in Python (a 1M-row extract is ~190 MB). Its
    head is looked at here (None: a workbook, a BOM, binary, nothing in it, not UTF-8: the full
    path below says why); the one streamed pass (sha256, UTF-8, line and quote counts, the tail
    for a footer) runs in a thread while DuckDB reads the file, as both let go of the GIL (~0.3 s
    of a 1M import), and `CsvFile.settle` waits for it before anything uses what it found.
    """
    with open(path, "rb") as handle:
        head = handle.read(SNIFF_BYTES)
    if head.startswith((b"PK\x03\x04", b"\xef\xbb\xbf")) or b"\x00" in head or not head.strip():
        return None
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head)  # a character cut at the end is not an error
        delimiter = _detect_delimiter(head.decode("utf-8", errors="ignore"))
        headers = _headers(path, delimiter, file_name)
    except (UnicodeDecodeError, ImportRefused):
        return None  # the full path refuses in its own order (a truncated file before its header)
    check = _StreamCheck(path, delimiter)
    check.start()
    # Blank lines are looked for only if the record count says a line is not a record (see load).
    return CsvFile(file_name, "", 0, "utf-8", delimiter, path, headers, False, 0, blank_lines_checked=False,
                   check=check)


class _StreamCheck(threading.Thread):
    """The streamed pass over a file read in place: sha256, UTF-8 validity, lines, quotes, footer."""

    def __init__(self, path: Path, delimiter: str):
        super().__init__(daemon=True)
        self.path, self.delimiter = path, delimiter
        self.plain, self.sha256, self.size, self.lines, self.ascii_only = False, "", 0, 0, True
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.plain = self._scan()
        except BaseException as exc:  # noqa: BLE001 - handed to the thread that settles the file
            self.error = exc

    def _scan(self) -> bool:
        digest, decoder = hashlib.sha256(), codecs.getincrementaldecoder("utf-8")()
        newlines = quotes = 0
        tail = b""
        with open(self.path, "rb") as handle:
            while chunk := handle.read(STREAM_CHUNK):
                digest.update(chunk)
                newlines += chunk.count(b"\n")
                quotes += chunk.count(b'"')
                if not chunk.isascii():  # ASCII is UTF-8: only other chunks need decoding
                    self.ascii_only = False  # then a value may hold a Unicode space for trim() to drop
                    try:
                        decoder.decode(chunk)
                    except UnicodeDecodeError:
                        return False
                self.size += len(chunk)
                tail = (tail + chunk)[-SNIFF_BYTES:]
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
        if quotes % 2 or drop_report_framing(tail.decode("utf-8", errors="ignore"), self.delimiter)[1]:
            return False  # the full path says why (truncated) or drops the footer
        self.sha256 = digest.hexdigest()
        self.lines = newlines + (0 if tail.endswith(b"\n") else 1)
        return True


def _has_blank_line(text: str) -> bool:
    """A blank line before the last record (DuckDB skips it, so rowid + 2 is no longer the line)."""
    end = len(text)
    while end and text[end - 1] in "\r\n":
        end -= 1
    return text.find("\n\n", 0, end) != -1 or text.find("\n\r\n", 0, end) != -1


def describe_footer(cells: list[str]) -> str:
    """`the Salesforce report footer (Grand Totals (12 records) row, confidentiality notice, copyright line)`."""
    parts = []
    for cell in cells:
        low = cell.lower()
        parts.append("confidentiality notice" if low.startswith("confidential") else
                     "copyright line" if low.startswith("copyright") else
                     f"{cell!r} line" if low.startswith(("generated", "filtered")) else f"{cell!r} row")
    return f"the Salesforce report footer ({', '.join(parts)})"

# Lines a Salesforce report appends after its rows (and a Total / Grand Totals row).
FOOTER = re.compile(
    r"^(?:(?:grand )?totals?(?: \(\d[\d,.]* records?\))?|subtotal|confidential information - do not distribute"
    r"|copyright \(c\) \d{4}(?:-\d{4})? salesforce\.com, inc\. all rights reserved\.?"
    r"|generated by:.*|filtered by:.*)$",
    re.I,
)
NUMBERISH = re.compile(r"^[\s$€£¥A-Z]*-?[\d.,\s]*%?[\sA-Z$€£¥]*$")


def drop_report_framing(text: str, delimiter: str) -> tuple[str, list[str]]:
    """Drop a Salesforce report's footer: blank lines, Total / Grand Totals rows, notice and copyright.

    Only the end of the file is looked at, and only lines whose first cell is one of those phrases
    (a Total row may carry sums in other cells); anything else stays and is refused by line.
    """
    import csv

    dropped: list[str] = []
    position = len(text.rstrip("\r\n"))
    cut = None
    for _ in range(12):
        start = text.rfind("\n", 0, position) + 1
        line = text[start:position].rstrip("\r")
        if start == 0:
            break  # never the header
        if line.strip():
            try:
                cells = next(csv.reader([line], delimiter=delimiter), [""])
            except csv.Error:
                break
            first = cells[0].strip() if cells else ""
            rest_ok = all(not c.strip() or NUMBERISH.match(c.strip()) for c in cells[1:])
            if not (FOOTER.match(first) and rest_ok):
                break
            dropped.append(first)
            cut = start
        position = start - 1
        if position <= 0:
            break
    if cut is None:
        return text, []
    kept = text[:cut].rstrip("\r\n \t")
    kept += "\r\n" if kept.endswith("\r") or "\r\n" in kept[-100000:] else "\n"
    return kept, list(reversed(dropped))


def _record_lines(text: str, delimiter: str) -> list[int] | None:
    """The file line each record starts on, skipping blank lines as DuckDB's reader does."""
    import csv
    import io

    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    lines: list[int] = []
    try:
        next(reader, None)
        previous_end = reader.line_num
        for record in reader:
            start, previous_end = previous_end + 1, reader.line_num
            if record:
                lines.append(start)
    except csv.Error:
        return None  # DuckDB's reader names the malformed line itself
    return lines


def xlsx_text(data: bytes, file_name: str) -> str:
    """A workbook's first sheet as CSV text: dates as ISO, numbers as written, one line per row."""
    import csv
    import io
    from datetime import date, datetime

    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any unreadable workbook is one refusal
        raise ImportRefused(f"{file_name} is not a readable .xlsx workbook (or CSV file).") from None
    sheet = book.worksheets[0]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    rows = []
    for values in sheet.iter_rows(values_only=True):
        cells = []
        for value in values:
            if value is None:
                cells.append("")
            elif isinstance(value, datetime):
                cells.append(value.date().isoformat() if value.time() == datetime.min.time()
                             else value.isoformat(sep=" ", timespec="minutes"))
            elif isinstance(value, date):
                cells.append(value.isoformat())
            elif isinstance(value, bool):
                cells.append("true" if value else "false")
            elif isinstance(value, float):
                cells.append(str(int(value)) if value.is_integer() else repr(value))
            else:
                cells.append(str(value))
        rows.append(cells)
    book.close()
    while rows and not any(c.strip() for c in rows[-1]):
        rows.pop()
    width = max((len(r) for r in rows), default=0)
    while width and rows and not any(len(r) >= width and r[width - 1] for r in rows):
        width -= 1  # trailing columns the sheet formats but leaves empty
    for cells in rows:
        cells = (cells + [""] * width)[:width]
        writer.writerow(cells if any(c.strip() for c in cells) else [])
    return out.getvalue()


def _decode(data: bytes, file_name: str) -> tuple[str, str]:
    head = data[:SNIFF_BYTES]
    if b"\x00" in head:
        raise ImportRefused(f"{file_name} is a binary file, not a CSV text extract.")
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text, encoding = data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        text, encoding = data.decode("latin-1"), "latin-1"
    sample = text[:SNIFF_BYTES]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\r\n") + sample.count("\x7f")
    if controls > max(2, len(sample) // 100):
        raise ImportRefused(f"{file_name} is a binary file, not a CSV text extract.")
    return text, encoding


def _detect_delimiter(sample: str) -> str:
    """The candidate that splits the header and the next lines into the same, largest count."""
    unquoted = re.sub(r'"[^"]*"', '""', sample)
    lines = [line for line in unquoted.splitlines() if line.strip()][:20]
    best, best_score = ",", (-1, -1)
    for delimiter in DELIMITERS:
        counts = [line.count(delimiter) for line in lines]
        if not counts or counts[0] == 0:
            continue
        consistent = sum(1 for c in counts if c == counts[0])
        score = (consistent, counts[0])
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _options(delimiter: str) -> str:
    delim = {"\t": "\\t"}.get(delimiter, delimiter)
    return (
        f"header = true, all_varchar = true, delim = '{delim}', quote = '\"', escape = '\"', "
        "strict_mode = true, auto_detect = false, null_padding = false, "
        "max_line_size = 10000000"
    )


def _headers(path: Path, delimiter: str, file_name: str) -> list[str]:
    import csv

    with open(path, encoding="utf-8", newline="") as handle:
        try:
            first = next(csv.reader(handle, delimiter=delimiter), [])
        except csv.Error as exc:
            raise ImportRefused(f"{file_name} could not be read as CSV: {exc}.") from None
    headers = [h.strip() for h in first]
    if len(headers) > MAX_COLUMNS:
        # Checked before anything else: DuckDB would try to allocate ~1 GB for 10,000 text columns.
        raise ImportRefused(
            f"{file_name} has {len(headers):,} columns; a CRM extract has at most {MAX_COLUMNS:,}. "
            "Check that it is the right file and that its delimiter is a comma, semicolon or tab."
        )
    if not any(headers):
        raise ImportRefused(f"{file_name} has no header line naming its columns.")
    blanks = [str(i + 1) for i, h in enumerate(headers) if not h]
    if blanks:
        raise ImportRefused(f"{file_name}: column {', '.join(blanks)} of the header has no name.")
    folded = [h.lower() for h in headers]
    repeated = sorted({h for h, f in zip(headers, folded) if folded.count(f) > 1})
    if repeated:
        raise ImportRefused(f"{file_name}: the header names {', '.join(repeated)} more than once.")
    return headers


def load(con: duckdb.DuckDBPyConnection, csv_file: CsvFile, table: str = "import_raw") -> int:
    """Read the file into TEMP table `table` (text columns c0..cN and `__line`); returns the row count."""
    columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(csv_file.headers)))
    selected = ", ".join(f"c{i}" for i in range(len(csv_file.headers)))
    try:
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {table}_read AS SELECT {selected} FROM read_csv(?, "
            f"{_options(csv_file.delimiter)}, columns = {{{columns}}})",
            [str(csv_file.path)],
        )
    except duckdb.Error as exc:
        csv_file.settle()  # a file the full path reads differently says so first (NotPlain)
        raise ImportRefused(f"{csv_file.file_name} could not be read as CSV: {_first_line(exc)}") from None
    csv_file.settle()
    # A row of delimiters only (`,,,,`) is a blank line too: not a record.
    filled = f"coalesce({selected}) IS NOT NULL" if len(csv_file.headers) > 1 else "c0 IS NOT NULL"
    # Which columns have a value with a space at either end, or non-ASCII text (trim() also drops
    # Unicode spaces): only those are trimmed when staged; trim() copies every string it sees.
    names = [f"c{i}" for i in range(len(csv_file.headers))]
    unicode = "" if csv_file.ascii_only else " OR strlen({c}) <> length({c})"
    spaced = "".join(f", bool_or({c} LIKE ' %' OR {c} LIKE '% '{unicode.format(c=c)})" for c in names)
    counts = con.execute(
        f"SELECT count(*), count(*) FILTER (WHERE NOT ({filled})){spaced} FROM {table}_read").fetchall()[0]
    rows, blank = counts[0], counts[1]
    csv_file.padded = {c for c, flag in zip(names, counts[2:]) if flag}
    if not blank:
        # No row of delimiters only: the views need not test every column of every row (a scan of
        # a column or two, such as the readings or the repeated-key check, then reads just those).
        filled = "TRUE"
    if rows + 1 != csv_file.lines and not csv_file.blank_lines_checked:
        # Fewer records than lines: embedded line breaks, or blank lines the reader skipped.
        text = csv_file.path.read_text(encoding="utf-8")
        csv_file.record_lines = _record_lines(text, csv_file.delimiter) if _has_blank_line(text) else None
        csv_file.blank_lines_checked = True
    if csv_file.record_lines is not None and len(csv_file.record_lines) == rows:
        # Blank lines, which the reader skips: each record's line was counted when the file was read.
        con.execute(f"CREATE OR REPLACE TEMP TABLE {table}_pos AS SELECT unnest(?::BIGINT[]) AS __line, "
                    f"unnest(range({rows})) AS pos", [csv_file.record_lines])
        con.execute(f"CREATE OR REPLACE TEMP VIEW {table} AS SELECT p.__line, {selected} FROM {table}_read r "
                    f"JOIN {table}_pos p ON p.pos = r.rowid WHERE {filled}")
    elif rows + 1 == csv_file.lines:
        # One physical line per record (the usual case): the line is the row position + 2.
        con.execute(f"CREATE OR REPLACE TEMP VIEW {table} AS SELECT CAST(rowid + 2 AS BIGINT) AS __line, "
                    f"{selected} FROM {table}_read WHERE {filled}")
    else:
        # A record's line = 2 + lines used by the records before it (1 + its embedded line breaks).
        newlines = " + ".join(f"coalesce(length(c{i}) - length(replace(c{i}, chr(10), '')), 0)"
                              for i in range(len(csv_file.headers)))
        con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE {table}_lines AS
            SELECT CAST(2 + coalesce(sum(1 + {newlines}) OVER (ORDER BY rowid ROWS BETWEEN UNBOUNDED PRECEDING
                                                                AND 1 PRECEDING), 0) AS BIGINT) AS __line,
                   {selected}
            FROM {table}_read
            """
        )
        con.execute(f"CREATE OR REPLACE TEMP VIEW {table} AS SELECT * FROM {table}_lines WHERE {filled}")
    if blank:
        csv_file.framing.append(f"{blank} empty row{'s' if blank != 1 else ''} (delimiters only)")
    return rows - blank


def unload(con: duckdb.DuckDBPyConnection, table: str = "import_raw") -> None:
    """Drop what `load` created (the file's text held in memory)."""
    con.execute(f"DROP VIEW IF EXISTS {table}")
    for suffix in ("_read", "_pos", "_lines"):
        con.execute(f"DROP TABLE IF EXISTS {table}{suffix}")


def _first_line(exc: Exception) -> str:
    """DuckDB's reader error in one sentence: the line and what was wrong with it."""
    text = str(exc)
    line = re.search(r"CSV Error on Line: (\d+)", text)
    columns = re.search(r"Expected Number of Columns: (\d+) Found: (\d+)", text)
    if line and columns:
        expected, found = int(columns[1]), int(columns[2])
        count = f"only {found} of the {expected}" if found < expected else f"more values than the {expected}"
        return f"line {line[1]} has {count} columns the header names (check for a missing or extra delimiter)."
    if line:
        reason = next((part.strip() for part in text.split("\n")[1:] if part.strip() and
                       not part.startswith("Original Line")), "it does not follow the CSV format")
        return f"line {line[1]} is malformed ({reason.rstrip('.')})."
    detail = next((part for part in text.split("\n") if part.strip()), text)
    return re.sub(r"^[\w ]+ Error: ", "", detail.strip()).rstrip(".") + "."
