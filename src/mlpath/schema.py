"""The roadmap format as pydantic models: validation with messages for people, and the
JSON Schema that ``mlpath roadmap schema`` prints.

Only loading a roadmap that is not in the cache (see ``mlpath.cache``) and the
``roadmap`` commands import this module, so that pydantic's model machinery stays out of
every other command's start-up. Everything else uses the plain classes of
``mlpath.roadmap``.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from mlpath import roadmap as plain
from mlpath.errors import printable
from mlpath.roadmap import SLUG, is_http_url

SLUG_PATTERN = f"^{SLUG.pattern}$"


def _slug(value: str) -> str:
    if not SLUG.fullmatch(value):
        raise ValueError(
            f"{value!r} is not a valid id: use lowercase letters, digits and single hyphens"
        )
    return value


def _http_url(value: str) -> str:
    if not is_http_url(value):
        raise ValueError(f"{value!r} is not an http(s) link with a host")
    return value


def _text(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value.strip()


# The Field()s only describe the rules in the JSON Schema; the validators enforce them with
# messages meant for people.
Slug = Annotated[
    str,
    AfterValidator(_slug),
    Field(json_schema_extra={"pattern": SLUG_PATTERN}),
]
HttpUrl = Annotated[
    str,
    AfterValidator(_http_url),
    Field(json_schema_extra={"pattern": "^https?://[^\\s/]+", "format": "uri"}),
]
Text = Annotated[str, AfterValidator(_text), Field(json_schema_extra={"minLength": 1})]


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
    """One subject to learn, with the practice that masters it and its resources."""

    id: Slug = Field(description="Unique among the topics; progress is stored under it.")
    area: Slug = Field(description="The id of the area this topic belongs to.")
    title: Text
    summary: Text = Field(description="Why the topic matters.")
    requires: tuple[Slug, ...] = Field(default=(), description="Ids of prerequisite topics.")
    aliases: tuple[Slug, ...] = Field(default=(), description="Other names for the topic.")
    estimate_hours: Annotated[float, Field(gt=0, le=100_000)] | None = Field(
        default=None, description="Optional: the hours a learner may expect to spend."
    )
    practice: Practice
    resources: tuple[Resource, ...] = Field(default=(), description="Books, courses, ...")


class Area(_Model):
    """A part of the path that groups topics, e.g. "Machine Learning"."""

    id: Slug = Field(description="Unique among the areas; topics name it in `area`.")
    title: Text
    summary: Text = Field(description="What the area covers.")


class Roadmap(_Model):
    """A learning path: areas, and topics in the order to learn them."""

    schema_version: int = Field(alias="schema", description="Format version of the file.")
    id: Slug = Field(description="Progress is stored under this id; never reuse it.")
    title: Text
    summary: str = Field(default="", description="An introduction to the path.")
    source: str = Field(default="", description="Where the roadmap's content comes from.")
    areas: tuple[Area, ...] = Field(min_length=1, description="In the order they are shown.")
    topics: tuple[Topic, ...] = Field(
        min_length=1, description="In the order to learn them (each after its prerequisites)."
    )


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


def validate(data: dict[str, Any]) -> tuple[plain.Roadmap | None, list[str]]:
    """Check parsed TOML against the models: the roadmap as plain classes, or the problems."""
    try:
        spec = Roadmap.model_validate(data)
    except ValidationError as error:
        return None, _pydantic_problems(error, data)
    return _to_plain(spec), []


def _to_plain(spec: Roadmap) -> plain.Roadmap:
    return plain.Roadmap(
        schema_version=spec.schema_version,
        id=spec.id,
        title=spec.title,
        summary=spec.summary,
        source=spec.source,
        areas=tuple(plain.Area(a.id, a.title, a.summary) for a in spec.areas),
        topics=tuple(
            plain.Topic(
                id=t.id,
                area=t.area,
                title=t.title,
                summary=t.summary,
                requires=t.requires,
                aliases=t.aliases,
                estimate_hours=t.estimate_hours,
                practice=plain.Practice(t.practice.summary),
                resources=tuple(
                    plain.Resource(r.id, r.kind, r.title, r.by, r.url, r.note) for r in t.resources
                ),
            )
            for t in spec.topics
        ),
    )


def json_schema() -> dict[str, Any]:
    """A JSON Schema (draft 2020-12) of the roadmap format, from the models."""
    schema = Roadmap.model_json_schema(by_alias=True)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **schema,
        "title": "mlpath roadmap",
    }
