"""The GitHub collector against real recorded GitHub answers (PyGithub's ReplayData in the corpus),
served by a small real HTTP server: the collector's whole stack (PyGithub, transport, storage) runs.

The server answers a request with the recorded response for the same path (pagination query kept,
filter parameters ignored), rewrites api.github.com URLs to itself, and answers a matching
If-None-Match with 304 as GitHub does.
"""

from __future__ import annotations

import ast
import json
import logging
import threading
import urllib.parse
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import func, select

from sourcing.config import Config
from sourcing.sources.github import crawl
from storage import models as m

NOW = datetime(2012, 6, 1, tzinfo=timezone.utc)  # the recordings' time: their data is in the window
PAGING = ("page", "last_sha", "top")
HOP = {"status", "content-length", "transfer-encoding", "connection", "content-encoding", "server"}


def read_records(path):
    lines = path.read_text(encoding="utf-8").split("\n")
    out = []
    for i in range(0, len(lines) - 10, 11):
        out.append(
            {
                "method": lines[i + 1],
                "path": lines[i + 4],
                "status": int(lines[i + 7]),
                "headers": ast.literal_eval(lines[i + 8]),
                "body": lines[i + 9],
            }
        )
    return out


def _key(method: str, path: str) -> str:
    u = urllib.parse.urlsplit(path)
    q = sorted((k, v) for k, v in urllib.parse.parse_qsl(u.query) if k in PAGING)
    return f"{method} {u.path}?{urllib.parse.urlencode(q)}"


class Replay:
    """Serve recorded exchanges. Several recordings of one request are answered in order (the last
    one repeats): that is how a recorded 500-then-200 becomes a retry."""

    def __init__(self, corpus, files, *, truncate=(), reject_token=None):
        self.answers: dict[str, list[dict]] = {}
        for f in files:
            for r in read_records(corpus / "github_replay" / f):
                self.answers.setdefault(_key(r["method"], r["path"]), []).append(r)
        self.truncate = set(truncate)
        self.reject = None
        if reject_token:
            self.reject = read_records(corpus / "github_replay" / "SpecificExceptions.testBadCredentials.txt")[0]
            self.reject_token = reject_token
        self.seen: list[tuple[str, int, dict]] = []
        self.served: dict[str, int] = {}
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}/api/v3"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def counted(self) -> int:
        return sum(1 for _, status, _ in self.seen if status != 304)

    def _rewrite(self, text: str) -> str:
        return text.replace("https://api.github.com", self.base)

    def _handler(self):
        replay = self

        class H(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_GET(self):
                path = self.path[len("/api/v3"):] if self.path.startswith("/api/v3") else self.path
                auth = self.headers.get("Authorization", "")
                key = _key("GET", path)
                if replay.reject and replay.reject_token in auth:
                    rec = replay.reject
                else:
                    queue = replay.answers.get(key)
                    if not queue:
                        return self._send(404, [("Content-Type", "application/json")], '{"message": "Not Found"}', key)
                    n = replay.served.get(key, 0)
                    replay.served[key] = n + 1
                    rec = queue[min(n, len(queue) - 1)]
                headers = [(k, self_rewrite(v)) for k, v in rec["headers"] if k.lower() not in HOP]
                etag = next((v for k, v in headers if k.lower() == "etag"), None)
                inm = self.headers.get("If-None-Match")
                if rec["status"] == 200 and etag and inm == etag:
                    keep = [(k, v) for k, v in headers if k.lower() in ("etag", "last-modified") or k.lower().startswith("x-ratelimit")]
                    return self._send(304, keep, "", key)
                body = replay._rewrite(rec["body"])
                if key in replay.truncate:
                    body = body[: len(body) // 2]
                self._send(rec["status"], headers, body, key)

            def _send(self, status, headers, body, key):
                replay.seen.append((key, status, dict(self.headers)))
                data = body.encode("utf-8")
                self.send_response(status)
                for k, v in headers:
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        def self_rewrite(v):
            return replay._rewrite(v) if isinstance(v, str) else v

        return H


MAIN = [
    "Repository.setUp.txt",  # GET /repos/PyGithub/PyGithub
    "Repository.testGetLanguages.txt",
    "Repository.testGetContributors.txt",
    "Repository.testGetPullsWithArguments.txt",  # closed pulls, all three merged
    "Repository.testGetCommitsWithArguments.txt",  # one page of commits
    "NamedUser.setUp.txt",  # /users/jacquev6
    "NamedUser.testGetRepos.txt",  # /users/jacquev6/repos
]


def _config(repos, **github) -> Config:
    return Config.model_validate({"github": {"repos": repos, "token_env": ["SOURCING_TEST_GH_TOKEN"], **github}})


def _run(engine, replay, repos, **kw):
    cfg = _config(repos, **kw.pop("github", {}))
    return crawl(engine, cfg, api_url=replay.base, now=kw.pop("now", NOW), sleep=lambda s: None, **kw)


def _count(engine, model, *where):
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def test_full_crawl_stores_recorded_repo_people_and_work(engine, corpus, monkeypatch):
    monkeypatch.setenv("SOURCING_TEST_GH_TOKEN", "tok-not-a-secret")
    with Replay(corpus, MAIN) as replay:
        stats = _run(engine, replay, ["PyGithub/PyGithub"])
    with engine.connect() as conn:
        repo = conn.execute(select(m.Repo).where(m.Repo.full_name == "PyGithub/PyGithub")).one()
        me = conn.execute(select(m.Identity).where(m.Identity.external_key == "jacquev6")).one()
        rc = conn.execute(select(m.RepoContributor).where(m.RepoContributor.repo_id == repo.id)).one()
        kinds = dict(conn.execute(select(m.Activity.kind, func.count()).group_by(m.Activity.kind)).all())
        pr = conn.execute(select(m.Activity).where(m.Activity.uid == "github:pr:PyGithub/PyGithub#39")).one()
        own = conn.execute(
            select(m.Repo.full_name, m.Repo.discovered_via, m.RepoContributor.is_owner)
            .join(m.RepoContributor, m.RepoContributor.repo_id == m.Repo.id)
            .where(m.Repo.discovered_via == "user")
        ).all()
    assert repo.watched and repo.license == "LGPL-3.0" and "pygithub" in repo.topics
    assert repo.languages and "Python" in repo.languages and repo.etag
    assert me.name == "Vincent Jacques" and me.emails == ["vincent@vincent-jacques.net"]
    assert me.handles["github"] == "jacquev6" and me.hireable is True and me.etag
    assert rc.contributions == 355
    assert kinds == {"pr_merged": 3, "commit": 7}
    assert pr.identity_id == me.id and pr.occurred_at.year == 2012 and pr.url.endswith("/pull/39")
    # 11 own repos, 2 of them forks
    assert len(own) == 9 and all(o.is_owner for o in own)
    # the recordings hold no single-PR or review answers: recorded as problems, the PRs kept
    assert any("pull #39" in p.where for p in stats.problems)
    assert stats.extra["requests"] == len(replay.seen)  # nothing bypassed the counting transport


def test_unchanged_second_crawl_spends_only_conditional_requests(engine, corpus, monkeypatch):
    monkeypatch.setenv("SOURCING_TEST_GH_TOKEN", "tok-not-a-secret")
    with Replay(corpus, MAIN) as replay:
        first = _run(engine, replay, ["PyGithub/PyGithub"])
        n_first, counted_first = len(replay.seen), replay.counted()
        with engine.connect() as conn:
            rows_first = conn.execute(select(func.count()).select_from(m.Activity)).scalar_one()
        second = _run(engine, replay, ["PyGithub/PyGithub"])
        again = replay.seen[n_first:]
    assert counted_first > 10 and first.records > 20
    # repo, contributors, commits, profile, own repos: each one conditional request, all 304
    assert [s for k, s, _ in again if "/pulls" not in k] == [304] * 5
    assert all("If-None-Match" in h for k, _, h in again if "/pulls" not in k)
    # the recordings hold no single-PR or review answers: those PRs count as not yet read, so
    # the pulls listing is read again (down to them) instead of trusting its ETag
    pulls = [k for k, _, _ in again if "/pulls" in k]
    assert second.extra["counted_requests"] == len(pulls) and second.extra["not_modified"] == 5
    assert _count(engine, m.Activity) == rows_first


def test_bad_input_is_recorded_and_other_repos_go_on(engine, corpus, monkeypatch):
    monkeypatch.setenv("SOURCING_TEST_GH_TOKEN", "tok-not-a-secret")
    files = MAIN + ["SpecificExceptions.testUnknownObject.txt", "Repository.testGetRepositoryWith301Redirect.txt"]
    repos = ["jacquev6/Xxx", "protoncoin/protoncoin", "PyGithub/PyGithub"]
    with Replay(corpus, files, truncate={_key("GET", "/repos/PyGithub/PyGithub/contributors")}) as replay:
        stats = _run(engine, replay, repos)
    where = {p.where: p for p in stats.problems}
    assert where["jacquev6/Xxx repo"].fatal and "404" in where["jacquev6/Xxx repo"].message
    assert not any(w.startswith("jacquev6/Xxx ") and w != "jacquev6/Xxx repo" for w in where)  # not retried
    assert "renamed to padima2/protoncoin" in where["protoncoin/protoncoin"].message
    assert "malformed" in where["PyGithub/PyGithub contributors"].message
    with engine.connect() as conn:
        renamed = conn.execute(select(m.Repo.renamed_to).where(m.Repo.full_name == "protoncoin/protoncoin")).scalar_one()
        new = conn.execute(select(m.Repo).where(m.Repo.full_name == "padima2/protoncoin")).one()
    assert renamed == "padima2/protoncoin" and new.watched and new.license == "MIT"
    # the good repo's pulls and commits were still collected
    assert _count(engine, m.Activity) == 10
    assert ("contributors", "PyGithub/PyGithub") not in _cursor_keys(engine)  # no bookmark past bad data


def _cursor_keys(engine):
    with engine.connect() as conn:
        return {(r.category, r.key) for r in conn.execute(select(m.Cursor.category, m.Cursor.key))}


def test_recorded_server_errors_are_retried(engine, corpus, monkeypatch):
    monkeypatch.setenv("SOURCING_TEST_GH_TOKEN", "tok-not-a-secret")
    with Replay(corpus, ["Retry.testReturnsRepoAfter1Retry.txt"]) as replay:
        stats = _run(engine, replay, ["PyGithub/PyGithub"], categories=["repo"])
    assert [s for k, s, _ in replay.seen if "languages" not in k] == [500, 200]
    assert stats.extra["retries"] == 1 and _count(engine, m.Repo, m.Repo.watched.is_(True)) == 1

    with Replay(corpus, ["Retry.testRaisesRetryErrorAfterMaxRetries.txt", "Exceptions.testNonJsonDataReturnedByGithub.txt"]) as replay:
        stats = _run(engine, replay, ["PyGithub/PyGithub"], categories=["repo"])
    assert len(replay.seen) == 5  # 1 + 4 retries, then the problem is recorded
    assert any("HTTP 502" in p.message for p in stats.problems)


def test_recorded_rate_limit_stops_cleanly_within_budget(corpus):
    from sourcing.sources.github_http import BudgetExhausted, Transport, make_github

    with Replay(corpus, ["SpecificExceptions.testRateLimitExceeded.txt"]) as replay:
        t = Transport([("T", "x")], share=0.8, on_exhausted="stop", sleep=lambda s: None)
        gh, _ = make_github(t, replay.base)
        assert gh.get_user("jacquev6").login == "jacquev6"  # its answer says 0 requests remain
        with pytest.raises(BudgetExhausted):
            gh.get_user("jacquev6")
    assert len(replay.seen) == 1  # the budget check stopped the request before it was sent


def test_tokens_never_leak_and_a_refused_token_is_one_clear_problem(engine, corpus, monkeypatch, caplog):
    secret = "ghp_SuperSecretToken123"
    monkeypatch.setenv("SOURCING_TEST_GH_TOKEN", secret)
    caplog.set_level(logging.DEBUG)
    with Replay(corpus, MAIN) as replay:
        _run(engine, replay, ["PyGithub/PyGithub"])
    assert all(h.get("Authorization") == f"Bearer {secret}" for _, _, h in replay.seen)
    with engine.connect() as conn:
        dump = "\n".join(conn.connection.iterdump())
    assert secret not in dump and secret not in caplog.text

    monkeypatch.setenv("SOURCING_TEST_GH_TOKEN", "bad-token")
    with Replay(corpus, MAIN, reject_token="bad-token") as replay:
        stats = _run(engine, replay, ["PyGithub/PyGithub"])
    fatal = [p for p in stats.problems if p.fatal]
    assert len(fatal) == 1 and "$SOURCING_TEST_GH_TOKEN" in fatal[0].message and "bad-token" not in fatal[0].message
    assert len(replay.seen) == 1 and stats.extra["stopped"]


def test_unauthenticated_mode_works_and_says_so(engine, corpus, monkeypatch):
    monkeypatch.delenv("SOURCING_TEST_GH_TOKEN", raising=False)
    with Replay(corpus, MAIN) as replay:
        stats = _run(engine, replay, ["PyGithub/PyGithub"], categories=["repo", "contributors"])
    assert any("unauthenticated" in p.message for p in stats.problems)
    assert all("Authorization" not in h for _, _, h in replay.seen)
    assert stats.extra["unauthenticated"] and _count(engine, m.RepoContributor) == 1


def test_cli_records_a_run_with_a_step_per_category(engine, db_url, corpus, monkeypatch):
    from typer.testing import CliRunner

    from sourcing.cli import app

    monkeypatch.setenv("SOURCING_TEST_GH_TOKEN", "tok-not-a-secret")
    cfg = tmp_cfg = None
    with Replay(corpus, MAIN) as replay:
        import tempfile, pathlib

        tmp_cfg = pathlib.Path(tempfile.mkdtemp()) / "s.toml"
        tmp_cfg.write_text('[github]\ntoken_env = ["SOURCING_TEST_GH_TOKEN"]\n')
        res = CliRunner().invoke(
            app,
            ["--db", db_url, "--config", str(tmp_cfg), "crawl", "github", "--repo", "PyGithub/PyGithub",
             "--repo", "jacquev6/Xxx", "--since", "2012-01-01", "--api-url", replay.base],
        )
    assert res.exit_code == 0, res.output
    assert "requests" in res.output and "304" in res.output
    with engine.connect() as conn:
        run = conn.execute(select(m.Run)).one()
        steps = {s.name: s for s in conn.execute(select(m.RunStep).where(m.RunStep.run_id == run.id))}
    assert run.kind == "crawl" and run.status == "ok"
    assert {"github repo", "github pulls", "github commits", "github profiles"} <= set(steps)
    assert any("jacquev6/Xxx" in w for w in steps["github repo"].warnings)
    assert steps["github commits"].counts["records"] == 7
    assert "tok-not-a-secret" not in json.dumps([s.counts for s in steps.values()]) + str(run.counts)


def snapshot(engine) -> dict:
    """Every stored fact a crawl writes, by natural key (no surrogate ids, no write times)."""
    q = {
        "repo": "select full_name, watched, discovered_via, stars, topics, license, languages, etag, renamed_to, "
                "contributors_count from repo",
        "identity": "select external_key, name, emails, handles, company, hireable, etag from identity",
        "repocontributor": "select r.full_name, i.external_key, c.contributions, c.is_owner from repocontributor c "
                           "join repo r on r.id = c.repo_id join identity i on i.id = c.identity_id",
        "activity": "select a.uid, a.kind, a.occurred_at, a.title, a.additions, i.external_key, r.full_name "
                    "from activity a join identity i on i.id = a.identity_id join repo r on r.id = a.repo_id",
        "cursor": "select source, category, key, since, etag from cursor",
    }
    from sqlalchemy import text

    with engine.connect() as conn:
        return {t: sorted(map(tuple, conn.execute(text(sql)).all()), key=repr) for t, sql in q.items()}


class Kill(Exception):
    pass


@pytest.mark.parametrize("kill_after", [2, 5, 8])
def test_killed_crawl_rerun_ends_with_the_rows_of_an_uninterrupted_one(tmp_path, corpus, monkeypatch, kill_after):
    from storage import ensure_schema, make_engine

    monkeypatch.setenv("SOURCING_TEST_GH_TOKEN", "tok-not-a-secret")
    engines = []
    for name in ("whole", "killed"):
        e = make_engine(f"sqlite:///{tmp_path / name}.db")
        ensure_schema(e)
        engines.append(e)
    whole, killed = engines
    with Replay(corpus, MAIN) as replay:
        _run(whole, replay, ["PyGithub/PyGithub"])
        ticks = []

        def die(p):
            ticks.append(p.category)
            if len(ticks) == kill_after:
                raise Kill()

        with pytest.raises(Kill):
            _run(killed, replay, ["PyGithub/PyGithub"], progress=die)
        assert snapshot(killed) != snapshot(whole)  # it really stopped half-way
        _run(killed, replay, ["PyGithub/PyGithub"])
    assert snapshot(killed) == snapshot(whole)
    for e in engines:
        e.dispose()


def test_budget_share_is_never_exceeded_and_the_next_run_resumes(tmp_path, engine, corpus, monkeypatch):
    from storage import ensure_schema, make_engine

    monkeypatch.setenv("SOURCING_TEST_GH_TOKEN", "tok-not-a-secret")
    share = 0.02  # of a 5000 limit: stop once fewer than 4900 requests remain
    with Replay(corpus, MAIN) as replay:
        stats = _run(engine, replay, ["PyGithub/PyGithub"], github={"budget_share": share})
        answers = list(replay.seen)
        remaining = [int(h) if h else None for h in _remaining(replay)]
        resumed = _run(engine, replay, ["PyGithub/PyGithub"])
        whole = make_engine(f"sqlite:///{tmp_path / 'whole'}.db")
        ensure_schema(whole)
        _run(whole, replay, ["PyGithub/PyGithub"])
    stop = next(i for i, r in enumerate(remaining) if r is not None and r <= 4900)
    assert len(answers) == stop + 1  # nothing was sent after the answer that spent the share
    fatal = [p for p in stats.problems if p.fatal]
    assert len(fatal) == 1 and "budget" in fatal[0].message and stats.extra["stopped"]
    assert not resumed.extra["stopped"]
    assert snapshot(engine) == snapshot(whole)
    whole.dispose()


def _remaining(replay):
    """X-RateLimit-Remaining of each answer, in order, as the recordings gave it."""
    out = []
    for key, status, _ in replay.seen:
        queue = replay.answers.get(key) or [{"headers": []}]
        hdr = dict((k.lower(), v) for k, v in queue[0]["headers"])
        out.append(hdr.get("x-ratelimit-remaining") if key in replay.answers else None)
    return out


def test_wait_policy_counts_down_then_tries_again(corpus):
    from github import GithubException

    from sourcing.sources.github_http import Transport, make_github

    slept, ticks = [], []
    with Replay(corpus, ["SpecificExceptions.testRateLimitExceeded.txt"]) as replay:
        t = Transport([("T", "x")], on_exhausted="wait", sleep=slept.append,
                      on_wait=lambda left, why: ticks.append(left), max_retries=1)
        gh, _ = make_github(t, replay.base)
        gh.get_user("jacquev6")  # "0 remaining", no reset time given: wait a minute, then try
        with pytest.raises(GithubException) as err:
            gh.get_user("jacquev6")  # the recording answers 403 rate limit every time
    assert err.value.status == 403
    assert ticks[:3] == [61, 60, 59] and ticks.count(0) >= 1 and sum(slept) >= 61
    assert [s for _, s, _ in replay.seen] == [200] + [403] * (len(replay.seen) - 1)
    assert len(replay.seen) <= 4  # gives up after a bounded number of tries


def test_bots_are_recognised_by_type_suffix_and_name():
    from sourcing.sources.github import is_bot

    bots = [{"login": "dependabot[bot]", "type": "Bot"}, {"login": "renovate-bot", "type": "User"},
            {"login": "neural-ci-bot8", "type": "User"}, {"login": "github-actions", "type": "User"},
            {"login": "whatever", "type": "Bot"}]
    people = [{"login": "abbott", "type": "User"}, {"login": "talbot", "type": "User"},
              {"login": "robotics-fan", "type": "User"}, {"login": "jacquev6", "type": "User"}]
    assert all(is_bot(b) for b in bots) and not any(is_bot(p) for p in people)
