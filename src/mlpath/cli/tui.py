"""``mlpath browse``: the roadmap as a full-screen terminal app (Textual).

Only this module imports Textual, and only the ``browse`` command imports it. The app
changes nothing by itself: each key runs the same operation, with the same checks, as
the command of the same name (one transaction each, through the store), and a refused
one shows that command's message and changes nothing. Every text from a roadmap or the
learner's notes reaches the screen as Rich ``Text``, never as markup, and through
:func:`mlpath.render.views.safe`, so it shows as what it is. Another ``mlpath`` writing
meanwhile is noticed within a second (SQLite's ``PRAGMA data_version``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from rich.console import Group, RenderableType
from rich.text import Text
from textual import events, on
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import Button, Footer, Input, Label, Static, Tree
from textual.widgets.tree import TreeNode

from mlpath.core.errors import MlpathError, printable
from mlpath.core.progress import Outcome, State, Status
from mlpath.core.results import standing
from mlpath.render.views import app_area_label, app_item_label, app_topic_label, safe

if TYPE_CHECKING:
    from mlpath.core.recall import Memory
    from mlpath.core.results import Entry
    from mlpath.core.roadmap import Roadmap
    from mlpath.storage.database import Store

#: What a tree node stands for: ("area", area id), ("topic", topic id) or ("item",
#: topic id, item id).
Node = tuple[str, ...]

KEYS = (
    ("↑ ↓  j k", "move"),
    ("enter", "open the topic (or area)"),
    ("space", "check or uncheck the selected resource"),
    ("s / d / x / r", "start / done / skip / reset the topic"),
    ("l", "log study time (a duration, and a date if not now)"),
    ("n", "add a note (its text, and a link if you like)"),
    ("o", "open the selected link in the browser"),
    ("/", "filter the tree by words; enter keeps it, esc clears"),
    ("N", "go to the topic to study next"),
    ("u", "undo the last change"),
    ("?", "every key"),
    ("q", "quit"),
)


#: How often, in seconds, the app looks for a change another mlpath made.
CHECK_EVERY = 0.5

#: From how many topics on the tree opens with only the next topic's area unfolded.
LONG_ROADMAP = 200


def focus_now(widget: Widget) -> None:
    """Move the focus before the next key is handled: Textual's `focus()` waits its
    turn in the queue, and the keys typed meanwhile would reach the widget losing it."""
    widget.screen.set_focus(widget)


def back_to_tree(screen: Widget, event: events.Key) -> None:
    """A key that reached a form or the list of keys after it closed (typed behind the
    key that closed it): the tree's again, in its turn."""
    screen.app.screen_stack[0].query_one(RoadmapTree).post_message(
        events.Key(event.key, event.character)
    )
    event.stop()


class RoadmapTree(Tree[Node]):
    """The tree, with mlpath's keys: space checks a resource (it does not fold a node),
    j and k move."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "app.toggle_check", "Check", show=False),
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]

    async def on_key(self, event: events.Key) -> None:
        """Every key of the tree and the app, acted on here, one after another as they were
        typed: a key left to bubble up to the app is acted on later, after the keys
        typed behind it have reached the tree ("n" then a note typed fast put the note's
        "/" in the filter and its letters nowhere; "j" "d" could mark the topic the
        cursor was leaving)."""
        app = self.app
        if not isinstance(app, Browse):
            return
        if app.screen is not app.main:
            # typed behind the key that opened a form (or the list of keys), before it
            # opened: the form's, in the order they were typed
            app.screen.post_message(events.Key(event.key, event.character))
        elif not app.filter_key(event.key, event.character):
            # the key's binding as Textual would find it (the tree's own, the Tree's,
            # the app's), run now rather than when the key has bubbled up to the app
            found = next(
                (
                    (owner, b.action)
                    for owner, bindings in (
                        (self, RoadmapTree.BINDINGS),
                        (self, Tree.BINDINGS),
                        (app, Browse.BINDINGS),
                    )
                    for b in bindings
                    if isinstance(b, Binding) and event.key in b.key.split(",")
                ),
                None,
            )
            if found is None:
                return  # a key of no binding here (page up, home, ...): Textual's
            owner, action = found
            await app.run_action(action, owner)
        event.stop()
        event.prevent_default()


class Form(ModalScreen[dict[str, str] | None]):
    """A small form: labelled inputs, OK and Cancel; dismissed with the values or None."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]
    DEFAULT_CSS = """
    Form { align: center middle; }
    Form > Vertical {
        width: 70; max-width: 95%; height: auto; padding: 1 2;
        border: round $accent; background: $surface;
    }
    Form Label { margin-top: 1; }
    Form Horizontal { height: auto; margin-top: 1; }
    Form Button { margin-right: 2; }
    """

    def __init__(self, title: Text, fields: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self.title_text = title
        self.fields = fields  # (name, label, placeholder)
        self.answered = False

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.title_text)
            for name, label, placeholder in self.fields:
                yield Label(Text(label))
                yield Input(placeholder=placeholder, id=f"field-{name}")
            with Horizontal():
                yield Button("OK", variant="primary", id="ok")
                yield Button("Cancel", id="cancel")

    def on_key(self, event: events.Key) -> None:
        """The keys of the fields, handled here, in the order they come. Keys typed right
        behind the one that opened the form reach the form itself (the tree hands them
        on, or nothing had the focus yet): they go into the field, and enter moves on
        from it at once, so the keys after it go to the next field. (A field keeps
        the printable keys it is given, so none of these comes from one.)"""
        if self.answered:
            back_to_tree(self, event)
            return
        field = self.focused
        if field is None:
            field = self.query(Input).first()
            focus_now(field)
        if not isinstance(field, Input):
            return  # a button's keys are its own
        if event.key == "enter":
            self._advance(field)
        elif event.is_printable and event.character is not None:
            field.insert_text_at_cursor(event.character)
        else:
            return
        event.stop()
        event.prevent_default()

    def _values(self) -> dict[str, str]:
        return {name: self.query_one(f"#field-{name}", Input).value for name, _, _ in self.fields}

    def _advance(self, field: Input) -> None:
        """Enter in ``field``: on to the next field, or, from the last, submit."""
        inputs = list(self.query(Input))
        at = inputs.index(field) + 1
        if at < len(inputs):
            focus_now(inputs[at])
        else:
            self._close(self._values())

    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        self._close(self._values())

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self._close(None)

    def _close(self, values: dict[str, str] | None) -> None:
        self.answered = True
        self.dismiss(values)


class Keys(ModalScreen[None]):
    """Every key, on a screen of its own; any key closes it."""

    DEFAULT_CSS = """
    Keys { align: center middle; }
    Keys > Static {
        width: auto; max-width: 95%; height: auto; padding: 1 2;
        border: round $accent; background: $surface;
    }
    """

    def compose(self) -> ComposeResult:
        text = Text("Keys\n\n", style="bold")
        width = max(len(key) for key, _ in KEYS)
        for key, what in KEYS:
            text.append(key.ljust(width + 2), style="bold")
            text.append(what + "\n")
        text.append("\nAny key closes this.", style="dim")
        yield Static(text)

    answered = False

    def on_key(self, event: events.Key) -> None:
        if self.answered:
            back_to_tree(self, event)
            return
        self.answered = True
        self.dismiss(None)
        event.stop()  # the key that closes the list does nothing else


class Browse(App[None]):
    """The roadmap on the left, the selected topic on the right, progress on top."""

    TITLE = "mlpath"
    ENABLE_COMMAND_PALETTE = False
    DEFAULT_CSS = """
    #top { height: auto; padding: 0 1; background: $boost; }
    #filter { display: none; }
    #filter.shown { display: block; }
    #filter.typing { border: tall $accent; }
    #panes { height: 1fr; }
    #left { width: 2fr; min-width: 24; border-right: solid $primary; }
    #tree { height: 1fr; overflow-x: hidden; }
    #right { width: 3fr; padding: 0 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "status('start')", "Start", show=False),
        Binding("d", "status('done')", "Done"),
        Binding("x", "status('skip')", "Skip", show=False),
        Binding("r", "status('reset')", "Reset", show=False),
        Binding("l", "log", "Log"),
        Binding("n", "note", "Note"),
        Binding("o", "open_link", "Open", show=False),
        Binding("slash", "filter", "Filter"),
        Binding("N", "next", "Next", key_display="N", show=False),
        Binding("u", "undo", "Undo"),
        Binding("question_mark", "keys", "Keys", key_display="?"),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(
        self, roadmap: Roadmap, store: Store, clock: Callable[[], datetime], retention: float
    ) -> None:
        super().__init__()
        self.roadmap = roadmap
        self.store = store
        self.clock = clock
        self.retention = retention
        self.state = State()
        self.standing = standing(roadmap, self.state)  # the tree's labels, as of reload
        self.matching: set[str] = set()  # the topics the filter keeps
        self.schedules: dict[str, Memory] = {}  # the done topics' reviews, as of reload
        self.shown: str | None = None  # the topic on the right
        self.words = ""  # the filter
        self.version: int | None = None
        self.watcher: sqlite3.Connection | None = None

    # --- the screen -------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(id="top")
        with Horizontal(id="panes"):
            with Vertical(id="left"):
                box = Input(placeholder="filter: words, as search finds them", id="filter")
                box.can_focus = False  # the tree types into it, see filter_key
                yield box
                tree = RoadmapTree(safe(self.roadmap.title, "bold"), id="tree")
                tree.show_root = False
                tree.auto_expand = False
                yield tree
            with VerticalScroll(id="right"):
                yield Static(id="topic")
        yield Footer()

    @property
    def main(self) -> Screen[None]:
        """The app's own screen, under any form or list of keys shown over it."""
        return self.screen_stack[0]

    def on_mount(self) -> None:
        self.reload()
        focus_now(self.main.query_one(RoadmapTree))
        first = self._first_topic_node()
        if first is not None:
            self._place(first)
            self.show_topic(str(first.data[1]) if first.data else None)
        self.set_interval(CHECK_EVERY, self.check_for_changes)

    def on_unmount(self) -> None:
        if self.watcher is not None:
            self.watcher.close()

    def reload(self) -> None:
        """Read the state again and redraw the top line, the tree's labels (in place: the
        cursor stays where it is) and the topic. A database that can no longer be read
        (another program damaged or replaced it) is said in the app, as the commands
        say it; what is on the screen stays."""
        try:
            self._read_and_draw()
        except MlpathError as error:
            self.notify(printable(error.message), title="Cannot read", severity="error")

    def _read_and_draw(self) -> None:
        self.state = self.store.load()
        self.schedules = self.store.schedules(self.roadmap.id, self.retention)
        self.standing = standing(self.roadmap, self.state)
        self._draw_top()
        self._relabel()
        self.show_topic(self.shown)

    def _relabel(self) -> None:
        tree = self.main.query_one(RoadmapTree)
        if not tree.root.children:
            self._draw_tree()
            return
        tallies = dict(self.standing.summary.areas)
        for node in tree_nodes(tree.root):
            kind, *ids = node.data or ("",)
            if kind == "area":
                node.set_label(app_area_label(self.roadmap.area(ids[0]), tallies.get(ids[0])))
            elif kind == "topic":
                node.set_label(app_topic_label(self.standing.entry(ids[0])))
            elif kind == "item":
                node.set_label(app_item_label(self.standing.entry(ids[0]), ids[1]))

    def _draw_top(self) -> None:
        from mlpath.render.words import plural, tally_cells

        overall = self.standing.summary.overall
        top = safe(self.roadmap.title, "bold")
        _, share, said = tally_cells(overall)
        top.append(f"   {said}" + (f" ({share})" if share else ""))
        if overall.in_progress:
            top.append(f", {overall.in_progress} in progress")
        due = self._reviews_due()
        if due:
            top.append(f"   {plural(due, 'review')} due", style="magenta")
        goal = self._goal_line()
        if goal is not None:
            top.append("\n")
            top.append_text(goal)
        self.main.query_one("#top", Static).update(top)

    def _reviews_due(self) -> int:
        from mlpath.core.pace import reviews_due

        return len(reviews_due(self.roadmap, self.schedules, self.clock(), self.retention))

    def _goal_line(self) -> Text | None:
        from mlpath.core.pace import remaining_hours
        from mlpath.core.plan import goal_status
        from mlpath.render.views import goal_text
        from mlpath.storage.settings import read_goal

        target = read_goal(self.roadmap.id)
        if target is None:
            return None
        left, _ = remaining_hours(self.roadmap, self.state)
        status = goal_status(target.by, target.set_on, target.hours, left, self.clock().date())
        return goal_text(status)

    def _draw_tree(self) -> None:
        tree = self.main.query_one(RoadmapTree)
        selected = tree.cursor_node.data if tree.cursor_node is not None else None
        expanded = {n.data for n in tree_nodes(tree.root) if n.is_expanded}
        tree.clear()
        matching = self.matching = self._matching()
        tallies = dict(self.standing.summary.areas)
        # A long roadmap opens with the area of the next topic unfolded, the others
        # folded (a filter unfolds what it finds): a thousand topics draw at once.
        unfold = self._areas_to_unfold(expanded)
        for area in self.standing.areas:
            if not any(t.id in matching for t in self.roadmap.topics_in(area.id)):
                continue
            label = app_area_label(area, tallies.get(area.id))
            area_node = tree.root.add(label, data=("area", area.id), expand=area.id in unfold)
            if area.id in unfold:
                self._add_topics(area_node, expanded)
        found = next((n for n in tree_nodes(tree.root) if n.data == selected), None)
        if found is not None:
            self._place(found)

    def _add_topics(self, node: TreeNode[Node], expanded: set[Node | None]) -> None:
        """An area's topics (those the filter keeps) under it: added when it is first
        unfolded, as a topic's checklist is."""
        if node.children or not node.data:
            return
        for topic in self.roadmap.topics_in(str(node.data[1])):
            if topic.id in self.matching:
                found = self.standing.entry(topic.id)
                child = node.add(app_topic_label(found), data=("topic", topic.id))
                if ("topic", topic.id) in expanded:
                    self._add_items(child, found)
                    child.expand()

    def _add_items(self, node: TreeNode[Node], found: Entry) -> None:
        """A topic's checklist under it: added when it is first opened, so that a tree of
        a thousand topics is drawn as fast as a short one."""
        if not node.children:
            for item in found.topic.item_ids:
                node.add_leaf(app_item_label(found, item), data=("item", found.id, item))

    @on(Tree.NodeExpanded)
    def _expanded(self, event: Tree.NodeExpanded[Node]) -> None:
        data = event.node.data
        if data and data[0] == "topic":
            self._add_items(event.node, self.standing.entry(data[1]))
        if data and data[0] == "area":
            self._add_topics(event.node, set())

    def _place(self, node: TreeNode[Node]) -> None:
        """Put the tree's cursor on ``node``: at once, and again once the tree has laid
        out its lines (a tree just rebuilt knows no line of its nodes before that)."""
        tree = self.main.query_one(RoadmapTree)
        tree.move_cursor(node)
        self.call_after_refresh(tree.move_cursor, node)

    def _matching(self) -> set[str]:
        from mlpath.core.search import query_words, search

        if not self.words.strip():
            return {t.id for t in self.roadmap.topics}
        notes = self.store.note_words(self.roadmap.id, query_words(self.words))
        return {hit.topic.id for hit in search(self.roadmap, self.words, notes)}

    def _areas_to_unfold(self, expanded: set[Node | None]) -> set[str]:
        from mlpath.core.progress import next_topic

        everything = {a.id for a in self.roadmap.areas}
        if len(self.roadmap.topics) <= LONG_ROADMAP or self.words.strip():
            return everything
        if any(node and node[0] == "area" for node in expanded):
            return {str(node[1]) for node in expanded if node and node[0] == "area"}
        following = next_topic(self.roadmap, self.state)
        first = self.roadmap.areas[0].id if self.roadmap.areas else ""
        return {following.area if following is not None else first}

    def _first_topic_node(self) -> TreeNode[Node] | None:
        tree = self.main.query_one(RoadmapTree)
        return next((n for n in tree_nodes(tree.root) if n.data and n.data[0] == "topic"), None)

    def show_topic(self, topic_id: str | None) -> None:
        """Draw the topic on the right, as ``show`` gives it."""
        from mlpath.core.pace import Review
        from mlpath.core.results.topics import show_result
        from mlpath.render.views import show_view

        self.shown = topic_id
        pane = self.main.query_one("#topic", Static)
        if topic_id is None:
            pane.update(Text("Select a topic on the left."))
            return
        topic = self.roadmap.topic(topic_id)
        notes, sessions = self.store.topic_items(self.roadmap.id, topic_id)
        progress = self.state.topic(self.roadmap.id, topic_id)
        progress = replace(progress, notes=tuple(notes), sessions=tuple(sessions))
        state = self.state.with_topic(self.roadmap.id, topic_id, progress)
        review = None
        memory = self.schedules.get(topic_id)
        if progress.status is Status.DONE and memory is not None:
            review = Review(topic, memory, self.clock(), self.retention)
        parts: list[RenderableType] = [
            _links_folded(show_view(show_result(self.roadmap, state, topic, review)))
        ]
        waiting = [t.id for t in self.roadmap.topics if topic_id in t.requires]
        if waiting:
            parts.append(safe(f"What waits on it: {', '.join(waiting)}", "dim"))
        pane.update(Group(*parts))

    # --- what the keys do -------------------------------------------------------------

    @on(Tree.NodeHighlighted)
    def _highlighted(self, event: Tree.NodeHighlighted[Node]) -> None:
        top = event.node
        while top.parent is not None:
            top = top.parent
        if top is not event.control.root:
            return  # a node of a tree since redrawn (a filter typed fast redraws at each key)
        data = event.node.data
        if data and data[0] in ("topic", "item") and data[1] != self.shown:
            self.show_topic(data[1])

    @on(Tree.NodeSelected)
    def _selected(self, event: Tree.NodeSelected[Node]) -> None:
        data = event.node.data
        if data and data[0] == "topic":
            self._add_items(event.node, self.standing.entry(data[1]))
        if data and data[0] == "area":
            self._add_topics(event.node, set())
        if data and data[0] in ("area", "topic"):
            event.node.toggle()
        if data and data[0] in ("topic", "item"):
            self.show_topic(data[1])

    def _selection(self) -> tuple[str | None, str | None]:
        """The topic the keys act on, and the selected checklist item if one is: the
        topic under the cursor, or else (the cursor on an area, or a tree being drawn
        anew) the one shown on the right, which names it."""
        node = self.main.query_one(RoadmapTree).cursor_node
        data = node.data if node is not None else None
        if not data or data[0] == "area":
            return self.shown, None
        return data[1], (data[2] if data[0] == "item" else None)

    def _run(self, operation: Callable[[State], Outcome], done: Callable[[Outcome], str]) -> None:
        """One operation, as the commands run it: in one transaction; a refusal shows the
        command's message and changes nothing."""
        from mlpath.core.progress import DayFull, OutOfOrder

        try:
            outcome = self.store.update(lambda state: ((o := operation(state)).state, o))
        except (MlpathError, OutOfOrder, DayFull, ValueError) as error:
            message = error.message if isinstance(error, MlpathError) else str(error)
            self.notify(printable(message), title="Refused", severity="error")
            return
        self.notify(printable(done(outcome)))
        self.reload()

    def action_status(self, which: str) -> None:
        from mlpath.core import progress as ops

        topic_id, _ = self._selection()
        if topic_id is None:
            self.notify("Select a topic first.", severity="warning")
            return
        moment, rid = self.clock(), self.roadmap.id
        operations = {
            "start": lambda s: ops.start(s, rid, topic_id, moment),
            "done": lambda s: ops.mark_done(s, rid, topic_id, moment),
            "skip": lambda s: ops.skip(s, rid, topic_id, moment),
            "reset": lambda s: ops.reset(s, rid, topic_id, moment),
        }
        words = {"start": "Started", "done": "Marked done:", "skip": "Skipped", "reset": "Reset"}

        def said(outcome: Outcome) -> str:
            if outcome.change is None:
                return f"{topic_id}: nothing changed."
            return f"{words[which]} {topic_id}."

        self._run(operations[which], said)

    def action_toggle_check(self) -> None:
        from mlpath.core import progress as ops

        topic_id, item = self._selection()
        if topic_id is None or item is None:
            self.notify("Select a resource of a topic (open the topic with enter).")
            return
        topic = self.roadmap.topic(topic_id)
        moment = self.clock()
        if item in self.state.topic(self.roadmap.id, topic_id).checked:
            self._run(
                lambda s: ops.uncheck(s, self.roadmap.id, topic_id, item, moment),
                lambda _: f"Unchecked {item} of {topic_id}.",
            )
            return

        def said(outcome: Outcome) -> str:
            done = " All its items are checked, so it is now done." if outcome.completed else ""
            return f"Checked {item} of {topic_id}.{done}"

        self._run(lambda s: ops.check(s, self.roadmap, topic, (item,), moment), said)

    def action_log(self) -> None:
        topic_id, _ = self._selection()
        if topic_id is None:
            self.notify("Select a topic first.", severity="warning")
            return
        title = safe(f"Log study time on {self.roadmap.topic(topic_id).title}", "bold")
        fields = [
            ("duration", "Duration", "45m, 1h30m, 2h, 1.5h or 90"),
            ("on", "When (empty: now)", "yesterday, 3 days ago, 2026-11-20"),
        ]
        self.push_screen(Form(title, fields), lambda v: self._logged(topic_id, v))

    def _logged(self, topic_id: str, values: dict[str, str] | None) -> None:
        from mlpath.core import progress as ops
        from mlpath.core.dates import parse_when
        from mlpath.core.pace import parse_duration
        from mlpath.render.words import duration_text

        if values is None:
            return
        now = self.clock()
        try:
            minutes = parse_duration(values["duration"])
            moment = parse_when(values["on"], now) if values["on"].strip() else now
        except ValueError as error:
            self.notify(printable(str(error)), title="Refused", severity="error")
            return
        session = ops.Session(moment, minutes)
        self._run(
            lambda s: ops.log_time(s, self.roadmap.id, topic_id, session),
            lambda _: f"Logged {duration_text(minutes)} on {topic_id}.",
        )

    def action_note(self) -> None:
        topic_id, _ = self._selection()
        if topic_id is None:
            self.notify("Select a topic first.", severity="warning")
            return
        title = safe(f"A note on {self.roadmap.topic(topic_id).title}", "bold")
        fields = [
            ("text", "Note", "where you left off, what clicked"),
            ("link", "Link (optional)", "https://..."),
        ]
        self.push_screen(Form(title, fields), lambda v: self._noted(topic_id, v))

    def _noted(self, topic_id: str, values: dict[str, str] | None) -> None:
        from mlpath.core import progress as ops
        from mlpath.core import rules

        if values is None:
            return
        text, link = values["text"].strip(), values["link"].strip() or None
        try:
            if not text:
                raise rules.Invalid("a note needs some text.")
            rules.text(text, "the note")
            link = None if link is None else rules.url(link, "the link")
        except rules.Invalid as error:
            self.notify(printable(str(error)), title="Refused", severity="error")
            return
        moment = self.clock()
        note = ops.Note(moment, text, link)
        self._run(
            lambda s: ops.add_note(s, self.roadmap.id, topic_id, note, moment),
            lambda _: f"Added a note to {topic_id}" + (" with a link." if link else "."),
        )

    def action_open_link(self) -> None:
        import webbrowser

        topic_id, item = self._selection()
        if topic_id is None:
            return
        topic = self.roadmap.topic(topic_id)
        chosen = next((r for r in topic.resources if r.id == item), None)
        if chosen is None:
            chosen = next((r for r in topic.resources if r.url), None)
        if chosen is None or not chosen.url:
            self.notify("This topic has no link to open.")
            return
        try:
            opened = webbrowser.open(chosen.url)
        except webbrowser.Error:
            opened = False
        if opened:
            self.notify(printable(f"Opened {chosen.url}"))
        else:
            self.notify(printable(f"No browser started; the link: {chosen.url}"))

    # The filter. The tree keeps the focus while words are typed and hands each key to
    # the box itself: keys then act in the order they were typed, and "/deep", enter, d
    # typed in one go marks Deep learning done. (Moving the focus to the box lost the
    # keys typed behind "/", or let them act on the tree.)

    def filter_key(self, key: str, character: str | None) -> bool:
        """Handle ``key`` if it belongs to the filter; say whether it did."""
        box = self.main.query_one("#filter", Input)
        if key == "escape" and box.has_class("shown"):
            self._clear_filter()
            return True
        if not box.has_class("typing"):
            if key != "slash":
                return False
            box.add_class("shown", "typing")
            box.cursor_position = len(box.value)
            return True
        if key == "enter":
            box.remove_class("typing")
            first = self._first_topic_node()
            if first is not None and first.data:
                self._place(first)
                self.show_topic(first.data[1])
        elif key == "backspace":
            box.action_delete_left()
        elif character is not None and character.isprintable():
            box.insert_text_at_cursor(character)
        else:
            return False  # arrows still move in the tree
        self._set_words(box.value)
        return True

    def _clear_filter(self) -> None:
        box = self.main.query_one("#filter", Input)
        box.value = ""
        box.remove_class("shown", "typing")
        self._set_words("")

    def _set_words(self, words: str) -> None:
        if words != self.words:
            self.words = words
            self._draw_tree()

    def action_filter(self) -> None:
        """``/`` pressed away from the tree, or a click on the filter: back to the tree,
        typing a filter."""
        focus_now(self.main.query_one(RoadmapTree))
        if not self.main.query_one("#filter", Input).has_class("typing"):
            self.filter_key("slash", "/")

    @on(events.Click, "#filter")
    def _filter_clicked(self) -> None:
        self.action_filter()

    def action_next(self) -> None:
        from mlpath.core.progress import next_topic

        chosen = next_topic(self.roadmap, self.state)
        if chosen is None:
            self.notify("Nothing is next: every topic is done, skipped or waiting.")
            return
        self._go_to(chosen.id)

    def _go_to(self, topic_id: str) -> None:
        self._clear_filter()
        tree = self.main.query_one(RoadmapTree)
        area = ("area", self.roadmap.topic(topic_id).area)
        folded = next((n for n in tree_nodes(tree.root) if n.data == area), None)
        if folded is not None:
            self._add_topics(folded, set())
            folded.expand()
        node = next((n for n in tree_nodes(tree.root) if n.data == ("topic", topic_id)), None)
        if node is not None:
            self._place(node)
        self.show_topic(topic_id)

    def action_undo(self) -> None:
        from mlpath.render.words import describe

        try:
            undone = self.store.undo()
        except MlpathError as error:
            self.notify(printable(error.message), title="Refused", severity="error")
            return
        if undone is None:
            self.notify("Nothing to undo.")
            return
        self.notify(printable(f"Undid: {describe(undone)}"))
        self.reload()

    def action_keys(self) -> None:
        self.push_screen(Keys())

    def check_for_changes(self) -> None:
        """Redraw when another connection (another mlpath) committed a change, or made
        the database that was not there yet."""
        if not self.main.query("#top"):
            return  # the app is closing and its widgets are gone (a look may come then)
        path = self.store.path
        if self.watcher is None:
            if not path.exists():
                self.version = -1  # no database yet: its first version is a change
                return
            self.watcher = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=0.2)
        try:
            version = self.watcher.execute("PRAGMA data_version").fetchone()[0]
        except sqlite3.Error:
            return
        if self.version is not None and version != self.version:
            self.reload()
        self.version = version


def tree_nodes(root: TreeNode[Node]) -> list[TreeNode[Node]]:
    """Every node under ``root``, in the order the tree shows them (folded ones too)."""
    found: list[TreeNode[Node]] = []
    stack = list(reversed(root.children))
    while stack:
        node = stack.pop()
        found.append(node)
        stack.extend(reversed(node.children))
    return found


def _links_folded(renderable: RenderableType) -> RenderableType:
    """``show``'s view with its links folded onto as many lines as they need: a pane
    crops what runs past its width, and a link must be seen whole."""
    if isinstance(renderable, Group):
        for part in renderable.renderables:
            _links_folded(part)
    elif isinstance(renderable, Text) and renderable.no_wrap:
        renderable.no_wrap = False
        renderable.overflow = "fold"
    return renderable
