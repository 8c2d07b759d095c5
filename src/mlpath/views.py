"""Everything the user sees: Rich renderables for people, JSON documents for scripts.

All text from a roadmap or the state is untrusted. It reaches Rich only as
:class:`rich.text.Text` built by :func:`safe`, so Rich markup in it prints literally, and
control characters are shown as visible escapes instead of reaching the terminal.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from mlpath.errors import printable
from mlpath.progress import State, Status, Summary, Tally, TopicProgress
from mlpath.roadmap import Resource, Roadmap, Topic

#: Bumped when a JSON document's shape changes incompatibly.
JSON_VERSION = 1

_STATUS_STYLE = {Status.NOT_STARTED: ("·", "dim"), Status.DONE: ("✓", "green")}


def safe(text: str, style: str = "") -> Text:
    """Untrusted text as a Rich Text: no markup, no control characters."""
    return Text(printable(text), style=style)


def console() -> Console:
    return Console(highlight=False, soft_wrap=False)


def print_json(document: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps({"version": JSON_VERSION, **document}, indent=2) + "\n")


def local_time(moment: datetime) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def status_text(progress: TopicProgress) -> Text:
    mark, style = _STATUS_STYLE[progress.status]
    return Text(f"{mark} {progress.status.label}", style=style)


# --- list ------------------------------------------------------------------------------


def list_view(roadmap: Roadmap, state: State, summary: Summary) -> RenderableType:
    table = Table(title=safe(roadmap.title, "bold"), title_justify="left", expand=False)
    table.add_column("#", justify="right", style="dim")
    table.add_column("id", no_wrap=True)
    table.add_column("topic")
    table.add_column("status", no_wrap=True)
    number = 0
    for area in roadmap.areas:
        table.add_row("", safe(area.title, "bold cyan"), "", "")
        for topic in roadmap.topics_in(area.id):
            number += 1
            progress = state.topic(roadmap.id, topic.id)
            table.add_row(str(number), safe(topic.id), safe(topic.title), status_text(progress))
    done = summary.overall
    return Group(table, Text(f"{done.done} of {done.total} topics done ({done.percent}%)."))


def list_json(roadmap: Roadmap, state: State, summary: Summary) -> dict[str, Any]:
    return {
        "roadmap": {"id": roadmap.id, "title": roadmap.title},
        "done": summary.overall.done,
        "total": summary.overall.total,
        "areas": [
            {
                "id": area.id,
                "title": area.title,
                "topics": [
                    _topic_brief_json(roadmap, state, topic) for topic in roadmap.topics_in(area.id)
                ],
            }
            for area in roadmap.areas
        ],
    }


def _topic_brief_json(roadmap: Roadmap, state: State, topic: Topic) -> dict[str, Any]:
    progress = state.topic(roadmap.id, topic.id)
    return {
        "id": topic.id,
        "title": topic.title,
        "status": progress.status.value,
        "done_at": _iso(progress.done_at),
    }


# --- show ------------------------------------------------------------------------------

_READING_KINDS = ("book", "course")


def _resource_lines(resource: Resource) -> Text:
    line = safe(resource.title, "bold")
    if resource.by:
        line.append(" by ")
        line.append_text(safe(resource.by))
    if resource.kind not in _READING_KINDS:
        line.append(f" ({printable(resource.kind)})", style="dim")
    if resource.url:
        line.append("\n")
        line.append_text(safe(resource.url, "blue"))
    if resource.note:
        line.append("\n")
        line.append_text(safe(resource.note, "italic"))
    return line


def _section(heading: str, body: RenderableType) -> list[RenderableType]:
    return [Text(heading, style="bold underline"), Padding(body, (0, 0, 1, 2), expand=False)]


def show_view(
    roadmap: Roadmap, state: State, topic: Topic, heading: str | None = None
) -> RenderableType:
    progress = state.topic(roadmap.id, topic.id)
    parts: list[RenderableType] = []
    if heading:
        parts.append(Text(heading, style="bold magenta"))
    title = safe(topic.title, "bold")
    title.append("  ")
    title.append_text(safe(f"[{topic.id}]", "dim"))
    parts.append(title)
    about = Text("Area: ")
    about.append_text(safe(roadmap.area(topic.area).title))
    if topic.aliases:
        about.append("   Also called: ")
        about.append_text(safe(", ".join(topic.aliases)))
    about.append("\nStatus: ")
    about.append_text(status_text(progress))
    if progress.done_at is not None:
        about.append(f" on {local_time(progress.done_at)}")
    about.append("\nRequires: ")
    if topic.requires:
        for i, req in enumerate(topic.requires):
            about.append(", " if i else "")
            about.append_text(safe(req))
            about.append(" (")
            about.append_text(status_text(state.topic(roadmap.id, req)))
            about.append(")")
    else:
        about.append("nothing, you can start here")
    parts.append(Padding(about, (0, 0, 1, 0), expand=False))

    parts += _section("Why it matters", safe(topic.summary))
    parts += _section("Best way to learn", safe(topic.practice.summary))
    for kind, plural in (("book", "Book"), ("course", "Course")):
        chosen = topic.resources_of_kind(kind)
        body: RenderableType = (
            Group(*(_resource_lines(r) for r in chosen))
            if chosen
            else Text(f"No {kind} is recommended for this topic.", style="italic")
        )
        parts += _section(plural + ("s" if len(chosen) > 1 else ""), body)
    others = [r for r in topic.resources if r.kind not in _READING_KINDS]
    if others:
        parts += _section("Also", Group(*(_resource_lines(r) for r in others)))
    return Group(*parts)


def show_json(roadmap: Roadmap, state: State, topic: Topic) -> dict[str, Any]:
    progress = state.topic(roadmap.id, topic.id)
    area = roadmap.area(topic.area)
    return {
        "roadmap": {"id": roadmap.id, "title": roadmap.title},
        "topic": {
            "id": topic.id,
            "title": topic.title,
            "area": {"id": area.id, "title": area.title},
            "aliases": list(topic.aliases),
            "summary": topic.summary,
            "practice": topic.practice.summary,
            "requires": [
                {"id": req, "status": state.topic(roadmap.id, req).status.value}
                for req in topic.requires
            ],
            "resources": [r.model_dump() for r in topic.resources],
            "status": progress.status.value,
            "done_at": _iso(progress.done_at),
        },
    }


# --- progress --------------------------------------------------------------------------


def bar(done: int, total: int, width: int = 24) -> Text:
    """A progress bar that stays readable without colour: filled and empty cells."""
    filled = round(width * done / total) if total else 0
    return Text.assemble(("█" * filled, "green"), ("░" * (width - filled), "dim"))


def progress_view(roadmap: Roadmap, summary: Summary) -> RenderableType:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(no_wrap=True)
    grid.add_column(no_wrap=True)
    grid.add_column(justify="right", no_wrap=True)
    grid.add_column(justify="right", no_wrap=True)

    def row(label: Text, done: int, total: int, percent: int) -> None:
        grid.add_row(label, bar(done, total), f"{done}/{total}", f"{percent}%")

    overall = summary.overall
    row(Text("Overall", style="bold"), overall.done, overall.total, overall.percent)
    for area_id, tally in summary.areas:
        row(safe(roadmap.area(area_id).title), tally.done, tally.total, tally.percent)

    parts: list[RenderableType] = [
        safe(roadmap.title, "bold"),
        Text(f"{overall.done} of {overall.total} topics done ({overall.percent}%)."),
        grid,
    ]
    if summary.next_topic is None:
        parts.append(Text("Every topic is done. Well done!", style="bold green"))
    else:
        nxt = Text("Next: ", style="bold")
        nxt.append_text(safe(summary.next_topic.title))
        nxt.append_text(safe(f" ({summary.next_topic.id})", "dim"))
        nxt.append(f"   mlpath show {printable(summary.next_topic.id)}", style="dim")
        parts.append(nxt)
    if summary.orphans:
        parts.append(
            Text(
                f"Kept: progress on {len(summary.orphans)} topic(s) this roadmap no longer "
                f"has ({printable(', '.join(summary.orphans))}).",
                style="yellow",
            )
        )
    return Group(*parts)


def progress_json(roadmap: Roadmap, summary: Summary) -> dict[str, Any]:
    nxt = summary.next_topic
    return {
        "roadmap": {"id": roadmap.id, "title": roadmap.title},
        "overall": _tally_json(summary.overall),
        "areas": [
            {"id": area_id, "title": roadmap.area(area_id).title, **_tally_json(tally)}
            for area_id, tally in summary.areas
        ],
        "next": None if nxt is None else {"id": nxt.id, "title": nxt.title},
        "orphans": summary.orphans,
    }


def _tally_json(tally: Tally) -> dict[str, int]:
    return {"done": tally.done, "total": tally.total, "percent": tally.percent}
