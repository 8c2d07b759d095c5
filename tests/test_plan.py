"""mlpath plan and goal: the weeks ahead, a calendar file, and a date to finish by."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from conftest import TODAY, Result

Run = Callable[..., Result]

ESTIMATES = {  # the bundled roadmap's estimate_hours
    "foundations": 150,
    "deep-learning": 150,
    "nlp-transformers": 120,
    "algorithms": 150,
    "engineering-practices": 60,
    "advanced-engineering": 80,
    "production-ml": 120,
}


def _learner(run: Run) -> None:
    """Two topics done, one in progress with time logged, one skipped."""
    run("done", "foundations")
    run("done", "algorithms")
    run("start", "deep-learning")
    run("log", "deep-learning", "10h")
    run("skip", "nlp")


def _plan(run: Run, *args: str) -> dict[str, Any]:
    result = run("plan", *args, "--json")
    assert result.exit_code == 0, result.stderr
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def test_plan_lays_out_what_is_left_prerequisites_first(run: Run) -> None:
    _learner(run)
    plan = _plan(run, "--hours-per-week", "10")
    topics = plan["topics"]
    assert isinstance(topics, list)
    ids = [t["id"] for t in topics]
    # done and skipped topics are not planned; deep learning before production ML needs it
    assert ids == [
        "deep-learning",
        "engineering-practices",
        "advanced-engineering",
        "production-ml",
    ]
    hours = {t["id"]: t["hours"] for t in topics}
    assert hours["deep-learning"] == ESTIMATES["deep-learning"] - 10  # the time logged
    total = sum(hours.values())
    assert plan["total_hours"] == total == 140 + 60 + 80 + 120
    weeks = plan["weeks"]
    assert isinstance(weeks, list)
    assert len(weeks) == 40 and all(w["hours"] == 10 for w in weeks)
    assert sum(w["hours"] for w in weeks) == total
    today = TODAY
    assert plan["finish"] == (today + timedelta(days=40 * 7 - 1)).isoformat()
    shown = run("plan", "--hours-per-week", "10").stdout
    assert "400 h on 4 topics at 10 h a week" in shown and "in 40 weeks" in shown
    assert "1-14" in shown and "deep-learning (140 h)" in shown  # weeks taken together


def test_a_date_gives_the_hours_a_week_or_says_it_is_out_of_reach(run: Run) -> None:
    _learner(run)
    by = TODAY + timedelta(weeks=20)
    plan = _plan(run, "--by", by.isoformat())
    rate = plan["hours_per_week"]
    assert isinstance(rate, float | int) and rate == 20  # 400 h in 20 weeks
    assert plan["reachable"] is True and str(plan["finish"]) <= by.isoformat()
    shown = run("plan", "--by", by.isoformat()).stdout
    assert f"To finish by {by.isoformat()}: 20 h a week." in shown
    soon = TODAY + timedelta(weeks=4)  # 29 days, both ends counted: 97 h a week
    rushed = _plan(run, "--by", soon.isoformat())
    assert rushed["reachable"] is False and rushed["hours_per_week"] == 40
    assert (
        "is out of reach: it would take 97 h a week" in run("plan", "--by", soon.isoformat()).stdout
    )


def test_plan_refuses_what_it_cannot_use(run: Run) -> None:
    both = run("plan", "--hours-per-week", "5", "--by", "2099-01-01")
    assert both.exit_code == 2 and "not both" in both.stderr
    past = run("plan", "--by", "2020-01-01")
    assert past.exit_code == 2 and "is not after today" in past.stderr
    unsure = run("plan")
    assert unsure.exit_code == 2 and "--hours-per-week HOURS or --by" in unsure.stderr
    days = run("plan", "--hours-per-week", "5", "--ics", "x.ics", "--days", "funday")
    assert days.exit_code == 2 and "--days" in days.stderr


def test_a_choice_is_planned_with_one_option(run: Run, tmp_path: Path) -> None:
    data: dict[str, Any] = {
        "schema": 2,
        "id": "cloud",
        "title": "Cloud",
        "areas": [{"id": "a", "title": "A", "summary": "A."}],
        "topics": [
            {"id": t, "area": "a", "title": t.upper(), "summary": "S.", "estimate_hours": h}
            for t, h in (("basics", 10), ("aws", 30), ("gcp", 20), ("deploy", 5))
        ],
        "groups": [{"id": "provider", "title": "One provider", "topics": ["aws", "gcp"]}],
    }
    data["topics"][3]["requires"] = ["provider"]
    path = tmp_path / "cloud.toml"
    path.write_text(tomli_w.dumps(data), encoding="utf-8")
    m = ("--roadmap", str(path))
    first = json.loads(run(*m, "plan", "--hours-per-week", "5", "--json").stdout)
    assert [t["id"] for t in first["topics"]] == ["basics", "aws", "deploy"]  # one provider
    run(*m, "start", "gcp")
    second = json.loads(run(*m, "plan", "--hours-per-week", "5", "--json").stdout)
    assert [t["id"] for t in second["topics"]] == ["basics", "gcp", "deploy"]


def test_the_calendar_file_reads_back_with_the_same_events(run: Run, tmp_path: Path) -> None:
    from icalendar import Calendar

    _learner(run)
    out = tmp_path / "plan.ics"
    by = TODAY + timedelta(weeks=20)
    made = run(
        "plan", "--by", by.isoformat(), "--ics", str(out), "--days", "mon,wed,sat", "--at", "07:30"
    )
    assert made.exit_code == 0, made.stderr
    assert "study blocks and 2 reviews" in made.stdout  # foundations and algorithms
    calendar = Calendar.from_ical(out.read_bytes())
    events = list(calendar.walk("VEVENT"))
    study = [e for e in events if str(e.get("summary")).startswith("Study: ")]
    reviews = [e for e in events if str(e.get("summary")).startswith("Review: ")]
    assert len(reviews) == 2 and len(study) + 2 == len(events)
    minutes = sum((e.decoded("dtend") - e.decoded("dtstart")).total_seconds() / 60 for e in study)
    assert minutes == 400 * 60  # every planned hour, no more
    for event in study:
        start = event.decoded("dtstart").astimezone()
        assert start.weekday() in (0, 2, 5)
    first_of_days: dict[date, datetime] = {}
    for event in study:
        start = event.decoded("dtstart").astimezone()
        first_of_days.setdefault(start.date(), start)
    assert {s.time().isoformat() for s in first_of_days.values()} == {"07:30:00"}
    assert len({str(e.get("uid")) for e in events}) == len(events)  # unique ids
    assert run("plan", "--by", by.isoformat(), "--ics", str(out)).exit_code == 1  # --force


def test_a_goal_says_on_track_or_behind(run: Run, mlpath_home: Path) -> None:
    _learner(run)
    by = TODAY + timedelta(weeks=20)
    set_goal = run("goal", "--by", by.isoformat())
    assert set_goal.exit_code == 0, set_goal.stderr
    assert "on track" in set_goal.stdout and "20 h a week from now gets there" in set_goal.stdout
    assert "Goal: finish by" in run("progress").stdout and "on track" in run("next").stdout
    progress = json.loads(run("progress", "--json").stdout)
    assert progress["goal"]["on_track"] is True and progress["goal"]["hours_left"] == 400
    # the same goal, set ten weeks ago with as many hours left: half the time is gone
    config = mlpath_home / "config.toml"
    set_on = TODAY - timedelta(weeks=10)
    config.write_text(
        tomli_w.dumps({"goals": {"ml-engineer": {"by": by, "set_on": set_on, "hours": 400.0}}}),
        encoding="utf-8",
    )
    behind = json.loads(run("progress", "--json").stdout)["goal"]
    assert behind["on_track"] is False and behind["ahead_hours"] == -133.3
    assert "behind by 133.3 h" in run("progress").stdout
    assert json.loads(run("next", "--json").stdout)["goal"]["on_track"] is False
    # plan without options aims at the goal's date
    assert _plan(run)["by"] == by.isoformat()
    assert "No goal for" in run("goal", "--clear").stdout
    assert json.loads(run("progress", "--json").stdout)["goal"] is None


def test_a_goal_date_must_be_ahead(run: Run) -> None:
    refused = run("goal", "--by", TODAY.isoformat())
    assert refused.exit_code == 2 and "is not after today" in refused.stderr
    assert "No goal set" in run("goal").stdout


def test_the_plan_keeps_every_id_whole_at_40_columns(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    _learner(run)
    monkeypatch.setenv("COLUMNS", "40")
    shown = run("plan", "--hours-per-week", "10").stdout
    assert max(len(line) for line in shown.splitlines()) <= 40
    for topic_id in ("deep-learning", "engineering-practices", "advanced-engineering"):
        assert topic_id in shown
    assert "from" not in shown.splitlines()[3]  # the dates' column gives way to the topics


def test_dates_are_read_as_people_type_them(run: Run) -> None:
    # the clock of the tests is Tuesday 2026-12-01
    assert "2026-12-04" in run("goal", "--by", "friday").stdout
    assert "2027-06-01" in run("goal", "--by", "in 6 months").stdout
    bad = run("goal", "--by", "30/06/2027")
    assert bad.exit_code == 2
    assert "--by '30/06/2027' is not a date; use e.g. 2027-06-30, friday" in bad.stderr
    assert run("done", "foundations", "--on", "3 days ago").exit_code == 0
    shown = json.loads(run("show", "foundations", "--json").stdout)["topic"]
    assert shown["done_at"].startswith("2026-11-28")
    future = run("start", "dl", "--on", "tomorrow")
    assert future.exit_code == 2
    assert "'tomorrow' (2026-12-02) is in the future; record what has happened." in future.stderr
    assert run("start", "dl", "--on", "monday").exit_code == 0  # the last Monday
    started = json.loads(run("show", "dl", "--json").stdout)["topic"]["started_at"]
    assert started.startswith("2026-11-30")


def test_calendar_days_hold_at_most_the_daily_cap_and_never_run_past_midnight(
    run: Run, tmp_path: Path
) -> None:
    from icalendar import Calendar

    _learner(run)
    out = tmp_path / "p.ics"
    made = run(
        "plan", "--by", "in 26 weeks", "--ics", str(out), "--days", "mon,wed", "--at", "22:00"
    )
    assert made.exit_code == 0, made.stderr
    said = " ".join(made.stdout.split())
    assert "Your study days hold 4 h a week (at most 2 h a day from 22:00" in said
    assert "To finish by 2027-06-01, add days (--days)" in said
    study = [
        e
        for e in Calendar.from_ical(out.read_bytes()).walk("VEVENT")
        if str(e.get("summary")).startswith("Study")
    ]
    per_day: dict[date, float] = {}
    for event in study:
        start, end = event.decoded("dtstart").astimezone(), event.decoded("dtend").astimezone()
        assert end.date() == start.date() or (end.hour, end.minute) == (0, 0)  # not past 24:00
        per_day[start.date()] = per_day.get(start.date(), 0) + (end - start).seconds / 3600
    assert max(per_day.values()) <= 2
    minutes = sum((e.decoded("dtend") - e.decoded("dtstart")).seconds / 60 for e in study)
    assert minutes == 400 * 60  # every planned hour, on later weeks when need be
    capped = run(
        "plan", "--hours-per-week", "3", "--ics", str(out), "--force", "--max-per-day", "1"
    )
    assert capped.exit_code == 0 and "Your study days hold" not in capped.stdout


def test_a_goal_out_of_reach_is_not_called_on_track(run: Run) -> None:
    said = run("goal", "--by", "friday").stdout  # 4 days for every estimated hour
    assert "out of reach: it would take" in said and "on track" not in said
    assert "Set a later date with 'mlpath goal --by DATE'." in said
