"""A plan as an iCalendar file (RFC 5545) that calendar programs import: the study blocks
of each week on the chosen days at the chosen time, and the spaced reviews as all-day
events. Built with the icalendar library, imported only here (by ``mlpath plan --ics``).
Pure: bytes out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from mlpath.core.errors import printable
from mlpath.core.pace import Review
from mlpath.core.plan import Plan
from mlpath.core.results import PathInfo
from mlpath.core.roadmap import Topic


@dataclass(frozen=True)
class Block:
    """One study session on the calendar."""

    start: datetime  # aware
    minutes: int
    topic: Topic
    week: int


#: The most hours of study a calendar day holds unless told otherwise.
MAX_HOURS_PER_DAY = 4.0
#: How far past the plan's last week a calendar may run to hold what did not fit.
_MORE_WEEKS = 520


def day_minutes(at: time, max_hours: float) -> int:
    """The minutes a study day holds: from ``at`` to midnight, at most ``max_hours``."""
    to_midnight = 24 * 60 - (at.hour * 60 + at.minute)
    return max(0, min(round(max_hours * 60), to_midnight))


def blocks(
    plan: Plan,
    days: Sequence[int],
    at: time,
    zone: tzinfo | None,
    max_hours_per_day: float = MAX_HOURS_PER_DAY,
) -> list[Block]:
    """The study sessions of the plan: each week's hours shared evenly among its study
    days (``days``: 0 for Monday to 6 for Sunday), each day's share going to the week's
    topics in turn, to the minute. A day holds at most ``max_hours_per_day`` and never
    runs past midnight: what does not fit moves to the next study days, past the plan's
    last week if need be, so that every planned minute is on the calendar."""
    found: list[Block] = []
    capacity = day_minutes(at, max_hours_per_day)
    queue: list[tuple[Topic, int]] = []
    weeks = list(plan.weeks)
    number = 0
    while capacity > 0 and days and (weeks or queue) and number < len(plan.weeks) + _MORE_WEEKS:
        week = weeks.pop(0) if weeks else None
        start = week.start if week is not None else plan.start + timedelta(weeks=number)
        number = week.number if week is not None else number + 1
        if week is not None:
            queue += [(topic, round(hours * 60)) for topic, hours in week.parts]
        study_days = [
            start + timedelta(days=n)
            for n in range(7)
            if (start + timedelta(days=n)).weekday() in days
        ]
        total = sum(m for _, m in queue)
        for index, day in enumerate(study_days):
            share = total * (index + 1) // len(study_days) - total * index // len(study_days)
            _fill(found, queue, min(share, capacity), datetime.combine(day, at, zone), number)
    return found


def _fill(
    found: list[Block], queue: list[tuple[Topic, int]], share: int, moment: datetime, week: int
) -> None:
    """One day's blocks: ``share`` minutes from the head of ``queue``, topic after topic."""
    while share > 0 and queue:
        topic, left = queue[0]
        taken = min(share, left)
        if taken > 0:
            found.append(Block(moment, taken, topic, week))
            moment += timedelta(minutes=taken)
        share -= taken
        if taken >= left:
            queue.pop(0)
        else:
            queue[0] = (topic, left - taken)


def calendar(
    path: PathInfo, sessions: Sequence[Block], reviews: Sequence[Review], now: datetime
) -> bytes:
    """The calendar: a VEVENT per study block and per review."""
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//mlpath//mlpath plan//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"mlpath: {printable(path.title)}")
    stamp = now.astimezone(UTC)
    for number, block in enumerate(sessions):
        event = Event()
        event.add(
            "uid",
            f"study-{block.start.date().isoformat()}-{number}-{block.topic.id}@{path.id}.mlpath",
        )
        event.add("dtstamp", stamp)
        event.add("dtstart", block.start.astimezone(UTC))
        event.add("dtend", (block.start + timedelta(minutes=block.minutes)).astimezone(UTC))
        event.add("summary", f"Study: {printable(block.topic.title)}")
        event.add(
            "description",
            f"Week {block.week} of your mlpath plan for {printable(path.title)}: "
            f"{printable(block.topic.title)} ({block.topic.id}). mlpath show {block.topic.id}",
        )
        event.add("categories", ["mlpath"])
        cal.add_component(event)
    for review in reviews:
        event = Event()
        day: date = max(review.due.date(), now.date())
        event.add("uid", f"review-{review.topic.id}-{review.number}@{path.id}.mlpath")
        event.add("dtstamp", stamp)
        event.add("dtstart", day)
        event.add("dtend", day + timedelta(days=1))
        event.add("summary", f"Review: {printable(review.topic.title)} (review {review.number})")
        event.add(
            "description",
            f"Spaced review of {printable(review.topic.title)}: mlpath reviewed {review.topic.id}",
        )
        event.add("categories", ["mlpath"])
        cal.add_component(event)
    return bytes(cal.to_ical())


def read_back(content: bytes) -> list[tuple[str, str]]:
    """The events of a calendar file as (summary, start), as the library reads them."""
    from icalendar import Calendar

    parsed = Calendar.from_ical(content)
    return [
        (str(event.get("summary")), event.decoded("dtstart").isoformat())
        for event in parsed.walk("VEVENT")
    ]
