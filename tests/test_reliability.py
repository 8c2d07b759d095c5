"""Nothing lost, nothing injected: real processes and real files.

Each test names the guarantee it proves in docs/reliability.md. The default run uses
short variants; ``pytest --runslow`` runs the full numbers.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import random
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import textwrap
import time
import tomllib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import Result, db_rows
from mlpath.core import progress as ops
from mlpath.core.errors import RoadmapError, StateError
from mlpath.core.formats import NewerFormat, decode_state
from mlpath.core.progress import Note, State, StateFormatError
from mlpath.core.roadmap import parse_roadmap
from mlpath.storage.database import Store

Run = Callable[..., Result]
SCRIPT = Path(sys.executable).with_name("mlpath")
FORK = multiprocessing.get_context("fork")
T0 = datetime(2026, 11, 1, tzinfo=UTC)


def _roadmap_file(directory: Path, topics: int) -> Path:
    """A generated roadmap with ``topics`` independent topics."""
    data = {
        "schema": 1,
        "id": "generated",
        "title": "Generated",
        "areas": [{"id": "all", "title": "All", "summary": "Everything."}],
        "topics": [
            {
                "id": f"topic-{i}",
                "area": "all",
                "title": f"Topic {i}",
                "summary": "A topic.",
                "practice": {"summary": "Practise."},
            }
            for i in range(topics)
        ],
    }
    path = directory / "generated.toml"
    path.write_text(tomli_w.dumps(data))
    return path


def _mlpath(*args: str, home: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "MLPATH_HOME": str(home)}
    return subprocess.Popen(
        [str(SCRIPT), *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


# --- 1. concurrent writers -------------------------------------------------------------------


@pytest.mark.parametrize(
    "count", [pytest.param(8, id="short"), pytest.param(32, id="long", marks=pytest.mark.slow)]
)
def test_32_concurrent_processes_all_record(tmp_path: Path, mlpath_home: Path, count: int) -> None:
    roadmap = _roadmap_file(tmp_path, 40)
    procs = [
        _mlpath("--roadmap", str(roadmap), "done", f"topic-{i}", home=mlpath_home)
        for i in range(count)
    ]
    results = [(p.wait(timeout=120), p.stderr.read() if p.stderr else "") for p in procs]
    assert all(code == 0 for code, _ in results), results
    state = Store(mlpath_home).load(full=True)
    done = {t for t, p in state.roadmaps["generated"].items() if p.status == "done"}
    assert done == {f"topic-{i}" for i in range(count)}
    assert len(state.log) == count


def _recording(
    operation: Callable[..., ops.Outcome], *args: Any
) -> Callable[[State], tuple[State, ops.Outcome]]:
    """A change for ``Store.update`` that applies ``operation`` with ``args``."""

    def change(state: State) -> tuple[State, ops.Outcome]:
        outcome = operation(state, *args)
        return outcome.state, outcome

    return change


def _race_worker(home: str, role: str, reps: int, barrier: Any) -> None:
    """One of two writers: each repetition, both touch the same topic at once."""
    store = Store(Path(home))
    for i in range(reps):
        barrier.wait(timeout=30)
        topic, at = f"topic-{i}", T0 + timedelta(minutes=i)
        if role == "done":
            store.update(_recording(ops.mark_done, "race", topic, at))
        else:
            note = Note(at, f"rep {i}")
            store.update(_recording(ops.add_note, "race", topic, note, note.at))
    os._exit(0)


@pytest.mark.parametrize(
    "reps", [pytest.param(40, id="short"), pytest.param(200, id="long", marks=pytest.mark.slow)]
)
def test_two_writer_race_never_loses_a_change(mlpath_home: Path, reps: int) -> None:
    mlpath_home.mkdir()
    barrier = FORK.Barrier(2)
    workers = [
        FORK.Process(target=_race_worker, args=(str(mlpath_home), role, reps, barrier))
        for role in ("done", "note")
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=120)
        assert w.exitcode == 0
    topics = Store(mlpath_home).load(full=True).roadmaps["race"]
    for i in range(reps):
        progress = topics[f"topic-{i}"]
        assert progress.status == "done", i
        assert [n.text for n in progress.notes] == [f"rep {i}"], i


def test_race_between_installed_programs(tmp_path: Path, mlpath_home: Path) -> None:
    roadmap = _roadmap_file(tmp_path, 5)
    for i in range(5):
        a = _mlpath("--roadmap", str(roadmap), "done", f"topic-{i}", home=mlpath_home)
        b = _mlpath("--roadmap", str(roadmap), "note", f"topic-{i}", f"rep {i}", home=mlpath_home)
        assert a.wait(timeout=60) == 0 and b.wait(timeout=60) == 0
    topics = Store(mlpath_home).load(full=True).roadmaps["generated"]
    assert all(topics[f"topic-{i}"].status == "done" for i in range(5))
    assert all(len(topics[f"topic-{i}"].notes) == 1 for i in range(5))


# --- 2. killed writers -------------------------------------------------------------------------


def _endless_writer(home: str, start: int) -> None:
    store = Store(Path(home))
    k = start
    while True:
        note = Note(T0 + timedelta(seconds=k), f"note {k:05d}")
        store.update(_recording(ops.add_note, "kill", "topic", note, note.at))
        k += 1


def _notes(home: Path) -> list[str]:
    return [n.text for n in Store(home).load(full=True).topic("kill", "topic").notes]


@pytest.mark.parametrize(
    "kills", [pytest.param(12, id="short"), pytest.param(100, id="long", marks=pytest.mark.slow)]
)
def test_a_killed_writer_leaves_the_state_before_or_after(mlpath_home: Path, kills: int) -> None:
    mlpath_home.mkdir()
    store = Store(mlpath_home)
    # a state big enough that a write takes a while, so kills land inside writes
    seed = State()
    for k in range(400):
        seed = ops.add_note(seed, "kill", "filler", Note(T0, f"filler {k} " + "x" * 40), T0).state
    store.update(lambda s: (seed, None))
    rng = random.Random(2026)
    mid_write = 0
    for _ in range(kills):
        before = _notes(mlpath_home)
        writer = FORK.Process(target=_endless_writer, args=(str(mlpath_home), len(before)))
        writer.start()
        time.sleep(rng.uniform(0.0, 0.15))
        os.kill(writer.pid or 0, signal.SIGKILL)
        writer.join()
        after = _notes(mlpath_home)  # always loads
        k = len(after)
        # a consistent prefix: exactly the state after some whole number of writes
        assert after == [f"note {i:05d}" for i in range(k)] and k >= len(before)
        if (mlpath_home / "state.db-journal").exists():
            mid_write += 1  # a hot journal: the next reader or writer rolls it back
        store.update(lambda s: ((o := ops.start(s, "kill", "other", T0)).state, o))
        assert not (mlpath_home / "state.db-journal").exists()
        store.update(lambda s: ((o := ops.reset(s, "kill", "other", T0)).state, o))
    print(f"{kills} kills, {mid_write} left a rollback journal behind (killed mid-write)")


def _foundations_notes(home: Path) -> list[str]:
    return [n.text for n in Store(home).load(full=True).topic("ml-engineer", "foundations").notes]


def test_a_killed_installed_program_loses_nothing(tmp_path: Path, mlpath_home: Path) -> None:
    rng = random.Random(7)
    for i in range(8):
        before = _foundations_notes(mlpath_home)
        proc = _mlpath("note", "foundations", f"note {i}", home=mlpath_home)
        time.sleep(rng.uniform(0.05, 0.4))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert _foundations_notes(mlpath_home) in (before, [*before, f"note {i}"])


# --- 3. faults ---------------------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path) -> Any:
    """A real file system of 1 MiB (tmpfs), mounted for the test: needs root."""
    mount = tmp_path / "small"
    mount.mkdir()
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", str(mount)],
        capture_output=True,
    )
    if made.returncode != 0:
        pytest.skip("cannot mount a small file system here (needs root)")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_leaves_the_state_unchanged(small_disk: Path) -> None:
    home = small_disk / "home"
    assert _mlpath("done", "foundations", home=home).wait(timeout=60) == 0
    before = db_rows(home / "state.db")
    filler = small_disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for size in (4096, 1):  # fill the disk to the last byte
            with contextlib.suppress(OSError):
                while True:
                    os.write(fd, b"x" * size)
    finally:
        os.close(fd)
    proc = _mlpath("note", "foundations", "x" * 9000, home=home)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 1, err
    assert str(home / "state.db") in err and "full" in err and "Traceback" not in err
    assert db_rows(home / "state.db") == before
    filler.unlink()
    assert _mlpath("note", "foundations", "y" * 9000, home=home).wait(timeout=60) == 0
    assert len(_foundations_notes(home)) == 1


def test_a_read_only_disk(small_disk: Path) -> None:
    home = small_disk / "home"
    assert _mlpath("done", "foundations", home=home).wait(timeout=60) == 0
    before = db_rows(home / "state.db")
    remount = ["mount", "-o", "remount,ro", str(small_disk)]
    subprocess.run(remount, check=True)
    try:
        reader = _mlpath("list", home=home)
        out, err = reader.communicate(timeout=60)
        assert reader.returncode == 0 and "✓ done" in out, err  # reading goes on
        writer = _mlpath("done", "algorithms", home=home)
        _, err = writer.communicate(timeout=60)
        assert writer.returncode == 1
        assert str(home / "state.db") in err and "Traceback" not in err
        assert "readonly" in err or "read-only" in err.lower(), err
        assert db_rows(home / "state.db") == before
        doctor = _mlpath("doctor", home=home)
        out, _ = doctor.communicate(timeout=60)
        assert doctor.returncode == 1 and "not writable" in out
        assert "--restore-backup" not in out  # the state is sound: no roll back
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(small_disk)], check=True)


def _without_root_powers() -> list[str]:
    """A prefix that runs a command as root without the power to ignore file
    permissions (so that they apply as to anyone else); none when not root."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("needs setpriv (util-linux) to drop root's powers")
    return ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--"]


def test_a_folder_mlpath_may_not_write_to(mlpath_home: Path, state_file: Path) -> None:
    assert _mlpath("done", "foundations", home=mlpath_home).wait(timeout=60) == 0
    before = db_rows(state_file)
    env = {**os.environ, "MLPATH_HOME": str(mlpath_home)}
    mlpath_home.chmod(0o500)
    try:
        result = subprocess.run(
            [*_without_root_powers(), str(SCRIPT), "done", "algorithms"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        mlpath_home.chmod(0o700)
    assert result.returncode == 1, result.stderr
    assert "Permission denied" in result.stderr and str(mlpath_home) in result.stderr
    assert "Traceback" not in result.stderr
    assert db_rows(state_file) == before


# --- 4. a held lock ----------------------------------------------------------------------------


def _hold_lock(database: Path, seconds: float) -> subprocess.Popen[str]:
    """Another process holding the database's write lock."""
    code = textwrap.dedent(
        f"""
        import sqlite3, time
        conn = sqlite3.connect({str(database)!r}, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        print("locked", flush=True)
        time.sleep({seconds})
        """
    )
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    return holder


@pytest.mark.parametrize(
    "wait", [pytest.param(1.0, id="short"), pytest.param(None, id="long", marks=pytest.mark.slow)]
)
def test_a_held_lock_makes_writers_give_up_cleanly(
    run: Run, mlpath_home: Path, monkeypatch: pytest.MonkeyPatch, wait: float | None
) -> None:
    """A writer waits for the lock (5 seconds, or MLPATH_LOCK_TIMEOUT), then gives up."""
    if wait is not None:
        monkeypatch.setenv("MLPATH_LOCK_TIMEOUT", str(wait))
    run("done", "foundations")
    state_file = mlpath_home / "state.db"
    before = db_rows(state_file)
    holder = _hold_lock(state_file, 12)
    try:
        began = time.monotonic()
        proc = _mlpath("done", "algorithms", home=mlpath_home)
        _, err = proc.communicate(timeout=60)
        waited = time.monotonic() - began
        assert proc.returncode == 1
        assert "another mlpath is writing" in err
        assert f"within {wait or 5:g} seconds" in err and waited >= (wait or 5)
        reader = _mlpath("list", home=mlpath_home)  # reading goes on meanwhile
        assert reader.wait(timeout=60) == 0
    finally:
        holder.kill()
        holder.wait()
    assert db_rows(state_file) == before
    assert run("done", "algorithms").exit_code == 0


# --- 5. bad state files ------------------------------------------------------------------------

GOOD = tomli_w.dumps(
    ops.state_to_dict(ops.add_note(State(), "ml-engineer", "foundations", Note(T0, "n"), T0).state)
).encode()

BAD_STATES = {
    "empty": (b"", "no valid format 'version'"),
    "truncated": (GOOD[: GOOD.index(b'text = "') + 9], "Unterminated string"),
    "binary garbage": (bytes(range(256)) * 4, "not UTF-8"),
    "invalid UTF-8": (b'version = 4\n[roadmaps.x]\ntitle = "\xc3\x28"\n', "not UTF-8"),
    "wrong types": (b'version = 4\nroadmaps = ["a", "b"]\n', "expected a table"),
    "wrong nested type": (
        b"version = 4\n[roadmaps.ml-engineer.topics.foundations]\nstatus = 3\n",
        "unknown status",
    ),
    "future version": (b"version = 99\n", "newer mlpath"),
}


@pytest.mark.parametrize("name", list(BAD_STATES))
def test_a_bad_old_state_file_is_refused_untouched(run: Run, legacy_file: Path, name: str) -> None:
    content, expected = BAD_STATES[name]
    state_file = legacy_file
    state_file.parent.mkdir(parents=True)
    state_file.write_bytes(content)
    for args in (
        ("list",),
        ("progress",),
        ("done", "foundations"),
        ("note", "dl", "x"),
        ("import", str(Path(__file__).parent / "fixtures" / "state-v1.toml")),
    ):
        result = run(*args)
        assert result.exit_code == 1, (args, result.stderr)
        assert str(state_file) in result.stderr and expected in result.stderr, result.stderr
        assert "Traceback" not in result.stderr
    assert state_file.read_bytes() == content
    # what does not need the state still works
    for args in (
        ("roadmap", "info"),
        ("open", "dl", "--print"),
        ("--version",),
        ("roadmap", "validate", str(Path(__file__).parents[1] / "data" / "roadmap.toml")),
    ):
        assert run(*args).exit_code == 0, args
    doctor = run("doctor")
    assert doctor.exit_code == 1 and "PROBLEM" in doctor.stdout and "Way out" in doctor.stdout
    assert state_file.read_bytes() == content


def test_toml_errors_give_line_and_column(run: Run, legacy_file: Path) -> None:
    legacy_file.parent.mkdir(parents=True)
    legacy_file.write_bytes(b"version = 4\n[roadmaps\n")
    assert "(at line 2, column 10)" in run("list").stderr


def test_a_symlink_loop_is_refused(run: Run, state_file: Path) -> None:
    state_file.parent.mkdir(parents=True)
    state_file.symlink_to(state_file.name)
    for args in (("list",), ("done", "foundations")):
        result = run(*args)
        assert result.exit_code == 1
        assert str(state_file) in result.stderr and "symbolic links" in result.stderr
    assert state_file.is_symlink()


def test_a_snapshot_is_the_way_out(run: Run, state_file: Path) -> None:
    run("done", "foundations")
    run("done", "algorithms")  # the day's first snapshot is taken before this write
    state_file.write_bytes(b"damaged [" * 200)
    refused = run("list")
    assert refused.exit_code == 1 and "'mlpath doctor --restore-backup'" in refused.stderr
    doctor = run("doctor")
    assert doctor.exit_code == 1 and "--restore-backup" in doctor.stdout
    restored = run("doctor", "--restore-backup")
    assert restored.exit_code == 0
    assert "1 of 7 topics done" in run("list").stdout  # as the snapshot had it
    kept = [p for p in state_file.parent.iterdir() if p.name.startswith("state.db.replaced-")]
    assert len(kept) == 1 and kept[0].read_bytes() == b"damaged [" * 200
    assert run("doctor").exit_code == 0
    # a second restore at once never gives two files one name
    assert run("doctor", "--restore-backup").exit_code == 0
    kept = [p for p in state_file.parent.iterdir() if p.name.startswith("state.db.replaced-")]
    assert len(kept) == 2


def test_state_file_and_folder_stay_private(run: Run, state_file: Path) -> None:
    run("done", "foundations")
    assert stat.S_IMODE(state_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(state_file.parent.stat().st_mode) == 0o700
    run("done", "algorithms")
    assert stat.S_IMODE(state_file.stat().st_mode) == 0o600
    for snapshot in (state_file.parent / "snapshots").iterdir():
        assert stat.S_IMODE(snapshot.stat().st_mode) == 0o600


# --- 6. hostile input --------------------------------------------------------------------------


def _has_control_characters(text: str) -> bool:
    return any((ord(c) < 32 and c not in "\n\t") or 0x7F <= ord(c) <= 0x9F for c in text)


CONTROL = st.characters(min_codepoint=0, max_codepoint=0x9F)
hostile_text = st.text(st.one_of(CONTROL, st.characters(blacklist_categories=["Cs"])), max_size=12)
leaves = st.one_of(
    st.booleans(),
    st.integers(-5, 10**6),
    hostile_text,
    st.datetimes(timezones=st.just(UTC)),
    st.datetimes(),
)
values = st.recursive(
    leaves,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(hostile_text, inner, max_size=3),
    max_leaves=15,
)
state_keys = st.sampled_from(["version", "roadmaps", "log", "topics", "status", "notes", "x\x1b"])
state_like = st.dictionaries(state_keys | hostile_text, values, max_size=4).map(
    lambda d: {"version": 4, **d} if "version" not in d else d
)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(state_like)
def test_the_state_loader_raises_only_its_own_errors(data: dict[str, Any]) -> None:
    try:
        state = decode_state(data)
    except (StateFormatError, NewerFormat) as error:
        assert str(error)  # a refusal says why
        return
    # What it accepts is a whole state: written out and read back, it is the same.
    assert state.complete
    assert decode_state(tomllib.loads(tomli_w.dumps(ops.state_to_dict(state)))) == state
    with tempfile.TemporaryDirectory() as folder:
        store = Store(Path(folder))
        store.update(lambda _: (state, None), full=True)
        assert store.load(full=True) == state


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300) | state_like.map(lambda d: tomli_w.dumps(d).encode()))
def test_old_state_files_of_any_bytes_load_or_are_refused_plainly(raw: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "state.toml").write_bytes(raw)
        store = Store(Path(folder))
        try:
            loaded = store.load(full=True)
        except StateError as error:
            assert not _has_control_characters(str(error))
            assert (Path(folder) / "state.toml").read_bytes() == raw
        else:
            assert (Path(folder) / "state.toml.migrated").read_bytes() == raw
            assert Store(Path(folder)).load(full=True) == loaded


@settings(suppress_health_check=[HealthCheck.too_slow], max_examples=50)
@given(st.integers(0, 20_000), st.binary(min_size=1, max_size=64))
def test_a_database_damaged_anywhere_is_read_or_refused_plainly(at: int, junk: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        store = Store(Path(folder))
        store.update(lambda s: ((o := ops.mark_done(s, "x", "t", T0)).state, o))
        store.update(lambda s: ((o := ops.add_note(s, "x", "t", Note(T0, "n"), T0)).state, o))
        raw = bytearray(store.path.read_bytes())
        at %= len(raw)
        raw[at : at + len(junk)] = junk
        store.path.write_bytes(bytes(raw))
        for attempt in (lambda: store.load(full=True), store.undo):
            try:
                attempt()
            except StateError as error:
                assert not _has_control_characters(str(error))


roadmap_values = st.recursive(
    st.one_of(st.booleans(), st.integers(), hostile_text),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(hostile_text, inner, max_size=3),
    max_leaves=12,
)


@st.composite
def hostile_roadmaps(draw: st.DrawFn) -> dict[str, Any]:
    topic = st.dictionaries(
        st.sampled_from(
            ["id", "area", "title", "summary", "requires", "aliases", "practice", "resources"]
        )
        | hostile_text,
        roadmap_values,
        max_size=6,
    )
    return {
        "schema": draw(st.sampled_from([1, 1, 2, "1"])),
        "id": draw(hostile_text),
        "title": draw(hostile_text),
        "areas": draw(
            st.lists(
                st.dictionaries(
                    st.sampled_from(["id", "title", "summary"]) | hostile_text,
                    roadmap_values,
                    max_size=3,
                ),
                max_size=2,
            )
        ),
        "topics": draw(st.lists(topic, max_size=3)),
    }


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(hostile_roadmaps())
def test_the_roadmap_loader_raises_only_its_own_error_without_control_characters(
    data: dict[str, Any],
) -> None:
    try:
        parse_roadmap(tomli_w.dumps(data), "hostile.toml")
    except RoadmapError as error:
        assert not _has_control_characters(str(error))


# --- 7. exit codes -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (("frobnicate",), 2),
        (("list", "--nope"), 2),
        (("show", "no-such-topic"), 2),
        (("done", "dl", "no-such-resource"), 2),
        (("log", "dl", "forever"), 2),
        (("--roadmap", "/no/such/file.toml", "list"), 1),
        (("import", "/no/such/file.json"), 1),
    ],
)
def test_exit_codes(run: Run, args: tuple[str, ...], code: int) -> None:
    result = run(*args)
    assert result.exit_code == code
    assert "Traceback" not in result.stderr and result.stderr


def test_ctrl_c_exits_130(mlpath_home: Path) -> None:
    mlpath_home.mkdir()
    Store(mlpath_home).update(lambda s: ((o := ops.mark_done(s, "x", "t", T0)).state, o))
    holder = _hold_lock(mlpath_home / "state.db", 20)
    try:
        proc = _mlpath("done", "foundations", home=mlpath_home)  # waits for the lock
        time.sleep(0.8)  # started and waiting for the lock
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    finally:
        holder.kill()
        holder.wait()
    assert proc.returncode == 130
    assert "interrupted" in err and "Traceback" not in err
    assert not (mlpath_home / "state.toml").exists()


def test_ctrl_c_while_starting_is_no_traceback(mlpath_home: Path) -> None:
    """Ctrl-C in a command's first tens of milliseconds, while it is still loading."""
    for delay in (0.03, 0.06, 0.09, 0.12):
        proc = _mlpath("list", home=mlpath_home)
        time.sleep(delay)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
        assert "Traceback" not in err, (delay, err)
        assert proc.returncode in (0, 130, -signal.SIGINT), (delay, proc.returncode)
