"""Beyond one machine: ``mlpath sync`` through a git remote, and ``mlpath cohort``, a
mentor's view of several learners' exports."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from mlpath.cli._app import (
    JsonOption,
    SubGroup,
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
from mlpath.core.errors import UsageError, printable

if TYPE_CHECKING:
    from mlpath.services.sync import Device

sync_app = typer.Typer(
    cls=SubGroup,
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
    from mlpath.storage.settings import read_config, sync_timeout, write_config

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
    return _Settings(wanted["remote"], device, wanted["notes"], sync_timeout(wanted))


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
    from mlpath.services.sync import Clone, sync
    from mlpath.storage.paths import data_dir

    clone = Clone(data_dir() / "sync", settings.remote, settings.timeout, warn)
    done = sync(database(), clone, settings.device, settings.notes, now(), warn)
    _say_synced(settings, done.report, list(done.brought_from), done.sent)


def _say_synced(settings: _Settings, report: Any, brought_from: list[str], sent: bool) -> None:
    from mlpath.render.words import plural

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
    from datetime import timedelta

    from mlpath.render import text
    from mlpath.services.cohort import gather
    from mlpath.storage.settings import sync_timeout

    if html is not None:
        check_output(html, force)
    current, moment = roadmap(), now()
    found = gather(
        current, sources, moment, timedelta(weeks=stuck_weeks), retention(), sync_timeout(), warn
    )
    if json:
        text.print_json(text.cohort_json(found, stuck_weeks))
    elif html is None:  # a page asked for is the answer: no view besides
        from mlpath.render import views

        render(views.cohort_view(found))
    if html is not None:
        from mlpath import __version__
        from mlpath.render.report import cohort_page

        page = cohort_page(found, moment, __version__)
        write_picture(html, page, "the cohort page", json=json)
