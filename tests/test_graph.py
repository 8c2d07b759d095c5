"""mlpath graph: the prerequisites as Mermaid and Graphviz DOT, status as colour and words."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import Result

Run = Callable[..., Result]


def _learner(run: Run) -> None:
    run("done", "foundations")
    run("start", "deep-learning")
    run("skip", "nlp")


def test_mermaid_draws_areas_topics_statuses_and_prerequisites(run: Run) -> None:
    _learner(run)
    drawn = run("graph")
    assert drawn.exit_code == 0, drawn.stderr
    text = drawn.stdout
    assert text.startswith("flowchart TD\n")
    assert '  subgraph a_machine_learning["Machine Learning"]' in text
    assert 't_foundations["Foundations<br/>✓ done"]' in text  # the status in words
    assert 't_deep_learning["Deep learning<br/>▶ in progress"]' in text
    assert "↷ skipped" in text and "· not started" in text
    assert "  t_foundations --> t_deep_learning" in text  # deep learning needs foundations
    assert "  class t_foundations done" in text  # and as a colour
    assert text.count("subgraph ") == text.count("\n  end") == 3
    # every node an edge names is drawn
    nodes = set(re.findall(r"^\s+(t_\w+)\[", text, re.MULTILINE))
    edges = re.findall(r"^\s+(\w+) --> (\w+)$", text, re.MULTILINE)
    assert edges and {n for edge in edges for n in edge} <= nodes


def test_a_title_cannot_break_out_of_its_label(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "odd.toml"
    path.write_text(
        'schema = 1\nid = "odd"\ntitle = "Odd"\n'
        '[[areas]]\nid = "a"\ntitle = "A \\"] --> x"\nsummary = "S."\n'
        '[[topics]]\nid = "end"\narea = "a"\ntitle = "<script>alert(1)</script> \\"q\\" #1"\n'
        'summary = "S."\n[topics.practice]\nsummary = "P."\n',
        encoding="utf-8",
    )
    text = run("--roadmap", str(path), "graph").stdout
    assert "<script>" not in text and '"q"' not in text and '"] -->' not in text
    assert "#60;script#62;" in text and "#34;q#34;" in text and "#35;1" in text
    assert "t_end[" in text  # an id Mermaid reserves ("end") is not used bare
    dot = run("--roadmap", str(path), "graph", "--format", "dot").stdout
    assert 'label="<script>alert(1)</script> \\"q\\" #1\\n· not started"' in dot


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
def test_dot_is_drawn_by_graphviz(run: Run, tmp_path: Path) -> None:
    _learner(run)
    out = tmp_path / "path.dot"
    assert run("graph", "--format", "dot", "-o", str(out)).exit_code == 0
    drawn = subprocess.run(
        ["dot", "-Tsvg", str(out)], capture_output=True, text=True, check=True
    ).stdout
    assert "<svg" in drawn and "Deep learning" in drawn and "in progress" in drawn
    assert drawn.count('class="cluster"') == 3  # the areas
    assert run("graph", "--format", "dot", "-o", str(out)).exit_code == 1  # no --force


def test_a_choice_is_a_node_its_options_lead_to(run: Run, tmp_path: Path) -> None:
    fixtures = Path(__file__).parent / "fixtures"
    out = tmp_path / "university.toml"
    source = fixtures / "curricula" / "university.md"
    run("roadmap", "from-markdown", str(source), "-o", str(out))
    text = run("--roadmap", str(out), "graph").stdout
    assert (
        'g_final_project_choice{{"Final project: Students may choose one of these project '
        'courses for guidance (1 of 2)"}}' in text
    )
    assert "  t_robotics_projects -.-> g_final_project_choice" in text


def test_the_markdown_export_holds_the_graph(run: Run) -> None:
    _learner(run)
    text = run("export", "--format", "markdown").stdout
    block = text.split("```mermaid\n", 1)[1].split("\n```\n", 1)[0]
    assert block == run("graph").stdout.rstrip("\n")
