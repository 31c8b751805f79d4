"""Fetch real site URLs from a local mirror (the offline world) without the spiders knowing.

With `SOURCING_SITES_MIRROR = "http://127.0.0.1:8765/sites/"`, a request for
https://pretalx.com/pydata-berlin-2025/ is downloaded from
http://127.0.0.1:8765/sites/pretalx.com/pydata-berlin-2025/ and its response carries the real URL
again. So robots.txt, the HTTP cache, throttling slots, links followed and the URLs stored are
those of the real site, exactly as in a crawl of the internet.
"""

from __future__ import annotations

import re
from typing import Optional
from urllib.parse import urlsplit

from scrapy.core.downloader.handlers.base import BaseDownloadHandler
from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.utils.misc import build_from_crawler

MIRRORED = re.compile(r"^(https?://[^/]+/sites/)([^/?#]+)(/[^#]*)?$")


def to_mirror(mirror: str, url: str) -> str:
    """The mirror's URL of a real URL (scheme dropped: the world serves every site over http)."""
    parts = urlsplit(url)
    rest = parts.path or "/"
    if parts.query:
        rest += "?" + parts.query
    return mirror.rstrip("/") + "/" + parts.netloc + rest


def split_mirrored(url: str) -> tuple[Optional[str], str]:
    """("http://127.0.0.1:8765/sites/", "https://host/path") for a URL already pointing into a
    mirror; (None, url) for a real URL."""
    m = MIRRORED.match(url)
    if not m:
        return None, url
    return m.group(1), f"https://{m.group(2)}{m.group(3) or '/'}"


class MirrorDownloadHandler(BaseDownloadHandler):
    """http/https handler: Scrapy's own HTTP/1.1 handler, aimed at the mirror when one is set."""

    lazy = False

    def __init__(self, crawler):
        super().__init__(crawler)
        mirror = crawler.settings.get("SOURCING_SITES_MIRROR") or None
        self.mirror = mirror.rstrip("/") + "/" if mirror else None
        self.inner = build_from_crawler(HTTP11DownloadHandler, crawler)

    async def download_request(self, request):
        if not self.mirror or request.url.startswith(self.mirror):
            return await self.inner.download_request(request)
        local = request.replace(url=to_mirror(self.mirror, request.url))
        response = await self.inner.download_request(local)
        return response.replace(url=request.url, request=request)

    async def close(self) -> None:
        await self.inner.close()
