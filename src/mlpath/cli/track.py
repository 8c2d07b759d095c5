"""The ``mlpath`` command line: parse, call the core, hand the result to the views.

Errors a user can cause are raised as :class:`mlpath.errors.MlpathError` anywhere below;
:class:`_Group` turns them into one plain message on stderr and the documented exit code.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from mlpath import __version__
from mlpath.errors import EXIT_INTERRUPTED, MlpathError, printable
from mlpath.roadmap import Roadmap, Topic

if TYPE_CHECKING:
    from mlpath.progress import Outcome, State
    from mlpath.store import Store


class _Group(TyperGroup):
    """Maps our errors and Ctrl-C to a message on stderr and an exit code."""

    # The context is typed Any: typer's Context class lives in a private module.
    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except MlpathError as error:
            sys.stderr.write(f"mlpath: {error.message}\n")
            raise typer.Exit(error.exit_code) from None
        except KeyboardInterrupt:
            sys.stderr.write("mlpath: interrupted.\n")
            raise typer.Exit(EXIT_INTERRUPTED) from None

    def list_commands(self, ctx: Any) -> list[str]:
        return list(self.commands)  # in the order they are defined, not alphabetical


app = typer.Typer(
    cls=_Group,
    name="mlpath",
    help="Track your way along a learning path into ML engineering.",
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)

JsonOption = Annotated[
    bool, typer.Option("--json", help="Print one JSON document (see docs/json.md).")
]


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"mlpath {__version__}\n")
        raise typer.Exit()


@app.callback()
def _main(
    ctx: typer.Context,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Track your way along a learning path into ML engineering.

    Progress is kept in one local file (see 'Your data' in the README); set MLPATH_HOME
    to keep it in another folder.
    """
    if ctx.invoked_subcommand is None:
        sys.stdout.write(ctx.get_help() + "\n")


def _now() -> datetime:
    return datetime.now().astimezone().replace(microsecond=0)


def _roadmap() -> Roadmap:
    from mlpath.roadmap import bundled_roadmap_path, load_roadmap

    return load_roadmap(bundled_roadmap_path())


def _store() -> Store:
    from mlpath.store import Store

    return Store()


def _print(renderable: Any) -> None:
    from mlpath.views import console

    console().print(renderable)


@app.command("list")
def list_(json: JsonOption = False) -> None:
    """List the areas and topics of the path with your status on each."""
    from mlpath import views
    from mlpath.progress import summarize

    roadmap, state = _roadmap(), _store().load()
    summary = summarize(roadmap, state)
    if json:
        views.print_json(views.list_json(roadmap, state, summary))
    else:
        _print(views.list_view(roadmap, state, summary))


TopicArgument = Annotated[
    str, typer.Argument(help="A topic id, alias or unique prefix of an id, e.g. 'nlp'.")
]


@app.command()
def show(
    topic: Annotated[
        str | None,
        typer.Argument(help="A topic id, alias or unique prefix; the next topic if left out."),
    ] = None,
    json: JsonOption = False,
) -> None:
    """Show a topic: why it matters, how to learn it, its book and course, your status."""
    from mlpath import views
    from mlpath.progress import next_topic

    roadmap, state = _roadmap(), _store().load()
    heading = None
    chosen: Topic | None
    if topic is None:
        chosen = next_topic(roadmap, state)
        if chosen is None:
            if json:
                views.print_json(
                    {"roadmap": {"id": roadmap.id, "title": roadmap.title}, "topic": None}
                )
            else:
                _print("Every topic of the path is done: there is nothing next. Well done!")
            return
        heading = "Next up"
    else:
        chosen = roadmap.find_topic(topic)
    if json:
        views.print_json(views.show_json(roadmap, state, chosen))
    else:
        _print(views.show_view(roadmap, state, chosen, heading))


def _apply(operation: Callable[[State], Outcome]) -> Outcome:
    """Run a state operation under the store's lock and save its result."""
    return _store().update(lambda state: ((outcome := operation(state)).state, outcome))


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")


ResourceArgument = Annotated[
    str | None,
    typer.Argument(
        help="A resource id, unique id prefix, or kind ('book', 'course', 'practice').",
        show_default=False,
    ),
]


@app.command()
def start(topic: TopicArgument) -> None:
    """Mark a topic as in progress (also to study a done or skipped one again)."""
    from mlpath import progress as ops
    from mlpath.views import topic_name

    roadmap = _roadmap()
    chosen = roadmap.find_topic(topic)
    now = _now()
    outcome = _apply(lambda state: ops.start(state, roadmap.id, chosen.id, now))
    if outcome.change is None:
        _say(f"{topic_name(chosen)} is already in progress; nothing changed.")
        return
    _say(f"Started {topic_name(chosen)}.")
    missing = ops.missing_prerequisites(outcome.state, roadmap, chosen)
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
) -> None:
    """Record a topic as done, or check off one of its resources.

    'mlpath done deep-learning' marks the topic done; 'mlpath done deep-learning book'
    checks its book; when the last item is checked the topic is done too.
    """
    from mlpath import progress as ops
    from mlpath.errors import UsageError
    from mlpath.views import local_time, topic_name

    roadmap = _roadmap()
    chosen = roadmap.find_topic(topic)
    now = _now()
    name = topic_name(chosen)
    if resource is None and not all_:
        outcome = _apply(lambda state: ops.mark_done(state, roadmap.id, chosen.id, now))
        if outcome.change is not None:
            _say(f"Marked {name} as done.")
        else:
            when = outcome.progress.done_at
            _say(
                f"{name} was already done (on {local_time(when) if when else '?'}); "
                "nothing changed."
            )
        return
    if resource is not None and all_:
        raise UsageError("name a resource or give --all, not both.")
    items = chosen.item_ids if all_ else (chosen.find_item(resource or ""),)
    outcome = _apply(lambda state: ops.check(state, roadmap, chosen, items, now))
    total = len(chosen.item_ids)
    count = sum(1 for i in chosen.item_ids if i in outcome.progress.checked)
    what = "every item" if all_ else printable(items[0])
    if outcome.change is None:
        _say(f"{what} of {name} was already checked; nothing changed.")
    elif outcome.completed:
        _say(f"Checked {what} of {name}: all {total} items are checked, so it is now done.")
    else:
        _say(f"Checked {what} of {name} ({count} of {total} checked).")


@app.command()
def skip(topic: TopicArgument) -> None:
    """Set a topic aside: it is then left out of the progress count."""
    from mlpath import progress as ops
    from mlpath.views import topic_name

    roadmap = _roadmap()
    chosen = roadmap.find_topic(topic)
    now = _now()
    outcome = _apply(lambda state: ops.skip(state, roadmap.id, chosen.id, now))
    if outcome.change is None:
        _say(f"{topic_name(chosen)} was already skipped; nothing changed.")
    else:
        _say(f"Skipped {topic_name(chosen)}; it no longer counts toward your progress.")


@app.command()
def reset(topic: TopicArgument, resource: ResourceArgument = None) -> None:
    """Put a topic back to not started (notes are kept), or uncheck one resource."""
    from mlpath import progress as ops
    from mlpath.views import topic_name

    roadmap = _roadmap()
    chosen = roadmap.find_topic(topic)
    now = _now()
    name = topic_name(chosen)
    if resource is None:
        outcome = _apply(lambda state: ops.reset(state, roadmap.id, chosen.id, now))
        if outcome.change is None:
            _say(f"{name} is not started and has nothing checked; nothing changed.")
        else:
            kept = len(outcome.progress.notes)
            _say(f"Reset {name} to not started" + (f"; kept {kept} note(s)." if kept else "."))
        return
    item = chosen.find_item(resource)
    outcome = _apply(lambda state: ops.uncheck(state, roadmap.id, chosen.id, item, now))
    if outcome.change is None:
        _say(f"{printable(item)} of {name} was not checked; nothing changed.")
    else:
        _say(f"Unchecked {printable(item)} of {name}.")


@app.command()
def note(
    topic: TopicArgument,
    text: Annotated[str, typer.Argument(help="The note, e.g. where you left off.")],
    link: Annotated[
        str | None,
        typer.Option(
            "--link", help="Evidence: an http(s) link to a repository, notebook, certificate."
        ),
    ] = None,
) -> None:
    """Add a dated note to a topic, with an optional link as evidence."""
    from mlpath import progress as ops
    from mlpath.errors import UsageError
    from mlpath.roadmap import is_http_url
    from mlpath.views import topic_name

    if not text.strip():
        raise UsageError("a note needs some text.")
    if link is not None and not is_http_url(link):
        raise UsageError(f"'{link}' is not an http(s) link; only those can be attached.")
    roadmap = _roadmap()
    chosen = roadmap.find_topic(topic)
    now = _now()
    entry = ops.Note(at=now, text=text.strip(), link=link)
    _apply(lambda state: ops.add_note(state, roadmap.id, chosen.id, entry, now))
    _say(f"Added a note to {topic_name(chosen)}" + (" with a link." if link else "."))


@app.command()
def undo() -> None:
    """Revert the most recent change; repeat to go further back."""
    from mlpath.progress import describe
    from mlpath.progress import undo as undo_last
    from mlpath.views import local_time

    reverted = _store().update(undo_last)
    if reverted is None:
        _say("Nothing to undo.")
    else:
        _say(f"Undid: {printable(describe(reverted))} ({local_time(reverted.at)}).")


@app.command()
def history(
    count: Annotated[
        int, typer.Option("-n", "--count", min=1, help="How many changes to list.")
    ] = 20,
    topic: Annotated[
        str | None, typer.Option("--topic", help="Only the changes of this topic.")
    ] = None,
    json: JsonOption = False,
) -> None:
    """List recent changes, newest first."""
    from mlpath import views

    state = _store().load()
    changes = list(reversed(state.log))
    if topic is not None:
        roadmap = _roadmap()
        chosen = roadmap.find_topic(topic)
        changes = [c for c in changes if c.roadmap == roadmap.id and c.topic == chosen.id]
    changes = changes[:count]
    if json:
        views.print_json(views.history_json(changes))
    else:
        _print(views.history_view(changes))


@app.command()
def progress(json: JsonOption = False) -> None:
    """Show how far you are, overall and per area, and the next topic to study."""
    from mlpath import views
    from mlpath.progress import summarize

    roadmap, state = _roadmap(), _store().load()
    summary = summarize(roadmap, state)
    if json:
        views.print_json(views.progress_json(roadmap, summary))
    else:
        _print(views.progress_view(roadmap, summary))


def main() -> None:
    """The console script's entry point."""
    app()
