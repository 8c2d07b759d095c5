"""``mlpath roadmap``: which roadmap is active, and tools for writing your own."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from mlpath.cli._app import JsonOption, SubGroup, app, render, roadmap, roadmap_choice, say
from mlpath.core.errors import printable

roadmap_app = typer.Typer(
    cls=SubGroup,
    name="roadmap",
    help="Show which roadmap is active, switch roadmaps, and check or start your own.",
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode=None,
)
app.add_typer(roadmap_app)

PathArgument = Annotated[
    Path,
    typer.Argument(
        metavar="FILE", help="A roadmap file (TOML).", dir_okay=False, show_default=False
    ),
]


@roadmap_app.callback()
def _roadmap_group(ctx: typer.Context) -> None:
    """Show which roadmap is active, switch roadmaps, and check or start your own.

    Without a subcommand, the same as 'mlpath roadmap info'.
    """
    if ctx.invoked_subcommand is None:
        info(json=False)


@roadmap_app.command(short_help="Say which roadmap is active and what it holds.")
def info(json: JsonOption = False) -> None:
    """Say which roadmap is active, where it comes from and what it holds.

    \b
    Examples:
      mlpath roadmap info
      mlpath roadmap info --json
    """
    from mlpath.core.results import path_info
    from mlpath.core.results.reports import RoadmapInfo, counts
    from mlpath.render import text
    from mlpath.storage.roadmap_files import bundled_roadmap_path

    choice = roadmap_choice()
    current = roadmap()
    path = choice.path if choice.path is not None else bundled_roadmap_path()
    origin = "the bundled roadmap" if choice.path is None else choice.origin
    result = RoadmapInfo(
        path_info(current), str(path), choice.path is None, origin, counts(current)
    )
    if json:
        text.print_json(text.roadmap_info_json(result))
    else:
        from mlpath.render import views

        render(views.roadmap_info_view(result))


@roadmap_app.command(short_help="Remember a roadmap file as the default.")
def use(
    path: Annotated[
        Path | None,
        typer.Argument(
            metavar="[FILE]", help="The roadmap file to use from now on.", dir_okay=False
        ),
    ] = None,
    bundled: Annotated[
        bool, typer.Option("--bundled", help="Go back to the roadmap that ships with mlpath.")
    ] = False,
) -> None:
    """Remember a roadmap file as the default for every command.

    \b
    Examples:
      mlpath roadmap use my.toml
      mlpath roadmap use --bundled
    """
    from mlpath.core.errors import UsageError
    from mlpath.storage.roadmap_files import load_roadmap
    from mlpath.storage.settings import (
        DamagedConfig,
        config_path,
        read_config,
        set_config_aside,
        write_config,
    )

    if (path is None) == (not bundled):
        raise UsageError("name a roadmap file, or give --bundled to go back to the bundled one.")
    try:
        config = read_config()
    except DamagedConfig:
        if not bundled:
            raise
        aside = set_config_aside()  # the documented way past a damaged settings file
        config = {}
        say(printable(f"The damaged settings file is kept as {aside}."))
    if bundled:
        config.pop("roadmap", None)
        write_config(config)
        say("From now on mlpath uses its bundled roadmap.")
        return
    if path is None:  # cannot be: the arguments were checked above
        raise UsageError("give a roadmap file, or --bundled.")
    absolute = path.expanduser().resolve()
    chosen = load_roadmap(absolute)  # refuse a file that would break every command
    write_config({**config, "roadmap": str(absolute)})
    say(
        f"From now on mlpath uses {printable(chosen.title)} ({printable(chosen.id)}) from "
        f"{printable(str(absolute))}; remembered in {printable(str(config_path()))}."
    )


MarkdownArgument = Annotated[
    Path,
    typer.Argument(
        metavar="README",
        help="A Markdown curriculum (a README).",
        dir_okay=False,
        show_default=False,
    ),
]


@roadmap_app.command("from-markdown", short_help="Make a roadmap from a Markdown curriculum.")
def from_markdown(
    path: MarkdownArgument,
    output: Annotated[
        Path,
        typer.Option("-o", "--output", metavar="FILE", help="The roadmap file to write."),
    ],
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Replace the output file; the topics it had keep their ids (and so the "
            "progress recorded on them).",
        ),
    ] = False,
    choice: Annotated[
        list[str] | None,
        typer.Option(
            "--choice",
            metavar="ID,ID",
            help="Areas (or topics) of the result that are alternatives, of which the "
            "learner finishes one, such as two tracks. Repeatable.",
        ),
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url",
            metavar="URL",
            help="The address that relative links are relative to (default: inferred "
            "from the git checkout that holds the file, for GitHub-style hosts).",
        ),
    ] = None,
    keep: Annotated[
        list[str] | None,
        typer.Option(
            "--keep",
            metavar="TITLE",
            help="Keep a section that looks like course admin (FAQ, Community, ...) as "
            "study material. Repeatable.",
        ),
    ] = None,
    strict: Annotated[
        bool,
        typer.Option("--strict", help="Write nothing and exit 1 when anything was dropped."),
    ] = False,
    json: JsonOption = False,
) -> None:
    """Make a roadmap from a Markdown curriculum (a README of headings, lists, tables
    and links).

    Each lesson (a heading over links, a bold title, a table row, a list item with its
    own list) becomes a topic, in the area of the heading above; admin sections (FAQ,
    community, certificate, ...) are left out. Relative links are made absolute;
    electives and optional parts are optional; stated effort becomes estimates. It says
    what it dropped and why: review the file, then use it with --roadmap.

    \b
    Examples:
      mlpath roadmap from-markdown README.md -o my.toml
      mlpath roadmap from-markdown README.md -o my.toml --base-url https://github.com/o/r/blob/main/
      mlpath roadmap from-markdown README.md -o my.toml --force --keep FAQ --json
    """
    from mlpath.cli._app import check_output, warn
    from mlpath.core.errors import RoadmapError, UsageError
    from mlpath.services.checkout import inferred_base
    from mlpath.services.curriculum import convert
    from mlpath.storage.roadmap_files import read_roadmap_text

    check_output(output, force)
    name = path.stem if path.stem.lower() != "readme" else path.resolve().parent.name
    choices = [[part.strip() for part in c.split(",") if part.strip()] for c in choice or ()]
    source = read_roadmap_text(path)
    origin = "given"
    base = base_url or ""
    if base and not base.startswith(("http://", "https://")):
        raise UsageError(
            f"--base-url {printable(base)}: give the http(s) address the file is published "
            "at, such as https://github.com/OWNER/REPO/blob/main/."
        )
    if not base:
        base = inferred_base(path) or ""
        origin = "inferred from the git checkout" if base else ""
    previous = _previous(output) if force else None
    data, report = convert(source, name, choices, base_url=base, keep=keep or (), previous=previous)
    if not data["topics"]:
        raise RoadmapError(f"{printable(str(path))} has no lesson with a link: no topic to make.")
    for wanted in keep or ():
        if wanted.lower() not in report.kept:
            warn(f"--keep {wanted}: no section is titled so; nothing was brought back for it.")
    refused = strict and report.dropped_count > 0
    _write_import(output, data, report.as_json(), origin, json=json, write=not refused)
    if refused:
        raise typer.Exit(1)


def _write_import(
    output: Path,
    data: dict[str, Any],
    report: dict[str, Any],
    base_origin: str,
    *,
    json: bool,
    write: bool = True,
) -> None:
    """Write an imported roadmap (after checking that it loads: never a file that does
    not) and say what was made and dropped, as sentences or as JSON."""
    import tomli_w

    from mlpath.core.errors import RoadmapError
    from mlpath.core.results import path_info
    from mlpath.core.results.reports import counts
    from mlpath.core.roadmap import parse_roadmap
    from mlpath.render import text as texts
    from mlpath.storage.paths import atomic_write

    document = tomli_w.dumps(data)
    made = parse_roadmap(document, str(output))
    summary = texts.curriculum_json(path_info(made), counts(made), str(output), report, base_origin)
    summary["written"] = write
    if write:
        try:
            atomic_write(output, document.encode("utf-8"), 0o644)
        except OSError as error:
            raise RoadmapError(f"cannot write {output}: {error.strerror or error}.") from None
    if json:
        texts.print_json(summary)
    else:
        for line in texts.curriculum_lines(summary):
            say(printable(line))


def _previous(output: Path) -> dict[str, object] | None:
    """The roadmap an import replaces, as data: its ids are kept. None when there is
    none, or it does not read as a roadmap (it is then simply replaced)."""
    import tomllib

    try:
        return tomllib.loads(output.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None


@roadmap_app.command("from-roadmap-sh", short_help="Make a roadmap from a roadmap of roadmap.sh.")
def from_roadmap_sh(
    folder: Annotated[
        Path,
        typer.Argument(
            metavar="DIR",
            help="A roadmap's folder in a checkout of roadmap.sh's repository, such as "
            "developer-roadmap/src/data/roadmaps/mlops.",
            file_okay=False,
            show_default=False,
        ),
    ],
    output: Annotated[
        Path,
        typer.Option("-o", "--output", metavar="FILE", help="The roadmap file to write."),
    ],
    force: Annotated[bool, typer.Option("--force", help="Replace the output file.")] = False,
    json: JsonOption = False,
) -> None:
    """Make a roadmap from a roadmap of roadmap.sh, read from a local checkout.

    Its sections become areas, its topic and subtopic nodes topics, and the typed links
    of their content files resources of their kinds (official: docs, opensource: repo,
    article, course, video, book).

    \b
    Examples:
      mlpath roadmap from-roadmap-sh developer-roadmap/src/data/roadmaps/mlops -o mlops.toml
    """
    import json as json_module

    from mlpath.cli._app import check_output
    from mlpath.core.errors import RoadmapError
    from mlpath.services.roadmap_sh import convert
    from mlpath.storage.roadmap_files import read_source

    check_output(output, force)
    name = folder.resolve().name
    graph_path = folder / f"{name}.json"
    try:
        graph = json_module.loads(read_source(graph_path, "roadmap.sh graph"))
    except ValueError as error:
        raise RoadmapError(f"{printable(str(graph_path))} is not valid JSON: {error}.") from None
    if not isinstance(graph, dict) or not isinstance(graph.get("nodes"), list):
        raise RoadmapError(
            f"{printable(str(graph_path))} has no list of nodes: not a roadmap.sh graph "
            "(an older roadmap of roadmap.sh, drawn in Balsamiq, cannot be read)."
        )
    contents: dict[str, str] = {}
    content_folder = folder / "content"
    if content_folder.is_dir():
        for file in sorted(content_folder.glob("*@*.md")):
            node_id = file.stem.rsplit("@", 1)[1]
            contents[node_id] = read_source(file, "content file", 1024 * 1024)
    data, report = convert(name, graph, contents)
    if not data["topics"]:
        raise RoadmapError(f"{printable(str(graph_path))} has no topic nodes: no topic to make.")
    _write_import(output, data, report.as_json(), "", json=json)


@roadmap_app.command("check-links", short_help="Check that a roadmap's links still answer.")
def check_links(
    path: Annotated[
        Path | None,
        typer.Argument(
            metavar="[FILE]",
            help="A roadmap file (TOML); the active roadmap when left out.",
            dir_okay=False,
            show_default=False,
        ),
    ] = None,
    timeout: Annotated[
        float,
        typer.Option(
            "--timeout", min=1, max=120, metavar="SECONDS", help="How long to wait for each answer."
        ),
    ] = 10.0,
    json: JsonOption = False,
) -> None:
    """Check that every resource link of a roadmap still answers; list the dead and the
    moved ones, each with its topic. Exit 1 when any is dead.

    At most 16 requests at once and 2 per host; a host that does not answer is asked
    once. Results are kept for a day.

    \b
    Examples:
      mlpath roadmap check-links
      mlpath roadmap check-links my.toml --json
    """
    from mlpath.cli._app import now
    from mlpath.core.results import path_info
    from mlpath.render import text as texts
    from mlpath.services import links
    from mlpath.storage import link_results
    from mlpath.storage.roadmap_files import load_roadmap

    chosen = load_roadmap(path) if path is not None else roadmap()
    where: dict[str, list[str]] = {}
    for topic in chosen.topics:
        for resource in topic.resources:
            if resource.url is not None:
                where.setdefault(str(resource.url), []).append(f"{topic.id}/{resource.id}")
    moment = now()
    kept = [c for row in link_results.load() if (c := links.Checked.from_json(row))]
    known = links.fresh(kept, moment)
    asked = links.check([u for u in where if u not in known], moment, timeout=timeout)
    results = {**{u: known[u] for u in where if u in known}, **asked}
    link_results.save(
        c.as_json()
        for c in {**{c.url: c for c in kept}, **results}.values()
        if moment - c.checked_at < links.KEPT_FOR
    )
    document = texts.links_json(path_info(chosen), results, where, cached=len(where) - len(asked))
    if json:
        texts.print_json(document)
    else:
        for line in texts.links_lines(document):
            say(printable(line))
    if document["dead"]:
        raise typer.Exit(1)


@roadmap_app.command(short_help="Check a roadmap file; list every problem.")
def validate(path: PathArgument) -> None:
    """Check a roadmap file and list every problem, each with its place.

    \b
    Examples:
      mlpath roadmap validate my.toml
    """
    import sys

    from mlpath.core.roadmap import roadmap_text_problems
    from mlpath.render.words import plural
    from mlpath.storage.roadmap_files import read_roadmap_text

    checked, problems = roadmap_text_problems(read_roadmap_text(path), str(path))
    if checked is None:
        sys.stderr.write(f"{printable(str(path))}: {plural(len(problems), 'problem')}:\n")
        for problem in problems:
            sys.stderr.write(f"  {printable(problem)}\n")
        raise typer.Exit(1)
    resources = sum(len(t.resources) for t in checked.topics)
    optional = sum(1 for t in checked.topics if checked.is_optional(t))
    say(
        f"{printable(str(path))} is a valid roadmap of format {checked.schema}: "
        f"{printable(checked.title)} ({printable(checked.id)}), "
        f"{plural(len(checked.areas), 'area')}, {plural(len(checked.topics), 'topic')}"
        + (f" ({optional} optional)" if optional else "")
        + f", {resources} resources."
    )


@roadmap_app.command(short_help="Print a JSON Schema of the roadmap format.")
def schema() -> None:
    """Print a JSON Schema of the roadmap format, for editors that check TOML files.

    \b
    Examples:
      mlpath roadmap schema > roadmap.schema.json
    """
    import json

    from mlpath.core.roadmap import json_schema

    say(json.dumps(json_schema(), indent=2))


@roadmap_app.command(short_help="Write a commented starter roadmap to edit.")
def init(path: PathArgument) -> None:
    """Write a small, commented starter roadmap to edit (never over an existing file).

    \b
    Examples:
      mlpath roadmap init my.toml
    """
    from importlib.resources import files

    from mlpath.core.errors import MlpathError

    starter = files("mlpath").joinpath("starter.toml").read_bytes()
    try:
        with path.open("xb") as handle:
            handle.write(starter)
    except FileExistsError:
        raise MlpathError(f"{path} already exists; it was left as it is.") from None
    except OSError as error:
        raise MlpathError(f"cannot write {path}: {error.strerror}.") from None
    say(
        f"Wrote a starter roadmap to {printable(str(path))}. Edit it, then try "
        f"'mlpath --roadmap {printable(str(path))} list'."
    )
