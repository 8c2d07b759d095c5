"""The results of ``mlpath roadmap check-links``, kept a day in the cache folder so that
checking again soon asks nothing twice."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from mlpath.storage.paths import atomic_write, cache_dir

MAX_BYTES = 16 * 1024 * 1024


def results_path() -> Path:
    return cache_dir() / "links.json"


def load() -> list[dict[str, Any]]:
    """The kept results; none when the file is missing, too large or not ours."""
    path = results_path()
    try:
        if path.stat().st_size > MAX_BYTES:
            return []
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    rows = data.get("links") if isinstance(data, dict) else None
    return [row for row in rows or [] if isinstance(row, dict)]


def save(results: Iterable[Mapping[str, Any]]) -> None:
    """Keep the results (a cache: a failure to write is not the user's problem)."""
    document = {"links": list(results)}
    try:
        results_path().parent.mkdir(parents=True, exist_ok=True)
        atomic_write(results_path(), json.dumps(document).encode("utf-8"), 0o644)
    except OSError:
        pass
