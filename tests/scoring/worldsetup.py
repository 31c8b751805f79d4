"""The offline world stored for scoring tests: rows as collectors store them, people from the truth.

Identity resolution is another room's job; here every identity gets the person id the truth
gives it (world person id + 1), so ranking quality is measured on scoring alone.
"""

from __future__ import annotations

from storage import models as m
from storage.ingest import store
from storage.upsert import upsert


def store_world(engine, world) -> dict:
    """Store `world` and assign people from its truth; returns the truth."""
    from sourcing.world.rows import to_rows

    truth = world.truth()
    rows = to_rows(world)
    with engine.begin() as conn:
        upsert(conn, m.Person, [
            {"id": p["id"] + 1, "is_bot": bool(p["bot"])} for p in truth["people"]
        ])
        store(conn, rows)
        upsert(conn, m.Identity, [
            {"source": i["source"], "external_key": i["external_key"], "person_id": p["id"] + 1}
            for p in truth["people"] for i in p["identities"]
        ])
    return truth


def quality(engine, truth, tax, k: int = 20) -> dict[tuple[str, str], float]:
    """Per skill and role: true strength carried by our top k / that of the ideal top k.

    A role's true strength is the role's skill-weighted mean of the person's true skills.
    Also returns ("bots", dim) counts of bots in any top k under key ("bots", "top").
    """
    from sqlalchemy import text

    strength = {p["id"] + 1: p["skills"] for p in truth["people"]}
    bots = {p["id"] + 1 for p in truth["people"] if p["bot"]}

    def role_strength(sk: dict, role) -> float:
        tot = sum(role.skills.values())
        return sum(w * sk.get(s, 0.0) for s, w in role.skills.items()) / tot

    out: dict = {}
    n_bots = 0
    with engine.connect() as conn:
        for dim, names in (("skill", list(tax.skills)), ("role", list(tax.roles))):
            for name in names:
                got = [r[0] for r in conn.execute(text(
                    "SELECT person_id FROM score WHERE dimension = :d AND name = :n ORDER BY rank LIMIT :k"),
                    {"d": dim, "n": name, "k": k})]
                n_bots += sum(1 for p in got if p in bots)
                if dim == "skill":
                    val = {p: s.get(name, 0.0) for p, s in strength.items()}
                else:
                    val = {p: role_strength(s, tax.roles[name]) for p, s in strength.items()}
                ideal = sum(sorted(val.values(), reverse=True)[:k])
                out[(dim, name)] = (sum(val.get(p, 0.0) for p in got) / ideal) if ideal > 0 else 1.0
    out[("bots", "top")] = n_bots
    return out


def bulk_store(engine, world) -> dict:
    """Store a big world with raw bulk inserts, people assigned from the truth; returns the truth.

    For benchmarks at 10^5 people, where going through storage.ingest (natural-key lookups in
    chunks) takes far longer than scoring itself. Same rows as sourcing.world.rows.to_rows, as
    far as scoring reads them; written straight into a freshly migrated database.
    """
    import json
    import re

    truth = world.truth()
    fmt = "%Y-%m-%d %H:%M:%S.%f"

    def ts(d):
        return d.strftime(fmt) if d is not None else None

    raw = engine.raw_connection()
    cur = raw.cursor()
    people = world.people
    cur.executemany("INSERT INTO person (id, display_name, github_login, is_bot, suppressed) VALUES (?,?,?,?,0)",
                    [(p.id + 1, p.name, p.login, int(p.bot)) for p in people if p.identities])
    ident: dict[tuple, int] = {}
    rows = []
    for p in people:
        for src, key in p.identities:
            ident[(src, key)] = len(ident) + 1
            login = key if src == "github" else None
            kind = "bot" if (p.bot and src == "github") else "user"
            rows.append((ident[(src, key)], src, key, login, kind, p.name, p.id + 1))
    cur.executemany("INSERT INTO identity (id, source, external_key, login, kind, name, person_id) VALUES (?,?,?,?,?,?,?)", rows)
    repo_id = {}
    rows = []
    for r in world.repos:
        repo_id[r.full_name] = len(repo_id) + 1
        rows.append((repo_id[r.full_name], r.full_name, "github", r.owner, int(r.owner_is_org), r.description, r.language,
                     json.dumps(r.languages), json.dumps(r.topics), r.stars, r.forks,
                     len(world.contributors.get(r.full_name, ())), int(r.is_fork), int(r.archived), int(r.watched),
                     json.dumps(r.skills) if r.watched else None, ts(r.created_at), ts(r.pushed_at)))
    cur.executemany("""INSERT INTO repo (id, full_name, host, owner, owner_is_org, description, language, languages, topics,
                       stars, forks, contributors_count, is_fork, archived, watched, skills, created_at, pushed_at)
                       VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)""", rows)
    login = [p.github.login if p.github else None for p in people]
    rows = []
    for pr in world.pulls:
        kind, when = ("pr_merged", pr.merged_at) if pr.merged_at else ("pr_closed", pr.closed_at) if pr.closed_at else ("pr_open", pr.created_at)
        rows.append((f"github:pr:{pr.repo}#{pr.number}", kind, repo_id[pr.repo], ident[("github", login[pr.author])], ts(when),
                     pr.title, f"https://github.com/{pr.repo}/pull/{pr.number}", pr.number, pr.additions, pr.deletions,
                     pr.changed_files, login[pr.merged_by] if pr.merged_by is not None else None, json.dumps(pr.files)))
    for rv in world.reviews:
        rows.append((f"github:review:{rv.repo}#{rv.number}:{rv.id}", "review", repo_id[rv.repo], ident[("github", login[rv.author])],
                     ts(rv.submitted_at), f"Review of #{rv.number}",
                     f"https://github.com/{rv.repo}/pull/{rv.number}#pullrequestreview-{rv.id}", rv.number, None, None, None, None, None))
    for c in world.commits:
        if c.author is None:
            continue
        rows.append((f"github:commit:{c.repo}:{c.sha}", "commit", repo_id[c.repo], ident[("github", login[c.author])],
                     ts(c.committed_at), c.message.splitlines()[0], f"https://github.com/{c.repo}/commit/{c.sha}", None,
                     c.additions, c.deletions, len(c.files), None, json.dumps(c.files)))
    cur.executemany("""INSERT INTO activity (uid, kind, repo_id, identity_id, occurred_at, title, url, number, additions,
                       deletions, changed_files, merged_by, files) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)""", rows)
    rows = [(repo_id[name], ident[("github", login[pid])], n, 0) for name, lst in world.contributors.items() for pid, n in lst]
    cur.executemany("INSERT INTO repocontributor (repo_id, identity_id, contributions, is_owner) VALUES (?,?,?,?)", rows)
    event_id = {}
    rows = []
    for ev in world.events:
        event_id[ev.key] = len(event_id) + 1
        rows.append((event_id[ev.key], ev.key, ev.name, ev.platform, ev.url, ts(ev.starts_on), ts(ev.ends_on)))
    cur.executemany("INSERT INTO event (id, key, name, platform, url, starts_on, ends_on) VALUES (?,?,?,?,?,?,?)", rows)
    gh = re.compile(r"https?://github\.com/([A-Za-z0-9-]+)/([A-Za-z0-9_.-]+)")
    papers, auth, codes = [], [], []
    for pa in world.papers:
        pid = len(papers) + 1
        papers.append((pid, pa.id, "arxiv", pa.title, pa.abstract, pa.primary_category, json.dumps(pa.categories),
                       ts(pa.published), f"http://arxiv.org/abs/{pa.id}v{pa.version}", None))
        auth += [(pid, pos, ident[("arxiv", f"{pa.id}#{pos}")]) for pos in range(len(pa.authors))]
        if pa.code_url:
            m = gh.match(pa.code_url)
            codes.append((pid, pa.code_url, repo_id.get(f"{m.group(1)}/{m.group(2)}") if m else None))
    cur.executemany("""INSERT INTO paper (id, key, source, title, abstract, primary_category, categories, published, url,
                       event_id, withdrawn) VALUES (?,?,?,?,?,?,?,?,?,?,0)""", papers)
    cur.executemany("INSERT INTO authorship (paper_id, position, identity_id) VALUES (?,?,?)", auth)
    cur.executemany("INSERT INTO papercode (paper_id, url, repo_id) VALUES (?,?,?)", codes)
    talks, speaking = [], []
    for ev in world.events:
        for t in ev.talks:
            tid = len(talks) + 1
            talks.append((tid, t.key, event_id[ev.key], t.title, t.abstract, t.track, t.kind, ts(t.starts_at),
                          f"https://{ev.host}/{ev.key}/talk/{t.code}/", json.dumps(t.tags)))
            speaking += [(tid, i, ident[("talks", f"{t.key}#{i}")]) for i in range(len(t.speakers))]
    cur.executemany("""INSERT INTO talk (id, key, event_id, title, abstract, track, kind, starts_at, url, tags)
                       VALUES (?,?,?,?,?,?,?,?,?,?)""", talks)
    cur.executemany("INSERT INTO speaking (talk_id, position, identity_id) VALUES (?,?,?)", speaking)
    raw.commit()
    raw.close()
    return truth
