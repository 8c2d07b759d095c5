"""Benchmark of the installed ``mlpath``: every command, three sizes of history, cold starts.

    python benchmarks/bench.py [--runs 9] [--warmups 2] [--quick]

Run it with the Python of the environment mlpath is installed in (``uv run python
benchmarks/bench.py``, or a venv's python after ``pip install .``).

The data: a generated roadmap of 1,000 topics in 10 areas, and three learners' states on
it: a small one (a handful of changes), the same with 10,000 changes brought in by one
import of another machine's export, and 100,000 recorded changes (notes, study time,
checks, statuses, reviews over two years), built with mlpath's own operations and store
(``--quick`` leaves out the 100,000). Every command is compared with itself on the small
state: what it costs should follow what it shows, not the length of the history. Every
command is a fresh process of the installed entry point, in a copy of the learner's home
for the commands that write. Each round runs every case once, baselines included, in the
same order (so slow and fast moments of the machine hit all cases alike); the medians of
the rounds after the warm-ups are compared as ratios measured in the same run. Peak
memory is each command's own maximum resident size at the two large sizes. Prints each
target with its measured ratio and PASS or FAIL, and exits 1 if any target fails.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

PYTHON = sys.executable
MLPATH = str(Path(sys.executable).with_name("mlpath"))
#: What mlpath itself imports to answer a daily read from its cache.
FLOOR_IMPORTS = "import typer, rich.console, tomllib"
#: The floor the previous benchmark used: every dependency imported.
ALL_DEPENDENCIES = "import typer, pydantic, rich.console, platformdirs, tomllib"

TOPICS = 1000
AREAS = 10
UNTOUCHED = range(990, 1000)  # topics the generated history never touches
DONE = range(5)  # topics done at the start of every history: the small state's handful
IMPORT_CHANGES = 10_000
BIG_IMPORT_NOTES = 60_000  # the import whose undo is timed against the import itself
#: Graded reviews of the done topics: review, show and stats held to 1.3 times a handful.
REVIEW_COUNTS = {"handful": len(DONE), "10k": 10_000}
#: The commands whose work could grow with the history rather than with what they show:
#: held to 1.3 times their small-state time at 10,000 changes and 2 times at 100,000.
#: The others show more as the learner gets further (review lists what is due, next and
#: progress what is left), so their ratios are printed for information. ``export`` writes
#: the whole history, which is its output: it is held to a rate of output instead.
EXPORT_MB_PER_S = 100.0
JOURNAL = (
    "list",
    "show",
    "stats",
    "search",
    "history -n 20",
    "doctor",
    "undo",
    *("start", "done", "skip", "reset", "note", "log", "reviewed"),
)
#: A two-command Typer app, run: what typer itself costs at start-up beyond its import.
#: mlpath keeps typer below 0.29, which builds a pydantic TypeAdapter for every parameter
#: (measured 2.5 times this app's start-up); this line says when that changes.
TYPER_APP = """
import typer
app = typer.Typer()
@app.command()
def one(name: str = "x", count: int = 1) -> None: pass
@app.command()
def two(flag: bool = False) -> None: pass
app(["one", "--count", "2"], standalone_mode=False)
"""


# --- the data --------------------------------------------------------------------------------


def write_big_roadmap(path: Path, comment: str = "") -> None:
    """A valid roadmap of 1,000 topics in 10 areas, each with a book and a course."""
    lines = [f"# {comment}", "schema = 1", 'id = "bench"', 'title = "Benchmark path"', ""]
    for a in range(AREAS):
        lines += [
            "[[areas]]",
            f'id = "area-{a}"',
            f'title = "Area {a}"',
            'summary = "An area."',
            "",
        ]
    for t in range(TOPICS):
        requires = f'["topic-{t - 1}"]' if t % 100 else "[]"
        lines += [
            "[[topics]]",
            f'id = "topic-{t}"',
            f'area = "area-{t // (TOPICS // AREAS)}"',
            f'title = "Topic {t}"',
            f'summary = "Why topic {t} matters, in a sentence of ordinary length."',
            f"requires = {requires}",
            f'aliases = ["t{t}"]',
            "estimate_hours = 40",
            "",
            "[topics.practice]",
            'summary = "Do the exercises."',
            "",
            "[[topics.resources]]",
            'id = "book"',
            'kind = "book"',
            f'title = "The book of topic {t}"',
            'by = "An Author"',
            f'url = "https://example.org/books/{t}"',
            "",
            "[[topics.resources]]",
            'id = "course"',
            'kind = "course"',
            f'title = "The course of topic {t}"',
            f'url = "https://example.org/courses/{t}"',
            "",
        ]
    path.write_text("\n".join(lines), encoding="utf-8")


def write_curriculum(path: Path, links: int = 700) -> None:
    """A study-plan README in the shape of the largest curricula people follow: a table of
    contents, sections of task-list items (``- [ ] [Title](url)``), headings inside list
    items, sub-lists of links, a course table; ``links`` links in all."""
    lines = ["# Study plan", "", "## Table of Contents", ""]
    lines += [f"- [Part {p}](#part-{p})" for p in range(20)]
    made = 0
    part = 0
    while made < links:
        lines += ["", f"## Part {part}", "", "Read and watch in order; tick each box.", ""]
        for lesson in range(5):
            lines += [f"- ### Lesson {part}.{lesson}"]
            for _ in range(3):
                lines.append(
                    f"    - [ ] [Video {made} (video)](https://www.youtube.com/watch?v=v{made})"
                )
                made += 1
            lines += [
                "    - [ ] Implement it:",
                f"        - [Notes {made}](https://example.org/n/{made})",
            ]
            made += 1
        lines += ["", "Courses | Duration | Effort", ":-- | :--: | :--:"]
        for _ in range(3):
            course = f"[Course {made}](https://www.coursera.org/learn/c{made})"
            lines.append(f"{course} | 6 weeks | 4-6 hours/week")
            made += 1
        lines += ["", "**[back to top](#table-of-contents)**"]
        part += 1
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def build_history(home: Path, roadmap_path: Path, changes: int, start: datetime) -> None:
    """A learner's state of ``changes`` recorded changes, made with mlpath's operations and
    written through its store a thousand changes at a time, spread over two years."""
    from mlpath.core import progress as ops
    from mlpath.storage.database import Store
    from mlpath.storage.roadmap_files import load_roadmap

    roadmap = load_roadmap(roadmap_path)
    store = Store(home)
    topics = [t for t in roadmap.topics if int(t.id.split("-")[1]) not in UNTOUCHED]
    step = timedelta(days=730) / changes

    def first(state: ops.State) -> tuple[ops.State, None]:
        for i in DONE:
            state = ops.mark_done(state, roadmap.id, f"topic-{i}", start).state
        return state, None

    store.update(first)
    made = len(DONE)
    i = 0
    while made < changes:

        def batch(state: ops.State, made: int = made) -> tuple[ops.State, int]:
            nonlocal i
            count = 0
            while count < 1000 and made + count < changes:
                topic = topics[(i * 7) % len(topics)]
                at = (start + step * (made + count)).replace(microsecond=0)
                outcome = _operation(i, state, roadmap, topic, at)
                i += 1
                if outcome.change is not None:
                    state = outcome.state
                    count += 1
            return state, count

        made += store.update(batch)


def build_notes(home: Path, roadmap_path: Path, count: int, start: datetime) -> None:
    """A learner's state of ``count`` notes, spread over the roadmap's topics."""
    from mlpath.core import progress as ops
    from mlpath.storage.database import Store
    from mlpath.storage.roadmap_files import load_roadmap

    roadmap = load_roadmap(roadmap_path)
    store = Store(home)
    for first in range(0, count, 5000):

        def batch(state: ops.State, first: int = first) -> tuple[ops.State, None]:
            for i in range(first, min(first + 5000, count)):
                topic = roadmap.topics[i % len(roadmap.topics)]
                at = start + timedelta(minutes=i)
                state = ops.add_note(state, roadmap.id, topic.id, ops.Note(at, f"n {i}"), at).state
            return state, None

        store.update(batch)


def build_reviews(home: Path, roadmap_path: Path, count: int, start: datetime) -> None:
    """The handful of done topics (DONE), and ``count`` graded reviews of them, one every
    hour from the finish on, the grades in turn."""
    from mlpath.core import progress as ops
    from mlpath.storage.database import Store
    from mlpath.storage.roadmap_files import load_roadmap

    roadmap = load_roadmap(roadmap_path)
    grades = list(ops.Grade)

    def reviews(state: ops.State) -> tuple[ops.State, None]:
        for i in DONE:
            state = ops.mark_done(state, roadmap.id, f"topic-{i}", start).state
        for i in range(count):
            at = start + timedelta(hours=i + 1)
            topic = f"topic-{DONE[i % len(DONE)]}"
            state = ops.review(state, roadmap.id, topic, at, grades[(i // 3) % 4]).state
        return state, None

    Store(home).update(reviews)


def browse_cases(bundled: Path, homes: dict[str, Path], prefix: list[str]) -> dict[str, Case]:
    """browse: from the command to its first screen, on the bundled roadmap and on the
    1,000-topic one with a handful of changes and with 10,000."""
    cases: dict[str, Case] = {
        "bundled browse": ScreenCase("bundled browse", [MLPATH, "browse"], bundled, b"done (")
    }
    for label in ("small", "10k"):
        name = f"{label} browse"
        cases[name] = ScreenCase(name, [*prefix, "browse"], homes[label], b"done (")
    return cases


def review_cases(scratch: Path, big: Path, start: datetime) -> dict[str, Case]:
    """Graded review: a handful of reviews and 10,000 on the same done topics, which
    review, show and stats show alike."""
    cases = {}
    for label, count in REVIEW_COUNTS.items():
        home = scratch / f"reviews-{label}"
        build_reviews(home, big, count, start)
        mlpath_in(home, big, "roadmap", "info")
        for name, argv in (
            ("review", ["review"]),
            ("show", ["show", f"topic-{DONE[1]}"]),
            ("stats", ["stats"]),
        ):
            key = f"{label} graded {name}"
            cases[key] = Case(key, [MLPATH, "--roadmap", str(big), *argv], home)
    return cases


def _operation(i: int, state: Any, roadmap: Any, topic: Any, at: datetime) -> Any:
    """The ``i``-th operation of a generated history: three notes, two study sessions, a
    start, two checks, a done and a review (a done for a topic not done yet) in every ten."""
    from mlpath.core import progress as ops

    kind = i % 10
    if kind in (0, 4, 9):
        note = ops.Note(at, f"note {i}: stopped at chapter {i % 40}, page {i % 300}")
        return ops.add_note(state, roadmap.id, topic.id, note, at)
    if kind in (1, 5):
        return ops.log_time(state, roadmap.id, topic.id, ops.Session(at, 15))
    if kind in (3, 6):
        return ops.check(state, roadmap, topic, (("book", "course")[kind == 6],), at)
    if kind == 8 and state.topic(roadmap.id, topic.id).status is ops.Status.DONE:
        grade = list(ops.Grade)[(i // 10) % 4]  # graded: again, hard, good, easy in turn
        return ops.review(state, roadmap.id, topic.id, at, grade)
    action = ops.start if kind == 2 else ops.mark_done
    return action(state, roadmap.id, topic.id, at)


# --- measuring -------------------------------------------------------------------------------


class Case:
    def __init__(
        self,
        name: str,
        argv: list[str],
        home: Path | None = None,
        writes: bool = False,
        before: Callable[[int], None] | None = None,
    ) -> None:
        self.name = name
        self.argv = argv
        self.home = home  # the learner's home; a copy is used when the command writes
        self.writes = writes
        self.before = before  # run before each run, not timed (given the run's number)
        self.times: list[float] = []

    def run(self, scratch: Path, record: bool) -> None:
        env = child_env()
        if self.home is None:
            env["MLPATH_HOME"] = str(scratch / "unused")
        elif self.writes:
            env["MLPATH_HOME"] = str(copy_home(self.home, scratch / "home"))
        else:
            env["MLPATH_HOME"] = str(self.home)
        if self.before is not None:
            self.before(len(self.times) if record else -1 - len(self.times))
        elapsed = self._timed(env)
        if record:
            self.times.append(elapsed)

    def _timed(self, env: dict[str, str]) -> float:
        began = time.perf_counter()
        result = subprocess.run(
            self.argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        elapsed = time.perf_counter() - began
        if result.returncode != 0:
            raise SystemExit(f"{self.name} failed: {result.stderr.decode(errors='replace')}")
        return elapsed

    @property
    def median(self) -> float:
        return statistics.median(self.times)


class ScreenCase(Case):
    """A full-screen command (mlpath browse) on a pseudo-terminal of 100x30: the time
    from starting it to its first screen showing ``shown``; then it is told to quit."""

    def __init__(self, name: str, argv: list[str], home: Path, shown: bytes) -> None:
        super().__init__(name, argv, home)
        self.shown = shown

    def _timed(self, env: dict[str, str]) -> float:
        import fcntl
        import pty
        import select
        import struct
        import termios

        leader, follower = pty.openpty()
        fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
        env = {**env, "TERM": "xterm-256color", "COLUMNS": "100", "LINES": "30"}
        began = time.perf_counter()
        process = subprocess.Popen(
            self.argv, stdin=follower, stdout=follower, stderr=follower, env=env
        )
        os.close(follower)
        seen, elapsed = b"", None
        while elapsed is None and time.perf_counter() - began < 60:
            if select.select([leader], [], [], 0.5)[0]:
                try:
                    seen += os.read(leader, 65536)
                except OSError:
                    break
                if self.shown in seen:
                    elapsed = time.perf_counter() - began
        os.write(leader, b"q")
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        os.close(leader)
        if elapsed is None:
            raise SystemExit(f"{self.name}: the first screen never showed")
        return elapsed


def textual_imported_by(argv: list[str], home: Path) -> list[str]:
    """The textual modules that a command imports (``-X importtime``)."""
    env = {**child_env(), "MLPATH_HOME": str(home)}
    done = subprocess.run(
        [PYTHON, "-X", "importtime", "-m", "mlpath", *argv[1:]],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    names = [line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()]
    return [name for name in names if name.split(".")[0] == "textual"]


def copy_home(template: Path, target: Path) -> Path:
    """A copy of a learner's home: the database copied, the rest (snapshots, cache) linked,
    as a command that writes changes only the database."""
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(template, target, copy_function=os.link)
    database = target / "state.db"
    if database.exists():
        database.unlink()
        shutil.copy2(template / "state.db", database)
        # On disk before the command starts, as a learner's database is: otherwise the
        # command's first sync would also write out the whole fresh copy.
        fd = os.open(database, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    return target


def child_env() -> dict[str, str]:
    """The environment of every measured process. Python may write its bytecode cache, as
    in any normal install: a machine that sets PYTHONDONTWRITEBYTECODE would otherwise
    measure the compiler, not the program (the warm-up runs fill the cache)."""
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "100"}
    for name in ("MLPATH_ROADMAP", "PYTHONDONTWRITEBYTECODE"):
        env.pop(name, None)
    return env


def peak_memory_mb(case: Case, scratch: Path) -> float:
    """Peak resident memory of one run, from the child's rusage (a helper process runs it,
    so no earlier child's peak is mixed in)."""
    home = case.home if case.home is not None else scratch / "unused"
    if case.writes and case.home is not None:
        home = copy_home(case.home, scratch / "mem-home")
    helper = (
        "import resource, subprocess, sys\n"
        "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=True)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    env = {**child_env(), "MLPATH_HOME": str(home)}
    out = subprocess.run(
        [PYTHON, "-c", helper, *case.argv], env=env, capture_output=True, text=True, check=True
    ).stdout
    kilobytes = int(out.strip())
    return kilobytes / 1024 if sys.platform != "darwin" else kilobytes / 1024 / 1024


def commands(prefix: list[str], export: Path) -> dict[str, tuple[list[str], bool]]:
    """Every command of the README's table on the big roadmap: name -> (argv, writes)."""
    m = [MLPATH, *prefix]
    return {
        "list": ([*m, "list"], False),
        "list --tree": ([*m, "list", "--tree"], False),
        "show": ([*m, "show", "topic-250"], False),
        "next": ([*m, "next"], False),
        "progress": ([*m, "progress"], False),
        "stats": ([*m, "stats"], False),
        # an alias: one match on every state, while the notes are searched too
        "search": ([*m, "search", "t250"], False),
        "open --print": ([*m, "open", "topic-250", "--print"], False),
        "review": ([*m, "review"], False),
        "history -n 20": ([*m, "history", "-n", "20"], False),
        "export": ([*m, "export"], False),
        "doctor": ([*m, "doctor"], False),
        "roadmap info": ([*m, "roadmap", "info"], False),
        "start": ([*m, "start", f"topic-{UNTOUCHED[1]}"], True),
        "done": ([*m, "done", f"topic-{UNTOUCHED[2]}"], True),
        "skip": ([*m, "skip", f"topic-{UNTOUCHED[3]}"], True),
        "reset": ([*m, "reset", "topic-5"], True),
        "note": ([*m, "note", "topic-250", "Where I left off today"], True),
        "log": ([*m, "log", "topic-250", "30m"], True),
        "reviewed": ([*m, "reviewed", "topic-1"], True),
        "undo": ([*m, "undo"], True),
        "import": ([*m, "import", str(export)], True),
    }


WRITES = ("start", "done", "skip", "reset", "note", "log", "reviewed")
DAILY = ("list", "show", "next", "progress")


def baseline_cases(baseline: str, scratch: Path) -> dict[str, Case]:
    """The daily reads on the bundled roadmap with another installed mlpath."""
    home = scratch / "baseline-home"
    home.mkdir()
    warm = [baseline, "list"]  # fills its own cache of the bundled roadmap
    env = {**child_env(), "MLPATH_HOME": str(home)}
    subprocess.run(warm, env=env, check=True, stdout=subprocess.DEVNULL)
    cases = {}
    for name in DAILY:
        argv = [baseline, name] + (["deep-learning"] if name == "show" else [])
        cases[f"baseline {name}"] = Case(f"baseline {name}", argv, home)
    return cases


def mlpath_in(home: Path, roadmap: Path, *argv: str) -> None:
    """Run ``mlpath --roadmap ROADMAP ARGV...`` on the learner's ``home``, quietly."""
    subprocess.run(
        [MLPATH, "--roadmap", str(roadmap), *argv],
        env={**child_env(), "MLPATH_HOME": str(home)},
        check=True,
        stdout=subprocess.DEVNULL,
    )


def build_data(
    scratch: Path, big: Path, sizes: dict[str, int], start: datetime
) -> tuple[dict[str, Path], Path, Path, Path]:
    """The learners' homes by size; another machine's 10,000-change export; an export of
    60,000 notes; and the small home just after importing those notes."""
    other = scratch / "other-home"  # another machine's history, exported for import
    build_history(other, big, IMPORT_CHANGES, start + timedelta(hours=1))
    export = scratch / "other.json"
    mlpath_in(other, big, "export", "-o", str(export))
    homes: dict[str, Path] = {}
    for label, changes in sizes.items():
        homes[label] = scratch / f"home-{label}"
        build_history(homes[label], big, len(DONE) if label == "10k" else changes, start)
    # 10k: the small state, one import of another machine's 10,000 changes, and one note
    # after it (so that undo takes back a note, as on the small state)
    mlpath_in(homes["10k"], big, "import", str(export))
    mlpath_in(homes["10k"], big, "note", "topic-250", "after the import")
    # A large import, and the small home just after it, for its undo.
    notes_home = scratch / "notes-home"
    build_notes(notes_home, big, BIG_IMPORT_NOTES, start)
    notes_export = scratch / "notes.json"
    mlpath_in(notes_home, big, "export", "-o", str(notes_export))
    imported = scratch / "imported-home"
    shutil.copytree(homes["small"], imported)
    mlpath_in(imported, big, "import", str(notes_export))
    return homes, export, notes_export, imported


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--warmups", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="leave out the 100,000 changes")
    parser.add_argument(
        "--baseline",
        metavar="MLPATH",
        help="another installed mlpath (e.g. the previous release) to compare the daily reads "
        "on the bundled roadmap with, in the same run",
    )
    args = parser.parse_args()
    if not Path(MLPATH).exists():
        raise SystemExit(f"no mlpath next to {PYTHON}; install it first (pip install .)")
    sizes = {"small": len(DONE), "10k": IMPORT_CHANGES} | ({} if args.quick else {"100k": 100_000})

    with tempfile.TemporaryDirectory(prefix="mlpath-bench-") as folder:
        scratch = Path(folder)
        big = scratch / "big-roadmap.toml"
        write_big_roadmap(big)
        # two years up to a week ago: nothing recorded lies in the future, which an
        # import would refuse
        start = (datetime.now(UTC) - timedelta(days=737)).replace(
            hour=9, minute=0, second=0, microsecond=0
        )
        print("building the histories...", file=sys.stderr)
        homes, export, notes_export, imported = build_data(scratch, big, sizes, start)
        bundled_home = scratch / "bundled-home"
        bundled_home.mkdir()
        # A learner's home keeps mlpath's cache of checked roadmaps between runs: fill it.
        for home, prefix in [
            (bundled_home, []),
            *((h, ["--roadmap", str(big)]) for h in homes.values()),
        ]:
            subprocess.run(
                [MLPATH, *prefix, "roadmap", "info"],
                env={**child_env(), "MLPATH_HOME": str(home)},
                check=True,
                stdout=subprocess.DEVNULL,
            )
        sizes_mb = {k: (h / "state.db").stat().st_size / 1e6 for k, h in homes.items()}

        cases: dict[str, Case] = {
            "python -c pass": Case("python -c pass", [PYTHON, "-c", "pass"]),
            "floor": Case("floor", [PYTHON, "-c", FLOOR_IMPORTS]),
            "all dependencies": Case("all dependencies", [PYTHON, "-c", ALL_DEPENDENCIES]),
            "import typer": Case("import typer", [PYTHON, "-c", "import typer"]),
            "typer app": Case("typer app", [PYTHON, "-c", TYPER_APP]),
            "--version": Case("--version", [MLPATH, "--version"]),
        }
        for name in ("list", "show", "next", "progress", "done"):
            argv = [MLPATH, name] + (["deep-learning"] if name in ("show", "done") else [])
            cases[f"bundled {name}"] = Case(f"bundled {name}", argv, bundled_home, name == "done")
        if args.baseline:
            cases |= baseline_cases(args.baseline, scratch)
        # The first run after installing: no cache of the bundled roadmap yet.
        empty = scratch / "empty-home"
        cases["first run"] = Case(
            "first run",
            [MLPATH, "list"],
            empty,
            before=lambda _: shutil.rmtree(empty, ignore_errors=True),
        )
        # The first run after editing the big roadmap: its text is new, so it is checked.
        edited = scratch / "edited-roadmap.toml"
        cases["edited roadmap"] = Case(
            "edited roadmap",
            [MLPATH, "--roadmap", str(edited), "list"],
            homes["small"],
            before=lambda n: write_big_roadmap(edited, f"edit {n} {time.time()}"),
        )
        cases["warm big list"] = Case(
            "warm big list", [MLPATH, "--roadmap", str(big), "list"], homes["small"]
        )
        prefix = [MLPATH, "--roadmap", str(big)]
        cases["import 60k notes"] = Case(
            "import 60k notes", [*prefix, "import", str(notes_export)], homes["small"], True
        )
        cases["undo of it"] = Case("undo of it", [*prefix, "undo"], imported, True)
        readme = scratch / "curriculum.md"
        write_curriculum(readme)
        cases["from-markdown 700 links"] = Case(
            "from-markdown 700 links",
            [
                MLPATH,
                "roadmap",
                "from-markdown",
                str(readme),
                "-o",
                str(scratch / "c.toml"),
                "--force",
            ],
            homes["small"],
        )
        cases |= review_cases(scratch, big, start)
        cases |= browse_cases(bundled_home, homes, prefix)
        table = commands(["--roadmap", str(big)], export)
        for label, home in homes.items():
            for name, (argv, writes) in table.items():
                cases[f"{label} {name}"] = Case(f"{label} {name}", argv, home, writes)

        total = args.warmups + args.runs
        for round_number in range(total):
            for case in cases.values():
                case.run(scratch, record=round_number >= args.warmups)
            print(f"\rround {round_number + 1}/{total}", end="", file=sys.stderr, flush=True)
        print(file=sys.stderr)
        largest = list(homes)[-1]
        memory = {
            label: {name: peak_memory_mb(cases[f"{label} {name}"], scratch) for name in table}
            for label in homes
            if label != "small"
        }
        exported_mb = {}
        for label, home in homes.items():
            out = scratch / f"export-{label}.json"
            mlpath_in(home, big, "export", "-o", str(out))
            exported_mb[label] = out.stat().st_size / 1e6
        EXPORTED_MB.update(exported_mb)

        TEXTUAL_IN_LIST.extend(textual_imported_by([MLPATH, "list"], bundled_home))

    report(args, cases, sizes, sizes_mb, memory, largest, list(table))
    return 1 if FAILED else 0


FAILED: list[str] = []
EXPORTED_MB: dict[str, float] = {}  # the size of each state's export
TEXTUAL_IN_LIST: list[str] = []  # textual modules that mlpath list imports: none


def _typer_version() -> str:
    from importlib.metadata import version

    return version("typer")


def check(label: str, value: float, limit: float, unit: str = "") -> None:
    verdict = "PASS" if value <= limit else "FAIL"
    if verdict == "FAIL":
        FAILED.append(label)
    print(f"  {label:<44} {value:7.2f}{unit}  {limit:6.2f}{unit}  {verdict}")


def report(
    args: argparse.Namespace,
    cases: dict[str, Case],
    sizes: dict[str, int],
    sizes_mb: dict[str, float],
    memory: dict[str, dict[str, float]],
    largest: str,
    names: list[str],
) -> None:
    print(f"mlpath benchmark: {args.runs} runs after {args.warmups} warm-ups, medians")
    print(f"python {sys.version.split()[0]} on {os.cpu_count()} cores, {sys.platform}")
    print("database: " + ", ".join(f"{k} changes {v:.1f} MB" for k, v in sizes_mb.items()))
    print()
    large = [k for k in sizes if k != "small"]
    print(
        f"  {'command':<14}"
        + "".join(f"{k:>10}" for k in sizes)
        + "".join(f"{'/small ' + k:>13}" for k in large)
        + "".join(f"{'MB ' + k:>9}" for k in large)
    )
    for name in names:
        small = cases[f"small {name}"].median
        row = "".join(f"{cases[f'{k} {name}'].median * 1000:8.1f}ms" for k in sizes)
        row += "".join(f"{cases[f'{k} {name}'].median / small:13.2f}" for k in large)
        row += "".join(f"{memory[k][name]:9.1f}" for k in large)
        print(f"  {name:<14}{row}")
    print()
    big_import, its_undo = cases["import 60k notes"].median, cases["undo of it"].median
    print(f"  import of {BIG_IMPORT_NOTES:,} notes {big_import * 1000:8.1f} ms")
    print(f"  undo of that import    {its_undo * 1000:8.1f} ms")
    print()
    report_start_up(cases)
    check_targets(cases, sizes, memory, largest, names)
    check(f"undo of a {BIG_IMPORT_NOTES:,}-note import / the import", its_undo / big_import, 1.0)
    browse, listing = cases["bundled browse"].median, cases["bundled list"].median
    check("browse to its first screen / list (bundled)", browse / listing, 3.0)
    big_browse = cases["10k browse"].median / cases["small browse"].median
    check("browse on 1,000 topics: 10,000 changes / a handful", big_browse, 1.3)
    check("textual modules that mlpath list imports", float(len(TEXTUAL_IN_LIST)), 0.0)
    curriculum = cases["from-markdown 700 links"].median
    ratio = curriculum / cases["--version"].median
    print(f"  from-markdown of a 700-link README / --version: {ratio:.2f}")
    check("from-markdown of a 700-link README", curriculum, 1.0, " s")
    for name in ("review", "show", "stats"):
        handful, many = (cases[f"{label} graded {name}"].median for label in REVIEW_COUNTS)
        check(f"{name}: 10,000 graded reviews / a handful", many / handful, 1.3)
    print(f"\n{'all targets met' if not FAILED else f'{len(FAILED)} target(s) missed'}.")


def report_start_up(cases: dict[str, Case]) -> None:
    for name in (
        "python -c pass",
        "floor",
        "all dependencies",
        "import typer",
        "typer app",
        "--version",
        "bundled list",
        "bundled show",
        "bundled next",
        "bundled progress",
        "bundled done",
        "first run",
        "warm big list",
        "edited roadmap",
        *(f"baseline {name}" for name in DAILY),
    ):
        if name in cases:
            print(f"  {name:<20} {cases[name].median * 1000:7.1f} ms")
    print(f'  (floor: python -c "{FLOOR_IMPORTS}"; all dependencies: "{ALL_DEPENDENCIES}")')
    print()
    first = cases["first run"].median / cases["bundled list"].median
    edited = cases["edited roadmap"].median / cases["warm big list"].median
    typer_app = cases["typer app"].median / cases["import typer"].median
    print(f"  a two-command typer app / import typer (typer {_typer_version()}): {typer_app:.2f}")
    print(f"  first run after install / later runs (bundled list): {first:.2f}")
    print(f"  first run after editing the 1,000-topic roadmap / later runs: {edited:.2f}")
    print()
    floor, everything = cases["floor"].median, cases["all dependencies"].median
    for name in DAILY:
        ratio = cases[f"bundled {name}"].median / floor
        print(f"  bundled {name} / floor (what mlpath imports): {ratio:.2f}", end="")
        print(f", / all dependencies: {cases[f'bundled {name}'].median / everything:.2f}")
    print()


def check_export_rate(cases: dict[str, Case], sizes: dict[str, int]) -> None:
    """export writes the whole history: what it takes beyond its small-state time, per MB
    it writes beyond the small state's export, must be at least EXPORT_MB_PER_S."""
    small = cases["small export"].median
    for label in sizes:
        if label == "small":
            continue
        extra = cases[f"{label} export"].median - small
        written = EXPORTED_MB[label] - EXPORTED_MB["small"]
        rate = written / extra if extra > 0 else float("inf")
        verdict = "PASS" if rate >= EXPORT_MB_PER_S else "FAIL"
        if verdict == "FAIL":
            FAILED.append(f"export rate at {label}")
        name = f"export at {label}: MB/s beyond small ({written:.1f} MB)"
        print(f"  {name:<44} {rate:7.0f}  {EXPORT_MB_PER_S:6.0f}  {verdict} (at least)")


def check_targets(
    cases: dict[str, Case],
    sizes: dict[str, int],
    memory: dict[str, dict[str, float]],
    largest: str,
    names: list[str],
) -> None:
    everything = cases["all dependencies"].median
    print(f"  {'target':<44} {'ratio':>7}  {'limit':>6}")
    # No slower than before: measured against the previous mlpath when it is given, else
    # against the floor the previous benchmark used (where it measured 0.93).
    for name in DAILY:
        if f"baseline {name}" in cases:
            ratio = cases[f"bundled {name}"].median / cases[f"baseline {name}"].median
            check(f"bundled {name} / the same, previous mlpath", ratio, 1.10)
        else:
            ratio = cases[f"bundled {name}"].median / everything
            check(f"bundled {name} / all dependencies", ratio, 1.15)
    check("--version / import typer", cases["--version"].median / cases["import typer"].median, 1.1)
    check_export_rate(cases, sizes)
    for name in JOURNAL:
        base = cases[f"small {name}"].median
        for label, limit in (("10k", 1.3), ("100k", 2.0)):
            if label in sizes:
                check(f"{name}: {label} / small", cases[f"{label} {name}"].median / base, limit)
    for label in sizes:
        show = cases[f"{label} show"].median
        for name in WRITES:
            check(f"{name} / show at {label}", cases[f"{label} {name}"].median / show, 1.2)
    for label, used in memory.items():
        for name in names:
            check(f"peak memory of {name} at {label}", used[name], 100, " MB")


if __name__ == "__main__":
    sys.exit(main())
