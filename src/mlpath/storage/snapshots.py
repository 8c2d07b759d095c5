"""Snapshots: copies of the database taken with SQLite's backup API, once a day before
the first write and before every import or upgrade, of which the newest
:data:`MAX_SNAPSHOTS` are kept. One taken for a command that then writes nothing
(refused, or with nothing to change) is removed, so a run of failing commands never
pushes the sound snapshots out."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

from mlpath.storage.files import new_file

SNAPSHOTS = "snapshots"
MAX_SNAPSHOTS = 8
SNAPSHOT_EVERY_SECONDS = 24 * 60 * 60
_STAMP = "%Y%m%dT%H%M%S"  # a snapshot's name holds when it was taken, in local time


class Snapshots:
    """The snapshots in ``folder``, named by ``clock``."""

    def __init__(self, folder: Path, clock: Callable[[], datetime]) -> None:
        self.folder = folder
        self.clock = clock

    def all(self) -> list[Path]:
        """The snapshots, oldest first."""
        try:
            return sorted(self.folder.glob("state-*.db"))
        except OSError:
            return []

    def take(self, conn: sqlite3.Connection, reason: str, prune: bool = True) -> Path | None:
        """Copy the database into a new snapshot file, and keep only the newest
        :data:`MAX_SNAPSHOTS` (unless ``prune`` is false). Only a database that passes
        SQLite's quick check is copied. A snapshot that cannot be taken (a full disk, say)
        is given up without failing the command."""
        if conn.execute("SELECT count(*) FROM changes").fetchone()[0] == 0:
            return None  # nothing worth keeping yet
        if [row[0] for row in conn.execute("PRAGMA quick_check")] != ["ok"]:
            return None  # a damaged database would push a sound snapshot out
        try:
            self.folder.mkdir(mode=0o700, exist_ok=True)
            stamp = self.clock().strftime(_STAMP)
            target = new_file(self.folder / f"state-{stamp}-{reason}.db")
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
            self.prune()
        return target

    def prune(self) -> None:
        for old in self.all()[:-MAX_SNAPSHOTS]:
            with contextlib.suppress(OSError):
                old.unlink()

    def daily_due(self) -> bool:
        """Whether the newest snapshot was taken a day or more ago by the clock (or there
        is none, or its name tells no time). A snapshot named later than now (the clock
        was set back) counts as due too, so one is taken."""
        newest = self.all()[-1:]
        if not newest:
            return True
        try:
            taken = datetime.strptime(newest[0].name.split("-")[1], _STAMP)
        except (IndexError, ValueError):
            return True
        elapsed = self.clock().replace(tzinfo=None) - taken
        return not timedelta(0) <= elapsed < timedelta(seconds=SNAPSHOT_EVERY_SECONDS)

    @contextlib.contextmanager
    def kept_if_written(
        self,
        conn: sqlite3.Connection,
        reason: str,
        errors: Callable[[], contextlib.AbstractContextManager[None]],
    ) -> Iterator[None]:
        """A snapshot before a write (for "daily": the first write of a day), kept only
        when the write happens: a refused command, or one that changes nothing, leaves
        the snapshots exactly as they were. ``errors`` words SQLite's errors."""
        taken = None
        if reason != "daily" or self.daily_due():
            with errors():
                taken = self.take(conn, reason, prune=False)
        written = conn.total_changes
        try:
            yield
        except BaseException:
            _discard(taken)
            raise
        if conn.total_changes == written:
            _discard(taken)
        else:
            self.prune()


def _discard(snapshot: Path | None) -> None:
    if snapshot is not None:
        with contextlib.suppress(OSError):
            snapshot.unlink()
