"""Loading the large book: plans, scorecards, whitespace and stakeholders seeded set-based."""

from __future__ import annotations

import csv
from datetime import date

import pytest

from planning import cli, vocab
from planning.db import Database, open_database
from planning.demo import scale, scale_seed
from planning.errors import ImportRefused
from planning.importing import ingest

ANCHOR = date(2026, 11, 15)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> tuple[Database, dict]:
    """A 5,000-opportunity book imported through the importer, then seeded with ten plans."""
    folder = tmp_path_factory.mktemp("seed")
    scale.write_book(folder, 5000, anchor=ANCHOR)
    db = open_database(folder / "book.duckdb")
    for kind, file_name in scale.IMPORT_ORDER:
        ingest.import_csv(db, kind, folder / file_name, file_name=file_name)
    scale_seed.seed_account_planning_fields(db, folder / "Account.csv")
    return db, scale_seed.seed_planning(db, anchor=ANCHOR, plans=10)


def test_seed_counts(seeded):
    db, counts = seeded
    assert counts["plan"] == 10
    assert counts["team_member"] == 20  # owner + the owner's manager as executive sponsor
    assert counts["whitespace_cell"] > 0 and counts["stakeholder"] > 0 and counts["influence_link"] > 0


def test_accounts_get_the_planning_fields_the_crm_extract_does_not_carry(seeded):
    db, _ = seeded
    assert db.value("SELECT count(*) FROM account WHERE current_segment IS NULL OR target_segment IS NULL"
                    " OR tier IS NULL OR is_strategic IS NULL") == 0
    assert db.value("SELECT count(*) FROM account WHERE is_strategic") == 10  # the biggest tenth of 100


def test_primary_plans_cover_the_biggest_accounts_this_year(seeded):
    db, _ = seeded
    primary = db.rows(
        "SELECT p.account_id, p.period_start, p.period_end FROM plan p WHERE p.is_primary ORDER BY p.account_id")
    biggest = db.rows("SELECT id FROM account ORDER BY annual_revenue DESC, id LIMIT 8")
    assert sorted(r["account_id"] for r in primary) == sorted(r["id"] for r in biggest)
    assert {(r["period_start"], r["period_end"]) for r in primary} == {(date(2026, 1, 1), date(2026, 12, 31))}


def test_follow_ups_nest_under_last_years_plan(seeded):
    db, _ = seeded
    chains = db.rows(
        "SELECT parent.status AS parent_status, parent.period_start AS parent_start, parent.is_primary AS parent_primary,"
        " child.account_id = parent.account_id AS same_account"
        " FROM plan child JOIN plan parent ON parent.id = child.parent_plan_id")
    assert chains == [{"parent_status": "Completed", "parent_start": date(2025, 1, 1),
                       "parent_primary": False, "same_account": True}] * 2


def test_one_primary_plan_per_account(seeded):
    db, _ = seeded
    assert db.value("SELECT max(n) FROM (SELECT count(*) AS n FROM plan WHERE is_primary GROUP BY account_id)") == 1


@pytest.mark.parametrize("description, sql", [
    ("ratings are 1..5", "SELECT count(*) FROM scorecard_answer a JOIN scorecard_question q ON q.id = a.question_id"
                         " WHERE q.qtype = 'rating' AND a.value NOT IN ('1', '2', '3', '4', '5')"),
    ("yes/no answers", "SELECT count(*) FROM scorecard_answer a JOIN scorecard_question q ON q.id = a.question_id"
                       " WHERE q.qtype = 'yes_no' AND a.value NOT IN ('yes', 'no')"),
    ("choices are the template's", "SELECT count(*) FROM scorecard_answer a JOIN scorecard_question q ON q.id = a.question_id"
                                   " WHERE q.qtype = 'choice' AND NOT list_contains(json_keys(json_extract(q.options, '$.choices')), a.value)"),
    ("stakeholders are contacts of the plan's account",
     "SELECT count(*) FROM stakeholder s JOIN contact c ON c.id = s.contact_id JOIN plan p ON p.id = s.plan_id"
     " WHERE c.account_id <> p.account_id"),
    ("influence links join stakeholders of the same plan",
     "SELECT count(*) FROM influence_link l WHERE NOT EXISTS (SELECT 1 FROM stakeholder s WHERE s.plan_id = l.plan_id"
     " AND s.contact_id = l.to_contact_id)"),
    ("competitor cells name a competitor", "SELECT count(*) FROM whitespace_cell WHERE status = 'Competitor' AND competitor_id IS NULL"),
    ("whitespace only on this year's plans", "SELECT count(*) FROM whitespace_cell w JOIN plan p ON p.id = w.plan_id"
                                             " WHERE p.period_start <> DATE '2026-01-01'"),
])
def test_seeded_content_is_consistent(seeded, description, sql):
    db, _ = seeded
    assert db.value(sql) == 0, description


@pytest.mark.parametrize("column, vocabulary", [
    ("SELECT DISTINCT buying_role FROM stakeholder", vocab.BUYING_ROLES),
    ("SELECT DISTINCT support FROM stakeholder", vocab.SUPPORT_LEVELS),
    ("SELECT DISTINCT coverage FROM stakeholder", vocab.COVERAGE_LEVELS),
    ("SELECT DISTINCT status FROM whitespace_cell WHERE status IS NOT NULL", vocab.WHITESPACE_STATUSES),
    ("SELECT DISTINCT status FROM plan", vocab.PLAN_STATUSES),
    ("SELECT DISTINCT current_segment FROM account", vocab.SEGMENTS),
    ("SELECT DISTINCT target_segment FROM account", vocab.TARGET_SEGMENTS),
])
def test_values_come_from_the_vocabularies(seeded, column, vocabulary):
    db, _ = seeded
    assert {r[next(iter(r))] for r in db.rows(column)} <= set(vocabulary)


def test_seeding_leaves_no_helper_tables_or_macros(seeded):
    db, _ = seeded
    assert db.value("SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE '\\_%' ESCAPE '\\'") == 0
    assert db.value("SELECT count(*) FROM duckdb_functions() WHERE function_name = 'pick'") == 0


def test_demo_db_loads_through_the_importer(tmp_path, capsys):
    path = tmp_path / "large.duckdb"
    out = tmp_path / "book"
    assert cli.main(["demo", "--scale", "2000", "--out", str(out), "--db", str(path), "--anchor", "2026-11-15"]) == 0
    db = Database(path)
    counts = {t: db.value(f"SELECT count(*) FROM {t}") for t in ("account", "opportunity", "contact", "product", "plan")}
    assert counts == {"account": 40, "opportunity": 2000, "contact": 200, "product": 25, "plan": 5}
    assert db.value("SELECT count(*) FROM import_batch WHERE status = 'committed'") == 5
    blank_accounts = db.value(f"SELECT count(*) FROM read_csv('{out / 'Opportunity.csv'}', all_varchar = true)"
                              " WHERE \"AccountId\" IS NULL")
    assert db.value("SELECT count(*) FROM opportunity WHERE account_id IS NULL") == blank_accounts
    assert db.value("SELECT count(*) FROM contact WHERE reports_to_id IS NOT NULL") == \
        db.value(f"SELECT count(\"ReportsToId\") FROM read_csv('{out / 'Contact.csv'}', all_varchar = true)")
    assert db.value("SELECT count(*) FROM stakeholder") > 0


def test_load_book_feeds_every_file_to_the_importer_in_reference_order(tmp_path, monkeypatch):
    calls = []
    real_import = ingest.import_csv

    def recording_import_csv(db, kind, source, **options):
        calls.append((kind, source.name, options.get("file_name")))
        return real_import(db, kind, source, **options)

    monkeypatch.setattr(ingest, "import_csv", recording_import_csv)
    scale.write_book(tmp_path, 1000, anchor=ANCHOR)
    db = open_database(tmp_path / "db.duckdb")
    reports = scale_seed.load_book(db, tmp_path, anchor=ANCHOR, plans=5)
    assert calls == [("users", "User.csv", "User.csv"), ("products", "Product.csv", "Product.csv"),
                     ("accounts", "Account.csv", "Account.csv"), ("contacts", "Contact.csv", "Contact.csv"),
                     ("opportunities", "Opportunity.csv", "Opportunity.csv")]
    assert {kind: r["inserted"] for kind, r in reports.items()} == {
        "users": 24, "products": 25, "accounts": 20, "contacts": 100, "opportunities": 1000}
    assert all(r["rejected"] == 0 for r in reports.values())
    assert db.value("SELECT count(*) FROM plan") == 5


def test_a_failed_load_leaves_no_half_written_database(tmp_path, monkeypatch, capsys):
    real_import = ingest.import_csv

    def refusing_opportunities(db, kind, source, **options):
        if kind == "opportunities":
            raise ImportRefused("Opportunity.csv cannot be imported: 1 problem.", [])
        return real_import(db, kind, source, **options)

    monkeypatch.setattr(ingest, "import_csv", refusing_opportunities)
    path = tmp_path / "large.duckdb"
    assert cli.main(["demo", "--scale", "1000", "--db", str(path), "--anchor", "2026-11-15"]) == 1
    assert capsys.readouterr().err == "planning: Opportunity.csv cannot be imported: 1 problem.\n"
    assert not path.exists() and not path.with_name("large.duckdb.wal").exists()


def test_the_books_csvs_import_on_either_backend(tmp_path, fresh_db):
    """The imports of the large book run on the test backend (the seeding after them is DuckDB's)."""
    scale.write_book(tmp_path, 2000, anchor=ANCHOR)
    reports = {kind: ingest.import_csv(fresh_db, kind, tmp_path / name, file_name=name) for kind, name in scale.IMPORT_ORDER}
    assert {k: (r.inserted, r.rejected) for k, r in reports.items()} == {
        "users": (reports["users"].inserted, 0), "products": (25, 0), "accounts": (40, 0), "contacts": (200, 0),
        "opportunities": (2000, 0)}
    with open(tmp_path / "Contact.csv", newline="", encoding="utf-8") as f:
        managed = sum(1 for row in csv.DictReader(f) if row["ReportsToId"])
    assert fresh_db.value("SELECT count(*) FROM contact WHERE reports_to_id IS NOT NULL") == managed > 0
    again = ingest.import_csv(fresh_db, "opportunities", tmp_path / "Opportunity.csv", file_name="Opportunity.csv")
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 2000)


def test_demo_scale_loads_an_empty_postgresql_database_like_a_duckdb_file(tmp_path, fresh_db, capsys):
    """On PostgreSQL the book is built in a scratch DuckDB file and copied over in one transaction."""
    if fresh_db.dialect != "postgres":
        pytest.skip("loading the book into PostgreSQL (PLANNING_TEST_BACKEND=postgres)")
    args = ["demo", "--scale", "1000", "--anchor", "2026-11-15"]
    assert cli.main([*args, "--db", str(tmp_path / "book.duckdb")]) == 0
    assert cli.main([*args, "--db", fresh_db.target]) == 0
    assert f"{fresh_db.path}: loaded through the importer with 5 plans" in capsys.readouterr().out
    local = Database(tmp_path / "book.duckdb")
    figures = "SELECT count(*) AS n, sum(amount) AS amount FROM opportunity WHERE account_id IN (SELECT account_id FROM plan)"
    for table in ("account", "opportunity", "contact", "plan", "stakeholder", "whitespace_cell", "scorecard_answer"):
        assert fresh_db.value(f"SELECT count(*) FROM {table}") == local.value(f"SELECT count(*) FROM {table}"), table
    assert fresh_db.rows(figures) == local.rows(figures)

    assert cli.main([*args, "--db", fresh_db.target]) == 1  # a second load: the book is there already
    assert "already holds data (app_user, account, opportunity" in capsys.readouterr().err
    assert fresh_db.value("SELECT count(*) FROM opportunity") == 1000
