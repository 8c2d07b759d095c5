"""The learner's state: one SQLite database, read and written through ``sqlite3``.

* The database is ``state.db`` in :func:`mlpath.storage.paths.data_dir`; its schema version is
  ``PRAGMA user_version`` (format 7: formats 1 to 5 were TOML files, see
  :mod:`mlpath.core.formats`; format 6 is moved to 7 on first use). A newer version is
  refused and left untouched.
* Every command is one transaction: writes take SQLite's write lock at once
  (``BEGIN IMMEDIATE``) and wait up to :func:`busy_timeout` seconds for another writer.
  The journal mode is SQLite's default rollback journal, so the database file alone is
  always whole between commands (docs/reliability.md says why not WAL).
* A write compares the state before and after the pure operation and writes only the
  difference: the rows of the topics that changed, the notes and sessions added or
  removed, the log entries added or removed. The summary per day and UTC offset follows the
  log by triggers, inside the same transaction; reading turns it into days of the time
  zone the learner is in.
* An old ``state.toml`` is carried into a new database on first use, in one transaction,
  and kept beside it, renamed.
* Snapshots are copies taken with SQLite's backup API: once a day before the first write,
  and before every import; the newest :data:`MAX_SNAPSHOTS` are kept. One taken for a
  command that then writes nothing (refused, or with nothing to change) is removed.
"""

from __future__ import annotations

import contextlib
import json
import operator
import os
import sqlite3
import stat
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from mlpath.core.errors import StateError
from mlpath.core.progress import (
    NOT_STARTED,
    Action,
    Change,
    Note,
    Session,
    State,
    StateFormatError,
    Status,
    TopicProgress,
    change_from_dict,
    duration_text,
    entry_json,
    journal_entry,
    note_key,
    session_key,
    undo_change,
)
from mlpath.storage.paths import data_dir, fsync_directory

DATABASE = "state.db"
LEGACY_FILE = "state.toml"  # the state of mlpath before the database (formats 1 to 5)
SNAPSHOTS = "snapshots"
#: The database's format, kept in ``PRAGMA user_version``.
SCHEMA_VERSION = 7
UPGRADABLE = (6,)  # the earlier formats of the database that a migration brings to this one
BUSY_TIMEOUT_SECONDS = 5.0  # unless MLPATH_LOCK_TIMEOUT says otherwise
MAX_SNAPSHOTS = 8
SNAPSHOT_EVERY_SECONDS = 24 * 60 * 60
_STAMP = "%Y%m%dT%H%M%S"  # a snapshot's name holds when it was taken, in local time

if TYPE_CHECKING:
    from mlpath.core.exchange import ImportReport
    from mlpath.core.roadmap import Topic

T = TypeVar("T")
Item = TypeVar("Item", Note, Session)

# The change log and its summary per day (format 7). One statement a string:
# ``executescript`` would commit the transaction it runs in.
_LOG_SCHEMA = (
    # The change log, oldest first (by id). ``entry`` is the whole change as compact JSON,
    # exactly as an export writes it (with the topic's fields before it, the note or
    # session it added, an import's restore list); the other columns repeat what the
    # commands look for: when the change happened, in seconds since 1970 (UTC) and the UTC
    # offset it was recorded with (a study session's change happens when the session
    # did), and ``recorded``, when this machine recorded it (seconds since 1970), if it did.
    """CREATE TABLE changes (
        id INTEGER PRIMARY KEY,
        at_utc INTEGER NOT NULL,
        at_offset INTEGER NOT NULL,
        recorded INTEGER,
        action TEXT NOT NULL,
        roadmap TEXT NOT NULL,
        topic TEXT NOT NULL,
        key TEXT NOT NULL,
        key_hash INTEGER NOT NULL,  -- CRC-32 of key: a small index to look keys up
        session_minutes INTEGER NOT NULL DEFAULT 0,
        entry TEXT NOT NULL
    )""",
    """CREATE INDEX changes_by_topic ON changes (roadmap, topic, at_utc)""",
    """CREATE INDEX changes_by_key ON changes (key_hash)""",
    """CREATE INDEX changes_by_time ON changes (at_utc)""",
    # Per roadmap, day and UTC offset: the study time and the number of changes (streaks,
    # the pace). ``day`` is the date in that offset. Read in a time zone whose offset was
    # the same all that day (the learner at home, summer time included), a row is that
    # day; any other row is counted again from the log, change by change.
    """CREATE TABLE days (
        roadmap TEXT NOT NULL,
        day TEXT NOT NULL,
        offset INTEGER NOT NULL,  -- seconds east of UTC
        minutes INTEGER NOT NULL DEFAULT 0,
        changes INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (roadmap, day, offset)
    ) WITHOUT ROWID""",
    """CREATE TRIGGER change_counted AFTER INSERT ON changes
    WHEN NEW.action <> 'import' BEGIN
        INSERT INTO days (roadmap, day, offset, changes, minutes)
            VALUES (NEW.roadmap, date(NEW.at_utc + NEW.at_offset, 'unixepoch'), NEW.at_offset,
                1, NEW.session_minutes)
            ON CONFLICT (roadmap, day, offset) DO UPDATE
            SET changes = changes + 1, minutes = minutes + excluded.minutes;
    END""",
    """CREATE TRIGGER change_uncounted AFTER DELETE ON changes
    WHEN OLD.action <> 'import' BEGIN
        UPDATE days SET changes = changes - 1, minutes = minutes - OLD.session_minutes
            WHERE roadmap = OLD.roadmap AND offset = OLD.at_offset
            AND day = date(OLD.at_utc + OLD.at_offset, 'unixepoch');
        DELETE FROM days WHERE roadmap = OLD.roadmap AND offset = OLD.at_offset
            AND day = date(OLD.at_utc + OLD.at_offset, 'unixepoch')
            AND minutes = 0 AND changes = 0;
    END""",
)

# Seconds east of UTC of an ISO 8601 moment with its offset (its local time read as UTC,
# less the moment).
_OFFSET_OF = "CAST(round((julianday(substr({0}, 1, 19)) - julianday({0})) * 86400) AS INTEGER)"

# Format 6 kept the log with the learner's date of each change: format 7 keeps the moment
# and its offset, so that days follow the time zone the learner is in when they look.
_FROM_FORMAT_6 = (
    "DROP TRIGGER change_counted",
    "DROP TRIGGER change_uncounted",
    "DROP INDEX changes_by_topic",
    "DROP INDEX changes_by_key",
    "DROP TABLE days",
    "ALTER TABLE changes RENAME TO changes_6",
    *_LOG_SCHEMA,
    f"""INSERT INTO changes (id, at_utc, at_offset, action, roadmap, topic, key, key_hash,
        session_minutes, entry)
    SELECT id, CAST(strftime('%s', at) AS INTEGER), {_OFFSET_OF.format("at")}, action,
        roadmap, topic, key, key_hash, session_minutes, entry
    FROM changes_6 ORDER BY id""",
    "DROP TABLE changes_6",
)

SCHEMA = (
    """CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID""",
    # A topic's status, dates and study-time total: one row for every topic with more
    # than "not started" to keep.
    """CREATE TABLE topics (
        roadmap TEXT NOT NULL,
        topic TEXT NOT NULL,
        status TEXT NOT NULL,
        started_at TEXT,
        done_at TEXT,
        skipped_at TEXT,
        updated_at TEXT,
        minutes INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (roadmap, topic)
    ) WITHOUT ROWID""",
    # The latest event of each checklist item: checked (1) or unchecked (0), and when.
    """CREATE TABLE checks (
        roadmap TEXT NOT NULL,
        topic TEXT NOT NULL,
        item TEXT NOT NULL,
        checked INTEGER NOT NULL,
        at TEXT NOT NULL,
        PRIMARY KEY (roadmap, topic, item),
        FOREIGN KEY (roadmap, topic) REFERENCES topics ON DELETE CASCADE
    ) WITHOUT ROWID""",
    """CREATE TABLE reviews (
        id INTEGER PRIMARY KEY,
        roadmap TEXT NOT NULL,
        topic TEXT NOT NULL,
        at TEXT NOT NULL,
        FOREIGN KEY (roadmap, topic) REFERENCES topics ON DELETE CASCADE
    )""",
    """CREATE INDEX reviews_by_topic ON reviews (roadmap, topic)""",
    """CREATE TABLE notes (
        id INTEGER PRIMARY KEY,
        roadmap TEXT NOT NULL,
        topic TEXT NOT NULL,
        at TEXT NOT NULL,
        text TEXT NOT NULL,
        link TEXT,
        folded TEXT NOT NULL,  -- the words of text and link, folded, each after a space
        entry TEXT NOT NULL  -- the note as an export writes it (JSON)
    )""",
    """CREATE INDEX notes_by_topic ON notes (roadmap, topic, at)""",
    """CREATE TABLE sessions (
        id INTEGER PRIMARY KEY,
        roadmap TEXT NOT NULL,
        topic TEXT NOT NULL,
        studied_on TEXT NOT NULL,
        minutes INTEGER NOT NULL,
        note TEXT,
        entry TEXT NOT NULL  -- the session as an export writes it (JSON)
    )""",
    """CREATE INDEX sessions_by_topic ON sessions (roadmap, topic, studied_on)""",
    *_LOG_SCHEMA,
)


class Store:
    """The database in ``directory`` (default: :func:`mlpath.storage.paths.data_dir`)."""

    def __init__(
        self,
        directory: Path | None = None,
        clock: Callable[[], datetime] | None = None,
        warn: Callable[[str], None] | None = None,
    ) -> None:
        """``clock`` tells the time for the snapshots' names and the moment a change is
        recorded (default: :func:`mlpath.clock.now`); the changes themselves carry their
        own moments. ``warn`` is told, in a sentence, what the store did on its own to a
        damaged file (default: nobody)."""
        from mlpath.clock import now

        self.clock: Callable[[], datetime] = now if clock is None else clock
        self.warn: Callable[[str], None] = warn or (lambda _message: None)
        self._found_empty = False
        #: How many transactions that changed something this store has committed: the
        #: command line says so when it cannot print a change's report.
        self.saved = 0
        self.directory = directory if directory is not None else data_dir()
        self.path = self.directory / DATABASE
        self.legacy_path = self.directory / LEGACY_FILE
        self.snapshot_dir = self.directory / SNAPSHOTS

    # --- reading -----------------------------------------------------------------------

    def load(self, full: bool = False, topics: Collection[tuple[str, str]] = ()) -> State:
        """The current state; an empty one when there is no database yet.

        By default: every topic's status, checks and reviews, and the day summary (the
        state is then not ``complete``). ``topics`` adds the notes and study sessions of
        those (roadmap id, topic id) pairs; ``full`` reads everything, the log included.
        """
        with self._connection(create=False) as conn:
            if conn is None:
                return State()
            with self._transaction(conn, "BEGIN"):
                return self._read(conn, full, topics)[0]

    def load_with_notes(
        self, choose: Callable[[State], Topic | None], roadmap_id: str
    ) -> tuple[State, Topic | None]:
        """The state as :meth:`load` reads it, with the notes and study sessions of the
        topic that ``choose`` picks from it (if any), in one read."""
        with self._connection(create=False) as conn:
            if conn is None:
                return State(), choose(State())
            with self._transaction(conn, "BEGIN"):
                state, _ = self._read(conn, False)
                chosen = choose(state)
                if chosen is None:
                    return state, None
                items: dict[str, dict[str, _Topic]] = {}
                try:
                    _add_items(conn, items, [(roadmap_id, chosen.id)])
                except (ValueError, TypeError) as error:
                    raise self._refuse(f"has unexpected content: {error}") from None
                entry = items.get(roadmap_id, {}).get(chosen.id)
                if entry is None:
                    return state, chosen
                topic = replace(
                    state.topic(roadmap_id, chosen.id),
                    notes=tuple(sorted(entry.notes, key=note_key)),
                    sessions=tuple(sorted(entry.sessions, key=session_key)),
                )
                return state.with_topic(roadmap_id, chosen.id, topic), chosen

    def note_words(self, roadmap_id: str, words: Sequence[str]) -> dict[str, set[str]]:
        """For search: topic id -> which of ``words`` (folded as
        :func:`mlpath.core.search.query_words` does) begin a word of the learner's notes on
        it. The database looks, so no note is read."""
        found: dict[str, set[str]] = {}
        with self._connection(create=False) as conn:
            if conn is None:
                return found
            with self._transaction(conn, "BEGIN"):
                for word in words:
                    for (topic_id,) in conn.execute(
                        "SELECT DISTINCT topic FROM notes WHERE roadmap = ? "
                        "AND instr(folded, ?) > 0",
                        (roadmap_id, f" {word}"),
                    ):
                        found.setdefault(topic_id, set()).add(word)
        return found

    def changes(
        self, count: int, roadmap_id: str | None = None, topic_id: str | None = None
    ) -> list[Change]:
        """The ``count`` most recent changes by when they happened (a change entered
        with ``--on`` takes its place by that date), newest first; only those of one topic
        when ``topic_id`` is given."""
        with self._connection(create=False) as conn:
            if conn is None:
                return []
            query = f"SELECT {_CHANGE_COLUMNS}, recorded FROM changes"
            params: tuple[Any, ...] = ()
            if topic_id is not None:
                query += " WHERE roadmap = ? AND topic = ?"
                params = (roadmap_id, topic_id)
            query += " ORDER BY at_utc DESC, id DESC LIMIT ?"
            with self._transaction(conn, "BEGIN"):
                rows = conn.execute(query, (*params, count)).fetchall()
            changes = []
            for row in rows:
                change = self._change(row[:2])
                if isinstance(row[2], int):
                    change = replace(change, recorded=datetime.fromtimestamp(row[2], UTC))
                changes.append(change)
            return changes

    def exporting(
        self,
    ) -> contextlib.AbstractContextManager[tuple[State, Iterator[dict[str, Any]]]]:
        """For an export, in one read transaction: the state without notes, sessions and
        log, and the journal (format 5's entries: every note, then every study session,
        then every change, oldest first), read a batch at a time while it is consumed."""
        return self._exporting(self._journal)

    def exporting_json(self) -> contextlib.AbstractContextManager[tuple[State, Iterator[bytes]]]:
        """As :meth:`exporting`, with the journal's entries as compact JSON text that the
        database writes itself (as :func:`mlpath.core.progress.entry_json` would), one a line,
        many a piece: the fast way for a long history."""
        return self._exporting(self._journal_json)

    @contextlib.contextmanager
    def _exporting(
        self, journal: Callable[[sqlite3.Connection], Iterator[T]]
    ) -> Iterator[tuple[State, Iterator[T]]]:
        with self._connection(create=False) as conn:
            if conn is None:
                yield State(), iter(())
                return
            with self._transaction(conn, "BEGIN"):
                state, _ = self._read(conn, False)
                yield state, journal(conn)

    def _journal_json(self, conn: sqlite3.Connection) -> Iterator[bytes]:
        """The journal's entries as JSON text in UTF-8, up to a thousand a piece, one a
        line (bytes as they are stored: nothing is decoded only to be encoded again)."""
        conn.text_factory = bytes
        try:
            for query in _JOURNAL_JSON:
                cursor = conn.execute(query)
                while rows := cursor.fetchmany(1000):
                    try:
                        yield b",\n".join(map(_first, rows))
                    except TypeError:  # not text
                        raise self._refuse("has an entry that is not JSON text") from None
        finally:
            conn.text_factory = str

    def _journal(self, conn: sqlite3.Connection) -> Iterator[dict[str, Any]]:
        queries: list[tuple[str, Callable[[Sequence[Any]], Note | Session]]] = [
            (f"{_NOTES} ORDER BY id", _note_of),
            (f"{_SESSIONS} ORDER BY id", _session_of),
        ]
        try:
            for query, item_of in queries:
                cursor = conn.execute(query)
                while rows := cursor.fetchmany(1000):
                    for row in rows:
                        yield journal_entry(row[0], row[1], item_of(row))
        except (ValueError, TypeError) as error:
            raise self._refuse(f"has unexpected content: {error}") from None
        cursor = conn.execute(f"SELECT {_CHANGE_COLUMNS} FROM changes ORDER BY id")
        while rows := cursor.fetchmany(1000):
            for row in rows:
                change = self._change(row)
                yield journal_entry(change.roadmap, change.topic, change)

    def _read(
        self, conn: sqlite3.Connection, full: bool, topics: Collection[tuple[str, str]] = ()
    ) -> tuple[State, list[int]]:
        """The state, and the ids of the log entries it holds."""
        try:
            progress = _read_topics(conn)
            days = _read_days(conn)
            if full:
                _add_items(conn, progress, None)
            elif topics:
                _add_items(conn, progress, topics)
            log: tuple[Change, ...] = ()
            ids: list[int] = []
            if full:
                rows = conn.execute(f"SELECT {_CHANGE_COLUMNS} FROM changes ORDER BY id").fetchall()
                log = tuple(self._change(row) for row in rows)
                ids = [row[0] for row in rows]
        except (StateFormatError, ValueError, TypeError) as error:
            raise self._refuse(f"has unexpected content: {error}") from None
        roadmaps = {
            r: {t: p.build() for t, p in topics_.items()} for r, topics_ in progress.items()
        }
        return State(roadmaps, log, days, complete=full), ids

    def _change(self, row: Sequence[Any]) -> Change:
        change_id, entry = row
        try:
            data = json.loads(entry)
            if data.pop("kind", None) != "change":
                raise StateFormatError("not a change")
            return change_from_dict(data, f"change {change_id}")
        except (StateFormatError, ValueError, TypeError, AttributeError) as error:
            raise self._refuse(f"has unexpected content: {error}") from None

    # --- writing -----------------------------------------------------------------------

    def update(
        self,
        change: Callable[[State], tuple[State, T]],
        full: bool = False,
        topics: Collection[tuple[str, str]] = (),
    ) -> T:
        """Apply ``change`` to the current state in one write transaction, and store the
        result.

        ``change`` returns the new state and a result for the caller; when the new state is
        the very object it was given, nothing is written. It gets the state as
        :meth:`load` reads it (``full`` and ``topics`` as there); operations on a state
        that is not complete may only add notes, sessions and log entries.
        """
        with self._writing() as conn:
            with (
                self._kept_if_written(conn, "daily"),
                self._transaction(conn, "BEGIN IMMEDIATE"),
            ):
                before, ids = self._read(conn, full, topics)
                after, result = change(before)
                if after is not before:
                    _write(conn, before, after, ids, self.clock())
            return result

    def undo(self) -> Change | None:
        """Revert the most recent change and return it (None when the log is empty).
        Reads only what that change touched, however long the log."""

        with (
            self._writing() as conn,
            self._kept_if_written(conn, "daily"),
            self._transaction(conn, "BEGIN IMMEDIATE"),
        ):
            row = conn.execute(
                f"SELECT {_CHANGE_COLUMNS} FROM changes ORDER BY id DESC LIMIT 1"
            ).fetchone()
            if row is None:
                return None
            last = self._change(row)
            touched = [(last.roadmap, last.topic)]
            if last.action is Action.IMPORT:
                touched = [(r, t) for r, topics in last.restore.items() for t in topics]
            before, _ = self._read(conn, False, touched)
            after = undo_change(before, last)
            _write(conn, before, after, [], self.clock())
            conn.execute("DELETE FROM changes WHERE id = ?", (row[0],))
            # An import's own entries go with it: the newest ones with their keys.
            for key, count in Counter(last.added).items():
                conn.execute(
                    "DELETE FROM changes WHERE id IN (SELECT id FROM changes WHERE "
                    "key_hash = ? AND key = ? ORDER BY id DESC LIMIT ?)",
                    (_key_hash(key), key, count),
                )
            return last

    def merge(
        self,
        incoming: Iterable[Change | State],
        now: datetime,
        source: str,
        dry_run: bool = False,
    ) -> ImportReport:
        """Merge an import into the database as one undoable change (the rules of
        :mod:`mlpath.core.exchange`) and return its report; a dry run changes nothing.

        ``incoming`` gives the file's log entries one at a time, then its progress (as
        :func:`mlpath.core.formats.read_import` does): the entries are checked against the log
        by key and stored as they come, a batch at a time, so an import of any length
        needs little memory. Only the topics the file holds are read. Anything wrong in
        the file, found at any point, leaves the database as it was.
        """
        from mlpath.core.exchange import ImportReport, import_record

        with self._connection(create=not dry_run) as conn:
            if conn is None:  # a dry run with no database yet: compare with an empty one
                conn = sqlite3.connect(":memory:", isolation_level=None)
                for statement in SCHEMA:
                    conn.execute(statement)
            with (
                contextlib.nullcontext() if dry_run else self._kept_if_written(conn, "import"),
                self._transaction(conn, "BEGIN" if dry_run else "BEGIN IMMEDIATE"),
            ):
                last = conn.execute("SELECT coalesce(max(id), 0) FROM changes").fetchone()[0]
                added, progress = _store_entries(conn, incoming, now, last, dry_run)
                before, _ = self._read(conn, False)
                merge = _TopicMerge(conn, before)
                for roadmap_id, topics in sorted(progress.roadmaps.items()):
                    for topic_id, theirs in sorted(topics.items()):
                        merge.topic(roadmap_id, topic_id, theirs, dry_run)
                report = ImportReport(
                    merge.added, merge.updated, merge.unchanged, merge.notes_added, len(added)
                )
                if report.changed and not dry_run:
                    brought = tuple(merge.brought)
                    record = import_record(now, source, merge.restore, brought, tuple(added))
                    conn.execute(_INSERT_CHANGE, _change_row(record, now))
                return report

    # --- the connection ------------------------------------------------------------------

    @contextlib.contextmanager
    def _connection(self, create: bool) -> Iterator[sqlite3.Connection | None]:
        """An open connection to the database, or None when there is none and ``create``
        is false. A first connection sets the database up (carrying an old state file
        into it); errors become :class:`StateError`."""
        _check_kind(self.path, "the database")
        _check_kind(_journal_path(self.path), "the database's rollback journal")
        legacy = self.legacy_path
        has_legacy = _exists(legacy)
        migrated = None
        if _exists(self.path):
            self._check_not_emptied()
        else:
            if not (create or has_legacy):
                yield None
                return
            if has_legacy:  # an old state file mlpath cannot read makes no database
                migrated = self._read_legacy()
            self._ensure_directory()
            try:
                os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            except FileExistsError:
                pass  # another mlpath made it meanwhile
            except OSError as error:
                raise StateError(
                    f"cannot create the database {self.path}: {error.strerror or error}."
                ) from None
        with self._errors(writing=create):
            conn = sqlite3.connect(
                f"file:{_uri_path(self.path)}?mode=rw",
                uri=True,
                timeout=busy_timeout(),
                isolation_level=None,
            )
        try:
            with self._errors(writing=create):
                conn.execute("PRAGMA foreign_keys = ON")
                version = self._known_version(conn)
                if version == 0:
                    self._initialise(conn, migrated)
                elif version < SCHEMA_VERSION:
                    self._upgrade(conn)
                if version != 0 and has_legacy:
                    self._set_legacy_aside(conn)
            with self._errors(writing=create):
                yield conn
        finally:
            conn.close()

    def _known_version(self, conn: sqlite3.Connection) -> int:
        """The database's format; one this mlpath cannot read is refused untouched."""
        version: int = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StateError(
                f"the database {self.path} was written by a newer mlpath (format "
                f"{version}; this one reads up to {SCHEMA_VERSION}). Upgrade mlpath; "
                "the database was left untouched."
            )
        if version not in (0, *UPGRADABLE, SCHEMA_VERSION):
            raise self._refuse(
                f"has format {version}, which no mlpath wrote (formats 1 to 5 were "
                f"text files; the database's are 6 and {SCHEMA_VERSION})"
            )
        return version

    @contextlib.contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        """A connection to the database, set up first if there is none yet."""
        with self._connection(create=True) as conn:
            if conn is None:  # cannot be: create=True makes one or raises
                raise StateError(f"cannot open the database {self.path}.")
            yield conn

    @contextlib.contextmanager
    def _transaction(self, conn: sqlite3.Connection, begin: str) -> Iterator[None]:
        writing = begin != "BEGIN"
        with self._errors(writing):
            if writing:
                _begin_writing(conn, begin)
            else:
                conn.execute(begin)
        changes = conn.total_changes
        try:
            yield
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise
        with self._errors(writing):
            conn.execute("COMMIT")
        if conn.total_changes != changes:
            self.saved += 1

    @contextlib.contextmanager
    def _errors(self, writing: bool) -> Iterator[None]:
        """SQLite's errors as one plain sentence each."""
        try:
            yield
        except sqlite3.OperationalError as error:
            text = str(error)
            if "locked" in text or "busy" in text:
                raise StateError(
                    f"another mlpath is writing to {self.path} and did not finish within "
                    f"{busy_timeout():g} seconds. Try again in a moment."
                ) from None
            where = self.path
            if not os.access(self.directory, os.W_OK) and writing:
                text += f"; the folder {self.directory} is not writable (Permission denied)"
            verb = "write to" if writing else "read"
            raise StateError(
                f"cannot {verb} the database {where}: {text}. It was left as it was."
            ) from None
        except sqlite3.DatabaseError as error:
            raise self._refuse(f"is not a database mlpath can read ({error})") from None
        except UnicodeDecodeError:
            raise self._refuse("holds text that is not UTF-8") from None

    def _refuse(self, problem: str) -> StateError:
        way_out = (
            "'mlpath doctor --restore-backup' puts the newest sound snapshot back "
            "(and keeps this file beside it); 'mlpath doctor' says more."
            if self.snapshots()
            else "Move it away to start afresh, or look into it with the sqlite3 shell."
        )
        return StateError(f"the database {self.path} {problem}; it was left untouched. {way_out}")

    def _check_not_emptied(self) -> None:
        """A database file of 0 bytes is what a crash during the very first write leaves,
        and what a disk failure or a careless copy leaves of a long history. With
        snapshots beside it, it is the latter: refused, untouched. Alone, it becomes a
        new database, and the learner is told."""
        try:
            empty = self.path.stat().st_size == 0
        except OSError:
            return  # the connection says what is wrong
        if not empty:
            return
        if self.snapshots():
            raise self._refuse("is empty (0 bytes), though snapshots of your history lie beside it")
        self._found_empty = True  # said when this process sets it up (see _initialise)

    def _ensure_directory(self) -> None:
        try:
            self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as error:
            raise StateError(
                f"cannot create the folder {self.directory}: {error.strerror or error}."
            ) from None

    # --- a new database, and the state file of earlier versions ---------------------------

    def _initialise(self, conn: sqlite3.Connection, migrated: tuple[State, str] | None) -> None:
        """Create the schema, carrying the old state file's content (``migrated``, or
        read now) into it, in one transaction: killed halfway, nothing is kept and the
        next run starts again from the untouched old file."""
        with self._transaction(conn, "BEGIN EXCLUSIVE"):
            if conn.execute("PRAGMA user_version").fetchone()[0] != 0:
                return  # another mlpath did it while this one waited
            if self._found_empty:
                self.warn(
                    f"the database {self.path} was an empty file (0 bytes), as a crash during "
                    "the first write leaves it, and no snapshot lies beside it; it is set up "
                    "as a new database."
                )
            if migrated is None and _exists(self.legacy_path):
                migrated = self._read_legacy()
            for statement in SCHEMA:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            if migrated is not None:
                state, digest = migrated
                _insert_state(conn, state)
                conn.execute(
                    "INSERT INTO meta VALUES ('migrated_from', ?)", (f"{LEGACY_FILE} {digest}",)
                )
        if migrated is not None:
            self._set_legacy_aside(conn)

    def _upgrade(self, conn: sqlite3.Connection) -> None:
        """Bring a database of an earlier format to this one, in one transaction (a
        snapshot of it is taken first)."""
        self.snapshot(conn, "upgrade")
        with self._transaction(conn, "BEGIN EXCLUSIVE"):
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version == 6:
                for statement in _FROM_FORMAT_6:
                    conn.execute(statement)
                _index_notes_again(conn)
                conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _read_legacy(self) -> tuple[State, str]:
        """The complete state in the old state file, and its digest."""
        import hashlib
        import tomllib

        from mlpath.core.formats import JournalMismatch, NewerFormat, NotText, read_state_file

        path = self.legacy_path
        _check_kind(path, "the old state file")
        try:
            raw = path.read_bytes()
        except OSError as error:
            raise StateError(f"cannot read {path}: {error.strerror or error}.") from None
        refused = f"the state file {path} cannot be carried into the database: it"
        untouched = "it was left untouched. Fix it by hand, or move it away to start afresh."
        try:
            state = read_state_file(raw)
        except NotText as error:
            raise StateError(
                f"{refused} is not UTF-8 text (bad byte at offset {error.offset}); {untouched}"
            ) from None
        except tomllib.TOMLDecodeError as error:
            raise StateError(f"{refused} is not valid TOML ({error}); {untouched}") from None
        except JournalMismatch:
            raise StateError(
                f"{refused} has a journal that does not match its check (damaged, or edited "
                "by hand; to keep a hand edit, delete the [journal_check] table); "
                f"{untouched}"
            ) from None
        except NewerFormat as error:
            raise StateError(
                f"the state file {path} was written by a newer mlpath (format "
                f"{error.version}). Upgrade mlpath; the file was left untouched."
            ) from None
        except StateFormatError as error:
            raise StateError(f"{refused} has unexpected content: {error}; {untouched}") from None
        return state, hashlib.sha256(raw).hexdigest()

    def _set_legacy_aside(self, conn: sqlite3.Connection) -> None:
        """Rename the old state file that this database was made from (never delete it).
        A state file that is not the one migrated is left where it is (doctor reports it)."""
        import hashlib

        row = conn.execute("SELECT value FROM meta WHERE key = 'migrated_from'").fetchone()
        try:
            raw = self.legacy_path.read_bytes()
        except OSError:
            return
        if row is None or row[0] != f"{LEGACY_FILE} {hashlib.sha256(raw).hexdigest()}":
            return
        with contextlib.suppress(OSError):
            _rename_aside(self.legacy_path, self.directory / f"{LEGACY_FILE}.migrated")
            lock = self.directory / f"{LEGACY_FILE}.lock"  # the old versions' lock file
            if lock.is_file() and lock.stat().st_size == 0:
                lock.unlink()

    # --- snapshots ---------------------------------------------------------------------

    def snapshots(self) -> list[Path]:
        """The snapshots, oldest first."""
        try:
            return sorted(self.snapshot_dir.glob("state-*.db"))
        except OSError:
            return []

    def snapshot(self, conn: sqlite3.Connection, reason: str, prune: bool = True) -> Path | None:
        """Copy the database into a new snapshot file (SQLite's backup API), and keep
        only the newest :data:`MAX_SNAPSHOTS` (unless ``prune`` is false). A snapshot that
        cannot be taken (a full disk, say) is given up without failing the command."""
        if conn.execute("SELECT count(*) FROM changes").fetchone()[0] == 0:
            return None  # nothing worth keeping yet
        try:
            self.snapshot_dir.mkdir(mode=0o700, exist_ok=True)
            stamp = self.clock().strftime(_STAMP)
            target = _new_file(self.snapshot_dir / f"state-{stamp}-{reason}.db")
            copy = sqlite3.connect(target)
            try:
                conn.backup(copy)
            finally:
                copy.close()
            fd = os.open(target, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        except (OSError, sqlite3.Error):
            with contextlib.suppress(OSError, UnboundLocalError):
                target.unlink()
            return None
        if prune:
            self._prune()
        return target

    def _prune(self) -> None:
        for old in self.snapshots()[:-MAX_SNAPSHOTS]:
            with contextlib.suppress(OSError):
                old.unlink()

    def _daily_due(self) -> bool:
        """Whether the newest snapshot was taken a day or more ago by the clock (or there
        is none, or its name tells no time). A snapshot named later than now (the clock
        was set back) counts as due too, so one is taken."""
        newest = self.snapshots()[-1:]
        if not newest:
            return True
        try:
            taken = datetime.strptime(newest[0].name.split("-")[1], _STAMP)
        except (IndexError, ValueError):
            return True
        elapsed = self.clock().replace(tzinfo=None) - taken
        return not timedelta(0) <= elapsed < timedelta(seconds=SNAPSHOT_EVERY_SECONDS)

    @contextlib.contextmanager
    def _kept_if_written(self, conn: sqlite3.Connection, reason: str) -> Iterator[None]:
        """A snapshot before a write (for "daily": the first write of a day), kept only
        when the write happens: a refused command, or one that changes nothing, leaves
        the snapshots exactly as they were."""
        taken = None
        if reason != "daily" or self._daily_due():
            with self._errors(writing=True):
                taken = self.snapshot(conn, reason, prune=False)
        written = conn.total_changes
        try:
            yield
        except BaseException:
            _discard(taken)
            raise
        if conn.total_changes == written:
            _discard(taken)
        else:
            self._prune()


def _discard(snapshot: Path | None) -> None:
    if snapshot is not None:
        with contextlib.suppress(OSError):
            snapshot.unlink()


_first = operator.itemgetter(0)

# The journal as JSON text, one entry a row, as ``entry_json(journal_entry(...))`` wrote it.
_JOURNAL_JSON = (
    "SELECT entry FROM notes ORDER BY id",
    "SELECT entry FROM sessions ORDER BY id",
    "SELECT entry FROM changes ORDER BY id",
)


def busy_timeout() -> float:
    """How long a command waits for another mlpath's write: ``$MLPATH_LOCK_TIMEOUT``
    seconds (0.1 to 600) when that is set to a number, else :data:`BUSY_TIMEOUT_SECONDS`."""
    import math

    text = os.environ.get("MLPATH_LOCK_TIMEOUT", "")
    try:
        seconds = float(text) if 0 < len(text) <= 10 else math.nan
    except ValueError:
        return BUSY_TIMEOUT_SECONDS
    return seconds if 0.1 <= seconds <= 600 else BUSY_TIMEOUT_SECONDS


def _begin_writing(conn: sqlite3.Connection, begin: str) -> None:
    """Take the write lock, waiting up to :func:`busy_timeout` seconds for another
    writer. The wait is a loop of short tries, so that Ctrl-C stops it at once (SQLite's
    own wait cannot be interrupted)."""
    import time

    deadline = time.monotonic() + busy_timeout()
    conn.execute("PRAGMA busy_timeout = 50")
    try:
        while True:
            try:
                conn.execute(begin)
                return
            except sqlite3.OperationalError as error:
                locked = "locked" in str(error) or "busy" in str(error)
                if not locked or time.monotonic() >= deadline:
                    raise
            time.sleep(0.02)
    finally:
        conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout() * 1000)}")


# --- reading rows ------------------------------------------------------------------------


def _read_days(conn: sqlite3.Connection) -> dict[str, dict[str, tuple[int, int]]]:
    """Per roadmap and day (in the time zone this machine is in now): the study time and
    the number of changes. A day recorded with the offset this zone had all that day is
    taken as it is; any other (recorded elsewhere, or the day summer time begins or ends)
    is counted again from its changes."""
    import time

    totals: dict[str, dict[str, list[int]]] = {}

    def add(roadmap_id: str, day: str, minutes: int, count: int) -> None:
        entry = totals.setdefault(roadmap_id, {}).setdefault(day, [0, 0])
        entry[0] += minutes
        entry[1] += count

    epoch = date(1970, 1, 1)
    elsewhere: dict[tuple[str, str, int], int] = {}  # (roadmap, day, offset) -> its start
    for roadmap_id, day, offset, minutes, count in conn.execute(
        "SELECT roadmap, day, offset, minutes, changes FROM days"
    ):
        start = (date.fromisoformat(day) - epoch).days * 86400 - offset
        if time.localtime(start).tm_gmtoff == offset == time.localtime(start + 86399).tm_gmtoff:
            add(roadmap_id, day, minutes, count)
        else:
            elsewhere[roadmap_id, day, offset] = start
    for roadmap_id, day, count, minutes in _recount(conn, elsewhere):
        add(roadmap_id, day, minutes, count)
    return {
        roadmap_id: {day: (m, c) for day, (m, c) in sorted(days.items()) if m or c}
        for roadmap_id, days in totals.items()
        if any(m or c for m, c in days.values())
    }


def _recount(
    conn: sqlite3.Connection, wanted: dict[tuple[str, str, int], int]
) -> Iterator[tuple[str, str, int, int]]:
    """The changes and study time of the ``wanted`` (roadmap, day, offset) rows of the day
    summary, by day in this machine's time zone: (roadmap, day, changes, minutes). A few
    days are read through the indexes of the moments; many, in one pass over the log."""
    if not wanted:
        return
    starts = sorted(set(wanted.values()))
    ranges = [(s, s + 86400) for s in starts] if len(starts) <= 32 else [(starts[0], None)]
    query = "SELECT roadmap, at_utc, at_offset, session_minutes FROM changes WHERE "
    query += "action <> 'import' AND at_utc >= ?"
    for low, high in ranges:
        bounded = (query + " AND at_utc < ?", (low, high)) if high is not None else (query, (low,))
        for roadmap_id, utc, offset, minutes in conn.execute(*bounded):
            if (roadmap_id, _day_of(utc + offset), offset) in wanted:
                yield roadmap_id, _local_day(utc), 1, minutes


def _day_of(seconds: int) -> str:
    """The date of a count of seconds since 1970 (UTC)."""
    return (date(1970, 1, 1) + timedelta(seconds=seconds)).isoformat()


def _local_day(utc: int) -> str:
    """The date, in this machine's time zone, of a moment in seconds since 1970 (UTC)."""
    import time

    year, month, day = time.localtime(utc)[:3]
    return f"{year:04d}-{month:02d}-{day:02d}"


_CHANGE_COLUMNS = "id, entry"


class _Topic:
    """A topic's fields as they are read from several tables."""

    def __init__(self) -> None:
        self.fields: dict[str, Any] = {}
        self.checked: dict[str, datetime] = {}
        self.unchecked: dict[str, datetime] = {}
        self.reviews: list[datetime] = []
        self.notes: list[Note] = []
        self.sessions: list[Session] = []

    def build(self) -> TopicProgress:
        return TopicProgress(
            **self.fields,
            checked=self.checked,
            unchecked=self.unchecked,
            reviews=tuple(sorted(self.reviews)),
            notes=tuple(sorted(self.notes, key=note_key)),
            sessions=tuple(sorted(self.sessions, key=session_key)),
        )


def _moment(text: str | None) -> datetime | None:
    if text is None:
        return None
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"the date and time {text!r} has no UTC offset")
    return moment


def _required_moment(text: str) -> datetime:
    moment = _moment(text)
    if moment is None:
        raise ValueError("a date and time is missing")
    return moment


def _entry(progress: dict[str, dict[str, _Topic]], roadmap_id: str, topic_id: str) -> _Topic:
    topics = progress.setdefault(roadmap_id, {})
    entry = topics.get(topic_id)
    if entry is None:
        entry = topics[topic_id] = _Topic()
    return entry


def _read_topics(conn: sqlite3.Connection) -> dict[str, dict[str, _Topic]]:
    progress: dict[str, dict[str, _Topic]] = {}
    for roadmap_id, topic_id, status, started, done, skipped, updated, minutes in conn.execute(
        "SELECT roadmap, topic, status, started_at, done_at, skipped_at, updated_at, minutes "
        "FROM topics"
    ):
        if not isinstance(minutes, int) or minutes < 0:
            raise ValueError(f"topic {topic_id}: bad minutes {minutes!r}")
        entry = _entry(progress, roadmap_id, topic_id)
        entry.fields = {
            "status": Status(status),
            "started_at": _moment(started),
            "done_at": _moment(done),
            "skipped_at": _moment(skipped),
            "updated_at": _moment(updated),
            "minutes": minutes,
        }
    for roadmap_id, topic_id, item, checked, at in conn.execute(
        "SELECT roadmap, topic, item, checked, at FROM checks"
    ):
        entry = _entry(progress, roadmap_id, topic_id)
        (entry.checked if checked else entry.unchecked)[item] = _required_moment(at)
    # One row a topic: a topic reviewed often is one row, not one per review.
    for roadmap_id, topic_id, moments in conn.execute(
        "SELECT roadmap, topic, group_concat(at, ' ') FROM reviews GROUP BY roadmap, topic"
    ):
        entry = _entry(progress, roadmap_id, topic_id)
        entry.reviews.extend(_required_moment(at) for at in str(moments).split(" "))
    return progress


def _add_items(
    conn: sqlite3.Connection,
    progress: dict[str, dict[str, _Topic]],
    topics: Collection[tuple[str, str]] | None,
) -> None:
    """Add the notes and sessions of ``topics`` (None: of every topic) to ``progress``."""
    queries = [(_NOTES, _note_row), (_SESSIONS, _session_row)]
    for query, add in queries:
        if topics is None:
            rows = conn.execute(query)
            for row in rows:
                add(progress, row)
            continue
        for roadmap_id, topic_id in set(topics):
            for row in conn.execute(
                query + " WHERE roadmap = ? AND topic = ?", (roadmap_id, topic_id)
            ):
                add(progress, row)


_NOTES = "SELECT roadmap, topic, at, text, link FROM notes"
_SESSIONS = "SELECT roadmap, topic, studied_on, minutes, note FROM sessions"


def _note_of(row: Sequence[Any]) -> Note:
    """A row of ``_NOTES`` as a note; ValueError for one mlpath did not write."""
    _, topic_id, at, text, link = row
    if not isinstance(text, str) or not (link is None or isinstance(link, str)):
        raise ValueError(f"a note of {topic_id} is not text")
    return Note(_required_moment(at), text, link)


def _session_of(row: Sequence[Any]) -> Session:
    """A row of ``_SESSIONS`` as a study session; ValueError for one mlpath did not write."""
    _, topic_id, on, minutes, note = row
    if not isinstance(minutes, int) or minutes <= 0:
        raise ValueError(f"a study session of {topic_id} has bad minutes {minutes!r}")
    return Session(_required_moment(on), minutes, note)


def _note_row(progress: dict[str, dict[str, _Topic]], row: Sequence[Any]) -> None:
    _entry(progress, row[0], row[1]).notes.append(_note_of(row))


def _session_row(progress: dict[str, dict[str, _Topic]], row: Sequence[Any]) -> None:
    _entry(progress, row[0], row[1]).sessions.append(_session_of(row))


class _TopicMerge:
    """The topics part of an import, merged into the database as
    :func:`mlpath.core.exchange.merge_topics` merges in memory, with the same result: the
    tracked fields by :func:`mlpath.core.exchange.merge_topic`, and the notes and sessions as
    multisets, by looking each of the file's up in the database (no note is read)."""

    def __init__(self, conn: sqlite3.Connection, before: State) -> None:
        self.conn = conn
        self.before = before  # tracked fields only
        self.restore: dict[str, dict[str, TopicProgress | None]] = {}
        self.brought: list[tuple[str, str, Note | Session]] = []
        self.added = self.updated = self.unchanged = self.notes_added = 0

    def topic(self, roadmap_id: str, topic_id: str, theirs: TopicProgress, dry_run: bool) -> None:
        from mlpath.core.exchange import merge_topic

        conn, where = self.conn, (roadmap_id, topic_id)
        row = self.before.roadmaps.get(roadmap_id, {}).get(topic_id)
        notes: list[Note] = self._new(
            theirs.notes,
            f"SELECT count(*) FROM notes WHERE {_SAME_NOTE}",
            lambda n: (*where, *_note_fields(n)),
            note_key,
        )
        sessions: list[Session] = self._new(
            theirs.sessions,
            f"SELECT count(*) FROM sessions WHERE {_SAME_SESSION}",
            lambda x: (*where, *_session_fields(x)),
            session_key,
        )
        exists = (
            row is not None
            or conn.execute(
                "SELECT EXISTS (SELECT 1 FROM notes WHERE roadmap = ? AND topic = ?) OR "
                "EXISTS (SELECT 1 FROM sessions WHERE roadmap = ? AND topic = ?)",
                (*where, *where),
            ).fetchone()[0]
        )
        mine = (row or NOT_STARTED) if exists else None
        if mine is None:
            merged = theirs.tracked()
        else:
            studied = conn.execute(
                "SELECT coalesce(sum(minutes), 0) FROM sessions WHERE roadmap = ? AND topic = ?",
                where,
            ).fetchone()[0]
            combined = merge_topic(mine, theirs.tracked())
            merged = replace(combined, minutes=studied + sum(x.minutes for x in sessions))
        if merged == (mine or NOT_STARTED) and not notes and not sessions:
            self.unchanged += 1
            return
        if mine is None:
            self.added += 1
        else:
            self.updated += 1
        self.notes_added += len(notes)
        items: list[Note | Session] = [*notes, *sessions]
        self.brought += [(roadmap_id, topic_id, x) for x in items]
        self.restore.setdefault(roadmap_id, {})[topic_id] = mine
        if not dry_run:
            _write_topic(conn, roadmap_id, topic_id, mine or NOT_STARTED, merged)
            _insert_notes(conn, roadmap_id, topic_id, notes)
            _insert_sessions(conn, roadmap_id, topic_id, sessions)

    def _new(
        self,
        items: Sequence[Item],
        query: str,
        params: Callable[[Item], tuple[Any, ...]],
        order: Callable[[Item], Any],
    ) -> list[Item]:
        """The copies of ``items`` that the database does not hold yet, as multisets:
        what the file holds twice and the database once comes once more."""
        new: list[Item] = []
        for item, count in Counter(items).items():
            have = self.conn.execute(query, params(item)).fetchone()[0]
            new += [item] * max(0, count - have)
        return sorted(new, key=order)


def _store_entries(
    conn: sqlite3.Connection,
    incoming: Iterable[Change | State],
    now: datetime,
    last: int,
    dry_run: bool,
) -> tuple[list[str], State]:
    """Store an import's log entries that the log (up to id ``last``) lacks, a batch at a
    time, each held to the rules first; return their keys and the import's progress."""
    from mlpath.core import rules
    from mlpath.core.exchange import future_check

    seen: Counter[str] = Counter()
    added: list[str] = []
    batch: list[Change] = []
    progress = State()
    latest = now + rules.CLOCK_TOLERANCE
    for item in incoming:
        future_check(item, latest)
        if isinstance(item, State):
            progress = item
            continue
        batch.append(item)
        if len(batch) == 500:
            added += _new_entries(conn, batch, last, seen, dry_run)
            batch = []
    added += _new_entries(conn, batch, last, seen, dry_run)
    if not dry_run:
        _check_full_days(conn, last)
    return added, progress


def _check_full_days(conn: sqlite3.Connection, last: int) -> None:
    """Refuse an import whose study sessions (the log entries after id ``last``) make a
    day hold more than 24 hours, all roadmaps together."""
    from mlpath.core.rules import MAX_DAY_MINUTES

    rows = conn.execute(
        "SELECT DISTINCT at_utc FROM changes WHERE id > ? AND session_minutes > 0",
        (last,),
    ).fetchall()
    if not rows:
        return
    touched = {_local_day(utc) for (utc,) in rows}
    totals: Counter[str] = Counter()
    for days in _read_days(conn).values():
        for day, (minutes, _) in days.items():
            totals[day] += minutes
    full = sorted(day for day in touched if totals[day] > MAX_DAY_MINUTES)
    if full:
        raise StateFormatError(
            f"its study sessions would make {full[0]} hold "
            f"{duration_text(totals[full[0]])}, more than the 24 hours of a day"
        )


def _new_entries(
    conn: sqlite3.Connection, batch: list[Change], last: int, seen: Counter[str], dry_run: bool
) -> list[str]:
    """Store the changes of ``batch`` that the log (up to id ``last``) does not hold yet;
    return their keys."""
    from mlpath.core.exchange import is_new_entry

    keys = sorted({change.key for change in batch})
    have: dict[str, int] = {}
    for start in range(0, len(keys), 400):
        part = keys[start : start + 400]
        marks = ", ".join("?" * len(part))
        have.update(
            conn.execute(
                f"SELECT key, count(*) FROM changes WHERE key_hash IN ({marks}) AND id <= ? "
                f"AND key IN ({marks}) GROUP BY key",
                (*(_key_hash(k) for k in part), last, *part),
            ).fetchall()
        )
    new = [c for c in batch if is_new_entry(c.key, seen, have.get(c.key, 0))]
    if not dry_run:
        conn.executemany(_INSERT_CHANGE, [_change_row(c) for c in new])
    return [c.key for c in new]


# --- writing rows ------------------------------------------------------------------------


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _change_row(change: Change, recorded: datetime | None = None) -> tuple[Any, ...]:
    """A change's row; ``recorded``: when this machine recorded it (None for a change
    that came with an import or an old state file)."""
    session = change.session
    return (
        int(change.at.timestamp()),
        _offset(change.at),
        None if recorded is None else int(recorded.timestamp()),
        change.action.value,
        change.roadmap,
        change.topic,
        change.key,
        _key_hash(change.key),
        0 if session is None else session.minutes,
        entry_json(journal_entry(change.roadmap, change.topic, change)),
    )


def _offset(moment: datetime) -> int:
    offset = moment.utcoffset()
    return 0 if offset is None else int(offset.total_seconds())


_INSERT_CHANGE = (
    "INSERT INTO changes (at_utc, at_offset, recorded, action, roadmap, topic, key, "
    "key_hash, session_minutes, entry) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def _key_hash(key: str) -> int:
    import zlib

    return zlib.crc32(key.encode("utf-8", "surrogatepass"))


def _write(
    conn: sqlite3.Connection,
    before: State,
    after: State,
    ids: Sequence[int],
    recorded: datetime,
) -> None:
    """Store what ``after`` holds beyond (or short of) ``before``. ``ids`` are the row ids
    of ``before.log``; ``recorded`` is when this machine records the new changes."""
    for roadmap_id in {*before.roadmaps, *after.roadmaps}:
        old_topics = before.roadmaps.get(roadmap_id, {})
        new_topics = after.roadmaps.get(roadmap_id, {})
        for topic_id in {*old_topics, *new_topics}:
            old, new = old_topics.get(topic_id), new_topics.get(topic_id)
            if old is not new:
                _write_topic(conn, roadmap_id, topic_id, old or NOT_STARTED, new or NOT_STARTED)
    common = 0
    for old_change, new_change in zip(before.log, after.log, strict=False):
        if old_change is not new_change:
            break
        common += 1
    conn.executemany("DELETE FROM changes WHERE id = ?", [(i,) for i in ids[common:]])
    conn.executemany(_INSERT_CHANGE, [_change_row(c, recorded) for c in after.log[common:]])


def _write_topic(
    conn: sqlite3.Connection, roadmap_id: str, topic_id: str, old: TopicProgress, new: TopicProgress
) -> None:
    where = (roadmap_id, topic_id)
    tracked = new.tracked()
    if old.tracked() != tracked:
        conn.execute("DELETE FROM topics WHERE roadmap = ? AND topic = ?", where)
        if tracked != NOT_STARTED:
            _insert_topic(conn, roadmap_id, topic_id, tracked)
    # Notes and sessions as multisets: the newest copy of each one gone is deleted.
    for note in (Counter(old.notes) - Counter(new.notes)).elements():
        conn.execute(
            f"DELETE FROM notes WHERE id = (SELECT max(id) FROM notes WHERE {_SAME_NOTE})",
            (*where, *_note_fields(note)),
        )
    for session in (Counter(old.sessions) - Counter(new.sessions)).elements():
        conn.execute(
            f"DELETE FROM sessions WHERE id = (SELECT max(id) FROM sessions WHERE {_SAME_SESSION})",
            (*where, *_session_fields(session)),
        )
    _insert_notes(conn, roadmap_id, topic_id, _added(old.notes, new.notes, note_key))
    _insert_sessions(conn, roadmap_id, topic_id, _added(old.sessions, new.sessions, session_key))


# A note or a session of a topic, found by its fields (the parameters: roadmap, topic,
# then those of ``_note_fields`` or ``_session_fields``).
_SAME_NOTE = "roadmap = ? AND topic = ? AND at = ? AND text = ? AND link IS ?"
_SAME_SESSION = "roadmap = ? AND topic = ? AND studied_on = ? AND minutes = ? AND note IS ?"


def _note_fields(note: Note) -> tuple[Any, ...]:
    return (note.at.isoformat(), note.text, note.link)


def _session_fields(session: Session) -> tuple[Any, ...]:
    return (session.on.isoformat(), session.minutes, session.note)


def _added(old: Sequence[Item], new: Sequence[Item], order: Callable[[Item], Any]) -> list[Item]:
    """What ``new`` holds beyond ``old``, as multisets, in order."""
    return sorted((Counter(new) - Counter(old)).elements(), key=order)


def _insert_topic(
    conn: sqlite3.Connection, roadmap_id: str, topic_id: str, progress: TopicProgress
) -> None:
    conn.execute(
        "INSERT INTO topics VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            roadmap_id,
            topic_id,
            progress.status.value,
            _iso(progress.started_at),
            _iso(progress.done_at),
            _iso(progress.skipped_at),
            _iso(progress.updated_at),
            progress.minutes,
        ),
    )
    checks = [(item, 1, at) for item, at in progress.checked.items()]
    checks += [(item, 0, at) for item, at in progress.unchecked.items()]
    conn.executemany(
        "INSERT INTO checks VALUES (?, ?, ?, ?, ?)",
        [(roadmap_id, topic_id, item, flag, at.isoformat()) for item, flag, at in checks],
    )
    conn.executemany(
        "INSERT INTO reviews (roadmap, topic, at) VALUES (?, ?, ?)",
        [(roadmap_id, topic_id, at.isoformat()) for at in progress.reviews],
    )


def _insert_notes(
    conn: sqlite3.Connection, roadmap_id: str, topic_id: str, notes: Sequence[Note]
) -> None:
    from mlpath.core.search import indexed

    conn.executemany(
        "INSERT INTO notes (roadmap, topic, at, text, link, folded, entry) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (
                roadmap_id,
                topic_id,
                n.at.isoformat(),
                n.text,
                n.link,
                indexed(f"{n.text} {n.link or ''}"),
                entry_json(journal_entry(roadmap_id, topic_id, n)),
            )
            for n in notes
        ],
    )


def _insert_sessions(
    conn: sqlite3.Connection, roadmap_id: str, topic_id: str, sessions: Sequence[Session]
) -> None:

    conn.executemany(
        "INSERT INTO sessions (roadmap, topic, studied_on, minutes, note, entry) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [
            (
                roadmap_id,
                topic_id,
                s.on.isoformat(),
                s.minutes,
                s.note,
                entry_json(journal_entry(roadmap_id, topic_id, s)),
            )
            for s in sessions
        ],
    )


def _insert_state(conn: sqlite3.Connection, state: State) -> None:
    """Insert a whole state into an empty database."""
    for roadmap_id, topics in sorted(state.roadmaps.items()):
        for topic_id, progress in sorted(topics.items()):
            tracked = progress.tracked()
            if tracked != NOT_STARTED:
                _insert_topic(conn, roadmap_id, topic_id, tracked)
            _insert_notes(conn, roadmap_id, topic_id, progress.notes)
            _insert_sessions(conn, roadmap_id, topic_id, progress.sessions)
    conn.executemany(_INSERT_CHANGE, (_change_row(c) for c in state.log))


# --- files -------------------------------------------------------------------------------


def _uri_path(path: Path) -> str:
    """``path`` for a ``file:`` URI: the characters that URIs give a meaning escaped."""
    text = str(path.absolute())
    return text.replace("%", "%25").replace("?", "%3f").replace("#", "%23")


def _exists(path: Path) -> bool:
    return os.path.lexists(path)


def _check_kind(path: Path, what: str) -> None:
    """Refuse a path that is not a regular file (or a link to one): opening a FIFO would
    hang, a folder or a dangling link cannot be a database."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        if os.path.islink(path):
            raise StateError(
                f"{what} {path} is a symbolic link to {os.readlink(path)}, which does not "
                "exist. Remove the link, or make it point at your data."
            ) from None
        return
    except OSError as error:
        raise StateError(f"cannot open {what} {path}: {error.strerror or error}.") from None
    if stat.S_ISDIR(mode):
        raise StateError(f"{what} {path} is a folder, not a file. Move it away.")
    if not stat.S_ISREG(mode):
        raise StateError(
            f"{what} {path} is not a regular file (a FIFO, socket or device). Move it away."
        )


def _new_file(path: Path) -> Path:
    """Create ``path``, or ``path`` with ``-2``, ``-3``... before its suffix when it exists:
    never two files with one name. Created empty, 0600."""
    for n in range(1, 1000):
        candidate = path if n == 1 else path.with_name(f"{path.stem}-{n}{path.suffix}")
        try:
            os.close(os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:
            continue
        return candidate
    raise FileExistsError(path)


def _rename_aside(path: Path, target: Path) -> Path:
    """Rename ``path`` to ``target`` (or ``target-2``...) without replacing any file."""
    for n in range(1, 1000):
        candidate = target if n == 1 else target.with_name(f"{target.name}-{n}")
        try:
            os.link(path, candidate)
        except FileExistsError:
            continue
        os.unlink(path)
        fsync_directory(path.parent)
        return candidate
    raise FileExistsError(target)


# --- diagnosis and recovery ----------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    ok: bool
    what: str  # one sentence, already naming the file
    way_out: str | None = None  # for a problem: what to do about it


_RESTORE = (
    "'mlpath doctor --restore-backup' puts the newest sound snapshot in place, keeping the "
    "damaged database beside it."
)
_MOVE_AWAY = (
    "fix the file named above, or move it away to start afresh; mlpath never changes a "
    "file it cannot read."
)


def diagnose(store: Store, full: bool = False) -> list[Finding]:
    """Check the data folder's files without changing any of them. The database gets
    SQLite's quick check (every page and row), or with ``full`` its integrity check
    (which also compares every index with its table)."""
    from mlpath.core.rules import plural

    findings = [Finding(True, f"Your data lives in {store.directory}."), *_folder(store)]
    journal = _journal_path(store.path)
    for path, what in ((store.path, "the database"), (journal, "the database's rollback journal")):
        try:
            _check_kind(path, what)
        except StateError as error:
            way_out = "move it away: mlpath did not make it, and your data is not in it."
            return [*findings, Finding(False, str(error)[:1].upper() + str(error)[1:], way_out)]
    if not store.path.exists():
        if _exists(store.legacy_path):
            try:
                store._read_legacy()
            except StateError as error:
                findings.append(Finding(False, str(error), _MOVE_AWAY))
            else:
                findings.append(
                    Finding(
                        True,
                        f"{store.legacy_path} will be carried into {store.path} by the next "
                        "command.",
                    )
                )
        else:
            findings.append(
                Finding(True, f"{store.path} does not exist yet: no progress recorded.")
            )
    else:
        findings.extend(_check_database(store, full))
    if _exists(store.legacy_path) and store.path.exists():
        findings.append(
            Finding(
                True,
                f"{store.legacy_path} is an old state file that is not in the database; "
                "'mlpath import' merges it.",
            )
        )
    snapshots = store.snapshots()
    if snapshots:
        findings.append(
            Finding(
                True,
                f"{plural(len(snapshots), 'snapshot')} in {store.snapshot_dir}, the newest "
                f"{snapshots[-1].name}.",
            )
        )
    return findings


def _index_notes_again(conn: sqlite3.Connection) -> None:
    """Format 6 kept each note's folded text whole; format 7 keeps its words (search
    finds word beginnings, not any part of a word)."""
    from mlpath.core.search import indexed

    rows = conn.execute("SELECT id, text, link FROM notes").fetchall()
    conn.executemany(
        "UPDATE notes SET folded = ? WHERE id = ?",
        [(indexed(f"{text} {link or ''}"), note_id) for note_id, text, link in rows],
    )


def _journal_path(path: Path) -> Path:
    """Where SQLite keeps the rollback journal while a change is written."""
    return path.with_name(path.name + "-journal")


def _folder(store: Store) -> list[Finding]:
    """A data folder (or database) that cannot be written: reading works, recording fails."""
    for path, what in ((store.directory, "folder"), (store.path, "database")):
        if _exists(path) and not os.access(path, os.W_OK):
            return [
                Finding(
                    False,
                    f"The {what} {path} is not writable (a read-only disk, or its "
                    "permissions): mlpath can show your progress but not record any.",
                    f"make it writable again (e.g. 'chmod u+w {path}'); your data is intact, "
                    "so do not restore a snapshot.",
                )
            ]
    return []


def _check_database(store: Store, full: bool) -> list[Finding]:
    from mlpath.core.rules import plural

    path = store.path
    try:
        conn = sqlite3.connect(f"file:{_uri_path(path)}?mode=ro", uri=True, timeout=0.5)
    except sqlite3.Error as error:
        return [Finding(False, f"{path} cannot be opened: {error}.", _damaged(store))]
    findings: list[Finding] = []
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            return [
                Finding(
                    False,
                    f"{path} was written by a newer mlpath (format {version}; this one reads up "
                    f"to {SCHEMA_VERSION}).",
                    "upgrade mlpath (e.g. 'pip install --upgrade mlpath'); the database is "
                    "sound, so do not restore a snapshot.",
                )
            ]
        check = "integrity_check" if full else "quick_check"
        problems = [row[0] for row in conn.execute(f"PRAGMA {check}")]
        if problems != ["ok"]:
            return [
                Finding(False, f"{path} is damaged: {'; '.join(problems[:3])}.", _damaged(store))
            ]
        broken = conn.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            findings.append(
                Finding(
                    False,
                    f"{path} has {plural(len(broken), 'row')} that point at no topic.",
                    _damaged(store),
                )
            )
        if version == 0:
            findings.append(Finding(True, f"{path} is empty: no progress recorded."))
            return findings
        topics = conn.execute("SELECT count(*) FROM topics").fetchone()[0]
        changes = conn.execute("SELECT count(*) FROM changes").fetchone()[0]
        roadmaps = conn.execute(
            "SELECT count(*) FROM (SELECT roadmap FROM topics UNION SELECT roadmap FROM days)"
        ).fetchone()[0]
        findings.append(
            Finding(
                True,
                f"{path} is sound (format {version}): "
                f"{plural(topics, 'topic entry', 'topic entries')} in "
                f"{plural(roadmaps, 'roadmap')}, {plural(changes, 'change')} in the log.",
            )
        )
        if _exists(_journal_path(path)):
            findings.append(
                Finding(
                    True,
                    "Another mlpath is writing now, or one was stopped mid-write (the next "
                    "command rolls its change back).",
                )
            )
    except sqlite3.DatabaseError as error:
        findings.append(
            Finding(False, f"{path} is not a database mlpath can read: {error}.", _damaged(store))
        )
    finally:
        conn.close()
    return findings


def _damaged(store: Store) -> str:
    return _RESTORE if store.snapshots() else _MOVE_AWAY


def restore_snapshot(store: Store, now: datetime) -> tuple[Path, Path | None]:
    """Put the newest sound snapshot in the database's place. The database it replaces
    is kept beside it (renamed ``state.db.replaced-<time>``), and the snapshot stays
    where it is. Returns (the snapshot used, where the replaced database was kept)."""
    snapshot = None
    for candidate in reversed(store.snapshots()):
        if _is_sound(candidate):
            snapshot = candidate
            break
    if snapshot is None:
        raise StateError(f"there is no sound snapshot in {store.snapshot_dir} to restore.")
    store._ensure_directory()
    try:
        fresh = _new_file(store.directory / f".{DATABASE}.restoring.tmp")
        source = sqlite3.connect(f"file:{_uri_path(snapshot)}?mode=ro", uri=True)
        target = sqlite3.connect(fresh)
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()
        kept = None
        if _exists(store.path):
            stamp = now.strftime("%Y%m%dT%H%M%S")
            kept = _rename_aside(store.path, store.directory / f"{DATABASE}.replaced-{stamp}")
        os.replace(fresh, store.path)
        fsync_directory(store.directory)
    except (OSError, sqlite3.Error) as error:
        raise StateError(f"cannot restore the snapshot {snapshot}: {error}.") from None
    return snapshot, kept


def _is_sound(path: Path) -> bool:
    try:
        conn = sqlite3.connect(f"file:{_uri_path(path)}?mode=ro", uri=True)
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            ok = [row[0] for row in conn.execute("PRAGMA integrity_check")] == ["ok"]
            return ok and 0 < version <= SCHEMA_VERSION
        finally:
            conn.close()
    except sqlite3.Error:
        return False
