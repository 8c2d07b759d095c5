"""mlpath: a command-line learning-path tracker for people moving into ML engineering."""

__version__ = "0.1.0"
