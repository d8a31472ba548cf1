"""A file's currency column is kept per opportunity and never converted; other currencies are said (issue #16)."""

from decimal import Decimal

import pytest

from planning.errors import ImportRefused
from planning.importing.ingest import import_csv
from tests.import_helpers import csv_bytes

SALESFORCE = csv_bytes(
    "Opportunity ID,Opportunity Name,Stage,Amount Currency,Amount,Close Date",
    "O1,Alpha,Prospecting,USD,1000,2026-06-30",
    "O2,Beta,Prospecting,EUR,2000,2026-06-30",
    "O3,Gamma,Prospecting,usd,3000,2026-06-30",
    "O4,Delta,Prospecting,GBP,4000,2026-06-30",
    "O5,Epsilon,Prospecting,EUR,5000,2026-06-30",
    "O6,Zeta,Prospecting,,6000,2026-06-30",
)


def test_rows_in_other_currencies_are_kept_as_written_and_warned_with_count_and_lines(fresh_db):
    report = import_csv(fresh_db, "opportunities", SALESFORCE, file_name="sf.csv")
    assert report.mapping["Amount Currency"] == "currency"
    assert ("Amount Currency: amounts in 2 currencies other than the book's USD (EUR 2, GBP 1); kept with their "
            "currency but summed as written in KPIs, with no exchange rate applied (3 rows, first on lines 3, 5, 6)."
            ) in report.warnings
    group = next(g for g in report.warning_groups if g["kind"] == "other_currency")
    assert (group["count"], group["first_lines"]) == (3, [3, 5, 6])
    rows = fresh_db.rows("SELECT external_id, currency, amount FROM opportunity ORDER BY external_id")
    assert [(r["external_id"], r["currency"], r["amount"]) for r in rows] == [
        ("O1", "USD", Decimal("1000.00")), ("O2", "EUR", Decimal("2000.00")), ("O3", "USD", Decimal("3000.00")),
        ("O4", "GBP", Decimal("4000.00")), ("O5", "EUR", Decimal("5000.00")), ("O6", None, Decimal("6000.00"))]


def test_a_file_all_in_the_book_currency_says_nothing(fresh_db):
    data = csv_bytes("Id,Name,StageName,CurrencyIsoCode,Amount,CloseDate", "O1,Alpha,Prospecting,USD,10,2026-06-30")
    report = import_csv(fresh_db, "opportunities", data)
    assert not [g for g in report.warning_groups if g["kind"] == "other_currency"]
    assert fresh_db.value("SELECT currency FROM opportunity") == "USD"


def test_the_book_currency_is_a_setting(fresh_db):
    fresh_db.execute("UPDATE setting SET value = 'EUR' WHERE key = 'currency'")
    data = csv_bytes("Deal - Title,Deal - Value,Deal - Currency,Deal - Stage,Deal - Status,Deal - Expected close date",
                     "CRM rollout,15000,EUR,Qualified,open,2026-06-30",
                     "Support,900,USD,Qualified,open,2026-06-30")
    report = import_csv(fresh_db, "opportunities", data, stage_probabilities={"Qualified": 0.2})
    assert [g["message"] for g in report.warning_groups if g["kind"] == "other_currency"] == [
        "Deal - Currency: amounts in 1 currency other than the book's EUR (USD 1); kept with their currency but "
        "summed as written in KPIs, with no exchange rate applied"]


def test_a_currency_that_is_not_a_code_is_refused_naming_line_column_and_value(fresh_db):
    data = csv_bytes("Id,Name,StageName,Amount Currency,Amount,CloseDate", "O1,Alpha,Prospecting,Euro,10,2026-06-30")
    with pytest.raises(ImportRefused, match=r"line 2, Amount Currency: 'Euro' is not a currency code"):
        import_csv(fresh_db, "opportunities", data)


def test_a_changed_currency_updates_the_row_and_is_audited(fresh_db):
    import_csv(fresh_db, "opportunities", SALESFORCE)
    again = import_csv(fresh_db, "opportunities", SALESFORCE.replace(b"O2,Beta,Prospecting,EUR", b"O2,Beta,Prospecting,CHF"))
    assert (again.updated, again.unchanged) == (1, 5)
    assert fresh_db.rows("SELECT field, old_value, new_value FROM audit_log WHERE import_batch_id = ?",
                         [again.batch_id]) == [{"field": "currency", "old_value": "EUR", "new_value": "CHF"}]


REPORT_CODED = csv_bytes(
    "Opportunity ID,Opportunity Name,Stage,Amount,Close Date",
    'O1,Alpha,Prospecting,"USD 1,234.50",2026-06-30',
    'O2,Beta,Prospecting,"EUR 2,000.00",2026-06-30',
    'O3,Gamma,Prospecting,"3,000.25 GBP",2026-06-30',
    'O4,Delta,Prospecting,"4,000.00",2026-06-30',
)


def test_a_code_written_in_the_amount_is_the_rows_currency_without_a_currency_column(fresh_db):
    report = import_csv(fresh_db, "opportunities", REPORT_CODED, file_name="report.csv")
    assert "Amount: each amount's currency is the code written with it" in report.readings
    assert ("Amount: amounts in 2 currencies other than the book's USD (EUR 1, GBP 1); kept with their currency but "
            "summed as written in KPIs, with no exchange rate applied (2 rows, first on lines 3, 4).") in report.warnings
    rows = fresh_db.rows("SELECT external_id, currency, amount FROM opportunity ORDER BY external_id")
    assert [(r["external_id"], r["currency"], r["amount"]) for r in rows] == [
        ("O1", "USD", Decimal("1234.50")), ("O2", "EUR", Decimal("2000.00")), ("O3", "GBP", Decimal("3000.25")),
        ("O4", None, Decimal("4000.00"))]


def test_a_decimal_comma_amount_with_its_code_after(fresh_db):
    data = csv_bytes("Opportunity ID;Opportunity Name;Stage;Amount;Close Date",
                     "O1;Alpha;Prospecting;1.234,50 EUR;2026-06-30", "O2;Beta;Prospecting;-99,90 CHF;2026-06-30")
    import_csv(fresh_db, "opportunities", data)
    assert fresh_db.rows("SELECT external_id, currency, amount FROM opportunity ORDER BY external_id") == [
        {"external_id": "O1", "currency": "EUR", "amount": Decimal("1234.50")},
        {"external_id": "O2", "currency": "CHF", "amount": Decimal("-99.90")}]


def test_amounts_without_codes_leave_the_currency_alone(fresh_db):
    import_csv(fresh_db, "opportunities", SALESFORCE)
    plain = csv_bytes("Opportunity ID,Opportunity Name,Stage,Amount,Close Date", "O2,Beta,Prospecting,2500,2026-06-30")
    report = import_csv(fresh_db, "opportunities", plain)
    assert report.updated == 1
    assert fresh_db.value("SELECT currency FROM opportunity WHERE external_id = 'O2'") == "EUR"
    assert not [n for n in report.readings if "currency" in n]


def test_a_currency_column_disagreeing_with_the_amounts_code_is_a_row_problem(fresh_db):
    data = csv_bytes("Opportunity ID,Opportunity Name,Stage,Amount,Amount Currency,Close Date",
                     'O1,Alpha,Prospecting,"USD 1,234.50",usd,2026-06-30',
                     'O2,Beta,Prospecting,"EUR 2,000.00",USD,2026-06-30',
                     'O3,Gamma,Prospecting,"EUR 5,000.00",,2026-06-30')
    with pytest.raises(ImportRefused) as refused:
        import_csv(fresh_db, "opportunities", data, file_name="sf.csv")
    assert refused.value.problems == ["line 3, Amount: 'EUR 2,000.00' is written in EUR but Amount Currency says USD"]
    report = import_csv(fresh_db, "opportunities", data, skip_bad_rows=True)
    assert (report.inserted, report.rejected) == (2, 1)
    # A blank currency cell takes the amount's code.
    assert fresh_db.rows("SELECT external_id, currency, amount FROM opportunity ORDER BY external_id") == [
        {"external_id": "O1", "currency": "USD", "amount": Decimal("1234.50")},
        {"external_id": "O3", "currency": "EUR", "amount": Decimal("5000.00")}]
