"""The errors a user can cause, and the exit code each one maps to.

Every failure that a user can provoke is raised as an :class:`MlpathError`; the command
layer prints its message to stderr and exits with its ``exit_code``. Anything else that
escapes is a bug.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

# C0 and C1 control characters and DEL (except tab and newline); the characters that
# change the direction of text (bidi marks, embeddings, overrides and isolates); the ones
# that take no room (zero-width spaces and joiners, the byte order mark, the soft hyphen);
# and the line and paragraph separators. Any of them can make a title show what it is not.
_CONTROL = re.compile(
    "[\x00-\x08\x0a-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]"
)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def printable(text: str) -> str:
    """Replace control, direction-changing, zero-width and separator characters with
    visible escapes (``\\x1b``, ``\\u202e``), so that text from a roadmap, a note or an
    import reaches no output (terminal, Markdown, HTML, SVG, error messages) as anything
    but what it says."""
    return _CONTROL.sub(_escape, text)


class MlpathError(Exception):
    """A failure the user can act on. ``str(error)`` is the whole message."""

    exit_code = EXIT_FAILURE

    def __init__(self, message: str, lines: Sequence[str] = ()) -> None:
        """``message`` is one line (a line feed in it shows as ``\\x0a``, so no text in
        it can start a line of its own); ``lines`` follow it, each on its own line,
        indented."""
        super().__init__("\n  ".join(printable(part) for part in (message, *lines)))

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
