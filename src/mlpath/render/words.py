"""Every sentence mlpath says, once: counts, percentages, durations, dates and times,
statuses, what a change did, the pace, the goal, why a topic is next. The terminal views, the plain
messages, the JSON documents' descriptions, the Markdown checklist, the pages and the
calendar all take their words from here, so the same fact reads the same everywhere.

Two of them live in the core because its error messages need them too, and are
offered here with the rest: :func:`plural` ("3 topics") and :func:`duration_text`
("1h30m", the one way a duration reads for people; JSON keeps minutes).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING

from mlpath.core.errors import printable
from mlpath.core.progress import Action, Change, Grade, Status, Tally, duration_text
from mlpath.core.rules import plural

if TYPE_CHECKING:
    from mlpath.core.pace import Review
    from mlpath.core.plan import GoalStatus
    from mlpath.core.results import PathInfo
    from mlpath.core.results.topics import NextItem
    from mlpath.core.roadmap import Topic

__all__ = [
    "SIGNS",
    "day_or_time",
    "describe",
    "done_sentence",
    "duration_text",
    "goal_line",
    "hours_amount",
    "local_date",
    "local_time",
    "memory_line",
    "noun",
    "pace_words",
    "percent",
    "plural",
    "status_words",
    "tally_cells",
    "topic_name",
    "why_next",
]


def noun(count: int, one: str, many: str | None = None) -> str:
    """The noun alone, as :func:`plural` would say it after ``count``: ``Book``,
    ``Books``."""
    return plural(count, one, many).split(" ", 1)[1]


def percent(share: float) -> str:
    """A share (0 to 1) as a whole percentage: ``90%``."""
    return f"{round(100 * share)}%"


def local_time(moment: datetime) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def day_or_time(moment: datetime) -> str:
    """The local date, with the time unless it is midnight (a date given alone)."""
    local = moment.astimezone()
    return local_date(local) if local.time() == datetime.min.time() else local_time(local)


def local_date(moment: datetime) -> str:
    return moment.astimezone().strftime("%Y-%m-%d")


def topic_name(topic: Topic) -> str:
    return printable(f"{topic.title} ({topic.id})")


#: Each status's sign, the one way every output draws it.
SIGNS = {
    Status.NOT_STARTED: "·",
    Status.IN_PROGRESS: "▶",
    Status.DONE: "✓",
    Status.SKIPPED: "↷",
}


def status_words(status: Status) -> str:
    """A status as every output says it: its sign and its label (``✓ done``)."""
    return f"{SIGNS[status]} {status.label}"


def done_sentence(path: PathInfo, tally: Tally, *, in_progress: bool = True) -> str:
    """How far the learner is, as every output says it: "1 of 6 topics done (17%), 1 in
    progress; 1 skipped, not counted." (a choice counts once: "topics and choices")."""
    units = "topics and choices" if path.choices else "topics"
    line = f"{tally.done} of {tally.total} {units} done ({tally.percent}%)"
    if in_progress and tally.in_progress:
        line += f", {tally.in_progress} in progress"
    if tally.skipped:
        line += f"; {tally.skipped} skipped, not counted"
    return line + "."


def tally_cells(tally: Tally) -> tuple[str, str, str]:
    """A tally as its row shows it: ``2/5``, ``40%`` and the words for the bar's label
    (``2 of 5 done``); an area with nothing to count says why in words instead of
    ``0/0``: every topic skipped, every topic optional and not started, or none."""
    if tally.total:
        return (
            f"{tally.done}/{tally.total}",
            f"{tally.percent}%",
            f"{tally.done} of {tally.total} done",
        )
    if tally.skipped and not tally.optional:
        return "all skipped", "", "every topic skipped"
    if tally.optional:
        return "optional", "", "every topic optional, none started"
    return "no topics", "", "no topics"


def why_next(item: NextItem) -> str:
    """Why a topic is offered now, in one clause."""
    topic, progress, choice = item.entry.topic, item.entry.progress, item.entry.choice
    if item.instead_of is not None and choice is not None:
        return (
            f"another option of the choice '{choice.title}': take it instead of {item.instead_of}."
        )
    if progress.status is Status.IN_PROGRESS and progress.started_at is not None:
        return f"you started it on {day_or_time(progress.started_at)}; finish it first."
    if not topic.requires:
        return "it needs nothing before it, a good place to start."
    return "its prerequisites are behind you: " + ", ".join(topic.requires) + "."


def goal_line(status: GoalStatus) -> str:
    """Where the learner stands against the goal, in one sentence."""
    from mlpath.core.plan import MAX_HOURS_PER_WEEK

    head = f"Goal: finish by {status.by.isoformat()}: "
    if status.hours_left == 0:
        return head + "every estimated hour is done."
    if status.needed_per_week is None:
        return (
            head + f"the date has passed, {hours_amount(status.hours_left)} h left. "
            "Set a new one with 'mlpath goal --by DATE'."
        )
    if status.needed_per_week > MAX_HOURS_PER_WEEK:  # no "on track" for a date out of reach
        return head + (
            f"out of reach: it would take {hours_amount(status.needed_per_week)} h a week, "
            f"more than {hours_amount(MAX_HOURS_PER_WEEK)}. Set a later date with "
            "'mlpath goal --by DATE'."
        )
    else:
        pace = f"{hours_amount(status.needed_per_week)} h a week from now gets there"
    if status.ahead >= 0:
        return head + f"on track, {hours_amount(status.ahead)} h ahead; {pace}."
    return head + f"behind by {hours_amount(-status.ahead)} h; {pace}."


def pace_words(hours_per_week: float, window_days: int) -> str:
    """The learner's pace as every output says it: "3.3 h a week, your pace over the
    last 28 days"."""
    return f"{hours_amount(hours_per_week)} h a week, your pace over the last {window_days} days"


def hours_amount(hours: float) -> str:
    """Hours as people write them: 6, 6.5, 1,234."""
    rounded = round(hours, 1)
    return f"{rounded:,.0f}" if rounded == int(rounded) else f"{rounded:,.1f}"


def memory_line(review: Review) -> str:
    """The chance of still remembering a done topic now, and the last grade."""
    last = review.memory.last
    graded = "finished" if review.number == 1 else f"last graded {last.grade.value}"
    return (
        f"Chance you still remember it: {percent(review.chance)} "
        f"({graded} on {local_date(last.at)})"
    )


# --- what a change did, as the history, undo and the JSON description say it -----------

_VERBS: Mapping[Action, Callable[[Change], str]] = {
    Action.START: lambda c: f"started {c.topic}",
    Action.DONE: lambda c: f"marked {c.topic} as done",
    Action.SKIP: lambda c: f"skipped {c.topic}",
    Action.RESET: lambda c: f"reset {c.topic} to not started",
    Action.CHECK: lambda c: f"checked {', '.join(c.resources)} of {c.topic}",
    Action.UNCHECK: lambda c: f"unchecked {', '.join(c.resources)} of {c.topic}",
    Action.NOTE: lambda c: f'added a note to {c.topic}: "{c.note.text if c.note else ""}"',
    Action.IMPORT: lambda c: f"imported {c.source or 'a file'}",
    Action.LOG: lambda c: (
        f"logged {duration_text(c.session.minutes if c.session else 0)} on {c.topic}"
    ),
    Action.REVIEW: lambda c: f"reviewed {c.topic} ({(c.grade or Grade.GOOD).value})",
}


def describe(change: Change) -> str:
    """One line for a change, e.g. ``checked deep-learning-book of deep-learning``."""
    return _VERBS[change.action](change)
