"""The codec between the database's rows and the core's progress objects: reading
topics, checks, reviews, notes, sessions and the day summary into a :class:`State`, and
writing the difference between two states back as rows."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Callable, Collection, Iterator, Sequence
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from mlpath.core.progress import (
    NOT_STARTED,
    Change,
    Grade,
    Note,
    Recall,
    Session,
    State,
    StateFormatError,
    Status,
    TopicProgress,
    change_from_dict,
    entry_json,
    journal_entry,
    note_key,
    session_key,
)

Item = TypeVar("Item", Note, Session)


class Unreadable(ValueError):
    """A row whose content mlpath cannot read; the store names the file and the way out."""


CHANGE_COLUMNS = "id, entry"

# The journal as JSON text, one entry a row, as ``entry_json(journal_entry(...))`` writes
# it, made by SQLite: each table's entry, and what must hold for it to be one.
#: The tables of the journal, in the order an export writes them.
JOURNAL_TABLES = ("notes", "sessions", "changes")
_NOTE = "json_object('kind', 'note', 'roadmap', roadmap, 'topic', topic, 'at', at, 'text', text"
_SESSION = (
    "json_object('kind', 'session', 'roadmap', roadmap, 'topic', topic, 'on', studied_on, "
    "'minutes', minutes"
)
JOURNAL_JSON = {
    # JSON that SQLite writes is JSON whatever a column holds; a value of the wrong kind
    # (in a damaged file) is refused by the mlpath that imports it, with its place
    "notes": (f"CASE WHEN link IS NULL THEN {_NOTE}) ELSE {_NOTE}, 'link', link) END", "0"),
    "sessions": (
        f"CASE WHEN note IS NULL THEN {_SESSION}) ELSE {_SESSION}, 'note', note) END",
        "0",
    ),
    # an import's counts are this machine's: another machine's undo has no use for them
    "changes": (
        "CASE WHEN action = 'import' THEN json_remove(entry, '$.undo') ELSE entry END",
        "typeof(entry) <> 'text'",
    ),
}


def read_state(
    conn: sqlite3.Connection, full: bool, topics: Collection[tuple[str, str]] = ()
) -> tuple[State, list[int]]:
    """The state, and the ids of the log entries it holds. By default: every topic's
    status, checks and reviews, and the day summary; ``topics`` adds the notes and
    study sessions of those (roadmap id, topic id) pairs; ``full`` reads everything, the
    log included."""
    try:
        progress = read_topics(conn)
        days = read_days(conn)
        if full:
            add_items(conn, progress, None)
        elif topics:
            add_items(conn, progress, topics)
        log: tuple[Change, ...] = ()
        ids: list[int] = []
        if full:
            rows = conn.execute(f"SELECT {CHANGE_COLUMNS} FROM changes ORDER BY id").fetchall()
            log = tuple(change_of(row) for row in rows)
            ids = [row[0] for row in rows]
    except (StateFormatError, ValueError, TypeError) as error:
        raise Unreadable(f"has unexpected content: {error}") from None
    roadmaps = {r: {t: p.build() for t, p in topics_.items()} for r, topics_ in progress.items()}
    return State(roadmaps, log, days, complete=full), ids


def change_of(row: Sequence[Any]) -> Change:
    """The change stored in a (id, entry) row of the log."""
    change_id, entry = row
    try:
        data = json.loads(entry)
        data.pop("undo", None)  # an import's counts, which undo reads from the row
        if data.pop("kind", None) != "change":
            raise StateFormatError("not a change")
        return change_from_dict(data, f"change {change_id}")
    except (StateFormatError, ValueError, TypeError, AttributeError) as error:
        raise Unreadable(f"has unexpected content: {error}") from None


def read_days(conn: sqlite3.Connection) -> dict[str, dict[str, tuple[int, int]]]:
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
                yield roadmap_id, local_day(utc), 1, minutes


def _day_of(seconds: int) -> str:
    """The date of a count of seconds since 1970 (UTC)."""
    return (date(1970, 1, 1) + timedelta(seconds=seconds)).isoformat()


def local_day(utc: int) -> str:
    """The date, in this machine's time zone, of a moment in seconds since 1970 (UTC)."""
    import time

    year, month, day = time.localtime(utc)[:3]
    return f"{year:04d}-{month:02d}-{day:02d}"


class TopicRows:
    """A topic's fields as they are read from several tables."""

    def __init__(self) -> None:
        self.fields: dict[str, Any] = {}
        self.checked: dict[str, datetime] = {}
        self.unchecked: dict[str, datetime] = {}
        self.reviews: list[Recall] = []
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


def _entry(progress: dict[str, dict[str, TopicRows]], roadmap_id: str, topic_id: str) -> TopicRows:
    topics = progress.setdefault(roadmap_id, {})
    entry = topics.get(topic_id)
    if entry is None:
        entry = topics[topic_id] = TopicRows()
    return entry


def read_topics(conn: sqlite3.Connection) -> dict[str, dict[str, TopicRows]]:
    progress: dict[str, dict[str, TopicRows]] = {}
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
    grades = {g.value: g for g in Grade}
    for roadmap_id, topic_id, moments in conn.execute(
        "SELECT roadmap, topic, group_concat(at || '=' || grade, ' ') FROM reviews "
        "GROUP BY roadmap, topic"
    ):
        entry = _entry(progress, roadmap_id, topic_id)
        for review in str(moments).split(" "):
            at, _, grade = review.partition("=")
            if grade not in grades:
                raise ValueError(f"a review of {topic_id} has an unknown grade {grade!r}")
            entry.reviews.append(Recall(_required_moment(at), grades[grade]))
    return progress


def add_items(
    conn: sqlite3.Connection,
    progress: dict[str, dict[str, TopicRows]],
    topics: Collection[tuple[str, str]] | None,
) -> None:
    """Add the notes and sessions of ``topics`` (None: of every topic) to ``progress``."""
    queries = [(NOTES, _note_row), (SESSIONS, _session_row)]
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


NOTES = "SELECT roadmap, topic, at, text, link FROM notes"
SESSIONS = "SELECT roadmap, topic, studied_on, minutes, note FROM sessions"


def note_of(row: Sequence[Any]) -> Note:
    """A row of ``NOTES`` as a note; ValueError for one mlpath did not write."""
    _, topic_id, at, text, link = row
    if not isinstance(text, str) or not (link is None or isinstance(link, str)):
        raise ValueError(f"a note of {topic_id} is not text")
    return Note(_required_moment(at), text, link)


def session_of(row: Sequence[Any]) -> Session:
    """A row of ``SESSIONS`` as a study session; ValueError for one mlpath did not write."""
    _, topic_id, on, minutes, note = row
    if not isinstance(minutes, int) or minutes <= 0:
        raise ValueError(f"a study session of {topic_id} has bad minutes {minutes!r}")
    return Session(_required_moment(on), minutes, note)


def _note_row(progress: dict[str, dict[str, TopicRows]], row: Sequence[Any]) -> None:
    _entry(progress, row[0], row[1]).notes.append(note_of(row))


def _session_row(progress: dict[str, dict[str, TopicRows]], row: Sequence[Any]) -> None:
    _entry(progress, row[0], row[1]).sessions.append(session_of(row))


def iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def change_row(
    change: Change, recorded: datetime | None = None, undo: dict[str, int] | None = None
) -> tuple[Any, ...]:
    """A change's row; ``recorded``: when this machine recorded it (None for a change
    that came with an import or an old state file); ``undo``: for an import recorded
    here, how many log entries, notes and study sessions it added."""
    session = change.session
    entry = journal_entry(change.roadmap, change.topic, change)
    if undo is not None:
        entry["undo"] = undo
    return (
        int(change.at.timestamp()),
        _offset(change.at),
        None if recorded is None else int(recorded.timestamp()),
        change.action.value,
        change.roadmap,
        change.topic,
        key_digest(change.key),
        key_hash(change.key),
        0 if session is None else session.minutes,
        entry_json(entry),
    )


def _offset(moment: datetime) -> int:
    offset = moment.utcoffset()
    return 0 if offset is None else int(offset.total_seconds())


INSERT_CHANGE = (
    "INSERT INTO changes (at_utc, at_offset, recorded, action, roadmap, topic, key, "
    "key_hash, session_minutes, entry) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def key_hash(key: str) -> int:
    import zlib

    return zlib.crc32(key.encode("utf-8", "surrogatepass"))


def key_digest(key: str) -> str:
    """What the log keeps of a change's key: a digest (a key holds a note's whole text)."""
    import hashlib

    return hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def write(
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
                write_topic(conn, roadmap_id, topic_id, old or NOT_STARTED, new or NOT_STARTED)
    common = 0
    for old_change, new_change in zip(before.log, after.log, strict=False):
        if old_change is not new_change:
            break
        common += 1
    conn.executemany("DELETE FROM changes WHERE id = ?", [(i,) for i in ids[common:]])
    conn.executemany(INSERT_CHANGE, [change_row(c, recorded) for c in after.log[common:]])


def write_topic(
    conn: sqlite3.Connection, roadmap_id: str, topic_id: str, old: TopicProgress, new: TopicProgress
) -> None:
    where = (roadmap_id, topic_id)
    tracked = new.tracked()
    if old.tracked() != tracked:
        conn.execute("DELETE FROM topics WHERE roadmap = ? AND topic = ?", where)
        if tracked != NOT_STARTED:
            insert_topic(conn, roadmap_id, topic_id, tracked)
    # Notes and sessions as multisets: the newest copy of each one gone is deleted.
    for note in (Counter(old.notes) - Counter(new.notes)).elements():
        conn.execute(
            f"DELETE FROM notes WHERE id = (SELECT max(id) FROM notes WHERE {SAME_NOTE})",
            (*where, *note_fields(note)),
        )
    for session in (Counter(old.sessions) - Counter(new.sessions)).elements():
        conn.execute(
            f"DELETE FROM sessions WHERE id = (SELECT max(id) FROM sessions WHERE {SAME_SESSION})",
            (*where, *session_fields(session)),
        )
    insert_notes(conn, roadmap_id, topic_id, _added(old.notes, new.notes, note_key))
    insert_sessions(conn, roadmap_id, topic_id, _added(old.sessions, new.sessions, session_key))


# A note or a session of a topic, found by its fields (the parameters: roadmap, topic,
# then those of ``note_fields`` or ``session_fields``).
SAME_NOTE = "roadmap = ? AND topic = ? AND at = ? AND text = ? AND link IS ?"
SAME_SESSION = "roadmap = ? AND topic = ? AND studied_on = ? AND minutes = ? AND note IS ?"


def note_fields(note: Note) -> tuple[Any, ...]:
    return (note.at.isoformat(), note.text, note.link)


def session_fields(session: Session) -> tuple[Any, ...]:
    return (session.on.isoformat(), session.minutes, session.note)


def _added(old: Sequence[Item], new: Sequence[Item], order: Callable[[Item], Any]) -> list[Item]:
    """What ``new`` holds beyond ``old``, as multisets, in order."""
    return sorted((Counter(new) - Counter(old)).elements(), key=order)


def insert_topic(
    conn: sqlite3.Connection, roadmap_id: str, topic_id: str, progress: TopicProgress
) -> None:
    conn.execute(
        "INSERT INTO topics VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            roadmap_id,
            topic_id,
            progress.status.value,
            iso(progress.started_at),
            iso(progress.done_at),
            iso(progress.skipped_at),
            iso(progress.updated_at),
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
        "INSERT INTO reviews (roadmap, topic, at, grade) VALUES (?, ?, ?, ?)",
        [(roadmap_id, topic_id, r.at.isoformat(), r.grade.value) for r in progress.reviews],
    )


def insert_notes(
    conn: sqlite3.Connection, roadmap_id: str, topic_id: str, notes: Sequence[Note]
) -> None:
    from mlpath.core.search import indexed

    conn.executemany(
        "INSERT INTO notes (roadmap, topic, at, text, link, folded) VALUES (?, ?, ?, ?, ?, ?)",
        [
            (
                roadmap_id,
                topic_id,
                n.at.isoformat(),
                n.text,
                n.link,
                indexed(f"{n.text} {n.link or ''}"),
            )
            for n in notes
        ],
    )


def insert_sessions(
    conn: sqlite3.Connection, roadmap_id: str, topic_id: str, sessions: Sequence[Session]
) -> None:

    conn.executemany(
        "INSERT INTO sessions (roadmap, topic, studied_on, minutes, note) VALUES (?, ?, ?, ?, ?)",
        [(roadmap_id, topic_id, s.on.isoformat(), s.minutes, s.note) for s in sessions],
    )


def insert_state(conn: sqlite3.Connection, state: State) -> None:
    """Insert a whole state into an empty database."""
    for roadmap_id, topics in sorted(state.roadmaps.items()):
        for topic_id, progress in sorted(topics.items()):
            tracked = progress.tracked()
            if tracked != NOT_STARTED:
                insert_topic(conn, roadmap_id, topic_id, tracked)
            insert_notes(conn, roadmap_id, topic_id, progress.notes)
            insert_sessions(conn, roadmap_id, topic_id, progress.sessions)
    conn.executemany(INSERT_CHANGE, (change_row(c) for c in state.log))
