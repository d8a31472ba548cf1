"""Parse and check a loaded extract in SQL: typed values, problems with line numbers, keys.

Everything is set-based over the TEMP table `import_raw` (see csvfile.load), so a million-row
file is validated by a handful of statements, never a Python loop. The outputs are TEMP tables:
`import_typed` (one row per record, typed fields plus `__key`) and `import_problem`
(line, column, value, message).
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field

import duckdb

from planning.db.dialect import dialect_of
from planning.errors import ImportRefused
from planning.importing.mapping import SPECS, Mapping


def fold(expr: str) -> str:
    """SQL for a name folded for matching: trimmed, lower case, no spaces (`GTXPro` = `GTX Pro`)."""
    # replace() rather than a regex: this runs on every reference of a million-row file.
    return f"lower(replace(replace(replace({expr}, ' ', ''), chr(9), ''), chr(160), ''))"


def quote(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


# -- per-column readings: decided from the whole column before any value is parsed -------------

DATE_ISO = r"\d{4}[-/]\d{1,2}[-/]\d{1,2}([T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2}|UTC)?"
DATE_DOT = r"\d{1,2}\.\d{1,2}\.\d{4}(,?\s+\d{1,2}:\d{2}(:\d{2})?)?"
DATE_SLASH = r"\d{1,2}[/-]\d{1,2}[/-]\d{4}(,?\s+\d{1,2}:\d{2}(:\d{2})?(\s*[AaPp][Mm])?)?"
DATE_READING = {"iso": "YYYY-MM-DD", "dot": "DD.MM.YYYY", "DMY": "DD/MM/YYYY", "MDY": "MM/DD/YYYY"}
DATE_ORDERS = ("DMY", "MDY")


def _date(v: str, family: str) -> str:
    """SQL reading one date column written in one family (iso, dot, DMY or MDY); times are dropped."""
    if family == "dot":
        return (f"CASE WHEN regexp_full_match({v}, '{DATE_DOT}') THEN CAST(try_strptime("
                f"regexp_extract({v}, '^\\d{{1,2}}\\.\\d{{1,2}}\\.\\d{{4}}'), '%d.%m.%Y') AS DATE) END")
    if family in DATE_ORDERS:
        fmt = "%d/%m/%Y" if family == "DMY" else "%m/%d/%Y"
        return (f"CASE WHEN regexp_full_match({v}, '{DATE_SLASH}') THEN CAST(try_strptime(replace("
                f"regexp_extract({v}, '^\\d{{1,2}}[/-]\\d{{1,2}}[/-]\\d{{4}}'), '-', '/'), '{fmt}') AS DATE) END")
    return (
        f"CASE WHEN length({v}) = 10 AND substr({v}, 5, 1) = '-' THEN TRY_CAST({v} AS DATE) "
        f"WHEN regexp_full_match({v}, '{DATE_ISO}') THEN CAST(try_strptime(replace(regexp_extract("
        f"{v}, '^\\d{{4}}[-/]\\d{{1,2}}[-/]\\d{{1,2}}'), '/', '-'), '%Y-%m-%d') AS DATE) END"
    )


def _bare(v: str) -> str:
    """An amount without currency marks or spaces: `USD 1,234.50`, `$125000`, `12.345,67 €`, `1 234 EUR`."""
    return (
        f"replace(replace(replace(regexp_replace(regexp_replace({v}, "
        f"'^(-?)\\s*(?:[A-Z]{{3}}\\s*)?[$€£¥]?\\s*(-?)', '\\1\\2'), '\\s*(?:[A-Z]{{3}}|[$€£¥])$', ''), "
        f"' ', ''), chr(160), ''), chr(8239), '')"
    )


# A currency code written before or after an amount, as _bare drops it: one pattern per side.
CODE_BEFORE, CODE_AFTER = r"^-?\s*([A-Z]{3})", r"([A-Z]{3})$"
AMOUNT_CODE = f"{CODE_BEFORE}|{CODE_AFTER}"


def _amount_code(v: str) -> str:
    """SQL for the currency code an amount is written with (`USD 1,234.50`, `1.234,50 EUR`), else NULL."""
    return (f"coalesce(nullif(regexp_extract({v}, '{CODE_BEFORE}', 1), ''), "
            f"nullif(regexp_extract({v}, '{CODE_AFTER}', 1), ''))")


# Evidence of the decimal mark (`point`, `comma`) and values that fit both readings (`dot3`: `1.000`).
NUMBER_EVIDENCE = {
    "point": r"-?\d{1,3}(,\d{3})+\.\d+|-?\d{1,3}(,\d{3}){2,}|-?\d*\.(\d{1,2}|\d{4,})",
    "comma": r"-?\d{1,3}(\.\d{3})+,\d+|-?\d{1,3}(\.\d{3}){2,}|-?\d*,(\d{1,2}|\d{4,})",
    "dot3": r"-?\d{1,3}\.\d{3}",
    "comma3": r"-?\d{1,3},\d{3}",
}
NUMBER_VALID = {
    "point": r"-?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?|-?\.\d+",
    "comma": r"-?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?|-?,\d+",
    "thousands-dot": r"-?(\d{1,3}(\.\d{3})+|\d+)",
    "thousands-comma": r"-?(\d{1,3}(,\d{3})+|\d+)",
}
NUMBER_READING = {
    "point": "decimal point, ',' groups thousands (1,234.56)",
    "comma": "decimal comma, '.' groups thousands (1.234,56)",
    "thousands-dot": "'.' groups thousands, no decimals (1.000 = 1000)",
    "thousands-comma": "',' groups thousands, no decimals (1,000 = 1000)",
    "plain": "plain numbers",
}


def _number(v: str, style: str, integer: bool) -> str:
    """SQL for a number column in one style; `1.000` in a decimal-point column is left NULL (ambiguous)."""
    bare = _bare(v)
    if style in ("comma", "thousands-dot"):
        valid = NUMBER_VALID[style]
        normal = f"replace(replace({bare}, '.', ''), ',', '.')"
        fast = "-?[0-9]+"
    else:
        valid = NUMBER_VALID["thousands-comma" if style == "thousands-comma" else "point"]
        normal = f"replace({bare}, ',', '')"
        fast = "-?[0-9]+" if style == "thousands-comma" else r"-?[0-9]+(\.([0-9]{1,2}|[0-9]{4,}))?"
    ambiguous = AMBIGUOUS.get(style)
    guard = f"AND NOT regexp_full_match({bare}, '{NUMBER_EVIDENCE[ambiguous]}') " if ambiguous else ""
    cast = "DOUBLE" if integer else "DECIMAL(18, 2)"
    number = (f"CASE WHEN regexp_full_match({v}, '{fast}') THEN TRY_CAST({v} AS {cast}) "
              f"WHEN regexp_full_match({bare}, '{valid}') {guard}THEN TRY_CAST({normal} AS {cast}) END")
    if integer:
        return f"CASE WHEN {number} = floor({number}) THEN CAST({number} AS BIGINT) END"
    return number


AMBIGUOUS = {"point": "dot3", "comma": "comma3"}


def _boolean(v: str) -> str:
    # Salesforce exports write 1 or nothing: a blank flag in a mapped column is false.
    # `true` / `false` as written by most CRMs first: lower() copies every string it sees.
    return (
        f"CASE WHEN {v} IS NULL THEN FALSE WHEN {v} = 'true' THEN TRUE WHEN {v} = 'false' THEN FALSE "
        f"WHEN lower({v}) IN ('true', '1', '1.0', 'yes', 'y', 't', 'x', 'wahr', 'ja') THEN TRUE "
        f"WHEN lower({v}) IN ('false', '0', '0.0', 'no', 'n', 'f', 'falsch', 'nein') THEN FALSE END"
    )


STATUS_WORDS = {
    "open": ("open", "in progress", "on hold", "active", "offen"),
    "won": ("won", "closed won", "gewonnen"),
    "lost": ("lost", "closed lost", "canceled", "cancelled", "out-sold", "outsold", "verloren"),
}


def _status(v: str) -> str:
    cases = " ".join(f"WHEN lower(trim({v})) IN ({', '.join(quote(w) for w in words)}) THEN {quote(state)}"
                     for state, words in STATUS_WORDS.items())
    return f"CASE {cases} END"


def _percent_number(v: str) -> str:
    return f"TRY_CAST(trim(replace(replace({v}, '%', ''), ',', '.')) AS DOUBLE)"


MESSAGES = {
    "date": "is not a date in the column's format",
    "amount": "is not an amount",
    "integer": "is not a whole number",
    "boolean": "is not true/false, yes/no or 1/0",
    "percent": "is not a probability between 0 and 100",
    "status": "is not a status (open, won or lost)",
    "currency": "is not a currency code (three letters, e.g. EUR)",
}


@dataclass
class Readings:
    """How each typed column is read, decided from the whole column (and said in the preview)."""

    dates: dict[str, str] = dc_field(default_factory=dict)  # field → iso / dot / DMY / MDY
    numbers: dict[str, str] = dc_field(default_factory=dict)  # field → point / comma / thousands-* / plain
    notes: list[str] = dc_field(default_factory=list)  # "Close Date: dates read as DD.MM.YYYY"
    percent_scale: float = 1.0  # 100: the percent column writes 10 for 10 %; 1: fractions 0..1
    coded_amounts: bool = False  # some opportunity amount is written with its currency code (`USD 1,234.50`)
    row_checks: RowChecks | None = None  # the per-row checks, when left to the pass that builds `import_rows`


@dataclass(frozen=True)
class RowChecks:
    """A staged file's per-row checks, for a pass that reads every typed row anyway (upsert.resolve).

    On DuckDB the checks ride on the pass that builds `import_rows`, so a clean file is parsed once
    less (~0.15 s of a 1M import): `condition` flags a row there, and only then are the flagged rows'
    problems listed.
    """

    condition: str  # SQL over `import_typed`'s columns: TRUE on a row with a problem
    found: str  # SQL: the list of a row's problems (structs col, value, message; NULL where none)

    def problems(self, where: str | None = None) -> str:
        """SELECT line, col, value, message of each problem of the rows with one (and `where`)."""
        rows = f"({where}) AND ({self.condition})" if where else self.condition
        # The rows with a problem are found first, and only those get the list of their problems.
        return (f"SELECT __line, p.col, p.value, p.message FROM (SELECT __line, unnest(list_filter([{self.found}], "
                f"lambda x: x IS NOT NULL)) AS p FROM import_typed WHERE {rows})")


# A date column's classes, each with the per-value classes it counts ('slash': either order).
DATE_CLASSES = {"iso": ("iso",), "dot": ("dot",), "slash": ("dmy", "mdy", "slash"), "dmy": ("dmy",), "mdy": ("mdy",)}


def read_columns(con: duckdb.DuckDBPyConnection, mapping: Mapping, date_order: str | None = None) -> Readings:
    """Decide each date and number column's reading from all its values, in one scan of the file.

    Refuses (ImportRefused) a column that mixes conventions or that no value disambiguates.
    """
    spec = SPECS[mapping.kind]
    header_of = mapping.fields
    typed = [(f, spec.field(f).type) for f in header_of if spec.field(f).type in ("date", "amount", "integer")]
    percent = [f for f in header_of if spec.field(f).type == "percent"]
    if not typed and not percent:
        return Readings()
    # One class per value (the patterns of a column's classes exclude each other), so every value
    # is matched a pattern or two at most; the rows are then counted per combination of classes
    # (a handful of groups) in one scan, cheaper than a filtered count per class and column.
    classes, bares, flags, names_of = [], [], [], {}
    for fld, kind in typed:
        raw, cls = f'"{fld}__raw"', f'"{fld}__class"'
        if kind == "date":
            first = f"TRY_CAST(regexp_extract({raw}, '^(\\d{{1,2}})', 1) AS INT)"
            second = f"TRY_CAST(regexp_extract({raw}, '^\\d{{1,2}}[/-](\\d{{1,2}})', 1) AS INT)"
            classes.append(
                f"CASE WHEN regexp_full_match({raw}, '{DATE_ISO}') THEN 'iso' "
                f"WHEN regexp_full_match({raw}, '{DATE_DOT}') THEN 'dot' "
                f"WHEN regexp_full_match({raw}, '{DATE_SLASH}') THEN CASE WHEN {first} > 12 AND {second} <= 12 "
                f"THEN 'dmy' WHEN {second} > 12 AND {first} <= 12 THEN 'mdy' ELSE 'slash' END END AS {cls}")
            names_of[fld] = DATE_CLASSES
        else:
            # Only a value with a mark is evidence; digits and marks alone are their own bare form.
            bare = f'"{fld}__bare"'
            bares.append(f"CASE WHEN contains({raw}, '.') OR contains({raw}, ',') THEN CASE WHEN "
                         f"regexp_full_match({raw}, '[-0-9.,]*') THEN {raw} ELSE {_bare(raw)} END END AS {bare}")
            chain = " ".join(f"WHEN regexp_full_match({bare}, '{pattern}') THEN '{name}'"
                             for name, pattern in NUMBER_EVIDENCE.items())
            classes.append(f"CASE {chain} END AS {cls}")
            names_of[fld] = {name: (name,) for name in NUMBER_EVIDENCE}
    for fld in percent:
        # Salesforce writes percents (10 = 10 %); a column of fractions 0..1 is taken as is.
        raw = f'"{fld}__raw"'
        flags.append(f"coalesce(bool_or(contains({raw}, '%')) OR max({_percent_number(raw)}) > 1, FALSE)")
    coded = mapping.kind == "opportunities" and "amount" in header_of
    if coded:
        # Salesforce reports write the currency with each amount: then it is the row's currency.
        flags.append(f"coalesce(bool_or(regexp_matches(\"amount__raw\", '{AMOUNT_CODE}')), FALSE)")
    source = "import_src"
    if bares:
        source = f"(SELECT *, {', '.join(bares)} FROM {source})"
    if classes:
        source = f"(SELECT *, {', '.join(classes)} FROM {source})"
    grouped = [f'"{fld}__class"' for fld, _ in typed]
    selected, group_by = [*grouped, "count(*)", "min(__line)", *flags], " GROUP BY ALL" if grouped else ""
    k = len(grouped)  # each group: its classes, its row count, its first line, then the flags
    groups = [(g[:k], g[k], g[k + 1], g[k + 2:]) for g in
              con.execute(f"SELECT {', '.join(selected)} FROM {source}{group_by}").fetchall()]
    flagged = [any(group_flags[i] for *_, group_flags in groups) for i in range(len(flags))]
    readings, slash_orders = Readings(), {}
    evidence: dict[str, dict[str, tuple[int, str, int]]] = {}  # field → class → (count, field, first line; 0: none)
    for position, (fld, kind) in enumerate(typed):
        evidence[fld] = {}
        for name, members in names_of[fld].items():
            # (count, example, first line): the example is only read for a refusal's message.
            hits = [(n, line) for group_classes, n, line, _ in groups if group_classes[position] in members]
            evidence[fld][name] = (sum(n for n, _ in hits), fld, min((line for _, line in hits), default=0))
        if kind == "date":
            ev = evidence[fld]
            if ev["dmy"][0] and ev["mdy"][0]:
                raise _mixed(con, header_of[fld], "dates", ev["dmy"], "day first", ev["mdy"], "month first")
            if ev["dmy"][0] or ev["mdy"][0]:
                slash_orders[fld] = "DMY" if ev["dmy"][0] else "MDY"
    if percent:  # a file maps one probability column at most
        readings.percent_scale = 100.0 if flagged[0] else 1.0
    if coded and flagged[-1]:
        readings.coded_amounts = True
        if "currency" not in header_of:
            readings.notes.append(f"{header_of['amount']}: each amount's currency is the code written with it")
    file_order = set(slash_orders.values())
    for fld, kind in typed:
        header, ev = header_of[fld], evidence[fld]
        if kind == "date":
            families = [(name, ev[name]) for name in ("iso", "dot", "slash") if ev[name][0]]
            if len(families) > 1:
                (a, ea), (b, eb) = sorted(families, key=lambda item: -item[1][0])[:2]
                raise _mixed(con, header, "dates", ea, DATE_READING.get(a, "D/M or M/D"), eb,
                             DATE_READING.get(b, "D/M or M/D/YYYY"))
            family = families[0][0] if families else "iso"
            if family == "slash":
                if fld in slash_orders:
                    family = slash_orders[fld]
                elif date_order:
                    family = date_order
                elif len(file_order) == 1:
                    family = next(iter(file_order))
                else:
                    _, value, line = _example(con, ev["slash"])
                    raise ImportRefused(
                        f"{header}: every date fits both day-first and month-first (e.g. {value!r} on line {line}); "
                        "say which with --date-order DMY or MDY (on the page: the date order choice)."
                    )
            readings.dates[fld] = family
            if families:
                source = " (from the file's other date columns)" if (
                    families[0][0] == "slash" and fld not in slash_orders and not date_order) else ""
                readings.notes.append(f"{header}: dates read as {DATE_READING[family]}{source}")
        else:
            point, comma = ev["point"][0], ev["comma"][0]
            if point and comma:
                raise _mixed(con, header, "numbers", ev["point"], "decimal point", ev["comma"], "decimal comma")
            if point or comma:
                style = "point" if point else "comma"
            elif ev["dot3"][0] and ev["comma3"][0]:
                raise _mixed(con, header, "numbers", ev["dot3"], "'.' between thousands", ev["comma3"],
                             "',' between thousands")
            elif ev["dot3"][0]:
                style = "thousands-dot"
            elif ev["comma3"][0]:
                style = "thousands-comma"
            else:
                style = "plain"
            readings.numbers[fld] = style
            if style != "plain":
                readings.notes.append(f"{header}: numbers read with {NUMBER_READING[style]}")
    return readings


def _example(con: duckdb.DuckDBPyConnection, evidence: tuple) -> tuple[int, str, int]:
    """(count, field, line) → (count, the field's value on that line, line)."""
    count, fld, line = evidence
    value = con.execute(f'SELECT "{fld}__raw" FROM import_src WHERE __line = ?', [line]).fetchall()[0][0]
    return count, value, line


def _mixed(con: duckdb.DuckDBPyConnection, header: str, what: str, first: tuple, first_label: str, second: tuple,
           second_label: str) -> ImportRefused:
    (n1, v1, l1), (n2, v2, l2) = _example(con, first), _example(con, second)
    return ImportRefused(
        f"{header} mixes {what} written {first_label} ({v1!r} on line {l1}, {n1} row{'s' if n1 != 1 else ''}) "
        f"and {second_label} ({v2!r} on line {l2}, {n2} row{'s' if n2 != 1 else ''}); "
        "one column must use one convention, so the file was refused."
    )


def stage(con: duckdb.DuckDBPyConnection, mapping: Mapping, headers: list[str],
          date_order: str | None = None, padded: set[str] | None = None, defer_row_checks: bool = False) -> Readings:
    """Create `import_typed` (typed fields, `__key`) and `import_problem` from `import_raw`.

    `padded` names the raw columns that may need trimming (csvfile.load); None trims every one.
    `defer_row_checks`: `import_problem` holds only repeated records, and the per-row checks are
    returned in `Readings.row_checks` for upsert.resolve to run while it builds `import_rows`.
    """
    spec = SPECS[mapping.kind]
    column_of = {field: f"c{headers.index(header)}" for header, field in mapping.columns.items()}
    header_of = mapping.fields
    raw_select = ", ".join(
        f"{_trimmed(col) if padded is None or col in padded else f'nullif({col}, {EMPTY})'} AS \"{field}__raw\""
        for field, col in column_of.items())
    con.execute(f"CREATE OR REPLACE TEMP VIEW import_src AS SELECT __line{', ' if raw_select else ''}{raw_select} "
                "FROM import_raw")
    readings = read_columns(con, mapping, date_order)
    percent_scale = readings.percent_scale
    typed = []
    for field in column_of:
        raw = f'"{field}__raw"'
        kind = spec.field(field).type
        if kind == "text":
            expr = raw
            if field == "account_ref" and mapping.kind == "opportunities":
                # `id1;id2`: HubSpot lists the primary company first.
                expr = f"CASE WHEN contains({raw}, ';') THEN nullif(trim(split_part({raw}, ';', 1)), '') ELSE {raw} END"
        elif kind in ("amount", "integer"):
            expr = _number(raw, readings.numbers.get(field, "plain"), integer=kind == "integer")
        elif kind == "date":
            expr = _date(raw, readings.dates.get(field, "iso"))
        elif kind == "percent":
            number = _percent_number(raw)
            expr = f"CASE WHEN {number} BETWEEN 0 AND {percent_scale * 1} THEN {number} / {percent_scale} END"
        elif kind == "status":
            expr = _status(raw)
        elif kind == "currency":
            expr = f"CASE WHEN regexp_full_match({raw}, '[A-Za-z]{{3}}') THEN upper({raw}) END"
            if readings.coded_amounts:  # a blank cell takes the amount's code
                expr = f"CASE WHEN {raw} IS NULL THEN {_amount_code(AMOUNT_RAW)} ELSE {expr} END"
        else:
            expr = _boolean(raw)
        typed.append(f"{expr} AS \"{field}\"")
    if readings.coded_amounts:
        typed.append(f"{_amount_code(AMOUNT_RAW)} AS amount__currency")
        if "currency" not in column_of:
            typed.append(f"{_amount_code(AMOUNT_RAW)} AS currency")
    if "status" in column_of:
        # A status column says open / won / lost itself, unless IsClosed / IsWon columns say it.
        if "is_closed" not in column_of:
            typed.append(f"{_status(chr(34) + 'status__raw' + chr(34))} IN ('won', 'lost') AS is_closed")
        if "is_won" not in column_of:
            typed.append(f"{_status(chr(34) + 'status__raw' + chr(34))} = 'won' AS is_won")
    names = _name_expr(mapping)
    key = _key_expr(mapping)
    # Text fields are their raw value; only parsed fields keep the raw text beside (for problems).
    kept_raw = "".join(f'"{f}__raw", ' for f in column_of if spec.field(f).type != "text" or f == "account_ref")
    # A view, not a copy: materialising the typed rows cost more than computing them again in the
    # two scans that read all of them (the problems and `import_rows`); others read a column or two.
    con.execute(
        f"""
        CREATE OR REPLACE TEMP VIEW import_typed AS
        SELECT *, {key} AS __key FROM (
            SELECT __line, {kept_raw}{', '.join(typed)}{', ' if typed else ''}
                   {names} AS __name
            FROM import_src
        )
        """
    )
    checks = _row_checks(mapping, header_of, readings)
    _problems(con, header_of, None if defer_row_checks else checks)
    if defer_row_checks:
        readings.row_checks = checks
    return readings


EMPTY = "''"
AMOUNT_RAW = '"amount__raw"'


def _trimmed(col: str) -> str:
    """SQL for a cell without surrounding spaces, empty as NULL; trim() only where a space may be.

    trim() copies every string (2.4× a plain scan over a million rows); the guard is a prefix and
    suffix test, plus non-ASCII text, whose Unicode spaces (no-break space) trim() removes too.
    """
    return (f"CASE WHEN {col} LIKE ' %' OR {col} LIKE '% ' OR strlen({col}) <> length({col}) "
            f"THEN nullif(trim({col}), '') ELSE nullif({col}, '') END")


def _name_expr(mapping: Mapping) -> str:
    fields = set(mapping.columns.values())
    if mapping.kind == "contacts":
        parts = [f'"{f}__raw"' for f in ("first_name", "last_name") if f in fields]
        joined = f"nullif(concat_ws(' ', {', '.join(parts)}), '')" if parts else "NULL"
        return f'coalesce("name__raw", {joined})' if "name" in fields else joined
    return '"name__raw"' if "name" in fields else "CAST(NULL AS VARCHAR)"


def _key_expr(mapping: Mapping) -> str:
    """A record's identity in the file: the CRM id, else the folded natural key."""
    fields = set(mapping.columns.values())
    natural = fold("__name")
    if mapping.kind in ("opportunities", "contacts") and "account_ref" in fields:
        natural = f"{natural} || '|' || coalesce({fold('account_ref')}, '')"
    if mapping.kind == "business-units":
        natural = f"coalesce({fold('account_ref')}, '') || '|' || {fold('__name')}"
    if "external_id" in fields:
        return f"coalesce('id:' || external_id, 'name:' || {natural})"
    return f"'name:' || {natural}"


def _row_checks(mapping: Mapping, header_of: dict[str, str], readings: Readings) -> RowChecks:
    """Every check of one row on its own: a value its column cannot read, a missing required value."""
    spec = SPECS[mapping.kind]
    checks = []  # (condition, column header, value, message) of a problem found on one row
    for field, header in header_of.items():
        kind = spec.field(field).type
        if kind != "text":
            message = MESSAGES[kind]
            if kind == "date":
                message = f"is not a date (the column is read as {DATE_READING[readings.dates.get(field, 'iso')]})"
            raw, value = f'"{field}__raw"', f'"{field}"'
            style = readings.numbers.get(field)
            if kind in ("amount", "integer") and style in AMBIGUOUS:
                pattern = NUMBER_EVIDENCE[AMBIGUOUS[style]]
                example = "1.000" if style == "point" else "1,000"
                ambiguous = (f"is ambiguous: the column writes {NUMBER_READING[style]}, so {example} could be one or a "
                             "thousand; write it in full")
                message = (f"CASE WHEN regexp_full_match({_bare(raw)}, '{pattern}') THEN {quote(ambiguous)} "
                           f"ELSE {quote(message)} END")
            else:
                message = quote(message)
            checks.append((f"{raw} IS NOT NULL AND {value} IS NULL", header, raw, message))
    if readings.coded_amounts and "currency" in header_of:
        said = quote(f" but {header_of['currency']} says ")
        checks.append(("amount__currency <> currency", header_of["amount"], AMOUNT_RAW,
                       f"'is written in ' || amount__currency || {said} || currency"))
    requirements = {
        "opportunities": [("stage", "is empty; every opportunity needs a stage")],
        "business-units": [("account_ref", "is empty; a business unit belongs to an account")],
    }.get(mapping.kind, [])
    for field, message in requirements:
        if field in header_of:
            checks.append((f'"{field}" IS NULL', header_of[field], "NULL", quote(message)))
    if mapping.kind == "opportunities":
        label = " and ".join(header_of[f] for f in ("external_id", "name") if f in header_of)
        checks.append(("__key IS NULL", label, "NULL", "'are both empty, so the opportunity cannot be identified'"))
    else:
        checks.append(("__name IS NULL", _name_header(header_of), "NULL", "'is empty; every record needs a name'"))
    found = ", ".join(f"CASE WHEN {condition} THEN {{'col': {quote(header)}, 'value': CAST({value} AS VARCHAR), "
                      f"'message': {message}}} END" for condition, header, value, message in checks)
    return RowChecks(condition=" OR ".join(f"({condition})" for condition, *_ in checks), found=found)


def _name_header(header_of: dict[str, str]) -> str:
    return header_of.get("name") or header_of.get("last_name") or "Name"


def _problems(con: duckdb.DuckDBPyConnection, header_of: dict[str, str], checks: RowChecks | None) -> None:
    """`import_problem`: records that appear twice, and each row's own problems unless `checks` is None."""
    name_header = _name_header(header_of)
    key_header = header_of["external_id"] if "external_id" in header_of else name_header
    key_value = '"external_id"' if "external_id" in header_of else "__name"
    # A repeated key is rare: the keys' 64-bit hashes are counted first (grouping integers costs
    # about half of grouping the keys' text), and only keys whose hash repeats are compared.
    con.execute("CREATE OR REPLACE TEMP TABLE import_key_hash AS SELECT hash(__key) AS h FROM import_typed "
                "WHERE __key IS NOT NULL GROUP BY h HAVING count(*) > 1")
    parts = [checks.problems()] if checks is not None else []  # one scan for every per-row check
    if con.execute("SELECT count(*) FROM import_key_hash").fetchall()[0][0]:
        parts.append(f"""
            SELECT t.__line, {quote(key_header)}, t.{key_value},
                   'appears again (first on line ' || d.first_line || '); each record may appear only once in a file'
            FROM import_typed t JOIN (SELECT __key, min(__line) AS first_line FROM import_typed
                                      WHERE __key IS NOT NULL AND hash(__key) IN (SELECT h FROM import_key_hash)
                                      GROUP BY __key HAVING count(*) > 1) d
              ON d.__key = t.__key AND t.__line > d.first_line
            """)
    con.execute("CREATE OR REPLACE TEMP TABLE import_problem (line BIGINT, col VARCHAR, value VARCHAR, message VARCHAR)")
    if parts:
        con.execute(f"INSERT INTO import_problem {' UNION ALL '.join(parts)}")


def unload(con: duckdb.DuckDBPyConnection) -> None:
    """Drop the typed rows once `import_rows` holds what the write needs (on PostgreSQL, their shipped copy)."""
    con.execute("DROP VIEW IF EXISTS import_valid")
    if dialect_of(con) == "postgres":
        con.execute("DROP TABLE IF EXISTS import_typed")
        return
    con.execute("DROP TABLE IF EXISTS import_key_hash")
    con.execute("DROP VIEW IF EXISTS import_typed")
    con.execute("DROP VIEW IF EXISTS import_src")


def problem_text(line: int, column: str, value: str | None, message: str) -> str:
    """`line 14, CloseDate: '2025-13-45' is not a date` (value left out when the cell is empty)."""
    shown = f" {value!r}" if value is not None else ""
    return f"line {line}, {column}:{shown} {message}"
