"""Audit rows: one per changed field, inside the writer's transaction."""

from datetime import date
from decimal import Decimal

from planning import audit


def test_changed_fields_compares_values_as_text():
    old = {"name": "A", "target": Decimal("100.00"), "due": date(2026, 1, 1)}
    new = {"name": "A", "target": 100, "due": date(2026, 2, 1)}
    assert audit.changed_fields(old, new) == {"due": (date(2026, 1, 1), date(2026, 2, 1))}


def test_record_writes_one_row_per_field_and_rolls_back_with_the_transaction(fresh_db):
    with fresh_db.transaction() as con:
        audit.record(con, 7, "plan", 3, {"name": ("Old", "New"), "sales_target": (None, 5)})
    try:
        with fresh_db.transaction() as con:
            audit.record(con, 7, "plan", 3, {"name": ("New", "Newer")})
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    rows = audit.history(fresh_db, "plan", 3)
    assert sorted(zip(rows["field"], rows["old_value"].fillna(""), rows["new_value"])) == [
        ("name", "Old", "New"), ("sales_target", "", "5"),
    ]


def test_insert_created_returns_the_id_and_audits_every_field(fresh_db):
    with fresh_db.transaction() as con:
        new_id = audit.insert_created(con, 7, "competitor", {"name": "Rival"})
        assert con.execute("SELECT name FROM competitor WHERE id = ?", [new_id]).fetchall() == [("Rival",)]
    rows = audit.history(fresh_db, "competitor", new_id)
    assert list(zip(rows["field"], rows["new_value"])) == [("name", "Rival")]
