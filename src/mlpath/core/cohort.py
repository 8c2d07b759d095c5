"""A mentor's view of several learners: one row per learner, and how many are on or past
each topic. Pure: learners' progress (as merged from their exports) in, figures out."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from mlpath.core.exchange import merge_topics
from mlpath.core.pace import reviews, schedules_of
from mlpath.core.progress import State, Status, next_topic, summarize
from mlpath.core.recall import RETENTION
from mlpath.core.roadmap import Roadmap, Topic

#: The window of "hours in the last 4 weeks".
RECENT = timedelta(weeks=4)


@dataclass(frozen=True)
class Learner:
    """One learner's figures on one roadmap."""

    name: str
    files: tuple[str, ...]  # their exports, one per device
    done: int
    total: int
    percent: int
    current: Topic | None  # the topic in progress started last, else the next one
    current_started: bool  # whether ``current`` is in progress (else: next)
    recent_minutes: int  # study time logged in the last 4 weeks
    last_active: datetime | None  # the latest change, note or study session
    stuck: tuple[str, ...]  # topics in progress for longer than the limit
    reviews_overdue: int  # reviews due before today


def merged(states: Iterable[State]) -> State:
    """One learner's progress from their devices' exports (the merge of an import)."""
    result = State()
    for state in states:
        result = merge_topics(result, state.roadmaps).state
    return result


def learner(
    roadmap: Roadmap,
    name: str,
    files: Sequence[str],
    state: State,
    now: datetime,
    stuck_after: timedelta,
    retention: float = RETENTION,
) -> Learner:
    summary = summarize(roadmap, state)
    topics = {t.id: t for t in roadmap.topics}
    mine = state.roadmaps.get(roadmap.id, {})
    started = sorted(
        (p.started_at, topic_id)
        for topic_id, p in mine.items()
        if topic_id in topics and p.status is Status.IN_PROGRESS and p.started_at is not None
    )
    current = topics[started[-1][1]] if started else next_topic(roadmap, state)
    moments = [
        m
        for p in mine.values()
        for m in (
            p.updated_at,
            *p.checked.values(),
            *p.unchecked.values(),
            *(r.at for r in p.reviews),
            *(n.at for n in p.notes),
            *(s.on for s in p.sessions),
        )
        if m is not None
    ]
    today = datetime.combine(now.date(), time(), now.tzinfo)
    scheduled = reviews(roadmap, schedules_of(roadmap, state, retention), now, retention)
    return Learner(
        name=name,
        files=tuple(files),
        done=summary.overall.done,
        total=summary.overall.total,
        percent=summary.overall.percent,
        current=current,
        current_started=bool(started),
        recent_minutes=sum(
            s.minutes
            for topic_id, p in mine.items()
            if topic_id in topics
            for s in p.sessions
            if now - RECENT <= s.on <= now
        ),
        last_active=max(moments, default=None),
        stuck=tuple(topic_id for at, topic_id in started if now - at > stuck_after),
        reviews_overdue=sum(1 for r in scheduled if r.due < today),
    )


@dataclass(frozen=True)
class TopicCount:
    topic: Topic
    on: int  # learners with the topic in progress
    past: int  # learners who finished it (done or skipped)


def topic_counts(roadmap: Roadmap, states: Sequence[State]) -> list[TopicCount]:
    """How many learners are on, and past, each topic, in roadmap order."""
    counts = []
    for topic in roadmap.topics:
        statuses = [s.topic(roadmap.id, topic.id).status for s in states]
        counts.append(
            TopicCount(
                topic,
                sum(1 for s in statuses if s is Status.IN_PROGRESS),
                sum(1 for s in statuses if s in (Status.DONE, Status.SKIPPED)),
            )
        )
    return counts
