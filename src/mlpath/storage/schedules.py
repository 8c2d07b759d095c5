"""The review schedule of each done topic, kept in a cache so that a long history of
reviews is not replayed through FSRS by every command.

A topic's schedule is a function of its finish, its reviews since (with their grades)
and the desired retention: :func:`mlpath.core.recall.memory` replays them. The cache
keys each schedule by a digest of exactly those inputs (the reviews as the database
holds them), of mlpath's version and of the installed fsrs, so it can never disagree
with the journal: a changed history has another key, and is replayed. Nothing of it is
in the database; losing it costs a replay. An unreadable cache is ignored and rebuilt;
failing to write one is not an error. One file a database, in the cache folder.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any

from mlpath.core.progress import Grade, Recall, Status, TopicProgress
from mlpath.core.recall import Memory
from mlpath.storage.paths import cache_dir

# The reviews of each done topic, as the database holds them (in no particular order:
# the digest only has to change when they do).
_DONE = (
    "SELECT t.topic, t.done_at, (SELECT group_concat(r.at || '=' || r.grade, ' ') FROM "
    "reviews r WHERE r.roadmap = t.roadmap AND r.topic = t.topic) FROM topics t "
    "WHERE t.roadmap = ? AND t.status = 'done' AND t.done_at IS NOT NULL"
)


def schedules(
    conn: sqlite3.Connection,
    database: Path,
    roadmap_id: str,
    retention: float,
    topic_id: str | None = None,
) -> dict[str, Memory]:
    """Topic id -> its schedule, for every done topic of the roadmap (or only
    ``topic_id``, when it is given and done)."""
    import hashlib

    if topic_id is None:
        rows = conn.execute(_DONE, (roadmap_id,)).fetchall()
    else:
        rows = conn.execute(_DONE + " AND t.topic = ?", (roadmap_id, topic_id)).fetchall()
    file = _file(database)
    tag = _tag()
    cached = _read(file, tag)
    found: dict[str, Memory] = {}
    kept: dict[str, list[Any]] = {}
    for topic_id, done_at, reviews in rows:
        key = f"{retention!r}|{done_at}|{reviews or ''}"
        digest = hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
        remembered = _from_plain(cached.get(digest))
        if remembered is None:
            remembered = _replayed(topic_id, done_at, reviews, retention)
        if remembered is not None:
            found[topic_id] = remembered
            kept[digest] = _to_plain(remembered)
    if topic_id is not None:  # one topic: the others' entries stay
        kept = {**cached, **kept}
    if kept != cached:
        _write(file, {"tag": tag, "entries": kept})
    return found


def _replayed(topic_id: str, done_at: str, reviews: str | None, retention: float) -> Memory | None:
    from mlpath.core.recall import memory
    from mlpath.storage.rows import Unreadable

    try:
        recalls = []
        for review in (reviews or "").split():
            at, _, grade = review.partition("=")
            recalls.append(Recall(datetime.fromisoformat(at), Grade(grade)))
        progress = TopicProgress(
            status=Status.DONE,
            done_at=datetime.fromisoformat(done_at),
            reviews=tuple(sorted(recalls)),
        )
        return memory(progress, retention)
    except (ValueError, TypeError) as error:
        raise Unreadable(f"has a review of {topic_id} it cannot read: {error}") from None


def _to_plain(remembered: Memory) -> list[Any]:
    last = remembered.last
    return [
        remembered.due.isoformat(),
        remembered.stability,
        remembered.difficulty,
        last.at.isoformat(),
        last.grade.value,
        remembered.reviews,
    ]


def _from_plain(entry: object) -> Memory | None:
    """A cached schedule; None for anything that is not one (read anew)."""
    if not isinstance(entry, list) or len(entry) != 6:
        return None
    due, stability, difficulty, at, grade, reviews = entry
    try:
        return Memory(
            datetime.fromisoformat(due),
            float(stability),
            float(difficulty),
            Recall(datetime.fromisoformat(at), Grade(grade)),
            int(reviews),
        )
    except (ValueError, TypeError):
        return None


def _tag() -> str:
    """What the schedules were computed by: mlpath's version and the installed fsrs (its
    files' place and time), without importing it."""
    import importlib.util
    import os

    from mlpath import __version__

    spec = importlib.util.find_spec("fsrs")
    origin = "" if spec is None or spec.origin is None else spec.origin
    with contextlib.suppress(OSError):
        origin += f"|{os.stat(origin).st_mtime_ns}"
    return f"mlpath {__version__}, fsrs {origin}"


def _file(database: Path) -> Path:
    import zlib

    name = str(database.absolute()).encode("utf-8", "surrogateescape")
    return cache_dir() / f"reviews-{zlib.crc32(name):08x}.json"


def _read(file: Path, tag: str) -> dict[str, Any]:
    try:
        document = json.loads(file.read_bytes())
        if document["tag"] == tag and isinstance(document["entries"], dict):
            return dict(document["entries"])
    except (OSError, ValueError, TypeError, KeyError, RecursionError):
        pass
    return {}


def _write(file: Path, document: dict[str, Any]) -> None:
    from mlpath.storage.paths import atomic_write

    with contextlib.suppress(OSError):
        file.parent.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        file.parent.mkdir(mode=0o700, exist_ok=True)
        atomic_write(file, json.dumps(document).encode(), 0o600)
