"""The results of the commands that report, plan, search and describe: ``stats``,
``history``, ``review``, ``plan``, ``search``, ``roadmap info`` and ``cohort``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from mlpath.core.progress import Change, State
from mlpath.core.results import Entry, PathInfo, entry, path_info
from mlpath.core.roadmap import Roadmap

if TYPE_CHECKING:
    from mlpath.core.cohort import Learner, TopicCount
    from mlpath.core.pace import PaceSummary, Review
    from mlpath.core.plan import Plan
    from mlpath.core.search import Hit


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
