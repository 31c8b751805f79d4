"""Scoring weights: the shipped data file, deep-merged with an operator's override file.

An override only names the keys it changes; an unknown key or a value of the wrong type is an
error naming the file and the key, so a typo never silently falls back to a default.
"""

from __future__ import annotations

import copy
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

DEFAULT_PATH = Path(__file__).parent / "data" / "weights.toml"


class WeightsError(ValueError):
    """The weights file is unreadable or names a key/value the scorer does not know."""


def _read(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise WeightsError(f"{path}: weights file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise WeightsError(f"{path}: not valid TOML: {exc}") from None


def _merge(base: dict, over: dict, where: str, path: Path) -> None:
    for key, value in over.items():
        here = f"{where}.{key}" if where else key
        if key not in base:
            raise WeightsError(f"{path}: {here}: unknown key")
        old = base[key]
        if isinstance(old, dict):
            if not isinstance(value, dict):
                raise WeightsError(f"{path}: {here}: expected a table")
            _merge(old, value, here, path)
        elif isinstance(old, str):
            if not isinstance(value, str):
                raise WeightsError(f"{path}: {here}: expected a string")
            base[key] = value
        else:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise WeightsError(f"{path}: {here}: expected a number")
            base[key] = float(value)


def _check(w: dict, path: Path) -> None:
    if w["time"]["now"] not in ("data", "clock"):
        raise WeightsError(f"{path}: time.now: expected \"data\" or \"clock\"")
    if w["time"]["half_life_years"] <= 0:
        raise WeightsError(f"{path}: time.half_life_years: must be > 0")
    for table in ("repo.signals", "event.signals"):
        a, b = table.split(".")
        for name, sig in w[a][b].items():
            if sig["threshold"] <= 0:
                raise WeightsError(f"{path}: {table}.{name}.threshold: must be > 0")
    if not 0 < w["pagerank"]["alpha"] < 1:
        raise WeightsError(f"{path}: pagerank.alpha: must be between 0 and 1")
    if w["code"]["unit"] <= 0 or w["research"]["unit"] <= 0 or w["talks"]["unit"] <= 0:
        raise WeightsError(f"{path}: unit: must be > 0")


@lru_cache(maxsize=8)
def _load(path: str | None) -> dict:
    base = _read(DEFAULT_PATH)
    if path:
        p = Path(path)
        _merge(base, _read(p), "", p)
        _check(base, p)
    else:
        _check(base, DEFAULT_PATH)
    return base


def load(path: str | Path | None = None) -> dict[str, Any]:
    """The weights as nested dicts (a fresh copy: callers may not change the cached one)."""
    return copy.deepcopy(_load(str(path) if path else None))
