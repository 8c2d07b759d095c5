"""The cache of checked roadmaps: never stale, never trusted when broken."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import tomli_w

from conftest import BUNDLED, Result
from mlpath.storage import cache
from mlpath.storage.roadmap_files import load_roadmap

Run = Callable[..., Result]


def _roadmap(title: str) -> str:
    return tomli_w.dumps(
        {
            "schema": 1,
            "id": "cached",
            "title": title,
            "areas": [{"id": "a", "title": "A", "summary": "An area."}],
            "topics": [
                {
                    "id": "t",
                    "area": "a",
                    "title": "T",
                    "summary": "A topic.",
                    "practice": {"summary": "Practise."},
                }
            ],
        }
    )


def test_the_cached_roadmap_equals_the_checked_one(mlpath_home: Path) -> None:
    first = cache.cached_roadmap(BUNDLED)  # checks and caches
    assert list((mlpath_home / "cache").iterdir())
    second = cache.cached_roadmap(BUNDLED)  # from the cache
    assert second == first == load_roadmap(BUNDLED)


def test_a_changed_roadmap_is_always_seen(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(_roadmap("First title"))
    assert "First title" in run("--roadmap", str(path), "list").stdout
    path.write_text(_roadmap("Second title"))
    assert "Second title" in run("--roadmap", str(path), "list").stdout
    path.write_text(_roadmap("Second title").replace('area = "a"', 'area = "b"'))
    broken = run("--roadmap", str(path), "list")
    assert broken.exit_code == 1 and "no area 'b'" in broken.stderr


def test_a_damaged_cache_entry_is_ignored_and_replaced(mlpath_home: Path) -> None:
    cache.cached_roadmap(BUNDLED)
    (entry,) = (mlpath_home / "cache").iterdir()
    entry.write_text("{ not json")
    assert cache.cached_roadmap(BUNDLED) == load_roadmap(BUNDLED)
    assert json.loads(entry.read_text())["text"] == BUNDLED.read_text()


def test_a_tampered_cache_entry_for_other_text_is_not_used(
    mlpath_home: Path, tmp_path: Path
) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(_roadmap("Real title"))
    cache.cached_roadmap(path)
    (entry,) = (mlpath_home / "cache").iterdir()
    document = json.loads(entry.read_text())
    document["text"] = "something else"
    document["roadmap"][2] = "Forged title"
    entry.write_text(json.dumps(document))
    assert cache.cached_roadmap(path).title == "Real title"


def test_an_unwritable_cache_is_not_an_error(mlpath_home: Path) -> None:
    mlpath_home.mkdir()
    (mlpath_home / "cache").write_text("a file where the folder should be")
    assert cache.cached_roadmap(BUNDLED).id == "ml-engineer"


# --- the loader, the schema and the cache describe one shape -----------------------------

EVERY_FIELD = {
    "schema": 1,
    "id": "full",
    "title": "Every field",
    "summary": "A roadmap with every optional field set.",
    "source": "Made up for this test.",
    "areas": [{"id": "a", "title": "A", "summary": "An area."}],
    "topics": [
        {
            "id": "t",
            "area": "a",
            "title": "T",
            "summary": "A topic.",
            "requires": [],
            "aliases": ["tee"],
            "estimate_hours": 12.5,
            "practice": {"summary": "Practise."},
            "resources": [
                {
                    "id": "r",
                    "kind": "book",
                    "title": "R",
                    "by": "Someone",
                    "url": "https://example.org/r",
                    "note": "Chapter 2.",
                }
            ],
        },
        {
            "id": "u",
            "area": "a",
            "title": "U",
            "summary": "Next.",
            "requires": ["t"],
            "practice": {"summary": "Again."},
        },
    ],
}


def test_the_json_schema_has_the_classes_fields() -> None:
    """The classes are the one description of the format: the JSON Schema names the
    same fields, every one of them (a field the schema left out would fail here)."""
    import dataclasses

    from mlpath.core import roadmap as plain

    document = plain.json_schema()
    for name in ("Roadmap", "Area", "Topic", "Practice", "Resource"):
        cls = getattr(plain, name)
        described = document if name == "Roadmap" else document["$defs"][name]
        fields = {f.name for f in dataclasses.fields(cls) if f.init}
        assert set(described["properties"]) == fields, name
        assert described["additionalProperties"] is False, name


def test_every_field_survives_the_loader_and_the_cache(tmp_path: Path) -> None:
    path = tmp_path / "full.toml"
    path.write_text(tomli_w.dumps(EVERY_FIELD))
    checked = load_roadmap(path)
    topic = checked.topic("t")
    assert (topic.aliases, topic.estimate_hours) == (("tee",), 12.5)
    assert topic.resources[0].note == "Chapter 2." and checked.source.startswith("Made up")
    first = cache.cached_roadmap(path)  # checks and writes the cache
    again = cache.cached_roadmap(path)  # read back from it
    assert first == again == checked
    assert again.topic("u").requires == ("t",)
