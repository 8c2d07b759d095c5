"""The learner's progress and the operations on it.

Pure: no file system, no clock (the time is passed in), no printing. The store keeps a
:class:`State` in its database and hands the commands the part they need; the commands
call the operations here and hand their results on. :func:`state_from_dict` and
:func:`state_to_dict` are the text formats' form of it (old state files and exports).

Progress is keyed by roadmap id, then topic id, so several roadmaps share one state and a
roadmap can be re-ordered freely. Entries for topics a roadmap no longer has are kept.

Every operation that changes something appends a :class:`Change` to the log. A change
carries a snapshot of the topic's tracked fields (everything but its notes) from before
it, so undoing it (:func:`undo_change`, which the database runs) restores the exact
previous state; a note or a review is undone by removing it. The log itself, the per-day
summary, undo and merges are the database's (:mod:`mlpath.storage.journal`): each rule
is written once.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from functools import cached_property
from typing import Any, NamedTuple, TypedDict, TypeVar, cast

from mlpath.core import rules
from mlpath.core.roadmap import Group, Roadmap, Topic

#: The state format this version writes. Older formats are migrated by the store.
STATE_VERSION = 5


class Status(StrEnum):
    NOT_STARTED = "not-started"
    IN_PROGRESS = "in-progress"
    DONE = "done"
    SKIPPED = "skipped"

    @property
    def label(self) -> str:
        return self.value.replace("-", " ")


class Action(StrEnum):
    START = "start"
    DONE = "done"
    SKIP = "skip"
    RESET = "reset"
    CHECK = "check"
    UNCHECK = "uncheck"
    NOTE = "note"
    IMPORT = "import"
    LOG = "log"
    REVIEW = "review"


class Grade(StrEnum):
    """How well a review went: the four answers of spaced repetition (FSRS's ratings)."""

    AGAIN = "again"  # forgotten
    HARD = "hard"
    GOOD = "good"
    EASY = "easy"


class Recall(NamedTuple):
    """A review of a done topic: when, and how well it was remembered."""

    at: datetime
    grade: Grade = Grade.GOOD


@dataclass(frozen=True)
class Note:
    at: datetime
    text: str
    link: str | None = None


@dataclass(frozen=True)
class Session:
    """Study time logged on a topic."""

    on: datetime  # when the study happened
    minutes: int
    note: str | None = None


def note_key(note: Note) -> tuple[datetime, str, str]:
    return (note.at, note.text, note.link or "")


def session_key(session: Session) -> tuple[datetime, int, str]:
    return (session.on, session.minutes, session.note or "")


@dataclass(frozen=True)
class TopicProgress:
    status: Status = Status.NOT_STARTED
    started_at: datetime | None = None
    done_at: datetime | None = None
    skipped_at: datetime | None = None
    updated_at: datetime | None = None  # when the status last changed (merges compare it)
    checked: Mapping[str, datetime] = field(default_factory=dict)
    unchecked: Mapping[str, datetime] = field(default_factory=dict)  # when a check was removed
    # Kept sorted (oldest first), so that the same progress is always the same value,
    # however it was recorded or merged.
    reviews: tuple[Recall, ...] = ()
    notes: tuple[Note, ...] = ()
    sessions: tuple[Session, ...] = ()
    minutes: int = 0  # all study time logged, kept with the status so it reads fast

    @property
    def since(self) -> datetime | None:
        """When the current status began."""
        return {
            Status.IN_PROGRESS: self.started_at,
            Status.DONE: self.done_at,
            Status.SKIPPED: self.skipped_at,
        }.get(self.status)

    def tracked(self) -> TopicProgress:
        """Everything but notes and study sessions (which only grow, and are undone by
        removing the one added): what a change's snapshot holds."""
        if not self.notes and not self.sessions:
            return self  # already: the common case, read for every topic of a list
        return replace(self, notes=(), sessions=())


NOT_STARTED = TopicProgress()


@dataclass(frozen=True)
class Change:
    """One entry of the change log."""

    at: datetime
    action: Action
    roadmap: str
    topic: str
    # The topic's tracked fields before the change (no notes), which undo puts back; a note
    # or a review is undone by taking it away, and keeps no snapshot (NOT_STARTED).
    before: TopicProgress
    resources: tuple[str, ...] = ()
    note: Note | None = None
    session: Session | None = None
    grade: Grade | None = None  # a review's, when not good (None for any other change)
    # An import: the file it came from, every topic it changed as it was before (None:
    # absent), the keys of the log entries it added, and the notes and study sessions it
    # brought (roadmap id, topic id, item). Undo puts each topic's tracked fields back and
    # takes away what was brought. Imports recorded before ``brought`` existed (None) kept
    # each topic whole, notes and sessions included, in ``restore``. The lists are what
    # old state files and exports hold: the database keeps neither, its import records
    # count what they added (see mlpath.storage.journal.undo_last), and another
    # machine's import is a line of history with neither.
    source: str | None = None
    restore: Mapping[str, Mapping[str, TopicProgress | None]] = field(default_factory=dict)
    added: tuple[str, ...] = ()
    brought: tuple[tuple[str, str, Note | Session], ...] | None = None
    # When this machine recorded the change, where the store knows it: a change entered
    # with --on happened earlier than it was recorded. Not part of the change itself.
    recorded: datetime | None = field(default=None, compare=False)

    @cached_property
    def key(self) -> str:
        """Identifies the change across machines, to combine logs without duplicates."""
        note = "" if self.note is None else f"{self.note.at.isoformat()}|{self.note.text}"
        if self.session is not None:
            note = f"{self.session.on.isoformat()}|{self.session.minutes}|{self.session.note}"
        parts = (self.at.isoformat(), self.action.value, self.roadmap, self.topic)
        return "|".join((*parts, ",".join(self.resources), note, self.source or ""))


#: roadmap id -> "YYYY-MM-DD" (the learner's date when it happened) -> (minutes, changes)
Days = Mapping[str, Mapping[str, tuple[int, int]]]


@dataclass(frozen=True)
class State:
    """All progress (roadmap id -> topic id -> progress) and the change log, oldest first.

    ``days`` sums up, per day in the learner's zone, the study time and the number of
    changes: what streaks and the pace need, without the log. The database computes it;
    the operations leave it as it is. A state loaded for reading only may leave out
    notes, sessions and the log (``complete`` is then False); writing it out whole
    refuses such a state.
    """

    roadmaps: Mapping[str, Mapping[str, TopicProgress]] = field(default_factory=dict)
    log: tuple[Change, ...] = ()
    days: Days = field(default_factory=dict)
    complete: bool = True

    def topic(self, roadmap_id: str, topic_id: str) -> TopicProgress:
        return self.roadmaps.get(roadmap_id, {}).get(topic_id, NOT_STARTED)

    def with_topic(self, roadmap_id: str, topic_id: str, progress: TopicProgress) -> State:
        topics = dict(self.roadmaps.get(roadmap_id, {}))
        if progress == NOT_STARTED:
            topics.pop(topic_id, None)  # keep the file free of empty entries
        else:
            topics[topic_id] = progress
        roadmaps = {**self.roadmaps, roadmap_id: topics}
        if not topics:
            del roadmaps[roadmap_id]
        return replace(self, roadmaps=roadmaps)


# --- operations ----------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What an operation did. ``change`` is None when nothing changed."""

    state: State
    change: Change | None
    progress: TopicProgress  # the topic's progress afterwards
    completed: bool = False  # a resource check completed the topic


def _record(
    state: State,
    roadmap_id: str,
    topic_id: str,
    action: Action,
    now: datetime,
    after: TopicProgress,
    resources: tuple[str, ...] = (),
    note: Note | None = None,
    completed: bool = False,
    session: Session | None = None,
    grade: Grade | None = None,
) -> Outcome:
    # Undo takes a note or a review away again, and needs no snapshot for it: the log of a
    # topic that is reviewed often does not repeat its reviews in every entry.
    # A note that moved the topic's start back keeps a snapshot, so undo moves it again.
    current = state.topic(roadmap_id, topic_id).tracked()
    moved = after.started_at != current.started_at
    before = NOT_STARTED if action in _NO_SNAPSHOT and not moved else current
    change = Change(now, action, roadmap_id, topic_id, before, resources, note, session, grade)
    new_state = state.with_topic(roadmap_id, topic_id, after)
    return Outcome(replace(new_state, log=(*state.log, change)), change, after, completed)


_NO_SNAPSHOT = frozenset({Action.NOTE, Action.REVIEW})


def _require_complete(state: State, what: str) -> None:
    if not state.complete:
        raise ValueError(f"{what} needs the complete state (notes, sessions and log)")


def _unchanged(state: State, roadmap_id: str, topic_id: str) -> Outcome:
    return Outcome(state, None, state.topic(roadmap_id, topic_id))


# status -> (the action that records it, the date field it sets)
_STATUS_CHANGES = {
    Status.IN_PROGRESS: (Action.START, "started_at"),
    Status.DONE: (Action.DONE, "done_at"),
    Status.SKIPPED: (Action.SKIP, "skipped_at"),
}


class OutOfOrder(ValueError):
    """A date that would come before one the topic already has; the message names both."""


def _in_order(current: TopicProgress, topic_id: str, status: Status, now: datetime) -> None:
    """A topic's statuses follow each other in time: a new one cannot begin before the
    current one did (a topic is not done before it was started)."""
    since = current.since
    if since is not None and now < since:
        what = "done" if status is Status.DONE else status.label
        raise OutOfOrder(
            f"{topic_id} has been {current.status.label} since {rules.moment_text(since)}, "
            f"so it cannot be {what} as of {rules.moment_text(now)}. Give a later date, or "
            "reset it first "
            f"('mlpath reset {topic_id}') to record it from the start."
        )


def started_by(progress: TopicProgress, moment: datetime) -> TopicProgress:
    """``progress`` with its start moved back to ``moment`` when that is earlier: a
    topic's start is its earliest recorded activity (a start, study time, a note, a
    check), whatever day it was typed. A topic that has no start keeps none."""
    if progress.started_at is not None and moment < progress.started_at:
        return replace(progress, started_at=moment)
    return progress


def _set_status(
    state: State, roadmap_id: str, topic_id: str, status: Status, now: datetime
) -> Outcome:
    current = state.topic(roadmap_id, topic_id)
    if current.status is status:
        return _unchanged(state, roadmap_id, topic_id)
    _in_order(current, topic_id, status, now)
    action, date_field = _STATUS_CHANGES[status]
    dated: dict[str, Any] = {date_field: now}
    after = replace(current, status=status, updated_at=now, **dated)
    return _record(state, roadmap_id, topic_id, action, now, after)


def start(state: State, roadmap_id: str, topic_id: str, now: datetime) -> Outcome:
    """Move a topic to in progress (also a done or skipped one, to study it again)."""
    return _set_status(state, roadmap_id, topic_id, Status.IN_PROGRESS, now)


def mark_done(state: State, roadmap_id: str, topic_id: str, now: datetime) -> Outcome:
    """Record a topic as done at ``now``; a topic already done is left as it was."""
    return _set_status(state, roadmap_id, topic_id, Status.DONE, now)


def skip(state: State, roadmap_id: str, topic_id: str, now: datetime) -> Outcome:
    """Set a topic aside: it leaves the progress count, neither done nor failed."""
    return _set_status(state, roadmap_id, topic_id, Status.SKIPPED, now)


def reset(state: State, roadmap_id: str, topic_id: str, now: datetime) -> Outcome:
    """Back to not started: status, dates and checks are cleared. What the learner wrote
    and did is kept: notes, logged study time and past reviews."""
    current = state.topic(roadmap_id, topic_id)
    if current.status is Status.NOT_STARTED and not current.checked:
        return _unchanged(state, roadmap_id, topic_id)
    after = TopicProgress(
        updated_at=now,
        unchecked={**current.unchecked, **dict.fromkeys(current.checked, now)},
        reviews=current.reviews,
        notes=current.notes,
        sessions=current.sessions,
        minutes=current.minutes,
    )
    return _record(state, roadmap_id, topic_id, Action.RESET, now, after)


def check(
    state: State, roadmap: Roadmap, topic: Topic, item_ids: tuple[str, ...], now: datetime
) -> Outcome:
    """Check resources (or the practice) of a topic.

    A not-started or skipped topic moves to in progress; when every item of the topic is
    then checked, the topic is marked done as well.
    """
    current = state.topic(roadmap.id, topic.id)
    new = tuple(i for i in item_ids if i not in current.checked)
    if not new:
        return _unchanged(state, roadmap.id, topic.id)
    after = replace(
        current,
        checked={**current.checked, **dict.fromkeys(new, now)},
        unchecked={k: v for k, v in current.unchecked.items() if k not in new},
    )
    completed = False
    if all(i in after.checked for i in topic.item_ids) and after.status is not Status.DONE:
        _in_order(current, topic.id, Status.DONE, now)
        after = replace(after, status=Status.DONE, done_at=now, updated_at=now)
        completed = True
    elif after.status in (Status.NOT_STARTED, Status.SKIPPED):
        _in_order(current, topic.id, Status.IN_PROGRESS, now)
        after = replace(after, status=Status.IN_PROGRESS, started_at=now, updated_at=now)
    after = started_by(after, now)
    return _record(state, roadmap.id, topic.id, Action.CHECK, now, after, new, None, completed)


def uncheck(state: State, roadmap_id: str, topic_id: str, item_id: str, now: datetime) -> Outcome:
    """Remove one check; the topic's status stays as it is."""
    current = state.topic(roadmap_id, topic_id)
    if item_id not in current.checked:
        return _unchanged(state, roadmap_id, topic_id)
    checked = {k: v for k, v in current.checked.items() if k != item_id}
    after = replace(current, checked=checked, unchecked={**current.unchecked, item_id: now})
    return _record(state, roadmap_id, topic_id, Action.UNCHECK, now, after, (item_id,))


def add_note(state: State, roadmap_id: str, topic_id: str, note: Note, now: datetime) -> Outcome:
    current = state.topic(roadmap_id, topic_id)
    after = replace(current, notes=tuple(sorted((*current.notes, note), key=note_key)))
    after = started_by(after, note.at)
    return _record(state, roadmap_id, topic_id, Action.NOTE, now, after, note=note)


class DayFull(ValueError):
    """Study time that would make a day hold more than 24 hours: the storage refuses it
    (it alone knows every roadmap's time on that day, in the learner's zone)."""


def log_time(state: State, roadmap_id: str, topic_id: str, session: Session) -> Outcome:
    """Record study time; a not-started (or skipped) topic moves to in progress."""
    current = state.topic(roadmap_id, topic_id)
    after = replace(
        current,
        sessions=tuple(sorted((*current.sessions, session), key=session_key)),
        minutes=current.minutes + session.minutes,
    )
    if current.status in (Status.NOT_STARTED, Status.SKIPPED):
        _in_order(current, topic_id, Status.IN_PROGRESS, session.on)
        after = replace(
            after, status=Status.IN_PROGRESS, started_at=session.on, updated_at=session.on
        )
    after = started_by(after, session.on)
    return _record(state, roadmap_id, topic_id, Action.LOG, session.on, after, session=session)


class NotDone(ValueError):
    """Only a done topic comes up for review; the message says which topic is not done."""


def review(
    state: State, roadmap_id: str, topic_id: str, now: datetime, grade: Grade = Grade.GOOD
) -> Outcome:
    """Record that a done topic was reviewed at ``now``, and how well it was remembered;
    :class:`NotDone` for any other."""
    current = state.topic(roadmap_id, topic_id)
    if current.status is not Status.DONE:
        raise NotDone(f"{topic_id} is not done; only done topics come up for review.")
    if current.done_at is not None and now < current.done_at:
        raise OutOfOrder(
            f"{topic_id} was done on {rules.moment_text(current.done_at)}, so it cannot have been "
            f"reviewed on {rules.moment_text(now)}. Give a date after it was done."
        )
    after = replace(current, reviews=tuple(sorted((*current.reviews, Recall(now, grade)))))
    # a review graded good says nothing more, as those recorded before grades existed
    told = None if grade is Grade.GOOD else grade
    return _record(state, roadmap_id, topic_id, Action.REVIEW, now, after, grade=told)


def _without_last(items: tuple[Any, ...], item: object) -> tuple[Any, ...]:
    """``items`` less the last occurrence of ``item``."""
    for i in range(len(items) - 1, -1, -1):
        if items[i] == item:
            return (*items[:i], *items[i + 1 :])
    return items


def undo_change(state: State, change: Change) -> State:
    """The progress of ``state`` with the topics that ``change`` touched put back as they
    were before it; the log and the day summary are left to the caller. ``state`` must
    hold the notes and sessions of those topics."""
    if change.action is Action.IMPORT:
        return _undo_import(state, change)
    current = state.topic(change.roadmap, change.topic)
    # notes and sessions are not in the snapshot: keep them, less the one being undone
    notes = _without_last(current.notes, change.note) if change.note else current.notes
    sessions = current.sessions
    if change.session is not None:
        sessions = _without_last(sessions, change.session)
    if change.action is Action.NOTE and change.before == NOT_STARTED:
        restored = replace(current, notes=notes)  # a note that moved nothing else
    elif change.action is Action.REVIEW:
        taken = Recall(change.at, change.grade or Grade.GOOD)
        restored = replace(current, reviews=_without_last(current.reviews, taken))
    else:
        minutes = sum(x.minutes for x in sessions)
        restored = replace(change.before, notes=notes, sessions=sessions, minutes=minutes)
    return state.with_topic(change.roadmap, change.topic, restored)


def _undo_import(state: State, change: Change) -> State:
    """Put back each topic an import changed: its tracked fields as they were, and its
    notes and sessions less those the import brought (an import recorded before
    ``brought`` existed kept each topic whole)."""
    restored_state = state
    for roadmap_id, topics in change.restore.items():
        for topic_id, progress in topics.items():
            before = NOT_STARTED if progress is None else progress
            if change.brought is not None:
                current = state.topic(roadmap_id, topic_id)
                notes, sessions = current.notes, current.sessions
                for item in (x for r, t, x in change.brought if (r, t) == (roadmap_id, topic_id)):
                    if isinstance(item, Note):
                        notes = _without_last(notes, item)
                    else:
                        sessions = _without_last(sessions, item)
                before = replace(before, notes=notes, sessions=sessions)
            restored_state = restored_state.with_topic(roadmap_id, topic_id, before)
    return restored_state


# --- questions -----------------------------------------------------------------------

_FINISHED = (Status.DONE, Status.SKIPPED)


def status_of(state: State, roadmap_id: str, topic_id: str) -> Status:
    return state.topic(roadmap_id, topic_id).status


def missing_prerequisites(state: State, roadmap: Roadmap, topic: Topic) -> list[str]:
    """Prerequisites of ``topic`` that are neither done nor skipped (an optional one the
    learner has not started, or one of a choice's options the learner left aside, is no
    obstacle); a required group is missing until it is complete."""
    missing = []
    for required in topic.requires:
        group = roadmap.group(required)
        if group is not None:
            if not group_done(roadmap, state, group):
                missing.append(required)
            continue
        other = roadmap.topic(required)
        if is_finished(state, roadmap.id, required) or not counts(roadmap, state, other):
            continue
        if not left_aside(roadmap, state, other):
            missing.append(required)
    return missing


def is_finished(state: State, roadmap_id: str, topic_id: str) -> bool:
    return status_of(state, roadmap_id, topic_id) in _FINISHED


def counts(roadmap: Roadmap, state: State, topic: Topic) -> bool:
    """Whether a topic counts toward progress and is offered by ``next``: every topic but
    an optional one (or one of an optional area) that the learner has not started."""
    if not roadmap.is_optional(topic):
        return True
    return status_of(state, roadmap.id, topic.id) in (Status.IN_PROGRESS, Status.DONE)


def option_done(roadmap: Roadmap, state: State, option: str) -> bool:
    """Whether one option of a group is complete: its topic done, or every topic of its
    area done or skipped (optional ones not started aside) and one at least done."""
    topics = [t for t in roadmap.option_topics(option) if counts(roadmap, state, t)]
    statuses = [status_of(state, roadmap.id, t.id) for t in topics]
    return Status.DONE in statuses and all(s in _FINISHED for s in statuses)


def option_started(roadmap: Roadmap, state: State, option: str) -> bool:
    return any(
        status_of(state, roadmap.id, t.id) in (Status.IN_PROGRESS, Status.DONE)
        for t in roadmap.option_topics(option)
    )


def group_done(roadmap: Roadmap, state: State, group: Group) -> bool:
    """Whether the learner has completed as many of the group's options as it asks."""
    return sum(option_done(roadmap, state, o) for o in group.options) >= group.pick


def left_aside(roadmap: Roadmap, state: State, topic: Topic) -> bool:
    """Whether a topic belongs to an option of a choice that the learner is not taking:
    the choice is complete, or as many other options as it asks for are under way, and
    this option is not started."""
    found = roadmap.group_of(topic)
    if found is None:
        return False
    group, option = found
    if option_started(roadmap, state, option):
        return False
    if group_done(roadmap, state, group):
        return True
    started = sum(option_started(roadmap, state, o) for o in group.options)
    return started >= group.pick


def ready_topics(roadmap: Roadmap, state: State) -> list[Topic]:
    """Topics to study now, best first: those in progress, then those not started whose
    prerequisites are all done or skipped, each group in roadmap order. Optional topics
    not started are left out."""
    open_topics = [
        t
        for t in roadmap.topics
        if not is_finished(state, roadmap.id, t.id)
        and counts(roadmap, state, t)
        and not left_aside(roadmap, state, t)
    ]
    ready = [t for t in open_topics if not missing_prerequisites(state, roadmap, t)]
    return sorted(ready, key=lambda t: status_of(state, roadmap.id, t.id) is not Status.IN_PROGRESS)


def alternatives(roadmap: Roadmap, state: State, topic: Topic, ready: list[Topic]) -> list[Topic]:
    """What the learner may take instead of ``topic`` when it is an option of a choice
    still open (this option not started, the choice not complete): the first ready topic
    of each other option not started, in roadmap order."""
    found = roadmap.group_of(topic)
    if found is None:
        return []
    group, option = found
    if option_started(roadmap, state, option) or group_done(roadmap, state, group):
        return []
    others = []
    for other in group.options:
        if other == option or option_started(roadmap, state, other):
            continue
        first = next((t for t in ready if _option_of(roadmap, t) == other), None)
        if first is not None:
            others.append(first)
    return others


def _option_of(roadmap: Roadmap, topic: Topic) -> str | None:
    """The option of a choice the topic belongs to (its own id, or its area's)."""
    found = roadmap.group_of(topic)
    return None if found is None else found[1]


def next_topic(roadmap: Roadmap, state: State) -> Topic | None:
    """The first of :func:`ready_topics`; None when nothing is ready (every topic is done
    or skipped, or what is left waits on prerequisites that cannot be finished first)."""
    ready = ready_topics(roadmap, state)
    return ready[0] if ready else None


def blocked_topics(roadmap: Roadmap, state: State) -> dict[str, list[str]]:
    """Unfinished topics that wait on prerequisites: topic id -> the missing ones."""
    blocked = {}
    for topic in roadmap.topics:
        if (
            not is_finished(state, roadmap.id, topic.id)
            and counts(roadmap, state, topic)
            and not left_aside(roadmap, state, topic)
        ):
            missing = missing_prerequisites(state, roadmap, topic)
            if missing:
                blocked[topic.id] = missing
    return blocked


@dataclass(frozen=True)
class Tally:
    """Done out of total, where skipped topics, and optional topics not started, are left
    out of the total."""

    done: int
    total: int
    in_progress: int = 0
    skipped: int = 0
    optional: int = 0  # optional topics left out: not started

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def _tally(roadmap: Roadmap, state: State, topics: list[Topic]) -> Tally:
    by_status = {s: 0 for s in Status}
    counted = optional = 0
    for topic in topics:
        status = status_of(state, roadmap.id, topic.id)
        if counts(roadmap, state, topic):
            counted += 1
            by_status[status] += 1
        elif status is Status.SKIPPED:
            by_status[status] += 1  # an optional topic set aside: skipped all the same
        else:
            optional += 1
    skipped = by_status[Status.SKIPPED]
    return Tally(
        by_status[Status.DONE],
        counted - (skipped - (len(topics) - counted - optional)),
        by_status[Status.IN_PROGRESS],
        skipped,
        optional,
    )


@dataclass(frozen=True)
class Summary:
    overall: Tally
    areas: list[tuple[str, Tally]]  # (area id, tally), in roadmap order
    in_progress: list[str]  # topic ids, in roadmap order
    skipped: list[str]  # topic ids, in roadmap order
    optional: list[str]  # optional topics not started (not counted), in roadmap order
    choices: list[tuple[Group, list[str]]]  # each group, and its options done
    next_topic: Topic | None
    orphans: int  # progress entries (topics, checks) that the roadmap no longer has


def orphan_entries(roadmap: Roadmap, state: State) -> int:
    """How many topic entries and resource checks point at ids the roadmap does not have."""
    count = 0
    for topic_id, progress in state.roadmaps.get(roadmap.id, {}).items():
        try:
            topic = roadmap.topic(topic_id)
        except KeyError:
            count += 1
            continue
        count += sum(1 for item in progress.checked if item not in topic.item_ids)
    return count


def _with_choices(
    roadmap: Roadmap, state: State, topics: list[Topic], groups: list[Group]
) -> Tally:
    """The tally of ``topics`` where each of ``groups`` (choices among them) counts as
    one unit, done once the learner has completed as many of its options as it asks."""
    inside = {g.id for g in groups}

    def chosen(topic: Topic) -> bool:
        found = roadmap.group_of(topic)
        return found is not None and found[0].id in inside

    alone = _tally(roadmap, state, [t for t in topics if not chosen(t)])
    done = sum(group_done(roadmap, state, g) for g in groups)
    under_way = sum(
        not group_done(roadmap, state, g)
        and any(option_started(roadmap, state, o) for o in g.options)
        for g in groups
    )
    return replace(
        alone,
        done=alone.done + done,
        total=alone.total + len(groups),
        in_progress=alone.in_progress + under_way,
    )


def _area_tally(roadmap: Roadmap, state: State, area_id: str) -> Tally:
    """An area's tally: a choice among its own topics counts once, as in the overall
    one; a choice of whole areas leaves each area's topics counted one by one."""
    topics = roadmap.topics_in(area_id)
    ids = {t.id for t in topics}
    groups = [g for g in roadmap.groups if g.topics and all(o in ids for o in g.topics)]
    return _with_choices(roadmap, state, topics, groups)


def summarize(roadmap: Roadmap, state: State) -> Summary:
    areas = [(a.id, _area_tally(roadmap, state, a.id)) for a in roadmap.areas]

    def having(status: Status) -> list[str]:
        return [t.id for t in roadmap.topics if status_of(state, roadmap.id, t.id) is status]

    return Summary(
        overall=_with_choices(roadmap, state, list(roadmap.topics), list(roadmap.groups)),
        areas=areas,
        in_progress=having(Status.IN_PROGRESS),
        skipped=having(Status.SKIPPED),
        optional=[
            t.id
            for t in roadmap.topics
            if not counts(roadmap, state, t)
            and status_of(state, roadmap.id, t.id) is not Status.SKIPPED
        ],
        choices=[
            (g, [o for o in g.options if option_done(roadmap, state, o)]) for g in roadmap.groups
        ],
        next_topic=next_topic(roadmap, state),
        orphans=orphan_entries(roadmap, state),
    )


# --- (de)serialisation ----------------------------------------------------------------


class StateFormatError(ValueError):
    """The state data does not have the expected shape; the message names the place."""

    def __init__(self, message: str) -> None:
        super().__init__(message.rstrip("."))  # the messages it wraps end with one


def _table(value: object, place: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise StateFormatError(f"{place}: expected a table, found {type(value).__name__}")
    return value


def _datetime(value: object, place: str) -> datetime:
    if isinstance(value, str) and len(value) <= 40:  # JSON exports write ISO 8601 text
        with contextlib.suppress(ValueError):
            value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        raise StateFormatError(f"{place}: expected a date and time, found {_shown(value)}")
    if value.tzinfo is None:
        raise StateFormatError(f"{place}: the date and time has no UTC offset")
    try:
        return rules.moment(value, f"the date {value.date().isoformat()}")
    except rules.Invalid as error:
        raise StateFormatError(f"{place}: {error}") from None


def _shown(value: object) -> str:
    return repr(rules.shown(value)) if isinstance(value, str) else type(value).__name__


def _opt_datetime(data: dict[str, Any], key: str, place: str) -> datetime | None:
    value = data.get(key)
    return None if value is None else _datetime(value, f"{place}.{key}")


def _string(value: object, place: str, limit: int = rules.MAX_TEXT_CHARS) -> str:
    try:
        return rules.text(value, "the text", limit)
    except rules.Invalid as error:
        raise StateFormatError(f"{place}: {error}") from None


def _id(value: object, place: str) -> str:
    try:
        return rules.identifier(value, "the id")
    except rules.Invalid as error:
        raise StateFormatError(f"{place}: {error}") from None


def _keys(data: dict[str, Any], allowed: set[str], place: str) -> None:
    unknown = set(data) - allowed
    if unknown:
        raise StateFormatError(f"{place}: unknown key '{sorted(unknown)[0]}'")


E = TypeVar("E", bound=StrEnum)


def _enum(kind: type[E], value: object, place: str) -> E:
    if isinstance(value, str) and value in kind._value2member_map_:
        return kind(value)
    raise StateFormatError(f"{place}: unknown {kind.__name__.lower()} {value!r}")


def _note_from_dict(data: dict[str, Any], place: str) -> Note:
    _keys(data, {"at", "text", "link"}, place)
    link = data.get("link")
    if link is not None:
        try:
            link = rules.url(link, "the link")
        except rules.Invalid as error:
            raise StateFormatError(f"{place}.link: {error}") from None
    return Note(
        at=_datetime(data.get("at"), f"{place}.at"),
        text=_string(data.get("text"), f"{place}.text"),
        link=link,
    )


_TOPIC_KEYS = {
    "status",
    "started_at",
    "done_at",
    "skipped_at",
    "updated_at",
    "checked",
    "unchecked",
    "reviews",
    "notes",
    "sessions",
    "minutes",
}


def _times(data: dict[str, Any], key: str, place: str) -> dict[str, datetime]:
    table = _table(data.get(key, {}), f"{place}.{key}")
    return {_id(k, f"{place}.{key}"): _datetime(v, f"{place}.{key}.{k}") for k, v in table.items()}


def _session_from_dict(data: dict[str, Any], place: str) -> Session:
    _keys(data, {"on", "minutes", "note"}, place)
    try:
        minutes = rules.whole(data.get("minutes"), "the minutes", 1, rules.MAX_DAY_MINUTES)
    except rules.Invalid as error:
        raise StateFormatError(f"{place}.minutes: {error}") from None
    note = data.get("note")
    return Session(
        on=_datetime(data.get("on"), f"{place}.on"),
        minutes=minutes,
        note=None if note is None else _string(note, f"{place}.note"),
    )


def _recall(value: object, place: str) -> Recall:
    """A review: its moment (graded good: reviews recorded before grades existed), or
    ``{"at": ..., "grade": ...}``."""
    if isinstance(value, dict):
        _keys(value, {"at", "grade"}, place)
        grade = _enum(Grade, value.get("grade", Grade.GOOD.value), f"{place}.grade")
        return Recall(_datetime(value.get("at"), f"{place}.at"), grade)
    return Recall(_datetime(value, place))


def recall_to_plain(recall: Recall) -> datetime | dict[str, Any]:
    """A review as the text formats write it: its moment alone when graded good (so that
    a state without grades reads as it always did), else the moment and the grade."""
    if recall.grade is Grade.GOOD:
        return recall.at
    return {"at": recall.at, "grade": recall.grade.value}


def _list(data: dict[str, Any], key: str, place: str) -> list[Any]:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise StateFormatError(f"{place}.{key}: expected a list")
    return value


def _topic_from_dict(data: dict[str, Any], place: str) -> TopicProgress:
    _keys(data, _TOPIC_KEYS, place)
    notes = _list(data, "notes", place)
    sessions = _list(data, "sessions", place)
    reviews = _list(data, "reviews", place)
    minutes = data.get("minutes")
    if minutes is not None:
        try:
            rules.whole(minutes, "the minutes", 0, MAX_TOTAL_MINUTES)
        except rules.Invalid as error:
            raise StateFormatError(f"{place}.minutes: {error}") from None
    progress = TopicProgress(
        status=_enum(Status, data.get("status", Status.NOT_STARTED.value), f"{place}.status"),
        started_at=_opt_datetime(data, "started_at", place),
        done_at=_opt_datetime(data, "done_at", place),
        skipped_at=_opt_datetime(data, "skipped_at", place),
        updated_at=_opt_datetime(data, "updated_at", place),
        checked=_times(data, "checked", place),
        unchecked=_times(data, "unchecked", place),
        reviews=tuple(sorted(_recall(r, f"{place}.reviews[{i}]") for i, r in enumerate(reviews))),
        notes=tuple(
            sorted(
                (
                    _note_from_dict(_table(n, f"{place}.notes[{i}]"), f"{place}.notes[{i}]")
                    for i, n in enumerate(notes)
                ),
                key=note_key,
            )
        ),
        sessions=tuple(
            sorted(
                (
                    _session_from_dict(
                        _table(x, f"{place}.sessions[{i}]"), f"{place}.sessions[{i}]"
                    )
                    for i, x in enumerate(sessions)
                ),
                key=session_key,
            )
        ),
    )
    # Files before format 5 kept no total: it is the sum of the sessions.
    total = sum(x.minutes for x in progress.sessions) if minutes is None else minutes
    if progress.status is Status.DONE:
        try:
            rules.in_order(progress.started_at, progress.done_at, "done_at")
        except rules.Invalid as error:
            raise StateFormatError(f"{place}: {error}") from None
    return replace(progress, minutes=total)


#: The most study time a topic can hold: every day of the supported years, full.
MAX_TOTAL_MINUTES = (rules.LAST_YEAR - rules.FIRST_YEAR + 1) * 366 * rules.MAX_DAY_MINUTES


def _ids(data: dict[str, Any], key: str, place: str) -> tuple[str, ...]:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise StateFormatError(f"{place}.{key}: expected a list")
    return tuple(_string(v, f"{place}.{key}") for v in value)


def _restore_from_dict(data: object, place: str) -> dict[str, dict[str, TopicProgress | None]]:
    restore: dict[str, dict[str, TopicProgress | None]] = {}
    for roadmap_id, topics in _table(data, place).items():
        roadmap_id = _id(roadmap_id, place)
        restore[roadmap_id] = {}
        for topic_id, entry in _table(topics, f"{place}.{roadmap_id}").items():
            topic_id = _id(topic_id, f"{place}.{roadmap_id}")
            where = f"{place}.{roadmap_id}.{topic_id}"
            table = _table(entry, where)
            absent = table.get("absent") is True
            restore[roadmap_id][topic_id] = None if absent else _topic_from_dict(table, where)
    return restore


def change_from_dict(data: dict[str, Any], place: str) -> Change:
    allowed = {"at", "action", "roadmap", "topic", "before", "resources", "note", "source"}
    allowed |= {"session", "grade"}
    session = data.get("session")
    grade = data.get("grade")
    _keys(data, allowed | {"restore", "added", "brought"}, place)
    note = data.get("note")
    source = data.get("source")
    brought = data.get("brought")
    action = _enum(Action, data.get("action"), f"{place}.action")
    # an import is no topic's change: its roadmap and topic are empty
    where = _string if action is Action.IMPORT else _id
    return Change(
        at=_datetime(data.get("at"), f"{place}.at"),
        action=action,
        roadmap=where(data.get("roadmap"), f"{place}.roadmap"),
        topic=where(data.get("topic"), f"{place}.topic"),
        before=_topic_from_dict(_table(data.get("before", {}), f"{place}.before"), place),
        resources=tuple(_id(r, f"{place}.resources") for r in _ids(data, "resources", place)),
        note=None if note is None else _note_from_dict(_table(note, f"{place}.note"), place),
        session=None
        if session is None
        else _session_from_dict(_table(session, f"{place}.session"), f"{place}.session"),
        grade=None if grade in (None, "good") else _enum(Grade, grade, f"{place}.grade"),
        source=None if source is None else _string(source, f"{place}.source"),
        restore=_restore_from_dict(data.get("restore", {}), f"{place}.restore"),
        added=_ids(data, "added", place),
        brought=None if brought is None else _brought_from_list(brought, f"{place}.brought"),
    )


def _brought_from_list(value: object, place: str) -> tuple[tuple[str, str, Note | Session], ...]:
    if not isinstance(value, list):
        raise StateFormatError(f"{place}: expected a list")
    items: list[tuple[str, str, Note | Session]] = []
    for i, raw in enumerate(value):
        where = f"{place}[{i}]"
        entry = dict(_table(raw, where))
        kind = entry.pop("kind", None)
        roadmap_id = _id(entry.pop("roadmap", None), f"{where}.roadmap")
        topic_id = _id(entry.pop("topic", None), f"{where}.topic")
        if kind == "note":
            items.append((roadmap_id, topic_id, _note_from_dict(entry, where)))
        elif kind == "session":
            items.append((roadmap_id, topic_id, _session_from_dict(entry, where)))
        else:
            raise StateFormatError(f"{where}.kind: unknown kind {kind!r}")
    return tuple(items)


def state_from_v4_dict(data: dict[str, Any]) -> State:
    """A State from format 4 data (everything inline; the store migrates older formats
    to it). The day summary is the database's to compute."""
    _keys(data, {"version", "roadmaps", "log"}, "(top level)")
    roadmaps: dict[str, dict[str, TopicProgress]] = {}
    for roadmap_id, entry in _table(data.get("roadmaps", {}), "roadmaps").items():
        place = f"roadmaps.{_id(roadmap_id, 'roadmaps')}"
        _keys(_table(entry, place), {"topics"}, place)
        topics = _table(entry.get("topics", {}), f"{place}.topics")
        roadmaps[roadmap_id] = {
            _id(topic_id, f"{place}.topics"): _topic_from_dict(
                _table(value, f"{place}.topics.{topic_id}"), f"{place}.topics.{topic_id}"
            )
            for topic_id, value in topics.items()
        }
    log = data.get("log", [])
    if not isinstance(log, list):
        raise StateFormatError("log: expected a list of changes")
    changes = tuple(
        change_from_dict(_table(c, f"log[{i}]"), f"log[{i}]") for i, c in enumerate(log)
    )
    return State(_without_empty(roadmaps), changes)


# The shapes that formats 1 to 5, exports and the database's JSON entries write (keys
# with no value are left out, hence total=False). Dates are datetimes here; JSON writes
# them as ISO 8601 text, TOML as its own dates.


class NoteEntry(TypedDict, total=False):
    at: datetime
    text: str
    link: str


class SessionEntry(TypedDict, total=False):
    on: datetime
    minutes: int
    note: str


class TopicEntry(TypedDict, total=False):
    status: str
    started_at: datetime
    done_at: datetime
    skipped_at: datetime
    updated_at: datetime
    checked: dict[str, datetime]
    unchecked: dict[str, datetime]
    reviews: list[datetime | dict[str, Any]]  # a moment: graded good
    notes: list[NoteEntry]
    sessions: list[SessionEntry]
    minutes: int


class ChangeEntry(TypedDict, total=False):
    at: datetime
    action: str
    roadmap: str
    topic: str
    resources: list[str]
    note: NoteEntry
    session: SessionEntry
    grade: str
    source: str
    before: TopicEntry
    restore: dict[str, dict[str, TopicEntry | dict[str, bool]]]  # {"absent": True}: none
    added: list[str]
    brought: list[dict[str, Any]]  # journal entries of notes and sessions


def _note_to_dict(note: Note) -> NoteEntry:
    return cast(NoteEntry, _without_none({"at": note.at, "text": note.text, "link": note.link}))


def _without_none(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v is not None and v != {} and v != []}


def _session_to_dict(session: Session) -> SessionEntry:
    fields = {"on": session.on, "minutes": session.minutes, "note": session.note}
    return cast(SessionEntry, _without_none(fields))


def _topic_to_dict(progress: TopicProgress) -> TopicEntry:
    return cast(
        TopicEntry,
        _without_none(
            {
                "status": progress.status.value,
                "started_at": progress.started_at,
                "done_at": progress.done_at,
                "skipped_at": progress.skipped_at,
                "updated_at": progress.updated_at,
                "checked": dict(sorted(progress.checked.items())),
                "unchecked": dict(sorted(progress.unchecked.items())),
                "reviews": [recall_to_plain(r) for r in progress.reviews],
                "notes": [_note_to_dict(n) for n in progress.notes],
                "sessions": [_session_to_dict(x) for x in progress.sessions],
                "minutes": progress.minutes or None,
            }
        ),
    )


def change_to_dict(change: Change) -> ChangeEntry:
    data = _change_fields(change)
    if change.brought is not None:  # kept even when empty: it says how to undo
        data["brought"] = [journal_entry(*item) for item in change.brought]
    return data


def _change_fields(change: Change) -> ChangeEntry:
    return cast(
        ChangeEntry,
        _without_none(
            {
                "at": change.at,
                "action": change.action.value,
                "roadmap": change.roadmap,
                "topic": change.topic,
                "resources": list(change.resources),
                "note": None if change.note is None else _note_to_dict(change.note),
                "session": None if change.session is None else _session_to_dict(change.session),
                "grade": None if change.grade is None else change.grade.value,
                "source": change.source,
                "before": _topic_to_dict(change.before),
                "restore": {
                    roadmap_id: {
                        topic_id: {"absent": True} if p is None else _topic_to_dict(p)
                        for topic_id, p in sorted(topics.items())
                    }
                    for roadmap_id, topics in sorted(change.restore.items())
                },
                "added": list(change.added),
            }
        ),
    )


# Format 5 (the last state file before the database, and the body of every export) keeps
# the status of every topic and the day summary first, then the journal: notes, study
# sessions and changes, one entry each, oldest first.

JOURNAL_KINDS = ("note", "session", "change")


def status_dict(state: State) -> dict[str, Any]:
    """Format 5's first part: everything but notes, sessions and the log."""
    roadmaps: dict[str, Any] = {}
    for roadmap_id in sorted({*state.roadmaps, *state.days}):
        topics = {
            topic_id: status
            for topic_id, progress in sorted(state.roadmaps.get(roadmap_id, {}).items())
            if (status := topic_status(progress))
        }
        text = days_text(state.days.get(roadmap_id, {}))
        roadmaps[roadmap_id] = _without_none({"topics": topics, "days": text or None})
    return _without_none({"version": STATE_VERSION, "roadmaps": roadmaps})


def topic_status(progress: TopicProgress) -> TopicEntry:
    """A topic's entry in the first part ({} for one with nothing to keep there)."""
    tracked = progress.tracked()
    return {} if tracked == NOT_STARTED else _topic_to_dict(tracked)


def days_text(days: Mapping[str, tuple[int, int]]) -> str:
    return " ".join(f"{day}/{m}/{c}" for day, (m, c) in sorted(days.items()))


def journal_entries(state: State) -> list[dict[str, Any]]:
    """Format 5's journal, in the order appending writes it: each change after the note
    or session it added; notes and sessions that no change in the log added (merged in,
    or from an old format) come first."""
    items: Counter[tuple[str, str, Note | Session]] = Counter()
    for roadmap_id, topics in state.roadmaps.items():
        for topic_id, progress in topics.items():
            added: tuple[Note | Session, ...] = (*progress.notes, *progress.sessions)
            items.update((roadmap_id, topic_id, x) for x in added)
    linked: list[tuple[str, str, Note | Session] | None] = []
    for change in state.log:
        made = change.note or change.session
        key = None if made is None else (change.roadmap, change.topic, made)
        if key is not None and items[key] > 0:
            items[key] -= 1
            linked.append(key)
        else:
            linked.append(None)
    first = sorted(items.elements(), key=lambda k: (k[0], k[1], _item_key(k[2])))
    entries = [journal_entry(*key) for key in first]
    for change, key in zip(state.log, linked, strict=True):
        if key is not None:
            entries.append(journal_entry(*key))
        entries.append({"kind": "change", **change_to_dict(change)})
    return entries


def _item_key(item: Note | Session) -> tuple[Any, ...]:
    return (0, *note_key(item)) if isinstance(item, Note) else (1, *session_key(item))


def journal_entry(roadmap_id: str, topic_id: str, item: Note | Session | Change) -> dict[str, Any]:
    """One entry of format 5's journal: a note or a study session of a topic, or a change."""
    if isinstance(item, Change):
        return {"kind": "change", **change_to_dict(item)}
    where = {"roadmap": roadmap_id, "topic": topic_id}
    if isinstance(item, Note):
        return {"kind": "note", **where, **_note_to_dict(item)}
    return {"kind": "session", **where, **_session_to_dict(item)}


def entry_json(entry: dict[str, Any]) -> str:
    """One journal entry (see :func:`journal_entry`) as compact JSON text, dates as
    ISO 8601 text: how the database keeps it and a JSON export writes it."""
    import json

    def iso(value: object) -> str:
        if isinstance(value, datetime):
            return value.isoformat()
        raise TypeError(f"cannot write {type(value).__name__} as JSON")

    return json.dumps(entry, default=iso, ensure_ascii=False, separators=(",", ":"))


def state_to_dict(state: State) -> dict[str, Any]:
    """The whole state in format 5 (the state file, and exports)."""
    _require_complete(state, "writing the whole state")
    journal = journal_entries(state)
    return {**status_dict(state), **({"journal": journal} if journal else {})}


def state_from_dict(data: dict[str, Any], journal: list[Any] | None = None) -> State:
    """A State from format 5 data. The journal is ``data["journal"]``, or ``journal``
    when given apart; with neither, the state is the first part only (not complete)."""
    _keys(data, {"version", "roadmaps", "journal"}, "(top level)")
    if journal is None and "journal" in data:
        journal = data["journal"]
        if not isinstance(journal, list):
            raise StateFormatError("journal: expected a list of entries")
    roadmaps: dict[str, dict[str, TopicProgress]] = {}
    days: dict[str, dict[str, tuple[int, int]]] = {}
    for roadmap_id, entry in _table(data.get("roadmaps", {}), "roadmaps").items():
        place = f"roadmaps.{_id(roadmap_id, 'roadmaps')}"
        _keys(_table(entry, place), {"topics", "days"}, place)
        topics = _table(entry.get("topics", {}), f"{place}.topics")
        roadmaps[roadmap_id] = {
            _id(topic_id, f"{place}.topics"): _topic_from_dict(
                _table(value, f"{place}.topics.{topic_id}"), f"{place}.topics.{topic_id}"
            )
            for topic_id, value in topics.items()
        }
        days[roadmap_id] = _days_from_text(entry.get("days", ""), f"{place}.days")
    roadmaps, days = _without_empty(roadmaps), _without_empty(days)
    if journal is None:
        return State(roadmaps, (), days, complete=False)
    return _with_journal(State(roadmaps, (), days), journal, complete=True)


V = TypeVar("V")


def _without_empty(tables: dict[str, dict[str, V]]) -> dict[str, dict[str, V]]:
    """Leave out the roadmaps with nothing in them, as the operations do: the same
    progress is always the same value, however it was written."""
    return {key: value for key, value in tables.items() if value}


def _days_from_text(value: object, place: str) -> dict[str, tuple[int, int]]:
    """The day summary, kept as one string of ``YYYY-MM-DD/minutes/changes`` words (one
    value to read, however long the history)."""
    # a word per day, of every day of the supported years at most
    text = _string(value, place, (rules.LAST_YEAR - rules.FIRST_YEAR + 1) * 366 * 32)
    days: dict[str, tuple[int, int]] = {}
    for word in text.split():
        day, _, rest = word.partition("/")
        minutes, _, changes = rest.partition("/")
        problem = None
        if not (len(day) == 10 and minutes.isdigit() and changes.isdigit()):
            problem = "expected day/minutes/changes"
        elif len(minutes) > 4 or int(minutes) > rules.MAX_DAY_MINUTES or len(changes) > 9:
            problem = "more than a day can hold"
        else:
            try:
                rules.parse_moment(day + "T00:00+00:00", "the day")
            except rules.Invalid as error:
                problem = str(error).rstrip(".")
        if problem is not None:
            raise StateFormatError(f"{place}: {problem}, found {rules.shown(word)!r}")
        days[day] = (int(minutes), int(changes))
    return days


def _with_journal(state: State, journal: list[Any], complete: bool) -> State:
    notes: dict[tuple[str, str], list[Note]] = {}
    sessions: dict[tuple[str, str], list[Session]] = {}
    log: list[Change] = []
    for i, raw in enumerate(journal):
        place = f"journal[{i}]"
        entry = dict(_table(raw, place))
        kind = entry.pop("kind", None)
        if kind == "change":
            log.append(change_from_dict(entry, place))
            continue
        if kind not in JOURNAL_KINDS:
            raise StateFormatError(f"{place}.kind: unknown kind {kind!r}")
        key = (
            _id(entry.pop("roadmap", None), f"{place}.roadmap"),
            _id(entry.pop("topic", None), f"{place}.topic"),
        )
        if kind == "note":
            notes.setdefault(key, []).append(_note_from_dict(entry, place))
        else:
            sessions.setdefault(key, []).append(_session_from_dict(entry, place))
    roadmaps = {r: dict(t) for r, t in state.roadmaps.items()}
    for key in {*notes, *sessions}:
        roadmap_id, topic_id = key
        current = roadmaps.setdefault(roadmap_id, {}).get(topic_id, NOT_STARTED)
        roadmaps[roadmap_id][topic_id] = replace(
            current,
            notes=tuple(sorted(notes.get(key, []), key=note_key)),
            sessions=tuple(sorted(sessions.get(key, []), key=session_key)),
        )
    return replace(state, roadmaps=roadmaps, log=tuple(log), complete=complete)


# --- durations ------------------------------------------------------------------------


def duration_text(minutes: int) -> str:
    """``1h30m``, ``2h``, ``45m``."""
    hours, rest = divmod(minutes, 60)
    return f"{hours}h{rest:02d}m" if hours and rest else f"{hours}h" if hours else f"{rest}m"
