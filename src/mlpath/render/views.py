"""What people see in the terminal: Rich renderables, each a function of a command's
result (:mod:`mlpath.core.results`), in the sentences of :mod:`mlpath.render.words`
(the JSON documents and the Markdown checklist are in :mod:`mlpath.render.text`, which
loads no Rich).

All text from a roadmap or the state is untrusted. It reaches Rich only as
:class:`rich.text.Text` built by :func:`safe`, so Rich markup in it prints literally, and
control characters are shown as visible escapes instead of reaching the terminal.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len
from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from mlpath.core.errors import printable
from mlpath.core.progress import (
    Change,
    Note,
    Status,
    Tally,
    TopicProgress,
)
from mlpath.core.roadmap import PRACTICE_ID, Resource, Subtopic, Topic
from mlpath.render.layout import Flow, flow
from mlpath.render.text import first_resource, recorded_later
from mlpath.render.words import (
    SIGNS,
    describe,
    done_sentence,
    duration_text,
    goal_line,
    hours_amount,
    local_date,
    local_time,
    memory_line,
    noun,
    pace_words,
    plural,
    tally_cells,
    why_next,
)

if TYPE_CHECKING:
    from mlpath.core.cohort import Learner, TopicCount
    from mlpath.core.pace import PaceSummary, Review
    from mlpath.core.plan import GoalStatus, Plan, Week
    from mlpath.core.progress import Summary
    from mlpath.core.results import Entry, ListResult, PathInfo, ProgressResult
    from mlpath.core.results.reports import (
        Cohort,
        HistoryResult,
        PlanResult,
        ReviewResult,
        RoadmapInfo,
        SearchResult,
        StatsResult,
    )
    from mlpath.core.results.topics import NextResult, ShowResult
    from mlpath.core.roadmap import Area


_STATUS_STYLE = {
    status: (SIGNS[status], style)
    for status, style in (
        (Status.NOT_STARTED, "dim"),
        (Status.IN_PROGRESS, "yellow"),
        (Status.DONE, "green"),
        (Status.SKIPPED, "dim italic"),
    )
}


def safe(text: str, style: str = "") -> Text:
    """Untrusted text as a Rich Text: no markup, no control characters (a line feed
    included: a title, an id or a name is one line, and shows as what it is)."""
    return Text(printable(text), style=style)


def prose(text: str, style: str = "") -> Text:
    """Untrusted prose (a summary, a note) as :func:`safe` makes it, its line breaks
    read as spaces: the view wraps prose to the width it has."""
    return safe(" ".join(line.strip() for line in text.splitlines()), style)


def console() -> Console:
    # No markup, emoji codes or highlighting in anything printed: untrusted text can never
    # be interpreted, and rich's emoji table is never loaded.
    return Console(highlight=False, soft_wrap=False, markup=False, emoji=False)


def status_sign(status: Status) -> Text:
    """The status's sign alone, styled (for a tree of topics)."""
    mark, style = _STATUS_STYLE[status]
    return Text(mark, style=style)


def status_text(status: Status) -> Text:
    """The status, styled as a span: what is appended to it keeps its own style (a
    not-started topic's title is not dimmed with its status)."""
    mark, style = _STATUS_STYLE[status]
    return Text.assemble((f"{mark} {status.label}", style))


# --- list ------------------------------------------------------------------------------


class _TopicList:
    """The list of topics as aligned columns (number, id, title, status), fitted to the
    console's width. Plain lines rather than a table, so a roadmap of a thousand topics
    prints as fast as one of seven."""

    def __init__(self, rows: list[tuple[int, str, str, Status] | str]) -> None:
        self.rows = rows  # a str alone is an area heading (all text already printable)

    def __rich_console__(self, console: Console, options: Any) -> Any:
        from rich.segment import Segment
        from rich.style import Style

        cells = [r for r in self.rows if isinstance(r, tuple)]
        number_w = max((len(str(r[0])) for r in cells), default=1)
        # Ids and statuses are whole, always; the titles (prose) get what room is left,
        # no more than the longest needs, and are left out when too little is left.
        id_w = max((_width(r[1]) for r in cells), default=2)
        status_w = max((len(f"x {r[3].label}") for r in cells), default=6)
        room = options.max_width - number_w - id_w - status_w - 6
        title_w = min(max((_width(r[2]) for r in cells), default=5), room)
        title_w = title_w if title_w >= 6 else 0
        bold, dim, area = Style(bold=True), Style(dim=True), Style(bold=True, color="cyan")
        styles = {status: Style.parse(style) for status, (_, style) in _STATUS_STYLE.items()}
        new_line = Segment.line()
        topic = f"{'topic':<{title_w}}  " if title_w else ""
        yield Segment(f"{'#':>{number_w}}  {'id':<{id_w}}  {topic}status", bold)
        yield new_line
        # Segments straight away (no Text layout): a thousand rows print in a blink.
        for row in self.rows:
            if isinstance(row, str):
                yield Segment(" " * (number_w + 2))
                yield Segment(_fit(row, max(options.max_width - number_w - 2, 1)).rstrip(), area)
            else:
                number, topic_id, title, status = row
                mark = _STATUS_STYLE[status][0]
                yield Segment(f"{number:>{number_w}}  ", dim)
                title_cell = f"{_fit(title, title_w)}  " if title_w else ""
                yield Segment(f"{topic_id:<{id_w}}  {title_cell}")
                yield Segment(f"{mark} {status.label}", styles[status])
                if not title_w:  # no room for the titles' column: each under its id
                    yield new_line
                    under = " " * (number_w + 4)
                    yield Segment(under + _fit(title, options.max_width - len(under)).rstrip(), dim)
            yield new_line


def _width(text: str) -> int:
    return len(text) if text.isascii() else cell_len(text)


def _fit(text: str, width: int) -> str:
    """``text`` cut to ``width`` cells (with an ellipsis) or padded to it."""
    if _width(text) <= width:
        return text + " " * (width - _width(text))
    fitted = Text(text)
    fitted.truncate(width, overflow="ellipsis", pad=True)
    return fitted.plain


def list_view(result: ListResult) -> RenderableType:
    standing = result.standing
    rows: list[tuple[int, str, str, Status] | str] = []
    for area, entries in result.shown():
        rows.append(printable(area.title) + (" (optional)" if area.optional else ""))
        for found in entries:
            topic = found.topic
            title = printable(topic.title) + (" (optional)" if topic.optional else "")
            title += " (a choice)" if found.choice else ""
            rows.append((found.number, topic.id, title, found.status))
    shown, total = len(result.selection), len(standing.entries)
    parts: list[RenderableType] = [safe(standing.path.title, "bold")]
    parts.append(_TopicList(rows) if shown else Text("No topic matches."))
    if shown < total:
        parts.append(Text(f"Showing {shown} of {total} topics.", style="dim"))
    parts.append(_tally_line(standing.path, standing.summary.overall))
    return Group(*(flow(part) for part in parts))


def tree_view(result: ListResult) -> RenderableType:
    from rich.tree import Tree

    standing = result.standing
    root = Tree(safe(standing.path.title, "bold"))
    for area, entries in result.shown():
        branch = root.add(safe(area.title, "bold cyan"))
        for found in entries:
            topic = found.topic
            label = status_text(found.status)
            label.append(" ")
            label.append_text(safe(topic.title))
            label.append_text(safe(f" ({topic.id})", "dim"))
            if topic.requires:  # on a line of its own, so "needs" stays with the ids
                label.append("\n")
                label.append_text(safe("needs " + ", ".join(topic.requires), "dim italic"))
            branch.add(label)
    return Group(root, _tally_line(standing.path, standing.summary.overall))


# --- the app's tree (mlpath browse) -----------------------------------------------------


def app_area_label(area: Area, tally: Tally | None) -> Text:
    """An area in the app's tree: its title and "2/5" (or, with nothing to count, in
    words), and whether it is optional."""
    label = safe(area.title, "bold")
    if tally is not None:
        label.append(f"  {tally_cells(tally)[0]}", style="dim")
    if area.optional:
        label.append(" (optional)", style="dim")
    return label


def app_topic_label(found: Entry) -> Text:
    """A topic in the app's tree: its status sign and title, optional, a choice."""
    label = status_sign(found.status)
    label.append(" ")
    label.append_text(safe(found.topic.title))
    if found.optional:
        label.append(" (optional)", style="dim")
    if found.choice is not None:
        label.append(" (a choice)", style="dim")
    return label


def app_item_label(found: Entry, item: str) -> Text:
    """An item of a topic's checklist in the app's tree: its box, and what it is."""
    label = _mark(found.progress, item)
    topic = found.topic
    if item == PRACTICE_ID:
        label.append("practice")
        return label
    resource = next((r for r in topic.resources if r.id == item), None)
    if resource is not None:
        label.append_text(safe(resource.title))
        label.append_text(safe(f" ({resource.kind})", "dim"))
        return label
    subtopic = next((s for s in topic.subtopics if s.id == item), None)
    label.append_text(safe(subtopic.title if subtopic is not None else item))
    return label


def _tally_line(path: PathInfo, tally: Tally) -> Text:
    return Text(done_sentence(path, tally))


# --- show ------------------------------------------------------------------------------

#: Kinds that show has a heading for (the others are listed under "Also").
_OWN_HEADINGS = ("book", "course", "link")


def _mark(progress: TopicProgress, item_id: str) -> Text:
    """The checkbox of a checklist item, as a span: the item's own text is never dimmed
    (what a learner has still to read matters most)."""
    when = progress.checked.get(item_id)
    return Text.assemble(("[ ] ", "dim") if when is None else ("[x] ", "green"))


class _Link(Text):
    """A link on a line of its own, never split or cut. Where its indent would push it
    past the width, it moves left (to 6, 2 or 0 columns) if that makes it fit; longer
    than the width even so, it runs on and the terminal wraps it, so that copying it
    gives the whole link. Clickable where the terminal supports it (OSC 8). Sections print it
    unpadded, its indent built in."""

    def __init__(self, url: str, indent: int) -> None:
        from rich.style import Style

        super().__init__(" " * indent, no_wrap=True, overflow="ignore")
        self.append_text(safe(url))
        self.indent = indent
        # a link with characters that must be escaped to be shown is shown, not opened
        link = url if printable(url) == url else None
        self.stylize(Style(color="blue", link=link), indent)

    def __rich_console__(self, console: Console, options: Any) -> Any:
        url_w = self.cell_len - self.indent
        if not self.no_wrap or self.cell_len <= options.max_width:  # folded (the app)
            yield from super().__rich_console__(console, options)
            return
        room = [i for i in (6, 2, 0) if i < self.indent and i + url_w <= options.max_width]
        moved = self[self.indent - room[0] :] if room else self
        yield from Text.__rich_console__(moved, console, options)


def _hanging(head: Text, body: Text) -> RenderableType:
    """``head`` then ``body``, the lines of ``body`` that wrap lining up under its first
    (a hanging indent), e.g. a checklist item's text under the text, not the box."""
    grid = Table.grid()
    grid.add_column(no_wrap=True)
    grid.add_column()
    grid.add_row(head, body)
    return grid


def _resource_lines(resource: Resource, progress: TopicProgress) -> list[RenderableType]:
    line = safe(resource.title, "bold")
    if resource.by:
        line.append(" by ")
        line.append_text(safe(resource.by))
    if resource.kind not in _OWN_HEADINGS:
        line.append(f" ({printable(resource.kind)})", style="dim")
    line.append_text(safe(f"  [{resource.id}]", "dim"))
    lines: list[RenderableType] = [_hanging(_mark(progress, resource.id), line)]
    if resource.url:
        lines.append(_Link(resource.url, 6))
    if resource.note:
        lines.append(Padding(prose(resource.note, "italic"), (0, 0, 0, 4)))
    return lines


# A link written in a note's text: up to a space, a control character or closing
# punctuation at its end.
_LINK_IN_TEXT = re.compile(r"https?://[^\s\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f.,;:!?)\]}'\"]")


def _note_lines(note: Note) -> list[RenderableType]:
    """A note's date and text, then its link. A link in the text goes on a line of its
    own, whole (as :class:`_Link`), and the text goes on under it."""
    head = local_time(note.at) + "  "
    lines: list[RenderableType] = []
    text = " ".join(line.strip() for line in note.text.splitlines())
    start = 0
    for found in [*_LINK_IN_TEXT.finditer(text), None]:
        words = text[start : None if found is None else found.start()].strip()
        if words or (not lines and found is None):
            lead = Text(" " * len(head) if lines else head, style="dim")
            lines.append(_hanging(lead, prose(words)))
        if found is not None:
            if not lines:
                lines.append(Text(head.rstrip(), style="dim"))
            lines.append(_Link(found.group(), 2 + len(head)))
            start = found.end()
    return [*lines, _Link(note.link, 6)] if note.link else lines


def _section(heading: str, *body: RenderableType) -> list[RenderableType]:
    """A heading, its lines indented by two (links carry their own indent), a blank line."""
    lines = [x if isinstance(x, _Link) else Padding(x, (0, 0, 0, 2), expand=False) for x in body]
    return [Text(heading, style="bold underline"), *lines, Text("")]


def _subtopic_line(subtopic: Subtopic) -> Text:
    line = safe(subtopic.title)
    line.append_text(safe(f"  [{subtopic.id}]", "dim"))
    return line


def _resource_sections(schema: int, topic: Topic, progress: TopicProgress) -> list[RenderableType]:
    """Books, then courses, then links without a kind, then the other kinds. A kind the
    topic lacks is explained in the roadmap's words where it gives them; a format 1
    roadmap says that none is recommended (format 2 makes no claim the roadmap did not)."""
    parts: list[RenderableType] = []
    for kind, heading_word in (("book", "Book"), ("course", "Course"), ("link", "Link")):
        chosen = topic.resources_of_kind(kind)
        body: list[RenderableType] = [line for r in chosen for line in _resource_lines(r, progress)]
        why = topic.why_missing(kind)
        if not chosen and why is not None:
            body = [safe(why, "italic")]
        elif not chosen and schema == 1 and kind != "link":
            body = [Text(f"No {kind} is recommended for this topic.", style="italic")]
        if body:
            parts += _section(noun(max(len(chosen), 1), heading_word), *body)
    others = [r for r in topic.resources if r.kind not in _OWN_HEADINGS]
    statements = [
        safe(f"{kind.capitalize()}: {why}", "italic")
        for kind, why in (topic.missing or {}).items()
        if kind not in _OWN_HEADINGS
    ]
    if others or statements:
        lines = [line for r in others for line in _resource_lines(r, progress)]
        parts += _section("Also", *lines, *statements)
    return parts


def _about(found: Entry) -> Text:
    """The topic's area, other names, status and checks, as ``show`` heads them."""
    topic, progress = found.topic, found.progress
    about = Text("Area: ")
    about.append_text(safe(found.area.title))
    if topic.aliases:
        about.append("   Also called: ")
        about.append_text(safe(", ".join(topic.aliases)))
    if found.optional:
        about.append("   Optional: counts once you start it")
    group = found.choice
    if group is not None:
        about.append("\nA choice: ")
        about.append_text(safe(group.title))
        about.append_text(safe(f" (finish {group.pick} of: {', '.join(group.options)})"))
    about.append("\nStatus: ")
    about.append_text(status_text(progress.status))
    if progress.since is not None:
        about.append(f" since {local_time(progress.since)}")
    if progress.started_at is not None and progress.status is not Status.IN_PROGRESS:
        about.append(f" (started {local_time(progress.started_at)})")
    checked = sum(1 for i in topic.item_ids if i in progress.checked)
    about.append(f"   Checked: {checked} of {len(topic.item_ids)}")
    if progress.minutes:
        about.append(f"\nTime logged: {duration_text(progress.minutes)}")
    return about


def show_view(result: ShowResult) -> RenderableType:
    topic, progress, review = result.entry.topic, result.entry.progress, result.review
    parts: list[RenderableType] = []
    if result.next_up:
        parts.append(Text("Next up", style="bold magenta"))
    title = safe(topic.title, "bold")
    title.append_text(safe(f"  [{topic.id}]", "dim"))
    parts.append(title)
    parts.append(Flow(_about(result.entry)))
    if review is not None:
        parts.append(Flow(Text(f"Next review: {local_date(review.due)}. {memory_line(review)}")))
    requires = Text()
    if result.requires:
        for i, (req, status) in enumerate(result.requires):
            requires.append(", " if i else "")
            requires.append_text(safe(req))
            requires.append(" (")
            requires.append_text(status_text(status))
            requires.append(")")
    else:
        requires.append("nothing, you can start here")
    parts.append(Padding(_hanging(Text("Requires: "), requires), (0, 0, 1, 0), expand=False))

    parts += _section("Why it matters", prose(topic.summary))
    if topic.practice is not None:
        practice = _hanging(_mark(progress, PRACTICE_ID), prose(topic.practice.summary))
        parts += _section("Best way to learn  [practice]", practice)
    if topic.subtopics:
        concepts = [_hanging(_mark(progress, s.id), _subtopic_line(s)) for s in topic.subtopics]
        parts += _section("Key concepts", *concepts)
    parts += _resource_sections(result.path.schema, topic, progress)
    if progress.notes:
        notes = [line for n in reversed(progress.notes) for line in _note_lines(n)]
        parts += _section("Notes (newest first)", *notes)
    return Group(*parts)


# --- progress --------------------------------------------------------------------------


def bar(done: int, total: int, width: int = 24) -> Text:
    """A progress bar that stays readable without colour: filled and empty cells."""
    filled = round(width * done / total) if total else 0
    return Text.assemble(("█" * filled, "green"), ("░" * (width - filled), "dim"))


def _topic_list(topics: Sequence[Entry], label: str, style: str) -> Text:
    line = Text(label, style=f"bold {style}")
    line.append_text(safe(", ".join(f"{e.topic.title} ({e.id})" for e in topics), style))
    return line


class _Tallies:
    """Progress per row (label, bar, done/total, percent, hours) fitted to the width: the
    numbers are never cut, the bars shrink first (24 cells down to 4), and a label that
    still does not fit wraps."""

    def __init__(self, rows: list[tuple[Text, Tally, int]]) -> None:
        self.rows: list[tuple[Text, Tally, tuple[str, str, str]]] = [
            (label, tally, (*tally_cells(tally)[:2], duration_text(m))) for label, tally, m in rows
        ]

    def __rich_console__(self, console: Console, options: Any) -> Any:
        numbers = [max(cell_len(r[2][i]) for r in self.rows) for i in (0, 1, 2)]
        label_w = max(r[0].cell_len for r in self.rows)
        fixed = sum(numbers) + 8  # the numbers, and two spaces between each column
        bar_w = max(4, min(24, options.max_width - fixed - label_w))
        label_w = max(8, min(label_w, options.max_width - fixed - bar_w))
        grid = Table.grid(padding=(0, 2))
        grid.add_column(width=label_w)
        grid.add_column(no_wrap=True)
        for width in numbers[:2]:
            grid.add_column(justify="right", no_wrap=True, min_width=width)
        grid.add_column(justify="right", no_wrap=True, style="cyan", min_width=numbers[2])
        for label, tally, cells in self.rows:
            grid.add_row(label, bar(tally.done, tally.total, bar_w), *cells)
        yield grid


def progress_view(result: ProgressResult) -> RenderableType:
    standing, pace, goal = result.standing, result.pace, result.goal
    summary = standing.summary
    rows = [(Text("Overall", style="bold"), summary.overall, pace.total_minutes)]
    for area_id, tally in summary.areas:
        rows.append((safe(standing.area_title(area_id)), tally, pace.area_minutes[area_id]))
    grid = _Tallies(rows)

    parts: list[RenderableType] = [
        safe(standing.path.title, "bold"),
        _tally_line(standing.path, summary.overall),
        grid,
    ]

    def entries(ids: Sequence[str]) -> list[Entry]:
        return [standing.entry(t) for t in ids]

    if summary.in_progress:
        parts.append(_topic_list(entries(summary.in_progress), "In progress: ", "yellow"))
    if summary.skipped:
        parts.append(_topic_list(entries(summary.skipped), "Skipped (not counted): ", "dim"))
    if summary.optional:
        label = "Optional (counted once started): "
        parts.append(_topic_list(entries(summary.optional), label, "dim"))
    for group, done in summary.choices:
        line = Text("Choice: ", style="bold")
        line.append_text(safe(group.title))
        line.append_text(
            safe(f": {len(done)} of {group.pick} finished (options: {', '.join(group.options)})")
        )
        parts.append(line)
    parts.append(_pace_lines(pace))
    parts.append(_next_line(summary))
    if pace.reviews_due:
        parts.append(reviews_due_line(pace.reviews_due))
    if goal is not None:
        parts.append(goal_text(goal))
    if summary.orphans:
        parts.append(
            Text(
                f"Kept: {plural(summary.orphans, 'progress entry', 'progress entries')} "
                "for topics or resources this roadmap no longer has.",
                style="yellow",
            )
        )
    return Group(*(flow(part) for part in parts))


def _next_line(summary: Summary) -> Text:
    if summary.next_topic is None and summary.optional:
        return Text("Only optional topics are left: start one to count it.", style="bold")
    if summary.next_topic is None:
        return Text("Every topic is done or skipped. Well done!", style="bold green")
    nxt = Text("Next: ", style="bold")
    nxt.append_text(safe(summary.next_topic.title))
    nxt.append_text(safe(f" ({summary.next_topic.id})", "dim"))
    nxt.append_text(safe(f"   mlpath show {summary.next_topic.id}", "dim"))
    return nxt


def goal_text(goal: GoalStatus) -> Text:
    """The goal's line, green on track, yellow behind."""
    return Text(goal_line(goal), style="green" if goal.on_track else "yellow")


def _pace_lines(pace: PaceSummary) -> Text:
    streak = pace.streaks
    text = Text("Time: ", style="bold")
    text.append(
        f"{duration_text(pace.total_minutes)} logged, {duration_text(pace.week_minutes)} this week."
    )
    text.append("  Streak: ", style="bold")
    text.append(f"{plural(streak.current, 'day')} (longest {streak.longest}).\n")
    projection = pace.projection
    if projection.finished and projection.finish is not None:
        text.append("Finished: ", style="bold")
        text.append(f"{projection.finish.isoformat()}, every topic done or skipped.")
        return text
    text.append("Projected finish: ", style="bold")
    if projection.finish is not None and projection.pace_hours_per_week is not None:
        pace_now = pace_words(projection.pace_hours_per_week, projection.window_days)
        text.append(
            f"{projection.finish.isoformat()}, at {pace_now}, for the "
            f"{projection.remaining_hours:.0f} h estimated to go"
        )
        if projection.unestimated:
            text.append(
                f", not counting {plural(projection.unestimated, 'topic')} without an estimate"
            )
        text.append(".")
    else:
        text.append(f"not yet: {projection.reason}.", style="dim")
    return text


def reviews_due_line(due: Sequence[Review]) -> Text:
    names = ", ".join(r.topic.id for r in due)
    line = Text(f"Reviews due: {len(due)} ", style="bold magenta")
    line.append_text(safe(f"({names})   mlpath review", "magenta"))
    return line


# --- history ---------------------------------------------------------------------------


class _History:
    """Changes as rows of when, roadmap and what; the roadmap column is left out where
    it would leave the changes too little room, and a change wraps at its spaces (its
    ids whole) under itself."""

    def __init__(self, changes: Sequence[Change]) -> None:
        self.changes = changes

    def __rich_console__(self, console: Console, options: Any) -> Any:
        roadmap_w = max([len("roadmap"), *(_width(c.roadmap) for c in self.changes)])
        several = len({c.roadmap for c in self.changes}) > 1  # else the column says nothing
        if not options.is_terminal:  # a pipe or a file: one change per line, never wrapped
            yield from self._lines(several, roadmap_w)
            return
        with_roadmap = several and options.max_width - 18 - roadmap_w - 2 >= 30
        table = Table.grid(padding=(0, 2))  # no padding at the edges
        table.add_column(no_wrap=True, style="dim")
        if with_roadmap:
            table.add_column(no_wrap=True, style="dim")
        table.add_column(overflow="fold")
        header = ["when", "roadmap", "change"] if with_roadmap else ["when", "change"]
        table.add_row(*(Text(h, style="bold") for h in header))
        for change in self.changes:
            what = safe(describe(change))
            recorded = recorded_later(change)
            if recorded is not None:
                what.append(f" (recorded {local_time(recorded)})", style="dim")
            cells: list[RenderableType] = [local_time(change.at), Flow(what, 0)]
            if with_roadmap:
                cells.insert(1, safe(change.roadmap))
            table.add_row(*cells)
        yield table

    def _lines(self, with_roadmap: bool, roadmap_w: int) -> Any:
        """The rows as whole lines, for grep: the columns aligned, nothing wrapped."""
        head = "when              " + ("roadmap".ljust(roadmap_w) + "  " if with_roadmap else "")
        yield Text(head + "change", no_wrap=True, overflow="ignore")
        for change in self.changes:
            line = Text(local_time(change.at) + "  ", no_wrap=True, overflow="ignore")
            if with_roadmap:
                line.append_text(safe(change.roadmap))
                line.append(" " * (roadmap_w - _width(change.roadmap) + 2))
            line.append_text(safe(describe(change)))
            recorded = recorded_later(change)
            if recorded is not None:
                line.append(f" (recorded {local_time(recorded)})")
            yield line


def history_view(result: HistoryResult) -> RenderableType:
    if not result.changes:
        return Text("No changes recorded yet.")
    return _History(result.changes)


# --- next ------------------------------------------------------------------------------


def _brief(resource: Resource | None, kind: str, topic: Topic) -> list[RenderableType]:
    """A book or course in one line (its link whole on the next), indented by two."""
    line = Text(f"{kind.capitalize()}: ", style="bold")
    if resource is None:
        line.append(f"none recommended (mlpath show {printable(topic.id)} lists what to read)")
        return [_indented(line)]
    line.append_text(safe(resource.title))
    if resource.by:
        line.append(" by ")
        line.append_text(safe(resource.by))
    lines: list[RenderableType] = [_indented(line)]
    if resource.url:
        lines.append(_Link(resource.url, 2))
    return lines


def _briefs(schema: int, topic: Topic, kind: str) -> list[RenderableType]:
    """Every book (or course) of a topic, each as :func:`_brief` gives it: a roadmap that
    recommends two courses shows both. None: the roadmap's reason, or (format 1) that
    none is recommended, or (format 2, no reason given) nothing."""
    found = topic.resources_of_kind(kind)
    if found:
        return [line for resource in found for line in _brief(resource, kind, topic)]
    why = topic.why_missing(kind)
    if why is not None:
        return [_labelled(f"{kind.capitalize()}: ", why)]
    return _brief(None, kind, topic) if schema == 1 else []


def _first_book(schema: int, topic: Topic) -> list[RenderableType]:
    """The topic's first book as a reminder (or why it has none)."""
    book = first_resource(topic, "book")
    return _brief(book, "book", topic) if book else _briefs(schema, topic, "book")


def _practice_line(topic: Topic) -> list[RenderableType]:
    practice = topic.practice_summary
    return [] if practice is None else [_labelled("Practice: ", practice)]


def _labelled(label: str, text: str) -> RenderableType:
    line = Text(label, style="bold")
    line.append_text(safe(text))
    return _indented(line)


def _indented(line: Text) -> RenderableType:
    """A line of ``next`` or ``review``, indented by two: atoms whole where it wraps
    (a date with its time, a command with its argument), with a hanging indent."""
    return Padding(Flow(line), (0, 0, 0, 2))


def next_view(result: NextResult) -> RenderableType:
    """The topics to study now, then the other options of the first one's choice (or
    why there is none); then the reviews due and the goal."""
    parts: list[RenderableType] = []
    schema = result.path.schema
    for i, item in enumerate(result.items):
        topic = item.entry.topic
        label = "Or instead: " if item.instead_of else "Next: " if i == 0 else "Also ready: "
        head = Text(label, style="bold magenta")
        head.append_text(safe(topic.title, "bold"))
        head.append_text(safe(f"  [{topic.id}]", "dim"))
        parts += [
            head,
            _labelled("Why now: ", why_next(item)),
            *_practice_line(topic),
            *_briefs(schema, topic, "book"),
            *_briefs(schema, topic, "course"),
            Text(""),
        ]
    if not result.items:
        parts.append(Flow(nothing_next_view(result.blocked, result.optional_left)))
    if result.reviews_due:
        parts.append(Flow(reviews_due_line(result.reviews_due)))
    if result.goal is not None:
        parts.append(Flow(goal_text(result.goal)))
    return Group(*parts)


def nothing_next_view(blocked: Mapping[str, Sequence[str]], optional: Sequence[str] = ()) -> Text:
    """Why nothing is next: every topic is finished, or those left are optional and not
    started (``optional``), or wait on others (``blocked``: topic id -> the prerequisites
    it waits on)."""
    if not blocked and optional:
        lines = Text("Only optional topics are left; they count once you start one:\n")
        lines.append_text(safe(f"  {', '.join(optional)}\n"))
        lines.append("mlpath start TOPIC", style="dim")
        return lines
    if not blocked:
        return Text("Every topic is done or skipped: nothing is next. Well done!", style="green")
    lines = Text("Nothing is ready to study: every topic left waits on another.\n")
    for topic_id, missing in blocked.items():
        lines.append_text(safe(f"  {topic_id} needs {', '.join(missing)}\n"))
    return lines


# --- plan ------------------------------------------------------------------------------


def plan_view(result: PlanResult) -> RenderableType:
    """The plan: how the hours a week were chosen, the finish, and the weeks, those that
    study the same topics taken together."""
    plan = result.plan
    parts: list[RenderableType] = [safe(result.path.title, "bold"), safe(result.intro)]
    if plan.finish is None:
        parts.append(Text("Nothing left to plan: every estimated topic is done.", style="green"))
    else:
        weeks = len(plan.weeks)
        parts.append(
            Text(
                f"{hours_amount(plan.total)} h on {plural(len(plan.steps), 'topic')} at "
                f"{hours_amount(plan.hours_per_week)} h a week: finished on "
                f"{plan.finish.isoformat()}, in {plural(weeks, 'week')}.",
                style="bold",
            )
        )
        parts.append(_PlanWeeks(plan))
    if plan.unestimated:
        ids = ", ".join(t.id for t in plan.unestimated)
        parts.append(Text(f"Not planned, no hour estimate: {ids}.", style="yellow"))
    return Group(*(flow(part) for part in parts))


class _PlanWeeks:
    """The weeks of a plan, those on the same topic taken together; the "from" column is
    left out where the topics would have too little room to keep each id whole."""

    def __init__(self, plan: Plan) -> None:
        self.rows = []
        for first, last in _runs(plan):
            hours: dict[str, float] = {}
            for week in plan.weeks[first.number - 1 : last.number]:
                for topic, h in week.parts:
                    hours[topic.id] = hours.get(topic.id, 0.0) + h
            self.rows.append(
                (
                    str(first.number) if first is last else f"{first.number}-{last.number}",
                    first.start.isoformat(),
                    hours_amount(first.hours if first is last else plan.hours_per_week),
                    safe(", ".join(f"{t} ({hours_amount(h)} h)" for t, h in hours.items())),
                )
            )

    def __rich_console__(self, console: Console, options: Any) -> Any:
        weeks_w = max([len("weeks"), *(len(r[0]) for r in self.rows)])
        rate_w = max([len("h/week"), *(len(r[2]) for r in self.rows)])
        longest = max((_width(w) for r in self.rows for w in r[3].plain.split()), default=6)
        with_from = options.max_width - weeks_w - rate_w - 10 - 6 >= longest + 6
        table = Table(box=None, padding=(0, 2, 0, 0), show_edge=False)
        table.add_column("weeks", justify="right", no_wrap=True)
        if with_from:
            table.add_column("from", no_wrap=True)
        table.add_column("h/week", justify="right", no_wrap=True, style="cyan")
        heading = "topics (hours)" if with_from else "from: topics (hours)"
        table.add_column(heading, overflow="fold", min_width=longest)
        for weeks, start, rate, topics in self.rows:
            if not with_from:  # no room for the dates' column: each starts its topics
                topics = Text(f"{start}: ", style="dim") + topics
            table.add_row(weeks, *([start] if with_from else []), rate, Flow(topics, 0))
        yield table


def _runs(plan: Plan) -> list[tuple[Week, Week]]:
    """Consecutive full weeks on the same topics, as (first, last)."""
    runs: list[tuple[Week, Week]] = []
    for week in plan.weeks:
        same = [t.id for t, _ in week.parts]
        if runs:
            first, last = runs[-1]
            full = (
                abs(week.hours - plan.hours_per_week) < 1e-6
                and abs(last.hours - plan.hours_per_week) < 1e-6
            )
            if full and same == [t.id for t, _ in last.parts] and len(same) == 1:
                runs[-1] = (first, week)
                continue
        runs.append((week, week))
    return runs


# --- cohort ----------------------------------------------------------------------------


class _Learners:
    """One row per learner; where the row would not fit the width, each learner becomes
    a few lines instead, so no name, id or date is split or left out."""

    def __init__(self, learners: Sequence[Learner]) -> None:
        self.rows = [
            (
                safe(learner.name),
                _done_bar(learner.done, learner.total),
                _current(learner),
                duration_text(learner.recent_minutes),
                local_date(learner.last_active) if learner.last_active else "never",
                safe(", ".join(learner.stuck), "yellow"),
                str(learner.reviews_overdue) if learner.reviews_overdue else "",
            )
            for learner in learners
        ]

    def __rich_console__(self, console: Console, options: Any) -> Any:
        headers = ("learner", "done", "current topic", "4 wks", "last active", "stuck", "overdue")
        widths = [
            max([len(h), *(cell_len(str(r[i])) for r in self.rows)]) for i, h in enumerate(headers)
        ]
        if sum(widths) + len(widths) - 1 <= options.max_width:
            table = Table(box=None, padding=(0, 1, 0, 0), show_edge=False)
            for header in headers:
                right = header in ("4 wks", "overdue")
                table.add_column(header, no_wrap=True, justify="right" if right else "left")
            for row in self.rows:
                table.add_row(*row)
            yield table
            return
        for name, done, current, recent, active, stuck, overdue in self.rows:
            line = Text.assemble(name.copy(), "  ", done)
            more = Text("  current: ")
            more.append_text(current)
            more.append(f"\n  4 wks: {recent}, last active: {active}")
            if stuck.plain:
                more.append("\n  stuck: ")
                more.append_text(stuck)
            if overdue:
                more.append(f"\n  reviews overdue: {overdue}")
            yield line
            yield more


def _done_bar(done: int, total: int) -> Text:
    line = bar(done, total, 8)
    line.append(f" {done}/{total}")
    return line


def _current(learner: Learner) -> Text:
    if learner.current is None:
        return Text("finished", style="green")
    current = safe(learner.current.id)
    current.append_text(safe("" if learner.current_started else " (next)", "dim"))
    return current


class _TopicCounts:
    """Per topic, the learners on it and past it, with a bar where the width allows."""

    def __init__(self, counts: Sequence[TopicCount], learners: int) -> None:
        self.counts, self.learners = counts, learners

    def __rich_console__(self, console: Console, options: Any) -> Any:
        id_w = max([len("topic"), *(_width(c.topic.id) for c in self.counts)])
        with_bar = id_w + 2 + 5 + 2 + 7 + 2 + 10 <= options.max_width
        topics = Table(box=None, padding=(0, 2, 0, 0), show_edge=False)
        topics.add_column("topic", no_wrap=True)
        topics.add_column("on it", justify="right", no_wrap=True, style="yellow")
        topics.add_column("past it", justify="right", no_wrap=True, style="green")
        if with_bar:
            topics.add_column("", no_wrap=True)
        for count in self.counts:
            cells: list[RenderableType] = [safe(count.topic.id), str(count.on), str(count.past)]
            if with_bar:
                cells.append(bar(count.past, self.learners, 10))
            topics.add_row(*cells)
        yield topics


def cohort_view(cohort: Cohort) -> RenderableType:
    """One row per learner, then how many are on or past each topic."""
    learners, counts, skipped = cohort.learners, cohort.counts, cohort.skipped
    title = safe(cohort.path.title, "bold")
    title.append_text(safe(f"  {plural(len(learners), 'learner')}", "dim"))
    parts: list[RenderableType] = [title]
    if not learners:
        parts.append(Text("No learner's export found.", style="yellow"))
    else:
        parts += [
            _Learners(learners),
            Text(""),
            Text("Per topic: learners on it, and past it (done or skipped)"),
            _TopicCounts(counts, len(learners)),
        ]
    if skipped:
        parts.append(
            safe(f"Skipped (damaged or from a newer mlpath): {', '.join(skipped)}", "yellow")
        )
    return Group(*parts)


# --- search ----------------------------------------------------------------------------


def search_view(result: SearchResult) -> RenderableType:
    table = Table(show_header=True, expand=False, box=None, padding=(0, 2, 0, 0))
    table.add_column("topic", no_wrap=True)
    table.add_column("match")
    table.add_column("found in", style="dim")
    for hit in result.hits:
        if hit.resource is None:
            what = safe(hit.topic.title, "bold")
        else:
            what = safe(f"{hit.resource.kind}: ", "dim")
            what.append_text(safe(hit.resource.title))
            if hit.resource.by:
                what.append_text(safe(f" by {hit.resource.by}"))
        table.add_row(safe(hit.topic.id), what, ", ".join(hit.fields))
    count = len(result.hits)
    return Group(table, Text(f"{plural(count, 'match', 'matches')}."))


# --- roadmap info ----------------------------------------------------------------------


def roadmap_info_view(info: RoadmapInfo) -> RenderableType:
    path, held = info.path, info.counts
    title = safe(path.title, "bold")
    title.append_text(safe(f"  [{path.id}]", "dim"))
    # The path whole on its line, however long (it is copied, not read).
    file = Text("File: ", no_wrap=True, overflow="ignore")
    file.append_text(safe(info.file))
    text = Text("Chosen by: ")
    text.append_text(safe(info.chosen_by))
    text.append(f"\nHolds {held.areas} areas, {held.topics} topics and {held.resources} resources.")
    if path.source:
        text.append("\nSource: ")
        text.append_text(safe(path.source))
    return Group(title, file, text)


# --- export ----------------------------------------------------------------------------


# --- review and stats ------------------------------------------------------------------


def review_view(result: ReviewResult) -> RenderableType:
    due, upcoming = result.due, result.upcoming
    parts: list[RenderableType] = []
    if not due:
        line = Text("No review is due.")
        if upcoming:
            first = upcoming[0]
            line.append_text(safe(f" The next: {first.topic.id} on {local_date(first.due)}."))
        else:
            line.append(
                " A topic you finish comes up for review when the chance that you still "
                "remember it has fallen to the retention you aim for (90% unless the "
                "settings file says otherwise)."
            )
        return Flow(line)
    parts.append(Text(f"{plural(len(due), 'review')} due, oldest first:", style="bold"))
    for item in due:
        review, progress = item.review, item.entry.progress
        head = safe(review.topic.title, "bold")
        head.append_text(safe(f"  [{review.topic.id}]", "dim"))
        finished = local_date(progress.done_at) if progress.done_at else "?"
        due_line = (
            f"Due since {local_date(review.due)} (review {review.number}; finished {finished})"
        )
        parts += [
            head,
            _indented(Text(due_line)),
            _indented(Text(memory_line(review))),
            *_practice_line(review.topic),
            *_first_book(result.path.schema, review.topic),
            Text(""),
        ]
    parts.append(
        Text(
            "When you have gone over one: mlpath reviewed TOPIC --recall again|hard|good|easy, "
            "or all of them: mlpath review --start",
            style="dim",
        )
    )
    return Group(*(flow(part) for part in parts))


def review_card(found: Entry, place: str) -> RenderableType:
    """One topic of a review session: what it is about, its practice, your notes."""
    topic, progress = found.topic, found.progress
    head = Text(f"Review {place}: ", style="bold magenta")
    head.append_text(safe(topic.title, "bold"))
    head.append_text(safe(f"  [{topic.id}]", "dim"))
    parts: list[RenderableType] = [head, *_section("Why it matters", prose(topic.summary))]
    if topic.practice is not None:
        parts += _section("Best way to learn", prose(topic.practice.summary))
    if progress.notes:
        notes = [line for n in reversed(progress.notes) for line in _note_lines(n)]
        parts += _section("Your notes (newest first)", *notes)
    return Group(*parts)


class _TopicHours:
    """Hours per topic against its estimate, fitted to the width: ids and numbers whole;
    the status shrinks to its mark, then the bars go, when there is no room for them."""

    def __init__(self, rows: list[tuple[str, Status, int, float | None]]) -> None:
        self.rows = rows  # topic id, status, minutes logged, estimate in hours

    def __rich_console__(self, console: Console, options: Any) -> Any:
        cells = [
            (
                topic_id,
                status,
                duration_text(spent),
                "-" if est is None else f"{est:g}h",
                spent,
                est,
            )
            for topic_id, status, spent, est in self.rows
        ]
        id_w = max([_width("topic"), *(_width(c[0]) for c in cells)])
        logged_w = max([len("logged"), *(len(c[2]) for c in cells)])
        estimate_w = max([len("est."), *(len(c[3]) for c in cells)])
        label_w = max(len(f"x {c[1].label}") for c in cells)
        room = options.max_width - id_w - logged_w - estimate_w - 6
        full = room - label_w >= 2 + 4  # the whole status, and a bar of at least 4 cells
        bar_w = min(12, room - (label_w if full else 1) - 2)
        bars = bar_w >= 4 and any(c[5] for c in cells)
        grid = Table.grid(padding=(0, 2))
        grid.add_column(no_wrap=True)
        grid.add_column(no_wrap=True)
        grid.add_column(justify="right", no_wrap=True)
        grid.add_column(justify="right", no_wrap=True)
        if bars:
            grid.add_column(no_wrap=True)
        header = ["topic", "status" if full else "", "logged", "est.", ""][: 5 if bars else 4]
        grid.add_row(*(Text(h, style="bold") for h in header))
        for topic_id, status, logged, estimate, spent, est in cells:
            mark, style = _STATUS_STYLE[status]
            row: list[RenderableType] = [
                safe(topic_id),
                status_text(status) if full else Text(mark, style=style),
                logged,
                estimate,
            ]
            if bars:
                row.append(bar(min(spent, round(est * 60)), round(est * 60), bar_w) if est else "")
            grid.add_row(*row)
        yield grid


class _WeekChart:
    """Hours per week as bars that shrink to the width (the dates and hours whole)."""

    def __init__(self, per_week: Sequence[tuple[Any, int]]) -> None:
        self.per_week = per_week

    def __rich_console__(self, console: Console, options: Any) -> Any:
        hours = [duration_text(week) for _, week in self.per_week]
        hours_w = max((len(h) for h in hours), default=0)
        longest = max(0, min(30, options.max_width - len("week of 2026-01-01") - hours_w - 4))
        most = max((m for _, m in self.per_week), default=0)
        chart = Table.grid(padding=(0, 2))
        chart.add_column(no_wrap=True, style="dim")
        chart.add_column(no_wrap=True)
        chart.add_column(justify="right", no_wrap=True)
        for (start, week), shown in zip(self.per_week, hours, strict=True):
            filled = round(longest * week / most) if most else 0
            chart.add_row(f"week of {start.isoformat()}", Text("█" * filled, style="cyan"), shown)
        yield chart


def stats_view(result: StatsResult) -> RenderableType:
    rows = [(e.id, e.status, result.minutes[e.id], e.topic.estimate_hours) for e in result.entries]
    table = Group(safe(result.path.title, "bold"), _TopicHours(rows))
    chart = _WeekChart(result.per_week)
    return Group(
        table,
        Text(f"Hours per week, the last {len(result.per_week)} weeks:", style="bold"),
        chart,
        _pace_lines(result.pace),
        _recall_line(result.recalled),
    )


def _recall_line(recalled: tuple[int, int]) -> Text:
    reviews, remembered = recalled
    if not reviews:
        return Text("Reviews, the last 90 days: none.")
    share = round(100 * remembered / reviews)
    return Text(
        f"Reviews, the last 90 days: {reviews}; remembered (not graded again): "
        f"{remembered} ({share}%)."
    )
