"""The resolve pass: cluster stored identities into people, explain every link, keep people's ids.

Full (`full=True`): every identity. Incremental (default): the identities that are new (no person
yet) or changed (the `identitychange` queue the database triggers fill), the identities sharing
a blocking key with them (through the `identitykey` index), and every identity of the people
those belong to — that subgraph is clustered from scratch, the rest of the database is untouched.
No step compares all pairs: exact keys link star-wise, names are compared inside name blocks.

Order of evidence: human "same" decisions (forced), then exact keys and paper-code links by
confidence, then two rounds of name + context over the components formed so far, then the
contests for names two people wear (`_settle`).
"""

from __future__ import annotations

import heapq
import time
from array import array
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable, Iterable, Optional

import numpy as np
import scipy.sparse as sp
from sqlalchemy import inspect
from sqlalchemy.engine import Connection, Engine

from sourcing.identity import rules as R
from sourcing.identity.cluster import Clusters
from sourcing.identity.features import DISPLAY, Features, Stats, Topics, _rows, load, scope_table
from sourcing.identity.keys import github_login_of_email, norm_email
from sourcing.identity.names import parse

Progress = Optional[Callable[..., None]]
_TOPICS: Optional[Topics] = None


def _topics() -> Topics:
    global _TOPICS
    if _TOPICS is None:
        _TOPICS = Topics()
    return _TOPICS


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _q(conn: Connection, sql: str) -> str:
    return sql if conn.dialect.paramstyle == "qmark" else sql.replace("?", "%s")


def _many(conn: Connection, sql: str, rows: list) -> None:
    if not rows:
        return
    cur = conn.connection.cursor()
    try:
        for start in range(0, len(rows), 50_000):
            cur.executemany(_q(conn, sql), rows[start : start + 50_000])
    finally:
        cur.close()


def _exec(conn: Connection, sql: str, params: tuple = ()) -> None:
    cur = conn.connection.cursor()
    try:
        cur.execute(_q(conn, sql), params)
    finally:
        cur.close()


@dataclass
class Outcome:
    """What clustering decided for the identities in scope (local indices)."""

    components: list[list[int]]
    links: dict[tuple[int, int], tuple[str, float, str]] = field(default_factory=dict)  # ids -> (reason, conf, status)
    warnings: list[str] = field(default_factory=list)
    # identity ids of people that came through untouched (incremental): their stored links stand
    frozen: set[int] = field(default_factory=set)


# --- clustering ----------------------------------------------------------------------------


def decisions_for(conn: Connection, f: Features) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """(same, not_same) decisions between identities in scope, as local index pairs."""
    same, not_same = [], []
    for a, b, d in _rows(conn, "SELECT identity_a, identity_b, decision FROM identitydecision"):
        ia, ib = f.index.get(a), f.index.get(b)
        if ia is None or ib is None:
            continue
        (same if d == "same" else not_same).append((ia, ib))
    return same, not_same


def cluster(
    f: Features, same: list, not_same: list, progress: Progress = None, stats: Optional[Stats] = None,
    keep: Optional[list[list[int]]] = None,
) -> Outcome:
    """`keep` (incremental): groups of local indices that stay one person as stored (the unchanged
    identities of each old person). They are joined first, and names are compared only for pairs
    touching a component that is new or grew: two untouched people were compared when they were
    last resolved, so rescoring them (most of a prolific author's block) is wasted work."""
    n = len(f)
    if stats is None:
        stats = Stats(f)
    C = Clusters(n, f.login, f.slots)
    for d, (a, b) in enumerate(not_same):
        C.add_slot(a, -(d + 1))
        C.add_slot(b, -(d + 1))
    decided_same = {(min(a, b), max(a, b)) for a, b in same}
    decided_not = {(min(a, b), max(a, b)) for a, b in not_same}
    warnings = []
    for a, b in same:
        C.union(a, b, force=True)
    for g in keep or ():
        for m in g[1:]:
            C.union(g[0], m, force=True)
    for a, b in not_same:
        if C.find(a) == C.find(b):
            warnings.append(
                f"decisions contradict: {f.source[a]}:{f.ext[a]} and {f.source[b]}:{f.ext[b]} are marked "
                "'not same' but other 'same' decisions join them"
            )

    # exact keys and paper code links
    groups: dict[str, list[int]] = {}
    for i in range(n):
        for k in f.exact[i]:
            groups.setdefault(k, []).append(i)
    login_owner = {f.login[i]: i for i in range(n) if f.login[i]}
    links = R.key_links(f, groups) + R.code_links(f, login_owner)
    if progress:
        progress("exact keys", len(links), len(links))
    links.sort(key=lambda l: (-l.confidence, f.ids[l.a], f.ids[l.b]))
    accepted: list[R.Link] = []
    suggested: list[R.Link] = []
    for link in links:
        if link.confidence >= R.AUTO:
            ok, why = C.union(link.a, link.b)
            if ok:
                accepted.append(link)
            elif why == "github":
                link.reason += " (not joined: two GitHub accounts)"
                suggested.append(link)
        else:
            suggested.append(link)

    # names with context, over the components so far; twice, so a cluster's grown context counts
    df = np.asarray(f.T.sum(axis=0)).ravel() if f.T is not None else np.zeros(len(f.vocab))
    if stats is not None:
        df = stats.document_counts(f, df)
    W = R.weight_matrix(f, df, stats)
    kinds = f.vocab.kinds()
    strong = np.flatnonzero(np.isin(kinds, np.frombuffer(b"crodv", np.uint8)))
    topic = np.flatnonzero((kinds == ord("t")) | (kinds == ord("k")))
    o_cols = np.flatnonzero(kinds == ord("o"))
    has_org = (np.asarray(f.T[:, o_cols].sum(axis=1)).ravel() > 0).astype(np.float32)
    # a GitHub profile's company speaks for the whole account: it counts as often as two papers
    has_org *= np.where(np.asarray(f.source) == "github", 2.0, 1.0).astype(np.float32)
    changed: Optional[np.ndarray] = None
    group_of: Optional[list[int]] = None
    if keep is not None:
        # a component is untouched when it is exactly one kept group
        group_of = [-1] * n
        for gi, g in enumerate(keep):
            for m in g:
                group_of[m] = gi
        changed = _changed(C, group_of, keep, n)
    contests: list[tuple[float, R.Link]] = []
    for rnd in (1, 2):
        for conf, ia, ib, reason, contested in _name_context(f, C, W, strong, topic, has_org, stats, changed):
            link = R.Link(ia, ib, conf, reason, "name")
            if contested:
                contests.append((contested, link))
            if conf >= R.AUTO:
                if C.find(ia) == C.find(ib):
                    continue
                ok, why = C.union(ia, ib)
                if ok:
                    accepted.append(link)
                elif why == "github":
                    suggested.append(link)
            else:
                suggested.append(link)
        if progress:
            progress("names and context", rnd, 2)
        grown = {C.find(l.a) for l in accepted if l.rule == "name"}
        if not grown or rnd == 2:
            break
        changed = np.fromiter((C.find(i) in grown for i in range(n)), dtype=bool, count=n)

    if contests:
        accepted += _settle(f, C, contests, suggested, has_org, W, stats)
        if progress:
            progress("shared names", 1, 1)

    comps = C.components()
    frozen: set[int] = set()
    if keep is not None:
        still = _changed(C, group_of, keep, n)
        frozen = {f.ids[i] for i in np.flatnonzero(~still).tolist()}
    components = [sorted(m) for m in comps.values()]
    out = Outcome(components=components, warnings=warnings, frozen=frozen)
    root = [0] * n
    for r, members in comps.items():
        for m in members:
            root[m] = r

    def put(a: int, b: int, reason: str, conf: float, status: str) -> None:
        ka, kb = (f.ids[a], f.ids[b]) if f.ids[a] < f.ids[b] else (f.ids[b], f.ids[a])
        la, lb = (a, b) if a < b else (b, a)
        if (la, lb) in decided_same:
            status = "accepted"
        elif (la, lb) in decided_not:
            status = "dismissed"
        old = out.links.get((ka, kb))
        if old is None or (old[2] != "auto" and (status == "auto" or conf > old[1])):
            out.links[(ka, kb)] = (reason, round(conf, 4), status)

    for link in accepted:
        put(link.a, link.b, link.reason, link.confidence, "auto")
    best_between: dict[tuple[int, int], R.Link] = {}
    for link in suggested:
        ra, rb = root[link.a], root[link.b]
        la, lb = min(link.a, link.b), max(link.a, link.b)
        if (la, lb) in decided_not or (la, lb) in decided_same:
            put(link.a, link.b, link.reason, link.confidence, "suggested")
            continue
        if ra == rb:
            continue
        key = (min(ra, rb), max(ra, rb))
        cur = best_between.get(key)
        if cur is None or link.confidence > cur.confidence:
            best_between[key] = link
    for link in best_between.values():
        put(link.a, link.b, link.reason, link.confidence, "suggested")
    return out


CONTEST_MARGIN = 0.12
PIECE_MAX = 3  # identities from which a component is somebody, not a piece to hand out


def _settle(
    f: Features, C: Clusters, contests: list[tuple[float, R.Link]], suggested: list[R.Link], has_org: np.ndarray,
    W: sp.csr_matrix, stats: Stats,
) -> list[R.Link]:
    """Links held back because two people wear the name (or an initial fits several), settled
    where the evidence is one-sided: a piece (a paper without affiliation, an account without a
    company, an author known by initials) joins the wearer it matches best when that match would
    have been automatic and every other wearer of a name block it is in scores at least
    CONTEST_MARGIN lower. A wearer is a component with a full name that states an organisation,
    holds a GitHub account or has grown to PIECE_MAX identities; a piece is smaller. Rivals are
    scored here, not taken from the links found so far: the candidate search of a common name's
    block does not pair everyone, and an unscored rival is not a weak one. Returns the links
    that joined."""
    raw = {id(l): c for c, l in contests}
    n = len(f)
    roots = [C.find(i) for i in range(n)]
    size = Counter(roots)
    full = {roots[i] for i in range(n) if f.name[i] is not None and f.name[i].is_full}
    org_roots = {roots[i] for i in np.flatnonzero(has_org).tolist()}
    known = org_roots | {roots[i] for i, lg in enumerate(f.login) if lg} | {r for r, c in size.items() if c >= PIECE_MAX}
    wearers = full & known
    # a piece: no organisation of its own, or only initials (an "M. Stenridge" paper at Tübingen
    # is a piece the Stenridges at Tübingen and at Google compete for)
    pieces = {r for r, c in size.items() if c < PIECE_MAX and (r not in org_roots or r not in full)}
    best_of: dict[int, tuple[float, int, R.Link]] = {}
    for link in suggested:
        if link.rule != "name" or id(link) not in raw:
            continue
        ra, rb = roots[link.a], roots[link.b]
        c = raw[id(link)]
        if ra == rb or c < R.AUTO:
            continue
        for x, y in ((ra, rb), (rb, ra)):
            if x in pieces and y in wearers and (x not in best_of or c > best_of[x][0]):
                best_of[x] = (c, y, link)
    if not best_of:
        return []
    members: dict[int, list[int]] = {}
    for i, r in enumerate(roots):
        if r in best_of or r in wearers:
            members.setdefault(r, []).append(i)
    keys_of = {x: frozenset().union(*(f.nkeys[m] for m in members[x])) for x in best_of}
    wanted = frozenset().union(*keys_of.values())
    by_key: dict[str, set[int]] = {}
    for w in wearers:
        for m in members[w]:
            for k in f.nkeys[m] & wanted:
                by_key.setdefault(k, set()).add(w)
    words = f.vocab.words
    noisy = np.isin(f.vocab.kinds(), np.frombuffer(b"ctk", np.uint8))
    Wd = W.toarray()  # tokens x FEATURES: a row per shared token, read many times
    T = f.T
    profiles: dict[int, tuple] = {}

    def profile(r: int) -> tuple:
        # plain dicts: a rival is scored in microseconds, sparse algebra per pair cost milliseconds
        got = profiles.get(r)
        if got is None:
            ms = members[r]
            counts: Counter = Counter()
            for m in ms:
                counts.update(T.indices[T.indptr[m] : T.indptr[m + 1]].tolist())
            got = profiles[r] = (counts, R.node_of(f, ms, int(has_org[ms].sum())), len(ms) >= R.BIG_CLUSTER)
        return got

    def rival_score(x: int, y: int) -> float:
        (cx, nx, bx), (cy, ny, by) = profile(x), profile(y)
        if R._grade(nx, ny)[0] <= 0:
            return 0.0  # most of a common block's wearers: another given name
        small, large = (cx, cy) if len(cx) <= len(cy) else (cy, cx)
        shared = [t for t in small if t in large]
        if not shared:
            return 0.0
        facs = [
            (R.ONE_OFF if bx and cx[t] < 2 else 1.0) * (R.ONE_OFF if by and cy[t] < 2 else 1.0) if noisy[t] else 1.0
            for t in shared
        ]
        common, trust = _shared_context(words, shared, facs)
        F = (Wd[shared] * np.asarray(facs, np.float32)[:, None]).sum(axis=0)
        got = R.score(nx, ny, F.tolist(), common, stats, trust)
        return 0.0 if got is None else max(got[0], got[4])

    out: list[R.Link] = []
    for x, (best, target, link) in sorted(best_of.items(), key=lambda kv: -kv[1][0]):
        rivals = set().union(*(by_key.get(k, ()) for k in keys_of[x])) - {x, target}
        second = 0.0
        for w in sorted(rivals):
            second = max(second, rival_score(x, w))
            if best - second < CONTEST_MARGIN:
                break
        if best - second < CONTEST_MARGIN or C.find(link.a) == C.find(link.b):
            continue
        ok, _ = C.union(link.a, link.b)
        if ok:
            out.append(R.Link(link.a, link.b, best, link.reason + f" (the likelier of them: next best {second:.2f})", "name"))
    joined = {id(l) for l in out}
    suggested[:] = [l for l in suggested if id(l) not in joined]
    return out


def _shared_context(words: list[str], toks: list[int], trusts: list[float]) -> tuple[dict, dict]:
    """The context two nodes share, as rules.score reads it: tokens by kind ("c" -> ["lee|a"]),
    and the ones that count for less (a big cluster's one-offs) with their factor."""
    common: dict[str, list[str]] = {}
    trust: dict[str, float] = {}
    for t, v in zip(toks, trusts):
        w = words[t]
        common.setdefault(w[0], []).append(w[2:])
        if v < 1:
            trust[w[2:]] = v
    return common, trust


def _changed(C: Clusters, group_of: list[int], keep: list[list[int]], n: int) -> np.ndarray:
    """Identities whose component is not exactly one kept group (new, changed, or joined)."""
    roots = [C.find(i) for i in range(n)]
    size: Counter = Counter(roots)
    ok = {roots[g[0]] for g in keep if size[roots[g[0]]] == len(g)}
    return np.fromiter((r not in ok for r in roots), dtype=bool, count=n)


def _name_context(f: Features, C: Clusters, W, strong, topic, has_org, stats, changed: Optional[np.ndarray]):
    """Rule 4 over the current components: candidate pairs through name blocks, their shared
    context as sparse products (all pairs at once), then names compared and reasons written for
    the few pairs that can reach a suggestion. Yields (conf, a, b, reason, contested), best first
    (contested: rules.score's confidence before a shared name held it back).
    `changed`: identities whose component grew (only pairs touching one are compared)."""
    n = len(f)
    roots = np.fromiter((C.find(i) for i in range(n)), dtype=np.int64, count=n)
    uniq, node_of_ident = np.unique(roots, return_inverse=True)
    n_nodes = len(uniq)
    M = sp.csr_matrix((np.ones(n, np.float32), (node_of_ident, np.arange(n))), shape=(n_nodes, n))
    order = np.argsort(node_of_ident, kind="stable")
    bounds = np.searchsorted(node_of_ident[order], np.arange(n_nodes + 1))
    Tn = (M @ f.T).tocsr()
    Tn.data = R.token_trust(Tn, f.vocab.kinds(), np.diff(bounds))
    org_members = M @ has_org
    # name blocks of each node
    bid: dict[str, int] = {}
    blk, nodes = array("i"), array("i")
    for node in range(n_nodes):
        members = order[bounds[node] : bounds[node + 1]]
        keys = set()
        for m in members.tolist():
            keys |= f.nkeys[m]
        for k in keys:
            b = bid.get(k)
            if b is None:
                b = bid[k] = len(bid)
            blk.append(b)
            nodes.append(node)
    blk_a = np.frombuffer(blk, np.int32).astype(np.int64)
    nodes_a = np.frombuffer(nodes, np.int32).astype(np.int64)
    ch = None
    if changed is not None:
        ch = np.zeros(n_nodes, bool)
        ch[node_of_ident[changed]] = True
        # only blocks holding a changed node can yield a pair worth scoring
        live = np.zeros(len(bid), bool)
        live[blk_a[ch[nodes_a]]] = True
        sel = live[blk_a]
        blk_a, nodes_a = blk_a[sel], nodes_a[sel]
    pairs = R.candidate_pairs((blk_a, nodes_a), Tn, strong, topic, np.diff(bounds))
    if ch is not None and len(pairs):
        pairs = pairs[ch[pairs[:, 0]] | ch[pairs[:, 1]]]
    words = f.vocab.words
    cache: dict[int, R.Node] = {}

    def node(x: int) -> R.Node:
        got = cache.get(x)
        if got is None:
            members = order[bounds[x] : bounds[x + 1]].tolist()
            got = cache[x] = R.node_of(f, members, int(org_members[x]))
        return got

    CH = 200_000
    kept_S, kept_F, kept_x, kept_y = [], [], [], []
    for start in range(0, len(pairs), CH):
        px, py = pairs[start : start + CH, 0], pairs[start : start + CH, 1]
        S = Tn[px].multiply(Tn[py]).tocsr()
        F = np.asarray((S @ W).todense())
        ub = R.upper_bound(F)
        strong_any = (F[:, 0] > 0) | (F[:, 2] > 0) | (F[:, 3] > 0) | (F[:, 4] > 0) | (F[:, 5] > 0)
        keep = (ub >= R.SUGGEST) & (strong_any | (F[:, 7] >= R.NEED_TOPICS))
        keep |= (ub >= R.AUTO) & (F[:, 8] + F[:, 7] > 0)  # a broad field: papers' authors only (below)
        sel = np.flatnonzero(keep)
        kept_S.append(S[sel])
        kept_F.append(F[sel])
        kept_x.append(px[sel])
        kept_y.append(py[sel])
    if not kept_S:
        return
    S = sp.vstack(kept_S).tocsr()
    F = np.concatenate(kept_F)
    X, Y = np.concatenate(kept_x), np.concatenate(kept_y)
    UB = R.upper_bound(F)
    strong_any = (F[:, 0] > 0) | (F[:, 2] > 0) | (F[:, 3] > 0) | (F[:, 4] > 0) | (F[:, 5] > 0)
    full_keep = strong_any | (F[:, 7] >= R.NEED_TOPICS)
    first = order[bounds[:-1]]  # one member of each node, to ask the clusters
    # best first, lazily: a pair is scored only when no better pair can still come, and not at
    # all when earlier links already joined its two sides (most pairs of a prolific author)
    heap: list = []
    for k in np.argsort(-UB, kind="stable").tolist():
        u = UB[k]
        while heap and -heap[0][0] >= u:
            top = heapq.heappop(heap)
            yield -top[0], top[3], top[4], top[5], top[6]
        x, y = int(X[k]), int(Y[k])
        if C.find(int(first[x])) == C.find(int(first[y])):
            continue
        nx, ny = node(x), node(y)
        if not full_keep[k] and not (nx.papers and ny.papers):
            continue  # a broad field alone joins two papers' authors, nobody else
        lo, hi = S.indptr[k], S.indptr[k + 1]
        common, trust = _shared_context(words, S.indices[lo:hi].tolist(), S.data[lo:hi].tolist())
        got = R.score(nx, ny, F[k].tolist(), common, stats, trust)
        if got is not None and (got[0] >= R.SUGGEST or got[4] >= R.AUTO):
            heapq.heappush(heap, (-got[0], f.ids[got[1]], f.ids[got[2]], got[1], got[2], got[3], got[4]))
    while heap:
        top = heapq.heappop(heap)
        yield -top[0], top[3], top[4], top[5], top[6]

# --- scope ---------------------------------------------------------------------------------


def all_keys(f: Features, i: int) -> set[str]:
    """Every key stored in `identitykey` for identity i: exact, name blocks, repos worked on."""
    keys = set(f.exact[i]) | {"n:" + k for k in f.nkeys[i]} | {"f:" + k for k in f.gkeys[i]}
    keys |= {t for t in f.tokens_of(i) if t.startswith("r:")}
    return keys


def _dirty(conn: Connection) -> tuple[list[int], int]:
    rows = _rows(
        conn,
        "SELECT id FROM identity WHERE person_id IS NULL UNION SELECT identity_id FROM identitychange",
    )
    new = _rows(conn, "SELECT COUNT(*) FROM identity WHERE person_id IS NULL")[0][0]
    return sorted(r[0] for r in rows), new


def _expand(conn: Connection, f: Features) -> set[int]:
    """Scope of an incremental resolve around the dirty identities loaded in `f`."""
    keys: set[str] = set()
    for i in range(len(f)):
        # repositories worked on are context, not a reason to compare with every contributor
        keys |= {k for k in all_keys(f, i) if not k.startswith("r:")}
    for pid, repos in f.paper_repos.items():
        for r in repos:
            keys.add("r:%d" % r)
    for r, owner in f.repo_owner.items():
        keys.add("g:" + owner)
    cur = conn.connection.cursor()
    cur.execute("CREATE TEMP TABLE IF NOT EXISTS _resolve_keys (key TEXT PRIMARY KEY)")
    cur.execute("DELETE FROM _resolve_keys")
    cur.executemany("INSERT OR IGNORE INTO _resolve_keys (key) VALUES (?)", [(k,) for k in keys])
    cur.close()
    scope = set(f.ids)
    scope |= {
        r[0]
        for r in _rows(conn, "SELECT DISTINCT identity_id FROM identitykey WHERE key IN (SELECT key FROM _resolve_keys)")
    }
    scope_table(conn, scope)
    # decision partners, then every identity of every person touched
    for a, b in _rows(
        conn,
        "SELECT identity_a, identity_b FROM identitydecision WHERE identity_a IN (SELECT id FROM _resolve_scope) "
        "OR identity_b IN (SELECT id FROM _resolve_scope)",
    ):
        scope.add(a)
        scope.add(b)
    scope |= _whole_people(conn, scope)
    return scope


# --- writing -------------------------------------------------------------------------------


def display(f: Features, members: list[int]) -> dict:
    """A person's display fields, chosen from its identities (GitHub profile first)."""
    gh = [m for m in members if f.source[m] == "github"]
    order = gh + sorted((m for m in members if f.source[m] != "github"), key=lambda m: str(f.display[m][5] or ""), reverse=True)
    name = None
    for m in gh:
        nm = f.name[m]
        if nm is not None and nm.is_full:
            name = f.raw_name[m]
            break
    if name is None:
        full = Counter(f.raw_name[m] for m in order if f.name[m] is not None and f.name[m].is_full)
        if full:
            name = max(full, key=lambda s: (full[s], len(parse(s).tokens), -order.index(next(m for m in order if f.raw_name[m] == s))))
    if name is None:
        name = next((f.raw_name[m] for m in order if f.raw_name[m]), None) or (f.ext[gh[0]] if gh else None)

    def first(fieldname: str):
        for m in order:
            v = f.display[m][DISPLAY[fieldname]]
            if v:
                return v
        return None

    company = first("company")
    if isinstance(company, str):
        company = company.strip().removeprefix("@") or None
    email = None
    for m in order:
        for e in f.display[m][4]:
            ne = norm_email(e)
            if ne and not github_login_of_email(ne):
                email = ne
                break
        if email:
            break
    return {
        "display_name": (name or "")[:200] or None,
        "github_login": f.ext[gh[0]] if gh else None,
        "location": first("location"),
        "company": company,
        "homepage": first("homepage"),
        "email": email,
        "is_bot": any(f.bot[m] for m in members),
    }


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
DISPLAY_FIELDS = ("display_name", "github_login", "location", "company", "homepage", "email", "is_bot")


def person_refs(conn: Connection) -> list[tuple[str, str, list[list[str]], list[tuple[str, str]]]]:
    """Tables pointing at person.id (other than identity and review): (table, column, unique
    column groups containing it, tables pointing at this table's id as (table, column))."""
    insp = inspect(conn)
    tables = insp.get_table_names()
    fks: dict[str, list[tuple[str, str, str]]] = {}
    for t in tables:
        for fk in insp.get_foreign_keys(t):
            for col, rcol in zip(fk["constrained_columns"], fk["referred_columns"]):
                fks.setdefault(fk["referred_table"], []).append((t, col, rcol))
    out = []
    for t, col, _ in fks.get("person", []):
        if t in ("identity", "review"):
            continue
        uniques = [u["column_names"] for u in insp.get_unique_constraints(t) if col in u["column_names"]]
        deps = [(dt, dc) for dt, dc, rc in fks.get(t, []) if rc == "id"]
        out.append((t, col, uniques, deps))
    return out


def move_person_refs(conn: Connection, moves: dict[int, int]) -> None:
    """Carry everything that points at absorbed people (reviews, leads, scores...) to the person
    that absorbed them; rows that would collide with the survivor's own are dropped (scores are
    recomputed by the next scoring pass)."""
    if not moves:
        return
    from sourcing.review import move_reviews

    by_target: dict[int, list[int]] = {}
    for src, dst in moves.items():
        by_target.setdefault(dst, []).append(src)
    for dst, srcs in by_target.items():
        move_reviews(conn, srcs, dst)
    pairs = [(dst, src) for src, dst in moves.items()]
    for table, col, uniques, deps in person_refs(conn):
        cond = ""
        for cols in uniques:
            others = [c for c in cols if c != col]
            if others:
                eq = " AND ".join(f't2."{c}" = "{table}"."{c}"' for c in others)
                cond += f' AND NOT EXISTS (SELECT 1 FROM "{table}" t2 WHERE t2."{col}" = ? AND {eq})'
            else:
                cond += f' AND NOT EXISTS (SELECT 1 FROM "{table}" t2 WHERE t2."{col}" = ?)'
        n_extra = cond.count("?")
        _many(
            conn,
            f'UPDATE "{table}" SET "{col}" = ? WHERE "{col}" = ?{cond}',
            [(dst, src, *([dst] * n_extra)) for dst, src in pairs],
        )
        for dt, dc in deps:
            _many(conn, f'DELETE FROM "{dt}" WHERE "{dc}" IN (SELECT id FROM "{table}" WHERE "{col}" = ?)', [(s,) for _, s in pairs])
        _many(conn, f'DELETE FROM "{table}" WHERE "{col}" = ?', [(s,) for _, s in pairs])


def _next_person_id(conn: Connection) -> int:
    """Person ids are never reused, so a stale reference can never name someone else."""
    top = _rows(conn, "SELECT MAX(id) FROM person")[0][0] or 0
    mark = _rows(conn, "SELECT state FROM cursor WHERE source = 'identity' AND category = 'resolve' AND key = ''")
    import json

    state = json.loads(mark[0][0]) if mark and mark[0][0] else {}
    return max(top, int(state.get("max_person_id") or 0)) + 1


def _save_mark(conn: Connection, max_pid: int, full: bool, common: Optional[dict] = None) -> None:
    import json

    from storage.models import Cursor
    from storage.upsert import upsert

    old = _rows(conn, "SELECT state FROM cursor WHERE source = 'identity' AND category = 'resolve' AND key = ''")
    state = json.loads(old[0][0]) if old and old[0][0] else {}
    state["max_person_id"] = max(int(state.get("max_person_id") or 0), max_pid)
    stamp = _now()
    state["last_resolve"] = stamp.isoformat()
    if full:
        state["last_full"] = stamp.isoformat()
    if common is not None:
        state["common_tokens"] = common
    upsert(conn, Cursor, [{"source": "identity", "category": "resolve", "key": "", "state": state, "updated_at": stamp}])


def write(
    conn: Connection, f: Features, out: Outcome, *, full: bool, prefer: Iterable[int] = (), detach: Iterable[int] = ()
) -> dict:
    """Persons, identity.person_id and links for the identities in scope; returns counts.
    `prefer`: person ids that keep their id first (a merge's survivor); `detach`: identity ids
    whose component should not inherit an old id when it can (a split-off identity)."""
    prefer = set(prefer)
    detached = {f.index[i] for i in detach if i in f.index}
    comps = out.components
    # stable ids: each old person goes to the component holding most of its identities
    cand = []
    for ci, members in enumerate(comps):
        cnt = Counter(f.old_pid[m] for m in members if f.old_pid[m] is not None)
        leaving = any(m in detached for m in members) if detached else False
        for pid, c in cnt.items():
            cand.append((pid not in prefer, leaving, -c, pid, ci))
    cand.sort()
    pid_of: list[Optional[int]] = [None] * len(comps)
    used: set[int] = set()
    for _, _, negc, pid, ci in cand:
        if pid_of[ci] is None and pid not in used:
            pid_of[ci] = pid
            used.add(pid)
    old_pids = {p for p in f.old_pid if p is not None}
    existing = {}
    if old_pids:
        ids = sorted(old_pids)
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            q = ",".join("?" * len(chunk))
            for row in _rows(
                conn,
                f"SELECT id, {', '.join(DISPLAY_FIELDS)}, suppressed FROM person WHERE id IN ({q})",
                tuple(chunk),
            ):
                existing[row[0]] = row[1:]
    next_id = _next_person_id(conn)
    stamp = _now()
    inserts, updates = [], []
    frozen = out.frozen
    for ci, members in enumerate(comps):
        pid = pid_of[ci]
        if frozen and pid in existing and f.ids[members[0]] in frozen:
            continue  # an untouched person: same identities, same display fields
        d = display(f, members)
        vals = tuple(d[k] for k in DISPLAY_FIELDS)
        if pid is None or pid not in existing:
            if pid is None:
                pid = next_id
                next_id += 1
                pid_of[ci] = pid
            inserts.append((pid, *vals, False, stamp, stamp))
        else:
            old = existing[pid][: len(DISPLAY_FIELDS)]
            if tuple(bool(x) if k == "is_bot" else x for k, x in zip(DISPLAY_FIELDS, old)) != vals:
                updates.append((*vals, stamp, pid))
    cols = ", ".join(DISPLAY_FIELDS)
    _many(
        conn,
        f"INSERT INTO person (id, {cols}, suppressed, created_at, updated_at) VALUES (?{', ?' * (len(DISPLAY_FIELDS) + 3)})",
        inserts,
    )
    sets = ", ".join(f"{k} = ?" for k in DISPLAY_FIELDS)
    _many(conn, f"UPDATE person SET {sets}, updated_at = ? WHERE id = ?", updates)
    # identities to their people
    moves_ident = []
    new_pid = [0] * len(f)
    for ci, members in enumerate(comps):
        for m in members:
            new_pid[m] = pid_of[ci]
            if f.old_pid[m] != pid_of[ci]:
                moves_ident.append((pid_of[ci], f.ids[m]))
    _many(conn, "UPDATE identity SET person_id = ? WHERE id = ?", moves_ident)
    # people that lost every identity: carry their references to whoever took most of them
    lost = old_pids - used
    votes: dict[int, Counter] = {}
    if lost:
        for m in range(len(f)):
            p = f.old_pid[m]
            if p in lost:
                votes.setdefault(p, Counter())[new_pid[m]] += 1
    absorbed = {p: c.most_common(1)[0][0] for p, c in votes.items()}
    # a suppressed person stays suppressed in whoever absorbs it
    supp = [(dst,) for src, dst in absorbed.items() if existing.get(src) and existing[src][-1]]
    _many(conn, "UPDATE person SET suppressed = 1 WHERE id = ?", supp)
    move_person_refs(conn, absorbed)
    _many(conn, "DELETE FROM person WHERE id = ?", [(p,) for p in sorted(absorbed)])
    # links
    if full:
        existing_links = _rows(conn, "SELECT id, identity_a, identity_b FROM identitylink")
    else:
        # both ends in scope: a suggestion to an identity that was not loaded (a GitHub account
        # sharing an email with someone the scope reached through their person) cannot be found
        # again, and was dropped from the review queue. (Filtered here: asked as "a IN scope AND
        # b IN scope", SQLite probes every pair of the scope through the unique index.)
        existing_links = [
            row
            for row in _rows(
                conn,
                "SELECT id, identity_a, identity_b FROM identitylink WHERE identity_a IN (SELECT id FROM _resolve_scope) "
                "OR identity_b IN (SELECT id FROM _resolve_scope)",
            )
            if row[1] in f.index and row[2] in f.index
        ]
    stale = [(lid,) for lid, a, b in existing_links if (a, b) not in out.links and not (a in frozen and b in frozen)]
    _many(conn, "DELETE FROM identitylink WHERE id = ?", stale)
    rows = [(a, b, reason, conf, status, stamp) for (a, b), (reason, conf, status) in out.links.items()]
    _many(
        conn,
        "INSERT INTO identitylink (identity_a, identity_b, reason, confidence, status, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (identity_a, identity_b) DO UPDATE SET "
        "reason = excluded.reason, confidence = excluded.confidence, status = excluded.status "
        "WHERE identitylink.reason IS NOT excluded.reason OR identitylink.confidence IS NOT excluded.confidence "
        "OR identitylink.status IS NOT excluded.status",
        rows,
    )
    common = None
    if full and f.T is not None:
        # organisations, domains, cities, events many identities share: an incremental resolve
        # sees only a few of their holders and would otherwise overrate them
        df = np.asarray(f.T.sum(axis=0)).ravel()
        words = f.vocab.words
        common = {words[t]: int(df[t]) for t in np.flatnonzero(df > 30).tolist() if words[t][0] in "odvl"}
    _save_mark(conn, next_id - 1, full, common)
    return {
        "people_in_scope": len(comps),
        "created": len(inserts),
        "merged": len(absorbed),
        "updated": len(updates),
        "moved_identities": len(moves_ident),
        "links": len(rows),
    }


def write_keys(conn: Connection, f: Features, which: Optional[Iterable[int]], *, full: bool) -> int:
    """Store the blocking keys of identities (all of `f` when `which` is None)."""
    idx = range(len(f)) if which is None else [f.index[i] for i in which if i in f.index]
    rows = [(k, f.ids[i]) for i in idx for k in all_keys(f, i)]
    if full:
        _exec(conn, "DELETE FROM identitykey")
    else:
        _many(conn, "DELETE FROM identitykey WHERE identity_id = ?", [(f.ids[i],) for i in idx])
    _many(conn, "INSERT OR IGNORE INTO identitykey (key, identity_id) VALUES (?, ?)", rows)
    return len(rows)


# --- the pass ------------------------------------------------------------------------------


def _kept_groups(f: Features, dirty: Iterable[int]) -> list[list[int]]:
    """The unchanged identities of each stored person in scope, as local index groups."""
    dirt = set(dirty)
    groups: dict[int, list[int]] = {}
    for i, pid in enumerate(f.old_pid):
        if pid is not None and f.ids[i] not in dirt:
            groups.setdefault(pid, []).append(i)
    return list(groups.values())


def resolve(engine: Engine, *, full: bool = False, progress: Progress = None) -> dict:
    """Cluster identities into people. Returns counts: identities, people, new, merged,
    suggestions, elapsed (seconds), and `scope` (identities compared), `mode`, `warnings`."""
    t0 = time.perf_counter()
    topics = _topics()
    warnings: list[str] = []
    with engine.begin() as conn:
        if progress:
            progress("scope", 0, 1)
        dirty, new = _dirty(conn)
        if not full:
            has_keys = _rows(conn, "SELECT 1 FROM identitykey LIMIT 1")
            resolved = _rows(conn, "SELECT 1 FROM identity WHERE person_id IS NOT NULL LIMIT 1")
            if not has_keys and resolved:
                full = True  # resolved before keys were kept: start over once
        mode = "full" if full else "incremental"
        stats: dict = {}
        if full:
            f = load(conn, None, topics, progress)
            scope_n = len(f)
        elif dirty:
            fd = load(conn, dirty, topics)
            write_keys(conn, fd, None, full=False)
            scope = _expand(conn, fd)
            del fd
            f = load(conn, scope, topics, progress)
            scope_n = len(f)
        else:
            f = None
            scope_n = 0
        if f is not None and len(f):
            same, not_same = decisions_for(conn, f)
            keep = None if full else _kept_groups(f, dirty)
            out = cluster(f, same, not_same, progress, Stats(f) if full else Stats(f, conn), keep)
            warnings += out.warnings
            if progress:
                progress("write", 0, 1)
            stats = write(conn, f, out, full=full)
            if full:
                write_keys(conn, f, None, full=True)
                _exec(conn, "DELETE FROM identitychange")
            else:
                _many(conn, "DELETE FROM identitychange WHERE identity_id = ?", [(i,) for i in dirty])
            if progress:
                progress("write", 1, 1)
        identities = _rows(conn, "SELECT COUNT(*) FROM identity")[0][0]
        people = _rows(conn, "SELECT COUNT(*) FROM person")[0][0]
        suggestions = _rows(conn, "SELECT COUNT(*) FROM identitylink WHERE status = 'suggested'")[0][0]
    return {
        "mode": mode,
        "identities": identities,
        "people": people,
        "new": new,
        "merged": stats.get("merged", 0),
        "suggestions": suggestions,
        "scope": scope_n,
        "created": stats.get("created", 0),
        "elapsed": round(time.perf_counter() - t0, 3),
        "warnings": warnings,
    }


def _whole_people(conn: Connection, scope: set[int]) -> set[int]:
    """Every identity of the people the scope touches: a person is re-clustered whole."""
    scope_table(conn, scope)
    return {
        r[0]
        for r in _rows(
            conn,
            "SELECT id FROM identity WHERE person_id IN "
            "(SELECT DISTINCT person_id FROM identity WHERE id IN (SELECT id FROM _resolve_scope))",
        )
    }


def resolve_ids(
    conn: Connection, identity_ids: Iterable[int], *, prefer: Iterable[int] = (), detach: Iterable[int] = ()
) -> dict:
    """Re-cluster the people of these identities now (after a human decision), on `conn`."""
    scope = set(identity_ids)
    scope |= _whole_people(conn, scope)
    f = load(conn, scope, _topics())
    same, not_same = decisions_for(conn, f)
    out = cluster(f, same, not_same, stats=Stats(f, conn))
    stats = write(conn, f, out, full=False, prefer=prefer, detach=detach)
    stats["warnings"] = out.warnings
    return stats
