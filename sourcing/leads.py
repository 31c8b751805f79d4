"""Saved and ad-hoc searches turned into ranked lead lists, straight from the stored scores;
each run's list is kept with new / up / same flags against the previous list of its search.

Everything here is a pure function over an engine returning plain dicts, so the CLI, the web
page and the nightly pipeline share it. The ranking is one SQL query that walks the Score
index (`ix_score_dim_value`: dimension, name, value) from the top and stops at the page size;
the page's skills and evidence come from a second and third small query.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any, Iterable, Mapping, Optional, Sequence

from sqlalchemy import and_, false, func, not_, or_, select
from sqlalchemy.engine import Connection, Engine

from storage.models import Evidence, Lead, LeadList, Person, Review, Score
from storage.upsert import upsert

SKILL_FLOOR = 10.0  # a required skill counts as present from this score (0-100) up
TOP_SKILLS = 3
# a location pattern that accepts "remote" also accepts people who say so in other words
REMOTE_WORDS = r"remote|anywhere|worldwide|distributed|home ?office"
SORTS = ("score", "name", "location", "company", "status")
MARKED_STATUSES = ("shortlisted", "contacted", "hired")  # shown as flags on a lead

_S = Score.__table__
_P = Person.__table__
_R = Review.__table__
_E = Evidence.__table__
_LL = LeadList.__table__
_L = Lead.__table__


class SearchError(ValueError):
    """A search names an unknown role or skill, or has an invalid pattern; the message says which."""


@dataclass(frozen=True)
class Search:
    """What a sourcer asks for: a role and/or required skills (all of them), a location pattern
    (case-insensitive regular expression; "remote" included), a minimum score, companies to
    leave out and how many leads to keep."""

    name: str = "ad-hoc"
    role: Optional[str] = None
    skills: tuple[str, ...] = ()
    location: Optional[str] = None
    min_score: float = 0.0
    exclude_companies: tuple[str, ...] = ()
    size: int = 25
    skill_floor: float = SKILL_FLOOR

    @classmethod
    def of(cls, obj: Any) -> "Search":
        """A Search from a Search, a config SavedSearch or a dict of the same fields."""
        if isinstance(obj, cls):
            return obj
        data = obj if isinstance(obj, Mapping) else obj.model_dump() if hasattr(obj, "model_dump") else vars(obj)
        known = {f for f in cls.__dataclass_fields__}
        kw = {k: v for k, v in data.items() if k in known and v is not None}
        for k in ("skills", "exclude_companies"):
            if k in kw:
                kw[k] = tuple(kw[k])
        return cls(**kw)

    def params(self) -> dict:
        d = asdict(self)
        d["skills"], d["exclude_companies"] = list(self.skills), list(self.exclude_companies)
        return d

    @property
    def basis(self) -> str:
        """What the list is ranked by: the role score, else the required skills' mean, else overall."""
        return f"role:{self.role}" if self.role else "skills" if self.skills else "overall"


def _suggest(word: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(known), n=3, cutoff=0.6)
    return f" (did you mean {', '.join(close)}?)" if close else ""


def validate(search: Search, taxonomy) -> Search:
    """Check role, skills and patterns against the taxonomy; raise SearchError naming the problem."""
    if search.role and search.role not in taxonomy.roles:
        raise SearchError(
            f"unknown role '{search.role}'{_suggest(search.role, taxonomy.roles)}; "
            f"known roles: {', '.join(taxonomy.roles)}"
        )
    for sk in search.skills:
        if sk not in taxonomy.skills:
            raise SearchError(
                f"unknown skill '{sk}'{_suggest(sk, taxonomy.skills)}; "
                f"known skills: {', '.join(taxonomy.skills)}"
            )
    if search.location:
        try:
            re.compile(search.location)
        except re.error as exc:
            raise SearchError(f"location pattern '{search.location}' is not a valid regular expression: {exc}") from None
    if search.size < 1:
        raise SearchError("size must be at least 1")
    return search


# --- the ranking query ---------------------------------------------------------------------


def _regexp(conn: Connection, col, pattern: str):
    """Case-insensitive regular-expression match on SQLite (Python's re) and PostgreSQL (~*)."""
    if conn.dialect.name == "sqlite":
        return col.regexp_match("(?i)" + pattern)
    return col.regexp_match(pattern, flags="i")


def _status_filter(status: Any, review_status, status_col):
    """None: everyone but rejected people; "any": everyone; a status or list: only those."""
    if status is None:
        return or_(review_status.is_(None), review_status != "rejected")
    if status == "any":
        return None
    return status_col.in_([status] if isinstance(status, str) else list(status))


def _query(conn: Connection, search: Search, status: Any, *, count: bool = False):
    """The SELECT of matching people with their ranking score, before ordering and paging.

    A page walks the ranking score's index from the top and stops when it has enough. A count
    must visit every match, so with required skills it is driven by the first skill (fewer
    rows than a role, which everyone has) and the role becomes an EXISTS on the unique index.
    """
    role_exists = count and bool(search.role and search.skills)
    primary = _S.alias("p0")
    if search.role and not role_exists:
        conds = [primary.c.dimension == "role", primary.c.name == search.role]
        skill_aliases = []
    elif search.skills:
        conds = [primary.c.dimension == "skill", primary.c.name == search.skills[0],
                 primary.c.value >= search.skill_floor]
        skill_aliases = [primary]
    else:
        conds = [primary.c.dimension == "overall", primary.c.name == "overall"]
        skill_aliases = []
    from_ = primary.join(_P, _P.c.id == primary.c.person_id)
    for sk in search.skills[1:] if skill_aliases else search.skills:
        a = _S.alias(f"s{len(skill_aliases)}")
        skill_aliases.append(a)
        from_ = from_.join(
            a,
            and_(a.c.person_id == primary.c.person_id, a.c.dimension == "skill", a.c.name == sk,
                 a.c.value >= search.skill_floor),
        )
    if role_exists:
        r0 = _S.alias("r0")
        conds.append(
            select(r0.c.id).where(r0.c.person_id == primary.c.person_id, r0.c.dimension == "role",
                                  r0.c.name == search.role, r0.c.value >= search.min_score).exists()
        )
    from_ = from_.outerjoin(_R, _R.c.person_id == primary.c.person_id)
    if (search.role and not role_exists) or not search.skills:
        score = primary.c.value
    else:
        score = sum((a.c.value for a in skill_aliases[1:]), skill_aliases[0].c.value) / len(skill_aliases)
    if not role_exists:
        conds.append(score >= search.min_score)
    conds += [_P.c.suppressed == false(), _P.c.is_bot == false()]
    if search.location:
        pat = search.location
        if re.search(pat, "remote", re.I):
            pat = f"(?:{pat})|{REMOTE_WORDS}"
        conds.append(and_(_P.c.location.is_not(None), _regexp(conn, _P.c.location, pat)))
    excluded = [c.strip().lstrip("@").strip().lower() for c in search.exclude_companies if c.strip().lstrip("@").strip()]
    if excluded:
        words = "|".join(re.escape(c) for c in excluded)
        pat = rf"(?:^|[^0-9a-z])(?:{words})(?:$|[^0-9a-z])"
        conds.append(or_(_P.c.company.is_(None), not_(_regexp(conn, func.lower(_P.c.company), pat))))
    status_col = func.coalesce(_R.c.status, "new")
    cond = _status_filter(status, _R.c.status, status_col)
    if cond is not None:
        conds.append(cond)
    cols = [
        primary.c.person_id,
        primary.c.id.label("score_id"),
        score.label("score"),
        primary.c.flags.label("score_flags"),
        _P.c.display_name,
        _P.c.github_login,
        _P.c.location,
        _P.c.company,
        _P.c.homepage,
        _P.c.email,
        status_col.label("status"),
        _R.c.note,
    ]
    order = (score.desc(), primary.c.id.desc())
    return select(*cols).select_from(from_).where(*conds), order


def _sort_key(sort: str):
    desc = sort.startswith("-")
    key = sort.lstrip("-")
    if key not in SORTS:
        raise SearchError(f"unknown sort '{sort}' (one of {', '.join(SORTS)})")
    return key, desc


def find_leads(
    engine: Engine,
    search: Any,
    *,
    taxonomy,
    offset: int = 0,
    limit: Optional[int] = None,
    status: Any = None,
    sort: str = "score",
) -> list[dict]:
    """Rank people for `search` (a Search, SavedSearch or dict) from stored scores.

    `limit` defaults to the search's size. `status`: None hides rejected people; a status or a
    list of statuses keeps only those; "any" keeps everyone. `sort`: score (default), name,
    location, company or status, "-" in front for descending; `rank` is always the score rank.
    """
    search = validate(Search.of(search), taxonomy)
    limit = search.size if limit is None else limit
    key, desc = _sort_key(sort)
    with engine.connect() as conn:
        q, order = _query(conn, search, status)
        if key == "score" and not desc:
            rows = conn.execute(q.order_by(*order).offset(offset).limit(limit)).all()
            ranked = [(offset + i + 1, r) for i, r in enumerate(rows)]
        else:
            sub = q.add_columns(func.row_number().over(order_by=order).label("rank")).subquery()
            col = {"score": sub.c.rank, "name": func.lower(func.coalesce(sub.c.display_name, sub.c.github_login)),
                   "location": func.lower(sub.c.location), "company": func.lower(sub.c.company),
                   "status": sub.c.status}[key]
            if key == "score":
                desc = not desc  # "-score": lowest first
            ordering = (col.desc() if desc else col.asc(), sub.c.rank)
            rows = conn.execute(select(sub).order_by(*ordering).offset(offset).limit(limit)).all()
            ranked = [(r.rank, r) for r in rows]
        return _dress(conn, search, ranked, taxonomy)


def count_leads(engine: Engine, search: Any, *, taxonomy, status: Any = None, cap: Optional[int] = None) -> int:
    """How many people match `search` (for paging); the size limit is not applied.

    A search with no location, company or skill filter is counted on the score index alone
    (minus bots, suppressed and, by default, rejected people): milliseconds at 200,000 people.
    Filtered searches join every candidate; `cap` stops counting there (a pager can show "1,000+").
    """
    search = validate(Search.of(search), taxonomy)
    with engine.connect() as conn:
        if not (search.location or search.exclude_companies or search.skills) and status in (None, "any"):
            return _count_fast(conn, search, status, cap)
        q, _ = _query(conn, search, status, count=True)
        if cap is not None:
            q = q.limit(cap)
        return conn.execute(select(func.count()).select_from(q.subquery())).scalar_one()


def _count_fast(conn: Connection, search: Search, status: Any, cap: Optional[int]) -> int:
    dim, name = ("role", search.role) if search.role else ("overall", "overall")
    on_index = [_S.c.dimension == dim, _S.c.name == name, _S.c.value >= search.min_score]
    total = conn.execute(select(func.count()).select_from(_S).where(*on_index)).scalar_one()
    out = set(conn.execute(select(_P.c.id).where(or_(_P.c.is_bot, _P.c.suppressed))).scalars())
    if status is None:
        out.update(conn.execute(select(_R.c.person_id).where(_R.c.status == "rejected")).scalars())
    ids = sorted(out)
    for start in range(0, len(ids), 500):
        total -= conn.execute(
            select(func.count()).select_from(_S).where(_S.c.person_id.in_(ids[start : start + 500]), *on_index)
        ).scalar_one()
    return min(total, cap) if cap is not None else total


def _top_skills(conn: Connection, person_ids: Sequence[int]) -> dict[int, list[tuple[str, float]]]:
    out: dict[int, list[tuple[str, float]]] = {pid: [] for pid in person_ids}
    for start in range(0, len(person_ids), 500):
        chunk = person_ids[start : start + 500]
        for pid, name, value in conn.execute(
            select(_S.c.person_id, _S.c.name, _S.c.value).where(_S.c.person_id.in_(chunk), _S.c.dimension == "skill")
        ):
            out[pid].append((name, value))
    for pid in out:
        out[pid].sort(key=lambda nv: (-nv[1], nv[0]))
    return out


def evidence_lines(conn: Connection, score_ids: Sequence[int], per_score: int = 1) -> dict[int, list[dict]]:
    """The strongest `per_score` evidence lines of each score, in stored order."""
    out: dict[int, list[dict]] = {}
    for start in range(0, len(score_ids), 500):
        chunk = list(score_ids[start : start + 500])
        rows = conn.execute(
            select(_E.c.score_id, _E.c.position, _E.c.text, _E.c.url, _E.c.kind)
            .where(_E.c.score_id.in_(chunk))
            .order_by(_E.c.score_id, _E.c.position)
        )
        for r in rows:
            lines = out.setdefault(r.score_id, [])
            if len(lines) < per_score:
                lines.append({"text": r.text, "url": r.url, "kind": r.kind})
    return out


def _flags(status: str, score_flags: Any, movement: Optional[str] = None) -> list[str]:
    flags = [movement] if movement else []
    if status in MARKED_STATUSES:
        flags.append(status)
    flags += [f for f in (score_flags or []) if isinstance(f, str)]
    return flags


def _dress(conn: Connection, search: Search, ranked: list[tuple[int, Any]], taxonomy, why: Optional[dict] = None,
           movement: Optional[dict] = None) -> list[dict]:
    """Lead dicts for ranked rows: the --json shape plus what the web and export need."""
    if not ranked:
        return []
    pids = [r.person_id for _, r in ranked]
    skills = _top_skills(conn, pids)
    ev = evidence_lines(conn, [r.score_id for _, r in ranked]) if why is None else {}
    out = []
    for rank, r in ranked:
        top = skills.get(r.person_id, [])
        chosen = [nv for nv in top if nv[0] in search.skills] + [nv for nv in top if nv[0] not in search.skills]
        top_keys = [k for k, _ in top[:TOP_SKILLS]]
        line = (ev.get(r.score_id) or [{}])[0] if why is None else {"text": why.get(r.person_id)}
        out.append(
            {
                "rank": int(rank),
                "person_id": r.person_id,
                "name": r.display_name or r.github_login or f"person {r.person_id}",
                "github": r.github_login,
                "location": r.location,
                "score": round(float(r.score), 1),
                "top_skills": top_keys,
                "skill_scores": {k: round(float(v), 1) for k, v in chosen[: max(TOP_SKILLS, len(search.skills))]},
                "why": line.get("text"),
                "why_url": line.get("url"),
                "flags": _flags(r.status, r.score_flags, (movement or {}).get(r.person_id)),
                "movement": (movement or {}).get(r.person_id),
                "status": r.status,
                "note": r.note,
                "company": r.company,
                "homepage": r.homepage,
                "role": search.role,
                "basis": search.basis,
                "search": search.name,
                "score_id": r.score_id,
            }
        )
    return out


# --- stored lead lists ----------------------------------------------------------------------


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _previous_ranks(conn: Connection, name: str, before_id: Optional[int]) -> Optional[dict[int, int]]:
    q = select(_LL.c.id).where(_LL.c.search == name)
    if before_id is not None:
        q = q.where(_LL.c.id < before_id)
    prev = conn.execute(q.order_by(_LL.c.id.desc()).limit(1)).scalar()
    if prev is None:
        return None
    return dict(conn.execute(select(_L.c.person_id, _L.c.rank).where(_L.c.lead_list_id == prev)).all())


def movement(rank: int, previous: Optional[int]) -> str:
    """new (not on the previous list), up (a better rank than before) or same."""
    if previous is None:
        return "new"
    return "up" if rank < previous else "same"


def store_lead_list(engine: Engine, search: Any, leads: list[dict], *, run_id: Optional[int] = None) -> dict:
    """Store one ranked list for `search` and `run_id`, flagged against that search's previous list.

    Storing again for the same run replaces that run's list (and compares with the one before it),
    so a re-run gives the same flags.
    """
    search = Search.of(search)
    with engine.begin() as conn:
        list_id = None
        if run_id is not None:
            list_id = conn.execute(
                select(_LL.c.id).where(_LL.c.search == search.name, _LL.c.run_id == run_id)
            ).scalar()
        if list_id is None:
            list_id = conn.execute(
                _LL.insert().values(search=search.name, run_id=run_id, created_at=_now(), params=search.params())
            ).inserted_primary_key[0]
        else:
            conn.execute(_L.delete().where(_L.c.lead_list_id == list_id))
            conn.execute(_LL.update().where(_LL.c.id == list_id).values(created_at=_now(), params=search.params()))
        prev = _previous_ranks(conn, search.name, list_id)
        rows, counts = [], {"new": 0, "up": 0, "same": 0}
        for lead in leads:
            flag = movement(lead["rank"], (prev or {}).get(lead["person_id"]))
            counts[flag] += 1
            lead["movement"] = flag
            lead["flags"] = [flag] + [f for f in lead.get("flags", []) if f not in ("new", "up", "same")]
            rows.append(
                {"lead_list_id": list_id, "person_id": lead["person_id"], "rank": lead["rank"],
                 "score": lead["score"], "flag": flag, "why": lead.get("why")}
            )
        if rows:
            upsert(conn, Lead, rows)
    return {"list_id": list_id, "leads": len(rows), **counts, "first_list": prev is None}


def build_lead_lists(engine: Engine, config, *, run_id: Optional[int] = None, taxonomy=None,
                     searches: Optional[Iterable[Any]] = None) -> dict:
    """Rank and store today's list for every saved search of `config` (or `searches`).

    Rejected and forgotten people never appear; contacted (and shortlisted, hired) people are
    marked in `flags`. Returns {"searches": {name: {list_id, leads, new, up, same}}, "leads": total}.
    """
    taxonomy = taxonomy or config.load_taxonomy()
    out: dict[str, dict] = {}
    for raw in (searches if searches is not None else config.searches):
        s = Search.of(raw)
        description = raw.get("description") if isinstance(raw, Mapping) else getattr(raw, "description", None)
        if description:
            # a job description drives this list: rank by affinity with each person's own work
            from sourcing.fit import leads_for

            leads = leads_for(engine, s, description, taxonomy)
        else:
            leads = find_leads(engine, s, taxonomy=taxonomy, limit=s.size)
        out[s.name] = store_lead_list(engine, s, leads, run_id=run_id)
    return {"searches": out, "leads": sum(v["leads"] for v in out.values()), "lists": len(out)}


def list_info(engine: Engine, search_name: str, list_id: Optional[int] = None) -> Optional[dict]:
    """The latest stored list of a search (or list `list_id`): id, run, time, params, counts."""
    with engine.connect() as conn:
        return _list_info(conn, search_name, list_id)


def _list_info(conn: Connection, search_name: str, list_id: Optional[int] = None) -> Optional[dict]:
    q = select(_LL).where(_LL.c.search == search_name)
    if list_id is not None:
        q = q.where(_LL.c.id == list_id)
    row = conn.execute(q.order_by(_LL.c.id.desc()).limit(1)).first()
    if row is None:
        return None
    counts = dict(conn.execute(
        select(_L.c.flag, func.count()).where(_L.c.lead_list_id == row.id).group_by(_L.c.flag)
    ).all())
    return {"list_id": row.id, "search": row.search, "run_id": row.run_id, "created_at": row.created_at,
            "params": row.params, "leads": sum(counts.values()), "flags": counts}


def list_history(engine: Engine, search_name: str, limit: int = 30) -> list[dict]:
    """The stored lists of a search, newest first, with how many leads were new and up."""
    with engine.connect() as conn:
        ids = conn.execute(
            select(_LL.c.id).where(_LL.c.search == search_name).order_by(_LL.c.id.desc()).limit(limit)
        ).scalars().all()
        return [_list_info(conn, search_name, i) for i in ids]


def saved_list_names(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(select(_LL.c.search).distinct().order_by(_LL.c.search)).scalars())


def latest_list(engine: Engine, search_name: str, *, taxonomy=None, status: Any = None, offset: int = 0,
                limit: Optional[int] = None, list_id: Optional[int] = None) -> list[dict]:
    """The latest stored list of `search_name` as lead dicts (same shape as find_leads), with
    each lead's flag against the list before it and its current review status.

    People rejected since the list was made are left out (unless `status` asks for them);
    forgotten people are gone with their Lead rows. An unknown search gives [].
    """
    with engine.connect() as conn:
        info = _list_info(conn, search_name, list_id)
        if info is None:
            return []
        search = Search.of({**(info["params"] or {}), "name": search_name})
        status_col = func.coalesce(_R.c.status, "new")
        q = (
            select(
                _L.c.person_id, _L.c.rank, _L.c.score, _L.c.flag, _L.c.why,
                _P.c.display_name, _P.c.github_login, _P.c.location, _P.c.company, _P.c.homepage, _P.c.email,
                status_col.label("status"), _R.c.note,
            )
            .select_from(_L.join(_P, _P.c.id == _L.c.person_id).outerjoin(_R, _R.c.person_id == _L.c.person_id))
            .where(_L.c.lead_list_id == info["list_id"], _P.c.suppressed == false())
        )
        cond = _status_filter(status, _R.c.status, status_col)
        if cond is not None:
            q = q.where(cond)
        q = q.order_by(_L.c.rank).offset(offset)
        if limit is not None:
            q = q.limit(limit)
        rows = conn.execute(q).all()
        # the lead's ranking score now, for its flags (anti-gaming) and evidence
        score_ids = _ranking_score_ids(conn, search, [r.person_id for r in rows])
        ranked = [(r.rank, _Row(r, score_ids.get(r.person_id))) for r in rows]
        flags = _score_flags(conn, list(score_ids.values()))
        for _, r in ranked:
            r.score_flags = flags.get(r.score_id)
        return _dress(conn, search, ranked, taxonomy, why={r.person_id: r.why for r in rows},
                      movement={r.person_id: r.flag for r in rows})


class _Row:
    """A stored lead row seen through the attribute names `_dress` reads."""

    def __init__(self, row, score_id):
        self.__dict__.update(row._mapping)
        self.score_id = score_id
        self.score_flags = None


def _ranking_score_ids(conn: Connection, search: Search, pids: list[int]) -> dict[int, int]:
    if not pids:
        return {}
    if search.role:
        dim, name = "role", search.role
    elif search.skills:
        dim, name = "skill", search.skills[0]
    else:
        dim, name = "overall", "overall"
    out = {}
    for start in range(0, len(pids), 500):
        out.update(conn.execute(
            select(_S.c.person_id, _S.c.id).where(
                _S.c.person_id.in_(pids[start : start + 500]), _S.c.dimension == dim, _S.c.name == name)
        ).all())
    return out


def _score_flags(conn: Connection, score_ids: list[int]) -> dict[int, Any]:
    out = {}
    for start in range(0, len(score_ids), 500):
        out.update(conn.execute(select(_S.c.id, _S.c.flags).where(_S.c.id.in_(score_ids[start : start + 500]))).all())
    return out
