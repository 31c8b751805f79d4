"""The `sourcing` command: parse options, call a stage, print with Rich. No logic lives here.

Each command group lives in `sourcing/commands/<name>.py` and registers itself through a
`register(app)` function; this module only holds the root, the global options and the shared
state (config and database) that every command reaches through `state(ctx)`.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from typing import Optional

import typer
from rich.console import Console
from sqlalchemy.engine import Engine

from sourcing import __version__
from sourcing import commands as _commands
from sourcing.config import Config, ConfigError
from sourcing.config import load as load_config

console = Console()
err_console = Console(stderr=True)

app = typer.Typer(
    name="sourcing",
    help=(
        "Find machine-learning talent by demonstrated work: open-source contributions, papers and talks.\n\n"
        "Example: sourcing demo"
    ),
    no_args_is_help=True,
    rich_markup_mode="rich",
    # locals may hold tokens: never print them in a traceback
    pretty_exceptions_show_locals=False,
    add_completion=False,
)


@dataclass
class State:
    config_path: Optional[str] = None
    db_url: Optional[str] = None
    _config: Optional[Config] = field(default=None, repr=False)
    _engine: Optional[Engine] = field(default=None, repr=False)

    @property
    def config(self) -> Config:
        if self._config is None:
            try:
                self._config = load_config(self.config_path, db_url=self.db_url)
            except ConfigError as exc:
                fail(str(exc), code=2)
        return self._config

    def engine(self, *, upgrade: bool = True) -> Engine:
        """The database engine; the schema is brought up to date on first use."""
        if self._engine is None:
            from storage import SchemaTooNew, ensure_schema, make_engine

            engine = make_engine(self.config.database.url)
            if upgrade:
                try:
                    ensure_schema(engine)
                except SchemaTooNew as exc:
                    fail(str(exc), code=2)
            self._engine = engine
        return self._engine


def fail(message: str, code: int = 1) -> None:
    """Print one clear line to stderr and exit with `code` (2: bad input or config)."""
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, markup=True)
    raise typer.Exit(code)


def state(ctx: typer.Context) -> State:
    root = ctx.find_root()
    if root.obj is None:
        root.obj = State()
    return root.obj


def _version(value: bool) -> None:
    if value:
        console.print(f"sourcing {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: Optional[str] = typer.Option(
        None, "--db", metavar="URL", help="Database URL (overrides the config and $SOURCING_DB_URL)."
    ),
    config: Optional[str] = typer.Option(
        None, "--config", metavar="PATH", help="Config file (default: $SOURCING_CONFIG, else ./sourcing.toml)."
    ),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
) -> None:
    ctx.obj = State(config_path=config, db_url=db)


def _register_all() -> None:
    mods = []
    for info in pkgutil.iter_modules(_commands.__path__):
        if not info.name.startswith("_"):
            mods.append(importlib.import_module(f"sourcing.commands.{info.name}"))
    for mod in sorted(mods, key=lambda m: (getattr(m, "ORDER", 50), m.__name__)):
        mod.register(app)


_register_all()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
