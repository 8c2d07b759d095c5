"""A command's outputs are functions of its result: a result made by hand, with no
roadmap and no state behind it, is said the same way by the terminal view, the JSON
document and the Markdown checklist."""

from __future__ import annotations

import dataclasses
import io
import json
from datetime import timedelta

import pytest

from conftest import NOW
from mlpath.core.progress import Status, Summary, Tally, TopicProgress
from mlpath.core.results import Entry, ListResult, PathInfo, Standing
from mlpath.core.results.topics import NextItem, NextResult, ShowResult
from mlpath.core.roadmap import Area, Practice, Resource, Topic
from mlpath.render import text, views

PATH = PathInfo("made-up", "A path made by hand", 2, "", choices=False)
AREA = Area("basics", "Basics", "The ground.")
TOPIC = Topic(
    "probability",
    "basics",
    "Probability",
    "Reasoning under uncertainty.",
    practice=Practice("Work the exercises."),
    resources=(Resource("book", "Think Stats", "book", "Allen Downey", "https://example.org/ts"),),
)
DONE = TopicProgress(
    Status.DONE,
    started_at=NOW - timedelta(days=9),
    done_at=NOW - timedelta(days=2),
    checked={"book": NOW - timedelta(days=3)},
    minutes=90,
)
ENTRY = Entry(1, TOPIC, AREA, DONE, optional=False, choice=None)


def _screen(renderable: object, width: int = 80) -> str:
    console = views.console()
    console.file = io.StringIO()
    console.width = width
    console.print(renderable)
    return console.file.getvalue()


def test_show_says_what_its_result_holds_and_nothing_else() -> None:
    result = ShowResult(PATH, ENTRY, requires=(("counting", Status.IN_PROGRESS),))
    screen = _screen(views.show_view(result), 120)
    document = text.show_json(result)
    assert "Probability  [probability]" in screen
    assert "Checked: 1 of 2" in screen  # the book checked, the practice not
    assert "Time logged: 1h30m" in screen
    assert "counting (▶ in progress)" in screen
    topic = document["topic"]
    assert topic["status"] == "done" and topic["minutes_logged"] == 90
    assert topic["requires"] == [{"id": "counting", "status": "in-progress"}]
    assert [r["checked_at"] is not None for r in topic["resources"]] == [True]
    assert topic["practice"]["checked_at"] is None


def test_a_result_is_frozen() -> None:
    result = ShowResult(PATH, ENTRY, requires=())
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.next_up = True  # type: ignore[misc]


def test_list_json_and_view_show_the_same_selection() -> None:
    other = dataclasses.replace(
        ENTRY, number=2, topic=dataclasses.replace(TOPIC, id="stats", title="Statistics")
    )
    other = dataclasses.replace(other, progress=TopicProgress())
    summary = Summary(Tally(1, 2), [("basics", Tally(1, 2))], [], [], [], [], None, 0)
    standing = Standing(PATH, (AREA,), (ENTRY, other), (), summary)
    result = ListResult(standing, frozenset({"stats"}))
    screen = _screen(views.list_view(result))
    document = json.loads(json.dumps(text.list_json(result)))
    assert "stats" in screen and "probability" not in screen
    assert "Showing 1 of 2 topics." in screen
    assert "1 of 2 topics done (50%)." in screen
    assert [t["id"] for a in document["areas"] for t in a["topics"]] == ["stats"]
    assert document["done"] == 1 and document["total"] == 2


def test_next_says_why_from_the_result() -> None:
    started = dataclasses.replace(
        ENTRY, progress=TopicProgress(Status.IN_PROGRESS, started_at=NOW - timedelta(days=1))
    )
    result = NextResult(PATH, (NextItem(started),))
    screen = _screen(views.next_view(result), 120)
    document = text.next_json(result)
    why = document["topics"][0]["why"]
    assert why.startswith("you started it on ") and why.endswith("; finish it first.")
    assert "Why now: " + why in screen
    assert document["reviews_due"] == 0 and document["goal"] is None


def test_a_link_moves_left_rather_than_run_past_the_width() -> None:
    """A note's link sits under the note's text; where that would push it past the
    width it moves left, and is still one whole line."""
    from mlpath.core.progress import Note

    url = "https://example.org/" + "a/" * 18  # 56 characters: fits 60 columns from 4
    noted = dataclasses.replace(
        ENTRY, progress=dataclasses.replace(DONE, notes=(Note(NOW, f"read {url} twice"),))
    )
    screen = _screen(views.show_view(ShowResult(PATH, noted, requires=())), 60)
    lines = [line.rstrip() for line in screen.splitlines()]
    assert any(line.strip() == url for line in lines), screen
    assert max(len(line) for line in lines) <= 60, screen
