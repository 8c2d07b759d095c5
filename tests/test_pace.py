"""Study time, streaks, projections and spaced review: pure functions of state and now."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import BUNDLED, TODAY, Result, days_ago, fsrs_due, same_progress, stored, undone
from conftest import NOW as CLOCK  # the commands' now
from mlpath.core import dates, pace, recall, rules
from mlpath.core import progress as ops
from mlpath.core.progress import Session, State, Status
from mlpath.storage.roadmap_files import load_roadmap

Run = Callable[..., Result]
ROADMAP = load_roadmap(BUNDLED)
RID = ROADMAP.id
NOW = datetime(2026, 11, 26, 20, 0, tzinfo=UTC)

# --- durations ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("45m", 45),
        ("1h30m", 90),
        ("2h", 120),
        ("1.5h", 90),
        ("90", 90),
        ("1h 5m", 65),
        ("2H", 120),
        ("24h", 1440),
        ("30min", 30),
    ],
)
def test_durations_that_work(text: str, minutes: int) -> None:
    assert pace.parse_duration(text) == minutes


@pytest.mark.parametrize(
    "text", ["", "0", "0m", "-5m", "25h", "1441", "abc", "h", "m", "1x", "1h-5m"]
)
def test_durations_that_are_refused_with_an_example(text: str) -> None:
    with pytest.raises(ValueError, match=r"45m|24h"):
        pace.parse_duration(text)


@given(st.integers(1, 23), st.integers(0, 59))
def test_hours_and_minutes_round_trip(hours: int, minutes: int) -> None:
    assert pace.parse_duration(f"{hours}h{minutes}m") == hours * 60 + minutes
    assert pace.parse_duration(ops.duration_text(hours * 60 + minutes)) == hours * 60 + minutes


@given(st.text(max_size=12))
def test_any_text_is_a_duration_in_range_or_a_value_error(text: str) -> None:
    try:
        minutes = pace.parse_duration(text)
    except ValueError:
        return
    assert 1 <= minutes <= rules.MAX_DAY_MINUTES


def test_when_parses_dates_and_refuses_the_future() -> None:
    assert dates.parse_when("2026-11-20", NOW) == datetime(2026, 11, 20, tzinfo=UTC)
    assert dates.parse_when("2026-11-20 18:30", NOW) == datetime(2026, 11, 20, 18, 30, tzinfo=UTC)
    assert dates.parse_when("yesterday", NOW) == datetime(2026, 11, 25, tzinfo=UTC)
    offset = dates.parse_when("2026-11-20T10:00:00+05:30", NOW)
    assert offset.utcoffset() == timedelta(hours=5, minutes=30)
    for bad in ("2026-11-27", "tomorrow", "next tuesday", "2026-13-01", "-3 days ago", "mo"):
        with pytest.raises(ValueError):
            dates.parse_when(bad, NOW)
    with pytest.raises(ValueError, match="in the future"):
        dates.parse_when("tomorrow", NOW)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("thursday", date(2026, 11, 26)),  # NOW is a Thursday: the last one is today
        ("Monday", date(2026, 11, 23)),
        ("fri", date(2026, 11, 20)),
        ("last thursday", date(2026, 11, 19)),
        ("last week", date(2026, 11, 19)),
        ("yesterday", date(2026, 11, 25)),
    ],
)
def test_on_reads_the_days_people_name(text: str, day: date) -> None:
    assert dates.parse_when(text, NOW) == datetime.combine(day, time(), UTC)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("friday", date(2026, 11, 27)),
        ("thursday", date(2026, 12, 3)),  # the next one, not today
        ("next mon", date(2026, 11, 30)),
        ("in 6 weeks", date(2027, 1, 7)),
        ("in 3 days", date(2026, 11, 29)),
        ("in 6 months", date(2027, 5, 26)),
        ("in 3 months", date(2027, 2, 26)),
        ("next week", date(2026, 12, 3)),
        ("eow", date(2026, 11, 29)),
        ("eom", date(2026, 11, 30)),
        ("tomorrow", date(2026, 11, 27)),
        ("2027-06-30", date(2027, 6, 30)),
    ],
)
def test_by_reads_the_deadlines_people_name(text: str, day: date) -> None:
    assert dates.parse_by(text, NOW.date()) == day


def test_every_refusal_says_why() -> None:
    today = r"--by 'today' \(2026-11-26\) is not after today"
    with pytest.raises(rules.Invalid, match=today):
        dates.parse_by("today", NOW.date())
    with pytest.raises(
        rules.Invalid, match=r"--by '30/06/2027' is not a date; use e\.g\. 2027-06-30"
    ):
        dates.parse_by("30/06/2027", NOW.date())
    with pytest.raises(rules.Invalid, match=r"is after 2100, the last year supported"):
        dates.parse_by("3000-01-01", NOW.date())
    with pytest.raises(ValueError, match=r"'tomorrow' \(2026-11-27\) is in the future"):
        dates.parse_when("tomorrow", NOW)
    with pytest.raises(ValueError, match=r"'30/06/2027' is not a date; use e\.g\. 2026-11-20"):
        dates.parse_when("30/06/2027", NOW)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("1 day ago", date(2026, 11, 25)),
        ("3 days ago", date(2026, 11, 23)),
        (" 40  Days Ago ", date(2026, 10, 17)),  # across a month
        ("a day ago", date(2026, 11, 25)),
        ("2 weeks ago", date(2026, 11, 12)),
        ("one week ago", date(2026, 11, 19)),
        ("0 days ago", date(2026, 11, 26)),
    ],
)
def test_days_counted_back_mean_the_start_of_that_day(text: str, day: date) -> None:
    assert dates.parse_when(text, NOW) == datetime.combine(day, time(), UTC)
    far = dates.parse_when("366 days ago", datetime(2028, 3, 1, 9, tzinfo=UTC))  # leap year
    assert far == datetime(2027, 3, 1, tzinfo=UTC)


# --- streaks -------------------------------------------------------------------------------


def test_streaks_across_a_month_end() -> None:
    days = {date(2026, 10, 30), date(2026, 10, 31), date(2026, 11, 1), date(2026, 11, 2)}
    assert pace.streaks(days, date(2026, 11, 2)) == pace.Streaks(4, 4)
    assert pace.streaks(days, date(2026, 11, 3)) == pace.Streaks(4, 4)  # today not yet
    assert pace.streaks(days, date(2026, 11, 4)) == pace.Streaks(0, 4)  # broken
    days |= {date(2026, 12, 31), date(2027, 1, 1)}
    assert pace.streaks(days, date(2027, 1, 1)) == pace.Streaks(2, 4)


def test_the_day_summary_follows_every_change_and_undo() -> None:
    s = ops.log_time(State(), RID, "foundations", Session(T0 := NOW - timedelta(days=3), 45)).state
    s = ops.add_note(s, RID, "foundations", ops.Note(T0, "n"), T0).state
    s = ops.mark_done(s, RID, "foundations", NOW).state
    store = stored(s)
    day, today = T0.date().isoformat(), NOW.date().isoformat()
    assert store.load().days == {RID: {day: (45, 2), today: (0, 1)}}
    store.undo()
    store.undo()
    assert store.load().days == {RID: {day: (45, 1)}}
    store.undo()
    assert store.load().days == {}


# --- projection ----------------------------------------------------------------------------


def _logged(days_ago: list[int], minutes: int = 60) -> State:
    """Study time logged so many days ago, as the database reads it back."""
    state = State()
    for n in days_ago:
        on = NOW - timedelta(days=n)
        state = ops.log_time(state, RID, "foundations", Session(on, minutes)).state
    return stored(state).load()


def test_no_projection_without_history() -> None:
    projection = pace.project(ROADMAP, State(), NOW)
    assert projection.finish is None and "no study time" in (projection.reason or "")
    assert projection.remaining_hours == 830


def test_no_projection_with_little_history() -> None:
    projection = pace.project(ROADMAP, _logged([5, 3, 1]), NOW)
    assert projection.finish is None
    # from the first logged day (5 days ago) to today, both counted
    assert projection.reason == "14 days of logged time needed, 6 so far"


def test_steady_history_projects_a_finish_date() -> None:
    # 5 h a week for six weeks: the pace is taken over the last four weeks
    state = _logged([d for d in range(42) if d % 7 in (0, 1, 2, 3, 4)])
    projection = pace.project(ROADMAP, state, NOW)
    assert projection.pace_hours_per_week == pytest.approx(5.0)
    assert projection.remaining_hours == pytest.approx(830 - 30)
    assert projection.finish == NOW.date() + timedelta(weeks=800 / 5)


def test_finished_and_skipped_topics_need_no_more_time() -> None:
    state = State()
    for topic in ROADMAP.topics:
        state = ops.mark_done(state, RID, topic.id, NOW).state
    assert pace.remaining_hours(ROADMAP, state) == (0.0, 0)


# --- review --------------------------------------------------------------------------------


def test_a_review_is_scheduled_as_fsrs_schedules_the_grades() -> None:
    done_at = datetime(2026, 1, 1, tzinfo=UTC)
    state = ops.mark_done(State(), RID, "foundations", done_at).state
    history = [(done_at, "good")]
    for days, grade in [(3, "hard"), (20, "good"), (70, "again"), (75, "easy"), (200, "good")]:
        memory = recall.memory(state.topic(RID, "foundations"))
        assert memory is not None and memory.due == fsrs_due(*history)
        moment = done_at + timedelta(days=days)
        state = ops.review(state, RID, "foundations", moment, ops.Grade(grade)).state
        history.append((moment, grade))
    memory = recall.memory(state.topic(RID, "foundations"))
    assert memory is not None and memory.due == fsrs_due(*history)
    assert memory.reviews == 5 and memory.last == ops.Recall(history[-1][0], ops.Grade.GOOD)


def test_a_better_grade_puts_the_next_review_further_out() -> None:
    done_at = datetime(2026, 1, 1, tzinfo=UTC)
    state = ops.mark_done(State(), RID, "foundations", done_at).state
    dues = []
    for grade in ops.Grade:  # again, hard, good, easy
        graded = ops.review(state, RID, "foundations", done_at + timedelta(days=5), grade).state
        memory = recall.memory(graded.topic(RID, "foundations"))
        assert memory is not None
        dues.append(memory.due)
    assert dues == sorted(dues) and len(set(dues)) == 4


def test_a_lower_retention_puts_reviews_further_out() -> None:
    state = ops.mark_done(State(), RID, "foundations", NOW - timedelta(days=30)).state
    progress = state.topic(RID, "foundations")
    at_90, at_80 = recall.memory(progress, 0.9), recall.memory(progress, 0.8)
    assert at_90 is not None and at_80 is not None and at_80.due > at_90.due


def test_reviews_due_lists_the_oldest_first_and_only_done_topics() -> None:
    state = ops.mark_done(State(), RID, "algorithms", NOW - timedelta(days=8)).state
    state = ops.mark_done(state, RID, "foundations", NOW - timedelta(days=20)).state
    state = ops.mark_done(state, RID, "deep-learning", NOW - timedelta(days=1)).state
    state = ops.start(state, RID, "production-ml", NOW - timedelta(days=30)).state
    due = pace.reviews_due(ROADMAP, pace.schedules_of(ROADMAP, state), NOW)
    assert [r.topic.id for r in due] == ["foundations", "algorithms"]


def test_finishing_again_restarts_the_schedule() -> None:
    first = datetime(2026, 1, 1, tzinfo=UTC)
    state = ops.mark_done(State(), RID, "foundations", first).state
    state = ops.review(state, RID, "foundations", first + timedelta(days=7)).state
    state = ops.reset(state, RID, "foundations", first + timedelta(days=50)).state
    again = first + timedelta(days=60)
    state = ops.mark_done(state, RID, "foundations", again).state
    memory = recall.memory(state.topic(RID, "foundations"))  # the earlier review does not count
    assert memory is not None and (memory.due, memory.reviews) == (fsrs_due((again, "good")), 0)


def test_undo_reverts_a_log_entry_and_a_review() -> None:
    state = ops.mark_done(State(), RID, "foundations", NOW - timedelta(days=9)).state
    logged = ops.log_time(state, RID, "foundations", Session(NOW, 30, "ch. 2")).state
    assert same_progress(undone(logged)[0], state)
    reviewed = ops.review(state, RID, "foundations", NOW).state
    assert same_progress(undone(reviewed)[0], state)


def test_logging_time_on_a_new_topic_starts_it() -> None:
    outcome = ops.log_time(State(), RID, "deep-learning", Session(NOW, 45))
    progress = outcome.progress
    assert progress.status is Status.IN_PROGRESS and progress.started_at == NOW
    assert progress.minutes == 45


# --- through the command line ----------------------------------------------------------------


def _ago(days: int) -> str:
    return days_ago(days)


def test_done_when_scenario(run: Run) -> None:
    for days, topic, duration in [
        (30, "foundations", "2h"),
        (27, "foundations", "1h30m"),
        (23, "foundations", "90"),
        (20, "foundations", "2h"),
        (16, "algorithms", "1.5h"),
        (13, "foundations", "2h"),
        (9, "algorithms", "45m"),
        (8, "foundations", "1h"),
        (2, "deep-learning", "2h"),
        (1, "deep-learning", "1h"),
    ]:
        assert run("log", topic, duration, "--on", _ago(days)).exit_code == 0
    assert run("done", "foundations", "--on", _ago(8)).exit_code == 0
    assert run("done", "algorithms", "--on", _ago(1)).exit_code == 0

    shown = run("progress")
    assert shown.exit_code == 0
    assert re.search(r"Machine Learning .* 13h", shown.stdout)
    assert "Streak: 2 days" in shown.stdout
    assert "Projected finish: 20" in shown.stdout
    data = json.loads(run("progress", "--json").stdout)
    assert data["overall"]["hours"] == pytest.approx(15.25)
    assert data["projection"]["finish"] is not None
    assert data["reviews_due"] == ["foundations"]

    due = run("review").stdout
    assert "Foundations" in due and "algorithms" not in due
    assert "The Elements of Statistical Learning" in due
    reviewed = run("reviewed", "foundations")
    assert reviewed.exit_code == 0
    finished = datetime.combine(TODAY - timedelta(days=8), time(), UTC)
    next_date = fsrs_due((finished, "good"), (CLOCK, "good")).date().isoformat()
    assert f"next review on {next_date}" in reviewed.stdout
    assert "No review is due" in run("review").stdout
    assert run("undo").stdout.startswith("Undid: reviewed foundations")
    assert "Foundations" in run("review").stdout


def test_log_refuses_bad_durations_and_future_dates(run: Run, state_file: Path) -> None:
    for args in (
        ("log", "dl", "0"),
        ("log", "dl", "25h"),
        ("log", "dl", "soon"),
        ("log", "dl", "1h", "--on", "2999-01-01"),
        ("done", "dl", "--on", "tomorrow"),
    ):
        result = run(*args)
        assert result.exit_code == 2, args
        assert "Traceback" not in result.stderr
    assert not state_file.exists()
    assert "e.g. 45m, 1h30m" in run("log", "dl", "0").stderr


def test_reviewed_needs_a_done_topic(run: Run) -> None:
    result = run("reviewed", "foundations")
    assert result.exit_code == 1 and "not done" in result.stderr


def test_log_moves_a_new_topic_to_in_progress_and_stats_shows_it(run: Run) -> None:
    out = run("log", "nlp", "1h", "--note", "attention paper").stdout
    assert "it is now in progress" in out
    stats = json.loads(run("stats", "--json").stdout)
    nlp = next(t for t in stats["topics"] if t["id"] == "nlp-transformers")
    assert nlp == {
        "id": "nlp-transformers",
        "title": "NLP and Transformer models",
        "status": "in-progress",
        "hours": 1.0,
        "estimate_hours": 120,
    }
    assert stats["weeks"][-1]["hours"] == 1.0
    text = run("stats").stdout
    assert "nlp-transformers" in text and "1h" in text and "120h" in text


def test_next_mentions_reviews_due(run: Run) -> None:
    run("done", "foundations", "--on", _ago(10))
    assert "Reviews due: 1 (foundations)" in run("next").stdout
    assert json.loads(run("next", "--json").stdout)["reviews_due"] == 1


def test_a_finished_path_says_finished_with_the_date(run: Run) -> None:
    for topic in ("foundations", "algorithms", "deep-learning", "engineering-practices"):
        run("done", topic, "--on", _ago(3))
    run("done", "advanced-engineering", "--on", _ago(2))
    assert "Projected finish" in run("progress").stdout
    run("done", "production-ml", "--on", _ago(1))
    run("skip", "nlp")
    shown = run("progress").stdout
    assert f"Finished: {_ago(1)}, every topic done or skipped." in shown
    assert "Projected finish" not in shown
    projection = json.loads(run("progress", "--json").stdout)["projection"]
    assert projection["finished"] is True and projection["finish"] == _ago(1)
