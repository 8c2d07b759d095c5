"""What every command shows, at 40, 60, 80, 120 and 200 columns of a real terminal and
piped: compared with the reviewed screens in tests/golden/, and checked for atoms split
across lines (a date from its time, a number from its unit, a count, a command from its
argument, an id or a link).

MLPATH_UPDATE_GOLDEN=1 writes the screens anew: review the diff before committing it.
"""

from __future__ import annotations

import itertools
import os
import re
import subprocess
import tomllib
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from conftest import BUNDLED, NOW, TODAY, Result
from test_install import SCRIPT, _in_terminal

Run = Callable[..., Result]
GOLDEN = Path(__file__).parent / "golden"
WIDTHS = (40, 60, 80, 120, 200)
COMMANDS = {
    "list": ["list"],
    "show": ["show", "deep-learning"],
    "next": ["next"],
    "progress": ["progress"],
    "history": ["history"],
    "stats": ["stats"],
    "review": ["review"],
    "plan": ["plan", "--hours-per-week", "6"],
    "cohort": ["cohort", "cohort"],
}
#: A line that ends with the first part of an atom, and a next line that starts with the
#: rest: (what is split, how the first line ends, how the next begins).
SPLITS = (
    ("a date from its time", r"\d{4}-\d{2}-\d{2}$", r"^\d{1,2}:\d{2}\b"),
    ("a number from its unit", r"(?<![\w.-])\d+(\.\d+)?$", r"^(h|m|%|min|MB)\b|^h\)"),
    ("a count", r"\b\d+ of$", r"^\d+\b"),
    ("a command from its argument", r"\bmlpath( [a-z-]+)?$", r"^(--)?[a-z0-9][a-z0-9-]*\b"),
)


def _atoms() -> list[str]:
    """The ids and links of the bundled roadmap: none may be split."""
    data = tomllib.loads(BUNDLED.read_text(encoding="utf-8"))
    ids = [t["id"] for t in data["topics"]]
    urls = [r["url"] for t in data["topics"] for r in t.get("resources", []) if r.get("url")]
    return ids + urls


def split_atoms(screen: str, atoms: list[str]) -> list[str]:
    """Every place where ``screen`` breaks an atom across two lines."""
    rows = [line.rstrip() for line in screen.splitlines()]
    found = []
    for first, then in itertools.pairwise(rows):
        end, start = first.rstrip(), then.lstrip()
        if not end or not start:
            continue
        for what, ending, beginning in SPLITS:
            if re.search(ending, end) and re.search(beginning, start):
                found.append(f"{what}: {end[-24:]!r} / {start[:24]!r}")
        last, head = end.split()[-1], start.split()[0]
        for atom in atoms:
            cut = len(last)
            if 0 < cut < len(atom) and atom.startswith(last) and head.startswith(atom[cut:]):
                found.append(f"{atom}: {last!r} / {head!r}")
    return found


def test_the_checker_finds_what_a_split_garbles() -> None:
    bad = (
        "Status: in progress since 2026-11-15\n00:00   Checked: 2 of\n3\n"
        "Next: Deep learning   mlpath show\n  deep-learning\n"
        "production-ml (20.8\n  h)\nTime: 1h30m logged, foundations, deep-\nlearning"
    )
    found = split_atoms(bad, ["deep-learning"])
    assert [f.split(":")[0] for f in found] == [
        "a date from its time",
        "a count",
        "a command from its argument",
        "a number from its unit",
        "deep-learning",
    ]
    assert split_atoms("since 2026-11-15 00:00\nChecked: 2 of 3\n", []) == []


@pytest.fixture(scope="module")
def learner(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One learner's home, as the JSON docs' examples have it, and a mentor's folder
    with that learner's export (cohort/)."""
    home = tmp_path_factory.mktemp("layout")
    env = {**os.environ, "MLPATH_HOME": str(home / "home"), "TZ": "UTC"}
    env["MLPATH_NOW"] = NOW.isoformat()  # the module's fixture runs before the test's clock
    steps = [
        ["done", "foundations", "--on", "2026-11-10"],
        ["done", "dl", "book"],
        [
            "note",
            "dl",
            "--link",
            "https://github.com/example/mlp",
            "MLP from scratch, layer by layer, with the backpropagation written out by hand",
        ],
        ["skip", "nlp"],
        ["log", "dl", "1h30m", "--on", "2026-11-20 19:26"],
        ["goal", "--by", (TODAY + timedelta(weeks=30)).isoformat()],
        ["export", "-o", str(home / "cohort" / "ana.json")],
    ]
    (home / "cohort").mkdir()
    for step in steps:
        subprocess.run([str(SCRIPT), *step], env=env, cwd=home, check=True, capture_output=True)
    return home


def _screen(learner: Path, name: str, width: int | None, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("TZ", "UTC")
    monkeypatch.setenv("MLPATH_NOW", NOW.isoformat())
    monkeypatch.chdir(learner)
    args = COMMANDS[name]
    if width is not None:
        shown = _in_terminal(args, width, learner / "home")
    else:
        env = {**os.environ, "MLPATH_HOME": str(learner / "home")}
        env.pop("COLUMNS", None)
        shown = subprocess.run(
            [str(SCRIPT), *args], env=env, capture_output=True, text=True, check=True
        ).stdout
    return "\n".join(line.rstrip() for line in shown.replace("\r", "").split("\n")).rstrip() + "\n"


@pytest.mark.parametrize("width", [*WIDTHS, None], ids=[*map(str, WIDTHS), "piped"])
@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_command_at_every_width_matches_its_reviewed_screen(
    learner: Path, name: str, width: int | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    screen = _screen(learner, name, width, monkeypatch)
    assert split_atoms(screen, _atoms()) == []
    if width is not None:
        assert max(len(line) for line in screen.splitlines() if "https://" not in line) <= width
    golden = GOLDEN / f"{name}-{width or 'piped'}.txt"
    if os.environ.get("MLPATH_UPDATE_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(screen, encoding="utf-8")
    assert golden.exists(), f"no reviewed screen {golden.name}: run with MLPATH_UPDATE_GOLDEN=1"
    assert screen == golden.read_text(encoding="utf-8")
