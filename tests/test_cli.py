"""The four foundation commands, as a user meets them."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import Result
from mlpath.cli import app
from mlpath.cli._app import COMMAND_ORDER

Run = Callable[..., Result]


def test_list_shows_areas_and_topics_in_essay_order(run: Run) -> None:
    result = run("list")
    assert result.exit_code == 0
    out = result.stdout
    order = [
        "Machine Learning",
        "foundations",
        "deep-learning",
        "nlp-transformers",
        "Software Engineering",
        "algorithms",
        "engineering-practices",
        "advanced-engineering",
        "Production ML",
        "production-ml",
    ]
    positions = [out.index(word) for word in order]
    assert positions == sorted(positions)
    assert out.count("not started") == 7
    assert "0 of 7 topics done" in out


def test_done_then_progress_counts_one_of_seven(run: Run) -> None:
    result = run("done", "foundations")
    assert result.exit_code == 0
    assert result.stdout == "Marked Foundations (foundations) as done.\n"
    progress = run("progress")
    assert progress.exit_code == 0
    assert "1 of 7 topics done (14%)" in progress.stdout
    assert re.search(r"Machine Learning\s.*1/3\s+33%", progress.stdout)
    assert "Next: Deep learning (deep-learning)" in progress.stdout
    listing = run("list").stdout
    assert "✓ done" in listing
    assert "1 of 7 topics done" in listing


def test_done_twice_is_harmless(run: Run, state_file: Path) -> None:
    run("done", "deep-learning")
    before = state_file.read_bytes()
    again = run("done", "dl")
    assert again.exit_code == 0
    assert "already done" in again.stdout
    assert state_file.read_bytes() == before


def test_show_names_book_course_and_links(run: Run) -> None:
    result = run("show", "deep-learning")
    assert result.exit_code == 0
    out = result.stdout
    for expected in (
        "Deep learning",
        "Machine Learning",
        "Deep Learning by Goodfellow & Bengio",
        "https://www.deeplearningbook.org/",
        "Practical Deep Learning for Coders by fast.ai",
        "https://course.fast.ai/",
        "Requires: foundations",
        "Best way to learn",
        "not started",
    ):
        assert expected in out


def test_show_status_has_the_date_once_done(run: Run) -> None:
    run("done", "algorithms")
    out = run("show", "algorithms").stdout
    assert re.search(r"Status: ✓ done since \d{4}-\d{2}-\d{2} \d{2}:\d{2}", out)


def test_show_says_why_there_is_no_course_in_the_roadmaps_words(run: Run) -> None:
    out = run("show", "engineering-practices").stdout
    assert "No course is recommended: this is about how you work" in out
    assert "No course is recommended for this topic." not in out  # no default claim


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("nlp", "NLP and Transformer models"),  # unique prefix
        ("transformers", "NLP and Transformer models"),  # alias
        ("concurrency", "Advanced engineering topics such as concurrency"),  # alias
        ("Deep Learning", "Deep learning"),  # case and spaces
    ],
)
def test_topics_are_found_by_id_alias_or_prefix(run: Run, name: str, title: str) -> None:
    result = run("show", name)
    assert result.exit_code == 0
    assert title in result.stdout


def test_show_without_topic_shows_the_next_one(run: Run) -> None:
    first = run("show")
    assert first.exit_code == 0
    assert "Next up" in first.stdout and "Foundations" in first.stdout
    run("done", "foundations")
    assert "Deep learning" in run("show").stdout


def test_unknown_topic_exits_2_with_suggestion(run: Run, state_file: Path) -> None:
    result = run("show", "deep-lerning")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "no topic 'deep-lerning'" in result.stderr
    assert "'deep-learning'" in result.stderr
    assert "Traceback" not in result.stderr
    done = run("done", "foundation-stuff")
    assert done.exit_code == 2
    assert not state_file.exists()


def test_ambiguous_prefix_exits_2_listing_candidates(run: Run) -> None:
    result = run("show", "a")
    assert result.exit_code == 2
    assert "advanced-engineering" in result.stderr and "algorithms" in result.stderr


def test_unknown_command_and_option_exit_2(run: Run) -> None:
    assert run("frobnicate").exit_code == 2
    assert run("list", "--frobnicate").exit_code == 2


@pytest.mark.parametrize(
    ("args", "first_line", "hint"),
    [
        (("shwo",), "mlpath: no such command 'shwo'. Did you mean 'show'?", "Try 'mlpath -h'."),
        (("frobnicate",), "mlpath: no command 'frobnicate'.", "Try 'mlpath -h'."),
        (("list", "--nope"), "mlpath: no option --nope for this command.", "list -h'."),
        (
            ("list", "--statu"),
            "mlpath: no option --statu for this command. Did you mean '--status'?",
            "Try 'mlpath list -h'.",
        ),
        (("done", "dl", "--json"), "mlpath: no option --json for this command.", "done -h'."),
        (("log",), "mlpath: missing argument 'TOPIC'.", "Try 'mlpath log -h'."),
        (("progress", "--svg"), "mlpath: option '--svg' requires an argument.", "-h'."),
        (
            ("history", "-n", "abc"),
            "mlpath: -n/--count takes a whole number from 1 to 1,000,000,000; not 'abc'.",
            "Try 'mlpath history -h'.",
        ),
        (
            ("plan", "--hours-per-week", "500"),
            "mlpath: --hours-per-week takes a number from 0.5 to 100; not '500'.",
            "Try 'mlpath plan -h'.",
        ),
        (
            ("done", "foundations", "practise"),
            "mlpath: foundations has no resource 'practise'. Did you mean 'practice'? "
            "(mlpath show foundations lists them)",
            "",
        ),
    ],
)
def test_usage_errors_speak_in_one_voice(
    run: Run, args: tuple[str, ...], first_line: str, hint: str
) -> None:
    result = run(*args)
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines[0] == first_line
    assert (lines[1].endswith(hint) and len(lines) == 2) if hint else len(lines) == 1
    assert "Usage:" not in result.stderr and "Error:" not in result.stderr


def test_no_arguments_prints_help(run: Run) -> None:
    result = run()
    assert result.exit_code == 0
    assert "Usage: mlpath" in result.stdout
    for command in ("list", "show", "done", "progress"):
        assert command in result.stdout


def test_version(run: Run) -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert re.fullmatch(r"mlpath \d+\.\d+\.\d+\n", result.stdout)


def _command_names() -> list[str]:
    """Every command, subcommands of groups included ('roadmap validate')."""
    import typer.main

    names = []
    group = typer.main.get_command(app)
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        names.append(name)
        names += [f"{name} {sub}" for sub in getattr(command, "commands", {})]
    return sorted(names)


def test_every_command_is_listed() -> None:
    names = _command_names()
    assert len(names) >= 25 and "roadmap validate" in names and "doctor" in names


@pytest.mark.parametrize("command", _command_names())
@pytest.mark.parametrize("flag", ["-h", "--help"])
def test_every_command_has_help(run: Run, command: str, flag: str) -> None:
    result = run(*command.split(), flag)
    assert result.exit_code == 0
    assert f"mlpath {command}" in result.stdout
    # the first line of the help text is a real sentence, not empty
    body = result.stdout.split("\n\n")[1].strip()
    assert len(body) > 20 and body.endswith(".")


def test_corrupt_old_state_file_is_refused_and_left_untouched(
    run: Run, legacy_file: Path, state_file: Path
) -> None:
    legacy_file.parent.mkdir(parents=True)
    legacy_file.write_bytes(b"version = 1\n[progress\n")
    for args in (("list",), ("progress",), ("done", "foundations")):
        result = run(*args)
        assert result.exit_code == 1
        assert str(legacy_file) in result.stderr
        assert "line 2" in result.stderr
        assert "Traceback" not in result.stderr
    assert legacy_file.read_bytes() == b"version = 1\n[progress\n"
    assert not state_file.exists()


def test_future_version_database_is_refused(run: Run, state_file: Path) -> None:
    import sqlite3

    assert run("done", "foundations").exit_code == 0
    conn = sqlite3.connect(state_file)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    content = state_file.read_bytes()
    result = run("done", "algorithms")
    assert result.exit_code == 1
    assert "newer mlpath" in result.stderr and str(state_file) in result.stderr
    assert state_file.read_bytes() == content


def test_json_outputs_parse_and_have_a_version(run: Run) -> None:
    run("done", "foundations")
    listing = json.loads(run("list", "--json").stdout)
    assert listing["version"] == 1
    assert listing["done"] == 1 and listing["total"] == 7
    assert [a["id"] for a in listing["areas"]] == [
        "machine-learning",
        "software-engineering",
        "production-ml",
    ]
    assert listing["areas"][0]["topics"][0]["status"] == "done"
    shown = json.loads(run("show", "dl", "--json").stdout)
    assert shown["topic"]["id"] == "deep-learning"
    assert {r["kind"] for r in shown["topic"]["resources"]} == {"book", "course"}
    progress = json.loads(run("progress", "--json").stdout)
    assert progress["overall"] == {
        "done": 1,
        "total": 7,
        "percent": 14,
        "in_progress": 0,
        "skipped": 0,
        "optional": 0,
        "hours": 0.0,
    }
    assert progress["next"]["id"] == "deep-learning"


@pytest.mark.parametrize("width", ["40", "80"])
def test_a_link_in_a_note_is_shown_whole(
    run: Run, monkeypatch: pytest.MonkeyPatch, width: str
) -> None:
    monkeypatch.setenv("COLUMNS", width)
    url = "https://example.org/notes/backpropagation-by-hand/chapter-twelve.html"
    text = f"See {url}, then redo the derivation of the chain rule"
    assert run("note", "deep-learning", text).exit_code == 0
    shown = run("show", "deep-learning").stdout
    assert f" {url}\n" in shown and "…" not in shown.split("Notes")[1]
    assert ", then redo the" in shown and "chain rule" in shown


def test_help_is_whole_at_80_columns_with_plain_placeholders_and_examples(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    overview = run("-h").stdout
    assert "..." not in overview.split("Browse the path:")[1]  # no summary cut short
    for panel in ("Browse the path:", "Record progress:", "Keep and move your data:"):
        assert panel in overview
    commands = [c for c in COMMAND_ORDER if c != "roadmap"]
    commands += [f"roadmap {c}" for c in ("info", "use", "validate", "schema", "init")]
    commands += [f"config {c}" for c in ("list", "get", "set", "path")]
    for command in commands:
        text = run(*command.split(), "-h").stdout
        assert "Examples:\n" in text and f"mlpath {command}" in text, command
        assert "<str>" not in text and "<int" not in text and "{" not in text, command


def test_the_roadmap_group_lists_its_commands_whole_at_80_columns(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    listed = run("roadmap", "--help").stdout.split("Commands:", 1)[1]
    assert "..." not in listed and "from-markdown    Make a roadmap from a Markdown" in listed
    assert "A Markdown curriculum (a README)." in run("roadmap", "from-markdown", "-h").stdout


def test_setting_a_goal_says_goal_once(run: Run) -> None:
    said = run("goal", "--by", "2027-06-30").stdout
    assert said.startswith("Goal set: finish Become an ML engineer by 2027-06-30; ")
    assert said.count("Goal") == 1


def test_an_area_with_every_topic_skipped_says_so_in_words(run: Run, tmp_path: Path) -> None:
    for topic in ("algorithms", "engineering-practices", "advanced-engineering"):
        run("skip", topic)
    shown = run("progress").stdout
    assert "0/0" not in shown
    row = next(line for line in shown.splitlines() if line.startswith("Software Engineering"))
    assert "all skipped" in row
    page = tmp_path / "p.html"
    run("progress", "--html", str(page))
    assert "0/0" not in page.read_text(
        encoding="utf-8"
    ) and "every topic skipped" in page.read_text(encoding="utf-8")


def test_config_lists_gets_sets_and_checks_as_the_file_is_checked(
    run: Run, mlpath_home: Path
) -> None:
    listed = run("config", "list").stdout.splitlines()
    assert listed[0] == f"Settings file: {mlpath_home / 'config.toml'}"
    assert "review.retention  0.9  (default)" in listed
    assert run("config", "path").stdout.strip() == str(mlpath_home / "config.toml")
    assert run("config", "set", "review.retention", "0.85").exit_code == 0
    assert run("config", "get", "review.retention").stdout == "0.85\n"
    assert "[review]\nretention = 0.85" in (mlpath_home / "config.toml").read_text()
    assert "config.toml is sound" in run("doctor").stdout  # the file's own rules pass
    before = (mlpath_home / "config.toml").read_bytes()
    for args, said in (
        (("review.retention", "0.5"), "review.retention takes a number from 0.7 to 0.97"),
        (("sync.timeout", "0"), "sync.timeout takes a number from 1 to 3600"),
        (("sync.notes", "maybe"), "sync.notes takes true or false"),
        (("retention", "0.8"), "no setting 'retention'. Did you mean 'review.retention'?"),
        (("goals", "x"), "goals is set with 'mlpath goal --by DATE'"),
        (("roadmap", "missing.toml"), "no roadmap file at"),
    ):
        refused = run("config", "set", *args)
        assert refused.exit_code in (1, 2) and said in refused.stderr, (args, refused.stderr)
    assert (mlpath_home / "config.toml").read_bytes() == before  # nothing written
    missing = run("config", "get", "sync.remote")
    assert missing.exit_code == 1 and "sync.remote is not set" in missing.stderr


def test_one_mapping_says_every_error_and_its_exit_code() -> None:
    """Our errors, Click's and Ctrl-C are worded in one place, in one voice."""
    from typer._click.exceptions import NoSuchOption

    from mlpath.cli._app import explain
    from mlpath.core.errors import RoadmapError, TopicNotFound

    assert explain(TopicNotFound("no topic 'x'.")) == ("mlpath: no topic 'x'.\n", 2)
    assert explain(RoadmapError("a.toml: not a roadmap.")) == (
        "mlpath: a.toml: not a roadmap.\n",
        1,
    )
    message, code = explain(NoSuchOption("--colour")) or ("", 0)
    assert message.startswith("mlpath: ") and code == 2
    assert explain(KeyboardInterrupt()) == ("mlpath: interrupted.\n", 130)
    assert explain(ValueError("a bug")) is None  # not ours to word: it is a defect
