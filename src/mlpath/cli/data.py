"""Your data: export, import, and doctor for a state file mlpath refuses."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mlpath.cli._app import app, check_output, database, now, roadmap, say
from mlpath.core.errors import MlpathError, StateError, printable

if TYPE_CHECKING:
    from mlpath.storage.doctor import Finding


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
            metavar="FORMAT",
            help="json (the default) or toml: everything, lossless; markdown: a checklist "
            "to share.",
            show_default=False,
        ),
    ] = Format.JSON,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Write to this file instead of stdout.",
            dir_okay=False,
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite the --output file.")] = False,
) -> None:
    """Export your progress: every roadmap, check, note and the change log.

    \b
    Examples:
      mlpath export -o backup.json
      mlpath export --format markdown > progress.md
    """

    if output is not None:
        check_output(output, force)
    if format_ is Format.MARKDOWN:
        from mlpath.core.results import standing
        from mlpath.render import text

        current = roadmap()
        state = database().load(topics=[(current.id, t.id) for t in current.topics])
        checklist = text.markdown_checklist(standing(current, state), now())
        chunks = [checklist.encode("utf-8")]
        _write_out(chunks, output, 0o644)
    else:
        from mlpath.core.exchange import export_json, export_toml

        if format_ is Format.TOML:
            with database().exporting() as (state, journal):
                _write_out(export_toml(state, journal, now()), output, 0o600)
        else:
            with database().exporting_json() as (state, lines):
                _write_out(export_json(state, lines, now()), output, 0o600)
    if output is not None:
        say(f"Exported your progress as {format_.value} to {printable(str(output))}.")


def _write_out(chunks: Iterable[bytes], output: Path | None, mode: int) -> None:
    """Write UTF-8 text to stdout, or to ``output`` as a whole file (never half of one)."""
    import sys

    if output is None:
        sys.stdout.flush()
        for chunk in chunks:
            sys.stdout.buffer.write(chunk)
        sys.stdout.buffer.flush()
        return
    from mlpath.storage.paths import atomic_writer

    try:
        with atomic_writer(output, mode) as handle:
            for chunk in chunks:
                handle.write(chunk)
    except OSError as error:
        raise MlpathError(f"cannot write {output}: {error.strerror or error}.") from None


@app.command("import")
def import_(
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE", help="An export (json or toml) or an old state file.", dir_okay=False
        ),
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Say what would change, and change nothing.")
    ] = False,
) -> None:
    """Merge progress from another machine: the most recent change wins, nothing is lost.

    \b
    Examples:
      mlpath import laptop.json --dry-run
      mlpath import laptop.json
    """
    from mlpath.core import formats
    from mlpath.render.words import plural
    from mlpath.services import exports
    from mlpath.storage.files import open_regular

    try:
        with open_regular(file) as handle:
            incoming = formats.read_import(exports.members(file, handle))
            report = database().merge(incoming, now(), printable(file.name), dry_run)
    except Exception as error:  # each kind it can be is named by exports.problem
        why = exports.problem(error)
        if why is None or isinstance(error, MlpathError):
            raise
        raise MlpathError(f"{file} {why}.") from None
    counts = (
        f"{plural(report.topics_added, 'topic')} added, {report.topics_updated} updated, "
        f"{report.topics_unchanged} left alone; {plural(report.notes_added, 'note')} and "
        f"{plural(report.log_added, 'history entry', 'history entries')} added"
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
    full: Annotated[
        bool,
        typer.Option(
            "--full", help="Also check every index of the database (slower on a long history)."
        ),
    ] = False,
) -> None:
    """Check your data and say how to recover when mlpath refuses it.

    \b
    Examples:
      mlpath doctor
      mlpath doctor --restore-backup
    """
    from mlpath.storage import doctor

    current = database()
    if restore_backup:
        snapshot, kept = doctor.restore_snapshot(current, now())
        aside = "" if kept is None else f"; the database it replaced is kept as {kept}"
        say(
            printable(
                f"Restored {current.path} from the snapshot {snapshot.name} (the snapshot "
                f"stays where it is){aside}."
            )
        )
        return
    findings = [*doctor.diagnose(current, full), *_roadmap_findings()]
    for finding in findings:
        say(("ok       " if finding.ok else "PROBLEM  ") + printable(finding.what))
    ways = list(dict.fromkeys(f.way_out for f in findings if not f.ok and f.way_out))
    for way in ways:
        say(printable(f"Way out: {way}"))
    if not all(f.ok for f in findings):
        raise typer.Exit(1)


def _sync_finding() -> Finding | None:
    """A problem with the sync remote in the settings file, if there is one."""
    from mlpath.services.sync import remote_problem
    from mlpath.storage.doctor import Finding
    from mlpath.storage.settings import config_path, read_config

    sync = read_config().get("sync")
    if not isinstance(sync, dict) or "remote" not in sync:
        return None
    problem = remote_problem(sync["remote"])
    if problem is None:
        return None
    return Finding(
        False,
        f"The settings file {config_path()} gives a sync remote mlpath will not use: {problem}.",
        "run 'mlpath sync init URL' with your repository to set a good one.",
    )


def _review_finding() -> Finding | None:
    """A problem with ``[review] retention`` in the settings file, if there is one."""
    from mlpath.storage.doctor import Finding
    from mlpath.storage.settings import review_retention

    try:
        review_retention()
    except StateError as error:
        way_out = "set [review] retention to a number from 0.7 to 0.97, or remove it."
        return Finding(False, error.message[0].upper() + error.message[1:], way_out)
    return None


def _roadmap_findings() -> list[Finding]:
    """The settings file and the roadmap it (or MLPATH_ROADMAP) chooses."""
    from mlpath.storage.doctor import Finding
    from mlpath.storage.settings import DamagedConfig, config_path, roadmap_choice

    try:
        choice = roadmap_choice(None)
    except DamagedConfig as error:
        return [
            Finding(
                False,
                error.problem,
                "fix the settings file, or run 'mlpath roadmap use --bundled', which sets "
                "it aside (kept, renamed) and starts a new one.",
            )
        ]
    findings = []
    if config_path().exists():
        findings.append(
            _sync_finding()
            or _review_finding()
            or Finding(True, f"The settings file {config_path()} is sound.")
        )
    if choice.path is None:
        return [*findings, Finding(True, "The roadmap is the bundled one.")]
    try:
        from mlpath.storage.cache import cached_roadmap

        chosen = cached_roadmap(choice.path)
    except MlpathError as error:
        way_out = f"restore that file, or {choice.way_back}."
        return [
            *findings,
            Finding(False, f"The roadmap chosen by {choice.origin}: {error.message}", way_out),
        ]
    return [
        *findings,
        Finding(True, f"The roadmap {chosen.id} from {choice.path}, chosen by {choice.origin}."),
    ]
