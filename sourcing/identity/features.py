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
from array import array
from typing import Any, Iterable, Optional

import numpy as np
import scipy.sparse as sp

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


class Vocab:
    """Context tokens interned as integers: id -> token string, and its kind (first letter)."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.words: list[str] = []

    def __call__(self, token: str) -> int:
        got = self.ids.get(token)
        if got is None:
            got = self.ids[token] = len(self.words)
            self.words.append(token)
        return got

    def __len__(self) -> int:
        return len(self.words)

    def kinds(self) -> np.ndarray:
        return np.frombuffer("".join(w[0] for w in self.words).encode(), dtype=np.uint8).copy() if self.words else np.zeros(0, np.uint8)


_EMPTY: dict = {}


@dataclass
class Features:
    """Everything the rules need, one list entry per identity (local index); context as a sparse
    identity x token matrix `T` (binary) over the interned `vocab`."""

    ids: list[int] = field(default_factory=list)
    source: list[str] = field(default_factory=list)
    ext: list[str] = field(default_factory=list)
    raw_name: list[Optional[str]] = field(default_factory=list)
    name: list[Optional[N.Name]] = field(default_factory=list)
    login: list[Optional[str]] = field(default_factory=list)  # GitHub login (lower) of github identities
    bot: list[bool] = field(default_factory=list)
    old_pid: list[Optional[int]] = field(default_factory=list)
    exact: list[dict] = field(default_factory=list)  # exact key -> where it came from
    nkeys: list[frozenset] = field(default_factory=list)  # name blocking keys
    gkeys: list[frozenset] = field(default_factory=list)  # "family|initial=given" of full given names
    ctok: list[tuple] = field(default_factory=list)  # tokens a co-author knows this identity by
    slots: dict[int, set] = field(default_factory=dict)  # paper / talk positions (ints), sparse
    display: list[tuple] = field(default_factory=list)  # (name, location, company, homepage, emails, last_seen)
    papers: dict[int, list[int]] = field(default_factory=dict)  # paper id -> author local indices
    paper_repos: dict[int, set[int]] = field(default_factory=dict)  # paper id -> code repo ids
    repo_contributors: dict[int, set[int]] = field(default_factory=dict)  # repo id -> local indices
    repo_owner: dict[int, str] = field(default_factory=dict)  # repo id -> owner login (users only)
    paper_key: dict[int, str] = field(default_factory=dict)
    repo_name: dict[int, str] = field(default_factory=dict)
    index: dict[int, int] = field(default_factory=dict)  # identity id -> local index
    vocab: Vocab = field(default_factory=Vocab)
    T: Any = None  # scipy.sparse.csr_matrix, identities x tokens

    def __len__(self) -> int:
        return len(self.ids)

    def tokens_of(self, i: int) -> list[str]:
        T = self.T
        return [self.vocab.words[c] for c in T.indices[T.indptr[i] : T.indptr[i + 1]]]


DISPLAY = {"name": 0, "location": 1, "company": 2, "homepage": 3, "emails": 4, "last_seen": 5}

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


def _fill(conn: Connection, table: str, ids: Iterable[int]) -> None:
    cur = conn.connection.cursor()
    try:
        cur.execute(f"CREATE TEMP TABLE IF NOT EXISTS {table} (id INTEGER PRIMARY KEY)")
        cur.execute(f"DELETE FROM {table}")
        cur.executemany(f"INSERT OR IGNORE INTO {table} (id) VALUES (?)", ((int(i),) for i in ids))
    finally:
        cur.close()


def scope_table(conn: Connection, ids: Optional[Iterable[int]]) -> str:
    """A temporary table of the identity ids in scope (joins beat huge IN lists)."""
    _fill(conn, "_resolve_scope", ids if ids is not None else ())
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


@lru_cache(maxsize=300_000)
def name_keys(raw: Optional[str]) -> tuple[Optional[N.Name], frozenset, frozenset, tuple]:
    """(parsed name, block keys, given keys, co-author token) of a written name, shared by every
    identity that writes it the same way."""
    nm = N.parse(raw)
    ct = tuple(sorted("c:" + t for t in N.person_tokens(nm)))  # every reading: order-proof
    return nm, frozenset(N.block_keys(nm)), frozenset(N.given_keys(nm)), ct


class _Coo:
    """(row, column) pairs of a sparse matrix being built, in compact arrays."""

    def __init__(self) -> None:
        self.r = array("i")
        self.c = array("i")

    def add(self, row: int, cols: Iterable[int]) -> None:
        for c in cols:
            self.r.append(row)
            self.c.append(c)

    def csr(self, shape: tuple[int, int]) -> sp.csr_matrix:
        r = np.frombuffer(self.r, dtype=np.int32) if len(self.r) else np.zeros(0, np.int32)
        c = np.frombuffer(self.c, dtype=np.int32) if len(self.c) else np.zeros(0, np.int32)
        return _binary(sp.csr_matrix((np.ones(len(r), np.float32), (r, c)), shape=shape))


def _binary(m) -> sp.csr_matrix:
    m = sp.csr_matrix(m)
    m.sum_duplicates()
    m.data[:] = 1
    m.eliminate_zeros()
    return m


def _incidence(pairs: list[tuple[int, int]] | np.ndarray, shape: tuple[int, int]) -> sp.csr_matrix:
    a = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    return _binary(sp.csr_matrix((np.ones(len(a), np.float32), (a[:, 0], a[:, 1])), shape=shape))


def _co_members(A: sp.csr_matrix, own: list[tuple], n_tok: int) -> sp.csr_matrix:
    """Tokens of the other members of each row's groups: A (members x groups), own[member] =
    the member's co-author tokens. Returns members x tokens, one's own tokens removed."""
    r = np.repeat(np.arange(len(own)), [len(t) for t in own])
    c = np.fromiter((x for t in own for x in t), dtype=np.int64, count=len(r))
    Nm = sp.csr_matrix((np.ones(len(r), np.float32), (r, c)), shape=(A.shape[0], n_tok))
    C = _binary(A @ (A.T @ Nm))
    # drop one's own name (and a namesake co-author's: it says nothing)
    C = C - C.multiply(Nm)
    return _binary(C)


def _groups_and_co_members(conn: Connection, f: Features, allrows: list) -> tuple[dict[int, int], sp.csr_matrix]:
    """Index the groups (papers, talks) of (member identity, group) rows and give each member the
    name tokens of its groups' other members: (group -> column, members x tokens)."""
    gidx: dict[int, int] = {}
    for _, g in allrows:
        if g not in gidx:
            gidx[g] = len(gidx)
    idx, own = _ext_index(conn, f, (a for a, _ in allrows))
    A = _incidence([(idx[a], gidx[g]) for a, g in allrows], (len(own), len(gidx)))
    return gidx, _co_members(A, own, len(f.vocab))


def load(conn: Connection, ids: Optional[Iterable[int]], topics: Topics, progress=None) -> Features:
    """Load identities (all when `ids` is None) with their keys and context."""
    scoped = ids is not None
    if scoped:
        scope_table(conn, ids)
    where = " WHERE id IN (SELECT id FROM _resolve_scope)" if scoped else ""
    f = Features()
    V = f.vocab
    direct = _Coo()
    cur = conn.connection.cursor()
    cur.execute(f"SELECT {IDENTITY_COLS} FROM identity{where} ORDER BY id")
    i = 0
    while True:
        batch = cur.fetchmany(20_000)
        if not batch:
            break
        for row in batch:
            rid, src, ext, name, login, kind, emails, urls, handles, aff, company, loc, bio, pid, last_seen = row
            emails = _j(emails) if emails and emails != "[]" and emails != "null" else None
            urls = _j(urls) if urls and urls != "[]" and urls != "null" else None
            handles = _j(handles) if handles and handles != "{}" and handles != "null" else None
            if not isinstance(handles, dict):
                handles = _EMPTY
            f.index[rid] = i
            f.ids.append(rid)
            f.source.append(src)
            f.ext.append(ext)
            f.raw_name.append(name)
            nm, nk, gk, ct = name_keys(name)
            f.name.append(nm)
            gh = src == "github"
            f.login.append(K.norm_login(ext) if gh else None)
            f.bot.append(kind == "bot")
            f.old_pid.append(pid)
            if gh or emails or urls or handles or (bio and "github" in bio.lower()):
                ex = K.exact_keys(
                    {"source": src, "external_key": ext, "emails": emails, "urls": urls, "handles": handles, "bio": bio}
                )
            else:
                ex = None
            f.exact.append(ex or _EMPTY)
            if gh and not nk:
                nk = frozenset(N.login_block_keys(ext))  # no usable name: the login may spell one
            f.nkeys.append(nk)
            f.gkeys.append(gk)
            f.ctok.append(tuple(V(t) for t in ct))
            tok: set[str] = set()
            if aff:
                tok |= org_tokens(aff)
            if company:
                tok |= org_tokens(company)
            if bio:
                # "ML engineer at Zalando. I work on Kafka and Airflow."
                tok |= bio_orgs(bio)
                tok |= {"t:" + x for x in topics.of_text(bio)}
            lt = location_token(loc)
            if lt:
                tok.add(lt)
            if emails:
                for d in K.email_domains(emails if isinstance(emails, list) else ()):
                    tok.add("d:" + d)
            if tok:
                direct.add(i, [V(t) for t in tok])
            f.display.append(
                (name, loc, company or aff, handles.get("homepage"),
                 [e for e in emails if isinstance(e, str)] if isinstance(emails, list) else (), last_seen)
            )
            i += 1
        if progress:
            progress("load identities", i, i)
    cur.close()
    n = len(f)
    extra = []
    extra.append(_load_papers(conn, f, scoped, topics))
    if progress:
        progress("load context", 1, 3)
    extra.append(_load_talks(conn, f, scoped, topics))
    extra.append(_load_repos(conn, f, scoped, topics))
    if progress:
        progress("load context", 3, 3)
    width = len(V)
    T = direct.csr((n, width))
    for m in extra:
        if m is not None:
            m = sp.csr_matrix(m)
            m.resize((n, width))
            T = T + m
    f.T = _binary(T)
    f.T.sort_indices()
    return f


def _names_of(conn: Connection, f: Features, ids: Iterable[int]) -> dict[int, Optional[str]]:
    """Names of identities out of scope, from the database."""
    missing = [i for i in ids if i not in f.index]
    out: dict[int, Optional[str]] = {}
    for start in range(0, len(missing), 500):
        chunk = missing[start : start + 500]
        q = ",".join("?" * len(chunk))
        out.update(dict(_rows(conn, f"SELECT id, name FROM identity WHERE id IN ({q})", tuple(chunk))))
    return out


def _ext_index(conn: Connection, f: Features, members: Iterable[int]) -> tuple[dict[int, int], list]:
    """Local indices extended past the loaded identities to out-of-scope co-members (whose names
    still give co-author context): identity id -> row, and each row's co-author token."""
    idx = dict(f.index)
    own = list(f.ctok)
    outside = _names_of(conn, f, {m for m in members if m not in idx})
    for rid, nm in outside.items():
        idx[rid] = len(own)
        own.append(tuple(f.vocab(t) for t in name_keys(nm)[3]))
    return idx, own


def _load_papers(conn: Connection, f: Features, scoped: bool, topics: Topics):
    where = " WHERE a.identity_id IN (SELECT id FROM _resolve_scope)" if scoped else ""
    mine = _rows(conn, f"SELECT a.identity_id, a.paper_id, a.affiliation FROM authorship a{where}")
    if not mine:
        return None
    V = f.vocab
    if scoped:
        _fill(conn, "_resolve_papers", {p for _, p, _ in mine})
        pw = " WHERE paper_id IN (SELECT id FROM _resolve_papers)"
        pw_id = " WHERE id IN (SELECT id FROM _resolve_papers)"
        allrows = _rows(conn, f"SELECT identity_id, paper_id FROM authorship{pw}")
    else:
        pw = pw_id = ""
        allrows = [(a, p) for a, p, _ in mine]
    pidx, C = _groups_and_co_members(conn, f, allrows)
    info = _Coo()
    for pid, key, cats, title in _rows(conn, f"SELECT id, key, categories, title FROM paper{pw_id}"):
        if pid not in pidx:
            continue
        f.paper_key[pid] = key
        t = topics.of_text(title)
        broad = set()
        for c in _j(cats) or ():
            broad |= topics.by_category.get(c, set())
        # a title's keywords name the paper's topic; an arXiv category only its broad field
        info.add(pidx[pid], [V("t:" + s) for s in t] + [V("k:" + s) for s in broad - t])
    code: dict[int, set[int]] = {}
    for pid, rid in _rows(conn, f"SELECT paper_id, repo_id FROM papercode{pw}"):
        if rid is not None and pid in pidx:
            code.setdefault(pid, set()).add(rid)
            info.add(pidx[pid], [V("r:%d" % rid)])
    f.paper_repos = code
    n = len(f)
    affs = _Coo()
    mine_pairs = []
    for ident, pid, aff in mine:
        i = f.index.get(ident)
        if i is None:
            continue
        mine_pairs.append((i, pidx[pid]))
        if aff:
            affs.add(i, [V(t) for t in org_tokens(aff)])
            if not f.display[i][2]:
                d = f.display[i]
                f.display[i] = (d[0], d[1], aff, d[3], d[4], d[5])
        f.slots.setdefault(i, set()).add(pid * 2)
        f.papers.setdefault(pid, []).append(i)
    width = len(V)
    Am = _incidence(mine_pairs, (n, len(pidx)))
    P = info.csr((len(pidx), width))
    C = C[:n]
    C.resize((n, width))
    return _binary(C + Am @ P + affs.csr((n, width)))


def _load_talks(conn: Connection, f: Features, scoped: bool, topics: Topics):
    where = " WHERE s.identity_id IN (SELECT id FROM _resolve_scope)" if scoped else ""
    mine = _rows(conn, f"SELECT s.identity_id, s.talk_id FROM speaking s{where}")
    if not mine:
        return None
    V = f.vocab
    if scoped:
        _fill(conn, "_resolve_talks", {t for _, t in mine})
        tw = " WHERE talk_id IN (SELECT id FROM _resolve_talks)"
        tw_id = " WHERE id IN (SELECT id FROM _resolve_talks)"
        allrows = _rows(conn, f"SELECT identity_id, talk_id FROM speaking{tw}")
    else:
        tw = tw_id = ""
        allrows = mine
    tidx, C = _groups_and_co_members(conn, f, allrows)
    info = _Coo()
    for tid, event_id, tags, title in _rows(conn, f"SELECT id, event_id, tags, title FROM talk{tw_id}"):
        if tid not in tidx:
            continue
        t = topics.of_text(title) | topics.of_tags(_j(tags) or ())
        toks = [V("t:" + x) for x in t]
        if event_id is not None:
            toks.append(V("v:%d" % event_id))
        info.add(tidx[tid], toks)
    n = len(f)
    mine_pairs = []
    for ident, tid in mine:
        i = f.index.get(ident)
        if i is None:
            continue
        mine_pairs.append((i, tidx[tid]))
        f.slots.setdefault(i, set()).add(tid * 2 + 1)
    width = len(V)
    Am = _incidence(mine_pairs, (n, len(tidx)))
    C = C[:n]
    C.resize((n, width))
    return _binary(C + Am @ info.csr((len(tidx), width)))


def _load_repos(conn: Connection, f: Features, scoped: bool, topics: Topics):
    where = " WHERE identity_id IN (SELECT id FROM _resolve_scope)" if scoped else ""
    pairs = _rows(
        conn,
        f"SELECT identity_id, repo_id FROM repocontributor{where} UNION SELECT identity_id, repo_id FROM activity{where}",
    )
    code_repos = {r for rs in f.paper_repos.values() for r in rs}
    repo_ids = {r for _, r in pairs} | code_repos
    if not repo_ids:
        return None
    V = f.vocab
    n = len(f)
    ridx = {r: k for k, r in enumerate(sorted(repo_ids))}
    local = [(f.index[a], ridx[r]) for a, r in pairs if a in f.index]
    R = _incidence(local, (n, len(ridx)))
    # contributors of papers' code repos (in scope)
    Rc = R.tocsc()
    f.repo_contributors = {
        r: set(Rc.indices[Rc.indptr[ridx[r]] : Rc.indptr[ridx[r] + 1]].tolist()) for r in code_repos
    }
    info = _Coo()
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
            info.add(ridx[rid], [V("r:%d" % rid)] + [V("t:" + x) for x in t])
    width = len(V)
    out = R @ info.csr((len(ridx), width))
    # co-contributors of small repos: context like co-authors. Sizes and members are counted
    # database-wide: a scoped load sees a few of a big repository's contributors, and taking it
    # for a small team gave an account co-contributor "co-authors" a full resolve never sees
    sizes = np.asarray(R.sum(axis=0)).ravel()
    local_small = [r for r in ridx if sizes[ridx[r]] <= SMALL_REPO]
    if scoped:
        members = _repo_members(conn, local_small)
        allrows = [(a, r) for r, ms in members.items() if 1 < len(ms) <= SMALL_REPO for a in ms]
    else:
        keep = {r for r in local_small if sizes[ridx[r]] > 1}
        allrows = [(a, r) for a, r in pairs if r in keep]
    if allrows:
        _, C = _groups_and_co_members(conn, f, allrows)
        C = C[:n]
        C.resize((n, width))
        out.resize((n, width))
        out = out + C
    return _binary(out)


def _repo_members(conn: Connection, repos: list[int]) -> dict[int, set[int]]:
    """Identities working on each repository, database-wide (stopping past SMALL_REPO: a bigger
    one gives no co-contributor context anyway)."""
    out: dict[int, set[int]] = {r: set() for r in repos}
    for start in range(0, len(repos), 500):
        chunk = repos[start : start + 500]
        q = ",".join("?" * len(chunk))
        for r, a in _rows(conn, f"SELECT repo_id, identity_id FROM repocontributor WHERE repo_id IN ({q})", tuple(chunk)):
            out[r].add(a)
    for r in repos:
        if len(out[r]) <= SMALL_REPO:
            # reviewers and issue authors missing from the contributors listing
            for (a,) in _rows(
                conn, "SELECT DISTINCT identity_id FROM activity WHERE repo_id = ? LIMIT ?", (r, SMALL_REPO + 1)
            ):
                out[r].add(a)
    return out


def _variant_key(gkey: str) -> str:
    """"fedorov|m=marie" -> "fedorov|m=mr": spelling variants (Mary, Marie) share a key."""
    block, _, given = gkey.partition("=")
    return f"{block}={N.skeleton(given) or given}"


def key_counts(conn: Connection, keys: Iterable[str]) -> dict[str, int]:
    """How many identities hold each of these `identitykey` keys, database-wide, in one query."""
    cur = conn.connection.cursor()
    try:
        cur.execute("CREATE TEMP TABLE IF NOT EXISTS _resolve_tok (key TEXT PRIMARY KEY)")
        cur.execute("DELETE FROM _resolve_tok")
        cur.executemany("INSERT OR IGNORE INTO _resolve_tok (key) VALUES (?)", [(k,) for k in keys])
        cur.execute(
            "SELECT t.key, COUNT(k.identity_id) FROM _resolve_tok t JOIN identitykey k ON k.key = t.key GROUP BY t.key"
        )
        return dict(cur.fetchall())
    finally:
        cur.close()


SHARED_SUPPORT = 2  # identities naming one organisation before it counts as one wearer's


def shared_names(f: Features) -> tuple[set[str], set[str]]:
    """Full names ("family|i=given" keys) known to belong to two or more people: identities with
    the name state organisations that never meet, each at least twice (a GitHub profile's company
    counts twice: it speaks for the whole account). Returns (keys, their "family|i" blocks).
    Conservative by design: a person who changed jobs makes their name look shared, which only
    turns their weakest links into suggestions."""
    if f.T is None:
        return set(), set()
    o_cols = np.flatnonzero(f.vocab.kinds() == ord("o"))
    if not len(o_cols):
        return set(), set()
    O = f.T[:, o_cols].tocsr()
    sigs: dict[str, Counter] = {}
    for i in np.flatnonzero(np.diff(O.indptr)).tolist():
        if not f.gkeys[i]:
            continue
        sig = frozenset(O.indices[O.indptr[i] : O.indptr[i + 1]].tolist())
        w = SHARED_SUPPORT if f.source[i] == "github" else 1
        for k in f.gkeys[i]:
            sigs.setdefault(_variant_key(k), Counter())[sig] += w
    shared = set()
    for k, cnt in sigs.items():
        groups: list[frozenset] = []
        for sig, c in cnt.most_common():
            if c < SHARED_SUPPORT:
                break
            if not any(sig & g for g in groups):
                groups.append(sig)
        if len(groups) > 1:
            shared.add(k)
    return shared, {k.partition("=")[0] for k in shared}


class Stats:
    """Global counts the rules weigh evidence with: how many identities carry a name (a co-author
    on hundreds of papers is weak evidence that two authors are one), and which full given names
    share an initial's block (then "T. Sokolov" is ambiguous between Taylor and Tomasz).

    Full resolve: counted from everything loaded. Incremental: read from the identitykey index,
    which always covers the whole database, so both modes weigh evidence the same way."""

    def __init__(self, f: Features, conn: Optional[Connection] = None):
        self.conn = conn
        # both modes from what is loaded: an incremental scope holds every identity of the dirty
        # identities' name blocks, which is where these names are looked up
        self._shared, self._shared_blocks = shared_names(f)
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

    def document_counts(self, f: Features, df: np.ndarray) -> np.ndarray:
        """How many identities hold each context token, database-wide: as loaded for a full
        resolve; for an incremental one, repositories counted through the identitykey index and
        organisations from the counts the last full resolve kept (the scope is a small part)."""
        if self.conn is None:
            return df
        df = df.copy()
        words = f.vocab.words
        kinds = f.vocab.kinds()
        r_ix = np.flatnonzero(kinds == ord("r")).tolist()
        if r_ix:
            got = key_counts(self.conn, [words[t] for t in r_ix])
            for t in r_ix:
                df[t] = max(df[t], got.get(words[t], 0))
        mark = _rows(self.conn, "SELECT state FROM cursor WHERE source = 'identity' AND category = 'resolve' AND key = ''")
        common = (json.loads(mark[0][0]) if mark and mark[0][0] else {}).get("common_tokens") or {}
        for t, w in enumerate(words):
            c = common.get(w)
            if c and c > df[t]:
                df[t] = c
        return df

    def prefetch(self, blocks: Iterable[str]) -> None:
        """Count identities of these name blocks in one query (incremental mode)."""
        if self.conn is None:
            return
        todo = [b for b in set(blocks) if b not in self._count]
        if not todo:
            return
        got = {k[2:]: c for k, c in key_counts(self.conn, ["n:" + b for b in todo]).items()}
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

    def shared(self, name: Optional[N.Name]) -> bool:
        """Is this name (or, for an initial, some name of its block) known to be two people's?"""
        if name is None or not self._shared_blocks:
            return False
        gk = N.given_keys(name)
        if gk:
            return any(_variant_key(k) in self._shared for k in gk)
        return bool(N.block_keys(name) & self._shared_blocks)

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
