"""The offline world stored for scoring tests: rows as collectors store them, people from the truth.

Identity resolution is another room's job; here every identity gets the person id the truth
gives it (world person id + 1), so ranking quality is measured on scoring alone.
"""

from __future__ import annotations

from storage import models as m
from storage.ingest import store
from storage.upsert import upsert


def store_world(engine, world) -> dict:
    """Store `world` and assign people from its truth; returns the truth."""
    from sourcing.world.rows import to_rows

    truth = world.truth()
    rows = to_rows(world)
    with engine.begin() as conn:
        upsert(conn, m.Person, [
            {"id": p["id"] + 1, "is_bot": bool(p["bot"])} for p in truth["people"]
        ])
        store(conn, rows)
        upsert(conn, m.Identity, [
            {"source": i["source"], "external_key": i["external_key"], "person_id": p["id"] + 1}
            for p in truth["people"] for i in p["identities"]
        ])
    return truth


def quality(engine, truth, tax, k: int = 20) -> dict[tuple[str, str], float]:
    """Per skill and role: true strength carried by our top k / that of the ideal top k.

    A role's true strength is the role's skill-weighted mean of the person's true skills.
    Also returns ("bots", dim) counts of bots in any top k under key ("bots", "top").
    """
    from sqlalchemy import text

    strength = {p["id"] + 1: p["skills"] for p in truth["people"]}
    bots = {p["id"] + 1 for p in truth["people"] if p["bot"]}

    def role_strength(sk: dict, role) -> float:
        tot = sum(role.skills.values())
        return sum(w * sk.get(s, 0.0) for s, w in role.skills.items()) / tot

    out: dict = {}
    n_bots = 0
    with engine.connect() as conn:
        for dim, names in (("skill", list(tax.skills)), ("role", list(tax.roles))):
            for name in names:
                got = [r[0] for r in conn.execute(text(
                    "SELECT person_id FROM score WHERE dimension = :d AND name = :n ORDER BY rank LIMIT :k"),
                    {"d": dim, "n": name, "k": k})]
                n_bots += sum(1 for p in got if p in bots)
                if dim == "skill":
                    val = {p: s.get(name, 0.0) for p, s in strength.items()}
                else:
                    val = {p: role_strength(s, tax.roles[name]) for p, s in strength.items()}
                ideal = sum(sorted(val.values(), reverse=True)[:k])
                out[(dim, name)] = (sum(val.get(p, 0.0) for p in got) / ideal) if ideal > 0 else 1.0
    out[("bots", "top")] = n_bots
    return out
