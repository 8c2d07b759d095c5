"""Full-text search over a roadmap and the learner's own notes. Pure: no I/O.

A topic or a resource is a hit when every word of the query occurs in its text,
ignoring case and accents ("Ecole" finds "École"). Each hit says which fields matched.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from mlpath.progress import State
from mlpath.roadmap import Resource, Roadmap, Topic


def fold(text: str) -> str:
    """Lower-case text without accents, for comparing."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@dataclass(frozen=True)
class Hit:
    topic: Topic
    resource: Resource | None  # None: the topic itself matched
    fields: tuple[str, ...]  # where the words were found, e.g. ("title", "notes")


def _match(words: Sequence[str], fields: Iterable[tuple[str, str | None]]) -> tuple[str, ...]:
    """The names of the fields holding a word, if every word is held by some field."""
    folded = [(name, fold(value)) for name, value in fields if value]
    found: set[str] = set()
    names: list[str] = []
    for name, value in folded:
        here = [w for w in words if w in value]
        if here:
            found.update(here)
            names.append(name)
    return tuple(dict.fromkeys(names)) if found == set(words) else ()


def search(roadmap: Roadmap, state: State, query: str) -> list[Hit]:
    """Topics and resources matching every word of ``query``, in roadmap order."""
    words = sorted(set(fold(query).split()))
    if not words:
        return []
    hits: list[Hit] = []
    for topic in roadmap.topics:
        notes = state.topic(roadmap.id, topic.id).notes
        topic_fields = [
            ("id", topic.id),
            ("title", topic.title),
            ("summary", topic.summary),
            ("aliases", " ".join(topic.aliases)),
            ("practice", topic.practice.summary),
            ("notes", "\n".join(f"{n.text} {n.link or ''}" for n in notes)),
        ]
        matched = _match(words, topic_fields)
        if matched:
            hits.append(Hit(topic, None, matched))
        for resource in topic.resources:
            resource_fields = [
                ("title", resource.title),
                ("by", resource.by),
                ("kind", resource.kind),
                ("note", resource.note),
            ]
            matched = _match(words, resource_fields)
            if matched:
                hits.append(Hit(topic, resource, matched))
    return hits
