"""Finding the way: next, the tree, filters, search, open and shell completion."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import webbrowser
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from conftest import BUNDLED, Result
from mlpath.cli import browse
from mlpath.core import progress as ops
from mlpath.core.progress import State
from mlpath.core.roadmap import Roadmap
from mlpath.storage.roadmap_files import load_roadmap

Run = Callable[..., Result]
ROADMAP = load_roadmap(BUNDLED)


def test_next_on_a_fresh_state_names_foundations_book_and_course(run: Run) -> None:
    out = run("next").stdout
    assert out.startswith("Next: Foundations  [foundations]")
    assert "The Elements of Statistical Learning by Hastie et al." in out
    assert "Mathematics for Machine Learning: Linear Algebra by Coursera" in out
    assert "needs nothing before it" in out


def test_next_mid_way_says_which_prerequisites_it_completes(run: Run) -> None:
    run("done", "foundations")
    out = run("next").stdout
    assert out.startswith("Next: Deep learning  [deep-learning]")
    assert "its prerequisites are behind you: foundations." in out
    assert "Deep Learning by Goodfellow & Bengio" in out
    assert "https://course.fast.ai/" in out


def test_next_prefers_a_topic_in_progress(run: Run) -> None:
    run("start", "algorithms")
    assert run("next").stdout.startswith("Next: Algorithms and data structures")


def test_next_treats_skipped_prerequisites_as_out_of_the_way(run: Run) -> None:
    run("skip", "foundations")
    assert run("next").stdout.startswith("Next: Deep learning")


def test_next_all_lists_every_ready_topic(run: Run) -> None:
    run("done", "foundations")
    data = json.loads(run("next", "--all", "--json").stdout)
    assert [t["id"] for t in data["topics"]] == ["deep-learning", "algorithms"]
    assert data["topics"][0]["book"]["title"] == "Deep Learning"
    assert data["topics"][0]["course"]["url"] == "https://course.fast.ai/"


def test_next_when_all_is_done(run: Run) -> None:
    for topic in ROADMAP.topics:
        run("done", topic.id)
    result = run("next")
    assert result.exit_code == 0
    assert "Every topic is done or skipped" in result.stdout
    assert json.loads(run("next", "--json").stdout)["topics"] == []


def _cyclic() -> Roadmap:
    """A roadmap the loader would refuse: foundations and deep-learning need each other."""
    topics = list(ROADMAP.topics)
    topics[0] = replace(topics[0], requires=("deep-learning",))
    only = tuple(t for t in topics if t.id in ("foundations", "deep-learning"))
    return replace(ROADMAP, topics=only)


def test_next_on_a_blocked_roadmap_names_what_blocks(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = _cyclic()
    assert ops.next_topic(blocked, State()) is None
    assert ops.blocked_topics(blocked, State()) == {
        "foundations": ["deep-learning"],
        "deep-learning": ["foundations"],
    }
    monkeypatch.setattr(browse, "roadmap", lambda: blocked)
    out = run("next").stdout
    assert "Nothing is ready" in out
    assert "foundations needs deep-learning" in out


def test_tree_holds_every_topic_once(run: Run) -> None:
    run("done", "foundations")
    out = run("list", "--tree").stdout
    for topic in ROADMAP.topics:
        assert out.count(f"{topic.title} ({topic.id})") == 1, topic.id
    assert "✓ done Foundations (foundations)" in out
    assert "needs foundations" in out


def test_list_filters_by_status_and_area(run: Run) -> None:
    run("done", "foundations")
    run("done", "algorithms")
    done = json.loads(run("list", "--status", "done", "--json").stdout)
    assert [t["id"] for a in done["areas"] for t in a["topics"]] == ["foundations", "algorithms"]
    area = run("list", "--area", "software").stdout
    assert "algorithms" in area and "deep-learning" not in area
    assert "Showing 3 of 7 topics." in area
    both = json.loads(run("list", "--area", "machine", "--status", "not-started", "--json").stdout)
    assert [t["id"] for t in both["areas"][0]["topics"]] == ["deep-learning", "nlp-transformers"]
    bad = run("list", "--status", "finished")
    assert bad.exit_code == 2 and "not-started, in-progress, done, skipped" in bad.stderr
    assert run("list", "--area", "cooking").exit_code == 2


@pytest.mark.parametrize(
    ("query", "topic", "field"),
    [
        ("goodfellow", "deep-learning", "by"),  # author
        ("ILLUSTRATED transformer", "nlp-transformers", "title"),  # title, any case
        ("dsa", "algorithms", "aliases"),
        ("memory-mapped", "advanced-engineering", "summary"),
    ],
)
def test_search_finds_and_says_where(run: Run, query: str, topic: str, field: str) -> None:
    hits = json.loads(run("search", *query.split(), "--json").stdout)["hits"]
    assert any(h["topic"]["id"] == topic and field in h["fields"] for h in hits), hits


def test_search_goodfellow_finds_deep_learning(run: Run) -> None:
    out = run("search", "goodfellow").stdout
    assert "deep-learning" in out and "Deep Learning by Goodfellow & Bengio" in out


def test_search_covers_notes_and_ignores_accents(run: Run) -> None:
    run("note", "production-ml", "Read the Ecole polytechnique case study")
    hits = json.loads(run("search", "école", "--json").stdout)["hits"]
    assert [(h["topic"]["id"], h["fields"]) for h in hits] == [("production-ml", ["notes"])]
    run("note", "foundations", "Révision: chapitre 3")
    assert "foundations" in run("search", "revision").stdout


def test_search_needs_every_word(run: Run) -> None:
    result = run("search", "goodfellow", "pytorch")
    assert result.exit_code == 0
    assert result.stdout == "Nothing in Become an ML engineer matches 'goodfellow pytorch'.\n"


def test_open_print_gives_the_course_url(run: Run) -> None:
    result = run("open", "deep-learning", "--print")
    assert result.exit_code == 0
    assert result.stdout == "https://course.fast.ai/\n"
    assert run("open", "dl", "book", "--print").stdout == "https://www.deeplearningbook.org/\n"


def test_open_without_a_course_takes_the_first_link(run: Run) -> None:
    out = run("open", "engineering-practices", "--print").stdout
    assert out == "https://news.ycombinator.com/\n"


def _recorder(opened: list[str]) -> Callable[[str], bool]:
    """A stand-in for webbrowser.open that records the link and says it opened it."""

    def fake_open(url: str) -> bool:
        opened.append(url)
        return True

    return fake_open


def test_open_calls_the_browser(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "open", _recorder(opened))
    result = run("open", "nlp")
    assert result.exit_code == 0
    assert opened == ["https://web.stanford.edu/class/cs224n/"]


@pytest.mark.parametrize("failure", ["returns-false", "raises"])
def test_open_prints_the_url_when_no_browser_starts(
    run: Run, monkeypatch: pytest.MonkeyPatch, failure: str
) -> None:
    def broken(url: str) -> bool:
        if failure == "raises":
            raise webbrowser.Error("no runnable browser")
        return False

    monkeypatch.setattr(webbrowser, "open", broken)
    result = run("open", "deep-learning")
    assert result.exit_code == 0
    assert "https://course.fast.ai/" in result.stdout
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "file:///etc/passwd", "-remote=evil", "https://", "http:x"]
)
def test_open_refuses_links_that_are_not_web_pages(
    run: Run, monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    topics = list(ROADMAP.topics)
    dl = topics[1]
    course = replace(dl.resources_of_kind("course")[0], url=url)
    topics[1] = replace(dl, resources=(course,))
    monkeypatch.setattr(browse, "roadmap", lambda: replace(ROADMAP, topics=tuple(topics)))
    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "open", _recorder(opened))
    for args in (("open", "deep-learning"), ("open", "deep-learning", "--print")):
        result = run(*args)
        assert result.exit_code == 1
        assert "refusing to open" in result.stderr
    assert opened == []


def test_open_practice_has_no_link(run: Run) -> None:
    result = run("open", "dl", "practice")
    assert result.exit_code == 2


def _bash_completes(words: list[str], tmp_path: Path) -> list[str]:
    """What bash offers for ``words`` (the last one being completed), through the
    completion script that ``mlpath --show-completion bash`` prints."""
    script = Path(sys.executable).with_name("mlpath")
    line = " ".join(shlex.quote(w) for w in words)
    code = (
        f"source <({shlex.quote(str(script))} --show-completion bash); "
        f"COMP_WORDS=({line}); COMP_CWORD={len(words) - 1}; "
        f'_mlpath_completion {shlex.quote(str(script))}; printf "%s\\n" "${{COMPREPLY[@]}}"'
    )
    result = subprocess.run(
        ["bash", "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return [w for w in result.stdout.split("\n") if w]


def test_bash_completes_topic_ids_and_aliases(tmp_path: Path) -> None:
    assert _bash_completes(["mlpath", "show", "de"], tmp_path) == ["deep-learning"]
    assert _bash_completes(["mlpath", "done", "d"], tmp_path) == [
        "deep-learning",
        "dl",
        "dsa",
        "data-structures",
    ]
    assert _bash_completes(["mlpath", "show", "zzz"], tmp_path) == []


def test_bash_completes_the_topics_of_the_roadmap_given_with_roadmap(
    run: Run, tmp_path: Path
) -> None:
    mine = tmp_path / "mine.toml"
    assert run("roadmap", "init", str(mine)).exit_code == 0
    ids = [t.id for t in load_roadmap(mine).topics]
    offered = _bash_completes(["mlpath", "--roadmap", str(mine), "show", ""], tmp_path)
    aliases = [a for t in load_roadmap(mine).topics for a in t.aliases]
    assert offered and set(offered) <= {*ids, *aliases}
    assert "deep-learning" not in offered


def test_shell_completion_through_the_installed_program(tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("mlpath")
    env = {
        **os.environ,
        "_MLPATH_COMPLETE": "complete_bash",
        "COMP_WORDS": "mlpath show nl",
        "COMP_CWORD": "2",
    }
    result = subprocess.run(
        [str(script)], env=env, capture_output=True, text=True, cwd=tmp_path, timeout=60
    )
    assert result.returncode == 0
    assert "nlp-transformers" in result.stdout.split()
    # --show-completion detects the shell it runs in: run it from bash (the "; true" keeps
    # bash from replacing itself with mlpath, so mlpath has bash as its parent)
    shown = subprocess.run(
        ["bash", "-c", f"'{script}' --show-completion; true"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert shown.returncode == 0 and "_MLPATH_COMPLETE" in shown.stdout


@pytest.mark.parametrize(
    ("words", "offered"),
    [
        (["mlpath", "done", "deep-learning", ""], ["practice", "deep-learning-book", "fastai"]),
        (["mlpath", "open", "dl", "fa"], ["fastai"]),
        (["mlpath", "list", "--status", ""], ["not-started", "in-progress", "done", "skipped"]),
        (["mlpath", "list", "--area", "s"], ["software-engineering"]),
        (["mlpath", "export", "--format", ""], ["json", "toml", "markdown"]),
    ],
)
def test_bash_completes_resources_statuses_areas_and_formats(
    tmp_path: Path, words: list[str], offered: list[str]
) -> None:
    (tmp_path / "fastai-notes.txt").write_text("a file the shell could offer instead")
    completed = _bash_completes(words, tmp_path)
    assert completed[: len(offered)] == offered
    assert "fastai-notes.txt" not in completed  # the values, not file names


def test_search_matches_word_beginnings_not_parts_of_words(run: Run) -> None:
    # "rag" is inside "storage" and "leverage"; "ng" is inside "learning"
    assert run("search", "rag").exit_code == 0
    assert "Nothing" in run("search", "rag").stdout
    people = json.loads(run("search", "ng", "--json").stdout)["hits"]
    assert people and all("Andrew Ng" in h["resource"]["by"] for h in people)
    assert "Goodfellow" in run("search", "goodf").stdout  # a word's beginning is enough
    run("note", "dl", "Chapter 7 of the storage book")
    assert "deep-learning" in run("search", "stor").stdout
    assert "Nothing" in run("search", "torage").stdout


def test_search_puts_title_and_id_matches_first(run: Run) -> None:
    hits = json.loads(run("search", "learning", "--json").stdout)["hits"]
    ranks = [bool({"title", "id"} & set(h["fields"])) for h in hits]
    assert ranks == sorted(ranks, reverse=True) and ranks[0] and not ranks[-1]


def test_next_lists_every_course_of_the_topic(run: Run) -> None:
    shown = run("next").stdout  # Foundations: the essay recommends two courses
    assert "Mathematics for Machine Learning: Linear Algebra" in shown
    assert "Machine Learning by Andrew Ng" in shown
