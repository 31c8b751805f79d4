"""The arXiv API (/api/query) over a World, answered in the Atom format the `arxiv` package parses.

Supports search_query with field prefixes (ti, au, abs, co, jr, cat, id, all), quoted phrases,
AND / OR / ANDNOT, parentheses, submittedDate:[YYYYMMDDHHMM TO YYYYMMDDHHMM] and lastUpdatedDate
ranges; id_list (with or without versions, combined with search_query as a filter); start,
max_results; sortBy relevance|lastUpdatedDate|submittedDate; sortOrder ascending|descending.
"""

from __future__ import annotations

import re
import zlib
from datetime import datetime, timezone
from typing import Callable, Optional
from urllib.parse import urlencode
from xml.sax.saxutils import escape, quoteattr

from sourcing.world.model import Paper, World, no_gc

ATOM_HEAD = (
    "<?xml version='1.0' encoding='UTF-8'?>\n"
    '<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
    'xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">\n'
)
FIELDS = {"ti", "au", "abs", "co", "jr", "cat", "rn", "id", "all", "submittedDate", "lastUpdatedDate"}
_TOKEN = re.compile(r'\s*(\(|\)|"[^"]*"|\[[^\]]*\]|[^\s()"]+:"[^"]*"|[^\s()"]+:\[[^\]]*\]|[^\s()]+)')
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


class QueryError(ValueError):
    pass


def _words(s: str) -> list[str]:
    return re.findall(r"\w+", s.lower())


class Arxiv:
    """Search over a world's papers; results of a query are cached for its next pages."""

    def __init__(self, world: World):
        self.world = world
        self.papers = world.papers
        self.by_id = {p.id: i for i, p in enumerate(self.papers)}
        self.by_cat: dict[str, set[int]] = {}
        for i, p in enumerate(self.papers):
            for c in p.categories:
                self.by_cat.setdefault(c, set()).add(i)
        self._text: dict[str, list[str]] = {}
        self._cache: dict[tuple, list[int]] = {}

    def text(self, field: str) -> list[str]:
        got = self._text.get(field)
        if got is None:
            with no_gc():
                got = self._text[field] = self._build_text(field)
        return got

    def _build_text(self, field: str) -> list[str]:
        ps = self.papers
        if field == "ti":
            return [" ".join(_words(p.title)) for p in ps]
        if field == "abs":
            return [" ".join(_words(p.abstract)) for p in ps]
        if field == "au":
            return [" | ".join(" ".join(_words(a.name)) for a in p.authors) for p in ps]
        if field == "co":
            return [" ".join(_words(p.comment or "")) for p in ps]
        if field == "jr":
            return [" ".join(_words(p.journal_ref or "")) for p in ps]
        return [" ".join(x) for x in zip(self.text("ti"), self.text("abs"), self.text("au"), self.text("co"))]

    # --- query language ----------------------------------------------------------------

    def search(self, search_query: str, id_list: str, sort_by: str, sort_order: str) -> list[int]:
        key = (search_query, id_list, sort_by, sort_order)
        got = self._cache.get(key)
        if got is not None:
            return got
        with no_gc():
            return self._search(key, search_query, id_list, sort_by, sort_order)

    def _search(self, key: tuple, search_query: str, id_list: str, sort_by: str, sort_order: str) -> list[int]:
        ids: Optional[list[int]] = None
        if id_list.strip():
            ids = []
            for raw in id_list.split(","):
                raw = raw.strip()
                base = re.sub(r"v\d+$", "", raw)
                if not re.match(r"^(\d{4}\.\d{4,5}|[a-z-]+(\.[A-Z]{2})?/\d{7})$", base):
                    raise QueryError(f"incorrect id format for {raw}")
                if base in self.by_id:
                    ids.append(self.by_id[base])
        if search_query.strip():
            hits = self._eval(self._parse(search_query))
            found = [i for i in ids if i in hits] if ids is not None else list(hits)
        else:
            found = ids if ids is not None else []
        if ids is None or search_query.strip():
            found = self._sort(found, sort_by, sort_order)
        if len(self._cache) > 256:
            self._cache.clear()
        self._cache[key] = found
        return found

    def _sort(self, found: list[int], sort_by: str, order: str) -> list[int]:
        ps = self.papers
        if sort_by == "lastUpdatedDate":
            k: Callable = lambda i: (ps[i].updated, ps[i].id)  # noqa: E731
        elif sort_by == "submittedDate":
            k = lambda i: (ps[i].published, ps[i].id)  # noqa: E731
        else:  # relevance: the world has no scores; newest first is a stable stand-in
            k = lambda i: (ps[i].published, ps[i].id)  # noqa: E731
        return sorted(found, key=k, reverse=order != "ascending")

    def _parse(self, q: str):
        tokens = [t for t in _TOKEN.findall(q) if t]
        pos = 0

        def peek():
            return tokens[pos] if pos < len(tokens) else None

        def expr():
            nonlocal pos
            left = term()
            while peek() in ("AND", "OR", "ANDNOT"):
                op = tokens[pos]
                pos += 1
                left = (op, left, term())
            return left

        def term():
            nonlocal pos
            t = peek()
            if t is None:
                raise QueryError("unexpected end of query")
            pos += 1
            if t == "(":
                e = expr()
                if peek() != ")":
                    raise QueryError("missing )")
                pos += 1
                return e
            field, _, value = t.partition(":")
            if not _ or field not in FIELDS:
                field, value = "all", t
            if value.startswith("[") and field in ("submittedDate", "lastUpdatedDate"):
                m = re.match(r"^\[(\d{8,14})\s+TO\s+(\d{8,14})\]$", value.strip())
                if not m:
                    raise QueryError(f"bad date range {value}")
                return ("date", field, _stamp(m.group(1)), _stamp(m.group(2)))
            value = value.strip('"')
            # an unquoted multi-token value continues as implicit AND of plain words
            return ("term", field, value)

        tree = expr()
        while pos < len(tokens):  # juxtaposed terms: arXiv treats them as AND-ed
            tree = ("AND", tree, expr())
        return tree

    def _eval(self, node) -> set[int]:
        kind = node[0]
        if kind == "AND":
            return self._eval(node[1]) & self._eval(node[2])
        if kind == "OR":
            return self._eval(node[1]) | self._eval(node[2])
        if kind == "ANDNOT":
            return self._eval(node[1]) - self._eval(node[2])
        if kind == "date":
            _, field, lo, hi = node
            attr = "published" if field == "submittedDate" else "updated"
            return {i for i, p in enumerate(self.papers) if lo <= getattr(p, attr) <= hi}
        _, field, value = node
        if field == "cat":
            if value.endswith("*"):
                pre = value[:-1]
                return set().union(*[s for c, s in self.by_cat.items() if c.startswith(pre)])
            return set(self.by_cat.get(value, ()))
        if field in ("id", "rn"):
            i = self.by_id.get(re.sub(r"v\d+$", "", value))
            return {i} if i is not None else set()
        words = _words(value)
        if not words:
            return set()
        phrase = " ".join(words)
        texts = self.text(field)
        if len(words) == 1:
            rx = re.compile(r"\b" + re.escape(phrase) + r"\b")
            return {i for i, t in enumerate(texts) if phrase in t and rx.search(t)}
        return {i for i, t in enumerate(texts) if phrase in t}

    # --- Atom ------------------------------------------------------------------------------

    def feed(self, query: dict, base_url: str, empty: bool = False) -> tuple[int, str]:
        sq = query.get("search_query", "")
        idl = query.get("id_list", "")
        try:
            start = max(0, int(query.get("start", 0) or 0))
            maxr = max(0, min(30000, int(query.get("max_results", 10) or 10)))
        except ValueError:
            return 400, error_feed("start and max_results must be integers", base_url)
        try:
            found = self.search(sq, idl, query.get("sortBy", "relevance"), query.get("sortOrder", "descending"))
        except QueryError as exc:
            return 400, error_feed(str(exc), base_url)
        page = [] if empty else found[start: start + maxr]
        link = f"{base_url}?{urlencode(query)}"
        out = [ATOM_HEAD,
               f"  <id>{escape(base_url)}/{zlib.crc32((sq + idl).encode())}</id>\n",
               f"  <title>arXiv Query: {escape(urlencode(query))}</title>\n",
               f"  <updated>{_ts(self.world.now)}</updated>\n",
               f"  <link href={quoteattr(link)} type=\"application/atom+xml\"/>\n",
               f"  <opensearch:itemsPerPage>{maxr}</opensearch:itemsPerPage>\n",
               f"  <opensearch:totalResults>{len(found)}</opensearch:totalResults>\n",
               f"  <opensearch:startIndex>{start}</opensearch:startIndex>\n"]
        out += [entry(self.papers[i]) for i in page]
        out.append("</feed>\n")
        return 200, "".join(out)


def _stamp(s: str) -> datetime:
    s = (s + "000000")[:14]
    return datetime.strptime(s, "%Y%m%d%H%M%S").replace(tzinfo=timezone.utc)


def _ts(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _x(s: str) -> str:
    return escape(_XML_BAD.sub("", s))


def entry(p: Paper) -> str:
    v = f"{p.id}v{p.version}"
    parts = [
        "  <entry>\n",
        f"    <id>http://arxiv.org/abs/{v}</id>\n",
        f"    <title>{_x(p.title)}</title>\n",
        f"    <updated>{_ts(p.updated)}</updated>\n",
        f'    <link href="https://arxiv.org/abs/{v}" rel="alternate" type="text/html"/>\n',
        f'    <link href="https://arxiv.org/pdf/{v}" rel="related" type="application/pdf" title="pdf"/>\n',
    ]
    if p.doi:
        parts.append(f'    <link href="https://doi.org/{_x(p.doi)}" rel="related" title="doi"/>\n')
    parts.append(f"    <summary>{_x(p.abstract)}</summary>\n")
    for c in p.categories:
        parts.append(f'    <category term="{c}" scheme="http://arxiv.org/schemas/atom"/>\n')
    parts.append(f"    <published>{_ts(p.published)}</published>\n")
    if p.comment:
        parts.append(f"    <arxiv:comment>{_x(p.comment)}</arxiv:comment>\n")
    if p.journal_ref:
        parts.append(f"    <arxiv:journal_ref>{_x(p.journal_ref)}</arxiv:journal_ref>\n")
    if p.doi:
        parts.append(f"    <arxiv:doi>{_x(p.doi)}</arxiv:doi>\n")
    parts.append(f'    <arxiv:primary_category term="{p.primary_category}"/>\n')
    for a in p.authors:
        aff = f"\n      <arxiv:affiliation>{_x(a.affiliation)}</arxiv:affiliation>" if a.affiliation else ""
        parts.append(f"    <author>\n      <name>{_x(a.name)}</name>{aff}\n    </author>\n")
    parts.append("  </entry>\n")
    return "".join(parts)


def error_feed(message: str, base_url: str) -> str:
    """arXiv's 400 answer: a feed with one entry carrying the error (as recorded from arXiv)."""
    anchor = re.sub(r"\W+", "_", message).strip("_")
    return (
        ATOM_HEAD
        + "  <id>https://arxiv.org/</id>\n  <title>arXiv Search Results</title>\n"
        + "  <updated>2026-01-01T00:00:00Z</updated>\n"
        + "  <opensearch:itemsPerPage>1</opensearch:itemsPerPage>\n"
        + "  <opensearch:totalResults>1</opensearch:totalResults>\n"
        + "  <opensearch:startIndex>0</opensearch:startIndex>\n"
        + f"  <entry>\n    <id>https://arxiv.org/api/errors#{anchor}</id>\n    <title>Error</title>\n"
        + "    <updated>2026-01-01T00:00:00Z</updated>\n"
        + f'    <link href="https://arxiv.org/api/errors#{anchor}" rel="alternate" type="text/html"/>\n'
        + f"    <summary>{escape(message)}</summary>\n"
        + "    <author>\n      <name>arXiv api core</name>\n    </author>\n  </entry>\n</feed>\n"
    )
