"""Roadmap format 2: what real curricula say that format 1 could not."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import tomli_w

from conftest import Result

Run = Callable[..., Result]


def _course(tmp_path: Path, **changes: Any) -> Path:
    """A course in the shape of a popular LLM course: an optional fundamentals part,
    then the scientist's part."""
    data: dict[str, Any] = {
        "schema": 2,
        "id": "llm-course",
        "title": "LLM course",
        "areas": [
            {"id": "fundamentals", "title": "Fundamentals", "summary": "Maths, Python, NNs."},
            {"id": "scientist", "title": "The LLM scientist", "summary": "Building LLMs."},
        ],
        "topics": [
            {
                "id": "maths",
                "area": "fundamentals",
                "title": "Mathematics for ML",
                "summary": "Linear algebra, calculus, probability.",
                "practice": {"summary": "Do the exercises."},
            },
            {
                "id": "architecture",
                "area": "scientist",
                "title": "The LLM architecture",
                "summary": "Tokenization, attention, sampling.",
                "practice": {"summary": "Implement a small transformer."},
                "requires": ["maths"],
            },
            {
                "id": "pretraining",
                "area": "scientist",
                "title": "Pre-training models",
                "summary": "Data, distributed training, monitoring.",
                "practice": {"summary": "Pre-train a tiny model."},
                "requires": ["architecture"],
                "optional": True,
            },
            {
                "id": "fine-tuning",
                "area": "scientist",
                "title": "Supervised fine-tuning",
                "summary": "Full fine-tuning, LoRA, QLoRA.",
                "practice": {"summary": "Fine-tune a small model."},
                "requires": ["architecture"],
            },
        ],
    }
    data["areas"][0]["optional"] = True
    data.update(changes)
    path = tmp_path / "llm.toml"
    path.write_text(tomli_w.dumps(data), encoding="utf-8")
    return path


def test_an_optional_area_and_topic_are_shown_but_not_counted(run: Run, tmp_path: Path) -> None:
    course = str(_course(tmp_path))
    listed = run("--roadmap", course, "list").stdout
    assert "Fundamentals (optional)" in listed and "Pre-training models (optional)" in listed
    progress = json.loads(run("--roadmap", course, "progress", "--json").stdout)
    assert progress["overall"]["total"] == 2 and progress["overall"]["optional"] == 2
    assert progress["optional"] == ["maths", "pretraining"]
    # next passes over the optional part: an optional prerequisite not started is no obstacle
    assert json.loads(run("--roadmap", course, "next", "--json").stdout)["topics"][0]["id"] == (
        "architecture"
    )
    assert "Optional: counts once you start it" in run("--roadmap", course, "show", "maths").stdout
    shown = run("--roadmap", course, "progress").stdout
    assert "Optional (counted once started): " in shown


def test_an_optional_topic_counts_once_started(run: Run, tmp_path: Path) -> None:
    course = str(_course(tmp_path))
    run("--roadmap", course, "start", "maths")
    progress = json.loads(run("--roadmap", course, "progress", "--json").stdout)
    assert progress["overall"]["total"] == 3 and progress["optional"] == ["pretraining"]
    assert (
        json.loads(run("--roadmap", course, "next", "--json").stdout)["topics"][0]["id"] == "maths"
    )
    for topic in ("maths", "architecture", "fine-tuning"):
        run("--roadmap", course, "done", topic)
    shown = run("--roadmap", course, "progress").stdout
    assert "Finished: " in shown  # the optional topic not started does not hold it back


def test_format_2_keys_need_schema_2(run: Run, tmp_path: Path) -> None:
    course = _course(tmp_path, schema=1)
    result = run("roadmap", "validate", str(course))
    assert result.exit_code == 1
    assert "areas[0] (fundamentals).optional: a format 2 key; set schema = 2" in result.stderr
    valid = run("roadmap", "validate", str(_course(tmp_path)))
    assert "is a valid roadmap of format 2" in valid.stdout and "(2 optional)" in valid.stdout
