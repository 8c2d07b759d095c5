"""Sync through a git remote, and a mentor's cohort view: real git against local bare
repositories, real mlpath processes, one home each."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import tomllib
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from conftest import NOW, db_rows

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def _env(home: Path, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "MLPATH_HOME": str(home),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        **extra,
    }
    return env


def mlpath(home: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    """mlpath with ``args`` on ``home``, run in this process through the installed entry
    point's app (git runs as a real program; the tests of processes at once start
    mlpath as processes themselves)."""
    from typer.testing import CliRunner

    from mlpath.cli import lean_app

    result = CliRunner().invoke(
        lean_app(list(args)), list(args), env=_env(home, **extra), catch_exceptions=False
    )
    return subprocess.CompletedProcess(args, result.exit_code, result.stdout, result.stderr)


def ok(home: Path, *args: str) -> str:
    done = mlpath(home, *args)
    assert done.returncode == 0, (args, done.stderr)
    return done.stdout


def bare(tmp_path: Path, name: str = "remote.git") -> Path:
    path = tmp_path / name
    subprocess.run(["git", "init", "-q", "--bare", str(path)], check=True)
    return path


def commits(remote: Path) -> int:
    done = subprocess.run(
        ["git", "-C", str(remote), "rev-list", "--count", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    )
    return int(done.stdout.strip() or 0)


def two_homes(tmp_path: Path, *init: str) -> tuple[Path, Path, Path]:
    """A bare remote, and two homes that 'mlpath sync init' it (with ``init``'s options)."""
    remote = bare(tmp_path)
    a, b = tmp_path / "a", tmp_path / "b"
    for home in (a, b):
        ok(home, "sync", "init", str(remote), *init)
    return remote, a, b


def test_two_machines_end_the_same_and_a_mentor_sees_them_as_one_learner(
    tmp_path: Path,
) -> None:
    remote, a, b = two_homes(tmp_path, "--name", "Ana Lima")
    ok(a, "done", "foundations")
    ok(a, "done", "deep-learning")
    ok(a, "note", "foundations", "Finished the linear algebra chapter")
    assert "no other device of yours has synced yet; sent ana-lima/" in ok(a, "sync")
    ok(b, "start", "algorithms")
    brought = ok(b, "sync")
    assert "brought 2 topics changed, 1 note" in brought and "from 1 other device" in brought
    ok(a, "sync")
    assert ok(a, "progress", "--json") == ok(b, "progress", "--json")
    assert "Finished the linear algebra chapter" in ok(b, "show", "foundations")
    before = commits(remote)
    for home in (a, b):  # again: nothing new either way
        assert "nothing new from 1 other device; nothing new to send" in ok(home, "sync")
    assert commits(remote) == before
    shown = json.loads(  # a path relative to where the mentor is
        subprocess.run(
            [sys.executable, "-m", "mlpath", "cohort", remote.name, "--json"],
            env=_env(tmp_path / "mentor"),
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    (learner,) = shown["learners"]
    assert learner["name"] == "Ana Lima" and len(learner["files"]) == 2
    assert (learner["done"], learner["total"]) == (2, 7)
    assert learner["current"] == {
        "id": "algorithms",
        "title": learner["current"]["title"],
        "started": True,
    }
    on = {t["id"]: (t["on"], t["past"]) for t in shown["topics"]}
    assert on["foundations"] == (0, 1) and on["algorithms"] == (1, 0)


def test_graded_reviews_travel_through_a_sync(tmp_path: Path) -> None:
    _, a, b = two_homes(tmp_path)
    ok(a, "done", "foundations", "--on", "20 days ago")
    ok(a, "reviewed", "foundations", "--recall", "hard", "--on", "10 days ago")
    ok(a, "sync")
    ok(b, "sync")
    ok(b, "reviewed", "foundations", "--recall", "again")
    ok(b, "sync")
    ok(a, "sync")
    on_a, on_b = (json.loads(ok(h, "review", "--json")) for h in (a, b))
    assert on_a == on_b
    [entry] = on_a["due"] + on_a["upcoming"]
    assert entry["grade"] == "again" and entry["review"] == 3  # the finish, hard, again


def test_a_sync_is_one_change_that_undo_reverts(tmp_path: Path) -> None:
    _, a, b = two_homes(tmp_path)
    ok(a, "done", "foundations")
    ok(a, "sync")
    before = ok(b, "progress", "--json")
    ok(b, "sync")
    assert ok(b, "progress", "--json") != before
    assert "Undid" in ok(b, "undo")
    assert ok(b, "progress", "--json") == before


def test_three_machines_syncing_at_once_agree_after_two_rounds(tmp_path: Path) -> None:
    remote = bare(tmp_path)
    homes = [tmp_path / name for name in ("a", "b", "c")]
    for home, topic in zip(homes, ("foundations", "algorithms", "nlp-transformers"), strict=True):
        ok(home, "sync", "init", str(remote), "--name", "Sam")
        ok(home, "done", topic)
    for _ in range(2):
        running = [
            subprocess.Popen(
                [sys.executable, "-m", "mlpath", "sync"],
                env=_env(home),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for home in homes
        ]
        for process in running:
            _, err = process.communicate(timeout=120)
            assert process.returncode == 0, err
    documents = {ok(home, "progress", "--json") for home in homes}
    assert len(documents) == 1
    assert json.loads(documents.pop())["overall"]["done"] == 3


def test_offline_the_state_is_untouched_and_one_sentence_says_why(tmp_path: Path) -> None:
    remote = bare(tmp_path)
    a = tmp_path / "a"
    ok(a, "sync", "init", str(remote))
    ok(a, "done", "foundations")
    ok(a, "sync")
    ok(a, "done", "algorithms")
    rows = db_rows(a / "state.db")
    shutil.rmtree(remote)
    failed = mlpath(a, "sync")
    assert failed.returncode == 1
    assert failed.stderr.startswith(f"mlpath: cannot reach the sync remote {remote}")
    assert failed.stderr.count("\n") == 1 and "Nothing was changed." in failed.stderr
    assert "does not appear to be a git repository" in failed.stderr  # git's reason
    assert "Traceback" not in failed.stderr
    assert db_rows(a / "state.db") == rows


def test_no_remote_yet_and_no_git_are_clear(tmp_path: Path) -> None:
    a = tmp_path / "a"
    none = mlpath(a, "sync")
    assert none.returncode == 2 and "mlpath sync init URL" in none.stderr
    ok(a, "sync", "init", str(bare(tmp_path)))
    python_only = tmp_path / "bin"
    python_only.mkdir()
    (python_only / "python").symlink_to(sys.executable)
    no_git = mlpath(a, "sync", PATH=str(python_only))
    assert no_git.returncode == 1 and "git is not installed" in no_git.stderr


def test_a_damaged_export_in_the_remote_is_skipped_and_the_rest_goes_on(
    tmp_path: Path,
) -> None:
    remote, a, b = two_homes(tmp_path, "--name", "Ana")
    ok(a, "done", "foundations")
    ok(a, "sync")

    def damage(work: Path) -> None:
        (work / "ana" / "broken.json").write_text('{"mlpath_export": 1, "roadm', "utf-8")
        (work / "ana" / "newer.json").write_text('{"mlpath_export": 99}', encoding="utf-8")

    _tamper(tmp_path, remote, damage)
    synced = mlpath(b, "sync")
    assert synced.returncode == 0, synced.stderr
    assert "skipped ana/broken.json: it is not valid JSON" in synced.stderr
    assert "skipped ana/newer.json: it comes from a newer mlpath" in synced.stderr
    assert json.loads(ok(b, "progress", "--json"))["overall"]["done"] == 1


def test_notes_stay_home_with_no_notes(tmp_path: Path) -> None:
    remote = bare(tmp_path)
    a = tmp_path / "a"
    ok(a, "sync", "init", str(remote), "--name", "Ana", "--no-notes")
    ok(a, "note", "foundations", "private thought", "--link", "https://example.org/mine")
    ok(a, "done", "foundations")
    ok(a, "sync")
    shown = subprocess.run(
        ["git", "-C", str(remote), "log", "-p", "HEAD"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert '"status":"done"' in shown
    assert "private thought" not in shown and "example.org/mine" not in shown
    assert "private thought" in ok(a, "show", "foundations")  # still here


# --- cohort ------------------------------------------------------------------------------


def _export(topics: dict[str, dict[str, Any]], learner: str | None = None) -> str:
    document: dict[str, Any] = {"mlpath_export": 1, "version": 5}
    if learner:
        document["learner"] = learner
    document["roadmaps"] = {"ml-engineer": {"topics": topics}}
    return json.dumps(document)


def test_cohort_of_thirty_learners_with_a_damaged_file(tmp_path: Path) -> None:
    folder = tmp_path / "cohort"
    folder.mkdir()
    now = NOW
    order = ["foundations", "deep-learning", "nlp-transformers", "algorithms"]
    for n in range(30):
        topics: dict[str, dict[str, Any]] = {}
        for topic in order[: n % 4]:
            at = (now - timedelta(days=2)).isoformat()
            topics[topic] = {"status": "done", "done_at": at, "updated_at": at}
        started = now - timedelta(weeks=5 if n == 7 else 1)
        topics[order[n % 4]] = {
            "status": "in-progress",
            "started_at": started.isoformat(),
            "updated_at": started.isoformat(),
        }
        (folder / f"learner-{n:02d}.json").write_text(_export(topics), encoding="utf-8")
    old = (now - timedelta(days=60)).isoformat()
    overdue = {"foundations": {"status": "done", "done_at": old, "updated_at": old}}
    (folder / "zoe.json").write_text(_export(overdue, "Zoë"), encoding="utf-8")
    (folder / "broken.json").write_text("{not json", encoding="utf-8")
    shown = mlpath(tmp_path / "mentor", "cohort", str(folder), "--json")
    assert shown.returncode == 0, shown.stderr
    assert "skipped broken.json" in shown.stderr
    document = json.loads(shown.stdout)
    assert document["skipped"] == ["broken.json"]
    learners = {entry["name"]: entry for entry in document["learners"]}
    assert len(learners) == 31
    assert learners["learner-07"]["stuck"] == ["algorithms"]  # 5 weeks in progress
    assert learners["learner-03"]["done"] == 3 and learners["learner-03"]["stuck"] == []
    assert learners["Zoë"]["reviews_overdue"] == 1
    on = {t["id"]: (t["on"], t["past"]) for t in document["topics"]}
    assert on["foundations"] == (8, 23)  # 8 on it (n % 4 == 0); 22 past it, and Zoë
    narrow = mlpath(tmp_path / "mentor", "cohort", str(folder), COLUMNS="40").stdout
    assert "Zoë  " in narrow and "current: algorithms" in narrow  # a learner's lines, whole
    assert "\nengineering-practices " in narrow  # ids whole, the bars given up
    drawn = mlpath(tmp_path / "mentor", "cohort", str(folder), "--html", str(tmp_path / "c.html"))
    assert drawn.returncode == 0, drawn.stderr
    assert drawn.stdout == f"Saved the cohort page to {tmp_path / 'c.html'}.\n"  # not the view too
    page = (tmp_path / "c.html").read_text(encoding="utf-8")
    assert "<title>Become an ML engineer: cohort</title>" in page and "Zoë" in page
    assert "default-src 'none'" in page and "<script" not in page
    assert 'aria-label="23 of 31 past it"' in page  # foundations, drawn as a bar


def test_a_cohort_folder_reads_plain_files_only_and_names_the_rest(tmp_path: Path) -> None:
    folder, secrets = tmp_path / "cohort", tmp_path / "secrets"
    (folder / "ana-lima").mkdir(parents=True)
    secrets.mkdir()
    done = {"status": "done", "done_at": NOW.isoformat(), "updated_at": NOW.isoformat()}
    (folder / "bo.json").write_text(_export({"foundations": done}), encoding="utf-8")
    (folder / "ana-lima" / "laptop.json").write_text(_export({"algorithms": done}), "utf-8")
    (secrets / "eve.json").write_text(_export({"nlp-transformers": done}), encoding="utf-8")
    (folder / "linked.json").symlink_to(secrets / "eve.json")
    (folder / "elsewhere").symlink_to(secrets)
    os.mkfifo(folder / "ana-lima" / "pipe.json")
    (folder / "ana-lima" / "deeper").mkdir()
    (folder / "ana-lima" / "deeper" / "old.json").write_text(_export({}), encoding="utf-8")
    (folder / "forged\nmlpath: all good.json").write_text("{", encoding="utf-8")
    shown = mlpath(tmp_path / "mentor", "cohort", str(folder), "--json")
    assert shown.returncode == 0, shown.stderr
    names = {entry["name"] for entry in json.loads(shown.stdout)["learners"]}
    assert names == {"bo", "ana-lima"}  # nothing read through a link, a FIFO or deeper
    assert "skipped 'linked.json' in the cohort: it is a symbolic link" in shown.stderr
    assert "skipped 'elsewhere' in the cohort: it is a symbolic link" in shown.stderr
    assert "skipped 'ana-lima/pipe.json' in the cohort: it is not a folder" in shown.stderr
    assert "\nmlpath: all good" not in shown.stderr and "forged\\x0amlpath" in shown.stderr


def test_cohort_refuses_what_is_neither_folder_nor_repository(tmp_path: Path) -> None:
    missing = mlpath(tmp_path / "mentor", "cohort", str(tmp_path / "nowhere"))
    assert missing.returncode == 2 and "no such folder" in missing.stderr
    unreachable = mlpath(tmp_path / "mentor", "cohort", str(tmp_path / "gone.git"))
    assert unreachable.returncode == 1 and "cannot read the git repository" in unreachable.stderr


def test_a_remote_that_refuses_the_key_says_to_check_credentials(tmp_path: Path) -> None:
    ssh = tmp_path / "fake-ssh"
    ssh.write_text(
        "#!/bin/sh\necho 'git@example.org: Permission denied (publickey).' >&2\nexit 255\n"
    )
    ssh.chmod(0o755)
    a = tmp_path / "a"
    _remembered(a, "git@example.org:me/progress.git")  # reachable once, refusing the key now
    refused = mlpath(a, "sync", GIT_SSH_COMMAND=str(ssh))
    assert refused.returncode == 1
    assert "Permission denied (publickey)" in refused.stderr
    assert (
        "Check your git credentials" in refused.stderr and "Nothing was changed." in refused.stderr
    )


def _refusing(remote: Path, message: str) -> Path:
    hook = remote / "hooks" / "pre-receive"
    hook.write_text(f"#!/bin/sh\necho '{message}' >&2\nexit 1\n")
    hook.chmod(0o755)
    return hook


def test_a_push_the_remote_refuses_is_an_error_every_time_until_it_is_accepted(
    tmp_path: Path,
) -> None:
    remote = bare(tmp_path)
    home = tmp_path / "a"
    ok(home, "sync", "init", str(remote))
    ok(home, "done", "foundations")
    hook = _refusing(remote, "pushes are closed today")
    for _ in range(2):  # the second time too: never "nothing new to send"
        refused = mlpath(home, "sync")
        assert refused.returncode == 1, refused.stdout
        assert "refused what this device sent" in refused.stderr
        assert "pushes are closed today" in refused.stderr
        assert "other devices" not in refused.stderr and "Traceback" not in refused.stderr
        assert commits(remote) == 0
    hook.unlink()
    sent = mlpath(home, "sync")
    assert sent.returncode == 0 and "sent " in sent.stdout
    assert commits(remote) == 1
    again = mlpath(home, "sync")
    assert again.returncode == 0 and "nothing new to send" in again.stdout


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A local HTTP address whose server takes connections and never answers (for at
    most a minute: it stops by itself)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.2)
    held: list[socket.socket] = []
    stop = threading.Event()

    def hold() -> None:
        deadline = time.monotonic() + 60
        while not stop.is_set() and time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                held.append(server.accept()[0])

    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}/progress.git"
    stop.set()
    thread.join()
    for connection in held:
        connection.close()
    server.close()


def _remembered(home: Path, remote: str) -> None:
    """A sync remote in the settings file, as 'sync init' saved it when it answered."""
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text(tomli_w.dumps({"sync": {"remote": remote}}))


def _set_timeout(home: Path, value: object) -> None:
    config = home / "config.toml"
    data = tomllib.loads(config.read_text(encoding="utf-8"))
    data["sync"]["timeout"] = value
    config.write_text(tomli_w.dumps(data), encoding="utf-8")


def test_a_silent_remote_is_given_up_within_the_time_limit_and_says_so(
    tmp_path: Path, silent_server: str
) -> None:
    home = tmp_path / "a"
    _remembered(home, silent_server)  # a remote that answered at init, silent now
    _set_timeout(home, 3)
    began = time.monotonic()
    stuck = mlpath(home, "sync")
    waited = time.monotonic() - began
    assert stuck.returncode == 1
    assert "waiting for the sync remote" in stuck.stderr
    assert "did not answer within 3 seconds" in stuck.stderr and "Traceback" not in stuck.stderr
    assert waited < 20  # the limit, not git's own five minutes


def test_a_time_limit_outside_its_range_is_refused(tmp_path: Path) -> None:
    remote = bare(tmp_path)
    home = tmp_path / "a"
    ok(home, "sync", "init", str(remote))
    _set_timeout(home, 0)
    refused = mlpath(home, "sync")
    assert refused.returncode == 1 and "[sync] timeout = 0" in refused.stderr
    assert commits(remote) == 0


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=x", "-c", "user.email=x@x", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        env=_env(cwd),
    )


def _tamper(tmp_path: Path, remote: Path, change: Callable[[Path], None]) -> None:
    """Someone who can push to the remote changes its files."""
    work = tmp_path / "attacker"
    subprocess.run(["git", "clone", "-q", str(remote), str(work)], check=True, env=_env(work))
    change(work)
    _git(work, "add", "-A")
    _git(work, "commit", "-q", "-m", "tamper")
    _git(work, "push", "-q", "origin", "HEAD")


def test_a_learner_folder_made_a_symlink_writes_nothing_outside_the_home(tmp_path: Path) -> None:
    remote = bare(tmp_path)
    home = tmp_path / "a"
    ok(home, "sync", "init", str(remote), "--name", "Ana Lima")
    ok(home, "done", "foundations")
    ok(home, "sync")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "precious.json").write_text("keep me")

    def link(work: Path) -> None:
        shutil.rmtree(work / "ana-lima")
        (work / "ana-lima").symlink_to(outside)

    _tamper(tmp_path, remote, link)
    ok(home, "note", "foundations", "written after the attack")
    before = db_rows(home / "state.db")
    attacked = mlpath(home, "sync")
    assert attacked.returncode == 1 and "not a plain folder" in attacked.stderr
    assert sorted(p.name for p in outside.iterdir()) == ["precious.json"]
    assert (outside / "precious.json").read_text() == "keep me"
    assert db_rows(home / "state.db") == before  # nothing merged


def test_entries_that_break_the_rules_are_named_and_skipped_and_the_rest_syncs(
    tmp_path: Path,
) -> None:
    remote, a, b = two_homes(tmp_path, "--name", "Sam")
    ok(a, "done", "foundations")
    ok(a, "sync")
    secret = tmp_path / "secret.json"
    secret.write_text(json.dumps({"not": "yours"}))

    def plant(work: Path) -> None:
        (work / "sam" / "stolen.json").symlink_to(secret)
        (work / "Bad Folder").mkdir()
        (work / "Bad Folder" / "x.json").write_text("{}")
        (work / "sam" / "big.json").write_bytes(b" " * 10)  # fine size, not an export
        (work / "README.md").write_text("a plain file beside the folders is left alone")

    _tamper(tmp_path, remote, plant)
    synced = mlpath(b, "sync")
    assert synced.returncode == 0, synced.stderr
    assert "'sam/stolen.json'" in synced.stderr and "symbolic link" in synced.stderr
    assert "'Bad Folder'" in synced.stderr and "README" not in synced.stderr
    shown = json.loads(ok(b, "show", "foundations", "--json"))
    assert shown["topic"]["status"] == "done"  # a's export still came through


@pytest.mark.parametrize(
    ("remote", "why"),
    [("--mirror=push", "starts with '-'"), ("a\x00b", "control character"), ("x\ny", "control")],
)
def test_a_remote_in_the_settings_file_is_checked_as_sync_init_checks_it(
    tmp_path: Path, remote: str, why: str
) -> None:
    home = tmp_path / "a"
    home.mkdir()
    (home / "config.toml").write_text(tomli_w.dumps({"sync": {"remote": remote}}))
    refused = mlpath(home, "sync")
    assert refused.returncode == 1 and why in refused.stderr
    assert "\x00" not in refused.stderr and refused.stderr.count("\n") == 1
    assert not (home / "sync").exists()  # git never ran
    doctor = mlpath(home, "doctor")
    assert doctor.returncode == 1 and "sync remote mlpath will not use" in doctor.stdout
    assert mlpath(home, "sync", "init", remote).returncode == 2


def test_sync_init_keeps_a_relative_path_absolute_and_refuses_a_remote_git_cannot_reach(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    bare(tmp_path)
    monkeypatch.chdir(tmp_path)  # where the remote is: 'remote.git' names it from here
    said = ok(home, "sync", "init", "remote.git")
    assert f"Sync remote: {tmp_path / 'remote.git'}." in said
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    ok(home, "done", "foundations")
    assert "sent" in ok(home, "sync")
    config = (home / "config.toml").read_bytes()
    refused = mlpath(home, "sync", "init", "/nonexistent/remote.git")
    assert refused.returncode == 1
    assert "git cannot reach /nonexistent/remote.git" in refused.stderr
    assert "Nothing was saved" in refused.stderr
    assert (home / "config.toml").read_bytes() == config


def test_a_remote_url_is_kept_as_given_and_a_path_made_absolute(tmp_path: Path) -> None:
    from mlpath.services.sync import absolute_remote

    for url in ("git@github.com:me/p.git", "https://example.org/p.git", "ssh://h/p.git"):
        assert absolute_remote(url, tmp_path) == url
    assert absolute_remote("../r.git", tmp_path / "a") == str(tmp_path / "r.git")
    assert absolute_remote(str(tmp_path / "r.git"), Path("/")) == str(tmp_path / "r.git")
    assert absolute_remote("~/r.git", tmp_path) == str(Path("~/r.git").expanduser())
