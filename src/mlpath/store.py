"""Where the state lives, and how it is read and written without ever losing it.

* The folder is ``$MLPATH_HOME`` when set, else ``platformdirs.user_data_path("mlpath")``,
  looked up on every call.
* Every write holds a lock (``state.toml.lock``, a separate file that is never deleted)
  across read-modify-write, and lands atomically: a temporary file in the same folder,
  flushed and fsynced, ``os.replace``d over the state, then the folder is fsynced.
* Before each write the previous version is saved as ``state.toml.bak``.
* A file that cannot be understood is refused and never rewritten.
"""

from __future__ import annotations

import contextlib
import os
import re
import tomllib
import zlib
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from mlpath.errors import StateError
from mlpath.progress import (
    STATE_VERSION,
    State,
    StateFormatError,
    added_since,
    days_text,
    journal_entries,
    state_from_dict,
    state_from_v4_dict,
    status_dict,
    topic_status,
    with_journal,
)

STATE_FILE = "state.toml"
LOCK_TIMEOUT_SECONDS = 5.0

T = TypeVar("T")


def data_dir() -> Path:
    """The folder holding the state: ``$MLPATH_HOME`` or the platform's user data dir."""
    home = os.environ.get("MLPATH_HOME")
    if home:
        return Path(home).expanduser()
    import platformdirs

    return platformdirs.user_data_path("mlpath")


# --- diagnosis -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    ok: bool
    what: str  # one sentence, already naming the file


def diagnose(store: Store) -> list[Finding]:
    """Check the state folder's files without changing any of them."""
    from filelock import FileLock, Timeout

    findings = [Finding(True, f"Your data lives in {store.directory}.")]
    try:
        raw = store._read_bytes()
        state = State() if raw is None else store._decode(raw)
        if raw is None:
            findings.append(
                Finding(True, f"{store.path} does not exist yet: no progress recorded.")
            )
        else:
            topics = sum(len(t) for t in state.roadmaps.values())
            findings.append(
                Finding(
                    True,
                    f"{store.path} is readable: {topics} topic entr{'y' if topics == 1 else 'ies'} "
                    f"in {len(state.roadmaps)} roadmap(s), {len(state.log)} change(s) in the log.",
                )
            )
    except StateError as error:
        findings.append(Finding(False, str(error)))
    if store.backup_path.exists():
        backup = Store(store.directory)
        try:
            backup._decode(store.backup_path.read_bytes())
            findings.append(Finding(True, f"The backup {store.backup_path} is readable."))
        except (StateError, OSError) as error:
            findings.append(
                Finding(False, f"The backup {store.backup_path} is not usable: {error}")
            )
    stale = _temporary_files(store.directory) if store.directory.is_dir() else []
    if stale:
        names = ", ".join(p.name for p in stale)
        findings.append(
            Finding(True, f"Left by an interrupted write, removed by the next one: {names}.")
        )
    if store.lock_path.exists():
        try:
            with FileLock(store.lock_path, timeout=0):
                pass
        except Timeout:
            findings.append(Finding(True, f"Another mlpath is writing now ({store.lock_path})."))
        except OSError as error:
            findings.append(Finding(False, f"Cannot lock {store.lock_path}: {error.strerror}."))
    return findings


def restore_backup(store: Store, now: datetime) -> Path:
    """Put the backup in the state file's place; the state file is kept beside it (renamed
    ``state.toml.broken-<time>``), never deleted. Returns where it was kept."""
    with store._locked():
        try:
            backup = store.backup_path.read_bytes()
        except FileNotFoundError:
            raise StateError(f"there is no backup at {store.backup_path} to restore.") from None
        except OSError as error:
            raise StateError(f"cannot read {store.backup_path}: {error.strerror}.") from None
        store._decode(backup)  # refuse a backup that is no better
        kept = store.directory / f"{STATE_FILE}.broken-{now.strftime('%Y%m%dT%H%M%S')}"
        try:
            if store.path.exists():
                os.replace(store.path, kept)
            atomic_write(store.path, backup, 0o600)
        except OSError as error:
            raise StateError(f"cannot restore the backup: {error.strerror or error}.") from None
        return kept


# --- the remembered roadmap ----------------------------------------------------------------

CONFIG_FILE = "config.toml"


def config_path() -> Path:
    """``config.toml`` beside the state under ``$MLPATH_HOME``, else in the platform's user
    config folder."""
    home = os.environ.get("MLPATH_HOME")
    if home:
        return Path(home).expanduser() / CONFIG_FILE
    import platformdirs

    return platformdirs.user_config_path("mlpath") / CONFIG_FILE


def read_config() -> dict[str, Any]:
    path = config_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as error:
        raise StateError(f"cannot read the settings file {path}: {error}.") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise StateError(
            f"the settings file {path} is not valid TOML ({error}). Fix it or delete it."
        ) from None
    if not isinstance(data.get("roadmap", ""), str):
        raise StateError(f"the settings file {path}: 'roadmap' must be a path in quotes.")
    return data


def write_config(data: dict[str, Any]) -> None:
    import tomli_w

    path = config_path()
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        atomic_write(path, tomli_w.dumps(data).encode("utf-8"), 0o600)
    except OSError as error:
        raise StateError(f"cannot write the settings file {path}: {error.strerror}.") from None


@dataclass(frozen=True)
class RoadmapChoice:
    """Which roadmap file is active (None: the bundled one) and what chose it."""

    path: Path | None
    origin: str


def roadmap_choice(option: Path | None) -> RoadmapChoice:
    """``--roadmap`` first, then ``$MLPATH_ROADMAP``, then ``mlpath roadmap use``, then the
    bundled roadmap."""
    if option is not None:
        return RoadmapChoice(option, "the --roadmap option")
    env = os.environ.get("MLPATH_ROADMAP")
    if env:
        return RoadmapChoice(Path(env).expanduser(), "the MLPATH_ROADMAP environment variable")
    remembered = read_config().get("roadmap")
    if remembered:
        return RoadmapChoice(Path(remembered), f"'mlpath roadmap use' ({config_path()})")
    return RoadmapChoice(None, "the default")


class Store:
    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory if directory is not None else data_dir()
        self.path = self.directory / STATE_FILE
        self.backup_path = self.directory / (STATE_FILE + ".bak")
        self.lock_path = self.directory / (STATE_FILE + ".lock")

    # --- reading -----------------------------------------------------------------------

    def load(self, full: bool = False, topics: Collection[tuple[str, str]] = ()) -> State:
        """The current state; an empty one when there is no state file yet.

        By default only the first part of the file is read (statuses, checks, totals):
        the state is then not ``complete``. ``topics`` adds the notes and study sessions
        of those (roadmap id, topic id) pairs; ``full`` reads everything.
        """
        raw = self._read_bytes()
        if raw is None:
            return State()
        return self._load(raw, full, topics)[0]

    def _load(
        self,
        raw: bytes,
        full: bool,
        topics: Collection[tuple[str, str]] = (),
        verify: bool = False,
    ) -> tuple[State, bytes]:
        """The state in ``raw``, and the bytes of its journal (only the first part is
        decoded and parsed unless ``full``)."""
        head, journal = _split(raw)
        data = self._parse(self._text(head))
        if data.get("version") != STATE_VERSION:  # an older (or newer) format: read it all
            return self._decoded(self._parse(self._text(raw))), b""
        check = data.pop("journal_check", None)
        if check is not None:
            # Reading commands check the journal's length (which catches a file cut
            # short or added to); full reads and writes check its CRC as well. A journal
            # that fails is refused, never guessed at: it may have lost entries.
            expected = _journal_check(journal) if (full or verify) else {"bytes": len(journal)}
            found = {k: check.get(k) for k in expected} if isinstance(check, dict) else None
            if found != expected:
                self._parse(self._text(raw))  # a broken file is reported with its place
                raise self._refuse(
                    "has a journal that does not match its check (damaged, or edited by "
                    "hand; to keep a hand edit, delete the [journal_check] table)"
                )
        if full or check is None:
            # No check (the user removed it to keep an edit): read and check it all.
            whole = self._parse(self._text(raw))
            whole.pop("journal_check", None)
            return self._decoded(whole), journal
        state = self._decoded(data, partial=True)
        if topics:
            state = with_journal(state, self._topic_entries(journal, topics))
        return state, journal

    def _topic_entries(
        self, journal: bytes, topics: Collection[tuple[str, str]]
    ) -> list[dict[str, Any]]:
        """The notes and sessions of ``topics``, read from just their journal entries."""
        wanted = set(topics)
        entries: list[dict[str, Any]] = []
        for _, topic_id in wanted:
            mark = f'\ntopic = "{topic_id}"\n'.encode()
            at = journal.find(mark)
            while at >= 0:
                start = journal.rfind(_JOURNAL_BREAK, 0, at) + 1
                end = journal.find(_JOURNAL_BREAK, at)
                end = len(journal) if end < 0 else end + 1
                chunk = journal[start:end]
                if b'\nkind = "change"\n' not in chunk:
                    for entry in self._parse(self._text(chunk)).get("journal", []):
                        if (entry.get("roadmap"), entry.get("topic")) in wanted:
                            entries.append(entry)
                at = journal.find(mark, end)
        return entries

    def _read_bytes(self) -> bytes | None:
        try:
            return self.path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as error:
            raise StateError(
                f"cannot read the state file {self.path}: {error.strerror or error}."
            ) from None

    def _refuse(self, problem: str) -> StateError:
        way_out = (
            "Run 'mlpath doctor' to see how to restore the backup."
            if self.backup_path.exists()
            else "Fix it by hand, or move it away to start afresh."
        )
        return StateError(f"the state file {self.path} {problem}; it was left untouched. {way_out}")

    def _text(self, raw: bytes) -> str:
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise self._refuse(f"is not UTF-8 text (bad byte at offset {error.start})") from None

    def _parse(self, text: str) -> dict[str, Any]:
        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise self._refuse(f"is not valid TOML ({error})") from None
        except RecursionError:
            raise self._refuse("is nested too deeply") from None

    def _decoded(self, data: dict[str, Any], partial: bool = False) -> State:
        try:
            return state_from_dict(data) if partial else decode_state(data)
        except NewerFormat as error:
            raise StateError(
                f"the state file {self.path} was written by a newer mlpath (format "
                f"{error.version}; this one reads up to {STATE_VERSION}). Upgrade mlpath; the "
                "file was left untouched."
            ) from None
        except StateFormatError as error:
            raise self._refuse(f"has unexpected content: {error}") from None

    def _decode(self, raw: bytes) -> State:
        """The complete state in ``raw`` (every part checked)."""
        return self._load(raw, full=True)[0]

    # --- writing -----------------------------------------------------------------------

    def _keep_backup(self, previous: bytes, mode: int) -> None:
        """Make the current state file the backup. It is about to be replaced by a new
        file, so a hard link to it keeps its bytes without copying them; where links are
        not possible, the bytes are written out."""
        link = self.directory / f".{STATE_FILE}.bak.{os.getpid()}.tmp"
        try:
            os.link(self.path, link)
        except OSError:
            atomic_write(self.backup_path, previous, mode)
            return
        try:
            os.replace(link, self.backup_path)
        except BaseException:
            with contextlib.suppress(OSError):
                link.unlink()
            raise

    def update(
        self,
        change: Callable[[State], tuple[State, T]],
        full: bool = False,
        topics: Collection[tuple[str, str]] = (),
    ) -> T:
        """Apply ``change`` to the current state under the lock, and save the result.

        ``change`` returns the new state and a result for the caller; when the new state is
        the very object it was given, nothing is written. It gets the first part of the
        state only (not ``complete``) unless ``full``: enough for every change that only
        adds to the journal; undo and import need ``full``. ``topics`` loads those topics'
        notes and sessions too, as for :meth:`load`.
        """
        with self._locked():
            raw = self._read_bytes()
            before, journal = (
                (State(), b"") if raw is None else self._load(raw, full, topics, verify=True)
            )
            after, result = change(before)
            if after is not before:
                head = _split(raw)[0] if raw is not None else b""
                self._write(self._content(before, after, head, journal), previous=raw)
            return result

    @staticmethod
    def _content(before: State, after: State, head: bytes, journal: bytes) -> bytes:
        """The new file: the first part written anew, the journal appended to (or, from a
        complete state, written anew)."""
        import tomli_w

        # One table per entry, a blank line between: appending gives the same bytes as
        # writing the whole journal at once.
        entries = journal_entries(after if before.complete else added_since(before, after))
        added = "\n".join(tomli_w.dumps({"journal": [entry]}) for entry in entries).encode()
        if before.complete or not journal:
            journal, check = added, _journal_check(added)
        elif added:
            old = _journal_check(journal)
            tail = b"\n" + added
            check = {"bytes": old["bytes"] + len(tail), "crc32": zlib.crc32(tail, old["crc32"])}
            journal = journal + tail
        else:
            check = _journal_check(journal)
        sections = None if before.complete else _head_sections(head)
        if sections is None:
            new_head = tomli_w.dumps({**status_dict(after), "journal_check": check}).encode()
        else:
            new_head = _spliced_head(before, after, sections, check)
        return new_head + b"\n" + journal if journal else new_head

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        from filelock import FileLock, Timeout

        self._ensure_directory()
        lock = FileLock(self.lock_path, timeout=LOCK_TIMEOUT_SECONDS, mode=0o600)
        try:
            lock.acquire()
        except Timeout:
            raise StateError(
                f"another mlpath is writing to {self.path} and did not finish within "
                f"{LOCK_TIMEOUT_SECONDS:g} seconds. Try again in a moment."
            ) from None
        except OSError as error:
            raise StateError(f"cannot lock {self.lock_path}: {error.strerror or error}.") from None
        try:
            yield
        finally:
            lock.release()

    def _ensure_directory(self) -> None:
        try:
            self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as error:
            raise StateError(
                f"cannot create the folder {self.directory}: {error.strerror or error}."
            ) from None

    def _write(self, content: bytes, previous: bytes | None) -> None:
        try:
            mode = self.path.stat().st_mode & 0o777 if previous is not None else 0o600
            if previous is not None:
                self._keep_backup(previous, mode)
            atomic_write(self.path, content, mode)
        except OSError as error:
            target = error.filename or self.path
            raise StateError(
                f"cannot write {target}: {error.strerror or error}. The state file was left "
                "as it was."
            ) from None
        # We hold the lock, so no other writer is midway: a temporary file left here is
        # from a writer that was killed.
        for stale in _temporary_files(self.directory):
            with contextlib.suppress(OSError):
                stale.unlink()


_JOURNAL_HEADER = b"[[journal]]\n"
_JOURNAL_BREAK = b"\n" + _JOURNAL_HEADER


def _split(raw: bytes) -> tuple[bytes, bytes]:
    """A format 5 file's first part, and its journal (from the first ``[[journal]]``)."""
    if raw.startswith(_JOURNAL_HEADER):
        return b"", raw
    at = raw.find(_JOURNAL_BREAK)
    return (raw, b"") if at < 0 else (raw[: at + 1], raw[at + 1 :])


def _journal_check(journal: bytes) -> dict[str, int]:
    """What the first part records of the journal, to know it is as mlpath wrote it."""
    return {"bytes": len(journal), "crc32": zlib.crc32(journal)}


_HEAD_TABLE = re.compile(
    r"\[(?:roadmaps\.(?P<roadmap>[a-z0-9-]+)"
    r"(?:\.topics\.(?P<topic>[a-z0-9-]+)(?:\.(?:checked|unchecked))?)?|journal_check)\]"
)


def _head_sections(head: bytes) -> dict[tuple[str, str], str] | None:
    """The text of each topic's tables in a first part as mlpath writes it, or None when
    it does not look exactly so (edited by hand, say): it is then written anew."""
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if '"""' in text or "'''" in text:
        return None
    sections: dict[tuple[str, str], str] = {}
    starts = [i for i, line in _line_starts(text) if line.startswith("[")]
    for at, end in zip(starts, [*starts[1:], len(text)], strict=True):
        line = text[at : text.find("\n", at)]
        match = _HEAD_TABLE.fullmatch(line)
        if match is None:
            return None
        if match["topic"]:
            key = (match["roadmap"], match["topic"])
            sections[key] = sections.get(key, "") + text[at:end]
    return sections


def _line_starts(text: str) -> Iterator[tuple[int, str]]:
    at = 0
    for line in text.split("\n"):
        yield at, line
        at += len(line) + 1


def _spliced_head(
    before: State, after: State, sections: dict[tuple[str, str], str], check: dict[str, int]
) -> bytes:
    """The first part for ``after``, reusing the text of every topic the change did not
    touch: the same bytes as writing it whole, for a fraction of the time."""
    import tomli_w

    parts = [f"version = {STATE_VERSION}"]
    for roadmap_id in sorted({*after.roadmaps, *after.days}):
        days = days_text(after.days.get(roadmap_id, {}))
        if days:
            parts.append(tomli_w.dumps({"roadmaps": {roadmap_id: {"days": days}}}))
        unchanged = before.roadmaps.get(roadmap_id, {})
        for topic_id, progress in sorted(after.roadmaps.get(roadmap_id, {}).items()):
            if progress is unchanged.get(topic_id) and (roadmap_id, topic_id) in sections:
                parts.append(sections[(roadmap_id, topic_id)])
            elif status := topic_status(progress):
                table = {"roadmaps": {roadmap_id: {"topics": {topic_id: status}}}}
                parts.append(tomli_w.dumps(table))
    parts.append(tomli_w.dumps({"journal_check": check}))
    return ("\n\n".join(part.strip("\n") for part in parts) + "\n").encode("utf-8")


class NewerFormat(Exception):
    def __init__(self, version: int) -> None:
        super().__init__(version)
        self.version = version


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
# Each step takes the data of format N (as read by tomllib) and returns format N + 1. The
# file itself is rewritten in the newest format on the next write; its old bytes become the
# backup.


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


def atomic_write(path: Path, content: bytes, mode: int) -> None:
    """Write ``content`` to ``path`` so that a crash leaves either the old or the new file:
    a temporary file in the same folder, written and fsynced, then ``os.replace``d over
    ``path``, then the folder fsynced so the rename itself is on disk."""
    import tempfile

    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        try:
            os.fchmod(fd, mode)
            view = memoryview(content)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    _fsync_directory(path.parent)


def _temporary_files(directory: Path) -> list[Path]:
    """Temporary files that ``atomic_write`` leaves behind when a process is killed."""
    return sorted(directory.glob(f".{STATE_FILE}*.tmp"))


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
