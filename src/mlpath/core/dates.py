"""Dates as people type them, for every date option: one parser, one wording of refusals.

``--on`` (when something happened) takes a moment that has passed; ``--by`` (a deadline)
takes a day after today. Both read ISO dates (``2026-11-20``, with or without a time),
``today``, ``yesterday``, ``tomorrow``, weekday names (``friday``, ``fri``: the last one
for ``--on``, today included; the next one for ``--by``), ``last friday`` and ``next
friday``, ``3 days ago``, ``2 weeks ago``, ``last week``, ``in 6 weeks``, ``next week``,
``in 6 months``, ``eow`` (the coming Sunday) and ``eom`` (the month's last day).
Pure: ``now`` is given.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, time, timedelta

from mlpath.core import rules

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_COUNT = r"(\d{1,5}|a|an|one)"
_AGO = re.compile(rf"{_COUNT} (day|week|month)s? ago")
_IN = re.compile(rf"in {_COUNT} (day|week|month)s?")
ON_EXAMPLES = "2026-11-20, '2026-11-20 18:30', yesterday, monday, '3 days ago' or 'last week'"
BY_EXAMPLES = "2027-06-30, friday, 'in 6 weeks', 'in 6 months', eow or eom"


def _count(text: str) -> int:
    return int(text) if text.isdigit() else 1


def _weekday(word: str, today: date, forward: bool) -> date | None:
    """``friday``, ``fri``, ``last friday``, ``next friday``: the last one (today
    included) going back, the next one (after today) going forward; ``last`` and
    ``next`` choose the way."""
    parts = word.split()
    which = parts[0] if len(parts) == 2 and parts[0] in ("last", "next", "this") else ""
    if len(parts) != (2 if which else 1) or len(parts[-1]) < 3:
        return None
    wanted = next((i for i, day in enumerate(WEEKDAYS) if day.startswith(parts[-1])), None)
    if wanted is None:
        return None
    if which == "last" or (which != "next" and not forward):
        back = (today.weekday() - wanted) % 7
        return today - timedelta(days=back or (7 if which == "last" else 0))
    return today + timedelta(days=(wanted - today.weekday()) % 7 or 7)


def _months_from(day: date, months: int) -> date:
    """The same day ``months`` later (or earlier), the month's last day when it is
    shorter: 31 January plus a month is 28 or 29 February."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    if not 1 <= year <= 9999:
        raise OverflowError("out of range")
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def relative_day(text: str, today: date, forward: bool) -> date | None:
    """The day a word names, counted from ``today`` (``forward``: a deadline's reading
    of a weekday); None when the text is not one of the words."""
    word = " ".join(text.strip().lower().split())
    fixed = {"today": 0, "now": 0, "yesterday": -1, "tomorrow": 1, "last week": -7, "next week": 7}
    if word in fixed:
        return today + timedelta(days=fixed[word])
    if word == "eow":
        return today + timedelta(days=6 - today.weekday())
    if word == "eom":
        return today.replace(day=calendar.monthrange(today.year, today.month)[1])
    for pattern, sign in ((_AGO, -1), (_IN, 1)):
        found = pattern.fullmatch(word)
        if found is not None and found.group(2) == "month":
            return _months_from(today, sign * _count(found.group(1)))
        if found is not None:
            days = _count(found.group(1)) * (7 if found.group(2) == "week" else 1)
            return today + timedelta(days=sign * days)
    return _weekday(word, today, forward)


def parse_when(text: str, now: datetime) -> datetime:
    """When something happened (``--on``): a moment that has passed. A day named by a
    word or a date alone means the start of that day; a time without an offset is in
    ``now``'s zone. Raises ValueError, worded for the learner, for anything else and
    for a moment in the future (``tomorrow`` included)."""
    shown = rules.shown(text.strip())
    word = " ".join(text.strip().lower().split())
    if word in ("today", "now"):
        return now
    try:
        day = relative_day(text, now.date(), forward=False)
    except OverflowError:
        raise ValueError(f"'{shown}' is too long ago.") from None
    if day is not None:
        moment = datetime.combine(day, time(), now.tzinfo)
        if day > now.date():
            raise ValueError(
                f"'{shown}' ({day.isoformat()}) is in the future; record what has happened."
            )
    else:
        try:
            moment = datetime.fromisoformat(text.strip())
        except ValueError:
            raise ValueError(f"'{shown}' is not a date; use e.g. {ON_EXAMPLES}.") from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=now.tzinfo)
    return rules.past(moment, now, f"'{shown}'")


def parse_by(text: str, today: date, what: str = "--by") -> date:
    """A deadline (``--by``): a day after ``today``, no later than the last supported
    year. Raises :class:`rules.Invalid`, worded for the learner."""
    shown = rules.shown(text.strip())
    try:
        day = relative_day(text, today, forward=True)
    except OverflowError:
        raise rules.Invalid(f"{what} '{shown}' is too far away.") from None
    if day is None:
        try:
            day = date.fromisoformat(text.strip())
        except ValueError:
            try:
                day = datetime.fromisoformat(text.strip()).date()
            except ValueError:
                raise rules.Invalid(
                    f"{what} '{shown}' is not a date; use e.g. {BY_EXAMPLES}."
                ) from None
    named = "" if day.isoformat() == text.strip() else f" ({day.isoformat()})"
    if day <= today:
        raise rules.Invalid(f"{what} '{shown}'{named} is not after today ({today.isoformat()}).")
    if day.year > rules.LAST_YEAR:
        raise rules.Invalid(
            f"{what} '{shown}'{named} is after {rules.LAST_YEAR}, the last year supported."
        )
    return day
