"""GitHub collector (PyGithub): watched repos' metadata, contributors, pull requests, reviews and
commits, and the people behind them (profiles, own repos) — incremental and rate-limit budgeted.

Cursors: pulls and commits per repo (`since`, plus the first page's ETag so an unchanged listing
costs a free 304); contributors and user repos per repo/login (first page's ETag). Repo metadata
and profiles keep their validators on their own rows (Repo.etag, Identity.etag), so what is stored
and what it was validated with are always written together. All HTTP goes through
`github_http.Transport` (budget, token pool, retries, counts).
"""

from __future__ import annotations

import logging
import re
import time
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Iterable, Iterator, Optional

from requests import ConnectionError

from sourcing.sources.contract import Checkpoint, Item, Problem, Record
from sourcing.sources.github_http import BudgetExhausted, NotModified, TokenError, Transport, make_github

log = logging.getLogger(__name__)

SOURCE = "github"
# automation accounts that do not say type == "Bot"
KNOWN_BOTS = frozenset(
    {
        "dependabot", "dependabot-preview", "renovate-bot", "renovatebot", "github-actions",
        "pre-commit-ci", "codecov-io", "codecov-commenter", "allcontributors", "greenkeeperio-bot",
        "mergify", "stale", "web-flow", "ghost-bot", "coveralls", "pyup-bot", "snyk-bot",
        "imgbot", "deepsource-autofix", "sonarcloud", "netlify", "vercel", "copilot",
    }
)
GHOST = "ghost"  # GitHub shows deleted accounts as this user


_BOT_LOGIN = re.compile(r"\[bot\]$|(?:^|[-_.])(?:ro)?bot\d*$")


def is_bot(user: Optional[dict]) -> bool:
    if not user:
        return False
    login = str(user.get("login") or "").lower()
    return user.get("type") == "Bot" or login in KNOWN_BOTS or bool(_BOT_LOGIN.search(login))


def _dt(value: Any) -> Optional[datetime]:
    if not value:
        return None
    if isinstance(value, datetime):
        d = value
    else:
        try:
            d = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            return None
    return d.replace(tzinfo=timezone.utc) if d.tzinfo is None else d.astimezone(timezone.utc)


def _raw(obj: Any) -> dict:
    # the JSON PyGithub parsed; reading attributes instead could trigger a hidden "completion"
    # request per object for any field a listing does not carry
    return getattr(obj, "_rawData", None) or {}


@dataclass
class Progress:
    """What the crawl is doing now, for a live display."""

    category: str = ""
    repo: str = ""
    pages: int = 0  # requests spent on this repo/login and category
    requests: int = 0
    not_modified: int = 0
    budget_left: Optional[int] = None
    waiting: float = 0.0
    why: str = ""
    done: int = 0
    total: int = 0


@dataclass
class _Known:
    """What storage already holds that the crawl validates against (read by `crawl`)."""

    repos: dict[str, dict] = field(default_factory=dict)  # full_name -> {etag, last_modified, renamed_to}
    people: dict[str, dict] = field(default_factory=dict)  # login -> {etag, last_modified}


class GitHubCollector:
    name = SOURCE
    categories = ("repo", "contributors", "pulls", "commits", "profiles", "user_repos")

    def __init__(
        self,
        config,  # sourcing.config.GitHubConfig
        tokens: Iterable = (),  # [(env var name, token)] or [token]
        cursors: Optional[dict] = None,  # storage.ingest.cursors(engine, "github")
        budget: Optional[Transport] = None,
        *,
        repos: Optional[list[str]] = None,
        since: Optional[datetime] = None,
        api_url: Optional[str] = None,
        taxonomy=None,
        known: Optional[_Known] = None,
        now: Optional[datetime] = None,
        progress: Optional[Callable[[Progress], None]] = None,
    ):
        self.config = config
        pairs = [t if isinstance(t, tuple) else (f"token{i + 1}", t) for i, t in enumerate(tokens)]
        self.t = budget or Transport(pairs, share=config.budget_share, on_exhausted=config.on_budget_exhausted)
        self.cursors = cursors or {}
        self.repos = list(dict.fromkeys(repos if repos is not None else config.repos))
        self.since = _dt(since)
        self.api_url = (api_url or config.api_url).rstrip("/")
        self.taxonomy = taxonomy
        self.known = known or _Known()
        self.now = _dt(now) or datetime.now(timezone.utc)
        self.window_start = self.now - timedelta(days=config.history_days)
        self.gh, self.lazy = make_github(self.t, self.api_url, per_page=config.per_page)
        self._progress = progress
        self.state = Progress()
        self.stopped: Optional[str] = None  # why the crawl stopped early (budget, tokens)
        self.renamed: dict[str, str] = {
            k: v["renamed_to"] for k, v in self.known.repos.items() if v.get("renamed_to")
        }
        self.missing: set[str] = set()
        self.seen: dict[str, str] = {}  # login (lower) -> login as GitHub spells it
        self.emails: dict[str, set[str]] = {}  # login (lower) -> commit emails met this crawl
        self.stored = {k.lower(): v for k, v in self.known.people.items()}
        self.extra: dict[str, int] = {"commits_without_login": 0, "ghost_authors": 0, "bots_skipped": 0}
        self._announced = False
        self._interrupt: Optional[BaseException] = None

    # --- the contract ----------------------------------------------------------------------

    def fetch(self, category: str, since: Optional[datetime] = None) -> Iterator[Item]:
        if category not in self.categories:
            raise ValueError(f"unknown github category '{category}' (known: {', '.join(self.categories)})")
        if since is not None:
            self.since = _dt(since)
        if not self._announced:
            self._announced = True
            if self.t.unauthenticated:
                yield Problem(SOURCE, "auth", "no GitHub token configured: unauthenticated mode, 60 requests an hour")
        if self.stopped:
            return
        self.state.category = category
        if category in ("profiles", "user_repos"):
            keys = self.logins()
        else:
            keys = self.repos
        self.state.total, self.state.done = len(keys), 0
        step = getattr(self, f"_{category}")
        for key in keys:
            if self.stopped:
                return
            target = key
            if category not in ("profiles", "user_repos"):
                target = self.renamed.get(key, key)
                if key in self.missing and category != "repo":
                    continue
            self._tick(repo=target, pages=0)
            before = self.t.counts.requests
            try:
                for item in step(target if category != "repo" else key):
                    self.state.pages = self.t.counts.requests - before
                    yield item
            except BudgetExhausted as exc:
                self.stopped = str(exc)
                yield Problem(SOURCE, f"{target} {category}", str(exc), fatal=True)
                return
            except TokenError as exc:
                self.stopped = str(exc)
                yield Problem(SOURCE, "auth", str(exc), fatal=True)
                return
            except ConnectionError as exc:
                # retried already: the API is unreachable, every other repo would wait the same way
                self.stopped = f"GitHub API unreachable at {self.api_url}: {type(exc).__name__}"
                yield Problem(SOURCE, f"{target} {category}", self.stopped, fatal=True)
                return
            except Exception as exc:  # noqa: BLE001 — one bad repo or user must not stop the others
                if exc is self._interrupt:
                    raise  # the caller asked to stop (pipeline stop, Ctrl-C handler): not a data problem
                yield self._problem(target, category, exc)
            self.state.done += 1
            self._tick(pages=self.t.counts.requests - before)

    def logins(self) -> list[str]:
        """Everyone to (re)check: people stored before and people met in this crawl."""
        out = dict((k.lower(), k) for k in self.known.people)
        out.update(self.seen)
        return [v for k, v in out.items() if k != GHOST]

    # --- categories ------------------------------------------------------------------------

    def _repo(self, name: str) -> Iterator[Item]:
        known = self.known.repos.get(name, {})
        self.t.arm(known.get("etag"), known.get("last_modified"))
        try:
            repo = self.gh.get_repo(name)
        except NotModified:
            return
        except Exception as exc:
            if getattr(exc, "status", None) == 404:
                self.missing.add(name)
            raise
        raw = _raw(repo)
        etag, lm = self.t.captured
        actual = raw.get("full_name") or name
        rows = [self._repo_row(raw, watched=True, etag=etag, last_modified=lm)]
        rows[0]["skills"] = list(self._skills(name) or self._skills(actual))
        if actual.lower() != name.lower():
            self.renamed[name] = actual
            rows.insert(0, {"full_name": name, "owner": name.split("/")[0], "renamed_to": actual,
                            "etag": etag, "last_modified": lm})
            yield Problem(SOURCE, name, f"renamed to {actual} (301): crawling {actual}")
        try:
            langs = self.lazy.get_repo(actual).get_languages()
            rows[-1]["languages"] = dict(langs)
        except (NotModified, BudgetExhausted, TokenError):
            raise
        except Exception as exc:  # noqa: BLE001 — metadata is still worth storing
            rows[-1]["etag"] = rows[-1]["last_modified"] = None  # so the next run reads it all again
            yield self._problem(actual, "languages", exc)
        yield Record(SOURCE, "repo", f"github:repo:{actual}", str(raw.get("id", actual)), _dt(raw.get("updated_at")),
                     {"repo": rows})

    def _contributors(self, name: str) -> Iterator[Item]:
        cur = self.cursors.get(("contributors", name), {})
        self.t.arm(cur.get("etag"))
        n = 0
        try:
            for c in self.lazy.get_repo(name).get_contributors():
                raw = _raw(c)
                login = raw.get("login")
                if not login or is_bot(raw) or login.lower() == GHOST:
                    self.extra["bots_skipped"] += bool(login and is_bot(raw))
                    continue
                n += 1
                self._meet(login)
                yield Record(SOURCE, "contributor", f"github:contributor:{name}:{login}", str(raw.get("id", login)), None,
                             {"identity": [self._ident(login)],
                              "repocontributor": [{"repo": name, "identity": (SOURCE, login),
                                                   "contributions": int(raw.get("contributions") or 0)}]})
        except NotModified:
            return
        etag, _ = self.t.captured
        yield Record(SOURCE, "repo", f"github:repo:{name}", name, None,
                     {"repo": [{"full_name": name, "contributors_count": n}]})
        yield Checkpoint(SOURCE, "contributors", name, etag=etag)

    def _pulls(self, name: str) -> Iterator[Item]:
        cur = self.cursors.get(("pulls", name), {})
        # an explicit --since wins over the history window; a stored cursor does not
        floor = self.since or max(_dt(cur.get("since")) or self.window_start, self.window_start)
        self.t.arm(None if self.since else cur.get("etag"))  # --since asks for a re-read: no condition
        newest: Optional[datetime] = None
        failed: Optional[datetime] = None  # oldest PR whose details or reviews could not be read
        ghosts = 0
        repo = self.lazy.get_repo(name)
        try:
            for pr in repo.get_pulls(state="all", sort="updated", direction="desc"):
                raw = _raw(pr)
                updated = _dt(raw.get("updated_at"))
                if newest is None:
                    newest = updated
                if updated and updated < floor:
                    break
                user = raw.get("user")
                if not user or (user.get("login") or "").lower() == GHOST:
                    ghosts += 1
                for item in self._pull(name, repo, pr, raw):
                    if isinstance(item, Problem) and updated:
                        failed = updated if failed is None else min(failed, updated)
                    yield item
        except NotModified:
            return
        etag, _ = self.t.captured
        if ghosts:
            self.extra["ghost_authors"] += ghosts
            yield Problem(SOURCE, f"{name} pulls", f"{ghosts} pull request(s) by deleted accounts (ghost): kept reviews only")
        since = newest or _dt(cur.get("since")) or floor
        if failed is not None:
            # not past what failed: the next run lists down to that PR again, unconditionally
            since, etag = min(since, failed - timedelta(seconds=1)), None
        yield Checkpoint(SOURCE, "pulls", name, since=since, etag=etag)

    def _pull(self, name: str, repo, pr, raw: dict) -> Iterator[Item]:
        number = raw.get("number")
        user = raw.get("user") or {}
        login = user.get("login")
        author = login if login and login.lower() != GHOST and not is_bot(user) else None
        if login and is_bot(user):
            self.extra["bots_skipped"] += 1
        merged_at = _dt(raw.get("merged_at"))
        rows: dict[str, list] = {"identity": [], "activity": []}
        closed_at = _dt(raw.get("closed_at"))
        if author:
            detail = raw
            if merged_at:
                # sizes and the merger are only on the single pull request
                try:
                    _, detail = self.gh.requester.requestJsonAndCheck("GET", pr.url)
                except (NotModified, BudgetExhausted, TokenError):
                    raise
                except Exception as exc:  # noqa: BLE001 — keep the PR without its sizes
                    yield self._problem(name, f"pull #{number}", exc)
                    detail = raw
            self._meet(author)
            rows["identity"].append(self._ident(author))
            rows["activity"].append(
                {
                    "uid": f"github:pr:{name}#{number}",
                    "kind": "pr_merged" if merged_at else "pr_closed" if closed_at else "pr_open",
                    "repo": name,
                    "identity": (SOURCE, author),
                    "occurred_at": merged_at or closed_at or _dt(raw.get("created_at")),
                    "title": raw.get("title"),
                    # the description says what the work was; fit matches on it (bounded: bodies can be huge)
                    "body": (raw.get("body") or "")[:4000] or None,
                    "url": raw.get("html_url"),
                    "state": "merged" if merged_at else raw.get("state"),
                    "number": number,
                    "additions": detail.get("additions"),
                    "deletions": detail.get("deletions"),
                    "changed_files": detail.get("changed_files"),
                    "labels": [lb.get("name") for lb in raw.get("labels") or [] if isinstance(lb, dict)],
                    "merged_by": (detail.get("merged_by") or {}).get("login"),
                }
            )
        try:
            reviews = [_raw(rv) for rv in pr.get_reviews()]
        except (NotModified, BudgetExhausted, TokenError):
            raise
        except Exception as exc:  # noqa: BLE001 — the PR itself is still worth storing
            yield self._problem(name, f"pull #{number} reviews", exc)
            reviews = []
        for r in reviews:
            who = r.get("user") or {}
            rlogin = who.get("login")
            at = _dt(r.get("submitted_at"))
            if not rlogin or rlogin.lower() == GHOST or at is None or at < (self.since or self.window_start):
                continue
            if is_bot(who):
                self.extra["bots_skipped"] += 1
                continue
            if author and rlogin.lower() == author.lower():
                continue  # answering comments on one's own PR is not reviewing
            self._meet(rlogin)
            rows["identity"].append(self._ident(rlogin))
            rows["activity"].append(
                {
                    "uid": f"github:review:{name}#{number}:{r.get('id')}",
                    "kind": "review",
                    "repo": name,
                    "identity": (SOURCE, rlogin),
                    "occurred_at": at,
                    "title": raw.get("title"),
                    "url": r.get("html_url") or raw.get("html_url"),
                    "state": r.get("state"),
                    "number": number,
                }
            )
        if rows["activity"]:
            yield Record(SOURCE, "pull", f"github:pr:{name}#{number}", str(raw.get("id", number)),
                         _dt(raw.get("updated_at")), rows)

    def _commits(self, name: str) -> Iterator[Item]:
        cur = self.cursors.get(("commits", name), {})
        # the stored cursor, not "now - window": an unchanged URL is what lets the ETag match
        since = self.since or _dt(cur.get("since")) or self.window_start
        self.t.arm(None if self.since else cur.get("etag"))
        newest: Optional[datetime] = None
        try:
            for c in self.lazy.get_repo(name).get_commits(since=since):
                raw = _raw(c)
                info = raw.get("commit") or {}
                cdate = _dt((info.get("committer") or {}).get("date")) or _dt((info.get("author") or {}).get("date"))
                if cdate and (newest is None or cdate > newest):
                    newest = cdate
                user = raw.get("author") or {}
                login = user.get("login")
                if not login or login.lower() == GHOST:
                    self.extra["commits_without_login"] += 1
                    continue
                if is_bot(user):
                    self.extra["bots_skipped"] += 1
                    continue
                sha = raw.get("sha")
                self._meet(login)
                email = ((info.get("author") or {}).get("email") or "").strip().lower()
                if email:  # GitHub tied this address to the account: evidence for resolution
                    self.emails.setdefault(login.lower(), set()).add(email)
                yield Record(SOURCE, "commit", f"github:commit:{name}:{sha}", sha, cdate,
                             {"identity": [self._ident(login)],
                              "activity": [{"uid": f"github:commit:{name}:{sha}", "kind": "commit", "repo": name,
                                            "identity": (SOURCE, login), "occurred_at": cdate,
                                            "title": (info.get("message") or "").split("\n", 1)[0][:300] or None,
                                            "url": raw.get("html_url")}]})
        except NotModified:
            return
        except Exception as exc:
            if getattr(exc, "status", None) == 409:
                yield Problem(SOURCE, f"{name} commits", "empty repository (409): no commits yet")
                return
            raise
        etag, _ = self.t.captured
        if newest and newest != since:
            # the next run asks `since=newest`: learn that URL's ETag now (its first page holds
            # only the newest commit), so that a night without commits costs a free 304
            self.t.arm(None)
            next(iter(self.lazy.get_repo(name).get_commits(since=newest)), None)
            etag, _ = self.t.captured
        yield Checkpoint(SOURCE, "commits", name, since=newest or since, etag=etag)

    def _profiles(self, login: str) -> Iterator[Item]:
        known = self.stored.get(login.lower(), {})
        had = set(known.get("emails") or ())
        emails = had | self.emails.get(login.lower(), set())
        self.t.arm(known.get("etag"), known.get("last_modified"))
        try:
            user = self.gh.get_user(login)
        except NotModified:
            if emails != had:  # the profile did not change, but commits showed new addresses
                yield Record(SOURCE, "profile", f"github:user:{login}", login, None,
                             {"identity": [{"source": SOURCE, "external_key": login, "emails": sorted(emails)}]})
            return
        except Exception as exc:
            if getattr(exc, "status", None) == 404:
                yield Problem(SOURCE, f"user {login}", "account not found (deleted or renamed; GitHub shows it as ghost)")
                return
            raise
        raw = _raw(user)
        etag, lm = self.t.captured
        if is_bot(raw):
            self.extra["bots_skipped"] += 1
            return
        row = self._profile_row(raw, etag, lm)
        row["emails"] = sorted(emails | set(row["emails"] or ())) or None
        yield Record(SOURCE, "profile", f"github:user:{raw.get('login', login)}", str(raw.get("id", login)),
                     _dt(raw.get("updated_at")), {"identity": [row]})

    def _user_repos(self, login: str) -> Iterator[Item]:
        from github.PaginatedList import PaginatedList
        from github.Repository import Repository

        cur = self.cursors.get(("user_repos", login), {})
        self.t.arm(cur.get("etag"))
        watched = {r.lower() for r in self.repos} | {v.lower() for v in self.renamed.values()}
        listing = PaginatedList(Repository, self.lazy.requester, f"/users/{login}/repos",
                                {"type": "owner", "sort": "pushed"})
        try:
            for r in listing:
                raw = _raw(r)
                if raw.get("fork") or raw.get("private"):
                    continue
                full = raw.get("full_name")
                if not full:
                    continue
                rows: dict[str, list] = {"identity": [self._ident(login)]}
                if full.lower() not in watched:
                    row = self._repo_row(raw, watched=False)
                    row["discovered_via"] = "user"
                    rows["repo"] = [row]
                rows["repocontributor"] = [{"repo": full, "identity": (SOURCE, login), "is_owner": True}]
                yield Record(SOURCE, "user_repo", f"github:repo:{full}", str(raw.get("id", full)),
                             _dt(raw.get("updated_at")), rows)
        except NotModified:
            return
        except Exception as exc:
            if getattr(exc, "status", None) == 404:
                yield Problem(SOURCE, f"user {login} repos", "account not found (deleted or renamed)")
                return
            raise
        etag, _ = self.t.captured
        yield Checkpoint(SOURCE, "user_repos", login, etag=etag)

    # --- rows --------------------------------------------------------------------------------

    def _meet(self, login: str) -> None:
        self.seen.setdefault(login.lower(), login)

    @staticmethod
    def _ident(login: str) -> dict:
        # only what a mention knows: profile fields come from the profile and must not be reset
        return {"source": SOURCE, "external_key": login, "login": login, "kind": "user"}

    def _skills(self, name: str) -> tuple:
        return self.taxonomy.skills_of_repo(name) if self.taxonomy else ()

    @staticmethod
    def _repo_row(raw: dict, *, watched: bool, etag=None, last_modified=None) -> dict:
        owner = raw.get("owner") or {}
        lic = raw.get("license") or {}
        row = {
            "full_name": raw.get("full_name"),
            "owner": owner.get("login") or str(raw.get("full_name", "/")).split("/")[0],
            "owner_is_org": owner.get("type") == "Organization" if owner.get("type") else None,
            "description": raw.get("description"),
            "homepage": raw.get("homepage") or None,
            "language": raw.get("language"),
            "topics": list(raw.get("topics") or []),
            "license": (lic.get("spdx_id") if isinstance(lic, dict) else None) or None,
            "stars": raw.get("stargazers_count", raw.get("watchers_count")),
            "forks": raw.get("forks_count", raw.get("forks")),
            "watchers": raw.get("subscribers_count"),
            "open_issues": raw.get("open_issues_count", raw.get("open_issues")),
            "is_fork": bool(raw.get("fork")),
            "archived": bool(raw.get("archived")),
            "created_at": _dt(raw.get("created_at")),
            "pushed_at": _dt(raw.get("pushed_at")),
            "updated_on": _dt(raw.get("updated_at")),
        }
        if watched:
            row.update(watched=True, discovered_via="watchlist", etag=etag, last_modified=last_modified)
        return row

    @staticmethod
    def _profile_row(raw: dict, etag, last_modified) -> dict:
        login = raw.get("login")
        email = (raw.get("email") or "").strip().lower()
        blog = (raw.get("blog") or "").strip()
        if blog and "://" not in blog:
            blog = "https://" + blog
        handles = {"github": login}
        if raw.get("twitter_username"):
            handles["twitter"] = raw["twitter_username"]
        if blog:
            handles["homepage"] = blog
        return {
            "source": SOURCE,
            "external_key": login,
            "login": login,
            "kind": "user",
            "name": raw.get("name") or None,
            "emails": [email] if email else None,
            "urls": [f"https://github.com/{login}"] + ([blog] if blog else []),
            "handles": handles,
            "company": (raw.get("company") or "").strip() or None,
            "location": (raw.get("location") or "").strip() or None,
            "bio": raw.get("bio") or None,
            "followers": raw.get("followers"),
            "hireable": raw.get("hireable"),
            "created_on": _dt(raw.get("created_at")),
            "updated_on": _dt(raw.get("updated_at")),
            "etag": etag,
            "last_modified": last_modified,
        }

    # --- reporting ---------------------------------------------------------------------------

    def _problem(self, where: str, category: str, exc: BaseException) -> Problem:
        status = getattr(exc, "status", None)
        data = getattr(exc, "data", None)
        msg = data.get("message") if isinstance(data, dict) else None
        if status == 404:
            text = "not found (404): unknown, private or deleted"
        elif status is not None:
            text = f"HTTP {status}" + (f": {msg}" if msg else "")
        elif isinstance(exc, ValueError):
            text = f"malformed answer: {exc}"
        else:
            text = f"{type(exc).__name__}: {exc}"
        return Problem(SOURCE, f"{where} {category}", text, fatal=status == 404 and category == "repo")

    def _tick(self, **kw) -> None:
        for k, v in kw.items():
            setattr(self.state, k, v)
        c = self.t.counts
        self.state.requests, self.state.not_modified = c.requests, c.not_modified
        self.state.budget_left = self.t.budget_left()
        if self._progress:
            try:
                self._progress(self.state)
            except BaseException as exc:
                self._interrupt = exc
                raise

    def counts(self) -> dict:
        c = self.t.counts
        rate = self.t.rate()
        return {
            "requests": c.requests,
            "counted_requests": c.counted,
            "not_modified": c.not_modified,
            "retries": c.retries,
            "waited_seconds": round(c.waits, 1),
            "budget_left": self.t.budget_left(),
            "rate_remaining": rate["remaining"],
            "rate_limit": rate["limit"],
            "unauthenticated": self.t.unauthenticated,
            "stopped": self.stopped,
            **self.extra,
        }


# --- the stage ---------------------------------------------------------------------------


def _read_known(engine, names: list[str]) -> _Known:
    """Validators already stored on rows: watched repos' and GitHub people's ETags."""
    from sqlalchemy import select

    from storage.models import Identity, Repo

    known = _Known()
    r, i = Repo.__table__, Identity.__table__
    with engine.connect() as conn:
        for row in conn.execute(select(r.c.full_name, r.c.etag, r.c.last_modified, r.c.renamed_to)
                                .where(r.c.full_name.in_(names))):
            known.repos[row.full_name] = {"etag": row.etag, "last_modified": row.last_modified,
                                          "renamed_to": row.renamed_to}
        for row in conn.execute(select(i.c.external_key, i.c.etag, i.c.last_modified, i.c.emails)
                                .where((i.c.source == SOURCE) & (i.c.kind == "user"))):
            known.people[row.external_key] = {"etag": row.etag, "last_modified": row.last_modified,
                                              "emails": row.emails}
    return known


def crawl(
    engine,
    config,
    *,
    repos: Optional[list[str]] = None,
    since: Optional[datetime] = None,
    api_url: Optional[str] = None,
    progress: Optional[Callable[[Progress], None]] = None,
    steps: Optional[Callable[[str], Any]] = None,
    now: Optional[datetime] = None,
    categories: Optional[Iterable[str]] = None,
    sleep: Callable[[float], None] = time.sleep,
):
    """Crawl GitHub into storage. Returns `sourcing.collect.Stats` with `stats.extra` holding the
    HTTP figures (requests, counted_requests, not_modified, budget_left, stopped ...).

    `config` is the whole `Config`. `steps(name)` (e.g. `RunRecorder.step`) wraps each category
    in a recorded step whose counts and warnings are filled in.
    """
    import os

    from sourcing.collect import Sink
    from storage.ingest import cursors

    gcfg = config.github
    names = list(dict.fromkeys(repos or config.watchlist()))
    tokens = [(n, os.environ[n]) for n in gcfg.token_env if os.environ.get(n)]
    collector_box: dict = {}

    def on_wait(left: float, why: str) -> None:
        c = collector_box.get("c")
        if c is not None:
            c._tick(waiting=left, why=why)

    transport = Transport(tokens, share=gcfg.budget_share, on_exhausted=gcfg.on_budget_exhausted,
                          sleep=sleep, on_wait=on_wait if progress else None)
    collector = GitHubCollector(
        gcfg, tokens, cursors(engine, SOURCE), transport, repos=names, since=since, api_url=api_url,
        taxonomy=config.load_taxonomy(), known=_read_known(engine, names), now=now, progress=progress,
    )
    collector_box["c"] = collector
    wanted = list(categories or collector.categories)
    if not gcfg.profiles:
        wanted = [c for c in wanted if c != "profiles"]
    if not gcfg.user_repos:
        wanted = [c for c in wanted if c != "user_repos"]
    sink = Sink(engine)
    stats = sink.stats
    for category in wanted:
        ctx = steps(f"github {category}") if steps else nullcontext(None)
        with ctx as step:
            n_problems, before = len(stats.problems), dict(stats.stored)
            records_before, req_before = stats.records, transport.counts.requests
            for item in collector.fetch(category):
                sink.add(item)
            sink.flush()
            if step is not None:
                step.counts = {
                    "records": stats.records - records_before,
                    "requests": transport.counts.requests - req_before,
                    **{k: v - before.get(k, 0) for k, v in stats.stored.items() if v - before.get(k, 0)},
                }
                for p in stats.problems[n_problems:]:
                    step.warn(f"{p.where}: {p.message}")
        if collector.stopped:
            break
    stats.extra = collector.counts()
    return stats
