"""Study time, streaks, a projected finish date and spaced review. Pure: the time is
always passed in as ``now`` (an aware datetime in the learner's time zone), and every
answer is a function of the state and that moment.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from mlpath.core import rules
from mlpath.core.progress import Grade, State, Status, counts, left_aside, option_started
from mlpath.core.recall import RETENTION, Memory, memories, retrievability
from mlpath.core.roadmap import Roadmap, Topic

#: Days of history needed before a finish date is projected (from the first day with
#: study time logged to today, both counted), and the longest window the pace is taken
#: over: the pace is taken over the whole history while it is shorter.
PROJECTION_MIN_DAYS = 14
PACE_WINDOW_DAYS = 28


def last_days(today: date, count: int) -> tuple[date, date]:
    """The window "the last ``count`` days": from ``count - 1`` days before ``today`` to
    ``today``, both ends included (the last 1 day is today alone)."""
    return today - timedelta(days=count - 1), today


def days_between(first: date, last: date) -> int:
    """How many days run from ``first`` to ``last``, both counted (1 for the same day)."""
    return (last - first).days + 1


DURATION_EXAMPLES = "e.g. 45m, 1h30m, 2h, 1.5h or 90 (minutes)"

_DURATION = re.compile(
    r"(?:(?P<hours>\d+(?:\.\d+)?)\s*h)?\s*(?:(?P<minutes>\d+(?:\.\d+)?)\s*m(?:in)?)?",
    re.IGNORECASE,
)


def parse_duration(text: str) -> int:
    """Minutes in ``45m``, ``1h30m``, ``2h``, ``1.5h`` or ``90`` (plain minutes).

    Raises ValueError, with examples, for anything else, for zero and for more than 24h.
    """
    cleaned = text.strip()
    match = _DURATION.fullmatch(cleaned) if len(cleaned) <= 2 * rules.MAX_NUMBER_CHARS else None
    plain = re.fullmatch(r"\d+(?:\.\d+)?", cleaned)
    if not plain and (match is None or not (match["hours"] or match["minutes"])):
        raise ValueError(f"'{rules.shown(text)}' is not a duration; {DURATION_EXAMPLES}.")
    try:
        if plain or match is None:
            minutes = rules.number(cleaned, "the duration")
        else:
            hours = rules.number(match["hours"] or "0", "the duration")
            minutes = hours * 60 + rules.number(match["minutes"] or "0", "the duration")
    except rules.Invalid:
        raise ValueError(
            f"'{rules.shown(text)}' is more than 24h for one entry; log each day on its own."
        ) from None
    whole = round(minutes)
    if whole <= 0:
        raise ValueError(f"'{text}' is no study time; {DURATION_EXAMPLES}.")
    if whole > rules.MAX_DAY_MINUTES:
        raise ValueError(f"'{text}' is more than 24h for one entry; log each day on its own.")
    return whole


# --- time ---------------------------------------------------------------------------------


def topic_minutes(roadmap: Roadmap, state: State) -> dict[str, int]:
    """Minutes logged per topic of the roadmap."""
    return {t.id: state.topic(roadmap.id, t.id).minutes for t in roadmap.topics}


def week_start(day: date) -> date:
    """The Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())


def weekly_minutes(
    roadmap: Roadmap, state: State, now: datetime, weeks: int
) -> list[tuple[date, int]]:
    """Minutes logged in each of the last ``weeks`` weeks (Monday first), oldest first."""
    this_week = week_start(now.date())
    starts = [this_week - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]
    totals = dict.fromkeys(starts, 0)
    for day, minutes in _minutes_by_day(roadmap, state).items():
        start = week_start(day)
        if start in totals:
            totals[start] += minutes
    return list(totals.items())


def _minutes_by_day(roadmap: Roadmap, state: State) -> dict[date, int]:
    """Study time per day, from the state's day summary."""
    days = state.days.get(roadmap.id, {})
    return {date.fromisoformat(day): m for day, (m, _) in days.items() if m}


# --- streaks ------------------------------------------------------------------------------


def activity_days(roadmap: Roadmap, state: State) -> set[date]:
    """Days with any recorded activity on the roadmap (a change of status, a check, a
    note, study time or a review; imports are not activity). A day is the learner's own
    date when it happened: the date in the time zone the moment was recorded in."""
    days = state.days.get(roadmap.id, {})
    return {date.fromisoformat(day) for day, (m, changes) in days.items() if m or changes}


@dataclass(frozen=True)
class Streaks:
    current: int  # consecutive active days up to today (or yesterday, if today has none yet)
    longest: int


def streaks(days: set[date], today: date) -> Streaks:
    longest = 0
    for day in days:
        if day - timedelta(days=1) not in days:  # the first day of a run
            length = 1
            while day + timedelta(days=length) in days:
                length += 1
            longest = max(longest, length)
    end = today if today in days else today - timedelta(days=1)
    current = 0
    while end - timedelta(days=current) in days:
        current += 1
    return Streaks(current, longest)


# --- projection ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Projection:
    """A finish date from the recent pace, or why there is none."""

    remaining_hours: float  # estimated hours left on unfinished topics with an estimate
    pace_hours_per_week: float | None
    finish: date | None
    reason: str | None  # why no finish date, when there is none
    unestimated: int  # unfinished topics without an estimate (not in remaining_hours)
    window_days: int = 0  # the days the pace was measured over
    finished: bool = False  # every topic done or skipped: ``finish`` is when the last was done


def path_topics(roadmap: Roadmap, state: State) -> list[Topic]:
    """The topics left on the learner's path, each after its prerequisites (in roadmap
    order otherwise): not done or skipped, not optional and left aside, and of a choice
    not yet settled, only the first options not started (in the choice's order) that
    make up what it still asks for."""
    excluded: set[str] = set()
    for group in roadmap.groups:
        started = [o for o in group.options if option_started(roadmap, state, o)]
        if len(started) >= group.pick:
            continue  # settled: left_aside drops the options not taken
        waiting = [o for o in group.options if o not in started]
        for option in waiting[group.pick - len(started) :]:
            excluded.update(t.id for t in roadmap.option_topics(option))
    left = [
        t
        for t in roadmap.topics
        if t.id not in excluded
        and state.topic(roadmap.id, t.id).status not in (Status.DONE, Status.SKIPPED)
        and _on_path(roadmap, state, t)
    ]
    wanted = {t.id for t in left}
    ordered: list[Topic] = []
    placed: set[str] = set()

    def place(topic: Topic) -> None:
        if topic.id in placed:
            return
        placed.add(topic.id)
        for required in topic.requires:
            before = [required] if roadmap.has_topic(required) else _group_topics(roadmap, required)
            for topic_id in before:
                if topic_id in wanted:
                    place(roadmap.topic(topic_id))
        ordered.append(topic)

    for topic in left:
        place(topic)
    return ordered


def _group_topics(roadmap: Roadmap, group_id: str) -> list[str]:
    group = roadmap.group(group_id)
    options = group.options if group is not None else ()
    return [t.id for option in options for t in roadmap.option_topics(option)]


def remaining_hours(roadmap: Roadmap, state: State) -> tuple[float, int]:
    remaining, unestimated = 0.0, 0
    for topic in path_topics(roadmap, state):
        progress = state.topic(roadmap.id, topic.id)
        if topic.estimate_hours is None:
            unestimated += 1
        else:
            remaining += max(topic.estimate_hours - progress.minutes / 60, 0.0)
    return remaining, unestimated


def _on_path(roadmap: Roadmap, state: State, topic: Topic) -> bool:
    """Whether the topic is part of the learner's path: not an optional one left aside,
    nor one of a choice's options the learner is not taking."""
    return counts(roadmap, state, topic) and not left_aside(roadmap, state, topic)


def finished_on(roadmap: Roadmap, state: State) -> date | None:
    """When the path was finished: the day its last topic was done, once every topic is
    done or skipped (and one at least done); None before."""
    progress = [state.topic(roadmap.id, t.id) for t in roadmap.topics]
    left = [p for t, p in zip(roadmap.topics, progress, strict=True) if _on_path(roadmap, state, t)]
    if any(p.status not in (Status.DONE, Status.SKIPPED) for p in left):
        return None
    done = [p.done_at for p in progress if p.status is Status.DONE and p.done_at is not None]
    return max(done).date() if done else None


def project(roadmap: Roadmap, state: State, now: datetime) -> Projection:
    remaining, unestimated = remaining_hours(roadmap, state)
    finished = finished_on(roadmap, state)
    if finished is not None:
        return Projection(0.0, None, finished, None, 0, finished=True)

    def without(reason: str, pace: float | None = None, window: int = 0) -> Projection:
        return Projection(remaining, pace, None, reason, unestimated, window)

    if not any(t.estimate_hours for t in roadmap.topics):
        return without("the roadmap gives no hour estimates")
    by_day = _minutes_by_day(roadmap, state)
    if not by_day:
        return without("no study time logged yet ('mlpath log')")
    today = now.date()
    history = days_between(min(by_day), today)
    if history < PROJECTION_MIN_DAYS:
        return without(f"{PROJECTION_MIN_DAYS} days of logged time needed, {history} so far")
    window = min(history, PACE_WINDOW_DAYS)
    first, last = last_days(today, window)
    recent = sum(m for day, m in by_day.items() if first <= day <= last)
    pace = recent / 60 / (window / 7)
    if remaining == 0:
        return Projection(0.0, pace, now.date(), None, unestimated, window)
    if pace == 0:
        return without(f"no study time logged in the last {window} days", pace, window)
    days = remaining / pace * 7
    if days > (date(rules.LAST_YEAR, 12, 31) - today).days:
        return without(
            f"at {pace:.1f} h a week, the {remaining:,.0f} h to go would last beyond "
            f"{rules.LAST_YEAR}",
            pace,
        )
    finish = today + timedelta(days=days)
    return Projection(remaining, pace, finish, None, unestimated, window)


# --- review -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Review:
    topic: Topic
    memory: Memory  # its FSRS schedule: the due date, stability, difficulty, last grade
    now: datetime
    retention: float

    @property
    def due(self) -> datetime:
        return self.memory.due

    @property
    def number(self) -> int:
        """1 for the first review after finishing, 2 for the next, ..."""
        return self.memory.reviews + 1

    @property
    def chance(self) -> float:
        """The chance (0 to 1) that the topic is still remembered now (FSRS's
        retrievability)."""
        return retrievability(self.memory, self.now, self.retention)


Schedules = Mapping[str, Memory]  # topic id -> its FSRS schedule, for the done topics


def schedules_of(roadmap: Roadmap, state: State, retention: float = RETENTION) -> Schedules:
    """The schedule of every done topic of the roadmap, replayed from ``state`` (the
    commands take them from the store, which keeps them in a cache)."""
    return memories({t.id: state.topic(roadmap.id, t.id) for t in roadmap.topics}, retention)


def reviews(
    roadmap: Roadmap, schedules: Schedules, now: datetime, retention: float = RETENTION
) -> list[Review]:
    """Every done topic with its next review, the earliest due first."""
    by_id = {topic.id: topic for topic in roadmap.topics}
    found = [Review(by_id[t], m, now, retention) for t, m in schedules.items() if t in by_id]
    return sorted(found, key=lambda r: (r.due, r.topic.id))


def reviews_due(
    roadmap: Roadmap, schedules: Schedules, now: datetime, retention: float = RETENTION
) -> list[Review]:
    """Reviews due by the end of today, oldest first."""
    return due_today(reviews(roadmap, schedules, now, retention), now)


#: The window of the share of reviews remembered, in days up to today.
RECALL_WINDOW_DAYS = 90


def recalled(roadmap: Roadmap, state: State, today: date) -> tuple[int, int]:
    """The reviews recorded in the last :data:`RECALL_WINDOW_DAYS` days (each on the
    learner's date when it happened) and how many of them were not graded again."""
    first, last = last_days(today, RECALL_WINDOW_DAYS)
    grades = [
        r.grade
        for topic in roadmap.topics
        for r in state.topic(roadmap.id, topic.id).reviews
        if first <= r.at.date() <= last
    ]
    return len(grades), sum(1 for g in grades if g is not Grade.AGAIN)


def due_today(found: list[Review], now: datetime) -> list[Review]:
    """Those of ``found`` that are due by the end of ``now``'s day."""
    end_of_today = datetime.combine(now.date() + timedelta(days=1), time(), now.tzinfo)
    return [r for r in found if r.due < end_of_today]


# --- everything progress shows -------------------------------------------------------------


@dataclass(frozen=True)
class PaceSummary:
    total_minutes: int
    week_minutes: int  # this week, from Monday
    area_minutes: dict[str, int]
    streaks: Streaks
    projection: Projection
    reviews_due: list[Review]


def pace_summary(
    roadmap: Roadmap,
    state: State,
    now: datetime,
    schedules: Schedules | None = None,
    retention: float = RETENTION,
) -> PaceSummary:
    """What progress shows of time, streaks, the projection and the reviews due
    (``schedules``: as :func:`schedules_of` gives them, when not given)."""
    if schedules is None:
        schedules = schedules_of(roadmap, state, retention)
    minutes = topic_minutes(roadmap, state)
    area_minutes = {
        a.id: sum(minutes[t.id] for t in roadmap.topics_in(a.id)) for a in roadmap.areas
    }
    return PaceSummary(
        total_minutes=sum(minutes.values()),
        week_minutes=weekly_minutes(roadmap, state, now, 1)[0][1],
        area_minutes=area_minutes,
        streaks=streaks(activity_days(roadmap, state), now.date()),
        projection=project(roadmap, state, now),
        reviews_due=reviews_due(roadmap, schedules, now, retention),
    )
