"""The results of ``show`` (one topic) and ``next`` (what to study now)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from mlpath.core.progress import (
    State,
    Status,
    alternatives,
    blocked_topics,
    ready_topics,
    summarize,
)
from mlpath.core.results import Entry, PathInfo, entry, path_info
from mlpath.core.roadmap import Roadmap, Topic

if TYPE_CHECKING:
    from mlpath.core.pace import Review
    from mlpath.core.plan import GoalStatus


@dataclass(frozen=True)
class ShowResult:
    """``mlpath show``: one topic, what it requires (with their statuses) and, done, its
    next review."""

    path: PathInfo
    entry: Entry
    requires: tuple[tuple[str, Status], ...]
    review: Review | None = None
    next_up: bool = False  # shown as the next topic (no topic was named)


def show_result(
    roadmap: Roadmap,
    state: State,
    topic: Topic,
    review: Review | None = None,
    *,
    next_up: bool = False,
) -> ShowResult:
    requires = tuple((req, state.topic(roadmap.id, req).status) for req in topic.requires)
    number = roadmap.topics.index(topic) + 1
    return ShowResult(
        path_info(roadmap), entry(roadmap, state, topic, number), requires, review, next_up
    )


@dataclass(frozen=True)
class NextItem:
    """A topic to study now; ``instead_of``: the topic it is another option to."""

    entry: Entry
    instead_of: str | None = None


@dataclass(frozen=True)
class NextResult:
    """``mlpath next``: the topics ready to study, or why there is none (``blocked``:
    topic id -> the prerequisites it waits on; ``optional_left``: optional topics not
    started), the reviews due and the goal."""

    path: PathInfo
    items: tuple[NextItem, ...]
    blocked: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    optional_left: tuple[str, ...] = ()
    reviews_due: tuple[Review, ...] = ()
    goal: GoalStatus | None = None

    @property
    def ready(self) -> tuple[NextItem, ...]:
        return tuple(i for i in self.items if i.instead_of is None)


def next_result(
    roadmap: Roadmap,
    state: State,
    *,
    every: bool = False,
    reviews_due: Sequence[Review] = (),
    goal: GoalStatus | None = None,
) -> NextResult:
    """The first topic ready (``every``: all of them) and the other options of its
    choice; with none ready, what waits on what."""
    ready = ready_topics(roadmap, state)
    chosen = ready if every else ready[:1]
    instead = [] if every or not ready else alternatives(roadmap, state, ready[0], ready)
    numbers = {t.id: n for n, t in enumerate(roadmap.topics, start=1)}
    items = tuple(NextItem(entry(roadmap, state, t, numbers[t.id])) for t in chosen) + tuple(
        NextItem(entry(roadmap, state, t, numbers[t.id]), chosen[0].id) for t in instead
    )
    blocked: dict[str, tuple[str, ...]] = {}
    optional_left: tuple[str, ...] = ()
    if not chosen:
        blocked = {k: tuple(v) for k, v in blocked_topics(roadmap, state).items()}
        optional_left = tuple(summarize(roadmap, state).optional)
    return NextResult(path_info(roadmap), items, blocked, optional_left, tuple(reviews_due), goal)
