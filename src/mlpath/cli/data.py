"""Your data: export, import, and doctor for a state file mlpath refuses."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from mlpath.cli._app import app, now, roadmap, say, store
from mlpath.errors import MlpathError, printable

#: Import files larger than this are refused before parsing.
MAX_IMPORT_BYTES = 64 * 1024 * 1024


class Format(StrEnum):
    JSON = "json"
    TOML = "toml"
    MARKDOWN = "markdown"


@app.command()
def export(
    format_: Annotated[
        Format,
        typer.Option(
            "--format",
            "-f",
            help="json or toml: everything, lossless; markdown: a checklist to share.",
        ),
    ] = Format.JSON,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Write to this file instead of stdout.", dir_okay=False
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite the --output file.")] = False,
) -> None:
    """Export your progress: every roadmap, check, note and the change log."""

    if output is not None and output.exists() and not force:
        raise MlpathError(f"{output} already exists; give --force to overwrite it.")
    if format_ is Format.MARKDOWN:
        from mlpath import views

        current = roadmap()
        state = store().load(topics=[(current.id, t.id) for t in current.topics])
        chunks: Iterable[str] = [views.markdown_checklist(current, state, now())]
        _write_out(chunks, output, 0o644)
    else:
        from mlpath.exchange import export_chunks

        with store().exporting() as (state, journal):
            _write_out(export_chunks(state, journal, now(), format_.value), output, 0o600)
    if output is not None:
        say(f"Exported your progress as {format_.value} to {printable(str(output))}.")


def _write_out(chunks: Iterable[str], output: Path | None, mode: int) -> None:
    """Write text to stdout, or to ``output`` as a whole file (never half of one)."""
    import sys

    if output is None:
        for chunk in chunks:
            sys.stdout.write(chunk)
        return
    from mlpath.paths import atomic_writer

    try:
        with atomic_writer(output, mode) as handle:
            for chunk in chunks:
                handle.write(chunk.encode("utf-8"))
    except OSError as error:
        raise MlpathError(f"cannot write {output}: {error.strerror or error}.") from None


def _read_document(path: Path) -> dict[str, Any]:
    """Parse an export (JSON or TOML) or a state file; refuse anything else."""
    import json
    import tomllib

    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_IMPORT_BYTES + 1)
    except OSError as error:
        raise MlpathError(f"cannot read {path}: {error.strerror or error}.") from None
    if len(raw) > MAX_IMPORT_BYTES:
        raise MlpathError(f"{path} is larger than 64 MiB, too large to be an mlpath export.")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise MlpathError(f"{path} is not UTF-8 text, so not an mlpath export.") from None
    try:
        is_json = text.lstrip()[:1] in ("{", "[")
        data = json.loads(text) if is_json else tomllib.loads(text)
    except json.JSONDecodeError as error:
        raise MlpathError(f"{path} is not valid JSON: {error}.") from None
    except tomllib.TOMLDecodeError as error:
        raise MlpathError(f"{path} is neither JSON nor valid TOML: {error}.") from None
    except RecursionError:
        raise MlpathError(f"{path} is nested too deeply to be an mlpath export.") from None
    if not isinstance(data, dict):
        raise MlpathError(f"{path} is not an mlpath export or state file.")
    return data


def _incoming_state(path: Path) -> Any:
    from mlpath.exchange import EXPORT_KEY, EXPORT_VERSION
    from mlpath.formats import NewerFormat, decode_state
    from mlpath.progress import StateFormatError

    data = _read_document(path)
    if EXPORT_KEY in data:
        version = data[EXPORT_KEY]
        if not isinstance(version, int) or isinstance(version, bool):
            raise MlpathError(f"{path}: '{EXPORT_KEY}' must be a whole number.")
        if version > EXPORT_VERSION:
            raise MlpathError(
                f"{path} was exported by a newer mlpath (export format {version}). "
                "Upgrade mlpath to import it."
            )
        data = {k: v for k, v in data.items() if k not in (EXPORT_KEY, "exported_at")}
    elif "version" not in data:
        raise MlpathError(
            f"{path} is not an mlpath export or state file (it has neither "
            f"'{EXPORT_KEY}' nor 'version')."
        )
    try:
        return decode_state(data)
    except NewerFormat as error:
        raise MlpathError(
            f"{path} holds state format {error.version}, newer than this mlpath reads. "
            "Upgrade mlpath to import it."
        ) from None
    except StateFormatError as error:
        raise MlpathError(f"{path} has unexpected content: {error}.") from None


@app.command("import")
def import_(
    file: Annotated[
        Path, typer.Argument(help="An export (json or toml) or a state file.", dir_okay=False)
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Say what would change, and change nothing.")
    ] = False,
) -> None:
    """Merge progress from another machine: the most recent change wins, nothing is lost."""
    incoming = _incoming_state(file)
    report = store().merge(incoming, now(), printable(file.name), dry_run)
    counts = (
        f"{report.topics_added} topic(s) added, {report.topics_updated} updated, "
        f"{report.topics_unchanged} left alone; {report.notes_added} note(s) and "
        f"{report.log_added} history entr{'y' if report.log_added == 1 else 'ies'} added"
    )
    name = printable(str(file))
    if not report.changed:
        say(f"Nothing to import from {name}: everything in it is already here.")
    elif dry_run:
        say(f"Would import {name}: {counts}. Nothing was changed (--dry-run).")
    else:
        say(f"Imported {name}: {counts}. 'mlpath undo' reverts the import.")


@app.command()
def doctor(
    restore_backup: Annotated[
        bool,
        typer.Option(
            "--restore-backup",
            help="Put the newest sound snapshot in place of the database (which is kept, renamed).",
        ),
    ] = False,
) -> None:
    """Check your data and say how to recover when mlpath refuses it."""
    from mlpath import store as storage

    current = store()
    if restore_backup:
        snapshot, kept = storage.restore_snapshot(current, now())
        aside = "" if kept is None else f"; the database it replaced is kept as {kept}"
        say(
            printable(
                f"Restored {current.path} from the snapshot {snapshot.name} (the snapshot "
                f"stays where it is){aside}."
            )
        )
        return
    findings = storage.diagnose(current)
    for finding in findings:
        say(("ok       " if finding.ok else "PROBLEM  ") + printable(finding.what))
    if all(f.ok for f in findings):
        return
    if current.snapshots():
        say(
            "Way out: 'mlpath doctor --restore-backup' puts the newest sound snapshot in "
            "place, keeping the damaged database beside it."
        )
    else:
        say(
            "Way out: fix the file named above, or move it away to start afresh; mlpath "
            "never changes a file it cannot read."
        )
    raise typer.Exit(1)
