"""The installed program, run as real processes, and the roadmap inside the package."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import BUNDLED, REPO, Result, without_faketime
from mlpath.storage.roadmap_files import bundled_roadmap_path

Run = Callable[..., Result]
SCRIPT = Path(sys.executable).with_name("mlpath")


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, cwd=cwd, capture_output=True, text=True, env=dict(os.environ), timeout=60
    )


def test_entry_point_runs_from_another_folder(tmp_path: Path, mlpath_home: Path) -> None:
    assert SCRIPT.exists(), "the mlpath console script is not installed next to python"
    listed = _run([str(SCRIPT), "list"], tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert "foundations" in listed.stdout and "Production ML" in listed.stdout
    done = _run([str(SCRIPT), "done", "foundations"], tmp_path)
    assert done.returncode == 0
    assert (mlpath_home / "state.db").exists()
    wrong = _run([str(SCRIPT), "show", "deep-lerning"], tmp_path)
    assert wrong.returncode == 2
    assert "Did you mean 'deep-learning'?" in wrong.stderr
    assert "Traceback" not in wrong.stderr


def test_python_dash_m(tmp_path: Path) -> None:
    result = _run([sys.executable, "-m", "mlpath", "--version"], tmp_path)
    assert result.returncode == 0
    assert result.stdout.startswith("mlpath ")


def test_the_packaged_roadmap_is_the_one_in_data() -> None:
    assert bundled_roadmap_path().read_bytes() == BUNDLED.read_bytes()


def test_the_wheel_carries_the_roadmap_from_data(tmp_path: Path) -> None:
    builders = pytest.importorskip("hatchling.builders.wheel")
    builder = builders.WheelBuilder(str(REPO))
    (wheel,) = (Path(p) for p in builder.build(directory=str(tmp_path), versions=["standard"]))
    with zipfile.ZipFile(wheel) as archive:
        assert archive.read("mlpath/roadmap.toml") == BUNDLED.read_bytes()
        names = archive.namelist()
    assert "mlpath/cli/__init__.py" in names
    assert not any(name.startswith("tests/") for name in names)


def test_the_licence_is_in_the_installed_metadata() -> None:
    from importlib.metadata import files, metadata

    assert metadata("mlpath")["License-Expression"] == "MIT"
    licence = [f for f in files("mlpath") or [] if f.name == "LICENSE"]
    assert licence and "MIT License" in licence[0].read_text()


@pytest.mark.parametrize(
    "args", [("done", "foundations"), ("note", "dl", "a note"), ("progress", "--json")]
)
def test_writes_and_json_load_no_rich(mlpath_home: Path, args: tuple[str, ...]) -> None:
    """Rich is for drawing: a command that records progress or prints JSON never loads it."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "mlpath", *args],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    loaded = [line.split("|")[-1].strip() for line in result.stderr.splitlines()]
    assert (
        "mlpath.storage.database" in loaded or "mlpath.render.text" in loaded
    )  # the trace is real
    assert not [name for name in loaded if name.split(".")[0] == "rich"]


def _shell(
    command: str, home: Path, base: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run a shell command line with the installed mlpath first on the PATH."""
    base = dict(os.environ) if base is None else base
    env = {**base, "MLPATH_HOME": str(home), "PATH": f"{SCRIPT.parent}:{os.environ['PATH']}"}
    return subprocess.run(
        ["bash", "-c", command], capture_output=True, text=True, env=env, timeout=60
    )


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_output_to_a_full_disk_is_one_line_and_the_exit_code_says_what_was_saved(
    mlpath_home: Path,
) -> None:
    for command in ("mlpath list", "mlpath export", "mlpath progress --json"):
        result = _shell(f"{command} > /dev/full", mlpath_home)
        assert result.returncode == 1, command
        assert result.stderr == "mlpath: cannot write the output: No space left on device.\n"
    saved = _shell("mlpath note dl 'a note' > /dev/full", mlpath_home)
    assert saved.returncode == 0  # the note is stored: a script must not add it again
    assert "the change was saved" in saved.stderr and "Traceback" not in saved.stderr
    shown = _shell("mlpath show dl --json", mlpath_home)
    assert [n["text"] for n in json.loads(shown.stdout)["topic"]["notes"]] == ["a note"]


def test_a_closed_or_broken_output_is_no_traceback(mlpath_home: Path) -> None:
    closed = _shell("mlpath list >&-", mlpath_home, without_faketime())
    assert closed.returncode == 1
    assert closed.stderr == "mlpath: cannot write the output: standard output is closed.\n"
    piped = _shell("mlpath list | head -1; exit ${PIPESTATUS[0]}", mlpath_home)
    assert piped.returncode == 0 and piped.stderr == "" and len(piped.stdout.splitlines()) == 1
    started = _shell("mlpath start algorithms >&-", mlpath_home, without_faketime())
    assert started.returncode == 0 and "the change was saved" in started.stderr


def test_piped_output_has_no_trailing_spaces(run: Run, mlpath_home: Path) -> None:
    run("done", "foundations")
    run("note", "dl", "MLP from scratch")
    for command in ("show dl", "history", "list", "list --tree", "progress", "stats", "next"):
        result = _shell(f"mlpath {command} | cat", mlpath_home)
        assert result.returncode == 0 and result.stdout.strip(), command
        padded = [line for line in result.stdout.splitlines() if line != line.rstrip()]
        assert padded == [], command


def _in_terminal(args: list[str], columns: int, home: Path, raw: bool = False) -> str:
    """What the installed mlpath writes to a real pseudo-terminal ``columns`` wide (with
    ``raw``, its styles and hyperlink marks too)."""
    import fcntl
    import pty
    import struct
    import termios

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    env = {**os.environ, "MLPATH_HOME": str(home), "TERM": "xterm-256color"}
    env.pop("COLUMNS", None)
    proc = subprocess.Popen([str(SCRIPT), *args], stdout=follower, stderr=follower, env=env)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed: the program is done
            break
        if not chunk:
            break
        chunks.append(chunk)
    proc.wait(timeout=60)
    os.close(leader)
    text = b"".join(chunks).decode("utf-8", "replace")
    if raw:
        return text
    # What the screen shows: without the styles (SGR) and hyperlink marks (OSC 8).
    return re.sub(r"\x1b\[[0-9;]*m|\x1b\]8;[^\x1b]*\x1b\\", "", text)


@pytest.mark.parametrize("columns", [40, 80, 120])
def test_links_are_never_split_at_any_width(mlpath_home: Path, columns: int) -> None:
    url = "https://www.deeplearning.ai/wp-content/uploads/2021/01/andrew-ng-machine-learning-yearning.pdf"
    screen = _in_terminal(["show", "production-ml"], columns, mlpath_home)
    assert url in screen  # whole, on one line: copying it gives the link
    assert "Machine Learning Yearning" in screen
    path = str(bundled_roadmap_path())
    assert path in _in_terminal(["roadmap"], columns, mlpath_home)  # the file path too


def test_list_and_progress_keep_ids_statuses_and_numbers_whole(run: Run, mlpath_home: Path) -> None:
    columns = 40  # the narrowest; test_layout compares every width with its screen
    run("done", "foundations")
    run("log", "dl", "2h")
    run("skip", "production-ml")
    statuses = ("✓ done", "▶ in progress", "· not started", "↷ skipped")
    lines = _in_terminal(["list"], columns, mlpath_home).replace("\r", "").splitlines()
    for topic_id in ("foundations", "deep-learning", "engineering-practices", "production-ml"):
        [line] = [x for x in lines if f"  {topic_id}  " in x]  # the id whole
        assert line.rstrip().endswith(statuses), (columns, line)  # and its status
        assert len(line.rstrip()) <= columns
    screen = _in_terminal(["progress"], columns, mlpath_home).replace("\r", "")
    rows = [x for x in screen.splitlines() if "█" in x or "░" in x]
    assert rows and all(len(x.rstrip()) <= columns for x in rows)
    assert any(x.rstrip().endswith("1/3  33%  2h") for x in rows), rows  # Machine Learning
    assert any(x.rstrip().endswith("0/3   0%  0m") for x in rows), rows  # Software Eng.


def test_stats_keeps_ids_and_hours_whole(run: Run, mlpath_home: Path) -> None:
    columns = 40  # the narrowest; test_layout compares every width with its screen
    run("log", "dl", "2h")
    run("log", "engineering-practices", "45m")
    lines = _in_terminal(["stats"], columns, mlpath_home).replace("\r", "").splitlines()
    for topic_id, logged, estimate in (
        ("deep-learning", "2h", "150h"),
        ("engineering-practices", "45m", "60h"),
    ):
        [line] = [x for x in lines if x.startswith(f"{topic_id} ")]
        assert f"{logged}  {estimate:>4}" in line, (columns, line)
        assert len(line.rstrip()) <= columns


@pytest.mark.parametrize("columns", [40, 80, 120])
def test_the_tree_keeps_needs_with_its_ids(mlpath_home: Path, columns: int) -> None:
    lines = _in_terminal(["list", "--tree"], columns, mlpath_home).replace("\r", "").splitlines()
    needs = [x.split("needs ", 1)[1] for x in lines if "needs " in x]
    assert "foundations" in needs  # deep-learning's prerequisite, on the line of "needs"
    assert all(x.strip() for x in needs)  # never "needs" alone at the end of a line
    assert all(len(x.rstrip()) <= columns for x in lines)


def test_wrapped_items_hang_under_their_text(mlpath_home: Path) -> None:
    lines = _in_terminal(["show", "production-ml"], 44, mlpath_home).replace("\r", "")
    practice = lines.split("Best way to learn")[1].split("\n\n")[0].splitlines()[1:]
    assert practice[0].startswith("  [ ] ") and len(practice) > 2
    assert all(line.startswith("      ") and line[6] != " " for line in practice[1:])
    requires = lines.split("Requires: ")[1].splitlines()
    assert requires[1].startswith(" " * len("Requires: "))


def test_only_secondary_text_is_dimmed(mlpath_home: Path) -> None:
    """A not-started topic's title, and an unchecked book's, are not dimmed with their
    status or box: they are what a new learner needs to read."""
    dim, reset = "\x1b[2m", "\x1b[0m"
    for args, title in (
        (["list", "--tree"], "Algorithms and data structures"),
        (["show", "algorithms"], "Introduction to Algorithms"),
    ):
        raw = _in_terminal(args, 100, mlpath_home, raw=True)
        before = raw[: raw.index(title)]
        assert before.rfind(dim) < before.rfind(reset), (args, before[-40:])


def test_history_next_and_review_keep_ids_and_links_whole(run: Run, mlpath_home: Path) -> None:
    columns = 40  # the narrowest; test_layout compares every width with its screen
    run("done", "foundations", "--on", "2026-10-01")
    run("skip", "engineering-practices")
    history = _in_terminal(["history"], columns, mlpath_home)
    assert "engineering-practices" in history and "foundations" in history
    assert "https://hastie.su.domains/ElemStatLearn/" in _in_terminal(
        ["review"], columns, mlpath_home
    )
    assert "https://www.deeplearningbook.org/" in _in_terminal(["next"], columns, mlpath_home)


def test_piped_history_is_one_change_per_line_for_grep(
    run: Run, mlpath_home: Path, tmp_path: Path
) -> None:
    long_note = "Backpropagation by hand, layer by layer, " * 4
    run("log", "dl", "2h", "--on", "2026-11-20")
    run("note", "dl", long_note.strip())
    piped = subprocess.run(
        [str(SCRIPT), "history"],
        capture_output=True,
        text=True,
        env={**os.environ, "MLPATH_HOME": str(mlpath_home), "COLUMNS": "80"},
        timeout=60,
        check=True,
    ).stdout.splitlines()
    assert piped[0].split() == ["when", "change"]  # one roadmap: no roadmap column
    logged = [line for line in piped if "logged 2h" in line]
    assert len(logged) == 1 and logged[0].startswith("2026-11-20 00:00  logged 2h on deep-learning")
    assert "(recorded 2026-12-01 10:00)" in logged[0]  # the date-time whole, on the same line
    noted = [line for line in piped if "added a note" in line]
    assert len(noted) == 1 and noted[0].endswith(long_note.strip() + '"') and len(noted[0]) > 80
