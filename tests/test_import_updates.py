"""Commit rules: refusal leaves every table unchanged, idempotent re-import, updates with history and audit,
skip-bad-rows, stages, business units, permissions, dry run and the import batch."""

from decimal import Decimal

import pytest

from planning.errors import ImportRefused, NotAllowed
from planning.importing.ingest import import_csv, import_history
from tests.import_helpers import checksum, csv_bytes

ACCOUNTS = csv_bytes("Id,Name,Industry", "A1,Acme,Tech", "A2,Globex,Retail")
OPPS_V1 = csv_bytes("Id,AccountId,Name,StageName,Amount,CloseDate",
                    "O1,A1,Acme renewal,Prospecting,1000,2026-03-31", "O2,Globex,Globex pilot,Negotiation,500,2026-06-30")
OPPS_V2 = csv_bytes("Id,AccountId,Name,StageName,Amount,CloseDate",
                    "O1,A1,Acme renewal,Closed Won,1200,2026-03-31", "O2,Globex,Globex pilot,Negotiation,500,2026-06-30")


@pytest.fixture
def book(fresh_db):
    import_csv(fresh_db, "accounts", ACCOUNTS)
    import_csv(fresh_db, "opportunities", OPPS_V1, file_name="opps-v1.csv")
    return fresh_db


def test_refused_file_leaves_every_table_unchanged(demo_db):
    before = checksum(demo_db)
    bad = csv_bytes("Id,Name,StageName,CloseDate", "NEW1,New deal,Won,2026-01-01", "NEW2,Bad deal,Won,2025-13-45")
    with pytest.raises(ImportRefused):
        import_csv(demo_db, "opportunities", bad)
    assert checksum(demo_db) == before


def test_dry_run_previews_and_leaves_every_table_unchanged(book):
    before = checksum(book)
    report = import_csv(book, "opportunities", OPPS_V2, dry_run=True)
    assert (report.inserted, report.updated, report.unchanged, report.batch_id) == (0, 1, 1, None)
    assert report.changes[["line", "field", "old_value", "new_value"]].values.tolist() == [
        [2, "amount", "1000.00", "1200.00"], [2, "stage", "Prospecting", "Closed Won"]]
    assert checksum(book) == before


def test_reimporting_the_same_file_changes_nothing(book):
    before = checksum(book)
    report = import_csv(book, "opportunities", OPPS_V1, file_name="opps-v1.csv")
    assert (report.inserted, report.updated, report.unchanged) == (0, 0, 2)
    after = checksum(book)
    assert {t: v for t, v in after.items() if t != "import_batch"} == {
        t: v for t, v in before.items() if t != "import_batch"}
    # The history records the attempt: the same file (sha256) again, nothing inserted or updated.
    batches = book.rows("SELECT sha256, rows_read, inserted, updated, unchanged, status FROM import_batch "
                        "WHERE file_name = 'opps-v1.csv' ORDER BY id")
    assert len(batches) == 2 and batches[0]["sha256"] == batches[1]["sha256"]
    assert batches[1] | {"sha256": None} == {"sha256": None, "rows_read": 2, "inserted": 0, "updated": 0,
                                             "unchanged": 2, "status": "committed"}


def test_later_extract_updates_and_keeps_stage_and_amount_history(book):
    report = import_csv(book, "opportunities", OPPS_V2, file_name="opps-v2.csv")
    assert (report.inserted, report.updated, report.unchanged) == (0, 1, 1)
    assert book.one("SELECT stage, amount FROM opportunity WHERE external_id = 'O1'") == {
        "stage": "Closed Won", "amount": Decimal("1200.00")}
    history = book.rows("SELECT field, old_value, new_value, import_batch_id FROM opportunity_history ORDER BY field")
    assert history == [
        {"field": "amount", "old_value": "1000.00", "new_value": "1200.00", "import_batch_id": report.batch_id},
        {"field": "stage", "old_value": "Prospecting", "new_value": "Closed Won", "import_batch_id": report.batch_id}]
    audit = book.rows("SELECT entity, field, old_value, new_value, import_batch_id FROM audit_log ORDER BY field")
    assert audit == [
        {"entity": "opportunity", "field": "amount", "old_value": "1000.00", "new_value": "1200.00",
         "import_batch_id": report.batch_id},
        {"entity": "opportunity", "field": "stage", "old_value": "Prospecting", "new_value": "Closed Won",
         "import_batch_id": report.batch_id}]


def test_import_batch_records_file_hash_kind_counts_and_who(book):
    ops = {"id": 77, "name": "Olga", "role": "ops"}
    report = import_csv(book, "opportunities", OPPS_V2, file_name="opps-v2.csv", user=ops)
    batch = book.one("SELECT file_name, kind, sha256, rows_read, inserted, updated, unchanged, rejected, user_id, "
                     "status FROM import_batch WHERE id = ?", [report.batch_id])
    assert batch == {"file_name": "opps-v2.csv", "kind": "opportunities", "sha256": report.sha256, "rows_read": 2,
                     "inserted": 0, "updated": 1, "unchanged": 1, "rejected": 0, "user_id": 77, "status": "committed"}
    assert len(report.sha256) == 64
    assert import_history(book)["file_name"].tolist() == ["opps-v2.csv", "opps-v1.csv", "upload.csv"]


def test_references_resolve_by_id_or_folded_name(book):
    assert book.rows("SELECT o.external_id, a.name FROM opportunity o JOIN account a ON a.id = o.account_id "
                     "ORDER BY 1") == [{"external_id": "O1", "name": "Acme"}, {"external_id": "O2", "name": "Globex"}]


def test_unresolved_reference_is_a_warning_kept_as_text(book):
    data = csv_bytes("Id,Account Name,Name,StageName,CloseDate", "O3,Initech,Printer deal,Prospecting,2026-04-30")
    report = import_csv(book, "opportunities", data)
    assert report.warnings == [
        "Account Name: 1 value matches no account, kept as text ('Initech') (1 row, first on line 2)."]
    assert book.one("SELECT account_id, account_ref FROM opportunity WHERE external_id = 'O3'") == {
        "account_id": None, "account_ref": "Initech"}
    assert report.unassigned == 1


def test_skip_bad_rows_imports_valid_rows_and_returns_rejected_with_reason(book):
    data = csv_bytes("Id,Name,StageName,CloseDate", "N1,ok,Prospecting,2026-01-01", "N2,bad,Won,2026-31-31")
    report = import_csv(book, "opportunities", data, skip_bad_rows=True)
    assert (report.inserted, report.rejected) == (1, 1)
    assert report.rejected_csv().decode() == (
        "line,Id,Name,StageName,CloseDate,reason\n"
        "3,N2,bad,Won,2026-31-31,CloseDate: '2026-31-31' is not a date (the column is read as YYYY-MM-DD)\n")
    assert book.value("SELECT count(*) FROM opportunity WHERE external_id IN ('N1', 'N2')") == 1


def test_a_skipped_bad_row_never_takes_a_record_from_the_good_row_after_it(book):
    # Both rows name the record imported without a CRM id; only the good one may adopt it.
    import_csv(book, "opportunities", csv_bytes("AccountId,Name,StageName,Amount,CloseDate",
                                                "A1,Acme expansion,Prospecting,100,2026-05-01"))
    data = csv_bytes("Id,AccountId,Name,StageName,Amount,CloseDate", "X1,A1,Acme expansion,Prospecting,lots,2026-05-01",
                     "X2,A1,Acme expansion,Negotiation,300,2026-05-01")
    report = import_csv(book, "opportunities", data, skip_bad_rows=True)
    assert (report.inserted, report.updated, report.rejected) == (0, 1, 1)
    assert book.rows("SELECT external_id, stage, amount FROM opportunity WHERE name = 'Acme expansion'") == [
        {"external_id": "X2", "stage": "Negotiation", "amount": Decimal("300.00")}]


def test_a_row_naming_a_skipped_row_as_its_parent_is_left_unparented(fresh_db):
    # The parent's row is rejected, so it is no record the child could point at.
    data = csv_bytes("Id,Name,ParentId,AnnualRevenue", "P1,Parent Co,,lots", "C1,Child Co,P1,100")
    report = import_csv(fresh_db, "accounts", data, skip_bad_rows=True)
    assert (report.inserted, report.rejected) == (1, 1)
    assert fresh_db.rows("SELECT name, parent_id, parent_ref FROM account") == [
        {"name": "Child Co", "parent_id": None, "parent_ref": "P1"}]


def test_a_repeated_row_lists_its_own_problems_too(book):
    data = csv_bytes("Id,Name,StageName,CloseDate", "R1,a,Prospecting,2026-01-01", "R1,b,Prospecting,never")
    with pytest.raises(ImportRefused) as refused:
        import_csv(book, "opportunities", data)
    assert refused.value.problems == [
        "line 3, CloseDate: 'never' is not a date (the column is read as YYYY-MM-DD)",
        "line 3, Id: 'R1' appears again (first on line 2); each record may appear only once in a file"]


def test_a_new_open_stage_without_probability_is_listed_and_refused_until_confirmed(book):
    data = csv_bytes("Id,Name,StageName,CloseDate", "S1,a,Demo Booked,2026-05-01", "S2,b,Closed - Won,2026-05-01",
                     "S3,c,Deal Lost,2026-05-01")
    before = checksum(book)
    preview = import_csv(book, "opportunities", data, dry_run=True)
    assert [(s["name"], s["probability"], s["is_closed"], s["is_won"], s["decided_by"], s["pending"])
            for s in preview.new_stages] == [
        ("Demo Booked", 0.0, False, False, "nothing: confirm it", True),
        ("Closed - Won", 1.0, True, True, "Salesforce's default pipeline", False),
        ("Deal Lost", 0.0, True, False, "its name", False)]
    with pytest.raises(ImportRefused) as refused:
        import_csv(book, "opportunities", data)
    assert str(refused.value).startswith(
        "upload.csv names 1 stage the stage table does not know and whose open rows carry no probability: "
        "'Demo Booked' (1 row, first on line 2). Confirm each as open with a probability, won or lost")
    assert checksum(book) == before


def test_stage_names_match_the_table_case_and_space_insensitively(book):
    import_csv(book, "opportunities", csv_bytes("Id,Name,StageName,CloseDate", "S1,a,closed won,2026-04-30"))
    assert book.value("SELECT stage FROM opportunity WHERE external_id = 'S1'") == "Closed Won"
    assert book.value("SELECT count(*) FROM stage WHERE lower(name) = 'closed won'") == 1


def test_business_units_are_created_from_opportunities(book):
    data = csv_bytes("Id,AccountId,Name,StageName,CloseDate,Business Unit", "B1,A1,a,Prospecting,2026-04-30,EMEA Services",
                     "B2,A1,b,Prospecting,2026-04-30,emea services", "B3,,c,Prospecting,2026-04-30,Orphan BU")
    report = import_csv(book, "opportunities", data)
    assert book.rows("SELECT a.name AS account, b.name FROM business_unit b JOIN account a ON a.id = b.account_id") == [
        {"account": "Acme", "name": "EMEA Services"}]
    assert book.value("SELECT count(DISTINCT business_unit_id) FROM opportunity WHERE external_id IN ('B1','B2')") == 1
    assert ("opportunities name a business unit but no known account; kept as text (1 row, first on line 4)."
            in report.warnings)


def test_business_unit_file_needs_known_accounts(book):
    with pytest.raises(ImportRefused) as refused:
        import_csv(book, "business-units", csv_bytes("Account Name,Business Unit", "Acme,Retail", "Nobody,Retail"))
    assert refused.value.problems == ["line 3, Account Name: 'Nobody' matches no account; import the accounts first"]
    import_csv(book, "business-units", csv_bytes("Account Name,Business Unit", "acme,Retail"))
    assert book.value("SELECT count(*) FROM business_unit") == 1


def test_record_imported_by_name_adopts_the_crm_id_later(fresh_db):
    import_csv(fresh_db, "accounts", csv_bytes("Account Name,Industry", "Acme,Tech"))
    report = import_csv(fresh_db, "accounts", csv_bytes("Id,Account Name,Industry", "001X,ACME,Tech"))
    assert (report.inserted, report.updated) == (0, 1)
    assert fresh_db.one("SELECT external_id, name FROM account") == {"external_id": "001X", "name": "ACME"}


@pytest.mark.parametrize("role", ["rep", "leader"])
def test_importing_needs_ops_or_admin(fresh_db, role):
    with pytest.raises(NotAllowed, match=f"^Rita \\({role}\\) cannot import files: only admin, ops can.$"):
        import_csv(fresh_db, "accounts", ACCOUNTS, user={"id": 1, "name": "Rita", "role": role})


@pytest.mark.parametrize("role", ["ops", "admin"])
def test_ops_and_admin_may_import(fresh_db, role):
    assert import_csv(fresh_db, "accounts", ACCOUNTS, user={"id": 1, "name": "O", "role": role}).inserted == 2


def test_contacts_reports_to_resolves_within_the_file(fresh_db):
    import_csv(fresh_db, "accounts", ACCOUNTS)
    data = csv_bytes("Id,AccountId,FirstName,LastName,ReportsToId,Title", "C1,A1,Ann,Boss,,CEO",
                     "C2,A1,Bob,Worker,C1,Engineer")
    import_csv(fresh_db, "contacts", data)
    assert fresh_db.one("SELECT c.name, b.name AS boss FROM contact c JOIN contact b ON b.id = c.reports_to_id") == {
        "name": "Bob Worker", "boss": "Ann Boss"}


def test_an_import_that_changes_a_contact_or_user_moves_its_version_so_an_open_form_is_refused(fresh_db):
    import_csv(fresh_db, "accounts", ACCOUNTS)
    import_csv(fresh_db, "contacts", csv_bytes("Id,AccountId,FirstName,LastName,Title", "C1,A1,Ann,Boss,CEO"))
    import_csv(fresh_db, "users", csv_bytes("Name,Email,Region", "Rita Rep,rita@example.com,East"))
    before = fresh_db.one("SELECT c.version AS contact, u.version AS user FROM contact c, app_user u WHERE u.name = 'Rita Rep'")
    import_csv(fresh_db, "contacts", csv_bytes("Id,AccountId,FirstName,LastName,Title", "C1,A1,Ann,Boss,Chair"))
    import_csv(fresh_db, "users", csv_bytes("Name,Email,Region", "Rita Rep,rita@example.com,West"))
    import_csv(fresh_db, "users", csv_bytes("Name,Email,Region", "Rita Rep,rita@example.com,West"))  # unchanged: no bump
    after = fresh_db.one("SELECT c.version AS contact, u.version AS user FROM contact c, app_user u WHERE u.name = 'Rita Rep'")
    assert after == {"contact": before["contact"] + 1, "user": before["user"] + 1}
