"""Shared fixtures. Every test runs against its own temporary MLPATH_HOME."""

from __future__ import annotations

import os
import sqlite3
import sys
import tempfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

import pytest
import typer
from hypothesis import settings
from typer.main import get_command
from typer.testing import CliRunner

from mlpath.cli import lean_app
from mlpath.core.progress import Change, State
from mlpath.storage.database import Store

REPO = Path(__file__).resolve().parent.parent
BUNDLED = REPO / "data" / "roadmap.toml"

#: The moment every test takes for "now" (the same day, 1 December 2026, in every zone
#: from UTC-10 to UTC+13), unless it sets its
#: own with :func:`set_clock`: no result depends on the day the suite runs. Dates inside
#: tests are written relative to it.
NOW = datetime(2026, 12, 1, 10, 0, 0, tzinfo=UTC)
TODAY = NOW.date()


def days_ago(days: int) -> str:
    """The date ``days`` before the tests' today, as a learner types it."""
    return (TODAY - timedelta(days=days)).isoformat()


def fsrs_due(*reviews: tuple[datetime, str]) -> datetime:
    """The next review that the fsrs package itself gives after ``reviews`` (moment,
    grade), oldest first, with the scheduler mlpath promises: default parameters, no
    learning steps, no fuzz, retention 0.9."""
    from fsrs import Card, Rating, Scheduler

    scheduler = Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)
    card = Card(card_id=1)
    for moment, grade in reviews:
        card, _ = scheduler.review_card(card, Rating[grade.title()], moment.astimezone(UTC))
    return card.due


def set_clock(monkeypatch: pytest.MonkeyPatch, moment: datetime) -> None:
    """Make ``moment`` "now" for the commands a test runs, in-process or as processes."""
    monkeypatch.setenv("MLPATH_NOW", moment.isoformat())


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--runslow",
        action="store_true",
        help="Run the long variants of the reliability tests (the full numbers).",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: the long variant; runs only with --runslow")
    # Property tests: 100 examples each by default, 500 in the long run.
    settings.register_profile("default", max_examples=100, deadline=None)
    settings.register_profile("long", max_examples=500, deadline=None)
    settings.load_profile("long" if config.getoption("--runslow") else "default")
    global LONG_RUN
    LONG_RUN = bool(config.getoption("--runslow"))


#: Whether this is the long run (--runslow); set before the test modules are imported.
LONG_RUN = False


def examples(default: int) -> int:
    """How many examples a property test that writes a database per example gets: its
    ``default`` in the default run, five times as many in the long run."""
    return default * 5 if LONG_RUN else default


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--runslow"):
        return
    skip = pytest.mark.skip(reason="the long variant; run with --runslow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def full(request: pytest.FixtureRequest) -> bool:
    """True under --runslow: tests then use their full numbers."""
    return bool(request.config.getoption("--runslow"))


@pytest.fixture(autouse=True)
def mlpath_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point MLPATH_HOME (and HOME, for platformdirs) at a temporary folder."""
    home = tmp_path / "mlpath-home"
    monkeypatch.setenv("MLPATH_HOME", str(home))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("MLPATH_ROADMAP", raising=False)
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    # The mlpath processes that tests start may keep their bytecode, as in any install
    # (a machine that forbids it would have every process compile every module again).
    monkeypatch.delenv("PYTHONDONTWRITEBYTECODE", raising=False)
    monkeypatch.setenv("COLUMNS", "100")
    set_clock(monkeypatch, NOW)
    yield home


@pytest.fixture
def state_file(mlpath_home: Path) -> Path:
    """The database."""
    return mlpath_home / "state.db"


@pytest.fixture
def legacy_file(mlpath_home: Path) -> Path:
    """Where mlpath before the database kept its state (TOML, formats 1 to 5)."""
    return mlpath_home / "state.toml"


def stored(state: State) -> Store:
    """A new database (beside the test's MLPATH_HOME) holding ``state``, written as the
    commands write: its day summary is then the one the storage computes."""
    folder = Path(tempfile.mkdtemp(dir=Path(os.environ["MLPATH_HOME"]).parent, prefix="db-"))
    store = Store(folder, clock=lambda: NOW)
    store.update(lambda empty: (state, None), full=True)
    return store


def undone(state: State) -> tuple[State, Change | None]:
    """``state`` after the database's undo of its last change, read back whole."""
    store = stored(state)
    change = store.undo()
    return store.load(full=True), change


def same_progress(a: State, b: State) -> bool:
    """The same progress and log (the day summary is the storage's to compute)."""
    return a.roadmaps == b.roadmaps and a.log == b.log


def without_faketime() -> dict[str, str]:
    """The environment minus libfaketime (the suite may run under ``faketime`` to prove it
    does not depend on the day), for the few programs that cannot run under it: Chromium
    dies of it, and it takes the first free descriptor for itself, so a process started
    with its standard output closed finds that descriptor open. The clock that matters
    to mlpath is MLPATH_NOW, which stays."""
    return {
        name: value
        for name, value in os.environ.items()
        if name != "LD_PRELOAD" and not name.startswith("FAKETIME")
    }


def db_rows(path: Path) -> list[str]:
    """Everything the database holds, as SQL text: equal lists, equal content (the file's
    bytes also hold counters that every write changes)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


class Result:
    def __init__(self, exit_code: int, stdout: str, stderr: str) -> None:
        self.exit_code = exit_code
        self.stdout = stdout
        self.stderr = stderr


class Command(Protocol):
    """What the tests use of a click command."""

    name: str | None

    def main(self, args: list[str], prog_name: str) -> object: ...


#: The click command Typer makes of each set of commands the tests run, made once. Typer
#: re-reads every parameter's type hints each time it makes one: that was more than half
#: of what an in-process run cost, and it is the same for every run of a command.
_COMMANDS: dict[tuple[int, ...], Command] = {}


def _command(app: typer.Typer) -> Command:
    key = tuple(map(id, (*app.registered_commands, *app.registered_groups)))
    if key not in _COMMANDS:
        _COMMANDS[key] = get_command(app)
    return _COMMANDS[key]


@pytest.fixture
def run() -> Callable[..., Result]:
    """Run the CLI in-process, through the same entry point as the installed ``mlpath``:
    ``run("show", "nlp")`` -> Result(exit_code, stdout, stderr)."""
    runner = CliRunner()

    def _run(*args: str) -> Result:
        # The app as the installed mlpath builds it for these arguments (only the command
        # they run; the whole app for help, completion or an unknown command), run as
        # CliRunner.invoke runs it: standard streams captured, exit code from SystemExit.
        command = _command(lean_app(list(args)))
        code: int = 0
        with runner.isolation(env=dict(os.environ)) as (out, err, _):
            try:
                command.main(args=list(args), prog_name=command.name or "root")
            except SystemExit as done:
                if isinstance(done.code, int):
                    code = done.code
                elif done.code is not None:
                    sys.stdout.write(f"{done.code}\n")
                    code = 1
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                stdout, stderr = out.getvalue().decode(), err.getvalue().decode()
        return Result(code, stdout, stderr)

    return _run
