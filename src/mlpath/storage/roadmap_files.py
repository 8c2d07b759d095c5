"""Roadmap files: reading one from disk, with the limits every door applies, and where
the bundled roadmap lies. Parsing and checking are the core's (:mod:`mlpath.core.roadmap`)."""

from __future__ import annotations

from pathlib import Path

from mlpath.core.errors import RoadmapError
from mlpath.core.roadmap import MAX_ROADMAP_BYTES, Roadmap, decode_roadmap, parse_roadmap
from mlpath.storage.files import open_regular


def _read_bounded(path: Path, limit: int, missing: str, unreadable: str, too_large: str) -> bytes:
    """A regular file's bytes, refusing what is missing, unreadable or over ``limit``
    with the messages given (``{path}`` in them is the file)."""
    try:
        with open_regular(path) as handle:
            raw = handle.read(limit + 1)
    except FileNotFoundError:
        raise RoadmapError(missing.format(path=path)) from None
    except OSError as error:
        raise RoadmapError(f"{unreadable.format(path=path)}: {error.strerror}.") from None
    if len(raw) > limit:
        raise RoadmapError(too_large.format(path=path))
    return raw


def read_roadmap_bytes(path: Path) -> bytes:
    """Read a roadmap file, refusing what is missing, unreadable or too large."""
    return _read_bounded(
        path,
        MAX_ROADMAP_BYTES,
        missing="no roadmap file at {path}.",
        unreadable="cannot read the roadmap {path}",
        too_large="{path} is larger than 1 MiB, too large for a roadmap.",
    )


def read_roadmap_text(path: Path) -> str:
    """Read a roadmap file, refusing what is too large or not UTF-8."""
    return decode_roadmap(read_roadmap_bytes(path), path)


def load_roadmap(path: Path) -> Roadmap:
    return parse_roadmap(read_roadmap_text(path), str(path))


def bundled_roadmap_path() -> Path:
    """The roadmap shipped with mlpath: ``roadmap.toml`` in the package's folder, which is
    ``data/roadmap.toml`` in the source tree (a symlink there, a copy in a wheel)."""
    return Path(__file__).parent.parent / "roadmap.toml"


def read_source(path: Path, what: str, limit: int = 16 * 1024 * 1024) -> str:
    """A file an import reads (a roadmap.sh graph or content file), refusing what is
    missing, not a regular file, larger than ``limit`` or not UTF-8."""
    raw = _read_bounded(
        path,
        limit,
        missing=f"no {what} at {{path}}.",
        unreadable=f"cannot read the {what} {{path}}",
        too_large=f"{{path}} is larger than {limit // (1024 * 1024)} MiB, too large for a {what}.",
    )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RoadmapError(f"{path} is not UTF-8 text.") from None
