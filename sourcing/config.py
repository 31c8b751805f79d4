"""One TOML file plus environment overrides: database, tokens, sources, saved searches, schedule.

Where the file is: `--config PATH`, else `$SOURCING_CONFIG`, else `./sourcing.toml` when it exists,
else built-in defaults. `$SOURCING_DB_URL` overrides the database URL, `--db` overrides both.
Tokens are never read from the file: the file names the environment variables that hold them.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from scoring.taxonomy import Taxonomy, TaxonomyError
from scoring.taxonomy import load as load_taxonomy

EXAMPLE = Path(__file__).parent / "data" / "sourcing.example.toml"
DEFAULT_FILE = "sourcing.toml"
DEFAULT_DB_URL = "sqlite:///sourcing.db"


class ConfigError(ValueError):
    """A config problem, with a message naming the file and the key."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DatabaseConfig(_Section):
    url: str = DEFAULT_DB_URL


class GitHubConfig(_Section):
    api_url: str = "https://api.github.com"
    # names of environment variables holding tokens; several make a pool
    token_env: list[str] = Field(default_factory=lambda: ["GITHUB_TOKEN"])
    repos: list[str] = Field(default_factory=list)  # empty: the taxonomy's watchlist
    history_days: int = Field(default=730, ge=1)
    budget_share: float = Field(default=0.8, gt=0, le=1)
    on_budget_exhausted: Literal["wait", "stop"] = "stop"
    per_page: int = Field(default=100, ge=1, le=100)
    profiles: bool = True
    user_repos: bool = True

    @field_validator("repos")
    @classmethod
    def _full_names(cls, v: list[str]) -> list[str]:
        for r in v:
            if r.count("/") != 1 or not all(r.split("/")):
                raise ValueError(f"'{r}' is not an owner/name repository")
        return v


class ArxivConfig(_Section):
    api_url: str = "https://export.arxiv.org/api/query"
    queries: list[str] = Field(
        default_factory=lambda: [
            "cat:cs.LG",
            "cat:stat.ML",
            "cat:cs.CL",
            "cat:cs.CV",
            "cat:cs.IR",
            "cat:cs.AI",
            'abs:"feature store"',
            'abs:"data drift"',
            'abs:"recommender system"',
            "abs:MLOps",
            'abs:"model serving"',
            'abs:"stream processing"',
        ]
    )
    delay_seconds: float = Field(default=3.0, ge=0)
    page_size: int = Field(default=200, ge=1, le=2000)
    num_retries: int = Field(default=3, ge=0)
    max_results_per_query: int = Field(default=2000, ge=1, le=30000)
    history_days: int = Field(default=365, ge=1)


class TalkSite(_Section):
    spider: Literal["pretalx", "frab", "pyvideo", "proceedings"]
    url: str
    name: Optional[str] = None


class TalksConfig(_Section):
    contact: str = "sourcing-operator@example.invalid"
    sites: list[TalkSite] = Field(
        default_factory=lambda: [
            TalkSite(spider="pretalx", url="https://pretalx.com/pydata-berlin-2025/", name="PyData Berlin 2025"),
            TalkSite(spider="pretalx", url="https://pretalx.com/pyconde-pydata-2025/", name="PyCon DE & PyData 2025"),
            TalkSite(spider="pretalx", url="https://program.europython.eu/europython-2025/", name="EuroPython 2025"),
            TalkSite(spider="frab", url="https://fosdem.org/2025/schedule/xml", name="FOSDEM 2025"),
            TalkSite(spider="pyvideo", url="https://pyvideo.org/events/pydata-london-2019.html", name="PyData London 2019"),
            TalkSite(spider="pyvideo", url="https://pyvideo.org/events/scipy-2023.html", name="SciPy 2023"),
            TalkSite(spider="proceedings", url="https://proceedings.mlr.press/v199/", name="PMLR volume 199"),
        ]
    )
    http_cache: bool = False
    autothrottle: bool = True
    download_delay: float = Field(default=1.0, ge=0)


class SavedSearch(_Section):
    name: str
    role: Optional[str] = None
    skills: list[str] = Field(default_factory=list)
    location: Optional[str] = None  # regular expression, e.g. "Berlin|remote"
    min_score: float = Field(default=0.0, ge=0, le=100)
    exclude_companies: list[str] = Field(default_factory=list)
    size: int = Field(default=25, ge=1, le=1000)
    description: Optional[str] = None  # a job description, for role fit


class ScheduleConfig(_Section):
    timezone: str = "UTC"
    nightly: str = "02:00"  # HH:MM, local to `timezone`
    collect_interval_hours: float = Field(default=0, ge=0)  # 0: no extra collection job
    misfire_grace_seconds: int = Field(default=6 * 3600, ge=1)

    @field_validator("nightly")
    @classmethod
    def _hhmm(cls, v: str) -> str:
        try:
            h, m = (int(x) for x in v.split(":"))
        except ValueError:
            raise ValueError("expected HH:MM") from None
        if not (0 <= h < 24 and 0 <= m < 60):
            raise ValueError("expected HH:MM")
        return v


class WebConfig(_Section):
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    token_env: str = "SOURCING_WEB_TOKEN"


class Config(_Section):
    taxonomy: Optional[str] = None  # path to an operator's own taxonomy file
    database: DatabaseConfig = Field(default_factory=DatabaseConfig)
    github: GitHubConfig = Field(default_factory=GitHubConfig)
    arxiv: ArxivConfig = Field(default_factory=ArxivConfig)
    talks: TalksConfig = Field(default_factory=TalksConfig)
    searches: list[SavedSearch] = Field(default_factory=list)
    schedule: ScheduleConfig = Field(default_factory=ScheduleConfig)
    web: WebConfig = Field(default_factory=WebConfig)

    # not from the file: where it came from, for messages
    source: Optional[str] = Field(default=None, exclude=True)

    def load_taxonomy(self) -> Taxonomy:
        return load_taxonomy(self.taxonomy)

    def watchlist(self) -> list[str]:
        return self.github.repos or self.load_taxonomy().watchlist()

    def github_tokens(self) -> list[str]:
        """Tokens from the named environment variables, in order; never logged or stored."""
        return [os.environ[n] for n in self.github.token_env if os.environ.get(n)]

    def search(self, name: str) -> SavedSearch:
        for s in self.searches:
            if s.name == name:
                return s
        known = ", ".join(s.name for s in self.searches) or "none configured"
        raise ConfigError(f"{self.source or 'config'}: no saved search named '{name}' (known: {known})")


def _where(loc: tuple) -> str:
    return ".".join(str(p) for p in loc)


def config_path(explicit: str | Path | None = None) -> Path | None:
    if explicit:
        return Path(explicit)
    env = os.environ.get("SOURCING_CONFIG")
    if env:
        return Path(env)
    local = Path(DEFAULT_FILE)
    return local if local.exists() else None


def load(path: str | Path | None = None, *, db_url: str | None = None) -> Config:
    """Read, validate and override the configuration. Raises ConfigError with file and key."""
    file = config_path(path)
    data: dict = {}
    if file is not None:
        try:
            data = tomllib.loads(file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"{file}: config file not found (run `sourcing init` to write one)") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{file}: not valid TOML: {exc}") from None
        except UnicodeDecodeError:
            raise ConfigError(f"{file}: not UTF-8 text") from None
    try:
        cfg = Config.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        msg = "unknown key" if err["type"] == "extra_forbidden" else err["msg"]
        raise ConfigError(f"{file or 'defaults'}: {_where(err['loc'])}: {msg}") from None
    cfg.source = str(file) if file else None
    if cfg.taxonomy and file is not None and not Path(cfg.taxonomy).is_absolute():
        cfg.taxonomy = str((file.parent / cfg.taxonomy).resolve())
    url = db_url or os.environ.get("SOURCING_DB_URL")
    if url:
        cfg.database.url = url
    try:
        tax = cfg.load_taxonomy()
    except TaxonomyError as exc:
        where = f"{file}: taxonomy: " if cfg.taxonomy else ""
        raise ConfigError(f"{where}{exc}") from None
    for i, s in enumerate(cfg.searches):
        if s.role and s.role not in tax.roles:
            raise ConfigError(f"{file}: searches.{i}.role: unknown role '{s.role}'")
        for sk in s.skills:
            if sk not in tax.skills:
                raise ConfigError(f"{file}: searches.{i}.skills: unknown skill '{sk}'")
    names = [s.name for s in cfg.searches]
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        raise ConfigError(f"{file}: searches: name '{sorted(dup)[0]}' is used twice")
    return cfg


def example_text() -> str:
    return EXAMPLE.read_text(encoding="utf-8")
