"""What every talk spider shares: its sites, problems it reports, and small parsing helpers.

A spider is given one or more site URLs (`-a url=...` or `-a urls=a,b`, optionally
`-a names=Name A|Name B`). Whatever goes wrong on a site (a page that fails after retries, a
layout where nothing is found) becomes a problem the runner reports as a warning of that site.
"""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import date, datetime, timezone
from typing import Any, Optional

import scrapy
from scrapy.spidermiddlewares.httperror import HttpError


def slugify(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def clean(text: Any) -> Optional[str]:
    """Whitespace-normalised text without carriage returns; None when empty."""
    if text is None:
        return None
    if not isinstance(text, str):
        text = str(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\xa0", " ")
    text = "\n".join(re.sub(r"[ \t]+", " ", line).strip() for line in text.split("\n"))
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    return text or None


def localized(value: Any, prefer: str = "en") -> Optional[str]:
    """pretalx i18n fields are either a string or {"en": ..., "fr": ...}."""
    if value is None:
        return None
    if isinstance(value, dict):
        if "name" in value:  # an expanded object: a track, a room, a submission type
            return localized(value["name"], prefer)
        v = value.get(prefer) or next((x for x in value.values() if isinstance(x, str) and x), None)
        return clean(v)
    if isinstance(value, str):
        return clean(value)
    return None


def utc(value: Any) -> Optional[datetime]:
    """An aware UTC datetime from an ISO string, a date, or a datetime (naive means UTC)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, date):
        dt = datetime(value.year, value.month, value.day)
    else:
        s = str(value).strip().replace("/", "-")
        if s.endswith("Z"):
            s = s[:-1] + "+00:00"
        try:
            dt = datetime.fromisoformat(s)
        except ValueError:
            try:
                dt = datetime.fromisoformat(s[:10])
            except ValueError:
                return None
    if dt.tzinfo is None:
        return dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc)


def minutes(value: Any) -> Optional[int]:
    """Duration as minutes from "00:50", "1:30:00", "45" or 45."""
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)):
        return int(value)
    s = str(value).strip()
    if ":" in s:
        parts = [int(p) for p in s.split(":") if p.isdigit()]
        if len(parts) >= 2:
            return parts[0] * 60 + parts[1]
        return None
    return int(s) if s.isdigit() else None


KIND_WORDS = [
    ("keynote", "keynote"), ("plenary", "keynote"), ("tutorial", "tutorial"), ("training", "tutorial"),
    ("workshop", "workshop"), ("lightning", "lightning"), ("sprint", "sprint"), ("panel", "panel"),
    ("poster", "poster"), ("talk", "talk"), ("lecture", "talk"), ("maintrack", "talk"),
]


def talk_kind(value: Optional[str]) -> Optional[str]:
    if not value:
        return None
    v = value.lower()
    for word, kind in KIND_WORDS:
        if word in v:
            return kind
    return "other"


NOT_A_PERSON = re.compile(
    r"^(various( speakers)?|unknown|tba|tbd|n/?a|none|no speaker|speakers?|multiple speakers|organi[sz]ers?|staff)$",
    re.I,
)


def is_person(name: Optional[str]) -> bool:
    return bool(name) and not NOT_A_PERSON.match(name.strip())


VIDEO = re.compile(r"(youtube\.com|youtu\.be|vimeo\.com|media\.ccc\.de|video\.fosdem\.org|\.mp4$|\.webm$)", re.I)


class SiteSpider(scrapy.Spider):
    """Base of the four spiders: sites from arguments, problems collected for the runner."""

    platform = ""

    def __init__(self, url: Optional[str] = None, urls: Any = None, names: Any = None, *args, **kwargs):
        super().__init__(*args, **kwargs)
        sites: list[str] = []
        if urls:
            sites += [u for u in (urls.split(",") if isinstance(urls, str) else urls) if u]
        if url:
            sites.append(url)
        self.sites = list(dict.fromkeys(s.strip() for s in sites))
        if isinstance(names, str):
            names = names.split("|")
        self.site_names = dict(zip(self.sites, names or []))
        self.problems: list[dict] = []
        # crawl state kept across a pause: Scrapy's SpiderState replaces it when JOBDIR is set
        self.state: dict = {}

    # -- reporting ---------------------------------------------------------------------------

    def problem(self, site: Optional[str], where: str, message: str, *, error: bool = False) -> None:
        self.problems.append({"site": site or "", "where": where, "message": message, "error": error})
        self.logger.warning("%s: %s: %s", site or self.name, where, message)
        if self.crawler is not None:
            self.crawler.stats.inc_value("sourcing/problems")

    def on_error(self, failure):
        """Errback of every request: the site gets the error; the crawl goes on."""
        request = failure.request
        site = request.meta.get("site")
        if failure.check(HttpError):
            status = failure.value.response.status
            self.problem(site, request.url, f"HTTP {status}", error=True)
        else:
            self.problem(site, request.url, f"{failure.type.__name__}: {failure.getErrorMessage()}", error=True)

    def request(self, url: str, callback, site: str, **meta) -> scrapy.Request:
        return scrapy.Request(url, callback=callback, errback=self.on_error, meta={"site": site, **meta})

    def json_of(self, response) -> Any:
        """The JSON body, or None (with a problem) when the page is not JSON."""
        try:
            return json.loads(response.text)
        except (ValueError, AttributeError) as exc:
            self.problem(response.meta.get("site"), response.url, f"not JSON ({exc.__class__.__name__})")
            return None

    def site_name(self, site: str) -> Optional[str]:
        return self.site_names.get(site)
