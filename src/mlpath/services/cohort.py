"""A mentor's cohort: the learners' exports gathered from folders or git repositories,
each learner's devices merged once, and the figures the views show."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path

from mlpath.core import cohort as figures
from mlpath.core.errors import UsageError
from mlpath.core.progress import State
from mlpath.core.results import path_info
from mlpath.core.results.reports import Cohort
from mlpath.core.roadmap import Roadmap


def gather(
    roadmap: Roadmap,
    sources: Sequence[str],
    now: datetime,
    stuck: timedelta,
    retention: float,
    timeout: float,
    warn: Callable[[str], None],
) -> Cohort:
    """Read every export of the sources (each read once), merge each learner's devices
    once, and compute the figures."""
    from mlpath.services import exports
    from mlpath.services.sync import export_files

    files: dict[str, list[tuple[str, State]]] = {}
    skipped: list[str] = []
    with tempfile.TemporaryDirectory(prefix="mlpath-cohort-") as scratch:
        for index, source in enumerate(sources):
            folder = folder_of(source, Path(scratch) / str(index), timeout, warn)
            for name, path in export_files(folder, warn, "cohort", loose=True):
                read = exports.read(path, name, warn)
                state = read[1][-1] if read is not None else None  # progress comes last
                if read is None or not isinstance(state, State):
                    skipped.append(name)
                    continue
                who = read[0] or (Path(name).parent.name if "/" in name else Path(name).stem)
                files.setdefault(who, []).append((name, state))
    people = sorted(files.items(), key=lambda kv: kv[0].casefold())
    merged = {who: figures.merged(s for _, s in entries) for who, entries in people}
    learners = tuple(
        figures.learner(roadmap, who, [n for n, _ in entries], merged[who], now, stuck, retention)
        for who, entries in people
    )
    counts = tuple(figures.topic_counts(roadmap, list(merged.values())))
    return Cohort(path_info(roadmap), learners, counts, tuple(skipped))


def folder_of(source: str, scratch: Path, timeout: float, warn: Callable[[str], None]) -> Path:
    """A folder of exports: the folder given, or a fresh clone of a git repository."""
    from mlpath.services.sync import Clone, SyncError, last_line

    path = Path(source).expanduser()
    bare = (path / "HEAD").is_file() and (path / "objects").is_dir()
    if path.is_dir() and not bare:
        return path
    if not path.exists() and not _looks_like_git(source):
        raise UsageError(f"{source}: no such folder, and not a git URL.")
    scratch.mkdir(parents=True)
    target = scratch / "repo"
    runner = Clone(scratch, source, timeout, warn)
    where = str(path.resolve()) if path.exists() else source  # git runs in the scratch folder
    done = runner.git("clone", "-q", "--no-checkout", "--", where, str(target), check=False)
    if done.returncode != 0:
        raise SyncError(f"cannot read the git repository {source}: {last_line(done.stderr)}")
    # The branch the remote names, else mlpath sync's own (a bare repository made by
    # 'git init --bare' may name a branch that nobody pushed).
    inside = Clone(target, source, timeout, warn)
    for ref in ("HEAD", "refs/remotes/origin/main"):
        if inside.git("checkout", "-q", "-f", ref, "--", ".", check=False).returncode == 0:
            break
    return target


def _looks_like_git(source: str) -> bool:
    return bool(re.match(r"^[a-z][a-z0-9+.-]*://|^[\w.-]+@[\w.-]+:|.*\.git/?$", source))
