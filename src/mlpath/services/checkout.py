"""Where a Markdown file inside a git checkout is published, so that its relative links
can be made absolute: the remote's web address, the branch, the file's folder."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

#: Hosts whose web pages show a file at ``/OWNER/REPO/blob/BRANCH/PATH``.
GITHUB_STYLE = ("github.com", "gitlab.com", "codeberg.org")
_REMOTE = re.compile(
    r"^(?:https?://(?:[^@/]+@)?|ssh://(?:[^@/]+@)?|git@)(?P<host>[^/:]+)[:/](?P<path>.+?)(?:\.git)?/?$"
)


def _git(folder: Path, *args: str) -> str:
    try:
        done = subprocess.run(
            ["git", "-C", str(folder), *args],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def web_base(remote: str, branch: str, folder: str) -> str | None:
    """The web address of ``folder`` (a path inside the repository, "" for its root) on
    ``branch`` of ``remote``, for a GitHub-style host; None for any other."""
    match = _REMOTE.match(remote.strip())
    if match is None:
        return None
    host = match.group("host").lower()
    if host not in GITHUB_STYLE:
        return None
    path = match.group("path").strip("/")
    middle = (
        "/-/blob/"
        if host == "gitlab.com"
        else "/src/branch/"
        if host == "codeberg.org"
        else "/blob/"
    )
    inner = f"{folder.strip('/')}/" if folder.strip("/") else ""
    return f"https://{host}/{path}{middle}{branch}/{inner}"


def inferred_base(markdown: Path) -> str | None:
    """The base address of a Markdown file in a git checkout whose ``origin`` (or only
    remote) is on a GitHub-style host; None when it is not in one."""
    folder = markdown.resolve().parent
    remotes = _git(folder, "remote").split()
    if not remotes:
        return None
    remote_name = "origin" if "origin" in remotes else remotes[0]
    remote = _git(folder, "remote", "get-url", remote_name)
    branch = _git(folder, "rev-parse", "--abbrev-ref", "HEAD")
    if not remote or not branch or branch == "HEAD":
        branch = _git(folder, "rev-parse", "HEAD") if remote else ""
    if not remote or not branch:
        return None
    prefix = _git(folder, "rev-parse", "--show-prefix")
    return web_base(remote, branch, prefix)
