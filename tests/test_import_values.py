"""How the importer reads values, columns, encodings and delimiters (exact expectations)."""

from datetime import date
from decimal import Decimal

import pytest

from planning.errors import ImportRefused
from planning.importing.ingest import import_csv
from planning.importing.mapping import auto_map, guess_kind
from tests.import_helpers import csv_bytes


def one_opportunity(db, **cells):
    cells.setdefault("CloseDate", "2026-06-30")  # a new opportunity needs one
    header = ["Id", "Name", "StageName"] + list(cells)
    row = ["OPP1", "Deal", "Prospecting"] + [f'"{v}"' for v in cells.values()]
    import_csv(db, "opportunities", csv_bytes(",".join(header), ",".join(row)))
    return db.one("SELECT * FROM opportunity WHERE external_id = 'OPP1'")


@pytest.mark.parametrize("text, expected", [
    ("2024-03-05", date(2024, 3, 5)),
    ("2024-3-5", date(2024, 3, 5)),
    ("3/15/2024", date(2024, 3, 15)),
    ("12/31/2024 4:30 PM", date(2024, 12, 31)),
    ("2024-01-22T16:14:25.000+0000", date(2024, 1, 22)),
    ("2024-01-22T16:14:25Z", date(2024, 1, 22)),
    ("2024-01-22 16:14:25", date(2024, 1, 22)),
    ("", None),
])
def test_dates(fresh_db, text, expected):
    assert one_opportunity(fresh_db, CloseDate=text)["close_date"] == expected


@pytest.mark.parametrize("text, expected", [
    ("1234.5", Decimal("1234.50")), ("1,234.50", Decimal("1234.50")), ("$1,234.50", Decimal("1234.50")),
    ("USD 1,234.50", Decimal("1234.50")), ("1234 EUR", Decimal("1234.00")), ("-50", Decimal("-50.00")),
    ("1,000,000", Decimal("1000000.00")), ("", None),
])
def test_amounts(fresh_db, text, expected):
    assert one_opportunity(fresh_db, Amount=text)["amount"] == expected


@pytest.mark.parametrize("text, expected", [
    ("true", True), ("TRUE", True), ("1", True), ("yes", True), ("false", False), ("FALSE", False),
    ("0", False), ("", False),
])
def test_booleans(fresh_db, text, expected):
    assert one_opportunity(fresh_db, IsWon=text)["is_won"] is expected


@pytest.mark.parametrize("values, expected", [
    (["10", "90"], [0.1, 0.9]),          # Salesforce percents
    (["10%", "1"], [0.1, 0.01]),         # a % sign means percent
    (["0.25", "1"], [0.25, 1.0]),        # fractions 0..1 kept
    (["", "100"], [None, 1.0]),
])
def test_probability_percent_or_fraction(fresh_db, values, expected):
    data = csv_bytes("Id,Name,StageName,CloseDate,Probability", f"A,a,Prospecting,2026-06-30,{values[0]}",
                     f"B,b,Prospecting,2026-06-30,{values[1]}")
    import_csv(fresh_db, "opportunities", data)
    assert [r["probability"] for r in fresh_db.rows("SELECT probability FROM opportunity ORDER BY external_id")] == expected


@pytest.mark.parametrize("column, value, message", [
    ("CloseDate", "2025-13-45", "line 2, CloseDate: '2025-13-45' is not a date (the column is read as YYYY-MM-DD)"),
    ("CloseDate", "soon", "line 2, CloseDate: 'soon' is not a date (the column is read as YYYY-MM-DD)"),
    ("Amount", "12abc", "line 2, Amount: '12abc' is not an amount"),
    ("IsWon", "maybe", "line 2, IsWon: 'maybe' is not true/false, yes/no or 1/0"),
    ("Probability", "150", "line 2, Probability: '150' is not a probability between 0 and 100"),
])
def test_bad_values_are_named_with_line_column_and_value(fresh_db, column, value, message):
    with pytest.raises(ImportRefused) as refused:
        import_csv(fresh_db, "opportunities", csv_bytes(f"Id,Name,StageName,{column}", f"A,a,Won,{value}"))
    assert refused.value.problems == [message]
    assert message in str(refused.value)


@pytest.mark.parametrize("headers, expected", [
    (["Id", "AccountId", "StageName", "CloseDate", "Probability"],
     {"Id": "external_id", "AccountId": "account_ref", "StageName": "stage", "CloseDate": "close_date",
      "Probability": "probability"}),
    (["Opportunity ID", "Account Name", "Stage", "Close Date", "Probability (%)", "Opportunity Owner"],
     {"Opportunity ID": "external_id", "Account Name": "account_ref", "Stage": "stage", "Close Date": "close_date",
      "Probability (%)": "probability", "Opportunity Owner": "owner_ref"}),
    (["opportunity_id", "account", "deal_stage", "close_value", "sales_agent", "engage_date"],
     {"opportunity_id": "external_id", "account": "account_ref", "deal_stage": "stage", "close_value": "amount",
      "sales_agent": "owner_ref", "engage_date": "created_date"}),
    (["CLOSE DATE", "stage_name", "Name"], {"CLOSE DATE": "close_date", "stage_name": "stage", "Name": "name"}),
])
def test_headers_map_from_api_names_report_labels_and_plain_names(headers, expected):
    assert auto_map(headers, "opportunities").columns == expected


def test_unmapped_columns_are_listed_and_ignored(fresh_db):
    report = import_csv(fresh_db, "products", csv_bytes("Name,Colour,Weight", "Widget,red,3"))
    assert report.unmapped == ["Colour", "Weight"]
    assert fresh_db.one("SELECT name, family FROM product") == {"name": "Widget", "family": None}


def test_mapping_override_feeds_a_field_and_ignores_a_column(fresh_db):
    data = csv_bytes("Name,Line,Family", "Widget,Gadgets,ignored")
    import_csv(fresh_db, "products", data, mapping={"Line": "family", "Family": None})
    assert fresh_db.one("SELECT name, family FROM product") == {"name": "Widget", "family": "Gadgets"}


def test_mapping_to_an_unknown_field_is_refused(fresh_db):
    with pytest.raises(ImportRefused, match="'colour' is not a field of products imports; use one of: external_id"):
        import_csv(fresh_db, "products", csv_bytes("Name,Line", "Widget,x"), mapping={"Line": "colour"})


@pytest.mark.parametrize("headers, kind", [
    (["Id", "Name", "StageName", "Amount", "CloseDate"], "opportunities"),
    (["account", "sector", "revenue", "employees"], "accounts"),
    (["Id", "FirstName", "LastName", "Email", "AccountId"], "contacts"),
    (["product", "series", "sales_price"], "products"),
    (["sales_agent", "manager", "regional_office"], "users"),
    (["Account Name", "Business Unit"], "business-units"),
    (["foo", "bar"], None),
])
def test_kind_is_guessed_from_headers(headers, kind):
    assert guess_kind(headers) == kind


@pytest.mark.parametrize("data, message", [
    (b"", "x.csv is empty: there is nothing to import."),
    (b"  \r\n\n", "x.csv is empty: there is nothing to import."),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "x.csv is a binary file, not a CSV text extract."),
    (b'Name,Family\n"Widget,Gadgets\n', "x.csv looks truncated: a quoted value is never closed (an odd number of \" marks)."),
    (b"Name,Family\n", "x.csv has a header line but no rows to import."),
    (b"Colour,Weight\nred,3\n", "x.csv cannot be imported as products: missing required column product name (Name, Product Name, product)."),
    (b"Id,Name,StageName,Amount\n1,a,Won,5\n",
     "x.csv looks like an extract of opportunities, not accounts: choose the kind 'opportunities' or map its columns explicitly."),
    (b"Name,Name\na,b\n", "x.csv: the header names Name more than once."),
])
def test_unusable_files_are_refused_in_one_sentence(fresh_db, data, message):
    kind = "accounts" if b"StageName" in data else "products"
    with pytest.raises(ImportRefused) as refused:
        import_csv(fresh_db, kind, data, file_name="x.csv")
    assert str(refused.value) == message


@pytest.mark.parametrize("data, message", [
    (b"Name,Family\nA,B\nWidget,Gadgets,extra,more\n", "line 3 has more values than the 2 columns the header names"),
    (b"Name,Family\nA,B\nWidget\nC,D\n", "line 3 has only 1 of the 2 columns the header names"),
])
def test_ragged_row_is_refused_with_its_line(fresh_db, data, message):
    with pytest.raises(ImportRefused) as refused:
        import_csv(fresh_db, "products", data, file_name="x.csv")
    assert str(refused.value) == f"x.csv could not be read as CSV: {message} (check for a missing or extra delimiter)."


def test_unknown_kind_is_refused(fresh_db):
    with pytest.raises(ImportRefused, match="'leads' is not an import kind; choose one of: accounts, opportunities"):
        import_csv(fresh_db, "leads", b"Name\nx\n")


@pytest.mark.parametrize("encoding, marker", [("utf-8", ""), ("utf-8-sig", ""), ("cp1252", ""), ("latin-1", "")])
def test_encodings_are_detected(fresh_db, encoding, marker):
    data = "Name,Family\nCafé Crème,Bières €\n" if encoding != "latin-1" else "Name,Family\nCafé Crème,Bières\n"
    report = import_csv(fresh_db, "products", data.encode(encoding))
    assert fresh_db.value("SELECT name FROM product") == "Café Crème"
    assert report.encoding == {"latin-1": "cp1252"}.get(encoding, encoding)


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_delimiters_are_detected(fresh_db, delimiter):
    data = csv_bytes(delimiter.join(["Name", "Family", "List Price"]), delimiter.join(["Widget", "Gadgets", "12.5"]))
    report = import_csv(fresh_db, "products", data)
    assert report.delimiter == delimiter
    assert fresh_db.one("SELECT name, family, list_price FROM product") == {
        "name": "Widget", "family": "Gadgets", "list_price": Decimal("12.50")}


def test_semicolon_files_may_use_decimal_commas(fresh_db):
    report = import_csv(fresh_db, "products", csv_bytes("Name;List Price", "A;1.234,50", "B;12,5", "C;1234", "D;2.000"))
    assert [r["list_price"] for r in fresh_db.rows("SELECT list_price FROM product ORDER BY name")] == [
        Decimal("1234.50"), Decimal("12.50"), Decimal("1234.00"), Decimal("2000.00")]
    assert report.readings == ["List Price: numbers read with decimal comma, '.' groups thousands (1.234,56)"]


def test_a_column_mixing_decimal_styles_is_refused_naming_lines(fresh_db):
    with pytest.raises(ImportRefused) as refused:
        import_csv(fresh_db, "products", csv_bytes("Name;List Price", "A;1.234,50", "B;12,5", "C;1234.5"))
    assert str(refused.value) == (
        "List Price mixes numbers written decimal point ('1234.5' on line 4, 1 row) and decimal comma "
        "('1.234,50' on line 2, 2 rows); one column must use one convention, so the file was refused.")


def test_crlf_and_embedded_newlines_keep_true_line_numbers(fresh_db):
    data = csv_bytes('Id,Name,StageName,CloseDate', 'A,"two\r\nlines",Won,2024-01-01', 'B,b,Won,never',
                     newline="\r\n")
    with pytest.raises(ImportRefused) as refused:
        import_csv(fresh_db, "opportunities", data)
    assert refused.value.problems == ["line 4, CloseDate: 'never' is not a date (the column is read as YYYY-MM-DD)"]


def test_duplicate_keys_in_one_file_are_errors(fresh_db):
    with pytest.raises(ImportRefused) as refused:
        import_csv(fresh_db, "accounts", csv_bytes("Account Name,Industry", "Acme,Tech", "Globex,Retail", " acme ,Tech"))
    assert refused.value.problems == [
        "line 4, Account Name: 'acme' appears again (first on line 2); each record may appear only once in a file"]


def test_every_problem_is_reported_not_just_the_first(fresh_db):
    data = csv_bytes("Id,Name,StageName,CloseDate,Amount", "A,a,Won,2024-02-30,x", "B,b,,2024-01-01,5", "A,c,Won,,")
    with pytest.raises(ImportRefused) as refused:
        import_csv(fresh_db, "opportunities", data)
    assert refused.value.problems == [
        "line 2, Amount: 'x' is not an amount",
        "line 2, CloseDate: '2024-02-30' is not a date (the column is read as YYYY-MM-DD)",
        "line 3, StageName: is empty; every opportunity needs a stage",
        "line 4, Id: 'A' appears again (first on line 2); each record may appear only once in a file",
    ]


@pytest.mark.parametrize("rows", [
    ["O1,Alpha,Prospecting,10,2026-06-30", "O2,Beta,Prospecting,20,2026-06-30"],  # plain: nothing to trim
    ["O1, Alpha ,Prospecting,10,2026-06-30", "O2,Beta\u00a0,Prospecting , 20,2026-06-30 "],  # spaces, no-break space
    ['O1,"Alpha, Inc.",Prospecting,10,2026-06-30', "O2,Bêta,Prospecting,20,2026-06-30"],  # quoted comma, non-ASCII
])
def test_a_file_on_disk_reads_as_the_same_bytes_uploaded(tmp_path, fresh_db, rows):
    """Plain UTF-8 files on disk are checked streamed and read in place: same rows, lines and sha256."""
    data = csv_bytes("Id,Name,StageName,Amount,CloseDate", *rows)
    path = tmp_path / "opps.csv"
    path.write_bytes(data)
    uploaded = import_csv(fresh_db, "opportunities", data, file_name="opps.csv", dry_run=True)
    on_disk = import_csv(fresh_db, "opportunities", path)
    assert on_disk.sha256 == uploaded.sha256
    found = fresh_db.rows("SELECT external_id, name, stage, amount, close_date FROM opportunity ORDER BY external_id")
    assert [(r["name"], r["stage"], r["amount"]) for r in found] == [
        (rows[0].split(",")[1].strip() if '"' not in rows[0] else "Alpha, Inc.", "Prospecting", Decimal("10.00")),
        (rows[1].split(",")[1].strip().replace("\u00a0", ""), "Prospecting", Decimal("20.00"))]
    assert all(r["close_date"] == date(2026, 6, 30) for r in found)


def test_a_file_on_disk_names_true_lines_after_a_blank_line(tmp_path, fresh_db):
    path = tmp_path / "opps.csv"
    path.write_bytes(csv_bytes("Id,Name,StageName,CloseDate", "O1,Alpha,Prospecting,2026-06-30", "",
                               "O2,Beta,Prospecting,2026-13-45"))
    with pytest.raises(ImportRefused, match=r"line 4, CloseDate: '2026-13-45' is not a date"):
        import_csv(fresh_db, "opportunities", path)


HEADER = "Id,Name,StageName,Amount,CloseDate"
FILLER = [f"F{i},Filler {i},Prospecting,{i},2026-06-30" for i in range(3000)]  # past the 64 KB head


@pytest.mark.parametrize("data", [
    csv_bytes(HEADER, *FILLER, "", "Grand Totals (3000 records),,,,", "Confidential Information - Do Not Distribute"),
    csv_bytes(HEADER, *FILLER).replace(b"Filler 2999", "Filler 2999 caf\u00e9".encode("cp1252")),
    csv_bytes(HEADER, *FILLER, 'F9,"Open quote,Prospecting,1,2026-06-30'),
    csv_bytes("Id,Id,StageName,Amount,CloseDate", *FILLER, 'F9,"Open quote,Prospecting,1,2026-06-30'),
    csv_bytes("Id,Title,Amount", *FILLER[:5], 'F9,"Open quote,1'),
    csv_bytes(HEADER, *FILLER, "F9,Short line"),
], ids=["footer", "cp1252-late", "truncated", "truncated-repeated-header", "truncated-unmapped", "malformed"])
def test_a_file_on_disk_ends_as_its_bytes_do_though_checked_while_read(tmp_path, fresh_db, data):
    """A file read in place is checked while DuckDB reads it: what the check finds late (a footer, another
    encoding, an odd quote) gives the import or the refusal the uploaded bytes give."""
    path = tmp_path / "opps.csv"
    path.write_bytes(data)

    def outcome(source):
        try:
            report = import_csv(fresh_db, "opportunities", source, file_name="opps.csv", dry_run=True)
        except ImportRefused as refused:
            return str(refused)
        return (report.summary(), report.sha256, report.encoding, report.source, report.dropped, report.readings)

    assert outcome(path) == outcome(data)
