"""Role fit on the offline world's truth: descriptions built from skills bring up the people
who are truly strong in them (precision@20)."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "scoring"))
from worldsetup import store_world  # noqa: E402

COMBOS = [["kafka", "flink"], ["airflow"], ["feature-store", "kafka"], ["pytorch", "huggingface"],
          ["recommender-systems"], ["kubernetes", "model-serving"], ["mlflow", "monitoring"],
          ["elasticsearch"], ["dbt", "sql"], ["edge-ml"]]
STRONG = 0.3  # mean true strength over the described skills that counts as "has done it"


@pytest.fixture(scope="module")
def fitted(tmp_path_factory):
    import scoring
    from sourcing.fit import reindex
    from sourcing.world.generate import generate
    from storage import ensure_schema, make_engine

    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('fit') / 'w.db'}")
    ensure_schema(engine)
    truth = store_world(engine, generate(3000, 7))
    scoring.score(engine)
    reindex(engine)
    yield engine, {p["id"] + 1: p["skills"] for p in truth["people"]}
    engine.dispose()


def describe(tax, combo):
    return "We are looking for people who have built " + " and ".join(
        f"{tax.skills[s].label} ({', '.join(tax.skills[s].keywords[:3])})" for s in combo)


def test_precision_at_20_against_the_truth(fitted):
    from scoring.taxonomy import load
    from sourcing.fit import fit

    engine, strength = fitted
    tax = load()
    precision = {}
    for combo in COMBOS:
        out = fit(engine, describe(tax, combo), tax, top=20)
        assert set(combo) <= set(out["understood"]["skills"]), combo
        assert len(out["results"]) == 20
        rel = [sum(strength.get(r["person_id"], {}).get(s, 0.0) for s in combo) / len(combo) for r in out["results"]]
        precision["+".join(combo)] = sum(1 for v in rel if v >= STRONG) / 20
        # every result that matched on text says which stored work matched
        for r in out["results"]:
            for w in r["why"]:
                assert w["ref"].split(":")[0] in ("activity", "repo", "paper", "talk") and w["text"]
    report = ", ".join(f"{k}={v:.2f}" for k, v in precision.items())
    assert sum(precision.values()) / len(precision) >= 0.75, report
    assert min(precision.values()) >= 0.45, report
