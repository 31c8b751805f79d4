"""Profile links found in a speaker's biography and profile fields: GitHub, GitLab, Twitter/X,
Mastodon, LinkedIn, ORCID and a homepage, as Identity.handles plus the raw URLs (Identity.urls).

Only what identifies the person is kept: a repository URL (github.com/owner/repo) names a
project, not its speaker, so it is a URL but never the speaker's GitHub handle.
"""

from __future__ import annotations

import re
from typing import Iterable, Optional
from urllib.parse import urlsplit

URL = re.compile(r"""(?:https?://|www\.)[^\s<>"'()\[\]{}]+""", re.I)
# bare profile references without a scheme: "github.com/jdoe", "linkedin.com/in/jdoe"
BARE = re.compile(
    r"""(?<![\w./@-])(?:github\.com|gitlab\.com|twitter\.com|x\.com|linkedin\.com|orcid\.org)/[^\s<>"'()\[\]{},;]+""",
    re.I,
)
MASTODON = re.compile(r"(?<![\w@/])@([A-Za-z0-9_]{1,30})@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})")
ORCID = re.compile(r"\b(\d{4}-\d{4}-\d{4}-\d{3}[\dX])\b")
# "GitHub: jdoe", "Twitter: @jdoe", "github @jdoe", "X/Twitter - jdoe"
LABELLED = re.compile(
    r"\b(github|gitlab|twitter|x/twitter|twitter/x)\s*(?:handle|username|user|profile)?\s*(?:[:=\-–]\s*@?|@|\s+as\s+@?)([A-Za-z0-9][A-Za-z0-9_-]{0,38})\b",
    re.I,
)

# first path segments on github.com that are not users
GITHUB_RESERVED = {
    "about", "apps", "blog", "collections", "contact", "customer-stories", "enterprise", "events",
    "explore", "features", "issues", "login", "marketplace", "new", "notifications", "orgs",
    "organizations", "pricing", "pulls", "search", "security", "settings", "site", "sponsors",
    "topics", "trending", "join", "signup", "team", "readme", "codespaces", "education",
}
TWITTER_RESERVED = {"home", "intent", "share", "search", "hashtag", "i", "explore", "settings", "login"}
# hosts that never are a person's homepage
NOT_HOMEPAGE = (
    "youtube.com", "youtu.be", "vimeo.com", "pretalx.com", "pyvideo.org", "twitch.tv",
    "meetup.com", "eventbrite.", "doi.org", "arxiv.org", "slideshare.net", "speakerdeck.com",
    "google.com", "facebook.com", "instagram.com", "bsky.app", "wikipedia.org", "pypi.org",
)
TRAIL = ".,;:!?)]}'\"»”’"


def _clean(url: str) -> str:
    url = url.rstrip(TRAIL)
    if url.lower().startswith("www."):
        url = "https://" + url
    if not re.match(r"https?://", url, re.I):
        url = "https://" + url
    return url


def _host_path(url: str) -> tuple[str, list[str]]:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    return host, [p for p in parts.path.split("/") if p]


def classify(url: str) -> tuple[Optional[str], Optional[str]]:
    """(handle kind, value) for one URL, or (None, None) when it names no person."""
    host, path = _host_path(url)
    if host == "github.com":
        if len(path) == 1 and path[0].lower() not in GITHUB_RESERVED:
            return "github", path[0]
        return None, None
    if host.endswith(".github.io") and host.count(".") == 2:
        return "homepage", url
    if host == "gitlab.com":
        if len(path) == 1:
            return "gitlab", path[0]
        return None, None
    if host in ("twitter.com", "x.com", "mobile.twitter.com"):
        if len(path) >= 1 and path[0].lower() not in TWITTER_RESERVED and re.fullmatch(r"\w{1,15}", path[0]):
            return "twitter", path[0].lstrip("@")
        return None, None
    if host.endswith("linkedin.com"):
        if len(path) >= 2 and path[0] in ("in", "pub"):
            return "linkedin", path[1]
        return None, None
    if host == "orcid.org":
        if path and ORCID.fullmatch(path[0]):
            return "orcid", path[0]
        return None, None
    if path and path[0].startswith("@") and len(path) == 1 and "." in host:
        # https://fosstodon.org/@jdoe is a Mastodon profile
        return "mastodon", f"{path[0]}@{host}"
    if any(h in host for h in NOT_HOMEPAGE):
        return None, None
    if not host or "." not in host:
        return None, None
    return "homepage", url


def find_urls(text: str) -> list[str]:
    """Every URL in a text, in order, trailing punctuation removed, each once."""
    if not text:
        return []
    found: list[tuple[int, str]] = [(m.start(), _clean(m.group(0))) for m in URL.finditer(text)]
    spans = [(m.start(), m.end()) for m in URL.finditer(text)]
    for m in BARE.finditer(text):
        if not any(s <= m.start() < e for s, e in spans):
            found.append((m.start(), _clean(m.group(0))))
    found.sort()
    return list(dict.fromkeys(u for _, u in found))


def extract(texts: Iterable[Optional[str]] = (), urls: Iterable[Optional[str]] = ()) -> tuple[dict, list]:
    """Handles and URLs from free texts (biographies) and explicit profile fields (URLs or
    "label: value" strings). The first value found per handle kind wins; explicit fields first."""
    handles: dict[str, str] = {}
    out_urls: list[str] = []

    def take(kind: Optional[str], value: Optional[str]) -> None:
        if kind and value and kind not in handles:
            handles[kind] = value

    def from_text(text: str) -> None:
        for u in find_urls(text):
            out_urls.append(u)
            take(*classify(u))
        for m in MASTODON.finditer(text):
            take("mastodon", f"@{m.group(1)}@{m.group(2)}")
        for m in LABELLED.finditer(text):
            label = m.group(1).lower()
            value = m.group(2)
            # a labelled URL ("GitHub: https://github.com/x") was already read above
            if value.lower() in ("https", "http", "www", "com"):
                continue
            kind = "github" if label == "github" else "gitlab" if label == "gitlab" else "twitter"
            take(kind, value)
        if "orcid" in text.lower():
            m = ORCID.search(text)
            if m:
                take("orcid", m.group(1))

    for field in urls:
        if not field:
            continue
        field = field.strip()
        if URL.match(field) or BARE.match(field):
            u = _clean(field)
            out_urls.append(u)
            take(*classify(u))
        else:
            from_text(field)
    for text in texts:
        if text:
            from_text(text)
    return handles, list(dict.fromkeys(out_urls))


def github_repos(text: Optional[str]) -> list[tuple[str, str]]:
    """(url, "owner/name") for each GitHub repository URL in a text (a paper's code link)."""
    out = []
    for u in find_urls(text or ""):
        host, path = _host_path(u)
        if host == "github.com" and len(path) >= 2 and path[0].lower() not in GITHUB_RESERVED:
            name = re.sub(r"\.git$", "", path[1])
            out.append((f"https://github.com/{path[0]}/{name}", f"{path[0]}/{name}"))
    return list(dict.fromkeys(out))
