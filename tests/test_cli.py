"""The `planning` CLI: init, help, and one-line errors."""

import subprocess
import sys

import duckdb

from planning.cli import main


def test_help_lists_init(capsys):
    assert main([]) == 2
    assert "init" in capsys.readouterr().out


def test_init_creates_database(tmp_path, capsys):
    path = tmp_path / "x.duckdb"
    assert main(["--db", str(path), "init"]) == 0
    assert "ready (schema version" in capsys.readouterr().out
    assert path.exists()


def test_init_demo_refuses_to_overwrite_accounts(tmp_path, capsys):
    path = tmp_path / "x.duckdb"
    assert main(["--db", str(path), "init", "--demo"]) == 0
    assert main(["--db", str(path), "init", "--demo"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "use --force" in err


def test_planning_db_environment_variable_is_used(tmp_path, monkeypatch, capsys):
    path = tmp_path / "env.duckdb"
    monkeypatch.setenv("PLANNING_DB", str(path))
    assert main(["init"]) == 0
    assert path.exists()


def test_locked_database_is_refused_in_one_line(tmp_path):
    path = tmp_path / "locked.duckdb"
    main(["--db", str(path), "init"])
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import duckdb,time; c=duckdb.connect({str(path)!r}); print('held', flush=True); time.sleep(30)"],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        result = subprocess.run(
            [sys.executable, "-m", "planning.cli", "--db", str(path), "--lock-timeout", "0.5", "init"],
            capture_output=True, text=True,
        )
    finally:
        holder.kill()
        holder.wait()  # the lock goes with the process
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"in use by process {holder.pid}" in result.stderr
    assert duckdb.connect(str(path)).execute("SELECT count(*) FROM plan").fetchall() == [(0,)]
