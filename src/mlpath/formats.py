"""The state's text formats 1 to 5: the TOML state files that mlpath wrote before the
database, and the body of an export.

Pure: bytes and parsed data in, a :class:`~mlpath.progress.State` out. The store uses it
to migrate an old state file into the database; ``import`` uses it to read exports and
state files from other machines.
"""

from __future__ import annotations

import tomllib
import zlib
from collections.abc import Callable
from datetime import datetime
from typing import Any

from mlpath.progress import (
    STATE_VERSION,
    State,
    StateFormatError,
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
