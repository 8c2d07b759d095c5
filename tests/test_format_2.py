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


def test_from_markdown_turns_a_real_curriculum_into_a_valid_roadmap(
    run: Run, tmp_path: Path
) -> None:
    out = tmp_path / "llm.toml"
    source = str(FIXTURES / "llm-course.md")
    tracks = "the-llm-scientist,the-llm-engineer"
    made = convert(run, source, out, "--choice", tracks)
    assert made.exit_code == 0, made.stderr
    assert "3 areas, 7 topics, 56 links, 27 subtopics, 1 choice." in made.stdout
    assert "optional: llm-fundamentals" in made.stdout
    assert "Dropped: 1 link before the first heading; 3 images." in made.stdout
    assert "is a valid roadmap of format 2" in run("roadmap", "validate", str(out)).stdout
    m = ("--roadmap", str(out))
    shown = run(*m, "show", "mathematics-for-machine-learning").stdout
    assert "[ ] Linear Algebra  [linear-algebra]" in shown  # a bullet's bold words
    assert "3Blue1Brown - The Essence of Linear Algebra (video)" in shown  # a guessed kind
    assert "No book" not in shown and "No course" not in shown
    architecture = json.loads(run(*m, "show", "the-llm-architecture", "--json").stdout)
    nanogpt = next(r for r in architecture["topic"]["resources"] if r["id"] == "nanogpt")
    assert nanogpt["by"] == "Andrej Karpathy"  # the words after the link
    assert nanogpt["note"].startswith("A 2h-long YouTube video to reimplement GPT")
    again = convert(run, source, out)
    assert again.exit_code == 1 and "--force" in again.stderr


def test_a_converted_course_skips_its_optional_part_and_counts_its_tracks_once(
    run: Run, tmp_path: Path
) -> None:
    out = tmp_path / "llm.toml"
    tracks = "the-llm-scientist,the-llm-engineer"
    source = str(FIXTURES / "llm-course.md")
    assert convert(run, source, out, "--choice", tracks).exit_code == 0
    m = ("--roadmap", str(out))
    first = run(*m, "next").stdout
    assert "Next: The LLM architecture" in first  # not the optional fundamentals
    assert "Or instead: Running LLMs" in first  # the other track
    assert "0 of 1 topics and choices done" in run(*m, "progress").stdout
    run(*m, "done", "the-llm-architecture")
    assert "Or instead" not in run(*m, "next").stdout  # the scientist's track is taken
    run(*m, "done", "pre-training-models")
    shown = run(*m, "progress").stdout
    assert "1 of 1 topics and choices done (100%)" in shown
    assert "Finished: " in shown
    done = json.loads(run(*m, "progress", "--json").stdout)
    assert done["choices"][0]["done"] == ["the-llm-scientist"]
    assert "Only optional topics are left" in run(*m, "next").stdout


def test_from_markdown_reads_a_curriculum_of_tables_and_its_choices(
    run: Run, tmp_path: Path
) -> None:
    out = tmp_path / "ossu.toml"
    made = convert(run, FIXTURES / "ossu-cs.md", out)
    assert made.exit_code == 0, made.stderr
    assert "5 areas, 10 topics, 30 links, 48 subtopics, 1 choice." in made.stdout
    assert "choices: core-security-choice" in made.stdout
    assert "(e.g. CHANGELOG.md): make them absolute" in made.stdout  # a relative link
    assert "valid roadmap of format 2" in run("roadmap", "validate", str(out)).stdout
    m = ("--roadmap", str(out))
    listed = json.loads(run(*m, "list", "--json").stdout)
    areas = {a["id"]: [t["id"] for t in a["topics"]] for a in listed["areas"]}
    assert list(areas) == ["summary", "intro-cs", "core-cs", "advanced-cs", "final-project"]
    assert areas["core-cs"][2:] == [
        "identifying-security-vulnerabilities-in-c-c-programming",
        "exploiting-and-securing-vulnerabilities-in-java-applications",
    ]
    intro = json.loads(run(*m, "show", "introduction-to-programming", "--json").stdout)["topic"]
    assert [s["title"] for s in intro["subtopics"]] == ["simple programs", "simple data structures"]
    course = intro["resources"][0]
    assert (course["title"], course["kind"]) == ("Python for Everybody", "course")  # the column
    assert course["note"] == (
        "Duration: 10 weeks; Effort: 10 hours/week; Prerequisites: none; "
        "Discussion: chat (https://discord.gg/syA242Z)"
    )  # every other cell of the row, its link kept
    security = run(*m, "show", "core-security").stdout
    assert "and more" not in security
    start = json.loads(run(*m, "progress", "--json").stdout)["overall"]["total"]
    run(*m, "done", "exploiting-and-securing-vulnerabilities-in-java-applications")
    after = json.loads(run(*m, "progress", "--json").stdout)
    assert after["overall"]["total"] == start == 9  # 8 topics and one choice
    assert after["overall"]["done"] == 1
    core = next(a for a in after["areas"] if a["id"] == "core-cs")
    assert (core["done"], core["total"]) == (1, 3)  # the choice counts once in its area too
    assert "Choose one of the following: 1 of 1 finished" in run(*m, "progress").stdout


def test_from_markdown_choice_names_what_it_made(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "ossu.toml"
    source = str(FIXTURES / "ossu-cs.md")
    wrong = convert(run, source, out, "--choice", "advanced-pl,x")
    assert wrong.exit_code == 2 and not out.exists()
    assert "no area or topic 'advanced-pl'" in wrong.stderr and "advanced-cs" in wrong.stderr
    alone = convert(run, source, out, "--choice", "summary")
    assert alone.exit_code == 2 and "at least two options" in alone.stderr
    twice = ",".join(
        ["identifying-security-vulnerabilities-in-c-c-programming", "core-programming"]
    )
    taken = convert(run, source, out, "--choice", twice)
    assert taken.exit_code == 2 and "already in a choice" in taken.stderr
    electives = "advanced-programming,advanced-systems"
    made = convert(run, source, out, "--choice", electives)
    assert made.exit_code == 0, made.stderr
    group = json.loads(run("--roadmap", str(out), "progress", "--json").stdout)["choices"][1]
    assert group["id"] == "advanced-programming-or-advanced-systems"
    assert group["options"] == ["advanced-programming", "advanced-systems"]


def test_from_markdown_keeps_what_it_can_and_says_what_it_drops(run: Run, tmp_path: Path) -> None:
    source = tmp_path / "README.md"
    source.write_text(
        "# Data engineering path\n\nIntro.\n\n"
        "## Part 1: Basics\n\n### SQL\n\nQueries and joins, the core of it all.\n\n"
        "- [SQLBolt](https://sqlbolt.com/)\n- [Notes](./notes/sql.md)\n- Window functions\n\n"
        "### SQL\n\n- [Mode SQL tutorial](https://mode.com/sql-tutorial/)\n\n"
        "## Streaming (optional)\n\n- [Kafka paper](https://arxiv.org/abs/1234.5678)\n\n"
        "## Thanks\n\nTo everyone.\n",
        encoding="utf-8",
    )
    out = tmp_path / "data.toml"
    made = convert(run, source, out)
    assert made.exit_code == 0, made.stderr
    assert "1 link not to an absolute http(s) address (e.g. ./notes/sql.md)" in made.stdout
    assert "Thanks" in made.stdout  # a heading with nothing under it
    listed = json.loads(run("--roadmap", str(out), "list", "--json").stdout)
    assert listed["roadmap"] == {"id": "data-engineering-path", "title": "Data engineering path"}
    ids = [t["id"] for a in listed["areas"] for t in a["topics"]]
    assert ids == ["sql", "sql-2", "streaming-optional"]  # unique, valid slugs
    streaming = json.loads(run("--roadmap", str(out), "show", "streaming", "--json").stdout)
    assert streaming["topic"]["optional"] is True
    assert streaming["topic"]["resources"][0]["kind"] == "paper"


def test_from_markdown_refuses_a_file_with_no_links(run: Run, tmp_path: Path) -> None:
    source = tmp_path / "notes.md"
    source.write_text("# Notes\n\nNothing to link.\n")
    result = run("roadmap", "from-markdown", str(source), "-o", str(tmp_path / "x.toml"))
    assert result.exit_code == 1 and "no heading with links" in result.stderr
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
    assert "choices: providers-choice" in made.stdout
    progress = json.loads(run("--roadmap", str(out), "progress", "--json").stdout)
    assert progress["choices"][0]["options"] == ["aws", "azure", "gcp"]
    assert progress["choices"][0]["pick"] == 2
    tools = json.loads(run("--roadmap", str(out), "show", "tools", "--json").stdout)["topic"]
    assert [r["id"] for r in tools["resources"]] == ["terraform"]  # one option: no choice
    aws = json.loads(run("--roadmap", str(out), "show", "aws", "--json").stdout)
    assert aws["topic"]["choice"] == "providers-choice"
    # the heading's own bullet is kept, cut at a word, not in the middle of one
    providers = json.loads(run("--roadmap", str(out), "show", "providers", "--json").stdout)
    assert [s["title"] for s in providers["topic"]["subtopics"]] == [
        "Serverless functions and managed queues, the parts every provider offers and\u2026"
    ]


def test_a_relative_link_is_refused_with_the_way_to_fix_it(run: Run, tmp_path: Path) -> None:
    path = _course(tmp_path)
    text = path.read_text(encoding="utf-8")
    text += '\n[[topics.resources]]\nid = "notes"\ntitle = "Notes"\nurl = "./notes/sql.md"\n'
    path.write_text(text, encoding="utf-8")
    refused = run("roadmap", "validate", str(path))
    assert refused.exit_code == 1
    assert "'./notes/sql.md' is not an accepted link: it is a relative address" in refused.stderr
    assert "starting with https://" in refused.stderr
