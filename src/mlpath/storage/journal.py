"""The change log: the most recent changes, the journal an export streams, undoing the
last change, and merging an import (or a sync) as one undoable change."""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from mlpath.core.progress import (
    NOT_STARTED,
    Action,
    Change,
    Note,
    Session,
    State,
    StateFormatError,
    TopicProgress,
    duration_text,
    journal_entry,
    note_key,
    session_key,
    undo_change,
)
from mlpath.storage.rows import (
    CHANGE_COLUMNS,
    INSERT_CHANGE,
    JOURNAL_JSON,
    JOURNAL_TABLES,
    NOTES,
    SAME_NOTE,
    SAME_SESSION,
    SESSIONS,
    Item,
    Unreadable,
    change_of,
    change_row,
    insert_notes,
    insert_sessions,
    insert_topic,
    key_digest,
    key_hash,
    local_day,
    note_fields,
    note_of,
    read_days,
    read_state,
    session_fields,
    session_of,
    write,
    write_topic,
)

if TYPE_CHECKING:
    from mlpath.core.exchange import ImportReport


# What a line of the history shows of a change: its entry without the topic's fields
# before it and an import's lists (restore, added, brought), which can hold thousands of
# items. SQLite takes them out, so they are never decoded.
_LINE = "json_remove(entry, '$.before', '$.restore', '$.added', '$.brought', '$.undo')"


def recent(
    conn: sqlite3.Connection, count: int, roadmap_id: str | None, topic_id: str | None
) -> list[Change]:
    """The ``count`` most recent changes by when they happened (a change entered with
    ``--on`` takes its place by that date), newest first; only those of one topic when
    ``topic_id`` is given. Each as a line of the history needs it: without ``before``,
    ``restore``, ``added`` and ``brought``, and with when this machine recorded it."""
    where = ""
    params: tuple[Any, ...] = ()
    if topic_id is not None:
        where = " WHERE roadmap = ? AND topic = ?"
        params = (roadmap_id, topic_id)
    order = " ORDER BY at_utc DESC, id DESC LIMIT ?"
    try:
        rows = conn.execute(
            f"SELECT id, {_LINE}, recorded FROM changes{where}{order}", (*params, count)
        ).fetchall()
    except sqlite3.OperationalError as error:
        if "malformed JSON" not in str(error):
            raise
        raise Unreadable("has a change that is not JSON text") from None
    changes = []
    for row in rows:
        change = change_of(row[:2])
        if isinstance(row[2], int):
            change = replace(change, recorded=datetime.fromtimestamp(row[2], UTC))
        changes.append(change)
    return changes


def journal_json(conn: sqlite3.Connection) -> Iterator[bytes]:
    """The journal's entries (every note, then every study session, then every change,
    oldest first) as JSON text in UTF-8, one a line, many a piece: bytes as they are
    stored, nothing decoded only to be encoded again. SQLite joins each piece itself,
    over a range of row ids (a range scan of the table, so in their order), so that no
    Python object is made per entry."""
    conn.text_factory = bytes
    try:
        for table in JOURNAL_TABLES:
            low, high = conn.execute(f"SELECT min(id), max(id) FROM {table}").fetchone()
            if low is None:
                continue
            entry, broken = JOURNAL_JSON[table]
            query = (
                f"SELECT group_concat({entry}, x'2c0a'), sum({broken}) "
                f"FROM {table} WHERE id >= ? AND id < ?"
            )
            for start in range(low, high + 1, _PIECE):
                piece, not_text = conn.execute(query, (start, start + _PIECE)).fetchone()
                if not_text:
                    raise Unreadable("has an entry that is not JSON text")
                if piece is not None:
                    yield piece
    finally:
        conn.text_factory = str


_PIECE = 4000  # row ids a piece of an export covers


def journal(conn: sqlite3.Connection) -> Iterator[dict[str, Any]]:
    """The journal's entries as :func:`mlpath.core.progress.journal_entry` makes them."""
    queries: list[tuple[str, Callable[[Sequence[Any]], Note | Session]]] = [
        (f"{NOTES} ORDER BY id", note_of),
        (f"{SESSIONS} ORDER BY id", session_of),
    ]
    try:
        for query, item_of in queries:
            cursor = conn.execute(query)
            while rows := cursor.fetchmany(1000):
                for row in rows:
                    yield journal_entry(row[0], row[1], item_of(row))
    except (ValueError, TypeError) as error:
        raise Unreadable(f"has unexpected content: {error}") from None
    cursor = conn.execute(f"SELECT {CHANGE_COLUMNS} FROM changes ORDER BY id")
    while rows := cursor.fetchmany(1000):
        for row in rows:
            change = change_of(row)
            yield journal_entry(change.roadmap, change.topic, change)


def undo_last(conn: sqlite3.Connection, recorded: datetime) -> Change | None:
    """Revert the most recent change and return it (None when the log is empty). Reads
    only what that change touched, however long the log."""
    row = conn.execute(
        f"SELECT {CHANGE_COLUMNS}, json_extract(entry, '$.undo') FROM changes "
        "ORDER BY id DESC LIMIT 1"
    ).fetchone()
    if row is None:
        return None
    last = change_of(row[:2])
    if last.action is Action.IMPORT and row[2] is not None:
        _undo_import(conn, row[0], row[2], last)
        return last
    touched = [(last.roadmap, last.topic)]
    if last.action is Action.IMPORT:
        touched = [(r, t) for r, topics in last.restore.items() for t in topics]
    before, _ = read_state(conn, False, touched)
    after = undo_change(before, last)
    write(conn, before, after, [], recorded)
    conn.execute("DELETE FROM changes WHERE id = ?", (row[0],))
    # An import recorded before imports counted what they added: its own entries go
    # with it, the newest ones with their keys.
    for key, count in Counter(last.added).items():
        conn.execute(
            "DELETE FROM changes WHERE id IN (SELECT id FROM changes WHERE "
            "key_hash = ? AND key = ? ORDER BY id DESC LIMIT ?)",
            (key_hash(key), key_digest(key), count),
        )
    return last


def _undo_import(conn: sqlite3.Connection, row_id: int, counts: str, change: Change) -> None:
    """Undo the import recorded in row ``row_id`` with one statement a table, in time that
    grows with the import: what an import adds is stored in one transaction, so while it
    is the last change its log entries are the rows just before its own, and its notes
    and study sessions the newest ones; ``counts`` (JSON) says how many of each."""
    import json

    try:
        undo = json.loads(counts)
        added, notes, sessions = (int(undo[k]) for k in ("changes", "notes", "sessions"))
    except (ValueError, TypeError, KeyError) as error:
        raise Unreadable(f"has an import record it cannot undo: {error}") from None
    first = row_id - added
    held = conn.execute("SELECT count(*) FROM changes WHERE id >= ?", (first,)).fetchone()[0]
    if held != added + 1:
        raise Unreadable("has an import record whose log entries are not the newest ones")
    conn.execute("DELETE FROM changes WHERE id >= ?", (first,))
    for table, count in (("notes", notes), ("sessions", sessions)):
        if count:
            conn.execute(
                f"DELETE FROM {table} WHERE id >= "
                f"(SELECT min(id) FROM (SELECT id FROM {table} ORDER BY id DESC LIMIT ?))",
                (count,),
            )
    topics = [(r, t, p) for r, by_id in change.restore.items() for t, p in by_id.items()]
    conn.executemany(
        "DELETE FROM topics WHERE roadmap = ? AND topic = ?", [(r, t) for r, t, _ in topics]
    )
    for roadmap_id, topic_id, progress in topics:
        if progress is not None and progress.tracked() != NOT_STARTED:
            insert_topic(conn, roadmap_id, topic_id, progress.tracked())


def merge_import(
    conn: sqlite3.Connection,
    incoming: Iterable[Change | State],
    now: datetime,
    source: str,
    dry_run: bool,
) -> ImportReport:
    """Merge an import (the rules of :mod:`mlpath.core.exchange`) and record it as one
    change; a dry run only counts. ``incoming`` gives the file's log entries one at a
    time, then its progress: the entries are checked against the log by key and stored
    as they come, a batch at a time; only the topics the file holds are read."""
    from mlpath.core.exchange import ImportReport, import_record

    last = conn.execute("SELECT coalesce(max(id), 0) FROM changes").fetchone()[0]
    added, progress = store_entries(conn, incoming, now, last, dry_run)
    before, _ = read_state(conn, False)
    merge = TopicMerge(conn, before)
    for roadmap_id, topics in sorted(progress.roadmaps.items()):
        for topic_id, theirs in sorted(topics.items()):
            merge.topic(roadmap_id, topic_id, theirs, dry_run)
    report = ImportReport(merge.added, merge.updated, merge.unchanged, merge.notes, len(added))
    if report.changed and not dry_run:
        record = import_record(now, source, merge.restore)
        undo = {"changes": len(added), "notes": merge.notes, "sessions": merge.sessions}
        conn.execute(INSERT_CHANGE, change_row(record, now, undo))
    return report


class TopicMerge:
    """The topics part of an import, merged into the database as
    :func:`mlpath.core.exchange.merge_topics` merges in memory, with the same result: the
    tracked fields by :func:`mlpath.core.exchange.merge_topic`, and the notes and sessions as
    multisets, by looking each of the file's up in the database (no note is read)."""

    def __init__(self, conn: sqlite3.Connection, before: State) -> None:
        self.conn = conn
        self.before = before  # tracked fields only
        self.restore: dict[str, dict[str, TopicProgress | None]] = {}
        self.added = self.updated = self.unchanged = 0
        self.notes = self.sessions = 0  # how many the import brings

    def topic(self, roadmap_id: str, topic_id: str, theirs: TopicProgress, dry_run: bool) -> None:
        from mlpath.core.exchange import merge_topic

        conn, where = self.conn, (roadmap_id, topic_id)
        row = self.before.roadmaps.get(roadmap_id, {}).get(topic_id)
        notes: list[Note] = self._new(
            theirs.notes,
            f"SELECT count(*) FROM notes WHERE {SAME_NOTE}",
            lambda n: (*where, *note_fields(n)),
            note_key,
        )
        sessions: list[Session] = self._new(
            theirs.sessions,
            f"SELECT count(*) FROM sessions WHERE {SAME_SESSION}",
            lambda x: (*where, *session_fields(x)),
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
        self.notes += len(notes)
        self.sessions += len(sessions)
        self.restore.setdefault(roadmap_id, {})[topic_id] = mine
        if not dry_run:
            write_topic(conn, roadmap_id, topic_id, mine or NOT_STARTED, merged)
            insert_notes(conn, roadmap_id, topic_id, notes)
            insert_sessions(conn, roadmap_id, topic_id, sessions)

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


def store_entries(
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


def full_day(conn: sqlite3.Connection, last: int) -> tuple[str, int, int] | None:
    """The first day (in the learner's zone) that the study sessions logged after change
    ``last`` make hold more than 24 hours, all roadmaps together, as (day, its minutes
    before them, their minutes); None when every day fits. The one rule of a day's
    length, for the commands and for imports alike."""
    from mlpath.core.rules import MAX_DAY_MINUTES

    added: Counter[str] = Counter()
    for utc, minutes in conn.execute(
        "SELECT at_utc, session_minutes FROM changes WHERE id > ? AND session_minutes > 0",
        (last,),
    ):
        added[local_day(utc)] += minutes
    if not added:
        return None
    totals: Counter[str] = Counter()
    for days in read_days(conn).values():
        for day, (minutes, _) in days.items():
            totals[day] += minutes
    for day in sorted(added):
        if totals[day] > MAX_DAY_MINUTES:
            return day, totals[day] - added[day], added[day]
    return None


def _check_full_days(conn: sqlite3.Connection, last: int) -> None:
    """Refuse an import whose study sessions make a day hold more than 24 hours."""
    full = full_day(conn, last)
    if full is not None:
        day, before, added = full
        raise StateFormatError(
            f"its study sessions would make {day} hold "
            f"{duration_text(before + added)}, more than the 24 hours of a day"
        )


def _new_entries(
    conn: sqlite3.Connection, batch: list[Change], last: int, seen: Counter[str], dry_run: bool
) -> list[str]:
    """Store the changes of ``batch`` that the log (up to id ``last``) does not hold yet;
    return their keys."""
    from mlpath.core.exchange import is_new_entry

    digests = {change.key: key_digest(change.key) for change in batch}
    keys = sorted(digests)
    have: dict[str, int] = {}
    for start in range(0, len(keys), 400):
        part = keys[start : start + 400]
        marks = ", ".join("?" * len(part))
        have.update(
            conn.execute(
                f"SELECT key, count(*) FROM changes WHERE key_hash IN ({marks}) AND id <= ? "
                f"AND key IN ({marks}) GROUP BY key",
                (*(key_hash(k) for k in part), last, *(digests[k] for k in part)),
            ).fetchall()
        )
    new = [c for c in batch if is_new_entry(c.key, seen, have.get(digests[c.key], 0))]
    # Another machine's import is a line of history here, never undone: what it changed
    # and brought there is not kept twice.
    new = [
        replace(c, restore={}, added=(), brought=None) if c.action is Action.IMPORT else c
        for c in new
    ]
    if not dry_run:
        conn.executemany(INSERT_CHANGE, [change_row(c) for c in new])
    return [c.key for c in new]
