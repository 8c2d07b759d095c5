"""``mlpath config``: see and change the settings file as a whole."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from mlpath.cli._app import JsonOption, SubGroup, app, say
from mlpath.core.errors import printable

config_app = typer.Typer(
    cls=SubGroup,
    name="config",
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode=None,
    invoke_without_command=True,
)
app.add_typer(config_app)

KeyArgument = Annotated[
    str,
    typer.Argument(metavar="KEY", help="A setting, such as review.retention.", show_default=False),
]


@config_app.callback()
def _config_group(ctx: typer.Context) -> None:
    """See and change your settings (the settings file, config.toml).

    Without a subcommand, the same as 'mlpath config list'.

    \b
    Examples:
      mlpath config list
      mlpath config set review.retention 0.85
    """
    if ctx.invoked_subcommand is None:
        list_settings(json=False)


def _shown(value: Any) -> str:
    """A value as the settings file writes it (TOML): "text", 0.9, true."""
    import tomli_w

    return tomli_w.dumps({"v": value}).split("=", 1)[1].strip()


@config_app.command("list", short_help="Every setting, its value and where it comes from.")
def list_settings(json: JsonOption = False) -> None:
    """Every setting with its value: set in the settings file, or its default.

    \b
    Examples:
      mlpath config list
      mlpath config list --json
    """
    from mlpath.render import text
    from mlpath.services.config_keys import keys, value_of
    from mlpath.storage.settings import config_path, read_config

    config = read_config()
    rows: list[dict[str, Any]] = []
    for key in keys():
        value = value_of(config, key)
        if key.name == "goals":
            for roadmap_id, goal in (value or {}).items():
                if isinstance(goal, dict):
                    by = goal.get("by")
                    rows.append({"key": f"goals.{roadmap_id}", "value": str(by), "set": True})
            continue
        rows.append(
            {
                "key": key.name,
                "value": value if value is not None else key.default,
                "set": value is not None,
            }
        )
    if json:
        text.print_json({"path": str(config_path()), "settings": rows})
        return
    say(printable(f"Settings file: {config_path()}"))
    width = max(len(r["key"]) for r in rows)
    for row in rows:
        if row["value"] is None:
            value = "(not set)"
        elif row["key"].startswith("goals."):
            value = row["value"]  # a date, as 'mlpath goal' takes it
        else:
            value = _shown(row["value"])
        origin = "" if row["set"] or row["value"] is None else "  (default)"
        say(printable(f"{row['key']:<{width}}  {value}{origin}"))


@config_app.command("get", short_help="Print one setting's value.")
def get(key: KeyArgument) -> None:
    """Print a setting's value (its default when the file does not set it); exit 1 when
    it has neither.

    \b
    Examples:
      mlpath config get review.retention
    """
    from mlpath.core.errors import MlpathError
    from mlpath.services.config_keys import find, value_of
    from mlpath.storage.settings import read_config

    found = find(key)
    value = value_of(read_config(), found)
    if value is None:
        value = found.default
    if value is None:
        raise MlpathError(f"{found.name} is not set ({found.meaning}).")
    say(printable(value if isinstance(value, str) else _shown(value)))


@config_app.command("set", short_help="Change one setting, checked as the file is.")
def set_value(
    key: KeyArgument,
    value: Annotated[
        str, typer.Argument(metavar="VALUE", help="Its new value.", show_default=False)
    ],
) -> None:
    """Change a setting. The value is checked by the rule the commands apply to the
    settings file, so a value they would refuse is never written.

    \b
    Examples:
      mlpath config set review.retention 0.85
      mlpath config set sync.timeout 120
    """
    from mlpath.core.errors import UsageError
    from mlpath.services.config_keys import find, with_value
    from mlpath.storage.settings import config_path, read_config, write_config

    found = find(key)
    if found.parse is None:
        how = "'mlpath goal --by DATE'" if found.name == "goals" else "'mlpath sync init URL'"
        raise UsageError(f"{found.name} is set with {how}, not with config set.")
    parsed = found.parse(value)
    write_config(with_value(read_config(), found, parsed))
    say(printable(f"Set {found.name} = {_shown(parsed)} in {config_path()}."))


@config_app.command("path", short_help="Print where the settings file is.")
def path() -> None:
    """Print the settings file's path (it may not exist yet).

    \b
    Examples:
      mlpath config path
    """
    from mlpath.storage.settings import config_path

    say(printable(str(config_path())))
