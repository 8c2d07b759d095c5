"""The learner's progress and the operations on it.

Pure: no file system, no clock (the time is passed in), no printing. The store turns a
state file into a :class:`State` with :func:`state_from_dict` and back with
:func:`state_to_dict`; the commands call the operations here and hand their results on.

Progress is keyed by roadmap id, then topic id, so several roadmaps share one state and a
roadmap can be re-ordered freely. Entries for topics a roadmap no longer has are kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from mlpath.roadmap import Roadmap, Topic

#: The state format this version writes. Older formats are migrated by the store.
STATE_VERSION = 1


class Status(StrEnum):
    NOT_STARTED = "not-started"
    DONE = "done"

    @property
    def label(self) -> str:
        return self.value.replace("-", " ")


@dataclass(frozen=True)
class TopicProgress:
    status: Status = Status.NOT_STARTED
    done_at: datetime | None = None


NOT_STARTED = TopicProgress()


@dataclass(frozen=True)
class State:
    """All progress: roadmap id -> topic id -> progress."""

    roadmaps: dict[str, dict[str, TopicProgress]] = field(default_factory=dict)

    def topic(self, roadmap_id: str, topic_id: str) -> TopicProgress:
        return self.roadmaps.get(roadmap_id, {}).get(topic_id, NOT_STARTED)

    def with_topic(self, roadmap_id: str, topic_id: str, progress: TopicProgress) -> State:
        topics = dict(self.roadmaps.get(roadmap_id, {}))
        topics[topic_id] = progress
        return replace(self, roadmaps={**self.roadmaps, roadmap_id: topics})


# --- operations ----------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What an operation did: the new state and whether anything changed."""

    state: State
    changed: bool
    progress: TopicProgress


def mark_done(state: State, roadmap_id: str, topic_id: str, now: datetime) -> Outcome:
    """Record a topic as done at ``now``; a topic already done is left as it was."""
    current = state.topic(roadmap_id, topic_id)
    if current.status is Status.DONE:
        return Outcome(state, False, current)
    progress = replace(current, status=Status.DONE, done_at=now)
    return Outcome(state.with_topic(roadmap_id, topic_id, progress), True, progress)


def is_done(state: State, roadmap_id: str, topic_id: str) -> bool:
    return state.topic(roadmap_id, topic_id).status is Status.DONE


def next_topic(roadmap: Roadmap, state: State) -> Topic | None:
    """The first topic, in roadmap order, that is not done and whose prerequisites are.

    None when every topic is done. When nothing is ready (a prerequisite can only be
    missing through a cycle, which the roadmap loader refuses), the first unfinished topic.
    """
    unfinished = [t for t in roadmap.topics if not is_done(state, roadmap.id, t.id)]
    for topic in unfinished:
        if all(is_done(state, roadmap.id, req) for req in topic.requires):
            return topic
    return unfinished[0] if unfinished else None


@dataclass(frozen=True)
class Tally:
    done: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


@dataclass(frozen=True)
class Summary:
    overall: Tally
    areas: list[tuple[str, Tally]]  # (area id, tally), in roadmap order
    next_topic: Topic | None
    orphans: list[str]  # topic ids with progress that the roadmap no longer has


def summarize(roadmap: Roadmap, state: State) -> Summary:
    areas = []
    for area in roadmap.areas:
        topics = roadmap.topics_in(area.id)
        done = sum(is_done(state, roadmap.id, t.id) for t in topics)
        areas.append((area.id, Tally(done, len(topics))))
    known = {t.id for t in roadmap.topics}
    orphans = sorted(set(state.roadmaps.get(roadmap.id, {})) - known)
    return Summary(
        overall=Tally(sum(t.done for _, t in areas), len(roadmap.topics)),
        areas=areas,
        next_topic=next_topic(roadmap, state),
        orphans=orphans,
    )


# --- (de)serialisation ----------------------------------------------------------------


class StateFormatError(ValueError):
    """The state data does not have the expected shape; the message names the place."""


def _table(value: object, place: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise StateFormatError(f"{place}: expected a table, found {type(value).__name__}")
    return value


def _datetime(value: object, place: str) -> datetime:
    if not isinstance(value, datetime):
        raise StateFormatError(f"{place}: expected a date and time, found {value!r}")
    if value.tzinfo is None:
        raise StateFormatError(f"{place}: the date and time has no UTC offset")
    return value


def _topic_from_dict(data: dict[str, Any], place: str) -> TopicProgress:
    unknown = set(data) - {"status", "done_at"}
    if unknown:
        raise StateFormatError(f"{place}: unknown key '{sorted(unknown)[0]}'")
    try:
        status = Status(data.get("status", Status.NOT_STARTED.value))
    except ValueError:
        raise StateFormatError(f"{place}.status: unknown status {data.get('status')!r}") from None
    done_at = data.get("done_at")
    return TopicProgress(
        status=status,
        done_at=None if done_at is None else _datetime(done_at, f"{place}.done_at"),
    )


def state_from_dict(data: dict[str, Any]) -> State:
    """Build a State from the current format's data (without its ``version`` key)."""
    unknown = set(data) - {"version", "progress"}
    if unknown:
        raise StateFormatError(f"unknown key '{sorted(unknown)[0]}'")
    roadmaps: dict[str, dict[str, TopicProgress]] = {}
    for roadmap_id, topics in _table(data.get("progress", {}), "progress").items():
        place = f"progress.{roadmap_id}"
        roadmaps[roadmap_id] = {
            topic_id: _topic_from_dict(_table(entry, f"{place}.{topic_id}"), f"{place}.{topic_id}")
            for topic_id, entry in _table(topics, place).items()
        }
    return State(roadmaps)


def state_to_dict(state: State) -> dict[str, Any]:
    progress: dict[str, Any] = {}
    for roadmap_id, topics in sorted(state.roadmaps.items()):
        entries: dict[str, Any] = {}
        for topic_id, entry in sorted(topics.items()):
            item: dict[str, Any] = {"status": entry.status.value}
            if entry.done_at is not None:
                item["done_at"] = entry.done_at
            entries[topic_id] = item
        progress[roadmap_id] = entries
    return {"version": STATE_VERSION, "progress": progress}
