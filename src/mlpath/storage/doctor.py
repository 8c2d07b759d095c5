"""``mlpath doctor``: what the data folder's files say about themselves, without changing
any, and putting the newest sound snapshot back."""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from mlpath.core.errors import StateError
from mlpath.storage.files import (
    check_kind,
    exists,
    journal_path,
    new_file,
    rename_aside,
    uri_path,
)
from mlpath.storage.paths import fsync_directory
from mlpath.storage.schema import SCHEMA_VERSION

if TYPE_CHECKING:
    from mlpath.storage.database import Store


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
    journal = journal_path(store.path)
    for path, what in ((store.path, "the database"), (journal, "the database's rollback journal")):
        try:
            check_kind(path, what)
        except StateError as error:
            way_out = "move it away: mlpath did not make it, and your data is not in it."
            return [*findings, Finding(False, str(error)[:1].upper() + str(error)[1:], way_out)]
    if not store.path.exists():
        if exists(store.legacy_path):
            try:
                store.read_legacy()
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
    if exists(store.legacy_path) and store.path.exists():
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


def _folder(store: Store) -> list[Finding]:
    """A data folder (or database) that cannot be written: reading works, recording fails."""
    for path, what in ((store.directory, "folder"), (store.path, "database")):
        if exists(path) and not os.access(path, os.W_OK):
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
        conn = sqlite3.connect(f"file:{uri_path(path)}?mode=ro", uri=True, timeout=0.5)
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
        if exists(journal_path(path)):
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
    store.ensure_directory()
    try:
        fresh = new_file(store.directory / f".{store.path.name}.restoring.tmp")
        source = sqlite3.connect(f"file:{uri_path(snapshot)}?mode=ro", uri=True)
        target = sqlite3.connect(fresh)
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()
        kept = None
        if exists(store.path):
            stamp = now.strftime("%Y%m%dT%H%M%S")
            kept = rename_aside(store.path, store.directory / f"{store.path.name}.replaced-{stamp}")
        os.replace(fresh, store.path)
        fsync_directory(store.directory)
    except (OSError, sqlite3.Error) as error:
        raise StateError(f"cannot restore the snapshot {snapshot}: {error}.") from None
    return snapshot, kept


def _is_sound(path: Path) -> bool:
    try:
        conn = sqlite3.connect(f"file:{uri_path(path)}?mode=ro", uri=True)
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            ok = [row[0] for row in conn.execute("PRAGMA integrity_check")] == ["ok"]
            return ok and 0 < version <= SCHEMA_VERSION
        finally:
            conn.close()
    except sqlite3.Error:
        return False
