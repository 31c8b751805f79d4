"""One local HTTP server for a World: GitHub REST v3, the arXiv API, conference sites, recordings.

    /api/v3/...            GitHub REST v3 (PyGithub: Github(base_url=URL + "/api/v3"))
    /api/query             arXiv API (arxiv.Client with query_url_format = URL + "/api/query?{}")
    /sites/<host>/<path>   conference sites (sourcing.world.sites.handle), e.g.
                           /sites/pretalx.com/pydata-berlin-2025/
    GET  /_world/stats     request counts by API and status, rate-limit accounting, faults served
    POST /_world/faults    body: a fault spec (see parse_faults); empty body clears
    POST /_world/reset     zero the stats and refill every rate-limit budget

GitHub behaviour: ETag on every 200 (If-None-Match -> 304, not counted against the budget);
Last-Modified on repos and users (If-Modified-Since -> 304); X-RateLimit-* headers against a
budget per token (Authorization header), 403 "API rate limit exceeded" with X-RateLimit-Reset once
it is spent, refilled when the reset time passes; /rate_limit is free, as on GitHub.

Faults are off by default. A spec is a comma-separated list of `[api/]kind[:rate[:times]]`:
kind 500 | 502 | 404 | truncated (any API), secondary (403 + Retry-After) | 301 (redirect to
/repositories/{id}) | 409 (empty repository) (GitHub only), empty_page (arXiv: a page with no
entries); rate = probability per request (default 1), times = at most that many (default
unlimited). E.g. "502:1:2" fails the next two GitHub/arXiv/site requests, "arxiv/empty_page:0.2".
A Fault may also carry `match`, a regex searched in the request path.

With `replay=DIR` (or one file) it also serves recorded responses (PyGithub ReplayData *.txt files
and the arxiv package's recorded *.json fixtures found under DIR) through the same door: a request
that matches a recording gets it (URLs rewritten to this server; a request recorded several times
in one file is answered in recorded order, e.g. 500 then 200); anything else falls through to the
world.
"""

from __future__ import annotations

import ast
import gc
import hashlib
import json
import random
import re
import socket
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterable, Iterator, Optional, Union
from urllib.parse import parse_qsl, unquote, urlsplit

from sourcing.world import github_api as gh
from sourcing.world.arxiv_api import Arxiv
from sourcing.world.model import World

Response = tuple[int, dict, bytes]
JSON = "application/json; charset=utf-8"
ATOM = "application/atom+xml; charset=utf-8"
KINDS = {
    "500": ("github", "arxiv", "sites"),
    "502": ("github", "arxiv", "sites"),
    "404": ("github", "arxiv", "sites"),
    "truncated": ("github", "arxiv", "sites"),
    "secondary": ("github",),
    "301": ("github",),
    "409": ("github",),
    "empty_page": ("arxiv",),
}
PRIMARY_MSG = "API rate limit exceeded for user. (But here's the good news: Authenticated requests get a higher rate limit.)"
SECONDARY_MSG = "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."


@dataclass
class Fault:
    kind: str
    rate: float = 1.0
    times: Optional[int] = None  # None: unlimited
    match: Optional[str] = None  # regex searched in the request path
    api: Optional[str] = None  # None: every API the kind applies to
    served: int = field(default=0, compare=False)

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault '{self.kind}' (known: {', '.join(KINDS)})")
        if self.api is not None and self.api not in KINDS[self.kind]:
            raise ValueError(f"fault '{self.kind}' does not apply to {self.api}")


FaultSpec = Union[None, str, Fault, Iterable[Union[str, Fault]]]


def parse_faults(spec: FaultSpec) -> list[Fault]:
    """Faults from "[api/]kind[:rate[:times]],..." text, Fault objects, or a list of either."""
    if spec is None:
        return []
    if isinstance(spec, Fault):
        return [spec]
    items = [s.strip() for s in spec.split(",")] if isinstance(spec, str) else list(spec)
    out = []
    for it in items:
        if isinstance(it, Fault):
            out.append(it)
            continue
        if not it:
            continue
        api, _, rest = it.rpartition("/")
        parts = rest.split(":")
        try:
            rate = float(parts[1]) if len(parts) > 1 and parts[1] else 1.0
            times = int(parts[2]) if len(parts) > 2 and parts[2] else None
        except ValueError:
            raise ValueError(f"bad fault '{it}': expected [api/]kind[:rate[:times]]") from None
        out.append(Fault(kind=parts[0], rate=rate, times=times, api=api or None))
    return out


class _Budget:
    __slots__ = ("remaining", "reset")

    def __init__(self, limit: int, reset: float):
        self.remaining, self.reset = limit, reset


class WorldApp:
    """Answers requests (method, path, headers) -> (status, headers, body); no sockets here."""

    def __init__(
        self,
        world: Optional[World],
        *,
        faults: FaultSpec = None,
        rate_limit: int = 5000,
        reset_seconds: float = 3600,
        retry_after: int = 1,
        replay: Union[str, Path, None] = None,
        seed: int = 0,
    ):
        self.world = world
        self.github = gh.GitHub(world) if world is not None else None
        self.arxiv = Arxiv(world) if world is not None else None
        self.rate_limit, self.reset_seconds, self.retry_after = rate_limit, reset_seconds, retry_after
        self.lock = threading.Lock()
        self.rng = random.Random(seed)
        self.faults = parse_faults(faults)
        self.replay = Replay(Path(replay)) if replay else None
        self.budgets: dict[str, _Budget] = {}
        self.reset_stats()
        if world is not None:  # build lookups now, not under the first burst of requests
            world.user("x"), world.repo("x/y"), world.renamed("x/y"), world.repo_pulls("x/y")
            world.pull_reviews("x/y", 1), world.repo_commits("x/y"), world.user_repos("x")

    # --- runtime control -----------------------------------------------------------------

    def set_faults(self, spec: FaultSpec) -> None:
        with self.lock:
            self.faults = parse_faults(spec)

    def reset_stats(self) -> None:
        with self.lock:
            self._stats: dict[str, Any] = {
                "requests": 0, "apis": {}, "endpoints": {}, "faults": {},
                "rate_limit": {"counted": 0, "not_modified": 0, "limited": 0},
            }
            self.budgets = {}

    def stats(self) -> dict:
        with self.lock:
            return json.loads(json.dumps(self._stats))

    def _count(self, api: str, status: int, endpoint: Optional[str]) -> None:
        with self.lock:
            s = self._stats
            s["requests"] += 1
            by = s["apis"].setdefault(api, {})
            by[str(status)] = by.get(str(status), 0) + 1
            if endpoint:
                s["endpoints"][endpoint] = s["endpoints"].get(endpoint, 0) + 1

    def _fault(self, api: str, path: str) -> Optional[Fault]:
        with self.lock:
            for f in self.faults:
                if api not in ((f.api,) if f.api else KINDS[f.kind]):
                    continue
                if f.times is not None and f.served >= f.times:
                    continue
                if f.match and not re.search(f.match, path):
                    continue
                if f.rate < 1 and self.rng.random() >= f.rate:
                    continue
                f.served += 1
                self._stats["faults"][f.kind] = self._stats["faults"].get(f.kind, 0) + 1
                return f
        return None

    # --- dispatch ----------------------------------------------------------------------

    def handle(self, method: str, target: str, headers: dict[str, str], body: bytes = b"") -> Response:
        parts = urlsplit(target)
        path = unquote(parts.path)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        host = headers.get("host") or "127.0.0.1"
        root = f"http://{host}"
        if path.startswith("/_world/"):
            return self._control(method, path, body)
        if path == "/api/v3" or path.startswith("/api/v3/"):
            api = "github"
            sub = path[len("/api/v3"):] or "/"
            status, h, b, endpoint = self._github(method, sub, parts.query, query, headers, root)
        elif path.rstrip("/") == "/api/query":
            api = "arxiv"
            status, h, b = self._arxiv(parts.query, query, root)
            endpoint = "/api/query"
        elif path.startswith("/sites/"):
            api = "sites"
            status, h, b = self._sites(path, parts.query)
            endpoint = "/sites/" + path.split("/")[2]
        else:
            api, endpoint = "world", None
            status, h, b = 404, {"Content-Type": "text/plain"}, b"not in this world\n"
        self._count(api, status, f"{api} {endpoint}" if endpoint else None)
        return status, h, b

    def _control(self, method: str, path: str, body: bytes) -> Response:
        if path == "/_world/stats":
            return _json_response(200, self.stats())
        if path == "/_world/faults" and method == "POST":
            try:
                self.set_faults(body.decode("utf-8").strip() or None)
            except ValueError as exc:
                return _json_response(400, {"error": str(exc)})
            return _json_response(200, {"faults": [f.kind for f in self.faults]})
        if path == "/_world/reset" and method == "POST":
            self.reset_stats()
            return _json_response(200, {"ok": True})
        if path == "/_world/health":
            return _json_response(200, {"ok": True, "size": self.world.size if self.world else 0})
        return _json_response(404, {"error": "unknown control path"})

    # --- GitHub --------------------------------------------------------------------------

    def _budget(self, headers: dict[str, str]) -> _Budget:
        token = headers.get("authorization") or "anonymous"
        key = hashlib.sha256(token.encode()).hexdigest()[:16]  # never keep tokens
        now = time.time()
        b = self.budgets.get(key)
        if b is None or now >= b.reset:
            b = self.budgets[key] = _Budget(self.rate_limit, now + self.reset_seconds)
        return b

    def _rate_headers(self, b: _Budget) -> dict:
        return {
            "X-RateLimit-Limit": str(self.rate_limit), "X-RateLimit-Remaining": str(max(0, b.remaining)),
            "X-RateLimit-Reset": str(int(b.reset + 0.999)), "X-RateLimit-Used": str(self.rate_limit - max(0, b.remaining)),
            "X-RateLimit-Resource": "core",
        }

    def _github(self, method, sub, raw_query, query, headers, root):
        base = f"{root}/api/v3"
        name, args = gh.match(sub)
        endpoint = gh.TEMPLATES.get(name, "other")
        with self.lock:
            budget = self._budget(headers)
            rate = self._rate_headers(budget)
        if name == "rate_limit" and self.github is not None:
            body = self.github.rate_limit_body(self.rate_limit, max(0, budget.remaining), int(budget.reset + 0.999))
            return (200, {**rate, "Content-Type": JSON}, _dumps(body), endpoint)
        if budget.remaining <= 0:
            with self.lock:
                self._stats["rate_limit"]["limited"] += 1
            body = {"message": PRIMARY_MSG, "documentation_url": gh.DOCS}
            return 403, {**rate, "Content-Type": JSON}, _dumps(body), endpoint
        fault = self._fault("github", sub)
        if fault is not None and fault.kind != "truncated":
            got = self._github_fault(fault, sub + (f"?{raw_query}" if raw_query else ""), base, rate)
            if got is not None:
                return (*got, endpoint)
        if method not in ("GET", "HEAD"):
            return 404, {"Content-Type": JSON}, _dumps({"message": "Not Found"}), endpoint
        recorded = self.replay.github(sub, raw_query, base) if self.replay else None
        if recorded is not None:
            return (*recorded, "replay")
        if self.github is None or name is None:
            status, payload, extra = gh.error(404, "Not Found")
        else:
            status, payload, extra = self.github.answer(name, args, query, base, base + sub.rstrip("/"))
        body = _dumps(payload)
        h = {"Content-Type": JSON, "X-GitHub-Media-Type": "github.v3; format=json", **extra}
        if status == 200:
            etag = 'W/"' + hashlib.sha1(body).hexdigest() + '"'
            h["ETag"] = etag
            h["Cache-Control"] = "private, max-age=60, s-maxage=60"
            modified = self._last_modified(name, args)
            if modified is not None:
                h["Last-Modified"] = formatdate(modified, usegmt=True)
            if _not_modified(headers, etag, modified):
                with self.lock:
                    self._stats["rate_limit"]["not_modified"] += 1
                    rate = self._rate_headers(budget)
                return 304, {**rate, "ETag": etag, **({"Last-Modified": h["Last-Modified"]} if modified else {})}, b"", endpoint
        with self.lock:
            budget.remaining -= 1
            self._stats["rate_limit"]["counted"] += 1
            rate = self._rate_headers(budget)
        h.update(rate)
        if fault is not None:  # truncated: the connection "dropped" half-way through the JSON
            body = body[: max(1, len(body) // 2)]
        return status, h, body, endpoint

    def _github_fault(self, fault: Fault, sub: str, base: str, rate: dict) -> Optional[tuple]:
        k = fault.kind
        if k in ("500", "502"):
            msg = "Server Error" if k == "500" else "Bad Gateway"
            return int(k), {**rate, "Content-Type": JSON}, _dumps({"message": msg})
        if k == "404":
            return 404, {**rate, "Content-Type": JSON}, _dumps({"message": "Not Found", "documentation_url": gh.DOCS})
        if k == "secondary":
            return (403, {**rate, "Content-Type": JSON, "Retry-After": str(self.retry_after)},
                    _dumps({"message": SECONDARY_MSG, "documentation_url": gh.DOCS}))
        full = gh.repo_path(sub.split("?", 1)[0])
        r = self.world.repo(full) if (full and self.world is not None) else None
        if r is None:
            return None
        if k == "301":
            rest = sub.split(f"/repos/{full}", 1)[-1] if f"/repos/{full}" in sub else ""
            loc = f"{base}/repositories/{r.id}{rest}"
            return 301, {**rate, "Content-Type": JSON, "Location": loc}, _dumps(
                {"message": "Moved Permanently", "url": loc, "documentation_url": gh.DOCS})
        if k == "409":
            return 409, {**rate, "Content-Type": JSON}, _dumps({"message": "Git Repository is empty.", "documentation_url": gh.DOCS})
        return None

    def _last_modified(self, name: Optional[str], args: tuple) -> Optional[float]:
        if self.world is None:
            return None
        if name == "repo":
            r = self.world.repo(f"{args[0]}/{args[1]}")
            return r.updated_at.timestamp() if r and r.updated_at else None
        if name == "user":
            p = self.world.user(args[0])
            return p.github.updated_at.timestamp() if p and p.github.updated_at else None
        return None

    # --- arXiv and sites -------------------------------------------------------------------

    def _arxiv(self, raw_query: str, query: dict, root: str) -> Response:
        fault = self._fault("arxiv", "/api/query?" + raw_query)
        if fault is not None and fault.kind in ("500", "502", "404"):
            return int(fault.kind), {"Content-Type": "text/plain"}, f"{fault.kind} error\n".encode()
        recorded = self.replay.arxiv(query) if self.replay else None
        if recorded is not None:
            status, text = recorded
        elif self.arxiv is None:
            return 404, {"Content-Type": "text/plain"}, b"no world\n"
        else:
            status, text = self.arxiv.feed(query, f"{root}/api/query", empty=fault is not None and fault.kind == "empty_page")
        body = text.encode("utf-8") if isinstance(text, str) else text
        if fault is not None and fault.kind == "truncated":
            body = body[: max(1, len(body) // 2)]
        return status, {"Content-Type": ATOM}, body

    def _sites(self, path: str, raw_query: str) -> Response:
        fault = self._fault("sites", path)
        if fault is not None and fault.kind in ("500", "502", "404"):
            return int(fault.kind), {"Content-Type": "text/html"}, f"<h1>{fault.kind}</h1>".encode()
        rest = path[len("/sites/"):]
        host, _, sub = rest.partition("/")
        try:
            from sourcing.world import sites
        except ImportError:
            return 404, {"Content-Type": "text/plain"}, b"conference sites are not available\n"
        if self.world is None:
            return 404, {"Content-Type": "text/plain"}, b"no world\n"
        status, h, body = sites.handle(self.world, host, "/" + sub, raw_query)
        if isinstance(body, str):
            body = body.encode("utf-8")
        if fault is not None and fault.kind == "truncated":
            body = body[: max(1, len(body) // 2)]
        return status, dict(h), body


def _dumps(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _json_response(status: int, obj: Any) -> Response:
    return status, {"Content-Type": JSON}, _dumps(obj)


def _not_modified(headers: dict[str, str], etag: str, modified: Optional[float]) -> bool:
    inm = headers.get("if-none-match")
    if inm:
        tags = {t.strip() for t in inm.split(",")}
        return etag in tags or etag.removeprefix("W/") in tags or "*" in tags
    ims = headers.get("if-modified-since")
    if ims and modified is not None:
        try:
            return int(modified) <= parsedate_to_datetime(ims).timestamp()
        except (TypeError, ValueError):
            return False
    return False


# --- recorded responses --------------------------------------------------------------------


class Replay:
    """Recorded GitHub (PyGithub ReplayData) and arXiv (arxiv.py fixtures) responses under a directory."""

    def __init__(self, root: Path):
        self.gh: dict[tuple[str, str], list[tuple[int, list, str]]] = {}
        self.turn: dict[tuple[str, str], int] = {}
        self.ax: dict[tuple, tuple[int, bytes]] = {}
        self.lock = threading.Lock()
        files = [root] if root.is_file() else sorted(root.rglob("*"))
        for f in files:
            if f.suffix == ".txt":
                self._load_github(f)
            elif f.suffix == ".json":
                self._load_arxiv(f)

    def _load_github(self, f: Path) -> None:
        """One file's exchanges. A request recorded in several files is served as the first file
        (by name) that recorded a success for it plays it: e.g. 500 then 200 for a retry test."""
        lines = f.read_text(encoding="utf-8", errors="replace").split("\n")
        mine: dict[tuple[str, str], list] = {}
        for i in range(0, len(lines) - 9, 11):
            rec = lines[i: i + 11]
            if rec[0] not in ("http", "https") or not rec[7].strip().isdigit():
                continue
            try:
                headers = ast.literal_eval(rec[8])
            except (ValueError, SyntaxError):
                continue
            key = (rec[1], _norm_target(rec[4]))
            mine.setdefault(key, []).append((int(rec[7]), headers, rec[9]))
        for key, recs in mine.items():
            have = self.gh.get(key)
            if have is None or (all(r[0] >= 400 for r in have) and any(r[0] < 400 for r in recs)):
                self.gh[key] = recs

    def _load_arxiv(self, f: Path) -> None:
        try:
            data = json.loads(f.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError):
            return
        if not isinstance(data, dict) or "url" not in data or "body" not in data:
            return
        q = dict(parse_qsl(urlsplit(data["url"]).query, keep_blank_values=True))
        self.ax[_arxiv_key(q)] = (int(data.get("status_code", 200)), data["body"].encode("latin-1"))

    def github(self, sub: str, raw_query: str, base: str) -> Optional[Response]:
        key = ("GET", _norm_target(sub + ("?" + raw_query if raw_query else "")))
        recs = self.gh.get(key)
        if not recs:
            return None
        with self.lock:  # the same request recorded twice (500 then 200) is served in order
            n = self.turn.get(key, 0)
            self.turn[key] = n + 1
        status, headers, body = recs[min(n, len(recs) - 1)]
        h = {}
        for k, v in headers:
            if k.lower() in ("content-length", "transfer-encoding", "content-encoding", "status", "connection"):
                continue
            h[k] = v.replace("https://api.github.com", base)
        return status, h, body.replace("https://api.github.com", base).encode("utf-8")

    def arxiv(self, query: dict) -> Optional[tuple[int, bytes]]:
        return self.ax.get(_arxiv_key(query))


def _norm_target(target: str) -> str:
    parts = urlsplit(target)
    q = sorted(parse_qsl(parts.query, keep_blank_values=True))
    return parts.path.rstrip("/") + ("?" + "&".join(f"{k}={v}" for k, v in q) if q else "")


def _arxiv_key(q: dict) -> tuple:
    return tuple(sorted((k, v) for k, v in q.items() if v != "" or k in ("search_query", "id_list")))


# --- HTTP ----------------------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: clients reuse one connection
    server_version = "sourcing-world"
    app: WorldApp  # set on the subclass made per server

    def setup(self) -> None:
        super().setup()
        # headers and body go out in separate writes: without this, Nagle + delayed ACK add 40 ms
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _serve(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            status, h, payload = self.app.handle(method, self.path, headers, body)
        except Exception as exc:  # a bug in the world must not kill the connection silently
            status, h, payload = 500, {"Content-Type": "text/plain"}, f"world error: {exc!r}\n".encode()
        self.send_response(status)
        for k, v in h.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Date", formatdate(usegmt=True))
        self.end_headers()
        if method != "HEAD" and payload:
            self.wfile.write(payload)

    def do_GET(self):  # noqa: N802
        self._serve("GET")

    def do_HEAD(self):  # noqa: N802
        self._serve("HEAD")

    def do_POST(self):  # noqa: N802
        self._serve("POST")

    def log_message(self, format, *args):  # quiet: tests and benchmarks make many requests
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


def make_server(app: WorldApp, host: str = "127.0.0.1", port: int = 0) -> ThreadingHTTPServer:
    handler = type("WorldHandler", (_Handler,), {"app": app})
    return _Server((host, port), handler)


class WorldHandle:
    """A world served in a background thread (tests, demo, benchmarks)."""

    def __init__(self, app: WorldApp, httpd: ThreadingHTTPServer):
        self.app, self.httpd = app, httpd
        host, port = httpd.server_address[:2]
        self.host, self.port = host, port
        self.url = f"http://{host}:{port}"
        self.github_url = f"{self.url}/api/v3"
        self.arxiv_url = f"{self.url}/api/query"
        self.sites_url = f"{self.url}/sites/"
        self.thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.1},
                                       name=f"world:{port}", daemon=True)
        self.thread.start()

    @property
    def world(self) -> Optional[World]:
        return self.app.world

    def site_url(self, real_url: str) -> str:
        """The world's URL of a real conference URL (https://pretalx.com/x/ -> <url>/sites/pretalx.com/x/)."""
        p = urlsplit(real_url)
        return f"{self.url}/sites/{p.netloc}{p.path or '/'}" + (f"?{p.query}" if p.query else "")

    def set_faults(self, spec: FaultSpec) -> None:
        self.app.set_faults(spec)

    def clear_faults(self) -> None:
        self.app.set_faults(None)

    def stats(self) -> dict:
        return self.app.stats()

    def reset_stats(self) -> None:
        """Zero the counters and refill the rate-limit budgets."""
        self.app.reset_stats()

    def set_rate_limit(self, limit: int, reset_seconds: Optional[float] = None) -> None:
        with self.app.lock:
            self.app.rate_limit = limit
            if reset_seconds is not None:
                self.app.reset_seconds = reset_seconds
            self.app.budgets = {}

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)

    def __enter__(self) -> "WorldHandle":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def start(world: Optional[World], host: str = "127.0.0.1", port: int = 0, **options) -> WorldHandle:
    """Serve `world` in a background thread; port 0 picks a free port. Options as WorldApp's."""
    app = WorldApp(world, **options)
    return WorldHandle(app, make_server(app, host, port))


def serve(
    world: Optional[World],
    host: str = "127.0.0.1",
    port: int = 8765,
    faults: FaultSpec = None,
    rate_limit: int = 5000,
    reset_seconds: float = 3600,
    replay: Union[str, Path, None] = None,
    on_ready=None,
) -> None:
    """Serve `world` until interrupted (the `sourcing world serve` command)."""
    app = WorldApp(world, faults=faults, rate_limit=rate_limit, reset_seconds=reset_seconds, replay=replay)
    # the world lives as long as the process: keep the collector from rescanning it on every burst
    gc.collect()
    gc.freeze()
    httpd = make_server(app, host, port)
    if on_ready is not None:
        on_ready(f"http://{httpd.server_address[0]}:{httpd.server_address[1]}")
    try:
        httpd.serve_forever(poll_interval=0.2)
    finally:
        httpd.server_close()


@contextmanager
def serve_in_thread(world: Optional[World], host: str = "127.0.0.1", port: int = 0, **options) -> Iterator[str]:
    """`with serve_in_thread(world) as url:` — the world served from a thread for the block."""
    handle = start(world, host, port, **options)
    try:
        yield handle.url
    finally:
        handle.stop()


# --- a config that points every source at a running world -----------------------------------

SAVED_SEARCHES = [
    {"name": "airflow-berlin", "skills": ["airflow"], "location": "Berlin|Germany|remote", "size": 25},
    {"name": "ml-engineers", "role": "ml-engineer", "size": 25},
    {"name": "mlops", "role": "mlops-engineer", "skills": ["mlflow", "kubernetes"], "size": 25},
]


def config_text(url: str, db_url: str = "sqlite:///sourcing.db") -> str:
    """A complete sourcing.toml that crawls the world at `url` with the default sources.

    GitHub and arXiv point at the world's APIs (no delay between arXiv pages), every default
    conference site at URL/sites/<host>/<path>; history windows are wide (ten years) because the
    world's calendar is fixed (sourcing.world.generate.WORLD_NOW), not today's.
    """
    from sourcing.config import ArxivConfig, TalksConfig

    url = url.rstrip("/")
    q = lambda s: json.dumps(s, ensure_ascii=False)  # noqa: E731  (a TOML basic string)
    out = [
        "# sourcing.toml for the offline world at " + url + " (written by `sourcing world config`)",
        "",
        "[database]",
        f"url = {q(db_url)}",
        "",
        "[github]",
        f"api_url = {q(url + '/api/v3')}",
        'token_env = ["GITHUB_TOKEN"]   # the world needs no token',
        "repos = []                      # the taxonomy's watchlist, as by default",
        "history_days = 3650",
        "per_page = 100",
        "",
        "[arxiv]",
        f"api_url = {q(url + '/api/query')}",
        "queries = [" + ", ".join(q(x) for x in ArxivConfig().queries) + "]",
        "delay_seconds = 0.0",
        "page_size = 200",
        "num_retries = 3",
        "history_days = 3650",
        "",
        "[talks]",
        'contact = "sourcing-world@example.invalid"',
        "autothrottle = false",
        "download_delay = 0.0",
    ]
    for site in TalksConfig().sites:
        p = urlsplit(site.url)
        local = f"{url}/sites/{p.netloc}{p.path or '/'}" + (f"?{p.query}" if p.query else "")
        out += ["", "[[talks.sites]]", f"spider = {q(site.spider)}", f"url = {q(local)}"]
        if site.name:
            out.append(f"name = {q(site.name)}")
    for s in SAVED_SEARCHES:
        out += ["", "[[searches]]"]
        for k, v in s.items():
            out.append(f"{k} = {json.dumps(v, ensure_ascii=False)}")
    return "\n".join(out) + "\n"
