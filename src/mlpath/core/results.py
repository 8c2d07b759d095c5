"""What each command's outputs are made of: one frozen result per command, built here
from the roadmap and the state (and the time, given: nothing here reads a clock).

Every view, JSON document, Markdown checklist, page, picture and calendar in
:mod:`mlpath.render` is a function of one of these results; none of them reads the
roadmap or the state itself, so what a command shows is decided once, here, and the
outputs only differ in how they say it.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from mlpath.core.progress import (
    Change,
    State,
    Status,
    Summary,
    TopicProgress,
    alternatives,
    blocked_topics,
    ready_topics,
    summarize,
)
from mlpath.core.roadmap import Area, Group, Roadmap, Topic

if TYPE_CHECKING:
    from mlpath.core.cohort import Learner, TopicCount
    from mlpath.core.pace import PaceSummary, Review
    from mlpath.core.plan import GoalStatus, Plan
    from mlpath.core.search import Hit


@dataclass(frozen=True)
class PathInfo:
    """The roadmap as every output heads it."""

    id: str
    title: str
    schema: int
    source: str
    choices: bool  # the roadmap has choices: progress counts "topics and choices"


def path_info(roadmap: Roadmap) -> PathInfo:
    return PathInfo(roadmap.id, roadmap.title, roadmap.schema, roadmap.source, bool(roadmap.groups))


@dataclass(frozen=True)
class Entry:
    """One topic and the learner's standing on it."""

    number: int  # its place in the roadmap, from 1
    topic: Topic
    area: Area
    progress: TopicProgress
    optional: bool  # the topic or its whole area is optional
    choice: Group | None  # the choice it is an option of (or part of one)

    @property
    def id(self) -> str:
        return self.topic.id

    @property
    def status(self) -> Status:
        return self.progress.status


def entry(roadmap: Roadmap, state: State, topic: Topic, number: int = 0) -> Entry:
    found = roadmap.group_of(topic)
    return Entry(
        number,
        topic,
        roadmap.area(topic.area),
        state.topic(roadmap.id, topic.id),
        roadmap.is_optional(topic),
        None if found is None else found[0],
    )


@dataclass(frozen=True)
class Standing:
    """The whole roadmap as the learner stands on it: each topic in order, the choices,
    and the tallies."""

    path: PathInfo
    areas: tuple[Area, ...]
    entries: tuple[Entry, ...]
    groups: tuple[Group, ...]
    summary: Summary

    @functools.cached_property
    def _by_id(self) -> dict[str, Entry]:
        return {e.id: e for e in self.entries}

    def entry(self, topic_id: str) -> Entry:
        return self._by_id[topic_id]

    def has_topic(self, topic_id: str) -> bool:
        return topic_id in self._by_id

    def in_area(self, area_id: str) -> list[Entry]:
        return [e for e in self.entries if e.area.id == area_id]

    def area_title(self, area_id: str) -> str:
        return next(a.title for a in self.areas if a.id == area_id)

    def option_entries(self, option: str) -> list[Entry]:
        """The topics of one option of a choice: the topic, or the area's topics."""
        return [self.entry(option)] if self.has_topic(option) else self.in_area(option)


def standing(roadmap: Roadmap, state: State, summary: Summary | None = None) -> Standing:
    return Standing(
        path_info(roadmap),
        roadmap.areas,
        tuple(entry(roadmap, state, t, n) for n, t in enumerate(roadmap.topics, start=1)),
        roadmap.groups,
        summarize(roadmap, state) if summary is None else summary,
    )


# --- list, show, next ----------------------------------------------------------------


@dataclass(frozen=True)
class ListResult:
    """``mlpath list``: the topics chosen by the filters, within the whole standing."""

    standing: Standing
    selection: frozenset[str]

    def shown(self) -> list[tuple[Area, list[Entry]]]:
        """The areas with a topic chosen, each with its chosen topics, in order."""
        found = [
            (area, [e for e in self.standing.in_area(area.id) if e.id in self.selection])
            for area in self.standing.areas
        ]
        return [(area, entries) for area, entries in found if entries]


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


# --- progress, stats, history ----------------------------------------------------------


@dataclass(frozen=True)
class ProgressResult:
    """``mlpath progress``: the standing, the time and pace, the goal."""

    standing: Standing
    pace: PaceSummary
    goal: GoalStatus | None = None


@dataclass(frozen=True)
class StatsResult:
    """``mlpath stats``: time per topic against its estimate, per week, the pace and
    how reviews went (``recalled``: reviews in 90 days, and those remembered)."""

    path: PathInfo
    entries: tuple[Entry, ...]
    minutes: Mapping[str, int]  # topic id -> minutes logged
    per_week: tuple[tuple[date, int], ...]  # week's first day, minutes; oldest first
    pace: PaceSummary
    recalled: tuple[int, int]


@dataclass(frozen=True)
class HistoryResult:
    """``mlpath history``: the changes asked for, oldest first."""

    changes: tuple[Change, ...]


# --- review ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewItem:
    review: Review
    entry: Entry


@dataclass(frozen=True)
class ReviewResult:
    """``mlpath review``: the reviews due (oldest first), with their topics, and those
    to come."""

    path: PathInfo
    due: tuple[ReviewItem, ...]
    upcoming: tuple[Review, ...]


def review_result(
    roadmap: Roadmap, state: State, due: Sequence[Review], upcoming: Sequence[Review]
) -> ReviewResult:
    items = tuple(ReviewItem(r, entry(roadmap, state, r.topic)) for r in due)
    return ReviewResult(path_info(roadmap), items, tuple(upcoming))


# --- plan, search, roadmaps ------------------------------------------------------------


@dataclass(frozen=True)
class PlanResult:
    """``mlpath plan``: the weeks laid out, how the hours a week were chosen, the date
    asked for and whether the plan meets it."""

    path: PathInfo
    plan: Plan
    intro: str
    by: date | None
    reachable: bool


@dataclass(frozen=True)
class SearchResult:
    path: PathInfo
    query: str
    hits: tuple[Hit, ...]


@dataclass(frozen=True)
class Counts:
    """How much a roadmap holds."""

    areas: int
    topics: int
    optional: int
    resources: int
    estimates: int


def counts(roadmap: Roadmap) -> Counts:
    return Counts(
        len(roadmap.areas),
        len(roadmap.topics),
        sum(1 for t in roadmap.topics if roadmap.is_optional(t)),
        sum(len(t.resources) for t in roadmap.topics),
        sum(1 for t in roadmap.topics if t.estimate_hours is not None),
    )


@dataclass(frozen=True)
class RoadmapInfo:
    """``mlpath roadmap info``: which roadmap is used, from which file, and why."""

    path: PathInfo
    file: str
    bundled: bool
    chosen_by: str
    counts: Counts


# --- cohort ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Cohort:
    """``mlpath cohort``: a row per learner, who is on or past each topic, and the files
    that could not be used."""

    path: PathInfo
    learners: tuple[Learner, ...]
    counts: tuple[TopicCount, ...]
    skipped: tuple[str, ...]
