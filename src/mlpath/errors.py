"""The errors a user can cause, and the exit code each one maps to.

Every failure that a user can provoke is raised as an :class:`MlpathError`; the command
layer prints its message to stderr and exits with its ``exit_code``. Anything else that
escapes is a bug.
"""

from __future__ import annotations

import re

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

# C0 and C1 control characters and DEL, except tab and newline.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """Replace control characters with visible escapes, so text from a roadmap or a state
    file can be put into a message without reaching the terminal as a control sequence."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


class MlpathError(Exception):
    """A failure the user can act on. ``str(error)`` is the whole message."""

    exit_code = EXIT_FAILURE

    def __init__(self, message: str) -> None:
        super().__init__(printable(message))

    @property
    def message(self) -> str:
        return str(self)


class UsageError(MlpathError):
    """The command line asked for something that does not exist (exit 2)."""

    exit_code = EXIT_USAGE


class TopicNotFound(UsageError):
    """No topic matches the name the user gave."""


class RoadmapError(MlpathError):
    """A roadmap file is missing, unreadable or invalid (exit 1)."""


class StateError(MlpathError):
    """The state file cannot be read or written (exit 1)."""
