"""Manual merge / split / accept / dismiss survive every later resolve; people keep their ids;
reviews follow merges; incremental resolves see new and changed identities only."""

from datetime import datetime, timezone

import pytest
from sqlalchemy import text

from sourcing.identity import accept, dismiss, merge, person_detail, resolve, split, suggestions

from .conftest import identity_id, person_of

T = datetime(2026, 5, 1, tzinfo=timezone.utc)


def _people(engine):
    with engine.connect() as conn:
        return dict(conn.execute(text("SELECT external_key, person_id FROM identity")).all())


def _review(engine, pid, status, note):
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO review (person_id, status, note, updated_at) VALUES (:p, :s, :n, :t)"),
            {"p": pid, "s": status, "n": note, "t": T},
        )


def test_people_keep_their_ids_across_runs(engine, world):
    acct = world.github("jdoe", "Jane Doe")
    world.talk("ev-2025/A", [{"name": "Jane Doe", "handles": {"github": "jdoe"}}])
    world.paper("2401.00001", ["Mark Twine", "Ola Brandt"])
    world.store(engine)
    resolve(engine)
    before = _people(engine)
    resolve(engine, full=True)
    assert _people(engine) == before
    # a new talk of the same person joins the existing person incrementally, ids untouched
    (new,) = world.talk("ev-2026/B", [{"name": "Jane Doe", "bio": "Code: https://github.com/jdoe"}])
    world.store(engine)
    counts = resolve(engine)
    assert counts["mode"] == "incremental" and counts["new"] == 1 and counts["scope"] < 6
    assert person_of(engine, new) == person_of(engine, acct) == before["jdoe"]
    assert {k: v for k, v in _people(engine).items() if k in before} == before


def test_merge_survives_resolve_and_moves_reviews(engine, world):
    a = world.github("kim-a", "Kim Alpha")
    b = world.github("kim-b", "Kim Beta")
    world.store(engine)
    resolve(engine)
    pa, pb = person_of(engine, a), person_of(engine, b)
    _review(engine, pa, "shortlisted", "good Kafka work")
    _review(engine, pb, "contacted", "emailed in May")
    got = merge(engine, pa, pb)
    assert got["person"] == pa and person_of(engine, b) == pa
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT person_id, status, note FROM review")).all()
        assert conn.execute(text("SELECT COUNT(*) FROM person WHERE id = :p"), {"p": pb}).scalar_one() == 0
    assert len(rows) == 1 and rows[0][0] == pa and rows[0][1] == "contacted"
    assert "good Kafka work" in rows[0][2] and "emailed in May" in rows[0][2]
    for full in (False, True):
        resolve(engine, full=full)
        assert person_of(engine, a) == person_of(engine, b) == pa
    why = person_detail(engine, pa)["why"]
    assert any("a human decided" in w["text"] for w in why)


def test_split_survives_resolve_and_keeps_the_identity(engine, world):
    acct = world.github("lee-h", "Hana Lee")
    (s1,) = world.talk("ev-2025/C", [{"name": "Hana Lee", "handles": {"github": "lee-h"}, "bio": "Hi"}])
    (s2,) = world.talk("ev-2025/D", [{"name": "Hana Lee", "handles": {"github": "lee-h"}}])
    world.store(engine)
    resolve(engine)
    pid = person_of(engine, acct)
    _review(engine, pid, "shortlisted", "keep")
    sid = identity_id(engine, s1)
    with engine.connect() as conn:
        raw_before = conn.execute(text("SELECT * FROM identity WHERE id = :i"), {"i": sid}).mappings().one()
    got = split(engine, pid, sid)
    assert got["person"] == pid and got["new_person"] not in (None, pid)
    for full in (False, True, False):
        resolve(engine, full=full)
        assert person_of(engine, s1) != pid
        assert person_of(engine, acct) == person_of(engine, s2) == pid
    with engine.connect() as conn:
        raw_after = conn.execute(text("SELECT * FROM identity WHERE id = :i"), {"i": sid}).mappings().one()
        assert conn.execute(text("SELECT person_id FROM review")).scalar_one() == pid
    assert {k: v for k, v in raw_after.items() if k != "person_id"} == {k: v for k, v in raw_before.items() if k != "person_id"}
    with pytest.raises(LookupError):
        split(engine, pid, sid)  # no longer that person's


def test_dismissed_suggestions_stay_dismissed_and_accepted_ones_joined(engine, world):
    g1 = world.github("mia-k", "Mia Keller", emails=["mia@keller.io"])
    g2 = world.github("miakeller-work", "Mia Keller", emails=["mia@keller.io"])
    g3 = world.github("oli-r", "Oli Rand", emails=["oli@rand.dev"])
    g4 = world.github("olirand", "Oli Rand", emails=["oli@rand.dev"])
    world.store(engine)
    resolve(engine)
    sugg = {frozenset((s["a"]["external_key"], s["b"]["external_key"])): s["id"] for s in suggestions(engine)}
    dismiss(engine, sugg[frozenset(("mia-k", "miakeller-work"))])
    accept(engine, sugg[frozenset(("oli-r", "olirand"))])
    assert person_of(engine, g3) == person_of(engine, g4)
    for full in (True, False):
        resolve(engine, full=full)
        assert suggestions(engine) == []
        assert person_of(engine, g1) != person_of(engine, g2)
        assert person_of(engine, g3) == person_of(engine, g4)
    with pytest.raises(LookupError):
        accept(engine, 999_999)


def test_a_changed_identity_is_compared_again(engine, world):
    acct = world.github("nbauer", "Nora Bauer")
    (spk,) = world.talk("ev-2025/E", [{"name": "Nora Bauer"}])
    world.store(engine)
    resolve(engine)
    assert person_of(engine, acct) != person_of(engine, spk)
    # the talk site later shows her GitHub link: the same identity, re-collected
    world.talk("ev-2025/E", [{"name": "Nora Bauer", "handles": {"github": "nbauer"}}])
    world.store(engine)
    counts = resolve(engine)
    assert counts["mode"] == "incremental" and counts["new"] == 0
    assert person_of(engine, acct) == person_of(engine, spk)
    assert resolve(engine)["scope"] == 0  # nothing changed since
