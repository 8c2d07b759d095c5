"""State format 5: the first part that every command reads, and the journal that writes
append to. Real files in a temporary MLPATH_HOME."""

from __future__ import annotations

import tempfile
import tomllib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import BUNDLED
from mlpath import progress as ops
from mlpath.errors import StateError
from mlpath.progress import Note, Session, State, Status
from mlpath.roadmap import load_roadmap
from mlpath.store import Store

ROADMAP = load_roadmap(BUNDLED)
RID = ROADMAP.id
T0 = datetime(2026, 11, 1, 9, tzinfo=UTC)
FIXTURES = Path(__file__).parent / "fixtures"

Op = Callable[[State], ops.Outcome]


def _apply(store: Store, op: Op, full: bool = False) -> None:
    store.update(lambda s: ((o := op(s)).state, o), full=full)


def test_a_write_appends_to_the_journal_and_keeps_what_was_there(mlpath_home: Path) -> None:
    store = Store()
    _apply(store, lambda s: ops.add_note(s, RID, "foundations", Note(T0, "first"), T0))
    first = store.path.read_text()
    journal = first[first.index("[[journal]]") :]
    _apply(store, lambda s: ops.mark_done(s, RID, "algorithms", T0))
    second = store.path.read_text()
    assert second[second.index("[[journal]]") :].startswith(journal)
    assert second.count("[[journal]]") == first.count("[[journal]]") + 1


def test_reading_the_first_part_only_leaves_out_notes_and_log(mlpath_home: Path) -> None:
    store = Store()
    _apply(store, lambda s: ops.log_time(s, RID, "foundations", Session(T0, 45)))
    _apply(store, lambda s: ops.add_note(s, RID, "foundations", Note(T0, "n"), T0))
    light = store.load()
    assert not light.complete and light.log == ()
    progress = light.topic(RID, "foundations")
    assert progress.status is Status.IN_PROGRESS and progress.minutes == 45
    assert progress.notes == () and progress.sessions == ()
    with_notes = store.load(topics=[(RID, "foundations")])
    assert [n.text for n in with_notes.topic(RID, "foundations").notes] == ["n"]
    full = store.load(full=True)
    assert full.complete and len(full.log) == 2
    assert full.topic(RID, "foundations").sessions == (Session(T0, 45),)


def test_undo_and_merge_refuse_a_partial_state(mlpath_home: Path) -> None:
    store = Store()
    _apply(store, lambda s: ops.mark_done(s, RID, "foundations", T0))
    with pytest.raises(ValueError, match="complete"):
        ops.undo(store.load())


def test_a_damaged_journal_is_refused_even_by_reading_commands(mlpath_home: Path) -> None:
    store = Store()
    _apply(store, lambda s: ops.add_note(s, RID, "foundations", Note(T0, "a note"), T0))
    text = store.path.read_text()
    store.path.write_text(text[: text.index('text = "a note"') + 10])  # cut mid-string
    with pytest.raises(StateError, match="not valid TOML"):
        store.load()


def test_a_journal_edited_by_hand_is_refused_until_its_check_is_removed(
    mlpath_home: Path,
) -> None:
    store = Store()
    _apply(store, lambda s: ops.add_note(s, RID, "foundations", Note(T0, "typo hree"), T0))
    store.path.write_text(store.path.read_text().replace("typo hree", "typo here"))
    with pytest.raises(StateError, match=r"delete the \[journal_check\] table"):
        _apply(store, lambda s: ops.mark_done(s, RID, "algorithms", T0))
    with pytest.raises(StateError, match="does not match its check"):
        store.load(full=True)
    text = store.path.read_text()
    head, journal = text.split("\n[[journal]]\n", 1)
    head = head.split("[journal_check]")[0]
    store.path.write_text(head + "\n[[journal]]\n" + journal)  # the way to keep the edit
    notes = store.load(topics=[(RID, "foundations")]).topic(RID, "foundations").notes
    assert [n.text for n in notes] == ["typo here"]
    _apply(store, lambda s: ops.mark_done(s, RID, "algorithms", T0))  # checked again
    assert "[journal_check]" in store.path.read_text()
    assert store.load(full=True).topic(RID, "algorithms").status is Status.DONE


def test_a_journal_cut_at_an_entry_is_refused_not_guessed_at(mlpath_home: Path) -> None:
    store = Store()
    for i in range(3):
        note = Note(T0 + timedelta(minutes=i), f"note {i}")
        _apply(store, lambda s, n=note: ops.add_note(s, RID, "foundations", n, n.at))
    text = store.path.read_text()
    cut = text[: text.rindex("\n[[journal]]\n") + 1]  # still valid TOML, one entry short
    store.path.write_text(cut)
    with pytest.raises(StateError, match="does not match its check"):
        store.load()
    assert store.path.read_text() == cut


def test_format_4_file_moves_to_the_journal(mlpath_home: Path) -> None:
    mlpath_home.mkdir()
    (mlpath_home / "state.toml").write_bytes((FIXTURES / "state-v4.toml").read_bytes())
    store = Store()
    state = store.load()  # an old format is read whole
    dl = state.topic(RID, "deep-learning")
    assert dl.minutes == 120 and [n.text for n in dl.notes] == ["MLP from scratch"]
    assert state.days[RID] == {"2026-11-20": (90, 1), "2026-11-21": (0, 1), "2026-11-22": (30, 1)}
    _apply(store, lambda s: ops.mark_done(s, RID, "foundations", T0))
    text = store.path.read_text()
    assert text.startswith("version = 5") and text.count("[[journal]]") == 3 + 3 + 1
    again = store.load(full=True)
    assert again.topic(RID, "deep-learning") == dl
    assert [c.action for c in again.log] == ["log", "note", "log", "done"]
    assert ops.undo(ops.undo(again)[0])[0].topic(RID, "deep-learning").minutes == 90


# --- appending one change at a time gives the same state as doing it all at once ------------

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


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps)
def test_appending_writes_equal_the_pure_operations(
    mlpath_home: Path, history: list[tuple[str, str, datetime]]
) -> None:
    mlpath_home.mkdir(exist_ok=True)
    store = Store(Path(tempfile.mkdtemp(dir=mlpath_home)))
    expected = State()
    for kind, topic, at in history:
        op = _op(kind, topic, at)
        if op is None:
            store.update(lambda s: (ops.undo(s)[0], None), full=True)
            expected = ops.undo(expected)[0]
        else:
            _apply(store, op)
            expected = op(expected).state
    assert store.load(full=True) == expected
    if store.path.exists():  # the first part, kept up to date piece by piece, is as if new
        text = store.path.read_text()
        head = text.split("\n[[journal]]\n")[0]
        check = tomllib.loads(head)["journal_check"]
        assert head == tomli_w.dumps({**ops.status_dict(expected), "journal_check": check})
