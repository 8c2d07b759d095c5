"""What each command's outputs are made of: one frozen result per command, built from
the roadmap and the state (and the time, given: nothing here reads a clock).

Every view, JSON document, Markdown checklist, page, picture and calendar in
:mod:`mlpath.render` is a function of one of these results; none of them reads the
roadmap or the state itself, so what a command shows is decided once, and the outputs
only differ in how they say it.

Here: the whole roadmap as the learner stands on it (:class:`Standing`, one
:class:`Entry` per topic), and the results of ``list`` and ``progress`` made of it.
:mod:`.topics` holds those of ``show`` and ``next``, :mod:`.reports` the others. They
are apart because a dataclass costs about a millisecond to make at import, and each
command imports only the results it shows.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mlpath.core.progress import State, Status, Summary, TopicProgress, summarize
from mlpath.core.roadmap import Area, Group, Roadmap, Topic

if TYPE_CHECKING:
    from mlpath.core.pace import PaceSummary
    from mlpath.core.plan import GoalStatus


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


# --- list, progress ------------------------------------------------------------------


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
class ProgressResult:
    """``mlpath progress``: the standing, the time and pace, the goal."""

    standing: Standing
    pace: PaceSummary
    goal: GoalStatus | None = None
