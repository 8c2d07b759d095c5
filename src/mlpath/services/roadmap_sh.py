"""A roadmap from one roadmap folder of a local checkout of roadmap.sh's repository
(``src/data/roadmaps/NAME/``): ``NAME.json``, the node graph the site draws (``nodes``
with a ``type``, a ``position`` and ``data.label``; ``edges`` from ``source`` to
``target``), and ``content/<slug>@<node id>.md``, each node's text and its typed links
(``- [@official@Title](url)``).

Labelled ``section`` nodes are areas, holding the topic and subtopic nodes drawn inside
them; where there are none, each ``topic`` node is an area holding itself and the
subtopics linked to it (or drawn nearest to it). Topic and subtopic nodes are topics,
in reading order (top to bottom, then left to right). Pure: the caller reads the
files and gives their text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mlpath.core import rules
from mlpath.services.curriculum import Report, slug, unique
from mlpath.services.link_kinds import kind_of
from mlpath.services.markdown_reader import NOTE_CHARS, clean

#: roadmap.sh's link tags and the kinds they become ("feed" links are news feeds).
TAG_KINDS = {
    "official": "docs",
    "opensource": "repo",
    "article": "article",
    "course": "course",
    "video": "video",
    "book": "book",
    "podcast": "video",
    "roadmap": "link",
}
_TAGGED = re.compile(r"^@(?P<tag>[A-Za-z]+)@(?P<title>.*)$", re.DOTALL)
#: Nodes that only draw (lines, legends): not reported as dropped.
_DRAWING = ("vertical", "horizontal", "legend", "section", "title")
_TOPIC_TYPES = ("topic", "subtopic")


@dataclass
class _Node:
    id: str
    type: str
    label: str
    x: float
    y: float
    width: float = 0.0
    height: float = 0.0
    children: list[str] = field(default_factory=list)

    def holds(self, other: _Node) -> bool:
        return (
            self.x <= other.x <= self.x + self.width and self.y <= other.y <= self.y + self.height
        )


def _table(raw: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = raw.get(key)
    return value if isinstance(value, dict) else {}


def _number(*values: object) -> float:
    """The first of ``values`` that is a number (a graph file may give a size in several
    places); 0 when none is."""
    for value in values:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
    return 0.0


def _nodes(graph: Mapping[str, Any]) -> list[_Node]:
    found: list[_Node] = []
    for raw in graph.get("nodes", []) or []:
        if not isinstance(raw, dict):
            continue
        position, style, measured = (_table(raw, k) for k in ("position", "style", "measured"))
        found.append(
            _Node(
                id=str(raw.get("id", "")),
                type=str(raw.get("type", "")),
                label=clean(str(_table(raw, "data").get("label") or "")),
                x=_number(position.get("x")),
                y=_number(position.get("y")),
                width=_number(raw.get("width"), style.get("width"), measured.get("width")),
                height=_number(raw.get("height"), style.get("height"), measured.get("height")),
            )
        )
    return found


def content_of(markdown: str) -> tuple[str, list[tuple[str, str, str]]]:
    """A content file's first paragraph (its summary) and its typed links (tag, title,
    address), read with markdown-it so that an address holding parentheses is whole."""
    from markdown_it import MarkdownIt

    summary = ""
    links: list[tuple[str, str, str]] = []
    tokens = MarkdownIt("commonmark").parse(markdown)
    for i, token in enumerate(tokens):
        if token.type != "inline":
            continue
        if tokens[i - 1].type == "paragraph_open" and not summary and token.level == 1:
            text = clean(token.content, NOTE_CHARS)
            if text and not _TAGGED.match(text) and not text.endswith(":"):
                summary = text
        href: str | None = None
        words: list[str] = []
        for child in token.children or []:
            if child.type == "link_open":
                href, words = str(child.attrs.get("href", "")), []
            elif child.type == "text" and href is not None:
                words.append(child.content)
            elif child.type == "link_close" and href is not None:
                tagged = _TAGGED.match("".join(words))
                if tagged:
                    links.append((tagged["tag"].lower(), clean(tagged["title"]), href))
                href = None
    return summary, links


def convert(
    name: str, graph: Mapping[str, Any], contents: Mapping[str, str]
) -> tuple[dict[str, Any], Report]:
    """A format 2 roadmap from a roadmap.sh graph and its content files (by node id).
    ``name`` is the folder's name (the roadmap's id on roadmap.sh)."""
    report = Report()
    nodes = _nodes(graph)
    by_id = {n.id: n for n in nodes}
    topics = sorted(
        (n for n in nodes if n.type in _TOPIC_TYPES and n.label), key=lambda n: (n.y, n.x)
    )
    _link_children(graph, by_id)
    title_node = next((n for n in nodes if n.type == "title" and n.label), None)
    title = title_node.label if title_node else name.replace("-", " ").title()
    sections = [n for n in nodes if n.type == "section" and n.label and n.width and n.height]
    homes = _homes(topics, sections, by_id)
    areas: list[dict[str, Any]] = []
    made: dict[str, dict[str, Any]] = {}
    area_ids: set[str] = set()
    topic_ids: set[str] = set()
    out_topics: list[dict[str, Any]] = []
    # each area's own topic first, then the others in reading order
    topics.sort(key=lambda n: (homes[n.id].y, homes[n.id].x, homes[n.id] is not n, n.y, n.x))
    for node in topics:
        home = homes[node.id]
        if home.id not in made:
            made[home.id] = {
                "id": unique(slug(home.label, "area"), area_ids),
                "title": home.label,
                "summary": content_of(contents.get(home.id, ""))[0] or f"What {home.label} covers.",
            }
            areas.append(made[home.id])
        summary, links = content_of(contents.get(node.id, ""))
        if node.id not in contents:
            report.dropped.add("node without a content file", node.label)
        topic: dict[str, Any] = {
            "id": unique(slug(node.label, "topic"), topic_ids),
            "area": made[home.id]["id"],
            "title": node.label,
            "summary": summary or f"What {node.label} covers.",
            "resources": _resources(links, report),
        }
        out_topics.append(topic)
    for node in nodes:
        if node.type not in _TOPIC_TYPES and node.type not in _DRAWING and node.label:
            report.dropped.add(f"{node.type or 'untyped'} node", node.label)
    data: dict[str, Any] = {
        "schema": 2,
        "id": slug(name, "roadmap-sh"),
        "title": title,
        "summary": f"The {title} roadmap of roadmap.sh (https://roadmap.sh/{slug(name, '')}).",
        "areas": areas,
        "topics": out_topics,
    }
    return data, report


def _link_children(graph: Mapping[str, Any], by_id: Mapping[str, _Node]) -> None:
    """Each topic node's subtopics, from the edges drawn between them."""
    for edge in graph.get("edges", []) or []:
        if not isinstance(edge, dict):
            continue
        source, target = by_id.get(str(edge.get("source"))), by_id.get(str(edge.get("target")))
        if source is None or target is None:
            continue
        if source.type == "topic" and target.type == "subtopic":
            source.children.append(target.id)
        elif target.type == "topic" and source.type == "subtopic":
            target.children.append(source.id)


def _homes(
    topics: list[_Node], sections: list[_Node], by_id: Mapping[str, _Node]
) -> dict[str, _Node]:
    """The area node of each topic node: the labelled section drawn around it, else its
    topic (itself, the topic a subtopic is linked to, or the nearest topic)."""
    homes: dict[str, _Node] = {}
    parents = {child: n for n in topics for child in n.children}
    tops = [n for n in topics if n.type == "topic"]
    for node in topics:
        around = [s for s in sections if s.holds(node)]
        if around:
            homes[node.id] = min(around, key=lambda s: s.width * s.height)
        elif node.type == "topic":
            homes[node.id] = node
        elif node.id in parents:
            homes[node.id] = parents[node.id]
        elif tops:
            homes[node.id] = min(tops, key=lambda t: (t.x - node.x) ** 2 + (t.y - node.y) ** 2)
        else:
            homes[node.id] = node
    return homes


def _resources(links: list[tuple[str, str, str]], report: Report) -> list[dict[str, Any]]:
    taken = {"practice"}
    out: list[dict[str, Any]] = []
    for tag, title, url in links:
        if tag == "feed":
            report.dropped.add("news feed link", title)
            continue
        if not rules.is_url(url):
            report.dropped.add("link not accepted", url[:80])
            continue
        kind = TAG_KINDS.get(tag) or kind_of(url, title)
        resource: dict[str, Any] = {
            "id": unique(slug(title, "link"), taken),
            "title": title or url,
            "url": rules.url(url, "the link"),
        }
        if kind != "link":
            resource["kind"] = kind
        report.kinds[kind] = report.kinds.get(kind, 0) + 1
        out.append(resource)
    return out
