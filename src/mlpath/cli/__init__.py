"""The ``mlpath`` command line: parse, call the core, hand the result to the views.

``_app`` holds the Typer app and the helpers its commands share. Importing the other
modules registers their commands: ``browse`` the read commands, ``track`` the ones that
record progress, ``data`` export, import and doctor, ``roadmaps`` the ``roadmap``
group, ``team`` sync and cohort, ``plans`` plan and goal, ``settings`` config.
"""

import typer

from mlpath.cli import browse, data, plans, roadmaps, settings, team, track
from mlpath.cli._app import app, explain

__all__ = [
    "app",
    "browse",
    "data",
    "lean_app",
    "main",
    "plans",
    "roadmaps",
    "settings",
    "team",
    "track",
]


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
    """Run the command line (``mlpath.main`` is the console script).

    Output that cannot be written (a full disk, a closed standard output, a broken pipe)
    ends in one line on stderr, never a traceback. A broken pipe (``| head``) ends
    quietly. Otherwise the exit code says whether a change was stored: 0 when the command
    saved its change but could not print its report (a script must not record it again),
    1 when nothing was saved.
    """
    import os
    import sys

    from mlpath.core.errors import EXIT_FAILURE, EXIT_INTERRUPTED

    closed = sys.stdout is None  # started with standard output closed (>&-)
    if closed:
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 (the process's whole life)
    code: str | int | None = 0
    failure: OSError | None = None
    try:
        lean_app(sys.argv[1:])()
    except SystemExit as done:
        code = done.code
    except KeyboardInterrupt as interrupted:  # outside a command (e.g. while parsing)
        message, code = explain(interrupted) or ("mlpath: interrupted.\n", EXIT_INTERRUPTED)
        sys.stderr.write(message)
    except OSError as error:  # what reaches here is the output failing
        failure = error
    try:
        sys.stdout.flush()
    except OSError as error:
        failure = failure or error
    if failure is None and not closed:
        sys.exit(code)
    _output_failed(failure, code, EXIT_FAILURE)


def _output_failed(failure: OSError | None, code: str | int | None, exit_failure: int) -> None:
    """End a run whose output could not be written, as :func:`main` says."""
    import errno
    import os
    import sys

    from mlpath.cli._app import saved_anything

    if failure is not None and failure.errno == errno.EPIPE:
        os._exit(0 if code in (0, None) else code if isinstance(code, int) else 1)
    reason = "standard output is closed" if failure is None else failure.strerror or failure
    if saved_anything():
        message = f"the change was saved, but its report could not be written: {reason}."
        exit_code = 0 if code in (0, None) else code
    else:
        message = f"cannot write the output: {reason}."
        exit_code = exit_failure
    try:
        sys.stderr.write(f"mlpath: {message}\n")
        sys.stderr.flush()
    except (OSError, AttributeError):
        pass
    # Leave at once: flushing the failed output again at exit would print a traceback.
    os._exit(exit_code if isinstance(exit_code, int) else exit_failure)
