"""Both public CRM extracts import with zero hand-editing; counts match each folder's README."""

from decimal import Decimal

import pytest

from planning.importing.ingest import import_csv

MAVEN = [("users", "sales_teams.csv", 35), ("products", "products.csv", 7),
         ("accounts", "accounts.csv", 85), ("opportunities", "sales_pipeline.csv", 8800)]
SALESFORCE = [("accounts", "Account.csv", 22), ("contacts", "Contact.csv", 102), ("opportunities", "Opportunity.csv", 50)]


@pytest.fixture
def maven_db(fresh_db, datasets):
    reports = {kind: import_csv(fresh_db, kind, datasets / "crm-sales-opportunities" / name) for kind, name, _ in MAVEN}
    fresh_db.reports = reports
    return fresh_db


@pytest.fixture
def salesforce_db(fresh_db, datasets):
    reports = {kind: import_csv(fresh_db, kind, datasets / "salesforce-sample-export" / name)
               for kind, name, _ in SALESFORCE}
    fresh_db.reports = reports
    return fresh_db


@pytest.mark.parametrize("kind, name, rows", MAVEN)
def test_maven_files_insert_every_row(maven_db, kind, name, rows):
    report = maven_db.reports[kind]
    assert (report.rows_read, report.inserted, report.rejected, report.problems) == (rows, rows, 0, [])


@pytest.mark.parametrize("kind, name, rows", SALESFORCE)
def test_salesforce_files_insert_every_row(salesforce_db, kind, name, rows):
    report = salesforce_db.reports[kind]
    assert (report.rows_read, report.inserted, report.rejected, report.problems) == (rows, rows, 0, [])


def test_maven_stage_counts_match_readme(maven_db):
    assert maven_db.rows("SELECT stage, count(*) AS n FROM opportunity GROUP BY 1 ORDER BY 1") == [
        {"stage": "Engaging", "n": 1589}, {"stage": "Lost", "n": 2473},
        {"stage": "Prospecting", "n": 500}, {"stage": "Won", "n": 4238},
    ]


def test_maven_won_close_value_sums_to_readme_figure(maven_db):
    assert maven_db.value("SELECT sum(amount) FROM opportunity WHERE stage = 'Won'") == Decimal("10005534.00")


def test_maven_gtxpro_finds_gtx_pro(maven_db):
    assert maven_db.value("SELECT count(*) FROM opportunity WHERE product_id IS NULL") == 0
    assert maven_db.value(
        "SELECT count(*) FROM opportunity o JOIN product p ON p.id = o.product_id WHERE p.name = 'GTX Pro'"
    ) == 1480


def test_maven_misspelt_sector_is_kept_as_is(maven_db):
    assert maven_db.value("SELECT count(*) FROM account WHERE industry = 'technolgy'") == 12


def test_maven_accounts_are_keyed_by_name_and_subsidiary_of_sets_parent(maven_db):
    assert maven_db.value("SELECT count(*) FROM account WHERE external_id IS NOT NULL") == 0
    assert maven_db.value("SELECT count(*) FROM account WHERE parent_id IS NOT NULL") == 15
    assert maven_db.value(
        "SELECT p.name FROM account a JOIN account p ON p.id = a.parent_id WHERE a.name = 'Bluth Company'"
    ) == "Acme Corporation"


def test_maven_deals_without_account_or_close_date_are_imported_unassigned(maven_db):
    assert maven_db.value("SELECT count(*) FROM opportunity WHERE account_id IS NULL") == 1425
    assert maven_db.value("SELECT count(*) FROM opportunity WHERE close_date IS NULL") == 2089
    assert maven_db.reports["opportunities"].unassigned == 2089
    assert maven_db.value("SELECT count(*) FROM opportunity WHERE created_date IS NULL") == 500


def test_maven_lost_deals_keep_close_value_zero_and_open_deals_unknown_amount(maven_db):
    assert maven_db.rows("SELECT count(*) AS n, sum(amount) AS s FROM opportunity WHERE stage = 'Lost'") == [
        {"n": 2473, "s": Decimal("0.00")}]
    assert maven_db.reports["opportunities"].unknown_amounts == 2089
    warnings = maven_db.reports["opportunities"].warnings
    assert [w for w in warnings if w.startswith("opportunities have no amount")] == [
        "opportunities have no amount: unknown, counted as 0 in sums (2089 rows, first on lines 11, 27, 44, 46, 58)."]


def test_maven_sales_team_sets_managers_and_offices(maven_db):
    assert maven_db.value("SELECT count(*) FROM app_user") == 41  # 35 agents + 6 managers named only
    assert maven_db.one(
        "SELECT m.name AS manager, u.region FROM app_user u JOIN app_user m ON m.id = u.manager_id "
        "WHERE u.name = 'Anna Snelling'") == {"manager": "Dustin Brinkmann", "region": "Central"}
    assert maven_db.value("SELECT count(*) FROM opportunity WHERE owner_id IS NULL") == 0


def test_maven_crlf_file_reports_true_line_numbers(fresh_db, datasets, tmp_path):
    data = (datasets / "crm-sales-opportunities" / "sales_pipeline.csv").read_bytes()
    assert b"\r\n" in data
    lines = data.split(b"\r\n")
    lines[9] = lines[9].replace(b"2017-", b"2017/13/")
    bad = tmp_path / "pipeline.csv"
    bad.write_bytes(b"\r\n".join(lines))
    with pytest.raises(Exception) as refused:
        import_csv(fresh_db, "opportunities", bad)
    assert refused.value.problems[0].startswith("line 10, ")


def test_salesforce_bom_header_maps_id(salesforce_db, datasets):
    assert (datasets / "salesforce-sample-export" / "Opportunity.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert salesforce_db.reports["opportunities"].encoding == "utf-8-sig"
    assert salesforce_db.reports["opportunities"].mapping["Id"] == "external_id"


def test_salesforce_opportunities_resolve_18_accounts_and_sum_like_readme(salesforce_db):
    row = salesforce_db.one(
        "SELECT count(DISTINCT account_id) AS accounts, count(*) FILTER (WHERE account_id IS NULL) AS orphans, "
        "sum(amount) AS total, sum(amount) FILTER (WHERE is_won) AS won FROM opportunity")
    assert row == {"accounts": 18, "orphans": 0, "total": Decimal("43603545.98"), "won": Decimal("10542562.98")}


def test_salesforce_stage_counts_match_readme(salesforce_db):
    assert dict(salesforce_db.df("SELECT stage, count(*) AS n FROM opportunity GROUP BY 1").values.tolist()) == {
        "Closed Won": 12, "Qualification": 9, "Negotiation": 9, "Discovery": 9, "Proposal/Quote": 8, "Closed Lost": 3}


def test_salesforce_percent_probability_one_or_blank_flags_and_iso_timestamps(salesforce_db):
    assert salesforce_db.one(
        "SELECT stage, probability, is_closed, is_won, created_date::VARCHAR AS created, close_date::VARCHAR AS closes "
        "FROM opportunity WHERE external_id = '006Ec00000AieKFIAZ'") == {
        "stage": "Qualification", "probability": 0.1, "is_closed": False, "is_won": False,
        "created": "2024-01-22", "closes": "2024-11-10"}
    assert salesforce_db.value("SELECT count(*) FROM opportunity WHERE is_won") == 12
    assert salesforce_db.value("SELECT count(*) FROM opportunity WHERE is_closed") == 15


def test_salesforce_contacts_link_18_accounts_and_unknown_owner_is_a_warning(salesforce_db):
    assert salesforce_db.value("SELECT count(*) FROM contact WHERE account_id IS NOT NULL") == 18
    warnings = salesforce_db.reports["opportunities"].warnings
    assert "OwnerId: 1 value matches no user, kept as text ('005Ec000004oBPNIA2') (50 rows, first on lines 2, 3, 4, 5, 6)." in warnings
    assert salesforce_db.value("SELECT count(*) FROM opportunity WHERE owner_ref = '005Ec000004oBPNIA2'") == 50


@pytest.mark.parametrize("folder, files", [("crm-sales-opportunities", MAVEN), ("salesforce-sample-export", SALESFORCE)])
def test_reimporting_a_dataset_changes_nothing(fresh_db, datasets, folder, files):
    for kind, name, _ in files:
        import_csv(fresh_db, kind, datasets / folder / name)
    before = fresh_db.value("SELECT count(*) FROM audit_log"), fresh_db.value("SELECT count(*) FROM opportunity_history")
    for kind, name, rows in files:
        again = import_csv(fresh_db, kind, datasets / folder / name)
        assert (again.inserted, again.updated, again.unchanged) == (0, 0, rows)
    after = fresh_db.value("SELECT count(*) FROM audit_log"), fresh_db.value("SELECT count(*) FROM opportunity_history")
    assert after == before == (0, 0)
