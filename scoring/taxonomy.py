"""The skill and role taxonomy: loaded from a TOML data file and validated before anyone uses it."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

DEFAULT_PATH = Path(__file__).parent / "data" / "taxonomy.toml"
EVIDENCE_KINDS = ("code", "research", "talks")
_SKILL_FIELDS = {"family", "label", "repos", "topics", "languages", "arxiv_categories", "keywords"}
_ROLE_FIELDS = {"label", "skills", "evidence"}


class TaxonomyError(ValueError):
    """The taxonomy file is unreadable or inconsistent; the message names the file and key."""


@dataclass(frozen=True)
class Skill:
    key: str
    family: str
    label: str
    repos: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    arxiv_categories: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class Role:
    key: str
    label: str
    skills: dict[str, float]
    evidence: dict[str, float]


@dataclass(frozen=True)
class Taxonomy:
    path: Path
    families: dict[str, str]
    skills: dict[str, Skill]
    roles: dict[str, Role]
    _repo_index: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)

    def watchlist(self) -> list[str]:
        """Every repo the taxonomy names, in file order: the default GitHub watchlist."""
        return list(dict.fromkeys(r for s in self.skills.values() for r in s.repos))

    def skills_of_repo(self, full_name: str) -> tuple[str, ...]:
        """Skills a repo signals; GitHub names are case-insensitive."""
        return self._repo_index.get(full_name.lower(), ())


def _strs(value, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise TaxonomyError(f"{where}: expected a list of non-empty strings")
    return tuple(value)


def _weights(value, where: str, allowed: set[str] | tuple[str, ...], what: str) -> dict[str, float]:
    if not isinstance(value, dict) or not value:
        raise TaxonomyError(f"{where}: expected a non-empty table of weights")
    out = {}
    for k, w in value.items():
        if k not in allowed:
            raise TaxonomyError(f"{where}.{k}: unknown {what} '{k}'")
        if not isinstance(w, (int, float)) or isinstance(w, bool) or w < 0:
            raise TaxonomyError(f"{where}.{k}: weight must be a number >= 0")
        out[k] = float(w)
    if sum(out.values()) <= 0:
        raise TaxonomyError(f"{where}: weights sum to zero")
    return out


def parse(data: dict, path: Path) -> Taxonomy:
    p = str(path)
    unknown = set(data) - {"families", "skills", "roles"}
    if unknown:
        raise TaxonomyError(f"{p}: unknown key '{sorted(unknown)[0]}'")
    families = data.get("families") or {}
    if not isinstance(families, dict) or not families:
        raise TaxonomyError(f"{p}: [families] is missing or empty")
    skills: dict[str, Skill] = {}
    for key, raw in (data.get("skills") or {}).items():
        where = f"{p}: skills.{key}"
        if not isinstance(raw, dict):
            raise TaxonomyError(f"{where}: expected a table")
        extra = set(raw) - _SKILL_FIELDS
        if extra:
            raise TaxonomyError(f"{where}.{sorted(extra)[0]}: unknown key")
        fam = raw.get("family")
        if fam not in families:
            raise TaxonomyError(f"{where}.family: unknown family '{fam}'")
        lists = {f: _strs(raw.get(f, []), f"{where}.{f}") for f in _SKILL_FIELDS - {"family", "label"}}
        if not any(lists.values()):
            raise TaxonomyError(f"{where}: no evidence (repos, topics, languages, arxiv_categories or keywords)")
        skills[key] = Skill(key=key, family=fam, label=str(raw.get("label") or key), **lists)
    if not skills:
        raise TaxonomyError(f"{p}: no [skills] defined")
    roles: dict[str, Role] = {}
    for key, raw in (data.get("roles") or {}).items():
        where = f"{p}: roles.{key}"
        if not isinstance(raw, dict):
            raise TaxonomyError(f"{where}: expected a table")
        extra = set(raw) - _ROLE_FIELDS
        if extra:
            raise TaxonomyError(f"{where}.{sorted(extra)[0]}: unknown key")
        roles[key] = Role(
            key=key,
            label=str(raw.get("label") or key),
            skills=_weights(raw.get("skills"), f"{where}.skills", set(skills), "skill"),
            evidence=_weights(raw.get("evidence"), f"{where}.evidence", EVIDENCE_KINDS, "evidence kind"),
        )
    if not roles:
        raise TaxonomyError(f"{p}: no [roles] defined")
    index: dict[str, tuple[str, ...]] = {}
    for s in skills.values():
        for repo in s.repos:
            index[repo.lower()] = index.get(repo.lower(), ()) + (s.key,)
    return Taxonomy(path=path, families=dict(families), skills=skills, roles=roles, _repo_index=index)


@lru_cache(maxsize=8)
def load(path: str | Path | None = None) -> Taxonomy:
    """Load and validate a taxonomy file (the shipped one by default)."""
    path = Path(path) if path else DEFAULT_PATH
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TaxonomyError(f"{path}: taxonomy file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise TaxonomyError(f"{path}: not valid TOML: {exc}") from None
    return parse(data, path)
