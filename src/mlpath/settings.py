"""The settings file (``config.toml``) and the choice of the active roadmap."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlpath.errors import StateError
from mlpath.paths import atomic_write, config_dir

CONFIG_FILE = "config.toml"


def config_path() -> Path:
    """``config.toml`` beside the database under ``$MLPATH_HOME``, else in the platform's
    user config folder."""
    return config_dir() / CONFIG_FILE


def read_config() -> dict[str, Any]:
    path = config_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as error:
        raise StateError(f"cannot read the settings file {path}: {error}.") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise StateError(
            f"the settings file {path} is not valid TOML ({error}). Fix it or delete it."
        ) from None
    except RecursionError:
        raise StateError(
            f"the settings file {path} is nested too deeply. Fix it or delete it."
        ) from None
    if not isinstance(data.get("roadmap", ""), str):
        raise StateError(f"the settings file {path}: 'roadmap' must be a path in quotes.")
    return data


def write_config(data: dict[str, Any]) -> None:
    import tomli_w

    path = config_path()
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        atomic_write(path, tomli_w.dumps(data).encode("utf-8"), 0o600)
    except OSError as error:
        raise StateError(f"cannot write the settings file {path}: {error.strerror}.") from None


@dataclass(frozen=True)
class RoadmapChoice:
    """Which roadmap file is active (None: the bundled one) and what chose it."""

    path: Path | None
    origin: str


def roadmap_choice(option: Path | None) -> RoadmapChoice:
    """``--roadmap`` first, then ``$MLPATH_ROADMAP``, then ``mlpath roadmap use``, then the
    bundled roadmap."""
    if option is not None:
        return RoadmapChoice(option, "the --roadmap option")
    env = os.environ.get("MLPATH_ROADMAP")
    if env:
        return RoadmapChoice(Path(env).expanduser(), "the MLPATH_ROADMAP environment variable")
    remembered = read_config().get("roadmap")
    if remembered:
        return RoadmapChoice(Path(remembered), f"'mlpath roadmap use' ({config_path()})")
    return RoadmapChoice(None, "the default")
