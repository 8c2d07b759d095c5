"""``python -m mlpath``."""

from mlpath import main

main()
