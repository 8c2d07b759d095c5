"""A starter roadmap from a Markdown curriculum (a README of headings, lists, tables and
links), for ``mlpath roadmap from-markdown``. Pure: text in, roadmap data and a report out.

A heading with links under it becomes a topic, in the area of the heading above it. A
bullet that starts with a link, or a table row, becomes a resource: its title from the
link text, the words after it as its author ("by ...") and note, its kind only when
certain (an arXiv address, a table column headed "Courses"). Other links in running
text become resources too. A bullet without a leading link gives a subtopic (its bold
words, or its text), and so does a list of `code` words after a label ("Topics covered:
`a` `b`"). "Choose one of the following" before a list or table makes each of its
entries a topic of a choice group. "optional" in a heading (or a details summary under
it) makes its area or topic optional. What cannot be kept (relative links, images,
links before the first heading, headings with nothing under them) is reported.
markdown-it-py, which Rich already brings, does the parsing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from mlpath.core import rules
from mlpath.core.errors import UsageError

#: Kinds guessed from an address, only where the address leaves no doubt.
_KINDS = (
    (re.compile(r"^https?://(www\.)?arxiv\.org/(abs|pdf)/"), "paper"),
    (re.compile(r"^https?://(www\.)?(youtube\.com/(watch|playlist)|youtu\.be/)"), "video"),
    (re.compile(r"^https?://(www\.)?(coursera\.org/learn|edx\.org/course)/"), "course"),
)
#: Kinds named by the heading of a table's first column.
_COLUMN_KINDS = {
    "course": "course",
    "courses": "course",
    "book": "book",
    "books": "book",
    "paper": "paper",
    "papers": "paper",
    "video": "video",
    "videos": "video",
}
_OPTIONAL = re.compile(r"\boptional\b", re.IGNORECASE)
_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5}
#: "Choose one of the following", "pick two", "select at least one": a choice follows.
_CHOOSE = re.compile(
    r"\b(?:choose|pick|select)\s+(?:any\s+|at\s+least\s+)?(one|two|three|four|five|\d)\b",
    re.IGNORECASE,
)
#: A trailing "and more" or "etc." in a list of code words is not a concept.
_AND_MORE = re.compile(r"^(and more|etc\.?|\.\.\.)$", re.IGNORECASE)
#: What follows a resource's link: " by Someone: what it is", ": what it is", " - ...".
_BY = re.compile(r"^\s*by\s+(?P<by>[^:]{1,80}?)\s*(?:[:\u2013\u2014]|\s-\s|$)\s*(?P<note>.*)$")
_NOTE = re.compile(r"^\s*(?:[:\u2013\u2014-]\s*)?(?P<note>.*)$")
_TITLE_CHARS = 120
_CONCEPT_CHARS = 80
_NOTE_CHARS = 600
#: Unicode categories left out of titles: emoji and other symbols, invisible formatting.
_DROPPED = ("So", "Cs", "Co", "Cf", "Cc")


@dataclass
class Report:
    """What the conversion guessed and what it dropped, for the learner to review."""

    guessed_kinds: int = 0
    optional: list[str] = field(default_factory=list)
    choices: list[str] = field(default_factory=list)  # the groups made, by id
    dropped_links: list[str] = field(default_factory=list)  # relative or not http(s)
    dropped_images: int = 0
    dropped_headings: list[str] = field(default_factory=list)  # nothing under them
    intro_links: int = 0  # links before the first heading: no topic to hold them


@dataclass
class _Link:
    title: str
    url: str
    by: str = ""
    note: str = ""
    kind: str = ""  # named by a table's column; else guessed from the address


@dataclass
class _Choice:
    pick: int
    prompt: str  # "Choose one of the following"
    options: list[_Link] = field(default_factory=list)


@dataclass
class _Section:
    level: int
    title: str
    optional: bool = False
    paragraphs: list[str] = field(default_factory=list)
    links: list[_Link] = field(default_factory=list)
    bullets: list[str] = field(default_factory=list)  # subtopics, in order
    choices: list[_Choice] = field(default_factory=list)

    @property
    def has_links(self) -> bool:
        return bool(self.links or self.choices)


def slug(text: str, fallback: str) -> str:
    """A valid id from any text: ASCII letters and digits joined by single hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    return "-".join(words)[:60].strip("-") or fallback


def _unique(wanted: str, taken: set[str]) -> str:
    candidate, n = wanted, 2
    while candidate in taken:
        candidate, n = f"{wanted}-{n}", n + 1
    taken.add(candidate)
    return candidate


def _clean(text: str, limit: int = _TITLE_CHARS) -> str:
    """Heading or link text as a title: emoji and markup aside, one line, bounded."""
    kept = "".join(c for c in text if unicodedata.category(c) not in _DROPPED)
    return " ".join(kept.replace("*", "").split())[:limit].strip(" :-")


def _heading(text: str) -> str:
    """A heading as a title: also without its numbering ("1. ", "2) ", "Part 3: ")."""
    return re.sub(r"^(part\s+)?\d+[.):]\s*", "", _clean(text), flags=re.IGNORECASE)


# --- reading the Markdown ---------------------------------------------------------------


class _Reader:
    """One pass over markdown-it's tokens, filling sections as headings open them."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.sections: list[_Section] = []
        self.items = 0  # list items open
        self.choice: _Choice | None = None  # announced, waiting for its list or table
        self.filling: _Choice | None = None  # the list or table being read into a choice
        self.header: list[str] = []  # the table's column headings
        self.row: list[Any] = []  # the inline tokens of the row's cells
        self.in_head = False

    def read(self, markdown: str) -> list[_Section]:
        from markdown_it import MarkdownIt

        tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
        for i, token in enumerate(tokens):
            if token.type == "heading_open":
                title = _heading(tokens[i + 1].content)
                optional = bool(_OPTIONAL.search(title))
                self.sections.append(_Section(int(token.tag[1]), title, optional))
                self.choice = self.filling = None
            elif token.type == "inline" and tokens[i - 1].type != "heading_open":
                self._inline(token, tokens[i - 1].type)
            elif token.type == "html_block" and self.sections and "<summary" in token.content:
                self.sections[-1].optional |= bool(_OPTIONAL.search(token.content))
            else:
                self._block(token.type)
        return self.sections

    def _block(self, kind: str) -> None:
        """Lists, list items and tables opening and closing."""
        if kind in ("bullet_list_open", "ordered_list_open", "table_open"):
            if self.items == 0 and self.choice is not None:
                self.filling, self.choice = self.choice, None
        elif kind in ("bullet_list_close", "ordered_list_close", "table_close"):
            if self.items == 0 and self.filling is not None:
                self._close_choice()
        elif kind in ("list_item_open", "list_item_close"):
            self.items += 1 if kind == "list_item_open" else -1
        elif kind in ("thead_open", "thead_close"):
            self.in_head = kind == "thead_open"
            self.header = [] if self.in_head else self.header
        elif kind == "tr_open":
            self.row = []
        elif kind == "tr_close" and not self.in_head:
            self._table_row()

    def _close_choice(self) -> None:
        choice, self.filling = self.filling, None
        if choice is None:
            return
        section = self.sections[-1]
        if len(choice.options) > choice.pick:
            section.choices.append(choice)
        else:  # too few entries to choose from: they are plain resources
            section.links.extend(choice.options)

    def _keep(self, link: _Link) -> None:
        if not rules.is_url(link.url):
            self.report.dropped_links.append(link.url)
        elif self.filling is not None:
            self.filling.options.append(link)
        else:
            self.sections[-1].links.append(link)

    def _inline(self, token: Any, opened_by: str) -> None:
        children = token.children or []
        self.report.dropped_images += sum(1 for c in children if c.type == "image")
        if opened_by in ("th_open", "td_open"):
            if self.in_head:
                self.header.append(_clean(token.content))
            else:
                self.row.append(token)
            return
        links = _links(children)
        if not self.sections:
            self.report.intro_links += len(links)
            return
        section = self.sections[-1]
        if self.items:
            self._bullet(token, children, links, section)
            return
        words = _code_words(children)
        chosen = _CHOOSE.search(_clean(token.content, _NOTE_CHARS))
        if words:
            section.bullets.extend(words)
        elif chosen and not links:
            count = chosen.group(1).lower()
            pick = _NUMBERS.get(count) or int(count)
            self.choice = _Choice(pick, _clean(token.content).rstrip(":."))
            return
        else:
            plain = _clean(_text_of(children), _NOTE_CHARS)
            if plain and not plain.startswith(("<", "|")):
                section.paragraphs.append(plain)
        for title, url, _ in links:
            self._keep(_Link(title, url))
        self.choice = None

    def _bullet(self, token: Any, children: list[Any], links: list[Any], section: _Section) -> None:
        """A list item: a resource when it starts with a link, else a subtopic."""
        if links and _starts_with_link(children):
            title, url, end = links[0]
            by, note = _after_link(_text_of(children[end + 1 :]))
            self._keep(_Link(title, url, by=by, note=note))
            rest = links[1:]
        else:
            concept = _concept(token.content, _text_of(children))
            if concept and self.filling is None:
                section.bullets.append(concept)
            rest = links
        for title, url, _ in rest:
            self._keep(_Link(title, url))

    def _table_row(self) -> None:
        """A table row is a resource: the first cell's link; the other cells, headed by
        their column, its note."""
        if not self.row or not self.sections:
            return
        first, *others = self.row
        links = _links(first.children or [])
        self.report.dropped_images += sum(1 for c in first.children or [] if c.type == "image")
        if not links:
            return
        title, url, _ = links[0]
        notes = [f"also at {u}" for _, u, _ in links[1:]]
        for column, cell in enumerate(others, start=1):
            text = _text_with_addresses(cell.children or [])
            heading = self.header[column] if column < len(self.header) else ""
            if text and text not in ("-", "\u2013"):
                notes.append(f"{heading}: {text}" if heading else text)
        column_kind = _COLUMN_KINDS.get(self.header[0].lower() if self.header else "", "")
        self._keep(_Link(title, url, note=_clean("; ".join(notes), _NOTE_CHARS), kind=column_kind))


def _links(children: list[Any]) -> list[tuple[str, str, int]]:
    """(text, address, index of link_close) of every link in an inline's children."""
    found: list[tuple[str, str, int]] = []
    href: str | None = None
    words: list[str] = []
    for index, child in enumerate(children):
        if child.type == "link_open":
            href, words = str(child.attrs.get("href", "")), []
        elif child.type == "link_close" and href is not None:
            found.append((_clean("".join(words)) or href, href, index))
            href = None
        elif child.type in ("text", "code_inline") and href is not None:
            words.append(child.content)
    return found


def _concept(source: str, text: str) -> str:
    """A bullet as a key concept: its bold (or italic) lead words, else its words up to
    a colon, else its text, cut at a word if long."""
    lead = re.match(r"\s*(\*\*|__|\*|_)(.+?)\1", source)
    if lead:
        return _clean(lead.group(2))
    words = _clean(text, 1000)
    head = words.split(": ", 1)[0]
    if len(head) <= _CONCEPT_CHARS:
        return head
    cut = words[:_CONCEPT_CHARS].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.") + "\u2026"


def _after_link(text: str) -> tuple[str, str]:
    """The author and the description after a resource's link."""
    text = " ".join(text.split())
    by = _BY.match(text)
    if by:
        return _clean(by.group("by")), _clean(by.group("note"), _NOTE_CHARS)
    note = _NOTE.match(text)
    return "", _clean(note.group("note") if note else text, _NOTE_CHARS)


def _starts_with_link(children: list[Any]) -> bool:
    """Whether a link comes before any words (emoji, markup and spaces aside)."""
    for child in children:
        if child.type == "link_open":
            return True
        if child.type in ("text", "code_inline") and _clean(child.content):
            return False
    return False


def _text_of(children: list[Any]) -> str:
    return "".join(
        c.content
        if c.type in ("text", "code_inline")
        else " "
        if c.type in ("softbreak", "hardbreak")
        else ""
        for c in children
    )


def _text_with_addresses(children: list[Any]) -> str:
    """A table cell's text, each link's address after its text, so nothing is lost."""
    parts: list[str] = []
    href = ""
    for child in children:
        if child.type == "link_open":
            href = str(child.attrs.get("href", ""))
        elif child.type == "link_close":
            if rules.is_url(href):
                parts.append(f" ({href})")
            href = ""
        elif child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return _clean("".join(parts), _NOTE_CHARS)


def _code_words(children: list[Any]) -> list[str]:
    """The code words of a paragraph that is a label and a list of them, such as
    "**Topics covered**: `graphs` `sorting`"; none for any other paragraph."""
    codes = [i for i, c in enumerate(children) if c.type == "code_inline"]
    if len(codes) < 2:
        return []
    between = [c for c in children[codes[0] :] if c.type == "text"]
    if _clean(_text_of(between)).strip(" ,;:."):
        return []  # words between the code spans: a sentence, not a list
    words = [_clean(children[i].content) for i in codes]
    return [w for w in words if w and not _AND_MORE.match(w)]


# --- building the roadmap ---------------------------------------------------------------


def convert(
    markdown: str, name: str, choices: Sequence[Sequence[str]] = ()
) -> tuple[dict[str, Any], Report]:
    """A format 2 roadmap (as TOML data) from a Markdown curriculum, and what was guessed
    and dropped. ``name`` (the file's name) stands in for a missing title. Each entry of
    ``choices`` names areas (or topics) of the result that are alternatives: one of them
    is to be finished. Raises :class:`UsageError` for a name that is not there."""
    report = Report()
    sections = _Reader(report).read(markdown)
    titles = [s for s in sections if s.level == 1]  # one: the title; more: parts
    title = titles[0].title if len(titles) == 1 else _clean(name) or "My roadmap"
    body = [s for s in sections if not (s.level == 1 and len(titles) == 1)]
    areas: list[dict[str, Any]] = []
    topics: list[dict[str, Any]] = []
    groups: list[dict[str, Any]] = []
    area_ids: set[str] = set()
    topic_ids: set[str] = set()  # groups share the topics' names
    made: dict[int, dict[str, Any]] = {}  # the areas, by their heading's place in body
    for index, section in enumerate(body):
        if not section.has_links:
            if not _has_links_below(body, index):
                report.dropped_headings.append(section.title)
            continue
        home = _home(body, index)
        if home not in made:
            heading = body[home] if home >= 0 else _Section(1, title)
            made[home] = _area(heading, area_ids, areas, report)
        area = made[home]
        if section.links or section.bullets:  # a topic, beside its choices if any
            topics.append(_topic(section, area, section.links, topic_ids, report))
        for choice in section.choices:
            groups.append(_choice_group(section, choice, area, topics, topic_ids, report))
    for named in choices:
        groups.append(_named_group(named, areas, topics, groups, topic_ids))
        report.choices.append(groups[-1]["id"])
    data: dict[str, Any] = {
        "schema": 2,
        "id": slug(title, "my-roadmap"),
        "title": title,
        "summary": "A roadmap made from a Markdown curriculum by mlpath roadmap from-markdown.",
        "areas": areas,
        "topics": topics,
    }
    if groups:
        data["groups"] = groups
    return data, report


def _has_links_below(body: list[_Section], index: int) -> bool:
    """Whether a heading's own subsections (up to the next heading of its level or
    higher) hold links: it is then an area."""
    level = body[index].level
    for section in body[index + 1 :]:
        if section.level <= level:
            return False
        if section.has_links:
            return True
    return False


def _parent(body: list[_Section], index: int) -> int:
    """The place of the heading above a heading (of a higher level); -1 for none."""
    level = body[index].level
    return next((i for i in range(index - 1, -1, -1) if body[i].level < level), -1)


def _home(body: list[_Section], index: int) -> int:
    """The place of the heading whose area holds the topic at ``index`` (-1: the
    roadmap's default area). It is the heading above, unless the topic stands beside
    headings that are areas (a "Final project" next to "Core" and "Advanced"): it is
    then an area of its own."""
    parent = _parent(body, index)
    for i in range(parent + 1, len(body)):
        if i != index and _parent(body, i) == parent and _is_area(body, i):
            return index
    return parent


def _is_area(body: list[_Section], index: int) -> bool:
    return not body[index].has_links and _has_links_below(body, index)


def _summary(section: _Section) -> str:
    first = next((p for p in section.paragraphs if len(p) > 20), "")
    return first[:600] or f"What {section.title} covers."


def _area(
    section: _Section, taken: set[str], areas: list[dict[str, Any]], report: Report
) -> dict[str, Any]:
    area: dict[str, Any] = {
        "id": _unique(slug(section.title, f"area-{len(areas) + 1}"), taken),
        "title": section.title or f"Part {len(areas) + 1}",
        "summary": _summary(section),
    }
    if section.optional:
        area["optional"] = True
        report.optional.append(area["id"])
    areas.append(area)
    return area


def _resource(link: _Link, taken: set[str], report: Report) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "id": _unique(slug(link.title, "link"), taken),
        "title": link.title,
        "url": rules.url(link.url, "the link"),
    }
    kind = link.kind or next((k for pattern, k in _KINDS if pattern.match(link.url)), "")
    if kind:
        resource["kind"] = kind
        report.guessed_kinds += 1
    if link.by:
        resource["by"] = link.by
    if link.note:
        resource["note"] = link.note
    return resource


def _topic(
    section: _Section,
    area: dict[str, Any],
    links: list[_Link],
    taken: set[str],
    report: Report,
    title: str = "",
    summary: str = "",
) -> dict[str, Any]:
    title = title or section.title or "Untitled"
    topic: dict[str, Any] = {
        "id": _unique(slug(title, f"topic-{len(taken) + 1}"), taken),
        "area": area["id"],
        "title": title,
        "summary": summary or _summary(section),
    }
    if section.optional:
        topic["optional"] = True
        report.optional.append(topic["id"])
    items: set[str] = {"practice"}
    topic["resources"] = [_resource(link, items, report) for link in links]
    if not summary:  # an option of a choice has no concepts of its own
        subtopics = [
            {"id": _unique(slug(bullet, "concept"), items), "title": bullet}
            for bullet in dict.fromkeys(section.bullets)
        ]
        if subtopics:
            topic["subtopics"] = subtopics
    return topic


def _choice_group(
    section: _Section,
    choice: _Choice,
    area: dict[str, Any],
    topics: list[dict[str, Any]],
    taken: set[str],
    report: Report,
) -> dict[str, Any]:
    """Each entry of a "choose one of the following" list becomes a topic; the group
    asks for as many of them as the text says."""
    options = []
    for link in choice.options:
        summary = f"An option of {section.title}: {choice.prompt.lower()}."
        topic = _topic(section, area, [link], taken, report, title=link.title, summary=summary)
        topics.append(topic)
        options.append(topic["id"])
    group: dict[str, Any] = {
        "id": _unique(slug(f"{section.title} choice", "choice"), taken),
        "title": f"{section.title}: {choice.prompt}",
        "topics": options,
        "pick": choice.pick,
    }
    report.choices.append(str(group["id"]))
    return group


def _named_group(
    named: Sequence[str],
    areas: list[dict[str, Any]],
    topics: list[dict[str, Any]],
    groups: list[dict[str, Any]],
    taken: set[str],
) -> dict[str, Any]:
    """A group the author asked for (``--choice a,b``): areas or topics, pick one."""
    area_titles = {a["id"]: a["title"] for a in areas}
    topic_titles = {t["id"]: t["title"] for t in topics}
    kind = "areas" if all(n in area_titles for n in named) else "topics"
    titles = area_titles if kind == "areas" else topic_titles
    unknown = [n for n in named if n not in titles]
    if len(named) < 2 or unknown:
        known = ", ".join([*area_titles, *topic_titles][:40])
        problem = (
            f"no area or topic '{unknown[0]}' in the result (or not all areas or all topics)"
            if unknown
            else "a choice needs at least two options"
        )
        raise UsageError(f"--choice {','.join(named)}: {problem}. Ids made: {known}.")
    chosen = {o for g in groups for o in (*g.get("topics", ()), *g.get("areas", ()))}
    if twice := [n for n in named if n in chosen]:
        raise UsageError(f"--choice {','.join(named)}: '{twice[0]}' is already in a choice.")
    return {
        "id": _unique(slug("-or-".join(named), "choice"), taken),
        "title": "Choose one: " + " or ".join(titles[n] for n in named),
        kind: list(named),
        "pick": 1,
    }
