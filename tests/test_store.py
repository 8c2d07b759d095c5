"""The state database: where it lives, what it holds, how earlier state files are carried
into it, snapshots and refusals. Real files in a temporary MLPATH_HOME."""

from __future__ import annotations

import functools
import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import BUNDLED, db_rows, examples, same_progress, undone
from mlpath.core import progress as ops
from mlpath.core.errors import StateError
from mlpath.core.exchange import export_json
from mlpath.core.formats import json_members, read_import, read_state_file
from mlpath.core.progress import Note, Session, State, Status, mark_done
from mlpath.storage.database import Store
from mlpath.storage.doctor import diagnose, restore_snapshot
from mlpath.storage.paths import data_dir
from mlpath.storage.roadmap_files import load_roadmap
from mlpath.storage.schema import SCHEMA_VERSION

NOW = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)
FIXTURES = Path(__file__).parent / "fixtures"
ROADMAP = load_roadmap(BUNDLED)
RID = ROADMAP.id

Op = Callable[[State], ops.Outcome]


def _done(state: State, topic: str = "foundations") -> tuple[State, None]:
    return mark_done(state, RID, topic, NOW).state, None


def _apply(store: Store, op: Op) -> None:
    store.update(lambda s: ((o := op(s)).state, o))


def test_mlpath_home_is_read_on_every_call(
    mlpath_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert data_dir() == mlpath_home
    monkeypatch.setenv("MLPATH_HOME", str(tmp_path / "elsewhere"))
    assert data_dir() == tmp_path / "elsewhere"
    assert Store().path == tmp_path / "elsewhere" / "state.db"


def test_without_mlpath_home_uses_platform_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MLPATH_HOME")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert data_dir() == tmp_path / "xdg" / "mlpath"


def test_empty_home_loads_empty_state(mlpath_home: Path) -> None:
    assert Store().load(full=True) == State()
    assert Store().changes(10) == []
    assert not mlpath_home.exists()  # reading creates nothing


def test_round_trip(mlpath_home: Path) -> None:
    store = Store()
    store.update(_done)
    loaded = store.load(full=True)
    progress = loaded.topic(RID, "foundations")
    assert progress.status is Status.DONE
    assert progress.done_at == NOW
    assert loaded.topic(RID, "deep-learning").status is Status.NOT_STARTED


def test_the_database_is_one_sqlite_file_with_its_schema_version(mlpath_home: Path) -> None:
    Store().update(_done)
    conn = sqlite3.connect(mlpath_home / "state.db")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"topics", "checks", "reviews", "notes", "sessions", "changes", "days"} <= tables
    indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    assert {"changes_by_topic", "changes_by_key", "notes_by_topic"} <= indexes
    assert conn.execute("SELECT status FROM topics").fetchall() == [("done",)]
    conn.close()
    assert sorted(p.name for p in mlpath_home.iterdir()) == ["state.db"]


def test_database_and_folder_are_private(mlpath_home: Path) -> None:
    store = Store()
    store.update(_done)
    store.update(lambda s: _done(s, "algorithms"))  # the second write takes a snapshot
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(mlpath_home.stat().st_mode) == 0o700
    assert stat.S_IMODE(store.snapshot_dir.stat().st_mode) == 0o700
    assert store.snapshots()
    for snapshot in store.snapshots():
        assert stat.S_IMODE(snapshot.stat().st_mode) == 0o600


def test_unchanged_state_is_not_written(mlpath_home: Path) -> None:
    store = Store()
    store.update(_done)
    mtime = store.path.stat().st_mtime_ns
    store.update(_done)  # already done: same state object back
    assert store.path.stat().st_mtime_ns == mtime


def test_a_newer_database_is_refused_untouched(mlpath_home: Path) -> None:
    store = Store()
    store.update(_done)
    conn = sqlite3.connect(store.path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    content = store.path.read_bytes()
    for attempt in (store.load, lambda: store.update(lambda s: _done(s, "algorithms"))):
        with pytest.raises(StateError, match="newer mlpath"):
            attempt()
    assert store.path.read_bytes() == content


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"not a database at all, just some text" * 50, "not a database"),
        (b"SQLite format 3\x00" + b"\x00" * 200, "not a database"),
    ],
)
def test_a_file_that_is_not_a_database_is_refused_untouched(
    mlpath_home: Path, content: bytes, expected: str
) -> None:
    mlpath_home.mkdir()
    path = mlpath_home / "state.db"
    path.write_bytes(content)
    store = Store()
    with pytest.raises(StateError, match=expected) as caught:
        store.load()
    assert str(path) in str(caught.value)
    with pytest.raises(StateError):
        store.update(_done)
    assert path.read_bytes() == content


def test_rows_mlpath_cannot_read_are_refused_with_the_way_out(mlpath_home: Path) -> None:
    store = Store()
    store.update(_done)
    store.update(lambda s: _done(s, "algorithms"))
    conn = sqlite3.connect(store.path)
    conn.execute("UPDATE topics SET status = 'finished'")
    conn.commit()
    conn.close()
    with pytest.raises(StateError, match=r"unexpected content.*'mlpath doctor'"):
        store.load()


# --- paths that cannot be a database ---------------------------------------------------------


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _folder(path: Path) -> None:
    path.mkdir()


def _dangling(path: Path) -> None:
    path.symlink_to(path.parent / "gone.db")


@pytest.mark.parametrize(
    ("make", "expected"),
    [(_fifo, "not a regular file"), (_folder, "is a folder"), (_dangling, "does not exist")],
)
def test_a_path_that_cannot_be_a_database_is_an_error_not_a_hang(
    mlpath_home: Path, make: Callable[[Path], None], expected: str
) -> None:
    mlpath_home.mkdir()
    make(mlpath_home / "state.db")
    env = {**os.environ, "MLPATH_HOME": str(mlpath_home)}
    for args in (["list"], ["done", "foundations"], ["history"]):
        result = subprocess.run(
            [sys.executable, "-m", "mlpath", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert result.returncode == 1, result.stderr
        assert expected in result.stderr and "Traceback" not in result.stderr


# --- carrying earlier state files into the database ---------------------------------------


@pytest.mark.parametrize("version", [1, 2, 3, 4, 5])
def test_every_earlier_format_is_carried_over_losslessly(mlpath_home: Path, version: int) -> None:
    mlpath_home.mkdir()
    original = (FIXTURES / f"state-v{version}.toml").read_bytes()
    (mlpath_home / "state.toml").write_bytes(original)
    expected = read_state_file(original)
    store = Store()
    assert same_progress(store.load(full=True), expected)  # the first command migrates
    assert not (mlpath_home / "state.toml").exists()
    assert (mlpath_home / "state.toml.migrated").read_bytes() == original  # kept, renamed
    if expected.log:  # undo works across the migration
        assert store.undo() == expected.log[-1]
        assert same_progress(store.load(full=True), undone(expected)[0])


def test_format_5_fixture_holds_every_kind_of_entry() -> None:
    state = read_state_file((FIXTURES / "state-v5.toml").read_bytes())
    topics = state.roadmaps[RID].values()
    assert any(t.notes for t in topics) and any(t.sessions for t in topics)
    assert any(t.checked for t in topics) and any(t.reviews for t in topics)
    assert {c.action.value for c in state.log} >= {"start", "done", "skip", "note", "import"}


def test_format_1_details_survive(mlpath_home: Path) -> None:
    mlpath_home.mkdir()
    (mlpath_home / "state.toml").write_bytes((FIXTURES / "state-v1.toml").read_bytes())
    state = Store().load(full=True)
    foundations = state.topic(RID, "foundations")
    assert foundations.done_at == datetime.fromisoformat("2026-11-20T08:15:00+01:00")
    assert state.topic(RID, "old-topic").status is Status.DONE
    assert state.topic("my-team-path", "onboarding").status is Status.DONE


def test_format_2_file_gains_updated_at_from_its_dates(mlpath_home: Path) -> None:
    mlpath_home.mkdir()
    (mlpath_home / "state.toml").write_bytes((FIXTURES / "state-v2.toml").read_bytes())
    state = Store().load(full=True)
    dl = state.topic(RID, "deep-learning")
    assert dl.updated_at == datetime.fromisoformat("2026-11-24T18:00:00+01:00")  # done_at
    assert dl.notes[0].link == "https://github.com/example/mlp"
    assert state.log[1].resources == ("deep-learning-book", "fastai")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "no valid format 'version'"),
        (b"version = 1\nprogress = [", "not valid TOML"),
        (b"\xff\xfe garbage", "not UTF-8"),
        (b'version = 1\nprogress = "nope"\n', "expected a table"),
        (b'version = 1\n[progress.ml-engineer.foundations]\nstatus = "finished"\n', "status"),
        (b"version = 1\nsurprise = 1\n", "unknown key 'surprise'"),
        (b"version = 99\n", "newer mlpath"),
    ],
)
def test_an_old_file_mlpath_cannot_read_is_not_migrated(
    mlpath_home: Path, content: bytes, expected: str
) -> None:
    mlpath_home.mkdir()
    path = mlpath_home / "state.toml"
    path.write_bytes(content)
    store = Store()
    for attempt in (store.load, lambda: store.update(_done)):
        with pytest.raises(StateError, match=expected) as caught:
            attempt()
        assert str(path) in str(caught.value)
    assert path.read_bytes() == content
    assert sorted(p.name for p in mlpath_home.iterdir()) == ["state.toml"]


def test_a_damaged_format_5_journal_is_not_migrated(mlpath_home: Path) -> None:
    mlpath_home.mkdir()
    text = (FIXTURES / "state-v5.toml").read_text().replace("Chapter 3 done", "Chapter 4 done")
    (mlpath_home / "state.toml").write_text(text)
    with pytest.raises(StateError, match="does not match its check"):
        Store().load()
    assert (mlpath_home / "state.toml").read_text() == text


def test_a_migration_killed_halfway_starts_again_from_the_old_file(mlpath_home: Path) -> None:
    mlpath_home.mkdir()
    original = (FIXTURES / "state-v5.toml").read_bytes()
    (mlpath_home / "state.toml").write_bytes(original)
    # The migration is killed after inserting the first rows, inside its transaction.
    code = textwrap.dedent(
        """
        import os, mlpath.storage.database as s
        real = s.insert_state
        def dying(conn, state):
            real(conn, state)
            os.kill(os.getpid(), 9)
        s.insert_state = dying
        s.Store().load()
        """
    )
    env = {**os.environ, "MLPATH_HOME": str(mlpath_home)}
    killed = subprocess.run([sys.executable, "-c", code], env=env, timeout=60)
    assert killed.returncode == -9
    assert (mlpath_home / "state.toml").read_bytes() == original  # untouched
    assert Store().load(full=True) == read_state_file(original)  # and done again, whole


# --- every write equals the pure operations --------------------------------------------------

T0 = datetime(2026, 11, 1, 9, tzinfo=UTC)
moments = st.integers(0, 60 * 24 * 20).map(lambda m: T0 + timedelta(minutes=m))
topics = st.sampled_from(["foundations", "deep-learning", "algorithms"])
steps = st.lists(
    st.tuples(
        st.sampled_from(
            ["start", "done", "skip", "reset", "note", "log", "check", "review", "undo"]
        ),
        topics,
        moments,
    ),
    max_size=10,
)


def _op(kind: str, topic: str, at: datetime) -> Op | None:
    if kind == "note":
        return lambda s: ops.add_note(s, RID, topic, Note(at, f"note {at:%d %H:%M}"), at)
    if kind == "log":
        return lambda s: ops.log_time(s, RID, topic, Session(at, 30))
    if kind == "check":
        return lambda s: ops.check(s, ROADMAP, ROADMAP.topic(topic), ("practice",), at)
    if kind == "review":
        return lambda s: ops.review(s, RID, topic, at)
    if kind == "undo":
        return None
    fn = {"start": ops.start, "done": ops.mark_done, "skip": ops.skip, "reset": ops.reset}[kind]
    return lambda s: fn(s, RID, topic, at)


@settings(
    max_examples=examples(60),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps)
def test_writes_equal_the_pure_operations(
    mlpath_home: Path, history: list[tuple[str, str, datetime]]
) -> None:
    mlpath_home.mkdir(exist_ok=True)
    store = Store(Path(tempfile.mkdtemp(dir=mlpath_home)))
    expected = State()
    earlier: list[State] = []  # the state before each change: what undo must give back
    for kind, topic, at in history:
        if kind == "review" and expected.topic(RID, topic).status is not Status.DONE:
            continue  # only a done topic can be reviewed
        op = _op(kind, topic, at)
        if op is None:
            store.undo()
            expected = earlier.pop() if earlier else State()
            continue
        try:
            outcome = op(expected)
        except ops.OutOfOrder:
            with pytest.raises(ops.OutOfOrder):  # the store refuses it too
                _apply(store, op)
            continue
        try:
            _apply(store, op)
        except ops.DayFull:  # more than 24 hours on one day: the store alone counts days
            continue
        if outcome.change is not None:
            earlier.append(expected)
            expected = outcome.state
    assert same_progress(store.load(full=True), expected)
    # history: by when each change happened, newest first; the last typed first on a tie
    by_time = sorted(reversed(expected.log), key=lambda c: c.at, reverse=True)
    assert [c.key for c in store.changes(3)] == [c.key for c in by_time[:3]]


def test_undo_puts_back_the_very_rows(mlpath_home: Path) -> None:
    store = Store()
    _apply(store, lambda s: ops.start(s, RID, "deep-learning", T0))
    before = db_rows(store.path)
    _apply(
        store, lambda s: ops.add_note(s, RID, "deep-learning", Note(T0, "n", "https://x.org"), T0)
    )
    _apply(store, lambda s: ops.log_time(s, RID, "deep-learning", Session(T0, 45)))
    _apply(
        store, lambda s: ops.check(s, ROADMAP, ROADMAP.topic("deep-learning"), ("practice",), T0)
    )
    for _ in range(3):
        store.undo()
    assert db_rows(store.path) == before


# --- snapshots and the way back ----------------------------------------------------------


def test_restore_takes_the_newest_sound_snapshot_and_keeps_every_file(mlpath_home: Path) -> None:
    store = Store()
    store.update(_done)
    store.update(lambda s: _done(s, "algorithms"))  # snapshot of "foundations done"
    [snapshot] = store.snapshots()
    store.path.write_bytes(b"damaged beyond repair" * 100)
    findings = diagnose(store)
    assert any(not f.ok and "not a database" in f.what for f in findings)
    used, kept = restore_snapshot(store, NOW)
    assert used == snapshot and snapshot.exists()  # the snapshot stays
    assert kept is not None and kept.read_bytes() == b"damaged beyond repair" * 100
    assert store.load().topic(RID, "foundations").status is Status.DONE
    # A second restore in the same second keeps the first one's file too.
    _, kept_again = restore_snapshot(store, NOW)
    assert kept_again is not None and kept_again != kept and kept.exists()
    assert all(f.ok for f in diagnose(store))


def test_snapshots_are_bounded(mlpath_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import mlpath.storage.snapshots as storage

    monkeypatch.setattr(storage, "SNAPSHOT_EVERY_SECONDS", -1)  # one before every write
    store = Store()
    for topic in ("foundations", "deep-learning", "algorithms", "production-ml"):
        store.update(functools.partial(_done, topic=topic))
    monkeypatch.setattr(storage, "MAX_SNAPSHOTS", 2)
    store.update(lambda s: _done(s, "nlp-transformers"))
    assert len(store.snapshots()) == 2
    names = [p.name for p in store.snapshots()]
    assert len(set(names)) == 2


def test_permissions_are_kept_across_writes(mlpath_home: Path) -> None:
    store = Store()
    store.update(_done)
    store.path.chmod(0o640)
    store.update(lambda s: _done(s, "algorithms"))
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o640


# --- format 6 (the first database) ---------------------------------------------------------------

FORMAT_6 = Path(__file__).parent / "fixtures" / "state-v6.db"


def _zone(zone: str, *args: str) -> str:
    env = {**os.environ, "TZ": zone}
    script = Path(sys.executable).with_name("mlpath")
    proc = subprocess.run([str(script), *args], capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_a_format_6_database_moves_to_the_current_format_and_keeps_everything(
    mlpath_home: Path, state_file: Path
) -> None:
    mlpath_home.mkdir()
    shutil.copy(FORMAT_6, state_file)
    before = db_rows(state_file)
    history = json.loads(_zone("UTC", "history", "-n", "50", "--json"))["changes"]
    assert len(history) == 8
    assert [c["at"][:10] for c in history[-3:]] == ["2026-11-03", "2026-11-02", "2026-11-01"]
    conn = sqlite3.connect(state_file)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 8
    conn.close()
    [upgrade] = list((mlpath_home / "snapshots").glob("state-*-upgrade.db"))
    assert db_rows(upgrade) == before  # the format 6 database, as it was
    progress = json.loads(_zone("UTC", "progress", "--json"))
    assert progress["overall"]["done"] == 1 and progress["overall"]["hours"] == 2.25
    assert "Undid: skipped nlp-transformers" in _zone("UTC", "undo")
    assert "deep-learning" in _zone("UTC", "search", "scratch")  # the note, indexed again
    assert "Nothing" in _zone("UTC", "search", "cratch")


@pytest.mark.parametrize(
    ("zone", "longest"),
    [("UTC", 3), ("Asia/Tokyo", 4), ("America/New_York", 4)],
)
def test_days_are_counted_in_the_zone_the_learner_looks_from(
    mlpath_home: Path, state_file: Path, zone: str, longest: int
) -> None:
    # Changes at midnight UTC on Nov 1, 2, 5, 6, 7, 9 and study at 23:30 UTC on Nov 3:
    # in Tokyo the study falls on Nov 4, in New York (across the end of summer time on
    # Nov 1) every midnight falls on the day before.
    mlpath_home.mkdir()
    shutil.copy(FORMAT_6, state_file)
    stats = json.loads(_zone(zone, "stats", "--json"))
    assert stats["streak"]["longest"] == longest


def _many_notes(state: State, count: int, start: datetime) -> State:
    for i in range(count):
        topic = ROADMAP.topics[i % len(ROADMAP.topics)].id
        at = start + timedelta(hours=i)  # 600 hours: study time of 2 hours a day at most
        state = ops.add_note(state, RID, topic, Note(at, f"imported note {i}"), at).state
        if i % 3 == 0:
            state = ops.log_time(state, RID, topic, Session(at, 15)).state
    return state


def test_undo_of_a_large_import_takes_back_exactly_what_it_brought(
    tmp_path: Path, mlpath_home: Path
) -> None:
    # another machine's 600 notes and 200 study sessions on every topic
    other = Store(tmp_path / "other", clock=lambda: T0)
    other.update(lambda s: (_many_notes(s, 600, T0 - timedelta(days=30)), None))
    export = tmp_path / "other.json"
    with other.exporting_json() as (head, lines):
        export.write_bytes(b"".join(export_json(head, lines, T0)))
    # this machine has progress and notes of its own on the same topics
    store = Store(clock=lambda: T0)
    _apply(store, lambda s: ops.start(s, RID, "deep-learning", T0 - timedelta(days=40)))
    _apply(store, lambda s: ops.add_note(s, RID, "deep-learning", Note(T0, "mine"), T0))
    _apply(store, lambda s: ops.mark_done(s, RID, "foundations", T0 - timedelta(days=35)))
    before, rows_before = store.load(full=True), _table_counts(store.path)
    incoming = read_import(json_members([export.read_text(encoding="utf-8")]))
    report = store.merge(incoming, T0, "other.json")
    assert report.notes_added == 600 and report.log_added == 800
    undone_change = store.undo()
    assert undone_change is not None and undone_change.action.value == "import"
    assert store.load(full=True) == before  # progress, notes, sessions, log, day summary
    assert _table_counts(store.path) == rows_before
    assert store.changes(1)[0].action.value == "note"  # the log is as it was


def test_an_imported_note_is_kept_twice_not_five_times(tmp_path: Path, mlpath_home: Path) -> None:
    # Each note once as a note and once in the log entry that added it: not again as JSON,
    # in the change's key, or in the import's record. Its words are kept lower-case.
    mark = "QUOKKA" + "Z" * 40
    other = Store(tmp_path / "other", clock=lambda: T0)

    def notes(state: State) -> tuple[State, None]:
        for i in range(300):
            at = T0 - timedelta(hours=i)
            text = f"{mark}{i:03d} " + "gradient checks before trusting a loss curve. " * 20
            state = ops.add_note(state, RID, "deep-learning", Note(at, text), at).state
        return state, None

    other.update(notes)
    export = tmp_path / "other.json"
    with other.exporting_json() as (head, lines):
        export.write_bytes(b"".join(export_json(head, lines, T0)))
    store = Store(clock=lambda: T0)
    store.merge(read_import(json_members([export.read_text(encoding="utf-8")])), T0, "other")
    stored = store.path.read_bytes()
    assert stored.count(f"{mark}123".encode()) == 2
    assert len(stored) < 1.5 * export.stat().st_size


def _table_counts(path: Path) -> list[int]:
    conn = sqlite3.connect(path)
    try:
        return [
            conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("topics", "checks", "reviews", "notes", "sessions", "changes", "days")
        ]
    finally:
        conn.close()


def test_a_damaged_database_is_never_snapshotted(mlpath_home: Path) -> None:
    from mlpath.storage.snapshots import Snapshots

    store = Store()
    for topic in ("foundations", "deep-learning", "algorithms"):
        store.update(functools.partial(_done, topic=topic))
    conn = sqlite3.connect(store.path)
    (root,) = conn.execute(
        "SELECT rootpage FROM sqlite_master WHERE name = 'changes_by_key'"
    ).fetchone()
    page = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    raw = bytearray(store.path.read_bytes())
    raw[(root - 1) * page : root * page] = b"\x0d" + b"\xff" * (page - 1)  # the index's page
    store.path.write_bytes(bytes(raw))
    conn = sqlite3.connect(store.path)
    try:
        assert conn.execute("PRAGMA quick_check").fetchone()[0] != "ok"
        snapshots = Snapshots(mlpath_home / "elsewhere", lambda: T0)
        assert snapshots.take(conn, "daily") is None
        assert not (mlpath_home / "elsewhere").exists() or not snapshots.all()
    finally:
        conn.close()
