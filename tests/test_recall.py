"""Graded review scheduled by FSRS, as a learner meets it: the commands, the files they
read and write, and a review session typed into a real pseudo-terminal."""

from __future__ import annotations

import json
import os
import pty
import select
import shutil
import sqlite3
import subprocess
import sys
import time as clock
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest

from conftest import NOW, TODAY, Result, fsrs_due

Run = Callable[..., Result]

FIXTURES = Path(__file__).parent / "fixtures"


def _day(days_ago: int) -> datetime:
    """The start of the day ``days_ago`` days before the tests' today: what --on gives."""
    return datetime.combine(TODAY - timedelta(days=days_ago), time(), UTC)


def _review(run: Run, topic: str = "foundations") -> dict[str, object]:
    document = json.loads(run("review", "--json").stdout)
    [entry] = [e for e in document["due"] + document["upcoming"] if e["topic"]["id"] == topic]
    return dict(entry)


def test_the_done_when_scenario_gives_fsrs_dates_and_undo_brings_back_the_last(
    run: Run,
) -> None:
    assert run("done", "foundations", "--on", "40 days ago").exit_code == 0
    hard = run("reviewed", "foundations", "--recall", "hard", "--on", "30 days ago")
    assert hard.exit_code == 0, hard.stderr
    easy = run("reviewed", "foundations", "--recall", "easy", "--on", "10 days ago")
    expected = fsrs_due((_day(40), "good"), (_day(30), "hard"), (_day(10), "easy"))
    assert f"graded easy; next review on {expected.date()}" in easy.stdout
    entry = _review(run)
    assert entry["due"] == expected.isoformat() and entry["grade"] == "easy"
    assert entry["review"] == 3 and 0 < float(entry["retrievability"]) <= 1  # type: ignore[arg-type]
    assert run("undo").stdout.startswith("Undid: reviewed foundations (easy)")
    after_undo = fsrs_due((_day(40), "good"), (_day(30), "hard"))
    assert _review(run)["due"] == after_undo.isoformat()
    assert _review(run)["grade"] == "hard"


@pytest.mark.parametrize(("typed", "grade"), [("1", "again"), ("4", "easy"), ("Ha", "hard")])
def test_a_grade_is_a_word_a_prefix_or_a_number(run: Run, typed: str, grade: str) -> None:
    run("done", "foundations", "--on", "5 days ago")
    assert run("reviewed", "foundations", "--recall", typed).exit_code == 0
    assert _review(run)["grade"] == grade
    history = json.loads(run("history", "-n", "1", "--json").stdout)["changes"][0]
    assert history["grade"] == grade and history["description"].endswith(f"({grade})")


def test_a_bad_grade_is_refused_and_changes_nothing(run: Run, state_file: Path) -> None:
    run("done", "foundations", "--on", "5 days ago")
    before = state_file.read_bytes()
    refused = run("reviewed", "foundations", "--recall", "great")
    assert refused.exit_code == 2
    assert "'great' is not a grade: again (you forgot it), hard, good or easy" in refused.stderr
    assert "Traceback" not in refused.stderr and state_file.read_bytes() == before


def test_the_completion_offers_the_four_grades() -> None:
    from mlpath.cli.track import complete_grade

    assert [g for g, _ in complete_grade("")] == ["again", "hard", "good", "easy"]
    assert [g for g, _ in complete_grade("e")] == ["easy"]


def test_show_and_stats_tell_the_next_review_and_what_was_remembered(run: Run) -> None:
    run("done", "foundations", "--on", "20 days ago")
    run("reviewed", "foundations", "--recall", "again", "--on", "15 days ago")
    run("reviewed", "foundations", "--recall", "good", "--on", "5 days ago")
    run("reviewed", "foundations", "--recall", "good", "--on", "100 days ago")  # before done
    due = fsrs_due((_day(20), "good"), (_day(15), "again"), (_day(5), "good"))
    shown = run("show", "foundations").stdout
    assert f"Next review: {due.date()}." in shown and "last graded good" in shown
    topic = json.loads(run("show", "foundations", "--json").stdout)["topic"]
    assert topic["next_review"]["due"] == due.isoformat()
    assert json.loads(run("show", "deep-learning", "--json").stdout)["topic"]["next_review"] is None
    recall = json.loads(run("stats", "--json").stdout)["reviews_90_days"]
    assert recall == {"reviews": 2, "remembered": 1, "share_remembered": 0.5}
    assert "remembered (not graded again): 1 (50%)" in run("stats").stdout


def test_the_grade_travels_through_export_and_import(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run("done", "foundations", "--on", "20 days ago")
    run("reviewed", "foundations", "--recall", "hard", "--on", "12 days ago")
    run("reviewed", "foundations", "--on", "3 days ago")
    exported = tmp_path / "mine.json"
    assert run("export", "-o", str(exported)).exit_code == 0
    reviews = json.loads(exported.read_text())["roadmaps"]["ml-engineer"]["topics"]["foundations"]
    assert reviews["reviews"] == [
        {"at": _day(12).isoformat(), "grade": "hard"},
        _day(3).isoformat(),  # good: written as before grades existed
    ]
    expected = _review(run)["due"]
    monkeypatch.setenv("MLPATH_HOME", str(tmp_path / "other-machine"))
    assert run("import", str(exported)).exit_code == 0
    assert _review(run)["due"] == expected


def test_an_export_without_grades_imports_as_good(run: Run, tmp_path: Path) -> None:
    done, reviewed = _day(30).isoformat(), _day(20).isoformat()
    foundations = {"status": "done", "done_at": done, "updated_at": done, "reviews": [reviewed]}
    document = {"version": 5, "roadmaps": {"ml-engineer": {"topics": {"foundations": foundations}}}}
    old = tmp_path / "old.json"
    old.write_text(json.dumps(document))
    assert run("import", str(old)).exit_code == 0
    entry = _review(run)
    assert entry["grade"] == "good"
    assert entry["due"] == fsrs_due((_day(30), "good"), (_day(20), "good")).isoformat()


def test_old_ungraded_reviews_migrate_as_good_and_none_is_lost(
    run: Run, mlpath_home: Path, state_file: Path
) -> None:
    mlpath_home.mkdir()
    shutil.copy(FIXTURES / "state-v7.db", state_file)
    entry = _review(run, "deep-learning")  # done 2026-11-12, reviewed 2026-11-20 (ungraded)
    done_at = datetime(2026, 11, 12, 9, tzinfo=UTC)
    reviewed = datetime(2026, 11, 20, 9, tzinfo=UTC)
    assert entry["grade"] == "good" and entry["review"] == 2
    assert entry["due"] == fsrs_due((done_at, "good"), (reviewed, "good")).isoformat()
    conn = sqlite3.connect(state_file)
    assert conn.execute("SELECT at, grade FROM reviews").fetchall() == [
        ("2026-11-20T09:00:00+00:00", "good")
    ]
    conn.close()


def test_retention_comes_from_the_settings_file_and_is_checked(run: Run, mlpath_home: Path) -> None:
    run("done", "foundations", "--on", "40 days ago")
    at_90 = _review(run)["due"]
    config = mlpath_home / "config.toml"
    config.write_text("[review]\nretention = 0.8\n")
    assert str(_review(run)["due"]) > str(at_90)  # remembering less surely: later
    config.write_text("[review]\nretention = 0.99\n")
    refused = run("review")
    assert refused.exit_code == 1
    assert "[review] retention = 0.99: it takes a number from 0.7 to 0.97" in refused.stderr
    doctor = run("doctor")
    assert doctor.exit_code == 1 and "PROBLEM" in doctor.stdout and "retention" in doctor.stdout


def test_the_calendar_holds_the_next_review_on_its_fsrs_date(run: Run, tmp_path: Path) -> None:
    run("done", "foundations", "--on", "10 days ago")
    run("reviewed", "foundations", "--recall", "hard", "--on", "2 days ago")
    due = fsrs_due((_day(10), "good"), (_day(2), "hard"))
    calendar = tmp_path / "plan.ics"
    by = (TODAY + timedelta(weeks=40)).isoformat()
    made = run("plan", "--by", by, "--ics", str(calendar))
    assert made.exit_code == 0, made.stderr
    text = calendar.read_text()
    at = text.index("SUMMARY:Review: Foundations")
    assert f"DTSTART;VALUE=DATE:{due.strftime('%Y%m%d')}" in text[at - 400 : at + 400]


# --- review --start: a real process ---------------------------------------------------------


def _mlpath() -> str:
    return str(Path(sys.executable).with_name("mlpath"))


def _env(home: Path) -> dict[str, str]:
    return {**os.environ, "MLPATH_HOME": str(home), "MLPATH_NOW": NOW.isoformat()}


def test_a_review_session_without_a_terminal_is_refused_at_once(tmp_path: Path) -> None:
    home = tmp_path / "home"
    subprocess.run([_mlpath(), "done", "foundations", "--on", "9 days ago"], env=_env(home))
    with open(os.devnull) as nothing:
        started = clock.monotonic()
        done = subprocess.run(
            [_mlpath(), "review", "--start"],
            stdin=nothing,
            env=_env(home),
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert done.returncode == 2 and clock.monotonic() - started < 10
    assert "needs a terminal" in done.stderr and "mlpath reviewed TOPIC --recall" in done.stderr


def _session(home: Path, answers: list[str]) -> str:
    """Run ``mlpath review --start`` on a pseudo-terminal, typing each answer when the
    question comes; everything it printed."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [_mlpath(), "review", "--start"],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env={**_env(home), "COLUMNS": "80", "TERM": "dumb"},
    )
    os.close(follower)
    shown = b""
    pending = list(answers)
    deadline = clock.monotonic() + 30
    while clock.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(leader, 4096)
            except OSError:
                break
            if not chunk:
                break
            shown += chunk
            if pending and shown.count(b"q stops: ") > len(answers) - len(pending):
                os.write(leader, pending.pop(0).encode() + b"\n")
        elif process.poll() is not None:
            break
    process.wait(timeout=10)
    os.close(leader)
    return shown.decode("utf-8", "replace")


def test_grades_typed_into_a_review_session_are_recorded(tmp_path: Path) -> None:
    home = tmp_path / "home"
    for topic, days in (("foundations", 12), ("algorithms", 9), ("deep-learning", 6)):
        subprocess.run([_mlpath(), "done", topic, "--on", f"{days} days ago"], env=_env(home))
    subprocess.run([_mlpath(), "note", "foundations", "bias-variance, again"], env=_env(home))
    shown = _session(home, ["perfect", "2", "easy", "q"])
    assert "Review 1 of 3: Foundations" in shown and "bias-variance, again" in shown
    assert "'perfect' is not a grade" in shown  # asked again
    assert "Recorded: hard" in shown and "Recorded: easy" in shown
    assert "Graded 2 of 3; 1 still due." in shown
    history = subprocess.run(
        [_mlpath(), "history", "--json"], env=_env(home), capture_output=True, text=True
    )
    reviews = [c for c in json.loads(history.stdout)["changes"] if c["action"] == "review"]
    # newest first: both at the same moment, the later recorded first
    assert [(c["topic"], c["grade"]) for c in reviews] == [
        ("algorithms", "easy"),
        ("foundations", "hard"),
    ]
