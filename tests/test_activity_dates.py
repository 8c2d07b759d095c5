"""When a topic began, and the windows of days that the pace and the weeks are taken over.

Every date here is relative to the tests' clock (conftest.NOW), so the results hold on
any day the suite runs.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from conftest import BUNDLED, NOW, TODAY, Result, days_ago, stored, undone
from mlpath.core import pace
from mlpath.core import progress as ops
from mlpath.core.exchange import merge_topic
from mlpath.core.progress import Note, Session, State
from mlpath.storage.roadmap_files import load_roadmap

Run = Callable[..., Result]
ROADMAP = load_roadmap(BUNDLED)
RID = ROADMAP.id


def _started(run: Run, topic: str = "deep-learning") -> str:
    shown = json.loads(run("show", topic, "--json").stdout)
    return str(shown["topic"]["started_at"])[:10]


# --- a topic's start is its earliest activity -------------------------------------------------


def test_time_logged_for_an_earlier_day_moves_the_start_back(run: Run) -> None:
    assert run("log", "deep-learning", "30m").exit_code == 0  # starts it today
    assert run("log", "deep-learning", "1h", "--on", days_ago(8)).exit_code == 0
    assert _started(run) == days_ago(8)
    done = run("done", "deep-learning", "--on", days_ago(7))
    assert done.exit_code == 0, done.stderr
    shown = run("show", "deep-learning").stdout
    assert f"started {days_ago(8)}" in shown


def test_done_before_the_earliest_activity_names_both_dates(run: Run) -> None:
    run("log", "deep-learning", "1h", "--on", days_ago(8))
    refused = run("done", "deep-learning", "--on", days_ago(9))
    assert refused.exit_code == 2
    assert days_ago(8) in refused.stderr and days_ago(9) in refused.stderr
    refused = run("skip", "deep-learning", "--on", days_ago(9))
    assert refused.exit_code == 2 and days_ago(8) in refused.stderr


def test_undo_of_the_activity_that_moved_the_start_moves_it_again(run: Run) -> None:
    run("start", "deep-learning", "--on", days_ago(2))
    run("done", "deep-learning", "fastai", "--on", days_ago(5))  # a check, earlier
    run("log", "deep-learning", "1h", "--on", days_ago(6))
    assert _started(run) == days_ago(6)
    assert run("undo").exit_code == 0
    assert _started(run) == days_ago(5)
    assert run("undo").exit_code == 0
    assert _started(run) == days_ago(2)


def test_a_note_on_a_topic_not_started_does_not_start_it(run: Run) -> None:
    run("note", "deep-learning", "to read later")
    shown = json.loads(run("show", "deep-learning", "--json").stdout)
    assert shown["topic"]["status"] == "not-started"


def test_an_import_gives_the_earlier_start_of_the_two_machines(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # another machine began the topic 8 days ago; this one began it today
    other = tmp_path / "other-home"
    monkeypatch.setenv("MLPATH_HOME", str(other))
    run("log", "deep-learning", "1h", "--on", days_ago(8))
    run("export", "-o", str(tmp_path / "other.json"))
    monkeypatch.setenv("MLPATH_HOME", str(tmp_path / "mlpath-home"))
    run("start", "deep-learning")
    assert run("import", str(tmp_path / "other.json")).exit_code == 0
    assert _started(run) == days_ago(8)
    assert run("done", "deep-learning", "--on", days_ago(7)).exit_code == 0
    assert run("undo").exit_code == 0  # the done
    assert run("undo").exit_code == 0  # the import
    assert _started(run) == TODAY.isoformat()


def test_merging_keeps_the_earlier_start_in_either_order() -> None:
    early = datetime(2026, 11, 1, tzinfo=UTC)
    late = datetime(2026, 11, 20, tzinfo=UTC)
    here = ops.start(State(), RID, "deep-learning", late).state.topic(RID, "deep-learning")
    there = ops.log_time(State(), RID, "deep-learning", Session(early, 60)).state
    theirs = there.topic(RID, "deep-learning")
    assert merge_topic(here, theirs).started_at == early
    assert merge_topic(theirs, here).started_at == early
    # across a reset the old start does not come back
    reset = ops.reset(there, RID, "deep-learning", late).state.topic(RID, "deep-learning")
    assert merge_topic(reset, here).started_at in (late, None)


def test_a_note_dated_before_the_start_moves_it_and_undo_moves_it_again() -> None:
    # notes typed at the command line are dated now; an earlier one comes with an import
    started = ops.start(State(), RID, "foundations", NOW).state
    early = Note(NOW - timedelta(days=3), "an early note")
    noted = ops.add_note(started, RID, "foundations", early, NOW).state
    assert noted.topic(RID, "foundations").started_at == early.at
    back, _ = undone(noted)
    assert back.topic(RID, "foundations").started_at == NOW


def test_the_operations_keep_a_start_no_later_than_any_activity() -> None:
    state = ops.start(State(), RID, "foundations", NOW).state
    state = ops.add_note(
        state, RID, "foundations", Note(NOW - timedelta(days=3), "an early note"), NOW
    ).state
    state = ops.log_time(state, RID, "foundations", Session(NOW - timedelta(days=5), 30)).state
    assert state.topic(RID, "foundations").started_at == NOW - timedelta(days=5)


# --- windows --------------------------------------------------------------------------------


def test_the_last_days_include_today_and_count_both_ends() -> None:
    today = date(2026, 12, 1)
    assert pace.last_days(today, 1) == (today, today)
    assert pace.last_days(today, 14) == (date(2026, 11, 18), today)
    assert pace.last_days(today, 28) == (date(2026, 11, 4), today)
    assert pace.days_between(today, today) == 1
    assert pace.days_between(date(2026, 11, 18), today) == 14


def _logged(days_back: dict[int, int]) -> State:
    state = State()
    for back, minutes in days_back.items():
        on = datetime.combine(TODAY - timedelta(days=back), datetime.min.time(), UTC)
        state = ops.log_time(state, RID, "foundations", Session(on, minutes)).state
    return stored(state).load()


@pytest.mark.parametrize(
    ("days_back", "window", "hours"),
    [
        # the learner: 2h, 1h30m, 45m, 1h30m over 18 days; all 5h45m count
        ({18: 120, 12: 90, 1: 45, 0: 90}, 19, 5.75),
        # history of exactly 14 days (the first day 13 days ago): projected, all counted
        ({13: 60}, 14, 1.0),
        # 28 days: the first day is still inside the window
        ({27: 60, 0: 60}, 28, 2.0),
        # 29 days: the first day has left the 28-day window
        ({28: 60, 0: 60}, 28, 1.0),
    ],
)
def test_the_pace_counts_every_day_of_its_window(
    days_back: dict[int, int], window: int, hours: float
) -> None:
    projection = pace.project(ROADMAP, _logged(days_back), NOW)
    assert projection.window_days == window
    assert projection.pace_hours_per_week == pytest.approx(hours / (window / 7))


def test_thirteen_days_of_history_are_too_few_to_project() -> None:
    projection = pace.project(ROADMAP, _logged({12: 60}), NOW)
    assert projection.finish is None
    assert projection.reason == "14 days of logged time needed, 13 so far"


def test_a_learner_who_studied_only_on_the_first_day_is_told_the_window(run: Run) -> None:
    run("log", "foundations", "2h", "--on", days_ago(13))  # day one of fourteen
    document = json.loads(run("progress", "--json").stdout)
    projection = document["projection"]
    assert projection["pace_window_days"] == 14
    assert projection["pace_hours_per_week"] == pytest.approx(1.0)


def test_a_week_runs_from_monday_to_sunday() -> None:
    monday, sunday = date(2026, 11, 30), date(2026, 12, 6)
    assert pace.week_start(monday) == monday and pace.week_start(sunday) == monday
    assert pace.week_start(monday - timedelta(days=1)) == monday - timedelta(days=7)


# --- a damaged database ---------------------------------------------------------------------


def test_an_empty_database_beside_snapshots_is_refused_untouched(
    run: Run, state_file: Path
) -> None:
    run("done", "foundations")
    run("start", "deep-learning", "--on", days_ago(1))
    snapshots = sorted((state_file.parent / "snapshots").iterdir())
    assert snapshots
    state_file.write_bytes(b"")
    refused = run("done", "foundations")
    assert refused.exit_code == 1
    assert "'mlpath doctor --restore-backup'" in refused.stderr
    assert state_file.read_bytes() == b""
    assert sorted((state_file.parent / "snapshots").iterdir()) == snapshots


def test_an_empty_database_alone_becomes_a_new_one_and_says_so(run: Run, state_file: Path) -> None:
    state_file.parent.mkdir(parents=True)
    state_file.write_bytes(b"")
    done = run("done", "foundations")
    assert done.exit_code == 0
    assert "was an empty file (0 bytes)" in done.stderr
    assert "set up as a new database" in done.stderr
    assert run("done", "algorithms").stderr == ""


def test_a_format_no_mlpath_wrote_is_refused_untouched(run: Run, state_file: Path) -> None:
    run("done", "foundations")
    conn = sqlite3.connect(state_file)
    conn.execute("PRAGMA user_version = 3")
    conn.close()
    before = state_file.read_bytes()
    refused = run("list")
    assert refused.exit_code == 1 and "has format 3, which no mlpath wrote" in refused.stderr
    assert state_file.read_bytes() == before
