"""The settings file (``config.toml``) and the choice of the active roadmap."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from mlpath.core.errors import StateError
from mlpath.core.rules import is_utf8
from mlpath.storage.files import open_regular
from mlpath.storage.paths import atomic_write, config_dir

CONFIG_FILE = "config.toml"


def config_path() -> Path:
    """``config.toml`` beside the database under ``$MLPATH_HOME``, else in the platform's
    user config folder."""
    return config_dir() / CONFIG_FILE


class DamagedConfig(StateError):
    """A settings file mlpath cannot use; the message says how to get past it."""

    def __init__(self, path: Path, problem: str) -> None:
        self.problem = f"The settings file {path} {problem}."
        super().__init__(
            f"the settings file {path} {problem}. Fix it, or run 'mlpath roadmap use "
            "--bundled' to set it aside and start a new one."
        )


def read_config() -> dict[str, Any]:
    path = config_path()
    try:
        with open_regular(path) as handle:
            text = handle.read().decode("utf-8")
    except FileNotFoundError:
        return {}
    except UnicodeDecodeError:
        raise DamagedConfig(path, "is not UTF-8 text") from None
    except OSError as error:
        raise StateError(f"cannot read the settings file {path}: {error.strerror}.") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise DamagedConfig(path, f"is not valid TOML ({error})") from None
    except RecursionError:
        raise DamagedConfig(path, "is nested too deeply") from None
    roadmap = data.get("roadmap", "")
    if not isinstance(roadmap, str) or not is_utf8(roadmap) or len(roadmap) > 4096:
        raise DamagedConfig(path, "has a 'roadmap' that is not a path in quotes")
    return data


def set_config_aside() -> Path | None:
    """Move a settings file aside (kept as ``config.toml.damaged-<time>``): the way past
    one that cannot be read. Returns where it went."""
    import time

    path = config_path()
    if not path.exists():
        return None
    target = path.with_name(f"{path.name}.damaged-{time.strftime('%Y%m%dT%H%M%S')}")
    for n in range(2, 100):
        if not target.exists():
            break
        target = target.with_name(f"{path.name}.damaged-{time.strftime('%Y%m%dT%H%M%S')}-{n}")
    try:
        os.rename(path, target)
    except OSError as error:
        raise StateError(f"cannot move the settings file {path} aside: {error.strerror}.") from None
    return target


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

    @property
    def way_back(self) -> str:
        """What to do when the chosen file cannot be used: the variable wins over the
        setting, so it is the variable that has to go."""
        if self.origin == _FROM_ENV:
            return (
                "unset MLPATH_ROADMAP (it wins over 'mlpath roadmap use') or point it at a "
                "valid roadmap"
            )
        return (
            "run 'mlpath roadmap use --bundled' to go back to the bundled roadmap (or "
            "'mlpath roadmap use OTHER.toml')"
        )


_FROM_ENV = "the MLPATH_ROADMAP environment variable"


def roadmap_choice(option: Path | None) -> RoadmapChoice:
    """``--roadmap`` first, then ``$MLPATH_ROADMAP``, then ``mlpath roadmap use``, then the
    bundled roadmap."""
    if option is not None:
        return RoadmapChoice(option, "the --roadmap option")
    env = os.environ.get("MLPATH_ROADMAP")
    if env:
        return RoadmapChoice(Path(env).expanduser(), _FROM_ENV)
    remembered = read_config().get("roadmap")
    if remembered:
        return RoadmapChoice(Path(remembered), f"'mlpath roadmap use' ({config_path()})")
    return RoadmapChoice(None, "the default")


# --- goals ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Goal:
    """A date to finish a roadmap by, and the hours that were left when it was set."""

    by: date
    set_on: date
    hours: float


def read_goal(roadmap_id: str) -> Goal | None:
    """The goal set for a roadmap (``mlpath goal``); None when there is none, or when the
    settings file holds one mlpath cannot use."""
    entry = read_config().get("goals", {})
    entry = entry.get(roadmap_id) if isinstance(entry, dict) else None
    if not isinstance(entry, dict):
        return None
    by, set_on, hours = entry.get("by"), entry.get("set_on"), entry.get("hours")
    if not (
        isinstance(by, date)
        and isinstance(set_on, date)
        and not isinstance(by, datetime)
        and not isinstance(set_on, datetime)
        and isinstance(hours, int | float)
        and not isinstance(hours, bool)
        and 0 <= hours < 10_000_000
    ):
        return None
    return Goal(by, set_on, float(hours))


def write_goal(roadmap_id: str, goal: Goal | None) -> None:
    """Remember a goal for a roadmap, or (None) forget it."""
    config = read_config()
    goals = config.get("goals", {})
    goals = dict(goals) if isinstance(goals, dict) else {}
    if goal is None:
        goals.pop(roadmap_id, None)
    else:
        goals[roadmap_id] = {"by": goal.by, "set_on": goal.set_on, "hours": goal.hours}
    if goals:
        config["goals"] = goals
    else:
        config.pop("goals", None)
    write_config(config)


def review_retention(settings: dict[str, Any] | None = None) -> float:
    """``[review] retention`` of the settings file: the chance of still remembering a
    topic on the day its review comes due, 0.7 to 0.97 (0.9 when not given)."""
    from mlpath.core.recall import RETENTION, RETENTION_RANGE

    review = (read_config() if settings is None else settings).get("review", {})
    value = review.get("retention", RETENTION) if isinstance(review, dict) else review
    low, high = RETENTION_RANGE
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise StateError(
            f"the settings file {config_path()} gives [review] retention = {value!r}: it "
            f"takes a number from {low} to {high} (the chance of still remembering a topic "
            "when its review comes due; 0.9 if not given)."
        )
    return float(value)


#: The seconds a git command of sync may take: ``[sync] timeout``, from 1 to 3600.
SYNC_TIMEOUT_RANGE = (1, 3600)
SYNC_TIMEOUT_SECONDS = 60.0


def sync_timeout(settings: dict[str, Any] | None = None) -> float:
    """``[sync] timeout`` of the settings file (the whole file's data, or its ``[sync]``
    table when ``settings`` is given): seconds, from 1 to 3600, 60 when not given."""
    table = read_config().get("sync", {}) if settings is None else settings
    value = table.get("timeout", SYNC_TIMEOUT_SECONDS) if isinstance(table, dict) else None
    low, high = SYNC_TIMEOUT_RANGE
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise StateError(
            f"the settings file {config_path()} gives [sync] timeout = {value!r}: it takes a "
            f"number of seconds from {low} to {high}."
        )
    return float(value)
