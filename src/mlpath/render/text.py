"""What mlpath prints that is not drawn by Rich: JSON documents for scripts, the
Markdown checklist, and the import and link-check reports, each a function of a
command's result (:mod:`mlpath.core.results`); their sentences come from
:mod:`mlpath.render.words`.

Nothing here imports Rich, so a command that writes (``done``, ``note``) or prints JSON
loads none of it. Untrusted text is made printable (:func:`mlpath.core.errors.printable`)
before it reaches plain output.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from mlpath.core.errors import printable
from mlpath.core.progress import (
    Action,
    Change,
    Grade,
    Status,
    Tally,
    TopicProgress,
)
from mlpath.core.roadmap import PRACTICE_ID, Resource, Topic
from mlpath.render.words import describe, done_sentence, plural, why_next

if TYPE_CHECKING:
    from mlpath.core.pace import Review
    from mlpath.core.plan import GoalStatus
    from mlpath.core.results import Entry, ListResult, PathInfo, ProgressResult, Standing
    from mlpath.core.results.reports import (
        Cohort,
        Counts,
        HistoryResult,
        PlanResult,
        ReviewResult,
        RoadmapInfo,
        SearchResult,
        StatsResult,
    )
    from mlpath.core.results.topics import NextResult, ShowResult

#: Bumped when a JSON document's shape changes incompatibly.
JSON_VERSION = 1


def print_json(document: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps({"version": JSON_VERSION, **document}, indent=2) + "\n")


def roadmap_json(path: PathInfo) -> dict[str, str]:
    return {"id": path.id, "title": path.title}


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def list_json(result: ListResult) -> dict[str, Any]:
    return {
        "roadmap": roadmap_json(result.standing.path),
        **_tally_json(result.standing.summary.overall),
        "areas": [
            {
                "id": area.id,
                "title": area.title,
                "topics": [
                    {
                        "id": e.id,
                        "title": e.topic.title,
                        "optional": e.optional,
                        "choice": _choice_id(e),
                        "requires": list(e.topic.requires),
                        **_progress_json(e.progress),
                    }
                    for e in entries
                ],
            }
            for area, entries in result.shown()
        ],
    }


def _progress_json(progress: TopicProgress) -> dict[str, Any]:
    return {
        "status": progress.status.value,
        "started_at": _iso(progress.started_at),
        "done_at": _iso(progress.done_at),
        "skipped_at": _iso(progress.skipped_at),
    }


def show_json(result: ShowResult) -> dict[str, Any]:
    topic, progress, area, review = (
        result.entry.topic,
        result.entry.progress,
        result.entry.area,
        result.review,
    )

    def checked(item_id: str) -> str | None:
        return _iso(progress.checked.get(item_id))

    return {
        "roadmap": roadmap_json(result.path),
        "topic": {
            "id": topic.id,
            "title": topic.title,
            "area": {"id": area.id, "title": area.title},
            "optional": result.entry.optional,
            "choice": _choice_id(result.entry),
            "aliases": list(topic.aliases),
            "summary": topic.summary,
            "practice": None
            if topic.practice is None
            else {"summary": topic.practice.summary, "checked_at": checked(PRACTICE_ID)},
            "missing": dict(topic.missing or {}),
            "requires": [{"id": req, "status": status.value} for req, status in result.requires],
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


def progress_json(result: ProgressResult) -> dict[str, Any]:
    summary, pace, goal = result.standing.summary, result.pace, result.goal
    nxt = summary.next_topic
    projection = pace.projection
    return {
        "roadmap": roadmap_json(result.standing.path),
        "overall": {**_tally_json(summary.overall), "hours": pace.total_minutes / 60},
        "areas": [
            {
                "id": area_id,
                "title": result.standing.area_title(area_id),
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


def _choice_id(entry: Entry) -> str | None:
    return None if entry.choice is None else entry.choice.id


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


def history_json(result: HistoryResult) -> dict[str, Any]:
    changes = result.changes
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


def first_resource(topic: Topic, kind: str) -> Resource | None:
    found = topic.resources_of_kind(kind)
    return found[0] if found else None


def _resource_json(resource: Resource | None) -> dict[str, Any] | None:
    return None if resource is None else resource.to_dict()


def next_json(result: NextResult, *, outlook: bool = True) -> dict[str, Any]:
    """The topics to study now, then the other options of the first one's choice; with
    none, what waits on what. ``outlook``: with the reviews due and the goal too."""
    document: dict[str, Any] = {
        "roadmap": roadmap_json(result.path),
        "topics": [
            {
                "id": item.entry.id,
                "title": item.entry.topic.title,
                "status": item.entry.status.value,
                "requires": list(item.entry.topic.requires),
                "why": why_next(item),
                "instead_of": item.instead_of,
                "practice": item.entry.topic.practice_summary,
                "book": _resource_json(first_resource(item.entry.topic, "book")),
                "course": _resource_json(first_resource(item.entry.topic, "course")),
            }
            for item in result.items
        ],
        "blocked": {} if result.items else {k: list(v) for k, v in result.blocked.items()},
    }
    if outlook:
        document["reviews_due"] = len(result.reviews_due)
        document["goal"] = goal_json(result.goal)
    return document


def cohort_json(cohort: Cohort, stuck_weeks: int) -> dict[str, Any]:
    """A mentor's view: one entry per learner, and how many are on or past each topic."""
    return {
        "roadmap": roadmap_json(cohort.path),
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
            for learner in cohort.learners
        ],
        "topics": [
            {"id": c.topic.id, "title": c.topic.title, "on": c.on, "past": c.past}
            for c in cohort.counts
        ],
        "skipped": list(cohort.skipped),
    }


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


def plan_json(result: PlanResult) -> dict[str, Any]:
    plan, by = result.plan, result.by
    return {
        "roadmap": roadmap_json(result.path),
        "start": plan.start.isoformat(),
        "hours_per_week": plan.hours_per_week,
        "by": None if by is None else by.isoformat(),
        "reachable": result.reachable,
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


def search_json(result: SearchResult) -> dict[str, Any]:
    return {
        "roadmap": roadmap_json(result.path),
        "query": result.query,
        "hits": [
            {
                "topic": {"id": h.topic.id, "title": h.topic.title},
                "resource": _resource_json(h.resource),
                "fields": list(h.fields),
            }
            for h in result.hits
        ],
    }


def roadmap_info_json(info: RoadmapInfo) -> dict[str, Any]:
    path = info.path
    return {
        "roadmap": {"id": path.id, "title": path.title, "source": path.source},
        "path": info.file,
        "bundled": info.bundled,
        "chosen_by": info.chosen_by,
        "areas": info.counts.areas,
        "topics": info.counts.topics,
        "resources": info.counts.resources,
    }


_MARKDOWN_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<>#|"})


def _md(text: str) -> str:
    """Untrusted text for Markdown: printable, one line, markup characters escaped."""
    return " ".join(printable(text).split()).translate(_MARKDOWN_SPECIAL)


def _md_link(url: str | None) -> str:
    from mlpath.core.rules import is_url, markdown_url

    return f" <{markdown_url(url)}>" if url and is_url(url) else ""


def markdown_checklist(standing: Standing, now: datetime) -> str:
    """The learner's standing on the active roadmap as a Markdown checklist to share,
    after the graph of its prerequisites (Mermaid, which GitHub draws)."""
    from mlpath.render.graphs import mermaid

    tally = standing.summary.overall
    lines = [
        f"# {_md(standing.path.title)}",
        "",
        f"{done_sentence(standing.path, tally, in_progress=False)} Exported by mlpath on "
        f"{now.date().isoformat()}.",
        "",
        "```mermaid",
        mermaid(standing).rstrip("\n"),
        "```",
    ]
    for area in standing.areas:
        lines += ["", f"## {_md(area.title)}", ""]
        for found in standing.in_area(area.id):
            topic, progress = found.topic, found.progress
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


def review_json(result: ReviewResult) -> dict[str, Any]:
    return {
        "roadmap": roadmap_json(result.path),
        "due": [_review_json(item.review) for item in result.due],
        "upcoming": [_review_json(r) for r in result.upcoming],
    }


def stats_json(result: StatsResult) -> dict[str, Any]:
    reviews, remembered = result.recalled
    pace = result.pace
    return {
        "roadmap": roadmap_json(result.path),
        "topics": [
            {
                "id": e.id,
                "title": e.topic.title,
                "status": e.status.value,
                "hours": result.minutes[e.id] / 60,
                "estimate_hours": e.topic.estimate_hours,
            }
            for e in result.entries
        ],
        "weeks": [{"start": start.isoformat(), "hours": m / 60} for start, m in result.per_week],
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
    path: PathInfo, made: Counts, output: str, report: Mapping[str, Any], base_origin: str
) -> dict[str, Any]:
    """What an import of a curriculum made (``made``: counted from the roadmap as it
    loads) and its report: kinds, optional ids, choices, what was dropped by reason,
    topics added, gone and renamed."""
    return {
        "output": output,
        "written": True,
        "roadmap": roadmap_json(path),
        "areas": made.areas,
        "topics": made.topics,
        "optional_topics": made.optional,
        "resources": made.resources,
        "estimates": made.estimates,
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
    path: PathInfo,
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
        "roadmap": roadmap_json(path),
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
