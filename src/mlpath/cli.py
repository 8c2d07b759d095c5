"""The ``mlpath`` command line: parse, call the core, hand the result to the views.

Errors a user can cause are raised as :class:`mlpath.errors.MlpathError` anywhere below;
:class:`_Group` turns them into one plain message on stderr and the documented exit code.
"""

from __future__ import annotations

import sys
from datetime import datetime
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from mlpath import __version__
from mlpath.errors import EXIT_INTERRUPTED, MlpathError
from mlpath.roadmap import Roadmap, Topic


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


def _store() -> Any:
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


@app.command()
def done(topic: TopicArgument) -> None:
    """Record a topic as done, with the current time."""
    from mlpath.errors import printable
    from mlpath.progress import mark_done
    from mlpath.views import local_time

    roadmap = _roadmap()
    chosen = roadmap.find_topic(topic)
    now = _now()
    outcome = _store().update(
        lambda state: ((result := mark_done(state, roadmap.id, chosen.id, now)).state, result)
    )
    name = printable(f"{chosen.title} ({chosen.id})")
    if outcome.changed:
        sys.stdout.write(f"Marked {name} as done.\n")
    else:
        when = local_time(outcome.progress.done_at) if outcome.progress.done_at else "earlier"
        sys.stdout.write(f"{name} was already done (on {when}); nothing changed.\n")


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
