"""Hostile input (issue #11): random bytes and random CSV shapes never crash the importer.

The only outcomes allowed are success or ImportRefused, and a refusal leaves every table unchanged.
"""

import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planning.errors import ImportRefused
from planning.importing.ingest import import_csv
from planning.importing.mapping import KINDS
from tests.import_helpers import checksum

HEADERS = ["Id", "Name", "AccountId", "StageName", "Amount", "CloseDate", "Probability", "IsWon", "account",
           "deal_stage", "close_value", "product", "manager", "sales_agent", "Industry", "", "Name"]
CELL = st.one_of(
    st.text(alphabet=string.printable + "éü€\u2028", max_size=12),
    st.sampled_from(["2024-01-31", "13/45/2024", "$1,234.50", "1", "", "TRUE", "GTX Pro", '"', '""', "\r\n"]),
)


@st.composite
def csv_shapes(draw):
    headers = draw(st.lists(st.sampled_from(HEADERS), min_size=1, max_size=6))
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    rows = draw(st.lists(st.lists(CELL, min_size=0, max_size=len(headers) + 1), max_size=6))
    text = "\n".join(delimiter.join(r) for r in [headers] + rows)
    return text.encode(draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252"])), errors="replace")


def attempt(db, kind, data):
    before = checksum(db)
    try:
        import_csv(db, kind, data, file_name="hostile.csv")
    except ImportRefused as refused:
        assert str(refused)
        assert checksum(db) == before


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(KINDS), data=st.binary(max_size=300))
def test_random_bytes_are_imported_or_refused(fresh_db, kind, data):
    attempt(fresh_db, kind, data)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(KINDS), data=csv_shapes())
def test_random_csv_shapes_are_imported_or_refused(fresh_db, kind, data):
    attempt(fresh_db, kind, data)


def test_contacts_without_an_account_column_match_by_name(fresh_db):
    # Found by the random-shapes test: the natural key used an account column the file lacked.
    from planning.importing import ingest

    first = ingest.import_csv(fresh_db, "contacts", b"Name\nAlice Ng\n", file_name="c.csv")
    again = ingest.import_csv(fresh_db, "contacts", b"Name\nAlice Ng\n", file_name="c.csv")
    assert (first.inserted, again.inserted, again.unchanged) == (1, 0, 1)
