"""Planning what is left of the path: the hours each topic still needs (its estimate less
the time logged), in an order that puts prerequisites first, laid out week by week at a
number of hours a week, or the hours a week a date asks for; and how a learner stands
against a goal date. Pure: progress in, plans out."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

from mlpath.core.pace import path_topics
from mlpath.core.progress import State
from mlpath.core.roadmap import Roadmap, Topic

#: The most hours a week a plan asks for; a date that needs more is out of reach.
MAX_HOURS_PER_WEEK = 40.0


@dataclass(frozen=True)
class Step:
    """A topic left on the path and the hours it still needs."""

    topic: Topic
    hours: float


@dataclass(frozen=True)
class Week:
    """Seven days of the plan, from ``start``, and the hours each topic gets in them."""

    number: int
    start: date
    parts: tuple[tuple[Topic, float], ...]

    @property
    def hours(self) -> float:
        return sum(h for _, h in self.parts)


@dataclass(frozen=True)
class Plan:
    start: date
    hours_per_week: float
    steps: tuple[Step, ...]
    unestimated: tuple[Topic, ...]  # left on the path, without an estimate: not planned
    weeks: tuple[Week, ...]
    finish: date | None  # the day the last planned hour falls on; None: nothing to plan

    @property
    def total(self) -> float:
        return sum(s.hours for s in self.steps)


def steps(roadmap: Roadmap, state: State) -> tuple[list[Step], list[Topic]]:
    """The topics left on the path, prerequisites first, with the hours each still needs;
    and those without an estimate."""
    planned: list[Step] = []
    unestimated: list[Topic] = []
    for topic in path_topics(roadmap, state):
        if topic.estimate_hours is None:
            unestimated.append(topic)
            continue
        logged = state.topic(roadmap.id, topic.id).minutes / 60
        left = max(topic.estimate_hours - logged, 0.0)
        if left > 0:
            planned.append(Step(topic, round(left, 2)))
    return planned, unestimated


def schedule(roadmap: Roadmap, state: State, hours_per_week: float, start: date) -> Plan:
    """The weeks from ``start`` at ``hours_per_week``: each topic in turn takes the hours
    it needs, a week's hours going on to the next topic when one is done."""
    todo, unestimated = steps(roadmap, state)
    weeks: list[Week] = []
    parts: list[tuple[Topic, float]] = []
    room = hours_per_week
    for step in todo:
        left = step.hours
        while left > 1e-9:
            taken = min(left, room)
            parts.append((step.topic, taken))
            left -= taken
            room -= taken
            if room <= 1e-9:
                weeks.append(_week(len(weeks) + 1, start, parts))
                parts, room = [], hours_per_week
    if parts:
        weeks.append(_week(len(weeks) + 1, start, parts))
    total = sum(s.hours for s in todo)
    finish = None
    if total > 0:
        finish = start + timedelta(days=math.ceil(total / hours_per_week * 7 - 1e-9) - 1)
    return Plan(start, hours_per_week, tuple(todo), tuple(unestimated), tuple(weeks), finish)


def _week(number: int, start: date, parts: list[tuple[Topic, float]]) -> Week:
    merged: dict[str, tuple[Topic, float]] = {}
    for topic, hours in parts:
        before = merged.get(topic.id, (topic, 0.0))[1]
        merged[topic.id] = (topic, before + hours)
    return Week(number, start + timedelta(weeks=number - 1), tuple(merged.values()))


def hours_per_week_for(total: float, start: date, by: date) -> float:
    """The hours a week that finish ``total`` hours from ``start`` to ``by`` (both days
    included), rounded up to the half hour."""
    weeks = ((by - start).days + 1) / 7
    return math.ceil(total / weeks * 2 - 1e-9) / 2 if total > 0 else 0.0


@dataclass(frozen=True)
class GoalStatus:
    """How a learner stands against a goal: ``ahead`` hours of planned work done beyond
    (or, negative, short of) what a steady pace since the goal was set would have done,
    and the hours a week that now reach the date."""

    by: date
    hours_left: float
    ahead: float
    needed_per_week: float | None  # None: the date has passed, or nothing is left

    @property
    def on_track(self) -> bool:
        return self.hours_left == 0 or (self.needed_per_week is not None and self.ahead >= -0.5)


def goal_status(
    by: date, set_on: date, hours_then: float, hours_left: float, today: date
) -> GoalStatus:
    span = max((by - set_on).days, 1)
    elapsed = min(max((today - set_on).days, 0), span)
    expected = hours_then * elapsed / span
    done = hours_then - hours_left
    needed = hours_per_week_for(hours_left, today, by) if today <= by and hours_left > 0 else None
    return GoalStatus(by, hours_left, round(done - expected, 1), needed)
