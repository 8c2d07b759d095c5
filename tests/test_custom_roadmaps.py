"""Bringing your own roadmap: choosing it, validating it, its schema, and hostile text."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import BUNDLED, Result
from mlpath.core.errors import RoadmapError
from mlpath.core.roadmap import json_schema, parse_roadmap

Run = Callable[..., Result]


def _roadmap(rid: str = "team", topics: tuple[str, ...] = ("basics", "advanced")) -> dict[str, Any]:
    return {
        "schema": 1,
        "id": rid,
        "title": f"The {rid} path",
        "areas": [{"id": "core", "title": "Core", "summary": "The core."}],
        "topics": [
            {
                "id": t,
                "area": "core",
                "title": t.capitalize(),
                "summary": f"About {t}.",
                "practice": {"summary": "Practise."},
                "resources": [{"id": f"{t}-book", "kind": "book", "title": f"{t} book"}],
            }
            for t in topics
        ],
    }


def _write(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(tomli_w.dumps(data), encoding="utf-8")
    return path


# --- choosing a roadmap -----------------------------------------------------------------


def test_roadmap_option_and_env_var(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    team = _write(tmp_path / "team.toml", _roadmap())
    listed = run("--roadmap", str(team), "list")
    assert listed.exit_code == 0 and "The team path" in listed.stdout
    monkeypatch.setenv("MLPATH_ROADMAP", str(team))
    assert "The team path" in run("list").stdout
    info = json.loads(run("roadmap", "info", "--json").stdout)
    assert info["chosen_by"] == "the MLPATH_ROADMAP environment variable"
    assert info["bundled"] is False and info["topics"] == 2
    # the option wins over the environment
    assert "Become an ML engineer" in run("--roadmap", str(BUNDLED), "list").stdout


def test_use_remembers_and_bundled_goes_back(run: Run, tmp_path: Path, mlpath_home: Path) -> None:
    team = _write(tmp_path / "team.toml", _roadmap())
    used = run("roadmap", "use", str(team))
    assert used.exit_code == 0 and "The team path (team)" in used.stdout
    assert (mlpath_home / "config.toml").exists()
    assert "The team path" in run("list").stdout
    info = run("roadmap").stdout
    assert "Chosen by: 'mlpath roadmap use'" in info and str(team) in info
    back = run("roadmap", "use", "--bundled")
    assert back.exit_code == 0
    assert "Become an ML engineer" in run("list").stdout
    assert "the bundled roadmap" in run("roadmap", "info").stdout


def test_use_refuses_an_invalid_roadmap(run: Run, tmp_path: Path, mlpath_home: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("schema = 1\n")
    result = run("roadmap", "use", str(broken))
    assert result.exit_code == 1
    assert not (mlpath_home / "config.toml").exists()
    assert run("roadmap", "use").exit_code == 2


def test_a_remembered_roadmap_that_vanished_says_how_back(run: Run, tmp_path: Path) -> None:
    team = _write(tmp_path / "team.toml", _roadmap())
    run("roadmap", "use", str(team))
    team.unlink()
    result = run("list")
    assert result.exit_code == 1
    assert "no roadmap file" in result.stderr and "mlpath roadmap use --bundled" in result.stderr


def test_switching_roadmaps_keeps_each_ones_progress(run: Run, tmp_path: Path) -> None:
    # two roadmaps with a topic id in common: progress must not mix
    one = _write(tmp_path / "one.toml", _roadmap("one", ("basics", "advanced")))
    two = _write(tmp_path / "two.toml", _roadmap("two", ("basics", "extra")))
    run("--roadmap", str(one), "done", "basics")
    run("done", "foundations")
    run("--roadmap", str(two), "start", "basics")

    def status(roadmap: Path | None, topic: str) -> str:
        args = ("--roadmap", str(roadmap)) if roadmap else ()
        data = json.loads(run(*args, "show", topic, "--json").stdout)
        return str(data["topic"]["status"])

    assert status(one, "basics") == "done"
    assert status(two, "basics") == "in-progress"
    assert status(None, "foundations") == "done"
    assert status(one, "advanced") == "not-started"


def test_invalid_roadmap_makes_commands_exit_1(run: Run, tmp_path: Path) -> None:
    data = _roadmap()
    data["topics"][1]["requires"] = ["basic"]
    bad = _write(tmp_path / "bad.toml", data)
    for args in (("list",), ("show", "basics"), ("progress",), ("done", "basics"), ("next",)):
        result = run("--roadmap", str(bad), *args)
        assert result.exit_code == 1
        assert "topics[1] (advanced).requires: no topic 'basic'. Did you mean 'basics'?" in (
            result.stderr
        )
        assert "Traceback" not in result.stderr


# --- validate -----------------------------------------------------------------------------


def test_validate_success_prints_a_summary(run: Run) -> None:
    result = run("roadmap", "validate", str(BUNDLED))
    assert result.exit_code == 0
    assert result.stdout.endswith(
        "is a valid roadmap of format 2: Become an ML engineer (ml-engineer), 3 areas, 7 topics, "
        "20 resources.\n"
    )


def test_validate_lists_every_problem_at_once(run: Run, tmp_path: Path) -> None:
    data = _roadmap()
    data["topics"][1]["requires"] = ["basic"]
    data["topics"][0]["resources"][0]["url"] = "ftp://example.org/book"
    data["topics"][0]["colour"] = "blue"
    bad = _write(tmp_path / "bad.toml", data)
    result = run("roadmap", "validate", str(bad))
    assert result.exit_code == 1
    assert "3 problems" in result.stderr
    assert "topics[0] (basics).resources[0] (basics-book).url: 'ftp://example.org/book'" in (
        result.stderr
    )
    assert "topics[0] (basics).colour: unknown key" in result.stderr
    assert "topics[1] (advanced).requires: no topic 'basic'. Did you mean 'basics'?" in (
        result.stderr
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"schema = 1\nid = 'x'\nid = 'y'\n", "Cannot overwrite a value (at line 3, column"),
        (b"schema = 1\ntitle = '\xff'\n", "not UTF-8"),
        (b"x = " + b"[" * 5000 + b"]" * 5000 + b"\n", "nested too deeply"),
        (b"# padding\n" * 120_000, "larger than 1 MiB"),
        (b"schema = 3\n", "format 3"),
        (b'schema = 1\nid = "Team Path"\n', "id: 'Team Path' is not a valid id"),
    ],
)
def test_validate_refuses_bad_files(run: Run, tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_bytes(content)
    result = run("roadmap", "validate", str(path))
    assert result.exit_code == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_a_thousand_topic_roadmap_loads_and_lists(run: Run, tmp_path: Path) -> None:
    data = _roadmap(topics=tuple(f"topic-{i}" for i in range(1000)))
    for i, topic in enumerate(data["topics"][1:], start=1):
        topic["requires"] = [f"topic-{i - 1}"]
    big = _write(tmp_path / "big.toml", data)
    assert run("roadmap", "validate", str(big)).exit_code == 0
    listed = run("--roadmap", str(big), "list", "--json")
    assert listed.exit_code == 0
    assert json.loads(listed.stdout)["total"] == 1000


# --- schema and init --------------------------------------------------------------------


def test_schema_accepts_the_bundled_roadmap_and_rejects_a_broken_one(run: Run) -> None:
    result = run("roadmap", "schema")
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert "progress is stored under it" in json.dumps(schema)  # descriptions are there
    bundled = tomllib.loads(BUNDLED.read_text())
    jsonschema.validate(bundled, schema)
    broken = {**bundled, "colour": "blue"}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)
    bad_id = {**bundled, "id": "Not A Slug"}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad_id, schema)


def test_init_writes_a_valid_starter_and_never_overwrites(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "my.toml"
    assert run("roadmap", "init", str(path)).exit_code == 0
    starter = parse_roadmap(path.read_text(), "my.toml")
    assert len(starter.areas) == 2 and len(starter.topics) == 3
    assert any(t.requires for t in starter.topics)
    kinds = {r.kind for t in starter.topics for r in t.resources}
    assert {"book", "course", "paper", "article", "docs"} <= kinds
    assert "#" in path.read_text()  # commented
    jsonschema.validate(tomllib.loads(path.read_text()), json_schema())
    path.write_text("mine")
    again = run("roadmap", "init", str(path))
    assert again.exit_code == 1 and "already exists" in again.stderr
    assert path.read_text() == "mine"


# --- untrusted text -----------------------------------------------------------------------

HOSTILE = [
    "\x1b]52;c;SGVsbG8=\x07",  # write to the clipboard
    "\x1b[2J",  # clear the screen
    "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\",  # hyperlink
    "[bold red]shout[/bold red]",
    "[link=file:///etc/passwd]x[/link]",
    ":skull: :thumbs_up:",
    "\x9b31m C1 \x7f",
]


def _hostile_roadmap() -> dict[str, Any]:
    data = _roadmap()
    text = " ".join(HOSTILE)
    data["title"] = "Evil " + text
    data["areas"][0]["title"] = "Area " + text
    for topic in data["topics"]:
        topic["title"] = topic["title"] + " " + text
        topic["summary"] = text
        topic["practice"]["summary"] = text
        topic["resources"][0].update(title=text, by=text, note=text)
    return data


def test_hostile_roadmap_text_prints_as_plain_characters(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "1000")  # no wrapping inside the strings checked below
    evil = _write(tmp_path / "evil.toml", _hostile_roadmap())
    run("--roadmap", str(evil), "note", "basics", "\x1b[31mred note [bold]x[/bold]")
    for args in (
        ("list",),
        ("list", "--tree"),
        ("show", "basics"),
        ("show",),
        ("next", "--all"),
        ("progress",),
        ("search", "shout"),
        ("roadmap", "info"),
        ("history",),
        ("done", "basics", "book"),
    ):
        result = run("--roadmap", str(evil), *args)
        assert result.exit_code == 0, (args, result.stderr)
        for stream in (result.stdout, result.stderr):
            assert "\x1b" not in stream and "\x9b" not in stream and "\x07" not in stream, args
    shown = run("--roadmap", str(evil), "show", "basics").stdout
    assert "[bold red]shout[/bold red]" in shown
    assert "[link=file:///etc/passwd]x[/link]" in shown
    assert ":skull:" in shown
    assert "\\x1b[2J" in shown  # escaped, visibly
    assert "[bold]x[/bold]" in shown


def test_hostile_ids_in_errors_are_escaped(run: Run, tmp_path: Path) -> None:
    data = _roadmap()
    data["topics"][1]["requires"] = ["\x1b[2J"]
    evil = _write(tmp_path / "evil.toml", data)
    result = run("--roadmap", str(evil), "list")
    assert result.exit_code == 1
    assert "\x1b" not in result.stderr and "\\x1b" in result.stderr
    unknown = run("show", "\x1b[2Jfoo")
    assert unknown.exit_code == 2 and "\x1b" not in unknown.stderr


# --- any TOML document -----------------------------------------------------------------

toml_values = st.recursive(
    st.none().map(lambda _: "") | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
roadmap_like = st.fixed_dictionaries(
    {},
    optional={
        "schema": st.integers(-2, 3) | st.text(max_size=3),
        "id": st.text(max_size=10),
        "title": st.text(max_size=10),
        "areas": st.lists(
            st.dictionaries(st.sampled_from(["id", "title", "summary", "x"]), toml_values),
            max_size=3,
        ),
        "topics": st.lists(
            st.dictionaries(
                st.sampled_from(
                    [
                        "id",
                        "area",
                        "title",
                        "summary",
                        "requires",
                        "aliases",
                        "practice",
                        "resources",
                    ]
                ),
                toml_values,
            ),
            max_size=3,
        ),
    },
)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(roadmap_like)
def test_any_toml_document_loads_or_raises_our_error(data: dict[str, Any]) -> None:
    text = tomli_w.dumps(data)
    try:
        parse_roadmap(text, "fuzz.toml")
    except RoadmapError as error:
        assert "\x1b" not in str(error)


def test_the_documented_example_is_valid() -> None:
    doc = (Path(__file__).parent.parent / "docs" / "roadmap-format.md").read_text()
    example = doc.split("```toml\n", 1)[1].split("```", 1)[0]
    roadmap = parse_roadmap(example, "docs example")
    assert [t.id for t in roadmap.topics] == ["python", "first-project"]


def test_text_that_changes_direction_or_hides_shows_escaped(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A title with a right-to-left override, a zero-width space or a line separator
    cannot display reversed or hide text: every output shows the characters escaped."""
    monkeypatch.setenv("COLUMNS", "1000")
    sneaky = "Safe\u202etxt.exe\u200b\u2028\ufeff"
    path = _write(tmp_path / "sneaky.toml", {**_roadmap(), "title": sneaky})
    run("--roadmap", str(path), "note", "basics", f"note {sneaky}")
    for args in (("list",), ("show", "basics"), ("progress",), ("export", "-f", "markdown")):
        result = run("--roadmap", str(path), *args)
        assert result.exit_code == 0, (args, result.stderr)
        for char in "\u202e\u200b\u2028\ufeff":
            assert char not in result.stdout, (args, char)
    shown = run("--roadmap", str(path), "list").stdout
    assert "Safe\\u202etxt.exe\\u200b\\u2028\\ufeff" in shown
