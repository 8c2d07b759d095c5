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
    except KeyboardInterrupt:  # Ctrl-C while the command line is still loading
        sys.stderr.write("mlpath: interrupted.\n")
        sys.exit(130)
    run()
