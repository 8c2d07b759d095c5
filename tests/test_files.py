"""A path that is not a regular file is refused at once by every command that reads one:
a FIFO would make it wait for a writer for ever. Real FIFOs, real processes (a command
that hangs fails the test by its time-out instead of hanging the suite)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(sys.executable).with_name("mlpath")

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")


def _mlpath(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(SCRIPT), *args], capture_output=True, text=True, cwd=cwd, timeout=30)


@pytest.mark.parametrize(
    ("args", "what"),
    [
        (("import", "pipe"), "pipe cannot be read (it is a FIFO"),
        (("import", "--dry-run", "pipe"), "pipe cannot be read (it is a FIFO"),
        (("roadmap", "validate", "pipe"), "cannot read the roadmap pipe"),
        (("--roadmap", "pipe", "list"), "cannot read the roadmap pipe"),
        (("roadmap", "from-markdown", "pipe", "-o", "out.toml"), "cannot read"),
    ],
)
def test_a_fifo_is_refused_at_once(tmp_path: Path, args: tuple[str, ...], what: str) -> None:
    os.mkfifo(tmp_path / "pipe")
    result = _mlpath(*args, cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert what in result.stderr and "not a regular file" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out.toml").exists()


def test_a_fifo_in_place_of_the_settings_file_is_refused(mlpath_home: Path, tmp_path: Path) -> None:
    mlpath_home.mkdir()
    os.mkfifo(mlpath_home / "config.toml")
    result = _mlpath("list", cwd=tmp_path)
    assert result.returncode == 1
    assert "the settings file" in result.stderr and "not a regular file" in result.stderr


def test_a_folder_given_as_a_roadmap_is_refused(tmp_path: Path) -> None:
    (tmp_path / "folder.toml").mkdir()
    result = _mlpath("roadmap", "validate", "folder.toml", cwd=tmp_path)
    assert result.returncode in (1, 2) and "Traceback" not in result.stderr
    assert "folder" in result.stderr or "directory" in result.stderr
