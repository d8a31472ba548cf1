"""Parse and check a loaded extract in SQL: typed values, problems with line numbers, keys.

Everything is set-based over the TEMP table `import_raw` (see csvfile.load), so a million-row
file is validated by a handful of statements, never a Python loop. The outputs are TEMP tables:
`import_typed` (one row per record, typed fields plus `__key`) and `import_problem`
(line, column, value, message).
"""

from __future__ import annotations

import duckdb

from planning.importing.mapping import SPECS, Mapping


def fold(expr: str) -> str:
    """SQL for a name folded for matching: trimmed, lower case, no spaces (`GTXPro` = `GTX Pro`)."""
    # replace() rather than a regex: this runs on every reference of a million-row file.
    return f"lower(replace(replace(replace({expr}, ' ', ''), chr(9), ''), chr(160), ''))"


def quote(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def _date(v: str) -> str:
    iso = r"\d{4}-\d{1,2}-\d{1,2}([T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2}|UTC)?"
    us = r"\d{1,2}/\d{1,2}/\d{4}(,?\s+\d{1,2}:\d{2}(:\d{2})?(\s*[AaPp][Mm])?)?"
    return (
        f"CASE WHEN length({v}) = 10 AND substr({v}, 5, 1) = '-' THEN TRY_CAST({v} AS DATE) "
        f"WHEN regexp_full_match({v}, '{iso}') "
        f"THEN CAST(try_strptime(regexp_extract({v}, '^\\d{{4}}-\\d{{1,2}}-\\d{{1,2}}'), '%Y-%m-%d') AS DATE) "
        f"WHEN regexp_full_match({v}, '{us}') "
        f"THEN CAST(try_strptime(regexp_extract({v}, '^\\d{{1,2}}/\\d{{1,2}}/\\d{{4}}'), '%m/%d/%Y') AS DATE) END"
    )


def _amount(v: str, decimal_comma: bool) -> str:
    # Currency marks before or after the number: `$1,234.50`, `USD 1,234.50`, `1 234 EUR`.
    bare = (
        f"regexp_replace(regexp_replace({v}, '^(-?)\\s*(?:[A-Z]{{3}}\\s*)?[$€£¥]?\\s*(-?)', '\\1\\2'), "
        f"'\\s*(?:[A-Z]{{3}}|[$€£¥])$', '')"
    )
    us = r"-?\d{1,3}(,\d{3})+(\.\d+)?|-?\d+(\.\d+)?|-?\.\d+"
    eu = r"-?\d{1,3}(\.\d{3})+(,\d+)?|-?\d+,\d+"
    european = (
        f"WHEN regexp_full_match({bare}, '{eu}') "
        f"THEN TRY_CAST(replace(replace({bare}, '.', ''), ',', '.') AS DECIMAL(18, 2)) "
        if decimal_comma else ""
    )
    return (
        rf"CASE WHEN regexp_full_match({v}, '-?[0-9]+(\.[0-9]+)?') THEN TRY_CAST({v} AS DECIMAL(18, 2)) "
        f"WHEN regexp_full_match({bare}, '{us}') THEN TRY_CAST(replace({bare}, ',', '') AS DECIMAL(18, 2)) "
        f"{european}END"
    )


def _integer(v: str) -> str:
    return (
        f"CASE WHEN regexp_full_match(replace({v}, ',', ''), '-?\\d+(\\.0*)?') "
        f"THEN TRY_CAST(split_part(replace({v}, ',', ''), '.', 1) AS INTEGER) END"
    )


def _boolean(v: str) -> str:
    # Salesforce exports write 1 or nothing: a blank flag in a mapped column is false.
    return (
        f"CASE WHEN {v} IS NULL THEN FALSE "
        f"WHEN lower({v}) IN ('true', '1', '1.0', 'yes', 'y', 't', 'x') THEN TRUE "
        f"WHEN lower({v}) IN ('false', '0', '0.0', 'no', 'n', 'f') THEN FALSE END"
    )


def _percent_number(v: str) -> str:
    return f"TRY_CAST(trim(replace({v}, '%', '')) AS DOUBLE)"


PARSERS = {"date": _date, "integer": _integer, "boolean": _boolean}
MESSAGES = {
    "date": "is not a date (use YYYY-MM-DD or M/D/YYYY)",
    "amount": "is not an amount",
    "integer": "is not a whole number",
    "boolean": "is not true/false, yes/no or 1/0",
    "percent": "is not a probability between 0 and 100",
}


def stage(con: duckdb.DuckDBPyConnection, mapping: Mapping, headers: list[str], decimal_comma: bool) -> None:
    """Create `import_typed` (typed fields, `__key`) and `import_problem` from `import_raw`."""
    spec = SPECS[mapping.kind]
    column_of = {field: f"c{headers.index(header)}" for header, field in mapping.columns.items()}
    header_of = mapping.fields
    raw_select = ", ".join(f"nullif(trim({col}), '') AS \"{field}__raw\"" for field, col in column_of.items())
    con.execute(f"CREATE OR REPLACE TEMP VIEW import_src AS SELECT __line{', ' if raw_select else ''}{raw_select} "
                "FROM import_raw")
    percent_scale = 1.0
    for field in column_of:
        if spec.field(field).type == "percent":
            # Salesforce writes percents (10 = 10 %); a column of fractions 0..1 is taken as is.
            raw = f'"{field}__raw"'
            scale = con.execute(
                f"SELECT coalesce(bool_or(contains({raw}, '%')) OR max({_percent_number(raw)}) > 1, FALSE) "
                "FROM import_src"
            ).fetchall()[0][0]
            percent_scale = 100.0 if scale else 1.0
    typed = []
    for field in column_of:
        raw = f'"{field}__raw"'
        kind = spec.field(field).type
        if kind == "text":
            expr = raw
        elif kind == "amount":
            expr = _amount(raw, decimal_comma)
        elif kind == "percent":
            number = _percent_number(raw)
            expr = f"CASE WHEN {number} BETWEEN 0 AND {percent_scale * 1} THEN {number} / {percent_scale} END"
        else:
            expr = PARSERS[kind](raw)
        typed.append(f"{expr} AS \"{field}\"")
    names = _name_expr(mapping)
    key = _key_expr(mapping)
    # Text fields are their raw value; only parsed fields keep the raw text beside (for problems).
    kept_raw = "".join(f'"{f}__raw", ' for f in column_of if spec.field(f).type != "text")
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE import_typed AS
        SELECT *, {key} AS __key FROM (
            SELECT __line, {kept_raw}{', '.join(typed)}{', ' if typed else ''}
                   {names} AS __name
            FROM import_src
        )
        """
    )
    con.execute("DROP VIEW import_src")
    _problems(con, mapping, header_of)


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


def _problems(con: duckdb.DuckDBPyConnection, mapping: Mapping, header_of: dict[str, str]) -> None:
    spec = SPECS[mapping.kind]
    parts = []
    for field, header in header_of.items():
        kind = spec.field(field).type
        if kind != "text":
            parts.append(
                f"SELECT __line, {quote(header)} AS col, \"{field}__raw\" AS value, {quote(MESSAGES[kind])} AS message "
                f"FROM import_typed WHERE \"{field}__raw\" IS NOT NULL AND \"{field}\" IS NULL"
            )
    name_header = header_of.get("name") or header_of.get("last_name") or "Name"
    requirements = {
        "opportunities": [("stage", "is empty; every opportunity needs a stage")],
        "business-units": [("account_ref", "is empty; a business unit belongs to an account")],
    }.get(mapping.kind, [])
    for field, message in requirements:
        if field in header_of:
            parts.append(f"SELECT __line, {quote(header_of[field])}, NULL, {quote(message)} FROM import_typed "
                         f"WHERE \"{field}\" IS NULL")
    if mapping.kind == "opportunities":
        label = " and ".join(header_of[f] for f in ("external_id", "name") if f in header_of)
        parts.append(
            f"SELECT __line, {quote(label)}, NULL, 'are both empty, so the opportunity cannot be identified' "
            "FROM import_typed WHERE __key IS NULL"
        )
    else:
        parts.append(f"SELECT __line, {quote(name_header)}, NULL, 'is empty; every record needs a name' "
                     "FROM import_typed WHERE __name IS NULL")
    key_header = header_of["external_id"] if "external_id" in header_of else name_header
    key_value = '"external_id"' if "external_id" in header_of else "__name"
    parts.append(
        f"""
        SELECT t.__line, {quote(key_header)}, t.{key_value},
               'appears again (first on line ' || d.first_line || '); each record may appear only once in a file'
        FROM import_typed t JOIN (SELECT __key, min(__line) AS first_line FROM import_typed WHERE __key IS NOT NULL
                                  GROUP BY __key HAVING count(*) > 1) d
          ON d.__key = t.__key AND t.__line > d.first_line
        """
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE import_problem AS SELECT * FROM ("
        + " UNION ALL ".join(parts)
        + ") AS p(line, col, value, message)"
    )


def problem_text(line: int, column: str, value: str | None, message: str) -> str:
    """`line 14, CloseDate: '2025-13-45' is not a date` (value left out when the cell is empty)."""
    shown = f" {value!r}" if value is not None else ""
    return f"line {line}, {column}:{shown} {message}"
