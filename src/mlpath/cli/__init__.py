"""The ``mlpath`` command line: parse, call the core, hand the result to the views.

``_app`` holds the Typer app and the helpers its commands share. Importing the other
modules registers their commands: ``browse`` the read commands, ``track`` the ones that
record progress, ``data`` export, import and doctor, ``roadmaps`` the ``roadmap``
group.
"""

from mlpath.cli import browse, data, roadmaps, track
from mlpath.cli._app import app

__all__ = ["app", "browse", "data", "main", "roadmaps", "track"]


def main() -> None:
    """The console script's entry point."""
    import sys

    from mlpath.errors import EXIT_INTERRUPTED

    try:
        app()
    except KeyboardInterrupt:  # outside a command (e.g. while parsing); inside, see _Group
        sys.stderr.write("mlpath: interrupted.\n")
        sys.exit(EXIT_INTERRUPTED)
