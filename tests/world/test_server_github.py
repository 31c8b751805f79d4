"""PyGithub against the world: normal objects, pagination, 304, rate limit, every fault."""

from __future__ import annotations

import time
from urllib.parse import unquote

import github
import pytest
import requests
from github.GithubRetry import GithubRetry

from sourcing.world.server import Fault


def gh(world, retry=None, per_page=100):
    # PyGithub 2.x sleeps 0.25 s between requests by default; the world needs no politeness
    return github.Github(base_url=world.github_url, per_page=per_page, retry=retry, timeout=10,
                         seconds_between_requests=0)


def busiest_repo(world):
    w = world.world
    return max((r for r in w.repos if r.watched), key=lambda r: len(w.repo_pulls(r.full_name)))


def test_pygithub_objects_fully_populate(world):
    w = world.world
    g = gh(world)
    repo = g.get_repo("apache/airflow")
    assert (repo.full_name, repo.owner.login, repo.owner.type) == ("apache/airflow", "apache", "Organization")
    assert repo.stargazers_count == w.repo("apache/airflow").stars
    assert repo.topics and repo.language and repo.created_at.tzinfo is not None
    pr = next(iter(repo.get_pulls(state="closed")))
    truth = w.repo_pulls("apache/airflow")[pr.number - 1]
    assert pr.user.login == w.people[truth.author].login
    assert pr.merged == truth.merged and pr.additions == truth.additions
    assert pr.html_url == f"https://github.com/apache/airflow/pull/{pr.number}"
    user = g.get_user(pr.user.login)
    acct = w.people[truth.author].github
    assert (user.name, user.created_at.year, user.followers) == (acct.name, acct.created_at.year, acct.followers)
    contributors = list(repo.get_contributors())
    assert [(c.login, c.contributions) for c in contributors] == [
        (w.people[p].login, n) for p, n in w.contributors["apache/airflow"]]
    stats = world.stats()
    assert stats["apis"]["github"]["200"] >= 4 and stats["rate_limit"]["counted"] >= 4


def test_pulls_pagination_state_sort_direction(world):
    w = world.world
    r = busiest_repo(world)
    everything = w.repo_pulls(r.full_name)
    g = gh(world, per_page=7)
    repo = g.get_repo(r.full_name)
    got = [p.number for p in repo.get_pulls(state="all", sort="created", direction="asc")]
    assert got == [p.number for p in sorted(everything, key=lambda p: (p.created_at, p.number))]
    assert len(got) > 7, "needs more than one page"
    closed = [p.number for p in repo.get_pulls(state="closed", sort="updated", direction="desc")]
    assert sorted(closed) == sorted(p.number for p in everything if p.state == "closed")
    default = [p.number for p in repo.get_pulls()]  # open, newest first
    assert default == [p.number for p in sorted((p for p in everything if p.state == "open"),
                                                key=lambda p: (p.created_at, p.number), reverse=True)]
    # the Link header is GitHub's: absolute URLs, next and last
    resp = requests.get(f"{world.github_url}/repos/{r.full_name}/pulls",
                        params={"state": "all", "per_page": 5, "page": 2}, timeout=10)
    link = resp.headers["Link"]
    assert f'{world.github_url}/repos/{r.full_name}/pulls?state=all&per_page=5&page=3>; rel="next"' in link
    assert 'rel="last"' in link and 'rel="prev"' in link and len(resp.json()) == 5


def test_reviews_and_commits_filters(world):
    w = world.world
    g = gh(world)
    reviewed = next(rv for rv in w.reviews if w.repo(rv.repo).watched)
    pr = g.get_repo(reviewed.repo).get_pull(reviewed.number)
    reviews = list(pr.get_reviews())
    assert reviewed.id in [x.id for x in reviews]
    x = next(x for x in reviews if x.id == reviewed.id)
    assert (x.user.login, x.state) == (w.people[reviewed.author].login, reviewed.state)
    r = max((r for r in w.repos if not r.empty), key=lambda r: len(w.repo_commits(r.full_name)))
    commits = w.repo_commits(r.full_name)
    mid = commits[len(commits) // 2].committed_at
    repo = g.get_repo(r.full_name)
    since = list(repo.get_commits(since=mid))
    assert [c.sha for c in since] == [c.sha for c in commits if c.committed_at >= mid]
    until = list(repo.get_commits(until=mid))
    assert len(since) + len(until) == len(commits) + 1
    linked = next(c for c in commits if c.author is not None)
    login = w.people[linked.author].login
    mine = list(repo.get_commits(author=login))
    assert mine and all(c.author.login == login for c in mine)
    assert mine[0].commit.author.email == next(c for c in commits if c.author == linked.author).author_email


def test_etag_304_is_not_counted(world):
    url = f"{world.github_url}/repos/apache/airflow"
    first = requests.get(url, timeout=10)
    etag = first.headers["ETag"]
    again = requests.get(url, headers={"If-None-Match": etag}, timeout=10)
    assert again.status_code == 304 and again.content == b""
    assert again.headers["X-RateLimit-Remaining"] == first.headers["X-RateLimit-Remaining"]
    since = requests.get(url, headers={"If-Modified-Since": first.headers["Last-Modified"]}, timeout=10)
    assert since.status_code == 304
    s = world.stats()
    assert s["rate_limit"]["counted"] == 1 and s["rate_limit"]["not_modified"] == 2
    assert s["apis"]["github"] == {"200": 1, "304": 2}
    # PyGithub's conditional update sees "not modified"
    repo = gh(world).get_repo("apache/airflow")
    assert repo.update() is False


def test_rate_limit_403_then_reset(world):
    world.set_rate_limit(3, reset_seconds=1.5)
    url = f"{world.github_url}/users/dependabot%5Bbot%5D"
    codes = [requests.get(url, timeout=10) for _ in range(4)]
    assert [r.status_code for r in codes] == [200, 200, 200, 403]
    limited = codes[-1]
    assert limited.headers["X-RateLimit-Remaining"] == "0"
    assert int(limited.headers["X-RateLimit-Reset"]) >= int(time.time())
    assert limited.json()["message"].startswith("API rate limit exceeded")
    with pytest.raises(github.RateLimitExceededException):
        gh(world).get_user("dependabot[bot]")
    # PyGithub's own retry waits for the reset and then succeeds
    t0 = time.monotonic()
    user = gh(world, retry=GithubRetry(total=3)).get_user("dependabot[bot]")
    assert user.type == "Bot" and time.monotonic() - t0 >= 0.5
    # /rate_limit itself is free and reports the budget
    rl = gh(world).get_rate_limit()
    assert rl.rate.limit == 3 and rl.rate.remaining == 2
    assert world.stats()["rate_limit"]["limited"] >= 2


@pytest.mark.parametrize("kind", ["500", "502"])
def test_server_errors_then_recovery(world, kind):
    world.set_faults(f"github/{kind}:1:2")
    url = f"{world.github_url}/repos/apache/airflow"
    assert requests.get(url, timeout=10).status_code == int(kind)
    assert gh(world, retry=GithubRetry(total=3, backoff_factor=0)).get_repo("apache/airflow").name == "airflow"
    assert world.stats()["faults"] == {kind: 2}
    assert world.stats()["apis"]["github"][kind] == 2


def test_secondary_rate_limit_has_retry_after(world):
    world.set_faults("secondary:1:1")
    resp = requests.get(f"{world.github_url}/repos/apache/airflow", timeout=10)
    assert resp.status_code == 403 and resp.headers["Retry-After"] == "1"
    assert "secondary rate limit" in resp.json()["message"]
    world.set_faults("secondary:1:1")
    t0 = time.monotonic()
    assert gh(world, retry=GithubRetry(total=3)).get_repo("apache/airflow").name == "airflow"
    assert time.monotonic() - t0 >= 0.9
    with pytest.raises(github.GithubException) as exc:
        world.set_faults("secondary:1:1")
        gh(world).get_repo("apache/airflow")
    assert exc.value.status == 403


def test_truncated_json(world):
    world.set_faults("github/truncated:1:1")
    resp = requests.get(f"{world.github_url}/repos/apache/airflow/pulls", params={"state": "all"}, timeout=10)
    assert resp.status_code == 200
    with pytest.raises(ValueError):
        resp.json()
    assert requests.get(f"{world.github_url}/repos/apache/airflow/pulls", timeout=10).json() is not None


def test_404_fault_and_unknown(world):
    with pytest.raises(github.UnknownObjectException):
        gh(world).get_repo("nobody/nothing")
    world.set_faults([Fault(kind="404", match="kafka", times=1)])
    assert gh(world).get_repo("apache/airflow").name == "airflow"  # not matched
    with pytest.raises(github.UnknownObjectException):
        gh(world).get_repo("apache/kafka")
    assert gh(world).get_repo("apache/kafka").name == "kafka"  # only once


def test_301_for_renamed_repo(world):
    # a repo GitHub renamed: the old name redirects to /repositories/{id}
    resp = requests.get(f"{world.github_url}/repos/google/jax", allow_redirects=False, timeout=10)
    assert resp.status_code == 301
    assert resp.headers["Location"] == f"{world.github_url}/repositories/{world.world.repo('jax-ml/jax').id}"
    assert gh(world).get_repo("google/jax").full_name == "jax-ml/jax"
    moved = requests.get(f"{world.github_url}/repos/google/jax/pulls", params={"state": "all", "page": 2},
                         allow_redirects=False, timeout=10)
    assert moved.headers["Location"].endswith("/pulls?state=all&page=2")
    # the fault: any repo answers 301 once, PyGithub follows it
    world.set_faults("301:1:1")
    assert gh(world).get_repo("apache/airflow").full_name == "apache/airflow"
    world.set_faults("301:1:1")
    loc = requests.get(f"{world.github_url}/repos/apache/airflow/commits", params={"since": "2025-01-01T00:00:00Z"},
                       allow_redirects=False, timeout=10).headers["Location"]
    assert unquote(loc).endswith("/commits?since=2025-01-01T00:00:00Z")
    assert world.stats()["apis"]["github"]["301"] == 5


def test_409_for_empty_repo(world):
    empty = next(r for r in world.world.repos if r.empty)
    with pytest.raises(github.GithubException) as exc:
        list(gh(world).get_repo(empty.full_name).get_commits())
    assert exc.value.status == 409
    world.set_faults("409:1:1")
    with pytest.raises(github.GithubException) as exc:
        list(gh(world).get_repo("apache/airflow").get_commits())
    assert exc.value.status == 409


def test_user_repos(world):
    w = world.world
    owner = next(r.owner_person for r in w.repos if r.owner_person is not None)
    login = w.people[owner].login
    repos = list(gh(world).get_user(login).get_repos())
    assert sorted(r.full_name for r in repos) == sorted(r.full_name for r in w.user_repos(login))
    assert all(r.owner.login == login and r.owner.type == "User" for r in repos)
