"""A roadmap from a Markdown curriculum (a README of headings, lists, tables and links),
for ``mlpath roadmap from-markdown``. Pure: text in, roadmap data and a report out.

:mod:`mlpath.services.markdown_reader` reads the document into sections; this module
decides what they are (docs/roadmap-format.md gives the rules for learners):

- A lesson (a topic) is a heading over study material (links, subtopics, a heading that
  is itself a link), a bold paragraph title or ``<details>`` summary over material, a
  table row, or a list item whose own list holds links.
- A heading whose subsections hold the lessons, or whose table rows are lessons, is an
  area. A lesson heading that stands beside such areas is an area of its own.
- Admin and navigation sections (contents, community, help, FAQ, contributing, licence,
  sponsors, team, instructors, testimonials, certificates, cohort logistics, how to use
  it, acknowledgements, code of conduct) are not topics; ``keep`` brings one back.
- Relative links resolve against ``base_url``; each link gets a kind by
  :func:`mlpath.services.link_kinds.kind_of`.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from mlpath.core import rules
from mlpath.core.errors import UsageError
from mlpath.services.link_kinds import kind_of
from mlpath.services.markdown_reader import Choice, Dropped, Lesson, Link, Reader, Section, clean

#: Section titles that are about the course, not part of it. Matched as whole words.
ADMIN = re.compile(
    r"\b(table of contents|contents|toc|community|support|getting help|get help|help|"
    r"faqs?|frequently asked|questions|contribut\w*|how to contribute|licen[cs]e|"
    r"sponsors?|sponsorship|partners?|team|authors?|maintainers?|instructors?|teachers|"
    r"organi[sz]ers|testimonials?|reviews|certificates?|certification|cohorts?|"
    r"registration|register|sign up|enrol+ment|logistics|deadlines|schedule|calendar|"
    r"acknowledge?ments?|thanks|special thanks|credits|code of conduct|conduct|"
    r"how to use|how to take|how to follow|using this|about( this| the)?( course| repo\w*)?|"
    r"who (should|is this)|star history|stargazers|citation|cite|changelog|change log|"
    r"news|announcements?|quick links|links|socials?|slack|discord|telegram|newsletter|"
    r"other courses|related courses|more courses|translations?|languages|disclaimer|"
    r"next goals|summary|what is (it|this)|motivation|why use it|learning in public|back to top|"
    r"getting started|prerequisites?|requirements|set ?up your environment|"
    r"congratulations|curricular guidelines?|guidelines|what'?s next|roadmap of the repo)\b",
    re.IGNORECASE,
)


@dataclass
class Report:
    """What the conversion inferred and what it dropped, for the learner to review."""

    base_url: str = ""
    kinds: dict[str, int] = field(default_factory=dict)
    optional: list[str] = field(default_factory=list)
    choices: list[str] = field(default_factory=list)
    estimates: int = 0
    dropped: Dropped = field(default_factory=Dropped)
    added: list[str] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)
    renamed: list[tuple[str, str]] = field(default_factory=list)  # (old id, new title)
    kept: list[str] = field(default_factory=list)  # --keep titles that matched

    @property
    def dropped_count(self) -> int:
        return sum(self.dropped.counts.values())

    def as_json(self) -> dict[str, Any]:
        return {
            "base_url": self.base_url or None,
            "kinds": dict(sorted(self.kinds.items())),
            "optional": self.optional,
            "choices": self.choices,
            "estimates": self.estimates,
            "dropped": {
                reason: {"count": count, "first": self.dropped.reasons.get(reason, [])}
                for reason, count in sorted(self.dropped.counts.items())
            },
            "added": self.added,
            "gone": self.gone,
            "renamed": [{"old_id": old, "title": title} for old, title in self.renamed],
        }


def slug(text: str, fallback: str) -> str:
    """A valid id from any text: ASCII letters and digits joined by single hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    return "-".join(words)[:60].strip("-") or fallback


def unique(wanted: str, taken: set[str]) -> str:
    candidate, n = wanted, 2
    while candidate in taken:
        candidate, n = f"{wanted}-{n}", n + 1
    taken.add(candidate)
    return candidate


def is_admin(title: str) -> bool:
    return bool(ADMIN.search(title))


# --- building the roadmap ----------------------------------------------------------------


class _Builder:
    def __init__(self, report: Report, base_url: str, keep: Sequence[str]) -> None:
        self.report = report
        self.base_url = base_url
        self.keep = [k.lower() for k in keep]
        self.areas: list[dict[str, Any]] = []
        self.topics: list[dict[str, Any]] = []
        self.groups: list[dict[str, Any]] = []
        self.area_ids: set[str] = set()
        self.topic_ids: set[str] = set()

    def kept(self, title: str) -> bool:
        low = title.lower()
        for wanted in self.keep:
            if wanted == low or slug(wanted, "") == slug(title, "-"):
                if wanted not in self.report.kept:
                    self.report.kept.append(wanted)
                return True
        return False

    # links

    def resolve(self, url: str, title: str) -> str | None:
        """An absolute address for a link, or None (counted as dropped)."""
        url = url.strip()
        parts = urlsplit(url)
        if not parts.scheme:
            if not self.base_url:
                self.report.dropped.add("relative link (no base URL)", url[:80])
                return None
            url = urljoin(self.base_url, url)
        try:
            return rules.url(url, "the link")
        except rules.Invalid:
            self.report.dropped.add("link not accepted", url[:80])
            return None

    def resources(self, links: Sequence[Link], words: str = "") -> list[dict[str, Any]]:
        taken: set[str] = {"practice"}
        out: list[dict[str, Any]] = []
        seen: set[str] = set()
        for link in links:
            url = self.resolve(link.url, link.title)
            if url is None or url in seen:
                continue
            seen.add(url)
            title = clean(link.title) or clean(urlsplit(url).netloc) or "Link"
            resource: dict[str, Any] = {
                "id": unique(slug(title, "link"), taken),
                "title": title,
                "url": url,
            }
            kind = link.kind or kind_of(url, f"{link.title} {link.note} {words}")
            self.report.kinds[kind] = self.report.kinds.get(kind, 0) + 1
            if kind != "link":
                resource["kind"] = kind
            if link.by:
                resource["by"] = link.by
            if link.note:
                resource["note"] = link.note
            out.append(resource)
        return out

    # areas and topics

    def area(self, section: Section | None, title: str) -> dict[str, Any]:
        name = section.title if section is not None else title
        area: dict[str, Any] = {
            "id": unique(slug(name, f"area-{len(self.areas) + 1}"), self.area_ids),
            "title": name or f"Part {len(self.areas) + 1}",
            "summary": _summary(section, "What this part covers."),
        }
        if section is not None and section.optional:
            area["optional"] = True
        self.areas.append(area)
        return area

    def topic(
        self,
        title: str,
        area: dict[str, Any],
        links: Sequence[Link],
        *,
        concepts: Sequence[str] = (),
        summary: str = "",
        optional: bool = False,
        hours: float | None = None,
        words: str = "",
        bare: bool = False,
    ) -> dict[str, Any] | None:
        resources = self.resources(links, words)
        if not resources and not concepts and not bare:
            self.report.dropped.add("lesson without a link", title)
            return None
        topic: dict[str, Any] = {
            "id": unique(slug(title, f"topic-{len(self.topics) + 1}"), self.topic_ids),
            "area": area["id"],
            "title": title,
            "summary": summary or f"What {title} covers.",
        }
        if optional and not area.get("optional"):
            topic["optional"] = True
        if hours is not None and 0 < hours <= rules.MAX_ESTIMATE_HOURS:
            topic["estimate_hours"] = hours
            self.report.estimates += 1
        topic["resources"] = resources
        taken = {"practice", *(r["id"] for r in resources)}
        subtopics = [
            {"id": unique(slug(c, "concept"), taken), "title": c}
            for c in dict.fromkeys(c for c in concepts if c)
        ]
        if subtopics:
            topic["subtopics"] = subtopics
        self.topics.append(topic)
        return topic

    def lesson(
        self, lesson: Lesson, area: dict[str, Any], section: Section
    ) -> dict[str, Any] | None:
        return self.topic(
            lesson.title,
            area,
            lesson.links,
            concepts=lesson.concepts,
            summary=_sentence(lesson.note) or f"A lesson of {section.title}.",
            optional=section.optional,
            hours=lesson.hours,
            words=section.title,
            bare=True,  # a lesson named in a table or list is kept, even without a link
        )

    def choice(self, section: Section, choice: Choice, area: dict[str, Any]) -> None:
        options = []
        for option in choice.options:
            summary = f"An option of {section.title}: {choice.prompt.lower()}."
            made = self.topic(
                option.title,
                area,
                option.links,
                summary=summary,
                optional=section.optional,
                hours=option.hours,
            )
            if made is not None:
                options.append(made["id"])
        if len(options) <= choice.pick:
            return  # too few left to choose from: plain topics
        group: dict[str, Any] = {
            "id": unique(slug(f"{section.title} choice", "choice"), self.topic_ids),
            "title": f"{section.title}: {choice.prompt}",
            "topics": options,
            "pick": choice.pick,
        }
        self.groups.append(group)
        self.report.choices.append(str(group["id"]))


def _summary(section: Section | None, fallback: str) -> str:
    if section is None:
        return fallback
    first = next((p for p in section.paragraphs if len(p) > 20), "")
    if first:
        return first[:600]
    if section.concepts:
        return clean("Covers " + ", ".join(section.concepts[:8]) + ".", 600)
    return f"What {section.title} covers." if section.title else fallback


def _sentence(note: str) -> str:
    return clean(note, 600) if len(note) > 3 else ""


def convert(
    markdown: str,
    name: str,
    choices: Sequence[Sequence[str]] = (),
    *,
    base_url: str = "",
    keep: Sequence[str] = (),
    previous: Mapping[str, Any] | None = None,
) -> tuple[dict[str, Any], Report]:
    """A format 2 roadmap (as TOML data) from a Markdown curriculum, and a report of
    what was inferred and dropped. ``name`` stands in for a missing title. Each entry of
    ``choices`` names areas (or topics) of the result that are alternatives. ``keep``
    names admin sections to keep. ``previous`` is the roadmap this one replaces: its
    ids are kept for the topics it still has (see :func:`_carry_ids`)."""
    reader = Reader()
    sections = reader.read(markdown)
    report = Report(base_url=base_url, dropped=reader.dropped)
    if reader.intro_links:
        for _ in range(reader.intro_links):
            report.dropped.add("link before the first heading")
    builder = _Builder(report, base_url, keep)
    title, body = _title(sections, name, report)
    kept = _drop_admin(body, builder, report)
    _place(kept, builder, title)
    for named in choices:
        group = _named_group(named, builder)
        builder.groups.append(group)
        report.choices.append(group["id"])
    report.optional = [a["id"] for a in builder.areas if a.get("optional")] + [
        t["id"] for t in builder.topics if t.get("optional")
    ]
    data: dict[str, Any] = {
        "schema": 2,
        "id": slug(title, "my-roadmap"),
        "title": title,
        "summary": "A roadmap made from a Markdown curriculum by mlpath roadmap from-markdown.",
        "areas": [a for a in builder.areas if any(t["area"] == a["id"] for t in builder.topics)],
        "topics": builder.topics,
    }
    if builder.groups:
        data["groups"] = builder.groups
    if previous is not None:
        _carry_ids(data, previous, report)
    return data, report


def _title(sections: list[Section], name: str, report: Report) -> tuple[str, list[Section]]:
    """The roadmap's title and the sections under it. The title is the one top-level
    heading, or a heading written in HTML before any other (a centred banner); else
    the file's name. Links under the title itself (badges, chat rooms) are dropped."""
    tops = [s for s in sections if s.level == 1]
    title: Section | None = None
    if sections and sections[0].html:
        title = sections[0]
    elif len(tops) == 1 and not tops[0].lessons:
        title = tops[0]
    if title is None or not title.title:
        return clean(name) or "My roadmap", sections
    for link in title.links:
        report.dropped.add("link under the title", link.title)
    if title.concepts:
        report.dropped.add("list under the title", title.concepts[0])
    return title.title, [s for s in sections if s is not title]


def _drop_admin(body: list[Section], builder: _Builder, report: Report) -> list[Section]:
    """The sections left when admin and navigation sections (with their subsections)
    are taken out, unless kept by name."""
    out: list[Section] = []
    skipping: int | None = None  # the level of the admin section being skipped
    keeping: int | None = None  # the level of a section kept by name: all of it stays
    for section in body:
        if skipping is not None and section.level > skipping:
            continue
        skipping = None
        if keeping is not None and section.level <= keeping:
            keeping = None
        if keeping is None and builder.kept(section.title):
            keeping = section.level
        if is_admin(section.title) and keeping is None:
            report.dropped.add("admin section", section.title)
            skipping = section.level
            continue
        out.append(section)
    return out


def _place(sections: list[Section], builder: _Builder, title: str) -> None:
    """Topics from the sections, each in its area."""
    made: dict[int, dict[str, Any]] = {}  # areas by the id() of their section

    def area_for(place: int) -> dict[str, Any]:
        home = _home(sections, place)
        key = id(sections[home]) if home >= 0 else -1
        if key not in made:
            made[key] = builder.area(sections[home] if home >= 0 else None, title)
        return made[key]

    for place, section in enumerate(sections):
        if section.lessons or section.choices:
            if id(section) not in made:
                made[id(section)] = builder.area(section, title)
            _lessons(section, made[id(section)], builder)
        elif section.material:
            builder.topic(
                section.title,
                area_for(place),
                _own_links(section),
                concepts=section.concepts,
                summary=_summary(section, ""),
                optional=section.optional,
                hours=section.hours,
                bare=bool(section.link),  # a linked heading names a lesson, link kept or not
            )
        elif not _below(sections, place):
            builder.report.dropped.add("heading with no study material", section.title)


def _lessons(section: Section, area: dict[str, Any], builder: _Builder) -> None:
    """The topics of a section that holds lessons. Beside table rows, its own links are
    footnotes and asides: reported, not made a topic. Beside list items that are
    lessons, its own material is a topic of its own, first."""
    if any(lesson.row for lesson in section.lessons):
        for link in _own_links(section):
            builder.report.dropped.add("link in the text around lessons", link.title)
    elif section.material:
        builder.topic(
            section.title,
            area,
            _own_links(section),
            concepts=section.concepts,
            summary=_summary(section, ""),
            optional=section.optional,
            hours=section.hours,
        )
    for lesson in section.lessons:
        builder.lesson(lesson, area, section)
    for choice in section.choices:
        builder.choice(section, choice, area)


def _own_links(section: Section) -> list[Link]:
    """A section's links, its heading's own link (the lesson's page) first."""
    if section.link:
        return [Link(section.title, section.link), *section.links]
    return list(section.links)


def _below(sections: list[Section], place: int) -> bool:
    """Whether a section's subsections hold study material: it is then an area."""
    level = sections[place].level
    for section in sections[place + 1 :]:
        if section.level <= level:
            return False
        if section.material or section.lessons or section.choices:
            return True
    return False


def _parent(sections: list[Section], place: int) -> int:
    level = sections[place].level
    return next((i for i in range(place - 1, -1, -1) if sections[i].level < level), -1)


def _home(sections: list[Section], place: int) -> int:
    """The place of the section whose area holds the lesson at ``place`` (-1: the
    roadmap's own area): the section above it, unless the lesson stands beside sections
    that are areas; it is then an area of its own."""
    parent = _parent(sections, place)
    for i in range(parent + 1, len(sections)):
        if i != place and _parent(sections, i) == parent and _is_area(sections, i):
            return place
    return parent


def _is_area(sections: list[Section], place: int) -> bool:
    section = sections[place]
    if section.lessons or section.choices:
        return True
    return not section.material and _below(sections, place)


def _named_group(named: Sequence[str], builder: _Builder) -> dict[str, Any]:
    """A group the author asked for (``--choice a,b``): areas or topics, pick one."""
    area_titles = {a["id"]: a["title"] for a in builder.areas}
    topic_titles = {t["id"]: t["title"] for t in builder.topics}
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
    chosen = {o for g in builder.groups for o in (*g.get("topics", ()), *g.get("areas", ()))}
    if twice := [n for n in named if n in chosen]:
        raise UsageError(f"--choice {','.join(named)}: '{twice[0]}' is already in a choice.")
    return {
        "id": unique(slug("-or-".join(named), "choice"), builder.topic_ids),
        "title": "Choose one: " + " or ".join(titles[n] for n in named),
        kind: list(named),
        "pick": 1,
    }


# --- importing again -----------------------------------------------------------------------


def _carry_ids(data: dict[str, Any], previous: Mapping[str, Any], report: Report) -> None:
    """Keep the ids of the roadmap this one replaces, so that the learner's progress
    (kept by roadmap id and topic id) stays with every topic that still exists.

    A topic whose id (or one of its aliases) is unchanged keeps it. A topic that is new
    by id but clearly the same as one that is gone (the only one sharing a resource's
    address with it, or the only close title) takes the old id, and its new id becomes
    an alias, so both names work. The report lists topics added, gone and renamed."""
    old_topics = [t for t in previous.get("topics", []) if isinstance(t, dict) and "id" in t]
    names = {
        str(a): str(old["id"])
        for old in old_topics
        for a in (*(old.get("aliases") or []), old["id"])
    }
    if isinstance(previous.get("id"), str):
        data["id"] = previous["id"]
    mapping: dict[str, str] = {}
    unmatched_new: list[dict[str, Any]] = []
    for topic in data["topics"]:
        if topic["id"] in names:
            mapping[topic["id"]] = names[topic["id"]]
        else:
            unmatched_new.append(topic)
    used = set(mapping.values())
    gone = [t for t in old_topics if t["id"] not in used]
    for topic in unmatched_new:
        match = _clear_match(topic, gone, unmatched_new)
        if match is not None:
            mapping[topic["id"]] = match["id"]
            gone.remove(match)
            report.renamed.append((str(match["id"]), topic["title"]))
    all_new = {mapping.get(t["id"], t["id"]) for t in data["topics"]}
    for topic in data["topics"]:
        _take_old_id(topic, mapping.get(topic["id"]), old_topics, all_new, report)
    for group in data.get("groups", []):
        if "topics" in group:
            group["topics"] = [mapping.get(t, t) for t in group["topics"]]
    report.gone = [str(t["id"]) for t in gone]


def _take_old_id(
    topic: dict[str, Any],
    old_id: str | None,
    old_topics: list[dict[str, Any]],
    all_new: set[str],
    report: Report,
) -> None:
    """Give a topic its old id, its old aliases, and its new id as an alias."""
    new_id = topic["id"]
    if old_id is None:
        report.added.append(new_id)
        return
    old = next(t for t in old_topics if t["id"] == old_id)
    aliases = [str(a) for a in old.get("aliases") or [] if a != old_id]
    if new_id != old_id:
        aliases.append(new_id)
    topic["id"] = old_id
    aliases = [a for a in dict.fromkeys(aliases) if a not in all_new]
    if aliases:
        topic["aliases"] = aliases


def _clear_match(
    topic: dict[str, Any], gone: list[dict[str, Any]], new: list[dict[str, Any]]
) -> dict[str, Any] | None:
    """The gone topic that ``topic`` clearly is: the only one sharing a link with it (and
    sharing it with no other new topic), else the only close title; None otherwise."""
    by_link = [old for old in gone if _shares_a_link(topic, old)]
    if len(by_link) == 1 and not any(t is not topic and _shares_a_link(t, by_link[0]) for t in new):
        return by_link[0]
    title = topic["title"].lower()
    scores = sorted(
        (
            (difflib.SequenceMatcher(None, title, str(old.get("title", "")).lower()).ratio(), i)
            for i, old in enumerate(gone)
        ),
        reverse=True,
    )
    if scores and scores[0][0] >= 0.75 and (len(scores) == 1 or scores[1][0] < 0.6):
        return gone[scores[0][1]]
    return None


def _shares_a_link(topic: dict[str, Any], old: dict[str, Any]) -> bool:
    urls = {str(r.get("url")) for r in topic.get("resources", []) or []}
    return bool(urls & {str(r.get("url")) for r in old.get("resources", []) or []})
