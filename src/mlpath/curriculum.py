"""A starter roadmap from a Markdown curriculum (a README of headings, lists and links),
for ``mlpath roadmap from-markdown``. Pure: text in, roadmap data and a report out.

A heading with links under it becomes a topic, in the area of the heading above it;
each link becomes a resource (its kind only when the address makes it certain, e.g. an
arXiv paper); the text of a bullet without a link becomes a subtopic; a heading (or a
details summary under it) that says "optional" makes its area or topic optional. What
cannot be kept (relative links, images, headings with nothing under them) is reported.
markdown-it-py, which Rich already brings, does the parsing.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from mlpath import rules

#: Kinds guessed from an address, only where the address leaves no doubt.
_KINDS = (
    (re.compile(r"^https?://(www\.)?arxiv\.org/(abs|pdf)/"), "paper"),
    (re.compile(r"^https?://(www\.)?(youtube\.com/(watch|playlist)|youtu\.be/)"), "video"),
    (re.compile(r"^https?://(www\.)?(coursera\.org/learn|edx\.org/course)/"), "course"),
)
_OPTIONAL = re.compile(r"\boptional\b", re.IGNORECASE)
_TITLE_CHARS = 120
#: Unicode categories left out of titles: emoji and other symbols, invisible formatting.
_DROPPED = ("So", "Cs", "Co", "Cf", "Cc")


@dataclass
class Report:
    """What the conversion guessed and what it dropped, for the learner to review."""

    guessed_kinds: int = 0
    optional: list[str] = field(default_factory=list)
    dropped_links: list[str] = field(default_factory=list)  # relative or not http(s)
    dropped_images: int = 0
    dropped_headings: list[str] = field(default_factory=list)  # nothing under them


@dataclass
class _Section:
    level: int
    title: str
    optional: bool = False
    paragraphs: list[str] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)  # (text, url)
    bullets: list[str] = field(default_factory=list)  # bullet text without a link


def slug(text: str, fallback: str) -> str:
    """A valid id from any text: ASCII letters and digits joined by single hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    return "-".join(words)[:60].strip("-") or fallback


def _unique(wanted: str, taken: set[str]) -> str:
    candidate, n = wanted, 2
    while candidate in taken:
        candidate, n = f"{wanted}-{n}", n + 1
    taken.add(candidate)
    return candidate


def _clean(text: str, limit: int = _TITLE_CHARS) -> str:
    """Heading or link text as a title: emoji and markup aside, one line, bounded."""
    kept = "".join(c for c in text if unicodedata.category(c) not in _DROPPED)
    return " ".join(kept.replace("*", "").split())[:limit].strip(" :-")


def _heading(text: str) -> str:
    """A heading as a title: also without its numbering ("1. ", "2) ", "Part 3: ")."""
    return re.sub(r"^(part\s+)?\d+[.):]\s*", "", _clean(text), flags=re.IGNORECASE)


def _sections(markdown: str, report: Report) -> list[_Section]:
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").parse(markdown)
    sections: list[_Section] = []
    in_item = 0
    for i, token in enumerate(tokens):
        if token.type == "heading_open":
            inline = tokens[i + 1]
            title = _heading(inline.content)
            sections.append(_Section(int(token.tag[1]), title, bool(_OPTIONAL.search(title))))
        elif token.type == "list_item_open":
            in_item += 1
        elif token.type == "list_item_close":
            in_item -= 1
        elif token.type == "html_block" and sections and "<summary" in token.content:
            sections[-1].optional |= bool(_OPTIONAL.search(token.content))
        elif token.type == "inline" and sections and tokens[i - 1].type != "heading_open":
            _read_inline(token, sections[-1], in_item > 0, report)
    return sections


def _read_inline(token: Any, section: _Section, bullet: bool, report: Report) -> None:
    """Links, bullet text and paragraphs of one block of text."""
    links: list[tuple[str, str]] = []
    href: str | None = None
    text: list[str] = []
    for child in token.children or []:
        if child.type == "link_open":
            href, text = str(child.attrs.get("href", "")), []
        elif child.type == "link_close" and href is not None:
            links.append((_clean("".join(text)) or href, href))
            href = None
        elif child.type == "image":
            report.dropped_images += 1
        elif child.type in ("text", "code_inline") and href is not None:
            text.append(child.content)
    for title, url in links:
        if rules.is_url(url):
            section.links.append((title, url))
        else:
            report.dropped_links.append(url)
    plain = _clean(token.content)
    if bullet and not links and plain:
        bold = re.match(r"\*\*(.+?)\*\*", token.content)
        section.bullets.append(_clean(bold.group(1)) if bold else plain)
    elif not bullet and plain and not plain.startswith(("<", "|")):
        without_links = re.sub(r"\[([^]]*)\]\([^)]*\)", r"\1", token.content)
        section.paragraphs.append(_clean(without_links, 600))


def _kind(url: str) -> str | None:
    return next((kind for pattern, kind in _KINDS if pattern.match(url)), None)


def convert(markdown: str, name: str) -> tuple[dict[str, Any], Report]:
    """A format 2 roadmap (as TOML data) from a Markdown curriculum, and what was guessed
    and dropped. ``name`` (the file's name) stands in for a missing title."""
    report = Report()
    sections = _sections(markdown, report)
    titles = [s for s in sections if s.level == 1]
    title = titles[0].title if titles else _clean(name) or "My roadmap"
    body = [s for s in sections if not (s.level == 1 and len(titles) == 1)]
    areas: list[dict[str, Any]] = []
    topics: list[dict[str, Any]] = []
    area_ids: set[str] = set()
    topic_ids: set[str] = set()
    above: list[tuple[int, dict[str, Any]]] = []  # the areas open above, by level
    default: dict[str, Any] | None = None  # for topics with no area heading above
    for index, section in enumerate(body):
        while above and above[-1][0] >= section.level:
            above.pop()
        if not section.links:
            if _has_links_below(body, index):
                above.append((section.level, _area(section, area_ids, areas, report)))
            else:
                report.dropped_headings.append(section.title)
            continue
        if above:
            area = above[-1][1]
        else:
            default = default or _area(_Section(1, title), area_ids, areas, report)
            area = default
        topics.append(_topic(section, area, topic_ids, report))
    data: dict[str, Any] = {
        "schema": 2,
        "id": slug(title, "my-roadmap"),
        "title": title,
        "summary": "A roadmap made from a Markdown curriculum by mlpath roadmap from-markdown.",
        "areas": areas,
        "topics": topics,
    }
    return data, report


def _has_links_below(body: list[_Section], index: int) -> bool:
    """Whether a heading's own subsections (up to the next heading of its level or
    higher) hold links: it is then an area."""
    level = body[index].level
    for section in body[index + 1 :]:
        if section.level <= level:
            return False
        if section.links:
            return True
    return False


def _summary(section: _Section) -> str:
    first = next((p for p in section.paragraphs if len(p) > 20), "")
    return first[:600] or f"What {section.title} covers."


def _area(
    section: _Section, taken: set[str], areas: list[dict[str, Any]], report: Report
) -> dict[str, Any]:
    area: dict[str, Any] = {
        "id": _unique(slug(section.title, f"area-{len(areas) + 1}"), taken),
        "title": section.title or f"Part {len(areas) + 1}",
        "summary": _summary(section),
    }
    if section.optional:
        area["optional"] = True
        report.optional.append(area["id"])
    areas.append(area)
    return area


def _topic(
    section: _Section, area: dict[str, Any], taken: set[str], report: Report
) -> dict[str, Any]:
    topic: dict[str, Any] = {
        "id": _unique(slug(section.title, f"topic-{len(taken) + 1}"), taken),
        "area": area["id"],
        "title": section.title or "Untitled",
        "summary": _summary(section),
    }
    if section.optional:
        topic["optional"] = True
        report.optional.append(topic["id"])
    items: set[str] = {"practice"}
    resources = []
    for text, url in section.links:
        resource: dict[str, Any] = {
            "id": _unique(slug(text, "link"), items),
            "title": text,
            "url": rules.url(url, "the link"),
        }
        kind = _kind(url)
        if kind is not None:
            resource["kind"] = kind
            report.guessed_kinds += 1
        resources.append(resource)
    topic["resources"] = resources
    subtopics = [
        {"id": _unique(slug(bullet, "concept"), items), "title": bullet}
        for bullet in dict.fromkeys(section.bullets)
    ]
    if subtopics:
        topic["subtopics"] = subtopics
    return topic
