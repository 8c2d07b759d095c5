"""Full-text search over a roadmap and the learner's own notes. Pure: no I/O.

A topic or a resource is a hit when every word of the query begins a word of its text
(a topic's text includes the learner's notes on it), ignoring case and accents ("ecole"
finds "École", "ng" finds "Andrew Ng" and not "learning", "rag" finds "RAG" and not
"storage"). Each hit says which fields matched; hits in a title or id come first.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from mlpath.core.roadmap import Resource, Roadmap, Topic


def fold(text: str) -> str:
    """Lower-case text without accents, for comparing."""
    if text.isascii():  # nothing to take off: the common case, a hundred times faster
        return text.casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


_WORD = re.compile(r"\w+")


def words_of(text: str) -> list[str]:
    """The words of a text, folded: what a query word must begin."""
    return _WORD.findall(fold(text))


def indexed(text: str) -> str:
    """A text's distinct folded words, each after a space: ``" andrew ng"``, so that a
    word prefix is found as ``" " + prefix`` (the form the database keeps of notes)."""
    return "".join(f" {word}" for word in dict.fromkeys(words_of(text)))


@dataclass(frozen=True)
class Hit:
    topic: Topic
    resource: Resource | None  # None: the topic itself matched
    fields: tuple[str, ...]  # where the words were found, e.g. ("title", "notes")


def _match(
    words: Sequence[str], fields: Iterable[tuple[str, str | None]], more: tuple[str, set[str]]
) -> tuple[str, ...]:
    """The names of the fields holding a word, if every word is held by some field.
    ``more`` is one more field, given as the words it is already known to hold."""
    folded = [(name, indexed(value)) for name, value in fields if value]
    found: set[str] = set()
    names: list[str] = []
    for name, value in folded:
        here = [w for w in words if f" {w}" in value]
        if here:
            found.update(here)
            names.append(name)
    if more[1]:
        found.update(more[1])
        names.append(more[0])
    return tuple(dict.fromkeys(names)) if found == set(words) else ()


def query_words(query: str) -> list[str]:
    """The words of a query, folded, each once."""
    return sorted(set(words_of(query)))


def search(
    roadmap: Roadmap, query: str, note_words: Mapping[str, Collection[str]] | None = None
) -> list[Hit]:
    """Topics and resources matching every word of ``query``: those matched in a title or
    id first, then the others, each group in roadmap order.

    ``note_words`` maps a topic id to the words of the query that the learner's notes on
    it hold (text or link, folded): the notes count as one more field of the topic.
    """
    words = query_words(query)
    if not words:
        return []
    hits: list[Hit] = []
    for topic in roadmap.topics:
        topic_fields = [
            ("id", topic.id),
            ("title", topic.title),
            ("summary", topic.summary),
            ("aliases", " ".join(topic.aliases)),
            ("practice", topic.practice_summary),
        ]
        in_notes = set((note_words or {}).get(topic.id, ())) & set(words)
        matched = _match(words, topic_fields, ("notes", in_notes))
        if matched:
            hits.append(Hit(topic, None, matched))
        for resource in topic.resources:
            resource_fields = [
                ("title", resource.title),
                ("by", resource.by),
                ("kind", resource.kind),
                ("note", resource.note),
            ]
            matched = _match(words, resource_fields, ("", set()))
            if matched:
                hits.append(Hit(topic, resource, matched))
    return sorted(hits, key=lambda hit: not {"title", "id"} & set(hit.fields))
