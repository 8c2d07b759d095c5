"""The keys of the settings file that ``mlpath config`` lists, reads and sets: each with
what it means, its default, and the rule a value must follow, the same rule the
commands apply when they read the file.

``goals`` (set by ``mlpath goal``) and ``sync.device`` (made by ``sync init``) are
listed but set by their own commands.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlpath.core.errors import UsageError


@dataclass(frozen=True)
class Key:
    name: str  # "review.retention": the table and the key in it
    meaning: str
    default: Any  # None: not set unless given
    parse: Callable[[str], Any] | None  # None: set by another command


def _number(low: float, high: float, what: str, whole: bool = False) -> Callable[[str], float]:
    """A number from ``low`` to ``high`` (``whole``: written back as an integer when it is
    one, as the settings file has it)."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = float("nan")
        if not low <= value <= high:  # NaN, text included, is never in range
            raise UsageError(f"{what} takes a number from {low:g} to {high:g}; not '{text}'.")
        return int(value) if whole and value == int(value) else value

    return parse


def _flag(what: str) -> Callable[[str], bool]:
    def parse(text: str) -> bool:
        word = text.strip().lower()
        if word in ("true", "yes", "on", "1"):
            return True
        if word in ("false", "no", "off", "0"):
            return False
        raise UsageError(f"{what} takes true or false; not '{text}'.")

    return parse


def _name(text: str) -> str:
    if not text.strip() or len(text) > 100:
        raise UsageError("sync.learner takes a name of 1 to 100 characters.")
    return " ".join(text.split())


def _remote(text: str) -> str:
    from mlpath.services.sync import absolute_remote, remote_problem

    problem = remote_problem(text.strip())
    if problem is not None:
        raise UsageError(f"sync.remote: {problem}.")
    return absolute_remote(text, Path.cwd())


def _roadmap(text: str) -> str:
    from mlpath.storage.roadmap_files import load_roadmap

    path = Path(text).expanduser().resolve()
    load_roadmap(path)  # a file that does not load would break every command
    return str(path)


def keys() -> tuple[Key, ...]:
    from mlpath.core.recall import RETENTION, RETENTION_RANGE
    from mlpath.storage.settings import SYNC_TIMEOUT_RANGE, SYNC_TIMEOUT_SECONDS

    low, high = RETENTION_RANGE
    return (
        Key(
            "roadmap", "the roadmap file every command uses ('mlpath roadmap use')", None, _roadmap
        ),
        Key(
            "review.retention",
            "the chance of still remembering a topic when its review comes due",
            RETENTION,
            _number(low, high, "review.retention"),
        ),
        Key("sync.remote", "the git repository 'mlpath sync' goes through", None, _remote),
        Key("sync.learner", "your name, as a mentor's cohort shows it", None, _name),
        Key("sync.notes", "whether sync shares your notes", True, _flag("sync.notes")),
        Key(
            "sync.timeout",
            "seconds a git command of sync may take",
            SYNC_TIMEOUT_SECONDS,
            _number(*SYNC_TIMEOUT_RANGE, "sync.timeout", whole=True),
        ),
        Key(
            "sync.device", "this device's name in the sync remote (made by 'sync init')", None, None
        ),
        Key("goals", "the dates to finish each roadmap by (set with 'mlpath goal')", None, None),
    )


def find(name: str) -> Key:
    """The key named so; a usage error with the closest names for any other."""
    from mlpath.core.roadmap import suggestion

    known = keys()
    for key in known:
        if key.name == name:
            return key
    names = [k.name for k in known]
    raise UsageError(f"no setting '{name}'.{suggestion(name, names)} Settings: {', '.join(names)}.")


def value_of(config: Mapping[str, Any], key: Key) -> Any:
    """The key's value in the settings file's data, or None when it is not set there."""
    table: Any = config
    for part in key.name.split("."):
        if not isinstance(table, Mapping) or part not in table:
            return None
        table = table[part]
    return table


def with_value(config: Mapping[str, Any], key: Key, value: Any) -> dict[str, Any]:
    """The settings file's data with the key set to ``value`` (its other keys kept)."""
    updated = dict(config)
    *tables, last = key.name.split(".")
    if not tables:
        updated[last] = value
        return updated
    table = updated.get(tables[0])
    inner = dict(table) if isinstance(table, Mapping) else {}
    inner[last] = value
    updated[tables[0]] = inner
    return updated
