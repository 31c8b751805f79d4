"""Bulk loading of what the resolver compares: identity rows, their exact and name keys, and their
context (co-authors, co-speakers, repositories, organisations, events, topics), read with plain SQL
into lists indexed by a local position — no ORM object per row.

Context tokens are short strings: "c:<family>|<initial>" a co-author or co-speaker, "r:<repo id>" a
repository worked on or linked as a paper's code, "o:<organisation>", "d:<email domain>",
"v:<event id>", "l:<city>", "t:<skill>". Slots are what one person cannot hold twice: two
author positions of one paper, two speaker positions of one talk.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Iterable, Optional

from sqlalchemy.engine import Connection

from sourcing.identity import keys as K
from sourcing.identity import names as N

ORG_STOP = frozenset(
    "of the at and for in inc gmbh ltd llc corp corporation co ag se sa bv plc group com de io ai "
    "limited company".split()
)
ORG_GENERIC = frozenset(
    "university universite universidad universita universitat institute institut technology technical "
    "research lab labs laboratory school college department center centre national international "
    "data science sciences tu ai ml team the freelance self employed independent".split()
)
NO_ORG = frozenset({"freelance", "self employed", "selfemployed", "independent", "none", "n a", "student"})
_WORD = r"[A-Z][\w&\-]*(?:\.[a-z]{2,4}\b)?"  # "Zalando", "Booking.com"; a sentence's period ends it
_BIO_ORG = re.compile(rf"\b(?:at|@)\s+((?:[a-z][\w&\-]*\s+(?=[A-Z]))?{_WORD}(?:\s+(?:{_WORD}|of|de))*)")
SMALL_REPO = 25  # repos with at most this many contributors give co-contributor context


@lru_cache(maxsize=200_000)
def org_tokens(text: str | None) -> frozenset[str]:
    """"@Zalando SE" -> {o:zalando}; "University of Cambridge" -> {o:university cambridge, o:cambridge}."""
    if not text:
        return frozenset()
    out = set()
    for part in re.split(r"[,;/|]| - | and ", str(text)[:200]):
        words = [w for w in N.fold(part.replace("@", " ")).split() if w not in ORG_STOP]
        if not words:
            continue
        full = " ".join(words)
        if full in NO_ORG:
            continue
        out.add("o:" + full)
        head = next((w for w in words if w not in ORG_GENERIC and len(w) >= 3), None)
        if head:
            out.add("o:" + head)
    return frozenset(out)


@lru_cache(maxsize=100_000)
def location_token(text: str | None) -> Optional[str]:
    if not text:
        return None
    first = N.fold(str(text).split(",")[0])
    return "l:" + first if first and first not in ("remote", "earth", "worldwide", "internet") else None


def bio_orgs(bio: str | None) -> frozenset[str]:
    if not bio:
        return frozenset()
    out: set[str] = set()
    for m in _BIO_ORG.finditer(str(bio)[:2000]):
        out |= org_tokens(m.group(1))
    return frozenset(out)


class Topics:
    """Taxonomy skills named by repo topics, arXiv categories, talk tags and title keywords."""

    def __init__(self) -> None:
        from scoring.taxonomy import load

        tax = load()
        self.by_topic: dict[str, set[str]] = {}
        self.by_category: dict[str, set[str]] = {}
        kw: dict[str, set[str]] = {}
        for key, s in tax.skills.items():
            for t in s.topics:
                self.by_topic.setdefault(t.lower(), set()).add(key)
            for c in s.arxiv_categories:
                self.by_category.setdefault(c, set()).add(key)
            for w in s.keywords:
                kw.setdefault(w.lower(), set()).add(key)
            self.by_topic.setdefault(key, set()).add(key)
        self.by_keyword = kw
        words = sorted(kw, key=len, reverse=True)
        self._kw = re.compile(r"\b(" + "|".join(re.escape(w) for w in words) + r")\b") if words else None

    def of_text(self, text: str | None) -> set[str]:
        if not text or self._kw is None:
            return set()
        out: set[str] = set()
        for m in self._kw.findall(text.lower()[:500]):
            out |= self.by_keyword[m]
        return out

    def of_tags(self, tags: Iterable[Any]) -> set[str]:
        out: set[str] = set()
        for t in tags or ():
            if isinstance(t, str):
                low = t.lower().strip()
                out |= self.by_topic.get(low, set()) | self.by_keyword.get(low, set())
        return out


def _j(v: Any) -> Any:
    if v is None or not isinstance(v, (str, bytes)):
        return v
    try:
        return json.loads(v)
    except ValueError:
        return None


@dataclass
class Features:
    """Everything the rules need, one list entry per identity (local index)."""

    ids: list[int] = field(default_factory=list)
    source: list[str] = field(default_factory=list)
    ext: list[str] = field(default_factory=list)
    raw_name: list[Optional[str]] = field(default_factory=list)
    name: list[Optional[N.Name]] = field(default_factory=list)
    login: list[Optional[str]] = field(default_factory=list)  # GitHub login (lower) of github identities
    bot: list[bool] = field(default_factory=list)
    old_pid: list[Optional[int]] = field(default_factory=list)
    exact: list[dict] = field(default_factory=list)  # exact key -> where it came from
    nkeys: list[set] = field(default_factory=list)  # name blocking keys
    gkeys: list[set] = field(default_factory=list)  # "family|initial=given" of full given names
    tokens: list[set] = field(default_factory=list)  # context tokens
    slots: list[set] = field(default_factory=list)  # paper / talk positions (ints)
    display: list[dict] = field(default_factory=list)  # fields for the person's display
    papers: dict[int, list[int]] = field(default_factory=dict)  # paper id -> author local indices
    paper_repos: dict[int, set[int]] = field(default_factory=dict)  # paper id -> code repo ids
    repo_contributors: dict[int, set[int]] = field(default_factory=dict)  # repo id -> local indices
    repo_owner: dict[int, str] = field(default_factory=dict)  # repo id -> owner login (users only)
    paper_key: dict[int, str] = field(default_factory=dict)
    repo_name: dict[int, str] = field(default_factory=dict)
    index: dict[int, int] = field(default_factory=dict)  # identity id -> local index

    def __len__(self) -> int:
        return len(self.ids)


IDENTITY_COLS = (
    "id, source, external_key, name, login, kind, emails, urls, handles, affiliation, company, "
    "location, bio, person_id, last_seen"
)


def _rows(conn: Connection, sql: str, params: tuple = ()) -> list[tuple]:
    cur = conn.connection.cursor()
    try:
        cur.execute(sql, params)
        return cur.fetchall()
    finally:
        cur.close()


def scope_table(conn: Connection, ids: Optional[Iterable[int]]) -> str:
    """A temporary table of the identity ids in scope (joins beat huge IN lists)."""
    cur = conn.connection.cursor()
    try:
        cur.execute("CREATE TEMP TABLE IF NOT EXISTS _resolve_scope (id INTEGER PRIMARY KEY)")
        cur.execute("DELETE FROM _resolve_scope")
        if ids is not None:
            cur.executemany("INSERT OR IGNORE INTO _resolve_scope (id) VALUES (?)", [(int(i),) for i in ids])
    finally:
        cur.close()
    return "_resolve_scope"


def identity_keys(row: tuple) -> tuple[dict, set]:
    """(exact keys, name keys) of one identity row in IDENTITY_COLS order."""
    rid, src, ext, name, login, kind, emails, urls, handles = row[:9]
    exact = K.exact_keys(
        {
            "source": src,
            "external_key": ext,
            "login": login,
            "emails": _j(emails),
            "urls": _j(urls),
            "handles": _j(handles),
            "bio": row[12],
        }
    )
    return exact, N.block_keys(N.parse(name))


def load(conn: Connection, ids: Optional[Iterable[int]], topics: Topics, progress=None) -> Features:
    """Load identities (all when `ids` is None) with their keys and context."""
    scoped = ids is not None
    if scoped:
        scope_table(conn, ids)
    where = " WHERE id IN (SELECT id FROM _resolve_scope)" if scoped else ""
    rows = _rows(conn, f"SELECT {IDENTITY_COLS} FROM identity{where} ORDER BY id")
    f = Features()
    n = len(rows)
    for i, row in enumerate(rows):
        rid, src, ext, name, login, kind, emails, urls, handles, aff, company, loc, bio, pid, last_seen = row
        emails, urls, handles = _j(emails), _j(urls), _j(handles)
        if not isinstance(handles, dict):
            handles = {}
        f.index[rid] = i
        f.ids.append(rid)
        f.source.append(src)
        f.ext.append(ext)
        f.raw_name.append(name)
        nm = N.parse(name)
        f.name.append(nm)
        f.login.append(K.norm_login(ext) if src == "github" else None)
        f.bot.append(kind == "bot")
        f.old_pid.append(pid)
        f.exact.append(
            K.exact_keys(
                {"source": src, "external_key": ext, "emails": emails, "urls": urls, "handles": handles, "bio": bio}
            )
        )
        nk = N.block_keys(nm)
        if src == "github" and not nk:
            nk = N.login_block_keys(ext)  # no usable name: the login may spell one
        f.nkeys.append(nk)
        f.gkeys.append(N.given_keys(nm))
        tok: set[str] = set()
        tok |= org_tokens(aff)
        tok |= org_tokens(company)
        if bio:
            # "ML engineer at Zalando. I work on Kafka and Airflow."
            tok |= bio_orgs(bio)
            tok |= {"t:" + x for x in topics.of_text(bio)}
        lt = location_token(loc)
        if lt:
            tok.add(lt)
        for d in K.email_domains(emails if isinstance(emails, list) else ()):
            tok.add("d:" + d)
        f.tokens.append(tok)
        f.slots.append(set())
        f.display.append(
            {
                "name": name,
                "location": loc,
                "company": company or aff,
                "homepage": handles.get("homepage"),
                "emails": [e for e in (emails or []) if isinstance(e, str)],
                "last_seen": last_seen,
            }
        )
        if progress and i % 50_000 == 0:
            progress("load identities", i, n)
    _load_papers(conn, f, scoped, topics)
    if progress:
        progress("load context", 1, 3)
    _load_talks(conn, f, scoped, topics)
    _load_repos(conn, f, scoped, topics)
    if progress:
        progress("load context", 3, 3)
    return f


def _names_of(conn: Connection, f: Features, ids: set[int]) -> dict[int, Optional[str]]:
    """Names of identities, from what is loaded or from the database for those out of scope."""
    out = {i: f.raw_name[f.index[i]] for i in ids if i in f.index}
    missing = [i for i in ids if i not in out]
    for start in range(0, len(missing), 500):
        chunk = missing[start : start + 500]
        q = ",".join("?" * len(chunk))
        out.update(dict(_rows(conn, f"SELECT id, name FROM identity WHERE id IN ({q})", tuple(chunk))))
    return out


def _load_papers(conn: Connection, f: Features, scoped: bool, topics: Topics) -> None:
    where = " WHERE a.identity_id IN (SELECT id FROM _resolve_scope)" if scoped else ""
    mine = _rows(conn, f"SELECT a.identity_id, a.paper_id, a.affiliation FROM authorship a{where}")
    if not mine:
        return
    paper_ids = sorted({p for _, p, _ in mine})
    if scoped:
        cur = conn.connection.cursor()
        cur.execute("CREATE TEMP TABLE IF NOT EXISTS _resolve_papers (id INTEGER PRIMARY KEY)")
        cur.execute("DELETE FROM _resolve_papers")
        cur.executemany("INSERT INTO _resolve_papers (id) VALUES (?)", [(p,) for p in paper_ids])
        cur.close()
        pw = " WHERE paper_id IN (SELECT id FROM _resolve_papers)"
        pw_id = " WHERE id IN (SELECT id FROM _resolve_papers)"
    else:
        pw = pw_id = ""
    authors: dict[int, list[int]] = {}
    for pid, ident in _rows(conn, f"SELECT paper_id, identity_id FROM authorship{pw}"):
        authors.setdefault(pid, []).append(ident)
    names = _names_of(conn, f, {i for v in authors.values() for i in v})
    ptok = {i: {"c:" + t for t in N.person_tokens(N.parse(nm))} for i, nm in names.items()}
    info: dict[int, set[str]] = {}
    for pid, key, cats, title in _rows(conn, f"SELECT id, key, categories, title FROM paper{pw_id}"):
        f.paper_key[pid] = key
        t = topics.of_text(title)
        broad = set()
        for c in _j(cats) or ():
            broad |= topics.by_category.get(c, set())
        # a title's keywords name the paper's topic; an arXiv category only its broad field
        info[pid] = {"t:" + s for s in t} | {"k:" + s for s in broad - t}
    code: dict[int, set[int]] = {}
    for pid, rid in _rows(conn, f"SELECT paper_id, repo_id FROM papercode{pw}"):
        if rid is not None:
            code.setdefault(pid, set()).add(rid)
    f.paper_repos = code
    for ident, pid, aff in mine:
        i = f.index.get(ident)
        if i is None:
            continue
        tok = f.tokens[i]
        own = ptok.get(ident, set())
        for other in authors.get(pid, ()):
            if other != ident:
                tok |= ptok.get(other, set()) - own
        tok |= info.get(pid, set())
        tok |= {"r:%d" % r for r in code.get(pid, ())}
        tok |= org_tokens(aff)
        if aff and not f.display[i]["company"]:
            f.display[i]["company"] = aff
        f.slots[i].add(pid * 2)
        f.papers.setdefault(pid, []).append(i)


def _load_talks(conn: Connection, f: Features, scoped: bool, topics: Topics) -> None:
    where = " WHERE s.identity_id IN (SELECT id FROM _resolve_scope)" if scoped else ""
    mine = _rows(conn, f"SELECT s.identity_id, s.talk_id FROM speaking s{where}")
    if not mine:
        return
    talk_ids = sorted({t for _, t in mine})
    if scoped:
        cur = conn.connection.cursor()
        cur.execute("CREATE TEMP TABLE IF NOT EXISTS _resolve_talks (id INTEGER PRIMARY KEY)")
        cur.execute("DELETE FROM _resolve_talks")
        cur.executemany("INSERT INTO _resolve_talks (id) VALUES (?)", [(t,) for t in talk_ids])
        cur.close()
        tw = " WHERE talk_id IN (SELECT id FROM _resolve_talks)"
        tw_id = " WHERE id IN (SELECT id FROM _resolve_talks)"
    else:
        tw = tw_id = ""
    speakers: dict[int, list[int]] = {}
    for tid, ident in _rows(conn, f"SELECT talk_id, identity_id FROM speaking{tw}"):
        speakers.setdefault(tid, []).append(ident)
    names = _names_of(conn, f, {i for v in speakers.values() for i in v})
    ptok = {i: {"c:" + t for t in N.person_tokens(N.parse(nm))} for i, nm in names.items()}
    info: dict[int, set[str]] = {}
    for tid, event_id, tags, title in _rows(conn, f"SELECT id, event_id, tags, title FROM talk{tw_id}"):
        t = topics.of_text(title) | topics.of_tags(_j(tags) or ())
        s = {"t:" + x for x in t}
        if event_id is not None:
            s.add("v:%d" % event_id)
        info[tid] = s
    for ident, tid in mine:
        i = f.index.get(ident)
        if i is None:
            continue
        tok = f.tokens[i]
        own = ptok.get(ident, set())
        for other in speakers.get(tid, ()):
            if other != ident:
                tok |= ptok.get(other, set()) - own
        tok |= info.get(tid, set())
        f.slots[i].add(tid * 2 + 1)


def _load_repos(conn: Connection, f: Features, scoped: bool, topics: Topics) -> None:
    where = " WHERE identity_id IN (SELECT id FROM _resolve_scope)" if scoped else ""
    pairs: set[tuple[int, int]] = set()
    for ident, rid in _rows(conn, f"SELECT identity_id, repo_id FROM repocontributor{where}"):
        pairs.add((ident, rid))
    for ident, rid in _rows(conn, f"SELECT DISTINCT identity_id, repo_id FROM activity{where}"):
        pairs.add((ident, rid))
    code_repos = {r for rs in f.paper_repos.values() for r in rs}
    repo_ids = {r for _, r in pairs} | code_repos
    if not repo_ids:
        return
    by_repo: dict[int, set[int]] = {}
    for ident, rid in pairs:
        i = f.index.get(ident)
        if i is not None:
            by_repo.setdefault(rid, set()).add(i)
    # contributors of papers' code repos who are in scope but worked there only through others' rows
    f.repo_contributors = {r: by_repo.get(r, set()) for r in code_repos}
    rtok: dict[int, set[str]] = {}
    ids = sorted(repo_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        q = ",".join("?" * len(chunk))
        for rid, full, owner, is_org, tps, skills in _rows(
            conn, f"SELECT id, full_name, owner, owner_is_org, topics, skills FROM repo WHERE id IN ({q})", tuple(chunk)
        ):
            f.repo_name[rid] = full
            if owner and not is_org:
                f.repo_owner[rid] = owner.lower()
            t = topics.of_tags(_j(tps) or ()) | set(_j(skills) or ())
            rtok[rid] = {"t:" + x for x in t}
    # co-contributors of small repos: context like co-authors
    small = [r for r, members in by_repo.items() if 1 < len(members) <= SMALL_REPO]
    for r in small:
        members = by_repo[r]
        mt = {i: {"c:" + t for t in N.person_tokens(f.name[i])} for i in members}
        for i in members:
            for j in members:
                if j != i:
                    f.tokens[i] |= mt[j] - mt[i]
    for ident, rid in pairs:
        i = f.index.get(ident)
        if i is None:
            continue
        f.tokens[i].add("r:%d" % rid)
        f.tokens[i] |= rtok.get(rid, set())


class Stats:
    """Global counts the rules weigh evidence with: how many identities carry a name (a co-author
    on hundreds of papers is weak evidence that two authors are one), and which full given names
    share an initial's block (then "T. Sokolov" is ambiguous between Taylor and Tomasz).

    Full resolve: counted from everything loaded. Incremental: read from the identitykey index,
    which always covers the whole database, so both modes weigh evidence the same way."""

    def __init__(self, f: Features, conn: Optional[Connection] = None):
        self.conn = conn
        self._count: dict[str, int] = {}
        self._givens: dict[str, frozenset] = {}
        self._ambiguous: dict[str, bool] = {}
        if conn is None:
            cnt: Counter = Counter()
            giv: dict[str, set] = defaultdict(set)
            for i in range(len(f)):
                cnt.update(f.nkeys[i])
                for g in f.gkeys[i]:
                    b, _, gv = g.partition("=")
                    giv[b].add(gv)
            self._count = dict(cnt)
            self._givens = {b: frozenset(v) for b, v in giv.items()}

    def prefetch(self, blocks: Iterable[str]) -> None:
        """Count identities of these name blocks in one query (incremental mode)."""
        if self.conn is None:
            return
        todo = [b for b in set(blocks) if b not in self._count]
        if not todo:
            return
        cur = self.conn.connection.cursor()
        cur.execute("CREATE TEMP TABLE IF NOT EXISTS _resolve_tok (key TEXT PRIMARY KEY)")
        cur.execute("DELETE FROM _resolve_tok")
        cur.executemany("INSERT OR IGNORE INTO _resolve_tok (key) VALUES (?)", [("n:" + b,) for b in todo])
        cur.execute(
            "SELECT t.key, COUNT(k.identity_id) FROM _resolve_tok t JOIN identitykey k ON k.key = t.key GROUP BY t.key"
        )
        got = {k[2:]: c for k, c in cur.fetchall()}
        cur.close()
        for b in todo:
            self._count[b] = got.get(b, 0)

    def count(self, block: str) -> int:
        if block not in self._count:
            self.prefetch([block])
        return self._count.get(block, 0)

    def givens(self, block: str) -> frozenset:
        got = self._givens.get(block)
        if got is None:
            if self.conn is None:
                return frozenset()
            rows = _rows(
                self.conn,
                "SELECT DISTINCT key FROM identitykey WHERE key >= ? AND key < ?",
                (f"f:{block}=", f"f:{block}>"),
            )
            got = self._givens[block] = frozenset(k.partition("=")[2] for (k,) in rows)
        return got

    def ambiguous(self, block: str) -> bool:
        """Does this block hold full given names that cannot be one person's (Taylor, Tomasz)?"""
        got = self._ambiguous.get(block)
        if got is None:
            groups: list[str] = []
            for g in sorted(self.givens(block)):
                if not any(N.given_grade(g, h) >= N.INITIAL and len(h) > 1 for h in groups):
                    groups.append(g)
            got = self._ambiguous[block] = len(groups) > 1
        return got
