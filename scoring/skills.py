"""Skill attribution: which taxonomy skills a repo, a paper or a talk signals, as sparse matrices.

Repos: the taxonomy's watchlist mapping (or the skills the collector stored) is authoritative;
otherwise topics, languages and keywords of the name and description. Papers: arXiv
categories and keywords of title and abstract. Talks: keywords of title, abstract, track, tags.
Each row is capped so that a repo tagged with every buzzword does not count as many skills.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Iterable

import numpy as np
import scipy.sparse as sp

from scoring.taxonomy import Taxonomy

_TOKEN = re.compile(r"[a-z0-9]+")
ROW_CAP = 2.0


# ASCII punctuation separates words (as the token pattern does), so str.split finds them
_SEP = str.maketrans({c: " " for c in range(128) if not chr(c).isalnum()})


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


class Matcher:
    """Finds taxonomy keywords in free text by tokens (so "git" never matches "github")."""

    def __init__(self, tax: Taxonomy):
        self.skill_keys = list(tax.skills)
        col = {k: i for i, k in enumerate(self.skill_keys)}
        self.single: dict[str, frozenset[int]] = {}
        self.multi: dict[str, list[tuple[tuple[str, ...], frozenset[int]]]] = {}
        phrases: dict[tuple[str, ...], set[int]] = {}
        for s in tax.skills.values():
            for kw in s.keywords:
                toks = tuple(tokens(kw))
                if not toks:
                    continue
                if len(toks) == 1:
                    self.single.setdefault(toks[0], set()).add(col[s.key])
                else:
                    phrases.setdefault(toks, set()).add(col[s.key])
        # plurals match too: "recommenders", "dataframes", "etl pipelines"
        for t, v in list(self.single.items()):
            if len(t) > 2 and not t.endswith("s"):
                self.single.setdefault(t + "s", set()).update(v)
        for toks, v in list(phrases.items()):
            if not toks[-1].endswith("s"):
                phrases.setdefault(toks[:-1] + (toks[-1] + "s",), set()).update(v)
        self.single = {t: frozenset(v) for t, v in self.single.items()}
        for toks, v in phrases.items():
            self.multi.setdefault(toks[0], []).append((toks, frozenset(v)))
        self._vocab = frozenset(self.single)
        self._firsts = frozenset(self.multi)
        self._phrases = {f: [(" " + " ".join(p) + " ", v) for p, v in lst] for f, lst in self.multi.items()}
        self.topic: dict[str, set[int]] = {}
        self.language: dict[str, set[int]] = {}
        self.category: dict[str, set[int]] = {}
        for s in tax.skills.values():
            for t in s.topics:
                self.topic.setdefault(t.lower(), set()).add(col[s.key])
            for lang in s.languages:
                self.language.setdefault(lang.lower(), set()).add(col[s.key])
            for c in s.arxiv_categories:
                self.category.setdefault(c, set()).add(col[s.key])

    def keywords(self, text: str) -> dict[int, float]:
        """Skills whose keywords occur in `text`, with a weight: 1.0 for a keyword of one skill;
        a keyword several skills share ("deep learning") only confirms skills named otherwise,
        or counts 1/sqrt(k) for each of its k skills. A phrase's words do not also count alone
        ("ranking model" is recommender systems, not the search keyword "ranking")."""
        # every title and abstract passes here: set operations and substring search in C,
        # Python loops only over what is found
        toks = text.lower().translate(_SEP).split()
        present = set(toks)
        hits: list[frozenset[int]] = []
        firsts = present & self._firsts
        if firsts:
            norm = " " + " ".join(toks) + " "
            found = False
            for f in firsts:
                for phrase, skills_ in self._phrases[f]:
                    if phrase in norm:
                        hits.append(skills_)
                        while phrase in norm:  # its words do not count again alone
                            norm = norm.replace(phrase, "  ")
                        found = True
            if found:
                present = set(norm.split())
        single = self.single
        for t in present & self._vocab:
            hits.append(single[t])
        if not hits:
            return {}
        strong = {next(iter(h)) for h in hits if len(h) == 1}
        out = {s_: 1.0 for s_ in strong}
        for h in hits:
            if len(h) > 1 and not (h & strong):
                for s_ in h:
                    out[s_] = max(out.get(s_, 0.0), 1.0 / len(h) ** 0.5)
        return out

    def topics(self, topics: Iterable[str]) -> set[int]:
        found: set[int] = set()
        for t in topics or ():
            got = self.topic.get(str(t).lower())
            if got:
                found |= got
        return found


def _matrix(rows: list[dict[int, float]], n_skills: int) -> sp.csr_matrix:
    r, c, v = [], [], []
    for i, d in enumerate(rows):
        if not d:
            continue
        total = sum(d.values())
        scale = ROW_CAP / total if total > ROW_CAP else 1.0
        for s, w in d.items():
            r.append(i)
            c.append(s)
            v.append(w * scale)
    return sp.csr_matrix((np.array(v, dtype=np.float64), (np.array(r, dtype=np.int64), np.array(c, dtype=np.int64))), shape=(len(rows), n_skills))


def _put(d: dict[int, float], skills: Iterable[int], w: float) -> None:
    for s in skills:
        if d.get(s, 0.0) < w:
            d[s] = w


def _putw(d: dict[int, float], weighted: dict[int, float], w: float) -> None:
    for s, x in weighted.items():
        if d.get(s, 0.0) < w * x:
            d[s] = w * x


def _json(v):
    if v is None or isinstance(v, (list, dict)):
        return v
    return _parse(v)


@lru_cache(maxsize=1 << 16)
def _parse(text: str):
    """JSON columns repeat a lot (["cs.LG", "stat.ML"]); parse each text once. Read-only results."""
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return None


def repo_skills(rows_: Iterable[tuple], tax: Taxonomy, m: Matcher) -> sp.csr_matrix:
    """Rows: (full_name, skills, topics, language, languages, description)."""
    col = {k: i for i, k in enumerate(m.skill_keys)}
    out: list[dict[int, float]] = []
    for name, skills_, topics, lang, langs, desc in rows_:
        d: dict[int, float] = {}
        mapped = set(tax.skills_of_repo(name)) | {s for s in (_json(skills_) or ()) if s in col}
        if mapped:
            _put(d, (col[s] for s in mapped if s in col), 1.0)
            out.append(d)
            continue
        # what a repo calls itself (name, description) says more than its list of topics; a
        # topic shared by several skills ("deep-learning") is weak, and only confirms when the
        # name and description already name skills
        text = name.split("/", 1)[-1].replace("-", " ").replace("_", " ") + " " + (desc or "")
        kw = m.keywords(text)
        _putw(d, kw, 1.0)
        for t in _json(topics) or ():
            got = m.topic.get(str(t).lower())
            if got:
                _put(d, got & kw.keys() if kw and len(got) > 1 else got, 0.6 / len(got) ** 0.5)
        if lang:
            _put(d, m.language.get(lang.lower(), ()), 0.4)
        langs = _json(langs)
        if isinstance(langs, dict) and langs:
            total = float(sum(v for v in langs.values() if isinstance(v, (int, float)))) or 1.0
            for lname, b in langs.items():
                if isinstance(b, (int, float)) and b / total >= 0.25:
                    _put(d, m.language.get(str(lname).lower(), ()), 0.3)
        out.append(d)
    return _matrix(out, len(m.skill_keys))


def paper_skills(rows_: Iterable[tuple], m: Matcher, weights: dict) -> sp.csr_matrix:
    """Rows: (title, abstract opening, primary category, categories)."""
    rw = weights["research"]
    out: list[dict[int, float]] = []
    cache: dict[str, set[int]] = {}
    for title, abstract, prim, cats in rows_:
        d: dict[int, float] = {}
        text = (title or "") + " " + (abstract or "")
        kw = cache.get(text)
        if kw is None:
            kw = cache[text] = m.keywords(text)
        _putw(d, kw, rw["keyword"])
        # a category names a field, not a tool: when the words name the skills, categories only
        # confirm them; otherwise they spread thinly over the field's skills
        for c in dict.fromkeys([prim, *(_json(cats) or ())]):
            got = m.category.get(c) if c else None
            if not got:
                continue
            w = (rw["primary_category"] if c == prim else rw["cross_category"]) / len(got) ** 0.5
            _put(d, got & kw.keys() if kw else got, w)
        out.append(d)
    return _matrix(out, len(m.skill_keys))


def talk_skills(rows_: Iterable[tuple], m: Matcher) -> sp.csr_matrix:
    """Rows: (title, abstract opening, track, tags)."""
    out: list[dict[int, float]] = []
    for title, abstract, track, tags in rows_:
        tags = [str(x) for x in (_json(tags) or ())]
        d: dict[int, float] = {}
        _putw(d, m.keywords(abstract or ""), 0.7)
        _putw(d, m.keywords((title or "") + " " + (track or "") + " " + " ".join(tags)), 1.0)
        _put(d, m.topics(tags), 1.0)
        out.append(d)
    return _matrix(out, len(m.skill_keys))


# the opening of an abstract says what it is about; the tail mostly repeats it
ABSTRACT_CHARS = 600


def text_matrices(engine, tax: Taxonomy, weights: dict) -> dict[str, tuple[np.ndarray, sp.csr_matrix]]:
    """Skill matrices of every repo, paper and talk, read straight from storage: {table: (ids, matrix)}."""
    from scoring.load import rows

    m = Matcher(tax)
    out = {}
    with engine.connect() as conn:
        sub = "substr" if conn.dialect.name == "sqlite" else "substring"
        rs = rows(conn, "SELECT id, full_name, skills, topics, language, languages, description FROM repo ORDER BY id")
        out["repo"] = (np.array([r[0] for r in rs], dtype=np.int64), repo_skills((r[1:] for r in rs), tax, m))
        del rs
        ps = rows(
            conn,
            f"SELECT id, title, {sub}(abstract, 1, {ABSTRACT_CHARS}), primary_category, categories FROM paper ORDER BY id",
        )
        out["paper"] = (np.array([r[0] for r in ps], dtype=np.int64), paper_skills((r[1:] for r in ps), m, weights))
        del ps
        ts = rows(conn, f"SELECT id, title, {sub}(abstract, 1, {ABSTRACT_CHARS}), track, tags FROM talk ORDER BY id")
        out["talk"] = (np.array([r[0] for r in ts], dtype=np.int64), talk_skills((r[1:] for r in ts), m))
    return out


def align(ids: np.ndarray, matrix: sp.csr_matrix, want: np.ndarray) -> sp.csr_matrix:
    """Rows of `matrix` (one per id in `ids`) reordered to the ids in `want` (missing: empty rows)."""
    pos = np.searchsorted(ids, want)
    ok = (pos < len(ids)) & (ids[np.minimum(pos, max(len(ids) - 1, 0))] == want) if len(ids) else np.zeros(len(want), dtype=bool)
    if ok.all() and len(ids) == len(want):
        return matrix
    sel = sp.csr_matrix((np.ones(int(ok.sum())), (np.flatnonzero(ok), pos[ok])), shape=(len(want), len(ids)))
    return (sel @ matrix).tocsr()
