"""Recorded real responses through the world's door: PyGithub and arxiv read them unchanged."""

from __future__ import annotations

import arxiv
import github
import requests


def test_recorded_github_and_arxiv_responses(corpus, world_factory):
    world = world_factory(replay=corpus)
    g = github.Github(base_url=world.github_url, retry=None, seconds_between_requests=0)
    repo = g.get_repo("PyGithub/PyGithub")
    assert repo.full_name == "PyGithub/PyGithub" and repo.owner.login == "PyGithub"
    user = g.get_user("jacquev6")
    assert user.login == "jacquev6" and user.name
    # a recorded 301 is followed to the recorded /repositories/{id}
    assert g.get_repo("protoncoin/protoncoin").full_name == "padima2/protoncoin"
    c = arxiv.Client(delay_seconds=0, num_retries=0)
    c.query_url_format = world.arxiv_url + "?{}"
    got = list(c.results(arxiv.Search(id_list=["1605.08386"])))
    assert [r.title for r in got] == ["Heat-bath random walks with Markov bases"]
    # unrecorded requests still reach the generated world
    assert requests.get(f"{world.github_url}/repos/apache/airflow", timeout=10).json()["full_name"] == "apache/airflow"
    assert world.stats()["endpoints"].get("github replay", 0) >= 4


def test_replay_without_a_world(corpus):
    from sourcing.world.server import start

    h = start(None, replay=corpus / "github_replay")
    try:
        assert requests.get(f"{h.github_url}/users/jacquev6", timeout=10).json()["login"] == "jacquev6"
        assert requests.get(f"{h.github_url}/repos/apache/airflow", timeout=10).status_code == 404
    finally:
        h.stop()


def test_replay_one_recorded_scenario_in_order(corpus, world_factory):
    world = world_factory(replay=corpus / "github_replay" / "Retry.testReturnsRepoAfter1Retry.txt")
    url = f"{world.github_url}/repos/PyGithub/PyGithub"
    assert [requests.get(url, timeout=10).status_code for _ in range(3)] == [500, 200, 200]


def _recorded(corpus, name: str, path: str) -> dict:
    import json

    lines = (corpus / "github_replay" / name).read_text().split("\n")
    for i in range(0, len(lines) - 10, 11):
        if lines[i + 4].startswith(path) and lines[i + 7] == "200":
            body = json.loads(lines[i + 9])
            return body[0] if isinstance(body, list) else body
    raise AssertionError(f"{name}: no 200 for {path}")


def test_served_shapes_carry_every_field_github_sends(corpus, world):
    w = world.world
    get = lambda path: requests.get(world.github_url + path, timeout=10).json()  # noqa: E731
    commit_repo = next(r.full_name for r in w.repos if not r.empty and w.repo_commits(r.full_name))
    pairs = [
        (_recorded(corpus, "Repository.setUp.txt", "/repos/PyGithub/PyGithub"), get("/repos/apache/airflow")),
        (_recorded(corpus, "NamedUser.setUp.txt", "/users/jacquev6"), get("/users/dependabot%5Bbot%5D")),
        (_recorded(corpus, "Repository.testGetPulls.txt", "/repos/PyGithub/PyGithub/pulls"),
         get("/repos/apache/airflow/pulls?state=all")[0]),
        (_recorded(corpus, "Repository.testGetCommits.txt", "/repos/PyGithub/PyGithub/commits"),
         get(f"/repos/{commit_repo}/commits")[0]),
        (_recorded(corpus, "Repository.testGetContributors.txt", "/repos/PyGithub/PyGithub/contributors"),
         get("/repos/apache/airflow/contributors")[0]),
    ]
    for recorded, served in pairs:
        assert set(recorded) <= set(served), sorted(set(recorded) - set(served))
        for sub in ("owner", "user", "commit", "head", "base"):
            if isinstance(recorded.get(sub), dict):
                assert set(recorded[sub]) <= set(served[sub]), (sub, sorted(set(recorded[sub]) - set(served[sub])))
