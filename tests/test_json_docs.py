"""docs/json.md documents every --json document; the commands must keep its fields."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from conftest import REPO, TODAY, Result

Run = Callable[..., Result]
DOC = (REPO / "docs" / "json.md").read_text()
EXAMPLES = re.findall(r"\$ mlpath (.+?)\n\n```json\n(.*?)\n```", DOC, re.DOTALL)


def _kind(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return repr(type(value).__name__)
    return "number" if isinstance(value, int | float) else type(value).__name__


def _same_fields(documented: Any, actual: Any, where: str = "") -> list[str]:
    """Where the two documents differ in keys or in the kind of a value (text, number,
    table, list, true/false, null); lists compare their first items, and a list empty on
    one side only is a difference (its items could not be compared)."""
    place = where or "."
    if _kind(documented) != _kind(actual):
        return [f"{place}: {_kind(documented)} != {_kind(actual)}"]
    if isinstance(documented, dict):
        problems = []
        if set(documented) != set(actual):
            problems.append(f"{place}: {sorted(documented)} != {sorted(actual)}")
        for key in set(documented) & set(actual):
            problems += _same_fields(documented[key], actual[key], f"{where}.{key}")
        return problems
    if isinstance(documented, list):
        if bool(documented) != bool(actual):
            return [f"{place}: a list empty on one side only"]
        if documented:
            return _same_fields(documented[0], actual[0], f"{where}[0]")
    return []


def test_same_fields_finds_what_differs() -> None:
    assert _same_fields({"a": [{"b": 1}]}, {"a": [{"b": 2.5}]}) == []
    assert _same_fields({"a": "x"}, {"a": 1}) == [".a: str != number"]
    assert _same_fields({"a": [1]}, {"a": []}) == [".a: a list empty on one side only"]
    assert _same_fields({"a": None}, {"a": {}}) != []
    assert _same_fields({"a": 1}, {"b": 1}) != []


def test_every_read_command_is_documented() -> None:
    documented = {args.split(" --")[0].split()[0] for args, _ in EXAMPLES}
    assert documented >= {
        "list",
        "show",
        "next",
        "progress",
        "review",
        "stats",
        "search",
        "history",
        "roadmap",
        "cohort",
    }


@pytest.mark.parametrize(("args", "example"), EXAMPLES, ids=[a for a, _ in EXAMPLES])
def test_documented_json_matches_the_command(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: str, example: str
) -> None:
    # the learner of the doc's examples
    run("done", "foundations", "--on", "2026-11-10")
    run("done", "dl", "book")
    run("note", "dl", "--link", "https://github.com/example/mlp", "MLP from scratch")
    run("skip", "nlp")
    run("log", "dl", "1h30m", "--on", "2026-11-20")
    run("goal", "--by", (TODAY + timedelta(weeks=30)).isoformat())
    monkeypatch.chdir(tmp_path)  # cohort/: a mentor's folder with this learner's export
    (tmp_path / "cohort").mkdir()
    run("export", "-o", str(tmp_path / "cohort" / "ana.json"))
    (tmp_path / "course.md").write_text(  # the curriculum the from-markdown example reads
        "# Tabular ML\n\n## Basics\n\n### [Linear models](01-linear/)\n\n"
        "- [Linear regression (video)](https://www.youtube.com/watch?v=lin)\n"
        "- Regularisation\n\n## Community\n\nAsk in the [forum](https://forum.example.org/).\n",
        encoding="utf-8",
    )
    result = run(*args.split())
    assert result.exit_code == 0, result.stderr
    actual = json.loads(result.stdout)  # stdout is one JSON document and nothing else
    assert actual["version"] == 1
    assert _same_fields(json.loads(example), actual) == []
