"""Hand-made identity rows stored the way collectors store them (storage.ingest.store)."""

from __future__ import annotations

import pytest

from storage.ingest import store_batch


def gh(login, name=None, **kw):
    return {"source": "github", "external_key": login, "login": login, "name": name, **kw}


def speaker(talk, index, name, **kw):
    return {"source": "talks", "external_key": f"{talk}#{index}", "name": name, **kw}


def author(paper, pos, name, **kw):
    return {"source": "arxiv", "external_key": f"{paper}#{pos}", "name": name, **kw}


class World:
    """Builds one batch: identities plus the papers, talks and repos that give them context."""

    def __init__(self):
        self.rows = {k: [] for k in ("repo", "event", "identity", "paper", "talk", "repocontributor",
                                     "authorship", "papercode", "speaking")}

    def github(self, login, name=None, repos=(), **kw):
        self.rows["identity"].append(gh(login, name, **kw))
        for r in repos:
            self.repo(r)
            self.rows["repocontributor"].append({"repo": r, "identity": ("github", login), "contributions": 3})
        return ("github", login)

    def repo(self, full_name):
        if all(r["full_name"] != full_name for r in self.rows["repo"]):
            owner = full_name.split("/")[0]
            self.rows["repo"].append({"full_name": full_name, "owner": owner, "owner_is_org": True})

    def paper(self, key, authors, code=None, categories=("cs.LG",), title="A study"):
        """authors: names or (name, affiliation) pairs."""
        self.rows["paper"].append({"key": key, "title": title, "categories": list(categories)})
        out = []
        for pos, a in enumerate(authors):
            name, aff = (a, None) if isinstance(a, str) else a
            self.rows["identity"].append(author(key, pos, name, affiliation=aff))
            self.rows["authorship"].append({"paper": key, "position": pos, "identity": ("arxiv", f"{key}#{pos}"),
                                            "affiliation": aff})
            out.append(("arxiv", f"{key}#{pos}"))
        if code:
            self.repo(code)
            self.rows["papercode"].append({"paper": key, "url": f"https://github.com/{code}", "repo": code})
        return out

    def talk(self, key, speakers, tags=()):
        """speakers: dicts with at least name (and bio, handles, emails ...)."""
        event = key.split("/")[0]
        if all(e["key"] != event for e in self.rows["event"]):
            self.rows["event"].append({"key": event, "name": event})
        self.rows["talk"].append({"key": key, "event": event, "title": "A talk", "tags": list(tags)})
        out = []
        for i, s in enumerate(speakers):
            s = dict(s)
            self.rows["identity"].append(speaker(key, i, s.pop("name"), **s))
            self.rows["speaking"].append({"talk": key, "position": i, "identity": ("talks", f"{key}#{i}")})
            out.append(("talks", f"{key}#{i}"))
        return out

    def store(self, engine):
        store_batch(engine, {k: v for k, v in self.rows.items() if v})
        self.__init__()


@pytest.fixture
def world():
    return World()


def person_of(engine, ident):
    from sqlalchemy import text

    with engine.connect() as conn:
        return conn.execute(
            text("SELECT person_id FROM identity WHERE source = :s AND external_key = :k"),
            {"s": ident[0], "k": ident[1]},
        ).scalar_one()


def identity_id(engine, ident):
    from sqlalchemy import text

    with engine.connect() as conn:
        return conn.execute(
            text("SELECT id FROM identity WHERE source = :s AND external_key = :k"), {"s": ident[0], "k": ident[1]}
        ).scalar_one()
