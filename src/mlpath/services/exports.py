"""Reading exports from files, for every door that brings them in (import, sync, cohort):
their members a piece at a time, and one wording of why a file cannot be used."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from mlpath.core.errors import MlpathError, printable
from mlpath.core.progress import Change, State

#: TOML files (read whole, unlike JSON) larger than this are refused before parsing.
MAX_TOML_IMPORT_BYTES = 64 * 1024 * 1024


def members(path: Path, handle: BinaryIO) -> Iterator[tuple[str, Any]]:
    """The members of an export or state file: JSON is read a piece at a time, TOML
    (which cannot be) whole, up to 64 MiB."""
    import codecs
    import tomllib

    from mlpath.core.formats import document_items, json_members

    decoder = codecs.getincrementaldecoder("utf-8")()

    def pieces() -> Iterator[str]:
        while block := handle.read(1 << 16):
            yield decoder.decode(block)
        yield decoder.decode(b"", final=True)

    chunks = pieces()
    first = ""
    for chunk in chunks:
        first += chunk
        if first.strip():
            break
    if first.lstrip()[:1] in ("{", "["):
        yield from json_members(itertools.chain([first], chunks))
        return
    text = first + "".join(itertools.islice(chunks, MAX_TOML_IMPORT_BYTES >> 16))
    if next(chunks, "") != "":
        raise MlpathError(f"{path} is larger than 64 MiB, too large to read as TOML.")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise MlpathError(f"{path} is neither JSON nor valid TOML: {error}.") from None
    except RecursionError:
        raise MlpathError(f"{path} is nested too deeply to be an mlpath export.") from None
    yield from document_items(data)


def problem(error: Exception) -> str | None:
    """Why an export cannot be used, as the words after its name ("is not valid JSON
    (...)"), for the errors that say so; None for any other. Import, sync and cohort
    all say it so."""
    from mlpath.core import formats
    from mlpath.core.progress import StateFormatError

    if isinstance(error, OSError):
        return f"cannot be read ({error.strerror or error})"
    if isinstance(error, UnicodeDecodeError):
        return "is not UTF-8 text, so not an mlpath export"
    if isinstance(error, formats.NotJson):
        return f"is not valid JSON ({error})"
    if isinstance(error, formats.NotAnExport):
        return f"is not an mlpath export or state file ({error})"
    if isinstance(error, formats.NewerExport):
        return (
            f"comes from a newer mlpath (export format {error.version}); upgrade mlpath to read it"
        )
    if isinstance(error, formats.NewerFormat):
        return (
            f"comes from a newer mlpath (state format {error.version}); upgrade mlpath to read it"
        )
    if isinstance(error, StateFormatError):
        return f"has unexpected content ({error})"
    if isinstance(error, MlpathError):
        return f"cannot be used ({error})"
    return None


def read(
    path: Path, name: str, skipped: Callable[[str], None]
) -> tuple[str | None, list[Change | State]] | None:
    """An export's learner field and its content; None for a file that cannot be used
    (``skipped`` is told which and why): the others go on."""
    from mlpath.core import formats
    from mlpath.storage.files import open_regular

    learner: list[str] = []

    def watched(items: Iterator[tuple[str, Any]]) -> Iterator[tuple[str, Any]]:
        for key, value in items:
            if key == "learner" and isinstance(value, str):
                learner.append(value)
            yield key, value

    try:
        with open_regular(path) as handle:
            content = list(formats.read_import(watched(members(path, handle))))
    except Exception as error:  # each kind it can be is named by problem()
        why = problem(error)
        if why is None:
            raise
        skipped(printable(f"skipped {name}: it {why}."))
        return None
    return (learner[0] if learner else None), content
