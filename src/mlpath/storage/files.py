"""The plain file operations mlpath needs: telling a regular file from anything else
(and opening only those), names that never replace a file, and paths as SQLite's URIs
want them."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import BinaryIO

from mlpath.core.errors import StateError
from mlpath.storage.paths import fsync_directory


def open_regular(path: Path) -> BinaryIO:
    """``path`` opened for reading, when it is a regular file (or a link to one). Anything
    else is refused at once with an :class:`OSError` whose ``strerror`` says what it is:
    reading a FIFO would wait for a writer for ever, a device might never end."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # a FIFO opens at once like this
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            what = "a folder" if stat.S_ISDIR(mode) else "a FIFO, socket or device"
            raise OSError(errno.EINVAL, f"it is {what}, not a regular file", str(path))
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def uri_path(path: Path) -> str:
    """``path`` for a ``file:`` URI: the characters that URIs give a meaning escaped."""
    text = str(path.absolute())
    return text.replace("%", "%25").replace("?", "%3f").replace("#", "%23")


def exists(path: Path) -> bool:
    return os.path.lexists(path)


def check_kind(path: Path, what: str) -> None:
    """Refuse a path that is not a regular file (or a link to one): opening a FIFO would
    hang, a folder or a dangling link cannot be a database."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        if os.path.islink(path):
            raise StateError(
                f"{what} {path} is a symbolic link to {os.readlink(path)}, which does not "
                "exist. Remove the link, or make it point at your data."
            ) from None
        return
    except OSError as error:
        raise StateError(f"cannot open {what} {path}: {error.strerror or error}.") from None
    if stat.S_ISDIR(mode):
        raise StateError(f"{what} {path} is a folder, not a file. Move it away.")
    if not stat.S_ISREG(mode):
        raise StateError(
            f"{what} {path} is not a regular file (a FIFO, socket or device). Move it away."
        )


def new_file(path: Path) -> Path:
    """Create ``path``, or ``path`` with ``-2``, ``-3``... before its suffix when it exists:
    never two files with one name. Created empty, 0600."""
    for n in range(1, 1000):
        candidate = path if n == 1 else path.with_name(f"{path.stem}-{n}{path.suffix}")
        try:
            os.close(os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:
            continue
        return candidate
    raise FileExistsError(path)


def rename_aside(path: Path, target: Path) -> Path:
    """Rename ``path`` to ``target`` (or ``target-2``...) without replacing any file."""
    for n in range(1, 1000):
        candidate = target if n == 1 else target.with_name(f"{target.name}-{n}")
        try:
            os.link(path, candidate)
        except FileExistsError:
            continue
        os.unlink(path)
        fsync_directory(path.parent)
        return candidate
    raise FileExistsError(target)


def journal_path(path: Path) -> Path:
    """Where SQLite keeps the rollback journal while a change is written."""
    return path.with_name(path.name + "-journal")
