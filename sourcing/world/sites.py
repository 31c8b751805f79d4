"""The world's conferences as their real sites publish them: pretalx (REST API and schedule
exports), frab/pentabarf schedule.xml/json, PyVideo pages and PMLR proceedings pages.

The server calls `handle(world, host, path, query)` for GET /sites/<host>/<path>. Pages carry the
real absolute URLs (https://pretalx.com/...), as the real sites do; a crawler maps them onto the
local server (spiders/mirror.py). Renderers take each platform's own record shapes (a pretalx
submission object, a PyVideo data record, a PMLR post's front matter), so they render recorded
real data as readily as the generated world (tests use both).
"""

from __future__ import annotations

import json
import re
import zlib
from datetime import datetime, timedelta, timezone
from html import escape
from typing import Any, Callable, Optional
from urllib.parse import parse_qs, urlencode

Response = tuple[int, dict, bytes]

PAGE_SIZE = 25  # pretalx's API pages; ?page_size= overrides (max 100 here)
KIND_LABEL = {"talk": "Talk", "keynote": "Keynote", "tutorial": "Tutorial", "lightning": "Lightning Talk",
              "workshop": "Workshop"}

HTML = {"Content-Type": "text/html; charset=utf-8"}
JSONH = {"Content-Type": "application/json"}
XMLH = {"Content-Type": "application/xml; charset=utf-8"}
TEXT = {"Content-Type": "text/plain; charset=utf-8"}

ROBOTS = {
    "pretalx": "User-agent: *\nDisallow: /orga/\nDisallow: /redirect/\n",
    "frab": "User-agent: *\nDisallow: /admin/\n",
    "pyvideo": "User-agent: *\nAllow: /\n",
    "proceedings": "User-agent: *\nDisallow: /cgi-bin/\n",
}


# --- entry point ---------------------------------------------------------------------------


def handle(world, host: str, path: str, query: Any = None) -> Response:
    """(status, headers, body) for GET https://<host>/<path>?<query> in the world's sites."""
    host = host.lower()
    path = path.lstrip("/")
    q = _query(query)
    sites = _sites(world)
    mine = sites.get(host)
    if not mine:
        return _not_found(f"no site at {host}")
    if path == "robots.txt":
        return 200, TEXT, ROBOTS.get(mine[0][0], "User-agent: *\nAllow: /\n").encode()
    for platform, obj in mine:
        route = ROUTES[platform]
        got = route(world, obj, host, path, q)
        if got is not None:
            return got
    return _not_found(f"no page {path} at {host}")


def _query(query: Any) -> dict[str, str]:
    if not query:
        return {}
    if isinstance(query, (bytes, str)):
        query = parse_qs(query.decode() if isinstance(query, bytes) else query.lstrip("?"))
    out = {}
    for k, v in dict(query).items():
        out[k] = v[-1] if isinstance(v, (list, tuple)) and v else v
    return out


def _sites(world) -> dict[str, list[tuple[str, Any]]]:
    def build():
        out: dict[str, list] = {}
        for ev in world.events:
            out.setdefault(ev.host.lower(), []).append((ev.platform, ev))
        for vol in world.volumes:
            out.setdefault(vol.host.lower(), []).append(("proceedings", vol))
        return out

    return world._idx("sites", build) if hasattr(world, "_idx") else build()


def _h(value: Any) -> int:
    """A stable number for ids and guids (str hash() changes between processes)."""
    return zlib.crc32(repr(value).encode("utf-8"))


def _cached(world, key: tuple, build: Callable) -> Any:
    return world._idx(key, build) if hasattr(world, "_idx") else build()


def _not_found(msg: str) -> Response:
    return 404, HTML, f"<html><body><h1>Not Found</h1><p>{escape(msg)}</p></body></html>".encode()


def _json(data: Any) -> Response:
    return 200, JSONH, json.dumps(data, ensure_ascii=False).encode("utf-8")


def _iso(dt: Optional[datetime]) -> Optional[str]:
    return dt.astimezone(timezone.utc).isoformat() if dt else None


# --- pretalx -------------------------------------------------------------------------------


def pretalx_speakers(ev) -> dict[str, dict]:
    """pretalx speaker objects of an event, by code: a speaker has one profile per event (the
    first appearance's name and biography) and public answers to the profile questions."""
    out: dict[str, dict] = {}
    for t in ev.talks:
        for s in t.speakers:
            sp = out.get(s.code)
            if sp is None:
                sp = out[s.code] = {
                    "code": s.code, "name": s.name, "biography": s.bio or "", "submissions": [],
                    "avatar_url": s.avatar or "", "answers": [], "_links": {},
                }
            sp["submissions"].append(t.code)
            for k in ("github", "twitter", "homepage"):
                if getattr(s, k) and k not in sp["_links"]:
                    sp["_links"][k] = getattr(s, k)
    for sp in out.values():
        links = sp.pop("_links")
        for qid, (k, label) in enumerate([("github", "GitHub username"), ("twitter", "Twitter/X handle"),
                                          ("homepage", "Homepage")], start=1):
            if k in links:
                value = f"@{links[k]}" if k == "twitter" else links[k]
                sp["answers"].append(
                    {"id": _h((sp["code"], k)) % 10**6, "question": {"id": qid, "question": {"en": label}},
                     "answer": value, "answer_file": None, "submission": None, "review": None,
                     "person": sp["code"], "options": []}
                )
    return out


def pretalx_submission(ev, t, speakers: dict[str, dict]) -> dict:
    """A pretalx submission object (API shape with speakers, slots, rooms, type, track expanded)."""
    room_id = _h(t.room or "") % 1000
    end = t.starts_at + timedelta(minutes=t.duration_min) if t.starts_at else None
    return {
        "code": t.code,
        "title": t.title,
        "speakers": [
            {k: v for k, v in speakers[s.code].items() if k != "answers"} | {"answers": []} for s in t.speakers
        ],
        "submission_type": {"id": 1 + list(KIND_LABEL).index(t.kind) if t.kind in KIND_LABEL else 9,
                            "name": {"en": KIND_LABEL.get(t.kind, t.kind.title())}, "default_duration": t.duration_min},
        "track": {"id": _h(t.track or "") % 1000, "name": {"en": t.track}} if t.track else None,
        "tags": [{"id": i, "tag": tag} for i, tag in enumerate(t.tags)],
        "state": "confirmed",
        "abstract": t.abstract,
        "description": "",
        "duration": t.duration_min,
        "slot_count": 1,
        "content_locale": t.language,
        "do_not_record": False,
        "is_featured": t.kind == "keynote",
        "image": None,
        "resources": [],
        "slots": [{"id": _h(t.key) % 10**6, "room": {"id": room_id, "name": {"en": t.room}},
                   "start": _iso(t.starts_at), "end": _iso(end), "duration": t.duration_min}] if t.starts_at else [],
        "answers": [],
    }


def pretalx_event(ev) -> dict:
    return {
        "name": {"en": ev.name}, "slug": ev.key, "is_public": True,
        "date_from": ev.starts_on.date().isoformat() if ev.starts_on else None,
        "date_to": ev.ends_on.date().isoformat() if ev.ends_on else None,
        "timezone": "UTC", "locale": "en", "locales": ["en"], "content_locales": ["en"],
        "urls": {"base": ev.url, "schedule": f"{ev.url}schedule/"},
    }


def paginate(items: list, url: str, q: dict[str, str]) -> dict:
    """pretalx's page-number pagination: {"count", "next", "previous", "results"}."""
    try:
        size = max(1, min(100, int(q.get("page_size") or PAGE_SIZE)))
        page = max(1, int(q.get("page") or 1))
    except ValueError:
        size, page = PAGE_SIZE, 1
    start = (page - 1) * size

    def link(n: int) -> Optional[str]:
        params = {k: v for k, v in q.items() if k != "page"}
        if n > 1:
            params["page"] = str(n)
        return url + ("?" + urlencode(params) if params else "")

    return {
        "count": len(items),
        "next": link(page + 1) if start + size < len(items) else None,
        "previous": link(page - 1) if page > 1 else None,
        "results": items[start:start + size],
    }


def pretalx_api(path: str, host: str, event: dict, submissions: list[dict], speakers: list[dict], q) -> Optional[Response]:
    """The API routes of one event, over pretalx's own record shapes."""
    slug = event["slug"]
    prefix = f"api/events/{slug}/"
    if path == prefix:
        return _json(event)
    url = f"https://{host}/{path}"
    if path in (prefix + "submissions/", prefix + "talks/"):
        return _json(paginate(submissions, url, q))
    if path == prefix + "speakers/":
        return _json(paginate(speakers, url, q))
    return None


def frab_json(conf: dict, days: list[dict]) -> dict:
    """frab's schedule.json: {"schedule": {"conference": {..., "days": [{"rooms": {name: [events]}}]}}}."""
    return {"$schema": "https://c3voc.de/schedule/schema.json",
            "schedule": {"version": conf.get("version", "1.0"), "base_url": conf.get("base_url"),
                         "conference": {**{k: v for k, v in conf.items() if k not in ("version", "base_url")},
                                        "days": days}}}


def _x(v: Any) -> str:
    return escape("" if v is None else str(v), quote=True)


def frab_xml(conf: dict, days: list[dict], generator: Optional[str] = None) -> str:
    """frab/pentabarf schedule.xml from the same structure as frab_json."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>', "<schedule>"]
    if generator:
        out.append(f'  <generator name="{_x(generator)}"/>')
    out.append(f"  <version>{_x(conf.get('version', '1.0'))}</version>")
    out.append("  <conference>")
    for k in ("acronym", "title", "start", "end", "daysCount", "timeslot_duration", "base_url"):
        if conf.get(k) is not None:
            tag = "days" if k == "daysCount" else k
            out.append(f"    <{tag}>{_x(conf[k])}</{tag}>")
    for k in ("venue", "city"):
        if conf.get(k):
            out.append(f"    <{k}>{_x(conf[k])}</{k}>")
    out.append("  </conference>")
    for d in days:
        out.append(f'  <day index="{d["index"]}" date="{d["date"]}" start="{d.get("day_start", "")}" end="{d.get("day_end", "")}">')
        for room, events in d["rooms"].items():
            out.append(f'    <room name="{_x(room)}">')
            for e in events:
                out.append(f'      <event guid="{_x(e.get("guid"))}" id="{_x(e["id"])}"' +
                           (f' code="{_x(e["code"])}"' if e.get("code") else "") + ">")
                for k in ("date", "start", "duration", "room", "slug", "url", "title", "subtitle", "track", "type",
                          "language", "abstract", "description"):
                    out.append(f"        <{k}>{_x(e.get(k))}</{k}>")
                out.append("        <persons>")
                for p in e.get("persons") or []:
                    out.append(f'          <person id="{_x(p.get("id"))}"' +
                               (f' code="{_x(p["code"])}"' if p.get("code") else "") +
                               f">{_x(p.get('public_name') or p.get('name'))}</person>")
                out.append("        </persons>")
                out.append("        <links>")
                for link in e.get("links") or []:
                    out.append(f'          <link href="{_x(link["url"])}">{_x(link.get("title"))}</link>')
                out.append("        </links>")
                out.append("      </event>")
            out.append("    </room>")
        out.append("  </day>")
    out.append("</schedule>")
    return "\n".join(out) + "\n"


def _frab_days(ev, event_of: Callable) -> list[dict]:
    by_day: dict[str, dict[str, list]] = {}
    first = (ev.starts_on or datetime(1970, 1, 1, tzinfo=timezone.utc)).date().isoformat()
    for t in sorted(ev.talks, key=lambda t: (t.starts_at or datetime.min.replace(tzinfo=timezone.utc), t.code)):
        day = t.starts_at.date().isoformat() if t.starts_at else first
        by_day.setdefault(day, {}).setdefault(t.room or "Main", []).append(event_of(t))
    return [{"index": i + 1, "date": d, "day_start": f"{d}T09:00:00+00:00", "day_end": f"{d}T18:00:00+00:00",
             "rooms": rooms} for i, (d, rooms) in enumerate(sorted(by_day.items()))]


def _frab_event(ev, t, url: str, persons: list[dict]) -> dict:
    return {
        "id": t.code if t.code.isdigit() else _h(t.key) % 10**6,
        "guid": f"{_h(t.key):032x}"[:32],
        "code": None if t.code.isdigit() else t.code,
        "date": t.starts_at.isoformat() if t.starts_at else None,
        "start": t.starts_at.strftime("%H:%M") if t.starts_at else None,
        "duration": f"{t.duration_min // 60:02d}:{t.duration_min % 60:02d}",
        "room": t.room or "Main", "slug": f"{ev.key}-{t.code}".lower(), "url": url,
        "title": t.title, "subtitle": "", "track": t.track, "type": t.kind, "language": t.language,
        "abstract": t.abstract, "description": "", "persons": persons,
        "links": [{"url": t.video_url, "title": "Video recording"}] if t.video_url else [],
    }


def _conf(ev) -> dict:
    days = (ev.ends_on - ev.starts_on).days + 1 if ev.starts_on and ev.ends_on else 1
    city, venue = (ev.location or "", "")
    return {"acronym": ev.key, "title": ev.name,
            "start": ev.starts_on.date().isoformat() if ev.starts_on else None,
            "end": ev.ends_on.date().isoformat() if ev.ends_on else None, "daysCount": days,
            "timeslot_duration": "00:05", "base_url": ev.url, "city": city, "venue": venue}


def _pretalx_route(world, ev, host: str, path: str, q) -> Optional[Response]:
    base = ev.path if ev.path.endswith("/") else ev.path + "/"
    speakers = _cached(world, ("pretalx-speakers", ev.key), lambda: pretalx_speakers(ev))
    if path.startswith("api/events/"):
        subs = _cached(world, ("pretalx-submissions", ev.key),
                       lambda: [pretalx_submission(ev, t, speakers) for t in ev.talks])
        return pretalx_api(path, host, pretalx_event(ev), subs, list(speakers.values()), q)
    if not path.startswith(base.rstrip("/")):
        return None
    rest = path[len(base):] if path.startswith(base) else ""
    if rest in ("", "schedule/"):
        links = "".join(f'<li><a href="{_x(ev.url)}talk/{_x(t.code)}/">{_x(t.title)}</a></li>' for t in ev.talks)
        return 200, HTML, _page(ev.name, f"<h1>{_x(ev.name)}</h1><ul>{links}</ul>")

    def persons(t):
        return [{"id": i, "code": s.code, "public_name": speakers[s.code]["name"], "name": speakers[s.code]["name"],
                 "biography": speakers[s.code]["biography"], "answers": [],
                 "url": f"{ev.url}speaker/{s.code}/"} for i, s in enumerate(t.speakers)]

    if rest in ("schedule/export/schedule.json", "schedule.json"):
        days = _frab_days(ev, lambda t: _frab_event(ev, t, f"{ev.url}talk/{t.code}/", persons(t)))
        return _json(frab_json({"version": "1.0", "base_url": ev.url, **_conf(ev)}, days))
    if rest in ("schedule/export/schedule.xml", "schedule.xml"):
        days = _frab_days(ev, lambda t: _frab_event(ev, t, f"{ev.url}talk/{t.code}/", persons(t)))
        return 200, XMLH, frab_xml(_conf(ev), days, generator="pretalx").encode("utf-8")
    m = re.fullmatch(r"talk/([A-Za-z0-9]+)/?", rest)
    if m:
        t = next((t for t in ev.talks if t.code == m.group(1)), None)
        if t:
            names = ", ".join(_x(speakers[s.code]["name"]) for s in t.speakers)
            return 200, HTML, _page(t.title, f"<h1>{_x(t.title)}</h1><p>{names}</p><p>{_x(t.abstract)}</p>")
    m = re.fullmatch(r"speaker/([A-Za-z0-9]+)/?", rest)
    if m and m.group(1) in speakers:
        sp = speakers[m.group(1)]
        return 200, HTML, _page(sp["name"], f"<h1>{_x(sp['name'])}</h1><p>{_x(sp['biography'])}</p>")
    return None


def _frab_route(world, ev, host: str, path: str, q) -> Optional[Response]:
    base = ev.path.rstrip("/")  # "2025/schedule/xml"
    root = base.rsplit("/", 1)[0] if base.endswith(("/xml", "/json")) else base  # "2025/schedule"
    year_root = root.rsplit("/", 1)[0] if root.endswith("/schedule") else root  # "2025"

    def url(t):
        return f"https://{host}/{year_root}/schedule/event/{t.code}/"

    def persons(t):
        return [{"id": s.code, "public_name": s.name, "name": s.name} for s in t.speakers]

    def days():
        return _frab_days(ev, lambda t: _frab_event(ev, t, url(t), persons(t)))

    if path.rstrip("/") in (f"{root}/xml", f"{root}.xml", base) and not base.endswith("/json"):
        return 200, XMLH, frab_xml(_conf(ev), days()).encode("utf-8")
    if path.rstrip("/") in (f"{root}/json", f"{root}.json"):
        return _json(frab_json({"version": "1.0", "base_url": f"https://{host}/{root}/", **_conf(ev)}, days()))
    return None


# --- PyVideo -------------------------------------------------------------------------------


def pyvideo_record(t) -> dict:
    """A talk as a record of the pyvideo/data repository."""
    rec = {
        "title": t.title,
        "speakers": [s.name for s in t.speakers],
        "recorded": t.starts_at.date().isoformat() if t.starts_at else None,
        "description": t.abstract,
        "language": "eng" if t.language == "en" else t.language,
        "duration": t.duration_min * 60,
        "tags": list(t.tags),
        "videos": [{"type": "youtube", "url": t.video_url}] if t.video_url else [],
        "thumbnail_url": None,
    }
    return rec


def _slug(text: str) -> str:
    import unicodedata

    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def pyvideo_event_page(slug: str, title: str, talks: list[tuple[str, dict]]) -> str:
    """pyvideo.org's event page (the Pelican theme's category.html): one list item per talk."""
    items = []
    for code, rec in talks:
        href = f"/{slug}/{code}.html"
        authors = " ".join(
            f'<a class="url fn" href="/speaker/{_slug(n)}.html">{_x(n)}</a>' for n in rec.get("speakers") or []
        )
        items.append(
            f"""<li><article class="list_item">
  <div><a href="{href}" rel="bookmark" title="Permalink to {_x(rec.get('title'))}"><img src="{_x(rec.get('thumbnail_url') or '/images/default_thumbnail_url.png')}" /></a></div>
  <div><a href="{href}" rel="bookmark" title="Permalink to {_x(rec.get('title'))}">{_x(rec.get('title'))}</a>
    <footer class="post-info"><time class="published" datetime="{_x(rec.get('recorded'))}T00:00:00"><i class="fa fa-calendar"></i> {_x(rec.get('recorded'))}</time>
      <address class="vcard author">By {authors}</address></footer>
  </div>
</article></li>"""
        )
    body = f"""<h2>Event: {_x(title)}</h2>
<div class="row"><div class="col-lg-12"><ul class="content-list">
{chr(10).join(items)}
</ul></div></div>"""
    return _page(f"PyVideo.org · {title}", body)


def _youtube_embed(url: str) -> str:
    m = re.search(r"(?:v=|youtu\.be/|/v/)([\w-]+)", url or "")
    return f"https://www.youtube.com/embed/{m.group(1)}" if m else url


def pyvideo_talk_page(slug: str, event_title: str, code: str, rec: dict) -> str:
    """pyvideo.org's talk page (article.html + article_media.html + article_details.html)."""
    title = rec.get("title") or ""
    authors = " ".join(
        f'<a class="url fn" href="/speaker/{_slug(n)}.html">{_x(n)}</a>' for n in rec.get("speakers") or []
    )
    media = next((v.get("url") for v in rec.get("videos") or [] if v.get("url")), None)
    desc = rec.get("description") or ""
    paras = "".join(f"<p>{_x(p)}</p>" for p in re.split(r"\n\s*\n", desc) if p.strip())
    tags = " ".join(f'<a href="/tag/{_x(_slug(t))}">{_x(t)}</a>' for t in rec.get("tags") or [])
    lang = {"eng": "English"}.get(rec.get("language") or "", rec.get("language") or "")
    body = f"""<section id="content" class="body">
  <header><h2 class="entry-title"><a href="/{slug}/{code}.html" rel="bookmark" title="Permalink to {_x(title)}">{_x(title)}</a></h2></header>
  <footer class="post-info">
    <time class="published" datetime="{_x(rec.get('recorded'))}T00:00:00">{_x(rec.get('recorded'))}</time>
    <address class="vcard author">By {authors}</address>
  </footer>
  <ul class="nav nav-tabs" role="tablist"><li class="active" role="presentation"><a href="#youtube" role="tab" data-toggle="tab">YouTube</a></li></ul>
  <div class="tab-content"><div role="tabpanel" class="tab-pane active" id="youtube">
    {f'<div class="embed-responsive embed-responsive-16by9 videocontainer"><iframe class="embed-responsive-item" src="{_x(_youtube_embed(media))}" title="Video for {_x(title)}" frameborder="0" allowfullscreen></iframe></div>' if media else ''}
  </div></div>
  <div class="entry-content">{'<h3>Description</h3>' + paras if paras else ''}</div>
  <div class="details-content"><h2>Details</h2><ul>
    <li>Event: <a href="/events/{slug}.html">{_x(event_title)}</a></li>
    {f'<li>Language: {_x(lang)}</li>' if lang else ''}
    {f'<li>Media URL: <a href="{_x(media)}">{_x(media)}</a></li>' if media else ''}
    {f'<li>Tags: {tags}</li>' if tags else ''}
  </ul></div>
</section>"""
    return _page(f"PyVideo.org · {title}", body)


def pyvideo_site(slug: str, title: str, talks: list[tuple[str, dict]], path: str) -> Optional[Response]:
    """Routes of one PyVideo event over pyvideo/data records [(talk slug, record)]."""
    if path in (f"events/{slug}.html", f"events/{slug}/", f"events/{slug}"):
        return 200, HTML, pyvideo_event_page(slug, title, talks).encode("utf-8")
    m = re.fullmatch(rf"{re.escape(slug)}/([^/]+)\.html", path)
    if m:
        rec = dict(talks).get(m.group(1))
        if rec is not None:
            return 200, HTML, pyvideo_talk_page(slug, title, m.group(1), rec).encode("utf-8")
    m = re.fullmatch(r"speaker/([^/]+)\.html", path)
    if m:
        mine = [(c, r) for c, r in talks if any(_slug(n) == m.group(1) for n in r.get("speakers") or [])]
        if mine:
            return 200, HTML, pyvideo_event_page(slug, f"Speaker: {m.group(1)}", mine).encode("utf-8")
    return None


def _pyvideo_route(world, ev, host: str, path: str, q) -> Optional[Response]:
    return pyvideo_site(ev.key, ev.name, [(t.code, pyvideo_record(t)) for t in ev.talks], path)


# --- PMLR proceedings ----------------------------------------------------------------------


def pmlr_record(pp) -> dict:
    """A paper as the front matter of a PMLR post (_posts/<date>-<id>.md)."""
    return {
        "id": pp.id, "title": pp.title, "abstract": pp.abstract,
        "author": [{"given": a.given or a.name.rsplit(" ", 1)[0], "family": a.family or a.name.rsplit(" ", 1)[-1]}
                   for a in pp.authors],
        "firstpage": pp.firstpage, "lastpage": pp.lastpage, "pdf": pp.pdf_url,
        "code": pp.code_url,
    }


def pmlr_volume(vol) -> dict:
    """Volume metadata in the shape of a PMLR volume's _config.yml."""
    number = re.sub(r"\D", "", vol.key) or "1"
    return {"volume": number, "booktitle": vol.name, "shortname": vol.short, "published": vol.published,
            "editors": vol.editors, "location": None}


def _authors_html(rec: dict) -> str:
    return ",\n".join(f"{_x(a.get('given'))}&nbsp;{_x(a.get('family'))}" for a in rec.get("author") or [])


def pmlr_volume_page(host: str, meta: dict, records: list[dict]) -> str:
    """proceedings.mlr.press/v<N>/: one div.paper per paper."""
    n = meta["volume"]
    papers = []
    for rec in records:
        papers.append(f"""<div class="paper">
  <p class="title">{_x(rec.get('title'))}</p>
  <p class="details"><span class="authors">{_authors_html(rec)}</span>;
    <span class="info">{_x(meta['booktitle'])}, PMLR {n}:{rec.get('firstpage')}-{rec.get('lastpage')}</span></p>
  <p class="links">
    [<a href="https://{host}/v{n}/{_x(rec['id'])}.html">abs</a>][<a href="{_x(rec.get('pdf') or f'https://{host}/v{n}/{rec["id"]}/{rec["id"]}.pdf')}" target="_blank">Download PDF</a>]
  </p>
</div>""")
    head = f"<h2>Volume {n}: {_x(meta.get('shortname') or meta['booktitle'])}</h2>"
    if meta.get("editors"):
        head += f"<h3>Editors: {_x(', '.join(meta['editors']))}</h3>"
    return _page(f"{meta['booktitle']} | Volume {n} | PMLR", head + "\n" + "\n".join(papers))


def pmlr_abs_page(host: str, meta: dict, rec: dict) -> str:
    """A paper's abstract page, with the Highwire citation_* tags scholarly crawlers read."""
    n = meta["volume"]
    published = meta.get("published")
    date = published.strftime("%Y/%m/%d") if hasattr(published, "strftime") else (str(published or "").replace("-", "/") or "")
    metas = [
        f'<meta name="citation_title" content="{_x(rec.get("title"))}">',
        *[f'<meta name="citation_author" content="{_x(a.get("family"))}, {_x(a.get("given"))}">'
          for a in rec.get("author") or []],
        f'<meta name="citation_publication_date" content="{_x(date)}">',
        f'<meta name="citation_conference_title" content="{_x(meta["booktitle"])}">',
        f'<meta name="citation_firstpage" content="{_x(rec.get("firstpage"))}">',
        f'<meta name="citation_lastpage" content="{_x(rec.get("lastpage"))}">',
        f'<meta name="citation_pdf_url" content="{_x(rec.get("pdf"))}">',
    ]
    abstract = rec.get("abstract") or ""
    if rec.get("code"):
        abstract += f" Code: {rec['code']}"
    body = f"""<h1>{_x(rec.get('title'))}</h1>
<span class="authors">{_authors_html(rec)}</span>
<div id="info" class="info">{_x(meta['booktitle'])}, PMLR {n}:{rec.get('firstpage')}-{rec.get('lastpage')}, {_x(date[:4])}.</div>
<div id="abstract" class="abstract">{_x(abstract)}</div>
<div id="extras"><ul><li><a href="{_x(rec.get('pdf'))}" target="_blank">Download PDF</a></li></ul></div>"""
    return _page(f"{rec.get('title')}", body, head="\n".join(metas))


def pmlr_site(host: str, meta: dict, records: list[dict], path: str) -> Optional[Response]:
    n = meta["volume"]
    if path in (f"v{n}/", f"v{n}", f"v{n}/index.html"):
        return 200, HTML, pmlr_volume_page(host, meta, records).encode("utf-8")
    m = re.fullmatch(rf"v{n}/([\w-]+)\.html", path)
    if m:
        rec = next((r for r in records if r["id"] == m.group(1)), None)
        if rec is not None:
            return 200, HTML, pmlr_abs_page(host, meta, rec).encode("utf-8")
    return None


def _proceedings_route(world, vol, host: str, path: str, q) -> Optional[Response]:
    return pmlr_site(host, pmlr_volume(vol), [pmlr_record(p) for p in vol.papers], path)


def _page(title: str, body: str, head: str = "") -> str:
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{_x(title)}</title>
{head}
</head><body>
{body}
</body></html>
"""


ROUTES: dict[str, Callable[..., Optional[Response]]] = {
    "pretalx": _pretalx_route,
    "frab": _frab_route,
    "pyvideo": _pyvideo_route,
    "proceedings": _proceedings_route,
}
