"""Suppressions: people who asked to be forgotten, kept only as hashes of their keys.

`identity_keys` turns an identity row into the hashed keys that would recognise the person
again (source key, GitHub login, emails, profile handles, normalised name together with a
link); the ingest path drops any identity that matches a stored suppression before it is
written, and `scrub` removes what else would carry a forgotten login back in: their own
repositories (named after the login), rows pointing at those, and `merged_by` logins.
A name alone is never a key: a namesake must not vanish with the person.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import Any, Iterable, Mapping, MutableMapping

from sqlalchemy import select
from sqlalchemy.engine import Connection

from storage.models import Suppression

# A fixed, product-wide salt: the hashes only need to be unlinkable to plain text lists of
# names, not secret; they must stay comparable across runs.
_SALT = b"sourcing/suppression/v1"
# profile handles that identify one account (homepage is a link, see name_link)
_HANDLE_KINDS = ("github", "gitlab", "twitter", "mastodon", "linkedin", "orcid")
_GITHUB_URL = re.compile(r"^(?:https?://)?(?:www\.)?github\.com/([A-Za-z0-9-]+)(?:[/?#]|$)", re.I)


def _h(kind: str, value: str) -> str:
    return hashlib.sha256(_SALT + kind.encode() + b"\0" + value.encode("utf-8")).hexdigest()


def _norm_name(name: str) -> str:
    s = unicodedata.normalize("NFKD", name)
    s = "".join(c for c in s if not unicodedata.combining(c)).lower()
    return " ".join(re.findall(r"\w+", s))


def login_hash(login: str) -> str:
    """The suppression hash of a GitHub login (case-insensitive, as GitHub is)."""
    return _h("login", f"github:{str(login).lower()}")


def identity_keys(row: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(kind, hash) pairs identifying the person behind an identity row."""
    keys: list[tuple[str, str]] = []
    src, ext = row.get("source"), row.get("external_key")
    if src and ext:
        keys.append(("external_key", _h("external_key", f"{src}:{ext}")))
    handles = row.get("handles") or {}
    login = row.get("login") if src in (None, "github") else None
    login = login or handles.get("github") or (ext if src == "github" else None)
    if login:
        keys.append(("login", login_hash(login)))
    for email in row.get("emails") or ():
        if email:
            keys.append(("email", _h("email", str(email).strip().lower())))
    for kind in _HANDLE_KINDS[1:]:
        value = handles.get(kind)
        if value and isinstance(value, str):
            keys.append(("handle", _h("handle", f"{kind}:{value.strip().lstrip('@').lower()}")))
    name = _norm_name(row.get("name") or "")
    if name:
        urls = list(row.get("urls") or ())
        if isinstance(handles.get("homepage"), str):
            urls.append(handles["homepage"])
        for url in urls:
            if url:
                keys.append(("name_link", _h("name_link", f"{name}|{str(url).rstrip('/').lower()}")))
    return list(dict.fromkeys(keys))


def _any_suppression(conn: Connection) -> bool:
    t = Suppression.__table__
    return conn.execute(select(t.c.id).limit(1)).first() is not None


def stored_hashes(conn: Connection, hashes: Iterable[str]) -> set[str]:
    """Which of `hashes` are stored suppressions."""
    t = Suppression.__table__
    hashes = list(dict.fromkeys(hashes))
    hit: set[str] = set()
    for i in range(0, len(hashes), 500):
        hit.update(conn.execute(select(t.c.key_hash).where(t.c.key_hash.in_(hashes[i : i + 500]))).scalars())
    return hit


def suppressed_identities(conn: Connection, rows: Iterable[Mapping[str, Any]]) -> set[tuple[str, str]]:
    """(source, external_key) of the rows that match a suppression."""
    rows = list(rows)
    if not rows or not _any_suppression(conn):
        return set()  # the common case: nobody to drop, no hashing needed
    by_hash: dict[str, set[tuple[str, str]]] = {}
    for r in rows:
        for _kind, h in identity_keys(r):
            by_hash.setdefault(h, set()).add((r["source"], r["external_key"]))
    hit: set[tuple[str, str]] = set()
    for h in stored_hashes(conn, by_hash):
        hit |= by_hash[h]
    return hit


def suppressed_logins(conn: Connection, logins: Iterable[str]) -> set[str]:
    """The (lower-cased) GitHub logins among `logins` that belong to forgotten people."""
    by_hash = {login_hash(x): str(x).lower() for x in logins if x}
    return {by_hash[h] for h in stored_hashes(conn, by_hash)} if by_hash else set()


def _owner(full_name: Any) -> str | None:
    if isinstance(full_name, str) and "/" in full_name:
        return full_name.split("/", 1)[0].lower()
    return None


def _url_owner(url: Any) -> str | None:
    m = _GITHUB_URL.match(url) if isinstance(url, str) else None
    return m.group(1).lower() if m else None


def scrub(conn: Connection, batch: MutableMapping[str, list[dict]]) -> int:
    """Remove from a batch (in place) what would bring a forgotten person back besides their
    identity rows: rows referencing a suppressed identity that is not in the batch, their own
    repositories and every row pointing at one, code links to them, and their login as a PR's
    merger. Returns the number of rows dropped or changed; costs one query when nobody was
    ever forgotten."""
    if not any(batch.values()) or not _any_suppression(conn):
        return 0
    changed = 0
    # identities referenced but not carried in the batch (stored earlier, since forgotten)
    refs = {tuple(r["identity"]) for rows in batch.values() for r in rows if r.get("identity") is not None}
    by_hash = {_h("external_key", f"{s}:{k}"): (s, k) for s, k in refs}
    gone_ids = {by_hash[h] for h in stored_hashes(conn, by_hash)}
    # owners of repositories, and logins that appear as a merger
    owners = {_owner(r.get("full_name")) for r in batch.get("repo", ())}
    owners |= {_owner(r.get("repo")) for rows in batch.values() for r in rows if r.get("repo")}
    owners |= {_url_owner(r.get("url")) for r in batch.get("papercode", ())}
    mergers = {str(r["merged_by"]).lower() for r in batch.get("activity", ()) if r.get("merged_by")}
    gone_logins = suppressed_logins(conn, (owners | mergers) - {None})
    if not gone_ids and not gone_logins:
        return 0
    for table, rows in batch.items():
        kept = []
        for r in rows:
            if (
                (r.get("identity") is not None and tuple(r["identity"]) in gone_ids)
                or (table == "repo" and _owner(r.get("full_name")) in gone_logins)
                or _owner(r.get("repo")) in gone_logins
                or (table == "papercode" and _url_owner(r.get("url")) in gone_logins)
            ):
                changed += 1
                continue
            if table == "activity" and r.get("merged_by") and str(r["merged_by"]).lower() in gone_logins:
                r["merged_by"] = None
                changed += 1
            kept.append(r)
        batch[table] = kept
    return changed
