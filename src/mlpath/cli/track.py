"""Commands that record progress: start, done, skip, reset, note, log, reviewed, undo,
history."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from mlpath.cli._app import (
    JsonOption,
    ResourceArgument,
    TopicArgument,
    WhenOption,
    app,
    apply,
    complete_topic,
    database,
    now,
    render,
    retention,
    roadmap,
    say,
    when,
)
from mlpath.core.errors import printable

if TYPE_CHECKING:
    from mlpath.core.progress import Grade, State
    from mlpath.core.roadmap import Roadmap, Topic


@app.command()
def start(topic: TopicArgument, on: WhenOption = None) -> None:
    """Mark a topic as in progress (also to study a done or skipped one again).

    \b
    Examples:
      mlpath start deep-learning
      mlpath start dl --on yesterday
    """
    from mlpath.core import progress as ops
    from mlpath.render.words import topic_name

    current = roadmap()
    chosen = current.find_topic(topic)
    moment = when(on)
    outcome = apply(lambda state: ops.start(state, current.id, chosen.id, moment))
    if outcome.change is None:
        say(f"{topic_name(chosen)} is already in progress; nothing changed.")
        return
    say(f"Started {topic_name(chosen)}.")
    _note_missing(outcome.state, current, chosen)


def _note_missing(state: State, current: Roadmap, chosen: Topic) -> None:
    """A note on stderr when the topic's prerequisites are not all done (nothing is
    refused: the learner may know them already)."""
    from mlpath.core.progress import missing_prerequisites

    missing = missing_prerequisites(state, current, chosen)
    if missing:
        sys.stderr.write(
            f"mlpath: note: {chosen.id} builds on {', '.join(missing)}, not done yet.\n"
        )


@app.command()
def done(
    topic: TopicArgument,
    resource: ResourceArgument = None,
    all_: Annotated[
        bool, typer.Option("--all", help="Check the practice and every resource of the topic.")
    ] = False,
    on: WhenOption = None,
) -> None:
    """Record a topic as done, or check off one of its resources.

    'mlpath done deep-learning' marks the topic done; 'mlpath done deep-learning book'
    checks its book; when the last item is checked the topic is done too.

    \b
    Examples:
      mlpath done foundations
      mlpath done deep-learning book
    """
    from mlpath.core import progress as ops
    from mlpath.core.errors import UsageError
    from mlpath.render.words import local_time, topic_name

    current = roadmap()
    chosen = current.find_topic(topic)
    moment = when(on)
    name = topic_name(chosen)
    if resource is None and not all_:
        outcome = apply(lambda state: ops.mark_done(state, current.id, chosen.id, moment))
        if outcome.change is not None:
            say(f"Marked {name} as done.")
            _note_missing(outcome.state, current, chosen)
        else:
            done_at = outcome.progress.done_at
            say(
                f"{name} was already done (on {local_time(done_at) if done_at else '?'}); "
                "nothing changed."
            )
        return
    if resource is not None and all_:
        raise UsageError("name a resource or give --all, not both.")
    items = chosen.item_ids if all_ else (chosen.find_item(resource or ""),)
    outcome = apply(lambda state: ops.check(state, current, chosen, items, moment))
    total = len(chosen.item_ids)
    count = sum(1 for i in chosen.item_ids if i in outcome.progress.checked)
    what = "every item" if all_ else printable(items[0])
    if outcome.change is None:
        say(f"{what} of {name} was already checked; nothing changed.")
    elif outcome.completed:
        say(f"Checked {what} of {name}: all {total} items are checked, so it is now done.")
        _note_missing(outcome.state, current, chosen)
    else:
        say(f"Checked {what} of {name} ({count} of {total} checked).")


@app.command()
def skip(topic: TopicArgument, on: WhenOption = None) -> None:
    """Set a topic aside: it is then left out of the progress count.

    \b
    Examples:
      mlpath skip nlp
    """
    from mlpath.core import progress as ops
    from mlpath.render.words import topic_name

    current = roadmap()
    chosen = current.find_topic(topic)
    moment = when(on)
    outcome = apply(lambda state: ops.skip(state, current.id, chosen.id, moment))
    if outcome.change is None:
        say(f"{topic_name(chosen)} was already skipped; nothing changed.")
    else:
        say(f"Skipped {topic_name(chosen)}; it no longer counts toward your progress.")


@app.command()
def reset(topic: TopicArgument, resource: ResourceArgument = None) -> None:
    """Put a topic back to not started (notes and logged time are kept), or uncheck one
    resource.

    \b
    Examples:
      mlpath reset nlp
      mlpath reset deep-learning fastai
    """
    from mlpath.core import progress as ops
    from mlpath.render.words import duration_text, plural, topic_name

    current = roadmap()
    chosen = current.find_topic(topic)
    moment = now()
    name = topic_name(chosen)
    if resource is None:
        outcome = apply(
            lambda state: ops.reset(state, current.id, chosen.id, moment),
            topics=[(current.id, chosen.id)],  # to say what it kept
        )
        if outcome.change is None:
            say(f"{name} is not started and has nothing checked; nothing changed.")
        else:
            kept = outcome.progress
            what = [plural(len(kept.notes), "note")] if kept.notes else []
            if kept.sessions:
                what.append(f"{duration_text(kept.minutes)} of logged study time")
            say(f"Reset {name} to not started" + (f"; kept {' and '.join(what)}." if what else "."))
        return
    item = chosen.find_item(resource)
    outcome = apply(lambda state: ops.uncheck(state, current.id, chosen.id, item, moment))
    if outcome.change is None:
        say(f"{printable(item)} of {name} was not checked; nothing changed.")
    else:
        say(f"Unchecked {printable(item)} of {name}.")


@app.command()
def note(
    topic: TopicArgument,
    text: Annotated[str, typer.Argument(metavar="TEXT", help="The note, e.g. where you left off.")],
    link: Annotated[
        str | None,
        typer.Option(
            "--link",
            metavar="URL",
            help="Evidence: an http(s) link to a repository, notebook, certificate.",
        ),
    ] = None,
) -> None:
    """Add a dated note to a topic, with an optional link as evidence.

    \b
    Examples:
      mlpath note dl "Stopped at chapter 6"
      mlpath note dl --link https://github.com/you/mlp "MLP from scratch"
    """
    from mlpath.core import progress as ops
    from mlpath.core import rules
    from mlpath.core.errors import UsageError
    from mlpath.render.words import topic_name

    if not text.strip():
        raise UsageError("a note needs some text.")
    try:
        rules.text(text, "the note")
        link = None if link is None else rules.url(link, "the link")
    except rules.Invalid as error:
        raise UsageError(str(error)) from None
    current = roadmap()
    chosen = current.find_topic(topic)
    moment = now()
    entry = ops.Note(at=moment, text=text.strip(), link=link)
    apply(lambda state: ops.add_note(state, current.id, chosen.id, entry, moment))
    say(f"Added a note to {topic_name(chosen)}" + (" with a link." if link else "."))


@app.command("log")
def log_(
    topic: TopicArgument,
    duration: Annotated[
        str,
        typer.Argument(
            metavar="DURATION", help="Study time: 45m, 1h30m, 2h, 1.5h, or 90 (minutes)."
        ),
    ],
    on: WhenOption = None,
    note: Annotated[
        str | None,
        typer.Option("--note", metavar="TEXT", help="What you did, e.g. 'chapter 3 exercises'."),
    ] = None,
) -> None:
    """Record time spent studying a topic.

    \b
    Examples:
      mlpath log dl 45m
      mlpath log dl 1h30m --on yesterday --note "chapter 3"
    """
    from mlpath.core import progress as ops
    from mlpath.core.errors import UsageError
    from mlpath.core.pace import parse_duration
    from mlpath.core.progress import Session, Status
    from mlpath.render.words import day_or_time, duration_text, topic_name

    try:
        minutes = parse_duration(duration)
    except ValueError as error:
        raise UsageError(str(error)) from None
    current = roadmap()
    chosen = current.find_topic(topic)
    session = Session(on=when(on), minutes=minutes, note=(note or "").strip() or None)
    outcome = apply(lambda state: ops.log_time(state, current.id, chosen.id, session))
    started = outcome.change is not None and outcome.change.before.status in (
        Status.NOT_STARTED,
        Status.SKIPPED,
    )
    say(
        f"Logged {duration_text(minutes)} on {topic_name(chosen)} for {day_or_time(session.on)}; "
        f"{duration_text(outcome.progress.minutes)} in all"
        + ("; it is now in progress." if started else ".")
    )


def complete_grade(incomplete: str) -> list[tuple[str, str]]:
    from mlpath.core.recall import GRADES

    meaning = {
        "again": "forgotten",
        "hard": "remembered, with effort",
        "good": "remembered",
        "easy": "remembered at once",
    }
    return [(g.value, meaning[g.value]) for g in GRADES if g.value.startswith(incomplete)]


RecallOption = Annotated[
    str,
    typer.Option(
        "--recall",
        metavar="GRADE",
        help="How well you remembered it: again (forgot), hard, good or easy (or 1-4).",
        autocompletion=complete_grade,
    ),
]


def grade_of(text: str) -> Grade:
    """A grade as typed: its word (or a prefix of it) or its number, 1 to 4."""
    from mlpath.core.errors import UsageError
    from mlpath.core.recall import GRADES

    word = text.strip().lower()
    if word in ("1", "2", "3", "4"):
        return GRADES[int(word) - 1]
    matches = [g for g in GRADES if word and g.value.startswith(word)]
    if len(matches) == 1:
        return matches[0]
    raise UsageError(
        f"'{printable(text)}' is not a grade: again (you forgot it), hard, good or easy, or 1 to 4."
    )


@app.command()
def reviewed(topic: TopicArgument, recall: RecallOption = "good", on: WhenOption = None) -> None:
    """Record that you reviewed a done topic, and how well you remembered it; its next
    review is set by that (FSRS).

    \b
    Examples:
      mlpath reviewed foundations
      mlpath reviewed foundations --recall hard
      mlpath reviewed deep-learning --recall easy --on yesterday
    """
    from mlpath.core import progress as ops
    from mlpath.core.errors import MlpathError
    from mlpath.core.recall import memory
    from mlpath.render.words import local_date, topic_name

    current = roadmap()
    chosen = current.find_topic(topic)
    grade = grade_of(recall)
    moment = when(on)
    kept = retention()

    try:
        outcome = apply(lambda state: ops.review(state, current.id, chosen.id, moment, grade))
    except ops.NotDone as error:
        raise MlpathError(str(error)) from None
    scheduled = memory(outcome.progress, kept)
    following = f"; next review on {local_date(scheduled.due)}" if scheduled else ""
    say(f"Reviewed {topic_name(chosen)}, graded {grade.value}{following}.")


@app.command()
def undo() -> None:
    """Revert the most recent change; repeat to go further back.

    \b
    Examples:
      mlpath undo
    """
    from mlpath.render.words import describe, local_time

    reverted = database().undo()
    if reverted is None:
        say("Nothing to undo.")
    else:
        say(f"Undid: {printable(describe(reverted))} ({local_time(reverted.at)}).")


@app.command()
def history(
    count: Annotated[
        int,
        typer.Option(
            "-n",
            "--count",
            metavar="N",
            min=1,
            max=10**9,
            help="How many changes to list; 20 if not given.",
            show_default=False,
        ),
    ] = 20,
    topic: Annotated[
        str | None,
        typer.Option(
            "--topic",
            metavar="TOPIC",
            help="Only the changes of this topic.",
            autocompletion=complete_topic,
        ),
    ] = None,
    json: JsonOption = False,
) -> None:
    """List recent changes, newest first.

    \b
    Examples:
      mlpath history
      mlpath history -n 50 --topic dl
    """
    from mlpath.core.results.reports import HistoryResult
    from mlpath.render import text

    if topic is None:
        changes = database().changes(count)
    else:
        current = roadmap()
        changes = database().changes(count, current.id, current.find_topic(topic).id)
    result = HistoryResult(tuple(changes))
    if json:
        text.print_json(text.history_json(result))
    else:
        from mlpath.render import views

        render(views.history_view(result))
