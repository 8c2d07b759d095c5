"""Hostile input through every door: command arguments, imports, roadmap files, the
settings file. Each kind of value (moment, duration, number, text, link, id) has one
rule (mlpath.core.rules); whatever breaks it is refused with a sentence and the documented
exit code, no traceback, and the learner's files exactly as they were."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import BUNDLED, NOW, TODAY, Result
from mlpath.core import rules
from mlpath.core.dates import parse_when
from mlpath.core.formats import NotJson, document_items, json_members, read_import
from mlpath.core.pace import parse_duration
from mlpath.core.progress import State, StateFormatError
from mlpath.core.roadmap import json_schema, parse_roadmap, roadmap_problems

Run = Callable[..., Result]
SCRIPT = Path(sys.executable).with_name("mlpath")


def _ago(days: int) -> str:
    return (TODAY - timedelta(days=days)).isoformat()


def _files(home: Path) -> dict[str, bytes]:
    """Every file of the learner's folder but the roadmap cache, by name: the database,
    its snapshots, the settings."""
    return {
        str(p.relative_to(home)): p.read_bytes()
        for p in sorted(home.rglob("*"))
        if p.is_file() and "cache" not in p.relative_to(home).parts
    }


@pytest.fixture
def learner(run: Run, mlpath_home: Path) -> Path:
    """A learner with some history: deep-learning started 5 days ago, foundations done."""
    assert run("start", "dl", "--on", _ago(5)).exit_code == 0
    assert run("done", "foundations", "--on", _ago(4)).exit_code == 0
    assert run("log", "dl", "2h", "--on", _ago(3)).exit_code == 0
    assert run("note", "dl", "--link", "https://example.org/nb", "notebook").exit_code == 0
    return mlpath_home


# --- command arguments -------------------------------------------------------------------------

REFUSED_ARGUMENTS = [
    (("log", "dl", "10m", "--on", "0001-01-01"), "outside the dates mlpath keeps"),
    (("done", "dl", "--on", "0001-01-01"), "outside the dates mlpath keeps"),
    (("reviewed", "foundations", "--on", "0001-01-01"), "outside the dates mlpath keeps"),
    (("start", "algorithms", "--on", "1900-01-01"), "outside the dates mlpath keeps"),
    (("start", "algorithms", "--on", "9999-12-31"), "outside the dates mlpath keeps"),
    (("start", "algorithms", "--on", "2099-01-01"), "in the future"),
    (("log", "dl", "1" + "0" * 309), "more than 24h"),
    (("log", "dl", "1e309"), "not a duration"),
    (("log", "dl", "nan"), "not a duration"),
    (("log", "dl", "24h", "--on", _ago(3)), "more than 24 hours in one day"),
    (("done", "dl", "--on", _ago(10)), f"in progress since {_ago(5)}"),
    (("reviewed", "foundations", "--on", _ago(6)), f"was done on {_ago(4)}"),
    (("history", "-n", "1" + "0" * 5000), "-n/--count takes a whole number from 1 to"),
    (("note", "dl", "--link", "javascript:alert(1)", "x"), "only http and https"),
    (("note", "dl", "--link", "https://google.com@evil.com/", "x"), "user name or password"),
    (("note", "dl", "--link", "https://-oProxyCommand=x/", "x"), "no valid host name"),
    (("note", "dl", "--link", "https://a:99999999/", "x"), "host or port"),
    (("note", "dl", "--link", "https://x.org/a><script>", "x"), "angle bracket"),
    (("note", "dl", "--link", "http://evil\n", "x"), "control character"),
    (("note", "dl", "--link", "http://", "x"), "no valid host name"),
    (("note", "dl", "x" * 10_001), "longer than 10000 characters"),
]


@pytest.mark.parametrize(("args", "message"), REFUSED_ARGUMENTS, ids=lambda a: str(a)[:40])
def test_refused_arguments_exit_2_and_change_nothing(
    run: Run, learner: Path, args: tuple[str, ...], message: str
) -> None:
    before = _files(learner)
    result = run(*args)
    assert result.exit_code == 2, result.stderr
    assert message in result.stderr
    assert result.stderr.startswith("mlpath: ") and len(result.stderr) < 400
    assert _files(learner) == before  # the database and its snapshots, byte for byte


def test_an_argument_that_is_not_utf8_is_a_usage_error(learner: Path) -> None:
    before = _files(learner)
    proc = subprocess.run(
        [os.fsencode(SCRIPT), b"note", b"dl", b"bad \xff byte"],
        capture_output=True,
        env={**os.environ, "MLPATH_HOME": str(learner)},
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith(b"mlpath: argument 3 (bad \\xff byte) is not valid UTF-8")
    assert b"Traceback" not in proc.stderr
    assert _files(learner) == before


def test_a_back_dated_change_takes_its_place_in_history(run: Run, learner: Path) -> None:
    assert run("start", "algorithms", "--on", _ago(30)).exit_code == 0
    assert run("skip", "nlp", "--on", _ago(1)).exit_code == 0
    rows = json.loads(run("history", "--json").stdout)["changes"]
    moments = [datetime.fromisoformat(r["at"]) for r in rows]
    assert moments == sorted(moments, reverse=True)  # by when it happened, newest first
    started = next(r for r in rows if r["action"] == "start" and r["topic"] == "algorithms")
    assert started["recorded"] is not None  # typed today, for 30 days ago
    assert next(r for r in rows if r["action"] == "note")["recorded"] is None
    table = run("history", "-n", "50").stdout
    assert f"{_ago(30)} 00:00" in table and "(recorded " in table


# --- imports -----------------------------------------------------------------------------------


def _export(**topics: dict[str, Any]) -> dict[str, Any]:
    return {
        "mlpath_export": 1,
        "version": 5,
        "roadmaps": {"ml-engineer": {"topics": topics}},
        "journal": [],
    }


def _with_journal(*entries: dict[str, Any]) -> dict[str, Any]:
    return {**_export(), "journal": list(entries)}


NOTE = {"kind": "note", "roadmap": "ml-engineer", "topic": "dl", "at": "2026-01-02T10:00:00+00:00"}
SESSION = {
    "kind": "session",
    "roadmap": "ml-engineer",
    "topic": "deep-learning",
    "on": "2026-01-02T10:00:00+00:00",
}

REFUSED_IMPORTS = [
    (_export(dl={"status": "done", "done_at": "9999-12-31T00:00:00+00:00"}), "outside the dates"),
    (_export(dl={"status": "done", "done_at": "2099-01-01T00:00:00+00:00"}), "in the future"),
    (_export(dl={"status": "done", "reviews": ["0001-01-01T00:00:00+00:00"]}), "outside"),
    (
        _export(
            dl={
                "status": "done",
                "started_at": "2026-01-20T00:00:00+00:00",
                "done_at": "2026-01-01T00:00:00+00:00",
            }
        ),
        "is before",
    ),
    (_with_journal({**SESSION, "minutes": 100_000}), "from 1 to 1440"),
    (_with_journal({**SESSION, "minutes": True}), "whole number"),
    (_with_journal({**SESSION, "minutes": 800}, {**SESSION, "minutes": 800}), None),
    (_with_journal({**NOTE, "text": "x", "link": "javascript:alert(1)"}), "only http"),
    (_with_journal({**NOTE, "text": "x", "link": "file:///etc/passwd"}), "only http"),
    (_with_journal({**NOTE, "text": "x", "link": "data:text/html,<b>x</b>"}), "link"),
    (_with_journal({**NOTE, "text": "x", "link": "http://"}), "no valid host"),
    (_with_journal({**NOTE, "text": "x", "link": "http://evil\n"}), "control character"),
    (_with_journal({**NOTE, "text": "\ud800"}), "not valid UTF-8"),
    (_with_journal({**NOTE, "kind": "bogus", "text": "x"}), "unknown kind"),
    ({**_export(), "roadmaps": {"ml-engineer": {"days": "9999-12-31/60/3"}}}, "outside"),
    ({**_export(), "roadmaps": {"ml-engineer": {"days": "2026-01-01/99999/3"}}}, "more than"),
]


@pytest.mark.parametrize(("document", "message"), REFUSED_IMPORTS)
def test_refused_imports_exit_1_and_change_nothing(
    run: Run, learner: Path, tmp_path: Path, document: dict[str, Any], message: str | None
) -> None:
    path = tmp_path / "hostile.json"
    # the journal's topic is deep-learning where the test gave its alias
    text = json.dumps(document).replace('"topic": "dl"', '"topic": "deep-learning"')
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    before = _files(learner)
    result = run("import", str(path))
    assert result.exit_code == 1, result.stdout
    assert result.stderr.startswith("mlpath: ")
    if message is not None:
        assert message in result.stderr
    assert _files(learner) == before
    assert run("progress").exit_code == 0 and run("stats").exit_code == 0


@pytest.mark.parametrize("number", ["1" + "0" * 5000, "1e400", "-Infinity", "NaN"])
def test_numbers_beyond_bounds_in_an_import_are_refused(
    run: Run, learner: Path, tmp_path: Path, number: str
) -> None:
    path = tmp_path / "big.json"
    path.write_text(
        '{"mlpath_export": 1, "version": 5, "roadmaps": {"ml-engineer": {"topics": '
        '{"deep-learning": {"status": "in-progress", "minutes": ' + number + "}}}}}"
    )
    before = _files(learner)
    result = run("import", str(path))
    assert result.exit_code == 1 and "number" in result.stderr
    assert _files(learner) == before


def test_imported_links_are_kept_with_their_host_in_ascii(
    run: Run, tmp_path: Path, mlpath_home: Path
) -> None:
    path = tmp_path / "idn.json"
    path.write_text(
        json.dumps(_with_journal({**NOTE, "text": "x", "link": "https://\u0430pple.com/"}))
    )
    text = path.read_text().replace('"topic": "dl"', '"topic": "deep-learning"')
    path.write_text(text)
    assert run("import", str(path)).exit_code == 0
    shown = run("show", "dl").stdout
    assert "https://xn--pple-43d.com/" in shown and "\u0430pple" not in shown


# --- the Markdown export ------------------------------------------------------------------------


def test_a_link_that_would_be_html_in_markdown_never_gets_in(run: Run, tmp_path: Path) -> None:
    text = BUNDLED.read_text().replace(
        "https://www.deeplearningbook.org/", "https://x.org/a><script>alert(1)</script>"
    )
    path = tmp_path / "evil.toml"
    path.write_text(text)
    result = run("--roadmap", str(path), "list")
    assert result.exit_code == 1 and "angle bracket" in result.stderr


def test_markdown_export_links_stay_inert_in_a_markdown_renderer(run: Run) -> None:
    from markdown_it import MarkdownIt

    run("done", "foundations")
    page = MarkdownIt("commonmark").render(run("export", "--format", "markdown").stdout)
    assert "<script" not in page
    assert 'href="https://www.deeplearningbook.org/"' in page


@given(st.text(max_size=60))
def test_markdown_urls_hold_nothing_that_ends_or_starts_markup(url: str) -> None:
    escaped = rules.markdown_url(url)
    assert not set(escaped) & set("<>\"'` \n\\")


# --- roadmap files and the JSON Schema ------------------------------------------------------------


def _bundled() -> dict[str, Any]:
    return tomllib.loads(BUNDLED.read_text())


def _edit(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    data = _bundled()
    change(data)
    return data


def _resource(key: str, value: object) -> Callable[[dict[str, Any]], None]:
    return lambda d: d["topics"][0]["resources"][0].__setitem__(key, value)


def _topic(key: str, value: object) -> Callable[[dict[str, Any]], None]:
    return lambda d: d["topics"][0].__setitem__(key, value)


ROADMAP_CASES = {
    "valid": (lambda d: None, True),
    "estimate true": (_topic("estimate_hours", True), False),
    "estimate text": (_topic("estimate_hours", "40"), False),
    "estimate zero": (_topic("estimate_hours", 0), False),
    "estimate too large": (_topic("estimate_hours", 100_001), False),
    "estimate fraction": (_topic("estimate_hours", 12.5), True),
    "schema text": (lambda d: d.__setitem__("schema", "1"), False),
    "schema negative": (lambda d: d.__setitem__("schema", -5), False),
    "schema true": (lambda d: d.__setitem__("schema", True), False),
    "schema 2": (lambda d: d.__setitem__("schema", 2), True),
    "schema 3": (lambda d: d.__setitem__("schema", 3), False),
    "optional in format 2": (
        lambda d: (d.__setitem__("schema", 2), d["topics"][0].__setitem__("optional", True)),
        True,
    ),
    "format 1 with a format 2 key": (lambda d: d.__setitem__("schema", 1), False),
    "format 1 without a practice": (
        lambda d: (
            d.__setitem__("schema", 1),
            [t.pop("missing", None) for t in d["topics"]],
            d["topics"][0].pop("practice"),
        ),
        False,
    ),
    "format 1 as before": (
        lambda d: (d.__setitem__("schema", 1), [t.pop("missing", None) for t in d["topics"]]),
        True,
    ),
    "format 2 without a practice": (lambda d: d["topics"][0].pop("practice"), True),
    "format 2 link without a kind": (lambda d: d["topics"][0]["resources"][0].pop("kind"), True),
    "missing with a key not an id": (_topic("missing", {"Book": "none"}), False),
    "optional not a boolean": (
        lambda d: (d.__setitem__("schema", 2), d["topics"][0].__setitem__("optional", "yes")),
        False,
    ),
    "blank title": (lambda d: d.__setitem__("title", "   "), False),
    "resource id practice": (_resource("id", "practice"), False),
    "url with a space": (_resource("url", "https://x.org/a b"), False),
    "url with user info": (_resource("url", "https://google.com@evil.com/"), False),
    "url with angle bracket": (_resource("url", "https://x.org/a><script>"), False),
    "url javascript": (_resource("url", "javascript:alert(1)"), False),
    "url no host": (_resource("url", "https://"), False),
    "url with a quote": (_resource("url", 'https://x.org/"a'), False),
    "id not a slug": (lambda d: d.__setitem__("id", "Not A Slug"), False),
    "unknown key": (lambda d: d.__setitem__("colour", "blue"), False),
    "requires a number": (_topic("requires", [1]), False),
}


@pytest.mark.parametrize(("change", "valid"), ROADMAP_CASES.values(), ids=ROADMAP_CASES.keys())
def test_loader_and_json_schema_agree(
    change: Callable[[dict[str, Any]], None], valid: bool
) -> None:
    data = _edit(change)
    roadmap, problems = roadmap_problems(data)
    assert (roadmap is not None) is valid, problems
    schema_ok = jsonschema.Draft202012Validator(json_schema()).is_valid(data)
    assert schema_ok is valid


def test_an_alias_cannot_be_its_own_topics_id() -> None:
    data = _edit(lambda d: d["topics"][0].__setitem__("aliases", [d["topics"][0]["id"]]))
    with pytest.raises(Exception, match="the topic's own id"):
        parse_roadmap(tomli_w.dumps(data), "own.toml")


def test_a_look_alike_host_is_shown_as_what_it_is(run: Run, tmp_path: Path) -> None:
    text = BUNDLED.read_text().replace(
        "https://www.deeplearningbook.org/", "https://www.d\u0435\u0435plearningbook.org/"
    )
    path = tmp_path / "idn.toml"
    path.write_text(text)
    shown = run("--roadmap", str(path), "show", "dl").stdout
    assert "https://www.xn--dplearningbook-0vla.org/" in shown


# --- the settings file and doctor -------------------------------------------------------------


def test_a_deeply_nested_settings_file_has_a_way_out(run: Run, mlpath_home: Path) -> None:
    run("done", "foundations")
    config = mlpath_home / "config.toml"
    config.write_text("roadmap = " + "[" * 100_000 + "]" * 100_000 + "\n")
    listed = run("list")
    assert listed.exit_code == 1 and "'mlpath roadmap use --bundled'" in listed.stderr
    doctor = run("doctor")
    assert doctor.exit_code == 1 and "nested too deeply" in doctor.stdout
    assert "--restore-backup" not in doctor.stdout
    assert run("roadmap", "use", "--bundled").exit_code == 0
    assert run("list").exit_code == 0
    kept = list(mlpath_home.glob("config.toml.damaged-*"))
    assert len(kept) == 1 and kept[0].read_text().startswith("roadmap = [[[")


def test_doctor_names_a_missing_chosen_roadmap(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mine = tmp_path / "mine.toml"
    mine.write_text(BUNDLED.read_text().replace('id = "ml-engineer"', 'id = "mine"', 1))
    assert run("roadmap", "use", str(mine)).exit_code == 0
    mine.unlink()
    doctor = run("doctor")
    assert doctor.exit_code == 1
    assert "PROBLEM" in doctor.stdout and str(mine) in doctor.stdout
    assert "roadmap use --bundled" in doctor.stdout
    monkeypatch.setenv("MLPATH_ROADMAP", str(tmp_path / "gone.toml"))
    doctor = run("doctor")
    assert "unset MLPATH_ROADMAP" in doctor.stdout
    assert "unset MLPATH_ROADMAP" in run("list").stderr


# --- output files ---------------------------------------------------------------------------------


@pytest.mark.parametrize("option", ["--svg", "--html"])
def test_pictures_never_overwrite_the_state_or_follow_a_link(
    run: Run, learner: Path, tmp_path: Path, option: str
) -> None:
    before = _files(learner)
    for forced in ((), ("--force",)):
        result = run("progress", option, str(learner / "state.db"), *forced)
        assert result.exit_code == 1 and "mlpath's own files" in result.stderr
    target = tmp_path / "target.txt"
    target.write_text("mine")
    link = tmp_path / "link.html"
    link.symlink_to(target)
    result = run("progress", option, str(link), "--force")
    assert result.exit_code == 1 and "symbolic link" in result.stderr
    assert target.read_text() == "mine"
    result = run("progress", option, str(target))
    assert result.exit_code == 1 and "--force" in result.stderr
    assert run("progress", option, str(target), "--force").exit_code == 0
    assert target.read_text() != "mine"
    assert _files(learner) == before


def test_export_follows_the_same_rule(run: Run, learner: Path, tmp_path: Path) -> None:
    result = run("export", "-o", str(learner / "config.toml"), "--force")
    assert result.exit_code == 1 and "mlpath's own files" in result.stderr
    link = tmp_path / "link.json"
    link.symlink_to(tmp_path / "elsewhere.json")
    assert run("export", "-o", str(link), "--force").exit_code == 1
    assert not (tmp_path / "elsewhere.json").exists()


# --- time zones ---------------------------------------------------------------------------------


def _in_zone(zone: str, *args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MLPATH_HOME": str(home), "TZ": zone}
    return subprocess.run([str(SCRIPT), *args], capture_output=True, text=True, env=env)


def test_streaks_follow_the_zone_the_learner_looks_from(mlpath_home: Path) -> None:
    from zoneinfo import ZoneInfo

    # study in Auckland a day ago and now; looked at from Auckland and from Los Angeles,
    # the days are those of the zone one looks from, and the streak runs up to today
    now = NOW
    day_ago = now - timedelta(hours=24)
    for on in (day_ago.isoformat(), "now"):
        assert _in_zone("Pacific/Auckland", "log", "dl", "30m", "--on", on, home=mlpath_home)
    for zone in ("Pacific/Auckland", "America/Los_Angeles"):
        local = ZoneInfo(zone)
        gap = (now.astimezone(local).date() - day_ago.astimezone(local).date()).days
        days = 2 if gap == 1 else 1  # 1 only on the 25-hour day summer time ends
        stats = json.loads(_in_zone(zone, "stats", "--json", home=mlpath_home).stdout)
        assert stats["streak"] == {"current": days, "longest": days}, zone
        shown = _in_zone(zone, "history", home=mlpath_home)
        assert shown.returncode == 0 and "Traceback" not in shown.stderr


# --- properties of the rules --------------------------------------------------------------------


@given(st.text(max_size=80))
def test_any_text_is_a_link_or_refused_with_a_sentence(text: str) -> None:
    try:
        url = rules.url(text, "the link")
    except rules.Invalid as error:
        assert str(error).endswith(".")
        return
    assert url.startswith(("http://", "https://"))
    assert not set(url) & set(' <>"`\\\n\t')
    assert rules.url(url, "the link") == url  # canonical


@given(st.text(max_size=40))
def test_any_text_is_a_duration_or_a_value_error(text: str) -> None:
    try:
        minutes = parse_duration(text)
    except ValueError:
        return
    assert 1 <= minutes <= rules.MAX_DAY_MINUTES


@given(st.text(max_size=40) | st.datetimes().map(lambda d: d.isoformat()))
def test_any_text_is_a_date_in_range_or_a_value_error(text: str) -> None:
    try:
        moment = parse_when(text, NOW)
    except ValueError:
        return
    assert moment.year >= rules.FIRST_YEAR and moment <= NOW


hostile_values = (
    st.datetimes(timezones=st.just(UTC)).map(lambda d: d.isoformat())
    | st.integers()
    | st.floats()
    | st.text(alphabet=st.characters(codec=None), max_size=10)
    | st.booleans()
)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(["at", "text", "link", "on", "minutes"]),
    hostile_values,
    st.sampled_from(["note", "session"]),
)
def test_any_value_in_an_import_is_read_under_the_rules_or_refused(
    key: str, value: object, kind: str
) -> None:
    entry: dict[str, Any] = {"kind": kind, "roadmap": "r", "topic": "t"}
    entry.update(
        {"at": "2026-01-01T00:00:00+00:00", "text": "x"}
        if kind == "note"
        else {"on": "2026-01-01T00:00:00+00:00", "minutes": 30}
    )
    entry[key] = value
    document = {"mlpath_export": 1, "version": 5, "roadmaps": {}, "journal": [entry]}
    try:
        text = json.dumps(document)
    except ValueError:
        return  # not JSON at all (NaN is written only with allow_nan)
    try:
        *_, state = read_import(json_members([text]))
    except (StateFormatError, NotJson):
        return
    assert isinstance(state, State)
    for topics in state.roadmaps.values():
        for progress in topics.values():
            for note in progress.notes:
                assert rules.FIRST_YEAR <= note.at.year <= rules.LAST_YEAR
                assert note.link is None or rules.is_url(note.link)
                rules.text(note.text, "note")
            for session in progress.sessions:
                assert 1 <= session.minutes <= rules.MAX_DAY_MINUTES


def test_document_items_and_members_refuse_the_same_numbers() -> None:
    with pytest.raises(NotJson):
        list(json_members(['{"version": ' + "9" * 30 + "}"]))
    assert list(document_items({"version": 5})) == [("version", 5)]


def test_pictures_escape_what_a_roadmap_holds(run: Run, tmp_path: Path) -> None:
    text = BUNDLED.read_text().replace(
        'title = "Become an ML engineer"', 'title = "Become <script>alert(1)</script>"', 1
    )
    path = tmp_path / "evil.toml"
    path.write_text(text)
    page, picture = tmp_path / "p.html", tmp_path / "p.svg"
    result = run("--roadmap", str(path), "progress", "--html", str(page), "--svg", str(picture))
    assert result.exit_code == 0, result.stderr
    for written in (page, picture):
        content = written.read_text()
        assert "<script" not in content and "&lt;script&gt;" in content


def test_a_folder_where_the_journal_goes_is_named(run: Run, learner: Path) -> None:
    (learner / "state.db-journal").mkdir()
    result = run("done", "dl")
    assert result.exit_code == 1 and "rollback journal" in result.stderr
    doctor = run("doctor")
    assert doctor.exit_code == 1 and "move it away" in doctor.stdout
    assert "--restore-backup" not in doctor.stdout


def test_doctor_tells_to_upgrade_for_a_newer_database(run: Run, learner: Path) -> None:
    import sqlite3

    conn = sqlite3.connect(learner / "state.db")
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    before = _files(learner)
    doctor = run("doctor")
    assert doctor.exit_code == 1 and "upgrade mlpath" in doctor.stdout
    assert "--restore-backup" not in doctor.stdout
    assert run("list").exit_code == 1
    assert _files(learner) == before


def test_a_deeply_nested_cache_entry_is_ignored(run: Run, mlpath_home: Path) -> None:
    assert run("list").exit_code == 0
    [entry] = (mlpath_home / "cache").glob("roadmap-*.json")
    document = json.loads(entry.read_text())
    nested = "[" * 100_000 + "]" * 100_000
    entry.write_text(json.dumps({**document, "roadmap": []}).replace("[]", nested))
    listed = run("list")
    assert listed.exit_code == 0 and "deep-learning" in listed.stdout


def test_a_long_day_summary_is_within_the_rules(run: Run, tmp_path: Path) -> None:
    # two years of days: the summary is longer than a note may be, and still imports
    first = date(2024, 1, 1)
    days = " ".join(f"{first + timedelta(days=i)}/15/1" for i in range(800))
    document = {**_export(), "roadmaps": {"ml-engineer": {"days": days}}}
    path = tmp_path / "long.json"
    path.write_text(json.dumps(document))
    result = run("import", str(path))
    assert result.exit_code == 0, result.stderr


def test_ctrl_c_wrapped_by_python_is_still_an_interruption() -> None:
    # Python 3.11 wraps a KeyboardInterrupt raised while a class is made (pydantic
    # loading, say) in a RuntimeError; it is Ctrl-C all the same, not a traceback.
    import typer
    from typer.testing import CliRunner

    from mlpath.cli._app import _Group

    app = typer.Typer(cls=_Group)

    @app.command()
    def slow() -> None:
        raise RuntimeError("Error calling __set_name__") from KeyboardInterrupt()

    @app.command()
    def broken() -> None:
        raise RuntimeError("a real bug")

    result = CliRunner().invoke(app, ["slow"])
    assert result.exit_code == 130 and "mlpath: interrupted." in result.stderr
    with pytest.raises(RuntimeError, match="a real bug"):
        CliRunner().invoke(app, ["broken"], catch_exceptions=False)


@pytest.mark.parametrize(
    "bad_id", ["../../etc\x1b[2J", "Deep Learning", "dl\nmlpath: forged", "", "a" * 300]
)
def test_an_import_with_an_id_that_breaks_the_id_rule_is_refused(
    run: Run, tmp_path: Path, bad_id: str
) -> None:
    run("done", "foundations")
    run("export", "-o", str(tmp_path / "mine.json"))
    document = json.loads((tmp_path / "mine.json").read_text(encoding="utf-8"))
    topics = document["roadmaps"]["ml-engineer"]["topics"]
    topics[bad_id] = topics.pop("foundations")
    for entry in document.get("journal", []):
        if entry.get("topic") == "foundations":
            entry["topic"] = bad_id
    (tmp_path / "bad.json").write_text(json.dumps(document), encoding="utf-8")
    before = run("export", "--format", "json").stdout.split("\n", 3)[3]
    result = run("import", str(tmp_path / "bad.json"))
    assert result.exit_code == 1 and "is not an id" in result.stderr
    assert "\x1b" not in result.stderr and result.stderr.count("\n") == 1
    assert run("export", "--format", "json").stdout.split("\n", 3)[3] == before


LINE_FEEDS = """schema = 1
id = "lf-path"
title = "Line one\\nmlpath: forged line"
[[areas]]
id = "a"
title = "Area\\nforged"
summary = "An area."
[[topics]]
id = "t"
area = "a"
title = "Topic\\n%% broken"
summary = \"\"\"Why it matters,
over two lines.\"\"\"
[topics.practice]
summary = "Practise."
"""


@pytest.mark.parametrize(
    "args",
    [("list",), ("log", "t", "30m"), ("graph",), ("graph", "--format", "dot"), ("show", "t")],
)
def test_a_line_feed_in_a_title_never_starts_a_line(
    run: Run, tmp_path: Path, args: tuple[str, ...]
) -> None:
    roadmap = tmp_path / "lf.toml"
    roadmap.write_text(LINE_FEEDS, encoding="utf-8")
    result = run("--roadmap", str(roadmap), *args)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert not any(line.startswith(("mlpath: forged", "forged", "%% broken")) for line in lines)
    assert "\\x0a" in result.stdout
    if args == ("show", "t"):
        assert "Why it matters, over two lines." in result.stdout  # prose: a space


def test_a_roadmap_error_keeps_its_lines_and_escapes_what_is_in_them(
    run: Run, tmp_path: Path
) -> None:
    roadmap = tmp_path / "bad.toml"
    roadmap.write_text(LINE_FEEDS.replace('id = "t"', 'id = "T\\nmlpath: x"'), encoding="utf-8")
    result = run("--roadmap", str(roadmap), "list")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0].endswith("is not a valid roadmap:") and lines[1].startswith("  ")
    assert not any(line.startswith("mlpath: x") for line in lines)
