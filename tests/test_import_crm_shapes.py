"""Every CRM's own export imports with no flags; plan KPIs equal an independent computation (issue #16)."""

from decimal import Decimal

import pytest

from planning import kpis, plans
from planning.cli import main
from planning.errors import ImportRefused
from planning.importing.ingest import import_csv
from tests import crm_exports
from tests.crm_exports import PERIOD, SHAPES, expected_kpis


def admin(db):
    user_id = db.value("INSERT INTO app_user (name, role) VALUES ('Pat Admin', 'admin') RETURNING id")
    return {"id": user_id, "name": "Pat Admin", "role": "admin"}


def confirm_pipedrive_stages(db_path):
    for name, probability in crm_exports.PD_STAGES.items():
        assert main(["--db", str(db_path), "stages", "set", name, "open", f"{probability * 100:g}"]) == 0


def load(db, shape):
    if shape == "pipedrive":
        confirm_pipedrive_stages(db.target)
    files = SHAPES[shape][0]()
    reports = {kind: import_csv(db, kind, files[kind], file_name=f"{shape}-{kind}.csv")
               for kind in ("accounts", "opportunities")}
    return db, files, reports


def plan_figures(db, accounts):
    user = admin(db)
    ids = {}
    for key in accounts:
        account_id = db.value("SELECT id FROM account WHERE external_id = ? OR name = ?", [key, key])
        ids[key] = plans.create_plan(db, user, account_id=account_id, period_start=PERIOD[0], period_end=PERIOD[1],
                                     sales_target=100000)
    frame = kpis.plan_kpis(db, list(ids.values())).set_index("plan_id")
    return {key: {k: Decimal(str(round(float(frame.loc[pid, k] or 0), 2))).quantize(Decimal("0.01"))
                  for k in ("won", "lost", "pipeline", "weighted_pipeline")} for key, pid in ids.items()}


@pytest.mark.parametrize("shape", list(SHAPES))
def test_each_shape_imports_with_no_flags_and_kpis_match_to_the_cent(fresh_db, shape):
    _, deals, accounts, label = SHAPES[shape]
    db, _, reports = load(fresh_db, shape)
    assert reports["opportunities"].source_label == label
    assert reports["opportunities"].inserted == len(deals)
    assert reports["opportunities"].rejected == 0
    assert reports["accounts"].inserted == len(accounts)
    assert db.value("SELECT count(*) FROM opportunity WHERE account_id IS NULL") == 0
    expected = {k: {f: v.quantize(Decimal("0.01")) for f, v in row.items()}
                for k, row in expected_kpis(deals, accounts).items()}
    assert plan_figures(db, accounts) == expected


@pytest.mark.parametrize("shape", list(SHAPES))
def test_reimport_is_a_no_op_and_one_changed_stage_updates_one_row(fresh_db, shape):
    db, files, _ = load(fresh_db, shape)
    again = import_csv(db, "opportunities", files["opportunities"], file_name="again.csv")
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, len(SHAPES[shape][1]))
    text = files["opportunities"].decode("cp1252" if shape == "european" else "utf-8")
    old, new = {"salesforce-report": ("Prospecting", "Qualification"),
                "hubspot": ("Appointment Scheduled", "Qualified To Buy"),
                "pipedrive": ("CRM rollout,15000,EUR,Umbrella Corp,Qualified", "CRM rollout,15000,EUR,Umbrella Corp,Proposal Made"),
                "dynamics": ("40,Open", "55,Open"),
                "european": ("Qualification", "Needs Analysis")}[shape]
    assert text.count(old) == 1
    changed = text.replace(old, new).encode("cp1252" if shape == "european" else "utf-8")
    report = import_csv(db, "opportunities", changed, file_name="changed.csv")
    assert (report.inserted, report.updated) == (0, 1)
    assert db.value("SELECT count(*) FROM opportunity_history WHERE import_batch_id = ?", [report.batch_id]) == 1


def test_salesforce_report_footer_is_dropped_and_said(fresh_db):
    db, _, reports = load(fresh_db, "salesforce-report")
    notes = reports["opportunities"].notes()
    assert notes[:2] == [
        "Recognised as a Salesforce report opportunities export.",
        "Dropped the Salesforce report footer ('Grand Totals (7 records)' row, confidentiality notice, copyright line)."]
    assert "Close Date: dates read as MM/DD/YYYY." in notes
    assert "Amount: numbers read with decimal point, ',' groups thousands (1,234.56)." in notes
    assert db.value("SELECT amount FROM opportunity WHERE name = 'Acme - Platform'") == Decimal("1234567.00")


def test_hubspot_duplicate_names_by_record_id_and_multi_company_warning(fresh_db):
    db, _, reports = load(fresh_db, "hubspot")
    assert db.value("SELECT count(*) FROM opportunity WHERE name = 'New website'") == 2
    assert ("Associated Company IDs names several accounts (up to 3) on some rows; the first (primary) was used "
            "(2 rows, first on lines 4, 7).") in reports["opportunities"].warnings
    stages = {s["name"]: (s["probability"], s["decided_by"]) for s in reports["opportunities"].new_stages}
    assert stages["Qualified To Buy"] == (0.40, "HubSpot's default pipeline")


def test_hubspot_deals_as_xlsx_go_through_the_same_path(tmp_path, fresh_db):
    import openpyxl

    db, _, _ = load(fresh_db, "hubspot")
    header, rows = crm_exports.hubspot_rows()
    book = openpyxl.Workbook()
    book.active.append(header)
    for row in rows:
        book.active.append(row)
    path = tmp_path / "deals.xlsx"
    book.save(path)
    report = import_csv(db, "opportunities", path)
    assert (report.encoding, report.inserted, report.updated, report.unchanged) == ("xlsx", 0, 0, len(rows))


def test_pipedrive_new_stages_are_refused_until_confirmed(fresh_db):
    db = fresh_db
    files = crm_exports.pipedrive()
    import_csv(db, "accounts", files["accounts"])
    preview = import_csv(db, "opportunities", files["opportunities"], dry_run=True)
    assert [(s["name"], s["pending"]) for s in preview.new_stages] == [
        ("Qualified", True), ("Proposal Made", True), ("Negotiations Started", True)]
    with pytest.raises(ImportRefused) as refused:
        import_csv(db, "opportunities", files["opportunities"], file_name="deals.csv")
    assert "'Qualified' (2 rows, first on line 2)" in str(refused.value)
    assert db.value("SELECT count(*) FROM opportunity") == 0
    report = import_csv(db, "opportunities", files["opportunities"],
                        stage_probabilities={"Qualified": ("open", 0.25), "Proposal Made": ("open", 0.5),
                                             "Negotiations Started": ("open", 0.7)})
    assert report.inserted == 6
    assert db.value("SELECT count(*) FILTER (WHERE is_won) FROM opportunity") == 2


def test_european_file_reads_thousands_and_umlauts(fresh_db):
    db, _, reports = load(fresh_db, "european")
    assert db.rows("SELECT name, employees, annual_revenue FROM account ORDER BY name") == [
        {"name": "Bäckerei Größl", "employees": 1000, "annual_revenue": Decimal("850000.00")},
        {"name": "Müller Maschinenbau", "employees": 2500, "annual_revenue": Decimal("12345678.90")},
        {"name": "Öko Energie", "employees": 45, "annual_revenue": Decimal("1234.56")}]
    assert reports["accounts"].encoding == "cp1252"
    assert "Close Date: dates read as DD.MM.YYYY." in reports["opportunities"].notes()


def test_a_file_without_close_dates_is_refused_for_new_opportunities_but_updates_may_omit_it(fresh_db):
    db, _, _ = load(fresh_db, "dynamics")
    new = b"Topic,Potential Customer,Status\nBrand new,Litware Inc,Open\n"
    with pytest.raises(ImportRefused) as refused:
        import_csv(db, "opportunities", new, file_name="new.csv")
    assert str(refused.value).startswith("new.csv has no close-date column, so its 1 new opportunity (first on line 2)")
    update = b"(Do Not Modify) Opportunity,Topic,Status\ne0000000-0000-0000-0000-000000000001,Litware ERP,Won\n"
    report = import_csv(db, "opportunities", update)
    assert (report.inserted, report.updated) == (0, 1)


def test_lines_after_blank_lines_are_true_and_non_data_lines_are_refused_by_line(fresh_db):
    data = b"Id,Name,StageName,CloseDate\nA,a,Prospecting,2026-01-01\n\nB,b,Prospecting,soon\n"
    with pytest.raises(ImportRefused) as refused:
        import_csv(fresh_db, "opportunities", data)
    assert refused.value.problems == ["line 4, CloseDate: 'soon' is not a date (the column is read as YYYY-MM-DD)"]
    stray = b"Id,Name,StageName,CloseDate\nA,a,Prospecting,2026-01-01\nReport generated by someone\nB,b,Won,2026-01-01\n"
    with pytest.raises(ImportRefused) as refused:
        import_csv(fresh_db, "opportunities", stray)
    assert "line 3 has only 1 of the 4 columns" in str(refused.value)


@pytest.mark.parametrize("values, message", [
    (["3/4/2026", "5/6/2026"], "CloseDate: every date fits both day-first and month-first (e.g. '3/4/2026' on line 2)"),
    (["13/4/2026", "5/16/2026"], "CloseDate mixes dates written day first ('13/4/2026' on line 2, 1 row) and month "
                                 "first ('5/16/2026' on line 3, 1 row)"),
])
def test_ambiguous_or_mixed_date_columns_are_refused_naming_lines(fresh_db, values, message):
    data = ("Id,Name,StageName,CloseDate\n" + "".join(f"O{i},d{i},Prospecting,{v}\n" for i, v in enumerate(values))).encode()
    with pytest.raises(ImportRefused) as refused:
        import_csv(fresh_db, "opportunities", data)
    assert str(refused.value).startswith(message)


def test_date_order_option_settles_ambiguous_slash_dates(fresh_db):
    data = b"Id,Name,StageName,CloseDate\nO1,d,Prospecting,3/4/2026\n"
    import_csv(fresh_db, "opportunities", data, date_order="DMY")
    assert str(fresh_db.value("SELECT close_date FROM opportunity")) == "2026-04-03"


def test_a_confirmed_mapping_is_remembered_for_the_same_shape(fresh_db):
    first = b"Ref,Title,Phase,Due\nX1,Odd deal,Prospecting,2026-05-31\n"
    import_csv(fresh_db, "opportunities", first, mapping={"Ref": "external_id", "Title": "name", "Phase": "stage",
                                                         "Due": "close_date"})
    second = b"Ref,Title,Phase,Due\nX1,Odd deal,Closed Won,2026-05-31\nX2,Other,Prospecting,2026-06-30\n"
    report = import_csv(fresh_db, "opportunities", second)
    assert (report.inserted, report.updated) == (1, 1)
    assert report.saved_mapping.startswith("Applied the column mapping saved for this file shape")


def test_cli_prints_source_readings_and_grouped_warnings(tmp_path, fresh_db, capsys):
    files = crm_exports.hubspot()
    for kind in ("accounts", "opportunities"):
        (tmp_path / f"{kind}.csv").write_bytes(files[kind])
        assert main(["--db", fresh_db.target, "import", kind, str(tmp_path / f"{kind}.csv")]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "  Recognised as a HubSpot deals export." in out
    assert any(line.startswith("  warning: Associated Company IDs names several accounts") for line in out)
    assert any(line.startswith("  new stage 'Appointment Scheduled': open 20% (from HubSpot's default pipeline")
               for line in out)
