"""Sync through a git remote the learner owns: the ``git`` program, run without a shell.

The remote holds one export per device, ``<learner>/<device>.json`` (see
:func:`mlpath.core.exchange.sync_document`); the live database never goes there. A local
clone under the data folder (``sync/``) is only a way to the remote: it is reset to the
remote's branch at every sync, so nothing in it needs keeping.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from mlpath.core.errors import MlpathError
from mlpath.storage.settings import SYNC_TIMEOUT_SECONDS

if TYPE_CHECKING:
    from mlpath.core.exchange import ImportReport
    from mlpath.storage.database import Store

#: The branch used when the remote names none (the remote's own default comes first).
BRANCH = "main"
#: How often a push rejected because another device pushed meanwhile is tried again.
ATTEMPTS = 5
#: How long one git command may take, in seconds, unless the settings file's
#: ``[sync] timeout`` says otherwise (1 to 3600); and how long a remote may stay silent.
TIMEOUT_SECONDS = SYNC_TIMEOUT_SECONDS
#: After this long, mlpath says what it is waiting for.
SAY_WAITING_AFTER = 2.0
#: What git says when the remote moved on since the fetch: a race with another device
#: (two first pushes to an empty remote race on creating the branch's ref).
_REJECTED = re.compile(
    r"\[rejected\]|non-fast-forward|fetch first|failed to update ref|cannot lock ref|"
    r"incorrect old value|reference already exists"
)
#: The remote itself refusing (a hook, a protected branch): ``[remote rejected] ... (why)``.
_REFUSED = re.compile(r"\[remote rejected\][^(\n]*\(([^)\n]*)\)")


#: What git says when the remote wants credentials it was not given.
_AUTHENTICATION = re.compile(
    r"Authentication failed|could not read Username|Permission denied \(publickey|"
    r"terminal prompts disabled",
    re.IGNORECASE,
)


class SyncError(MlpathError):
    """git is missing, the remote cannot be reached, or git refused (exit 1)."""


class Rejected(SyncError):
    """The push was refused because the remote has commits this clone lacks."""


@dataclass(frozen=True)
class Device:
    """Who this device is in the repository: the learner's folder and its own file."""

    learner: str  # the name shown to a mentor
    device: str  # a slug, unique per device

    @property
    def folder(self) -> str:
        return learner_slug(self.learner)

    @property
    def file(self) -> str:
        return f"{self.folder}/{self.device}.json"


def learner_slug(name: str) -> str:
    """A folder name for a learner: ASCII letters, digits and hyphens."""
    import unicodedata

    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "-".join(re.findall(r"[a-z0-9]+", ascii_name.lower()))[:60] or "learner"


def remote_problem(value: object) -> str | None:
    """Why a value cannot be a sync remote, or None: the one rule for ``sync init`` and for
    the remote in the settings file. git gets it as an argument, never as an option, and
    nothing it echoes can carry a control character."""
    if not isinstance(value, str) or not value.strip():
        return "a sync remote is a git URL or the path of a repository"
    if value.startswith("-"):
        return f"{value[:40]!r} starts with '-', which git would read as an option"
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        return f"{value[:40]!r} holds a control character (a line feed, a NUL...)"
    if len(value) > 2000:
        return "a sync remote is at most 2,000 characters"
    return None


#: A remote git reads as host:path (``git@github.com:me/p.git``): a colon before any slash.
_SCP_LIKE = re.compile(r"^[^/:]+:")


def absolute_remote(value: str, here: Path) -> str:
    """A remote as git finds it from any folder: a URL or ``host:path`` as given; a
    local path made absolute from ``here`` (where ``sync init`` was run), so that
    ``sync init remote.git`` still names that repository when sync runs elsewhere."""
    text = value.strip()
    if "://" in text or _SCP_LIKE.match(text):
        return text
    return str((here / Path(text).expanduser()).resolve())


def check_remote(remote: str, timeout: float, waiting: Callable[[str], None] | None) -> None:
    """Ask git to list the remote's branches; :class:`SyncError` with git's reason when
    it cannot (no such repository, no access, no answer). An empty repository is fine."""
    import tempfile

    listing = Clone(Path(tempfile.gettempdir()), remote, timeout, waiting)
    done = listing.git("ls-remote", "--heads", remote, check=False)
    if done.returncode != 0:
        raise SyncError(f"git cannot reach {remote}: {last_line(done.stderr)}")


def new_device_id() -> str:
    """This machine's host name and a random part: two homes on one machine differ."""
    import secrets
    import socket

    host = learner_slug(socket.gethostname())[:30] or "device"
    return f"{host}-{secrets.token_hex(3)}"


class Clone:
    """The local clone of the remote, worked with through git commands."""

    def __init__(
        self,
        path: Path,
        remote: str,
        timeout: float = TIMEOUT_SECONDS,
        waiting: Callable[[str], None] | None = None,
    ) -> None:
        """``timeout``: the most one git command may take; ``waiting`` is told, once a
        command has taken :data:`SAY_WAITING_AFTER` seconds, what mlpath waits for."""
        self.path = path
        self.remote = remote
        self.branch = BRANCH
        self.timeout = timeout
        self.waiting = waiting

    def git(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run ``git`` with ``args`` in the clone: no shell, no prompt for a password
        (a sync that needs one fails with git's message instead of waiting), and a
        remote that stops answering is given up: over SSH after a connect time-out and
        missed keep-alives, over HTTP once it sends less than a kilobyte a second for
        the time-out, and in any case when the command takes longer than it."""
        seconds = max(1, round(self.timeout))
        ssh = f"ssh -o BatchMode=yes -o ConnectTimeout={seconds} -o ServerAliveInterval=5"
        env = {
            **os.environ,
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_ASKPASS": "",
            "SSH_ASKPASS": "",
            "LC_ALL": "C",
            "GIT_SSH_COMMAND": os.environ.get("GIT_SSH_COMMAND", ssh),
            "GIT_HTTP_LOW_SPEED_LIMIT": "1000",
            "GIT_HTTP_LOW_SPEED_TIME": str(seconds),
        }
        try:
            process = subprocess.Popen(
                ["git", *args],
                cwd=self.path,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                encoding="utf-8",
                errors="replace",
            )
        except FileNotFoundError:
            raise SyncError("git is not installed (or not on PATH): install git to sync.") from None
        out, err = self._wait(process, args[0])
        done = subprocess.CompletedProcess(process.args, process.returncode, out, err)
        if check and done.returncode != 0:
            raise SyncError(f"git {args[0]} failed: {last_line(done.stderr)}")
        return done

    def _wait(self, process: subprocess.Popen[str], what: str) -> tuple[str, str]:
        """The output of ``process``, saying what is waited for after a moment; killed,
        and a :class:`SyncError`, past the time-out."""
        try:
            return process.communicate(timeout=min(SAY_WAITING_AFTER, self.timeout))
        except subprocess.TimeoutExpired:
            if self.timeout > SAY_WAITING_AFTER and self.waiting is not None:
                self.waiting(f"waiting for the sync remote {self.remote} (git {what})...")
        try:
            return process.communicate(timeout=max(0.0, self.timeout - SAY_WAITING_AFTER))
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            raise SyncError(
                f"the sync remote {self.remote} did not answer within {self.timeout:g} "
                f"seconds (git {what}); stopped. The settings file's [sync] timeout sets "
                "how long to wait."
            ) from None

    def prepare(self) -> None:
        """Make the clone if there is none, pointing at the remote."""
        self.path.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not (self.path / ".git").exists():
            self.git("init", "-q")
            self.git("remote", "add", "origin", self.remote)
            return
        current = self.git("remote", "get-url", "origin", check=False)
        if current.returncode != 0:
            self.git("remote", "add", "origin", self.remote)
        elif current.stdout.strip() != self.remote:
            self.git("remote", "set-url", "origin", self.remote)

    def fetch(self) -> None:
        """Bring the remote's branch and set the clone to it, exactly (a first sync to
        an empty repository starts a branch of its own). Raises :class:`SyncError` when
        the remote cannot be reached, before anything local has changed."""
        done = self.git("fetch", "-q", "--prune", "origin", check=False)
        if done.returncode != 0:
            hint = (
                " Check your git credentials for it (an SSH key, or a credential helper)."
                if _AUTHENTICATION.search(done.stderr)
                else ""
            )
            raise SyncError(
                f"cannot reach the sync remote {self.remote}: {last_line(done.stderr)}{hint} "
                "Nothing was changed."
            )
        # The remote's default branch ('git init --bare' names one before any push), so
        # that a plain clone of the repository shows the exports.
        head = self.git("ls-remote", "--symref", "origin", "HEAD", check=False).stdout
        named = re.search(r"^ref: refs/heads/(\S+)\s+HEAD$", head, re.MULTILINE)
        self.branch = named.group(1) if named else self._default_branch(head)
        remote_branch = f"refs/remotes/origin/{self.branch}"
        if self.git("rev-parse", "-q", "--verify", remote_branch, check=False).returncode == 0:
            self.git("checkout", "-q", "-f", "-B", self.branch, remote_branch)
        else:
            # An empty remote: start the branch anew, dropping a commit that an earlier
            # sync made but could not push, so that nothing local stands in for the remote.
            self.git("update-ref", "-d", f"refs/heads/{self.branch}", check=False)
            self.git("symbolic-ref", "HEAD", f"refs/heads/{self.branch}")
            self.git("rm", "-q", "-r", "-f", "--cached", ".", check=False)
        self.git("clean", "-q", "-f", "-d", "-x")

    def _default_branch(self, listed: str) -> str:
        """The branch for a remote that names none: for an empty one, the branch git
        starts repositories with here (what 'git init --bare' named, and what a hosting
        service makes the default when it gets its first branch); else "main"."""
        if listed.strip():
            return BRANCH
        configured = self.git("config", "--get", "init.defaultBranch", check=False).stdout
        return configured.strip() or "master"

    def exports(self, own: str, refused: Callable[[str], None]) -> list[tuple[str, Path]]:
        """Every device's file but this one's: (``learner/device.json``, path), sorted;
        read as :func:`export_files` reads a remote."""
        return [(n, p) for n, p in export_files(self.path, refused, "sync remote") if n != own]

    def check_own_folder(self, folder: str) -> None:
        """Refuse to sync when this learner's folder in the clone is anything but a plain
        folder (a symbolic link would send the write elsewhere): before anything merges."""
        try:
            mode = os.lstat(self.path / folder).st_mode
        except FileNotFoundError:
            return
        if not stat.S_ISDIR(mode) or stat.S_ISLNK(mode):
            raise SyncError(
                f"the sync remote's folder {folder!r} is not a plain folder (a symbolic link "
                "or a file): refused, nothing was merged or written. Remove it from the "
                "remote's repository."
            )

    def write_own(self, file: str, content: bytes) -> bool:
        """Write this device's export into the clone unless it holds it already; whether
        it wrote. Each part of the path is opened without following a link, so nothing
        can be written outside the clone."""
        folder, name = file.split("/")
        top = os.open(self.path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        try:
            with contextlib.suppress(FileExistsError):
                os.mkdir(folder, 0o700, dir_fd=top)
            try:
                inside = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=top)
            except OSError:
                self.check_own_folder(folder)  # says what it is
                raise
        finally:
            os.close(top)
        try:
            if _read_at(inside, name) == content:
                return False
            temporary = f".{name}.{os.getpid()}.tmp"
            fd = os.open(
                temporary,
                os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW,
                0o600,
                dir_fd=inside,
            )
            with os.fdopen(fd, "wb") as handle:
                handle.write(content)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, name, src_dir_fd=inside, dst_dir_fd=inside)
            return True
        finally:
            os.close(inside)

    def commit(self, file: str, device: Device) -> bool:
        """Commit ``file`` if it changed; whether there was anything to commit."""
        self.git("add", "--", file)
        if self.git("diff", "--cached", "--quiet", check=False).returncode == 0:
            return False
        self.git(
            "-c",
            f"user.name={device.learner}",
            "-c",
            f"user.email={device.device}@mlpath.invalid",
            "-c",
            "commit.gpgsign=false",
            "commit",
            "-q",
            "-m",
            f"mlpath sync: {device.learner} on {device.device}",
        )
        return True

    def remote_head(self) -> str | None:
        """The commit the remote's branch is at now (None: it has no such branch)."""
        done = self.git("ls-remote", "origin", f"refs/heads/{self.branch}")
        listed = done.stdout.split()
        return listed[0] if listed else None

    def unsent(self) -> bool:
        """Whether the clone holds a commit that the remote's branch is not at."""
        head = self.git("rev-parse", "-q", "--verify", "HEAD", check=False).stdout.strip()
        return bool(head) and head != self.remote_head()

    def push(self) -> None:
        """Push the branch and check that the remote is at it afterwards. :class:`Rejected`
        if another device pushed meanwhile; :class:`SyncError` with git's reason when the
        remote refuses (a hook, a protected branch) or does not hold what was sent."""
        done = self.git("push", "-q", "origin", f"HEAD:refs/heads/{self.branch}", check=False)
        if done.returncode != 0:
            if _REJECTED.search(done.stderr):
                raise Rejected("another device pushed meanwhile.")
            raise SyncError(
                f"the sync remote {self.remote} refused what this device sent: "
                f"{_refusal(done.stderr)} Nothing was sent; your progress here is kept."
            )
        if self.unsent():
            raise SyncError(
                f"the sync remote {self.remote} accepted the push but does not hold it. "
                "Nothing was sent; run 'mlpath sync' again."
            )


#: The largest export read from a sync remote, and the most read from it in all.
MAX_EXPORT_BYTES = 64 * 2**20
MAX_REMOTE_BYTES = 512 * 2**20


def export_files(
    folder: Path, refused: Callable[[str], None], where: str, loose: bool = False
) -> list[tuple[str, Path]]:
    """The exports in a sync remote's clone: (``learner/device.json``, path), sorted.

    The clone is somebody else's disk: anyone who can push can put anything there. Only
    plain folders named by the id rule, holding plain ``DEVICE.json`` files named by it,
    of at most :data:`MAX_EXPORT_BYTES` each and :data:`MAX_REMOTE_BYTES` in all, are
    read; a symbolic link, a FIFO or any other entry is named to ``refused`` and skipped
    (a plain file beside the folders, such as a README, is left alone). ``loose``: a
    cohort's folder, where exports handed in (``ana.json``) lie beside the folders and
    names need only end in ``.json``."""
    found: list[tuple[str, Path]] = []
    total = 0
    for name, entry in _candidates(folder, refused, where, loose):
        size = entry.stat(follow_symlinks=False).st_size
        problem = _export_problem(entry, loose)
        if problem is None and total + size > MAX_REMOTE_BYTES:
            problem = f"the files pass {MAX_REMOTE_BYTES // 2**20} MiB in all"
        if problem is not None:
            refused(f"skipped {name!r} in the {where}: {problem}.")
            continue
        total += size
        found.append((name, Path(entry.path)))
    return found


def _candidates(
    folder: Path, refused: Callable[[str], None], where: str, loose: bool
) -> Iterator[tuple[str, os.DirEntry[str]]]:
    """The entries that :func:`export_files` looks at, by name in the folder."""
    for entry in _entries(folder):
        if entry.name == ".git":
            continue
        if entry.is_file(follow_symlinks=False):
            if loose and entry.name.endswith(".json"):
                yield entry.name, entry
        elif not _plain_folder(entry, loose):
            refused(f"skipped {entry.name!r} in the {where}: {_what(entry)}.")
        else:
            for inner in _entries(Path(entry.path)):
                if not (loose and inner.is_dir(follow_symlinks=False)):
                    yield f"{entry.name}/{inner.name}", inner  # a cohort's: one level deep


def _entries(folder: Path) -> list[os.DirEntry[str]]:
    with os.scandir(folder) as listing:
        return sorted(listing, key=lambda entry: entry.name)


def _plain_folder(entry: os.DirEntry[str], loose: bool) -> bool:
    from mlpath.core.rules import ID

    named = loose or ID.fullmatch(entry.name) is not None
    return entry.is_dir(follow_symlinks=False) and named


def _what(entry: os.DirEntry[str]) -> str:
    if entry.is_symlink():
        return "it is a symbolic link"
    if entry.is_dir(follow_symlinks=False):
        return "its name is not an id (lowercase letters, digits and hyphens)"
    return "it is not a folder or a plain file (a FIFO, socket or device)"


def _export_problem(entry: os.DirEntry[str], loose: bool) -> str | None:
    """Why an entry of a learner's folder is not a device's export, or None."""
    from mlpath.core.rules import ID

    if not entry.is_file(follow_symlinks=False):
        return _what(entry)
    stem, dot, suffix = entry.name.rpartition(".")
    if not dot or suffix != "json" or not (loose or ID.fullmatch(stem) is not None):
        return "it is not named DEVICE.json with an id for DEVICE"
    if entry.stat(follow_symlinks=False).st_size > MAX_EXPORT_BYTES:
        return f"it is larger than {MAX_EXPORT_BYTES // 2**20} MiB"
    return None


def _read_at(folder: int, name: str) -> bytes | None:
    """The content of the plain file ``name`` in the open folder, None if there is none."""
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=folder)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        return handle.read()


def _refusal(stderr: str) -> str:
    """Why the remote refused a push: the reason in git's ``[remote rejected]`` line, and
    the first line the remote's hook wrote, if any; else git's own last word."""
    found = _REFUSED.search(stderr)
    if found is None:
        return last_line(stderr)
    lines = stderr.splitlines()
    hook = [line[len("remote:") :].strip() for line in lines if line.startswith("remote:")]
    hook = [line for line in hook if line]
    why = found.group(1).strip()
    return f"{why} ({hook[0]})." if hook else f"{why}."


def last_line(stderr: str) -> str:
    """git's reason, as one sentence: a line about credentials, else its first "fatal:"
    or "error:" line (the advice that follows is spread over several lines), else its
    last line."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    marked = [line for line in lines if _AUTHENTICATION.search(line)]  # the real reason
    marked += [line for line in lines if re.match(r"^(fatal|error):", line)]
    line = marked[0] if marked else lines[-1] if lines else "no reason given"
    line = re.sub(r"^(fatal|error|remote):\s*", "", line)
    return line if line.endswith((".", "!", "?")) else line + "."


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """One sync at a time in a home: a second one waits for the first (where the
    system has ``fcntl``; elsewhere git's own lock refuses it)."""
    try:
        import fcntl
    except ImportError:  # Windows
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# --- one sync -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Synced:
    """What one sync did: the merge of the other devices' exports (an import's report),
    the files it brought them from, and whether it sent this device's file."""

    report: ImportReport
    brought_from: tuple[str, ...]
    sent: bool


def sync(
    store: Store,
    clone: Clone,
    device: Device,
    notes: bool,
    now: datetime,
    warn: Callable[[str], None],
) -> Synced:
    """One sync, under the sync lock: fetch, merge the other devices' exports once (a
    sync is one undoable change), write and commit this device's export, push; when
    another device pushed meanwhile, fetch and try again, :data:`ATTEMPTS` times."""
    import random
    import time

    from mlpath.core.exchange import combine, sync_document
    from mlpath.services import exports

    report: ImportReport | None = None
    brought_from: list[str] = []
    with locked(clone.path.parent / "sync.lock"):
        clone.prepare()
        for attempt in range(ATTEMPTS):
            clone.fetch()
            if report is None:
                clone.check_own_folder(device.folder)
                found = []
                for name, path in clone.exports(device.file, warn):
                    if not name.startswith(f"{device.folder}/"):
                        continue
                    read = exports.read(path, name, warn)
                    if read is not None:
                        found.append(read[1])
                        brought_from.append(name)
                report = store.merge(combine(found), now, f"sync with {clone.remote}")
            with store.exporting() as (state, entries):
                document = sync_document(state, entries, device.learner, notes)
            clone.write_own(device.file, document)
            clone.commit(device.file, device)
            if not clone.unsent():  # the remote holds this device's file as it is
                return Synced(report, tuple(brought_from), sent=False)
            try:
                clone.push()
                return Synced(report, tuple(brought_from), sent=True)
            except Rejected:
                if attempt < ATTEMPTS - 1:
                    time.sleep(random.uniform(0.1, 0.5) * (attempt + 1))
    raise SyncError(
        f"the sync remote kept moving: other devices pushed {ATTEMPTS} times while this one "
        "tried (git: another device's push came first). Run 'mlpath sync' again."
    )
