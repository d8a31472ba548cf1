"""An opportunities import records today's KPI snapshot for the plans it moves (the trend chart)."""

from datetime import date

from planning import kpis
from planning.importing import ingest


def test_import_writes_todays_snapshot_with_the_new_figures(demo_db):
    plan = demo_db.one(
        "SELECT p.id, a.external_id AS account FROM plan p JOIN account a ON a.id = p.account_id"
        " WHERE p.business_unit_id IS NULL AND p.period_start <= DATE '2026-06-30' AND p.period_end >= DATE '2026-06-30'"
        " ORDER BY p.id LIMIT 1"
    )
    won_before = kpis.kpis_for_plan(demo_db, plan["id"])["won"]
    csv = (
        "Id,AccountId,Name,StageName,Amount,CloseDate\n"
        f"006SNAP1,{plan['account']},Snapshot deal,Closed Won,1234.50,2026-06-30\n"
    ).encode()
    ingest.import_csv(demo_db, "opportunities", csv, file_name="snap.csv")
    snapshot = demo_db.one(
        "SELECT CAST(won AS DOUBLE) AS won FROM kpi_snapshot WHERE plan_id = ? AND snapshot_date = ?",
        [plan["id"], date.today()],
    )
    assert snapshot == {"won": won_before + 1234.50}


def test_a_dry_run_writes_no_snapshot(demo_db):
    before = demo_db.value("SELECT count(*) FROM kpi_snapshot")
    account = demo_db.value("SELECT external_id FROM account ORDER BY id LIMIT 1")
    csv = f"Id,AccountId,Name,StageName,Amount,CloseDate\n006SNAP2,{account},Deal,Closed Won,10,2026-06-30\n".encode()
    ingest.import_csv(demo_db, "opportunities", csv, file_name="snap.csv", dry_run=True)
    assert demo_db.value("SELECT count(*) FROM kpi_snapshot") == before
