"""The roadmap: pydantic models, loading with cross-checks, and topic lookup.

A roadmap file is untrusted input (a user may hand us anyone's file), so loading checks
everything and reports problems by place, e.g.
``topics[3] (deep-learning).requires: no topic 'foundation'. Did you mean 'foundations'?``.

This module reads the one roadmap file it is given and nothing else; it never prints.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from mlpath.errors import RoadmapError, TopicNotFound, UsageError, printable

#: The newest roadmap format this version reads.
SCHEMA_VERSION = 1
#: Roadmap files larger than this are refused before parsing.
MAX_ROADMAP_BYTES = 1024 * 1024
#: The id under which a topic's practice is checked, like a resource.
PRACTICE_ID = "practice"
#: How many problems an error message shows before "and N more".
SHOWN_PROBLEMS = 3

_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def _slug(value: str) -> str:
    if not _SLUG.fullmatch(value):
        raise ValueError(
            f"{value!r} is not a valid id: use lowercase letters, digits and single hyphens"
        )
    return value


def is_http_url(value: str) -> bool:
    """True for an http or https URL with a host and no spaces or control characters:
    the only links mlpath accepts, shows or opens."""
    if any(c.isspace() or not c.isprintable() for c in value):
        return False
    try:
        parts = urlsplit(value)
        return parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:  # e.g. an invalid IPv6 host
        return False


def _http_url(value: str) -> str:
    if not is_http_url(value):
        raise ValueError(f"{value!r} is not an http(s) link with a host")
    return value


def _text(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value.strip()


Slug = Annotated[str, AfterValidator(_slug)]
HttpUrl = Annotated[str, AfterValidator(_http_url)]
Text = Annotated[str, AfterValidator(_text)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Practice(_Model):
    """The best way to learn a topic."""

    summary: Text = Field(description="What to do to master the topic.")


class Resource(_Model):
    """A book, course, paper, article, docs page or other material for a topic."""

    id: Slug = Field(description="Unique within its topic.")
    kind: Slug = Field(description='"book", "course", "paper", "article", "docs", ...')
    title: Text
    by: Text | None = Field(default=None, description="Author(s) or provider.")
    url: HttpUrl | None = Field(default=None, description="An http or https link.")
    note: Text | None = None


class Topic(_Model):
    id: Slug
    area: Slug = Field(description="The id of the area this topic belongs to.")
    title: Text
    summary: Text = Field(description="Why the topic matters.")
    requires: tuple[Slug, ...] = Field(default=(), description="Ids of prerequisite topics.")
    aliases: tuple[Slug, ...] = Field(default=(), description="Other names for the topic.")
    estimate_hours: Annotated[float, Field(gt=0, le=100_000)] | None = None
    practice: Practice
    resources: tuple[Resource, ...] = ()

    def resources_of_kind(self, kind: str) -> list[Resource]:
        return [r for r in self.resources if r.kind == kind]

    @property
    def item_ids(self) -> tuple[str, ...]:
        """What can be checked off: the practice, then every resource."""
        return (PRACTICE_ID, *(r.id for r in self.resources))

    def find_item(self, name: str) -> str:
        """Resolve a resource named by id, unique id prefix, or unambiguous kind
        (``book``, ``course``, ``practice``). Raises :class:`UsageError` (exit 2)."""
        wanted = name.strip().lower()
        if wanted in self.item_ids:
            return wanted
        of_kind = [r.id for r in self.resources if r.kind == wanted]
        if len(of_kind) == 1:
            return of_kind[0]
        prefixed = [i for i in self.item_ids if wanted and i.startswith(wanted)]
        if not of_kind and len(prefixed) == 1:
            return prefixed[0]
        choices = of_kind or prefixed or list(self.item_ids)
        problem = (
            f"{self.id} has {len(of_kind)} resources of kind '{name}'"
            if of_kind
            else f"'{name}' matches several resources of {self.id}"
            if prefixed
            else f"{self.id} has no resource '{name}'"
        )
        raise UsageError(f"{problem}. Name one of: {', '.join(choices)}.")


class Area(_Model):
    id: Slug
    title: Text
    summary: Text


class Roadmap(_Model):
    schema_version: int = Field(alias="schema", description="Format version of the file.")
    id: Slug = Field(description="Progress is stored under this id; never reuse it.")
    title: Text
    summary: str = Field(default="", description="An introduction to the path.")
    source: str = Field(default="", description="Where the roadmap's content comes from.")
    areas: tuple[Area, ...] = Field(min_length=1)
    topics: tuple[Topic, ...] = Field(min_length=1)

    def area(self, area_id: str) -> Area:
        for area in self.areas:
            if area.id == area_id:
                return area
        raise KeyError(area_id)

    def topic(self, topic_id: str) -> Topic:
        for topic in self.topics:
            if topic.id == topic_id:
                return topic
        raise KeyError(topic_id)

    def topics_in(self, area_id: str) -> list[Topic]:
        return [t for t in self.topics if t.area == area_id]

    def find_topic(self, name: str) -> Topic:
        """Resolve what a user typed: an id, an alias or a unique prefix of an id.

        Raises :class:`TopicNotFound` (exit 2) naming the closest ids.
        """
        wanted = re.sub(r"[\s_]+", "-", name.strip().lower())
        by_name: dict[str, Topic] = {}
        for topic in self.topics:
            by_name[topic.id] = topic
            for alias in topic.aliases:
                by_name[alias] = topic
        if wanted in by_name:
            return by_name[wanted]
        matches = {t.id: t for key, t in by_name.items() if wanted and key.startswith(wanted)}
        if len(matches) == 1:
            return next(iter(matches.values()))
        if len(matches) > 1:
            raise UsageError(
                f"'{name}' matches several topics: {', '.join(sorted(matches))}. "
                "Type more of the id."
            )
        close = difflib.get_close_matches(wanted, list(by_name), n=3, cutoff=0.6)
        ids = list(dict.fromkeys(by_name[c].id for c in close))
        hint = (
            "Did you mean " + " or ".join(f"'{i}'" for i in ids) + "?"
            if ids
            else "Run 'mlpath list' to see the topic ids."
        )
        raise TopicNotFound(f"no topic '{name}'. {hint}")


class RoadmapInvalid(RoadmapError):
    """A roadmap that parsed but broke the rules; ``problems`` lists every one."""

    def __init__(self, source: str, problems: Sequence[str]) -> None:
        self.problems = [printable(p) for p in problems]
        shown = "\n  ".join(self.problems[:SHOWN_PROBLEMS])
        more = len(self.problems) - SHOWN_PROBLEMS
        tail = f"\n  ... and {more} more (run 'mlpath roadmap validate')" if more > 0 else ""
        super().__init__(f"{source} is not a valid roadmap:\n  {shown}{tail}")


def suggestion(wrong: str, known: Iterable[str]) -> str:
    """' Did you mean 'x'?' for the closest known name, or ''."""
    close = difflib.get_close_matches(wrong, list(known), n=1, cutoff=0.6)
    return f" Did you mean '{close[0]}'?" if close else ""


def _place(loc: tuple[int | str, ...], data: dict[str, Any]) -> str:
    """Turn a pydantic error location into ``topics[3] (deep-learning).requires[0]``."""
    out = ""
    node: Any = data
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
            node = node[part] if isinstance(node, list) and part < len(node) else None
            if isinstance(node, dict) and isinstance(node.get("id"), str):
                out += f" ({printable(node['id'])})"
        else:
            out += f".{printable(part)}" if out else printable(part)
            node = node.get(part) if isinstance(node, dict) else None
    return out or "(top level)"


def _pydantic_problems(error: ValidationError, data: dict[str, Any]) -> list[str]:
    problems = []
    for item in error.errors(include_url=False, include_input=False):
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = "unknown key (check its spelling against docs/roadmap-format.md)"
        problems.append(f"{_place(item['loc'], data)}: {message}")
    return problems


def _cross_check(roadmap: Roadmap) -> list[str]:
    """The rules that span several entries: unique ids, known references, no cycles."""
    problems: list[str] = []
    area_ids: set[str] = set()
    for i, area in enumerate(roadmap.areas):
        if area.id in area_ids:
            problems.append(f"areas[{i}] ({area.id}).id: another area already has this id")
        area_ids.add(area.id)

    topic_ids: set[str] = set()
    for i, topic in enumerate(roadmap.topics):
        if topic.id in topic_ids:
            problems.append(f"topics[{i}] ({topic.id}).id: another topic already has this id")
        topic_ids.add(topic.id)

    names: dict[str, str] = {t: t for t in topic_ids}
    for i, topic in enumerate(roadmap.topics):
        place = f"topics[{i}] ({topic.id})"
        if topic.area not in area_ids:
            problems.append(
                f"{place}.area: no area '{topic.area}'.{suggestion(topic.area, area_ids)}"
            )
        for req in topic.requires:
            if req == topic.id:
                problems.append(f"{place}.requires: a topic cannot require itself")
            elif req not in topic_ids:
                problems.append(f"{place}.requires: no topic '{req}'.{suggestion(req, topic_ids)}")
        for alias in topic.aliases:
            owner = names.get(alias)
            if owner is not None and owner != topic.id:
                what = "a topic id" if alias in topic_ids else f"an alias of '{owner}'"
                problems.append(f"{place}.aliases: '{alias}' is already {what}")
            names.setdefault(alias, topic.id)
        resource_ids: set[str] = set()
        for j, resource in enumerate(topic.resources):
            if resource.id == PRACTICE_ID:
                problems.append(
                    f"{place}.resources[{j}] ({resource.id}).id: '{PRACTICE_ID}' is reserved "
                    "for the topic's practice"
                )
            elif resource.id in resource_ids:
                problems.append(
                    f"{place}.resources[{j}] ({resource.id}).id: "
                    "another resource of this topic already has this id"
                )
            resource_ids.add(resource.id)

    cycle = _find_cycle(roadmap)
    if cycle:
        problems.append("requires: prerequisites form a cycle: " + " -> ".join(cycle))
    return problems


def _find_cycle(roadmap: Roadmap) -> list[str]:
    """Return one prerequisite cycle as a path of ids (first id repeated last), or []."""
    graph = {t.id: [r for r in t.requires if r != t.id] for t in roadmap.topics}
    state: dict[str, int] = {}  # 1 = on the current path, 2 = finished
    for start in graph:
        if state.get(start):
            continue
        path: list[str] = [start]
        stack: list[Iterable[str]] = [iter(graph[start])]
        state[start] = 1
        while stack:
            child = next(iter(stack[-1]), None)
            if child is None:
                state[path.pop()] = 2
                stack.pop()
            elif child not in graph or state.get(child) == 2:
                continue
            elif state.get(child) == 1:
                return [*path[path.index(child) :], child]
            else:
                state[child] = 1
                path.append(child)
                stack.append(iter(graph[child]))
    return []


def roadmap_problems(data: dict[str, Any]) -> tuple[Roadmap | None, list[str]]:
    """Validate parsed TOML; return the roadmap (or None) and every problem found."""
    schema = data.get("schema")
    if isinstance(schema, int) and not isinstance(schema, bool) and schema > SCHEMA_VERSION:
        return None, [
            f"schema: this roadmap uses format {schema}, but this mlpath reads format "
            f"{SCHEMA_VERSION} at most. Upgrade mlpath to use it."
        ]
    try:
        roadmap = Roadmap.model_validate(data)
    except ValidationError as error:
        return None, _pydantic_problems(error, data)
    problems = _cross_check(roadmap)
    return (None if problems else roadmap), problems


def parse_roadmap(text: str, source: str) -> Roadmap:
    """Parse and validate roadmap TOML; ``source`` names it in error messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise RoadmapError(f"{source} is not valid TOML: {error}.") from None
    except RecursionError:
        raise RoadmapError(f"{source} is nested too deeply to be a roadmap.") from None
    roadmap, problems = roadmap_problems(data)
    if roadmap is None:
        raise RoadmapInvalid(source, problems)
    return roadmap


def read_roadmap_text(path: Path) -> str:
    """Read a roadmap file, refusing what is too large or not UTF-8."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_ROADMAP_BYTES + 1)
    except FileNotFoundError:
        raise RoadmapError(f"no roadmap file at {path}.") from None
    except OSError as error:
        raise RoadmapError(f"cannot read the roadmap {path}: {error.strerror}.") from None
    if len(raw) > MAX_ROADMAP_BYTES:
        raise RoadmapError(f"{path} is larger than 1 MiB, too large for a roadmap.")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise RoadmapError(
            f"{path} is not UTF-8 text (bad byte at offset {error.start})."
        ) from None


def load_roadmap(path: Path) -> Roadmap:
    return parse_roadmap(read_roadmap_text(path), str(path))


def bundled_roadmap_path() -> Path:
    """The roadmap shipped with mlpath (``data/roadmap.toml`` in the source tree)."""
    from importlib.resources import files

    return Path(str(files("mlpath").joinpath("roadmap.toml")))
