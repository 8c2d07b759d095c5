"""The ``mlpath`` command line: parse, call the core, hand the result to the views.

``_app`` holds the Typer app and the helpers its commands share. Importing the other
modules registers their commands: ``browse`` the read commands, ``track`` the ones that
record progress, ``data`` export, import and doctor, ``roadmaps`` the ``roadmap``
group.
"""

import typer

from mlpath.cli import browse, data, roadmaps, track
from mlpath.cli._app import app

__all__ = ["app", "browse", "data", "lean_app", "main", "roadmaps", "track"]


def lean_app(argv: list[str]) -> typer.Typer:
    """The app with only the command that ``argv`` runs, when that is clear.

    Typer turns every registered command into a click command (resolving its type hints)
    before it runs one; doing that for one command instead of all of them is a good part
    of mlpath's start-up. Help, completion and anything unclear get the whole app.
    """
    import copy
    import os

    if any(v.startswith("_MLPATH_COMPLETE") for v in os.environ):
        return app
    args = iter(argv)
    for arg in args:
        if arg in ("-h", "--help") or arg.startswith("--install") or arg.startswith("--show"):
            return app
        if arg == "--roadmap":
            next(args, None)
        elif not arg.startswith("-"):
            chosen = [c for c in app.registered_commands if _command_name(c) == arg]
            groups = [g for g in app.registered_groups if g.name == arg]
            if not chosen and not groups:
                return app  # unknown: let the full app say so, with suggestions
            lean = copy.copy(app)
            lean.registered_commands = chosen
            lean.registered_groups = groups
            return lean
    return app


def _command_name(command: typer.models.CommandInfo) -> str:
    if command.name:
        return command.name
    callback = command.callback
    return getattr(callback, "__name__", "").replace("_", "-")


def main() -> None:
    """Run the command line (``mlpath.main`` is the console script)."""
    import sys

    from mlpath.errors import EXIT_INTERRUPTED

    try:
        lean_app(sys.argv[1:])()
    except KeyboardInterrupt:  # outside a command (e.g. while parsing); inside, see _Group
        sys.stderr.write("mlpath: interrupted.\n")
        sys.exit(EXIT_INTERRUPTED)
