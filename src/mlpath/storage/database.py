"""The learner's database: one SQLite file, read and written through ``sqlite3``.

* The database is ``state.db`` in :func:`mlpath.storage.paths.data_dir`; its format is
  ``PRAGMA user_version``, built and brought up to date by the migrations of
  :mod:`mlpath.storage.schema`. A newer format, or one no mlpath wrote, is refused and
  left untouched; so is an emptied file that has snapshots beside it.
* Every command is one transaction: writes take SQLite's write lock at once
  (``BEGIN IMMEDIATE``) and wait up to :func:`busy_timeout` seconds for another writer.
  The journal mode is SQLite's default rollback journal, so the database file alone is
  always whole between commands (docs/reliability.md says why not WAL).
* A write compares the state before and after the pure operation and writes only the
  difference (:mod:`mlpath.storage.rows`); the log, undo and imports are
  :mod:`mlpath.storage.journal`'s; snapshots are :mod:`mlpath.storage.snapshots`'.
* An old ``state.toml`` is carried into a new database on first use, in one transaction,
  and kept beside it, renamed.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from mlpath.core.errors import StateError
from mlpath.core.progress import (
    Change,
    DayFull,
    Note,
    Session,
    State,
    StateFormatError,
    duration_text,
    note_key,
    session_key,
)
from mlpath.storage import schema
from mlpath.storage.files import check_kind, exists, journal_path, rename_aside, uri_path
from mlpath.storage.paths import data_dir
from mlpath.storage.rows import TopicRows, Unreadable, add_items, insert_state, read_state, write
from mlpath.storage.snapshots import SNAPSHOTS, Snapshots

if TYPE_CHECKING:
    from mlpath.core.exchange import ImportReport
    from mlpath.core.recall import Memory
    from mlpath.core.roadmap import Topic

DATABASE = "state.db"
LEGACY_FILE = "state.toml"  # the state of mlpath before the database (formats 1 to 5)
BUSY_TIMEOUT_SECONDS = 5.0  # unless MLPATH_LOCK_TIMEOUT says otherwise

T = TypeVar("T")


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
        self.backups = Snapshots(self.snapshot_dir, self.clock)

    def snapshots(self) -> list[Path]:
        """The snapshots, oldest first."""
        return self.backups.all()

    # --- reading -----------------------------------------------------------------------

    def load(self, full: bool = False, topics: Collection[tuple[str, str]] = ()) -> State:
        """The current state; an empty one when there is no database yet.

        By default: every topic's status, checks and reviews, and the day summary (the
        state is then not ``complete``). ``topics`` adds the notes and study sessions of
        those (roadmap id, topic id) pairs; ``full`` reads everything, the log included.
        """
        with self._reading() as conn:
            return State() if conn is None else read_state(conn, full, topics)[0]

    def load_with_notes(
        self, choose: Callable[[State], Topic | None], roadmap_id: str
    ) -> tuple[State, Topic | None]:
        """The state as :meth:`load` reads it, with the notes and study sessions of the
        topic that ``choose`` picks from it (if any), in one read."""
        with self._reading() as conn:
            if conn is None:
                return State(), choose(State())
            state, _ = read_state(conn, False)
            chosen = choose(state)
            if chosen is None:
                return state, None
            items: dict[str, dict[str, TopicRows]] = {}
            try:
                add_items(conn, items, [(roadmap_id, chosen.id)])
            except (ValueError, TypeError) as error:
                raise Unreadable(f"has unexpected content: {error}") from None
            entry = items.get(roadmap_id, {}).get(chosen.id)
            if entry is None:
                return state, chosen
            topic = replace(
                state.topic(roadmap_id, chosen.id),
                notes=tuple(sorted(entry.notes, key=note_key)),
                sessions=tuple(sorted(entry.sessions, key=session_key)),
            )
            return state.with_topic(roadmap_id, chosen.id, topic), chosen

    def schedules(
        self, roadmap_id: str, retention: float, topic_id: str | None = None
    ) -> dict[str, Memory]:
        """Topic id -> the review schedule (FSRS) of every done topic of the roadmap (or
        of ``topic_id`` alone), replayed from its reviews or taken from the cache of
        schedules (:mod:`mlpath.storage.schedules`)."""
        from mlpath.storage.schedules import schedules

        with self._reading() as conn:
            if conn is None:
                return {}
            return schedules(conn, self.path, roadmap_id, retention, topic_id)

    def topic_items(self, roadmap_id: str, topic_id: str) -> tuple[list[Note], list[Session]]:
        """A topic's notes and study sessions, oldest first, and nothing else."""
        items: dict[str, dict[str, TopicRows]] = {}
        with self._reading() as conn:
            if conn is None:
                return [], []
            try:
                add_items(conn, items, [(roadmap_id, topic_id)])
            except (ValueError, TypeError) as error:
                raise Unreadable(f"has unexpected content: {error}") from None
        entry = items.get(roadmap_id, {}).get(topic_id)
        if entry is None:
            return [], []
        return sorted(entry.notes, key=note_key), sorted(entry.sessions, key=session_key)

    def note_words(self, roadmap_id: str, words: Sequence[str]) -> dict[str, set[str]]:
        """For search: topic id -> which of ``words`` (folded as
        :func:`mlpath.core.search.query_words` does) begin a word of the learner's notes on
        it. The database looks, so no note is read."""
        found: dict[str, set[str]] = {}
        with self._reading() as conn:
            if conn is None:
                return found
            for word in words:
                for (topic_id,) in conn.execute(
                    "SELECT DISTINCT topic FROM notes WHERE roadmap = ? AND instr(folded, ?) > 0",
                    (roadmap_id, f" {word}"),
                ):
                    found.setdefault(topic_id, set()).add(word)
        return found

    def changes(
        self, count: int, roadmap_id: str | None = None, topic_id: str | None = None
    ) -> list[Change]:
        """The ``count`` most recent changes (see :func:`mlpath.storage.journal.recent`)."""
        from mlpath.storage import journal

        with self._reading() as conn:
            return [] if conn is None else journal.recent(conn, count, roadmap_id, topic_id)

    def exporting(
        self,
    ) -> contextlib.AbstractContextManager[tuple[State, Iterator[dict[str, Any]]]]:
        """For an export, in one read transaction: the state without notes, sessions and
        log, and the journal (format 5's entries: every note, then every study session,
        then every change, oldest first), read a batch at a time while it is consumed."""
        from mlpath.storage import journal

        return self._exporting(journal.journal)

    def exporting_json(self) -> contextlib.AbstractContextManager[tuple[State, Iterator[bytes]]]:
        """As :meth:`exporting`, with the journal's entries as compact JSON text that the
        database writes itself (as :func:`mlpath.core.progress.entry_json` would), one a
        line, many a piece: the fast way for a long history."""
        from mlpath.storage import journal

        return self._exporting(journal.journal_json)

    @contextlib.contextmanager
    def _exporting(
        self, entries: Callable[[sqlite3.Connection], Iterator[T]]
    ) -> Iterator[tuple[State, Iterator[T]]]:
        with self._reading() as conn:
            if conn is None:
                yield State(), iter(())
                return
            state, _ = read_state(conn, False)
            yield state, entries(conn)

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
        with self._writing("daily") as conn:
            before, ids = read_state(conn, full, topics)
            after, result = change(before)
            if after is not before:
                last = conn.execute("SELECT coalesce(max(id), 0) FROM changes").fetchone()[0]
                write(conn, before, after, ids, self.clock())
                _refuse_a_full_day(conn, last)
            return result

    def undo(self) -> Change | None:
        """Revert the most recent change and return it (None when the log is empty)."""
        from mlpath.storage import journal

        with self._writing("daily") as conn:
            return journal.undo_last(conn, self.clock())

    def merge(
        self,
        incoming: Iterable[Change | State],
        now: datetime,
        source: str,
        dry_run: bool = False,
    ) -> ImportReport:
        """Merge an import into the database as one undoable change (the rules of
        :mod:`mlpath.core.exchange`) and return its report; a dry run changes nothing.
        ``incoming`` is as :func:`mlpath.core.formats.read_import` gives it. Anything wrong
        in the file, found at any point, leaves the database as it was."""
        from mlpath.storage import journal

        if not dry_run:
            with self._writing("import") as conn:
                return journal.merge_import(conn, incoming, now, source, dry_run=False)
        with self._connection(create=False) as existing:
            if existing is None:  # no database yet: compare with an empty one
                empty = sqlite3.connect(":memory:", isolation_level=None)
                schema.migrate(empty, 0)
            conn = empty if existing is None else existing
            with self._transaction(conn, "BEGIN"):
                return journal.merge_import(conn, incoming, now, source, dry_run=True)

    # --- the connection and its transactions ---------------------------------------------

    @contextlib.contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection | None]:
        """A read transaction on the database, or None when there is none yet."""
        with self._connection(create=False) as conn:
            if conn is None:
                yield None
                return
            with self._transaction(conn, "BEGIN"):
                yield conn

    @contextlib.contextmanager
    def _writing(self, snapshot: str) -> Iterator[sqlite3.Connection]:
        """A write transaction on the database (set up first if there is none yet), after
        a snapshot for ``snapshot`` ("daily" or why) that is kept only if it writes."""
        with self._connection(create=True) as conn:
            if conn is None:  # cannot be: create=True makes one or raises
                raise StateError(f"cannot open the database {self.path}.")
            with (
                self.backups.kept_if_written(conn, snapshot, lambda: self._errors(True)),
                self._transaction(conn, "BEGIN IMMEDIATE"),
            ):
                yield conn

    @contextlib.contextmanager
    def _connection(self, create: bool) -> Iterator[sqlite3.Connection | None]:
        """An open connection to the database, or None when there is none and ``create``
        is false. A first connection sets the database up (carrying an old state file
        into it); errors become :class:`StateError`."""
        check_kind(self.path, "the database")
        check_kind(journal_path(self.path), "the database's rollback journal")
        legacy = self.legacy_path
        has_legacy = exists(legacy)
        migrated = None
        if exists(self.path):
            self._check_not_emptied()
        else:
            if not (create or has_legacy):
                yield None
                return
            if has_legacy:  # an old state file mlpath cannot read makes no database
                migrated = self.read_legacy()
            self.ensure_directory()
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
                f"file:{uri_path(self.path)}?mode=rw",
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
                elif version < schema.SCHEMA_VERSION:
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
        if version > schema.SCHEMA_VERSION:
            raise StateError(
                f"the database {self.path} was written by a newer mlpath (format "
                f"{version}; this one reads up to {schema.SCHEMA_VERSION}). Upgrade mlpath; "
                "the database was left untouched."
            )
        if version not in (0, *schema.UPGRADABLE, schema.SCHEMA_VERSION):
            raise self._refuse(
                f"has format {version}, which no mlpath wrote (formats 1 to 5 were "
                f"text files; the database's are 6 to {schema.SCHEMA_VERSION})"
            )
        return version

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
        except Unreadable as error:
            raise self._refuse(str(error)) from None

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

    def ensure_directory(self) -> None:
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
            if migrated is None and exists(self.legacy_path):
                migrated = self.read_legacy()
            schema.migrate(conn, 0)
            if migrated is not None:
                state, digest = migrated
                insert_state(conn, state)
                conn.execute(
                    "INSERT INTO meta VALUES ('migrated_from', ?)", (f"{LEGACY_FILE} {digest}",)
                )
        if migrated is not None:
            self._set_legacy_aside(conn)

    def _upgrade(self, conn: sqlite3.Connection) -> None:
        """Bring a database of an earlier format to this one, in one transaction (a
        snapshot of it is taken first)."""
        self.backups.take(conn, "upgrade")
        with self._transaction(conn, "BEGIN EXCLUSIVE"):
            schema.migrate(conn, conn.execute("PRAGMA user_version").fetchone()[0])

    def read_legacy(self) -> tuple[State, str]:
        """The complete state in the old state file, and its digest."""
        import hashlib
        import tomllib

        from mlpath.core.formats import JournalMismatch, NewerFormat, NotText, read_state_file

        path = self.legacy_path
        check_kind(path, "the old state file")
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
            rename_aside(self.legacy_path, self.directory / f"{LEGACY_FILE}.migrated")
            lock = self.directory / f"{LEGACY_FILE}.lock"  # the old versions' lock file
            if lock.is_file() and lock.stat().st_size == 0:
                lock.unlink()


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


def _refuse_a_full_day(conn: sqlite3.Connection, last: int) -> None:
    """:class:`DayFull` when the study time just written makes a day hold more than 24
    hours (the transaction then rolls back)."""
    from mlpath.storage import journal

    full = journal.full_day(conn, last)
    if full is not None:
        day, before, added = full
        raise DayFull(
            f"{day} already has {duration_text(before)} of study logged; "
            f"{duration_text(added)} more would make more than 24 hours in one day."
        )
