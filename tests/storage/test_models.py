"""Every table of the data model stores a row and gives it back unchanged."""

from datetime import datetime, timezone

from sqlalchemy import select
from sqlmodel import SQLModel

from storage import models as m
from storage.upsert import natural_key, upsert

T = datetime(2026, 5, 1, 12, 30, tzinfo=timezone.utc)


def _fill(engine):
    """One row in every table, parents first; returns {table name: row written}."""
    written = {}

    def put(model, row):
        with engine.begin() as conn:
            upsert(conn, model, [row])
            got = conn.execute(select(model.__table__).order_by(model.__table__.c.id.desc())).first()
        written[model.__table__.name] = row
        return got.id

    with engine.begin() as conn:
        conn.execute(m.Run.__table__.insert().values(kind="run", status="ok", started_at=T, counts={"x": 1}))
        run = conn.execute(select(m.Run.__table__.c.id)).scalar_one()
        conn.execute(m.RunStep.__table__.insert().values(run_id=run, name="github", status="ok", counts={"pulls": 2}))
    written["run"] = written["runstep"] = True
    person = put(m.Person, {"id": 7, "display_name": "Ada Lovelace", "github_login": "ada", "created_at": T})
    repo = put(m.Repo, {"full_name": "apache/airflow", "stars": 10, "topics": ["airflow", "dag"], "pushed_at": T})
    ident = put(
        m.Identity,
        {
            "source": "github",
            "external_key": "ada",
            "person_id": person,
            "name": "Ada Lovelace",
            "emails": ["ada@example.org"],
            "handles": {"twitter": "ada"},
            "bio": "x" * 5000,
            "created_on": T,
        },
    )
    other = put(m.Identity, {"source": "arxiv", "external_key": "2406.00001#0", "name": "A. Lovelace"})
    put(m.RepoContributor, {"repo_id": repo, "identity_id": ident, "contributions": 12})
    put(
        m.Activity,
        {
            "uid": "github:pr:apache/airflow#1",
            "kind": "pr_merged",
            "repo_id": repo,
            "identity_id": ident,
            "occurred_at": T,
            "labels": ["provider"],
            "additions": 10,
        },
    )
    event = put(m.Event, {"key": "pydata-berlin-2025", "name": "PyData Berlin 2025", "starts_on": T})
    paper = put(m.Paper, {"key": "2406.00001", "title": "Streams", "categories": ["cs.LG"], "published": T})
    put(m.Authorship, {"paper_id": paper, "position": 0, "identity_id": other})
    put(m.PaperCode, {"paper_id": paper, "url": "https://github.com/apache/airflow", "repo_id": repo})
    talk = put(m.Talk, {"key": "pydata-berlin-2025/ABC", "event_id": event, "title": "DAGs", "tags": ["airflow"]})
    put(m.Speaking, {"talk_id": talk, "position": 0, "identity_id": ident})
    score = put(m.Score, {"person_id": person, "dimension": "skill", "name": "airflow", "value": 88.5, "rank": 1})
    put(m.Evidence, {"score_id": score, "position": 0, "text": "1 merged PR to apache/airflow", "weight": 1.0})
    ll = put(m.LeadList, {"search": "de", "run_id": run, "params": {"role": "data-engineer"}})
    put(m.Lead, {"lead_list_id": ll, "person_id": person, "rank": 1, "score": 88.5, "flag": "new"})
    put(m.Review, {"person_id": person, "status": "shortlisted", "note": "strong", "updated_at": T})
    put(m.Suppression, {"kind": "login", "key_hash": "ab" * 32, "created_at": T})
    put(m.Cursor, {"source": "github", "category": "pulls", "key": "apache/airflow", "since": T, "etag": 'W/"1"'})
    put(m.IdentityLink, {"identity_a": ident, "identity_b": other, "reason": "name+coauthor", "confidence": 0.8})
    put(m.IdentityDecision, {"identity_a": ident, "identity_b": other, "decision": "not_same"})
    put(m.WorkDoc, {"ref": "activity:1", "identity_id": ident, "kind": "pr", "title": "Add Kafka source", "occurred_at": T})
    with engine.begin() as conn:  # resolver tables: composite primary keys, no surrogate id
        upsert(conn, m.IdentityKey, [{"key": "g:ada", "identity_id": ident}])
        upsert(conn, m.IdentityChange, [{"identity_id": other}])
    written["identitykey"] = {"key": "g:ada", "identity_id": ident}
    written["identitychange"] = {"identity_id": other}
    return written


def test_every_table_round_trips(engine):
    written = _fill(engine)
    assert set(written) == set(SQLModel.metadata.tables), "a table of the data model has no round-trip test"
    with engine.connect() as conn:
        for name, row in written.items():
            if row is True:
                continue
            table = SQLModel.metadata.tables[name]
            key = natural_key(table) if name != "person" else ("id",)
            got = conn.execute(select(table).where(*[table.c[k] == row[k] for k in key])).mappings().one()
            for col, value in row.items():
                assert got[col] == value, f"{name}.{col}"


def test_times_come_back_aware_utc(engine):
    _fill(engine)
    with engine.connect() as conn:
        t = conn.execute(select(m.Activity.__table__.c.occurred_at)).scalar_one()
    assert t == T and t.tzinfo is not None


def test_work_text_index_follows_workdoc_writes_and_deletes(engine):
    _fill(engine)
    from sqlalchemy import text

    with engine.begin() as conn:
        hits = conn.execute(text("SELECT rowid FROM work_fts WHERE work_fts MATCH 'kafka'")).all()
        assert len(hits) == 1
        upsert(conn, m.WorkDoc, [{"ref": "activity:1", "identity_id": 1, "kind": "pr", "title": "Flink sink"}])
        assert conn.execute(text("SELECT count(*) FROM work_fts WHERE work_fts MATCH 'kafka'")).scalar() == 0
        assert conn.execute(text("SELECT count(*) FROM work_fts WHERE work_fts MATCH 'flink'")).scalar() == 1
        # forgetting an identity takes its work out of the index too
        conn.execute(text("DELETE FROM workdoc WHERE identity_id = 1"))
        assert conn.execute(text("SELECT count(*) FROM work_fts WHERE work_fts MATCH 'flink'")).scalar() == 0
