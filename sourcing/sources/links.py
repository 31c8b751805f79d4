"""Links in free text (abstracts, comments, speaker bios): code repositories on GitHub/GitLab,
personal handles (GitHub, GitLab, Twitter/X, Mastodon, LinkedIn, ORCID, homepage) and emails.

Pure functions, no network. Text from arXiv and conference sites is often LaTeX-flavoured
(`\\url{...}`, `\\_`), wrapped across lines and followed by punctuation; all of that is undone
before matching. Used by the arXiv collector, and meant for the talk spiders and identity
resolution too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

# GitHub paths that are pages of the site, not users or organisations
GITHUB_RESERVED = frozenset(
    """about account apps blog collections contact customer-stories enterprise events explore
    features gist issues join login logout marketplace new notifications orgs organizations
    pricing pulls readme search security settings site sponsors team topics trending users
    codespaces copilot solutions resources premium-support signup password_reset""".split()
)
# GitLab paths that end the project path (`/-/tree/...`, old-style `/tree/...`)
GITLAB_STOPS = frozenset(
    "- tree blob raw issues merge_requests wikis commits commit releases tags branches pipelines".split()
)
GITLAB_RESERVED = frozenset("explore help users groups dashboard projects search".split())

_LATEX = [
    # \url{u}, \href{u}{text} (and the swapped \href{text}{u} real abstracts have)
    (re.compile(r"\\(?:url|href)\s*\{([^}]*)\}(?:\{([^}]*)\})?"), r" \1 \2 "),
    (re.compile(r"\\([_%&#~$])"), r"\1"),  # \_ -> _
]
# URLs never contain these; they end one (braces and quotes come from LaTeX and markup)
_URL_CHARS = r"[^\s<>\"'{}|\\^`\[\]]"
_URL_RE = re.compile(
    rf"(?:https?://|(?<![\w.@/-])www\.)" + _URL_CHARS + "+"
    # bare host/path for the code hosts, also glued to a word ("atgithub.com/x/y" is real)
    rf"|(?<![.\-/@\w])(?:github\.com|gitlab\.com|linkedin\.com|twitter\.com|orcid\.org)/{_URL_CHARS}+"
    rf"|(?<=[a-z])(?:github\.com)/{_URL_CHARS}+",
    re.IGNORECASE,
)
_TRAILING = ".,;:!?)]}>*'\"’”"
_EMAIL_RE = re.compile(r"(?<![\w.+@-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_MASTODON_RE = re.compile(r"(?<![\w@/])@([A-Za-z0-9_]{1,30})@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")
_ORCID_RE = re.compile(r"\b(\d{4}-\d{4}-\d{4}-\d{3}[\dX])\b")
_GH_OWNER = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$")
_GH_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")
_SEGMENT = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")


@dataclass(frozen=True)
class RepoLink:
    """A code repository a text points at."""

    host: str  # github | gitlab
    full_name: str  # github: "owner/name"; gitlab: "<host>/<group>/.../<project>"
    url: str  # canonical: "https://github.com/owner/name", "https://gitlab.com/group/project"

    @property
    def owner(self) -> str:
        parts = self.full_name.split("/")
        return parts[0] if self.host == "github" else parts[1]


def clean(text: Optional[str]) -> str:
    """Undo LaTeX link markup and escapes so that URLs can be matched."""
    if not text:
        return ""
    for pattern, repl in _LATEX:
        text = pattern.sub(repl, text)
    return text


def urls(text: Optional[str]) -> list[str]:
    """Every URL in `text`, in order, once; `www.` and bare github.com/gitlab.com links get https://."""
    out: dict[str, None] = {}
    for m in _URL_RE.finditer(clean(text)):
        url = _strip(m.group(0))
        if not url:
            continue
        if not re.match(r"https?://", url, re.IGNORECASE):
            url = "https://" + url
        out.setdefault(url, None)
    return list(out)


def _strip(url: str) -> str:
    # trailing sentence punctuation; a closing bracket only when the URL has no opening one
    while url and url[-1] in _TRAILING:
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break
        url = url[:-1]
    return url


def _split(url: str) -> tuple[str, list[str]]:
    m = re.match(r"https?://(?:www\.)?([^/?#]+)(/[^?#]*)?", url, re.IGNORECASE)
    if not m:
        return "", []
    return m.group(1).lower(), [p for p in (m.group(2) or "").split("/") if p]


def repo_link(url: str) -> Optional[RepoLink]:
    """The repository a URL points at (any page inside it), or None for other URLs."""
    host, parts = _split(url)
    if host == "github.com":
        if len(parts) < 2 or parts[0].lower() in GITHUB_RESERVED:
            return None
        owner, name = parts[0], re.sub(r"(\.git)?\.*$", "", parts[1])
        if not _GH_OWNER.match(owner) or not name or not _GH_NAME.match(name) or name in (".", ".."):
            return None
        return RepoLink("github", f"{owner}/{name}", f"https://github.com/{owner}/{name}")
    if host == "gitlab.com" or host.startswith("gitlab."):
        path: list[str] = []
        for p in parts:
            if p in GITLAB_STOPS and len(path) >= 2:
                break
            path.append(p)
        if path:
            path[-1] = re.sub(r"(\.git)?\.*$", "", path[-1])
        if len(path) < 2 or path[0].lower() in GITLAB_RESERVED or not all(_SEGMENT.match(p) for p in path):
            return None
        full = "/".join([host, *path])
        return RepoLink("gitlab", full, f"https://{full}")
    return None


def code_links(*texts: Optional[str]) -> list[RepoLink]:
    """The GitHub/GitLab repositories the texts link to, in order, once each (case-insensitively)."""
    seen: dict[str, RepoLink] = {}
    for text in texts:
        for url in urls(text):
            link = repo_link(url)
            if link and link.full_name.lower() not in seen:
                seen[link.full_name.lower()] = link
    return list(seen.values())


def emails(text: Optional[str]) -> list[str]:
    """E-mail addresses in `text`, lower-cased, in order, once each."""
    out: dict[str, None] = {}
    for m in _EMAIL_RE.finditer(text or ""):
        out.setdefault(m.group(0).strip(".").lower(), None)
    return list(out)


_PROFILE_HOSTS = {
    "twitter.com": "twitter",
    "x.com": "twitter",
    "mobile.twitter.com": "twitter",
}


def handles(text: Optional[str]) -> dict[str, str]:
    """Personal handles a text names, by the Identity.handles keys: github, gitlab, twitter,
    mastodon, linkedin, orcid, homepage (the first URL that is none of the others). The first
    of each kind wins."""
    found: dict[str, str] = {}

    def put(kind: str, value: str) -> None:
        found.setdefault(kind, value)

    for url in urls(text):
        host, parts = _split(url)
        if host == "github.com":
            if len(parts) == 1 and parts[0].lower() not in GITHUB_RESERVED and _GH_OWNER.match(parts[0]):
                put("github", parts[0])
            continue
        if host.endswith(".github.io") and host.count(".") == 2:
            put("homepage", url)  # a GitHub Pages site: a homepage, its owner a GitHub login
            put("github", host.split(".")[0])
            continue
        if host == "gitlab.com":
            if len(parts) == 1 and parts[0].lower() not in GITLAB_RESERVED:
                put("gitlab", parts[0])
            continue
        if host in _PROFILE_HOSTS:
            if len(parts) == 1 and re.match(r"^\w{1,15}$", parts[0]) and parts[0].lower() not in ("home", "intent", "share", "i"):
                put(_PROFILE_HOSTS[host], parts[0])
            continue
        if host.endswith("linkedin.com"):
            if len(parts) >= 2 and parts[0] == "in":
                put("linkedin", parts[1])
            continue
        if host == "orcid.org":
            m = _ORCID_RE.search(url)
            if m:
                put("orcid", m.group(1))
            continue
        if len(parts) == 1 and parts[0].startswith("@") and len(parts[0]) > 1:
            put("mastodon", f"{parts[0]}@{host}")  # https://host/@user
            continue
        if repo_link(url) is None:
            put("homepage", url)
    m = _MASTODON_RE.search(text or "")
    if m:
        put("mastodon", f"@{m.group(1)}@{m.group(2)}")
    m = _ORCID_RE.search(text or "")
    if m and "orcid" not in found and re.search(r"orcid", text or "", re.IGNORECASE):
        put("orcid", m.group(1))
    return found
