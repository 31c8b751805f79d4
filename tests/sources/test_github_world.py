"""The GitHub collector against the offline world (sourcing.world): what it stores, what it spends."""

from __future__ import annotations

from sqlalchemy import text

from sourcing.config import Config
from sourcing.sources.github import crawl, is_bot
from tests.sources.test_github_replay import snapshot


def _config(**github) -> Config:
    return Config.model_validate(
        {"github": {"token_env": ["SOURCING_TEST_GH_TOKEN"], "history_days": 36500, **github}}
    )


def _watched(world):
    return [r.full_name for r in world.world.repos if r.watched]


def _crawl(engine, world, **kw):
    cfg = _config(**kw.pop("github", {}))
    return crawl(engine, cfg, repos=kw.pop("repos", None) or _watched(world), api_url=world.github_url,
                 now=world.world.now, sleep=lambda s: None, **kw)


def _uids(engine) -> set[str]:
    with engine.connect() as conn:
        return {r[0] for r in conn.execute(text("select uid from activity"))}


def _expected(world) -> set[str]:
    from sourcing.world.rows import to_rows

    bots = {p.github.login for p in world.world.people if p.github and (p.bot or is_bot({"login": p.github.login}))}
    return {a["uid"] for a in to_rows(world.world, "watched")["activity"] if a["identity"][1] not in bots}


def test_full_crawl_stores_the_world_and_an_unchanged_rerun_is_all_304(engine, world, monkeypatch):
    monkeypatch.setenv("SOURCING_TEST_GH_TOKEN", "world-token")
    first = _crawl(engine, world)
    spent = world.stats()["rate_limit"]["counted"]
    assert _uids(engine) == _expected(world)
    assert not [p for p in first.problems if p.fatal]
    with engine.connect() as conn:
        bots = conn.execute(text("select count(*) from identity where kind = 'bot' or external_key like '%[bot]'")).scalar()
    assert bots == 0
    before = snapshot(engine)
    world.reset_stats()
    second = _crawl(engine, world)
    st = world.stats()["rate_limit"]
    assert st["counted"] == 0 and st["not_modified"] > 0 and second.extra["counted_requests"] == 0
    assert snapshot(engine) == before and spent == first.extra["counted_requests"]


def test_every_fault_is_survived_and_a_clean_rerun_completes_the_rows(tmp_path, engine, world, monkeypatch):
    from storage import ensure_schema, make_engine

    monkeypatch.setenv("SOURCING_TEST_GH_TOKEN", "world-token")
    world.set_rate_limit(1_000_000, reset_seconds=3600)  # four crawls: the budget is another test's
    clean = make_engine(f"sqlite:///{tmp_path / 'clean'}.db")
    ensure_schema(clean)
    repos = _watched(world)[:20]  # enough repos for every fault to land somewhere, in well under 30 s
    _crawl(clean, world, repos=repos)
    world.set_faults("500:0.05,502:0.05,secondary:0.03,truncated:0.03,404:0.02,301:0.02,409:0.02")
    faulty = _crawl(engine, world, repos=repos)
    served = world.stats()["faults"]
    assert len(served) >= 5 and faulty.problems and faulty.extra["retries"] > 0
    assert not faulty.extra["stopped"]
    world.clear_faults()
    _crawl(engine, world, repos=repos)
    _crawl(engine, world, repos=repos)  # what a fault hid behind a 304 on the first clean rerun is re-read here
    assert _uids(engine) == _uids(clean)
    clean.dispose()


def test_budget_share_is_never_exceeded(engine, world, monkeypatch):
    monkeypatch.setenv("SOURCING_TEST_GH_TOKEN", "world-token")
    world.set_rate_limit(400, reset_seconds=3600)
    stats = _crawl(engine, world, github={"budget_share": 0.5})
    assert world.stats()["rate_limit"]["counted"] <= 200
    assert stats.extra["stopped"] and any("budget" in p.message for p in stats.problems if p.fatal)
