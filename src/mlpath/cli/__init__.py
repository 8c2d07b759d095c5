"""The ``mlpath`` command line: parse, call the core, hand the result to the views.

``_app`` holds the Typer app and the helpers its commands share. Importing the other
modules registers their commands: ``browse`` the read commands, ``track`` the ones that
record progress, ``share`` export and import, ``roadmaps`` the ``roadmap`` group.
"""

from mlpath.cli import browse, roadmaps, share, track
from mlpath.cli._app import app

__all__ = ["app", "browse", "main", "roadmaps", "share", "track"]


def main() -> None:
    """The console script's entry point."""
    app()
