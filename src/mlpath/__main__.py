"""``python -m mlpath``."""

from mlpath.cli import main

main()
