"""Generate a deterministic ML community from (size, seed): people, repos, activity, papers, talks.

`generate(size, seed)` draws everything from one numpy Generator, in a fixed order, so the same
(size, seed) always gives the same world. Heavy parts (activity, authorships) are drawn as numpy
arrays and only turned into dataclasses at the end. Scale per person: ~0.1 repos, ~10 activities,
~1.5 papers, ~0.1 talks (the conferences of the default config share the talks).
"""

from __future__ import annotations

import re
from functools import lru_cache
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

import numpy as np
from unidecode import unidecode

from scoring.taxonomy import Taxonomy
from scoring.taxonomy import load as load_taxonomy
from sourcing.world import names as N
from sourcing.world.model import (
    Author,
    Commit,
    Event,
    GitHubAccount,
    Paper,
    Person,
    ProceedingsPaper,
    PullRequest,
    Repo,
    Review,
    Speaker,
    Talk,
    Volume,
    World,
    no_gc,
)

# the world's "today": fixed so that (size, seed) is a complete description of a world
WORLD_NOW = datetime(2026, 11, 1, tzinfo=timezone.utc)
# GitHub renamed these (old name -> the watchlist's current name); the old name answers 301
RENAMES = {
    "jax-ml/jax": "google/jax",
    "Lightning-AI/pytorch-lightning": "PyTorchLightning/pytorch-lightning",
    "recommenders-team/recommenders": "microsoft/recommenders",
}
# arXiv categories a paper may be cross-listed in besides its primary one
CROSS = ["cs.LG", "stat.ML", "cs.AI", "cs.CL", "cs.CV", "cs.IR", "cs.DC", "cs.SE"]
EXT = {"Python": "py", "Java": "java", "Scala": "scala", "Go": "go", "C++": "cc", "Rust": "rs",
       "R": "R", "Julia": "jl", "Shell": "sh", "TypeScript": "ts", "Kotlin": "kt", "C": "c"}
# activity rows in the numpy phase: kinds
K_PR, K_COMMIT = 0, 1
DAY = 86400.0


def generate(size: int, seed: int, now: datetime | None = None, taxonomy: Taxonomy | None = None) -> World:
    """A world of `size` people (bots included), fully determined by (size, seed, now)."""
    if size < 20:
        raise ValueError("a world needs at least 20 people")
    rng = np.random.default_rng(seed)
    g = _Gen(rng, taxonomy or load_taxonomy(), size, now or WORLD_NOW)
    world = World(seed=seed, size=size, now=g.now)
    with no_gc():  # millions of small acyclic objects
        g.people(world)
        g.repos(world)
        g.activity(world)
        g.papers(world)
        g.events(world)
        g.proceedings(world)
        g.hostile(world)
        g.identities(world)
    return world


@lru_cache(maxsize=1 << 18)
def ascii_name(text: str) -> str:
    return unidecode(text)


@lru_cache(maxsize=65536)
def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", unidecode(text).lower()).strip("-")


class _Gen:
    """Holds the generator's arrays between phases (people -> repos -> activity -> papers ...)."""

    def __init__(self, rng: np.random.Generator, tax: Taxonomy, size: int, now: datetime):
        self.rng, self.tax, self.n, self.now = rng, tax, size, now
        self.now_ts = now.timestamp()
        self.skill_keys = list(tax.skills)
        self.skill_ix = {k: i for i, k in enumerate(self.skill_keys)}
        self.S = len(self.skill_keys)

    def dt(self, ts: float) -> datetime:
        return datetime.fromtimestamp(int(ts), tz=timezone.utc)

    # --- people ------------------------------------------------------------------------

    def people(self, world: World) -> None:
        rng, n, tax = self.rng, self.n, self.tax
        n_bots = max(9, n // 400)  # app bots, CI bots and at least one machine user (type User)
        self.n_bots = n_bots
        humans = n - n_bots
        # roles give realistic skill co-occurrence: draw a role, then skills from its mix
        roles = list(tax.roles.values())
        role_of = rng.integers(0, len(roles), n)
        cand = np.zeros((n, 6), dtype=np.int32)
        for r, role in enumerate(roles):
            rows = np.flatnonzero(role_of == r)
            keys = list(role.skills)
            w = np.array([role.skills[k] for k in keys]) + 0.15
            cand[rows] = np.array([self.skill_ix[k] for k in keys])[
                rng.choice(len(keys), size=(len(rows), 6), p=w / w.sum())
            ]
        wild = rng.random(n) < 0.3  # one skill off the role's map
        cand[wild, 5] = rng.integers(0, self.S, wild.sum())
        n_sk = np.minimum(1 + rng.poisson(1.4, n), 5)
        # level: a few strong, most ordinary, a long tail of drive-by contributors
        level = rng.beta(1.1, 4.0, n)
        jitter = rng.uniform(0.6, 1.15, (n, 6))
        lapsed = rng.random(n) < 0.08  # active years ago; true strength today is lower
        self.level, self.lapsed, self.role_of = level, lapsed, role_of
        researcher_p = np.array([0.8 if r.key == "applied-researcher" else 0.3 if r.key in
                                 ("ml-engineer", "llm-integration", "edge-ml") else 0.08 for r in roles])
        self.researcher = (rng.random(n) < researcher_p[role_of]) & (np.arange(n) < humans)
        self.has_gh = rng.random(n) < np.where(self.researcher, 0.55, 0.85)
        self.has_gh[humans:] = True
        g_ix = rng.integers(0, len(N.GIVEN), n)
        f_real = rng.random(n) < 0.6
        f_ix = rng.integers(0, len(N.FAMILY), n)
        sa, sb = rng.integers(0, len(N.SYL_A), n), rng.integers(0, len(N.SYL_B), n)
        has_mid = rng.random(n) < 0.18
        mid_ix = rng.integers(0, len(N.GIVEN), n)
        homonym = rng.random(n) < 0.03  # shares the full name of someone else
        homonym_of = rng.integers(0, max(1, humans), n)
        loc_ix = rng.integers(0, len(N.LOCATIONS), n)
        comp = rng.integers(0, len(N.COMPANIES), (n, 3))
        n_comp = rng.integers(1, 4, n)
        comp_year = rng.integers(2012, 2026, (n, 3))
        gh_id = 1_000_000 + np.cumsum(rng.integers(1, 400, n))
        login_style = rng.integers(0, 6, n)
        login_num = rng.integers(1, 99, n)
        gh_name_style = rng.random(n)
        gh_email = rng.random(n) < 0.3
        blog = rng.random(n) < 0.25
        twitter = rng.random(n) < 0.2
        hire = rng.random(n)
        followers = (rng.pareto(1.3, n) * 5 * (0.2 + level)).astype(int)
        created = self.now_ts - rng.uniform(200, 15 * 365, n) * DAY
        pemail = rng.random(n) < 0.8
        taken: set[str] = set()
        people = world.people
        for i in range(n):
            if i >= humans:
                people.append(self._bot(i, i - humans, int(gh_id[i]), created[i], taken))
                continue
            j = int(homonym_of[i]) if homonym[i] and homonym_of[i] < i else i
            given = N.GIVEN[g_ix[j]]
            family = N.FAMILY[f_ix[j]] if f_real[j] else N.SYL_A[sa[j]] + N.SYL_B[sb[j]]
            middle = N.GIVEN[mid_ix[j]] if has_mid[j] and N.GIVEN[mid_ix[j]] != given else None
            full = " ".join(x for x in (given, middle, family) if x)
            skills: dict[str, float] = {}
            for k in range(6):
                if len(skills) >= n_sk[i]:
                    break
                key = self.skill_keys[cand[i, k]]
                if key not in skills:
                    s = float(min(1.0, level[i] * jitter[i, k] * 0.88 ** len(skills) * 1.6))
                    skills[key] = round(s * (0.5 if lapsed[i] else 1.0), 4)
            hist = [(N.COMPANIES[comp[i, c]][0], int(comp_year[i, c])) for c in range(n_comp[i])]
            hist.sort(key=lambda x: x[1])
            company, domain = N.COMPANIES[comp[i, n_comp[i] - 1]]
            if self.researcher[i] and hire[i] < 0.5:
                company, domain = N.UNIVERSITIES[int(comp[i, 0]) % len(N.UNIVERSITIES)], None
            ascii_g, ascii_f = slug(given).replace("-", ""), slug(family).replace("-", "")
            emails = []
            if domain:
                emails.append(f"{ascii_g}.{ascii_f}@{domain}")
            if pemail[i] or not emails:
                emails.append(f"{ascii_g}{ascii_f}{login_num[i]}@gmail.com")
            p = Person(
                id=i, name=full, given=given, family=family, middle=middle, skills=skills,
                location=N.LOCATIONS[loc_ix[i]], company=company, companies=hist, emails=emails,
            )
            if blog[i]:
                p.homepage = f"https://{ascii_g}{ascii_f}.dev" if i % 2 else f"https://{ascii_f}.github.io"
            if self.has_gh[i]:
                login = self._login(ascii_g, ascii_f, int(login_style[i]), int(login_num[i]), i, taken)
                r = gh_name_style[i]
                shown = (
                    full if r < 0.45 else f"{given} {family}" if r < 0.7 else ascii_name(f"{given} {family}")
                    if r < 0.8 else login if r < 0.85 else None
                )
                p.github = GitHubAccount(
                    id=int(gh_id[i]), login=login, name=shown,
                    email=emails[-1] if gh_email[i] else None, blog=p.homepage,
                    twitter=f"{ascii_g}_{ascii_f}"[:15] if twitter[i] else None,
                    company=("@" + slug(company) if hire[i] < 0.2 else company) if hire[i] < 0.85 else None,
                    location=p.location, hireable=True if hire[i] > 0.9 else None,
                    followers=int(followers[i]), following=int(followers[i] // 3),
                    created_at=self.dt(created[i]), updated_at=self.dt(self.now_ts - hire[i] * 200 * DAY),
                    bio=self._bio(p) if hire[i] < 0.6 else None,
                )
            people.append(p)

    def _login(self, g: str, f: str, style: int, num: int, i: int, taken: set[str]) -> str:
        base = [f"{g[:1]}{f}", f"{g}-{f}", f"{g}{f}{num}", f"{f}{g[:1]}", f"{g}{f}",
                f"{N.HANDLE_WORDS[i % 20]}{N.HANDLE_WORDS[(i // 20) % 20]}"][style] or f"user{i}"
        base = base[:39].strip("-") or f"user{i}"
        login, k = base, 1
        while login.lower() in taken:
            k += 1
            login = f"{base}{k}"
        taken.add(login.lower())
        return login

    def _bot(self, i: int, b: int, gid: int, created: float, taken: set[str]) -> Person:
        if b < len(N.BOT_APPS):
            login, kind = f"{N.BOT_APPS[b]}[bot]", "Bot"
        elif b % 3 == 2:  # machine users: type User, still bots
            login, kind = f"{N.ORG_WORDS[b % 20]}-ci-bot{b}", "User"
        else:
            login, kind = f"{N.ORG_WORDS[b % 20]}-ci{b}[bot]", "Bot"
        taken.add(login.lower())
        acct = GitHubAccount(id=gid, login=login, type=kind, name=None, created_at=self.dt(created),
                             updated_at=self.dt(created), bio="Automated account" if kind == "User" else None)
        return Person(id=i, name=login, given=login, family="", skills={}, bot=True, github=acct)

    def _bio(self, p: Person) -> str:
        top = sorted(p.skills, key=p.skills.get, reverse=True)[:2]
        labels = " and ".join(self.tax.skills[k].label for k in top) or "software"
        role = N.ROLES_TEXT[p.id % len(N.ROLES_TEXT)]
        return f"{role.capitalize()} at {p.company}. I work on {labels}."

    # --- repos -------------------------------------------------------------------------

    def repos(self, world: World) -> None:
        rng, tax = self.rng, self.tax
        watch = tax.watchlist()
        n_rep = max(len(watch) + 20, self.n // 10)
        rid = 10_000_000 + np.cumsum(rng.integers(1, 5000, n_rep))
        imp = np.concatenate([rng.uniform(0.55, 1.0, len(watch)), rng.pareto(2.5, n_rep - len(watch)) / 6])
        imp = np.clip(imp, 0, 1)
        created = self.now_ts - rng.uniform(30, 12 * 365, n_rep) * DAY
        created[: len(watch)] = self.now_ts - rng.uniform(6 * 365, 15 * 365, len(watch)) * DAY
        personal = rng.random(n_rep) < 0.7
        personal[: len(watch)] = False
        gh_people = np.flatnonzero(self.has_gh[: self.n - self.n_bots])
        # strong people own more repos
        w = self.level[gh_people] + 0.05
        owner = rng.choice(gh_people, n_rep, p=w / w.sum())
        sk1 = rng.integers(0, self.S, n_rep)
        sk2 = np.where(rng.random(n_rep) < 0.4, rng.integers(0, self.S, n_rep), -1)
        # personal repos follow their owner's skills
        lic = rng.integers(0, len(N.LICENSES), n_rep)
        words = rng.integers(0, 20, (n_rep, 3))
        empty = rng.random(n_rep) < 0.01
        empty[np.flatnonzero(personal)[-1:]] = True  # at least one: GitHub answers its commits with 409
        stars = (imp ** 2.5 * 90_000 + rng.pareto(1.5, n_rep) * 3).astype(int)
        repos = world.repos
        seen: set[str] = set()
        for i in range(n_rep):
            if i < len(watch):
                full = watch[i]
                owner_name, name = full.split("/")
                skills = list(tax.skills_of_repo(full))
                owner_person = None
            else:
                if personal[i]:
                    op = world.people[int(owner[i])]
                    owner_name, owner_person = op.github.login, op.id
                    own = list(op.skills) or [self.skill_keys[sk1[i]]]
                    skills = [own[i % len(own)]]
                else:
                    owner_name, owner_person = N.ORG_WORDS[words[i, 0]] + N.PROJ_WORDS[words[i, 1]], None
                    skills = [self.skill_keys[sk1[i]]]
                    if sk2[i] >= 0 and self.skill_keys[sk2[i]] not in skills:
                        skills.append(self.skill_keys[sk2[i]])
                sk = tax.skills[skills[0]]
                stem = (sk.keywords[0] if sk.keywords else sk.key).replace(" ", "-")
                name = f"{stem}-{N.PROJ_WORDS[words[i, 2]]}"
                base, k = name, 1
                while f"{owner_name}/{name}".lower() in seen:
                    k += 1
                    name = f"{base}{k}"
            seen.add(f"{owner_name}/{name}".lower())
            langs = [lang for s in skills for lang in tax.skills[s].languages] or ["Python"]
            language = langs[i % len(langs)]
            topics = list(dict.fromkeys(t for s in skills for t in tax.skills[s].topics[:3]))
            desc_sk = tax.skills[skills[0]] if skills else None
            r = Repo(
                id=int(rid[i]), owner=owner_name, name=name, owner_is_org=owner_person is None,
                owner_id=(world.people[owner_person].github.id if owner_person is not None else 5_000_000 + i),
                description=(f"{desc_sk.label}: {N.PROJ_WORDS[words[i, 2]]} for {desc_sk.keywords[-1] if desc_sk.keywords else desc_sk.key}"
                             if desc_sk else None),
                language=language, languages={language: int(50_000 + imp[i] * 5e6), "Shell": 2_000},
                topics=topics, license=N.LICENSES[lic[i]], stars=int(stars[i]),
                forks=int(stars[i] // 6), watchers=int(stars[i] // 25), open_issues=int(stars[i] // 80),
                watched=i < len(watch), skills=skills, importance=float(imp[i]), owner_person=owner_person,
                created_at=self.dt(created[i]), pushed_at=self.now, updated_at=self.now,
                renamed_from=RENAMES.get(owner_name + "/" + name),
                empty=bool(empty[i]) and owner_person is not None,
            )
            if owner_person is not None:
                r.stars, r.forks = r.stars // 10, r.forks // 10
            repos.append(r)
        # repos signalling each skill, most important first (rank 0 = the flagship)
        self.repo_imp = imp
        self.repo_owner = np.array([r.owner_person if r.owner_person is not None else -1 for r in repos])
        self.repo_empty = np.array([r.empty for r in repos])
        by_skill: list[list[int]] = [[] for _ in range(self.S)]
        for i, r in enumerate(repos):
            if r.owner_person is None:
                for s in r.skills:
                    by_skill[self.skill_ix[s]].append(i)
        for s in range(self.S):
            if not by_skill[s]:  # every skill has somewhere to work
                by_skill[s] = list(range(len(watch)))
            by_skill[s].sort(key=lambda i: -imp[i])
        self.skill_repos = by_skill
        # a person's own repos (first 4)
        own: dict[int, list[int]] = {}
        for i, r in enumerate(repos):
            if r.owner_person is not None and not r.empty:
                own.setdefault(r.owner_person, []).append(i)
        self.own_repos = own

    # --- activity ----------------------------------------------------------------------

    def activity(self, world: World) -> None:
        rng, n = self.rng, self.n
        humans = n - self.n_bots
        gh = np.flatnonzero(self.has_gh[:humans])
        level = self.level[gh]
        drive_by = level < 0.07
        # primary acts (PRs + direct commits); reviews follow from PRs (~0.4 per PR)
        target = 6.4 * n
        w = np.where(drive_by, 0.0, (level + 0.02) ** 1.6)
        lam = w / w.sum() * (target - drive_by.sum())
        counts = rng.poisson(lam)
        counts[drive_by] = 1 + (rng.random(drive_by.sum()) < 0.2)
        actor = np.repeat(gh, counts)
        m = len(actor)
        lv = self.level[actor]
        # which of the actor's skills this act exercises (weighted by strength)
        skill_mat, str_mat = self._skill_matrix(world)
        sm = str_mat[actor] + 1e-9
        cum = np.cumsum(sm, axis=1)
        pick = (rng.random(m)[:, None] * cum[:, -1:] > cum).sum(axis=1)
        skill = skill_mat[actor, np.minimum(pick, 4)]
        # where: own repo or a community repo (strong people go to the important ones)
        own_first = np.full(n, -1)
        own_n = np.zeros(n, dtype=int)
        own_flat: list[int] = []
        for p, lst in self.own_repos.items():
            own_first[p], own_n[p] = len(own_flat), min(4, len(lst))
            own_flat.extend(lst[:4])
        own_flat_a = np.array(own_flat + [0])
        in_own = (own_n[actor] > 0) & (rng.random(m) < 0.3)
        lens = np.array([len(x) for x in self.skill_repos])
        offs = np.concatenate([[0], np.cumsum(lens)[:-1]])
        flat = np.array([i for x in self.skill_repos for i in x])
        rank = (lens[skill] * rng.random(m) ** (1 + 6 * lv)).astype(int)
        repo = flat[offs[skill] + np.minimum(rank, lens[skill] - 1)]
        own_pick = own_first[actor] + (rng.random(m) * np.maximum(own_n[actor], 1)).astype(int)
        repo = np.where(in_own, own_flat_a[np.maximum(own_pick, 0)], repo)
        maint = self._maintainers(world, gh)
        is_maint = np.array([a in maint.get(r, ()) for a, r in zip(actor.tolist(), repo.tolist())], dtype=bool)
        p_commit = np.where(in_own, 0.85, np.where(is_maint, 0.6, 0.15))
        kind = np.where(rng.random(m) < p_commit, K_COMMIT, K_PR)
        kind[np.repeat(drive_by, counts)] = K_PR
        # when: recent years weigh more; lapsed people were active years ago
        age = np.minimum(rng.exponential(420, m), 6 * 365)
        age = np.where(self.lapsed[actor], 3 * 365 + rng.exponential(300, m), age)
        ts = self.now_ts - np.minimum(age, 8 * 365) * DAY - rng.uniform(0, DAY, m)
        # bots: dependency bumps in watched repos
        n_bot_prs = max(self.n_bots * 3, m // 100)
        bots = np.arange(humans, n)
        b_actor = bots[rng.integers(0, len(bots), n_bot_prs)]
        b_repo = rng.integers(0, len(self.tax.watchlist()), n_bot_prs)
        b_kind = np.where(rng.random(n_bot_prs) < 0.8, K_PR, K_COMMIT)
        b_ts = self.now_ts - rng.exponential(300, n_bot_prs) * DAY
        actor = np.concatenate([actor, b_actor])
        repo = np.concatenate([repo, b_repo])
        kind = np.concatenate([kind, b_kind])
        ts = np.concatenate([ts, b_ts])
        skill = np.concatenate([skill, np.full(n_bot_prs, -1)])
        lv = np.concatenate([lv, np.zeros(n_bot_prs)])
        drive = np.concatenate([np.repeat(drive_by, counts), np.zeros(n_bot_prs, dtype=bool)])
        # empty repos have no commits at all
        keep = ~self.repo_empty[repo]
        actor, repo, kind, ts, skill, lv, drive = (x[keep] for x in (actor, repo, kind, ts, skill, lv, drive))
        self._pulls(world, actor, repo, kind, ts, skill, lv, drive, maint)
        self._commits(world, actor, repo, kind, ts, skill, lv)
        self._contributors(world)

    def _skill_matrix(self, world: World):
        n = self.n
        sk = np.zeros((n, 5), dtype=np.int64)
        st = np.zeros((n, 5))
        for p in world.people:
            for k, (key, v) in enumerate(list(p.skills.items())[:5]):
                sk[p.id, k] = self.skill_ix[key]
                st[p.id, k] = v + 0.01
        return sk, st

    def _maintainers(self, world: World, gh: np.ndarray) -> dict[int, set[int]]:
        """Each community repo's maintainers: strong people with its skill; owners for own repos."""
        rng = self.rng
        strong_by_skill: list[list[int]] = [[] for _ in range(self.S)]
        for i in gh.tolist():
            if self.level[i] > 0.35:
                for key in world.people[i].skills:
                    strong_by_skill[self.skill_ix[key]].append(i)
        out: dict[int, set[int]] = {}
        k = rng.integers(0, 1 << 30, (len(world.repos), 8))
        for i, r in enumerate(world.repos):
            if r.owner_person is not None:
                out[i] = {r.owner_person}
                continue
            pool = strong_by_skill[self.skill_ix[r.skills[0]]] if r.skills else []
            if not pool:
                continue
            want = 2 + int(r.importance * 6)
            out[i] = {pool[x % len(pool)] for x in k[i, :want]}
        return out

    def _pulls(self, world, actor, repo, kind, ts, skill, lv, drive, maint) -> None:
        rng = self.rng
        sel = np.flatnonzero(kind == K_PR)
        order = sel[np.lexsort((ts[sel], repo[sel]))]
        m = len(order)
        a, r, t, s, l, d = actor[order], repo[order], ts[order], skill[order], lv[order], drive[order]
        # numbers are per repo, in creation order
        starts = np.flatnonzero(np.r_[True, r[1:] != r[:-1]])
        number = np.arange(m) - np.repeat(starts, np.diff(np.r_[starts, m])) + 1
        u = rng.random((m, 8))
        merged = u[:, 0] < np.where(d, 0.5, 0.35 + 0.6 * l)
        bot = a >= self.n - self.n_bots
        merged |= bot & (u[:, 0] < 0.7)
        closed = merged | (u[:, 1] < 0.5)
        too_new = t > self.now_ts - 5 * DAY
        merge_ts = np.minimum(t + rng.exponential(3, m) * DAY + 600, self.now_ts)
        closed &= ~too_new | merged
        size = np.exp(rng.normal(2.5 + 3.0 * l, 1.0, m)).astype(int) + 1
        size = np.where(d, rng.integers(1, 6, m), size)
        dels = (size * u[:, 2] * 0.6).astype(int)
        files_n = np.minimum(1 + size // 60, 40)
        files_n = np.where(d, 1, files_n)
        n_rev = np.where(merged & ~bot, (u[:, 3] < 0.75).astype(int) + (u[:, 4] < 0.3 * (1 + l)), 0)
        shas = rng.bytes(20 * m * 2).hex()
        label_ix = (u[:, 5] * len(N.LABELS)).astype(int)
        title_ix = (u[:, 6] * 1000).astype(int)
        pr_id = 400_000_000 + np.cumsum(rng.integers(1, 50, m))
        rv_id = 900_000_000 + int(rng.integers(0, 1000))
        repos, tax = world.repos, self.tax
        maint_l = {k: sorted(v) for k, v in maint.items()}
        a_l, r_l, t_l, s_l, n_l = a.tolist(), r.tolist(), t.tolist(), s.tolist(), number.tolist()
        bot_l, d_l, mg_l, cl_l = bot.tolist(), d.tolist(), merged.tolist(), closed.tolist()
        ti_l, lab_l, nrev_l = title_ix.tolist(), label_ix.tolist(), n_rev.tolist()
        size_l, dels_l, fn_l, mts_l = size.tolist(), dels.tolist(), files_n.tolist(), merge_ts.tolist()
        u7_l, u5_l, id_l = u[:, 7].tolist(), u[:, 5].tolist(), pr_id.tolist()
        skills = [tax.skills[k] for k in self.skill_keys]
        names = [rp.full_name for rp in repos]
        pulls, reviews = world.pulls, world.reviews
        dt = self.dt
        texts: dict[tuple, tuple] = {}  # (skill, repo, title index) -> title, body, path parts

        def text(sk_i: int, r_i: int, ti: int) -> tuple:
            rp = repos[r_i]
            sk = skills[sk_i] if sk_i >= 0 else None
            kw = sk.keywords[ti % len(sk.keywords)] if sk and sk.keywords else rp.name
            comp = rp.topics[(ti >> 3) % len(rp.topics)] if rp.topics else rp.name
            if _overlap(comp, kw):
                comp = rp.name
            title = N.PR_TITLES[ti % len(N.PR_TITLES)].format(kw=kw, comp=comp)
            body = "This PR changes " + title[:1].lower() + title[1:] + "."
            got = texts[(sk_i, r_i, ti)] = (title, body, slug(comp), slug(kw), EXT.get(rp.language or "Python", "py"))
            return got

        for i in range(m):
            ri = r_l[i]
            ai = a_l[i]
            ms = maint_l.get(ri, ())
            created = dt(t_l[i])
            ti = ti_l[i]
            di = d_l[i]
            body = None
            if bot_l[i]:
                dep = N.DEPENDENCIES[ti % len(N.DEPENDENCIES)]
                title, labels, files = f"Bump {dep} from {ti % 9}.{ti % 7}.0 to {ti % 9}.{ti % 7 + 1}.0", ["dependencies"], ["requirements.txt"]
                body = title + "."
            elif di:
                title, labels, files = N.DRIVEBY_TITLES[ti % 5], ["documentation"], ["README.md"]
            else:
                tk = ti & 63
                tx = texts.get((s_l[i], ri, tk)) or text(s_l[i], ri, tk)
                title, body = tx[0], tx[1]
                labels = [N.LABELS[lab_l[i]]] if u7_l[i] < 0.6 else []
                files = _files(tx[2], tx[3], tx[4], min(fn_l[i], 6))
            mb = None
            mg = mg_l[i]
            if mg:
                if ms and not (ai in ms and u7_l[i] < 0.3):
                    cand = [x for x in ms if x != ai] or ms
                    mb = cand[int(u5_l[i] * 997) % len(cand)]
                else:
                    mb = ai  # self-merge
                mts = cts = dt(mts_l[i])
            else:
                mts = None
                cts = dt(mts_l[i]) if cl_l[i] else None
            head = shas[80 * i: 80 * i + 40]
            full = names[ri]
            pulls.append(PullRequest(
                full, n_l[i], id_l[i], ai, title, body,
                created, cts or created, cts, mts, mb,
                size_l[i], dels_l[i], 1 if di else fn_l[i], 1 + size_l[i] // 200, labels, files,
                head, shas[80 * i + 40: 80 * i + 80] if mg else None,
            ))
            if nrev_l[i] and ms:
                cand = [x for x in ms if x != ai]
                span = mts_l[i] - t_l[i]
                for k in range(min(nrev_l[i], len(cand))):
                    rv_id += 1 + (ti + k) % 17
                    state = "APPROVED" if k == 0 or ti % 3 else ("CHANGES_REQUESTED" if ti % 2 else "COMMENTED")
                    reviews.append(Review(
                        full, n_l[i], rv_id, cand[(ti + 7 * k) % len(cand)], state,
                        dt(t_l[i] + span * (0.3 + 0.3 * k)),
                        "LGTM" if state == "APPROVED" else "Please add a test.", head,
                    ))

    def _commits(self, world, actor, repo, kind, ts, skill, lv) -> None:
        rng = self.rng
        sel = np.flatnonzero(kind == K_COMMIT)
        m = len(sel)
        a, r, t, s = actor[sel].tolist(), repo[sel].tolist(), ts[sel].tolist(), skill[sel].tolist()
        size = (np.exp(rng.normal(2.0 + 2.5 * lv[sel], 1.0, m)) + 1).astype(int).tolist()
        u = rng.random((m, 3))
        how = (u[:, 0] * 10).astype(int).tolist()
        msg_ix = (u[:, 1] * 1000).astype(int).tolist()
        shas = rng.bytes(20 * m).hex()
        people, repos, tax = world.people, world.repos, self.tax
        commits = world.commits
        for i in range(m):
            p = people[a[i]]
            rp = repos[r[i]]
            acct = p.github
            h = how[i]
            # which email the git author used: noreply, personal, work, or an unlinked one
            if p.bot:
                email, name = f"{acct.id}+{acct.login}@users.noreply.github.com", acct.login
            else:
                name = p.name if h < 5 else f"{p.given} {p.family}" if h < 8 else acct.login
                if h in (0, 3, 6):
                    email = acct.noreply() if h != 6 else f"{acct.login}@users.noreply.github.com"
                else:
                    email = p.emails[h % len(p.emails)]
            linked = p.bot or h != 9  # GitHub cannot tie one in ten to an account
            if not linked:
                email = f"{slug(p.given)}@{slug(p.family) or 'x'}-laptop.local"
            sk = tax.skills[self.skill_keys[s[i]]] if s[i] >= 0 else None
            kw = sk.keywords[msg_ix[i] % len(sk.keywords)] if sk and sk.keywords else "deps"
            comp = rp.topics[msg_ix[i] % len(rp.topics)] if rp.topics else rp.name
            msg = N.COMMIT_MSGS[msg_ix[i] % len(N.COMMIT_MSGS)].format(kw=kw, comp=comp)
            commits.append(Commit(
                repo=rp.full_name, sha=shas[40 * i: 40 * i + 40], author=a[i] if linked else None,
                author_name=name, author_email=email, committed_at=self.dt(t[i]), message=msg,
                additions=size[i], deletions=size[i] // 3,
                files=[f"src/{slug(comp)}/{slug(kw)}.{EXT.get(rp.language or 'Python', 'py')}"],
            ))

    def _contributors(self, world: World) -> None:
        """GitHub's contributor counts: merged PRs and linked commits per (repo, person)."""
        counts: dict[tuple[str, int], int] = {}
        for pr in world.pulls:
            if pr.merged_at is not None:
                k = (pr.repo, pr.author)
                counts[k] = counts.get(k, 0) + pr.commits
        for c in world.commits:
            if c.author is not None:
                k = (c.repo, c.author)
                counts[k] = counts.get(k, 0) + 1
        out: dict[str, list[tuple[int, int]]] = {}
        for (repo, pid), c in counts.items():
            out.setdefault(repo, []).append((pid, c))
        for v in out.values():
            v.sort(key=lambda x: (-x[1], x[0]))
        world.contributors = out

    # --- papers ------------------------------------------------------------------------

    def papers(self, world: World) -> None:
        rng, tax = self.rng, self.tax
        res = np.flatnonzero(self.researcher)
        if len(res) < 2:
            res = np.arange(min(10, self.n - self.n_bots))
        n_pap = max(10, int(1.5 * self.n))
        prod = (rng.pareto(1.6, len(res)) + 0.2) * (0.3 + self.level[res])
        prod = prod / prod.sum()
        lead = rng.choice(res, n_pap, p=prod)
        n_auth = np.minimum(1 + rng.poisson(2.8, n_pap), 12)
        # co-authors: mostly from the lead's field (primary skill), weighted by productivity
        primary = np.array([self.skill_ix[next(iter(world.people[i].skills))] if world.people[i].skills else 0
                            for i in res])
        lead_field = primary[np.searchsorted(res, lead)]
        slot_paper = np.repeat(np.arange(n_pap), n_auth - 1)
        t = len(slot_paper)
        same = rng.random(t) < 0.7
        field = np.where(same, lead_field[slot_paper], primary[rng.integers(0, len(res), t)])
        co = np.empty(t, dtype=np.int64)
        u = rng.random(t)
        for f in np.unique(field):
            members = np.flatnonzero(primary == f)
            cw = np.cumsum(prod[members])
            rows = np.flatnonzero(field == f)
            co[rows] = res[members[np.minimum(np.searchsorted(cw, u[rows] * cw[-1]), len(members) - 1)]]
        co_start = np.concatenate([[0], np.cumsum(n_auth - 1)])
        # dates and ids: YYMM.NNNNN, unique within a month
        age = np.minimum(rng.exponential(700, n_pap), 8 * 365)
        pub = self.now_ts - age * DAY - rng.uniform(0, DAY, n_pap)
        order = np.argsort(pub, kind="stable")
        mon = pub.astype("datetime64[s]").astype("datetime64[M]").astype(np.int64)  # months since 1970
        labels = {int(x): f"{(1970 + x // 12) % 100:02d}{x % 12 + 1:02d}" for x in np.unique(mon).tolist()}
        months = [labels[x] for x in mon.tolist()]
        ids = [""] * n_pap
        by_month: dict[str, list[int]] = {}
        for i in order.tolist():
            by_month.setdefault(months[i], []).append(i)
        for mo, lst in by_month.items():
            nums = np.sort(rng.choice(np.arange(1, 30000), len(lst), replace=False))
            for i, num in zip(lst, nums.tolist()):
                ids[i] = f"{mo}.{num:05d}"
        version = 1 + (rng.random(n_pap) < 0.3) + (rng.random(n_pap) < 0.1)
        upd_gap = rng.exponential(60, n_pap) * DAY
        code_where = rng.random(n_pap)
        cross = rng.integers(0, len(CROSS), (n_pap, 2))
        n_cross = rng.integers(0, 3, n_pap)
        var = rng.random((len(lead), 13))
        tix = rng.integers(0, 1 << 20, n_pap)
        people, skills = world.people, tax.skills
        lead_l, co_l, co_start = lead.tolist(), co.tolist(), co_start.tolist()
        tix, code_where, var = tix.tolist(), code_where.tolist(), var.tolist()
        cross, n_cross, version = cross.tolist(), n_cross.tolist(), version.tolist()
        pub, upd_gap = pub.tolist(), upd_gap.tolist()
        papers = world.papers
        variants: dict[int, tuple] = {}
        texts: dict[tuple, tuple] = {}  # (skill, text index) -> skill, title, abstract, keyword

        def paper_text(key: str, tk: int) -> tuple:
            sk = skills[key]
            kw = sk.keywords[tk % len(sk.keywords)] if sk.keywords else sk.label
            comp = sk.topics[(tk >> 5) % len(sk.topics)] if sk.topics else sk.label
            if _overlap(comp, kw):
                comp = "production systems"
            title = N.PAPER_TITLES[tk % len(N.PAPER_TITLES)].format(Kw=kw.title(), Comp=comp.replace("-", " ").title())
            abstract = (f"We study {kw} for {comp.replace('-', ' ')} in machine learning systems. "
                        f"Our method improves {sk.label} workloads and we evaluate it on public benchmarks.")
            got = texts[(key, tk)] = (sk, title, abstract, kw)
            return got

        for i in range(n_pap):
            lp = people[lead_l[i]]
            authors_ids = [lead_l[i]]
            for j in co_l[co_start[i]: co_start[i + 1]]:
                if j not in authors_ids:
                    authors_ids.append(j)
            key = next(iter(lp.skills), "pytorch")
            tk = tix[i] & 255
            tx = texts.get((key, tk)) or paper_text(key, tk)
            sk, title, abstract, kw = tx
            primary_cat = sk.arxiv_categories[0] if sk.arxiv_categories else ("cs.LG" if tix[i] % 3 else "stat.ML")
            cats = [primary_cat] + [CROSS[c] for c in cross[i][: n_cross[i]] if CROSS[c] != primary_cat]
            cats = list(dict.fromkeys(cats))
            vi = var[i]
            authors = []
            for k, pid in enumerate(authors_ids):
                vs = variants.get(pid) or _name_variants(people[pid], variants)
                r = vi[k % 13]
                authors.append(Author(pid, vs[(r >= 0.4) + (r >= 0.5) + (r >= 0.65) + (r >= 0.75) + (r >= 0.85) + (r >= 0.92)],
                                      people[pid].company if vi[(k + 5) % 13] < 0.6 else None))
            comment = f"{8 + tix[i] % 20} pages, {1 + tix[i] % 9} figures" if tix[i] % 4 else None
            code_url = None
            if code_where[i] < 0.2:
                owners = [people[pid].github.login for pid in authors_ids if people[pid].github]
                own_repo = next((world.repos[r] for pid in authors_ids for r in self.own_repos.get(pid, ())), None)
                if own_repo is not None:
                    code_url = f"https://github.com/{own_repo.full_name}"
                elif owners:
                    code_url = f"https://github.com/{owners[0]}/{slug(kw)}"
                elif sk.repos:
                    code_url = f"https://github.com/{sk.repos[0]}"
                if code_url and code_where[i] < 0.12:
                    abstract += f" Code is available at {code_url}."
                elif code_url:
                    comment = (comment + ". " if comment else "") + f"Code: {code_url}"
            p_dt = self.dt(pub[i])
            papers.append(Paper(
                id=ids[i], version=int(version[i]), title=title, abstract=abstract, authors=authors,
                primary_category=primary_cat, categories=cats, published=p_dt,
                updated=self.dt(pub[i] + upd_gap[i]) if version[i] > 1 else p_dt, comment=comment,
                journal_ref=None, doi=f"10.48550/arXiv.{ids[i]}" if tix[i] % 5 == 0 else None,
                code_url=code_url, skills=[key],
            ))
        world.papers.sort(key=lambda p: p.id)

    # --- conferences -------------------------------------------------------------------

    def events(self, world: World) -> None:
        from sourcing.config import TalksConfig

        rng, tax = self.rng, self.tax
        sites = [s for s in TalksConfig().sites if s.spider != "proceedings"]
        per = max(8, round(self.n / 10 / max(1, len(sites))))
        humans = self.n - self.n_bots
        w = self.level[:humans] ** 2 + 0.002
        for si, site in enumerate(sites):
            u = urlsplit(site.url)
            key, meta = _event_meta(site.spider, u.path, site.name or u.netloc)
            ev = Event(key=key, name=site.name or key, platform=site.spider, url=site.url, host=u.netloc,
                       path=u.path.lstrip("/"), location=meta[0],
                       starts_on=datetime.fromisoformat(meta[1]).replace(tzinfo=timezone.utc),
                       ends_on=datetime.fromisoformat(meta[2]).replace(tzinfo=timezone.utc))
            days = max(1, (ev.ends_on - ev.starts_on).days + 1)
            n_sp = 1 + (rng.random(per) < 0.15)
            spk = rng.choice(humans, int(n_sp.sum()), p=w / w.sum(), replace=False)
            r = rng.random((per, 6))
            codes = set()
            pos = 0
            for t in range(per):
                ids = [int(x) for x in spk[pos: pos + n_sp[t]]]
                pos += n_sp[t]
                lead = world.people[ids[0]]
                key_sk = max(lead.skills, key=lead.skills.get) if lead.skills else "pandas"
                sk = tax.skills[key_sk]
                kw = sk.keywords[int(r[t, 0] * 97) % len(sk.keywords)] if sk.keywords else sk.label
                title = N.TALK_TITLES[int(r[t, 1] * 8)].format(kw=kw, Kw=kw.capitalize(),
                                                               company=lead.company or "scale")
                if site.spider == "pyvideo":
                    code = slug(title)[:60]
                    base, k = code, 1
                    while code in codes:
                        k += 1
                        code = f"{base}-{k}"
                elif site.spider == "frab":
                    code = str(15000 + si * 1000 + t)
                else:
                    code = "".join("ABCDEFGHJKLMNPQRSTUVWXYZ3789"[int(x * 28)] for x in rng.random(6))
                    while code in codes:
                        code = "".join("ABCDEFGHJKLMNPQRSTUVWXYZ3789"[int(x * 28)] for x in rng.random(6))
                codes.add(code)
                speakers = [self._speaker(world.people[pid], site.spider, r[t, 2 + k % 4]) for k, pid in enumerate(ids)]
                start = ev.starts_on + timedelta(days=int(r[t, 2] * days), hours=9 + int(r[t, 3] * 8),
                                                 minutes=15 * int(r[t, 4] * 4))
                kind = "keynote" if t == 0 else "tutorial" if r[t, 5] < 0.1 else "talk"
                ev.talks.append(Talk(
                    event=key, code=code, title=title,
                    abstract=f"In this {kind} we look at {kw} with {sk.label}: what worked, what did not, and code you can reuse.",
                    speakers=speakers, kind=kind, track=tax.families[sk.family].split(" (")[0],
                    room=f"Room {1 + int(r[t, 3] * 5)}", language="de" if key.startswith("pyconde") and r[t, 5] > 0.9 else "en",
                    starts_at=start, duration_min=90 if kind == "tutorial" else 45 if kind == "keynote" else 30,
                    video_url=f"https://www.youtube.com/watch?v={code[:6]}{int(r[t, 0] * 1e5):05d}" if site.spider == "pyvideo" else None,
                    tags=list(dict.fromkeys([sk.key, *sk.topics[:2]])), skills=[key_sk],
                ))
            world.events.append(ev)

    def _speaker(self, p: Person, platform: str, r: float) -> Speaker:
        name = p.name if r < 0.55 else f"{p.given} {p.family}" if r < 0.85 else ascii_name(f"{p.given} {p.family}")
        acct = p.github
        mention = acct is not None and r < 0.5
        bio = self._bio(p)
        gh_login = None
        if mention:
            gh_login = acct.login
            bio += (f" Code: https://github.com/{acct.login}" if r < 0.25 else f" Find me on GitHub as @{acct.login}.")
        elif p.homepage and r > 0.7:
            bio += f" More at {p.homepage}"
        code = f"{p.id:06d}" if platform == "frab" else _code(p.id)
        return Speaker(person=p.id, name=name, code=code, bio=bio, github=gh_login,
                       homepage=p.homepage if (p.homepage and r > 0.7) else None,
                       twitter=acct.twitter if acct and acct.twitter and r > 0.8 else None)

    def proceedings(self, world: World) -> None:
        from sourcing.config import TalksConfig

        rng = self.rng
        site = next((s for s in TalksConfig().sites if s.spider == "proceedings"), None)
        if site is None:
            return
        u = urlsplit(site.url)
        vol_no = re.sub(r"\D", "", u.path) or "1"
        vol = Volume(key=f"pmlr-v{vol_no}", name="Proceedings of The 1st Conference on Lifelong Learning Agents",
                     short="CoLLAs 2022", url=site.url, host=u.netloc, path=u.path.lstrip("/"),
                     published=datetime(2022, 11, 28, tzinfo=timezone.utc), editors=["Sarath Chandar", "Razvan Pascanu"])
        res = np.flatnonzero(self.researcher)
        n = max(12, self.n // 500)
        used: dict[str, int] = {}
        r = rng.random((n, 4))
        for i in range(n):
            k = 2 + int(r[i, 0] * 4)
            ids = list(dict.fromkeys(int(x) for x in rng.choice(res, k, replace=False)))
            people = [world.people[x] for x in ids]
            first = slug(people[0].family).replace("-", "") or "anon"
            stem = f"{first}22"
            used[stem] = used.get(stem, 0) + 1
            pid = f"{stem}{'abcdefghijklmnopqrstuvwxyz'[(used[stem] - 1) % 26]}"
            sk = self.tax.skills[next(iter(people[0].skills), "pytorch")]
            kw = sk.keywords[0] if sk.keywords else sk.label
            authors = []
            for j, p in enumerate(people):
                given = p.given if r[i, 1] < 0.8 else f"{p.given} {p.middle[:1]}." if p.middle else p.given
                if (i + j) % 11 == 0:
                    given = ascii_name(given)
                authors.append(Author(person=p.id, name=f"{given} {p.family}", given=given, family=p.family,
                                      affiliation=p.company))
            first_page = 1 + i * 17
            vol.papers.append(ProceedingsPaper(
                volume=vol.key, id=pid, title=f"Continual {kw.title()} for Lifelong Agents",
                abstract=f"We study continual learning of {kw} under distribution shift.",
                authors=authors, firstpage=first_page, lastpage=first_page + 16,
                pdf_url=f"https://{u.netloc}/v{vol_no}/{pid}/{pid}.pdf",
            ))
        world.volumes.append(vol)

    # --- hostile values and identities ---------------------------------------------------

    def hostile(self, world: World) -> None:
        """A few people carry the values real public profiles carry: formulas, markup, RTL, control chars."""
        humans = self.n - self.n_bots
        step = max(1, humans // (len(N.HOSTILE) + 1))
        chosen = []
        for k, (fieldname, value) in enumerate(N.HOSTILE):
            i = (k + 1) * step - 1
            while world.people[i].github is None or i in chosen:
                i = (i + 1) % humans
            chosen.append(i)
            p = world.people[i]
            xml_safe = "".join(ch for ch in value if ch in "\t\n\r" or ord(ch) >= 32)
            if fieldname == "name":
                p.github.name = value
            else:
                p.github.bio = value
            for ev in world.events:  # and wherever they speak (XML-safe: no control characters)
                for t in ev.talks:
                    for s in t.speakers:
                        if s.person == p.id:
                            if fieldname == "name":
                                s.name = xml_safe
                            else:
                                s.bio = xml_safe
        self.hostile_ids = chosen

    def identities(self, world: World) -> None:
        """Every (source, external_key) under which a person appears, as collectors store them."""
        people = world.people
        for p in people:
            if p.github is not None:
                p.identities.append(("github", p.github.login))
        for pa in world.papers:
            for pos, a in enumerate(pa.authors):
                people[a.person].identities.append(("arxiv", f"{pa.id}#{pos}"))
        for ev in world.events:
            for t in ev.talks:
                for idx, s in enumerate(t.speakers):
                    people[s.person].identities.append(("talks", f"{t.key}#{idx}"))
        for vol in world.volumes:
            for pp in vol.papers:
                for pos, a in enumerate(pp.authors):
                    people[a.person].identities.append(("proceedings", f"{pp.key}#{pos}"))


def _overlap(a: str, b: str) -> bool:
    """One names the other ("llm" / "large-language-models" aside): avoid "Docker for Docker"."""
    x, y = slug(a), slug(b)
    return x in y or y in x


@lru_cache(maxsize=65536)
def _files(comp: str, kw: str, ext: str, n: int) -> list[str]:
    return [f"src/{comp}/{kw}_{f}.{ext}" for f in range(n)]


def _code(i: int) -> str:
    """A pretalx-like speaker code, stable per person."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ3789"
    x = (i * 2654435761 + 12345) % (28 ** 6)
    out = []
    for _ in range(6):
        x, d = divmod(x, 28)
        out.append(alphabet[d])
    return "".join(out)


def _name_variants(p: Person, cache: dict) -> tuple:
    """How papers print a person, by the bands of a uniform draw: [0, .4) given family,
    [.4, .5) full name with middle, [.5, .65) initial, [.65, .75) middle initial,
    [.75, .85) transliterated without accents, [.85, .92) family first (East Asian names), else plain."""
    given, family = p.given, p.family
    plain = f"{given} {family}"
    out = (
        plain,
        p.name,
        f"{given[:1]}. {family}",
        f"{given} {p.middle[:1]}. {family}" if p.middle else plain,
        ascii_name(f"{N.GIVEN_VARIANTS.get(given, [given])[0]} {family}"),
        f"{family} {given}" if family in N.EAST else plain,
        plain,
    )
    cache[p.id] = out
    return out


def _event_meta(platform: str, path: str, name: str) -> tuple[str, tuple]:
    """Event key as the collectors derive it from the site, and (location, start, end)."""
    parts = [x for x in path.split("/") if x]
    if platform == "pretalx":
        key = parts[0]
    elif platform == "pyvideo":
        key = parts[-1].removesuffix(".html")
    elif platform == "frab":
        key = f"{slug(name.split()[0])}-{parts[0]}" if parts else slug(name)
    else:
        key = slug(name)
    known = {
        "pydata-berlin-2025": ("Berlin", "2025-09-01", "2025-09-03"),
        "pyconde-pydata-2025": ("Darmstadt", "2025-04-23", "2025-04-25"),
        "europython-2025": ("Prague", "2025-07-14", "2025-07-20"),
        "fosdem-2025": ("Brussels", "2025-02-01", "2025-02-02"),
        "pydata-london-2019": ("London", "2019-07-12", "2019-07-14"),
        "scipy-2023": ("Austin, TX", "2023-07-10", "2023-07-16"),
    }
    year = next((x for x in re.findall(r"20\d\d", key)), "2025")
    return key, known.get(key, (None, f"{year}-06-01", f"{year}-06-03"))
