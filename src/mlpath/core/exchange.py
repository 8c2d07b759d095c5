"""Moving progress between machines: the export document and the merge of an import.

Pure: no files, no clock. The merge never overwrites; for every topic and resource the
most recent change wins, and notes and log entries are combined:

* a topic's status (with its dates) comes from the side whose status changed last
  (``updated_at``);
* each resource check is decided by its own latest event, a check or an uncheck;
* notes, sessions, reviews and change-log entries are the union of both sides, without
  duplicates.

The merge is idempotent (importing the same file twice changes nothing the second time)
and commutative (two machines importing each other's exports end with the same progress).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, TypeVar

from mlpath.core import rules
from mlpath.core.formats import EXPORT_KEY, EXPORT_VERSION
from mlpath.core.progress import (
    NOT_STARTED,
    Action,
    Change,
    Note,
    Session,
    State,
    StateFormatError,
    TopicProgress,
    note_key,
    session_key,
    started_by,
    status_dict,
)

_EARLIEST = datetime.min.replace(tzinfo=UTC)
T = TypeVar("T")


def export_toml(state: State, journal: Iterable[dict[str, Any]], now: datetime) -> Iterator[bytes]:
    """A TOML export in UTF-8, a piece at a time, for any length of history: the envelope
    and the status part of ``state``, then each entry of the journal (format 5's
    ``journal``) as it comes. Dates are TOML's own."""
    import tomli_w

    yield tomli_w.dumps(_export_head(state, now)).encode("utf-8")
    for entry in journal:
        # one table per entry: the same as writing the whole array at once
        yield ("\n" + tomli_w.dumps({"journal": [entry]})).encode("utf-8")


def export_json(
    state: State, journal: Iterable[bytes], now: datetime, learner: str | None = None
) -> Iterator[bytes]:
    """A JSON export in UTF-8, a piece at a time: the envelope and the status part of
    ``state`` (indented), then the journal, one entry a line, so that two exports differ
    by whole lines. ``journal`` gives the entries as JSON text in UTF-8 (see
    :func:`mlpath.core.progress.entry_json`), one or more a piece, separated by a comma and a
    newline. Dates are ISO 8601 text. ``learner`` (a sync file's) names whose progress
    it is."""
    head = _export_head(state, now)
    if learner is not None:
        head = {**head, "learner": learner}
    # roadmaps -> roadmap -> topics -> one topic a line
    text = _layered(head, 0, 4).encode("utf-8")
    first = True
    for piece in journal:
        yield text[:-2] + b',\n  "journal": [\n' if first else b",\n"
        yield piece  # as it came: a piece of a long history is not copied
        first = False
    yield text + b"\n" if first else b"\n  ]\n}\n"


def sync_document(
    state: State, entries: Iterable[dict[str, Any]], learner: str, notes: bool = True
) -> bytes:
    """This device's file in a sync repository: a JSON export of ``state`` (as
    :meth:`mlpath.storage.database.Store.exporting` gives it) and its journal ``entries``, less the
    log's import records (each device's own record of what it merged, kept for undo, which
    would otherwise travel back and forth for ever) and, when ``notes`` is false, less the
    notes. Its date is the newest entry's, so the same progress makes the same bytes and
    an unchanged device commits nothing."""
    from mlpath.core.progress import entry_json

    kept = [
        entry
        for entry in entries
        if not (entry.get("kind") == "change" and entry.get("action") == Action.IMPORT.value)
        and (notes or not _is_note(entry))
    ]
    moments = [m for e in kept for m in (e.get("at"), e.get("on")) if isinstance(m, datetime)]
    newest = max(moments, default=datetime(1970, 1, 1, tzinfo=UTC))
    lines = [",\n".join(entry_json(e) for e in kept).encode("utf-8")] if kept else []
    return b"".join(export_json(state, lines, newest, learner))


def _is_note(entry: Mapping[str, Any]) -> bool:
    kind = entry.get("kind")
    return kind == "note" or (kind == "change" and entry.get("action") == Action.NOTE.value)


def combine(exports: Iterable[Iterable[Change | State]]) -> Iterator[Change | State]:
    """Several devices' exports (each as :func:`mlpath.core.formats.read_import` gives it) as
    one import, so that a sync is one undoable change: every log entry as often as the
    export that holds it most often, then their progress merged by the rules above."""
    given: Counter[str] = Counter()
    progress = State()
    for items in exports:
        seen: Counter[str] = Counter()
        for item in items:
            if isinstance(item, State):
                progress = merge_topics(progress, item.roadmaps).state
                continue
            seen[item.key] += 1
            if seen[item.key] > given[item.key]:
                given[item.key] += 1
                yield item
    yield progress


def _export_head(state: State, now: datetime) -> dict[str, Any]:
    return {EXPORT_KEY: EXPORT_VERSION, "exported_at": now, **status_dict(state)}


def _layered(value: object, depth: int, levels: int) -> str:
    """``value`` as JSON with its first ``levels`` levels of tables indented, a member a
    line, and anything deeper compact: readable, and written by the fast encoder."""
    import json

    if levels == 0 or not isinstance(value, dict) or not value:
        return json.dumps(value, default=_iso_text, ensure_ascii=False, separators=(",", ":"))
    pad = "  " * (depth + 1)
    members = ",\n".join(
        f"{pad}{json.dumps(key, ensure_ascii=False)}: {_layered(item, depth + 1, levels - 1)}"
        for key, item in value.items()
    )
    return "{\n" + members + "\n" + "  " * depth + "}"


def _iso_text(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot export {type(value).__name__}")


def _iso(moment: datetime | None) -> str:
    return "" if moment is None else moment.isoformat()


def _status_key(progress: TopicProgress) -> tuple[datetime, str, str, str, str]:
    # Latest status change first; the rest only breaks ties the same way on every machine.
    return (
        progress.updated_at or _EARLIEST,
        progress.status.value,
        _iso(progress.started_at),
        _iso(progress.done_at),
        _iso(progress.skipped_at),
    )


def merge_topic(mine: TopicProgress | None, theirs: TopicProgress | None) -> TopicProgress:
    """Combine two machines' progress on one topic (None: the machine has no entry)."""
    if mine is None or theirs is None:
        return theirs or mine or NOT_STARTED
    status = max(mine, theirs, key=_status_key)
    checked: dict[str, datetime] = {}
    unchecked: dict[str, datetime] = {}
    items = {*mine.checked, *mine.unchecked, *theirs.checked, *theirs.unchecked}
    for item in sorted(items):
        events = [(t, 1) for t in (mine.checked.get(item), theirs.checked.get(item)) if t]
        events += [(t, 0) for t in (mine.unchecked.get(item), theirs.unchecked.get(item)) if t]
        when, is_check = max(events)
        (checked if is_check else unchecked)[item] = when
    sessions = tuple(sorted(_union(mine.sessions, theirs.sessions), key=session_key))
    notes = tuple(sorted(_union(mine.notes, theirs.notes), key=note_key))
    merged = replace(
        status,
        checked=checked,
        unchecked=unchecked,
        # one review a moment (two machines cannot both have reviewed at one instant)
        reviews=tuple({r.at: r for r in sorted({*mine.reviews, *theirs.reviews})}.values()),
        notes=notes,
        sessions=sessions,
        minutes=sum(x.minutes for x in sessions),
    )
    # Both machines began the topic: it began at the earlier start (each machine's start
    # already follows its own earliest activity). Not across a reset: a machine where the
    # topic is not started has no start to give.
    starts = [p.started_at for p in (mine, theirs) if p.started_at is not None]
    return started_by(merged, min(starts)) if len(starts) == 2 else merged


def _union(mine: tuple[T, ...], theirs: tuple[T, ...]) -> list[T]:
    """A multiset union: what one side holds twice on purpose stays twice."""
    counts = Counter(mine)
    for item, count in Counter(theirs).items():
        counts[item] = max(counts[item], count)
    return list(counts.elements())


@dataclass(frozen=True)
class ImportReport:
    """What an import did (or, for a dry run, would do)."""

    topics_added: int
    topics_updated: int
    topics_unchanged: int
    notes_added: int
    log_added: int

    @property
    def changed(self) -> bool:
        return bool(self.topics_added or self.topics_updated or self.notes_added or self.log_added)


@dataclass(frozen=True)
class TopicMerge:
    """The topics part of an import: the merged state, each changed topic's tracked
    fields as they were before (None: absent), the notes and sessions it brought, and the
    counts for the report."""

    state: State
    restore: Mapping[str, Mapping[str, TopicProgress | None]]
    brought: tuple[tuple[str, str, Note | Session], ...]
    added: int
    updated: int
    unchanged: int
    notes_added: int


def merge_topics(local: State, incoming: Mapping[str, Mapping[str, TopicProgress]]) -> TopicMerge:
    """Merge the topics of ``incoming`` (roadmap id -> topic id -> progress, with notes and
    sessions) into ``local``, which must hold those topics with their notes and sessions."""
    new_state = local
    restore: dict[str, dict[str, TopicProgress | None]] = {}
    brought: list[tuple[str, str, Note | Session]] = []
    added = updated = unchanged = notes_added = 0
    for roadmap_id, topics in sorted(incoming.items()):
        mine_topics = local.roadmaps.get(roadmap_id, {})
        for topic_id, theirs in sorted(topics.items()):
            mine = mine_topics.get(topic_id)
            merged = merge_topic(mine, theirs)
            if merged == (mine or NOT_STARTED):
                unchanged += 1
                continue
            if mine is None:
                added += 1
            else:
                updated += 1
            old = mine or NOT_STARTED
            new_notes = sorted(
                (Counter(merged.notes) - Counter(old.notes)).elements(), key=note_key
            )
            new_sessions = sorted(
                (Counter(merged.sessions) - Counter(old.sessions)).elements(), key=session_key
            )
            notes_added += len(new_notes)
            items: list[Note | Session] = [*new_notes, *new_sessions]
            brought += [(roadmap_id, topic_id, x) for x in items]
            restore.setdefault(roadmap_id, {})[topic_id] = None if mine is None else mine.tracked()
            new_state = new_state.with_topic(roadmap_id, topic_id, merged)
    return TopicMerge(new_state, restore, tuple(brought), added, updated, unchanged, notes_added)


def is_new_entry(key: str, seen: Counter[str], have: int) -> bool:
    """Whether an incoming log entry with ``key`` is new. The logs are combined as
    multisets: an entry is new when the file holds it more often than the local log does
    (two identical changes in one second stay two). ``seen`` counts the keys of the file
    so far (this one is added); ``have`` is how often the local log holds ``key``."""
    seen[key] += 1
    return seen[key] > have


def import_record(
    now: datetime, source: str, restore: Mapping[str, Mapping[str, TopicProgress | None]]
) -> Change:
    """The log entry of an import, which undo reverts: the topics it changed as they were
    (tracked fields). What it added is counted by the store that records it."""
    return Change(
        at=now,
        action=Action.IMPORT,
        roadmap="",
        topic="",
        before=NOT_STARTED,
        source=source,
        restore=restore,
    )


def future_check(item: Change | State, latest: datetime) -> None:
    """Refuse (:class:`StateFormatError`) an imported log entry, or progress, that holds a
    moment after ``latest`` (an import is held to the commands' rule that what is
    recorded has happened; ``latest`` allows for another machine's clock running fast),
    or study sessions that make a day longer than 24 hours."""
    moments: list[datetime] = []
    if isinstance(item, Change):
        moments.append(item.at)
        if item.note is not None:
            moments.append(item.note.at)
        if item.session is not None:
            moments.append(item.session.on)
    else:
        per_day: Counter[str] = Counter()
        for topics in item.roadmaps.values():
            for progress in topics.values():
                moments += _moments(progress)
                for session in progress.sessions:
                    per_day[session.on.date().isoformat()] += session.minutes
        full = sorted(day for day, minutes in per_day.items() if minutes > rules.MAX_DAY_MINUTES)
        if full:
            raise StateFormatError(
                f"its study sessions on {full[0]} add up to more than the 24 hours of a day"
            )
    for moment in moments:
        try:
            rules.past(moment, latest, f"its date {moment.isoformat()}")
        except rules.Invalid as error:
            raise StateFormatError(f"{error} Only what has happened can be imported") from None


def _moments(progress: TopicProgress) -> list[datetime]:
    dates = (progress.started_at, progress.done_at, progress.skipped_at, progress.updated_at)
    return [
        *(d for d in dates if d is not None),
        *progress.checked.values(),
        *progress.unchecked.values(),
        *(r.at for r in progress.reviews),
        *(n.at for n in progress.notes),
        *(x.on for x in progress.sessions),
    ]
