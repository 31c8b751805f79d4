"""Ranking quality on the offline world's truth: the people we put on top are the strong ones.

The world knows each person's true strength per skill. For every skill and role, the top 20 by
our score must carry most of the true strength of the ideal top 20 (people assigned from the
truth: identity resolution is measured elsewhere), with no bots among them.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from worldsetup import quality, store_world  # noqa: E402

import scoring  # noqa: E402
from scoring.taxonomy import load as load_taxonomy  # noqa: E402

generate = pytest.importorskip("sourcing.world.generate").generate
pytest.importorskip("sourcing.world.rows")

SIZE, SEED = 3000, 7


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    from storage import ensure_schema, make_engine

    url = f"sqlite:///{tmp_path_factory.mktemp('world') / 'w.db'}"
    engine = make_engine(url)
    ensure_schema(engine)
    truth = store_world(engine, generate(SIZE, SEED))
    out = scoring.score(engine)
    yield engine, truth, out
    engine.dispose()


def _populated(truth, skill: str) -> bool:
    """Skills too rare in this world to have a top 20 (fewer than 20 people with any real strength)."""
    return sum(1 for p in truth["people"] if p["skills"].get(skill, 0) >= 0.1) >= 20


def test_top20_per_skill_carries_the_true_strength(scored):
    engine, truth, _ = scored
    tax = load_taxonomy()
    q = quality(engine, truth, tax)
    skills = {name: v for (dim, name), v in q.items() if dim == "skill" and _populated(truth, name)}
    report = " ".join(f"{k}={v:.2f}" for k, v in sorted(skills.items()))
    assert len(skills) >= 25, report
    assert sum(skills.values()) / len(skills) >= 0.8, report
    assert min(skills.values()) >= 0.6, report
    roles = {name: v for (dim, name), v in q.items() if dim == "role"}
    assert sum(roles.values()) / len(roles) >= 0.65, roles
    assert q[("bots", "top")] == 0


def test_world_bots_are_never_scored(scored):
    from sqlalchemy import text

    engine, truth, out = scored
    bots = [p["id"] + 1 for p in truth["people"] if p["bot"]]
    assert bots and out["counts"]["bots"] == len(bots)
    with engine.connect() as c:
        marks = ",".join(str(b) for b in bots)
        assert c.execute(text(f"SELECT count(*) FROM score WHERE person_id IN ({marks})")).scalar() == 0


def test_world_scores_are_deterministic(scored):
    from sqlalchemy import text

    engine, _, _ = scored

    def snap():
        with engine.connect() as c:
            return c.execute(text("SELECT person_id, dimension, name, value, rank FROM score ORDER BY id")).fetchall()

    before = snap()
    scoring.score(engine)
    assert snap() == before


def test_world_drive_by_contributors_stay_out_of_the_top(scored):
    """People whose whole record is one or two PRs to big projects (no papers, no talks) are
    never near the top."""
    from sqlalchemy import text

    engine, _, out = scored
    with engine.connect() as c:
        drive = c.execute(text("""
            SELECT i.person_id FROM activity a JOIN identity i ON i.id = a.identity_id JOIN repo r ON r.id = a.repo_id
             WHERE i.person_id NOT IN (SELECT person_id FROM identity WHERE source != 'github' AND person_id IS NOT NULL)
             GROUP BY i.person_id HAVING count(*) <= 2 AND min(r.stars) >= 10000""")).scalars().all()
        assert len(drive) > 50
        marks = ",".join(map(str, drive))
        best_overall = c.execute(text(
            f"SELECT min(rank) FROM score WHERE dimension = 'overall' AND person_id IN ({marks})")).scalar()
        in_top20 = c.execute(text(
            f"SELECT count(*) FROM score WHERE rank <= 20 AND person_id IN ({marks})")).scalar()
    assert best_overall > 0.1 * out["counts"]["scored_people"]
    assert in_top20 == 0
