"""GitHub REST v3 over a World: the routes and JSON shapes PyGithub reads (with base_url).

`route(world, path, query, base)` answers GET <base>/<path>; `base` is the API root as the client
sees it ("http://127.0.0.1:8765/api/v3"), so every "url" in a body and every Link header points
back at the world. Shapes follow GitHub's (checked against PyGithub's recorded responses):
list endpoints return the compact objects GitHub lists, single endpoints the full ones.
Commits lists hold the world's direct commits only (pull requests come from /pulls).
Rate limits, ETags and faults are the server's business, not this module's.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any, Optional
from urllib.parse import urlencode

from sourcing.world.model import Commit, Person, PullRequest, Repo, Review, World, no_gc

Answer = tuple[int, Any, dict]  # status, JSON-able body, extra headers
DOCS = "https://docs.github.com/rest"


def iso(dt: Optional[datetime]) -> Optional[str]:
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ") if dt else None


def parse_time(s: str) -> Optional[datetime]:
    try:
        dt = datetime.fromisoformat(s.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


def error(status: int, message: str) -> Answer:
    return status, {"message": message, "documentation_url": DOCS, "status": str(status)}, {}


# --- shapes ------------------------------------------------------------------------------


def simple_user(p: Person, base: str) -> dict:
    a = p.github
    return _account(a.login, a.id, a.type, base)


def _account(login: str, aid: int, kind: str, base: str) -> dict:
    u = f"{base}/users/{login}"
    return {
        "login": login, "id": aid, "node_id": f"{kind[0]}_{aid}",
        "avatar_url": f"https://avatars.githubusercontent.com/u/{aid}?v=4", "gravatar_id": "",
        "url": u, "html_url": f"https://github.com/{login}",
        "followers_url": f"{u}/followers", "following_url": f"{u}/following{{/other_user}}",
        "gists_url": f"{u}/gists{{/gist_id}}", "starred_url": f"{u}/starred{{/owner}}{{/repo}}",
        "subscriptions_url": f"{u}/subscriptions", "organizations_url": f"{u}/orgs",
        "repos_url": f"{u}/repos", "events_url": f"{u}/events{{/privacy}}",
        "received_events_url": f"{u}/received_events", "type": kind, "user_view_type": "public",
        "site_admin": False,
    }


def org_owner(login: str, oid: int, base: str) -> dict:
    return _account(login, oid, "Organization", base)


def full_user(world: World, p: Person, base: str) -> dict:
    a = p.github
    out = simple_user(p, base)
    out.update({
        "name": a.name, "company": a.company, "blog": a.blog or "", "location": a.location,
        "email": a.email, "hireable": a.hireable, "bio": a.bio, "twitter_username": a.twitter,
        "public_repos": len(world.user_repos(a.login)), "public_gists": 0,
        "followers": a.followers, "following": a.following,
        "created_at": iso(a.created_at), "updated_at": iso(a.updated_at),
    })
    return out


_REPO_URLS = {
    "forks_url": "/forks", "keys_url": "/keys{/key_id}", "collaborators_url": "/collaborators{/collaborator}",
    "teams_url": "/teams", "hooks_url": "/hooks", "issue_events_url": "/issues/events{/number}",
    "events_url": "/events", "assignees_url": "/assignees{/user}", "branches_url": "/branches{/branch}",
    "tags_url": "/tags", "blobs_url": "/git/blobs{/sha}", "git_tags_url": "/git/tags{/sha}",
    "git_refs_url": "/git/refs{/sha}", "trees_url": "/git/trees{/sha}", "statuses_url": "/statuses/{sha}",
    "languages_url": "/languages", "stargazers_url": "/stargazers", "contributors_url": "/contributors",
    "subscribers_url": "/subscribers", "subscription_url": "/subscription", "commits_url": "/commits{/sha}",
    "git_commits_url": "/git/commits{/sha}", "comments_url": "/comments{/number}",
    "issue_comment_url": "/issues/comments{/number}", "contents_url": "/contents/{+path}",
    "compare_url": "/compare/{base}...{head}", "merges_url": "/merges", "archive_url": "/{archive_format}{/ref}",
    "downloads_url": "/downloads", "issues_url": "/issues{/number}", "pulls_url": "/pulls{/number}",
    "milestones_url": "/milestones{/number}", "notifications_url": "/notifications{?since,all,participating}",
    "labels_url": "/labels{/name}", "releases_url": "/releases{/id}", "deployments_url": "/deployments",
}


def _repo_urls(u: str) -> dict:
    return {k: u + v for k, v in _REPO_URLS.items()}


def owner_of(world: World, r: Repo, base: str) -> dict:
    if r.owner_person is not None:
        return simple_user(world.people[r.owner_person], base)
    return org_owner(r.owner, r.owner_id, base)


def repo_json(world: World, r: Repo, base: str, full: bool = True) -> dict:
    u = f"{base}/repos/{r.full_name}"
    html = f"https://github.com/{r.full_name}"
    out = {
        "id": r.id, "node_id": f"R_{r.id}", "name": r.name, "full_name": r.full_name, "private": False,
        "owner": owner_of(world, r, base), "html_url": html, "description": r.description,
        "fork": r.is_fork, "url": u, **_repo_urls(u),
        "created_at": iso(r.created_at), "updated_at": iso(r.updated_at), "pushed_at": iso(r.pushed_at),
        "git_url": f"git://github.com/{r.full_name}.git", "clone_url": f"{html}.git",
        "homepage": r.homepage, "size": sum(r.languages.values()) // 1024,
        "stargazers_count": r.stars, "watchers_count": r.stars, "language": r.language,
        "has_issues": True, "has_projects": True, "has_downloads": True, "has_wiki": True,
        "has_pages": False, "has_discussions": False, "forks_count": r.forks, "archived": r.archived,
        "disabled": False, "open_issues_count": r.open_issues,
        "license": {"key": r.license.lower(), "name": r.license, "spdx_id": r.license, "url": None,
                    "node_id": f"L_{r.license}"} if r.license else None,
        "allow_forking": True, "is_template": False, "topics": r.topics, "visibility": "public",
        "forks": r.forks, "open_issues": r.open_issues, "watchers": r.stars,
        "default_branch": r.default_branch, "mirror_url": None,
        "ssh_url": f"git@github.com:{r.full_name}.git", "svn_url": html,
        "permissions": {"admin": False, "maintain": False, "push": False, "triage": False, "pull": True},
    }
    if full:
        out.update({
            "temp_clone_token": "", "allow_squash_merge": True, "allow_merge_commit": True,
            "allow_rebase_merge": True, "allow_auto_merge": False, "delete_branch_on_merge": False,
            "allow_update_branch": False, "use_squash_pr_title_as_default": False,
            "squash_merge_commit_message": "COMMIT_MESSAGES", "squash_merge_commit_title": "COMMIT_OR_PR_TITLE",
            "merge_commit_message": "PR_TITLE", "merge_commit_title": "MERGE_MESSAGE",
            "custom_properties": {}, "web_commit_signoff_required": False,
            "security_and_analysis": None,
        })
        out["subscribers_count"] = r.watchers
        out["network_count"] = r.forks
        if r.owner_person is None:
            out["organization"] = out["owner"]
    return out


def _user_or_none(world: World, pid: Optional[int], base: str) -> Optional[dict]:
    if pid is None:
        return None
    p = world.people[pid]
    return simple_user(p, base) if p.github else None


def pull_json(world: World, r: Repo, pr: PullRequest, base: str, full: bool = False,
              small_repo: Optional[dict] = None) -> dict:
    u = f"{base}/repos/{r.full_name}"
    html = f"https://github.com/{r.full_name}/pull/{pr.number}"
    author = world.people[pr.author]
    small_repo = small_repo or repo_json(world, r, base, full=False)
    out = {
        "url": f"{u}/pulls/{pr.number}", "id": pr.id, "node_id": f"PR_{pr.id}", "html_url": html,
        "diff_url": f"{html}.diff", "patch_url": f"{html}.patch", "issue_url": f"{u}/issues/{pr.number}",
        "number": pr.number, "state": pr.state, "locked": False, "title": pr.title,
        "user": simple_user(author, base), "body": pr.body,
        "labels": [{"id": 7000 + i, "node_id": f"LA_{i}", "url": f"{u}/labels/{name}", "name": name,
                    "color": "ededed", "default": False, "description": None}
                   for i, name in enumerate(pr.labels)],
        "milestone": None, "active_lock_reason": None,
        "created_at": iso(pr.created_at), "updated_at": iso(pr.updated_at),
        "closed_at": iso(pr.closed_at), "merged_at": iso(pr.merged_at),
        "merge_commit_sha": pr.merge_commit_sha, "assignee": None, "assignees": [],
        "requested_reviewers": [], "requested_teams": [],
        "commits_url": f"{u}/pulls/{pr.number}/commits",
        "review_comments_url": f"{u}/pulls/{pr.number}/comments",
        "comments_url": f"{u}/issues/{pr.number}/comments",
        "statuses_url": f"{u}/statuses/{pr.head_sha}",
        "head": {"label": f"{author.github.login}:patch-{pr.number}", "ref": f"patch-{pr.number}",
                 "sha": pr.head_sha, "user": simple_user(author, base), "repo": small_repo},
        "base": {"label": f"{r.owner}:{r.default_branch}", "ref": r.default_branch,
                 "sha": pr.head_sha[::-1], "user": small_repo["owner"], "repo": small_repo},
        "_links": {"self": {"href": f"{u}/pulls/{pr.number}"}, "html": {"href": html},
                   "issue": {"href": f"{u}/issues/{pr.number}"},
                   "comments": {"href": f"{u}/issues/{pr.number}/comments"},
                   "review_comments": {"href": f"{u}/pulls/{pr.number}/comments"},
                   "commits": {"href": f"{u}/pulls/{pr.number}/commits"},
                   "statuses": {"href": f"{u}/statuses/{pr.head_sha}"}},
        "author_association": "MEMBER" if author.id == r.owner_person else "CONTRIBUTOR",
        "auto_merge": None, "draft": False,
    }
    if full:
        out.update({
            "merged": pr.merged, "mergeable": None if pr.closed_at else True, "rebaseable": None,
            "mergeable_state": "unknown", "merged_by": _user_or_none(world, pr.merged_by, base),
            "comments": 0, "review_comments": 0, "maintainer_can_modify": False,
            "commits": pr.commits, "additions": pr.additions, "deletions": pr.deletions,
            "changed_files": pr.changed_files,
        })
    return out


def review_json(world: World, r: Repo, rv: Review, base: str) -> dict:
    html = f"https://github.com/{r.full_name}/pull/{rv.number}#pullrequestreview-{rv.id}"
    return {
        "id": rv.id, "node_id": f"PRR_{rv.id}", "user": simple_user(world.people[rv.author], base),
        "body": rv.body, "state": rv.state, "html_url": html,
        "pull_request_url": f"{base}/repos/{r.full_name}/pulls/{rv.number}",
        "author_association": "MEMBER",
        "_links": {"html": {"href": html}, "pull_request": {"href": f"{base}/repos/{r.full_name}/pulls/{rv.number}"}},
        "submitted_at": iso(rv.submitted_at), "commit_id": rv.commit_id,
    }


def commit_json(world: World, r: Repo, c: Commit, base: str, full: bool = False) -> dict:
    u = f"{base}/repos/{r.full_name}"
    who = {"name": c.author_name, "email": c.author_email, "date": iso(c.committed_at)}
    user = _user_or_none(world, c.author, base)
    out = {
        "sha": c.sha, "node_id": f"C_{c.sha[:12]}",
        "commit": {
            "author": who, "committer": who, "message": c.message,
            "tree": {"sha": c.sha[::-1], "url": f"{u}/git/trees/{c.sha[::-1]}"},
            "url": f"{u}/git/commits/{c.sha}", "comment_count": 0,
            "verification": {"verified": False, "reason": "unsigned", "signature": None,
                             "payload": None, "verified_at": None},
        },
        "url": f"{u}/commits/{c.sha}", "html_url": f"https://github.com/{r.full_name}/commit/{c.sha}",
        "comments_url": f"{u}/commits/{c.sha}/comments", "author": user, "committer": user,
        "parents": [],
    }
    if full:
        out["stats"] = {"total": c.additions + c.deletions, "additions": c.additions, "deletions": c.deletions}
        out["files"] = [{"sha": c.sha, "filename": f, "status": "modified", "additions": c.additions,
                         "deletions": c.deletions, "changes": c.additions + c.deletions,
                         "blob_url": f"https://github.com/{r.full_name}/blob/{c.sha}/{f}"} for f in c.files]
    return out


# --- routing -----------------------------------------------------------------------------

ROUTES = [
    ("rate_limit", re.compile(r"^rate_limit$")),
    ("repository_id", re.compile(r"^repositories/(\d+)(/.*)?$")),
    ("repo", re.compile(r"^repos/([^/]+)/([^/]+)$")),
    ("contributors", re.compile(r"^repos/([^/]+)/([^/]+)/contributors$")),
    ("languages", re.compile(r"^repos/([^/]+)/([^/]+)/languages$")),
    ("topics", re.compile(r"^repos/([^/]+)/([^/]+)/topics$")),
    ("pulls", re.compile(r"^repos/([^/]+)/([^/]+)/pulls$")),
    ("pull", re.compile(r"^repos/([^/]+)/([^/]+)/pulls/(\d+)$")),
    ("reviews", re.compile(r"^repos/([^/]+)/([^/]+)/pulls/(\d+)/reviews$")),
    ("pull_files", re.compile(r"^repos/([^/]+)/([^/]+)/pulls/(\d+)/files$")),
    ("commits", re.compile(r"^repos/([^/]+)/([^/]+)/commits$")),
    ("commit", re.compile(r"^repos/([^/]+)/([^/]+)/commits/([0-9a-f]{7,40})$")),
    ("user", re.compile(r"^users/([^/]+)$")),
    ("user_repos", re.compile(r"^users/([^/]+)/repos$")),
]
# a path template per route, for request statistics
TEMPLATES = {
    "rate_limit": "/rate_limit", "repository_id": "/repositories/{id}", "repo": "/repos/{o}/{r}",
    "contributors": "/repos/{o}/{r}/contributors", "languages": "/repos/{o}/{r}/languages",
    "topics": "/repos/{o}/{r}/topics", "pulls": "/repos/{o}/{r}/pulls", "pull": "/repos/{o}/{r}/pulls/{n}",
    "reviews": "/repos/{o}/{r}/pulls/{n}/reviews", "pull_files": "/repos/{o}/{r}/pulls/{n}/files",
    "commits": "/repos/{o}/{r}/commits", "commit": "/repos/{o}/{r}/commits/{sha}",
    "user": "/users/{u}", "user_repos": "/users/{u}/repos",
}


def match(path: str) -> tuple[Optional[str], tuple]:
    path = path.strip("/")
    for name, rx in ROUTES:
        m = rx.match(path)
        if m:
            return name, m.groups()
    return None, ()


def repo_path(path: str) -> Optional[str]:
    """'owner/name' when the path is under /repos/{owner}/{name}."""
    m = re.match(r"^/?repos/([^/]+)/([^/]+)", path)
    return f"{m.group(1)}/{m.group(2)}" if m else None


def page_of(items: list, query: dict, url: str) -> tuple[list, dict]:
    """One page of `items` by per_page/page, with GitHub's Link header (absolute URLs)."""
    try:
        per = max(1, min(100, int(query.get("per_page", 30))))
        page = max(1, int(query.get("page", 1)))
    except ValueError:
        per, page = 30, 1
    last = max(1, -(-len(items) // per))
    chunk = items[(page - 1) * per: page * per]
    links = []

    def link(p: int, rel: str) -> str:
        q = {k: v for k, v in query.items() if k != "page"}
        q["page"] = str(p)
        return f'<{url}?{urlencode(q)}>; rel="{rel}"'

    if page > 1:
        links += [link(page - 1, "prev"), link(1, "first")]
    if page < last:
        links += [link(page + 1, "next"), link(last, "last")]
    return chunk, ({"Link": ", ".join(links)} if links else {})


class GitHub:
    """The GitHub routes over one world, with the sorted lists it serves cached."""

    def __init__(self, world: World):
        self.world = world
        self.by_id = {r.id: r for r in world.repos}
        self._sorted: dict[tuple, list] = {}

    def answer(self, name: str, args: tuple, query: dict, base: str, url: str) -> Answer:
        w = self.world
        if name == "repository_id":
            r = self.by_id.get(int(args[0]))
            if r is None:
                return error(404, "Not Found")
            rest = (args[1] or "").strip("/")
            if not rest:
                return 200, repo_json(w, r, base), {}
            sub, subargs = match(f"repos/{r.full_name}/{rest}")
            if sub is None:
                return error(404, "Not Found")
            return self.answer(sub, subargs, query, base, url)
        if name in ("user", "user_repos"):
            p = w.user(args[0])
            if p is None:
                return error(404, "Not Found")
            if name == "user":
                return 200, full_user(w, p, base), {}
            repos = sorted(w.user_repos(p.github.login), key=lambda r: self._repo_key(r, query),
                           reverse=self._repo_desc(query))
            chunk, h = page_of(repos, query, url)
            return 200, [repo_json(w, r, base, full=False) for r in chunk], h
        full = f"{args[0]}/{args[1]}"
        r = w.repo(full)
        if r is None:
            moved = w.renamed(full)
            if moved is not None:  # GitHub's answer for an old name
                rest = url.split(f"/repos/{args[0]}/{args[1]}", 1)[-1]
                loc = f"{base}/repositories/{moved.id}{rest}" + (f"?{urlencode(query)}" if query else "")
                return 301, {"message": "Moved Permanently", "url": loc, "documentation_url": DOCS}, {"Location": loc}
            return error(404, "Not Found")
        if name == "repo":
            return 200, repo_json(w, r, base), {}
        if name == "languages":
            return 200, dict(r.languages), {}
        if name == "topics":
            return 200, {"names": r.topics}, {}
        if name == "contributors":
            people = w.contributors.get(r.full_name, [])
            chunk, h = page_of(people, query, url)
            return 200, [{**simple_user(w.people[pid], base), "contributions": n} for pid, n in chunk], h
        if name == "pulls":
            pulls = self._pulls(r, query)
            chunk, h = page_of(pulls, query, url)
            small = repo_json(w, r, base, full=False)  # head and base share it, as JSON text does
            return 200, [pull_json(w, r, pr, base, small_repo=small) for pr in chunk], h
        if name in ("pull", "reviews", "pull_files"):
            n = int(args[2])
            prs = w.repo_pulls(r.full_name)
            pr = prs[n - 1] if 0 < n <= len(prs) and prs[n - 1].number == n else None
            if pr is None:
                return error(404, "Not Found")
            if name == "pull":
                return 200, pull_json(w, r, pr, base, full=True), {}
            if name == "pull_files":
                chunk, h = page_of(pr.files, query, url)
                return 200, [{"sha": pr.head_sha, "filename": f, "status": "modified",
                              "additions": pr.additions // max(1, len(pr.files)),
                              "deletions": pr.deletions // max(1, len(pr.files)),
                              "changes": (pr.additions + pr.deletions) // max(1, len(pr.files)),
                              "blob_url": f"https://github.com/{r.full_name}/blob/{pr.head_sha}/{f}"}
                             for f in chunk], h
            chunk, h = page_of(w.pull_reviews(r.full_name, n), query, url)
            return 200, [review_json(w, r, rv, base) for rv in chunk], h
        if name in ("commits", "commit"):
            if r.empty:
                return error(409, "Git Repository is empty.")
            if name == "commit":
                c = next((c for c in w.repo_commits(r.full_name) if c.sha.startswith(args[2])), None)
                if c is None:
                    return error(422, f"No commit found for SHA: {args[2]}")
                return 200, commit_json(w, r, c, base, full=True), {}
            commits = self._commits(r, query)
            if commits is None:
                return error(422, "Invalid time given for since/until")
            chunk, h = page_of(commits, query, url)
            return 200, [commit_json(w, r, c, base) for c in chunk], h
        return error(404, "Not Found")

    @staticmethod
    def _repo_key(r: Repo, query: dict):
        sort = query.get("sort", "full_name")
        if sort == "created":
            return r.created_at
        if sort in ("updated", "pushed"):
            return (r.pushed_at if sort == "pushed" else r.updated_at, r.full_name)
        return r.full_name.lower()

    @staticmethod
    def _repo_desc(query: dict) -> bool:
        default = "asc" if query.get("sort", "full_name") == "full_name" else "desc"
        return query.get("direction", default) == "desc"

    def _pulls(self, r: Repo, query: dict) -> list[PullRequest]:
        state = query.get("state", "open")
        sort = query.get("sort", "created")
        # GitHub: desc when sort is created or unspecified, otherwise asc
        direction = query.get("direction", "desc" if sort == "created" else "asc")
        key = (r.full_name, state, sort, direction)
        got = self._sorted.get(key)
        if got is None:
            prs = self.world.repo_pulls(r.full_name)
            if state in ("open", "closed"):
                prs = [p for p in prs if p.state == state]
            if sort == "updated":
                k = lambda p: (p.updated_at, p.number)  # noqa: E731
            elif sort == "popularity":
                k = lambda p: (len(self.world.pull_reviews(r.full_name, p.number)), p.number)  # noqa: E731
            elif sort == "long-running":
                k = lambda p: ((p.closed_at or self.world.now) - p.created_at, p.number)  # noqa: E731
            else:
                k = lambda p: (p.created_at, p.number)  # noqa: E731
            with no_gc():
                got = sorted(prs, key=k, reverse=direction == "desc")
            if len(self._sorted) > 4096:
                self._sorted.clear()
            self._sorted[key] = got
        return got

    def _commits(self, r: Repo, query: dict) -> Optional[list[Commit]]:
        commits = self.world.repo_commits(r.full_name)
        since = query.get("since")
        until = query.get("until")
        author = query.get("author")
        if since or until:
            s = parse_time(since) if since else None
            u = parse_time(until) if until else None
            if (since and s is None) or (until and u is None):
                return None
            commits = [c for c in commits if (s is None or c.committed_at >= s) and (u is None or c.committed_at <= u)]
        if author:
            a = author.lower()
            p = self.world.user(author)
            pid = p.id if p else None
            commits = [c for c in commits if (pid is not None and c.author == pid) or c.author_email.lower() == a]
        return commits

    def rate_limit_body(self, limit: int, remaining: int, reset: int) -> dict:
        core = {"limit": limit, "used": limit - remaining, "remaining": remaining, "reset": reset}
        search = {"limit": 30, "used": 0, "remaining": 30, "reset": reset}
        return {"resources": {"core": core, "search": search,
                              "graphql": {"limit": 5000, "used": 0, "remaining": 5000, "reset": reset}},
                "rate": core}
