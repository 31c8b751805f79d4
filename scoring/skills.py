"""Skill attribution: which taxonomy skills a repo, a paper or a talk signals, as sparse matrices.

Repos: the taxonomy's watchlist mapping (or the skills the collector stored) is authoritative;
otherwise topics, languages and keywords of the name and description. Papers: arXiv
categories and keywords of title and abstract. Talks: keywords of title, abstract, track, tags.
Each row is capped so that a repo tagged with every buzzword does not count as many skills.
"""

from __future__ import annotations

import re
from typing import Iterable

import numpy as np
import scipy.sparse as sp

from scoring.taxonomy import Taxonomy

_TOKEN = re.compile(r"[a-z0-9]+")
ROW_CAP = 2.0


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


class Matcher:
    """Finds taxonomy keywords in free text by tokens (so "git" never matches "github")."""

    def __init__(self, tax: Taxonomy):
        self.skill_keys = list(tax.skills)
        col = {k: i for i, k in enumerate(self.skill_keys)}
        self.single: dict[str, set[int]] = {}
        self.multi: dict[str, list[tuple[tuple[str, ...], int]]] = {}
        for s in tax.skills.values():
            for kw in s.keywords:
                toks = tuple(tokens(kw))
                if not toks:
                    continue
                if len(toks) == 1:
                    self.single.setdefault(toks[0], set()).add(col[s.key])
                else:
                    self.multi.setdefault(toks[0], []).append((toks, col[s.key]))
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

    def keywords(self, text: str) -> set[int]:
        """Skills whose keywords occur in `text`; a phrase's words do not also count alone
        ("ranking model" is recommender systems, not the search keyword "ranking")."""
        toks = tokens(text)
        found: set[int] = set()
        single, multi = self.single, self.multi
        covered: set[int] = set()
        if multi:
            for i, t in enumerate(toks):
                cands = multi.get(t)
                if cands:
                    for phrase, skill in cands:
                        if tuple(toks[i : i + len(phrase)]) == phrase:
                            found.add(skill)
                            covered.update(range(i, i + len(phrase)))
        words = set(toks) if not covered else {t for i, t in enumerate(toks) if i not in covered}
        for t in words:
            got = single.get(t)
            if got is None and len(t) > 3 and t.endswith("s"):
                got = single.get(t[:-1])  # plurals: "recommenders", "dataframes"
            if got:
                found |= got
        return found

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


def repo_skills(data, tax: Taxonomy, m: Matcher) -> sp.csr_matrix:
    col = {k: i for i, k in enumerate(m.skill_keys)}
    r = data.repo
    rows: list[dict[int, float]] = []
    for i, name in enumerate(data.repo_name):
        d: dict[int, float] = {}
        mapped = set(tax.skills_of_repo(name)) | {s for s in r["skills"][i] if s in col}
        if mapped:
            _put(d, (col[s] for s in mapped if s in col), 1.0)
            rows.append(d)
            continue
        # what a repo calls itself (name, description) says more than its list of topics
        _put(d, m.topics(r["topics"][i]), 0.5)
        lang = r["language"][i]
        if lang:
            _put(d, m.language.get(lang.lower(), ()), 0.4)
        langs = r["languages"][i]
        if isinstance(langs, dict) and langs:
            total = float(sum(v for v in langs.values() if isinstance(v, (int, float)))) or 1.0
            for lname, b in langs.items():
                if isinstance(b, (int, float)) and b / total >= 0.25:
                    _put(d, m.language.get(str(lname).lower(), ()), 0.3)
        text = name.split("/", 1)[-1].replace("-", " ").replace("_", " ") + " " + r["description"][i]
        _put(d, m.keywords(text), 1.0)
        rows.append(d)
    return _matrix(rows, len(m.skill_keys))


def paper_skills(data, m: Matcher, weights: dict) -> sp.csr_matrix:
    rw = weights["research"]
    p = data.paper
    rows: list[dict[int, float]] = []
    for i in range(len(p["id"])):
        d: dict[int, float] = {}
        # the abstract's opening says what a paper is about; its tail mostly repeats it
        kw = m.keywords(p["title"][i] + " " + p["abstract"][i][:1200])
        _put(d, kw, rw["keyword"])
        # a category names a field, not a tool: when the words name the skills, categories only
        # confirm them; otherwise they spread thinly over the field's skills
        prim = p["primary"][i]
        for c in dict.fromkeys([prim, *p["categories"][i]]):
            got = m.category.get(c) if c else None
            if not got:
                continue
            w = (rw["primary_category"] if c == prim else rw["cross_category"]) / len(got) ** 0.5
            _put(d, got & kw if kw else got, w)
        rows.append(d)
    return _matrix(rows, len(m.skill_keys))


def talk_skills(data, m: Matcher) -> sp.csr_matrix:
    t = data.talk
    rows: list[dict[int, float]] = []
    for i in range(len(t["id"])):
        d: dict[int, float] = {}
        _put(d, m.keywords(t["abstract"][i][:1500]), 0.7)
        _put(d, m.keywords(t["title"][i] + " " + t["track"][i] + " " + " ".join(map(str, t["tags"][i]))), 1.0)
        _put(d, m.topics(t["tags"][i]), 1.0)
        rows.append(d)
    return _matrix(rows, len(m.skill_keys))
