"""Importing curricula: READMEs of the shapes people follow (fixtures written by us after
studying real ones), roadmap.sh roadmaps, and checking a roadmap's links against a
local HTTP server."""

from __future__ import annotations

import http.server
import json
import subprocess
import threading
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import REPO, Result
from mlpath.core.roadmap import roadmap_text_problems
from mlpath.services.curriculum import convert
from mlpath.services.link_kinds import KINDS, kind_of
from mlpath.services.markdown_reader import effort
from test_json_docs import _same_fields

Run = Callable[..., Result]
CURRICULA = Path(__file__).parent / "fixtures" / "curricula"
BASE = "https://github.com/example/course/blob/main/"


def _documented(heading: str) -> Any:
    """The JSON example that docs/json.md gives under the heading naming a command."""
    doc = (REPO / "docs" / "json.md").read_text(encoding="utf-8")
    section = doc.split(f"## `{heading}", 1)[1]
    return json.loads(section.split("```json\n", 1)[1].split("\n```", 1)[0])


def _import(run: Run, name: str, out: Path, *options: str) -> dict[str, Any]:
    """Import a fixture with --json; the report, with the roadmap written as data."""
    made = run(
        "roadmap", "from-markdown", str(CURRICULA / name), "-o", str(out), "--json", *options
    )
    assert made.exit_code == 0, made.stderr
    report: dict[str, Any] = json.loads(made.stdout)
    report["data"] = tomllib.loads(out.read_text(encoding="utf-8"))
    assert run("roadmap", "validate", str(out)).exit_code == 0
    return report


def _titles(data: dict[str, Any]) -> list[str]:
    return [t["title"] for t in data["topics"]]


def _topic(data: dict[str, Any], title: str) -> dict[str, Any]:
    return next(t for t in data["topics"] if t["title"] == title)


def test_linked_module_headings_are_lessons_with_absolute_links_inferred_from_git(
    run: Run, tmp_path: Path
) -> None:
    checkout = tmp_path / "bootcamp"
    checkout.mkdir()
    (checkout / "README.md").write_bytes((CURRICULA / "cohort-course.md").read_bytes())
    for args in (
        ["init", "-q", "-b", "main"],
        ["remote", "add", "origin", "git@github.com:example/bootcamp.git"],
    ):
        subprocess.run(["git", "-C", str(checkout), *args], check=True)
    subprocess.run(
        [
            "git",
            "-C",
            str(checkout),
            "-c",
            "user.name=A",
            "-c",
            "user.email=a@example.org",
            "commit",
            "-q",
            "--allow-empty",
            "-m",
            "start",
        ],
        check=True,
    )
    out = tmp_path / "bootcamp.toml"
    made = run("roadmap", "from-markdown", str(checkout / "README.md"), "-o", str(out))
    assert made.exit_code == 0, made.stderr
    said = made.stdout
    base = "https://github.com/example/bootcamp/blob/main/"
    assert f"Relative links resolved against {base} (inferred from the git checkout)." in said
    data = tomllib.loads(out.read_text(encoding="utf-8"))
    assert data["title"] == "Applied ML Bootcamp: twelve weeks from notebooks to production"
    assert _titles(data) == [
        "Module 1: Framing ML problems",
        "Module 2: Regression",
        "Module 3: Shipping a model",
        "Midterm Project",
        "Module 4: Neural networks",
        "Final Project",
        "Second Final Project",
    ]
    first = _topic(data, "Module 1: Framing ML problems")
    assert first["resources"][0]["url"] == base + "01-framing/"
    assert first["subtopics"][0]["title"] == "Rules versus learned models"
    assert _topic(data, "Second Final Project").get("optional") is True
    assert "optional" not in _topic(data, "Final Project")
    # the admin sections, each named, and the links under the title
    assert "12 admin sections (Quick Links, About the Bootcamp, Certificate)" not in said
    assert "admin sections (Quick Links, About the Bootcamp, Certificate)" in said
    assert "links under the title" in said


def test_tables_give_a_lesson_per_row_with_estimates_and_electives(
    run: Run, tmp_path: Path
) -> None:
    report = _import(run, "university.md", tmp_path / "u.toml")
    data = report["data"]
    areas = {a["id"]: a for a in data["areas"]}
    # "Courses in Advanced CS are electives", said in the summary, reaches its areas
    assert areas["advanced-systems"].get("optional") and areas["advanced-theory"].get("optional")
    assert not areas["core-math"].get("optional")
    calculus = _topic(data, "Calculus One")
    assert calculus["estimate_hours"] == 104  # 13 weeks at 6-10 hours a week
    assert calculus["resources"][0]["kind"] == "course"
    assert _topic(data, "Discrete Mathematics")["estimate_hours"] == 65  # 3 months, 5 h/week
    # a row whose title is plain text is a lesson too; "A*" keeps its star
    assert "Linear Algebra Done Right" in _titles(data) and "A* and Heuristic Search" in _titles(
        data
    )
    assert "estimate_hours" not in _topic(data, "Linear Algebra Done Right")
    # "may choose one of these": a choice of the final project courses
    assert data["groups"][0]["topics"] == ["full-stack-open", "robotics-projects"]
    assert areas["intro-cs"]["summary"] == "Covers computation, imperative programming."
    assert report["dropped"]["admin section"]["first"][:3] == ["Contents", "Summary", "Community"]
    assert report["estimates"] == 10 and report["optional_topics"] == 3
    # a nested table of contents is navigation, not lessons
    assert "Core CS" not in _titles(data) and len(data["topics"]) == 11


def test_a_checklist_loses_its_boxes_and_only_a_real_banner_makes_topics_optional(
    run: Run, tmp_path: Path
) -> None:
    data = _import(run, "checklist.md", tmp_path / "c.toml")["data"]
    titles = _titles(data)
    assert titles == ["Big-O", "Arrays", "Linked Lists", "Graph Search", "A*", "Bloom Filter"]
    assert not any("[ ]" in r["title"] for t in data["topics"] for r in t["resources"])
    assert "[Review] Big-O in ten minutes (video)" in json.dumps(data)
    big_o = _topic(data, "Big-O")
    assert [r.get("kind") for r in big_o["resources"]][:2] == ["video", "article"]
    assert [s["title"] for s in big_o["subtopics"]] == ["Amortized analysis"]
    optional = {a["id"] for a in data["areas"] if a.get("optional")}
    assert optional == {"extra-topics"}  # the banner in the contents speaks of the contents


def test_a_lesson_table_keeps_rows_of_plain_text_and_html_links(run: Run, tmp_path: Path) -> None:
    report = _import(run, "lesson-table.md", tmp_path / "l.toml", "--base-url", BASE)
    data = report["data"]
    assert _titles(data) == [
        "Course Setup",
        "Introduction to Language Models",
        "Prompt Engineering",
        "Securing Your Application",
    ]
    prompts = _topic(data, "Prompt Engineering")
    assert prompts["resources"][0]["url"] == BASE + "02-prompting/README.md"
    setup = _topic(data, "Course Setup")
    assert setup["resources"][0]["url"].startswith(BASE + "00-course-setup/README.md?")
    assert report["base_url_origin"] == "given"
    assert "Getting Started" in report["dropped"]["admin section"]["first"]


def test_bold_titles_and_details_are_lessons_and_kinds_come_from_the_links(
    run: Run, tmp_path: Path
) -> None:
    data = _import(run, "lectures.md", tmp_path / "d.toml")["data"]
    assert _titles(data) == [
        "Lecture 1: Why deep learning",
        "Lecture 2: Backpropagation",
        "Lecture 3: Optimisers (bonus)",
        "Readings",
    ]
    assert _topic(data, "Lecture 3: Optimisers (bonus)").get("optional") is True
    assert "optional" not in _topic(data, "Lecture 1: Why deep learning")
    kinds = [r.get("kind") for t in data["topics"] for r in t["resources"]]
    assert kinds == ["video", None, "video", "notebook", "video", "book", "paper"]
    book = _topic(data, "Readings")["resources"][0]
    assert book["by"] == "Goodfellow, Bengio, Courville"
    assert {a["id"] for a in data["areas"] if a.get("optional")} == {"readings"}


def test_a_toggle_summary_saying_optional_makes_its_part_optional(run: Run, tmp_path: Path) -> None:
    report = _import(run, "reading-list.md", tmp_path / "r.toml")
    data = report["data"]
    assert {a["id"]: bool(a.get("optional")) for a in data["areas"]} == {
        "fundamentals": True,
        "the-scientist": False,
    }
    architecture = _topic(data, "Architecture")
    assert architecture["estimate_hours"] == 6
    assert architecture["resources"][0]["by"] == "Jay Alammar"
    assert [s["title"] for s in architecture["subtopics"]] == ["Tokenization", "Attention"]
    assert "Toggle section" not in json.dumps(data)


def test_without_a_base_a_linked_heading_is_still_a_lesson_and_the_way_to_keep_links_is_said(
    run: Run, tmp_path: Path
) -> None:
    out = tmp_path / "b.toml"
    made = run("roadmap", "from-markdown", str(CURRICULA / "cohort-course.md"), "-o", str(out))
    assert made.exit_code == 0, made.stderr
    assert "relative links (no base URL) (01-framing/, 02-regression/, 03-shipping/)" in made.stdout
    assert "give --base-url" in made.stdout
    data = tomllib.loads(out.read_text(encoding="utf-8"))
    assert "Midterm Project" in _titles(data) and len(data["topics"]) == 7


def test_strict_writes_nothing_when_something_was_dropped_and_keep_brings_a_section_back(
    run: Run, tmp_path: Path
) -> None:
    out = tmp_path / "s.toml"
    source = str(CURRICULA / "cohort-course.md")
    strict = run("roadmap", "from-markdown", source, "-o", str(out), "--strict")
    assert strict.exit_code == 1 and "Nothing written (--strict)" in strict.stdout
    assert not out.exists()
    kept = run("roadmap", "from-markdown", source, "-o", str(out), "--keep", "Community & Support")
    assert kept.exit_code == 0, kept.stderr
    assert "Getting help in the chat" in out.read_text(encoding="utf-8")
    missed = run("roadmap", "from-markdown", source, "-o", str(out), "--force", "--keep", "Nope")
    assert missed.exit_code == 0 and "--keep Nope: no section is titled so" in missed.stderr
    bad = run(
        "roadmap", "from-markdown", source, "-o", str(tmp_path / "n.toml"), "--base-url", "ftp://x/"
    )
    assert bad.exit_code == 2 and "give the http(s) address" in bad.stderr


def test_importing_again_keeps_progress_on_every_topic_that_still_exists(
    run: Run, tmp_path: Path
) -> None:
    source = tmp_path / "course.md"
    out = tmp_path / "course.toml"
    source.write_text(
        "# Course\n\n## Part one\n\n### Tensors\n\n- [Tensors](https://example.org/t)\n\n"
        "### Autograd\n\n- [Autograd](https://example.org/a)\n\n"
        "### Old lesson\n\n- [Old](https://example.org/old)\n",
        encoding="utf-8",
    )
    assert run("roadmap", "from-markdown", str(source), "-o", str(out)).exit_code == 0
    assert run("--roadmap", str(out), "done", "tensors").exit_code == 0
    assert run("--roadmap", str(out), "done", "autograd").exit_code == 0
    # the authors rename a lesson (same link), drop one and add one
    source.write_text(
        "# Course, second edition\n\n## Part one\n\n### Tensors\n\n"
        "- [Tensors](https://example.org/t)\n\n"
        "### Automatic differentiation\n\n- [Autograd](https://example.org/a)\n\n"
        "### Optimisers\n\n- [Adam](https://example.org/adam)\n",
        encoding="utf-8",
    )
    again = run("roadmap", "from-markdown", str(source), "-o", str(out), "--force", "--json")
    assert again.exit_code == 0, again.stderr
    report = json.loads(again.stdout)
    assert report["added"] == ["optimisers"] and report["gone"] == ["old-lesson"]
    assert report["renamed"] == [{"old_id": "autograd", "title": "Automatic differentiation"}]
    listed = json.loads(run("--roadmap", str(out), "list", "--json").stdout)
    status = {t["id"]: t["status"] for a in listed["areas"] for t in a["topics"]}
    assert status == {"tensors": "done", "autograd": "done", "optimisers": "not-started"}
    shown = json.loads(
        run("--roadmap", str(out), "show", "automatic-differentiation", "--json").stdout
    )
    assert shown["topic"]["id"] == "autograd"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.sampled_from(
            [
                "# T\n",
                "## Part\n",
                "### [Lesson](01-x/)\n",
                "- [ ] [A link](https://example.org/a)\n",
                "- a concept\n",
                "  - [nested](https://example.org/n)\n",
                "**Bold title**\n",
                "---\n",
                "| Course | Effort |\n|---|---|\n| [C](https://example.org/c) | 3 hours |\n",
                "<details><summary>More</summary>\n",
                "</details>\n",
                '<a href="https://example.org/h">H</a>\n',
                "Choose one of these:\n",
                "Everything below this point is optional.\n",
                "\n",
            ]
        )
        | st.text(max_size=40),
        max_size=25,
    )
)
def test_any_markdown_converts_without_a_traceback_to_a_valid_roadmap(parts: list[str]) -> None:
    import tomli_w

    data, _report = convert("\n".join(parts), "fuzz", base_url=BASE)
    if data["topics"]:
        checked, problems = roadmap_text_problems(tomli_w.dumps(data), "fuzz.toml")
        assert checked is not None, problems


def test_kinds_and_effort_follow_the_documented_rules() -> None:
    assert kind_of("https://www.coursera.org/lecture/x", "Arrays (video)") == "video"
    assert kind_of("https://arxiv.org/abs/1706.03762") == "paper"
    assert kind_of("https://github.com/karpathy/nanoGPT") == "repo"
    assert kind_of("https://example.org/x.ipynb") == "notebook"
    assert kind_of("https://docs.python.org/3/") == "docs"
    assert kind_of("https://example.org/notes", "a short tutorial") == "article"
    assert kind_of("https://example.org/notes") == "link"
    every = [
        kind_of(f"https://{h}/x", w)
        for h in ("youtu.be", "d2l.ai", "dev.to")
        for w in ("", "a book")
    ]
    assert set(every) <= {*KINDS, "link"}  # the documented kinds, or none
    assert effort("13 weeks", "6-10 hours/week") == 104
    assert effort("4 weeks at 5 hours per week") == 20
    assert effort("about 12 hours") == 12
    assert effort("- weeks", "- hours/week") is None


# --- roadmap.sh ------------------------------------------------------------------------------


def test_a_roadmap_sh_roadmap_imports_with_areas_and_typed_links(run: Run, tmp_path: Path) -> None:
    folder = Path(__file__).parent / "fixtures" / "roadmap-sh" / "ml-basics"
    out = tmp_path / "mlb.toml"
    made = run("roadmap", "from-roadmap-sh", str(folder), "-o", str(out), "--json")
    assert made.exit_code == 0, made.stderr
    report = json.loads(made.stdout)
    data = tomllib.loads(out.read_text(encoding="utf-8"))
    assert [a["title"] for a in data["areas"]] == ["Foundations", "Deep Learning"]
    placed = {t["title"]: t["area"] for t in data["topics"]}
    assert list(placed.items()) == list(
        {
            "Python": "foundations",
            "NumPy": "foundations",
            "Linear Algebra": "foundations",
            "Deep Learning": "deep-learning",
            "CNNs": "deep-learning",
            "RNNs": "deep-learning",
        }.items()
    )
    python = _topic(data, "Python")
    assert [(r["title"], r["kind"]) for r in python["resources"]] == [
        ("Python tutorial", "docs"),
        ("Python for beginners", "video"),
    ]
    assert python["summary"] == "The language most machine learning code is written in."
    assert report["dropped"]["news feed link"]["count"] == 1
    assert run("roadmap", "validate", str(out)).exit_code == 0


def test_a_folder_that_is_not_a_roadmap_sh_roadmap_is_refused(run: Run, tmp_path: Path) -> None:
    folder = tmp_path / "old"
    folder.mkdir()
    (folder / "old.json").write_text('{"mockup": {"controls": {}}}', encoding="utf-8")
    refused = run("roadmap", "from-roadmap-sh", str(folder), "-o", str(tmp_path / "o.toml"))
    assert refused.exit_code == 1 and "no list of nodes" in refused.stderr
    assert "Traceback" not in refused.stderr


# --- check-links -----------------------------------------------------------------------------


class _Site(http.server.BaseHTTPRequestHandler):
    asked: ClassVar[list[tuple[str, str]]] = []

    def _answer(self, body: bool) -> None:
        self.asked.append((self.command, self.path))
        if self.path == "/moved":
            self.send_response(301)
            self.send_header("Location", "/live")
        elif self.path == "/no-head" and self.command == "HEAD":
            self.send_response(405)
        elif self.path in ("/live", "/no-head"):
            self.send_response(200)
        else:
            self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_HEAD(self) -> None:
        self._answer(False)

    def do_GET(self) -> None:
        self._answer(True)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def site() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Site.asked = []
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_check_links_reports_dead_and_moved_links_with_their_topics(
    run: Run, tmp_path: Path, site: str
) -> None:
    import socket

    with socket.socket() as probe:  # a port nothing listens on: a host that is down
        probe.bind(("127.0.0.1", 0))
        down = f"http://127.0.0.1:{probe.getsockname()[1]}"
    links = [
        ("live", f"{site}/live"),
        ("moved", f"{site}/moved"),
        ("gone", f"{site}/gone"),
        ("nohead", f"{site}/no-head"),
        ("down1", f"{down}/a"),
        ("down2", f"{down}/b"),
        ("down3", f"{down}/c"),
    ]
    resources = "".join(
        f'\n[[topics.resources]]\nid = "{name}"\ntitle = "{name}"\nurl = "{url}"\n'
        for name, url in links
    )
    roadmap = tmp_path / "links.toml"
    roadmap.write_text(
        'schema = 2\nid = "links"\ntitle = "Links"\nsummary = "Links to check."\n\n'
        '[[areas]]\nid = "a"\ntitle = "A"\nsummary = "A."\n\n'
        '[[topics]]\nid = "web"\narea = "a"\ntitle = "Web"\nsummary = "Web."\n' + resources,
        encoding="utf-8",
    )
    checked = run("roadmap", "check-links", str(roadmap), "--timeout", "5", "--json")
    assert checked.exit_code == 1, checked.stderr
    report = json.loads(checked.stdout)
    assert _same_fields(_documented("mlpath roadmap check-links"), report) == []
    dead = {d["url"]: d for d in report["dead"]}
    assert set(dead) == {f"{site}/gone", f"{down}/a", f"{down}/b", f"{down}/c"}
    assert dead[f"{site}/gone"]["code"] == 404 and dead[f"{site}/gone"]["used_by"] == ["web/gone"]
    assert sum("host down" in d["reason"] for d in dead.values()) >= 1  # asked at most twice
    assert [(m["url"], m["final"]) for m in report["moved"]] == [(f"{site}/moved", f"{site}/live")]
    assert report["ok"] == 2  # /live, and /no-head by GET after HEAD was refused
    assert ("GET", "/no-head") in _Site.asked
    # within a day, nothing is asked again
    _Site.asked = []
    again = run("roadmap", "check-links", str(roadmap), "--json")
    assert json.loads(again.stdout)["from_cache"] == 7 and _Site.asked == []
    said = run("roadmap", "check-links", str(roadmap)).stdout
    assert f"dead   {site}/gone  (HTTP 404; in web/gone)" in said
    assert "Checked 7 links (7 from the last day's results): 2 ok, 1 moved, 4 dead." in said


def test_a_host_that_never_answers_is_waited_for_once_not_once_per_link(
    run: Run, tmp_path: Path
) -> None:
    import socket

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)
    accepted: list[socket.socket] = []

    def hold() -> None:  # take each connection and never answer
        while True:
            try:
                accepted.append(silent.accept()[0])
            except OSError:
                return

    threading.Thread(target=hold, daemon=True).start()
    port = silent.getsockname()[1]
    resources = "".join(
        f'\n[[topics.resources]]\nid = "r{i}"\ntitle = "R{i}"\nurl = "http://127.0.0.1:{port}/{i}"\n'
        for i in range(6)
    )
    roadmap = tmp_path / "silent.toml"
    roadmap.write_text(
        'schema = 2\nid = "s"\ntitle = "S"\nsummary = "S."\n\n[[areas]]\nid = "a"\n'
        'title = "A"\nsummary = "A."\n\n[[topics]]\nid = "t"\narea = "a"\ntitle = "T"\n'
        'summary = "T."\n' + resources,
        encoding="utf-8",
    )
    checked = run("roadmap", "check-links", str(roadmap), "--timeout", "1", "--json")
    silent.close()
    assert checked.exit_code == 1, checked.stderr
    dead = json.loads(checked.stdout)["dead"]
    assert len(dead) == 6 and sum("host down: timed out" in d["reason"] for d in dead) == 4
    assert len(accepted) <= 2  # 2 requests per host at most, and none after it timed out
