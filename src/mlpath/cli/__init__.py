"""The ``mlpath`` command line: parse, call the core, hand the result to the views.

``_app`` holds the Typer app and the helpers its commands share; ``browse`` registers the
read commands and ``track`` the ones that record progress, in the order ``--help`` lists
them.
"""

from mlpath.cli import browse, roadmaps, track
from mlpath.cli._app import app

__all__ = ["app", "browse", "main", "roadmaps", "track"]


def main() -> None:
    """The console script's entry point."""
    app()
