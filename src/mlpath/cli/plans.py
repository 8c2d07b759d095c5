"""Planning to a date: ``mlpath plan`` (the weeks ahead, and a calendar file) and
``mlpath goal`` (a date to finish by, which ``progress`` and ``next`` measure)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mlpath.cli._app import (
    JsonOption,
    app,
    check_output,
    database,
    now,
    render,
    retention,
    roadmap,
    say,
    schedules,
)
from mlpath.core.errors import MlpathError, UsageError, printable

if TYPE_CHECKING:
    from mlpath.core.plan import Plan
    from mlpath.core.progress import State
    from mlpath.core.roadmap import Roadmap

_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

ByOption = Annotated[
    str | None,
    typer.Option(
        "--by",
        metavar="DATE",
        help="The day to finish by: 2027-06-30, friday, 'in 6 weeks', eow or eom.",
        show_default=False,
    ),
]


def _day(text: str, what: str) -> date:
    from mlpath.core.dates import parse_by
    from mlpath.core.rules import Invalid

    try:
        return parse_by(text, now().date(), what)
    except Invalid as error:
        raise UsageError(str(error)) from None


@app.command()
def plan(
    hours_per_week: Annotated[
        float | None,
        typer.Option(
            "--hours-per-week",
            metavar="HOURS",
            min=0.5,
            max=100,
            help="Plan at this many hours a week: gives the finish date.",
            show_default=False,
        ),
    ] = None,
    by: ByOption = None,
    json: JsonOption = False,
    ics: Annotated[
        Path | None,
        typer.Option(
            "--ics",
            metavar="FILE",
            help="Also write the study blocks and reviews as a calendar file (.ics).",
            dir_okay=False,
        ),
    ] = None,
    days: Annotated[
        str,
        typer.Option("--days", metavar="DAYS", help="Study days for --ics, e.g. mon,wed,sat."),
    ] = "mon,tue,wed,thu,fri",
    at: Annotated[
        str, typer.Option("--at", metavar="HH:MM", help="When study blocks start, for --ics.")
    ] = "19:00",
    max_per_day: Annotated[
        float,
        typer.Option(
            "--max-per-day",
            metavar="HOURS",
            min=0.5,
            max=16,
            help="The most hours of study a calendar day holds, for --ics.",
        ),
    ] = 4.0,
    force: Annotated[bool, typer.Option("--force", help="Overwrite the --ics file.")] = False,
) -> None:
    """Plan the weeks ahead: what is left, prerequisites first, week by week.

    Each topic needs its estimate less the time you logged on it. With --hours-per-week
    the plan gives the finish date; with --by, the hours a week that date needs (at up
    to 40 h a week). Without either: your goal's date ('mlpath goal'), else your pace
    of the last four weeks.

    \b
    Examples:
      mlpath plan --hours-per-week 6
      mlpath plan --by 2027-06-30 --ics plan.ics
    """
    from mlpath.core.plan import schedule
    from mlpath.core.results import path_info
    from mlpath.core.results.reports import PlanResult
    from mlpath.render import text

    if hours_per_week is not None and by is not None:
        raise UsageError("give --hours-per-week or --by, not both.")
    study_days, start_at = _days(days), _time(at)
    if ics is not None:
        check_output(ics, force)
    current, state, moment = roadmap(), database().load(), now()
    target = _day(by, "--by") if by is not None else None
    rate, intro, target, reachable = _rate(current, state, moment, hours_per_week, target)
    laid_out = schedule(current, state, rate, moment.date())
    result = PlanResult(path_info(current), laid_out, intro, target, reachable)
    if json:
        text.print_json(text.plan_json(result))
    else:
        from mlpath.render import views

        render(views.plan_view(result))
    if ics is not None:
        _write_calendar(
            ics, current, state, laid_out, (study_days, start_at, max_per_day), moment, target
        )


def _rate(
    current: Roadmap,
    state: State,
    moment: datetime,
    hours_per_week: float | None,
    target: date | None,
) -> tuple[float, str, date | None, bool]:
    """The hours a week to plan at, the sentence that says why, the date aimed at (the
    goal's when neither option is given) and whether it is within reach."""
    from mlpath.core.pace import project
    from mlpath.core.plan import MAX_HOURS_PER_WEEK, hours_per_week_for, steps
    from mlpath.render.words import hours_amount, pace_words
    from mlpath.storage.settings import read_goal

    today = moment.date()
    goal = read_goal(current.id)
    if hours_per_week is None and target is None and goal is not None and goal.by > today:
        target = goal.by
    if hours_per_week is not None:
        return hours_per_week, f"At {hours_amount(hours_per_week)} h a week.", None, True
    if target is not None:
        total = sum(s.hours for s in steps(current, state)[0])
        needed = max(hours_per_week_for(total, today, target), 0.5)
        if needed <= MAX_HOURS_PER_WEEK:
            why = f"To finish by {target.isoformat()}: {hours_amount(needed)} h a week."
            return needed, why, target, True
        why = (
            f"{target.isoformat()} is out of reach: it would take {hours_amount(needed)} h a "
            f"week, more than {hours_amount(MAX_HOURS_PER_WEEK)}. At "
            f"{hours_amount(MAX_HOURS_PER_WEEK)} h a week:"
        )
        return MAX_HOURS_PER_WEEK, why, target, False
    projection = project(current, state, moment)
    pace = projection.pace_hours_per_week
    if not pace:
        raise UsageError(
            "say how much time you have: --hours-per-week HOURS or --by DATE "
            "(or set a goal with 'mlpath goal --by DATE')."
        )
    rate = max(round(pace, 1), 0.5)
    return rate, f"At {pace_words(rate, projection.window_days)}.", None, True


def _days(given: str) -> list[int]:
    names = [d.strip().lower()[:3] for d in given.split(",") if d.strip()]
    unknown = [n for n in names if n not in _WEEKDAYS]
    if not names or unknown:
        raise UsageError(f"--days {given!r}: name days as mon,tue,wed,thu,fri,sat,sun.")
    return sorted({_WEEKDAYS.index(n) for n in names})


def _time(given: str) -> time:
    try:
        return time.fromisoformat(given.strip())
    except ValueError:
        raise UsageError(f"--at {given!r}: give a time as HH:MM, e.g. 19:00.") from None


def _write_calendar(
    path: Path,
    current: Roadmap,
    state: State,
    laid_out: Plan,
    when: tuple[list[int], time, float],
    moment: datetime,
    target: date | None,
) -> None:
    """Write the calendar file: ``when`` is the study days, the time blocks start and
    the most hours a day. When the plan's hours do not fit those days, say so, and
    what finishing in time would take."""
    from mlpath.core.pace import reviews
    from mlpath.core.results import path_info
    from mlpath.render import ics
    from mlpath.render.words import plural
    from mlpath.storage.paths import atomic_write

    study_days, start_at, max_per_day = when
    sessions = ics.blocks(laid_out, study_days, start_at, moment.tzinfo, max_per_day)
    due = reviews(current, schedules(current), moment, retention())
    content = ics.calendar(path_info(current), sessions, due, moment)
    events = ics.read_back(content)
    if len(events) != len(sessions) + len(due):  # the library must read what it wrote
        raise MlpathError("the calendar file did not read back whole; nothing was written.")
    try:
        atomic_write(path, content, 0o644)
    except OSError as error:
        raise MlpathError(f"cannot write {path}: {error.strerror or error}.") from None
    say(
        printable(
            f"Wrote {path}: {plural(len(sessions), 'study block')} and "
            f"{plural(len(due), 'review')}, for your calendar program to import."
        )
    )
    last = max((s.start.date() for s in sessions), default=None)
    aimed = target or laid_out.finish
    weeks_end = laid_out.weeks[-1].start + timedelta(days=6) if laid_out.weeks else None
    if last is not None and aimed is not None and weeks_end is not None and last > weeks_end:
        from mlpath.render.words import hours_amount

        held = ics.day_minutes(start_at, max_per_day) * len(study_days) / 60
        say(
            printable(
                f"Your study days hold {hours_amount(held)} h a week (at most "
                f"{hours_amount(ics.day_minutes(start_at, max_per_day) / 60)} h a day from "
                f"{start_at.strftime('%H:%M')}, never past midnight); the plan needs "
                f"{hours_amount(laid_out.hours_per_week)} h a week, so the calendar runs to "
                f"{last.isoformat()}, not {aimed.isoformat()}. To finish by "
                f"{aimed.isoformat()}, add days (--days), start earlier (--at) or allow more "
                "a day (--max-per-day)."
            )
        )


@app.command()
def goal(
    by: ByOption = None,
    clear: Annotated[bool, typer.Option("--clear", help="Forget the goal.")] = False,
) -> None:
    """Set a date to finish the roadmap by; progress and next then say if you are on track.

    On track means the estimated hours you have done since setting the goal are at
    least what a steady pace to the date would have done; behind says by how many.

    \b
    Examples:
      mlpath goal --by 2027-06-30
      mlpath goal
      mlpath goal --clear
    """
    from mlpath.core.pace import remaining_hours
    from mlpath.core.plan import goal_status
    from mlpath.render import words
    from mlpath.storage.settings import Goal, read_goal, write_goal

    current = roadmap()
    if clear:
        write_goal(current.id, None)
        say(printable(f"No goal for {current.title} any more."))
        return
    if by is None:
        target = read_goal(current.id)
        if target is None:
            say("No goal set. Set one with 'mlpath goal --by DATE' (such as 2027-06-30).")
            return
        state = database().load()
        left, _ = remaining_hours(current, state)
        status = goal_status(target.by, target.set_on, target.hours, left, now().date())
        say(printable(words.goal_line(status)))
        return
    day = _day(by, "--by")
    state = database().load()
    left, unestimated = remaining_hours(current, state)
    write_goal(current.id, Goal(day, now().date(), round(left, 2)))
    status = goal_status(day, now().date(), left, left, now().date())
    where = words.goal_line(status).split(": ", 2)[-1]  # after "Goal: finish by DATE: "
    say(printable(f"Goal set: finish {current.title} by {day.isoformat()}; {where}"))
    if unestimated:
        say(f"({words.plural(unestimated, 'topic')} without an hour estimate not counted.)")
