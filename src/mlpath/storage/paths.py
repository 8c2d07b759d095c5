"""Where mlpath keeps its files, and how a whole file is written safely.

Every location is computed on each call, never at import, so ``MLPATH_HOME`` can change
between calls (tests rely on it):

* data (the database, its snapshots, the roadmap cache, the settings file) lives in
  ``$MLPATH_HOME`` when it is set;
* otherwise in the platform's folders: ``platformdirs.user_data_path("mlpath")`` for the
  database, ``user_config_path`` for the settings file and ``user_cache_path`` for the
  cache.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO


def _home() -> Path | None:
    home = os.environ.get("MLPATH_HOME")
    return Path(home).expanduser() if home else None


def data_dir() -> Path:
    """The folder holding the database: ``$MLPATH_HOME`` or the platform's user data dir."""
    home = _home()
    if home is not None:
        return home
    import platformdirs

    return platformdirs.user_data_path("mlpath")


def config_dir() -> Path:
    """The folder of ``config.toml``: ``$MLPATH_HOME`` or the platform's user config dir."""
    home = _home()
    if home is not None:
        return home
    import platformdirs

    return platformdirs.user_config_path("mlpath")


def cache_dir() -> Path:
    """The roadmap cache: ``$MLPATH_HOME/cache`` or the platform's user cache dir."""
    home = _home()
    if home is not None:
        return home / "cache"
    import platformdirs

    return platformdirs.user_cache_path("mlpath")


#: The files mlpath keeps in its data and settings folders.
_OWN_FILES = ("state.db", "state.toml", "config.toml", "snapshots", "cache")


def output_problem(path: Path, force: bool) -> str | None:
    """Why ``path`` may not be written as a file the user asked for (an export, a
    picture, a page), or None. One rule for every output: never through a symbolic link,
    never over anything but a regular file, over an existing file only with ``force``,
    and never over mlpath's own data (the database, its snapshots, the settings file)."""
    if path.is_symlink():
        return f"{path} is a symbolic link; name the file itself, not a link to it."
    try:
        folder = path.parent.resolve(strict=True)
    except OSError:
        return f"the folder of {path} does not exist."
    target = folder / path.name
    for own in {data_dir(), config_dir(), cache_dir()}:
        with contextlib.suppress(OSError):
            own = own.resolve()
            inside = target.is_relative_to(own) and target != own
            if inside and target.relative_to(own).parts[0].startswith(_OWN_FILES):
                return f"{path} is one of mlpath's own files; write somewhere else."
    if target.exists() and not target.is_file():
        return f"{path} exists and is not a regular file."
    if target.exists() and not force:
        return f"{path} already exists; give --force to overwrite it."
    return None


def atomic_write(path: Path, content: bytes, mode: int) -> None:
    """Write ``content`` to ``path`` so that a crash leaves either the old or the new file
    (see :func:`atomic_writer`)."""
    with atomic_writer(path, mode) as handle:
        handle.write(content)


@contextlib.contextmanager
def atomic_writer(path: Path, mode: int) -> Iterator[BinaryIO]:
    """A file to write ``path`` through, so that a crash or an error leaves either the old
    or the new file: a temporary file in the same folder, written and fsynced, then
    ``os.replace``d over ``path``, then the folder fsynced so the rename itself is on disk.
    """
    import tempfile

    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    fsync_directory(path.parent)


def fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
