"""The large-book generator: deterministic CRM-style CSVs whose ids all hold together."""

from __future__ import annotations

import hashlib
from datetime import date

import duckdb
import pytest

from planning import cli
from planning.demo import scale
from planning.errors import InvalidInput

ANCHOR = date(2026, 11, 15)


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    out = tmp_path_factory.mktemp("book")
    counts = scale.write_book(out, 5000, anchor=ANCHOR)
    return out, counts


def sha256s(folder) -> dict[str, str]:
    return {name: hashlib.sha256((folder / name).read_bytes()).hexdigest() for name in scale.FILES}


def query(book_dir, sql: str):
    con = duckdb.connect()
    for name in scale.FILES:
        con.execute(f"CREATE VIEW {name[:-4]} AS SELECT * FROM read_csv('{book_dir / name}', all_varchar = true)")
    return con.execute(sql).fetchall()


def test_same_arguments_give_byte_identical_files(book, tmp_path):
    first, _ = book
    scale.write_book(tmp_path, 5000, anchor=ANCHOR)
    assert sha256s(tmp_path) == sha256s(first)


@pytest.mark.parametrize("change", [{"seed": 11}, {"anchor": date(2026, 11, 16)}])
def test_another_seed_or_anchor_gives_another_book(book, tmp_path, change):
    first, _ = book
    scale.write_book(tmp_path, 5000, **{"anchor": ANCHOR, **change})
    assert sha256s(tmp_path)["Opportunity.csv"] != sha256s(first)["Opportunity.csv"]


def test_row_counts_follow_the_number_of_opportunities(book):
    _, counts = book
    assert counts == {"User.csv": 24, "Product.csv": 25, "Account.csv": 100, "Contact.csv": 500, "Opportunity.csv": 5000}


@pytest.mark.parametrize("scale_arg, expected", [
    ("large", (1_000_000, 20_000, 100_000, 200, 25, 2_000)),
    ("300000", (300_000, 6_000, 30_000, 60, 25, 600)),
    ("100_000", (100_000, 2_000, 10_000, 24, 25, 200)),
    (1000, (1000, 20, 100, 24, 25, 5)),
])
def test_book_sizes(scale_arg, expected):
    size = scale.BookSize.for_scale(scale_arg)
    assert (size.opportunities, size.accounts, size.contacts, size.users, size.products, size.plans) == expected


@pytest.mark.parametrize("scale_arg, message", [
    ("huge", "--scale must be 'large' or a number of opportunities, not 'huge'."),
    ("99", "--scale 99 is too small: use at least 100 opportunities."),
])
def test_bad_scale_is_refused_with_a_sentence(scale_arg, message):
    with pytest.raises(InvalidInput) as refused:
        scale.BookSize.for_scale(scale_arg)
    assert str(refused.value) == message


@pytest.mark.parametrize("file_name, header", [
    ("Account.csv", "Id,Name,ParentId,Industry,AnnualRevenue,NumberOfEmployees,BillingCountry,Territory,Region,"
                    "OwnerId,Segment,Target Segment,Tier,Strategic"),
    ("Opportunity.csv", "Id,AccountId,Name,StageName,Amount,Probability,CloseDate,CreatedDate,IsClosed,IsWon,"
                        "OwnerId,Type,Product__c,Business_Unit__c"),
    ("Contact.csv", "Id,AccountId,FirstName,LastName,Title,Department,ReportsToId,Email"),
    ("Product.csv", "Id,ProductCode,Name,Family,ListPrice"),
    ("User.csv", "Id,Name,Email,ManagerId,Region,Territory,Role"),
])
def test_salesforce_column_names(book, file_name, header):
    folder, _ = book
    assert (folder / file_name).read_text().splitlines()[0] == header


@pytest.mark.parametrize("description, sql, expected", [
    ("opportunity accounts exist (blank = the deliberate unassigned ones)",
     'SELECT count(*) FROM Opportunity WHERE "AccountId" IS NOT NULL AND "AccountId" NOT IN (SELECT "Id" FROM Account)', 0),
    ("only early-stage deals are unassigned",
     'SELECT count(*) FROM Opportunity WHERE "AccountId" IS NULL AND "StageName" <> \'Prospecting\'', 0),
    ("opportunity owners are users",
     'SELECT count(*) FROM Opportunity WHERE "OwnerId" NOT IN (SELECT "Id" FROM "User")', 0),
    ("opportunity products are products",
     'SELECT count(*) FROM Opportunity WHERE "Product__c" NOT IN (SELECT "Name" FROM Product)', 0),
    ("account owners are reps",
     'SELECT count(*) FROM Account WHERE "OwnerId" NOT IN (SELECT "Id" FROM "User" WHERE "Role" = \'rep\')', 0),
    ("parent accounts exist",
     'SELECT count(*) FROM Account WHERE "ParentId" IS NOT NULL AND "ParentId" NOT IN (SELECT "Id" FROM Account)', 0),
    ("contacts belong to accounts",
     'SELECT count(*) FROM Contact WHERE "AccountId" NOT IN (SELECT "Id" FROM Account)', 0),
    ("a contact reports to someone of the same account",
     'SELECT count(*) FROM Contact c JOIN Contact b ON b."Id" = c."ReportsToId" WHERE b."AccountId" <> c."AccountId"', 0),
    ("every ReportsToId is a contact",
     'SELECT count(*) FROM Contact WHERE "ReportsToId" IS NOT NULL AND "ReportsToId" NOT IN (SELECT "Id" FROM Contact)', 0),
    ("managers are users", 'SELECT count(*) FROM "User" WHERE "ManagerId" NOT IN (SELECT "Id" FROM "User")', 0),
    ("ids are unique", 'SELECT count(*) - count(DISTINCT "Id") FROM Opportunity', 0),
    ("account names are unique", 'SELECT count(*) - count(DISTINCT "Name") FROM Account', 0),
    ("closed deals closed before the anchor",
     "SELECT count(*) FROM Opportunity WHERE \"IsClosed\" = 'true' AND CAST(\"CloseDate\" AS DATE) >= DATE '2026-11-15'", 0),
    ("every account has a chief executive at the top",
     "SELECT count(*) FROM Contact WHERE \"ReportsToId\" IS NULL AND \"Title\" <> 'Chief Executive Officer'", 0),
])
def test_referential_integrity_and_rules(book, description, sql, expected):
    folder, _ = book
    assert query(folder, sql)[0][0] == expected, description


def test_distributions_look_like_a_real_book(book):
    folder, _ = book
    (won_share, blank_probability, unassigned, created_before_close, top_tenth_share), = query(folder, """
        SELECT avg(CASE WHEN "IsWon" = 'true' THEN 1 ELSE 0 END) FILTER (WHERE "IsClosed" = 'true'),
               avg(CASE WHEN "Probability" IS NULL THEN 1 ELSE 0 END),
               count(*) FILTER (WHERE "AccountId" IS NULL),
               bool_and(CAST("CreatedDate" AS DATE) < CAST("CloseDate" AS DATE)),
               count(*) FILTER (WHERE "AccountId" < '001Sc0000000000010') / count(*)
        FROM Opportunity""")
    assert 0.38 < won_share < 0.46
    assert blank_probability > 0.95  # the stage default applies to almost every row
    assert 0 < unassigned < 50
    assert created_before_close
    assert top_tenth_share > 0.3  # Pareto-ish: the biggest tenth of accounts has far more than a tenth


def test_cli_writes_the_book(tmp_path, capsys):
    assert cli.main(["demo", "--scale", "1000", "--out", str(tmp_path), "--anchor", "2026-11-15"]) == 0
    assert capsys.readouterr().out.startswith("Book written in ")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(scale.FILES)
    assert len((tmp_path / "Opportunity.csv").read_text().splitlines()) == 1001


def test_cli_needs_a_destination(capsys):
    assert cli.main(["demo", "--scale", "1000"]) == 1
    assert capsys.readouterr().err == (
        "planning: Say where the book goes: --out DIR for CSV files, --db PATH for a database, or both.\n")


def test_cli_refuses_to_load_into_an_existing_database(demo_db, capsys):
    """A DuckDB file must be new; a PostgreSQL database must hold no book (an empty migrated one is fine)."""
    assert cli.main(["demo", "--scale", "1000", "--db", demo_db.target]) == 1
    if demo_db.dialect == "postgres":
        assert capsys.readouterr().err.startswith(
            f"planning: {demo_db.path} already holds data (app_user, account, opportunity, contact, product); "
            "load the large book into an empty database.")
    else:
        assert capsys.readouterr().err == (
            f"planning: {demo_db.path} already exists; the large book is loaded into a new database only.\n")
