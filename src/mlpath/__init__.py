"""mlpath: a command-line learning-path tracker for people moving into ML engineering."""

__version__ = "0.1.0"


def main() -> None:
    """The console script's entry point.

    ``mlpath --version`` is answered here, before the command line (typer, rich, the
    roadmap) is loaded at all; everything else goes to :func:`mlpath.cli.main`.
    """
    import sys

    if sys.argv[1:] == ["--version"]:
        sys.stdout.write(f"mlpath {__version__}\n")
        return
    try:
        from mlpath.cli import main as run
    except (KeyboardInterrupt, RuntimeError) as error:  # Ctrl-C while still loading
        # (Python 3.11 wraps a Ctrl-C while a class is made in a RuntimeError)
        cause = error if isinstance(error, KeyboardInterrupt) else error.__cause__
        if not isinstance(cause, KeyboardInterrupt):
            raise
        sys.stderr.write("mlpath: interrupted.\n")
        sys.exit(130)
    run()
