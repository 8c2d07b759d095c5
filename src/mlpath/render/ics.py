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
from mlpath.core.roadmap import Roadmap, Topic


@dataclass(frozen=True)
class Block:
    """One study session on the calendar."""

    start: datetime  # aware
    minutes: int
    topic: Topic
    week: int


def blocks(plan: Plan, days: Sequence[int], at: time, zone: tzinfo | None) -> list[Block]:
    """The study sessions of the plan: each week's hours shared evenly among its study
    days (``days``: 0 for Monday to 6 for Sunday), each day's share going to the week's
    topics in turn, to the minute."""
    found: list[Block] = []
    for week in plan.weeks:
        study_days = [
            week.start + timedelta(days=n)
            for n in range(7)
            if (week.start + timedelta(days=n)).weekday() in days
        ]
        queue = [(topic, round(hours * 60)) for topic, hours in week.parts]
        total = sum(m for _, m in queue)
        for index, day in enumerate(study_days):
            share = total * (index + 1) // len(study_days) - total * index // len(study_days)
            moment = datetime.combine(day, at, zone)
            while share > 0 and queue:
                topic, left = queue[0]
                taken = min(share, left)
                if taken > 0:
                    found.append(Block(moment, taken, topic, week.number))
                    moment += timedelta(minutes=taken)
                share -= taken
                if taken >= left:
                    queue.pop(0)
                else:
                    queue[0] = (topic, left - taken)
    return found


def calendar(
    roadmap: Roadmap, sessions: Sequence[Block], reviews: Sequence[Review], now: datetime
) -> bytes:
    """The calendar: a VEVENT per study block and per review."""
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//mlpath//mlpath plan//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"mlpath: {printable(roadmap.title)}")
    stamp = now.astimezone(UTC)
    for number, block in enumerate(sessions):
        event = Event()
        event.add(
            "uid",
            f"study-{block.start.date().isoformat()}-{number}-{block.topic.id}@{roadmap.id}.mlpath",
        )
        event.add("dtstamp", stamp)
        event.add("dtstart", block.start.astimezone(UTC))
        event.add("dtend", (block.start + timedelta(minutes=block.minutes)).astimezone(UTC))
        event.add("summary", f"Study: {printable(block.topic.title)}")
        event.add(
            "description",
            f"Week {block.week} of your mlpath plan for {printable(roadmap.title)}: "
            f"{printable(block.topic.title)} ({block.topic.id}). mlpath show {block.topic.id}",
        )
        event.add("categories", ["mlpath"])
        cal.add_component(event)
    for review in reviews:
        event = Event()
        day: date = max(review.due.date(), now.date())
        event.add("uid", f"review-{review.topic.id}-{review.number}@{roadmap.id}.mlpath")
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
