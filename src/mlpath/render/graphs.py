"""The roadmap as a graph of prerequisites, with the learner's status on each topic, as
Mermaid (which GitHub and most Markdown viewers draw) or Graphviz DOT. Pure: text out.

Areas are clusters; a topic's status is both a colour and words in its box, so the graph
reads without colour; a choice is a node of its own that its options lead to.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from mlpath.core.errors import printable
from mlpath.core.progress import Status
from mlpath.render.words import status_words

if TYPE_CHECKING:
    from mlpath.core.results import Entry, Standing

#: Fill, border and text colour per status: light fills, dark text (readable in print).
COLOURS = {
    Status.DONE: ("#d3f9d8", "#2b8a3e", "#1b4332"),
    Status.IN_PROGRESS: ("#fff3bf", "#e67700", "#5c3c00"),
    Status.SKIPPED: ("#f1f3f5", "#868e96", "#495057"),
    Status.NOT_STARTED: ("#ffffff", "#868e96", "#212529"),
}
#: The words (after a sign) that say a status in a box.
WORDS = {status: status_words(status) for status in Status}
_CLASSES = {
    Status.DONE: "done",
    Status.IN_PROGRESS: "progress",
    Status.SKIPPED: "skipped",
    Status.NOT_STARTED: "todo",
}


def _label(found: Entry) -> tuple[str, str]:
    """A topic's title (optional ones say so) and its status in words."""
    title = printable(found.topic.title) + (" (optional)" if found.optional else "")
    return title, WORDS[found.status]


# --- Mermaid ------------------------------------------------------------------------------


def _mermaid_id(kind: str, slug: str) -> str:
    return f"{kind}_{slug.replace('-', '_')}"


def _mermaid_text(text: str) -> str:
    """Text inside a quoted Mermaid label: the characters Mermaid reads as syntax or as
    HTML become entity codes, so a title shows as written and can do nothing else."""
    return re.sub(r'["#<>&`\[\]{}|]', lambda m: f"#{ord(m.group())};", text)


def mermaid(standing: Standing) -> str:
    """A Mermaid flowchart of the roadmap (top to bottom)."""
    lines = ["flowchart TD"]
    for area in standing.areas:
        title = _mermaid_text(printable(area.title) + (" (optional)" if area.optional else ""))
        lines.append(f'  subgraph {_mermaid_id("a", area.id)}["{title}"]')
        for found in standing.in_area(area.id):
            name, words = _label(found)
            lines.append(f'    {_mermaid_id("t", found.id)}["{_mermaid_text(name)}<br/>{words}"]')
        lines.append("  end")
    for group in standing.groups:
        title = _mermaid_text(f"{printable(group.title)} ({group.pick} of {len(group.options)})")
        lines.append(f'  {_mermaid_id("g", group.id)}{{{{"{title}"}}}}')
        for option in group.options:
            kind = "t" if standing.has_topic(option) else "a"
            lines.append(f"  {_mermaid_id(kind, option)} -.-> {_mermaid_id('g', group.id)}")
    for found in standing.entries:
        for required in found.topic.requires:
            kind = "t" if standing.has_topic(required) else "g"
            lines.append(f"  {_mermaid_id(kind, required)} --> {_mermaid_id('t', found.id)}")
    for status, (fill, stroke, colour) in COLOURS.items():
        dashed = ",stroke-dasharray:4 3" if status is Status.SKIPPED else ""
        lines.append(
            f"  classDef {_CLASSES[status]} fill:{fill},stroke:{stroke},color:{colour}{dashed}"
        )
    for status in COLOURS:
        ids = [_mermaid_id("t", e.id) for e in standing.entries if e.status is status]
        if ids:
            lines.append(f"  class {','.join(ids)} {_CLASSES[status]}")
    return "\n".join(lines) + "\n"


# --- Graphviz DOT -------------------------------------------------------------------------


def _dot(text: str) -> str:
    """A DOT string: quoted, with backslashes and quotes escaped."""
    return '"' + printable(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def dot(standing: Standing) -> str:
    """A Graphviz digraph of the roadmap (``dot -Tsvg`` draws it)."""
    font = 'fontname="Helvetica,Arial,sans-serif"'
    title = _dot(standing.path.title)
    lines = [
        "digraph mlpath {",
        f"  graph [rankdir=TB, {font}, label={title}, labelloc=t, fontsize=18];",
        f'  node [shape=box, style="rounded,filled", {font}, fontsize=11];',
        f'  edge [{font}, color="#495057"];',
    ]
    for area in standing.areas:
        title = area.title + (" (optional)" if area.optional else "")
        lines.append(f"  subgraph {_dot('cluster_' + area.id)} {{")
        lines.append(f'    label={_dot(title)}; style="rounded"; color="#ced4da";')
        for found in standing.in_area(area.id):
            topic, status = found.topic, found.status
            fill, stroke, colour = COLOURS[status]
            name, words = _label(found)
            dashed = ', style="rounded,filled,dashed"' if status is Status.SKIPPED else ""
            label = _dot(name)[:-1] + "\\n" + words + '"'
            lines.append(
                f'    {_dot(topic.id)} [label={label}, fillcolor="{fill}", '
                f'color="{stroke}", fontcolor="{colour}"{dashed}];'
            )
        lines.append("  }")
    for group in standing.groups:
        title = f"{group.title} ({group.pick} of {len(group.options)})"
        lines.append(f"  {_dot('group:' + group.id)} [label={_dot(title)}, shape=hexagon];")
        for option in group.options:
            for found in standing.option_entries(option):
                lines.append(f"  {_dot(found.id)} -> {_dot('group:' + group.id)} [style=dotted];")
    for found in standing.entries:
        for required in found.topic.requires:
            source = required if standing.has_topic(required) else "group:" + required
            lines.append(f"  {_dot(source)} -> {_dot(found.id)};")
    lines.append("}")
    return "\n".join(lines) + "\n"
