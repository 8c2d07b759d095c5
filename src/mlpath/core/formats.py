"""The state's text formats 1 to 5: the TOML state files that mlpath wrote before the
database, and the body of an export.

Pure: bytes and parsed data in, a :class:`~mlpath.core.progress.State` out. The store uses it
to migrate an old state file into the database; ``import`` uses it to read exports and
state files from other machines.
"""

from __future__ import annotations

import tomllib
import zlib
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Any

from mlpath.core.progress import (
    STATE_VERSION,
    Change,
    State,
    StateFormatError,
    change_from_dict,
    state_from_dict,
    state_from_v4_dict,
)


class NewerFormat(Exception):
    def __init__(self, version: int) -> None:
        super().__init__(version)
        self.version = version


class NotText(Exception):
    """The bytes are not UTF-8 text; ``offset`` is where the first bad byte is."""

    def __init__(self, offset: int) -> None:
        super().__init__(offset)
        self.offset = offset


class JournalMismatch(Exception):
    """A format 5 file whose journal does not match the check in its first part."""


def read_state_file(raw: bytes) -> State:
    """The complete state in the bytes of a TOML state file of formats 1 to 5.

    Raises :class:`NotText`, ``tomllib.TOMLDecodeError``, :class:`JournalMismatch`,
    :class:`NewerFormat` or :class:`StateFormatError`, each for what its name says.
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise NotText(error.start) from None
    try:
        data = tomllib.loads(text)
    except RecursionError:
        raise StateFormatError("nested too deeply") from None
    check = data.pop("journal_check", None)
    if check is not None and data.get("version") == STATE_VERSION:
        # Format 5 keeps a check of its journal (from the first ``[[journal]]`` on): a
        # journal that fails it may have lost entries, so it is refused, never guessed at.
        journal = _journal_part(raw)
        expected = {"bytes": len(journal), "crc32": zlib.crc32(journal)}
        found = {k: check.get(k) for k in expected} if isinstance(check, dict) else None
        if found != expected:
            raise JournalMismatch()
    return decode_state(data)


_JOURNAL_HEADER = b"[[journal]]\n"


def _journal_part(raw: bytes) -> bytes:
    """A format 5 file's journal: everything from its first ``[[journal]]`` table."""
    if raw.startswith(_JOURNAL_HEADER):
        return raw
    at = raw.find(b"\n" + _JOURNAL_HEADER)
    return b"" if at < 0 else raw[at + 1 :]


def decode_state(data: dict[str, Any]) -> State:
    """State data of any known format version, migrated and checked.

    Raises :class:`NewerFormat` for a format newer than this mlpath reads and
    :class:`StateFormatError` for anything else that is wrong.
    """
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise StateFormatError("no valid format 'version'")
    if version > STATE_VERSION:
        raise NewerFormat(version)
    if version < STATE_VERSION:
        return state_from_v4_dict(migrate(data, version))
    data = {k: v for k, v in data.items() if k != "journal_check"}
    journal = data.get("journal", [])
    if not isinstance(journal, list):
        raise StateFormatError("journal: expected a list of entries")
    return state_from_dict(data, journal)


# --- migrations ------------------------------------------------------------------------
# Each step takes the data of format N (as read by tomllib) and returns format N + 1.


def _v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    """Format 1 (mlpath 0.1: ``progress.<roadmap>.<topic>`` with status and done_at) to
    format 2 (``roadmaps.<roadmap>.topics.<topic>``, statuses, checks, notes, a log)."""
    progress = data.get("progress", {})
    if not isinstance(progress, dict):
        raise StateFormatError("progress: expected a table")
    extra = set(data) - {"version", "progress"}
    if extra:
        raise StateFormatError(f"unknown key '{sorted(extra)[0]}'")
    roadmaps = {}
    for roadmap_id, topics in progress.items():
        if not isinstance(topics, dict):
            raise StateFormatError(f"progress.{roadmap_id}: expected a table")
        roadmaps[roadmap_id] = {"topics": topics}
    return {"version": 2, "roadmaps": roadmaps}


def _v2_to_v3(data: dict[str, Any]) -> dict[str, Any]:
    """Format 2 to format 3, which adds ``updated_at`` (when a topic's status last changed,
    for merging imports) and ``unchecked`` (when a check was removed). A topic's
    ``updated_at`` starts as the latest of its status dates."""
    roadmaps = data.get("roadmaps", {})
    if not isinstance(roadmaps, dict):
        raise StateFormatError("roadmaps: expected a table")
    for roadmap_id, entry in roadmaps.items():
        topics = entry.get("topics", {}) if isinstance(entry, dict) else None
        if not isinstance(topics, dict):
            raise StateFormatError(f"roadmaps.{roadmap_id}: expected a table of topics")
        for topic in topics.values():
            if isinstance(topic, dict):
                dates = [topic.get(k) for k in ("started_at", "done_at", "skipped_at")]
                known = [d for d in dates if isinstance(d, datetime) and d.tzinfo is not None]
                if known:
                    topic["updated_at"] = max(known)
    return {**data, "version": 3}


def _v3_to_v4(data: dict[str, Any]) -> dict[str, Any]:
    """Format 3 to format 4, which adds study ``sessions`` and ``reviews`` to topics; both
    start empty, so only the version changes."""
    return {**data, "version": 4}


MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {
    1: _v1_to_v2,
    2: _v2_to_v3,
    3: _v3_to_v4,
}


def migrate(data: dict[str, Any], version: int) -> dict[str, Any]:
    """Carry data of format ``version`` forward to format 4. Format 4 becomes format 5
    in memory (``state_from_v4_dict``): notes, sessions and the log move to the journal,
    and topics gain their study-time totals and the day summary."""
    while version < 4:
        data = MIGRATIONS[version](data)
        version += 1
    return data


# --- reading an import a piece at a time -----------------------------------------------------

#: The members whose elements are read one at a time: format 5's journal, older formats' log.
STREAMED = ("journal", "log")


class NotAnExport(Exception):
    """The document is not an mlpath export or state file; the message says why."""


class NewerExport(Exception):
    def __init__(self, version: int) -> None:
        super().__init__(version)
        self.version = version


def document_items(data: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """A parsed document's members as :func:`json_members` yields them."""
    for key, value in data.items():
        if key in STREAMED and isinstance(value, list):
            yield from ((f"{key}[]", element) for element in value)
        else:
            yield key, value


def read_import(items: Iterable[tuple[str, Any]]) -> Iterator[Change | State]:
    """Decode an export, or a state file of formats 1 to 5, from its members (as
    :func:`json_members` or :func:`document_items` give them): each change of its log as
    soon as it is read, then, last, its progress (every topic with its notes and study
    sessions; no log).

    Raises :class:`NotAnExport`, :class:`NewerExport`, :class:`NewerFormat` or
    :class:`StateFormatError`.
    """
    head: dict[str, Any] = {}
    pending: list[tuple[str, Any]] = []
    items_of_v5: list[Any] = []  # notes and study sessions, until the topics are read
    version: int | None = None
    counts = {"journal": 0, "log": 0}
    for key, value in items:
        if not key.endswith("[]"):
            head[key] = value
            continue
        if version is None and "version" not in head:
            pending.append((key, value))  # the version comes later: decode these then
            continue
        if version is None:
            version = _version(head)
        change = _element(key[:-2], value, version, counts, items_of_v5)
        if change is not None:
            yield change
    if version is None:
        version = _version(head)
    for key, value in pending:
        change = _element(key[:-2], value, version, counts, items_of_v5)
        if change is not None:
            yield change
    # "learner": whose progress a sync file holds (see mlpath.core.exchange.sync_document)
    data = {k: v for k, v in head.items() if k not in (EXPORT_KEY, "exported_at", "learner")}
    if version == STATE_VERSION:
        data["journal"] = items_of_v5
    yield decode_state(data)


EXPORT_KEY = "mlpath_export"
#: The version of the export envelope; an export from a newer mlpath is refused.
EXPORT_VERSION = 1


def _version(head: dict[str, Any]) -> int:
    """The state format of a document, once its envelope is checked."""
    if EXPORT_KEY in head:
        envelope = head[EXPORT_KEY]
        if not isinstance(envelope, int) or isinstance(envelope, bool):
            raise NotAnExport(f"'{EXPORT_KEY}' must be a whole number")
        if envelope > EXPORT_VERSION:
            raise NewerExport(envelope)
    elif "version" not in head:
        raise NotAnExport(f"it has neither '{EXPORT_KEY}' nor 'version'")
    version = head.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise StateFormatError("no valid format 'version'")
    if version > STATE_VERSION:
        raise NewerFormat(version)
    return version


def _element(
    name: str, value: Any, version: int, counts: dict[str, int], items_of_v5: list[Any]
) -> Change | None:
    place = f"{name}[{counts[name]}]"
    counts[name] += 1
    expected = "journal" if version == STATE_VERSION else "log"
    if name != expected:
        raise StateFormatError(f"(top level): unknown key '{name}'")
    if not isinstance(value, dict):
        raise StateFormatError(f"{place}: expected a table, found {type(value).__name__}")
    if version < STATE_VERSION:
        return change_from_dict(value, place)
    if value.get("kind") == "change":
        return change_from_dict({k: v for k, v in value.items() if k != "kind"}, place)
    items_of_v5.append(value)
    return None


class NotJson(Exception):
    """The text is not valid JSON; the message says where."""


def json_members(chunks: Iterable[str]) -> Iterator[tuple[str, Any]]:
    """The members of the JSON object in ``chunks`` (pieces of text, in order), read a
    piece at a time: ``(key, value)``, except that the elements of an array member named
    in :data:`STREAMED` come one at a time as ``(key + "[]", element)``, so a history of
    any length is never held whole. Raises :class:`NotJson` and :class:`NotAnExport`."""
    reader = _JsonReader(iter(chunks))
    if reader.peek() != "{":
        raise NotAnExport("it is not a JSON object")
    reader.take("{")
    if reader.peek() == "}":
        reader.take("}")
        reader.end()
        return
    while True:
        key = reader.value()
        if not isinstance(key, str):
            raise NotJson(f"expected a member name at character {reader.offset}")
        reader.take(":")
        if key in STREAMED and reader.peek() == "[":
            reader.take("[")
            if reader.peek() == "]":
                reader.take("]")
            else:
                while True:
                    yield f"{key}[]", reader.value()
                    if reader.peek() == "]":
                        reader.take("]")
                        break
                    reader.take(",")
        else:
            yield key, reader.value()
        if reader.peek() == "}":
            reader.take("}")
            break
        reader.take(",")
    reader.end()


class _JsonReader:
    def __init__(self, chunks: Iterator[str]) -> None:
        import json

        self.chunks = chunks
        self.buffer = ""
        self.at = 0
        self.dropped = 0  # characters already consumed and dropped from the buffer
        self.done = False
        self.decoder = json.JSONDecoder(
            parse_int=self._whole, parse_float=self._fraction, parse_constant=self._constant
        )

    # Numbers are bounded before they are converted: no 5,000-digit integer, no Infinity.
    def _whole(self, text: str) -> int:
        if len(text.lstrip("-")) > 19:
            raise NotJson(f"a number too large ({text[:12]}...) near character {self.offset}")
        return int(text)

    def _fraction(self, text: str) -> float:
        import math

        value = float(text) if len(text) <= 40 else math.inf
        if not math.isfinite(value):
            raise NotJson(f"a number too large ({text[:12]}...) near character {self.offset}")
        return value

    def _constant(self, text: str) -> float:
        raise NotJson(f"{text} is not a number mlpath accepts (near character {self.offset})")

    @property
    def offset(self) -> int:
        return self.dropped + self.at

    def _more(self) -> bool:
        if self.done:
            return False
        if self.at > 1 << 16:
            self.dropped += self.at
            self.buffer, self.at = self.buffer[self.at :], 0
        for chunk in self.chunks:
            if chunk:
                self.buffer += chunk
                return True
        self.done = True
        return False

    def _grow(self) -> bool:
        """Read on until the value being parsed has twice the text it had (or the file
        ends), joining the pieces once: a value that spans many pieces (a topic with
        60,000 notes) is parsed again a few times, not once a piece, which took time
        growing with its square. False when there was nothing more to read."""
        if self.done:
            return False
        pieces = [self.buffer[self.at :]]
        self.dropped += self.at
        self.at = 0
        wanted, have = 2 * len(pieces[0]) + 1, len(pieces[0])
        for chunk in self.chunks:
            pieces.append(chunk)
            have += len(chunk)
            if have >= wanted:
                break
        else:
            self.done = True
        self.buffer = "".join(pieces)
        return len(pieces) > 1

    def peek(self) -> str:
        while True:
            while self.at < len(self.buffer) and self.buffer[self.at] in " \t\r\n":
                self.at += 1
            if self.at < len(self.buffer):
                return self.buffer[self.at]
            if not self._more():
                return ""

    def take(self, char: str) -> None:
        if self.peek() != char:
            found = self.peek() or "the end of the file"
            raise NotJson(f"expected '{char}' at character {self.offset}, found {found!r}")
        self.at += 1

    def value(self) -> Any:
        import json

        self.peek()
        while True:
            try:
                value, end = self.decoder.raw_decode(self.buffer, self.at)
            except json.JSONDecodeError as error:
                if self._grow():
                    continue
                raise NotJson(f"{error.msg} at character {self.dropped + error.pos}") from None
            except RecursionError:
                raise NotJson(f"nested too deeply at character {self.offset}") from None
            if _may_go_on(value, self.buffer, end) and self._more():
                continue  # a number may go on in the next piece
            self.at = end
            return value

    def end(self) -> None:
        if self.peek() != "":
            raise NotJson(f"extra data at character {self.offset}")


def _may_go_on(value: Any, buffer: str, end: int) -> bool:
    """Whether a value that ends at ``end`` may be longer than the buffer shows: a number
    (``1`` of ``12``, ``0`` of ``0.5``) not yet followed by a delimiter."""
    if end == len(buffer):
        return True
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return not any(c in ",}] \t\r\n" for c in buffer[end : end + 64])
