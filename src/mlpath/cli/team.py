"""Beyond one machine: ``mlpath sync`` through a git remote, and ``mlpath cohort``, a
mentor's view of several learners' exports."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from mlpath.cli._app import (
    JsonOption,
    app,
    check_output,
    database,
    now,
    render,
    retention,
    roadmap,
    say,
    warn,
    write_picture,
)
from mlpath.core.errors import MlpathError, UsageError, printable

if TYPE_CHECKING:
    from mlpath.core.progress import Change, State
    from mlpath.services.sync import Device

sync_app = typer.Typer(
    name="sync",
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode=None,
)
app.add_typer(sync_app)

RemoteOption = Annotated[
    str | None,
    typer.Option(
        "--remote",
        metavar="URL",
        help="The git remote to sync with (remembered): any URL git accepts.",
    ),
]
NotesOption = Annotated[
    bool | None,
    typer.Option(
        "--notes/--no-notes",
        help="Share your notes and their links, or keep them on this machine (remembered).",
        show_default=False,
    ),
]


class _Settings:
    """The sync settings in use: the remote, this device, whether notes are shared."""

    def __init__(self, remote: str, device: Device, notes: bool, timeout: float) -> None:
        self.remote, self.device, self.notes = remote, device, notes
        self.timeout = timeout  # the most one git command may take, in seconds


def _settings(remote: str | None, notes: bool | None, name: str | None) -> _Settings | None:
    """The sync settings from the config, updated with what the command line gives and
    saved when it changed; None when no remote was ever given."""
    from mlpath.services.sync import Device, new_device_id, remote_problem
    from mlpath.storage.settings import read_config, write_config

    config = read_config()
    stored = config.get("sync", {})
    if not isinstance(stored, dict):
        stored = {}
    wanted = {**stored, **_given(remote, notes, name)}
    if "remote" not in wanted:
        return None
    problem = remote_problem(wanted["remote"])
    if problem is not None:  # the settings file's, as the command line's are checked first
        from mlpath.core.errors import StateError
        from mlpath.storage.settings import config_path

        raise StateError(
            f"the settings file {config_path()} gives a sync remote mlpath will not use: "
            f"{problem}. Run 'mlpath sync init URL' to set a good one."
        )
    if not isinstance(wanted.get("learner"), str) or not wanted["learner"].strip():
        wanted["learner"] = _login_name()
    if not isinstance(wanted.get("device"), str) or not wanted["device"]:
        wanted["device"] = new_device_id()
    wanted["notes"] = wanted.get("notes", True) is not False
    if wanted != stored:
        write_config({**config, "sync": wanted})
    device = Device(wanted["learner"], wanted["device"])
    return _Settings(wanted["remote"], device, wanted["notes"], _timeout(wanted))


def _timeout(settings: dict[str, Any]) -> float:
    """``[sync] timeout`` of the settings file: seconds, from 1 to 3600."""
    from mlpath.core.errors import StateError
    from mlpath.services.sync import TIMEOUT_SECONDS
    from mlpath.storage.settings import config_path

    value = settings.get("timeout", TIMEOUT_SECONDS)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 1 <= value <= 3600:
        raise StateError(
            f"the settings file {config_path()} gives [sync] timeout = {value!r}: it takes a "
            "number of seconds from 1 to 3600."
        )
    return float(value)


def _given(remote: str | None, notes: bool | None, name: str | None) -> dict[str, Any]:
    """The sync settings the command line gives, checked."""
    from mlpath.services.sync import remote_problem

    given: dict[str, Any] = {}
    if remote is not None:
        problem = remote_problem(remote.strip())
        if problem is not None:
            raise UsageError(f"{problem}.")
        given["remote"] = remote.strip()
    if notes is not None:
        given["notes"] = notes
    if name is not None:
        if not name.strip() or len(name) > 100:
            raise UsageError("--name takes a name of 1 to 100 characters.")
        given["learner"] = " ".join(name.split())
    return given


def _login_name() -> str:
    import getpass

    try:
        return getpass.getuser() or "learner"
    except (OSError, KeyError):
        return "learner"


@sync_app.callback()
def _sync_group(ctx: typer.Context, remote: RemoteOption = None, notes: NotesOption = None) -> None:
    """Sync your progress with your other machines, through a git remote you own.

    A sync brings every other device's changes, then sends this one's. Each device
    keeps one export in the remote (LEARNER/DEVICE.json); the database never goes
    there. The newest change wins per topic and per check, notes and history are
    combined, and a sync is one change that 'mlpath undo' reverts.

    \b
    Examples:
      mlpath sync init git@github.com:me/mlpath-progress.git --name "Ana Lima"
      mlpath sync
      mlpath sync --no-notes
    """
    if ctx.invoked_subcommand is not None:
        return
    settings = _settings(remote, notes, None)
    if settings is None:
        raise UsageError(
            "no sync remote yet: run 'mlpath sync init URL' (or 'mlpath sync --remote URL') "
            "with a git repository you own."
        )
    _sync(settings)


@sync_app.command()
def init(
    remote: Annotated[
        str, typer.Argument(metavar="URL", help="A git remote you own: any URL git accepts.")
    ],
    name: Annotated[
        str | None,
        typer.Option("--name", metavar="NAME", help="Your name, as a mentor's cohort shows it."),
    ] = None,
    notes: NotesOption = None,
) -> None:
    """Remember the git remote to sync with, and your name.

    \b
    Examples:
      mlpath sync init ~/mlpath-progress.git
      mlpath sync init git@github.com:me/mlpath-progress.git --name "Ana Lima" --no-notes
    """
    from mlpath.services.sync import (
        TIMEOUT_SECONDS,
        SyncError,
        absolute_remote,
        check_remote,
        remote_problem,
    )

    problem = remote_problem(remote.strip())
    if problem is not None:
        raise UsageError(f"{problem}.")
    remote = absolute_remote(remote, Path.cwd())
    try:
        check_remote(remote, TIMEOUT_SECONDS, warn)
    except SyncError as error:
        raise SyncError(
            f"{error.message.rstrip('.')}. Nothing was saved: give a repository that git can "
            "reach (create an empty one with 'git init --bare PATH')."
        ) from None
    settings = _settings(remote, notes, name)
    if settings is None:  # cannot be: a remote was given, and _given checked it
        raise UsageError("give the remote to sync through.")
    shared = "shared" if settings.notes else "kept on this machine"
    say(
        printable(
            f"Sync remote: {settings.remote}. This device is {settings.device.device}, "
            f"learner {settings.device.learner}; notes are {shared}. Run 'mlpath sync'."
        )
    )


def _sync(settings: _Settings) -> None:
    import random
    import time

    from mlpath.core.exchange import combine, sync_document
    from mlpath.services.sync import ATTEMPTS, Clone, Rejected, SyncError, locked
    from mlpath.storage.paths import data_dir

    device = settings.device
    clone = Clone(data_dir() / "sync", settings.remote, settings.timeout, warn)
    with locked(data_dir() / "sync.lock"):
        clone.prepare()
        report = None
        brought_from: list[str] = []
        for attempt in range(ATTEMPTS):
            clone.fetch()
            if report is None:  # merge once: a sync is one undoable change
                clone.check_own_folder(device.folder)
                mine = f"{device.folder}/"
                listed = clone.exports(device.file, warn)
                others = [(n, p) for n, p in listed if n.startswith(mine)]
                exports = []
                for name, path in others:
                    read = _read_export(path, name)
                    if read is not None:
                        exports.append(read[1])
                        brought_from.append(name)
                report = database().merge(combine(exports), now(), f"sync with {settings.remote}")
            with database().exporting() as (state, entries):
                document = sync_document(state, entries, device.learner, settings.notes)
            clone.write_own(device.file, document)
            clone.commit(device.file, device)
            if not clone.unsent():  # the remote holds this device's file as it is
                sent = False
                break
            try:
                clone.push()
                sent = True
                break
            except Rejected:
                if attempt == ATTEMPTS - 1:
                    raise SyncError(
                        f"the sync remote kept moving: other devices pushed {ATTEMPTS} times "
                        "while this one tried (git: another device's push came first). "
                        "Run 'mlpath sync' again."
                    ) from None
                time.sleep(random.uniform(0.1, 0.5) * (attempt + 1))
    if report is None:  # the loop returns or raises before it ends without a report
        raise SyncError("the sync did not finish. Run 'mlpath sync' again.")
    _say_synced(settings, report, brought_from, sent)


def _say_synced(settings: _Settings, report: Any, brought_from: list[str], sent: bool) -> None:
    from mlpath.core.rules import plural

    devices = plural(len(brought_from), "other device")
    if not brought_from:
        got = "no other device of yours has synced yet"
    elif report.changed:
        got = (
            f"brought {plural(report.topics_added + report.topics_updated, 'topic')} changed, "
            f"{plural(report.notes_added, 'note')} and "
            f"{plural(report.log_added, 'history entry', 'history entries')} from {devices}"
            " ('mlpath undo' reverts that)"
        )
    else:
        got = f"nothing new from {devices}"
    out = f"sent {settings.device.file}" if sent else "nothing new to send"
    say(printable(f"Synced with {settings.remote}: {got}; {out}."))


def _read_export(path: Path, name: str) -> tuple[str | None, list[Change | State]] | None:
    """An export's learner field and its content; None (and a line on stderr) for a file
    that is damaged or from a newer mlpath: it is skipped, the rest goes on."""
    from mlpath.cli.data import members
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
    except Exception as error:  # each kind it can be is named by _unusable
        problem = _unusable(error)
        if problem is None:
            raise
        sys.stderr.write(printable(f"mlpath: skipped {name}: it {problem}.") + "\n")
        return None
    return (learner[0] if learner else None), content


def _unusable(error: Exception) -> str | None:
    """Why an export cannot be used, for the errors that say so; None for any other."""
    from mlpath.core import formats
    from mlpath.core.progress import StateFormatError

    if isinstance(error, OSError):
        return f"cannot be read ({error.strerror or error})"
    if isinstance(error, UnicodeDecodeError):
        return "is not UTF-8 text"
    if isinstance(error, formats.NotJson):
        return f"is not valid JSON ({error})"
    if isinstance(error, formats.NotAnExport):
        return f"is not an mlpath export ({error})"
    if isinstance(error, formats.NewerExport | formats.NewerFormat):
        return "comes from a newer mlpath"
    if isinstance(error, StateFormatError):
        return f"has unexpected content ({error})"
    if isinstance(error, MlpathError):
        return f"cannot be used ({error})"
    return None


# --- cohort ------------------------------------------------------------------------------


@app.command()
def cohort(
    sources: Annotated[
        list[str],
        typer.Argument(
            metavar="PATH-OR-GIT-URL...",
            help="Folders or git repositories of learners' exports.",
            show_default=False,
        ),
    ],
    stuck_weeks: Annotated[
        int,
        typer.Option(
            "--stuck-weeks",
            metavar="N",
            min=1,
            max=520,
            help="Call a topic stuck after this many weeks in progress.",
        ),
    ] = 3,
    json: JsonOption = False,
    html: Annotated[
        Path | None,
        typer.Option(
            "--html",
            metavar="FILE",
            help="Also save the view as a page (HTML, self-contained).",
            dir_okay=False,
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite the --html file.")] = False,
) -> None:
    """A mentor's view: each learner's progress, and who is on or past each topic.

    Reads every export (*.json) in the folders or git repositories given, such as the
    sync repositories learners share or a folder of files they hand in. A learner's
    devices are merged; the name is the export's learner field, else its folder's (for
    LEARNER/DEVICE.json), else the file's. A damaged file is reported and skipped.

    \b
    Examples:
      mlpath cohort ~/cohort-exports/
      mlpath cohort git@github.com:team/mlpath-cohort.git --json
    """
    import tempfile
    from datetime import timedelta

    from mlpath.core import cohort as figures
    from mlpath.core.progress import State
    from mlpath.render import text
    from mlpath.services.sync import export_files

    if html is not None:
        check_output(html, force)
    current, moment, kept = roadmap(), now(), retention()
    files: dict[str, list[tuple[str, State]]] = {}
    skipped: list[str] = []
    with tempfile.TemporaryDirectory(prefix="mlpath-cohort-") as scratch:
        for index, source in enumerate(sources):
            folder = _cohort_folder(source, Path(scratch) / str(index))
            for name, path in export_files(folder, warn, "cohort", loose=True):
                read = _read_export(path, name)
                if read is None:
                    skipped.append(name)
                    continue
                learner, content = read
                state = content[-1]  # an export's progress comes last, after its log
                if not isinstance(state, State):
                    skipped.append(name)
                    continue
                who = learner or (Path(name).parent.name if "/" in name else Path(name).stem)
                files.setdefault(who, []).append((name, state))
    limit = timedelta(weeks=stuck_weeks)
    learners = [
        figures.learner(
            current,
            who,
            [n for n, _ in entries],
            figures.merged(s for _, s in entries),
            moment,
            limit,
            kept,
        )
        for who, entries in sorted(files.items(), key=lambda kv: kv[0].casefold())
    ]
    states = [figures.merged(s for _, s in entries) for entries in files.values()]
    counts = figures.topic_counts(current, states)
    if json:
        text.print_json(text.cohort_json(current, learners, counts, skipped, stuck_weeks))
    else:
        render(lambda views: views.cohort_view(current, learners, counts, skipped))
    if html is not None:
        from mlpath import __version__
        from mlpath.render.report import cohort_page

        page = cohort_page(current, learners, counts, skipped, moment, __version__)
        write_picture(html, page, "the cohort page", json=json)


def _cohort_folder(source: str, scratch: Path) -> Path:
    """A folder of exports: the folder given, or a fresh clone of a git repository."""
    from mlpath.services.sync import Clone, SyncError, last_line

    path = Path(source).expanduser()
    bare = (path / "HEAD").is_file() and (path / "objects").is_dir()
    if path.is_dir() and not bare:
        return path
    if not path.exists() and not _looks_like_git(source):
        raise UsageError(f"{source}: no such folder, and not a git URL.")
    from mlpath.storage.settings import read_config

    sync = read_config().get("sync", {})
    timeout = _timeout(sync if isinstance(sync, dict) else {})
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
    import re

    return bool(re.match(r"^[a-z][a-z0-9+.-]*://|^[\w.-]+@[\w.-]+:|.*\.git/?$", source))
