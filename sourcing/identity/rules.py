"""The evidence rules, strongest first, each producing links (a, b, confidence, reason).

1. the same GitHub login (the account itself, a speaker's profile or bio link, a homepage, a
   noreply email) — 0.99;
2. the same ORCID (0.98), email (0.97), Twitter / Mastodon / LinkedIn / GitLab handle (0.95),
   homepage (0.90);
3. an arXiv author whose name matches the one contributor of the paper's code repository that
   it matches (0.86-0.96; the repository's owner scores highest);
4. a compatible name together with agreeing context — co-authors or co-contributors, a shared
   repository, organisation, email domain, event, city, topics (0.5-0.97).

Exact keys only link identities whose written names do not contradict each other, and a name
alone never links: rule 4 needs context. Links at or above AUTO join people automatically;
those between SUGGEST and AUTO are suggestions for a human.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Optional

import numpy as np
import scipy.sparse as sp

from sourcing.identity import names as N
from sourcing.identity.features import Features
from sourcing.identity.keys import KINDS

AUTO = 0.8
SUGGEST = 0.62

KEY_CONFIDENCE = {"g": 0.99, "or": 0.98, "e": 0.97, "tw": 0.95, "ma": 0.95, "li": 0.95, "gl": 0.95, "hp": 0.9}
SHARED_KEY_ANCHORS = 3  # more distinct name groups than this on one key: a shared address, ignored
CONFLICT_CONFIDENCE = 0.6  # exact key, but names disagree or two GitHub accounts share it

FAMOUS_REPO = 50  # contributors beyond which a paper's "code" link names a framework it used
REPO_MAX_CONTRIBUTORS = 5000  # beyond this, rule 3 compares names through blocking keys only


@dataclass(slots=True)
class Link:
    a: int  # local indices
    b: int
    confidence: float
    reason: str
    rule: str  # key | code | name


def _label(f: Features, i: int) -> str:
    nm = f.raw_name[i] or f.login[i] or ""
    return f"{f.source[i]}:{f.ext[i]}" + (f" ({nm[:60]})" if nm else "")


def _names_ok(f: Features, a: int, b: int) -> bool:
    if N.loosely_compatible(f.name[a], f.name[b]):
        return True
    # a login that spells the other's name ("jsmith" for "John Smith")
    for x, y in ((a, b), (b, a)):
        if f.login[x] and N.login_grade(f.login[x], f.name[y]):
            return True
    return False


def _strict_names_ok(f: Features, a: int, b: int) -> bool:
    """For a homepage ("ostridge.github.io" is claimed by Yan and Mathias Ostridge): two full
    names must be compatible, a shared family name is not enough."""
    na, nb = f.name[a], f.name[b]
    if na is not None and nb is not None and na.is_full and nb.is_full:
        return N.compat(na, nb) > 0
    return _names_ok(f, a, b)


def key_links(f: Features, groups: dict[str, list[int]]) -> list[Link]:
    """Rules 1-2: identities sharing an exact key, linked star-wise to the group's anchor."""
    out: list[Link] = []
    for key, members in groups.items():
        if len(members) < 2:
            continue
        kind = key.split(":", 1)[0]
        # GitHub accounts first (the anchor a speaker's link points at), then by id
        members = sorted(members, key=lambda i: (f.source[i] != "github", f.ids[i]))
        logins = {f.login[i] for i in members if f.login[i]}
        base = KEY_CONFIDENCE.get(kind, 0.9)
        if kind != "g" and len(logins) > 1:
            base = CONFLICT_CONFIDENCE  # two GitHub accounts share this email / handle
        anchors: list[int] = []
        pending: list[Link] = []
        for m in members:
            ok = _strict_names_ok if kind == "hp" else _names_ok
            anchor = next((a for a in anchors if ok(f, a, m)), None)
            if anchor is None:
                anchors.append(m)
                if len(anchors) > 1:
                    pending.append(Link(anchors[0], m, CONFLICT_CONFIDENCE, "", "key"))
                continue
            pending.append(Link(anchor, m, base, "", "key"))
        if len(anchors) > SHARED_KEY_ANCHORS:
            continue  # an address many different people list: not evidence of anything
        label = KINDS.get(kind, kind)
        value = key.split(":", 1)[1]
        for link in pending:
            why_b = f.exact[link.b].get(key, label)
            why_a = f.exact[link.a].get(key, label)
            if link.confidence == CONFLICT_CONFIDENCE and not N.loosely_compatible(f.name[link.a], f.name[link.b]):
                note = "; but the names differ"
            elif link.confidence == CONFLICT_CONFIDENCE:
                note = "; but two GitHub accounts share it"
            else:
                note = ""
            link.reason = f"same {label} {value}: {_label(f, link.a)} has {why_a}, {_label(f, link.b)} has {why_b}{note}"
            out.append(link)
    return out


def code_links(f: Features, login_owner: dict[str, int]) -> list[Link]:
    """Rule 3: a paper's author whose name matches a contributor of the paper's code repository."""
    out: list[Link] = []
    # a famous repository is the code of many papers: its contributors are indexed once
    prepared: dict[frozenset, tuple] = {}

    def prepare(repos: frozenset) -> tuple:
        candidates: dict[int, set[int]] = {}  # contributor -> repos
        owners: set[int] = set()
        for r in repos:
            members = f.repo_contributors.get(r, set())
            owner = f.repo_owner.get(r)
            if owner and owner in login_owner:
                owners.add(login_owner[owner])
                members = members | {login_owner[owner]}
            for c in members:
                candidates.setdefault(c, set()).add(r)
        keyed: Optional[dict[str, list[int]]] = None
        if len(candidates) > 20:
            # many contributors: compare names through blocking keys (a nameless account's
            # login spells its blocks), never all pairs
            keyed = {}
            for c in candidates:
                ks = set(f.nkeys[c])
                if f.login[c]:
                    ks |= N.login_block_keys(f.login[c])
                for k in ks:
                    keyed.setdefault(k, []).append(c)
        return candidates, owners, keyed

    for pid, repos in f.paper_repos.items():
        authors = f.papers.get(pid, [])
        if not authors:
            continue
        key = frozenset(repos)
        got = prepared.get(key)
        if got is None:
            got = prepared[key] = prepare(key)
        candidates, owners, keyed = got
        if not candidates:
            continue
        matches: list[tuple[int, int, float]] = []
        if keyed is not None:
            pairs = {(a, c) for a in authors for k in f.nkeys[a] for c in keyed.get(k, ())}
        else:
            pairs = {(a, c) for a in authors for c in candidates}
        for a, c in pairs:
            if a == c or f.source[c] not in ("github",) and f.source[c] == f.source[a]:
                continue
            g = max(N.compat(f.name[a], f.name[c]), N.login_grade(f.login[c], f.name[a]))
            if g >= N.INITIAL:
                matches.append((a, c, g))
        if not matches:
            continue
        per_author: dict[int, int] = {}
        per_contrib: dict[int, int] = {}
        for a, c, _ in matches:
            per_author[a] = per_author.get(a, 0) + 1
            per_contrib[c] = per_contrib.get(c, 0) + 1
        famous = len(candidates) > FAMOUS_REPO
        for a, c, g in matches:
            unique = per_author[a] == 1 and per_contrib[c] == 1
            is_owner = c in owners
            if unique and famous and not is_owner and g < N.FULL:
                # "code at pytorch/pytorch": thousands of contributors, and initials or a login
                # like "msmirnov2" fit many of them
                conf = 0.65
            elif unique:
                conf = 0.86 + (0.06 if g == N.FULL else 0.0) + (0.04 if is_owner else 0.0)
            else:
                conf = 0.65
            repo = ", ".join(sorted(f.repo_name.get(r, str(r)) for r in candidates[c]))
            role = "owner" if is_owner else "a contributor"
            why = (
                f"paper {f.paper_key.get(pid, pid)} links its code at {repo}; its author {_label(f, a)} "
                f"matches {role} {_label(f, c)}"
                + ("" if unique else " (not the only match)")
            )
            out.append(Link(a, c, conf, why, "code"))
    return out


# --- rule 4: compatible names with agreeing context ---------------------------------------

CONTEXT = {
    "c": ("co-author or co-contributor", 0.30),
    "r": ("repository", 0.30),
    "o": ("organisation", 0.25),
    "d": ("email domain", 0.20),
    "v": ("event", 0.10),
    "l": ("city", 0.06),
    "t": ("topic", 0.05),
    "k": ("field", 0.05),
}


@dataclass
class Node:
    """A component as rule 4 sees it: its names, logins and a few counts."""

    members: list[int]
    names: list[tuple[N.Name, int]]  # (name, member that wrote it)
    logins: list[tuple[str, int]]
    bot: bool
    org_members: int = 0  # members that name an organisation
    papers: bool = False  # some member is a paper's author (arxiv, proceedings): holds a field


def node_of(f: Features, members: list[int], org_members: int = 0) -> Node:
    names: dict[tuple, tuple[N.Name, int]] = {}
    logins: list[tuple[str, int]] = []
    bot = False
    for i in members:
        nm = f.name[i]
        if nm is not None and nm.readings and nm.tokens not in names and len(names) < 8:
            names[nm.tokens] = (nm, i)
        if f.login[i]:
            logins.append((f.login[i], i))
        bot = bot or f.bot[i]
    papers = any(f.source[i] in ("arxiv", "proceedings") for i in members)
    return Node(members, list(names.values()), logins, bot, org_members, papers)


def _grade(x: Node, y: Node) -> tuple[float, str, int, int, str, tuple]:
    """Best name compatibility between two nodes: (grade, block, member of x, member of y, said,
    the written names compared: two, or one when a login matched a name). Grade 0 when both
    nodes write full names and none of them fit each other."""
    best = (0.0, "", -1, -1, "", ())
    full_x = full_y = full_ok = False
    for na, ia in x.names:
        for nb, ib in y.names:
            g, block = N.match(na, nb)
            if na.is_full and nb.is_full:
                full_x = full_y = True
                full_ok = full_ok or g > 0
            if g > best[0]:
                best = (g, block, ia, ib, f"'{na.raw[:60]}' ~ '{nb.raw[:60]}'", (na, nb))
    if full_x and full_y and not full_ok:
        # Michał against a cluster of Marie's papers: its "M. Fedorov" fits him, her full name
        # does not; the written full names decide
        return (0.0, "", -1, -1, "", ())
    for lg, ia in x.logins:
        for nb, ib in y.names:
            g = N.login_grade(lg, nb) * 0.95
            if g > best[0]:
                best = (g, "", ia, ib, f"login '{lg}' ~ '{nb.raw[:60]}'", (nb,))
    for lg, ib in y.logins:
        for na, ia in x.names:
            g = N.login_grade(lg, na) * 0.95
            if g > best[0]:
                best = (g, "", ia, ib, f"'{na.raw[:60]}' ~ login '{lg}'", (na,))
    return best


GRADE_WORD = {N.FULL: "same name", N.VARIANT: "spelling variant", N.INITIAL: "initials", N.NICKNAME: "short form"}
AMBIGUOUS_INITIAL = 0.55
AMBIGUOUS_BASE = 0.38  # where an initial several full given names fit starts (an unambiguous one: 0.55)
NEED_TOPICS = 2  # specific topics two papers' authors must share when nothing more specific agrees


def _distinct_people(tokens: list[str]) -> list[str]:
    """Co-author tokens of distinct people: "adeyemi|d" and "daniel|a" are one Daniel Adeyemi
    read in both orders."""
    out: list[str] = []
    for t in sorted(tokens):
        fam, _, ini = t.partition("|")
        if any(o.partition("|")[0][:1] == ini and o.partition("|")[2] == fam[:1] for o in out):
            continue
        out.append(t)
    return out


def coauthor_weight(n: int) -> float:
    """A co-author shared by two authors is strong evidence when the co-author is rare (n = how
    many identities carry that name); one on hundreds of papers mostly says "same field"."""
    return 0.30 if n <= 5 else 0.22 if n <= 15 else 0.15 if n <= 50 else 0.10


def repo_weight(n: int) -> float:
    """A repository shared by two accounts: strong when few work on it, weak for a huge one."""
    return 0.30 if n <= 10 else 0.22 if n <= 50 else 0.12 if n <= 500 else 0.05


def org_weight(n: int) -> float:
    """An organisation: a small lab says much more than a company of thousands."""
    return 0.25 if n <= 30 else 0.20 if n <= 300 else 0.15


BASE = {N.FULL: 0.70, N.VARIANT: 0.60, N.INITIAL: 0.55, N.NICKNAME: 0.45}
# a login spelling the whole name ("tomasz-sokolov", "claralee30") says as much as a spelling
# variant of the written name, more than "T. Sokolov"; a login of initials ("tsokolov") keeps 0.50
LOGIN_BASE = {N.FULL * 0.95: 0.60}
MAX_BASE = 0.70
BOUND_SLACK = 1e-4

# feature columns computed for every candidate pair at once (sparse products)
FEATURES = ("c", "c_rare", "r", "o", "d", "v", "l", "t", "k")
STRONG = frozenset("crodv")


def weight_matrix(f: Features, df: np.ndarray, stats) -> sp.csr_matrix:
    """tokens x FEATURES: what sharing each token adds, by kind and rarity."""
    words = f.vocab.words
    kinds = f.vocab.kinds()
    n = len(words)
    rows, cols, vals = [], [], []
    col = {k: j for j, k in enumerate(FEATURES)}
    c_ix = np.flatnonzero(kinds == ord("c"))
    if stats is not None:
        stats.prefetch(words[t][2:] for t in c_ix.tolist())
    for t in c_ix.tolist():
        w = coauthor_weight(stats.count(words[t][2:]) if stats is not None else 1)
        rows.append(t), cols.append(col["c"]), vals.append(w)
        if w >= 0.3:
            rows.append(t), cols.append(col["c_rare"]), vals.append(1.0)
    for kind, fn in (("r", repo_weight), ("o", org_weight)):
        ix = np.flatnonzero(kinds == ord(kind))
        for t, w in zip(ix.tolist(), df[ix].tolist()):
            rows.append(t), cols.append(col[kind]), vals.append(fn(int(w)))
    for kind in "dvltk":
        ix = np.flatnonzero(kinds == ord(kind)).tolist()
        rows += ix
        cols += [col[kind]] * len(ix)
        vals += [1.0] * len(ix)
    return sp.csr_matrix((np.asarray(vals, np.float32), (rows, cols)), shape=(n, len(FEATURES)))


BIG_CLUSTER = 6  # members from which a token seen on only one of them is a one-off
ONE_OFF = 0.35  # what such a co-author, topic or field is worth (of a repeated one)


def token_trust(Tn: sp.csr_matrix, kinds: np.ndarray, size: np.ndarray) -> np.ndarray:
    """Per stored entry of Tn (nodes x tokens, counts of members holding the token): how much it
    counts when shared. A prolific author's cluster has hundreds of co-authors and every topic of
    the field, so a namesake shares a few of them by chance; the co-authors and topics that recur
    in the cluster are the ones that say "this is the same person"."""
    rows = np.repeat(np.arange(Tn.shape[0]), np.diff(Tn.indptr))
    noisy = np.isin(kinds, np.frombuffer(b"ctk", np.uint8))[Tn.indices]
    one_off = noisy & (Tn.data < 2) & (size[rows] >= BIG_CLUSTER)
    return np.where(one_off, ONE_OFF, 1.0).astype(np.float32)


def upper_bound(F: np.ndarray) -> np.ndarray:
    """The best confidence a pair with these shared features could reach (full names, no doubt)."""
    c, _, r, o, d, v, l, t, k = (F[:, j].astype(np.float64) for j in range(len(FEATURES)))
    # a bound must never fall below the exact score: the sums come in float32, and a pair whose
    # score is exactly AUTO (a full name, one topic, one field: 0.70 + 0.05 + 0.05) was dropped
    return BOUND_SLACK + (
        MAX_BASE + np.minimum(c, 0.45) + np.minimum(r, 0.30) + np.minimum(o, 0.25)
        + np.where(d > 0, 0.20, 0.0) + np.where(v > 0, 0.10, 0.0) + np.where(l > 0, 0.06, 0.0)
        + 0.05 * np.minimum(t, 2) + 0.05 * np.minimum(k, 2)
    )


def score(
    x: Node, y: Node, feats, common: dict[str, list[str]], stats, trust: Optional[dict[str, float]] = None
) -> Optional[tuple[float, int, int, str, float]]:
    """(confidence, member of x, member of y, reason, contested) for two nodes sharing `common`
    context (with `feats` its FEATURES sums), or None when their names cannot be one person's.
    `contested`: the confidence before a shared name or an ambiguous initial held it back (0 when
    nothing did): what resolve's contest between the name's wearers weighs. `trust`:
    co-author tokens that count for less (a big cluster's one-off co-author, see token_trust)."""
    if x.bot or y.bot or not common:
        return None
    g, block, ia, ib, said, compared = _grade(x, y)
    if g <= 0:
        return None
    word = GRADE_WORD.get(g) or GRADE_WORD.get(round(g / 0.95, 2), "login")
    ambiguous = g == N.INITIAL and bool(block) and stats is not None and stats.ambiguous(block)
    if ambiguous:
        g = AMBIGUOUS_INITIAL
        word = "initials (ambiguous)"
    conf = BASE.get(g) or LOGIN_BASE.get(g) or (AMBIGUOUS_BASE if g == AMBIGUOUS_INITIAL else 0.35 + 0.2 * g)
    _c, _, r, o, d, v, l, t, k = (float(z) for z in feats)
    c, rare = 0.0, False
    if common.get("c"):
        # exact here: one co-author read in both orders counts once (the sums only bound it)
        people = _distinct_people(common["c"])
        common["c"] = people
        ws = [coauthor_weight(stats.count(x) if stats is not None else 1) * (trust or {}).get(x, 1.0) for x in people]
        c, rare = sum(ws), max(ws) >= 0.3
    conf += min(c, 0.45) + min(r, 0.30) + min(o, 0.25)
    conf += (0.05 if o else 0.20) if d else 0.0
    conf += (0.10 if v else 0.0) + (0.06 if l else 0.0) + 0.05 * min(t, 2) + 0.05 * min(k, 2)
    parts = []
    for kind, (label, _w) in CONTEXT.items():
        got = common.get(kind)
        if not got:
            continue
        shown = ", ".join(sorted(got)[:3])
        parts.append(f"{label} {shown}" if kind != "r" else f"{label} #{shown}")
    if not o and not d:
        xo, yo = x.org_members, y.org_members
        if xo and yo:
            # both name an organisation, and never the same one: more so the more often they do
            conf -= 0.45 if min(xo, yo) >= 2 else 0.2
            parts.append("but different organisations")
    if not (c or r or o or d or v) and not (x.papers and y.papers):
        # topics and a broad field place two papers' authors together, not a GitHub account or a
        # speaker: those need something specific (a co-author, a repository, an organisation...).
        # A cluster holding papers has a field of its own (a prolific author's GitHub account
        # joined to their papers still meets their next paper through the papers' field)
        conf = min(conf, AUTO - 0.05)
    # as if the initial were unambiguous: what the contest between the namesakes starts from
    uncapped = conf + (BASE[N.INITIAL] - AMBIGUOUS_BASE if ambiguous else 0.0)
    if ambiguous and not (o or d or rare):
        conf = min(conf, AUTO - 0.05)  # which of the namesakes? a contest, or a human, decides
    shared = not (o or d or r) and stats is not None and any(stats.shared(nm) for nm in compared)
    if shared:
        # two people are known to wear this name (at organisations that never meet): co-authors
        # and topics drawn from one field cannot tell which of them this is on their own
        conf = min(conf, AUTO - 0.05)
        parts.append("but the name is worn by people at different organisations")
    contested = round(min(uncapped, 0.97), 4) if (ambiguous or shared) and uncapped > conf else 0.0
    conf = round(min(conf, 0.97), 4)
    reason = f"{word} {said}, and shared " + "; ".join(parts)
    return conf, ia, ib, reason, contested


def _group_pairs(
    keys: np.ndarray, vals: np.ndarray, window: int, max_group: int | None = None, size: Optional[np.ndarray] = None
) -> np.ndarray:
    """Pairs of `vals` sharing a key, each value with its `window` next neighbours in the key's
    list (all pairs when the group is no larger than window + 1), the list biggest first (by
    `size`), and each with the group's biggest (the cluster a prolific author has grown into).
    Returns (m, 2) int64."""
    if len(keys) < 2:
        return np.zeros((0, 2), np.int64)
    order = np.lexsort((vals, -size[vals], keys)) if size is not None else np.lexsort((vals, keys))
    k, v = keys[order], vals[order]
    starts = np.flatnonzero(np.r_[True, k[1:] != k[:-1]])
    sizes = np.diff(np.r_[starts, len(k)])
    if max_group is not None:
        keep = np.repeat(sizes <= max_group, sizes)
        k, v = k[keep], v[keep]
        starts = np.flatnonzero(np.r_[True, k[1:] != k[:-1]]) if len(k) else starts[:0]
        sizes = np.diff(np.r_[starts, len(k)])
    out = []
    if size is not None and len(k):
        hub = np.repeat(v[starts], sizes)
        out.append(np.stack([hub, v], axis=1))
    for d in range(1, window + 1):
        if d >= len(k):
            break
        same = k[d:] == k[:-d]
        if not same.any():
            break
        out.append(np.stack([v[:-d][same], v[d:][same]], axis=1))
    if not out:
        return np.zeros((0, 2), np.int64)
    p = np.concatenate(out).astype(np.int64)
    p = p[p[:, 0] != p[:, 1]]
    return np.sort(p, axis=1)


def candidate_pairs(
    node_blocks: tuple[np.ndarray, np.ndarray], Tn: sp.csr_matrix, strong_cols: np.ndarray,
    topic_cols: Optional[np.ndarray] = None, size: Optional[np.ndarray] = None, *, small_block: int = 40, window: int = 10,
) -> np.ndarray:
    """Pairs of nodes to score: all pairs of a small name block; in a big block (a common name)
    only nodes sharing a specific context token (co-author, repository, organisation, domain,
    event), each compared with its `window` nearest neighbours in that token's list."""
    blk, node = node_blocks
    if len(blk) == 0:
        return np.zeros((0, 2), np.int64)
    order = np.argsort(blk, kind="stable")
    b_sorted = blk[order]
    starts = np.flatnonzero(np.r_[True, b_sorted[1:] != b_sorted[:-1]])
    sizes = np.diff(np.r_[starts, len(b_sorted)])
    big_rows = order[np.repeat(sizes > small_block, sizes)]
    small_rows = order[np.repeat((sizes > 1) & (sizes <= small_block), sizes)]
    parts = [_group_pairs(blk[small_rows], node[small_rows], small_block - 1)]
    if len(big_rows):
        bn = node[big_rows]
        for cols, win, cap in ((strong_cols, window, None), (topic_cols, window, None)):
            if cols is None or not len(cols):
                continue
            S = Tn[:, cols].tocsr()
            cnt = np.diff(S.indptr)[bn]
            if not cnt.sum():
                continue
            rep_blk = np.repeat(blk[big_rows].astype(np.int64), cnt)
            rep_node = np.repeat(bn.astype(np.int64), cnt)
            toks = np.concatenate([S.indices[S.indptr[x] : S.indptr[x + 1]] for x in bn.tolist()])
            # a topic in a common name's block: only where few share it (else it says nothing)
            parts.append(_group_pairs(rep_blk * (S.shape[1] + 1) + toks, rep_node, win, cap, size))
    p = np.concatenate(parts)
    if not len(p):
        return p
    code = np.unique(p[:, 0] * (int(node.max()) + 1) + p[:, 1])
    return np.stack([code // (int(node.max()) + 1), code % (int(node.max()) + 1)], axis=1)
