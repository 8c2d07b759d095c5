"""The Typer app and what its commands share: options, the roadmap, the store, output.

Errors a user can cause are raised as :class:`mlpath.core.errors.MlpathError` anywhere below
a command; :func:`explain` is the one place that words them (and Click's) as one plain
message on stderr with the documented exit code.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Collection, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from mlpath import __version__
from mlpath.core.errors import EXIT_INTERRUPTED, MlpathError, printable

if TYPE_CHECKING:
    from rich.console import RenderableType

    from mlpath.core.pace import Schedules
    from mlpath.core.plan import GoalStatus
    from mlpath.core.progress import Outcome, State
    from mlpath.core.roadmap import Roadmap
    from mlpath.storage.database import Store
    from mlpath.storage.settings import RoadmapChoice


#: The commands in the groups that help shows, in the order a learner meets them.
PANELS = (
    ("Browse the path", ("list", "show", "next", "search", "open", "browse")),
    ("Record progress", ("start", "done", "skip", "reset", "note", "log", "undo")),
    ("See how far you are", ("progress", "stats", "review", "reviewed", "history")),
    ("Plan to a date", ("plan", "goal", "graph")),
    ("Keep and move your data", ("export", "import", "sync", "doctor")),
    ("Mentor a cohort", ("cohort",)),
    ("Use another roadmap", ("roadmap",)),
    ("Settings", ("config",)),
)
COMMAND_ORDER = tuple(name for _, names in PANELS for name in names)


def _plain_usage(command: Any) -> Any:
    """A command whose usage line writes a required argument as ``TOPIC``, as help
    texts do, not Typer's ``{TOPIC}``."""
    if command is None or getattr(command, "_mlpath_plain_usage", False):
        return command
    pieces = command.collect_usage_pieces

    def plain(ctx: Any) -> list[str]:
        found: list[str] = pieces(ctx)
        return [p[1:-1] if p.startswith("{") and p.endswith("}") else p for p in found]

    command.collect_usage_pieces = plain
    command._mlpath_plain_usage = True
    return command


class SubGroup(TyperGroup):
    """A group of commands (roadmap, sync, config) whose usage lines read plainly."""

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        return _plain_usage(super().get_command(ctx, cmd_name))


def explain(error: BaseException) -> tuple[str, int] | None:
    """The one mapping from what went wrong to what mlpath says (``mlpath: <sentence>``
    on stderr) and its exit code, for every command and every door: our own errors carry
    their code (1, or 2 for usage); Click's usage errors (an unknown command, option or
    choice, a missing argument, a bad number) are reworded into our voice, exit 2;
    Ctrl-C is "interrupted", 130. None: not an error of ours to explain (a bug)."""
    from typer import Abort
    from typer._click.exceptions import ClickException
    from typer._click.exceptions import UsageError as ClickUsageError

    if isinstance(error, MlpathError):
        return f"mlpath: {error.message}\n", error.exit_code
    if isinstance(error, ClickUsageError):
        return _usage_message(error), error.exit_code
    if isinstance(error, ClickException):
        return f"mlpath: {printable(error.format_message())}\n", error.exit_code
    # Ctrl-C while a class is being made (pydantic loading, say): Python 3.11 wraps it
    # in a RuntimeError from __set_name__.
    cause = error.__cause__ or error.__context__
    if isinstance(error, KeyboardInterrupt | Abort) or (
        isinstance(error, RuntimeError) and isinstance(cause, KeyboardInterrupt)
    ):
        return "mlpath: interrupted.\n", EXIT_INTERRUPTED
    return None


class _Group(SubGroup):
    """Says our errors and Ctrl-C as :func:`explain` words them, with its exit code."""

    # The context is typed Any: typer's Context class lives in a private module.
    def invoke(self, ctx: Any) -> Any:
        global _moment
        _moment = None  # each command reads the clock afresh
        try:
            return super().invoke(ctx)
        except (MlpathError, KeyboardInterrupt, RuntimeError) as error:
            said = explain(error)
            if said is None:
                raise
            sys.stderr.write(said[0])
            raise typer.Exit(said[1]) from None

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        """Click's own errors (an unknown command or option, a missing argument) in
        mlpath's voice, as :func:`explain` says them."""
        run = functools.partial(
            super().main, args, prog_name, complete_var, False, windows_expand_args, **extra
        )
        if not standalone_mode:
            return run()
        _refuse_bytes(sys.argv[1:] if args is None else args)
        from typer import Abort
        from typer._click.exceptions import ClickException

        try:
            result = run()
        except (ClickException, Abort) as error:
            message, code = explain(error) or ("mlpath: interrupted.\n", EXIT_INTERRUPTED)
            sys.stderr.write(message)
            sys.exit(code)
        sys.exit(result if isinstance(result, int) else 0)

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        """The commands in groups, each with its whole first sentence (Click cuts them
        at 45 characters)."""
        for title, names in PANELS:
            rows = []
            for name in names:
                command = self.get_command(ctx, name)
                if command is not None and not command.hidden:
                    rows.append((name, command.get_short_help_str(limit=200)))
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)

    def list_commands(self, ctx: Any) -> list[str]:
        """Commands in the order a learner meets them, not alphabetically."""
        rank = {name: i for i, name in enumerate(COMMAND_ORDER)}
        return sorted(self.commands, key=lambda name: rank.get(name, len(rank)))


def _refuse_bytes(args: Sequence[str]) -> None:
    """An argument that is not UTF-8 (Python keeps its bytes as lone surrogates) is a
    usage error: exit 2 before any command sees it."""
    from mlpath.core.rules import is_utf8

    for number, arg in enumerate(args, start=1):
        if not is_utf8(arg):
            shown = arg.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
            sys.stderr.write(
                f"mlpath: argument {number} ({printable(shown)}) is not valid UTF-8 text.\n"
                "Try 'mlpath -h'.\n"
            )
            sys.exit(2)


def _number_problem(error: Any) -> str | None:
    """Click's "'abc' is not a valid int range" for an option that takes a number, in
    mlpath's words: which option, what it takes, and what was given."""
    import re

    param = getattr(error, "param", None)
    number_class = getattr(getattr(param, "type", None), "_number_class", None)
    if param is None or number_class not in (int, float):  # Click's number types
        return None
    kind = param.type
    whole = number_class is int
    low, high = getattr(kind, "min", None), getattr(kind, "max", None)
    span = (
        f" from {low:,} to {high:,}"
        if low is not None and high is not None
        else f" of at least {low:,}"
        if low is not None
        else f" of at most {high:,}"
        if high is not None
        else ""
    )
    given = re.search(r"'([^']*)' is not a valid|^(\S+) is not in the range", error.message)
    value = next((g for g in given.groups() if g is not None), "") if given else ""
    value = value.removesuffix(".0")
    names = "/".join(param.opts) if param.opts else param.name
    what = "a whole number" if whole else "a number"
    shown_value = f" '{value}'" if value else ""
    return f"{names} takes {what}{span}; not{shown_value}."


def _usage_message(error: Any) -> str:
    """A usage error as one sentence, e.g. ``mlpath: no command 'shwo'. Did you mean
    'show'?``, and a line saying where help is."""
    import re

    from mlpath.core.roadmap import suggestion
    from mlpath.core.rules import shown

    text = error.format_message().strip()
    text = text[:1].lower() + text[1:]
    ctx = error.ctx
    option = getattr(error, "option_name", None)
    if isinstance(option, str) and hasattr(error, "possibilities") and ctx is not None:
        # Click's NoSuchOption: its own wording varies with typer's version
        import difflib

        # compared without their dashes, which alone make two names look alike
        options = [p for p in ctx.command.params if p.param_type_name == "option"]
        names = {n.lstrip("-"): n for p in options for n in p.opts}
        close = difflib.get_close_matches(option.lstrip("-"), names, n=1, cutoff=0.75)
        hint = f" Did you mean '{names[close[0]]}'?" if close else ""
        text = f"no option {option} for this command.{hint}"
    number = _number_problem(error)
    if number is not None:
        text = number
    unknown = re.fullmatch(r"no such command '(.*)'\.", text)
    if unknown is not None and ctx is not None:
        name = unknown.group(1)
        text = f"no command '{name}'.{suggestion(name, ctx.command.list_commands(ctx))}"
    text = re.sub(r"'([^']{61,})'", lambda m: f"'{shown(m.group(1), 60)}'", text)
    where = ctx.command_path if ctx is not None else "mlpath"
    return f"mlpath: {printable(text)}\nTry '{printable(where)} -h'.\n"


app = typer.Typer(
    cls=_Group,
    name="mlpath",
    help="Track your way along a learning path into ML engineering.",
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"mlpath {__version__}\n")
        raise typer.Exit()


@app.callback()
def _main(
    ctx: typer.Context,
    roadmap_file: Annotated[
        Path | None,
        typer.Option(
            "--roadmap",
            metavar="FILE",
            help="Use this roadmap file (also MLPATH_ROADMAP); see 'mlpath roadmap'.",
            show_default=False,
            dir_okay=False,
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Track your way along a learning path into ML engineering.

    Progress is kept in one local file (see 'Your data' in the README); set MLPATH_HOME
    to keep it in another folder.
    """
    if ctx.invoked_subcommand is None:
        sys.stdout.write(ctx.get_help() + "\n")


# --- shared by the commands -------------------------------------------------------------


def roadmap_option(ctx: typer.Context | None = None) -> Path | None:
    """The --roadmap option of this invocation, from the command line's root context:
    commands and shell completion alike (Click does not run the app's callback while
    completing). A completion is given its context; a command finds the current one."""
    found: Any = ctx
    if found is None:
        # Typer keeps its own copy of Click; this is Click's get_current_context.
        from typer._click.globals import get_current_context

        found = get_current_context(silent=True)
    value = None if found is None else found.find_root().params.get("roadmap_file")
    return Path(value) if isinstance(value, str | Path) and str(value) else None


def roadmap_choice(ctx: typer.Context | None = None) -> RoadmapChoice:
    from mlpath.storage.settings import roadmap_choice as choose

    return choose(roadmap_option(ctx))


def roadmap(ctx: typer.Context | None = None) -> Roadmap:
    """The active roadmap, loaded and checked."""
    from mlpath.core.errors import RoadmapError
    from mlpath.storage.cache import cached_roadmap
    from mlpath.storage.roadmap_files import bundled_roadmap_path

    choice = roadmap_choice(ctx)
    if choice.path is None:
        return cached_roadmap(bundled_roadmap_path())
    try:
        return cached_roadmap(choice.path)
    except RoadmapError as error:
        if choice.origin == "the --roadmap option":
            raise
        first, *lines = str(error).split("\n  ")  # its lines, already escaped
        way_back = f"(That roadmap was chosen by {choice.origin}: {choice.way_back}.)"
        raise RoadmapError(first, [*lines, way_back]) from None


def check_output(path: Path, force: bool) -> None:
    """Refuse an output file that :func:`mlpath.storage.paths.output_problem` rules out (exit 1)."""
    from mlpath.storage.paths import output_problem

    problem = output_problem(path, force)
    if problem is not None:
        raise MlpathError(problem)


def database() -> Store:
    """The learner's database (see :class:`mlpath.storage.database.Store`)."""
    from mlpath.storage.database import Store

    store = Store(clock=now, warn=warn)
    _stores.append(store)
    return store


def warn(message: str) -> None:
    """Tell the learner, on stderr, of something done on their behalf."""
    sys.stderr.write(f"mlpath: {printable(message)}\n")


_stores: list[Store] = []  # the databases this process opened, for saved_anything()


def saved_anything() -> bool:
    """Whether a command of this process committed a change to the learner's database."""
    return any(store.saved for store in _stores)


def goal(current: Roadmap, state: State) -> GoalStatus | None:
    """Where the learner stands against the goal set for this roadmap, if any."""
    from mlpath.core.pace import remaining_hours
    from mlpath.core.plan import goal_status
    from mlpath.storage.settings import read_goal

    target = read_goal(current.id)
    if target is None:
        return None
    left, _ = remaining_hours(current, state)
    return goal_status(target.by, target.set_on, target.hours, left, now().date())


_moment: datetime | None = None


def now() -> datetime:
    """The moment the running command takes for "now": read once from the one clock
    (:func:`mlpath.clock.now`) and the same for the rest of the command."""
    global _moment
    if _moment is None:
        from mlpath.clock import now as clock_now

        _moment = clock_now()
    return _moment


def retention() -> float:
    """The desired retention of reviews: ``[review] retention`` of the settings file."""
    from mlpath.storage.settings import review_retention

    return review_retention()


def schedules(current: Roadmap) -> Schedules:
    """The review schedule (FSRS) of each done topic of the roadmap, from the store."""
    return database().schedules(current.id, retention())


def when(on: str | None) -> datetime:
    """The moment given with --on, or now. A moment in the future is a usage error."""
    moment = now()
    if on is None:
        return moment
    from mlpath.core.dates import parse_when
    from mlpath.core.errors import UsageError

    try:
        return parse_when(on, moment)
    except ValueError as error:
        raise UsageError(str(error)) from None


def apply(
    operation: Callable[[State], Outcome], topics: Collection[tuple[str, str]] = ()
) -> Outcome:
    """Run a state operation under the store's lock and save its result (``topics``: load
    those topics' notes and sessions for it, see ``Store.load``). A date that
    contradicts the topic's others, or a day over 24 hours, is a usage error."""
    from mlpath.core.errors import UsageError
    from mlpath.core.progress import DayFull, OutOfOrder

    try:
        return database().update(
            lambda state: ((outcome := operation(state)).state, outcome), topics=topics
        )
    except (OutOfOrder, DayFull) as error:
        raise UsageError(str(error)) from None


def say(line: str) -> None:
    """Print one plain line (already safe: built with ``printable``) to stdout."""
    sys.stdout.write(line + "\n")


def render(view: RenderableType) -> None:
    """Draw a view of :mod:`mlpath.render.views` for people (the caller imports the views
    where it draws, so that Rich is loaded only by the commands that draw, and mypy sees
    what each command hands to its view)."""
    from mlpath.render import views

    console = views.console()
    # crop=False: a link longer than the width is printed whole (the views never let
    # anything else run past the width).
    if console.is_terminal:
        console.print(view, crop=False)
        return
    # Into a pipe or a file: one record a line, as wide as it is (COLUMNS, when set,
    # still gives a width), without the spaces that pad lines to the width.
    if "COLUMNS" not in os.environ:
        console.width = 100_000
    with console.capture() as captured:
        console.print(view, crop=False)
    sys.stdout.write("\n".join(line.rstrip() for line in captured.get().split("\n")))


def complete_topic(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """Shell completion for topic arguments: matching ids and aliases, with titles."""
    from mlpath.core.errors import printable

    try:
        current = roadmap(ctx)
    except MlpathError:
        return []
    wanted = incomplete.lower()
    found: list[tuple[str, str]] = []
    for topic in current.topics:
        for name in (topic.id, *topic.aliases):
            if name.startswith(wanted):
                found.append((name, printable(topic.title)))
    return found


JsonOption = Annotated[
    bool,
    typer.Option("--json", help="Print one JSON document, for scripts, instead of the view."),
]
TopicArgument = Annotated[
    str,
    typer.Argument(
        help="A topic id, alias or unique prefix of an id, e.g. 'nlp'.",
        metavar="TOPIC",
        autocompletion=complete_topic,
        show_default=False,
    ),
]
OptionalTopicArgument = Annotated[
    str | None,
    typer.Argument(
        help="A topic id, alias or unique prefix; the next topic if left out.",
        metavar="[TOPIC]",
        autocompletion=complete_topic,
        show_default=False,
    ),
]
WhenOption = Annotated[
    str | None,
    typer.Option(
        "--on",
        metavar="DATE",
        help=(
            "When it happened, if not now: 2026-11-20, '2026-11-20 18:30', yesterday, "
            "monday (the last one), '3 days ago' or 'last week'."
        ),
        show_default=False,
    ),
]


def complete_resource(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """Shell completion for a resource: the ids (and unambiguous kinds) of the resources
    of the topic named before it, with their titles."""
    from mlpath.core.errors import printable

    try:
        topic = roadmap(ctx).find_topic(str(ctx.params.get("topic") or ""))
    except MlpathError:
        return []
    practice = topic.practice_summary
    offered = [] if practice is None else [("practice", printable(practice))]
    offered += [(r.id, printable(r.title)) for r in topic.resources]
    kinds = [r.kind for r in topic.resources]
    offered += [(kind, f"the {kind}") for kind in dict.fromkeys(kinds) if kinds.count(kind) == 1]
    wanted = incomplete.lower()
    return [(name, help_) for name, help_ in dict(offered).items() if name.startswith(wanted)]


def complete_area(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """Shell completion for an area: the active roadmap's area ids, with their titles."""
    from mlpath.core.errors import printable

    try:
        areas = roadmap(ctx).areas
    except MlpathError:
        return []
    return [(a.id, printable(a.title)) for a in areas if a.id.startswith(incomplete.lower())]


ResourceArgument = Annotated[
    str | None,
    typer.Argument(
        help="A resource or subtopic id, unique id prefix, or kind ('book', 'course', 'practice').",
        metavar="[RESOURCE]",
        autocompletion=complete_resource,
        show_default=False,
    ),
]


def write_picture(path: Path, content: str, what: str, *, json: bool = False) -> None:
    """Write a page, picture or graph the user asked for (``check_output`` has allowed
    the path) as a whole file, and say so, naming ``what`` it is: on stdout, or on
    stderr when stdout holds a JSON document (``json``)."""
    from mlpath.core.errors import MlpathError
    from mlpath.storage.paths import atomic_write

    try:
        atomic_write(path, content.encode("utf-8"), 0o644)
    except OSError as error:
        raise MlpathError(f"cannot write {path}: {error.strerror or error}.") from None
    line = f"Saved {what} to {printable(str(path))}.\n"
    (sys.stderr if json else sys.stdout).write(line)
