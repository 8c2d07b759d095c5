"""Commands that read: list, show, next, progress, search, open, review, stats."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mlpath.cli._app import (
    JsonOption,
    OptionalTopicArgument,
    ResourceArgument,
    TopicArgument,
    app,
    apply,
    check_output,
    complete_area,
    database,
    goal,
    now,
    render,
    retention,
    roadmap,
    say,
    schedules,
    write_picture,
)
from mlpath.core.errors import printable

if TYPE_CHECKING:
    from mlpath.core.pace import Review
    from mlpath.core.progress import State
    from mlpath.core.results import Standing
    from mlpath.core.roadmap import Area, Roadmap, Topic

_STATUS_NAMES = ("not-started", "in-progress", "done", "skipped")


def _find_area(current: Roadmap, name: str) -> Area:
    from mlpath.core.errors import UsageError
    from mlpath.core.roadmap import suggestion

    wanted = name.strip().lower()
    matches = [a for a in current.areas if a.id.startswith(wanted) or a.title.lower() == wanted]
    if len(matches) == 1:
        return matches[0]
    ids = [a.id for a in current.areas]
    if matches:
        raise UsageError(f"'{name}' matches several areas: {', '.join(a.id for a in matches)}.")
    raise UsageError(f"no area '{name}'.{suggestion(wanted, ids)} Areas: {', '.join(ids)}.")


@app.command("list")
def list_(
    tree: Annotated[
        bool, typer.Option("--tree", help="Draw areas, topics and prerequisites as a tree.")
    ] = False,
    status: Annotated[
        str | None,
        typer.Option(
            "--status",
            metavar="STATUS",
            help="Only topics with this status: " + ", ".join(_STATUS_NAMES) + ".",
            autocompletion=lambda incomplete: [
                s for s in _STATUS_NAMES if s.startswith(incomplete)
            ],
            show_default=False,
        ),
    ] = None,
    area: Annotated[
        str | None,
        typer.Option(
            "--area",
            metavar="AREA",
            help="Only the topics of this area (id or prefix).",
            autocompletion=complete_area,
            show_default=False,
        ),
    ] = None,
    json: JsonOption = False,
) -> None:
    """List the areas and topics of the path with your status on each.

    \b
    Examples:
      mlpath list
      mlpath list --status in-progress --area ml
    """
    from mlpath.core.errors import UsageError
    from mlpath.core.progress import Status
    from mlpath.core.results import ListResult, standing
    from mlpath.render import text

    current, state = roadmap(), database().load()
    wanted_status = None
    if status is not None:
        if status.replace(" ", "-").lower() not in _STATUS_NAMES:
            raise UsageError(f"no status '{status}'. Use one of: {', '.join(_STATUS_NAMES)}.")
        wanted_status = Status(status.replace(" ", "-").lower())
    wanted_area = None if area is None else _find_area(current, area).id

    def shown(topic_id: str, area_id: str) -> bool:
        if wanted_area is not None and area_id != wanted_area:
            return False
        return wanted_status is None or state.topic(current.id, topic_id).status is wanted_status

    selection = frozenset(t.id for t in current.topics if shown(t.id, t.area))
    result = ListResult(standing(current, state), selection)
    if json:
        text.print_json(text.list_json(result))
    else:
        from mlpath.render import views

        render(views.tree_view(result) if tree else views.list_view(result))


@app.command()
def show(topic: OptionalTopicArgument = None, json: JsonOption = False) -> None:
    """Show a topic: why it matters, how to learn it, its book and course, your status.

    \b
    Examples:
      mlpath show deep-learning
      mlpath show            # the next topic
    """
    from mlpath.core.progress import next_topic
    from mlpath.core.results.topics import next_result, show_result
    from mlpath.render import text

    current = roadmap()
    if topic is not None:
        chosen = current.find_topic(topic)
        state = database().load(topics=[(current.id, chosen.id)])  # with its notes
    else:
        state, found = database().load_with_notes(lambda s: next_topic(current, s), current.id)
        if found is None:
            nothing = next_result(current, state)
            if json:
                text.print_json(text.next_json(nothing, outlook=False))
            else:
                from mlpath.render import views

                render(views.next_view(nothing))
            return
        chosen = found
    result = show_result(
        current, state, chosen, _review_of(current, state, chosen), next_up=topic is None
    )
    if json:
        text.print_json(text.show_json(result))
    else:
        from mlpath.render import views

        render(views.show_view(result))


def _review_of(current: Roadmap, state: State, topic: Topic) -> Review | None:
    """A done topic's next review, as FSRS schedules it; None for any other topic."""
    from mlpath.core.pace import Review
    from mlpath.core.progress import Status

    if state.topic(current.id, topic.id).status is not Status.DONE:
        return None
    kept = retention()
    remembered = database().schedules(current.id, kept, topic.id).get(topic.id)
    return None if remembered is None else Review(topic, remembered, now(), kept)


@app.command("next")
def next_(
    all_: Annotated[bool, typer.Option("--all", help="List every topic ready to study.")] = False,
    json: JsonOption = False,
) -> None:
    """What to study now, why, and its practice, book and course in brief.

    \b
    Examples:
      mlpath next
      mlpath next --all
    """
    from mlpath.core.pace import reviews_due
    from mlpath.core.results.topics import next_result
    from mlpath.render import text

    current, state = roadmap(), database().load()
    due = reviews_due(current, schedules(current), now(), retention())
    result = next_result(current, state, every=all_, reviews_due=due, goal=goal(current, state))
    if json:
        text.print_json(text.next_json(result))
    else:
        from mlpath.render import views

        render(views.next_view(result))


@app.command()
def progress(
    json: JsonOption = False,
    svg: Annotated[
        Path | None,
        typer.Option(
            "--svg",
            metavar="FILE",
            help="Also save a picture of your progress (SVG): bars and the weekly hours.",
            dir_okay=False,
        ),
    ] = None,
    html: Annotated[
        Path | None,
        typer.Option(
            "--html",
            metavar="FILE",
            help="Also save a report page (HTML, self-contained): bars, weekly hours, the "
            "graph, every topic.",
            dir_okay=False,
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite the --svg or --html file if it exists.")
    ] = False,
) -> None:
    """Show how far you are, overall and per area, and the next topic to study.

    \b
    Examples:
      mlpath progress
      mlpath progress --html progress.html
    """
    from mlpath.core.pace import pace_summary
    from mlpath.core.results import ProgressResult, standing
    from mlpath.render import text

    for picture in (svg, html):
        if picture is not None:
            check_output(picture, force)
    current, state = roadmap(), database().load()
    pace = pace_summary(current, state, now(), schedules(current), retention())
    result = ProgressResult(standing(current, state), pace, goal(current, state))
    if json:
        text.print_json(text.progress_json(result))
    elif svg is None and html is None:  # a file asked for is the answer: no view besides
        from mlpath.render import views

        render(views.progress_view(result))
    if svg is None and html is None:
        return
    from mlpath import __version__
    from mlpath.core.pace import weekly_minutes
    from mlpath.render import report

    moment = now()
    page = report.Report(result, weekly_minutes(current, state, moment, 12), moment, __version__)
    if svg is not None:
        write_picture(svg, report.svg_picture(page), "the progress picture", json=json)
    if html is not None:
        page_html = report.html_page(page, _graph_svg(result.standing))
        write_picture(html, page_html, "the report page", json=json)


def _graph_svg(drawn_from: Standing) -> str | None:
    """The prerequisite graph drawn by Graphviz's dot, as an <svg> element for a page;
    None when dot is not installed or fails."""
    import shutil
    import subprocess

    from mlpath.render.graphs import dot

    program = shutil.which("dot")
    if program is None:
        return None
    try:
        drawn = subprocess.run(
            [program, "-Tsvg"],
            input=dot(drawn_from),
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=30,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    start = drawn.find("<svg")
    return drawn[start:] if start >= 0 else None


class GraphFormat(StrEnum):
    MERMAID = "mermaid"
    DOT = "dot"


@app.command()
def graph(
    format_: Annotated[
        GraphFormat,
        typer.Option(
            "--format",
            "-f",
            metavar="FORMAT",
            help="mermaid (the default; GitHub and most Markdown viewers draw it) or dot "
            "(Graphviz: 'dot -Tsvg').",
            show_default=False,
        ),
    ] = GraphFormat.MERMAID,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", metavar="FILE", help="Write to this file.", dir_okay=False),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite the --output file.")] = False,
) -> None:
    """Draw the roadmap's prerequisites as a graph, with your status on each topic.

    Areas are boxes around their topics; a topic's status is its colour and is written
    in its box, so the graph reads in black and white too.

    \b
    Examples:
      mlpath graph > path.mmd
      mlpath graph --format dot | dot -Tsvg > path.svg
    """
    from mlpath.core.results import standing
    from mlpath.render import graphs

    if output is not None:
        check_output(output, force)
    current, state = roadmap(), database().load()
    drawn_from = standing(current, state)
    text = (graphs.mermaid if format_ is GraphFormat.MERMAID else graphs.dot)(drawn_from)
    if output is None:
        sys.stdout.write(text)
        return
    write_picture(output, text, "the graph")


@app.command()
def search(
    words: Annotated[
        list[str], typer.Argument(metavar="WORDS...", help="Words that must all occur.")
    ],
    json: JsonOption = False,
) -> None:
    """Find topics and resources by title, summary, author, alias or your notes.

    \b
    Examples:
      mlpath search goodfellow
      mlpath search attention paper
    """
    from mlpath.core.results import path_info
    from mlpath.core.results.reports import SearchResult
    from mlpath.core.search import query_words
    from mlpath.core.search import search as find
    from mlpath.render import text

    query = " ".join(words)
    current = roadmap()
    hits = find(current, query, database().note_words(current.id, query_words(query)))
    result = SearchResult(path_info(current), query, tuple(hits))
    if json:
        text.print_json(text.search_json(result))
    elif not hits:
        say(f"Nothing in {printable(current.title)} matches '{printable(query)}'.")
    else:
        from mlpath.render import views

        render(views.search_view(result))


@app.command("open")
def open_(
    topic: TopicArgument,
    resource: ResourceArgument = None,
    print_only: Annotated[
        bool, typer.Option("--print", help="Print the link instead of opening a browser.")
    ] = False,
) -> None:
    """Open a topic's course (or another resource) in your web browser.

    \b
    Examples:
      mlpath open deep-learning
      mlpath open dl book --print
    """
    from mlpath.core.errors import MlpathError, UsageError
    from mlpath.core.roadmap import PRACTICE_ID
    from mlpath.core.rules import is_url

    chosen = roadmap().find_topic(topic)
    if resource is None:
        linked = [r for r in chosen.resources if r.url]
        courses = [r for r in linked if r.kind == "course"]
        if not linked:
            raise MlpathError(f"{chosen.id} has no resource with a link.")
        target = (courses or linked)[0]
    else:
        item = chosen.find_item(resource)
        if item == PRACTICE_ID:
            raise UsageError(f"the practice of {chosen.id} has no link; name a resource.")
        target = next(r for r in chosen.resources if r.id == item)
        if not target.url:
            raise MlpathError(f"{target.id} of {chosen.id} has no link.")
    url = target.url or ""
    if not is_url(url):
        raise MlpathError(f"refusing to open '{url}': only http(s) links with a host are opened.")
    if print_only:
        say(printable(url))
        return
    import webbrowser

    try:
        opened = webbrowser.open(url)
    except webbrowser.Error:
        opened = False
    if opened:
        say(f"Opened {printable(target.title)}: {printable(url)}")
    else:
        say(f"Could not start a web browser; open this link yourself: {printable(url)}")


@app.command()
def browse() -> None:
    """The roadmap as a full-screen app: move around it, open a topic, check its
    resources, log time, write notes, undo; '?' in the app lists every key.

    \b
    Examples:
      mlpath browse
      mlpath --roadmap my-path.toml browse
    """
    from mlpath.clock import now as clock_now
    from mlpath.core.errors import UsageError

    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageError(
            "browse is a full-screen app and needs a terminal; 'mlpath list', 'mlpath "
            "show TOPIC' and 'mlpath next' print what it shows."
        )
    current, store, kept = roadmap(), database(), retention()
    store.load()  # a database it cannot read is refused here, as every command refuses it
    from mlpath.cli.tui import Browse  # Textual: imported by this command only

    Browse(current, store, clock_now, kept).run()


@app.command()
def review(
    start: Annotated[
        bool,
        typer.Option(
            "--start",
            help="Go through the due topics one by one and grade how well you remember each.",
        ),
    ] = False,
    json: JsonOption = False,
) -> None:
    """List the done topics due for review, oldest first, with the chance you still
    remember each; --start goes through them and records your grades.

    \b
    Examples:
      mlpath review
      mlpath review --start
    """
    from mlpath.core.errors import UsageError
    from mlpath.core.pace import due_today, reviews
    from mlpath.core.results.reports import review_result
    from mlpath.render import text

    if start and json:
        raise UsageError("--start asks you questions; it gives no JSON.")
    if start and not sys.stdin.isatty():
        raise UsageError(
            "review --start asks for a grade for each topic and needs a terminal to read "
            "them from; record one review with 'mlpath reviewed TOPIC --recall GRADE'."
        )
    current, state = roadmap(), database().load()
    moment = now()
    scheduled = reviews(current, schedules(current), moment, retention())
    due = due_today(scheduled, moment)
    if start:
        _review_session(current, [r.topic for r in due])
        return
    upcoming = [r for r in scheduled if r not in due]
    result = review_result(current, state, due, upcoming)
    if json:
        text.print_json(text.review_json(result))
    else:
        from mlpath.render import views

        render(views.review_view(result))


_ASK = "How well did you remember it? again, hard, good, easy (1-4); s skips, q stops: "


def _review_session(current: Roadmap, due: list[Topic]) -> None:
    """Ask for each topic's grade in turn and record it; stop at q or the end of input."""
    if not due:
        say("No review is due.")
        return
    kept = retention()
    graded = 0
    for number, topic in enumerate(due, 1):
        answer = _review_one(current, topic, f"{number} of {len(due)}", kept)
        graded += answer == "graded"
        if answer == "stop":
            break
    left = len(due) - graded
    say(f"Graded {graded} of {len(due)}; {left} still due." if left else f"Graded all {graded}.")


def _review_one(current: Roadmap, topic: Topic, place: str, kept: float) -> str:
    """Show one topic, ask for its grade until one is given, and record it: "graded",
    "skipped", or "stop" (q, or the end of input)."""
    from mlpath.cli.track import grade_of
    from mlpath.core import progress as ops
    from mlpath.core.errors import UsageError
    from mlpath.core.recall import memory
    from mlpath.core.results import entry
    from mlpath.render import views
    from mlpath.render.words import local_date

    state = database().load(topics=[(current.id, topic.id)])
    render(views.review_card(entry(current, state, topic), place))
    grade = None
    while grade is None:
        try:
            word = input(_ASK).strip().lower()
        except EOFError:
            say("")
            return "stop"
        if word in ("q", "quit"):
            return "stop"
        if word in ("s", "skip"):
            return "skipped"
        try:
            grade = grade_of(word)
        except UsageError as error:
            say(error.message)
    moment, given = now(), grade
    outcome = apply(lambda s: ops.review(s, current.id, topic.id, moment, given))
    following = memory(outcome.progress, kept)
    when = f"; next review on {local_date(following.due)}" if following else ""
    say(f"Recorded: {grade.value}{when}.\n")
    return "graded"


@app.command()
def stats(
    weeks: Annotated[
        int,
        typer.Option(
            "--weeks",
            metavar="WEEKS",
            min=1,
            max=104,
            help="How many weeks the chart shows, 1 to 104; 8 if not given.",
            show_default=False,
        ),
    ] = 8,
    json: JsonOption = False,
) -> None:
    """Study time in detail: hours per topic against its estimate, and per week.

    \b
    Examples:
      mlpath stats
      mlpath stats --weeks 12
    """
    from mlpath.core.pace import pace_summary, recalled, topic_minutes, weekly_minutes
    from mlpath.core.results import entry, path_info
    from mlpath.core.results.reports import StatsResult
    from mlpath.render import text

    current, state = roadmap(), database().load()
    moment = now()
    result = StatsResult(
        path_info(current),
        tuple(entry(current, state, t, n) for n, t in enumerate(current.topics, start=1)),
        topic_minutes(current, state),
        tuple(weekly_minutes(current, state, moment, weeks)),
        pace_summary(current, state, moment, schedules(current), retention()),
        recalled(current, state, moment.date()),
    )
    if json:
        text.print_json(text.stats_json(result))
    else:
        from mlpath.render import views

        render(views.stats_view(result))
