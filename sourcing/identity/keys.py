"""Exact keys an identity can be recognised by: GitHub logins (own, linked from a profile, bio,
homepage or a noreply email), emails, ORCID, Twitter / Mastodon / LinkedIn / GitLab handles,
homepages. Each key is a short string "<kind>:<normalised value>"; two identities sharing one
are the same person unless their names clearly disagree.
"""

from __future__ import annotations

import re
from typing import Any, Iterable, Mapping
from urllib.parse import urlsplit

# key kinds, strongest first: (prefix, label used in explanations)
KINDS = {
    "g": "GitHub login",
    "or": "ORCID",
    "e": "email",
    "tw": "Twitter handle",
    "ma": "Mastodon handle",
    "li": "LinkedIn profile",
    "gl": "GitLab login",
    "hp": "homepage",
}

_NOREPLY = re.compile(r"^(?:\d+\+)?([a-z0-9](?:[a-z0-9-]{0,38}))@users\.noreply\.github\.com$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_LOGIN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38})$")
_ORCID = re.compile(r"(\d{4}-\d{4}-\d{4}-\d{3}[\dx])", re.I)
_GH_URL = re.compile(r"(?:https?://)?(?:www\.)?github\.com/([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))/?(?=$|[\s)\]>,;\"'#?])")
# "GitHub: @ada", "on GitHub as @ada", "github @ada"
_GH_AT = re.compile(r"github\b[^@\n]{0,12}?@([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))\b", re.I)
_URL_IN_TEXT = re.compile(r"https?://[^\s<>\"')\]]+")
# first path segments of github.com that are not users
_GH_RESERVED = frozenset(
    "about orgs sponsors topics features marketplace explore settings login join pricing enterprise "
    "apps collections events trending site security contact customer-stories readme issues pulls".split()
)
# hosts whose bare front page is shared by many people: never a personal homepage key
_SHARED_HOSTS = frozenset(
    "github.com gitlab.com twitter.com x.com linkedin.com www.linkedin.com medium.com youtube.com "
    "scholar.google.com huggingface.co orcid.org".split()
)
FREE_MAIL = frozenset(
    "gmail.com googlemail.com outlook.com hotmail.com live.com yahoo.com icloud.com me.com "
    "proton.me protonmail.com gmx.de gmx.net web.de mail.ru yandex.ru qq.com 163.com 126.com "
    "posteo.de fastmail.com aol.com zoho.com hey.com pm.me example.com example.org".split()
)


def github_login_of_email(email: str) -> str | None:
    m = _NOREPLY.match(email)
    return m.group(1) if m else None


def norm_email(email: Any) -> str | None:
    if not isinstance(email, str):
        return None
    e = email.strip().lower().removeprefix("mailto:")
    return e if _EMAIL.match(e) and len(e) <= 254 else None


def norm_login(login: Any) -> str | None:
    if not isinstance(login, str):
        return None
    s = login.strip().lower().removeprefix("@")
    m = _GH_URL.match(s)
    if m:
        s = m.group(1).lower()
    return s if _LOGIN.match(s) and s not in _GH_RESERVED else None


def github_logins_in(text: Any) -> set[str]:
    """Logins of github.com/<login> profile links (not repo links) and "GitHub: @login" mentions.
    A <name>.github.io page is kept as a homepage: such names need not be the owner's login."""
    out: set[str] = set()
    if not isinstance(text, str) or "github" not in text.lower():
        return out
    for rx in (_GH_URL, _GH_AT):
        for m in rx.finditer(text[:20_000]):
            login = m.group(1).lower()
            if login not in _GH_RESERVED:
                out.add(login)
    return out


def norm_handle(value: Any) -> str | None:
    """"@ada", "https://twitter.com/ada", "x.com/ada" -> "ada"."""
    if not isinstance(value, str):
        return None
    s = value.strip().lower()
    if "/" in s:
        path = urlsplit(s if "://" in s else "https://" + s).path.strip("/")
        s = path.split("/")[0] if path else ""
    s = s.removeprefix("@")
    return s if re.fullmatch(r"[a-z0-9_.-]{1,64}", s) else None


def norm_mastodon(value: Any) -> str | None:
    """"@ada@fosstodon.org", "https://fosstodon.org/@ada" -> "ada@fosstodon.org"."""
    if not isinstance(value, str):
        return None
    s = value.strip().lower()
    if "://" in s:
        parts = urlsplit(s)
        user = parts.path.strip("/").split("/")[0].removeprefix("@")
        return f"{user}@{parts.hostname}" if user and parts.hostname else None
    s = s.removeprefix("@")
    return s if re.fullmatch(r"[a-z0-9_.]+@[a-z0-9.-]+\.[a-z]+", s) else None


def norm_orcid(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    m = _ORCID.search(value)
    return m.group(1).upper() if m else None


def norm_url(value: Any) -> str | None:
    """Homepage identity: host (without www.) and path, lower-case, no scheme, query or slash."""
    if not isinstance(value, str) or not value.strip():
        return None
    s = value.strip()
    if "://" not in s:
        s = "https://" + s
    try:
        parts = urlsplit(s)
    except ValueError:
        return None
    host = (parts.hostname or "").lower().removeprefix("www.")
    if not host or "." not in host:
        return None
    path = re.sub(r"/(index\.html?)?$", "", parts.path.rstrip("/")).lower()
    if not path and host in _SHARED_HOSTS:
        return None
    return host + path


def _as_list(v: Any) -> list:
    if v is None:
        return []
    if isinstance(v, (list, tuple, set)):
        return list(v)
    return [v]


def exact_keys(row: Mapping[str, Any]) -> dict[str, str]:
    """Exact keys of one identity row -> where each came from (for the explanation)."""
    keys: dict[str, str] = {}
    src = row.get("source")
    handles = row.get("handles") or {}
    if not isinstance(handles, Mapping):
        handles = {}

    def add(key: str, why: str) -> None:
        keys.setdefault(key, why)

    if src == "github":
        login = norm_login(row.get("login") or row.get("external_key"))
        if login:
            add(f"g:{login}", "its GitHub account")
    gh = norm_login(handles.get("github"))
    if gh:
        add(f"g:{gh}", "GitHub link on the profile")
    for email in _as_list(row.get("emails")):
        e = norm_email(email)
        if not e:
            continue
        login = github_login_of_email(e)
        if login:
            add(f"g:{login}", f"GitHub noreply email {e}")
        else:
            add(f"e:{e}", f"email {e}")
    orcid = norm_orcid(handles.get("orcid"))
    if orcid:
        add(f"or:{orcid}", f"ORCID {orcid}")
    for kind, field in (("tw", "twitter"), ("li", "linkedin"), ("gl", "gitlab")):
        h = norm_handle(handles.get(field))
        if h:
            add(f"{kind}:{h}", f"{KINDS[kind]} {h}")
    ma = norm_mastodon(handles.get("mastodon"))
    if ma:
        add(f"ma:{ma}", f"Mastodon handle {ma}")
    urls = [handles.get("homepage"), *_as_list(row.get("urls"))]
    for url in urls:
        if not isinstance(url, str):
            continue
        for login in github_logins_in(url):
            add(f"g:{login}", f"GitHub link {url.strip()[:80]}")
        low = url.lower()
        if "orcid.org/" in low:
            o = norm_orcid(url)
            if o:
                add(f"or:{o}", f"ORCID {o}")
            continue
        if any(h in low for h in ("twitter.com/", "x.com/")):
            h = norm_handle(url)
            if h:
                add(f"tw:{h}", f"Twitter handle {h}")
            continue
        if "linkedin.com/in/" in low:
            h = norm_handle(low.split("linkedin.com/in/", 1)[1])
            if h:
                add(f"li:{h}", f"LinkedIn profile {h}")
            continue
        if "github.com" in low:
            continue
        u = norm_url(url)
        if u:
            add(f"hp:{u}", f"homepage {u}")
    bio = row.get("bio")
    if src != "github":
        # a speaker's bio linking a GitHub profile; a GitHub user's bio may name anyone's
        for login in github_logins_in(bio):
            add(f"g:{login}", "GitHub link in the bio")
    return keys


def email_domains(emails: Iterable[Any]) -> set[str]:
    """Work email domains (free-mail and noreply excluded): context for the name rule."""
    out = set()
    for email in emails or ():
        e = norm_email(email)
        if e and not e.endswith("noreply.github.com"):
            d = e.rsplit("@", 1)[1]
            if d not in FREE_MAIL:
                out.add(d)
    return out
