"""Export, import and merge between machines; pictures of the progress view."""

from __future__ import annotations

import html
import json
import tempfile
import tomllib
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import BUNDLED, Result, db_rows, examples, same_progress
from mlpath.core import progress as ops
from mlpath.core.exchange import ImportReport, export_json, export_toml, merge_topic
from mlpath.core.formats import NotJson, decode_state, document_items, json_members
from mlpath.core.progress import STATE_VERSION, Change, Note, Session, State, entry_json
from mlpath.storage.database import Store
from mlpath.storage.roadmap_files import load_roadmap

Run = Callable[..., Result]
ROADMAP = load_roadmap(BUNDLED)
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)

# --- generated progress -----------------------------------------------------------------

moments = st.sampled_from([datetime(2026, 1, d, tzinfo=UTC) for d in (1, 2)]) | st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2026, 11, 1), timezones=st.just(UTC)
)  # the same moments often, so that two machines' histories share entries
topics = st.sampled_from([t.id for t in ROADMAP.topics] + ["retired-topic"])
roadmap_ids = st.sampled_from(["ml-engineer", "team-path"])


@st.composite
def histories(draw: st.DrawFn) -> State:
    """A state built by a random sequence of real operations."""
    s = State()
    for _ in range(draw(st.integers(0, 10))):
        rid, tid, now = draw(roadmap_ids), draw(topics), draw(moments)
        action = draw(
            st.sampled_from(
                ["start", "done", "skip", "reset", "note", "check", "uncheck", "log", "review"]
            )
        )
        # an operation the rules refuse (a date before the topic's current status, a day
        # over 24 hours) is left out, as the command would refuse it
        try:
            if action == "note":
                link = draw(st.none() | st.just("https://example.org/nb"))
                text = draw(st.sampled_from(["ch. 1", "ch. 2"]) | st.text(min_size=1, max_size=15))
                s = ops.add_note(s, rid, tid, Note(now, text, link), now).state
            elif action == "log":
                minutes = draw(st.sampled_from([30, 45]))
                s = ops.log_time(s, rid, tid, Session(now, minutes)).state
            elif action == "review" and s.topic(rid, tid).status == "done":
                s = ops.review(s, rid, tid, now, draw(st.sampled_from(list(ops.Grade)))).state
            elif action in ("check", "uncheck") and tid != "retired-topic":
                topic = ROADMAP.topic(tid)
                item = draw(st.sampled_from(topic.item_ids))
                if action == "check":
                    s = ops.check(s, ROADMAP, topic, (item,), now).state
                else:
                    s = ops.uncheck(s, ROADMAP.id, tid, item, now).state
            elif action in ("start", "done", "skip", "reset"):
                fn = {
                    "start": ops.start,
                    "done": ops.mark_done,
                    "skip": ops.skip,
                    "reset": ops.reset,
                }
                s = fn[action](s, rid, tid, now).state
        except (ops.OutOfOrder, ops.DayFull):
            pass
    return s


def _through_file(state: State, fmt: str) -> State:
    """Store ``state`` in a database, export it to text and read it back, as an import
    does."""
    with tempfile.TemporaryDirectory() as folder:
        store = Store(Path(folder))
        store.update(lambda before: (state, None), full=True)
        if fmt == "toml":
            with store.exporting() as (head, journal):
                text = b"".join(export_toml(head, journal, NOW)).decode()
        else:
            with store.exporting_json() as (head, lines):
                text = b"".join(export_json(head, lines, NOW)).decode()
            with store.exporting() as (_, journal):
                entries = [entry_json(entry) for entry in journal]
            assert text.split("\n")[-3 - len(entries) : -3] == [  # what SQLite wrote
                line + ("," if i < len(entries) - 1 else "") for i, line in enumerate(entries)
            ]
    data = json.loads(text) if fmt == "json" else tomllib.loads(text)
    data = {k: v for k, v in data.items() if k not in ("mlpath_export", "exported_at")}
    return decode_state(data)


def _incoming(state: State) -> list[Change | State]:
    """A state as an import reads it: its log entries one at a time, then its progress."""
    return [*state.log, replace(state, log=())]


def _merged(a: State, b: State, folder: str, source: str = "b") -> tuple[Store, ImportReport]:
    """A database holding ``a``, into which ``b`` is imported."""
    store = Store(Path(folder), clock=lambda: NOW)
    store.update(lambda _: (a, None), full=True)
    return store, store.merge(iter(_incoming(b)), NOW, source)


@settings(max_examples=examples(25), suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(histories(), st.sampled_from(["json", "toml"]))
def test_export_then_import_into_an_empty_home_is_lossless(state: State, fmt: str) -> None:
    incoming = _through_file(state, fmt)
    assert same_progress(incoming, state)  # the file itself loses nothing
    with tempfile.TemporaryDirectory() as folder:
        store, report = _merged(State(), incoming, folder, "export")
        merged = store.load(full=True)
    assert merged.roadmaps == state.roadmaps
    if report.changed:
        assert merged.log[:-1] == state.log and merged.log[-1].action == "import"


@settings(max_examples=examples(25), suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(histories(), histories())
def test_merge_is_idempotent_and_order_independent(a: State, b: State) -> None:
    with tempfile.TemporaryDirectory() as one, tempfile.TemporaryDirectory() as other:
        ab_store, _ = _merged(a, b, one, "b")
        ab = ab_store.load(full=True)
        assert not ab_store.merge(iter(_incoming(b)), NOW, "b").changed
        assert ab_store.load(full=True) == ab
        ba_store, _ = _merged(b, a, other, "a")
        ba = ba_store.load(full=True)
    assert ab.roadmaps == ba.roadmaps
    assert {c.key for c in ab.log[:-1]} | {c.key for c in ba.log[:-1]} <= {
        c.key for c in (*a.log, *b.log)
    }


def test_the_most_recent_change_wins_per_topic_and_per_resource() -> None:
    dl = ROADMAP.topic("deep-learning")
    t = [datetime(2026, 11, d, tzinfo=UTC) for d in range(1, 10)]
    laptop = ops.check(State(), ROADMAP, dl, ("fastai",), t[1]).state  # in progress, day 2
    laptop = ops.uncheck(laptop, ROADMAP.id, dl.id, "fastai", t[5]).state  # unchecked, day 6
    desktop = ops.check(State(), ROADMAP, dl, ("fastai", "deep-learning-book"), t[2]).state
    desktop = ops.mark_done(desktop, ROADMAP.id, dl.id, t[3]).state  # done, day 4
    merged = merge_topic(laptop.topic(ROADMAP.id, dl.id), desktop.topic(ROADMAP.id, dl.id))
    assert merged.status == "done" and merged.done_at == t[3]  # the later status change
    assert set(merged.checked) == {"deep-learning-book"}  # fastai was unchecked later
    assert merged.unchecked == {"fastai": t[5]}


# --- through the command line, with real files ---------------------------------------------


def test_two_machines_end_with_the_same_combined_progress(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a_home, b_home = tmp_path / "a", tmp_path / "b"
    monkeypatch.setenv("MLPATH_HOME", str(a_home))
    run("done", "foundations")
    run("note", "foundations", "--link", "https://github.com/example/ex", "exercises")
    assert run("export", "-o", str(tmp_path / "a.json")).exit_code == 0
    monkeypatch.setenv("MLPATH_HOME", str(b_home))
    run("done", "algorithms", "book")
    run("skip", "nlp")
    assert run("export", "-f", "toml", "-o", str(tmp_path / "b.toml")).exit_code == 0

    imported = run("import", str(tmp_path / "a.json"))
    assert imported.exit_code == 0
    assert "1 topic added, 0 updated, 0 left alone; 1 note" in imported.stdout
    b_progress = json.loads(run("progress", "--json").stdout)
    monkeypatch.setenv("MLPATH_HOME", str(a_home))
    assert run("import", str(tmp_path / "b.toml")).exit_code == 0
    a_progress = json.loads(run("progress", "--json").stdout)
    assert a_progress == b_progress
    assert a_progress["overall"]["done"] == 1 and a_progress["skipped"] == ["nlp-transformers"]
    assert a_progress["in_progress"] == ["algorithms"]


def test_importing_twice_changes_nothing_the_second_time(
    run: Run, tmp_path: Path, state_file: Path
) -> None:
    run("done", "foundations")
    run("export", "-o", str(tmp_path / "mine.json"))
    second = run("import", str(tmp_path / "mine.json"))
    assert second.exit_code == 0
    assert "Nothing to import" in second.stdout


def test_dry_run_writes_nothing(
    run: Run, tmp_path: Path, state_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MLPATH_HOME", str(tmp_path / "other"))
    run("done", "deep-learning")
    run("export", "-o", str(tmp_path / "other.json"))
    monkeypatch.setenv("MLPATH_HOME", str(state_file.parent))
    run("start", "foundations")
    before = state_file.read_bytes()
    result = run("import", str(tmp_path / "other.json"), "--dry-run")
    assert result.exit_code == 0
    assert result.stdout.startswith("Would import") and "1 topic added" in result.stdout
    assert state_file.read_bytes() == before


def test_an_import_is_one_change_that_undo_reverts(
    run: Run, tmp_path: Path, state_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MLPATH_HOME", str(tmp_path / "other"))
    run("done", "deep-learning")
    run("note", "foundations", "from the other machine")
    run("export", "-o", str(tmp_path / "other.json"))
    monkeypatch.setenv("MLPATH_HOME", str(state_file.parent))
    run("start", "foundations")
    before = db_rows(state_file)
    run("import", str(tmp_path / "other.json"))
    assert "from the other machine" in run("show", "foundations").stdout
    undone = run("undo")
    assert undone.stdout.startswith("Undid: imported other.json")
    assert db_rows(state_file) == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ("x = [", "neither JSON nor valid TOML"),
        ('{"mlpath_export": 99, "version": 3}', "comes from a newer mlpath (export format 99)"),
        ('{"mlpath_export": 1, "version": 42}', "comes from a newer mlpath (state format 42)"),
        ('{"hello": "world"}', "not an mlpath export or state file"),
        ("[1, 2, 3]", "not an mlpath export or state file"),
        ('{"mlpath_export": 1, "version": 3, "roadmaps": 5}', "unexpected content"),
        ('{"mlpath_export": 1, "version": 3, "log": [{"at": "soon"}]}', "unexpected content"),
    ],
)
def test_bad_import_files_are_refused_and_change_nothing(
    run: Run, tmp_path: Path, state_file: Path, content: str, message: str
) -> None:
    run("done", "foundations")
    before = state_file.read_bytes()
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    result = run("import", str(bad))
    assert result.exit_code == 1
    assert message in result.stderr and "Traceback" not in result.stderr
    assert state_file.read_bytes() == before


def test_a_state_file_from_another_machine_can_be_imported(
    run: Run, tmp_path: Path, state_file: Path
) -> None:
    fixture = Path(__file__).parent / "fixtures" / "state-v1.toml"
    result = run("import", str(fixture))
    assert result.exit_code == 0
    assert "3 topics added" in result.stdout
    assert json.loads(run("progress", "--json").stdout)["overall"]["done"] == 1


def test_export_refuses_to_overwrite_without_force(run: Run, tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    target.write_text("keep")
    refused = run("export", "-o", str(target))
    assert refused.exit_code == 1 and "--force" in refused.stderr
    assert target.read_text() == "keep"
    assert run("export", "-o", str(target), "--force").exit_code == 0
    assert json.loads(target.read_text())["mlpath_export"] == 1
    assert run("export", "--format", "yaml").exit_code == 2


def test_export_without_output_writes_only_the_document(run: Run) -> None:
    run("done", "foundations")
    out = run("export").stdout
    data = json.loads(out)
    assert data["roadmaps"]["ml-engineer"]["topics"]["foundations"]["status"] == "done"
    assert tomllib.loads(run("export", "-f", "toml").stdout)["version"] == STATE_VERSION


def test_markdown_export_is_a_checklist(run: Run) -> None:
    run("done", "foundations")
    run("done", "deep-learning", "book")
    run("note", "deep-learning", "--link", "https://github.com/example/mlp", "MLP [from] scratch")
    md = run("export", "--format", "markdown").stdout
    assert md.startswith("# Become an ML engineer\n")
    assert "## Machine Learning" in md
    assert "- [x] **Foundations**" in md
    assert "- [ ] **Deep learning** (in progress)" in md
    assert (
        "  - [x] Book: Deep Learning, Goodfellow & Bengio <https://www.deeplearningbook.org/>" in md
    )
    assert "MLP \\[from\\] scratch <https://github.com/example/mlp>" in md


def test_progress_pictures_hold_the_title_and_percentages(run: Run, tmp_path: Path) -> None:
    run("done", "foundations")
    svg, page = tmp_path / "progress.svg", tmp_path / "progress.html"
    result = run("progress", "--svg", str(svg), "--html", str(page))
    assert result.exit_code == 0
    for path in (svg, page):
        text = html.unescape(path.read_text()).replace("\xa0", " ")
        assert "Become an ML engineer" in text
        assert "14%" in text and "33%" in text and "1/7" in text
        assert "█" not in text  # drawn bars, not the terminal's blocks
    assert svg.read_text().lstrip().startswith("<svg")


def test_json_errors_go_to_stderr(run: Run) -> None:
    result = run("show", "nope", "--json")
    assert result.exit_code == 2
    assert result.stdout == "" and "no topic 'nope'" in result.stderr


@settings(max_examples=examples(25), suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(histories(), histories())
def test_undo_of_an_import_restores_the_state_before_it(a: State, b: State) -> None:
    with tempfile.TemporaryDirectory() as folder:
        store, report = _merged(a, b, folder)
        merged = store.load(full=True)
        if report.changed:
            assert store.undo() == merged.log[-1]
        assert same_progress(store.load(full=True), a)


# --- reading an import a piece at a time -------------------------------------------------------

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**18), 10**18)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=10,
)
documents = st.dictionaries(
    st.sampled_from(["journal", "log", "version", "roadmaps", "mlpath_export"])
    | st.text(max_size=6),
    json_values,
    max_size=5,
)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(documents, st.integers(1, 40), st.booleans())
def test_json_read_in_pieces_gives_what_a_whole_parse_gives(
    document: dict[str, object], size: int, indent: bool
) -> None:
    text = json.dumps(document, indent=2 if indent else None)
    pieces = [text[i : i + size] for i in range(0, len(text), size)]
    assert list(json_members(pieces)) == list(document_items(json.loads(text)))


def test_a_value_over_many_pieces_is_parsed_a_few_times_not_once_a_piece(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # One topic holding 20,000 notes, read 64 characters at a time: parsing it again at
    # every piece (20,000 times) took time growing with the square of its size.
    notes = [{"at": "2026-11-01T10:00:00+00:00", "text": f"note {i}"} for i in range(20_000)]
    document = {"version": 5, "roadmaps": {"m": {"topics": {"t": {"notes": notes}}}}}
    text = json.dumps(document)
    attempts = 0
    parse = json.JSONDecoder.raw_decode

    def counted(self: json.JSONDecoder, s: str, idx: int = 0) -> tuple[object, int]:
        nonlocal attempts
        attempts += 1
        return parse(self, s, idx)

    monkeypatch.setattr(json.JSONDecoder, "raw_decode", counted)
    read = list(json_members(text[i : i + 64] for i in range(0, len(text), 64)))
    assert read == list(document_items(document))
    assert attempts < 40  # the value's text doubles before each new try


@pytest.mark.parametrize(
    "text", ['{"a": 1', '{"a" 1}', '{"journal": [1, 2', '{"a": 1} x', '{"a": 1,}']
)
def test_broken_json_read_in_pieces_is_refused(text: str) -> None:
    with pytest.raises(NotJson):
        list(json_members([text[:3], text[3:]]))


@pytest.mark.parametrize(
    "number", ["1" + "0" * 5000, "-" + "9" * 25, "1e400", "Infinity", "-Infinity", "NaN"]
)
def test_numbers_beyond_bounds_are_refused_before_conversion(number: str) -> None:
    text = '{"version": 5, "roadmaps": {"m": {"topics": {"t": {"minutes": ' + number + "}}}}}"
    with pytest.raises(NotJson, match="number"):
        list(json_members([text]))


def test_an_export_read_in_pieces_imports_like_a_whole_one(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MLPATH_HOME", str(tmp_path / "a"))
    for i in range(30):
        run("note", "foundations", f"note {i} " + "é" * (i * 37 % 500))  # pieces split letters
        run("log", "dl", f"{i + 1}m")
    run("done", "foundations", "book")
    run("export", "-o", str(tmp_path / "a.json"))
    monkeypatch.setenv("MLPATH_HOME", str(tmp_path / "b"))
    result = run("import", str(tmp_path / "a.json"))
    assert "2 topics added" in result.stdout and "61 history entries added" in result.stdout
    progress_b = run("progress", "--json").stdout
    monkeypatch.setenv("MLPATH_HOME", str(tmp_path / "a"))
    assert run("progress", "--json").stdout == progress_b


@settings(max_examples=examples(25), suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(histories(), histories())
def test_a_dry_run_reports_what_the_import_does_and_writes_nothing(a: State, b: State) -> None:
    with tempfile.TemporaryDirectory() as folder:
        store = Store(Path(folder), clock=lambda: NOW)
        store.update(lambda _: (a, None), full=True)
        before = db_rows(store.path)
        told = store.merge(iter(_incoming(b)), NOW, "b", dry_run=True)
        assert db_rows(store.path) == before
        assert store.merge(iter(_incoming(b)), NOW, "b") == told


@settings(max_examples=examples(25), suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(histories(), histories())
def test_a_merge_combines_each_topic_by_the_rule_of_two_machines(a: State, b: State) -> None:
    with tempfile.TemporaryDirectory() as folder:
        merged = _merged(a, b, folder)[0].load(full=True)
    for roadmap_id in {*a.roadmaps, *b.roadmaps}:
        for topic_id in {*a.roadmaps.get(roadmap_id, {}), *b.roadmaps.get(roadmap_id, {})}:
            mine = a.roadmaps.get(roadmap_id, {}).get(topic_id)
            theirs = b.roadmaps.get(roadmap_id, {}).get(topic_id)
            expected = merge_topic(mine, theirs)
            assert merged.topic(roadmap_id, topic_id) == expected, (roadmap_id, topic_id)
