"""The rows collectors would store after crawling a world, without any HTTP: fill a database fast.

    from sourcing.world.generate import generate
    from sourcing.world.rows import to_rows
    from storage.ingest import store_batch
    store_batch(engine, to_rows(generate(500, seed=1)))

`to_rows(world)` returns `{table name: [row dict, ...]}` in `storage.ingest.store`'s input format:
plain column dicts, references by natural key (`repo` = "owner/name", `identity` =
(source, external_key), `paper`, `talk`, `event` = keys). Conventions (the team brief's):

- identity: github = login (profile fields as GET /users/{login} shows them, emails = the
  public email plus the git author emails GitHub tied to the account, lower-case; handles
  github/twitter/homepage; kind user|bot); arxiv = "<id>#<position>"; talks =
  "<event key>/<talk code>#<index>" (handles found in the bio); proceedings = "<paper key>#<position>".
- activity: pr_merged (occurred_at = merged_at), pr_open (created_at), pr_closed (closed
  without merge, closed_at), review (submitted_at), commit (committed date). uid
  "github:pr:<repo>#<n>", "github:review:<repo>#<n>:<review id>", "github:commit:<repo>:<sha>".
  Commits whose email GitHub cannot tie to an account (no author login) are not stored.
- URLs are the real public ones (https://github.com/..., http://arxiv.org/abs/<id>v<n>,
  the conference's own talk pages), as the collectors record them from the served data.

`scope="all"` (default) stores every repo's activity, as if every repo were crawled;
`scope="watched"` keeps only what the default crawl reaches: the watchlist repos' activity, the
people seen there (profiles + their own repos), and all papers, talks and proceedings.
Every table's rows share one set of columns, so each upserts in one batch shape.
"""

from __future__ import annotations

import re
from typing import Literal

from sourcing.world.model import Person, World, no_gc

_GITHUB = re.compile(r"https?://github\.com/([A-Za-z0-9-]+)/([A-Za-z0-9_.-]+)")


def to_rows(world: World, scope: Literal["all", "watched"] = "all") -> dict[str, list[dict]]:
    with no_gc():
        return _rows(world, scope)


def _rows(world: World, scope: str) -> dict[str, list[dict]]:
    people = world.people
    repos = world.repos if scope == "all" else [r for r in world.repos if r.watched]
    names = {r.full_name for r in repos}
    keep = (lambda name: True) if scope == "all" else (lambda name: name in names)
    login = [p.github.login if p.github else None for p in people]
    activity: list[dict] = []
    seen: dict[int, list] = {}  # person -> [first, last] activity time

    def saw(pid: int, t) -> None:
        s = seen.get(pid)
        if s is None:
            seen[pid] = [t, t]
        elif t < s[0]:
            s[0] = t
        elif t > s[1]:
            s[1] = t

    for pr in world.pulls:
        if not keep(pr.repo):
            continue
        if pr.merged_at is not None:
            kind, when = "pr_merged", pr.merged_at
        elif pr.closed_at is not None:
            kind, when = "pr_closed", pr.closed_at
        else:
            kind, when = "pr_open", pr.created_at
        saw(pr.author, when)
        activity.append({
            "uid": f"github:pr:{pr.repo}#{pr.number}", "kind": kind, "repo": pr.repo,
            "identity": ("github", login[pr.author]), "occurred_at": when, "title": pr.title,
            "body": pr.body, "url": f"https://github.com/{pr.repo}/pull/{pr.number}",
            "state": "merged" if pr.merged_at else pr.state, "number": pr.number,
            "additions": pr.additions, "deletions": pr.deletions, "changed_files": pr.changed_files,
            "labels": pr.labels, "merged_by": login[pr.merged_by] if pr.merged_by is not None else None,
            "files": pr.files,
        })
    for rv in world.reviews:
        if not keep(rv.repo):
            continue
        saw(rv.author, rv.submitted_at)
        activity.append({
            "uid": f"github:review:{rv.repo}#{rv.number}:{rv.id}", "kind": "review", "repo": rv.repo,
            "identity": ("github", login[rv.author]), "occurred_at": rv.submitted_at,
            "title": f"Review of #{rv.number}", "body": rv.body,
            "url": f"https://github.com/{rv.repo}/pull/{rv.number}#pullrequestreview-{rv.id}",
            "state": rv.state, "number": rv.number, "additions": None, "deletions": None,
            "changed_files": None, "labels": None, "merged_by": None, "files": None,
        })
    commit_emails: dict[int, set[str]] = {}
    for c in world.commits:
        if c.author is None or not keep(c.repo):
            continue
        saw(c.author, c.committed_at)
        commit_emails.setdefault(c.author, set()).add(c.author_email.lower())
        activity.append({
            "uid": f"github:commit:{c.repo}:{c.sha}", "kind": "commit", "repo": c.repo,
            "identity": ("github", login[c.author]), "occurred_at": c.committed_at,
            "title": c.message.splitlines()[0], "body": c.message,
            "url": f"https://github.com/{c.repo}/commit/{c.sha}", "state": None, "number": None,
            "additions": c.additions, "deletions": c.deletions, "changed_files": len(c.files),
            "labels": None, "merged_by": None, "files": c.files,
        })

    contributors: list[dict] = []
    for r in repos:
        for pid, n in world.contributors.get(r.full_name, ()):
            contributors.append({"repo": r.full_name, "identity": ("github", login[pid]),
                                 "contributions": n, "is_owner": pid == r.owner_person})
    # GitHub people the crawl knows: everyone with activity, contributors, mergers
    gh_people = {p.id for p in people if p.github} if scope == "all" else set(seen)
    if scope == "watched":
        for pr in world.pulls:
            if pr.merged_by is not None and keep(pr.repo):
                gh_people.add(pr.merged_by)
    own_repos = [r for r in world.repos if r.owner_person in gh_people] if scope == "watched" else []
    for r in own_repos:
        for pid, n in world.contributors.get(r.full_name, ()):
            if pid == r.owner_person:
                contributors.append({"repo": r.full_name, "identity": ("github", login[pid]),
                                     "contributions": n, "is_owner": True})

    repo_rows = [_repo(world, r) for r in repos] + [_repo(world, r) for r in own_repos]
    identities = [_github_identity(people[pid], seen.get(pid), commit_emails.get(pid))
                  for pid in sorted(gh_people)]

    papers, authorships, codes = [], [], []
    for pa in world.papers:
        papers.append({
            "key": pa.id, "source": "arxiv", "version": pa.version, "title": pa.title,
            "abstract": pa.abstract, "primary_category": pa.primary_category, "categories": pa.categories,
            "published": pa.published, "updated": pa.updated, "doi": pa.doi, "journal_ref": pa.journal_ref,
            "comment": pa.comment, "url": f"http://arxiv.org/abs/{pa.id}v{pa.version}",
            "pdf_url": f"http://arxiv.org/pdf/{pa.id}v{pa.version}", "venue": None, "event": None,
        })
        for pos, a in enumerate(pa.authors):
            key = f"{pa.id}#{pos}"
            identities.append(_plain_identity("arxiv", key, a.name, affiliation=a.affiliation,
                                              when=pa.published))
            authorships.append({"paper": pa.id, "position": pos, "identity": ("arxiv", key),
                                "affiliation": a.affiliation})
        if pa.code_url:
            codes.append(_code(pa.id, pa.code_url))

    events, talks, speaking = [], [], []
    for ev in world.events:
        events.append({"key": ev.key, "name": ev.name, "platform": ev.platform, "url": ev.url,
                       "location": ev.location, "starts_on": ev.starts_on, "ends_on": ev.ends_on})
        for t in ev.talks:
            talks.append({
                "key": t.key, "event": ev.key, "title": t.title, "abstract": t.abstract, "track": t.track,
                "room": t.room, "kind": t.kind, "language": t.language, "starts_at": t.starts_at,
                "duration_min": t.duration_min, "url": talk_url(ev, t), "video_url": t.video_url,
                "tags": t.tags,
            })
            for idx, s in enumerate(t.speakers):
                key = f"{t.key}#{idx}"
                handles = {k: v for k, v in (("github", s.github), ("homepage", s.homepage),
                                             ("twitter", s.twitter)) if v}
                identities.append(_plain_identity(
                    "talks", key, s.name, bio=s.bio, handles=handles or None, when=t.starts_at,
                    urls=[u for u in (s.homepage, f"https://github.com/{s.github}" if s.github else None) if u] or None,
                    emails=[s.email.lower()] if s.email else None,
                ))
                speaking.append({"talk": t.key, "position": idx, "identity": ("talks", key)})
    for vol in world.volumes:
        events.append({"key": vol.key, "name": vol.name, "platform": "proceedings", "url": vol.url,
                       "location": None, "starts_on": vol.published, "ends_on": vol.published})
        for pp in vol.papers:
            papers.append({
                "key": pp.key, "source": "proceedings", "version": None, "title": pp.title,
                "abstract": pp.abstract, "primary_category": None, "categories": None,
                "published": vol.published, "updated": None, "doi": None, "journal_ref": None,
                "comment": None, "url": f"https://{vol.host}/{vol.path}{pp.id}.html", "pdf_url": pp.pdf_url,
                "venue": vol.short, "event": vol.key,
            })
            for pos, a in enumerate(pp.authors):
                key = f"{pp.key}#{pos}"
                identities.append(_plain_identity("proceedings", key, a.name, affiliation=a.affiliation,
                                                  when=vol.published))
                authorships.append({"paper": pp.key, "position": pos, "identity": ("proceedings", key),
                                    "affiliation": a.affiliation})
            if pp.code_url:
                codes.append(_code(pp.key, pp.code_url))

    return {
        "repo": repo_rows, "event": events, "identity": identities, "paper": papers, "talk": talks,
        "repocontributor": contributors, "activity": activity, "authorship": authorships,
        "papercode": codes, "speaking": speaking,
    }


def talk_url(ev, t) -> str:
    """The talk's page on the real conference site."""
    if ev.platform == "pretalx":
        return f"https://{ev.host}/{ev.key}/talk/{t.code}/"
    if ev.platform == "pyvideo":
        return f"https://pyvideo.org/{ev.key}/{t.code}.html"
    return f"https://{ev.host}/{ev.path.split('/')[0]}/schedule/event/{t.code}/"


def _code(paper: str, url: str) -> dict:
    m = _GITHUB.match(url)
    return {"paper": paper, "url": url, "repo": f"{m.group(1)}/{m.group(2)}" if m else None}


def _repo(world: World, r) -> dict:
    return {
        "full_name": r.full_name, "host": "github", "owner": r.owner, "owner_is_org": r.owner_is_org,
        "description": r.description, "homepage": r.homepage, "language": r.language,
        "languages": r.languages, "topics": r.topics, "license": r.license, "stars": r.stars,
        "forks": r.forks, "watchers": r.watchers, "open_issues": r.open_issues,
        "contributors_count": len(world.contributors.get(r.full_name, ())), "is_fork": r.is_fork,
        "archived": r.archived, "watched": r.watched,
        "discovered_via": "watchlist" if r.watched else "user" if r.owner_person is not None else None,
        "skills": r.skills if r.watched else None, "created_at": r.created_at, "pushed_at": r.pushed_at,
        "updated_on": r.updated_at, "renamed_to": None,
    }


def _github_identity(p: Person, seen, commit_emails) -> dict:
    a = p.github
    emails = sorted({*(commit_emails or ()), *([a.email.lower()] if a.email else [])}) or None
    handles = {"github": a.login}
    if a.twitter:
        handles["twitter"] = a.twitter
    if a.blog:
        handles["homepage"] = a.blog
    return {
        "source": "github", "external_key": a.login, "name": a.name, "login": a.login,
        "kind": "bot" if p.bot else "user", "emails": emails,
        "urls": [u for u in (f"https://github.com/{a.login}", a.blog) if u], "handles": handles,
        "affiliation": None, "company": a.company, "location": a.location, "bio": a.bio,
        "followers": a.followers, "hireable": a.hireable, "created_on": a.created_at,
        "first_seen": seen[0] if seen else None, "last_seen": seen[1] if seen else None,
        "updated_on": a.updated_at,
    }


def _plain_identity(source, key, name, *, affiliation=None, bio=None, handles=None, urls=None,
                    emails=None, when=None) -> dict:
    return {
        "source": source, "external_key": key, "name": name, "login": None, "kind": "user",
        "emails": emails, "urls": urls, "handles": handles, "affiliation": affiliation, "company": None,
        "location": None, "bio": bio, "followers": None, "hireable": None, "created_on": None,
        "first_seen": when, "last_seen": when, "updated_on": when,
    }
