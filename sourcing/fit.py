"""Role fit: read a job description, find the people whose demonstrated work matches it.

The description is understood through the taxonomy (skills and roles by their keywords and
synonyms) plus its remaining terms; people are ranked by a blend of full-text affinity between
the description and their own work (FTS5 bm25 over merged PRs, repos, papers, talks), their stored
capability scores for the recognised skills and role, and recency. Every result names the pieces
of work that matched.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Optional

from sqlalchemy import bindparam, text
from sqlalchemy.engine import Engine
from unidecode import unidecode

from scoring.taxonomy import Taxonomy
from storage import worktext

# Weights of the blend, tuned on the offline world (precision@20: 0.76 at 0.5/0.35/0.15, 0.83 here):
# stored skill scores already weigh depth and recency; affinity adds what the text says.
W_AFFINITY, W_SKILLS, W_ROLE = 0.35, 0.55, 0.10
DOCS_PER_PERSON = 5  # strongest matching pieces of work that count towards affinity
RECENCY_HALF_LIFE_YEARS = 2.0
MAX_TERMS = 40
MAX_DOCS = 5000  # best-matching documents read per query
COMMON_SHARE, COMMON_MIN_DOCS = 0.02, 200  # a non-skill term in more documents than this is dropped

STOPWORDS = frozenset(
    """a about above across after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each either
    etc few for from further had has have having he her here hers him his how i if in into is it
    its itself just like looking me more most must my need needs new no nor not now of off on once
    one only or other our ours out over own per plus role same she should so some such team than
    that the their them then there these they this those through to too under until up us very
    want was we were what when where which while who whom why will with within would you your
    join work working works build building built experience experienced years year strong good
    great ideally preferred required requirements responsibilities skills skill knowledge ability
    hands-on hands engineer engineers engineering developer develop developing using use used
    help helping day days make makes making across based including include includes well via
    know understand understanding familiar familiarity solid deep proven track record love
    passionate opportunity company candidate candidates position job""".split()
)
_GENERIC_TOPICS = frozenset({"api", "cli", "machine-learning", "python", "data", "ml", "ai", "cloud"})


class FitError(ValueError):
    """The description cannot drive a ranking (empty, nothing recognised, nothing matches)."""


@dataclass
class Understanding:
    skills: dict[str, list[str]] = field(default_factory=dict)  # skill -> phrases that named it
    roles: list[str] = field(default_factory=list)
    terms: list[str] = field(default_factory=list)  # remaining terms, for text matching

    def phrases(self) -> list[str]:
        """Skill phrases first, then the other terms, as FTS5 phrases (letters and digits only)."""
        seen: dict[str, None] = {}
        for p in [p for ps in self.skills.values() for p in ps] + self.terms:
            words = re.findall(r"[a-z0-9]+", p)
            if words:
                seen.setdefault(" ".join(words), None)
        return list(seen)[:MAX_TERMS]

    def fts_query(self, drop: frozenset[str] | set[str] = frozenset()) -> str:
        return " OR ".join(f'"{p}"' for p in self.phrases() if p not in drop)


def normalise(s: str) -> str:
    """Lower case, transliterated, punctuation as spaces: 'Feast/Kafka-based' -> 'feast kafka based'."""
    s = unidecode(s or "").lower().replace("-", " ").replace("_", " ")
    return " ".join(re.findall(r"[a-z0-9+#.]+", s)).replace(" .", " ").strip(".")


def _skill_phrases(tax: Taxonomy) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for key, s in tax.skills.items():
        ph = {normalise(k) for k in s.keywords}
        ph |= {normalise(t) for t in s.topics if len(t) >= 3 and t not in _GENERIC_TOPICS}
        ph |= {normalise(r.split("/")[1]) for r in s.repos if len(r.split("/")[1]) >= 4}
        if len(key) >= 4:
            ph.add(normalise(key))
        if len(s.label) >= 4 and "/" not in s.label:
            ph.add(normalise(s.label))
        out[key] = {p for p in ph if len(p) >= 3}
    return out


def _role_phrases(tax: Taxonomy) -> dict[str, set[str]]:
    out = {}
    for key, r in tax.roles.items():
        ph = {normalise(key), normalise(r.label)}
        ph |= {p.replace("ml ", "machine learning ") for p in ph if p.startswith("ml ")}
        out[key] = ph
    return out


def understand(description: str, tax: Taxonomy) -> Understanding:
    """Skills and roles the description names (by taxonomy keywords and synonyms) and its other terms."""
    norm = f" {normalise(description)} "
    u = Understanding()
    consumed = norm
    for key, phrases in _skill_phrases(tax).items():
        hits = sorted(p for p in phrases if f" {p} " in norm or f" {p}s " in norm)
        if hits:
            u.skills[key] = hits
            for p in hits:
                consumed = consumed.replace(f" {p} ", " ").replace(f" {p}s ", " ")
    for key, phrases in _role_phrases(tax).items():
        if any(f" {p} " in norm for p in phrases):
            u.roles.append(key)
            for p in phrases:
                consumed = consumed.replace(f" {p} ", " ")
    words = [w.strip(".") for w in consumed.split()]
    u.terms = list(
        dict.fromkeys(w for w in words if len(w) >= 3 and w not in STOPWORDS and not w.isdigit())
    )
    return u


def _recency(when: Any, now: datetime) -> float:
    if when is None:
        return 0.5
    if isinstance(when, str):
        try:
            when = datetime.fromisoformat(when)
        except ValueError:
            return 0.5
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    years = max(0.0, (now - when).days / 365.25)
    return 0.5 ** (years / RECENCY_HALF_LIFE_YEARS)


def _month(when: Any) -> str:
    if when is None:
        return ""
    return str(when)[:7]


def explain(doc: dict) -> str:
    """One line a recruiter can check: which piece of work matched."""
    title, where, month = doc.get("title") or "", doc.get("where") or "", _month(doc.get("occurred_at"))
    tail = f", {month}" if month else ""
    kind = doc["kind"]
    if kind == "pr":
        return f"merged '{title}' to {where}{tail}"
    if kind == "paper":
        return f"paper '{title}'" + (f" ({where}{tail})" if where or month else "")
    if kind == "talk":
        return f"talk '{title}'" + (f" at {where}" if where else "") + tail
    return f"contributes to {where}"


def _people(conn, ids: list[int]) -> dict[int, dict]:
    if not ids:
        return {}
    rows = conn.execute(
        text(
            "SELECT p.id, p.display_name, p.github_login, p.location, p.company, p.is_bot, p.suppressed, "
            "r.status FROM person p LEFT JOIN review r ON r.person_id = p.id WHERE p.id IN :ids"
        ).bindparams(bindparam("ids", expanding=True)),
        {"ids": ids},
    )
    return {r.id: dict(r._mapping) for r in rows}


def _scores(conn, ids: list[int], dimension: str, names: list[str]) -> dict[int, dict[str, float]]:
    if not ids or not names:
        return {}
    out: dict[int, dict[str, float]] = defaultdict(dict)
    rows = conn.execute(
        text(
            "SELECT person_id, name, value FROM score WHERE dimension = :d AND name IN :names "
            "AND person_id IN :ids"
        ).bindparams(bindparam("names", expanding=True), bindparam("ids", expanding=True)),
        {"d": dimension, "names": names, "ids": ids},
    )
    for pid, name, value in rows:
        out[pid][name] = value
    return out


def _top_by_skill(conn, skills: list[str], per_skill: int) -> set[int]:
    out: set[int] = set()
    for s in skills:
        rows = conn.execute(
            text("SELECT person_id FROM score WHERE dimension = 'skill' AND name = :n ORDER BY value DESC LIMIT :k"),
            {"n": s, "k": per_skill},
        )
        out |= {r[0] for r in rows}
    return out


def fit(
    engine: Engine,
    description: str,
    tax: Taxonomy,
    *,
    role: Optional[str] = None,
    location: Optional[str] = None,
    top: int = 25,
    now: Optional[datetime] = None,
) -> dict[str, Any]:
    """Rank people for a job description. Returns {"understood": ..., "results": [...]}."""
    if not description or not description.strip():
        raise FitError("the description is empty: paste what the team does, or pass a file")
    if role and role not in tax.roles:
        raise FitError(f"unknown role '{role}' (known: {', '.join(tax.roles)})")
    loc_re = None
    if location:
        try:
            loc_re = re.compile(location, re.IGNORECASE)
        except re.error as exc:
            raise FitError(f"--location is not a valid pattern: {exc}") from None
    u = understand(description, tax)
    roles = [role] if role else u.roles
    if not u.skills and not u.terms:
        raise FitError(
            "nothing in the description names a skill, a tool or a searchable term "
            "(try words like 'Kafka', 'feature store', 'PyTorch', 'recommender systems')"
        )
    now = now or datetime.now(timezone.utc)
    with engine.connect() as conn:
        n_docs = worktext.count(conn)
        if n_docs == 0:
            raise FitError("the work index is empty: run `sourcing fit --reindex ...` (or a nightly run) first")
        # words that half the corpus uses ("models", "served") say nothing about who did the
        # work and would make every query scan most of the index; skill phrases always stay
        skill_phrases = {" ".join(re.findall(r"[a-z0-9]+", p)) for ps in u.skills.values() for p in ps}
        other = [p for p in u.phrases() if p not in skill_phrases]
        common = worktext.frequent(conn, other, max(COMMON_MIN_DOCS, int(n_docs * COMMON_SHARE))) if other else set()
        query = u.fts_query(drop=common)
        if not query and not u.skills:
            raise FitError(
                f"the description's terms ({', '.join(u.terms[:8])}) are too common in the stored work "
                "to tell anyone apart; name the tools, methods or domains the team works with"
            )
        docs = worktext.search(conn, query, limit=MAX_DOCS) if query else []
        by_person: dict[int, list[dict]] = defaultdict(list)
        for d in docs:
            if len(by_person[d["person_id"]]) < DOCS_PER_PERSON * 2:
                by_person[d["person_id"]].append(d)
        if not by_person and not u.skills:
            raise FitError(
                f"no stored work matches the description's terms ({', '.join(u.terms[:8])}); "
                "nothing to rank on"
            )
        affinity: dict[int, float] = {}
        for pid, ds in by_person.items():
            ds.sort(key=lambda d: d["bm25"] * _recency(d["occurred_at"], now))
            strongest = ds[:DOCS_PER_PERSON]
            affinity[pid] = sum(-d["bm25"] * _recency(d["occurred_at"], now) for d in strongest) * (
                1 + 0.1 * math.log1p(len(ds))
            )
        candidates = set(affinity) | _top_by_skill(conn, list(u.skills), per_skill=max(200, top * 4))
        ids = sorted(candidates)
        people = _people(conn, ids)
        skill_scores = _scores(conn, ids, "skill", list(u.skills))
        role_scores = _scores(conn, ids, "role", roles)
    best = max(affinity.values(), default=0.0) or 1.0
    w_aff, w_sk, w_ro = W_AFFINITY, W_SKILLS if u.skills else 0.0, W_ROLE if roles else 0.0
    total_w = w_aff + w_sk + w_ro
    results = []
    for pid in ids:
        p = people.get(pid)
        if not p or p["is_bot"] or p["suppressed"] or p["status"] == "rejected":
            continue
        if loc_re and not loc_re.search(p["location"] or ""):
            continue
        aff = affinity.get(pid, 0.0) / best
        sk = (sum(skill_scores.get(pid, {}).get(s, 0.0) for s in u.skills) / (100 * len(u.skills))) if u.skills else 0
        ro = max((role_scores.get(pid, {}).get(r, 0.0) for r in roles), default=0.0) / 100
        score = 100 * (w_aff * aff + w_sk * sk + w_ro * ro) / total_w
        matched = by_person.get(pid, [])[:3]
        results.append(
            {
                "person_id": pid,
                "name": p["display_name"],
                "github": p["github_login"],
                "location": p["location"],
                "company": p["company"],
                "score": round(score, 1),
                "affinity": round(100 * aff, 1),
                "skills": {s: round(skill_scores.get(pid, {}).get(s, 0.0), 1) for s in u.skills},
                "status": p["status"] or "new",
                "why": [{"text": explain(d), "url": d["url"], "ref": d["ref"]} for d in matched],
            }
        )
    results.sort(key=lambda r: (-r["score"], r["person_id"]))
    results = results[:top]
    for i, r in enumerate(results, 1):
        r["rank"] = i
    return {
        "understood": {"skills": u.skills, "roles": roles, "terms": u.terms[:MAX_TERMS]},
        "results": results,
    }


def leads_for(engine: Engine, search: Any, description: str, tax: Taxonomy) -> list[dict[str, Any]]:
    """A saved search driven by a job description: fit results in the shape lead lists store."""
    out = fit(engine, description, tax, role=search.role, location=search.location, top=search.size * 3)
    excluded = [re.compile(rf"\b{re.escape(c)}\b", re.IGNORECASE) for c in search.exclude_companies]
    leads = []
    for r in out["results"]:
        if r["score"] < search.min_score or any(x.search(r.get("company") or "") for x in excluded):
            continue
        why = r["why"][0]["text"] if r["why"] else "strong stored scores in the skills the description names"
        flags = [r["status"]] if r["status"] in ("shortlisted", "contacted", "hired") else []
        leads.append({**r, "why": why, "flags": flags})
        if len(leads) == search.size:
            break
    for i, lead in enumerate(leads, 1):
        lead["rank"] = i
    return leads


def reindex(engine: Engine) -> dict[str, int]:
    """Update the work text index from what is stored (incremental: only changed documents)."""
    with engine.begin() as conn:
        return worktext.refresh(conn)
