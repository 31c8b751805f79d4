"""Capability: per person, a 0..100 score per skill, per role and overall, from demonstrated work.

Three components, each a person x skill matrix built with scipy.sparse:
- code: depth of work in important repos. Activities (merged PRs, reviews, commits ...) are
  weighted by kind, size and age, discounted by anti-gaming, summed per (person, repo), made
  concave ((c / unit) ** exponent: the 50th PR adds less than the 5th) and multiplied by the
  repo's importance, then spread over the repo's skills;
- research: papers (credit shared among authors, age-decayed, more when they ship code,
  more for authors central in the co-author network), spread over the papers' skills;
- talks: talks weighted by event importance and kind, spread over their skills.
Components are normalised (so that 1.0 means "as strong as the 95th percentile"), mixed
(skills: the [mix] weights; roles: the taxonomy's evidence weights over their skills), multiplied
by breadth (code + research + talks = end to end) and recency, then scaled to 0..100 per column.

Every contribution is also kept per *item* — (person, repo, kind of work), (person, paper
category) or (person, talk) — so the evidence for a score is its strongest items.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from scoring import antigaming, importance, skills
from scoring.load import CHANGE_KINDS, KINDS, Data
from scoring.pagerank import pagerank
from scoring.taxonomy import Taxonomy

K_CONTRIB = len(KINDS)  # pseudo kind: GitHub's contributor count where no activity is stored


@dataclass
class Items:
    """Evidence units: one row per (person, repo, kind) / (person, paper category) / (person, talk)."""

    person: np.ndarray
    kind: np.ndarray  # 0..5 activity kinds, 6 contributor count, 10 papers, 20 talk
    ref: np.ndarray  # activity id (latest), paper id (strongest), talk id; repo index for K_CONTRIB
    repo: np.ndarray  # repo index (-1 for papers/talks)
    count: np.ndarray
    last_day: np.ndarray
    first_day: np.ndarray
    extra: np.ndarray  # distinct PRs reviewed / papers with code / trivial changes
    ident: np.ndarray  # identity id of the latest activity (for links)
    group: list  # papers: primary category; else None
    paper: np.ndarray  # paper index (strongest paper) or -1
    talk: np.ndarray  # talk index or -1


K_PAPERS, K_TALK = 10, 20


@dataclass
class Result:
    columns: list[tuple[str, str]]  # (dimension, name)
    raw: np.ndarray  # people x columns
    value: np.ndarray  # people x columns, 0..100
    items: Items
    contrib: sp.csr_matrix  # items x columns: each item's part of each raw score
    flags: dict[int, list[str]]
    importance: np.ndarray  # per repo
    event_importance: np.ndarray
    counts: dict = field(default_factory=dict)


def decay(days_ago: np.ndarray, half_life_years: float) -> np.ndarray:
    age = np.maximum(0.0, np.nan_to_num(days_ago, nan=3650.0))
    return np.exp(-math.log(2.0) * age / (365.25 * half_life_years))


def size_factor(size: np.ndarray, kind: np.ndarray, w: dict) -> np.ndarray:
    s = w["activity"]["size"]
    ref = math.log2(2.0 + s["ref_lines"])
    f = np.clip(np.log2(2.0 + np.maximum(size, 0)) / ref, s["min"], s["max"])
    f = np.where(size < 0, 1.0, f)
    return np.where(np.isin(kind, CHANGE_KINDS), f, 1.0)


def activity_weights(data: Data, w: dict) -> tuple[np.ndarray, dict]:
    """Weight of every activity (kind x size x age x anti-gaming) and the anti-gaming report."""
    a = data.act
    kind_w = np.array([w["activity"][k] for k in KINDS])
    base = kind_w[a["kind"]] * size_factor(a["size"], a["kind"], w)
    base *= decay(data.now_day - a["day"], w["time"]["half_life_years"])
    fac, report = antigaming.factors(a, CHANGE_KINDS, data.n_people, w)
    return base * fac, report


def code_items(data: Data, aw: np.ndarray, w: dict) -> tuple[Items, np.ndarray]:
    """Aggregate activities into (person, repo, kind) items; add contributor-count items."""
    a = data.act
    nr, nk = max(data.n_repos, 1), K_CONTRIB + 1
    key = (a["person"] * nr + a["repo"]) * nk + a["kind"]
    uk, inv = np.unique(key, return_inverse=True)
    n = len(uk)
    weight = np.bincount(inv, weights=aw, minlength=n)
    count = np.bincount(inv, minlength=n).astype(np.float64)
    # latest activity per item (ties: the larger id), first day
    order = np.lexsort((a["day"], inv))  # activities come sorted by id: ties keep the larger id last
    last_pos = order[np.r_[np.flatnonzero(np.diff(inv[order])), len(order) - 1]] if n else np.zeros(0, dtype=np.int64)
    first_day = np.full(n, np.inf)
    np.minimum.at(first_day, inv, a["day"])
    # distinct PRs reviewed (a PR reviewed three times is one PR reviewed); trivial changes
    extra = np.zeros(n)
    rev = a["kind"] == KINDS.index("review")
    if rev.any():
        num = a["number"][rev] + 1  # -1 (unknown) becomes 0
        pairs = np.unique(inv[rev] * (int(num.max()) + 1) + num)
        extra += np.bincount(pairs // (int(num.max()) + 1), minlength=n)
    triv = a["trivial"] & ~rev
    extra += np.bincount(inv[triv], minlength=n)
    person = uk // nk // nr
    repo = (uk // nk) % nr
    kind = uk % nk
    # reviews say "this project trusts them"; how many they do follows the project's traffic
    # more than their skill, so a person's reviews in one repo saturate
    cap = w["activity"]["review_cap"]
    rv_items = kind == KINDS.index("review")
    weight[rv_items] = cap * -np.expm1(-weight[rv_items] / cap)
    items = dict(
        person=person, kind=kind, ref=a["id"][last_pos], repo=repo, count=count,
        last_day=a["day"][last_pos], first_day=first_day, extra=extra, ident=a["ident"][last_pos],
    )
    # GitHub's contributor counts, only where no activity of that person in that repo is stored
    c = data.contrib
    if len(c["person"]):
        pr = c["person"] * nr + c["repo"]
        seen = sp.csr_matrix((np.ones(n), (person, repo)), shape=(data.n_people, nr))
        new = _at(seen, c["person"], c["repo"]) == 0
        # one row per (person, repo): a person with two accounts sums them
        uk2, inv2 = np.unique(pr[new], return_inverse=True)
        if len(uk2):
            cnt = np.bincount(inv2, weights=c["count"][new])
            cw = w["activity"]["contributor"] * cnt * w["activity"]["contributor_age_factor"]
            first = np.zeros(len(uk2), dtype=np.int64)
            first[inv2[::-1]] = np.flatnonzero(new)[::-1]
            items["person"] = np.r_[person, uk2 // nr]
            items["repo"] = np.r_[repo, uk2 % nr]
            items["kind"] = np.r_[kind, np.full(len(uk2), K_CONTRIB)]
            items["ref"] = np.r_[items["ref"], uk2 % nr]
            items["count"] = np.r_[count, cnt]
            items["last_day"] = np.r_[items["last_day"], np.full(len(uk2), np.nan)]
            items["first_day"] = np.r_[first_day, np.full(len(uk2), np.nan)]
            items["extra"] = np.r_[extra, np.zeros(len(uk2))]
            items["ident"] = np.r_[items["ident"], c["ident"][first]]
            weight = np.r_[weight, cw]
    m = len(items["person"])
    return (
        Items(
            **items,
            group=[None] * m,
            paper=np.full(m, -1, dtype=np.int64),
            talk=np.full(m, -1, dtype=np.int64),
        ),
        weight,
    )


def _at(m: sp.spmatrix, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """m[rows[i], cols[i]] for every i, as a flat array (also when there are none)."""
    if len(rows) == 0:
        return np.zeros(0)
    return np.asarray(m[rows, cols]).ravel()


def _concave(raw: np.ndarray, unit: float, exponent: float) -> np.ndarray:
    x = np.maximum(raw, 0.0) / unit
    return np.power(x, exponent, out=np.zeros_like(x), where=x > 0)  # most entries are 0


def _split(items_person: np.ndarray, item_skill: sp.csr_matrix, n_people: int, unit: float, exponent: float):
    """Concave person x skill totals, and each item's proportional part of them (items x skills)."""
    n_skills = item_skill.shape[1]
    owner = sp.csr_matrix(
        (np.ones(len(items_person)), (items_person, np.arange(len(items_person)))),
        shape=(n_people, len(items_person)),
    )
    raw = np.asarray((owner @ item_skill).todense()) if n_skills else np.zeros((n_people, 0))
    total = _concave(raw, unit, exponent)
    coo = item_skill.tocoo()
    p = items_person[coo.row]
    denom = raw[p, coo.col]
    part = np.divide(coo.data * total[p, coo.col], denom, out=np.zeros(len(coo.data)), where=denom > 0)
    return total, sp.csr_matrix((part, (coo.row, coo.col)), shape=item_skill.shape)


def _saturate(x: np.ndarray, cap: float) -> tuple[np.ndarray, np.ndarray]:
    """cap * (1 - exp(-x / cap)): linear for small x, never above cap (the 600th paper adds
    nothing); also the ratio saturated / x, to scale each item's part alike."""
    nz = x > 0  # most entries are 0
    sat = np.zeros_like(x)
    sat[nz] = cap * -np.expm1(-x[nz] / cap)
    ratio = np.ones_like(x)
    ratio[nz] = sat[nz] / x[nz]
    return sat, ratio


def _rescale(m: sp.spmatrix, item_person: np.ndarray, ratio: np.ndarray) -> sp.csr_matrix:
    """Multiply each item's part of a (person, skill) total by that total's saturation ratio."""
    coo = m.tocoo()
    data = coo.data * ratio[item_person[coo.row], coo.col]
    return sp.csr_matrix((data, (coo.row, coo.col)), shape=m.shape)


def _refine(rs: sp.csr_matrix, depth: sp.csr_matrix, keep: float) -> sp.csr_matrix:
    """Re-weigh the skills of repos that signal several: a repo whose contributors work on
    TensorFlow elsewhere is a TensorFlow project more than a PyTorch one, whatever its topics say.

    For each repo and each of its skills, the contributors' depth in that skill in *other* repos
    (their own work here left out); the repo's strongest such skill keeps its weight, the others
    keep `keep` of it plus the rest in proportion. Skills a repo does not signal are never added.
    """
    if keep >= 1.0 or rs.nnz == 0:
        return rs
    multi = np.diff(rs.indptr) > 1
    if not multi.any():
        return rs
    person_skill = (depth @ rs).tocsr()
    around = (depth.T @ person_skill).tocsr()  # repo x skill: contributors' skill mass
    own = np.asarray(depth.multiply(depth).sum(axis=0)).ravel()  # each repo's own part of it
    coo = rs.tocoo()
    mass = np.asarray(around[coo.row, coo.col]).ravel() - own[coo.row] * coo.data
    mass = np.maximum(mass, 0.0)
    top = np.zeros(rs.shape[0])
    np.maximum.at(top, coo.row, mass)
    share = np.divide(mass, top[coo.row], out=np.ones(len(mass)), where=top[coo.row] > 0)
    factor = np.where(multi[coo.row], keep + (1.0 - keep) * share, 1.0)
    return sp.csr_matrix((coo.data * factor, (coo.row, coo.col)), shape=rs.shape)


def _scale(raw: np.ndarray) -> np.ndarray:
    """0..100 per column: log-compressed against the column's median and maximum."""
    out = np.zeros_like(raw)
    for j in range(raw.shape[1]):
        col = raw[:, j]
        pos = col[col > 0]
        if not len(pos):
            continue
        q = float(np.median(pos))
        top = float(pos.max())
        if top <= 0 or q <= 0:
            continue
        out[:, j] = np.where(col > 0, 100.0 * np.log1p(col / q) / np.log1p(top / q), 0.0)
    return out


def _ref(m: np.ndarray) -> float:
    pos = m[m > 0]
    return float(np.percentile(pos, 95)) if len(pos) else 1.0


def compute(data: Data, tax: Taxonomy, w: dict, text: dict, progress=None, timings: dict | None = None) -> Result:
    """All scores from loaded data and the text matrices of `skills.text_matrices` ({table: (ids, matrix)})."""
    import time

    t = timings if timings is not None else {}

    def phase(name, t0):
        t[name] = round(time.perf_counter() - t0, 3)
        if progress:
            progress(name)
        return time.perf_counter()

    t0 = time.perf_counter()
    n_people, n_repos = data.n_people, data.n_repos
    skill_keys = list(tax.skills)
    n_skills = len(skill_keys)
    hl = w["time"]["half_life_years"]
    rs = skills.align(*text["repo"], data.repo_id)
    ps = skills.align(*text["paper"], data.paper["id"])
    ts = skills.align(*text["talk"], data.talk["id"])
    t0 = phase("skills", t0)

    # --- code: items, contributions, graph, importance -------------------------------------
    aw, report = activity_weights(data, w)
    citems, cweight = code_items(data, aw, w)
    pr_c = sp.csr_matrix((cweight, (citems.person, citems.repo)), shape=(n_people, n_repos))
    pr_c.sum_duplicates()
    t0 = phase("activity", t0)

    # repo centrality: PageRank on the person-repo graph (edges: concave contribution), plus the
    # repos that papers ship code in (a paper's authors point at its repo)
    p = data.paper
    au = data.authorship
    n_papers, n_talks = len(p["id"]), len(data.talk["id"])
    credit = 1.0 / np.maximum(p["n_authors"][au["paper"]], 1.0) ** w["research"]["credit_exponent"]
    sk = data.speaking
    cr = pr_c.tocoo()
    code_au = p["code_repo"][au["paper"]] if len(au["paper"]) else np.zeros(0, dtype=np.int64)
    has = code_au >= 0
    rows_ = np.r_[cr.row, au["person"][has]]
    cols_ = np.r_[cr.col, code_au[has]] + n_people
    vals_ = np.r_[np.log1p(cr.data), credit[has]]
    n_all = n_people + n_repos
    g = sp.csr_matrix((vals_, (rows_, cols_)), shape=(n_all, n_all))
    g = g + g.T
    pg = w["pagerank"]
    pr = pagerank(g, alpha=pg["alpha"], tol=pg["tol"], max_iter=int(pg["max_iter"]))
    off_r, off_p = n_people, n_all
    imp, _crit = importance.repo_importance(data, w, pr[off_r:off_p], contributors=pr_c.getnnz(axis=0))
    ev_imp = importance.event_importance(data, w)
    t0 = phase("importance", t0)

    cw = w["code"]
    col_sum = np.asarray(pr_c.sum(axis=0)).ravel()
    cr = pr_c.tocoo()
    share = np.divide(cr.data, col_sum[cr.col], out=np.zeros(len(cr.data)), where=col_sum[cr.col] > 0)
    depth_v = imp[cr.col] * _concave(cr.data, cw["unit"], cw["exponent"]) * (1 + cw["share_bonus"] * np.sqrt(share))
    depth = sp.csr_matrix((depth_v, (cr.row, cr.col)), shape=(n_people, n_repos))
    # each item's part of its (person, repo) depth, in proportion to its weight
    c_of_item = _at(pr_c, citems.person, citems.repo)
    d_of_item = _at(depth, citems.person, citems.repo)
    item_depth = np.divide(cweight * d_of_item, c_of_item, out=np.zeros(len(cweight)), where=c_of_item > 0)
    rs = _refine(rs, depth, w["code"]["refine"])
    code_item_skill = sp.diags(item_depth) @ rs[citems.repo]
    code_skill = np.asarray((depth @ rs).todense()) if n_skills else np.zeros((n_people, 0))
    code_total = np.asarray(depth.sum(axis=1)).ravel()
    t0 = phase("code", t0)

    # --- research ---------------------------------------------------------------------------
    rw = w["research"]
    has_code = np.array([u is not None for u in p["code_url"]], dtype=bool) if n_papers else np.zeros(0, dtype=bool)
    venue = np.full(n_papers, rw["arxiv_venue"])
    pev = p["event"] if n_papers else np.zeros(0, dtype=np.int64)
    if len(ev_imp):
        venue = np.where(pev >= 0, rw["venue_floor"] + (1 - rw["venue_floor"]) * ev_imp[np.maximum(pev, 0)], venue)
    pw = decay(data.now_day - p["day"], hl) * venue * (1 + rw["code_bonus"] * has_code) * ~p["withdrawn"]
    a_w = credit * pw[au["paper"]]
    # items: (person, primary category)
    cats = {c: i for i, c in enumerate(sorted({c or "" for c in p["primary"]}))}
    pcat = np.array([cats[c or ""] for c in p["primary"]], dtype=np.int64) if n_papers else np.zeros(0, dtype=np.int64)
    akey = au["person"] * max(len(cats), 1) + pcat[au["paper"]]
    uk, inv = np.unique(akey, return_inverse=True)
    n_pi = len(uk)
    order = np.lexsort((-p["id"][au["paper"]], a_w, inv))  # strongest paper (ties: older id) last
    best = order[np.r_[np.flatnonzero(np.diff(inv[order])), len(order) - 1]] if n_pi else np.zeros(0, dtype=np.int64)
    day_a = p["day"][au["paper"]]
    first = np.full(n_pi, np.inf)
    np.minimum.at(first, inv, np.nan_to_num(day_a, nan=np.inf))
    last = np.full(n_pi, -np.inf)
    np.maximum.at(last, inv, np.nan_to_num(day_a, nan=-np.inf))
    cat_names = list(cats)
    pitems = Items(
        person=uk // max(len(cats), 1), kind=np.full(n_pi, K_PAPERS), ref=p["id"][au["paper"][best]],
        repo=np.full(n_pi, -1), count=np.bincount(inv, minlength=n_pi).astype(np.float64),
        last_day=last, first_day=first, extra=np.bincount(inv, weights=has_code[au["paper"]].astype(float), minlength=n_pi),
        ident=au["ident"][best], group=[cat_names[int(k % max(len(cats), 1))] for k in uk], paper=au["paper"][best],
        talk=np.full(n_pi, -1),
    )
    item_of_au = sp.csr_matrix((a_w, (inv, au["paper"])), shape=(n_pi, n_papers))
    pitem_skill = (item_of_au @ ps).tocsr()
    res_skill, pitem_part = _split(pitems.person, pitem_skill, n_people, rw["unit"], rw["exponent"])
    pitem_w = np.asarray(item_of_au.sum(axis=1)).ravel()
    res_raw_total = np.bincount(pitems.person, weights=pitem_w, minlength=n_people)
    res_total = _concave(res_raw_total, rw["unit"], rw["exponent"])
    # co-author network: authors central in the author-paper graph (who writes with whom, and
    # how much) count more; PageRank on the bipartite graph, never the n^2 co-author projection
    if len(au["person"]):
        authors, a_ix = np.unique(au["person"], return_inverse=True)
        n_a = len(authors)
        ap = sp.csr_matrix((credit, (a_ix, au["paper"] + n_a)), shape=(n_a + n_papers, n_a + n_papers))
        cpr = pagerank(ap + ap.T, alpha=pg["alpha"], tol=pg["tol"], max_iter=int(pg["max_iter"]))[:n_a]
        net = np.ones(n_people)
        net[authors] = 1 + rw["coauthors"] * importance.percentile(cpr)
        res_skill *= net[:, None]
        res_total *= net
        pitem_part = sp.diags(net[pitems.person]) @ pitem_part
    t0 = phase("research", t0)

    # --- talks ------------------------------------------------------------------------------
    tw_ = w["talks"]
    tk = data.talk
    talk_kinds = {k: v for k, v in tw_.items() if k not in ("credit_exponent", "event_floor", "unit", "exponent")}
    kind_f = np.array([talk_kinds.get((k or "talk").split()[0], talk_kinds["talk"]) for k in tk["kind"]], dtype=np.float64)
    ev_f = np.full(n_talks, tw_["event_floor"])
    if len(ev_imp):
        ev_f = np.where(tk["event"] >= 0, tw_["event_floor"] + (1 - tw_["event_floor"]) * ev_imp[np.maximum(tk["event"], 0)], ev_f)
    talk_w = kind_f * ev_f * decay(data.now_day - tk["day"], hl)
    s_w = talk_w[sk["talk"]] / np.maximum(tk["n_speakers"][sk["talk"]], 1.0) ** tw_["credit_exponent"]
    # items: (person, talk)
    skey = sk["person"] * max(n_talks, 1) + sk["talk"]
    uk, inv = np.unique(skey, return_inverse=True)
    n_ti = len(uk)
    ti_w = np.bincount(inv, weights=s_w, minlength=n_ti)
    ti_talk = uk % max(n_talks, 1)
    first_sp = np.zeros(n_ti, dtype=np.int64)
    first_sp[inv[::-1]] = np.arange(len(inv))[::-1]
    titems = Items(
        person=uk // max(n_talks, 1), kind=np.full(n_ti, K_TALK), ref=tk["id"][ti_talk] if n_ti else np.zeros(0, dtype=np.int64),
        repo=np.full(n_ti, -1), count=np.ones(n_ti), last_day=tk["day"][ti_talk] if n_ti else np.zeros(0),
        first_day=tk["day"][ti_talk] if n_ti else np.zeros(0), extra=np.zeros(n_ti),
        ident=sk["ident"][first_sp] if n_ti else np.zeros(0, dtype=np.int64), group=[None] * n_ti,
        paper=np.full(n_ti, -1), talk=ti_talk,
    )
    titem_skill = (sp.diags(ti_w) @ ts[ti_talk]).tocsr() if n_ti else sp.csr_matrix((0, n_skills))
    talk_skill, titem_part = _split(titems.person, titem_skill, n_people, tw_["unit"], tw_["exponent"])
    talk_total = _concave(np.bincount(titems.person, weights=ti_w, minlength=n_people), tw_["unit"], tw_["exponent"])
    t0 = phase("talks", t0)

    # --- combine ----------------------------------------------------------------------------
    ref = {
        "code": _ref(code_skill), "research": _ref(res_skill), "talks": _ref(talk_skill),
        "code_total": _ref(code_total), "research_total": _ref(res_total), "talks_total": _ref(talk_total),
    }
    mix = w["mix"]
    caps = (mix["cap_code"], mix["cap_research"], mix["cap_talks"])
    code_n, r_code = _saturate(code_skill / ref["code"], caps[0])
    res_n, r_res = _saturate(res_skill / ref["research"], caps[1])
    talk_n, r_talk = _saturate(talk_skill / ref["talks"], caps[2])
    tot = [_saturate(x, c) for x, c in zip(
        (code_total / ref["code_total"], res_total / ref["research_total"], talk_total / ref["talks_total"]), caps)]
    tot_n = np.stack([x for x, _ in tot], axis=1)
    tot_r = [r for _, r in tot]
    kinds_present = (tot_n >= mix["breadth_min"]).sum(axis=1)
    breadth = 1.0 + mix["breadth"] * np.maximum(kinds_present - 1, 0)
    last_seen = np.full(n_people, -np.inf)
    if len(data.act["day"]):
        np.maximum.at(last_seen, data.act["person"], data.act["day"])
    if len(au["person"]):
        np.maximum.at(last_seen, au["person"], np.nan_to_num(p["day"][au["paper"]], nan=-np.inf))
    if len(sk["person"]):
        np.maximum.at(last_seen, sk["person"], np.nan_to_num(tk["day"][sk["talk"]], nan=-np.inf))
    rec_w = w["time"]["recency"]
    recency = (1 - rec_w) + rec_w * np.where(np.isfinite(last_seen), decay(data.now_day - last_seen, hl), 0.0)
    person_f = breadth * recency * ~data.person_bot
    mixv = np.array([mix["code"], mix["research"], mix["talks"]])

    roles = list(tax.roles.values())
    n_roles = len(roles)
    # role matrices: skill weights (normalised) times the role's weight on each kind of evidence
    wr = np.zeros((n_skills, n_roles))
    er = np.zeros((3, n_roles))
    for j, role in enumerate(roles):
        tot = sum(role.skills.values())
        for s, x in role.skills.items():
            wr[skill_keys.index(s), j] = x / tot
        etot = sum(role.evidence.values())
        for k, x in role.evidence.items():
            er[("code", "research", "talks").index(k), j] = x / etot

    skill_raw = (mixv[0] * code_n + mixv[1] * res_n + mixv[2] * talk_n) * person_f[:, None]
    role_raw = ((code_n @ (wr * er[0])) + (res_n @ (wr * er[1])) + (talk_n @ (wr * er[2]))) * person_f[:, None]
    overall_raw = (tot_n @ mixv) * person_f
    raw = np.concatenate([skill_raw, role_raw, overall_raw[:, None]], axis=1)
    value = _scale(raw)
    columns = [("skill", k) for k in skill_keys] + [("role", r.key) for r in roles] + [("overall", "overall")]
    t0 = phase("combine", t0)

    # --- each item's part of each score (for evidence) --------------------------------------
    pf_c = person_f[citems.person]
    pf_p = person_f[pitems.person]
    pf_t = person_f[titems.person]
    cis = _rescale(sp.diags(pf_c / ref["code"]) @ code_item_skill, citems.person, r_code)
    pis = _rescale(sp.diags(pf_p / ref["research"]) @ pitem_part, pitems.person, r_res)
    tis = _rescale(sp.diags(pf_t / ref["talks"]) @ titem_part, titems.person, r_talk)
    pf_c, pf_p, pf_t = pf_c * tot_r[0][citems.person], pf_p * tot_r[1][pitems.person], pf_t * tot_r[2][titems.person]
    ov_c = sp.csr_matrix((mixv[0] * item_depth * pf_c / ref["code_total"]).reshape(-1, 1))
    # research/talk items' part of the concave totals: in proportion to their raw weight
    rsum = np.bincount(pitems.person, weights=pitem_w, minlength=n_people)
    ov_p = mixv[1] * np.divide(pitem_w * res_total[pitems.person], rsum[pitems.person], out=np.zeros(n_pi), where=rsum[pitems.person] > 0)
    ov_p = sp.csr_matrix((ov_p * pf_p / ref["research_total"]).reshape(-1, 1))
    tsum = np.bincount(titems.person, weights=ti_w, minlength=n_people)
    ov_t = mixv[2] * np.divide(ti_w * talk_total[titems.person], tsum[titems.person], out=np.zeros(n_ti), where=tsum[titems.person] > 0)
    ov_t = sp.csr_matrix((ov_t * pf_t / ref["talks_total"]).reshape(-1, 1))
    blocks = []
    for m_, e_idx, ov in ((cis, 0, ov_c), (pis, 1, ov_p), (tis, 2, ov_t)):
        blocks.append(sp.hstack([m_ * mixv[e_idx], m_ @ sp.csr_matrix(wr * er[e_idx]), ov], format="csr"))
    contrib = sp.vstack(blocks, format="csr")
    contrib.eliminate_zeros()
    items = Items(
        person=np.r_[citems.person, pitems.person, titems.person].astype(np.int64),
        kind=np.r_[citems.kind, pitems.kind, titems.kind].astype(np.int64),
        ref=np.r_[citems.ref, pitems.ref, titems.ref].astype(np.int64),
        repo=np.r_[citems.repo, pitems.repo, titems.repo].astype(np.int64),
        count=np.r_[citems.count, pitems.count, titems.count],
        last_day=np.r_[citems.last_day, pitems.last_day, titems.last_day],
        first_day=np.r_[citems.first_day, pitems.first_day, titems.first_day],
        extra=np.r_[citems.extra, pitems.extra, titems.extra],
        ident=np.r_[citems.ident, pitems.ident, titems.ident].astype(np.int64),
        group=citems.group + pitems.group + titems.group,
        paper=np.r_[citems.paper, pitems.paper, titems.paper].astype(np.int64),
        talk=np.r_[citems.talk, pitems.talk, titems.talk].astype(np.int64),
    )
    phase("contributions", t0)
    counts = {
        "people": int(n_people), "bots": int(data.person_bot.sum()), "repos": int(n_repos),
        "activities": int(len(data.act["id"])), "papers": int(n_papers), "talks": int(n_talks),
        "trivial": report["trivial"], "self_merged": report["self_merged"], "burst": report["burst"],
        "flagged_people": len(report["flags"]),
    }
    return Result(
        columns=columns, raw=raw, value=value, items=items, contrib=contrib,
        flags={p_: f for p_, f in report["flags"].items() if not data.person_bot[p_]},
        importance=imp, event_importance=ev_imp, counts=counts,
    )
