"""Downloads cannot smuggle spreadsheet formulas; numbers and dates survive."""

import io
from datetime import date

import openpyxl
import pandas as pd
import pytest

from planning import tabular


@pytest.mark.parametrize(
    "value, expected",
    [
        ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
        ("+1+2", "'+1+2"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("Acme = best", "Acme = best"),
        ("", ""),
        (None, None),
        (-5, -5),
    ],
)
def test_neutralise_cell(value, expected):
    assert tabular.neutralise_cell(value) == expected


def frame():
    return pd.DataFrame({"name": ["=1+1", "Acme"], "amount": [-10.5, 20.0], "close": [date(2026, 1, 2), None]})


def test_csv_is_neutralised_and_keeps_negative_numbers():
    text = tabular.to_csv_bytes(frame()).decode("utf-8-sig")
    assert text.splitlines() == ["name,amount,close", "'=1+1,-10.5,2026-01-02", "Acme,20.0,"]


def test_xlsx_is_neutralised_and_typed():
    sheet = openpyxl.load_workbook(io.BytesIO(tabular.to_xlsx_bytes(frame()))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("name", "amount", "close")
    assert rows[1][:2] == ("'=1+1", -10.5)
    assert rows[2][:2] == ("Acme", 20.0)
