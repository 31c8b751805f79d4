"""A small real HTTP server for the spider tests: GET /sites/<host>/<path> -> handler(host, path,
query), the same dispatch the offline world's server does; and readers of the real corpus."""

from __future__ import annotations

import json
import re
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit


@contextmanager
def serve(handler):
    """Yield the mirror base URL ("http://127.0.0.1:<port>/sites/"); `handler.hits` lists paths."""
    hits: list[str] = []

    class H(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            hits.append(self.path)
            parts = urlsplit(self.path)
            m = re.match(r"^/sites/([^/]+)/?(.*)$", parts.path)
            if not m:
                status, headers, body = 404, {"Content-Type": "text/plain"}, b"not found"
            else:
                status, headers, body = handler(m.group(1), m.group(2), parts.query)
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), H)
    server.daemon_threads = True
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}/sites/"
        serve.hits = hits
        yield base
    finally:
        server.shutdown()
        server.server_close()


def talks_config(sites=(), **talks):
    """A config whose [talks] lists `sites` [(spider, url, name)], crawled without delays."""
    from sourcing.config import Config, TalkSite, TalksConfig

    t = TalksConfig(
        sites=[TalkSite(spider=s, url=u, name=n) for s, u, n in sites] if sites else TalksConfig().sites,
        autothrottle=False, download_delay=0, contact="tests@example.invalid", **talks,
    )
    return Config(talks=t)


# --- the real corpus ---------------------------------------------------------------------


def front_matter(path: Path) -> dict:
    """The YAML front matter of a PMLR post (PyYAML-dumped: plain or single-quoted scalars folded
    over indented lines, and the author list of given/family pairs). Enough for these files."""
    text = path.read_text(encoding="utf-8")
    block = text.split("---", 2)[1]
    out: dict = {}
    key = None
    authors: list = []
    for line in block.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if key == "author" and re.match(r"^(- |  )(given|family):", line):
            m = re.match(r"^(- |  )(given|family):\s*(.*)$", line)
            if m.group(1) == "- ":
                authors.append({})
            authors[-1][m.group(2)] = _scalar(m.group(3))
            continue
        m = re.match(r"^([A-Za-z_-]+):\s*(.*)$", line)
        if m:
            key = m.group(1)
            out[key] = m.group(2)
            continue
        if key and line.startswith("  "):
            out[key] = (out[key] + " " + line.strip()).strip()
    for k, v in out.items():
        out[k] = _scalar(v) if isinstance(v, str) else v
    out["author"] = authors
    return out


def _scalar(v: str):
    v = v.strip()
    if len(v) >= 2 and v[0] == v[-1] == "'":
        return v[1:-1].replace("''", "'")
    if len(v) >= 2 and v[0] == v[-1] == '"':
        return json.loads(v)
    return v
