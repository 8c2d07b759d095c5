"""Statuses, resource checks, notes, undo and history through the command line."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import Result, db_rows

Run = Callable[..., Result]


def test_done_when_scenario(run: Run, state_file: Path) -> None:
    assert run("start", "deep-learning").exit_code == 0
    after_start = db_rows(state_file)
    assert run("done", "deep-learning", "book").exit_code == 0
    after_check = db_rows(state_file)
    note = run(
        "note", "deep-learning", "--link", "https://github.com/example/mlp", "MLP from scratch"
    )
    assert note.exit_code == 0
    after_note = db_rows(state_file)
    assert run("skip", "nlp").exit_code == 0

    progress = run("progress").stdout
    assert "0 of 6 topics done (0%), 1 in progress; 1 skipped, not counted." in progress
    assert "Skipped (not counted): NLP and Transformer models (nlp-transformers)" in progress
    assert "In progress: Deep learning (deep-learning)" in progress

    undo = run("undo")
    assert undo.stdout.startswith("Undid: skipped nlp-transformers")
    assert db_rows(state_file) == after_note
    undo = run("undo")
    assert undo.stdout.startswith('Undid: added a note to deep-learning: "MLP from scratch"')
    assert db_rows(state_file) == after_check
    undo = run("undo")
    assert undo.stdout.startswith("Undid: checked deep-learning-book of deep-learning")
    assert db_rows(state_file) == after_start
    topic = json.loads(run("show", "deep-learning", "--json").stdout)["topic"]
    assert topic["status"] == "in-progress" and topic["notes"] == []


def test_every_write_prints_one_line(run: Run) -> None:
    for args in (
        ("start", "algorithms"),
        ("done", "algorithms", "clrs"),
        ("done", "algorithms", "--all"),
        ("note", "algorithms", "did 20 problems"),
        ("reset", "algorithms", "leetcode"),
        ("skip", "algorithms"),
        ("reset", "algorithms"),
        ("undo",),
    ):
        result = run(*args)
        assert result.exit_code == 0, (args, result.stderr)
        assert result.stdout.count("\n") == 1, (args, result.stdout)


def test_checking_the_last_item_marks_the_topic_done(run: Run) -> None:
    run("done", "deep-learning", "practice")
    run("done", "deep-learning", "book")
    last = run("done", "deep-learning", "course")
    assert "all 3 items are checked, so it is now done" in last.stdout
    shown = run("show", "deep-learning").stdout
    assert "✓ done" in shown
    assert shown.count("[x]") == 3


def test_resource_by_kind_must_be_unambiguous(run: Run, state_file: Path) -> None:
    result = run("done", "foundations", "course")
    assert result.exit_code == 2
    assert "2 resources of kind 'course'" in result.stderr
    assert "mml-linear-algebra" in result.stderr and "ng-machine-learning" in result.stderr
    assert not state_file.exists()


def test_unknown_resource_lists_the_topics_resources(run: Run, state_file: Path) -> None:
    run("start", "deep-learning")
    before = db_rows(state_file)
    result = run("done", "deep-learning", "video")
    assert result.exit_code == 2
    assert "deep-learning has no resource 'video'" in result.stderr
    for item in ("practice", "deep-learning-book", "fastai"):
        assert item in result.stderr
    assert db_rows(state_file) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("note", "deep-learning", "   "), "a note needs some text"),
        (
            ("note", "deep-learning", "--link", "javascript:alert(1)", "x"),
            "is not an accepted link",
        ),
        (("note", "deep-learning", "--link", "file:///etc/passwd", "x"), "is not an accepted link"),
        (("note", "deep-learning", "--link", "https://", "x"), "is not an accepted link"),
        (("done", "deep-learning", "book", "--all"), "not both"),
    ],
)
def test_bad_input_exits_2_and_changes_nothing(
    run: Run, state_file: Path, args: tuple[str, ...], message: str
) -> None:
    run("start", "deep-learning")
    before = db_rows(state_file)
    result = run(*args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert db_rows(state_file) == before


def test_notes_are_listed_newest_first_with_links(run: Run) -> None:
    run("note", "dl", "first")
    run("note", "dl", "--link", "https://github.com/example/mlp", "second")
    shown = run("show", "dl").stdout.split("Notes (newest first)")[1]
    assert shown.index("second") < shown.index("first")
    assert "https://github.com/example/mlp" in shown
    notes = json.loads(run("show", "dl", "--json").stdout)["topic"]["notes"]
    assert [n["text"] for n in notes] == ["second", "first"]


def test_reset_keeps_notes_and_is_undoable(run: Run) -> None:
    run("done", "dl", "book")
    run("note", "dl", "keep me")
    result = run("reset", "dl")
    assert "kept 1 note" in result.stdout
    topic = json.loads(run("show", "dl", "--json").stdout)["topic"]
    assert topic["status"] == "not-started" and topic["notes"][0]["text"] == "keep me"
    assert all(r["checked_at"] is None for r in topic["resources"])
    run("undo")
    topic = json.loads(run("show", "dl", "--json").stdout)["topic"]
    assert topic["status"] == "in-progress"
    assert topic["resources"][0]["checked_at"] is not None


def test_undo_with_nothing_left(run: Run) -> None:
    result = run("undo")
    assert result.exit_code == 0
    assert result.stdout == "Nothing to undo.\n"


def test_history_lists_newest_first_and_filters(run: Run) -> None:
    run("start", "foundations")
    run("done", "foundations")
    run("start", "algorithms")
    listed = run("history").stdout
    assert listed.index("started algorithms") < listed.index("marked foundations as done")
    assert listed.index("marked foundations as done") < listed.index("started foundations")
    one = run("history", "-n", "1").stdout
    assert "started algorithms" in one and "foundations" not in one
    only = json.loads(run("history", "--topic", "foundations", "--json").stdout)
    assert [c["action"] for c in only["changes"]] == ["done", "start"]
    assert run("history", "-n", "0").exit_code == 2


def test_start_warns_about_missing_prerequisites(run: Run) -> None:
    result = run("start", "production-ml")
    assert result.exit_code == 0
    assert result.stdout == "Started Production ML (production-ml).\n"
    assert "deep-learning, engineering-practices, advanced-engineering" in result.stderr


def test_list_and_show_show_each_status(run: Run) -> None:
    run("start", "foundations")
    run("done", "algorithms")
    run("skip", "nlp")
    listing = run("list").stdout
    assert "▶ in progress" in listing and "✓ done" in listing and "↷ skipped" in listing
    assert "1 of 6 topics done (17%), 1 in progress; 1 skipped, not counted." in listing
    assert "↷ skipped since" in run("show", "nlp").stdout


def test_format_1_state_keeps_working(run: Run, legacy_file: Path) -> None:
    legacy_file.parent.mkdir(parents=True)
    fixture = Path(__file__).parent / "fixtures" / "state-v1.toml"
    legacy_file.write_bytes(fixture.read_bytes())
    assert "✓ done" in run("show", "foundations").stdout
    progress = run("progress")
    assert "1 of 7 topics done" in progress.stdout
    assert "Kept: 1 progress entry" in progress.stdout  # old-topic is not in the roadmap


def test_reset_keeps_logged_study_time(run: Run) -> None:
    run("log", "dl", "1h30m")
    run("note", "dl", "chapter 6")
    result = run("reset", "dl")
    assert "kept 1 note and 1h30m of logged study time" in result.stdout
    stats = json.loads(run("stats", "--json").stdout)
    assert next(t for t in stats["topics"] if t["id"] == "deep-learning")["hours"] == 1.5
    assert json.loads(run("show", "dl", "--json").stdout)["topic"]["status"] == "not-started"


def test_done_notes_unfinished_prerequisites_as_start_does(run: Run) -> None:
    for command in (("done", "deep-learning"), ("start", "production-ml")):
        result = run(*command)
        assert result.exit_code == 0 and "builds on" in result.stderr, command
    checked = run("done", "advanced-engineering", "--all")
    assert checked.exit_code == 0 and "builds on algorithms" in checked.stderr
    run("done", "algorithms")
    assert "builds on" not in run("done", "engineering-practices").stderr  # algorithms is done
