"""`planning import`: exit codes, one-line summary, JSON, problems on stderr, --map, --dry-run, --user."""

import json

import pytest

from planning.cli import main

GOOD = "Id,Name,StageName,Amount,CloseDate\nO1,Deal one,Prospecting,100,2026-01-31\nO2,Deal two,Won,\"1,250\",2026-02-28\n"
BAD = "Id,Name,StageName,CloseDate\nO1,Deal one,Won,2025-13-45\n"


class Files:
    """The test's folder of CSVs (`files / "good.csv"`) and its database (either backend)."""

    def __init__(self, folder, db):
        self.folder, self.db = folder, db

    def __truediv__(self, name):
        return self.folder / name


@pytest.fixture
def files(tmp_path, fresh_db):
    (tmp_path / "good.csv").write_text(GOOD)
    (tmp_path / "bad.csv").write_text(BAD)
    return Files(tmp_path, fresh_db)


def run(files, *args):
    return main(["--db", str(files.db.target), "import", *args])


def test_success_prints_one_line_summary(files, capsys):
    assert run(files, "opportunities", str(files / "good.csv")) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == (
        "good.csv (opportunities, Salesforce opportunities export) imported: 2 inserted, 0 updated, 0 unchanged, "
        "0 rejected, 0 warnings, 2 unassigned.")


def test_json_output_has_the_counts(files, capsys):
    assert run(files, "opportunities", str(files / "good.csv"), "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert {k: data[k] for k in ("inserted", "updated", "unchanged", "rejected", "warnings")} == {
        "inserted": 2, "updated": 0, "unchanged": 0, "rejected": 0, "warnings": []}


def test_refusal_exits_1_with_problems_on_stderr(files, capsys):
    assert run(files, "opportunities", str(files / "bad.csv")) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [
        "planning: bad.csv was refused, nothing was imported: 1 problem in 1 of 1 rows, e.g. line 2, CloseDate: "
        "'2025-13-45' is not a date (the column is read as YYYY-MM-DD). Fix the file or choose to skip bad rows.",
        "  line 2, CloseDate: '2025-13-45' is not a date (the column is read as YYYY-MM-DD)"]


def test_dry_run_writes_nothing(files, capsys):
    assert run(files, "opportunities", str(files / "good.csv"), "--dry-run") == 0
    assert "would import: 2 inserted" in capsys.readouterr().out
    assert files.db.value("SELECT count(*) FROM opportunity") == 0


def test_skip_bad_rows_writes_rejected_file(files, capsys):
    assert run(files, "opportunities", str(files / "bad.csv"), "--skip-bad-rows") == 0
    assert f"Rejected rows: {files / 'bad.csv'}.rejected.csv." in capsys.readouterr().out
    assert (files / "bad.csv.rejected.csv").read_text().splitlines()[1].endswith(
        "CloseDate: '2025-13-45' is not a date (the column is read as YYYY-MM-DD)")


def test_map_option_overrides_the_mapping(files, capsys):
    (files / "odd.csv").write_text("Ref,Title,Phase,Due\nX1,Odd deal,Won,2026-05-31\n")
    assert run(files, "opportunities", str(files / "odd.csv"), "--map", "Ref=external_id", "--map", "Title=name",
               "--map", "Phase=stage", "--map", "Due=close_date") == 0
    assert files.db.one("SELECT external_id, name, stage FROM opportunity") == {
        "external_id": "X1", "name": "Odd deal", "stage": "Won"}


def test_user_option_checks_the_role(files, capsys):
    run(files, "users", str(files / "good.csv"))  # wrong kind: refused
    capsys.readouterr()
    db = files.db
    db.execute("INSERT INTO app_user (name, email, role) VALUES ('Rita Rep', 'rita@x.com', 'rep'), ('Olga', 'o@x.com', 'ops')")
    assert run(files, "opportunities", str(files / "good.csv"), "--user", "rita@x.com") == 1
    assert capsys.readouterr().err == "planning: Rita Rep (rep) cannot import files: only admin, ops can.\n"
    assert run(files, "opportunities", str(files / "good.csv"), "--user", "Olga") == 0
    assert db.value("SELECT u.name FROM import_batch b JOIN app_user u ON u.id = b.user_id") == "Olga"


def test_bad_map_option_is_refused(files, capsys):
    assert run(files, "opportunities", str(files / "good.csv"), "--map", "Name") == 1
    assert "is not SOURCE=FIELD" in capsys.readouterr().err
