"""CSV bytes as a table: detect encoding and delimiter, refuse what is not a CSV, load with DuckDB.

Pure until `load`: `read_source` turns a path or bytes into a `CsvFile` (decoded facts, no
database). `load` reads it with DuckDB's CSV reader, every column as text, into a temp table
with the file line number of each record (`__line`), counted with embedded newlines.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
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
    encoding: str  # utf-8, utf-8-sig, cp1252, latin-1
    delimiter: str
    path: Path  # UTF-8 file DuckDB reads (the original when it already was UTF-8 without BOM)
    headers: list[str]
    temporary: bool
    lines: int  # physical lines in the file, header included


    def cleanup(self) -> None:
        if self.temporary:
            self.path.unlink(missing_ok=True)


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
            data = original.read_bytes()
        except FileNotFoundError:
            raise ImportRefused(f"There is no file {str(original)!r}.") from None
        except IsADirectoryError:
            raise ImportRefused(f"{str(original)!r} is a folder, not a CSV file.") from None
    sha = hashlib.sha256(data).hexdigest()
    text, encoding = _decode(data, file_name)
    if not text.strip():
        raise ImportRefused(f"{file_name} is empty: there is nothing to import.")
    if text.count('"') % 2:
        raise ImportRefused(
            f"{file_name} looks truncated: a quoted value is never closed (an odd number of \" marks)."
        )
    delimiter = _detect_delimiter(text[:SNIFF_BYTES])
    lines = text.count("\n") + (0 if text.endswith("\n") else 1)
    if encoding == "utf-8" and original is not None:
        path, temporary = original, False
    else:
        # DuckDB reads UTF-8 only: write a transcoded copy (also drops a BOM, normalises CRLF).
        handle = tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, encoding="utf-8", newline="")
        with handle:
            handle.write(text)
        path, temporary = Path(handle.name), True
    del text
    headers = _headers(path, delimiter, file_name)
    return CsvFile(file_name, sha, len(data), encoding, delimiter, path, headers, temporary, lines)


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
        raise ImportRefused(f"{csv_file.file_name} could not be read as CSV: {_first_line(exc)}") from None
    rows = con.execute(f"SELECT count(*) FROM {table}_read").fetchall()[0][0]
    if rows + 1 == csv_file.lines:
        # One physical line per record (the usual case): the line is the row position + 2.
        con.execute(f"CREATE OR REPLACE TEMP VIEW {table} AS SELECT CAST(rowid + 2 AS BIGINT) AS __line, "
                    f"{selected} FROM {table}_read")
        return rows
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
    con.execute(f"CREATE OR REPLACE TEMP VIEW {table} AS SELECT * FROM {table}_lines")
    return rows


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
