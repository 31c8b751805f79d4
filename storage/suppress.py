"""Suppressions: people who asked to be forgotten, kept only as hashes of their keys.

`identity_keys` turns an identity row into the hashed keys that would recognise the person
again (logins, emails, normalised name together with a link); the ingest path drops any
identity that matches a stored suppression before it is written.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import Any, Iterable, Mapping

from sqlalchemy import select
from sqlalchemy.engine import Connection

from storage.models import Suppression

# A fixed, product-wide salt: the hashes only need to be unlinkable to plain text lists of
# names, not secret; they must stay comparable across runs.
_SALT = b"sourcing/suppression/v1"


def _h(kind: str, value: str) -> str:
    return hashlib.sha256(_SALT + kind.encode() + b"\0" + value.encode("utf-8")).hexdigest()


def _norm_name(name: str) -> str:
    s = unicodedata.normalize("NFKD", name)
    s = "".join(c for c in s if not unicodedata.combining(c)).lower()
    return " ".join(re.findall(r"\w+", s))


def identity_keys(row: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(kind, hash) pairs identifying the person behind an identity row."""
    keys: list[tuple[str, str]] = []
    src, ext = row.get("source"), row.get("external_key")
    if src and ext:
        keys.append(("external_key", _h("external_key", f"{src}:{ext}")))
    login = row.get("login") or (row.get("handles") or {}).get("github")
    if login:
        keys.append(("login", _h("login", f"github:{str(login).lower()}")))
    for email in row.get("emails") or ():
        if email:
            keys.append(("email", _h("email", str(email).strip().lower())))
    name = _norm_name(row.get("name") or "")
    if name:
        for url in row.get("urls") or ():
            if url:
                keys.append(("name_link", _h("name_link", f"{name}|{str(url).rstrip('/').lower()}")))
    return keys


def suppressed_identities(conn: Connection, rows: Iterable[Mapping[str, Any]]) -> set[tuple[str, str]]:
    """(source, external_key) of the rows that match a suppression."""
    rows = list(rows)
    if not rows:
        return set()
    t = Suppression.__table__
    if conn.execute(select(t.c.id).limit(1)).first() is None:
        return set()  # the common case: nobody to drop, no hashing needed
    by_hash: dict[str, set[tuple[str, str]]] = {}
    for r in rows:
        for _kind, h in identity_keys(r):
            by_hash.setdefault(h, set()).add((r["source"], r["external_key"]))
    hit: set[tuple[str, str]] = set()
    hashes = list(by_hash)
    for i in range(0, len(hashes), 500):
        for (h,) in conn.execute(select(t.c.key_hash).where(t.c.key_hash.in_(hashes[i : i + 500]))):
            hit |= by_hash[h]
    return hit
