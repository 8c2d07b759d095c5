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


def test_links_without_a_kind_and_no_practice(run: Run, tmp_path: Path) -> None:
    course = _course(tmp_path)
    text = course.read_text()
    text += (
        '\n[[topics.resources]]\nid = "repo"\ntitle = "The course repository"\n'
        'url = "https://github.com/example/llm-course"\n'
    )
    # the last topic (fine-tuning) gets a link without a kind, and no practice
    text = text.replace('[topics.practice]\nsummary = "Fine-tune a small model."\n', "")
    course.write_text(text)
    shown = run("--roadmap", str(course), "show", "fine-tuning")
    assert shown.exit_code == 0, shown.stderr
    assert "Link\n  [ ] The course repository  [repo]" in shown.stdout
    for claim in ("No book", "No course", "Best way to learn"):
        assert claim not in shown.stdout
    assert "Checked: 0 of 1" in shown.stdout  # the link only: there is no practice
    assert run("--roadmap", str(course), "done", "fine-tuning", "repo").exit_code == 0
    data = json.loads(run("--roadmap", str(course), "show", "fine-tuning", "--json").stdout)
    assert data["topic"]["practice"] is None
    assert data["topic"]["resources"][0]["kind"] == "link"


def test_a_format_1_file_must_still_have_practice_and_kinds(run: Run, tmp_path: Path) -> None:
    course = _course(tmp_path, schema=1)
    text = course.read_text().replace("optional = true\n", "")
    text = text.replace('[topics.practice]\nsummary = "Fine-tune a small model."\n', "")
    course.write_text(text)
    result = run("roadmap", "validate", str(course))
    assert "topics[3] (fine-tuning).practice: missing: this key is required" in result.stderr


def test_the_bundled_roadmap_explains_a_missing_book_in_its_words(run: Run) -> None:
    shown = run("show", "nlp-transformers").stdout
    assert "There is no standard book yet: the field is too young" in shown
    assert "No book is recommended" not in shown
    nxt = run("show", "advanced-engineering").stdout
    assert "Books on these topics go stale quickly" in nxt


def test_subtopics_are_a_checklist_inside_the_topic(run: Run, tmp_path: Path) -> None:
    course = _course(tmp_path)
    text = course.read_text() + (
        '\n[[topics.subtopics]]\nid = "lora"\ntitle = "LoRA and QLoRA"\n'
        '\n[[topics.subtopics]]\nid = "full-fine-tuning"\ntitle = "Full fine-tuning"\n'
    )
    course.write_text(text)
    m = ("--roadmap", str(course))
    shown = run(*m, "show", "fine-tuning").stdout
    assert "Key concepts\n  [ ] LoRA and QLoRA  [lora]" in shown
    assert "Checked: 0 of 3" in shown  # the practice and two concepts
    assert "1 of 3 checked" in run(*m, "done", "fine-tuning", "lora").stdout
    data = json.loads(run(*m, "show", "fine-tuning", "--json").stdout)["topic"]["subtopics"]
    assert [s["id"] for s in data] == ["lora", "full-fine-tuning"] and data[0]["checked_at"]
    done = run(*m, "done", "fine-tuning", "--all").stdout
    assert "now done" in done
    assert "[x] Concept: LoRA and QLoRA" in run(*m, "export", "--format", "markdown").stdout
    clash = text + '\n[[topics.subtopics]]\nid = "lora"\ntitle = "Again"\n'
    course.write_text(clash)
    refused = run("roadmap", "validate", str(course))
    assert "subtopics[2] (lora).id: another item of this topic's checklist" in refused.stderr


def _tracks(tmp_path: Path) -> Path:
    """Two parallel tracks (areas) of which the learner finishes one, a choice of one cloud
    provider among three, and a final topic that requires the cloud choice."""

    def topic(topic_id: str, area: str, **more: Any) -> dict[str, Any]:
        return {"id": topic_id, "area": area, "title": topic_id.title(), "summary": "S.", **more}

    data = {
        "schema": 2,
        "id": "tracks",
        "title": "Two tracks",
        "areas": [
            {"id": "scientist", "title": "Scientist", "summary": "S."},
            {"id": "engineer", "title": "Engineer", "summary": "E."},
            {"id": "cloud", "title": "Cloud", "summary": "C."},
        ],
        "topics": [
            topic("pretraining", "scientist"),
            topic("evaluation", "scientist"),
            topic("rag", "engineer"),
            topic("agents", "engineer"),
            topic("aws", "cloud"),
            topic("azure", "cloud"),
            topic("gcp", "cloud"),
            topic("deploy", "cloud", requires=["provider"]),
        ],
        "groups": [
            {"id": "track", "title": "Choose a track", "areas": ["scientist", "engineer"]},
            {"id": "provider", "title": "One cloud", "topics": ["aws", "azure", "gcp"]},
        ],
    }
    path = tmp_path / "tracks.toml"
    path.write_text(tomli_w.dumps(data), encoding="utf-8")
    return path


def test_a_choice_of_two_tracks_counts_as_one_unit(run: Run, tmp_path: Path) -> None:
    m = ("--roadmap", str(_tracks(tmp_path)))
    overall = json.loads(run(*m, "progress", "--json").stdout)["overall"]
    assert overall["total"] == 3  # the track, the cloud, deploy
    ready = [t["id"] for t in json.loads(run(*m, "next", "--all", "--json").stdout)["topics"]]
    assert ready == ["pretraining", "evaluation", "rag", "agents", "aws", "azure", "gcp"]
    run(*m, "done", "rag")
    ready = [t["id"] for t in json.loads(run(*m, "next", "--all", "--json").stdout)["topics"]]
    assert "pretraining" not in ready and "agents" in ready  # the other track is aside
    run(*m, "done", "agents")
    progress = json.loads(run(*m, "progress", "--json").stdout)
    assert progress["overall"]["done"] == 1 and progress["overall"]["total"] == 3
    assert progress["choices"][0]["done"] == ["engineer"]
    assert "Choice: Choose a track: 1 of 1 finished" in run(*m, "progress").stdout


def test_a_topic_can_require_a_choice(run: Run, tmp_path: Path) -> None:
    m = ("--roadmap", str(_tracks(tmp_path)))
    shown = run(*m, "show", "deploy").stdout
    assert "provider" in shown
    assert "A choice: One cloud (finish 1 of: aws, azure, gcp)" in run(*m, "show", "gcp").stdout
    run(*m, "done", "gcp")
    ready = [t["id"] for t in json.loads(run(*m, "next", "--all", "--json").stdout)["topics"]]
    assert "deploy" in ready and "aws" not in ready and "azure" not in ready
    listed = json.loads(run(*m, "list", "--json").stdout)
    cloud = next(a for a in listed["areas"] if a["id"] == "cloud")["topics"]
    assert [t["choice"] for t in cloud] == ["provider", "provider", "provider", None]


def test_choices_are_checked(run: Run, tmp_path: Path) -> None:
    path = _tracks(tmp_path)
    text = path.read_text()
    path.write_text(text.replace('"gcp",\n]', '"gcp",\n    "nowhere",\n]', 1))
    assert "no topic 'nowhere'" in run("roadmap", "validate", str(path)).stderr
    path.write_text(text.replace('id = "provider"', 'id = "aws"'))
    refused = run("roadmap", "validate", str(path)).stderr
    assert "groups[1] (aws).id: a topic already has this id" in refused


# --- roadmap from-markdown ------------------------------------------------------------------

FIXTURES = Path(__file__).parent / "fixtures"


def convert(run: Run, source: Path | str, out: Path, *options: str) -> Result:
    """'mlpath roadmap from-markdown SOURCE -o OUT', with ``options``."""
    return run("roadmap", "from-markdown", str(source), "-o", str(out), *options)


def test_from_markdown_refuses_a_file_with_no_links(run: Run, tmp_path: Path) -> None:
    source = tmp_path / "notes.md"
    source.write_text("# Notes\n\nNothing to link.\n")
    result = run("roadmap", "from-markdown", str(source), "-o", str(tmp_path / "x.toml"))
    assert result.exit_code == 1 and "no lesson with a link" in result.stderr
    assert not (tmp_path / "x.toml").exists()


def test_from_markdown_puts_each_topic_in_the_area_above_it(run: Run, tmp_path: Path) -> None:
    source = tmp_path / "path.md"
    source.write_text(
        "# Path\n\n## Empty part\n\nNo links here.\n\n"
        "## Basics\n\n### SQL\n\n- [SQLBolt](https://sqlbolt.com/)\n\n"
        "## Streaming\n\n- [Kafka](https://kafka.apache.org/)\n",
        encoding="utf-8",
    )
    out = tmp_path / "path.toml"
    assert convert(run, source, out).exit_code == 0
    listed = json.loads(run("--roadmap", str(out), "list", "--json").stdout)
    placed = {t["id"]: a["id"] for a in listed["areas"] for t in a["topics"]}
    # not under "Basics": beside it, an area of its own
    assert placed == {"sql": "basics", "streaming": "streaming"}
    assert "Empty part" in convert(run, source, out, "--force").stdout


def test_from_markdown_makes_a_choice_of_a_list_and_keeps_a_lone_option(
    run: Run, tmp_path: Path
) -> None:
    source = tmp_path / "cloud.md"
    source.write_text(
        "# Cloud path\n\n## Providers\n\n"
        "- Serverless functions and managed queues, the parts every provider offers and that "
        "a learner meets first when a service has to run without a server of its own\n\n"
        "Pick **two** of these:\n\n"
        "1. [AWS](https://aws.amazon.com/training/)\n"
        "2. [Azure](https://learn.microsoft.com/training/azure/)\n"
        "3. [GCP](https://cloud.google.com/learn/training)\n\n"
        "## Tools\n\nChoose one:\n\n- [Terraform](https://developer.hashicorp.com/terraform)\n",
        encoding="utf-8",
    )
    out = tmp_path / "cloud.toml"
    made = convert(run, source, out)
    assert made.exit_code == 0, made.stderr
    assert "1 choice." in made.stdout
    progress = json.loads(run("--roadmap", str(out), "progress", "--json").stdout)
    assert progress["choices"][0]["options"] == ["aws", "azure", "gcp"]
    assert progress["choices"][0]["pick"] == 2
    tools = json.loads(run("--roadmap", str(out), "show", "tools", "--json").stdout)["topic"]
    assert [r["id"] for r in tools["resources"]] == ["terraform"]  # one option: no choice
    aws = json.loads(run("--roadmap", str(out), "show", "aws", "--json").stdout)
    assert aws["topic"]["choice"] == "providers-choice"
    # the heading's own bullet describes its area, cut at a word, not in the middle of one
    assert "offers and\u2026" in out.read_text(encoding="utf-8")


def test_a_relative_link_is_refused_with_the_way_to_fix_it(run: Run, tmp_path: Path) -> None:
    path = _course(tmp_path)
    text = path.read_text(encoding="utf-8")
    text += '\n[[topics.resources]]\nid = "notes"\ntitle = "Notes"\nurl = "./notes/sql.md"\n'
    path.write_text(text, encoding="utf-8")
    refused = run("roadmap", "validate", str(path))
    assert refused.exit_code == 1
    assert "'./notes/sql.md' is not an accepted link: it is a relative address" in refused.stderr
    assert "starting with https://" in refused.stderr
