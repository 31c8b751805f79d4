"""The text of each person's own work, kept in `workdoc` and searched through its FTS5 index.

`refresh` derives work documents from what collectors stored (merged PRs, repos contributed to,
papers, talks) with upserts that only rewrite what changed, so the index (kept by triggers)
updates incrementally after each nightly run. `search` ranks documents with FTS5's bm25().
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection

_UPSERT_TAIL = """
ON CONFLICT(ref) DO UPDATE SET
    identity_id = excluded.identity_id, kind = excluded.kind, title = excluded.title,
    body = excluded.body, url = excluded.url, "where" = excluded."where",
    occurred_at = excluded.occurred_at
WHERE workdoc.title IS NOT excluded.title OR workdoc.body IS NOT excluded.body
   OR workdoc.url IS NOT excluded.url OR workdoc."where" IS NOT excluded."where"
   OR workdoc.occurred_at IS NOT excluded.occurred_at OR workdoc.identity_id IS NOT excluded.identity_id
"""

_COLS = 'INSERT INTO workdoc (ref, identity_id, kind, title, body, url, "where", occurred_at) '

# "WHERE 1" before ON CONFLICT: SQLite needs it to parse an upsert fed by a SELECT with a join
SOURCES = {
    "pr": """
        SELECT 'activity:' || a.id, a.identity_id, 'pr', a.title, substr(a.body, 1, 4000), a.url,
               r.full_name, a.occurred_at
        FROM activity a JOIN repo r ON r.id = a.repo_id
        WHERE a.kind = 'pr_merged'""",
    "repo": """
        SELECT 'repo:' || r.id || ':' || x.identity_id, x.identity_id, 'repo', r.full_name,
               trim(coalesce(r.description, '') || ' ' ||
                    replace(replace(replace(coalesce(r.topics, ''), '[', ''), ']', ''), '"', '')),
               'https://github.com/' || r.full_name, r.full_name, r.pushed_at
        FROM (SELECT identity_id, repo_id FROM repocontributor
              UNION SELECT identity_id, repo_id FROM activity WHERE kind IN ('pr_merged', 'commit')) x
        JOIN repo r ON r.id = x.repo_id
        WHERE 1""",
    "paper": """
        SELECT 'paper:' || p.id || ':' || au.identity_id, au.identity_id, 'paper', p.title,
               substr(p.abstract, 1, 6000), p.url, coalesce(p.venue, p.primary_category), p.published
        FROM authorship au JOIN paper p ON p.id = au.paper_id
        WHERE 1""",
    "talk": """
        SELECT 'talk:' || t.id || ':' || s.identity_id, s.identity_id, 'talk', t.title,
               substr(t.abstract, 1, 6000), coalesce(t.url, t.video_url), e.name, t.starts_at
        FROM speaking s JOIN talk t ON t.id = s.talk_id LEFT JOIN event e ON e.id = t.event_id
        WHERE 1""",
}

_STALE = {
    "pr": "DELETE FROM workdoc WHERE kind = 'pr' AND CAST(substr(ref, 10) AS INTEGER) NOT IN "
    "(SELECT id FROM activity WHERE kind = 'pr_merged')",
}


def refresh(conn: Connection) -> dict[str, int]:
    """Bring workdoc (and so the FTS index) in line with the stored records; returns rows written."""
    if conn.dialect.name != "sqlite":
        raise NotImplementedError("the work text index uses SQLite FTS5")
    written: dict[str, int] = {}
    for kind, select in SOURCES.items():
        written[kind] = conn.execute(text(_COLS + select + _UPSERT_TAIL)).rowcount or 0
    for kind, stmt in _STALE.items():
        written[f"{kind}_removed"] = conn.execute(text(stmt)).rowcount or 0
    return written


def search(conn: Connection, match: str, *, limit: int = 20000) -> list[dict[str, Any]]:
    """Documents matching an FTS5 query, best first (bm25: lower is better; titles weigh double),
    each with the person its identity belongs to."""
    rows = conn.execute(
        text(
            """
            SELECT d.id, d.ref, d.identity_id, i.person_id, d.kind, d.title, d.url, d."where",
                   d.occurred_at, bm25(work_fts, 2.0, 1.0) AS bm25
            FROM work_fts JOIN workdoc d ON d.id = work_fts.rowid
            JOIN identity i ON i.id = d.identity_id
            WHERE work_fts MATCH :q AND i.person_id IS NOT NULL
            ORDER BY bm25 LIMIT :n
            """
        ),
        {"q": match, "n": limit},
    )
    return [dict(r._mapping) for r in rows]


def count(conn: Connection) -> int:
    return conn.execute(text("SELECT count(*) FROM workdoc")).scalar_one()


def frequent(conn: Connection, phrases: list[str], cap: int) -> set[str]:
    """The phrases that match at least `cap` documents (counted only up to the cap, so a
    common word costs no more than a rare one)."""
    out = set()
    for p in phrases:
        n = conn.execute(
            text("SELECT count(*) FROM (SELECT rowid FROM work_fts WHERE work_fts MATCH :q LIMIT :cap)"),
            {"q": f'"{p}"', "cap": cap},
        ).scalar_one()
        if n >= cap:
            out.add(p)
    return out
