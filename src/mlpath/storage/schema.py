"""The database's schema, as the ordered list of the migrations that build it.

A new database runs every step from the first; a database of an earlier format runs the
steps after its own. Each step is frozen: its SQL is written out here once and never
changes, and never derives from the schema of today, so a later schema change cannot
change what an old step does. A change to the schema is a new step at the end, with the
format number it leads to (kept in ``PRAGMA user_version``). Formats 1 to 5 were TOML
files (see :mod:`mlpath.core.formats`); they are carried into a new database by
:class:`mlpath.storage.database.Store`.

One statement a string: ``executescript`` would commit the transaction it runs in.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable


class Migration:
    """One step: the format the database has after it, what it does, its statements, and
    the work SQL cannot do (run after them), if any. A plain class: every command reads
    this module, and a dataclass costs a millisecond to make."""

    __slots__ = ("format", "name", "statements", "then")

    def __init__(
        self,
        format: int,
        name: str,
        statements: tuple[str, ...],
        then: Callable[[sqlite3.Connection], None] | None = None,
    ) -> None:
        self.format = format
        self.name = name
        self.statements = statements
        self.then = then


def _fold_notes_into_words(conn: sqlite3.Connection) -> None:
    """Format 6 kept each note's folded text whole; format 7 keeps its words (search
    finds word beginnings, not any part of a word)."""
    from mlpath.core.search import indexed

    rows = conn.execute("SELECT id, text, link FROM notes").fetchall()
    conn.executemany(
        "UPDATE notes SET folded = ? WHERE id = ?",
        [(indexed(f"{text} {link or ''}"), note_id) for note_id, text, link in rows],
    )


_FORMAT_6 = Migration(
    6,
    "the first database: progress, checks, reviews, notes, sessions, the log by day",
    (
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
        folded TEXT NOT NULL,  -- text and link, lower-case without accents, for search
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
        """CREATE TABLE changes (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        day TEXT NOT NULL,
        action TEXT NOT NULL,
        roadmap TEXT NOT NULL,
        topic TEXT NOT NULL,
        key TEXT NOT NULL,
        key_hash INTEGER NOT NULL,  -- CRC-32 of key: a small index to look keys up
        session_day TEXT,
        session_minutes INTEGER NOT NULL DEFAULT 0,
        entry TEXT NOT NULL
    )""",
        """CREATE INDEX changes_by_topic ON changes (roadmap, topic)""",
        """CREATE INDEX changes_by_key ON changes (key_hash)""",
        """CREATE TABLE days (
        roadmap TEXT NOT NULL,
        day TEXT NOT NULL,
        minutes INTEGER NOT NULL DEFAULT 0,
        changes INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (roadmap, day)
    ) WITHOUT ROWID""",
        """CREATE TRIGGER change_counted AFTER INSERT ON changes
    WHEN NEW.action <> 'import' BEGIN
        INSERT INTO days (roadmap, day, changes) VALUES (NEW.roadmap, NEW.day, 1)
            ON CONFLICT (roadmap, day) DO UPDATE SET changes = changes + 1;
        INSERT INTO days (roadmap, day, minutes)
            SELECT NEW.roadmap, NEW.session_day, NEW.session_minutes
            WHERE NEW.session_day IS NOT NULL
            ON CONFLICT (roadmap, day) DO UPDATE SET minutes = minutes + excluded.minutes;
    END""",
        """CREATE TRIGGER change_uncounted AFTER DELETE ON changes
    WHEN OLD.action <> 'import' BEGIN
        UPDATE days SET changes = changes - 1 WHERE roadmap = OLD.roadmap AND day = OLD.day;
        UPDATE days SET minutes = minutes - OLD.session_minutes
            WHERE OLD.session_day IS NOT NULL
            AND roadmap = OLD.roadmap AND day = OLD.session_day;
        DELETE FROM days WHERE roadmap = OLD.roadmap
            AND day IN (OLD.day, OLD.session_day) AND minutes = 0 AND changes = 0;
    END""",
    ),
)

# Format 6 kept the log with the learner's date of each change: format 7 keeps the moment
# and its offset, so that days follow the time zone the learner is in when they look.
_FORMAT_7 = Migration(
    7,
    "moments with their UTC offsets: days follow the zone the learner looks from",
    (
        "DROP TRIGGER change_counted",
        "DROP TRIGGER change_uncounted",
        "DROP INDEX changes_by_topic",
        "DROP INDEX changes_by_key",
        "DROP TABLE days",
        "ALTER TABLE changes RENAME TO changes_6",
        # The change log, oldest first (by id). ``entry`` is the whole change as compact
        # JSON, exactly as an export writes it (with the topic's fields before it, the note
        # or session it added, an import's restore list); the other columns repeat what the
        # commands look for: when the change happened, in seconds since 1970 (UTC) and the
        # UTC offset it was recorded with (a study session's change happens when the
        # session did), and ``recorded``, when this machine recorded it (seconds since
        # 1970), if it did.
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
        # Per roadmap, day and UTC offset: the study time and the number of changes
        # (streaks, the pace). ``day`` is the date in that offset. Read in a time zone whose
        # offset was the same all that day (the learner at home, summer time included), a
        # row is that day; any other row is counted again from the log, change by change.
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
        # Seconds east of UTC of an ISO 8601 moment: its local time read as UTC, less it.
        """INSERT INTO changes (id, at_utc, at_offset, action, roadmap, topic, key, key_hash,
        session_minutes, entry)
    SELECT id, CAST(strftime('%s', at) AS INTEGER),
        CAST(round((julianday(substr(at, 1, 19)) - julianday(at)) * 86400) AS INTEGER),
        action, roadmap, topic, key, key_hash, session_minutes, entry
    FROM changes_6 ORDER BY id""",
        "DROP TABLE changes_6",
    ),
    then=_fold_notes_into_words,
)


def _compact(conn: sqlite3.Connection) -> None:
    """Format 8 keeps each note's distinct words only, a digest of each change's key,
    and an import's record says how many rows it added (what undo takes away) instead
    of listing them again."""
    import json

    from mlpath.core.search import indexed
    from mlpath.storage.rows import key_digest

    rows = conn.execute("SELECT id, text, link FROM notes").fetchall()
    conn.executemany(
        "UPDATE notes SET folded = ? WHERE id = ?",
        [(indexed(f"{text} {link or ''}"), note_id) for note_id, text, link in rows],
    )
    conn.create_function("key_digest", 1, key_digest, deterministic=True)
    conn.execute("UPDATE changes SET key = key_digest(key)")
    records = conn.execute(
        "SELECT id, entry FROM changes WHERE action = 'import' AND json_valid(entry) "
        "AND json_type(entry, '$.brought') = 'array'"
    ).fetchall()
    for change_id, entry in records:
        data = json.loads(entry)
        brought = [item.get("kind") for item in data.pop("brought")]
        data["undo"] = {
            "changes": len(data.pop("added", [])),
            "notes": brought.count("note"),
            "sessions": brought.count("session"),
        }
        conn.execute(
            "UPDATE changes SET entry = ? WHERE id = ?",
            (json.dumps(data, ensure_ascii=False, separators=(",", ":")), change_id),
        )


# Format 7 kept every note five times: its text, its words, the note again as JSON, in
# the key of the change that added it, and once more in the record of the import that
# brought it (with the keys of the log entries the import added). 24 MB of notes made a
# 275 MB database. Format 8 writes an export's JSON of notes and sessions from their
# columns, keeps a note's distinct words and a digest of each key, and has an import's
# record count what it added (earlier records are brought to that form): the rows it
# stored are the newest ones as long as it is the last change, which is when undo takes
# it back.
# Reviews gain their grade, which schedules the next one (FSRS); those made before grades
# existed count as good.
_FORMAT_8 = Migration(
    8,
    "notes kept once, imports counted, reviews graded",
    (
        # (SQLite's DROP COLUMN cannot take out a column followed by a comment.)
        "DROP INDEX notes_by_topic",
        "ALTER TABLE notes RENAME TO notes_7",
        """CREATE TABLE notes (
        id INTEGER PRIMARY KEY,
        roadmap TEXT NOT NULL,
        topic TEXT NOT NULL,
        at TEXT NOT NULL,
        text TEXT NOT NULL,
        link TEXT,
        folded TEXT NOT NULL  -- its distinct words, lower-case without accents, for search
    )""",
        """INSERT INTO notes (id, roadmap, topic, at, text, link, folded)
    SELECT id, roadmap, topic, at, text, link, folded FROM notes_7 ORDER BY id""",
        "DROP TABLE notes_7",
        "CREATE INDEX notes_by_topic ON notes (roadmap, topic, at)",
        "DROP INDEX sessions_by_topic",
        "ALTER TABLE sessions RENAME TO sessions_7",
        """CREATE TABLE sessions (
        id INTEGER PRIMARY KEY,
        roadmap TEXT NOT NULL,
        topic TEXT NOT NULL,
        studied_on TEXT NOT NULL,
        minutes INTEGER NOT NULL,
        note TEXT
    )""",
        """INSERT INTO sessions (id, roadmap, topic, studied_on, minutes, note)
    SELECT id, roadmap, topic, studied_on, minutes, note FROM sessions_7 ORDER BY id""",
        "DROP TABLE sessions_7",
        "CREATE INDEX sessions_by_topic ON sessions (roadmap, topic, studied_on)",
        "ALTER TABLE reviews ADD COLUMN grade TEXT NOT NULL DEFAULT 'good'",
    ),
    then=_compact,
)

#: Every step, in order. Append; never edit one that has shipped.
MIGRATIONS = (_FORMAT_6, _FORMAT_7, _FORMAT_8)

#: The database's format, kept in ``PRAGMA user_version``.
SCHEMA_VERSION = MIGRATIONS[-1].format
#: The earlier formats of the database that the migrations bring to this one.
UPGRADABLE = tuple(step.format for step in MIGRATIONS[:-1])


def migrate(conn: sqlite3.Connection, version: int) -> None:
    """Run the steps after format ``version`` (0: a new, empty database), each setting
    the format it leads to; the caller holds the transaction."""
    for step in MIGRATIONS:
        if step.format > version:
            for statement in step.statements:
                conn.execute(statement)
            if step.then is not None:
                step.then(conn)
            conn.execute(f"PRAGMA user_version = {step.format}")
