"""``mlpath browse``, the full-screen app: every key and form driven through Textual's
Pilot against a real database, the main screens as reviewed SVG snapshots, and the
installed program driven in tmux as a learner would."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from conftest import NOW
from mlpath.cli.tui import Browse, RoadmapTree, tree_nodes
from mlpath.core import progress as ops
from mlpath.core.progress import Note, Status
from mlpath.storage.database import Store
from mlpath.storage.roadmap_files import bundled_roadmap_path, load_roadmap

ROADMAP = load_roadmap(bundled_roadmap_path())
RID = ROADMAP.id


def _app(roadmap: Any = ROADMAP) -> Browse:
    return Browse(roadmap, Store(clock=lambda: NOW), lambda: NOW, 0.9)


def _drive(app: Browse, steps: Callable[[Any], Awaitable[None]], size: tuple[int, int]) -> None:
    async def main() -> None:
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            await steps(pilot)
            await pilot.pause()

    asyncio.run(main())


async def _fill(pilot: Any, key: str, *values: str) -> None:
    """Open a form with ``key``, put ``values`` in its fields, and submit it with enter
    in the last one (typing them key by key is slow and tests nothing more)."""
    from textual.widgets import Input

    await pilot.press(key)
    await _until(pilot, lambda: type(pilot.app.screen).__name__ == "Form")
    fields = list(pilot.app.screen.query(Input))
    for field, value in zip(fields, values, strict=True):
        field.value = value
    fields[-1].focus()
    await pilot.press("enter")
    await pilot.pause()


def _status(topic: str) -> Status:
    return Store().load().topic(RID, topic).status


def _notes(topic: str) -> tuple[Note, ...]:
    return Store().load(full=True).topic(RID, topic).notes


async def _until(pilot: Any, condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Let the app run until ``condition`` holds; fail (never hang) after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the app never got there"
        await pilot.pause(0.02)


def _go(topic: str) -> Callable[[Any], Awaitable[None]]:
    """Filter the tree to ``topic``'s words and open it (what / ... enter does)."""

    async def steps(pilot: Any) -> None:
        words = ["space" if c == " " else c for c in topic.replace("-", " ")]
        await pilot.press("slash", *words, "enter")
        tree = pilot.app.query_one("#tree")
        await _until(pilot, lambda: getattr(tree.cursor_node, "data", None) == ("topic", topic))

    return steps


def test_filter_and_enter_select_a_topic(mlpath_home: Path) -> None:
    app = _app()

    async def steps(pilot: Any) -> None:
        await pilot.press("slash", "d", "e", "e", "p", "enter")
        assert app.shown == "deep-learning"
        await pilot.press("escape")  # the whole tree again, the topic still shown
        assert app.shown == "deep-learning" and app.words == ""

    _drive(app, steps, (100, 30))


def test_keys_typed_ahead_act_in_the_order_they_were_typed(mlpath_home: Path) -> None:
    """All at once, before the app has handled any of them, as a fast typist or a
    loaded machine delivers them: "/deex", backspace, "p", enter, "d" marks Deep
    learning done (once, "/deep" typed fast marked the first topic done instead)."""
    from textual import events

    app = _app()

    async def steps(pilot: Any) -> None:
        names = {"/": "slash", "\r": "enter", "\x7f": "backspace", " ": "space"}
        for typed in "/deex\x7fp\rd":
            character = typed if typed.isprintable() else None
            app.post_message(events.Key(names.get(typed, typed), character))
        await _until(pilot, lambda: _status("deep-learning") is Status.DONE)
        await pilot.pause()
        assert _status("foundations") is Status.NOT_STARTED and app.words == "deep"
        assert app.shown == "deep-learning"  # not a topic the filter passed on the way
        # forms opened and filled in one go: a "/" in the link stays in the link, and
        # the keys after a form's last enter act on the tree again
        for typed in "nMLP by hand\rhttps://x.org/a\rl45m\r\rs":
            character = typed if typed.isprintable() else None
            app.post_message(events.Key(names.get(typed, typed), character))
        await _until(pilot, lambda: bool(_notes("deep-learning")))
        [note] = _notes("deep-learning")
        assert (note.text, note.link) == ("MLP by hand", "https://x.org/a")
        await _until(pilot, lambda: _status("deep-learning") is Status.IN_PROGRESS)
        assert Store().load().topic(RID, "deep-learning").minutes == 45
        assert app.words == "deep"

    _drive(app, steps, (100, 30))


def test_moving_fast_shows_what_moving_slowly_shows(mlpath_home: Path) -> None:
    """Three j at once pass Deep learning and NLP to the Software Engineering area: the
    pane shows NLP, the last topic passed, as it does when they come one by one. Keys
    that move and a key that marks, at once, mark where the moves ended."""
    from textual import events

    app = _app()

    async def steps(pilot: Any) -> None:
        for _ in range(3):
            app.post_message(events.Key("j", "j"))
        tree = app.main.query_one(RoadmapTree)
        area = ("area", "software-engineering")
        await _until(pilot, lambda: tree.cursor_node is not None and tree.cursor_node.data == area)
        await pilot.pause()
        assert app.shown == "nlp-transformers"
        for key in ("k", "k", "d"):  # at once: up to NLP, up to Deep learning, done
            app.post_message(events.Key(key, key))
        await _until(pilot, lambda: _status("deep-learning") is Status.DONE)
        assert _status("nlp-transformers") is Status.NOT_STARTED

    _drive(app, steps, (100, 30))


def test_the_key_that_closes_the_list_of_keys_does_nothing_else(mlpath_home: Path) -> None:
    """The list of keys says any key closes it: x closed it, and skipped the topic too.
    The keys typed behind the one that closes it act as usual, in their order."""
    from textual import events

    app = _app()

    async def steps(pilot: Any) -> None:
        await pilot.press("question_mark")
        assert type(app.screen).__name__ == "Keys"
        await pilot.press("x")
        assert type(app.screen).__name__ != "Keys" and Store().changes(5) == []
        for key in ("question_mark", "x", "j", "d"):  # all at once: closed, down, done
            app.post_message(events.Key(key, "?" if key == "question_mark" else key))
        await _until(pilot, lambda: _status("deep-learning") is Status.DONE)
        assert [c.action.value for c in Store().changes(5)] == ["done"]

    _drive(app, steps, (100, 30))


def test_a_click_on_the_filter_goes_back_to_typing_it(mlpath_home: Path) -> None:
    app = _app()

    async def steps(pilot: Any) -> None:
        await pilot.press("slash", "d", "e", "enter")  # kept: the tree has the keys again
        shown = app.shown
        assert shown is not None
        await pilot.press("x")
        assert _status(shown) is Status.SKIPPED and app.words == "de"
        await pilot.click("#filter")
        await pilot.press("e", "p")
        assert app.words == "deep"

    _drive(app, steps, (100, 30))


def test_status_keys_record_through_the_store_and_undo_takes_them_back(
    mlpath_home: Path,
) -> None:
    app = _app()

    async def steps(pilot: Any) -> None:
        await _go("algorithms")(pilot)
        for key, status in (("s", Status.IN_PROGRESS), ("d", Status.DONE), ("x", Status.SKIPPED)):
            await pilot.press(key)
            assert _status("algorithms") is status
        await pilot.press("r")  # reset
        assert _status("algorithms") is Status.NOT_STARTED
        await pilot.press("u", "u")
        assert _status("algorithms") is Status.DONE
        await pilot.press("u", "u")
        assert _status("algorithms") is Status.NOT_STARTED and Store().changes(5) == []

    _drive(app, steps, (100, 30))


def test_space_checks_and_unchecks_the_selected_resource(mlpath_home: Path) -> None:
    app = _app()

    async def steps(pilot: Any) -> None:
        await _go("foundations")(pilot)
        await pilot.press("enter")  # open it
        await pilot.pause()
        await pilot.press("down")  # its first item: the practice
        await pilot.press("space")
        assert "practice" in Store().load().topic(RID, "foundations").checked
        await pilot.press("space")
        assert "practice" not in Store().load().topic(RID, "foundations").checked

    _drive(app, steps, (100, 30))


def test_the_log_form_logs_and_refuses_bad_input(mlpath_home: Path) -> None:
    app = _app()

    async def steps(pilot: Any) -> None:
        await _go("deep-learning")(pilot)
        await pilot.press("l", "f", "enter", "enter")  # typed: refused, not a duration
        assert Store().load().topic(RID, "deep-learning").minutes == 0
        await _fill(pilot, "l", "45m", "yesterday")
        progress = Store().load(topics=[(RID, "deep-learning")]).topic(RID, "deep-learning")
        assert progress.minutes == 45 and progress.status is Status.IN_PROGRESS
        assert progress.sessions[0].on.date() == NOW.date() - timedelta(days=1)
        await _fill(pilot, "l", "20h", "yesterday")
        await _fill(pilot, "l", "5h", "yesterday")  # 25h45m on one day: refused
        again = Store().load().topic(RID, "deep-learning")
        assert again.minutes == 45 + 20 * 60
        await pilot.press("l", "escape")  # a form given up changes nothing
        assert Store().load().topic(RID, "deep-learning").minutes == again.minutes

    _drive(app, steps, (100, 30))


def test_the_note_form_adds_a_note_with_a_link_and_refuses_a_bad_link(
    mlpath_home: Path,
) -> None:
    app = _app()

    async def steps(pilot: Any) -> None:
        await _go("deep-learning")(pilot)
        await _fill(pilot, "n", "mlp", "ftp://x")  # refused: not an http(s) link
        assert Store().load(topics=[(RID, "deep-learning")]).topic(RID, "deep-learning").notes == ()
        await _fill(pilot, "n", "", "")  # refused: no text
        await _fill(pilot, "n", "MLP from scratch", "https://github.com/example/mlp")
        notes = Store().load(topics=[(RID, "deep-learning")]).topic(RID, "deep-learning").notes
        assert [(n.text, n.link) for n in notes] == [
            ("MLP from scratch", "https://github.com/example/mlp")
        ]

    _drive(app, steps, (100, 30))


def test_next_goes_to_what_next_recommends_and_help_lists_every_key(mlpath_home: Path) -> None:
    Store(clock=lambda: NOW).update(
        lambda s: (ops.mark_done(s, RID, "foundations", NOW).state, None)
    )
    app = _app()

    async def steps(pilot: Any) -> None:
        await pilot.press("N")
        assert app.shown == "deep-learning"
        await pilot.press("question_mark")
        assert type(app.screen).__name__ == "Keys"
        await pilot.press("z")
        assert type(app.screen).__name__ != "Keys"

    _drive(app, steps, (100, 30))


def test_another_mlpath_writing_shows_within_a_second(mlpath_home: Path) -> None:
    """The app looks every CHECK_EVERY seconds, and the first look after another
    mlpath's write shows it. (Counted in looks, not seconds: a loaded machine may be
    slow to run the look, and that is not the app's doing.)"""
    from mlpath.cli.tui import CHECK_EVERY

    assert CHECK_EVERY <= 0.5  # two looks a second at least
    app = _app()
    looks = 0
    look = app.check_for_changes

    def counted() -> None:
        nonlocal looks
        looks += 1
        look()

    app.check_for_changes = counted  # type: ignore[method-assign]

    async def steps(pilot: Any) -> None:
        await _go("algorithms")(pilot)
        await _until(pilot, lambda: app.version is not None)  # it has looked once
        other = Store(clock=lambda: NOW)
        other.update(lambda s: (ops.mark_done(s, RID, "algorithms", NOW).state, None))
        before = looks
        await _until(pilot, lambda: app.state.topic(RID, "algorithms").status is Status.DONE)
        assert looks == before + 1

    _drive(app, steps, (100, 30))


def test_a_look_for_changes_while_the_app_closes_is_no_error(mlpath_home: Path) -> None:
    """The app looks for others' changes on a timer, which may fire while it closes,
    its widgets already gone: that look does nothing (it raised, a traceback on quit)."""
    app = _app()

    async def steps(pilot: Any) -> None:
        other = Store(clock=lambda: NOW)
        other.update(lambda s: (ops.mark_done(s, RID, "algorithms", NOW).state, None))
        app.check_for_changes()  # it has looked once
        other.update(lambda s: (ops.mark_done(s, RID, "foundations", NOW).state, None))
        for widget in list(app.main.children):
            await widget.remove()
        app.check_for_changes()

    _drive(app, steps, (100, 30))


HOSTILE = "[b]Bold[/b] [@click=app.quit]x[/@click]"


def _hostile_roadmap() -> Any:
    """The starter roadmap, its first topic titled with markup and an action."""
    from importlib.resources import files

    from mlpath.core.roadmap import parse_roadmap

    starter = files("mlpath").joinpath("starter.toml").read_text(encoding="utf-8")
    text = starter.replace('title = "Python"', f'title = "{HOSTILE}\\u001b[2J"', 1)
    return parse_roadmap(text, "odd.toml")


def test_untrusted_titles_show_literally_and_never_act(mlpath_home: Path) -> None:
    app = _app(_hostile_roadmap())

    async def steps(pilot: Any) -> None:
        tree = pilot.app.query_one("#tree")
        labels = [str(node.label) for node in tree_nodes(tree.root)]
        assert any(HOSTILE in label for label in labels)
        assert not any("\x1b" in label for label in labels)
        screen = pilot.app.export_screenshot()
        assert "@click=app.quit" in screen.replace("&#160;", " ")
        await pilot.click("#tree", offset=(20, 1))  # on the title that would quit
        await pilot.press("enter")
        assert pilot.app.is_running

    _drive(app, steps, (100, 30))


# --- the screens, as reviewed SVG snapshots (pytest --snapshot-update writes them anew) ---


def _learner() -> None:
    """The learner of the screens: foundations done and reviewed, deep learning under way
    with its book checked, 1h30m logged and a note with a link."""

    def history(state: Any) -> tuple[Any, None]:
        earlier = NOW - timedelta(days=20)
        state = ops.mark_done(state, RID, "foundations", earlier).state
        state = ops.review(state, RID, "foundations", NOW - timedelta(days=3), ops.Grade.HARD).state
        state = ops.start(state, RID, "deep-learning", NOW - timedelta(days=10)).state
        topic = ROADMAP.topic("deep-learning")
        state = ops.check(state, ROADMAP, topic, ("deep-learning-book",), NOW).state
        state = ops.log_time(state, RID, "deep-learning", ops.Session(NOW, 90)).state
        note = ops.Note(NOW, "MLP from scratch, see the repo", "https://github.com/example/mlp")
        return ops.add_note(state, RID, "deep-learning", note, NOW).state, None

    Store(clock=lambda: NOW).update(history)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_the_main_screen(mlpath_home: Path, snap_compare: Any, size: tuple[int, int]) -> None:
    _learner()
    assert snap_compare(_app(), terminal_size=size, press=["N"])


def test_the_keys_screen(mlpath_home: Path, snap_compare: Any) -> None:
    assert snap_compare(_app(), terminal_size=(80, 24), press=["question_mark"])


def test_a_hostile_title_on_screen(mlpath_home: Path, snap_compare: Any) -> None:
    assert snap_compare(_app(_hostile_roadmap()), terminal_size=(80, 24))


# --- the installed program in a terminal ------------------------------------------------


class Terminal:
    """A tmux window of the given size running one command, on a server of its own."""

    def __init__(self, tmp_path: Path, command: list[str], env: dict[str, str]) -> None:
        self.socket = str(tmp_path / "tmux.sock")
        words = " ".join(f"{k}={v}" for k, v in env.items())
        line = f"env {words} " + " ".join(command)
        self._tmux("new-session", "-d", "-s", "t", "-x", "100", "-y", "30", line)

    def _tmux(self, *args: str) -> str:
        done = subprocess.run(
            ["tmux", "-S", self.socket, "-f", "/dev/null", *args],
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout

    def screen(self) -> str:
        return self._tmux("capture-pane", "-p", "-t", "t")

    def wait_for(self, text: str, timeout: float = 15.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            shown = self.screen()
            if text in shown:
                return shown
            time.sleep(0.1)
        raise AssertionError(f"{text!r} never showed:\n{self.screen()}")

    def keys(self, *keys: str, literal: bool = False) -> None:
        self._tmux("send-keys", "-t", "t", *(["-l"] if literal else []), *keys)
        time.sleep(0.15)

    def gone(self, timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                self._tmux("has-session", "-t", "t")
            except subprocess.CalledProcessError:
                return True
            time.sleep(0.1)
        return False

    def close(self) -> None:
        subprocess.run(["tmux", "-S", self.socket, "kill-server"], capture_output=True)


def test_the_installed_browse_in_tmux_then_progress_says_so(tmp_path: Path) -> None:
    if shutil.which("tmux") is None:
        pytest.fail("tmux is needed for this test (CI installs it)")
    mlpath = str(Path(sys.executable).with_name("mlpath"))
    env = {"MLPATH_HOME": str(tmp_path / "home"), "TERM": "xterm-256color", "HOME": str(tmp_path)}
    terminal = Terminal(tmp_path, [mlpath, "browse"], env)
    try:
        terminal.wait_for("0 of 7 done")
        # typed in one go, as a hand that knows the keys does: filter, open, mark done
        terminal.keys("/deep\rd", literal=True)
        shown = terminal.wait_for("1 of 7 done")
        assert "✓ done since" in shown and "Neural networks" in shown  # deep learning
        terminal.keys("u")
        terminal.wait_for("0 of 7 done")
        terminal.keys("d")
        terminal.wait_for("1 of 7 done")
        terminal.keys("l")
        terminal.wait_for("Log study time on Deep learning")
        terminal.keys("45m", literal=True)
        terminal.keys("Enter")
        terminal.keys("Enter")
        terminal.wait_for("Logged 45m on deep-learning")
        terminal.keys("n")
        terminal.wait_for("A note on Deep learning")
        terminal.keys("MLP from scratch", literal=True)
        terminal.keys("Enter")
        terminal.keys("https://github.com/example/mlp", literal=True)
        terminal.keys("Enter")
        terminal.wait_for("Added a note to deep-learning with a link")
        terminal.keys("q")
        assert terminal.gone()
    finally:
        terminal.close()
    run_env = {**os.environ, **env}
    progress = subprocess.run(
        [mlpath, "progress", "--json"], env=run_env, capture_output=True, text=True, check=True
    )
    assert json.loads(progress.stdout)["overall"]["done"] == 1
    shown = subprocess.run(
        [mlpath, "show", "deep-learning"], env=run_env, capture_output=True, text=True, check=True
    ).stdout
    assert "done since" in shown and "Time logged: 45m" in shown and "MLP from scratch" in shown
    assert "https://github.com/example/mlp" in shown
    history = subprocess.run(
        [mlpath, "history", "--json"], env=run_env, capture_output=True, text=True, check=True
    ).stdout
    assert [c["action"] for c in json.loads(history)["changes"]][:3] == ["note", "log", "done"]


def test_a_database_mlpath_cannot_read_is_refused_before_the_app_starts(
    tmp_path: Path,
) -> None:
    import pty
    import sqlite3

    home = tmp_path / "home"
    mlpath = str(Path(sys.executable).with_name("mlpath"))
    env = {**os.environ, "MLPATH_HOME": str(home)}
    subprocess.run([mlpath, "done", "foundations"], env=env, check=True, capture_output=True)
    conn = sqlite3.connect(home / "state.db")
    conn.execute("PRAGMA user_version = 99")
    conn.commit()
    conn.close()
    leader, follower = pty.openpty()
    done = subprocess.run(
        [mlpath, "browse"],
        stdin=follower,
        stdout=follower,
        stderr=subprocess.PIPE,
        env=env,
        timeout=30,
    )
    os.close(follower)
    os.close(leader)
    assert done.returncode == 1
    assert b"written by a newer mlpath (format 99" in done.stderr
    assert b"Traceback" not in done.stderr


def test_browse_without_a_terminal_says_what_prints_the_same(tmp_path: Path) -> None:
    mlpath = str(Path(sys.executable).with_name("mlpath"))
    env = {**os.environ, "MLPATH_HOME": str(tmp_path / "home")}
    done = subprocess.run(
        [mlpath, "browse"], stdin=subprocess.DEVNULL, capture_output=True, env=env, timeout=30
    )
    assert done.returncode == 2 and "needs a terminal" in done.stderr.decode()
