"""The progress operations, as pure functions: no files, no clock."""

from __future__ import annotations

import contextlib
import tomllib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
import tomli_w
from hypothesis import given
from hypothesis import strategies as st

from conftest import BUNDLED, same_progress, stored, undone
from mlpath.core import progress as ops
from mlpath.core.formats import decode_state
from mlpath.core.progress import Note, Session, State, Status, TopicProgress
from mlpath.storage.roadmap_files import load_roadmap

ROADMAP = load_roadmap(BUNDLED)
RID = ROADMAP.id
T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
DL = ROADMAP.topic("deep-learning")


def at(hours: int) -> datetime:
    return T0 + timedelta(hours=hours)


def status(state: State, topic: str = "deep-learning") -> Status:
    return state.topic(RID, topic).status


def test_start_done_skip_reset_transitions() -> None:
    s = ops.start(State(), RID, "deep-learning", at(1)).state
    assert status(s) is Status.IN_PROGRESS
    assert s.topic(RID, "deep-learning").started_at == at(1)
    s = ops.mark_done(s, RID, "deep-learning", at(2)).state  # done on an in-progress topic
    progress = s.topic(RID, "deep-learning")
    assert (progress.status, progress.started_at, progress.done_at) == (Status.DONE, at(1), at(2))
    s = ops.skip(s, RID, "deep-learning", at(3)).state  # skip a done topic
    assert status(s) is Status.SKIPPED
    assert s.topic(RID, "deep-learning").since == at(3)
    s = ops.reset(s, RID, "deep-learning", at(4)).state  # reset a skipped one
    # back to not started; when that happened is kept, for merging with other machines
    assert s.topic(RID, "deep-learning") == TopicProgress(updated_at=at(4))
    assert [c.action for c in s.log] == ["start", "done", "skip", "reset"]


def test_repeated_operations_change_nothing() -> None:
    s = ops.start(State(), RID, "deep-learning", at(1)).state
    for again in (
        ops.start(s, RID, "deep-learning", at(2)),
        ops.reset(State(), RID, "deep-learning", at(2)),
    ):
        assert again.change is None
    done = ops.mark_done(s, RID, "deep-learning", at(2)).state
    assert ops.mark_done(done, RID, "deep-learning", at(3)).state is done
    skipped = ops.skip(s, RID, "deep-learning", at(2)).state
    assert ops.skip(skipped, RID, "deep-learning", at(3)).state is skipped


def test_checking_moves_to_in_progress_then_done() -> None:
    first = ops.check(State(), ROADMAP, DL, ("deep-learning-book",), at(1))
    assert status(first.state) is Status.IN_PROGRESS and not first.completed
    second = ops.check(first.state, ROADMAP, DL, ("fastai",), at(2))
    assert status(second.state) is Status.IN_PROGRESS
    last = ops.check(second.state, ROADMAP, DL, ("practice",), at(3))
    assert last.completed
    progress = last.state.topic(RID, "deep-learning")
    assert progress.status is Status.DONE and progress.done_at == at(3)
    assert set(progress.checked) == {"practice", "deep-learning-book", "fastai"}
    again = ops.check(last.state, ROADMAP, DL, ("fastai",), at(4))
    assert again.change is None


def test_check_all_at_once_marks_done() -> None:
    outcome = ops.check(State(), ROADMAP, DL, DL.item_ids, at(1))
    assert outcome.completed and status(outcome.state) is Status.DONE
    assert len(outcome.state.log) == 1


def test_checking_a_skipped_topic_resumes_it() -> None:
    s = ops.skip(State(), RID, "deep-learning", at(1)).state
    s = ops.check(s, ROADMAP, DL, ("fastai",), at(2)).state
    assert status(s) is Status.IN_PROGRESS


def test_uncheck_keeps_status() -> None:
    s = ops.check(State(), ROADMAP, DL, DL.item_ids, at(1)).state
    s = ops.uncheck(s, RID, "deep-learning", "fastai", at(2)).state
    assert status(s) is Status.DONE
    assert "fastai" not in s.topic(RID, "deep-learning").checked
    assert ops.uncheck(s, RID, "deep-learning", "fastai", at(3)).change is None


def test_reset_keeps_notes_and_clears_checks() -> None:
    s = ops.check(State(), ROADMAP, DL, ("fastai",), at(1)).state
    s = ops.add_note(s, RID, "deep-learning", Note(at(2), "lesson 3"), at(2)).state
    s = ops.reset(s, RID, "deep-learning", at(3)).state
    progress = s.topic(RID, "deep-learning")
    assert progress.status is Status.NOT_STARTED and not progress.checked
    assert [n.text for n in progress.notes] == ["lesson 3"]


def test_reset_keeps_logged_time_and_reviews_and_undo_restores_all() -> None:
    s = ops.log_time(State(), RID, "foundations", Session(at(1), 90)).state
    s = ops.mark_done(s, RID, "foundations", at(2)).state
    s = ops.review(s, RID, "foundations", at(3)).state
    before = s
    s = ops.reset(s, RID, "foundations", at(4)).state
    progress = s.topic(RID, "foundations")
    assert progress.status is Status.NOT_STARTED and progress.done_at is None
    assert progress.minutes == 90 and progress.reviews == (ops.Recall(at(3)),)
    assert same_progress(undone(s)[0], before)


def _some_history() -> State:
    s = ops.start(State(), RID, "foundations", at(1)).state
    s = ops.check(s, ROADMAP, ROADMAP.topic("foundations"), ("practice",), at(2)).state
    s = ops.add_note(
        s, RID, "foundations", Note(at(3), "chapter 2", "https://x.org/a"), at(3)
    ).state
    return ops.check(s, ROADMAP, DL, ("fastai",), at(4)).state


OPERATIONS: dict[str, Callable[[State], State]] = {
    "start": lambda s: ops.start(s, RID, "algorithms", at(9)).state,
    "done": lambda s: ops.mark_done(s, RID, "foundations", at(9)).state,
    "skip": lambda s: ops.skip(s, RID, "foundations", at(9)).state,
    "reset": lambda s: ops.reset(s, RID, "foundations", at(9)).state,
    "check": lambda s: ops.check(s, ROADMAP, DL, DL.item_ids, at(9)).state,
    "uncheck": lambda s: ops.uncheck(s, RID, "deep-learning", "fastai", at(9)).state,
    "note": lambda s: ops.add_note(s, RID, "deep-learning", Note(at(9), "n"), at(9)).state,
}


@pytest.mark.parametrize("name", list(OPERATIONS))
def test_undo_restores_the_exact_previous_state(name: str) -> None:
    before = _some_history()
    after = OPERATIONS[name](before)
    assert after != before
    restored, change = undone(after)
    assert change is not None and change.action == name
    assert same_progress(restored, before)


def test_undo_walks_back_to_empty_then_reports_nothing() -> None:
    s = _some_history()
    store = stored(s)
    for _ in range(len(s.log)):
        assert store.undo() is not None
    assert store.load(full=True) == State()
    assert store.undo() is None


def test_progress_rule_leaves_skipped_topics_out() -> None:
    s = ops.skip(State(), RID, "nlp-transformers", at(1)).state
    s = ops.mark_done(s, RID, "foundations", at(2)).state
    s = ops.start(s, RID, "deep-learning", at(3)).state
    summary = ops.summarize(ROADMAP, s)
    assert (summary.overall.done, summary.overall.total) == (1, 6)
    assert summary.overall.skipped == 1 and summary.overall.in_progress == 1
    assert summary.skipped == ["nlp-transformers"]
    assert summary.in_progress == ["deep-learning"]
    ml = dict(summary.areas)["machine-learning"]
    assert (ml.done, ml.total, ml.percent) == (1, 2, 50)


def test_next_topic_prefers_in_progress_then_ready() -> None:
    assert ops.next_topic(ROADMAP, State()) == ROADMAP.topic("foundations")
    s = ops.start(State(), RID, "algorithms", at(1)).state
    assert ops.next_topic(ROADMAP, s) == ROADMAP.topic("algorithms")
    s = ops.mark_done(s, RID, "algorithms", at(2)).state
    assert ops.next_topic(ROADMAP, s) == ROADMAP.topic("foundations")
    s = ops.skip(s, RID, "foundations", at(3)).state  # skipped counts as out of the way
    assert ops.next_topic(ROADMAP, s) == ROADMAP.topic("deep-learning")
    for topic in ROADMAP.topics:
        s = ops.mark_done(s, RID, topic.id, at(4)).state
    assert ops.next_topic(ROADMAP, s) is None


def test_orphaned_progress_is_counted_never_dropped() -> None:
    s = ops.mark_done(State(), RID, "gone-topic", at(1)).state
    s = ops.check(s, ROADMAP, DL, ("fastai",), at(2)).state
    dl = s.topic(RID, "deep-learning")
    s = s.with_topic(
        RID,
        "deep-learning",
        TopicProgress(dl.status, dl.started_at, checked={**dl.checked, "old-book": at(2)}),
    )
    assert ops.summarize(ROADMAP, s).orphans == 2
    assert s.topic(RID, "gone-topic").status is Status.DONE


def test_describe_names_the_change() -> None:
    s = _some_history()
    from mlpath.render.words import describe

    assert [describe(c) for c in s.log] == [
        "started foundations",
        "checked practice of foundations",
        'added a note to foundations: "chapter 2"',
        "checked fastai of deep-learning",
    ]


# --- serialisation ------------------------------------------------------------------

moments = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)
slugs = st.sampled_from(["ml-engineer", "team", "foundations", "deep-learning", "a", "b-2"])
texts = st.text(min_size=1, max_size=40)


@st.composite
def states(draw: st.DrawFn) -> State:
    s = State()
    for _ in range(draw(st.integers(0, 12))):
        rid, tid, now = draw(slugs), draw(slugs), draw(moments)
        kind = draw(st.sampled_from(["start", "done", "skip", "reset", "note", "uncheck"]))
        if kind == "note":
            link = draw(st.none() | st.just("https://example.org/x"))
            s = ops.add_note(s, rid, tid, Note(now, draw(texts), link), now).state
        elif kind == "uncheck":
            s = ops.uncheck(s, rid, tid, draw(slugs), now).state
        else:
            fn = {"start": ops.start, "done": ops.mark_done, "skip": ops.skip, "reset": ops.reset}
            with contextlib.suppress(ops.OutOfOrder):  # refused: a date before the status's
                s = fn[kind](s, rid, tid, now).state
    return s


@given(states())
def test_state_survives_a_toml_round_trip(state: State) -> None:
    text = tomli_w.dumps(ops.state_to_dict(state))
    assert decode_state(tomllib.loads(text)) == state


def test_only_a_done_topic_can_be_reviewed() -> None:
    s = ops.start(State(), RID, "foundations", at(1)).state
    with pytest.raises(ops.NotDone, match="foundations is not done"):
        ops.review(s, RID, "foundations", at(2))
    s = ops.mark_done(s, RID, "foundations", at(3)).state
    assert ops.review(s, RID, "foundations", at(4)).change is not None
