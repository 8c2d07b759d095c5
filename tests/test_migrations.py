"""Every past format, migrated, is the database that mlpath makes today.

The fixtures were written by earlier versions of mlpath: the TOML state files of formats
1 to 5 and the databases of formats 6 and 7. Each is migrated by opening it, and compared
with a fresh database into which the same progress is written by today's code: the same
schema (``sqlite_master``), the same rows.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from conftest import NOW
from mlpath.core.progress import State
from mlpath.storage.database import Store
from mlpath.storage.schema import MIGRATIONS, SCHEMA_VERSION, migrate

FIXTURES = Path(__file__).parent / "fixtures"
PAST_FORMATS = ["state-v1.toml", "state-v2.toml", "state-v3.toml", "state-v4.toml"]
PAST_FORMATS += ["state-v5.toml", "state-v6.db", "state-v7.db"]

# Columns that say when or in which order this machine stored a row, not what it holds.
_BOOKKEEPING = {"id", "recorded"}


def _schema(path: Path) -> list[tuple[str, str, str]]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute(
            "SELECT type, name, sql FROM sqlite_master ORDER BY type, name"
        ).fetchall()
    finally:
        conn.close()


def _content(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows, without the bookkeeping columns, in a stable order."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [
            name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        ]
        content = {}
        for table in tables:
            columns = [
                row[1]
                for row in conn.execute(f"PRAGMA table_info({table})")
                if row[1] not in _BOOKKEEPING
            ]
            if table == "changes":  # an import's counts: what only the store that made it knows
                columns[columns.index("entry")] = "json_remove(entry, '$.undo')"
            rows = conn.execute(f"SELECT {', '.join(columns)} FROM {table}").fetchall()
            content[table] = sorted(rows, key=repr)
        content.pop("meta", None)  # where a migration notes the file it came from
        return content
    finally:
        conn.close()


def _migrated(tmp_path: Path, fixture: str) -> Store:
    home = tmp_path / "migrated"
    home.mkdir()
    target = "state.db" if fixture.endswith(".db") else "state.toml"
    shutil.copy(FIXTURES / fixture, home / target)
    store = Store(home, clock=lambda: NOW)
    store.load()  # the first use migrates
    return store


def _written_today(tmp_path: Path, state: State) -> Store:
    store = Store(tmp_path / "fresh", clock=lambda: NOW)
    store.update(lambda empty: (state, None), full=True)
    return store


@pytest.mark.parametrize("fixture", PAST_FORMATS)
def test_a_migrated_database_is_a_fresh_one_with_the_same_rows(
    tmp_path: Path, fixture: str
) -> None:
    migrated = _migrated(tmp_path, fixture)
    conn = sqlite3.connect(migrated.path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()
    state = migrated.load(full=True)
    assert state.roadmaps  # every fixture holds progress (and from format 2 on, history)
    fresh = _written_today(tmp_path, state)
    assert _schema(migrated.path) == _schema(fresh.path)
    assert _content(migrated.path) == _content(fresh.path)
    assert fresh.load(full=True) == state


def test_each_step_sets_its_format_and_a_new_database_runs_them_all() -> None:
    assert [step.format for step in MIGRATIONS] == sorted({step.format for step in MIGRATIONS})
    conn = sqlite3.connect(":memory:")
    migrate(conn, 0)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master")}
    assert {"topics", "checks", "reviews", "notes", "sessions", "changes", "days"} <= tables
    assert "changes_6" not in tables


def test_the_first_step_builds_exactly_the_first_database(tmp_path: Path) -> None:
    # The steps are frozen: format 6's step still builds what mlpath wrote as format 6.
    built = tmp_path / "built.db"
    conn = sqlite3.connect(built)
    for statement in MIGRATIONS[0].statements:
        conn.execute(statement)
    conn.close()
    assert _schema(built) == _schema(FIXTURES / "state-v6.db")


def test_a_format_7_import_is_counted_and_undone_exactly(tmp_path: Path) -> None:
    # state-v7.db: deep-learning started, noted, studied, done and reviewed; then an
    # import that brought foundations (a note, a study session, two log entries) and a
    # skip of nlp-transformers; then a note on foundations.
    migrated = _migrated(tmp_path, "state-v7.db")
    conn = sqlite3.connect(migrated.path)
    [undo] = conn.execute("SELECT entry ->> '$.undo' FROM changes WHERE action = 'import'")
    assert json.loads(undo[0]) == {"changes": 3, "notes": 1, "sessions": 1}
    conn.close()
    before_import = migrated.load(full=True)
    assert migrated.undo() is not None and migrated.undo() is not None  # the note, the import
    after = migrated.load(full=True)
    topics = after.roadmaps["ml-engineer"]
    assert set(topics) == {"deep-learning"}
    assert topics["deep-learning"] == before_import.roadmaps["ml-engineer"]["deep-learning"]
    assert [c.action.value for c in after.log] == ["start", "note", "log", "done", "review"]
