"""A truncated or overwritten database file is one sentence (restore a backup), never a traceback."""

from __future__ import annotations

import os
import shutil

import pytest

from planning import plans
from planning.db import Database
from planning.errors import DatabaseDamaged


@pytest.mark.duckdb_only
@pytest.mark.parametrize("damage", ["truncate", "overwrite"])
def test_a_damaged_file_says_restore_a_backup(demo_template, tmp_path, damage):
    path = tmp_path / "damaged.duckdb"
    shutil.copy(demo_template, path)
    with open(path, "r+b") as f:
        if damage == "truncate":
            f.truncate(300_000)
        else:
            f.write(b"garbage" * 1000)
    db = Database(path)
    with pytest.raises(DatabaseDamaged) as damaged:
        for _ in range(1):
            with db.connect() as con:
                for (table,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall():
                    con.execute(f'SELECT * FROM "{table}"').fetchall()
            plans.list_plans(db)
    assert str(damaged.value) == (
        f"The database file {path} is damaged (truncated or overwritten) and cannot be read; nothing was changed. "
        "Restore the latest backup with `planning restore DIR`."
    )
    assert os.path.getsize(path) == (300_000 if damage == "truncate" else os.path.getsize(demo_template))
