"""How a line of prose is broken to the width: at its spaces, never inside an atom, and
each line after the first indented (a hanging indent).

Atoms are what a reader takes in whole and a split would garble: a date with its time
(``2026-11-15 00:00``), a number with its unit (``17.5 h``, ``90%``, ``1h30m``), a count
(``2 of 3``) and a command to copy (``mlpath show deep-learning``). Ids, links and paths
hold no spaces: they are broken only when longer than a whole line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.text import Text

#: The atoms, as one pattern (see the module's docstring).
ATOM = re.compile(
    r"\d{4}-\d{2}-\d{2} \d{1,2}:\d{2}"  # a date with its time
    r"|\d+ of \d+"  # a count
    r"|\d+(?:[.,]\d+)? ?(?:h|m|%|min|MB|GB)(?![\w])"  # a number with its unit
    r"|mlpath(?: [a-z][a-z-]*)(?: (?:--?[a-z][a-z-]*|[A-Z][A-Z]+|[a-z0-9][a-z0-9-]*"
    r"|[a-z]+(?:\|[a-z]+)+)){0,3}"  # a command and its arguments
)
#: How far lines after the first are indented.
HANGING = 2


def tokens(plain: str) -> list[tuple[int, int]]:
    """The spans of ``plain`` that a line may not break inside: its words, with the words
    of one atom joined into one."""
    atoms = [(m.start(), m.end()) for m in ATOM.finditer(plain)]
    found: list[tuple[int, int]] = []
    atom_of_last = -1
    for word in re.finditer(r"\S+", plain):
        start, end = word.span()
        inside = next((i for i, (a, b) in enumerate(atoms) if start < b and end > a), -1)
        if found and inside != -1 and inside == atom_of_last:
            found[-1] = (found[-1][0], end)
        else:
            found.append((start, end))
        atom_of_last = inside
    return found


def lines(plain: str, width: int, hanging: int = HANGING) -> list[tuple[int, int]]:
    """Where each line of ``plain`` starts and ends when laid out ``width`` cells wide:
    greedily, breaking only between tokens. An atom longer than a line starts a line of
    its own and breaks at its spaces; a word longer than a line stands alone."""
    room_after = max(1, width - hanging)
    spans: list[tuple[int, int, bool]] = []  # (start, end, begins a line)
    for start, end in tokens(plain):
        if end - start > room_after and " " in plain[start:end]:
            words = re.finditer(r"\S+", plain[start:end])
            spans += [(start + w.start(), start + w.end(), n == 0) for n, w in enumerate(words)]
        else:
            spans.append((start, end, False))
    if not spans:
        return [(0, 0)]
    laid: list[tuple[int, int]] = []
    start, end, _ = spans[0]
    room = width
    for next_start, next_end, fresh in spans[1:]:
        if next_end - start <= room and not fresh:
            end = next_end
            continue
        laid.append((start, end))
        start, end = next_start, next_end
        room = room_after
    laid.append((start, end))
    return laid


class Flow:
    """A Text laid out by :func:`lines`: atoms whole, a hanging indent, its styles kept.
    Line feeds in it start new paragraphs (each with its own hanging indent)."""

    def __init__(self, text: Text, hanging: int = HANGING) -> None:
        self.text = text
        self.hanging = hanging

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        plain = self.text.plain
        longest = max((b - a for a, b in tokens(plain)), default=0)
        widest = max((len(p) for p in plain.split("\n")), default=0)
        return Measurement(min(longest, options.max_width), min(widest, options.max_width))

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        for paragraph in self.text.split("\n", allow_blank=True):
            yield from self._paragraph(paragraph, width)

    def _paragraph(self, paragraph: Text, width: int) -> Iterator[Any]:
        indent = paragraph.plain[: len(paragraph.plain) - len(paragraph.plain.lstrip(" "))]
        for number, (start, end) in enumerate(lines(paragraph.plain, width, self.hanging)):
            line = paragraph[start:end] if number else paragraph[:end]
            if number:
                line = Text(" " * (self.hanging + len(indent))) + line
            # A line is longer than the width only when one atom is: Rich then breaks it
            # at its spaces, else folds it.
            line.overflow = "fold"
            yield line


def flow(renderable: Any, hanging: int = HANGING) -> Any:
    """A Text as a :class:`Flow`; anything else, and a Text that is never to wrap (a
    link), as it is."""
    if isinstance(renderable, Text) and not renderable.no_wrap:
        return Flow(renderable, hanging)
    return renderable
