"""Where the state lives and how it is written: real files in a temporary MLPATH_HOME."""

from __future__ import annotations

import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from mlpath.errors import StateError
from mlpath.progress import STATE_VERSION, State, Status, mark_done
from mlpath.store import Store, data_dir

NOW = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)


def _done(state: State, topic: str = "foundations") -> tuple[State, None]:
    return mark_done(state, "ml-engineer", topic, NOW).state, None


def test_mlpath_home_is_read_on_every_call(
    mlpath_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert data_dir() == mlpath_home
    monkeypatch.setenv("MLPATH_HOME", str(tmp_path / "elsewhere"))
    assert data_dir() == tmp_path / "elsewhere"
    assert Store().path == tmp_path / "elsewhere" / "state.toml"


def test_without_mlpath_home_uses_platform_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MLPATH_HOME")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert data_dir() == tmp_path / "xdg" / "mlpath"


def test_empty_home_loads_empty_state(mlpath_home: Path) -> None:
    assert Store().load(full=True) == State()
    assert not mlpath_home.exists()  # reading creates nothing


def test_round_trip(mlpath_home: Path) -> None:
    store = Store()
    store.update(_done)
    loaded = store.load(full=True)
    progress = loaded.topic("ml-engineer", "foundations")
    assert progress.status is Status.DONE
    assert progress.done_at == NOW
    assert loaded.topic("ml-engineer", "deep-learning").status is Status.NOT_STARTED


def test_state_and_folder_are_private(mlpath_home: Path) -> None:
    Store().update(_done)
    assert stat.S_IMODE((mlpath_home / "state.toml").stat().st_mode) == 0o600
    assert stat.S_IMODE(mlpath_home.stat().st_mode) == 0o700


def test_permissions_are_kept_across_writes(mlpath_home: Path) -> None:
    store = Store()
    store.update(_done)
    store.path.chmod(0o640)
    store.update(lambda s: _done(s, "algorithms"))
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o640


def test_backup_holds_the_previous_version(mlpath_home: Path) -> None:
    store = Store()
    store.update(_done)
    first = store.path.read_bytes()
    assert not store.backup_path.exists()
    store.update(lambda s: _done(s, "algorithms"))
    assert store.backup_path.read_bytes() == first
    assert store.path.read_bytes() != first


def test_unchanged_state_is_not_rewritten(mlpath_home: Path) -> None:
    store = Store()
    store.update(_done)
    mtime = store.path.stat().st_mtime_ns
    store.update(_done)  # already done: same state object back
    assert store.path.stat().st_mtime_ns == mtime
    assert not store.backup_path.exists()


def test_lock_file_is_separate_and_kept(mlpath_home: Path) -> None:
    store = Store()
    store.update(_done)
    assert store.lock_path.exists()
    assert sorted(p.name for p in mlpath_home.iterdir()) == ["state.toml", "state.toml.lock"]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "no valid format 'version'"),
        (b"version = 1\nprogress = [", "not valid TOML"),
        (b"\xff\xfe garbage", "not UTF-8"),
        (b'version = 1\nprogress = "nope"\n', "expected a table"),
        (b'version = 1\n[progress.ml-engineer.foundations]\nstatus = "finished"\n', "status"),
        (b'version = 1\n[progress.ml-engineer.foundations]\ndone_at = "yesterday"\n', "done_at"),
        (b"version = 1\nsurprise = 1\n", "unknown key 'surprise'"),
    ],
)
def test_bad_state_is_refused_untouched(mlpath_home: Path, content: bytes, expected: str) -> None:
    mlpath_home.mkdir()
    path = mlpath_home / "state.toml"
    path.write_bytes(content)
    store = Store()
    with pytest.raises(StateError, match=expected) as caught:
        store.load(full=True)
    assert str(path) in str(caught.value)
    with pytest.raises(StateError):
        store.update(_done)
    assert path.read_bytes() == content


def test_refusal_points_to_the_backup_when_there_is_one(mlpath_home: Path) -> None:
    store = Store()
    store.update(_done)
    store.update(lambda s: _done(s, "algorithms"))
    store.path.write_bytes(b"not toml [")
    with pytest.raises(StateError, match=r"Run 'mlpath doctor' to see how to restore the backup"):
        store.load(full=True)


# --- migrations ------------------------------------------------------------------------

FIXTURES = Path(__file__).parent / "fixtures"


def test_format_1_file_loads_without_loss(mlpath_home: Path) -> None:
    mlpath_home.mkdir()
    (mlpath_home / "state.toml").write_bytes((FIXTURES / "state-v1.toml").read_bytes())
    state = Store().load(full=True)
    foundations = state.topic("ml-engineer", "foundations")
    assert foundations.status is Status.DONE
    assert foundations.done_at == datetime.fromisoformat("2026-11-20T08:15:00+01:00")
    assert foundations.done_at is not None and foundations.done_at.utcoffset() is not None
    assert state.topic("ml-engineer", "old-topic").status is Status.DONE
    assert state.topic("my-team-path", "onboarding").status is Status.DONE
    assert state.log == ()


def test_format_1_file_is_rewritten_as_current_on_next_write(mlpath_home: Path) -> None:
    mlpath_home.mkdir()
    original = (FIXTURES / "state-v1.toml").read_bytes()
    (mlpath_home / "state.toml").write_bytes(original)
    store = Store()
    store.update(lambda s: _done(s, "algorithms"))
    assert store.backup_path.read_bytes() == original
    text = store.path.read_text()
    assert text.startswith(f"version = {STATE_VERSION}")
    state = store.load(full=True)
    assert state.topic("ml-engineer", "foundations").status is Status.DONE
    assert state.topic("ml-engineer", "algorithms").status is Status.DONE
    assert state.topic("my-team-path", "onboarding").status is Status.DONE


def test_format_2_file_gains_updated_at_from_its_dates(mlpath_home: Path) -> None:
    mlpath_home.mkdir()
    (mlpath_home / "state.toml").write_bytes((FIXTURES / "state-v2.toml").read_bytes())
    state = Store().load(full=True)
    dl = state.topic("ml-engineer", "deep-learning")
    assert dl.status is Status.DONE
    assert dl.updated_at == datetime.fromisoformat("2026-11-24T18:00:00+01:00")  # done_at
    assert set(dl.checked) == {"deep-learning-book", "fastai"}
    assert [n.text for n in dl.notes] == ["MLP from scratch"]
    assert dl.notes[0].link == "https://github.com/example/mlp"
    assert [c.action for c in state.log] == ["start", "check", "note", "done"]
    assert state.log[1].resources == ("deep-learning-book", "fastai")
    skipped = state.topic("ml-engineer", "nlp-transformers")
    assert skipped.status is Status.SKIPPED and skipped.updated_at == skipped.skipped_at


def test_format_3_file_loads_and_comes_due_for_review(mlpath_home: Path) -> None:
    mlpath_home.mkdir()
    (mlpath_home / "state.toml").write_bytes((FIXTURES / "state-v3.toml").read_bytes())
    state = Store().load(full=True)
    foundations = state.topic("ml-engineer", "foundations")
    assert foundations.status is Status.DONE
    assert foundations.unchecked == {
        "mml-linear-algebra": datetime.fromisoformat("2026-11-12T10:00:00+01:00")
    }
    assert foundations.sessions == () and foundations.reviews == ()
    assert [c.action for c in state.log] == ["done"]
    Store().update(lambda s: _done(s, "algorithms"))
    assert Store().path.read_text().startswith(f"version = {STATE_VERSION}")
