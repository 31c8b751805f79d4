"""Hand-made stored worlds for scoring tests: rows written through storage, people assigned by hand."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from storage import models as m
from storage.ingest import store
from storage.upsert import key_ids, upsert

NOW = datetime(2026, 10, 15, 12, 0, tzinfo=timezone.utc)


def ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


@dataclass
class World:
    """Rows by table, plus who is who: login or external key -> person id."""

    rows: dict = field(default_factory=lambda: {t: [] for t in (
        "repo", "event", "identity", "paper", "talk", "repocontributor", "activity", "authorship", "papercode", "speaking")})
    people: dict = field(default_factory=dict)  # person id -> {"name", "bot"}
    owner: dict = field(default_factory=dict)  # (source, external_key) -> person id
    _n: int = 0

    def person(self, pid: int, name: str, bot: bool = False) -> int:
        self.people[pid] = {"display_name": name, "is_bot": bot}
        return pid

    def repo(self, full_name: str, **kw) -> str:
        self.rows["repo"].append({"full_name": full_name, "owner": full_name.split("/")[0], **kw})
        return full_name

    def github(self, pid: int, login: str, kind: str = "user") -> tuple:
        key = ("github", login)
        self.rows["identity"].append({"source": "github", "external_key": login, "login": login, "kind": kind, "name": login})
        self.owner[key] = pid
        return key

    def _uid(self) -> int:
        self._n += 1
        return self._n

    def pr(self, login: str, repo: str, days_ago: float, *, merged=True, lines=120, title="Improve scheduler", files=None, merged_by=None):
        n = self._uid()
        self.rows["activity"].append({
            "uid": f"github:pr:{repo}#{n}", "kind": "pr_merged" if merged else "pr_open", "repo": repo,
            "identity": ("github", login), "occurred_at": ago(days_ago), "title": title, "number": n,
            "additions": lines // 2 + lines % 2, "deletions": lines // 2, "changed_files": len(files or ["a.py", "b.py"]),
            "files": files or ["src/a.py", "src/b.py"], "merged_by": merged_by or ("maintainer" if merged else None),
            "url": f"https://github.com/{repo}/pull/{n}",
        })

    def review(self, login: str, repo: str, days_ago: float):
        n = self._uid()
        self.rows["activity"].append({
            "uid": f"github:review:{repo}#{n}:{n}", "kind": "review", "repo": repo, "identity": ("github", login),
            "occurred_at": ago(days_ago), "number": n, "state": "APPROVED",
            "url": f"https://github.com/{repo}/pull/{n}#pullrequestreview-{n}",
        })

    def commit(self, login: str, repo: str, days_ago: float, lines=40):
        n = self._uid()
        self.rows["activity"].append({
            "uid": f"github:commit:{repo}:{n:040x}", "kind": "commit", "repo": repo, "identity": ("github", login),
            "occurred_at": ago(days_ago), "additions": lines, "deletions": 0, "title": "Refactor module",
            "url": f"https://github.com/{repo}/commit/{n:040x}",
        })

    def paper(self, key: str, title: str, authors: list[tuple[int, str]], *, days_ago=100, primary="cs.LG",
              cats=None, abstract="", code=None):
        self.rows["paper"].append({
            "key": key, "title": title, "abstract": abstract, "primary_category": primary,
            "categories": cats or [primary], "published": ago(days_ago), "url": f"https://arxiv.org/abs/{key}",
        })
        for pos, (pid, name) in enumerate(authors):
            ext = f"{key}#{pos}"
            self.rows["identity"].append({"source": "arxiv", "external_key": ext, "name": name})
            self.rows["authorship"].append({"paper": key, "position": pos, "identity": ("arxiv", ext)})
            if pid is not None:
                self.owner[("arxiv", ext)] = pid
        if code:
            self.rows["papercode"].append({"paper": key, "url": code, "repo": code.split("github.com/")[-1] if "github.com/" in code else None})

    def event(self, key: str, name: str, days_ago=200):
        self.rows["event"].append({"key": key, "name": name, "platform": "pretalx", "url": f"https://pretalx.com/{key}/",
                                   "starts_on": ago(days_ago), "ends_on": ago(days_ago - 2)})

    def talk(self, event: str, code: str, title: str, speakers: list[tuple[int, str]], *, days_ago=200, kind="talk", abstract=""):
        key = f"{event}/{code}"
        self.rows["talk"].append({"key": key, "event": event, "title": title, "abstract": abstract, "kind": kind,
                                  "starts_at": ago(days_ago), "url": f"https://pretalx.com/{event}/talk/{code}/"})
        for i, (pid, name) in enumerate(speakers):
            ext = f"{key}#{i}"
            self.rows["identity"].append({"source": "talks", "external_key": ext, "name": name})
            self.rows["speaking"].append({"talk": key, "position": i, "identity": ("talks", ext)})
            self.owner[("talks", ext)] = pid

    def save(self, engine) -> None:
        rows = {t: [dict(r) for r in rs] for t, rs in self.rows.items()}
        for r in rows["papercode"]:
            if r.get("repo") is None:
                r.pop("repo", None)
        with engine.begin() as conn:
            upsert(conn, m.Person, [{"id": pid, **v} for pid, v in sorted(self.people.items())])
            store(conn, rows)
            ids = key_ids(conn, m.Identity, list(self.owner))
            upsert(conn, m.Identity, [
                {"source": k[0], "external_key": k[1], "person_id": pid} for k, pid in self.owner.items() if k in ids
            ])
