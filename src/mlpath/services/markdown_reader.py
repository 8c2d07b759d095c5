"""A Markdown curriculum read as a document: markdown-it-py parses it into a tree, and
this module walks the tree into sections (headings, bold paragraph titles, ``<details>``
summaries) holding what each says: its links, its subtopics, its lessons (table rows,
list items that hold a list of their own), its choices, and whether it is optional.

Pure: text in, sections out. What the sections become (areas, topics) is decided in
:mod:`mlpath.services.curriculum`.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

#: Unicode categories left out of titles: emoji and other symbols, invisible formatting.
_DROPPED = ("So", "Sk", "Cs", "Co", "Cf", "Cc")
_ASCII_CONTROLS = dict.fromkeys([*range(32), 127])
#: Variation selectors (after an emoji), which are marks, not letters.
_SELECTORS = re.compile("[\ufe00-\ufe0f]")
TITLE_CHARS = 120
NOTE_CHARS = 600
CONCEPT_CHARS = 80
#: Words that mark a heading (or a sentence about a section) as not required.
OPTIONAL_WORDS = r"optional|electives?|extras?|bonus"
_OPTIONAL_HEADING = re.compile(rf"\b({OPTIONAL_WORDS})\b", re.IGNORECASE)
#: "Courses in Advanced CS are electives", "This part is optional", "... are extra".
_OPTIONAL_SENTENCE = re.compile(
    rf"(?P<subject>[^.!?:;]*?)\b(?:are|is)\s+(?:all\s+|entirely\s+|completely\s+)?"
    rf"(?:an?\s+)?(?:{OPTIONAL_WORDS})\b",
    re.IGNORECASE,
)
#: "Everything below this point is optional": a banner over the rest of the document.
_BANNER = re.compile(
    r"\b(everything|all|anything)\s+(below|after|beyond|past)\b.{0,40}?\b(is|are)\s+"
    rf"(?:{OPTIONAL_WORDS})\b",
    re.IGNORECASE | re.DOTALL,
)
#: "Students may choose to use a series of courses", "here is a sample of options".
_MAY_CHOOSE = re.compile(
    r"\b(may|can|could|might)\s+(choose|pick|select|opt)\b|\bsample of (options|courses)\b",
    re.IGNORECASE,
)
#: A section whose first words say what it is: "An optional second project".
_OPTIONAL_LEAD = re.compile(rf"^(?:this is\s+)?an?\s+(?:{OPTIONAL_WORDS})\b", re.IGNORECASE)
_THIS_SECTION = re.compile(
    r"\b(this|these|the following|below|everything here|the courses here)\b", re.IGNORECASE
)
_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5}
#: "Choose one of the following", "pick two", "select at least one": a choice follows.
_CHOOSE = re.compile(
    r"\b(?:choose|pick|select)\s+(?:any\s+|at\s+least\s+)?(one|two|three|four|five|\d)\b",
    re.IGNORECASE,
)
#: A trailing "and more" or "etc." in a list of code words is not a concept.
_AND_MORE = re.compile(r"^(and more|etc\.?|\.\.\.)$", re.IGNORECASE)
#: A task-list box at the start of an item: "[ ] ", "[x] ".
_TASK_BOX = re.compile(r"^\s*\[[ xX]\]\s*")
#: What follows a resource's link: " by Someone: what it is", ": what it is", " - ...".
_BY = re.compile(r"^\s*by\s+(?P<by>[^:]{1,80}?)\s*(?:[:\u2013\u2014]|\s-\s|$)\s*(?P<note>.*)$")
_NOTE = re.compile(r"^\s*(?:[:\u2013\u2014|-]\s*)?(?P<note>.*)$")
#: A <summary> that names a control, not a lesson: "Toggle section (optional)".
_TOGGLE = re.compile(r"\b(toggle|show|hide|expand|collapse|click|details)\b", re.IGNORECASE)
_HTML_HEADING = re.compile(r"<h([1-6])\b[^>]*>(.*?)</h\1\s*>", re.IGNORECASE | re.DOTALL)


def clean(text: str, limit: int = TITLE_CHARS) -> str:
    """Text as a title: emoji and invisible characters aside, one line, bounded."""
    if text.isascii():  # the common case, fast: only control characters to drop
        kept = text.translate(_ASCII_CONTROLS)
    else:
        kept = "".join(
            c for c in _SELECTORS.sub("", text) if unicodedata.category(c) not in _DROPPED
        )
    words = " ".join(kept.split())
    if len(words) > limit:
        words = words[:limit].rsplit(" ", 1)[0] + "\u2026"
    return words.strip(" :-|\u2013\u2014")


def heading_title(text: str) -> str:
    """A heading as a title: also without its numbering ("1. ", "2) ", "Part 3: ")."""
    return re.sub(r"^(part\s+)?\d+[.):]\s+", "", clean(text), flags=re.IGNORECASE)


@dataclass
class Link:
    title: str
    url: str  # as written: relative or absolute
    by: str = ""
    note: str = ""
    kind: str = ""  # named by the document (a table's column); else inferred later
    hours: float | None = None  # stated effort


@dataclass
class Lesson:
    """A unit of study that is not a heading: a table row, or a list item whose own list
    holds its material."""

    title: str
    links: list[Link] = field(default_factory=list)
    concepts: list[str] = field(default_factory=list)
    note: str = ""
    hours: float | None = None
    row: bool = False  # a table row (else a list item)


@dataclass
class Choice:
    pick: int
    prompt: str  # "Choose one of the following"
    options: list[Lesson] = field(default_factory=list)


@dataclass
class Section:
    level: int
    title: str
    parent: int = -1  # the place of the section above it, -1 for none
    link: str = ""  # a heading that is itself a link: the lesson's own page
    html: bool = False  # written as an HTML heading
    anchors: int = 0  # links to places in the page (a table of contents has many)
    optional: bool = False
    paragraphs: list[str] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    concepts: list[str] = field(default_factory=list)
    lessons: list[Lesson] = field(default_factory=list)
    choices: list[Choice] = field(default_factory=list)
    hours: float | None = None  # stated in its text ("about 10 hours")

    @property
    def material(self) -> bool:
        """Whether it holds something to study itself (not counting its subsections)."""
        return bool(self.link or self.links or self.concepts)


@dataclass
class Dropped:
    """What the reading left out, by reason; each with the first few names."""

    reasons: dict[str, list[str]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, reason: str, name: str = "") -> None:
        self.counts[reason] = self.counts.get(reason, 0) + 1
        names = self.reasons.setdefault(reason, [])
        if name and len(names) < 5 and name not in names:
            names.append(name)


# --- links and text in an inline ------------------------------------------------------------


class _Anchors(HTMLParser):
    """The links, images and text of an HTML fragment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []
        self.images = 0
        self.text: list[str] = []
        self._href: str | None = None
        self._words: list[str] = []
        self.summaries: list[str] = []
        self._summary: list[str] | None = None
        self.details = 0  # <details> opened minus closed

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._href, self._words = dict(attrs).get("href") or "", []
        elif tag == "img":
            self.images += 1
        elif tag == "summary":
            self._summary = []
        elif tag == "details":
            self.details += 1
        elif tag == "br":
            self.handle_data(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.links.append((clean("".join(self._words)), self._href))
            self._href = None
        elif tag == "summary" and self._summary is not None:
            self.summaries.append(clean("".join(self._summary)))
            self._summary = None
        elif tag == "details":
            self.details -= 1

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._href is not None:
            self._words.append(data)
        if self._summary is not None:
            self._summary.append(data)


def _html(fragment: str) -> _Anchors:
    parser = _Anchors()
    try:
        parser.feed(fragment)
        parser.close()
    except (AssertionError, ValueError):  # malformed markup: what was read is kept
        pass
    return parser


@dataclass
class _Inline:
    """An inline's words, links (text, address, and whether it starts the inline) and
    images, HTML links included."""

    text: str
    links: list[tuple[str, str]]
    leading: bool  # a link comes before any words
    images: int
    codes: list[str]  # the `code` words, when the inline is only a label and code words
    bold_only: bool  # the whole inline is one bold run


_A_OPEN = re.compile(r"""^<a\s[^>]*?\bhref\s*=\s*["']?(?P<href>[^"'\s>]*)""", re.IGNORECASE)
_A_CLOSE = re.compile(r"^</a\s*>$", re.IGNORECASE)


class _InlineWalk:
    """One pass over an inline's tokens, gathering what :class:`_Inline` holds."""

    def __init__(self) -> None:
        self.links: list[tuple[str, str]] = []
        self.text: list[str] = []
        self.images = 0
        self.leading = False
        self.seen_words = False
        self.href: str | None = None
        self.words: list[str] = []
        self.codes: list[str] = []
        self.code_gap = False
        self.strong_depth = 0
        self.outside_bold = False
        self.bold = False

    def token(self, kind: str, content: str, attrs: dict[str, Any]) -> None:
        if kind == "link_open":
            self.href, self.words = str(attrs.get("href", "")), []
            self.leading = self.leading or not self.seen_words
        elif kind == "link_close" and self.href is not None:
            self.links.append((clean("".join(self.words)) or self.href, self.href))
            self.href = None
        elif kind in ("text", "code_inline"):
            self.words_of(kind, content)
        elif kind in ("softbreak", "hardbreak"):
            self.words_of("text", " ")
        elif kind == "image":
            self.images += 1
        elif kind in ("strong_open", "strong_close"):
            self.bold = True
            self.strong_depth += 1 if kind == "strong_open" else -1
        elif kind == "html_inline" and (opening := _A_OPEN.match(content)):
            self.token("link_open", "", {"href": html.unescape(opening["href"])})
        elif kind == "html_inline" and _A_CLOSE.match(content):
            self.token("link_close", "", {})
        elif kind == "html_inline":
            found = _html(content)
            self.leading = self.leading or bool(
                found.links and not self.seen_words and not self.links
            )
            self.links.extend(found.links)
            self.images += found.images

    def words_of(self, kind: str, content: str) -> None:
        if not self.text and kind == "text" and _TASK_BOX.match(content):
            content = _TASK_BOX.sub("", content, count=1)  # a task list's box is not words
        if self.href is not None:
            self.words.append(content)
        self.text.append(content)
        if clean(content):
            self.seen_words = self.seen_words or (self.href is None and not self.leading)
            self.outside_bold = self.outside_bold or self.strong_depth == 0
        if kind == "code_inline":
            self.codes.append(content)
        elif self.codes and clean(content).strip(" ,;:."):
            self.code_gap = True

    def result(self) -> _Inline:
        codes = [clean(c) for c in self.codes] if len(self.codes) >= 2 and not self.code_gap else []
        return _Inline(
            text="".join(self.text),
            links=self.links,
            leading=self.leading,
            images=self.images,
            codes=[w for w in codes if w and not _AND_MORE.match(w)],
            bold_only=self.bold and not self.outside_bold,
        )


def inline(node: Any) -> _Inline:
    """What an inline node says: its words, links, images, code words, boldness."""
    walk = _InlineWalk()
    for kind, content, attrs in _flatten(list(getattr(node, "children", None) or [])):
        walk.token(kind, content, attrs)
    return walk.result()


def _flatten(children: list[Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """An inline's tokens in order, whether given as tokens or as tree nodes."""
    out: list[tuple[str, str, dict[str, Any]]] = []
    for child in children:
        nested = getattr(child, "nester_tokens", None)
        if nested is not None and getattr(child, "children", None) is not None:
            out.append((nested.opening.type, "", dict(nested.opening.attrs)))
            out.extend(_flatten(child.children))
            out.append((nested.closing.type, "", {}))
        else:
            token = getattr(child, "token", child)
            out.append((token.type, token.content, dict(token.attrs or {})))
    return out


def after_link(text: str) -> tuple[str, str]:
    """The author and the description after a resource's link."""
    text = " ".join(text.split())
    by = _BY.match(text)
    if by:
        return clean(by.group("by")), clean(by.group("note"), NOTE_CHARS)
    note = _NOTE.match(text)
    return "", clean(note.group("note") if note else text, NOTE_CHARS)


def concept(text: str, source: str = "") -> str:
    """A bullet as a key concept: its bold lead words, else its words up to a colon,
    else its text, cut at a word if long."""
    lead = re.match(r"\s*(?:\[[ xX]\]\s*)?(\*\*|__)(.+?)\1", source)
    if lead:
        return clean(lead.group(2))
    words = clean(_TASK_BOX.sub("", text), 1000)
    head = words.split(": ", 1)[0].strip()
    if len(head) <= CONCEPT_CHARS:
        return head
    cut = words[:CONCEPT_CHARS].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.") + "\u2026"


# --- effort -----------------------------------------------------------------------------------

_NUMBER = r"(\d+(?:\.\d+)?)(?:\s*(?:-|\u2013|to)\s*(\d+(?:\.\d+)?))?"
_WEEKS = re.compile(_NUMBER + r"\s*(weeks?|wks?|months?)\b", re.IGNORECASE)
_PER_WEEK = re.compile(
    _NUMBER + r"\s*(?:hours?|hrs?|h)\s*(?:/|per|a|each|every)\s*(?:week|wk)\b", re.IGNORECASE
)
_HOURS = re.compile(
    _NUMBER + r"\s*(?:hours?|hrs?)\b(?!\s*(?:/|per|a|each|every)\s*w)", re.IGNORECASE
)


def _mid(match: re.Match[str]) -> float:
    low = float(match.group(1))
    high = float(match.group(2)) if match.group(2) else low
    return (low + high) / 2


def effort(*texts: str) -> float | None:
    """Hours stated in a lesson's words: "13 weeks" with "6-10 hours/week" (a range
    counts as its midpoint), "N weeks at M hours/week", or "N hours"; None when the
    words state no effort (or only one of weeks and hours a week)."""
    joined = " ; ".join(texts)
    weeks = _WEEKS.search(joined)
    per_week = _PER_WEEK.search(joined)
    if weeks and per_week:
        months = weeks.group(3).lower().startswith("month")
        hours = _mid(weeks) * (52 / 12 if months else 1) * _mid(per_week)
    else:
        total = _HOURS.search(joined)
        if total is None:
            return None
        hours = _mid(total)
    return round(hours, 1) if 0 < hours <= 100_000 else None


# --- the walk --------------------------------------------------------------------------------


class Reader:
    """One walk over the document tree, filling sections as headings open them."""

    def __init__(self) -> None:
        self.sections: list[Section] = []
        self.dropped = Dropped()
        self.intro_links = 0
        self.banners: list[tuple[int, int]] = []  # (sections before it, its section)
        self.choice: Choice | None = None  # announced, waiting for its list or table
        self.heading_level = 0  # of the last real heading; pseudo titles go below it
        self.pseudo: int | None = None  # the open bold title or <details> section
        self.sentences: list[tuple[int, str]] = []  # (section, sentence) about optional
        self.target = -1  # the section that what is read goes into

    # sections

    def read(self, markdown: str) -> list[Section]:
        from markdown_it import MarkdownIt
        from markdown_it.tree import SyntaxTreeNode

        parser = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
        self._blocks(SyntaxTreeNode(parser.parse(markdown)).children)
        self._optional_sentences()
        self._apply_banners()
        return self.sections

    def _open(self, level: int, title: str, link: str = "", pseudo: bool = False) -> None:
        if not pseudo:
            self.heading_level = level
            self.pseudo = None
        parent = next(
            (i for i in range(len(self.sections) - 1, -1, -1) if self.sections[i].level < level),
            -1,
        )
        optional = bool(_OPTIONAL_HEADING.search(title))
        if parent >= 0 and self.sections[parent].optional:
            optional = True
        self.sections.append(Section(level, title, parent, link=link, optional=optional))
        self.target = len(self.sections) - 1
        if pseudo:
            self.pseudo = len(self.sections) - 1
        self.choice = None

    def _close_pseudo(self) -> None:
        """A thematic break or ``</details>`` ends a bold title's section: what follows
        belongs to the heading above it again."""
        if self.pseudo is None:
            return
        self.target = self.sections[self.pseudo].parent
        self.pseudo = None

    @property
    def current(self) -> Section | None:
        return self.sections[self.target] if self.target >= 0 else None

    def _blocks(self, nodes: list[Any]) -> None:
        handlers: dict[str, Callable[[Any], None]] = {
            "heading": self._heading,
            "paragraph": self._paragraph,
            "bullet_list": self._list,
            "ordered_list": self._list,
            "table": self._table,
            "html_block": lambda node: self._html_block(node.content),
            "code_block": self._code,
            "fence": self._code,
            "hr": lambda node: self._close_pseudo(),
            "blockquote": lambda node: self._blocks(node.children),
        }
        for node in nodes:
            handler = handlers.get(node.type)
            if handler is not None:
                handler(node)

    def _code(self, node: Any) -> None:
        if _BANNER.search(node.content):
            self._banner()

    def _heading(self, node: Any) -> None:
        level = int(node.tag[1])
        found = inline(node.children[0]) if node.children else None
        if found is None:
            return
        self.dropped_images(found.images)
        title = heading_title(found.text)
        link = ""
        if found.links and found.leading:
            link = found.links[0][1]
            if link.startswith("#"):
                link = ""
        if _BANNER.search(found.text):
            self._banner()
        self._open(level, title or "Untitled", link)

    def dropped_images(self, count: int) -> None:
        for _ in range(count):
            self.dropped.add("image")

    def _paragraph(self, node: Any) -> None:
        found = inline(node.children[0]) if node.children else None
        if found is None:
            return
        self.dropped_images(found.images)
        words = clean(found.text, NOTE_CHARS)
        if _BANNER.search(found.text):
            self._banner()
            return
        if self._bold_title(found, words):
            return
        section = self.current
        if section is None:
            self.intro_links += len(found.links)
            return
        chosen = _CHOOSE.search(words)
        if found.codes:
            section.concepts.extend(found.codes)
        elif chosen and not found.links:
            count = chosen.group(1).lower()
            self.choice = Choice(_NUMBERS.get(count) or int(count), clean(words).rstrip(":."))
            return
        elif words:
            self._prose(section, words)
        for title, url in found.links:
            self._keep(Link(title, url))
        self.choice = None

    def _prose(self, section: Section, words: str) -> None:
        """Running text: the section's summary, its stated effort, what it says of
        being optional ("An optional second project")."""
        section.paragraphs.append(words)
        if section.hours is None:
            section.hours = effort(words)
        self.sentences.append((self.target, words))
        if len(section.paragraphs) == 1 and _OPTIONAL_LEAD.match(words):
            self._make_optional(self.target)

    def _bold_title(self, found: _Inline, words: str) -> bool:
        """A paragraph that is all bold (not a label ending in a colon) is a title, as
        a heading one level below the heading above; a bold "back to top" link is
        navigation. True when the paragraph was one of these."""
        label = found.text.rstrip().endswith(":")
        if not (found.bold_only and words and not label and len(words) <= TITLE_CHARS):
            return False
        anchors = [u for _, u in found.links if u.startswith("#")]
        if found.links and len(anchors) == len(found.links):
            self.dropped.add("navigation link", words)
            return True
        self._open(self.heading_level + 1, heading_title(found.text), pseudo=True)
        for title, url in found.links:
            self._keep(Link(title, url))
        return True

    def _keep(self, link: Link, into: list[Link] | None = None) -> None:
        """A link for the section (or lesson) at hand; anchors and non-web links are
        navigation, and are counted as dropped."""
        if self.current is None:
            self.intro_links += 1
            return
        url = link.url.strip()
        if not url or url.startswith("#"):
            self.dropped.add("in-page link", link.title)
            self.current.anchors += 1
            return
        scheme = url.split(":", 1)[0].lower() if ":" in url.split("/", 1)[0] else ""
        if scheme and scheme not in ("http", "https"):
            self.dropped.add("link not to the web", url[:80])
            return
        link.title = _TASK_BOX.sub("", link.title) or link.title
        (into if into is not None else self.current.links).append(link)

    # lists

    def _list(self, node: Any, depth: int = 0) -> None:
        choice, self.choice = (self.choice, None) if depth == 0 else (None, None)
        for item in node.children:
            self._item(item, depth, choice)
        if choice is not None:
            self._close_choice(choice)

    def _item(self, item: Any, depth: int, choice: Choice | None) -> None:
        children = list(item.children)
        if children and children[0].type == "heading":
            self._blocks(children)  # "- ### Arrays": a heading inside a list item
            return
        first = children[0] if children and children[0].type == "paragraph" else None
        found = inline(first.children[0]) if first is not None and first.children else None
        sublists = [c for c in children if c.type in ("bullet_list", "ordered_list")]
        others = [c for c in children[1 if first is not None else 0 :] if c not in sublists]
        if self.current is None:
            self.intro_links += len(found.links) if found is not None else 0
            return
        if found is not None and first is not None:
            self.dropped_images(found.images)
            if _BANNER.search(found.text):
                self._banner()
            self.sentences.append((self.target, clean(found.text, NOTE_CHARS)))
            done = (
                self._linked_item(found, depth, choice, sublists)
                if found.leading and found.links
                else self._plain_item(found, first.children[0].content, depth, choice, sublists)
            )
            if done:
                return
        self._blocks(others)
        for sub in sublists:
            self._list(sub, depth + 1)

    def _linked_item(
        self, found: _Inline, depth: int, choice: Choice | None, sublists: list[Any]
    ) -> bool:
        """An item that starts with a link: an option of a choice, a lesson when its own
        list holds links, else a resource. True when its sub-lists were read too."""
        title, url = found.links[0]
        after = found.text.split(title, 1)[1] if title and title in found.text else found.text
        by, note = after_link(after)
        lead = Link(title, url, by=by, note=note, hours=effort(found.text))
        container = bool(sublists) and not url.startswith("#") and self._is_container(sublists)
        if depth == 0 and (choice is not None or container):
            lesson = Lesson(clean(_TASK_BOX.sub("", title)), hours=effort(found.text))
            self._keep(lead, lesson.links)
            if choice is not None:
                choice.options.append(lesson)
                return True
            for sub in sublists:
                self._into_lesson(sub, lesson)
            if self.current is not None:
                self.current.lessons.append(lesson)
            return True
        self._keep(lead)
        for more_title, more_url in found.links[1:]:
            self._keep(Link(more_title, more_url))
        return False

    def _plain_item(
        self, found: _Inline, source: str, depth: int, choice: Choice | None, sublists: list[Any]
    ) -> bool:
        """An item that does not start with a link: a subtopic, or "choose one of":
        a choice among its sub-items. True when its sub-lists were read too."""
        chosen = _CHOOSE.search(found.text)
        if chosen and not found.links:
            number = chosen.group(1).lower()
            inner = Choice(_NUMBERS.get(number) or int(number), clean(found.text).rstrip(":."))
            for sub in sublists:
                for sub_item in sub.children:
                    self._item(sub_item, 0, inner)
            self._close_choice(inner)
            return True
        idea = concept(found.text, source)
        if idea and choice is None and depth == 0 and self.current is not None:
            self.current.concepts.append(idea)
        for title, url in found.links:
            self._keep(Link(title, url))
        return False

    def _is_container(self, sublists: list[Any]) -> bool:
        """Whether a link's own list holds more links: it is then a lesson."""
        for sub in sublists:
            for item in sub.children:
                for child in item.children:
                    if child.type != "paragraph":
                        continue
                    if any(not url.startswith("#") for _, url in inline(child.children[0]).links):
                        return True
        return False

    def _into_lesson(self, node: Any, lesson: Lesson) -> None:
        for item in node.children:
            for child in item.children:
                if child.type == "paragraph" and child.children:
                    found = inline(child.children[0])
                    self.dropped_images(found.images)
                    if found.leading and found.links:
                        title, url = found.links[0]
                        by, note = after_link(found.text.split(title, 1)[-1])
                        self._keep(Link(title, url, by=by, note=note), lesson.links)
                        more = found.links[1:]
                    else:
                        idea = concept(found.text, child.children[0].content)
                        if idea:
                            lesson.concepts.append(idea)
                        more = found.links
                    for title, url in more:
                        self._keep(Link(title, url), lesson.links)
                elif child.type in ("bullet_list", "ordered_list"):
                    self._into_lesson(child, lesson)

    def _close_choice(self, choice: Choice) -> None:
        section = self.current
        if section is None:
            return
        if len(choice.options) > choice.pick:
            section.choices.append(choice)
        else:  # too few entries to choose from: their links are the section's own
            for option in choice.options:
                section.links.extend(option.links)

    # tables

    def _table(self, node: Any) -> None:
        choice, self.choice = self.choice, None
        head: list[str] = []
        rows: list[list[_Inline]] = []
        for part in node.children:
            for row in part.children:
                cells = [
                    inline(c.children[0]) if c.children else inline(None) for c in row.children
                ]
                if part.type == "thead":
                    head = [clean(c.text).lower() for c in cells]
                else:
                    rows.append(cells)
        section = self.current
        if section is None:
            self.intro_links += sum(len(c.links) for r in rows for c in r)
            return
        for cells in rows:
            for cell in cells:
                self.dropped_images(cell.images)
            lesson = self._row(head, cells)
            if lesson is None:
                continue
            if choice is not None:
                choice.options.append(lesson)
            else:
                section.lessons.append(lesson)
        if choice is not None:
            self._close_choice(choice)

    def _row(self, head: list[str], cells: list[_Inline]) -> Lesson | None:
        """A table row as a lesson: its title from the column that names it (the first
        with a link, else the first with words that are not only a number); the other
        columns as notes and effort, their links as more resources."""
        place = _title_column(head, cells)
        if place is None:
            return None
        cell = cells[place]
        heading = head[place] if place < len(head) else ""
        kind = _COLUMN_KINDS.get(heading, "")
        title = (clean(cell.links[0][0]) if cell.links else "") or clean(cell.text)
        if not title:
            return None
        lesson = Lesson(title, row=True)
        notes: list[str] = []
        stated: list[str] = []
        for number, other in enumerate(cells):
            column = head[number] if number < len(head) else ""
            words = clean(other.text, NOTE_CHARS)
            if number == place:
                for i, (text, url) in enumerate(other.links):
                    link = Link(title if i == 0 else (text or title), url, kind=kind)
                    self._keep(link, lesson.links)
                continue
            if column in ("duration", "effort", "time", "length", "workload", "hours"):
                stated.append(words)
            for text, url in other.links:
                self._keep(Link(f"{title}: {text}" if text else title, url), lesson.links)
            if words and words not in ("-", "\u2013") and not words.startswith("- "):
                notes.append(f"{column.capitalize()}: {words}" if column else words)
        lesson.note = clean("; ".join(notes), NOTE_CHARS)
        lesson.hours = effort(*stated) if stated else None
        return lesson

    # HTML

    def _html_block(self, content: str) -> None:
        headings = _HTML_HEADING.findall(content)
        found = _html(content)
        self.dropped_images(found.images)
        for level, text in headings:
            title = heading_title(html.unescape(re.sub(r"<[^>]+>", " ", text)))
            if title:
                self._open(int(level), title)
                self.sections[-1].html = True
        if _BANNER.search(" ".join(found.text)):
            self._banner()
        self._summaries(found.summaries)
        for title, url in found.links:
            if self.current is None:
                self.intro_links += 1
            else:
                self._keep(Link(title or url, url))
        if found.details < 0 or ("</details>" in content.lower() and not found.summaries):
            self._close_pseudo()

    def _banner(self) -> None:
        """ "Everything below this point is optional": noted where it stands."""
        self.banners.append((len(self.sections), self.target))

    def _summaries(self, summaries: list[str]) -> None:
        """A ``<details>`` summary is a title, like a bold paragraph; one that names a
        control ("Toggle section (optional)") is not, but can make its section optional."""
        for summary in summaries:
            if summary and _TOGGLE.search(summary):
                if _OPTIONAL_HEADING.search(summary) and self.current is not None:
                    self._make_optional(self.target)  # "Toggle section (optional)"
            elif summary:
                self._open(self.heading_level + 1, heading_title(summary), pseudo=True)

    # optional sentences

    def _apply_banners(self) -> None:
        """Each banner makes the sections after it optional, unless it stands in a table
        of contents (a section of in-page links): it then speaks of the entries."""
        for start, place in self.banners:
            where = self.sections[place] if place >= 0 else None
            if where is not None and where.anchors >= 3 and not where.links:
                continue
            for section in self.sections[start:]:
                section.optional = True
            return

    def _optional_sentences(self) -> None:
        """ "Courses in Advanced CS are electives": the section that the sentence names is
        optional; "the courses below are optional", in a section: that section."""
        titles = sorted(
            ((s.title.lower(), i) for i, s in enumerate(self.sections) if len(s.title) >= 3),
            key=lambda pair: -len(pair[0]),
        )
        for place, sentence in self.sentences:
            if place < 0:
                continue
            for match in _OPTIONAL_SENTENCE.finditer(sentence):
                subject = match.group("subject").lower()
                named = next((i for title, i in titles if title in subject), None)
                if named is not None:
                    self._make_optional(named)
                elif _THIS_SECTION.search(subject) or not subject.strip():
                    self._make_optional(place)
            if place >= 0 and _MAY_CHOOSE.search(sentence):
                self._make_optional(place)

    def _make_optional(self, index: int) -> None:
        self.sections[index].optional = True
        for i in range(index + 1, len(self.sections)):
            if self.sections[i].level <= self.sections[index].level:
                break
            self.sections[i].optional = True


#: Kinds named by the heading of a table's title column.
_COLUMN_KINDS = {
    "course": "course",
    "courses": "course",
    "book": "book",
    "books": "book",
    "paper": "paper",
    "papers": "paper",
    "video": "video",
    "videos": "video",
    "notebook": "notebook",
    "notebooks": "notebook",
}
#: Headings of a column that names the row's lesson.
_TITLE_COLUMNS = {
    "course",
    "courses",
    "lesson",
    "lessons",
    "lesson link",
    "title",
    "name",
    "topic",
    "topics",
    "module",
    "modules",
    "lecture",
    "lectures",
    "book",
    "books",
    "paper",
    "papers",
    "video",
    "videos",
    "notebook",
    "notebooks",
    "chapter",
    "unit",
}


def _title_column(head: list[str], cells: list[_Inline]) -> int | None:
    for place, heading in enumerate(head):
        if heading in _TITLE_COLUMNS and place < len(cells) and clean(cells[place].text):
            return place
    for place, cell in enumerate(cells):
        if cell.links and clean(cell.text) and not clean(cell.text).isdigit():
            return place
    for place, cell in enumerate(cells):
        words = clean(cell.text)
        if words and not re.fullmatch(r"[\d.\s#-]+", words):
            return place
    return None
