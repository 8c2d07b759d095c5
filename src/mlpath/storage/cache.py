"""A cache of checked roadmaps, so that a command does not validate the same roadmap
file again. An entry holds the exact text it was made from, and is used only when the
file's text is still the same, character for character: a changed roadmap is always
checked anew, never served stale. Entries are tied to mlpath's and Python's versions;
anything unreadable is ignored and rebuilt.

The files live in ``$MLPATH_HOME/cache`` when that is set, else in the platform's user
cache folder. Failing to write one is not an error: the next run checks the file again.
"""

from __future__ import annotations

import contextlib
import json
import sys
import zlib
from pathlib import Path
from typing import Any, TypedDict

from mlpath import __version__
from mlpath.core.roadmap import Roadmap, decode_roadmap, layout, parse_roadmap
from mlpath.storage.paths import cache_dir
from mlpath.storage.roadmap_files import read_roadmap_bytes

# An entry is the classes' fields in order: a change to them (a new field, a new order)
# makes every entry stale, even within one version.
_TAG = f"mlpath {__version__}, python {sys.version}, {layout()}"


class _Entry(TypedDict):
    """A cache entry: the versions it was made by, the exact text checked, the roadmap."""

    tag: str
    text: str
    roadmap: list[Any]


def _entry(path: Path) -> Path:
    """One entry per roadmap file (named after its absolute path)."""
    name = f"{path.absolute()}|{_TAG}".encode("utf-8", "surrogateescape")
    return cache_dir() / f"roadmap-{zlib.crc32(name):08x}-{len(name)}.json"


def cached_roadmap(path: Path) -> Roadmap:
    """The roadmap in ``path``, checked (or taken from the cache when exactly this text
    was checked before). Raises RoadmapError like ``mlpath.storage.roadmap_files.load_roadmap``."""
    text = decode_roadmap(read_roadmap_bytes(path), path)
    entry = _entry(path)
    try:
        cached = json.loads(entry.read_bytes())
        if cached["tag"] == _TAG and cached["text"] == text:
            return Roadmap.from_plain(cached["roadmap"])
    except (OSError, ValueError, TypeError, KeyError, IndexError, RecursionError):
        pass  # not cached yet, or unreadable: check the file and cache it anew
    roadmap = parse_roadmap(text, str(path))
    document: _Entry = {"tag": _TAG, "text": text, "roadmap": roadmap.to_plain()}
    _store(entry, json.dumps(document).encode())
    return roadmap


def _store(entry: Path, content: bytes) -> None:
    from mlpath.storage.paths import atomic_write

    with contextlib.suppress(OSError):
        # the folder above too: under MLPATH_HOME the cache may be the first thing written
        entry.parent.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        entry.parent.mkdir(mode=0o700, exist_ok=True)
        atomic_write(entry, content, 0o600)
