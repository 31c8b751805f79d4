"""SQLModel tables: the whole data model of sourcing, one class per table.

Every table that collectors or passes write has a natural key (a unique constraint) so that
`storage.upsert` can write it idempotently; surrogate integer ids exist for joins only.
Times are timezone-aware UTC datetimes (SQLModel refuses naive ones).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


def _json(default: Any = None) -> Any:
    return Field(default=default, sa_column=Column(JSON, nullable=True))


def _text() -> Any:
    return Field(default=None, sa_column=Column(Text, nullable=True))


# --- people and their appearances -------------------------------------------------------


class Person(SQLModel, table=True):
    """A cluster of identities; display fields are chosen from them by the resolver."""

    id: Optional[int] = Field(default=None, primary_key=True)
    display_name: Optional[str] = None
    github_login: Optional[str] = Field(default=None, index=True)
    location: Optional[str] = None
    company: Optional[str] = None
    homepage: Optional[str] = None
    email: Optional[str] = None
    is_bot: bool = False
    suppressed: bool = False
    created_at: Optional[datetime] = None
    updated_at: Optional[datetime] = None


class Identity(SQLModel, table=True):
    """One appearance of a person in one source. Raw: never rewritten by resolution."""

    __table_args__ = (UniqueConstraint("source", "external_key", name="uq_identity_key"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    source: str  # github | arxiv | talks | proceedings
    # github: login; arxiv: "<paper_id>#<position>"; talks: "<talk_key>#<index>"
    external_key: str
    person_id: Optional[int] = Field(default=None, foreign_key="person.id", index=True)
    name: Optional[str] = None
    login: Optional[str] = Field(default=None, index=True)  # platform login when the source has one
    kind: str = "user"  # user | bot
    emails: Optional[list] = _json()
    urls: Optional[list] = _json()
    # {"github": login, "twitter": h, "mastodon": h, "orcid": id, "homepage": url, ...}
    handles: Optional[dict] = _json()
    affiliation: Optional[str] = None
    company: Optional[str] = None
    location: Optional[str] = None
    bio: Optional[str] = _text()
    followers: Optional[int] = None
    hireable: Optional[bool] = None
    created_on: Optional[datetime] = None  # account creation at the source
    first_seen: Optional[datetime] = None
    last_seen: Optional[datetime] = None
    updated_on: Optional[datetime] = None  # source's own update time (the cursor value)
    etag: Optional[str] = None
    last_modified: Optional[str] = None


# --- code --------------------------------------------------------------------------------


class Repo(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    full_name: str = Field(unique=True)  # "owner/name", as GitHub spells it
    host: str = "github"  # github | gitlab
    owner: Optional[str] = None
    owner_is_org: Optional[bool] = None
    description: Optional[str] = _text()
    homepage: Optional[str] = None
    language: Optional[str] = None
    languages: Optional[dict] = _json()
    topics: Optional[list] = _json()
    license: Optional[str] = None
    stars: Optional[int] = None
    forks: Optional[int] = None
    watchers: Optional[int] = None
    open_issues: Optional[int] = None
    contributors_count: Optional[int] = None
    org_count: Optional[int] = None  # distinct organisations among contributors
    releases_count: Optional[int] = None
    commit_frequency: Optional[float] = None  # commits per week over the last year
    is_fork: Optional[bool] = None
    archived: Optional[bool] = None
    watched: bool = False  # on the watchlist (crawled in depth)
    discovered_via: Optional[str] = None  # watchlist | user | paper | talk
    skills: Optional[list] = _json()  # taxonomy skills the watchlist maps it to
    created_at: Optional[datetime] = None
    pushed_at: Optional[datetime] = None
    updated_on: Optional[datetime] = None
    etag: Optional[str] = None
    last_modified: Optional[str] = None
    renamed_to: Optional[str] = None


class RepoContributor(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("repo_id", "identity_id", name="uq_repo_contributor"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    repo_id: int = Field(foreign_key="repo.id", index=True)
    identity_id: int = Field(foreign_key="identity.id", index=True)
    contributions: int = 0
    is_owner: bool = False  # own repo of the identity (personal repo)


class Activity(SQLModel, table=True):
    """One unit of demonstrated code work: a merged PR, an opened PR, a review, a commit, an issue."""

    __table_args__ = (
        Index("ix_activity_identity_time", "identity_id", "occurred_at"),
        Index("ix_activity_repo_kind", "repo_id", "kind"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    # e.g. "github:pr:apache/airflow#123", "github:review:<id>", "github:commit:<sha>"
    uid: str = Field(unique=True)
    kind: str  # pr_merged | pr_open | pr_closed | review | commit | issue
    repo_id: int = Field(foreign_key="repo.id")
    identity_id: int = Field(foreign_key="identity.id")
    occurred_at: datetime
    title: Optional[str] = None
    body: Optional[str] = _text()
    url: Optional[str] = None
    state: Optional[str] = None  # review state, PR state
    number: Optional[int] = None
    additions: Optional[int] = None
    deletions: Optional[int] = None
    changed_files: Optional[int] = None
    labels: Optional[list] = _json()
    merged_by: Optional[str] = None  # login of the merger, for self-merge detection
    files: Optional[list] = _json()  # changed paths when known (README-only detection)


# --- research ----------------------------------------------------------------------------


class Paper(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    # arXiv id without version ("2406.01234", "astro-ph/0601001"); proceedings: "pmlr-v199/abbasi22a"
    key: str = Field(unique=True)
    source: str = "arxiv"  # arxiv | proceedings
    version: Optional[int] = None
    title: Optional[str] = None
    abstract: Optional[str] = _text()
    primary_category: Optional[str] = None
    categories: Optional[list] = _json()
    published: Optional[datetime] = Field(default=None, index=True)
    updated: Optional[datetime] = None
    doi: Optional[str] = None
    journal_ref: Optional[str] = None
    comment: Optional[str] = _text()
    url: Optional[str] = None
    pdf_url: Optional[str] = None
    venue: Optional[str] = None  # proceedings volume / conference
    event_id: Optional[int] = Field(default=None, foreign_key="event.id")
    withdrawn: bool = False


class Authorship(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("paper_id", "position", name="uq_authorship"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    paper_id: int = Field(foreign_key="paper.id")
    position: int  # 0-based order on the paper
    identity_id: int = Field(foreign_key="identity.id", index=True)
    affiliation: Optional[str] = None


class PaperCode(SQLModel, table=True):
    """A code link found in a paper's abstract or comment."""

    __table_args__ = (UniqueConstraint("paper_id", "url", name="uq_paper_code"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    paper_id: int = Field(foreign_key="paper.id", index=True)
    url: str
    repo_id: Optional[int] = Field(default=None, foreign_key="repo.id", index=True)


# --- talks -------------------------------------------------------------------------------


class Event(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    key: str = Field(unique=True)  # e.g. "pydata-berlin-2019", "pmlr-v199"
    name: Optional[str] = None
    platform: Optional[str] = None  # pretalx | frab | pyvideo | proceedings | europython
    url: Optional[str] = None
    location: Optional[str] = None
    starts_on: Optional[datetime] = None
    ends_on: Optional[datetime] = None


class Talk(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    key: str = Field(unique=True)  # "<event key>/<talk code>"
    event_id: Optional[int] = Field(default=None, foreign_key="event.id", index=True)
    title: Optional[str] = None
    abstract: Optional[str] = _text()
    track: Optional[str] = None
    room: Optional[str] = None
    kind: Optional[str] = None  # talk | keynote | tutorial | poster ...
    language: Optional[str] = None
    starts_at: Optional[datetime] = None
    duration_min: Optional[int] = None
    url: Optional[str] = None
    video_url: Optional[str] = None
    tags: Optional[list] = _json()


class Speaking(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("talk_id", "position", name="uq_speaking"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    talk_id: int = Field(foreign_key="talk.id")
    position: int
    identity_id: int = Field(foreign_key="identity.id", index=True)


# --- scores ------------------------------------------------------------------------------


class Score(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("person_id", "dimension", "name", name="uq_score"),
        # person_id last: ranking and counting read it from the index without touching the table
        Index("ix_score_dim_value", "dimension", "name", "value", "person_id"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id")
    dimension: str  # skill | role | overall
    name: str  # taxonomy skill key, role key, or "overall"
    value: float  # 0..100
    rank: Optional[int] = None
    run_id: Optional[int] = Field(default=None, foreign_key="run.id")
    flags: Optional[list] = _json()  # e.g. ["burst", "self-merged"]


class Evidence(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("score_id", "position", name="uq_evidence"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    score_id: int = Field(foreign_key="score.id", index=True)
    position: int
    text: str
    url: Optional[str] = None
    weight: float = 0.0
    kind: Optional[str] = None  # code | review | research | talk
    ref: Optional[str] = None  # "activity:<id>", "paper:<id>", "talk:<id>", "repo:<id>"


# --- lead lists and review ---------------------------------------------------------------


class LeadList(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("search", "run_id", name="uq_lead_list"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    search: str  # saved search name
    run_id: Optional[int] = Field(default=None, foreign_key="run.id")
    created_at: Optional[datetime] = None
    params: Optional[dict] = _json()


class Lead(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("lead_list_id", "person_id", name="uq_lead"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    lead_list_id: int = Field(foreign_key="leadlist.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    rank: int
    score: float
    flag: str = "new"  # new | up | same | down
    why: Optional[str] = None


class Review(SQLModel, table=True):
    """A sourcer's decision on a person; belongs to the person, survives runs and merges."""

    id: Optional[int] = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", unique=True)
    status: str = "new"  # new | shortlisted | contacted | rejected | hired
    note: Optional[str] = _text()
    reviewer: Optional[str] = None
    updated_at: Optional[datetime] = None


class Suppression(SQLModel, table=True):
    """Someone who asked to be forgotten: only salted hashes of their keys are kept."""

    __table_args__ = (UniqueConstraint("kind", "key_hash", name="uq_suppression"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    kind: str  # login | email | name_link | external_key
    key_hash: str
    created_at: Optional[datetime] = None


# --- operations --------------------------------------------------------------------------


class Run(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    kind: str = "run"  # run | crawl | resolve | score | leads | demo
    trigger: Optional[str] = None  # cli | daemon | demo
    status: str = "running"  # running | ok | partial | failed | interrupted
    started_at: Optional[datetime] = None
    finished_at: Optional[datetime] = None
    counts: Optional[dict] = _json()
    error: Optional[str] = _text()


class RunStep(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("run_id", "name", name="uq_run_step"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="run.id", index=True)
    name: str
    status: str = "running"  # running | ok | failed | skipped | interrupted
    started_at: Optional[datetime] = None
    finished_at: Optional[datetime] = None
    counts: Optional[dict] = _json()
    error: Optional[str] = _text()
    warnings: Optional[list] = _json()


class Cursor(SQLModel, table=True):
    """A collector's bookmark, written in the transaction that stores what it covers."""

    __table_args__ = (UniqueConstraint("source", "category", "key", name="uq_cursor"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    source: str
    category: str
    key: str = ""  # partition: repo full name, query, site
    since: Optional[datetime] = None
    etag: Optional[str] = None
    last_modified: Optional[str] = None
    page: Optional[int] = None
    state: Optional[dict] = _json()
    updated_at: Optional[datetime] = None


class IdentityLink(SQLModel, table=True):
    """Why the resolver thinks two identities are one person (auto) or might be (suggested)."""

    __table_args__ = (UniqueConstraint("identity_a", "identity_b", name="uq_identity_link"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    identity_a: int = Field(foreign_key="identity.id", index=True)  # always the smaller id
    identity_b: int = Field(foreign_key="identity.id", index=True)
    reason: str
    confidence: float
    status: str = "auto"  # auto | suggested
    created_at: Optional[datetime] = None


class IdentityDecision(SQLModel, table=True):
    """A human's decision between two identities; every later resolve honours it."""

    __table_args__ = (UniqueConstraint("identity_a", "identity_b", name="uq_identity_decision"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    identity_a: int = Field(foreign_key="identity.id", index=True)  # always the smaller id
    identity_b: int = Field(foreign_key="identity.id", index=True)
    decision: str  # same | not_same
    reviewer: Optional[str] = None
    note: Optional[str] = None
    created_at: Optional[datetime] = None


# --- full-text index of demonstrated work (role fit) --------------------------------------


class WorkDoc(SQLModel, table=True):
    """One piece of a person's own work as text (a merged PR, a repo they contribute to, a paper,
    a talk), kept in step with the stored records and indexed by the FTS5 table `work_fts`."""

    id: Optional[int] = Field(default=None, primary_key=True)
    ref: str = Field(unique=True)  # "activity:<id>", "repo:<repo id>:<identity id>", "paper:<id>:<identity id>", ...
    identity_id: int = Field(
        sa_column=Column(Integer, ForeignKey("identity.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    kind: str  # pr | repo | paper | talk
    title: Optional[str] = None
    body: Optional[str] = _text()
    url: Optional[str] = None
    where: Optional[str] = None  # repo full name, venue or event, for explanations
    occurred_at: Optional[datetime] = None


class IdentityKey(SQLModel, table=True):
    """A blocking key of an identity (login, email, handle, normalised name), written by the
    resolver so that an incremental resolve finds candidates through an index, not a scan."""

    key: str = Field(primary_key=True)  # "g:<login>", "e:<email>", "n:<family>|<initial>" ...
    identity_id: int = Field(
        sa_column=Column(Integer, ForeignKey("identity.id", ondelete="CASCADE"), primary_key=True, index=True)
    )


class IdentityChange(SQLModel, table=True):
    """Identities changed since the last resolve (filled by database triggers, emptied by resolve)."""

    identity_id: int = Field(
        sa_column=Column(Integer, ForeignKey("identity.id", ondelete="CASCADE"), primary_key=True)
    )
