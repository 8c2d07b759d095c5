"""The roadmap format's rules, and the bundled roadmap's content against the essay."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from conftest import BUNDLED
from mlpath.core.errors import RoadmapError, TopicNotFound, UsageError
from mlpath.core.roadmap import RoadmapInvalid, parse_roadmap
from mlpath.storage.roadmap_files import load_roadmap


def _minimal() -> dict[str, Any]:
    return {
        "schema": 1,
        "id": "demo",
        "title": "Demo",
        "areas": [{"id": "core", "title": "Core", "summary": "The core."}],
        "topics": [
            {
                "id": "basics",
                "area": "core",
                "title": "Basics",
                "summary": "First.",
                "practice": {"summary": "Do it."},
                "resources": [{"id": "b", "kind": "book", "title": "A book"}],
            },
            {
                "id": "advanced",
                "area": "core",
                "title": "Advanced",
                "summary": "Then.",
                "requires": ["basics"],
                "aliases": ["adv"],
                "practice": {"summary": "Do more."},
            },
        ],
    }


def _problems(data: dict[str, Any]) -> list[str]:
    """The problems found, without the ' [line N]' suffix (tested on its own below)."""
    with pytest.raises(RoadmapInvalid) as caught:
        parse_roadmap(tomli_w.dumps(data), "demo.toml")
    return [re.sub(r" \[line \d+\]$", "", p) for p in caught.value.problems]


def test_problems_name_the_line_where_their_topic_starts() -> None:
    data = _minimal()
    data["topics"][1]["requires"] = ["basic"]
    text = tomli_w.dumps(data)
    line = text.splitlines().index("[[topics]]", text.splitlines().index("[[topics]]") + 1) + 1
    with pytest.raises(RoadmapInvalid) as caught:
        parse_roadmap(text, "demo.toml")
    assert caught.value.problems == [
        f"topics[1] (advanced).requires: no topic 'basic'. Did you mean 'basics'? [line {line}]"
    ]


def test_minimal_roadmap_loads() -> None:
    roadmap = parse_roadmap(tomli_w.dumps(_minimal()), "demo.toml")
    assert [t.id for t in roadmap.topics] == ["basics", "advanced"]


def test_unknown_prerequisite_names_place_and_suggests() -> None:
    data = _minimal()
    data["topics"][1]["requires"] = ["basic"]
    assert _problems(data) == [
        "topics[1] (advanced).requires: no topic 'basic'. Did you mean 'basics'?"
    ]


def test_unknown_area() -> None:
    data = _minimal()
    data["topics"][0]["area"] = "cor"
    assert _problems(data) == ["topics[0] (basics).area: no area 'cor'. Did you mean 'core'?"]


def test_cycle_is_refused() -> None:
    data = _minimal()
    data["topics"][0]["requires"] = ["advanced"]
    problems = _problems(data)
    assert len(problems) == 1
    assert "cycle" in problems[0]
    assert (
        "basics -> advanced -> basics" in problems[0]
        or "advanced -> basics -> advanced" in (problems[0])
    )


def test_self_requirement_is_refused() -> None:
    data = _minimal()
    data["topics"][0]["requires"] = ["basics"]
    assert _problems(data) == ["topics[0] (basics).requires: a topic cannot require itself"]


def test_duplicate_topic_and_area_ids() -> None:
    data = _minimal()
    data["topics"][1]["id"] = "basics"
    data["topics"][1]["requires"] = []
    data["areas"].append({"id": "core", "title": "Again", "summary": "Dup."})
    problems = _problems(data)
    assert "areas[1] (core).id: another area already has this id" in problems
    assert "topics[1] (basics).id: another topic already has this id" in problems


def test_duplicate_resource_ids_within_a_topic() -> None:
    data = _minimal()
    data["topics"][0]["resources"].append({"id": "b", "kind": "course", "title": "C"})
    assert _problems(data) == [
        "topics[0] (basics).resources[1] (b).id: another item of this topic's checklist has this id"
    ]


def test_alias_clashing_with_an_id() -> None:
    data = _minimal()
    data["topics"][1]["aliases"] = ["basics"]
    assert _problems(data) == ["topics[1] (advanced).aliases: 'basics' is already a topic id"]


def test_unknown_key_and_bad_slug_and_bad_link_name_their_place() -> None:
    data = _minimal()
    data["topics"][0]["colour"] = "red"
    data["topics"][1]["id"] = "Advanced Topic"
    data["topics"][0]["resources"][0]["url"] = "file:///etc/passwd"
    problems = _problems(data)
    assert any(p.startswith("topics[0] (basics).colour: unknown key") for p in problems)
    assert any(
        p.startswith("topics[1] (Advanced Topic).id: 'Advanced Topic' is not") for p in problems
    )
    assert any(
        p.startswith(
            "topics[0] (basics).resources[0] (b).url: 'file:///etc/passwd' is not an accepted link"
        )
        for p in problems
    )


def test_newer_schema_is_refused_clearly() -> None:
    data = _minimal()
    data["schema"] = 3
    with pytest.raises(RoadmapError, match=r"format 3.*Upgrade mlpath"):
        parse_roadmap(tomli_w.dumps(data), "demo.toml")


def test_toml_syntax_error_keeps_line_and_column() -> None:
    with pytest.raises(RoadmapError, match=r"demo.toml is not valid TOML: .*line 2, column"):
        parse_roadmap('schema = 1\nid = "x\n', "demo.toml")


def test_error_messages_carry_no_control_characters() -> None:
    data = _minimal()
    data["topics"][0]["area"] = "\x1b[2J"
    with pytest.raises(RoadmapInvalid) as caught:
        parse_roadmap(tomli_w.dumps(data), "demo.toml")
    assert "\x1b" not in str(caught.value)
    assert "\\x1b" in str(caught.value)


def test_missing_and_non_utf8_files(tmp_path: Path) -> None:
    with pytest.raises(RoadmapError, match="no roadmap file"):
        load_roadmap(tmp_path / "absent.toml")
    bad = tmp_path / "bad.toml"
    bad.write_bytes(b"title = '\xff'\n")
    with pytest.raises(RoadmapError, match="not UTF-8"):
        load_roadmap(bad)


def test_find_topic_errors_are_usage_errors() -> None:
    roadmap = parse_roadmap(tomli_w.dumps(_minimal()), "demo.toml")
    assert roadmap.find_topic("adv").id == "advanced"
    assert roadmap.find_topic("ADVANCED").id == "advanced"
    with pytest.raises(TopicNotFound, match=r"no topic 'basix'\. Did you mean 'basics'"):
        roadmap.find_topic("basix")
    with pytest.raises(UsageError, match="Run 'mlpath list'"):
        roadmap.find_topic("zzzzzz")


# --- the bundled roadmap against the essay ------------------------------------------

ESSAY_RESOURCES = {
    # topic id: [(kind, title, by, url), ...] as the essay gives them
    "foundations": [
        (
            "book",
            "The Elements of Statistical Learning",
            "Hastie et al.",
            "https://hastie.su.domains/ElemStatLearn/",
        ),
        (
            "course",
            "Mathematics for Machine Learning: Linear Algebra",
            "Coursera",
            "https://www.coursera.org/learn/linear-algebra-machine-learning",
        ),
        (
            "course",
            "Machine Learning",
            "Andrew Ng (Coursera)",
            "https://www.coursera.org/learn/machine-learning",
        ),
    ],
    "deep-learning": [
        ("book", "Deep Learning", "Goodfellow & Bengio", "https://www.deeplearningbook.org/"),
        ("course", "Practical Deep Learning for Coders", "fast.ai", "https://course.fast.ai/"),
    ],
    "nlp-transformers": [
        (
            "paper",
            "Attention Is All You Need",
            "Vaswani et al. (2017)",
            "http://arxiv.org/abs/1706.03762",
        ),
        (
            "article",
            "The Illustrated Transformer",
            "Jay Alammar",
            "https://jalammar.github.io/illustrated-transformer/",
        ),
        (
            "article",
            "The Illustrated BERT",
            "Jay Alammar",
            "https://jalammar.github.io/illustrated-bert/",
        ),
        (
            "course",
            "CS224n: Natural Language Processing with Deep Learning",
            "Stanford",
            "https://web.stanford.edu/class/cs224n/",
        ),
    ],
    "algorithms": [
        ("exercises", "Project Euler", None, "https://projecteuler.net/"),
        ("exercises", "LeetCode", None, "https://leetcode.com/"),
        (
            "book",
            "Introduction to Algorithms",
            "Cormen et al.",
            "https://mitpress.mit.edu/9780262046305/introduction-to-algorithms/",
        ),
        (
            "course",
            "Python for Programmers",
            "educative.io",
            "https://www.educative.io/path/python-for-programmers",
        ),
    ],
    "engineering-practices": [
        ("community", "Hacker News", None, "https://news.ycombinator.com/"),
        (
            "book",
            "10 must-read books for software engineers",
            "The Smart Coder",
            "https://thesmartcoder.dev/10-must-read-books-for-software-engineers/",
        ),
    ],
    "advanced-engineering": [
        (
            "docs",
            "The Python Standard Library documentation",
            None,
            "https://docs.python.org/3/library/",
        ),
        (
            "course",
            "Advanced Concepts in Python",
            "educative.io",
            "https://www.educative.io/module/advanced-concepts-in-python",
        ),
    ],
    "production-ml": [
        (
            "book",
            "Machine Learning Yearning",
            "Andrew Ng",
            "https://www.deeplearning.ai/wp-content/uploads/2021/01/andrew-ng-machine-learning-yearning.pdf",
        ),
        (
            "course",
            "CS 329S: Machine Learning Systems Design",
            "Chip Huyen (Stanford)",
            "https://stanford-cs329s.github.io/",
        ),
        ("site", "Chip Huyen's website", None, "https://huyenchip.com/"),
    ],
}


def test_bundled_roadmap_has_every_essay_topic_in_order() -> None:
    roadmap = load_roadmap(BUNDLED)
    assert [a.title for a in roadmap.areas] == [
        "Machine Learning",
        "Software Engineering",
        "Production ML",
    ]
    assert [t.id for t in roadmap.topics] == list(ESSAY_RESOURCES)
    assert "machine learning plus software engineering" in roadmap.summary
    assert "How to become an ML Engineer?" in roadmap.source


@pytest.mark.parametrize("topic_id", list(ESSAY_RESOURCES))
def test_bundled_resources_match_the_essay(topic_id: str) -> None:
    topic = load_roadmap(BUNDLED).topic(topic_id)
    got = [(r.kind, r.title, r.by, r.url) for r in topic.resources]
    assert got == ESSAY_RESOURCES[topic_id]
    assert topic.practice is not None and topic.practice.summary


def test_bundled_roadmap_keeps_the_essays_nuances() -> None:
    roadmap = load_roadmap(BUNDLED)
    nlp = roadmap.topic("nlp-transformers")
    assert not nlp.resources_of_kind("book")
    assert "no standard" in nlp.summary.lower()
    practices = roadmap.topic("engineering-practices")
    assert not practices.resources_of_kind("course")
    concurrency = roadmap.topic("advanced-engineering")
    assert not concurrency.resources_of_kind("book")
    # each absence explained in the roadmap's own words
    assert "no standard book" in (nlp.why_missing("book") or "")
    assert "No course is recommended" in (practices.why_missing("course") or "")
    assert "standard library documentation" in (concurrency.why_missing("book") or "")
    # the unofficial PDF of Cormen is replaced by the publisher's page
    assert "iiit.ac.in" not in BUNDLED.read_text()


def test_bundled_prerequisites_follow_the_essay() -> None:
    roadmap = load_roadmap(BUNDLED)
    assert roadmap.topic("deep-learning").requires == ("foundations",)
    assert roadmap.topic("nlp-transformers").requires == ("deep-learning",)
    assert roadmap.topic("engineering-practices").requires == ("algorithms",)
    # "beyond the fundamentals and general best practices"
    assert roadmap.topic("advanced-engineering").requires == ("algorithms", "engineering-practices")
    assert set(roadmap.topic("production-ml").requires) >= {"deep-learning"}


def test_bundled_file_is_plain_toml_of_format_2() -> None:
    data = tomllib.loads(BUNDLED.read_text())
    assert data["schema"] == 2 and data["id"] == "ml-engineer"
