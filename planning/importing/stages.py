"""Stage names an extract brings that the stage table does not know: decided, never guessed silently.

In order: a person's confirmation (`--stage NAME=open:30`, the Import page, `planning stages set`);
the CRM's documented default stages (sources.Source.default_stages, e.g. HubSpot's pipeline);
`Won` / `Lost` in the name; the file's own per-row flags and probabilities (a stage whose open rows
all carry a probability takes their average). Anything else is *pending*: a dry run lists it, a
commit is refused naming the stages and how to confirm them.
"""

from __future__ import annotations

import re

import duckdb

from planning.errors import ImportRefused
from planning.importing.scratch import columns
from planning.importing.sources import Source
from planning.importing.staging import fold

STATES = ("open", "won", "lost")


def parse_confirmation(text: str) -> tuple[str, tuple[str, float]]:
    """`Qualified=open:20` / `Qualified=open:0.2` / `Closed=won` / `Dead=lost` → (name, (state, probability))."""
    name, sep, rest = text.rpartition("=")
    if not sep or not name.strip():
        raise ImportRefused(f"--stage {text!r} is not NAME=open:PERCENT, NAME=won or NAME=lost.")
    state, _, number = rest.strip().lower().partition(":")
    if state not in STATES:
        raise ImportRefused(f"--stage {text!r}: the state must be open, won or lost, not {state!r}.")
    if state != "open":
        return name.strip(), (state, 1.0 if state == "won" else 0.0)
    return name.strip(), ("open", parse_probability(number, text))


def parse_probability(number: str, context: str) -> float:
    try:
        value = float(number.strip().rstrip("%").replace(",", "."))
    except ValueError:
        raise ImportRefused(f"{context!r}: an open stage needs a probability, e.g. open:30 for 30 %.") from None
    value = value / 100 if value > 1 else value
    if not 0 <= value <= 1:
        raise ImportRefused(f"{context!r}: the probability must be between 0 and 100 %.")
    return value


def normalise(confirmed: dict | None) -> dict[str, tuple[str, float]]:
    """Confirmations keyed by folded name; a bare number means "open with this probability"."""
    result = {}
    for name, value in (confirmed or {}).items():
        if isinstance(value, (int, float)):
            value = ("open", float(value))
        state, probability = value
        result[_fold(name)] = (state, float(probability))
    return result


def _fold(name: str) -> str:
    return re.sub(r"[\s\u00a0]", "", name).lower()


def name_flags(name: str) -> tuple[bool, bool] | None:
    """(is_closed, is_won) when the name says it: `Won`/`Closed Won` → won, `Lost`/`Closed Lost` → lost."""
    words = set(re.findall(r"[a-z]+", name.lower()))
    if "won" in words:
        return True, True
    if "lost" in words:
        return True, False
    return None


def add_new_stages(con: duckdb.DuckDBPyConnection, source: Source, confirmed: dict | None) -> list[dict]:
    """Insert the file's new stage names into `stage`; returns one dict per new stage.

    Each dict: name, probability, is_closed, is_won, rows, first_line, decided_by, pending.
    """
    confirmations = normalise(confirmed)
    cols = columns(con, "import_rows")
    probability = "probability" if "probability" in cols else "CAST(NULL AS DOUBLE)"
    closed = "is_closed" if "is_closed" in cols else "CAST(NULL AS BOOLEAN)"
    won = "is_won" if "is_won" in cols else "CAST(NULL AS BOOLEAN)"
    rows = con.execute(
        f"""
        SELECT any_value(stage ORDER BY __line), count(*), min(__line),
               avg({probability}) FILTER (WHERE NOT coalesce({closed} OR {won}, FALSE)),
               count(*) FILTER (WHERE NOT coalesce({closed} OR {won}, FALSE) AND {probability} IS NULL),
               count(*) FILTER (WHERE NOT coalesce({closed} OR {won}, FALSE)),
               bool_and(coalesce({won}, FALSE)), bool_and(coalesce({closed}, FALSE) AND NOT coalesce({won}, FALSE))
        FROM import_rows r WHERE stage IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM stage s WHERE {fold('s.name')} = {fold('r.stage')})
        GROUP BY {fold('stage')} ORDER BY 3
        """
    ).fetchall()
    order = con.execute("SELECT coalesce(max(sort_order), 0) FROM stage").fetchall()[0][0]
    added = []
    for i, (name, count, first, open_avg, open_without, open_rows, all_won, all_lost) in enumerate(rows):
        key = _fold(name)
        documented = source.default_stages.get(re.sub(r"[^0-9a-z]", "", name.lower()))
        by_name = name_flags(name)
        pending = False
        if key in confirmations:
            state, chance = confirmations[key]
            is_closed, is_won, decided = state != "open", state == "won", "confirmed"
        elif documented is not None:
            _, chance, is_closed, is_won = documented
            decided = f"{source.crm}'s default pipeline"
        elif by_name is not None:
            is_closed, is_won = by_name
            chance, decided = (1.0 if is_won else 0.0), "its name"
        elif open_rows and open_without == 0:
            is_closed, is_won, chance = False, False, round(open_avg, 4)
            decided = "the file's probabilities"
        elif not open_rows:
            # Every row carries its own won / lost status: the stage's default is never used for them.
            is_closed, is_won = bool(all_won or all_lost), bool(all_won)
            chance, decided = (1.0 if all_won else 0.0), "the file's status column"
            if not (all_won or all_lost):
                is_closed, chance = False, 0.0
                decided = "the file's status column (open stage, no probability yet: confirm one)"
        else:
            is_closed, is_won, chance, pending = False, False, 0.0, True
            decided = "nothing: confirm it"
        added.append({"name": name, "probability": chance, "is_closed": is_closed, "is_won": is_won,
                      "rows": count, "first_line": first, "decided_by": decided, "pending": pending})
        con.execute("INSERT INTO stage VALUES (?, ?, ?, ?, ?)", [name, chance, is_closed, is_won, order + 1 + i])
    return added


def pending_refusal(file_name: str, stages: list[dict]) -> ImportRefused:
    pending = [s for s in stages if s["pending"]]
    listed = "; ".join(f"{s['name']!r} ({s['rows']} row{'s' if s['rows'] != 1 else ''}, first on line "
                       f"{s['first_line']})" for s in pending[:10])
    example = pending[0]["name"]
    return ImportRefused(
        f"{file_name} names {len(pending)} stage{'s' if len(pending) != 1 else ''} the stage table does not know "
        f"and whose open rows carry no probability: {listed}. Confirm each as open with a probability, won or "
        f"lost (--stage '{example}=open:30', --stage '{example}=won', or `planning stages set`; on the page, "
        "in the preview), then import again; nothing was imported.",
        [f"new stage {s['name']!r}: {s['rows']} rows, first on line {s['first_line']}" for s in pending],
    )


def list_stages(con: duckdb.DuckDBPyConnection) -> list[dict]:
    rows = con.execute("SELECT name, probability, is_closed, is_won, sort_order FROM stage "
                       "ORDER BY sort_order, name").fetchall()
    return [{"name": r[0], "probability": r[1], "state": "won" if r[3] else "lost" if r[2] else "open",
             "sort_order": r[4]} for r in rows]


def set_stage(con: duckdb.DuckDBPyConnection, name: str, state: str, probability: float) -> str:
    """Create or change a stage's default: returns 'added' or 'updated'."""
    if state not in STATES:
        raise ImportRefused(f"A stage is open, won or lost, not {state!r}.")
    if not name.strip():
        raise ImportRefused("A stage needs a name.")
    found = con.execute(f"SELECT name FROM stage WHERE {fold('name')} = {fold('?')}", [name]).fetchall()
    is_closed, is_won = state != "open", state == "won"
    if found:
        con.execute("UPDATE stage SET probability = ?, is_closed = ?, is_won = ? WHERE name = ?",
                    [probability, is_closed, is_won, found[0][0]])
        return "updated"
    order = con.execute("SELECT coalesce(max(sort_order), 0) + 1 FROM stage").fetchall()[0][0]
    con.execute("INSERT INTO stage VALUES (?, ?, ?, ?, ?)", [name.strip(), probability, is_closed, is_won, order])
    return "added"
