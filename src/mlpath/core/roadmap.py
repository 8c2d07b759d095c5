"""The roadmap: plain classes for areas, topics and resources, loading with every check,
and topic lookup.

A roadmap file is untrusted input (a user may hand us anyone's file), so loading checks
everything and reports problems by place, e.g.
``topics[3] (deep-learning).requires: no topic 'foundation'. Did you mean 'foundations'?``.
The classes here are the one description of the format: pydantic validates a file
against them and makes the JSON Schema from them (it is imported only when a roadmap is
actually checked); the checks across entries live here too.

This module reads the one roadmap file it is given and nothing else; it never prints.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import re
import tomllib
import types
import typing
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from mlpath.core import rules
from mlpath.core.errors import RoadmapError, TopicNotFound, UsageError, printable

#: The newest roadmap format this version reads.
SCHEMA_VERSION = 2
#: Roadmap files larger than this are refused before parsing.
MAX_ROADMAP_BYTES = 1024 * 1024
#: The id under which a topic's practice is checked, like a resource.
PRACTICE_ID = "practice"
#: How many problems an error message shows before "and N more".
SHOWN_PROBLEMS = 3
#: What an id looks like (the one rule, :data:`mlpath.core.rules.ID`).
SLUG = rules.ID


# --- the rules for single values ------------------------------------------------------------
# The classes below are the one description of the roadmap format: pydantic validates files
# against them (_validate) and makes the JSON Schema from them; the cache stores them
# field by field. A rule is attached to a type as a marker that pydantic knows how to use,
# so that this module never imports pydantic itself (it is only loaded to check a file).


class _Rule:
    """A check of one value with a message for people, and what the JSON Schema says of
    it (pydantic's protocol for annotations; pydantic_core is imported only when a file
    is checked)."""

    def __init__(self, check: Callable[[Any], Any], strict: bool = False, **json_schema: Any):
        self.check = check
        self.strict = strict  # no conversion: true is not 1, "40" is not 40
        self.json_schema = json_schema

    def __get_pydantic_core_schema__(self, source: Any, handler: Callable[[Any], Any]) -> Any:
        from pydantic_core import core_schema

        inner = handler(source)
        if self.strict:
            inner = {**inner, "strict": True}
        return core_schema.no_info_after_validator_function(self.check, inner)

    def __get_pydantic_json_schema__(self, schema: Any, handler: Callable[[Any], Any]) -> Any:
        return {**handler(schema), **self.json_schema}


def _slug(value: str) -> str:
    if not SLUG.fullmatch(value):
        raise ValueError(
            f"{value!r} is not a valid id: use lowercase letters, digits and single hyphens"
        )
    return value


def _resource_id(value: str) -> str:
    if value == PRACTICE_ID:
        raise ValueError(f"'{PRACTICE_ID}' is reserved for the topic's practice")
    return _slug(value)


def _http_url(value: str) -> str:
    problem = rules.url_problem(value)
    if problem is not None:
        raise ValueError(f"{value!r} is not an accepted link: {problem}")
    return rules.url(value, "link")


def _text(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return rules.text(value, "the text").strip()


def _hours(value: float) -> float:
    if not 0 < value <= rules.MAX_ESTIMATE_HOURS:
        raise ValueError(f"must be more than 0 and at most {rules.MAX_ESTIMATE_HOURS}")
    return value


def _schema_version(value: int) -> int:
    if value < 1:
        raise ValueError(f"must be a format version from 1 to {SCHEMA_VERSION}")
    return value


def _some(value: tuple[Any, ...]) -> tuple[Any, ...]:
    if not value:
        raise ValueError("needs at least one entry")
    return value


Slug = Annotated[str, _Rule(_slug, strict=True, pattern=f"^{SLUG.pattern}$")]
ResourceId = Annotated[
    str,
    _Rule(
        _resource_id, strict=True, pattern=f"^{SLUG.pattern}$", **{"not": {"const": PRACTICE_ID}}
    ),
]
#: As far as a pattern can say it: http(s), a host without user info, no spaces, quotes or
#: angle brackets (the host's own rules are checked by mlpath.core.rules).
HttpUrl = Annotated[
    str,
    _Rule(
        _http_url,
        strict=True,
        pattern=r'^https?://[^\s<>"`\\@/?#]+(?:[/?#][^\s<>"`\\]*)?$',
        format="uri",
        maxLength=rules.MAX_URL_CHARS,
    ),
]
Text = Annotated[str, _Rule(_text, strict=True, minLength=1, pattern=r"\S")]
Flag = Annotated[bool, _Rule(lambda value: value, strict=True)]
Hours = Annotated[
    float,
    _Rule(_hours, strict=True, exclusiveMinimum=0, maximum=rules.MAX_ESTIMATE_HOURS),
]
SchemaVersion = Annotated[
    int, _Rule(_schema_version, strict=True, minimum=1, maximum=SCHEMA_VERSION)
]

#: How pydantic treats every class of the format: unknown keys are errors, and each
#: field's docstring is its description in the JSON Schema.
_FORMAT: Any = {"extra": "forbid", "use_attribute_docstrings": True}


@dataclass(frozen=True, slots=True)
class Practice:
    """The best way to learn a topic."""

    __pydantic_config__ = _FORMAT

    summary: Text
    """What to do to master the topic."""


@dataclass(frozen=True, slots=True)
class Resource:
    """A book, course, paper, article, docs page or other material for a topic."""

    __pydantic_config__ = _FORMAT

    id: ResourceId
    """Unique within its topic; not "practice"."""
    title: Text
    kind: Slug = "link"
    """"book", "course", "paper", "article", "docs", ...; format 2: optional, a link
    without a kind ("link")."""
    by: Text | None = None
    """Author(s) or provider."""
    url: HttpUrl | None = None
    """An http or https link."""
    note: Text | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "title": self.title,
            "by": self.by,
            "url": self.url,
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class Subtopic:
    """Format 2: a key concept of a topic, checked off like a resource."""

    __pydantic_config__ = _FORMAT

    id: ResourceId
    """Unique within its topic, among its resources too; not "practice"."""
    title: Text


@dataclass(frozen=True, slots=True)
class Area:
    """A part of the path that groups topics, e.g. "Machine Learning"."""

    __pydantic_config__ = _FORMAT

    id: Slug
    """Unique among the areas; topics name it in `area`."""
    title: Text
    summary: Text
    """What the area covers."""
    optional: Flag = False
    """Format 2: every topic of the area is optional (see the topic's `optional`)."""


@dataclass(frozen=True, slots=True)
class Topic:
    """One subject to learn, with the practice that masters it and its resources."""

    __pydantic_config__ = _FORMAT

    id: Slug
    """Unique among the topics; progress is stored under it."""
    area: Slug
    """The id of the area this topic belongs to."""
    title: Text
    summary: Text
    """Why the topic matters."""
    practice: Practice | None = None
    """Required in format 1; optional in format 2."""
    requires: tuple[Slug, ...] = ()
    """Ids of prerequisite topics."""
    aliases: tuple[Slug, ...] = ()
    """Other names for the topic."""
    estimate_hours: Hours | None = None
    """Optional: the hours a learner may expect to spend."""
    resources: tuple[Resource, ...] = ()
    """Books, courses, ..."""
    optional: Flag = False
    """Format 2: shown, searchable and checkable, but left out of the progress count and
    of `next` unless the learner starts it."""
    subtopics: tuple[Subtopic, ...] = ()
    """Format 2: the key concepts, a checklist inside the topic."""
    missing: dict[Slug, Text] | None = None
    """Format 2: why a kind of resource is missing, in the roadmap's words, e.g.
    `book = "No standard book exists yet: read the papers."`."""

    def resources_of_kind(self, kind: str) -> list[Resource]:
        return [r for r in self.resources if r.kind == kind]

    @property
    def practice_summary(self) -> str | None:
        return None if self.practice is None else self.practice.summary

    def why_missing(self, kind: str) -> str | None:
        """The roadmap's own words on why the topic has no resource of this kind."""
        return (self.missing or {}).get(kind)

    @property
    def item_ids(self) -> tuple[str, ...]:
        """What can be checked off: the practice (when there is one), every resource,
        then every subtopic."""
        practice = (PRACTICE_ID,) if self.practice is not None else ()
        return (*practice, *(r.id for r in self.resources), *(s.id for s in self.subtopics))

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
        close = [] if of_kind or prefixed else difflib.get_close_matches(wanted, choices, n=2)
        if close:
            guess = " or ".join(f"'{c}'" for c in close)
            raise UsageError(f"{problem}. Did you mean {guess}? (mlpath show {self.id} lists them)")
        raise UsageError(f"{problem}. Name one of: {', '.join(choices)}.")


def _at_least_one(value: int) -> int:
    if value < 1:
        raise ValueError("must be 1 or more")
    return value


@dataclass(frozen=True, slots=True)
class Group:
    """Format 2: a choice. The learner completes `pick` of its options (topics, or whole
    areas such as parallel tracks); the group counts as one unit of progress."""

    __pydantic_config__ = _FORMAT

    id: Slug
    """Unique among groups and topics: a topic's `requires` may name it."""
    title: Text
    topics: tuple[Slug, ...] = ()
    """Topics to choose from."""
    areas: tuple[Slug, ...] = ()
    """Areas to choose from, each as a whole (done when its topics are)."""
    pick: Annotated[int, _Rule(_at_least_one, strict=True, minimum=1)] = 1
    """How many of the options to complete."""

    @property
    def options(self) -> tuple[str, ...]:
        return (*self.topics, *self.areas)


@dataclass(frozen=True)
class Roadmap:
    """A learning path: areas, and topics in the order to learn them. Built only from a
    file that passed every check (or from the cache of one)."""

    __pydantic_config__ = _FORMAT

    schema: SchemaVersion
    """Format version of the file."""
    id: Slug
    """Progress is stored under this id; never reuse it."""
    title: Text
    areas: Annotated[tuple[Area, ...], _Rule(_some, minItems=1)]
    """In the order they are shown."""
    topics: Annotated[tuple[Topic, ...], _Rule(_some, minItems=1)]
    """In the order to learn them; `next` offers them in this order once their
    prerequisites are done."""
    summary: str = ""
    """An introduction to the path."""
    source: str = ""
    """Where the roadmap's content comes from."""
    groups: tuple[Group, ...] = ()
    """Format 2: choices, e.g. one of two tracks or one cloud provider."""

    # Indexes for lookups, made on first use.
    @functools.cached_property
    def _areas(self) -> dict[str, Area]:
        return {a.id: a for a in self.areas}

    @functools.cached_property
    def _topics(self) -> dict[str, Topic]:
        return {t.id: t for t in self.topics}

    @functools.cached_property
    def _by_area(self) -> dict[str, list[Topic]]:
        by_area: dict[str, list[Topic]] = {a.id: [] for a in self.areas}
        for topic in self.topics:
            by_area.setdefault(topic.area, []).append(topic)
        return by_area

    def area(self, area_id: str) -> Area:
        return self._areas[area_id]

    def topic(self, topic_id: str) -> Topic:
        """The topic with this id; KeyError when there is none."""
        return self._topics[topic_id]

    def has_topic(self, topic_id: str) -> bool:
        return topic_id in self._topics

    def topics_in(self, area_id: str) -> list[Topic]:
        return list(self._by_area.get(area_id, ()))

    def is_optional(self, topic: Topic) -> bool:
        """Whether the topic, or its whole area, is optional."""
        return topic.optional or self.area(topic.area).optional

    @functools.cached_property
    def _group_of(self) -> dict[str, tuple[Group, str]]:
        """topic id -> its group and the option (topic or area id) it is part of."""
        found: dict[str, tuple[Group, str]] = {}
        for group in self.groups:
            for topic_id in group.topics:
                found[topic_id] = (group, topic_id)
            for area_id in group.areas:
                for topic in self.topics_in(area_id):
                    found[topic.id] = (group, area_id)
        return found

    def group_of(self, topic: Topic) -> tuple[Group, str] | None:
        """The choice the topic belongs to, and its option there; None for most topics."""
        return self._group_of.get(topic.id)

    def group(self, group_id: str) -> Group | None:
        return next((g for g in self.groups if g.id == group_id), None)

    def option_topics(self, option: str) -> list[Topic]:
        """The topics of one option of a group: the topic, or the area's topics."""
        return [self.topic(option)] if self.has_topic(option) else self.topics_in(option)

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

    # --- the cache's plain form (lists, strings, numbers), see mlpath.storage.cache --------

    def to_plain(self) -> list[Any]:
        """The roadmap as JSON-ready lists: each object its fields' values in the order
        the class declares them (so the cache follows any field added to the classes)."""
        return typing.cast(list[Any], _to_plain(self))  # a model's plain form is a list

    @classmethod
    def from_plain(cls, data: object) -> Roadmap:
        """The roadmap that :meth:`to_plain` gave; ValueError or TypeError for data of
        another shape (a cache entry of an older mlpath, say)."""
        decode = typing.cast(Callable[[object], object], _decoder(typing.cast(Any, cls)))
        roadmap = decode(data)
        if not isinstance(roadmap, Roadmap):
            raise TypeError("not a roadmap")
        return roadmap


def layout() -> str:
    """The fields of the format's classes, in order: what the cache's plain form holds."""
    classes = (Roadmap, Area, Topic, Practice, Resource, Subtopic, Group)
    return ";".join(
        f"{c.__name__}:{','.join(f.name for f in dataclasses.fields(c) if f.init)}" for c in classes
    )


def _to_plain(value: object) -> object:
    """A dataclass as the list of its ``__init__`` fields' values; tuples as lists."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [_to_plain(getattr(value, f.name)) for f in dataclasses.fields(value) if f.init]
    if isinstance(value, tuple):
        return [_to_plain(item) for item in value]
    return value


@functools.cache
def _decoder(kind: Any) -> Callable[[Any], object] | None:
    """A function that rebuilds a value of type ``kind`` from :func:`_to_plain`'s data,
    made once per type from the classes' own fields; None for a plain value, which is
    taken as it is."""
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        hints = typing.get_type_hints(kind)
        fields = [_decoder(hints[f.name]) for f in dataclasses.fields(kind) if f.init]
        make, count = kind, len(fields)

        def dataclass_(data: Any) -> object:
            if len(data) != count:
                raise ValueError(f"{make.__name__} has {count} fields, not {len(data)}")
            return make(*[v if f is None else f(v) for v, f in zip(data, fields, strict=True)])

        return dataclass_
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin is tuple:
        item = _decoder(args[0])
        return tuple if item is None else lambda data: tuple(map(item, data))
    if origin is types.UnionType or origin is typing.Union:  # X | None
        inner = _decoder(args[0])
        return None if inner is None else lambda data: None if data is None else inner(data)
    return None


class RoadmapInvalid(RoadmapError):
    """A roadmap that parsed but broke the rules; ``problems`` lists every one."""

    def __init__(self, source: str, problems: Sequence[str]) -> None:
        self.problems = [printable(p) for p in problems]
        more = len(self.problems) - SHOWN_PROBLEMS
        tail = [f"... and {more} more (run 'mlpath roadmap validate')"] if more > 0 else []
        shown = [*self.problems[:SHOWN_PROBLEMS], *tail]
        super().__init__(f"{source} is not a valid roadmap:", shown)


def suggestion(wrong: str, known: Iterable[str]) -> str:
    """' Did you mean 'x'?' for the closest known name, or ''."""
    close = difflib.get_close_matches(wrong, list(known), n=1, cutoff=0.6)
    return f" Did you mean '{close[0]}'?" if close else ""


def _entries(data: dict[str, Any], key: str) -> list[tuple[int, dict[str, Any]]]:
    value = data.get(key)
    if not isinstance(value, list):
        return []
    return [(i, item) for i, item in enumerate(value) if isinstance(item, dict)]


def _str(entry: dict[str, Any], key: str) -> str | None:
    value = entry.get(key)
    return value if isinstance(value, str) else None


def _strs(entry: dict[str, Any], key: str) -> list[str]:
    value = entry.get(key)
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _cross_check(data: dict[str, Any]) -> list[str]:
    """The rules that span several entries: unique ids, known references, no cycles.

    Works on the parsed TOML, skipping values of the wrong type (the models report
    those), so that a file's every problem can be listed at once.
    """
    areas, problems = _unique_ids(_entries(data, "areas"), "areas", "area")
    topics = _entries(data, "topics")
    topic_ids, more = _unique_ids(topics, "topics", "topic")
    problems += more
    group_ids, more = _group_problems(data, areas, topic_ids)
    problems += more
    names: dict[str, str] = {t: t for t in topic_ids}  # alias or id -> its topic
    graph: dict[str, list[str]] = {}  # topic -> the topics it requires
    for i, topic in topics:
        topic_id = _str(topic, "id") or "?"
        place = f"topics[{i}] ({topic_id})"
        problems += _reference_problems(place, topic, topic_id, areas, topic_ids, group_ids)
        problems += _alias_problems(place, topic, topic_id, topic_ids, names)
        problems += _resource_problems(place, topic)
        requires = [r for r in _strs(topic, "requires") if r != topic_id and r in topic_ids]
        graph.setdefault(topic_id, []).extend(requires)
    return problems + _cycle_problems(graph)


def _group_problems(
    data: dict[str, Any], areas: set[str], topic_ids: set[str]
) -> tuple[set[str], list[str]]:
    """Groups: ids unique and apart from topic ids, options that exist, each topic in one
    group at most, and no more to pick than there are options."""
    groups = _entries(data, "groups")
    group_ids, problems = _unique_ids(groups, "groups", "group")
    area_of = {_str(t, "id"): _str(t, "area") for _, t in _entries(data, "topics")}
    taken: dict[str, str] = {}  # topic id -> the group that has it
    for i, group in groups:
        group_id = _str(group, "id") or "?"
        place = f"groups[{i}] ({group_id})"
        if group_id in topic_ids:
            problems.append(f"{place}.id: a topic already has this id")
        members, more = _group_members(place, group, areas, topic_ids, area_of)
        problems += more
        for member in members:
            if taken.setdefault(member, group_id) != group_id:
                problems.append(f"{place}: topic '{member}' is already in group '{taken[member]}'")
        problems += _pick_problems(place, group)
    return group_ids, problems


def _pick_problems(place: str, group: dict[str, Any]) -> list[str]:
    options = _strs(group, "topics") + _strs(group, "areas")
    pick = group.get("pick", 1)
    if not options:
        return [f"{place}: name the options, in 'topics' or 'areas'"]
    if isinstance(pick, int) and not isinstance(pick, bool) and pick > len(options):
        return [f"{place}.pick: {pick} to pick, but only {len(options)} options"]
    return []


def _group_members(
    place: str,
    group: dict[str, Any],
    areas: set[str],
    topic_ids: set[str],
    area_of: dict[str | None, str | None],
) -> tuple[list[str], list[str]]:
    """The topics a group's options cover, and a problem for each option that is not
    there."""
    members: list[str] = []
    problems: list[str] = []
    for topic_id in _strs(group, "topics"):
        if topic_id not in topic_ids:
            hint = suggestion(topic_id, topic_ids)
            problems.append(f"{place}.topics: no topic '{topic_id}'.{hint}")
        members.append(topic_id)
    for area_id in _strs(group, "areas"):
        if area_id not in areas:
            problems.append(f"{place}.areas: no area '{area_id}'.{suggestion(area_id, areas)}")
        members += [t for t, a in area_of.items() if a == area_id and t is not None]
    return members, problems


def _unique_ids(
    entries: list[tuple[int, dict[str, Any]]], key: str, what: str
) -> tuple[set[str], list[str]]:
    """The ids of ``entries`` (the ``key`` list), and a problem for each one repeated."""
    ids: set[str] = set()
    problems: list[str] = []
    for i, entry in entries:
        entry_id = _str(entry, "id")
        if entry_id in ids:
            problems.append(f"{key}[{i}] ({entry_id}).id: another {what} already has this id")
        if entry_id is not None:
            ids.add(entry_id)
    return ids, problems


def _reference_problems(
    place: str,
    topic: dict[str, Any],
    topic_id: str,
    areas: set[str],
    topic_ids: set[str],
    group_ids: set[str],
) -> list[str]:
    """A topic's area and prerequisites (topics or groups) must exist (and not be the
    topic itself)."""
    problems: list[str] = []
    area_id = _str(topic, "area")
    if area_id is not None and area_id not in areas:
        problems.append(f"{place}.area: no area '{area_id}'.{suggestion(area_id, areas)}")
    for req in _strs(topic, "requires"):
        if req == topic_id:
            problems.append(f"{place}.requires: a topic cannot require itself")
        elif req not in topic_ids | group_ids:
            what = "topic or group" if group_ids else "topic"
            hint = suggestion(req, topic_ids | group_ids)
            problems.append(f"{place}.requires: no {what} '{req}'.{hint}")
    return problems


def _alias_problems(
    place: str, topic: dict[str, Any], topic_id: str, topic_ids: set[str], names: dict[str, str]
) -> list[str]:
    """An alias may name one topic only, and no other topic's id (``names`` grows)."""
    problems: list[str] = []
    for alias in _strs(topic, "aliases"):
        if alias == topic_id:
            problems.append(f"{place}.aliases: '{alias}' is the topic's own id")
            continue
        owner = names.get(alias)
        if owner is not None and owner != topic_id:
            what = "a topic id" if alias in topic_ids else f"an alias of '{owner}'"
            problems.append(f"{place}.aliases: '{alias}' is already {what}")
        names.setdefault(alias, topic_id)
    return problems


def _resource_problems(place: str, topic: dict[str, Any]) -> list[str]:
    """A topic's resource and subtopic ids are unique: each names one checklist item."""
    problems: list[str] = []
    item_ids: set[str] = set()
    for key in ("resources", "subtopics"):
        for j, item in _entries(topic, key):
            item_id = _str(item, "id")
            where = f"{place}.{key}[{j}] ({item_id}).id"
            if item_id in item_ids:
                problems.append(f"{where}: another item of this topic's checklist has this id")
            if item_id is not None:
                item_ids.add(item_id)
    return problems


def _cycle_problems(graph: dict[str, list[str]]) -> list[str]:
    """One problem naming a cycle of prerequisites, if there is one: ``a -> b -> a``
    where a requires b."""
    import graphlib

    try:
        graphlib.TopologicalSorter(graph).prepare()
    except graphlib.CycleError as error:
        # graphlib lists each node before the one that requires it: read it backwards.
        cycle = list(reversed(error.args[1]))
        return ["requires: prerequisites form a cycle: " + " -> ".join(cycle)]
    return []


#: Keys that format 2 added, by the list their tables are in.
FORMAT_2_KEYS = {"areas": ("optional",), "topics": ("optional", "missing", "subtopics")}
#: Top-level keys that format 2 added.
FORMAT_2_TOP = ("groups",)


def _format_2_problems(data: dict[str, Any]) -> list[str]:
    """A file that says ``schema = 1`` may not use what format 2 added, and must have
    what format 1 required (a practice per topic, a kind per resource)."""
    if data.get("schema") != 1:
        return []
    problems = [
        f"{key}: a format 2 key; set schema = 2 to use it" for key in FORMAT_2_TOP if key in data
    ]
    for key, names in FORMAT_2_KEYS.items():
        for i, entry in _entries(data, key):
            where = f"{key}[{i}] ({_str(entry, 'id') or '?'})"
            for name in names:
                if name in entry:
                    problems.append(f"{where}.{name}: a format 2 key; set schema = 2 to use it")
            if key == "topics" and "practice" not in entry:
                problems.append(f"{where}.practice: missing: this key is required")
            for j, resource in _entries(entry, "resources") if key == "topics" else ():
                if "kind" not in resource:
                    place = f"{where}.resources[{j}] ({_str(resource, 'id') or '?'}).kind"
                    problems.append(f"{place}: missing: this key is required")
    return problems


def roadmap_problems(data: dict[str, Any]) -> tuple[Roadmap | None, list[str]]:
    """Validate parsed TOML; return the roadmap (or None) and every problem found."""
    schema = data.get("schema")
    if isinstance(schema, int) and not isinstance(schema, bool) and schema > SCHEMA_VERSION:
        return None, [
            f"schema: this roadmap uses format {schema}, but this mlpath reads format "
            f"{SCHEMA_VERSION} at most. Upgrade mlpath to use it."
        ]
    roadmap, problems = _validate(data)
    problems += _format_2_problems(data) + _cross_check(data)
    return (None if problems else roadmap), problems


# --- pydantic, loaded only to check a file or to write the JSON Schema ----------------------

#: Errors about a key the format does not have, or lacks (pydantic's names for them).
_UNKNOWN_KEY = ("extra_forbidden", "unexpected_keyword_argument")
_MISSING_KEY = ("missing", "missing_argument")


@functools.cache
def _adapter() -> Any:
    from pydantic import TypeAdapter

    return TypeAdapter(Roadmap)


def _validate(data: dict[str, Any]) -> tuple[Roadmap | None, list[str]]:
    """Check parsed TOML against the classes: the roadmap, or the problems, each with
    its place."""
    from pydantic import ValidationError

    try:
        roadmap = _adapter().validate_python(data)
    except ValidationError as error:
        problems = []
        for item in error.errors(include_url=False, include_input=False):
            message = item["msg"].removeprefix("Value error, ")
            if item["type"] in _UNKNOWN_KEY:
                message = "unknown key (check its spelling; 'mlpath roadmap schema' lists them)"
            elif item["type"] in _MISSING_KEY:
                message = "missing: this key is required"
            problems.append(f"{_place(item['loc'], data)}: {message}")
        return None, problems
    return typing.cast(Roadmap, roadmap), []


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


def json_schema() -> dict[str, Any]:
    """A JSON Schema (draft 2020-12) of the roadmap format, made from the classes, with
    what format 1 files may not leave out or use."""
    schema: dict[str, Any] = _adapter().json_schema()
    missing = schema["$defs"]["Topic"]["properties"]["missing"]["anyOf"][0]
    missing["additionalProperties"] = False  # keys are ids, as the loader checks
    format_1 = {
        "properties": {
            "areas": {"items": {"not": {"required": ["optional"]}}},
            "topics": {
                "items": {
                    "required": ["practice"],
                    "not": {"anyOf": [{"required": ["optional"]}, {"required": ["missing"]}]},
                    "properties": {"resources": {"items": {"required": ["kind"]}}},
                }
            },
        }
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **schema,
        "title": "mlpath roadmap",
        "if": {"properties": {"schema": {"const": 1}}},
        "then": format_1,
    }


def parse_toml(text: str, source: str) -> dict[str, Any]:
    """Parse roadmap TOML; errors keep tomllib's line and column."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise RoadmapError(f"{source} is not valid TOML: {error}.") from None
    except RecursionError:
        raise RoadmapError(f"{source} is nested too deeply to be a roadmap.") from None


_TABLE_HEADER = re.compile(r"^[ \t]*\[\[[ \t]*(areas|topics)[ \t]*\]\]", re.MULTILINE)
_PLACE = re.compile(r"^(areas|topics)\[(\d+)\]")


def with_lines(problems: Sequence[str], text: str) -> list[str]:
    """Add the line where the area or topic a problem names starts, e.g. ``[line 77]``,
    when the file writes it as a ``[[topics]]`` table (not as an inline array)."""
    starts: dict[str, list[int]] = {"areas": [], "topics": []}
    for match in _TABLE_HEADER.finditer(text):
        starts[match.group(1)].append(text.count("\n", 0, match.start()) + 1)
    out = []
    for problem in problems:
        place = _PLACE.match(problem)
        lines = starts[place.group(1)] if place else []
        index = int(place.group(2)) if place else -1
        out.append(f"{problem} [line {lines[index]}]" if 0 <= index < len(lines) else problem)
    return out


def roadmap_text_problems(text: str, source: str) -> tuple[Roadmap | None, list[str]]:
    """Parse and check roadmap TOML; every problem found, with its line where known."""
    roadmap, problems = roadmap_problems(parse_toml(text, source))
    return roadmap, with_lines(problems, text)


def parse_roadmap(text: str, source: str) -> Roadmap:
    """Parse and validate roadmap TOML; ``source`` names it in error messages."""
    roadmap, problems = roadmap_text_problems(text, source)
    if roadmap is None:
        raise RoadmapInvalid(source, problems)
    return roadmap


def decode_roadmap(raw: bytes, path: Path) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise RoadmapError(
            f"{path} is not UTF-8 text (bad byte at offset {error.start})."
        ) from None
