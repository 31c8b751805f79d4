"""The offline world as plain dataclasses: people, repos and their activity, papers, conferences.

The generator (`sourcing.world.generate`) fills a `World`; the server renders it as GitHub REST,
arXiv Atom and conference pages; `rows.to_rows` turns it into storage rows; `World.truth()` says
which source identities are one person and what each person is really good at.

Every appearance of a person in a source carries the person's world id (`person`) and the name
*as that source spells it* (variants: initials, dropped accents, swapped order ...). Times are
timezone-aware UTC datetimes.
"""

from __future__ import annotations

import gc
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Optional

# --- people ------------------------------------------------------------------------------


@dataclass(slots=True)
class GitHubAccount:
    """A person's GitHub user (or a bot account); what GET /users/{login} shows."""

    id: int  # GitHub numeric id
    login: str
    type: str = "User"  # User | Bot
    name: Optional[str] = None  # display name as shown on GitHub (a variant of the person's)
    email: Optional[str] = None  # public profile email, often None
    blog: Optional[str] = None
    twitter: Optional[str] = None
    company: Optional[str] = None
    location: Optional[str] = None
    bio: Optional[str] = None
    hireable: Optional[bool] = None
    followers: int = 0
    following: int = 0
    created_at: Optional[datetime] = None
    updated_at: Optional[datetime] = None

    def noreply(self) -> str:
        return f"{self.id}+{self.login}@users.noreply.github.com"


@dataclass(slots=True)
class Person:
    """One real human (or bot) of the world; the unit the truth is written in."""

    id: int  # world person id, 0-based, stable for (seed, size)
    name: str  # canonical full name, "Given [Middle] Family"
    given: str
    family: str
    middle: Optional[str] = None
    # taxonomy skill key -> true strength 0..1 (a few strong, most ordinary, a long tail)
    skills: dict[str, float] = field(default_factory=dict)
    location: Optional[str] = None
    company: Optional[str] = None  # current
    companies: list[tuple[str, int]] = field(default_factory=list)  # history: (company, since year)
    homepage: Optional[str] = None
    emails: list[str] = field(default_factory=list)  # lower-case; work, personal ...
    bio: Optional[str] = None
    bot: bool = False
    github: Optional[GitHubAccount] = None
    # every (source, external_key) this person appears under, exactly as collectors store them
    identities: list[tuple[str, str]] = field(default_factory=list)

    @property
    def login(self) -> Optional[str]:
        return self.github.login if self.github else None

    @property
    def strength(self) -> float:
        """The person's best skill strength (0 when they have none)."""
        return max(self.skills.values(), default=0.0)


# --- code --------------------------------------------------------------------------------


@dataclass(slots=True)
class Repo:
    id: int  # GitHub numeric id
    owner: str
    name: str
    owner_is_org: bool = True
    owner_id: int = 0
    description: Optional[str] = None
    homepage: Optional[str] = None
    language: Optional[str] = None
    languages: dict[str, int] = field(default_factory=dict)  # language -> bytes
    topics: list[str] = field(default_factory=list)
    license: Optional[str] = None  # SPDX id, e.g. "Apache-2.0"
    stars: int = 0
    forks: int = 0
    watchers: int = 0
    open_issues: int = 0
    default_branch: str = "main"
    is_fork: bool = False
    archived: bool = False
    watched: bool = False  # a real-name project from the taxonomy watchlist
    skills: list[str] = field(default_factory=list)  # taxonomy skills it signals
    importance: float = 0.0  # 0..1, drives popularity and who works there
    owner_person: Optional[int] = None  # personal repo: the owner's person id
    created_at: Optional[datetime] = None
    pushed_at: Optional[datetime] = None
    updated_at: Optional[datetime] = None
    renamed_from: Optional[str] = None  # old "owner/name"; GitHub answers it with 301
    empty: bool = False  # no commits; GitHub answers commits with 409

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"


@dataclass(slots=True)
class PullRequest:
    repo: str  # "owner/name"
    number: int
    id: int  # GitHub numeric id
    author: int  # person id
    title: str
    body: Optional[str]
    created_at: datetime
    updated_at: datetime
    closed_at: Optional[datetime] = None
    merged_at: Optional[datetime] = None
    merged_by: Optional[int] = None  # person id
    additions: int = 0
    deletions: int = 0
    changed_files: int = 0
    commits: int = 1
    labels: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    head_sha: str = ""
    merge_commit_sha: Optional[str] = None

    @property
    def state(self) -> str:
        return "closed" if self.closed_at else "open"

    @property
    def merged(self) -> bool:
        return self.merged_at is not None


@dataclass(slots=True)
class Review:
    repo: str
    number: int  # the pull request's number
    id: int  # GitHub review id
    author: int  # person id
    state: str  # APPROVED | CHANGES_REQUESTED | COMMENTED
    submitted_at: datetime
    body: str = ""
    commit_id: str = ""


@dataclass(slots=True)
class Commit:
    """A direct commit (not through a pull request)."""

    repo: str
    sha: str
    author: Optional[int]  # person id, None when the author email maps to no GitHub account
    author_name: str  # git author name (a variant)
    author_email: str  # git author email (work, personal or noreply)
    committed_at: datetime
    message: str
    additions: int = 0
    deletions: int = 0
    files: list[str] = field(default_factory=list)


# --- research ----------------------------------------------------------------------------


@dataclass(slots=True)
class Author:
    person: int  # person id
    name: str  # as printed on the paper ("J. Smith", "Smith, John", "Jose Garcia" ...)
    affiliation: Optional[str] = None
    given: Optional[str] = None  # proceedings split the name
    family: Optional[str] = None


@dataclass(slots=True)
class Paper:
    """An arXiv paper."""

    id: str  # arXiv id without version, "2406.01234"
    version: int
    title: str
    abstract: str
    authors: list[Author]
    primary_category: str
    categories: list[str]
    published: datetime
    updated: datetime
    comment: Optional[str] = None
    journal_ref: Optional[str] = None
    doi: Optional[str] = None
    code_url: Optional[str] = None  # the GitHub URL in its abstract or comment, if any
    skills: list[str] = field(default_factory=list)  # what it is really about (for tests)

    @property
    def key(self) -> str:
        return self.id


@dataclass(slots=True)
class ProceedingsPaper:
    """A paper of a proceedings volume (PMLR shape)."""

    volume: str  # volume key, "pmlr-v199"
    id: str  # "abbasi22a"
    title: str
    abstract: str
    authors: list[Author]
    firstpage: int = 1
    lastpage: int = 10
    pdf_url: Optional[str] = None
    code_url: Optional[str] = None

    @property
    def key(self) -> str:
        return f"{self.volume}/{self.id}"


@dataclass(slots=True)
class Volume:
    """A proceedings volume, e.g. PMLR v199 at https://proceedings.mlr.press/v199/."""

    key: str  # "pmlr-v199"
    name: str  # "Proceedings of The 1st Conference on Lifelong Learning Agents"
    short: str  # "CoLLAs 2022"
    url: str  # the real URL the default config lists
    host: str  # "proceedings.mlr.press"
    path: str  # "v199/"
    published: datetime
    editors: list[str] = field(default_factory=list)
    papers: list[ProceedingsPaper] = field(default_factory=list)


# --- conferences -------------------------------------------------------------------------


@dataclass(slots=True)
class Speaker:
    person: int  # person id
    name: str  # as the conference spells it
    code: str  # the platform's speaker code/id (pretalx "ABCDEF", frab numeric id as str)
    bio: Optional[str] = None  # may link a GitHub profile or homepage
    avatar: Optional[str] = None
    github: Optional[str] = None  # GitHub login mentioned in the bio/profile, if any
    homepage: Optional[str] = None
    twitter: Optional[str] = None
    email: Optional[str] = None  # rarely public


@dataclass(slots=True)
class Talk:
    event: str  # event key
    code: str  # pretalx submission code, frab event id, pyvideo slug
    title: str
    abstract: str
    speakers: list[Speaker]
    kind: str = "talk"  # talk | keynote | tutorial | lightning
    track: Optional[str] = None
    room: Optional[str] = None
    language: str = "en"
    starts_at: Optional[datetime] = None
    duration_min: int = 30
    video_url: Optional[str] = None
    tags: list[str] = field(default_factory=list)
    skills: list[str] = field(default_factory=list)  # what it is really about (for tests)

    @property
    def key(self) -> str:
        return f"{self.event}/{self.code}"


@dataclass(slots=True)
class Event:
    """A conference at one of the default config's talk sites."""

    key: str  # pretalx slug, frab acronym, pyvideo slug ("scipy-2023")
    name: str  # "PyData Berlin 2025"
    platform: str  # pretalx | frab | pyvideo
    url: str  # the real URL the default config lists
    host: str  # "pretalx.com"
    path: str  # "pydata-berlin-2025/"
    location: Optional[str] = None
    starts_on: Optional[datetime] = None
    ends_on: Optional[datetime] = None
    talks: list[Talk] = field(default_factory=list)


# --- the world ---------------------------------------------------------------------------


@dataclass
class World:
    seed: int
    size: int
    now: datetime  # the world's "today": nothing happens after it
    people: list[Person] = field(default_factory=list)
    repos: list[Repo] = field(default_factory=list)
    pulls: list[PullRequest] = field(default_factory=list)
    reviews: list[Review] = field(default_factory=list)
    commits: list[Commit] = field(default_factory=list)
    papers: list[Paper] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    volumes: list[Volume] = field(default_factory=list)
    # "owner/name" -> [(person id, contributions)], most contributions first (GitHub's order)
    contributors: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    _index: dict = field(default_factory=dict, repr=False)

    # lookups, built once on first use (the world is not mutated after generation)

    def _idx(self, name: str, build) -> dict:
        got = self._index.get(name)
        if got is None:
            with no_gc():
                got = self._index[name] = build()
        return got

    def person(self, pid: int) -> Person:
        return self.people[pid]

    def user(self, login: str) -> Optional[Person]:
        """The person (or bot) behind a GitHub login, case-insensitively."""
        idx = self._idx("user", lambda: {p.github.login.lower(): p for p in self.people if p.github})
        return idx.get(login.lower())

    def repo(self, full_name: str) -> Optional[Repo]:
        idx = self._idx("repo", lambda: {r.full_name.lower(): r for r in self.repos})
        return idx.get(full_name.lower())

    def renamed(self, full_name: str) -> Optional[Repo]:
        """The repo that used to be called `full_name` (GitHub redirects with 301)."""
        idx = self._idx(
            "renamed", lambda: {r.renamed_from.lower(): r for r in self.repos if r.renamed_from}
        )
        return idx.get(full_name.lower())

    def repo_pulls(self, full_name: str) -> list[PullRequest]:
        """A repo's pull requests, by number."""
        idx = self._idx("pulls", lambda: _group(self.pulls, lambda x: x.repo.lower(), lambda x: x.number))
        return idx.get(full_name.lower(), [])

    def pull_reviews(self, full_name: str, number: int) -> list[Review]:
        idx = self._idx(
            "reviews", lambda: _group(self.reviews, lambda x: (x.repo.lower(), x.number), lambda x: x.id)
        )
        return idx.get((full_name.lower(), number), [])

    def repo_commits(self, full_name: str) -> list[Commit]:
        """A repo's direct commits, newest first (as GitHub lists them)."""
        idx = self._idx(
            "commits",
            lambda: _group(self.commits, lambda x: x.repo.lower(), lambda x: x.committed_at, reverse=True),
        )
        return idx.get(full_name.lower(), [])

    def user_repos(self, login: str) -> list[Repo]:
        idx = self._idx("user_repos", lambda: _group(self.repos, lambda r: r.owner.lower(), lambda r: r.name.lower()))
        return idx.get(login.lower(), [])

    def paper(self, arxiv_id: str) -> Optional[Paper]:
        idx = self._idx("paper", lambda: {p.id: p for p in self.papers})
        return idx.get(re.sub(r"v\d+$", "", arxiv_id))

    def event(self, key: str) -> Optional[Event]:
        for e in self.events:
            if e.key == key:
                return e
        return None

    def volume(self, key: str) -> Optional[Volume]:
        for v in self.volumes:
            if v.key == key:
                return v
        return None

    def truth(self) -> dict:
        """Which identities are one person, each person's true skills and strength, bots.

        `{"people": [{"id", "identities": [{"source", "external_key"}], "skills": {skill: 0..1},
        "bot"}]}` with external keys exactly as the collectors store them (source is github,
        arxiv, talks or proceedings); people who appear in no source are left out.
        """
        out = []
        with no_gc():
            for p in self.people:
                if not p.identities:
                    continue
                out.append(
                    {
                        "id": p.id,
                        "identities": [{"source": s, "external_key": k} for s, k in p.identities],
                        "skills": {k: round(v, 4) for k, v in sorted(p.skills.items())},
                        "bot": p.bot,
                    }
                )
        return {"people": out}


@contextmanager
def no_gc():
    """Pause the cyclic collector while millions of small acyclic objects are built: otherwise it
    rescans the whole (large) world again and again."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _group(items, key, order, reverse: bool = False) -> dict:
    out: dict = {}
    for it in items:
        out.setdefault(key(it), []).append(it)
    for v in out.values():
        v.sort(key=order, reverse=reverse)
    return out
