"""The report page and the progress picture, as files and as a browser draws them: real
headless Chromium with the network shut, where Chromium is installed (CI installs it)."""

from __future__ import annotations

import os
import re
import shutil
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from browser import CHROMIUM, ink, visit
from conftest import TODAY, Result

Run = Callable[..., Result]
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")


def _learner(run: Run) -> None:
    """Two topics done, one in progress, one skipped, and four weeks of logged time."""
    today = TODAY
    for days in (1, 3, 6, 9, 11, 15, 18, 22, 25):
        run("log", "foundations", "1h30m", "--on", (today - timedelta(days=days)).isoformat())
    run("done", "foundations")
    run("done", "algorithms")
    run("start", "deep-learning")
    run("skip", "nlp")


def _external(markup: str) -> list[str]:
    """Anything in a page or picture that would load from elsewhere: scripts, styles,
    fonts, images, frames, CSS imports and urls. Links to click are not loads."""
    found = re.findall(r"<(?:script|link|img|iframe|object|embed|use)\b[^>]*>", markup, re.I)
    found += re.findall(r"@import|url\(\s*['\"]?(?!data:)[^)]*\)", markup, re.I)
    found += re.findall(r"\b(?:src|xlink:href)\s*=\s*['\"](?!data:|#)[^'\"]*", markup, re.I)
    return found


def test_the_report_page_is_whole_and_self_contained(run: Run, tmp_path: Path) -> None:
    _learner(run)
    page = tmp_path / "report.html"
    made = run("progress", "--html", str(page))
    assert made.exit_code == 0, made.stderr
    assert made.stdout == f"Saved the report page to {page}.\n"  # the page, not the view too
    assert made.stderr == ""
    markup = page.read_text(encoding="utf-8")
    assert "<title>Become an ML engineer: progress</title>" in markup
    assert "Content-Security-Policy" in markup and "default-src 'none'" in markup
    assert _external(markup) == []
    assert '<div class="bar" role="img" aria-label="2 of 6 done">' in markup  # drawn bars
    assert "█" not in markup and "░" not in markup  # not block characters
    assert 'aria-label="Hours per week"' in markup  # the weekly chart: time was logged
    assert markup.count("✓ done") >= 2 and "▶ in progress" in markup and "↷ skipped" in markup
    assert 'href="https://www.deeplearningbook.org/"' in markup  # the topics' links
    assert "started " in markup and "done " in markup  # their dates


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
def test_the_report_draws_the_graph_with_dot_and_lists_it_without(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _learner(run)
    with_dot = tmp_path / "with.html"
    run("progress", "--html", str(with_dot))
    drawn = with_dot.read_text(encoding="utf-8")
    assert '<svg width="' in drawn and 'class="graph"' in drawn and '<g id="graph0"' in drawn
    python_only = tmp_path / "bin"
    python_only.mkdir()
    (python_only / "python").symlink_to(sys.executable)
    monkeypatch.setenv("PATH", str(python_only))
    without = tmp_path / "without.html"
    run("progress", "--html", str(without))
    listed = without.read_text(encoding="utf-8")
    assert "graph0" not in listed and "Install Graphviz" in listed
    assert (
        '<li>Deep learning (▶ in progress) <span class="muted">needs foundations</span></li>'
        in listed
    )


def test_text_from_the_roadmap_is_escaped(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "odd.toml"
    path.write_text(
        'schema = 2\nid = "odd"\ntitle = "<script>alert(1)</script>"\n'
        '[[areas]]\nid = "a"\ntitle = "A & <b>"\nsummary = "S."\n'
        '[[topics]]\nid = "t"\narea = "a"\ntitle = "\\"><img src=x onerror=alert(1)>"\n'
        'summary = "S."\n[[topics.resources]]\nid = "r"\ntitle = "R"\n'
        "url = \"https://example.org/?a=1&b='2'\"\n",
        encoding="utf-8",
    )
    page, picture = tmp_path / "odd.html", tmp_path / "odd.svg"
    made = run("--roadmap", str(path), "progress", "--html", str(page), "--svg", str(picture))
    assert made.exit_code == 0, made.stderr
    for markup in (page.read_text(encoding="utf-8"), picture.read_text(encoding="utf-8")):
        assert "<script>" not in markup and "<img" not in markup and "<b>" not in markup
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in markup
    assert 'href="https://example.org/?a=1&amp;b=&#x27;2&#x27;"' in page.read_text(encoding="utf-8")
    ET.fromstring(picture.read_text(encoding="utf-8"))  # still well-formed XML


def test_the_progress_picture_is_drawn_not_captured(run: Run, tmp_path: Path) -> None:
    _learner(run)
    picture = tmp_path / "progress.svg"
    assert run("progress", "--svg", str(picture)).exit_code == 0
    markup = picture.read_text(encoding="utf-8")
    root = ET.fromstring(markup)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.find("{http://www.w3.org/2000/svg}title") is not None
    assert _external(markup) == []
    assert "█" not in markup and "fonts.googleapis" not in markup and "cdnjs" not in markup
    bars = root.findall(".//{http://www.w3.org/2000/svg}rect")
    assert len(bars) > 8  # the track and fill of each row, the weekly bars


@needs_chromium
def test_chromium_shows_the_page_offline_without_a_request(run: Run, tmp_path: Path) -> None:
    _learner(run)
    page = tmp_path / "report.html"
    run("progress", "--html", str(page))
    seen = visit(page)
    assert "<title>Become an ML engineer: progress</title>" in seen.dom
    assert seen.requests == []
    assert seen.screenshot is not None
    share, colours = ink(seen.screenshot)
    assert share > 0.03 and colours > 20, (share, colours)  # not a blank page


@needs_chromium
def test_chromium_shows_the_picture(run: Run, tmp_path: Path) -> None:
    _learner(run)
    picture = tmp_path / "progress.svg"
    run("progress", "--svg", str(picture))
    seen = visit(picture, 800, 600)
    assert seen.requests == []
    assert seen.screenshot is not None
    share, colours = ink(seen.screenshot)
    assert share > 0.03 and colours > 10, (share, colours)


@needs_chromium
def test_the_request_check_sees_a_page_that_loads_from_elsewhere(tmp_path: Path) -> None:
    page = tmp_path / "leaky.html"
    page.write_text(
        '<!doctype html><title>x</title><img src="http://example.org/x.png">'
        '<link rel="stylesheet" href="https://fonts.example.com/a.css">',
        encoding="utf-8",
    )
    assert sorted(visit(page, 400, 300, screenshot=False).requests) == [
        "http://example.org/x.png",
        "https://fonts.example.com/a.css",
    ]
    assert len(_external(page.read_text(encoding="utf-8"))) == 3


def test_chromium_is_there_in_ci() -> None:
    if os.environ.get("CI") and CHROMIUM is None:
        pytest.fail("CI installs Chromium (.ci/run): the picture tests must run there")
