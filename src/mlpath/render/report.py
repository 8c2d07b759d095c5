"""The progress report as pictures to share: a self-contained HTML page and an SVG picture,
drawn for the page, not captured from the terminal. Pure: text out.

Both carry everything inside them: no fonts, scripts, styles or images from elsewhere
(the page's Content-Security-Policy forbids any), so they look the same offline and
opening them tells no one. Every text from the roadmap or the learner is escaped.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from mlpath.core.errors import printable
from mlpath.core.progress import Status, Tally
from mlpath.core.roadmap import Topic
from mlpath.core.rules import is_url
from mlpath.render.graphs import COLOURS, WORDS
from mlpath.render.words import (
    done_sentence,
    duration_text,
    local_date,
    pace_words,
    plural,
    tally_cells,
)

if TYPE_CHECKING:
    from mlpath.core.results import ProgressResult
    from mlpath.core.results.reports import Cohort

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
#: The bar's colours: done, and the track behind it.
FILL, TRACK, INK, MUTED = "#2b8a3e", "#e9ecef", "#212529", "#6c757d"


def esc(text: str) -> str:
    """Text for HTML or SVG: control characters made visible, markup characters escaped."""
    return html.escape(printable(text), quote=True)


@dataclass(frozen=True)
class Report:
    """What the page and the picture show."""

    progress: ProgressResult
    weekly: Sequence[tuple[date, int]]  # minutes per week, oldest first
    now: datetime
    version: str

    @property
    def title(self) -> str:
        return self.progress.standing.path.title

    def rows(self) -> list[tuple[str, Tally, int]]:
        """(label, tally, minutes) for the whole path, then each area."""
        standing, pace = self.progress.standing, self.progress.pace
        rows = [("Overall", standing.summary.overall, pace.total_minutes)]
        for area_id, tally in standing.summary.areas:
            rows.append((standing.area_title(area_id), tally, pace.area_minutes[area_id]))
        return rows

    def lead(self) -> str:
        standing = self.progress.standing
        return done_sentence(standing.path, standing.summary.overall).removesuffix(".")

    def pace_sentences(self) -> list[str]:
        from mlpath.render.words import goal_line

        pace = self.progress.pace
        streak = pace.streaks.current
        lines = [
            f"{duration_text(pace.total_minutes)} logged, {duration_text(pace.week_minutes)} this "
            f"week; a streak of {plural(streak, 'day')} (longest {pace.streaks.longest})."
        ]
        projection = pace.projection
        if projection.finished and projection.finish is not None:
            lines.append(f"Finished on {projection.finish.isoformat()}.")
        elif projection.finish is not None and projection.pace_hours_per_week is not None:
            pace_now = pace_words(projection.pace_hours_per_week, projection.window_days)
            lines.append(f"Projected finish: {projection.finish.isoformat()}, at {pace_now}.")
        else:
            lines.append(f"Projected finish: not yet ({projection.reason}).")
        if self.progress.goal is not None:
            lines.append(goal_line(self.progress.goal))
        return lines


# --- the HTML page ------------------------------------------------------------------------

_CSS = f"""
:root {{ color-scheme: light; }}
body {{ font-family: {FONT}; color: {INK}; background: #fff; margin: 0 auto;
  max-width: 60rem; padding: 2rem 1.25rem 3rem; line-height: 1.45; }}
h1 {{ font-size: 1.8rem; margin: 0 0 .25rem; }}
h2 {{ font-size: 1.2rem; margin: 2rem 0 .75rem; border-bottom: 1px solid #dee2e6;
  padding-bottom: .25rem; }}
h3 {{ font-size: 1rem; margin: 1.25rem 0 .5rem; }}
.lead {{ font-size: 1.1rem; margin: 0; }}
.muted, footer {{ color: {MUTED}; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ text-align: left; vertical-align: top; padding: .35rem .5rem; }}
.bars th {{ font-weight: 600; white-space: nowrap; width: 1%; }}
.bars td.n {{ text-align: right; white-space: nowrap; width: 1%;
  font-variant-numeric: tabular-nums; }}
.bar {{ background: {TRACK}; border-radius: 4px; height: 14px; min-width: 8rem;
  overflow: hidden; }}
.bar > span {{ display: block; height: 100%; background: {FILL}; }}
.topics td, .topics th {{ border-top: 1px solid #e9ecef; }}
.topics thead th {{ border-top: 0; color: {MUTED}; font-weight: 600; font-size: .85rem; }}
.status {{ display: inline-block; border: 1px solid; border-radius: 999px;
  padding: 0 .55rem; font-size: .85rem; white-space: nowrap; }}
.skipped {{ border-style: dashed !important; }}
ul.links {{ margin: 0; padding-left: 1.1rem; }}
.id {{ color: {MUTED}; font-size: .85rem; }}
.graph svg {{ max-width: 100%; height: auto; }}
footer {{ margin-top: 2.5rem; font-size: .85rem; }}
@media print {{ body {{ max-width: none; }} }}
"""


def html_page(report: Report, graph_svg: str | None) -> str:
    """The whole page. ``graph_svg``: the prerequisite graph drawn by Graphviz, or None
    (the topics are then listed in order, with what each needs)."""
    title = f"{report.title}: progress"
    parts = [
        *_head(title, report.version),
        f"<header><h1>{esc(report.title)}</h1>",
        f'<p class="lead">{esc(report.lead())}.</p>',
        f'<p class="muted">Progress report of {report.now.date().isoformat()}.</p></header>',
        '<section><h2 id="progress">Progress</h2>',
        _bars(report),
        *[f"<p>{esc(line)}</p>" for line in report.pace_sentences()],
        "</section>",
    ]
    if any(minutes for _, minutes in report.weekly):
        parts += [
            '<section><h2 id="weeks">Hours per week</h2>',
            weekly_chart(report.weekly, 640, 200),
            "</section>",
        ]
    parts += ['<section class="graph"><h2 id="graph">Prerequisites</h2>']
    parts.append(graph_svg if graph_svg else _ordered(report))
    parts += ["</section>", '<section><h2 id="topics">Topics</h2>', _topics(report), "</section>"]
    parts += _foot(report.version)
    return "\n".join(parts)


def _bars(report: Report) -> str:
    rows = ['<table class="bars">']
    for label, tally, minutes in report.rows():
        share = 100 * tally.done / tally.total if tally.total else 0
        counted, percent, said = tally_cells(tally)
        rows.append(
            f'<tr><th scope="row">{esc(label)}</th>'
            f'<td><div class="bar" role="img" aria-label="{esc(said)}">'
            f'<span style="width:{share:.1f}%"></span></div></td>'
            f'<td class="n">{esc(counted)}</td>'
            f'<td class="n">{esc(percent)}</td>'
            f'<td class="n">{esc(duration_text(minutes))}</td></tr>'
        )
    rows.append("</table>")
    return "\n".join(rows)


def _ordered(report: Report) -> str:
    """The topics in roadmap order with what each needs: the graph, as a list."""
    items = []
    for found in report.progress.standing.entries:
        topic, status = found.topic, found.status
        needs = ", ".join(topic.requires)
        after = f' <span class="muted">needs {esc(needs)}</span>' if needs else ""
        items.append(f"<li>{esc(topic.title)} ({esc(WORDS[status])}){after}</li>")
    return (
        '<p class="muted">Install Graphviz (<code>dot</code>) to draw this as a graph.</p>'
        f"<ol>{''.join(items)}</ol>"
    )


def _badge(status: Status) -> str:
    fill, stroke, colour = COLOURS[status]
    extra = " skipped" if status is Status.SKIPPED else ""
    return (
        f'<span class="status{extra}" style="background:{fill};border-color:{stroke};'
        f'color:{colour}">{esc(WORDS[status])}</span>'
    )


def _topics(report: Report) -> str:
    standing = report.progress.standing
    out = []
    for area in standing.areas:
        out.append(f"<h3>{esc(area.title)}</h3>")
        out.append(
            '<table class="topics"><thead><tr><th>Status</th><th>Topic</th><th>Dates</th>'
            "<th>Checked</th><th>Resources</th></tr></thead><tbody>"
        )
        for found in standing.in_area(area.id):
            topic, progress = found.topic, found.progress
            checked = sum(1 for i in topic.item_ids if i in progress.checked)
            optional = " (optional)" if found.optional else ""
            out.append(
                f"<tr><td>{_badge(progress.status)}</td>"
                f'<td>{esc(topic.title + optional)}<br><span class="id">{esc(topic.id)}</span></td>'
                f"<td>{_dates(progress.started_at, progress.done_at, progress.skipped_at)}</td>"
                f"<td>{checked} of {len(topic.item_ids)}</td>"
                f"<td>{_links(topic, progress.checked)}</td></tr>"
            )
        out.append("</tbody></table>")
    return "\n".join(out)


def _dates(started: datetime | None, done: datetime | None, skipped: datetime | None) -> str:
    said = [
        f"{what} {local_date(moment)}"
        for what, moment in (("started", started), ("done", done), ("skipped", skipped))
        if moment is not None
    ]
    return esc(", ".join(said)) if said else '<span class="muted">-</span>'


def _links(topic: Topic, checked: Mapping[str, datetime]) -> str:
    items = []
    for resource in topic.resources:
        mark = "✓ " if resource.id in checked else ""
        name = esc(resource.title)
        if resource.url and is_url(resource.url):
            name = f'<a href="{esc(resource.url)}" rel="noopener noreferrer">{name}</a>'
        kind = f" ({esc(resource.kind)})" if resource.kind != "link" else ""
        items.append(f"<li>{mark}{name}{kind}</li>")
    return f'<ul class="links">{"".join(items)}</ul>' if items else ""


# --- a mentor's page ----------------------------------------------------------------------


def cohort_page(cohort: Cohort, now: datetime, version: str) -> str:
    """The cohort view as a self-contained page: a row per learner, then per topic how
    many are on it and past it."""
    learners, counts, skipped = cohort.learners, cohort.counts, cohort.skipped
    title = f"{cohort.path.title}: cohort"
    rows = []
    for learner in learners:
        share = 100 * learner.done / learner.total if learner.total else 0
        if learner.current is None:
            current = "finished"
        else:
            current = learner.current.title + ("" if learner.current_started else " (next)")
        active = local_date(learner.last_active) if learner.last_active else "never"
        rows.append(
            f'<tr><th scope="row">{esc(learner.name)}</th>'
            f'<td><div class="bar" role="img" aria-label="{learner.done} of {learner.total} '
            f'done"><span style="width:{share:.1f}%"></span></div></td>'
            f'<td class="n">{learner.done}/{learner.total}</td><td>{esc(current)}</td>'
            f'<td class="n">{esc(duration_text(learner.recent_minutes))}</td>'
            f"<td>{esc(active)}</td><td>{esc(', '.join(learner.stuck))}</td>"
            f'<td class="n">{learner.reviews_overdue or ""}</td></tr>'
        )
    topics = []
    for count in counts:
        share = 100 * count.past / len(learners) if learners else 0
        topics.append(
            f'<tr><th scope="row">{esc(count.topic.title)}</th><td class="n">{count.on}</td>'
            f'<td class="n">{count.past}</td><td><div class="bar" role="img" '
            f'aria-label="{count.past} of {len(learners)} past it">'
            f'<span style="width:{share:.1f}%"></span></div></td></tr>'
        )
    files = esc(", ".join(skipped))
    skipped_note = (
        f'<p class="muted">Skipped (damaged, or from a newer mlpath): {files}.</p>'
        if skipped
        else ""
    )
    return "\n".join(
        [
            *_head(title, version),
            f"<header><h1>{esc(cohort.path.title)}</h1>",
            f'<p class="lead">{esc(plural(len(learners), "learner"))}.</p>',
            f'<p class="muted">Cohort report of {now.date().isoformat()}.</p></header>',
            '<section><h2 id="learners">Learners</h2><table class="bars topics"><thead><tr>'
            "<th>Learner</th><th>Done</th><th></th><th>Current topic</th><th>4 weeks</th>"
            "<th>Last active</th><th>Stuck</th><th>Reviews overdue</th></tr></thead><tbody>",
            *rows,
            "</tbody></table>",
            skipped_note,
            "</section>",
            '<section><h2 id="topics">Per topic</h2><table class="bars topics"><thead><tr>'
            "<th>Topic</th><th>On it</th><th>Past it</th><th></th></tr></thead><tbody>",
            *topics,
            "</tbody></table></section>",
            *_foot(version),
        ]
    )


def _head(title: str, version: str) -> list[str]:
    return [
        "<!doctype html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:\">",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta name="generator" content="mlpath {esc(version)}">',
        f"<title>{esc(title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
    ]


def _foot(version: str) -> list[str]:
    return [
        f"<footer>Made with mlpath {esc(version)}. This page is self-contained: it "
        "loads nothing from the network.</footer>",
        "</body>",
        "</html>",
        "",
    ]


# --- charts and the SVG picture ------------------------------------------------------------


def weekly_chart(weekly: Sequence[tuple[date, int]], width: int, height: int) -> str:
    """Hours per week as an SVG bar chart (an <svg> element, to place in a page)."""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="Hours per week">'
        f"<title>Hours per week</title>{_weekly_bars(weekly, 0, 0, width, height)}</svg>"
    )


def _weekly_bars(
    weekly: Sequence[tuple[date, int]], x: int, y: int, width: int, height: int
) -> str:
    top = max((m for _, m in weekly), default=0) / 60
    scale_top = max(1, int(top) + (0 if top == int(top) else 1))
    plot_h = height - 44
    slot = (width - 40) / max(len(weekly), 1)
    out = [
        f'<g font-family="{FONT}" font-size="11" fill="{MUTED}">',
        f'<line x1="{x + 36}" y1="{y + 16 + plot_h}" x2="{x + width}" y2="{y + 16 + plot_h}" '
        f'stroke="#ced4da"/>',
        f'<text x="{x + 30}" y="{y + 20}" text-anchor="end">{scale_top} h</text>',
        f'<text x="{x + 30}" y="{y + 16 + plot_h}" text-anchor="end">0</text>',
    ]
    for n, (start, minutes) in enumerate(weekly):
        hours = minutes / 60
        bar_h = plot_h * hours / scale_top
        bx = x + 40 + n * slot + slot * 0.15
        by = y + 16 + plot_h - bar_h
        out.append(
            f'<rect x="{bx:.1f}" y="{by:.1f}" width="{slot * 0.7:.1f}" height="{bar_h:.1f}" '
            f'rx="2" fill="{FILL}"><title>week of {start.isoformat()}: '
            f"{esc(duration_text(minutes))}</title></rect>"
        )
        if minutes:
            out.append(
                f'<text x="{bx + slot * 0.35:.1f}" y="{by - 3:.1f}" text-anchor="middle" '
                f'fill="{INK}">{esc(duration_text(minutes))}</text>'
            )
        out.append(
            f'<text x="{bx + slot * 0.35:.1f}" y="{y + height - 10}" text-anchor="middle">'
            f"{start.strftime('%m-%d')}</text>"
        )
    out.append("</g>")
    return "".join(out)


def svg_picture(report: Report, width: int = 760) -> str:
    """The progress view as a picture drawn for its width: title, the bars of the whole
    path and of each area, the pace, and the weekly chart when time is logged."""
    rows = report.rows()
    label_w = 200
    bar_x, bar_w = 24 + label_w, width - 24 - label_w - 24 - 150
    parts: list[str] = []
    y = 44
    parts.append(
        f'<text x="24" y="{y}" font-size="24" font-weight="700" fill="{INK}">'
        f"{esc(_fit(report.title, 48))}</text>"
    )
    y += 28
    parts.append(f'<text x="24" y="{y}" font-size="15" fill="{INK}">{esc(report.lead())}.</text>')
    y += 30
    for label, tally, minutes in rows:
        share = tally.done / tally.total if tally.total else 0
        counted, percent, said = tally_cells(tally)
        weight = ' font-weight="700"' if label == "Overall" else ""
        parts += [
            f'<text x="24" y="{y + 13}" font-size="14" fill="{INK}"{weight}>'
            f"{esc(_fit(label, 26))}</text>",
            f'<rect x="{bar_x}" y="{y}" width="{bar_w}" height="16" rx="4" fill="{TRACK}"/>',
            f'<rect x="{bar_x}" y="{y}" width="{bar_w * share:.1f}" height="16" rx="4" '
            f'fill="{FILL}"><title>{esc(said)}</title></rect>',
            f'<text x="{bar_x + bar_w + 48}" y="{y + 13}" font-size="13" fill="{INK}" '
            f'text-anchor="end">{esc(counted)}</text>',
            f'<text x="{bar_x + bar_w + 94}" y="{y + 13}" font-size="13" fill="{INK}" '
            f'text-anchor="end">{esc(percent)}</text>',
            f'<text x="{bar_x + bar_w + 150}" y="{y + 13}" font-size="13" fill="{MUTED}" '
            f'text-anchor="end">{esc(duration_text(minutes))}</text>',
        ]
        y += 28
    for line in report.pace_sentences():
        y += 8
        parts.append(
            f'<text x="24" y="{y + 12}" font-size="13" fill="{MUTED}">{esc(_fit(line, 110))}</text>'
        )
        y += 14
    if any(minutes for _, minutes in report.weekly):
        y += 24
        parts.append(
            f'<text x="24" y="{y}" font-size="15" font-weight="700" fill="{INK}">'
            "Hours per week</text>"
        )
        parts.append(_weekly_bars(report.weekly, 24, y + 6, width - 48, 180))
        y += 190
    y += 30
    parts.append(
        f'<text x="24" y="{y}" font-size="11" fill="{MUTED}">mlpath {esc(report.version)}, '
        f"{report.now.date().isoformat()}</text>"
    )
    height = y + 20
    title = f"{report.title}: progress"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{FONT}" role="img">'
        f"<title>{esc(title)}</title>"
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>' + "".join(parts) + "</svg>\n"
    )


def _fit(text: str, limit: int) -> str:
    """One line of at most ``limit`` characters (an SVG text does not wrap)."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
