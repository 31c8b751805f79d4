"""The shipped taxonomy is complete and consistent; a broken one is refused with the key named."""

import pytest

from scoring.taxonomy import TaxonomyError, load, parse

FAMILIES = {
    "engineering-basics", "serialization", "streaming", "orchestration", "search", "classic-ml",
    "deep-learning", "r-julia", "serving", "mlops", "infrastructure", "fine-tuning", "recsys", "llm",
    "edge-ml",
}
ROLES = {
    "ml-engineer", "data-engineer", "mlops-engineer", "analytics-engineer", "applied-researcher",
    "ml-platform", "llm-integration", "ml-reliability", "edge-ml",
}


def test_shipped_taxonomy_covers_the_design():
    tax = load()
    assert FAMILIES <= set(tax.families)
    assert set(tax.roles) == ROLES
    families_with_repos = {s.family for s in tax.skills.values() if s.repos}
    assert FAMILIES <= families_with_repos, "every family needs watched repos"
    wl = tax.watchlist()
    assert len(wl) == len(set(wl)) > 50
    assert all(r.count("/") == 1 for r in wl)
    assert tax.skills_of_repo("APACHE/airflow") == ("airflow",)
    for role in tax.roles.values():
        assert set(role.evidence) <= {"code", "research", "talks"}


def _base():
    return {
        "families": {"f": "F"},
        "skills": {"a": {"family": "f", "repos": ["o/a"]}},
        "roles": {"r": {"skills": {"a": 1.0}, "evidence": {"code": 1.0}}},
    }


def test_minimal_taxonomy_parses(tmp_path):
    tax = parse(_base(), tmp_path / "t.toml")
    assert tax.watchlist() == ["o/a"]


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda d: d["roles"]["r"]["skills"].update(b=1.0), "roles.r.skills.b: unknown skill 'b'"),
        (lambda d: d["skills"]["a"].update(repos=[]), "skills.a: no evidence"),
        (lambda d: d["skills"]["a"].update(family="nope"), "skills.a.family: unknown family 'nope'"),
        (lambda d: d["skills"]["a"].update(colour="red"), "skills.a.colour: unknown key"),
        (lambda d: d["roles"]["r"]["evidence"].update(blogs=1), "unknown evidence kind 'blogs'"),
        (lambda d: d["roles"]["r"]["skills"].update(a=-1), "weight must be a number >= 0"),
        (lambda d: d.update(roles={}), "no [roles] defined"),
    ],
)
def test_broken_taxonomy_is_refused(tmp_path, mutate, message):
    data = _base()
    mutate(data)
    with pytest.raises(TaxonomyError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse(data, tmp_path / "t.toml")


def test_operator_taxonomy_file_via_config(tmp_path, monkeypatch):
    from sourcing.config import ConfigError, load as load_config

    monkeypatch.chdir(tmp_path)
    (tmp_path / "mine.toml").write_text('[families]\nf = "F"\n[skills.a]\nfamily = "f"\nkeywords = ["a"]\n', "utf-8")
    (tmp_path / "sourcing.toml").write_text('taxonomy = "mine.toml"\n', "utf-8")
    with pytest.raises(ConfigError, match="no \\[roles\\] defined"):
        load_config()
