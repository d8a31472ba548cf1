"""Meta-test: SQL text in planning/ interpolates only code, never data; values are bound with `?`.

Pragmatic rules, checked on the syntax tree of every module of planning/ (commands included):
a string that looks like SQL (has a keyword such as SELECT, INSERT, UPDATE, DELETE, CREATE,
FROM, WHERE, JOIN, VALUES, COPY) and is an f-string, a `.format()` template or a `+`/`%`
concatenation may only splice in
- module constants (UPPER_CASE names, also `module.NAME`): SQL fragments written in the code;
- calls of the reviewed SQL builders in BUILDERS (e.g. `staging.quote` escapes a literal by
  doubling quotes; `fold` wraps a column expression);
- placeholder lists `', '.join('?' * len(x))` and choices between two string constants (also a
  `Dialects` constant's `NAME.on(con)`: its text for the connection's backend);
- names listed for that module in REVIEWED, each group with the reason it is not user data
  (column names checked against a field list before use, table names from internal tables...).
Anything else fails here, so a new interpolation is reviewed before it ships: bind the value with
`?` instead, or add the expression to REVIEWED with its reason.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PLANNING = Path(__file__).resolve().parent.parent / "planning"
SQLISH = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE|CREATE|FROM|WHERE|JOIN|VALUES|COPY|ALTER|DROP|SET)\b")
CONSTANT = re.compile(r"^([a-z_]+\.)?_?[A-Z][A-Z0-9_]*$")
DIALECT_CHOICE = re.compile(r"^([a-z_]+\.)?_?[A-Z][A-Z0-9_]*\.on\(\w+\)$")  # a Dialects constant's text for a connection
PLACEHOLDERS = re.compile(r"^', '\.join\('\?' \* len\(\w+\)\)$")
BUILDERS = re.compile(
    r"^(staging\.)?(quote|fold)\(|^(_?values_sql|_sql_path|size_band_sql|_completion|_lookup_sql|_options|"
    r"_percent_number|int|kpis\.MEMBERSHIP_SQL|BAND_SQL\.format)\("
    r"|^[A-Z][A-Z0-9_]*\.on\(con\)$"  # a Dialects pair of constants (planning.db.dialect)
)

# module → (expressions, why they are not user data)
REVIEWED: dict[str, list[tuple[set[str], str]]] = {
    "planning/audit.py": [({"table", "', '.join(columns)"},
                           "insert_created: table and column names are the calling module's own dict keys; values bound")],
    "planning/db/postgres.py": [
        ({"name", "columns"}, "register: a temp table named by the calling code, its columns the DataFrame's own"
                              " (built in code), double-quoted"),
        ({"kind", "name"}, "discard: 'TABLE'/'SEQUENCE' and names read from information_schema, double-quoted"),
    ],
    "planning/db/migrations/0230_postgres_indexes.py": [
        ({"name", "columns"}, "index names and column lists are the migration's own INDEXES constant"),
    ],
    "planning/db/snapshot.py": [({"name"}, "table names read from information_schema, double-quoted")],
    "planning/db/dialect.py": [({"table", "name", "definition", "definitions"},
                                "table names of the calling code (refresh_statistics, create_derived, drop_keys_on_duckdb),"
                                " double-quoted; a migration's own view definition; a table's own column names"
                                " (double-quoted), types and defaults, read from information_schema")],
    "planning/db/pg_backup.py": [({"database_name(url)", "str(exc).strip()"},
                                  "the database name of the configured URL, double-quoted; an error text in a message")],
    "planning/db/transfer.py": [({"table", "t", "listed", "path", "sequence"},
                                 "table, column and sequence names read from information_schema (double-quoted); "
                                 "a file in our own temporary directory")],
    "planning/importing/scratch.py": [({"table", "columns", "name", "select_sql", "path"},
                                       "the importer's own staging table and column names; a file in its temporary directory")],
    "planning/overview.py": [({"t"}, "a loop over a fixed tuple of table names")],
    "planning/contacts.py": [({"assignments"}, "`field = ?` for fields checked against EDITABLE_FIELDS; values bound")],
    "planning/users.py": [({"assignments"}, "`field = ?` for fields checked against EDITABLE_FIELDS; values bound")],
    "planning/plans.py": [
        ({"assignments", "', '.join(columns)"}, "plan field names checked against EDITABLE_FIELDS; values bound"),
        ({"table"}, "a loop over the fixed list of plan-scoped tables"),
    ],
    "planning/objectives.py": [
        ({"', '.join((f'{f} = ?' for f in diff))", "', '.join(columns)", "', '.join(values)"},
         "objective fields checked against OBJECTIVE_FIELDS, action fields a dict literal; values bound"),
    ],
    "planning/kpis.py": [({"members"}, "_membership: plan_member or the rule's join, both module constants")],
    "planning/plan_content.py": [({"', '.join(columns)"}, "field names checked against INITIATIVE_FIELDS; values bound")],
    "planning/stakeholders.py": [
        ({"assignments", "', '.join(columns)", "', '.join(ATTRIBUTES)"}, "field names checked against ATTRIBUTES; values bound"),
    ],
    "planning/whitespace.py": [({"', '.join(values)"}, "the keys of a dict literal built in the function; values bound")],
    "planning/demo/book.py": [({"t"}, "the demo seeder's own table names (no user input)")],
    "planning/demo/plans.py": [({"', '.join(plan)"}, "the demo seeder's own column names (no user input)")],
    "planning/demo/reference.py": [({"columns", "table"}, "the demo seeder's own table and column names (no user input)")],
    "planning/demo/scale.py": [
        ({"files['Account.csv']", "files['Contact.csv']", "files['Opportunity.csv']", "files['Product.csv']",
          "files['User.csv']"}, "paths escaped by _sql_path (quotes doubled)"),
        ({"sql", "t", "table"}, "the generator's own SQL fragments and table names"),
    ],
    "planning/demo/scale_seed.py": [({"t"}, "a loop over a fixed tuple of table names")],
    # The importer: a CSV's headers never reach SQL as identifiers. Columns are read positionally
    # as c0..cN, fields are named from planning.importing.mapping.SPECS, and header text appears only as a
    # literal through staging.quote (or double-quoted with quotes removed, for rejected-row labels).
    "planning/importing/stages.py": [({"probability", "closed", "won"}, "column names or typed NULLs chosen in code from DESCRIBE")],
    "planning/importing/csvfile.py": [({"columns", "newlines", "selected", "table", "rows", "filled", "spaced", "suffix"},
                                       "c0..cN positional columns, internal temp tables and their suffixes, a row count")],
    "planning/importing/staging.py": [
        ({"' UNION ALL '.join(parts)", "', '.join(typed)", "field", "kept_raw", "key", "key_value", "names", "raw",
          "raw_select", "condition", "', '.join(selected)", "group_by", "bare", "pattern", "', '.join(bares)",
          "', '.join(classes)", "source", "cls", "fld", "found",
          "self.found", "rows"},
         "field names from mapping.SPECS, positional columns c0..cN, regex patterns from NUMBER_EVIDENCE;"
         " the per-row checks (RowChecks, built in _row_checks) and the repeated-key query built in _problems"
         " (header text through quote)"),
    ],
    "planning/importing/ingest.py": [
        ({"account", "close", "probability", "amount", "extra"}, "fixed fragments chosen by which columns exist"),
        ({"ref.id_col"}, "reference columns declared in upsert.TARGETS"),
        ({"staged"}, "the staged rows' temp table: import_rows, or the name upsert.attach_business_units returns"),
        ({"columns"}, "positional c0..cN aliased by header text inside double quotes, quotes removed"),
        ({"select", "', '.join((staging.quote(f) for f in ADMIN_ONLY_USER_FIELDS))"},
         "a statement built above from staging.quote'd header text; quoted field-name constants"),
    ],
    "planning/importing/upsert.py": [
        ({"' '.join(joins)", "' UNION ALL '.join((p for p in parts if p))",
          "', '.join((f'r.{c}' for c in columns))",
          "', '.join(insert_cols)", "', '.join(items)", "', '.join(selects)", "', '.join(sets)",
          "', '.join(values)", "', '.join(insert_cols[1:])", "', '.join(['m.id'] + values)",
          "by_id", "c", "i", "ref.id_col", "ref_value", "rows_key", "rows_sql", "table",
          "table_key", "target.seq", "valid", "target", "ref.field", "email", "MATCHED_IDS if refers_to_itself else ''",
          "_duckdb_text(f't.{c}', types.get(c, ''))", "_duckdb_text(f'r.{c}', types.get(c, ''))",
          "matched if refers_to_itself else ''", "flag",
          "checks.problems(BAD_OR_REPEATED)"},
         "table, sequence and column names declared in upsert.TARGETS and mapping.SPECS; data stays in temp tables"),
    ],
}


def _allowed(module: str, expression: ast.expr) -> bool:
    text = ast.unparse(expression)
    if isinstance(expression, ast.Constant):
        return True
    if isinstance(expression, ast.IfExp) and all(isinstance(e, ast.Constant) for e in (expression.body, expression.orelse)):
        return True
    if CONSTANT.match(text) or DIALECT_CHOICE.match(text) or PLACEHOLDERS.match(text) or BUILDERS.match(text):
        return True
    return any(text in names for names, _ in REVIEWED.get(module, []))


def _sql_text(node: ast.AST) -> str:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value for v in node.values if isinstance(v, ast.Constant))
    return ""


def interpolations(source: str, module: str) -> list[str]:
    """'line: expression' for every spliced expression in SQL text that the rules do not allow."""
    found = []
    for node in ast.walk(ast.parse(source)):
        spliced: list[ast.expr] = []
        if isinstance(node, ast.JoinedStr) and SQLISH.search(_sql_text(node)):
            spliced = [v.value for v in node.values if isinstance(v, ast.FormattedValue)]
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format"
              and SQLISH.search(_sql_text(node.func.value))):
            spliced = [*node.args, *(k.value for k in node.keywords)]
        elif isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)) and (
                SQLISH.search(_sql_text(node.left)) or SQLISH.search(_sql_text(node.right))):
            spliced = [side for side in (node.left, node.right) if not isinstance(side, (ast.Constant, ast.JoinedStr, ast.BinOp))]
        found += [f"{node.lineno}: {ast.unparse(e)}" for e in spliced if not _allowed(module, e)]
    return found


@pytest.mark.parametrize("path", sorted(PLANNING.rglob("*.py")), ids=lambda p: str(p.relative_to(PLANNING)))
def test_sql_splices_only_reviewed_code(path):
    module = str(path.relative_to(PLANNING.parent))
    assert interpolations(path.read_text(encoding="utf-8"), module) == []


@pytest.mark.parametrize("source, expected", [
    ("con.execute(f\"SELECT * FROM plan WHERE name = '{name}'\")", ["1: name"]),
    ("con.execute(\"DELETE FROM plan WHERE id = \" + str(plan_id))", ["1: str(plan_id)"]),
    ("db.df(\"SELECT * FROM account WHERE name = '{}'\".format(text))", ["1: text"]),
    ("db.df(\"SELECT * FROM plan WHERE owner = '%s'\" % owner)", ["1: owner"]),
    ("con.execute(\"SELECT * FROM plan WHERE name = ?\", [name])", []),
    ("con.execute(f\"SELECT {KPI_SQL} FROM plan WHERE id IN ({', '.join('?' * len(ids))})\", ids)", []),
    ("con.execute(f\"INSERT INTO t VALUES ({staging.quote(header)})\")", []),
])
def test_the_checker_flags_spliced_values(source, expected):
    assert interpolations(source, "planning/example.py") == expected
