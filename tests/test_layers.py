"""The code's layers (docs/architecture.md): imports point down only, and the core does
no I/O and reads no clock. Read from the source, so a new import that breaks a layer
fails here, not in review."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from conftest import REPO

PACKAGE = REPO / "src" / "mlpath"

#: What each layer may import of mlpath (besides itself).
ALLOWED = {
    "core": set(),
    "storage": {"core", "clock"},
    "render": {"core"},
    "services": {"core", "storage", "render"},
    "clock": {"core"},
}

#: Modules that would let the core reach files, processes, the network or a terminal.
NOT_IN_CORE = {
    "sqlite3",
    "subprocess",
    "shutil",
    "socket",
    "os",
    "webbrowser",
    "platformdirs",
    "typer",
    "rich",
    "textual",
    "urllib.request",
    "http",
}


def _layer(path: Path) -> str:
    relative = path.relative_to(PACKAGE)
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "mlpath":
                found += [f"mlpath.{alias.name}" for alias in node.names]
            else:
                found.append(node.module)
    return found


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if _layer(p) in ALLOWED)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_point_down(path: Path) -> None:
    layer = _layer(path)
    allowed = ALLOWED[layer] | {layer}
    for name in _imports(path):
        parts = name.split(".")
        if parts[0] == "mlpath" and len(parts) > 1 and parts[1] != "__version__":
            assert parts[1] in allowed, f"{layer} imports {name}"


@pytest.mark.parametrize("path", [p for p in MODULES if _layer(p) == "core"], ids=lambda p: p.name)
def test_the_core_does_no_io_and_reads_no_clock(path: Path) -> None:
    for name in _imports(path):
        assert name not in NOT_IN_CORE and name.split(".")[0] not in NOT_IN_CORE, name
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in ("now", "today", "utcnow"):
            owner = node.value
            assert not (isinstance(owner, ast.Name) and owner.id in ("datetime", "date")), (
                f"{path.name}:{node.lineno} reads the clock"
            )
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            assert node.func.id != "open", f"{path.name}:{node.lineno} opens a file"


def test_the_cli_keeps_no_sync_loop_no_merge_of_exports_and_no_untyped_view_call() -> None:
    """Sync's fetch-merge-push loop and the cohort's merges live in services/; each
    command hands its view typed arguments (no ``render(lambda views: ...)``, which mypy
    cannot see into)."""
    for path in sorted((PACKAGE / "cli").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "render"
            ):
                assert not any(isinstance(a, ast.Lambda) for a in node.args), path.name
            if isinstance(node, ast.Name):
                assert node.id not in ("ATTEMPTS", "combine", "merged"), (path.name, node.id)
            if isinstance(node, ast.Attribute):
                assert node.attr not in ("push", "fetch", "merged"), (path.name, node.attr)


RENDER = sorted((PACKAGE / "render").glob("*.py"))


@pytest.mark.parametrize("path", RENDER, ids=lambda p: p.name)
def test_no_output_reads_the_roadmap_or_the_state(path: Path) -> None:
    """Every output is a function of a command's result (core/results/): no module of
    render/ imports the roadmap's or the state's type, nor takes one as a parameter."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module in (
            "mlpath.core.roadmap",
            "mlpath.core.progress",
        ):
            names = {alias.name for alias in node.names}
            assert not names & {"Roadmap", "State"}, f"{path.name}:{node.lineno}"
        if isinstance(node, ast.arg) and node.annotation is not None:
            said = ast.unparse(node.annotation)
            assert not re.search(r"\b(Roadmap|State)\b", said), f"{path.name}:{node.lineno}"


def test_each_command_hands_its_views_one_frozen_result() -> None:
    """The results are frozen dataclasses, and each command's view and JSON document
    take one of them first: what mypy --strict checks a command hands to its outputs."""
    import dataclasses
    import inspect

    from mlpath.core import results
    from mlpath.core.results import reports, topics
    from mlpath.render import text, views

    kinds = {
        name: value
        for module in (results, topics, reports)
        for name, value in vars(module).items()
        if inspect.isclass(value) and value.__module__ == module.__name__
    }
    assert len(kinds) >= 15
    for name, cls in kinds.items():
        assert dataclasses.is_dataclass(cls), name
        assert vars(cls)["__dataclass_params__"].frozen, f"{name} is not frozen"
    commands: tuple[str, ...] = ("list", "show", "next", "progress", "history", "stats")
    commands = (*commands, "review", "plan")
    commands = (*commands, "cohort", "search", "roadmap_info")
    for command in commands:
        for output in (getattr(views, f"{command}_view"), getattr(text, f"{command}_json")):
            first = next(iter(inspect.signature(output).parameters.values()))
            assert first.annotation in kinds, (output.__name__, first.annotation)


def test_outputs_say_plurals_with_the_one_function() -> None:
    """No output builds a plural of its own ("review{'s' if ...}"): render/words.py has
    plural() and noun() for that."""
    for path in [*RENDER, *sorted((PACKAGE / "cli").glob("*.py"))]:
        source = path.read_text(encoding="utf-8")
        for pattern in ("'s' if", '"s" if', "'es' if"):
            assert pattern not in source, f"{path.name} makes its own plural"
