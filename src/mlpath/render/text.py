"""What mlpath prints that is not drawn by Rich: JSON documents for scripts, the
Markdown checklist, and the plain helpers (dates, topic names) that every command shares.

Nothing here imports Rich, so a command that writes (``done``, ``note``) or prints JSON
loads none of it. Untrusted text is made printable (:func:`mlpath.core.errors.printable`)
before it reaches plain output.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlpath.core.errors import printable
from mlpath.core.progress import (
    Action,
    Change,
    Grade,
    State,
    Status,
    Summary,
    Tally,
    TopicProgress,
    describe,
)
from mlpath.core.roadmap import PRACTICE_ID, Resource, Roadmap, Topic
from mlpath.core.rules import plural

if TYPE_CHECKING:
    from mlpath.core.cohort import Learner, TopicCount
    from mlpath.core.pace import PaceSummary, Review
    from mlpath.core.plan import GoalStatus, Plan
    from mlpath.core.search import Hit

#: Bumped when a JSON document's shape changes incompatibly.
JSON_VERSION = 1


def print_json(document: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps({"version": JSON_VERSION, **document}, indent=2) + "\n")


def roadmap_json(roadmap: Roadmap) -> dict[str, str]:
    return {"id": roadmap.id, "title": roadmap.title}


def local_time(moment: datetime) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def day_or_time(moment: datetime) -> str:
    """The local date, with the time unless it is midnight (a date given alone)."""
    local = moment.astimezone()
    return local_date(local) if local.time() == datetime.min.time() else local_time(local)


def local_date(moment: datetime) -> str:
    return moment.astimezone().strftime("%Y-%m-%d")


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def topic_name(topic: Topic) -> str:
    return printable(f"{topic.title} ({topic.id})")


def list_json(
    roadmap: Roadmap, state: State, summary: Summary, selection: Sequence[str]
) -> dict[str, Any]:
    chosen = set(selection)
    return {
        "roadmap": roadmap_json(roadmap),
        **_tally_json(summary.overall),
        "areas": [
            {
                "id": area.id,
                "title": area.title,
                "topics": [
                    {
                        "id": topic.id,
                        "title": topic.title,
                        "optional": roadmap.is_optional(topic),
                        "choice": _choice_id(roadmap, topic),
                        "requires": list(topic.requires),
                        **_progress_json(state.topic(roadmap.id, topic.id)),
                    }
                    for topic in roadmap.topics_in(area.id)
                    if topic.id in chosen
                ],
            }
            for area in roadmap.areas
            if any(t.id in chosen for t in roadmap.topics_in(area.id))
        ],
    }


def _progress_json(progress: TopicProgress) -> dict[str, Any]:
    return {
        "status": progress.status.value,
        "started_at": _iso(progress.started_at),
        "done_at": _iso(progress.done_at),
        "skipped_at": _iso(progress.skipped_at),
    }


def show_json(
    roadmap: Roadmap, state: State, topic: Topic, review: Review | None = None
) -> dict[str, Any]:
    progress = state.topic(roadmap.id, topic.id)
    area = roadmap.area(topic.area)

    def checked(item_id: str) -> str | None:
        return _iso(progress.checked.get(item_id))

    return {
        "roadmap": roadmap_json(roadmap),
        "topic": {
            "id": topic.id,
            "title": topic.title,
            "area": {"id": area.id, "title": area.title},
            "optional": roadmap.is_optional(topic),
            "choice": _choice_id(roadmap, topic),
            "aliases": list(topic.aliases),
            "summary": topic.summary,
            "practice": None
            if topic.practice is None
            else {"summary": topic.practice.summary, "checked_at": checked(PRACTICE_ID)},
            "missing": dict(topic.missing or {}),
            "requires": [
                {"id": req, "status": state.topic(roadmap.id, req).status.value}
                for req in topic.requires
            ],
            "resources": [{**r.to_dict(), "checked_at": checked(r.id)} for r in topic.resources],
            "subtopics": [
                {"id": s.id, "title": s.title, "checked_at": checked(s.id)} for s in topic.subtopics
            ],
            **_progress_json(progress),
            "minutes_logged": progress.minutes,
            "next_review": None if review is None else review_fields(review),
            "notes": [
                {"at": _iso(n.at), "text": n.text, "link": n.link} for n in reversed(progress.notes)
            ],
        },
    }


#: Each status's sign, the one way every output draws it.
SIGNS = {
    Status.NOT_STARTED: "·",
    Status.IN_PROGRESS: "▶",
    Status.DONE: "✓",
    Status.SKIPPED: "↷",
}


def status_words(status: Status) -> str:
    """A status as every output says it: its sign and its label (``✓ done``)."""
    return f"{SIGNS[status]} {status.label}"


def done_sentence(roadmap: Roadmap, tally: Tally, *, in_progress: bool = True) -> str:
    """How far the learner is, as every output says it: "1 of 6 topics done (17%), 1 in
    progress; 1 skipped, not counted." (a choice counts once: "topics and choices")."""
    units = "topics and choices" if roadmap.groups else "topics"
    line = f"{tally.done} of {tally.total} {units} done ({tally.percent}%)"
    if in_progress and tally.in_progress:
        line += f", {tally.in_progress} in progress"
    if tally.skipped:
        line += f"; {tally.skipped} skipped, not counted"
    return line + "."


def tally_cells(tally: Tally) -> tuple[str, str, str]:
    """A tally as its row shows it: ``2/5``, ``40%`` and the words for the bar's label
    (``2 of 5 done``); an area with nothing to count says why in words instead of
    ``0/0``: every topic skipped, every topic optional and not started, or none."""
    if tally.total:
        return (
            f"{tally.done}/{tally.total}",
            f"{tally.percent}%",
            f"{tally.done} of {tally.total} done",
        )
    if tally.skipped and not tally.optional:
        return "all skipped", "", "every topic skipped"
    if tally.optional:
        return "optional", "", "every topic optional, none started"
    return "no topics", "", "no topics"


def progress_json(
    roadmap: Roadmap, summary: Summary, pace: PaceSummary, goal: GoalStatus | None = None
) -> dict[str, Any]:
    nxt = summary.next_topic
    projection = pace.projection
    return {
        "roadmap": roadmap_json(roadmap),
        "overall": {**_tally_json(summary.overall), "hours": pace.total_minutes / 60},
        "areas": [
            {
                "id": area_id,
                "title": roadmap.area(area_id).title,
                **_tally_json(tally),
                "hours": pace.area_minutes[area_id] / 60,
            }
            for area_id, tally in summary.areas
        ],
        "in_progress": summary.in_progress,
        "skipped": summary.skipped,
        "optional": summary.optional,
        "choices": [
            {
                "id": group.id,
                "title": group.title,
                "pick": group.pick,
                "options": list(group.options),
                "done": done,
            }
            for group, done in summary.choices
        ],
        "next": None if nxt is None else {"id": nxt.id, "title": nxt.title},
        "orphans": summary.orphans,
        "hours_this_week": pace.week_minutes / 60,
        "streak": {"current": pace.streaks.current, "longest": pace.streaks.longest},
        "projection": {
            "finish": None if projection.finish is None else projection.finish.isoformat(),
            "pace_hours_per_week": projection.pace_hours_per_week,
            "remaining_hours": projection.remaining_hours,
            "topics_without_estimate": projection.unestimated,
            "reason": projection.reason,
            "pace_window_days": projection.window_days,
            "finished": projection.finished,
        },
        "reviews_due": [r.topic.id for r in pace.reviews_due],
        "goal": goal_json(goal),
    }


def _choice_id(roadmap: Roadmap, topic: Topic) -> str | None:
    found = roadmap.group_of(topic)
    return None if found is None else found[0].id


def _tally_json(tally: Tally) -> dict[str, int]:
    return {
        "done": tally.done,
        "total": tally.total,
        "percent": tally.percent,
        "in_progress": tally.in_progress,
        "skipped": tally.skipped,
        "optional": tally.optional,
    }


def recorded_later(change: Change) -> datetime | None:
    """When a change entered with a date of the past (``--on``) was recorded; None when
    it was recorded as it happened, or where it was recorded is unknown."""
    recorded = change.recorded
    if recorded is None or abs((recorded - change.at).total_seconds()) < 120:
        return None
    return recorded


def history_json(changes: Sequence[Change]) -> dict[str, Any]:
    return {
        "changes": [
            {
                "at": _iso(c.at),
                "action": c.action.value,
                "roadmap": c.roadmap,
                "topic": c.topic,
                "resources": list(c.resources),
                "note": None
                if c.note is None
                else {"text": c.note.text, "link": c.note.link, "at": _iso(c.note.at)},
                "grade": (c.grade or Grade.GOOD).value if c.action is Action.REVIEW else None,
                "description": describe(c),
                "recorded": _iso(recorded_later(c)),
            }
            for c in changes
        ]
    }


def why_next(roadmap: Roadmap, state: State, topic: Topic, instead_of: str | None = None) -> str:
    found = roadmap.group_of(topic)
    if instead_of is not None and found is not None:
        return f"another option of the choice '{found[0].title}': take it instead of {instead_of}."
    progress = state.topic(roadmap.id, topic.id)
    if progress.status is Status.IN_PROGRESS and progress.started_at is not None:
        return f"you started it on {day_or_time(progress.started_at)}; finish it first."
    if not topic.requires:
        return "it needs nothing before it, a good place to start."
    return "its prerequisites are behind you: " + ", ".join(topic.requires) + "."


def first_resource(topic: Topic, kind: str) -> Resource | None:
    found = topic.resources_of_kind(kind)
    return found[0] if found else None


def _resource_json(resource: Resource | None) -> dict[str, Any] | None:
    return None if resource is None else resource.to_dict()


def next_json(
    roadmap: Roadmap,
    state: State,
    topics: Sequence[Topic],
    blocked: Mapping[str, Sequence[str]],
    instead: Sequence[Topic] = (),
) -> dict[str, Any]:
    """The topics to study now, then (``instead``) the other options of the first one's
    choice; with none, ``blocked`` says what waits on what."""
    first = topics[0].id if topics else None
    return {
        "roadmap": roadmap_json(roadmap),
        "topics": [
            {
                "id": t.id,
                "title": t.title,
                "status": state.topic(roadmap.id, t.id).status.value,
                "requires": list(t.requires),
                "why": why_next(roadmap, state, t, first if t in instead else None),
                "instead_of": first if t in instead else None,
                "practice": t.practice_summary,
                "book": _resource_json(first_resource(t, "book")),
                "course": _resource_json(first_resource(t, "course")),
            }
            for t in (*topics, *instead)
        ],
        "blocked": {} if topics else {k: list(v) for k, v in blocked.items()},
    }


def cohort_json(
    roadmap: Roadmap,
    learners: Sequence[Learner],
    counts: Sequence[TopicCount],
    skipped: Sequence[str],
    stuck_weeks: int,
) -> dict[str, Any]:
    """A mentor's view: one entry per learner, and how many are on or past each topic."""
    return {
        "roadmap": roadmap_json(roadmap),
        "stuck_weeks": stuck_weeks,
        "learners": [
            {
                "name": learner.name,
                "files": list(learner.files),
                "done": learner.done,
                "total": learner.total,
                "percent": learner.percent,
                "current": None
                if learner.current is None
                else {
                    "id": learner.current.id,
                    "title": learner.current.title,
                    "started": learner.current_started,
                },
                "hours_4_weeks": learner.recent_minutes / 60,
                "last_active": None
                if learner.last_active is None
                else learner.last_active.isoformat(),
                "stuck": list(learner.stuck),
                "reviews_overdue": learner.reviews_overdue,
            }
            for learner in learners
        ],
        "topics": [
            {"id": c.topic.id, "title": c.topic.title, "on": c.on, "past": c.past} for c in counts
        ],
        "skipped": list(skipped),
    }


def goal_line(status: GoalStatus) -> str:
    """Where the learner stands against the goal, in one sentence."""
    from mlpath.core.plan import MAX_HOURS_PER_WEEK

    head = f"Goal: finish by {status.by.isoformat()}: "
    if status.hours_left == 0:
        return head + "every estimated hour is done."
    if status.needed_per_week is None:
        return (
            head + f"the date has passed, {hours_amount(status.hours_left)} h left. "
            "Set a new one with 'mlpath goal --by DATE'."
        )
    if status.needed_per_week > MAX_HOURS_PER_WEEK:  # no "on track" for a date out of reach
        return head + (
            f"out of reach: it would take {hours_amount(status.needed_per_week)} h a week, "
            f"more than {hours_amount(MAX_HOURS_PER_WEEK)}. Set a later date with "
            "'mlpath goal --by DATE'."
        )
    else:
        pace = f"{hours_amount(status.needed_per_week)} h a week from now gets there"
    if status.ahead >= 0:
        return head + f"on track, {hours_amount(status.ahead)} h ahead; {pace}."
    return head + f"behind by {hours_amount(-status.ahead)} h; {pace}."


def pace_words(hours_per_week: float, window_days: int) -> str:
    """The learner's pace as every output says it: "3.3 h a week, your pace over the
    last 28 days"."""
    return f"{hours_amount(hours_per_week)} h a week, your pace over the last {window_days} days"


def hours_amount(hours: float) -> str:
    """Hours as people write them: 6, 6.5, 1,234."""
    rounded = round(hours, 1)
    return f"{rounded:,.0f}" if rounded == int(rounded) else f"{rounded:,.1f}"


def goal_json(status: GoalStatus | None) -> dict[str, Any] | None:
    if status is None:
        return None
    return {
        "by": status.by.isoformat(),
        "hours_left": round(status.hours_left, 2),
        "ahead_hours": status.ahead,
        "on_track": status.on_track,
        "hours_per_week_needed": status.needed_per_week,
    }


def plan_json(plan: Plan, by: date | None, reachable: bool) -> dict[str, Any]:
    return {
        "start": plan.start.isoformat(),
        "hours_per_week": plan.hours_per_week,
        "by": None if by is None else by.isoformat(),
        "reachable": reachable,
        "finish": None if plan.finish is None else plan.finish.isoformat(),
        "total_hours": round(plan.total, 2),
        "topics": [
            {"id": s.topic.id, "title": s.topic.title, "hours": s.hours} for s in plan.steps
        ],
        "unestimated": [t.id for t in plan.unestimated],
        "weeks": [
            {
                "week": w.number,
                "start": w.start.isoformat(),
                "hours": round(w.hours, 2),
                "topics": [{"id": t.id, "hours": round(h, 2)} for t, h in w.parts],
            }
            for w in plan.weeks
        ],
    }


def search_json(roadmap: Roadmap, query: str, hits: Sequence[Hit]) -> dict[str, Any]:
    return {
        "roadmap": roadmap_json(roadmap),
        "query": query,
        "hits": [
            {
                "topic": {"id": h.topic.id, "title": h.topic.title},
                "resource": _resource_json(h.resource),
                "fields": list(h.fields),
            }
            for h in hits
        ],
    }


def roadmap_info_json(roadmap: Roadmap, path: Path, bundled: bool, origin: str) -> dict[str, Any]:
    return {
        "roadmap": {"id": roadmap.id, "title": roadmap.title, "source": roadmap.source},
        "path": str(path),
        "bundled": bundled,
        "chosen_by": origin,
        "areas": len(roadmap.areas),
        "topics": len(roadmap.topics),
        "resources": sum(len(t.resources) for t in roadmap.topics),
    }


_MARKDOWN_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<>#|"})


def _md(text: str) -> str:
    """Untrusted text for Markdown: printable, one line, markup characters escaped."""
    return " ".join(printable(text).split()).translate(_MARKDOWN_SPECIAL)


def _md_link(url: str | None) -> str:
    from mlpath.core.rules import is_url, markdown_url

    return f" <{markdown_url(url)}>" if url and is_url(url) else ""


def markdown_checklist(roadmap: Roadmap, state: State, summary: Summary, now: datetime) -> str:
    """The active roadmap's progress (``summary`` of ``state``) as a Markdown checklist to
    share, after the graph of its prerequisites (Mermaid, which GitHub draws)."""
    from mlpath.render.graphs import mermaid

    tally = summary.overall
    lines = [
        f"# {_md(roadmap.title)}",
        "",
        f"{done_sentence(roadmap, tally, in_progress=False)} Exported by mlpath on "
        f"{now.date().isoformat()}.",
        "",
        "```mermaid",
        mermaid(roadmap, state).rstrip("\n"),
        "```",
    ]
    for area in roadmap.areas:
        lines += ["", f"## {_md(area.title)}", ""]
        for topic in roadmap.topics_in(area.id):
            progress = state.topic(roadmap.id, topic.id)
            mark = "x" if progress.status is Status.DONE else " "
            status = (
                ""
                if progress.status in (Status.DONE, Status.NOT_STARTED)
                else (f" ({progress.status.label})")
            )
            lines.append(f"- [{mark}] **{_md(topic.title)}**{status}")
            if topic.practice is not None:
                practice = "x" if PRACTICE_ID in progress.checked else " "
                lines.append(f"  - [{practice}] Practice: {_md(topic.practice.summary)}")
            for resource in topic.resources:
                check = "x" if resource.id in progress.checked else " "
                by = f", {_md(resource.by)}" if resource.by else ""
                lines.append(
                    f"  - [{check}] {_md(resource.kind.capitalize())}: "
                    f"{_md(resource.title)}{by}{_md_link(resource.url)}"
                )
            for subtopic in topic.subtopics:
                check = "x" if subtopic.id in progress.checked else " "
                lines.append(f"  - [{check}] Concept: {_md(subtopic.title)}")
            for note in progress.notes:
                lines.append(
                    f"  - Note ({note.at.date().isoformat()}): {_md(note.text)}"
                    f"{_md_link(note.link)}"
                )
    return "\n".join(lines) + "\n"


def _review_json(review: Review) -> dict[str, Any]:
    return {
        "topic": {"id": review.topic.id, "title": review.topic.title},
        **review_fields(review),
    }


def review_fields(review: Review) -> dict[str, Any]:
    """A done topic's next review as JSON gives it: when, which, the last grade and FSRS's
    figures (stability in days, difficulty 1-10, retrievability now, 0-1)."""
    remembered = review.memory
    return {
        "due": review.due.isoformat(),
        "review": review.number,
        "grade": remembered.last.grade.value,
        "last_reviewed": remembered.last.at.isoformat(),
        "stability": round(remembered.stability, 4),
        "difficulty": round(remembered.difficulty, 4),
        "retrievability": round(review.chance, 4),
    }


def review_json(
    roadmap: Roadmap, due: Sequence[Review], upcoming: Sequence[Review]
) -> dict[str, Any]:
    return {
        "roadmap": roadmap_json(roadmap),
        "due": [_review_json(r) for r in due],
        "upcoming": [_review_json(r) for r in upcoming],
    }


def stats_json(
    roadmap: Roadmap,
    state: State,
    minutes: dict[str, int],
    per_week: Sequence[tuple[Any, int]],
    pace: PaceSummary,
    recalled: tuple[int, int],
) -> dict[str, Any]:
    reviews, remembered = recalled
    return {
        "roadmap": roadmap_json(roadmap),
        "topics": [
            {
                "id": t.id,
                "title": t.title,
                "status": state.topic(roadmap.id, t.id).status.value,
                "hours": minutes[t.id] / 60,
                "estimate_hours": t.estimate_hours,
            }
            for t in roadmap.topics
        ],
        "weeks": [{"start": start.isoformat(), "hours": m / 60} for start, m in per_week],
        "total_hours": pace.total_minutes / 60,
        "streak": {"current": pace.streaks.current, "longest": pace.streaks.longest},
        "reviews_90_days": {
            "reviews": reviews,
            "remembered": remembered,
            "share_remembered": round(remembered / reviews, 4) if reviews else None,
        },
    }


# --- roadmap from-markdown / from-roadmap-sh -------------------------------------------------


def curriculum_json(
    roadmap: Roadmap, output: str, report: Mapping[str, Any], base_origin: str
) -> dict[str, Any]:
    """What an import of a curriculum made (counted from the roadmap as it loads) and
    its report: kinds, optional ids, choices, what was dropped by reason, topics
    added, gone and renamed."""
    optional = sum(1 for t in roadmap.topics if roadmap.is_optional(t))
    return {
        "output": output,
        "written": True,
        "roadmap": roadmap_json(roadmap),
        "areas": len(roadmap.areas),
        "topics": len(roadmap.topics),
        "optional_topics": optional,
        "resources": sum(len(t.resources) for t in roadmap.topics),
        "estimates": sum(1 for t in roadmap.topics if t.estimate_hours is not None),
        "base_url_origin": base_origin or None,
        **report,
    }


def _reasons(count: int, reason: str) -> str:
    """ "3 admin sections", "2 links under the title": the reason's noun made plural."""
    if count == 1:
        return f"1 {reason}"
    cut = min(
        (
            reason.find(w)
            for w in (" with", " without", " under", " before", " in ", " not ", " (")
            if w in reason
        ),
        default=len(reason),
    )
    return f"{count} {reason[:cut]}s{reason[cut:]}"


def curriculum_lines(summary: Mapping[str, Any]) -> list[str]:
    """The import's report in sentences: what was made, from where, what was dropped."""
    made = (
        f"{plural(summary['areas'], 'area')}, {plural(summary['topics'], 'topic')} "
        f"({summary['optional_topics']} optional), {plural(summary['resources'], 'resource')}, "
        f"{plural(summary['estimates'], 'estimate')}, {plural(len(summary['choices']), 'choice')}"
    )
    lines = [
        f"Wrote {summary['output']}: {made}."
        if summary["written"]
        else f"Nothing written (--strict): it would have made {made}."
    ]
    if summary["base_url"]:
        origin = summary["base_url_origin"] or "given"
        lines.append(f"Relative links resolved against {summary['base_url']} ({origin}).")
    kinds = summary["kinds"]
    if kinds:
        lines.append(
            "Kinds: " + ", ".join(f"{count} {kind}" for kind, count in kinds.items()) + "."
        )
    dropped = summary["dropped"]
    if dropped:
        total = sum(d["count"] for d in dropped.values())
        parts = []
        for reason, found in dropped.items():
            first = ", ".join(found["first"][:3])
            parts.append(f"{_reasons(found['count'], reason)}" + (f" ({first})" if first else ""))
        lines.append(f"Dropped {total}: " + "; ".join(parts) + ".")
        if "relative link (no base URL)" in dropped:
            lines.append(
                "To keep relative links, give --base-url with the address the file is "
                "published at (such as https://github.com/OWNER/REPO/blob/main/)."
            )
    else:
        lines.append("Dropped: nothing.")
    for key, words in (("added", "New topics"), ("gone", "Topics gone")):
        if summary[key]:
            lines.append(
                f"{words}: {', '.join(summary[key][:10])}"
                + (" ..." if len(summary[key]) > 10 else "")
                + "."
            )
    for renamed in summary["renamed"][:10]:
        lines.append(f"Renamed: {renamed['old_id']} is now '{renamed['title']}' (id kept).")
    if summary["written"]:
        lines.append(f"Check it with 'mlpath roadmap validate {summary['output']}'.")
    return lines


# --- roadmap check-links ------------------------------------------------------------------


def links_json(
    roadmap: Roadmap,
    results: Mapping[str, Any],
    where: Mapping[str, Sequence[str]],
    cached: int,
) -> dict[str, Any]:
    """The dead and moved links of a roadmap, each with the topics (``topic/resource``)
    that hold it; ``results`` maps an address to its check (status, code, final,
    reason)."""

    def entry(url: str) -> dict[str, Any]:
        found = results[url]
        return {
            "url": url,
            "used_by": list(where.get(url, ())),
            "code": found.code,
            "final": found.final or None,
            "reason": found.reason,
        }

    by = {
        status: [entry(u) for u, c in results.items() if c.status == status]
        for status in ("dead", "moved", "unsure")
    }
    return {
        "roadmap": roadmap_json(roadmap),
        "checked": len(results),
        "from_cache": cached,
        "ok": sum(1 for c in results.values() if c.status == "ok"),
        **by,
    }


def links_lines(document: Mapping[str, Any]) -> list[str]:
    lines = []
    for found in document["dead"]:
        lines.append(
            f"dead   {found['url']}  ({found['reason']}; in {', '.join(found['used_by'])})"
        )
    for found in document["moved"]:
        lines.append(
            f"moved  {found['url']} -> {found['final']}  (in {', '.join(found['used_by'])})"
        )
    for found in document["unsure"]:
        lines.append(
            f"unsure {found['url']}  ({found['reason']}; in {', '.join(found['used_by'])})"
        )
    lines.append(
        f"Checked {plural(document['checked'], 'link')} ({document['from_cache']} from the last "
        f"day's results): {document['ok']} ok, {len(document['moved'])} moved, "
        f"{len(document['dead'])} dead"
        + (f", {len(document['unsure'])} unsure" if document["unsure"] else "")
        + "."
    )
    return lines
