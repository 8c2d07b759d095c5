"""Start-up and scale benchmark for the installed ``mlpath``. Standard library only.

    python benchmarks/bench.py [--runs 15] [--warmups 2]

Run it with the Python of the environment mlpath is installed in (``uv run python
benchmarks/bench.py``, or a venv's python after ``pip install .``). Every command is a
fresh process of the installed entry point. Each round runs every case once, baselines
included, in the same order (so slow and fast moments of the machine hit all cases
alike); the medians of the rounds after the warm-ups are compared as ratios measured in
the same run. Prints each target with its measured ratio and PASS or FAIL, and exits 1
if any target fails.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

PYTHON = sys.executable
MLPATH = str(Path(sys.executable).with_name("mlpath"))
FLOOR_IMPORTS = "import typer, pydantic, rich.console, platformdirs, tomllib"

SCALE_TOPICS = 1000
SCALE_AREAS = 10
SCALE_CHANGES = 10_000


# --- the data at scale --------------------------------------------------------------------


def write_big_roadmap(path: Path) -> None:
    """A valid roadmap of 1,000 topics in 10 areas, each with a book and a course."""
    lines = ["schema = 1", 'id = "bench"', 'title = "Benchmark path"', ""]
    for a in range(SCALE_AREAS):
        lines += [
            "[[areas]]",
            f'id = "area-{a}"',
            f'title = "Area {a}"',
            'summary = "An area."',
            "",
        ]
    for t in range(SCALE_TOPICS):
        requires = f'["topic-{t - 1}"]' if t % 100 else "[]"
        lines += [
            "[[topics]]",
            f'id = "topic-{t}"',
            f'area = "area-{t // (SCALE_TOPICS // SCALE_AREAS)}"',
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


def write_big_export(path: Path) -> None:
    """An mlpath export holding 10,000 recorded changes: notes, checks and study time,
    spread over 400 topics and two years. Imported into a home, it is the large state."""
    start = datetime(2025, 1, 1, 9, tzinfo=UTC)
    topics: dict[str, dict[str, object]] = {}
    log: list[dict[str, object]] = []
    for i in range(SCALE_CHANGES):
        topic_id = f"topic-{i % 400}"
        at = (start + timedelta(hours=i * 1.7)).isoformat()
        entry = topics.setdefault(
            topic_id,
            {"status": "in-progress", "started_at": at, "updated_at": at, "checked": {}},
        )
        kind = i % 3
        change: dict[str, object] = {
            "at": at,
            "roadmap": "bench",
            "topic": topic_id,
            "before": {"status": "in-progress"},
        }
        if kind == 0:
            note = {"at": at, "text": f"note {i}: where I left off, and what to do next"}
            entry.setdefault("notes", []).append(note)  # type: ignore[union-attr]
            change |= {"action": "note", "note": note}
        elif kind == 1:
            item = "book" if i % 2 else "course"
            entry["checked"][item] = at  # type: ignore[index]
            change |= {"action": "check", "resources": [item]}
        else:
            session = {"on": at, "minutes": 30 + i % 90}
            entry.setdefault("sessions", []).append(session)  # type: ignore[union-attr]
            change |= {"action": "log", "session": session}
        log.append(change)
    document = {
        "mlpath_export": 1,
        "exported_at": start.isoformat(),
        "version": 4,
        "roadmaps": {"bench": {"topics": topics}},
        "log": log,
    }
    path.write_text(json.dumps(document), encoding="utf-8")


# --- measuring ----------------------------------------------------------------------------


class Case:
    def __init__(self, name: str, argv: list[str], home: Path | None = None) -> None:
        self.name = name
        self.argv = argv
        self.home = home  # a template MLPATH_HOME, copied afresh for every run
        self.times: list[float] = []

    def run(self, scratch: Path, record: bool) -> None:
        env = child_env()
        if self.home is not None:
            home = scratch / "home"
            shutil.rmtree(home, ignore_errors=True)
            shutil.copytree(self.home, home)
            env["MLPATH_HOME"] = str(home)
        else:
            env["MLPATH_HOME"] = str(scratch / "unused")
        began = time.perf_counter()
        result = subprocess.run(
            self.argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        elapsed = time.perf_counter() - began
        if result.returncode != 0:
            raise SystemExit(f"{self.name} failed: {result.stderr.decode(errors='replace')}")
        if record:
            self.times.append(elapsed)

    @property
    def median(self) -> float:
        return statistics.median(self.times)


def child_env() -> dict[str, str]:
    """The environment of every measured process. Python may write its bytecode cache, as
    in any normal install: a machine that sets PYTHONDONTWRITEBYTECODE would otherwise
    measure the compiler, not the program (the warm-up runs fill the cache)."""
    env = {**os.environ, "NO_COLOR": "1"}
    for name in ("MLPATH_ROADMAP", "PYTHONDONTWRITEBYTECODE"):
        env.pop(name, None)
    return env


def peak_memory_mb(argv: list[str], home: Path, scratch: Path) -> float:
    """Peak resident memory of one run, from the child's rusage (a helper process runs it,
    so no earlier child's peak is mixed in)."""
    work = scratch / "mem-home"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(home, work)
    helper = (
        "import resource, subprocess, sys\n"
        "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=True)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    env = {**child_env(), "MLPATH_HOME": str(work)}
    out = subprocess.run(
        [PYTHON, "-c", helper, *argv], env=env, capture_output=True, text=True, check=True
    ).stdout
    kilobytes = int(out.strip())
    return kilobytes / 1024 if sys.platform != "darwin" else kilobytes / 1024 / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--warmups", type=int, default=2)
    args = parser.parse_args()
    if not Path(MLPATH).exists():
        raise SystemExit(f"no mlpath next to {PYTHON}; install it first (pip install .)")

    with tempfile.TemporaryDirectory(prefix="mlpath-bench-") as folder:
        scratch = Path(folder)
        empty_home = scratch / "empty-home"
        empty_home.mkdir()
        big_roadmap = scratch / "big-roadmap.toml"
        write_big_roadmap(big_roadmap)
        big_export = scratch / "big-export.json"
        write_big_export(big_export)
        big_home = scratch / "big-home"
        subprocess.run(
            [MLPATH, "--roadmap", str(big_roadmap), "import", str(big_export)],
            env={**child_env(), "MLPATH_HOME": str(big_home)},
            check=True,
            stdout=subprocess.DEVNULL,
        )
        big = ["--roadmap", str(big_roadmap)]
        # A learner's home keeps mlpath's cache of checked roadmaps between runs: fill it
        # in the templates, which every run then copies (state and cache alike).
        for home, prefix in ((empty_home, []), (big_home, big)):
            subprocess.run(
                [MLPATH, *prefix, "roadmap", "info"],
                env={**child_env(), "MLPATH_HOME": str(home)},
                check=True,
                stdout=subprocess.DEVNULL,
            )

        def commands(prefix: list[str], topic: str) -> dict[str, list[str]]:
            return {
                "list": [MLPATH, *prefix, "list"],
                "show": [MLPATH, *prefix, "show", topic],
                "progress": [MLPATH, *prefix, "progress"],
                "next": [MLPATH, *prefix, "next"],
                "done": [MLPATH, *prefix, "done", topic],
            }

        cases: dict[str, Case] = {
            "floor": Case("floor", [PYTHON, "-c", FLOOR_IMPORTS]),
            "import typer": Case("import typer", [PYTHON, "-c", "import typer"]),
            "python": Case("python", [PYTHON, "-c", "pass"]),
            "--version": Case("--version", [MLPATH, "--version"]),
        }
        for name, argv in commands([], "deep-learning").items():
            cases[f"bundled {name}"] = Case(f"bundled {name}", argv, empty_home)
        for name, argv in commands(big, "topic-250").items():
            cases[f"scale {name}"] = Case(f"scale {name}", argv, big_home)

        total = args.warmups + args.runs
        for round_number in range(total):
            for case in cases.values():
                case.run(scratch, record=round_number >= args.warmups)
            print(f"\rround {round_number + 1}/{total}", end="", file=sys.stderr, flush=True)
        print(file=sys.stderr)
        memory = max(
            peak_memory_mb(argv, big_home, scratch) for argv in commands(big, "topic-250").values()
        )

    print(f"mlpath benchmark: {args.runs} runs after {args.warmups} warm-ups, medians")
    print(f"python {sys.version.split()[0]} on {os.cpu_count()} cores, {sys.platform}\n")
    for case in cases.values():
        print(f"  {case.name:<16} {case.median * 1000:7.1f} ms")
    print(f"  peak memory at scale: {memory:.1f} MB\n")

    floor = cases["floor"].median
    results: list[tuple[str, float, float]] = []
    for name in ("list", "show", "progress", "next"):
        results.append((f"bundled {name} / floor", cases[f"bundled {name}"].median / floor, 1.15))
    results.append(
        ("--version / import typer", cases["--version"].median / cases["import typer"].median, 1.1)
    )
    for name in ("list", "show", "progress", "next", "done"):
        ratio = cases[f"scale {name}"].median / cases[f"bundled {name}"].median
        results.append((f"scale {name} / bundled {name}", ratio, 1.5))
    for where in ("bundled", "scale"):
        ratio = cases[f"{where} done"].median / cases[f"{where} show"].median
        results.append((f"{where} done / {where} show", ratio, 1.3))

    failed = 0
    print(f"  {'target':<36} {'ratio':>6}  {'limit':>6}")
    for label, ratio, limit in results:
        verdict = "PASS" if ratio <= limit else "FAIL"
        failed += verdict == "FAIL"
        print(f"  {label:<36} {ratio:6.2f}  {limit:6.2f}  {verdict}")
    verdict = "PASS" if memory < 100 else "FAIL"
    failed += verdict == "FAIL"
    print(f"  {'peak memory at scale (MB)':<36} {memory:6.1f}  {100:6.0f}  {verdict}")
    print(f"\n{len(results) + 1 - failed} of {len(results) + 1} targets met.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
