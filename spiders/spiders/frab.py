"""frab-style schedule exports: frab/pentabarf `schedule.xml` (FOSDEM, pretalx's export, CCC) and
frab's `schedule.json`, plus the older `<schedule><day><entry>` programme XML some conference
systems wrote (EuroPython 2014). The parsing functions here are shared with the pretalx spider's
fallback to a schedule export.
"""

from __future__ import annotations

import re
from typing import Any, Iterator, Optional
from urllib.parse import urlsplit

from parsel import Selector

from spiders.items import EventItem, SpeakerItem, TalkItem
from spiders.links import extract
from spiders.spiders.base import (
    VIDEO, SiteSpider, clean, is_person, localized, minutes, slugify, talk_kind, utc,
)


def _text(sel, path: str) -> Optional[str]:
    return clean(sel.xpath(f"string({path})").get()) if sel.xpath(path) else None


def _when(day: Optional[str], start: Optional[str], iso: Optional[str]):
    if iso:
        return utc(iso)
    if not day:
        return None
    if start:
        s = start.strip()
        if re.fullmatch(r"\d{3,4}", s):  # "1100", "930"
            s = s.zfill(4)
            s = f"{s[:2]}:{s[2:]}"
        if re.fullmatch(r"\d{1,2}:\d{2}(:\d{2})?", s):
            return utc(f"{day}T{s.zfill(5) if len(s) < 5 else s}")
    return utc(day)


def event_key(acronym: Optional[str], title: Optional[str], site_name: Optional[str], site: str) -> str:
    if acronym:
        return slugify(acronym) or acronym
    for text in (title, site_name):
        if text and slugify(text):
            return slugify(text)
    parts = urlsplit(site)
    return slugify(parts.netloc + parts.path) or "event"


def _talk_code(url: Optional[str], code: Optional[str], ident: Optional[str]) -> Optional[str]:
    """pretalx exports carry the submission code in the talk URL (/talk/ABC123/)."""
    if code:
        return code
    if url:
        m = re.search(r"/talk/([A-Za-z0-9]+)/?$", url)
        if m:
            return m.group(1)
    return ident


def parse_xml(body: str, site: str, site_name: Optional[str], platform: str) -> tuple[list, list[str]]:
    """Items (event, then each talk followed by its speakers) of a frab/pentabarf XML schedule,
    or of the older <day><entry> programme XML. Returns (items, problems)."""
    sel = Selector(text=body, type="xml")
    if not sel.xpath("/schedule"):
        return [], ["no <schedule> root: not a frab/pentabarf schedule"]
    conf = sel.xpath("/schedule/conference")
    acronym = _text(conf, "acronym") if conf else None
    title = _text(conf, "title") if conf else None
    key = event_key(acronym, title, site_name, site)
    items: list = [
        EventItem(
            site=site, key=key, name=title or site_name or key, platform=platform, url=site,
            location=", ".join(x for x in (_text(conf, "venue"), _text(conf, "city")) if x) or None if conf else None,
            starts_on=utc(_text(conf, "start")) if conf else None,
            ends_on=utc(_text(conf, "end")) if conf else None,
        )
    ]
    problems: list[str] = []
    events = sel.xpath("/schedule/day//event")
    if events:
        for ev in events:
            day = ev.xpath("ancestor::day[1]/@date").get()
            url = _text(ev, "url")
            code = _talk_code(url, ev.xpath("@code").get(), ev.xpath("@id").get() or ev.xpath("@guid").get())
            if not code:
                problems.append("an <event> without id")
                continue
            persons = [
                (clean(p.xpath("string(.)").get()), p.xpath("@code").get() or p.xpath("@id").get())
                for p in ev.xpath("persons/person")
            ]
            links = [(l.xpath("@href").get(), clean(l.xpath("string(.)").get())) for l in ev.xpath("links/link")]
            items += _talk_items(
                site, key, code,
                title=_text(ev, "title"), subtitle=_text(ev, "subtitle"),
                abstract=_text(ev, "abstract"), description=_text(ev, "description"),
                track=_text(ev, "track"), room=_text(ev, "room"), kind=_text(ev, "type"),
                language=_text(ev, "language"), starts_at=_when(day, _text(ev, "start"), _text(ev, "date")),
                duration=minutes(_text(ev, "duration")), url=url,
                video=next((h for h, _ in links if h and VIDEO.search(h)), None),
                speakers=[{"name": n, "id": i} for n, i in persons],
            )
        return items, problems
    entries = sel.xpath("/schedule/day/entry")
    if not entries:
        return items, ["no <event> or <entry> in the schedule"]
    for en in entries:
        day = en.xpath("ancestor::day[1]/@date").get()
        speakers = []
        for sp in en.xpath("speakers/speaker"):
            profile = _text(sp, "profile")
            speakers.append(
                {"name": _text(sp, "name"), "id": sp.xpath("@id").get(), "bio": _text(sp, "description"),
                 "page": profile}
            )
        abstract, description = _text(en, "abstract"), _text(en, "description")
        if not speakers and not abstract and not description:
            continue  # a break, not a session (breakfast, lunch, welcome)
        items += _talk_items(
            site, key, en.xpath("@id").get(),
            title=_text(en, "title"), subtitle=None, abstract=abstract, description=description,
            track=_text(en, "topics/topic"), room=_text(en, "room"), kind=_text(en, "category"),
            language=None, starts_at=_when(day, _text(en, "start"), None), duration=minutes(_text(en, "duration")),
            url=None, video=None, speakers=speakers,
        )
    return items, problems


def parse_json(data: Any, site: str, site_name: Optional[str], platform: str) -> tuple[list, list[str]]:
    """Items of a frab `schedule.json` (pretalx writes the same shape, with speaker biographies)."""
    sched = data.get("schedule") if isinstance(data, dict) else None
    conf = sched.get("conference") if isinstance(sched, dict) else None
    if not isinstance(conf, dict):
        return [], ['no "schedule.conference" object: not a frab schedule.json']
    key = event_key(conf.get("acronym"), localized(conf.get("title")), site_name, site)
    items: list = [
        EventItem(
            site=site, key=key, name=localized(conf.get("title")) or site_name or key, platform=platform,
            url=site, starts_on=utc(conf.get("start")), ends_on=utc(conf.get("end")),
        )
    ]
    problems: list[str] = []
    found = 0
    for day in conf.get("days") or []:
        rooms = day.get("rooms") or {}
        for room, events in (rooms.items() if isinstance(rooms, dict) else []):
            for ev in events or []:
                found += 1
                url = ev.get("url")
                code = _talk_code(url, ev.get("code"), str(ev.get("id") or ev.get("guid") or "") or None)
                if not code:
                    problems.append("an event without id")
                    continue
                speakers = [
                    {
                        "name": clean(p.get("public_name") or p.get("name") or p.get("full_public_name")),
                        "id": p.get("code") or (str(p["id"]) if p.get("id") is not None else None),
                        "bio": clean(p.get("biography")),
                        "page": p.get("url"),
                        "fields": [l.get("url") for l in p.get("links") or [] if isinstance(l, dict)],
                    }
                    for p in ev.get("persons") or []
                    if isinstance(p, dict)
                ]
                links = [l.get("url") for l in ev.get("links") or [] if isinstance(l, dict)]
                items += _talk_items(
                    site, key, code,
                    title=clean(ev.get("title")), subtitle=clean(ev.get("subtitle")),
                    abstract=clean(ev.get("abstract")), description=clean(ev.get("description")),
                    track=localized(ev.get("track")), room=clean(ev.get("room")) or room, kind=clean(ev.get("type")),
                    language=clean(ev.get("language")),
                    starts_at=_when(day.get("date"), ev.get("start"), ev.get("date")),
                    duration=minutes(ev.get("duration")), url=url,
                    video=next((u for u in links if u and VIDEO.search(u)), None), speakers=speakers,
                )
    if not found:
        problems.append("no events in the schedule")
    return items, problems


def _talk_items(site, event, code, *, title, subtitle, abstract, description, track, room, kind, language,
                starts_at, duration, url, video, speakers) -> list:
    talk_key = f"{event}/{code}"
    text = "\n\n".join(x for x in (abstract, description if description != abstract else None) if x) or None
    out: list = [
        TalkItem(
            site=site, key=talk_key, event=event, title=title if not subtitle else f"{title}: {subtitle}",
            abstract=text, track=track, room=room, kind=talk_kind(kind), language=language or None,
            starts_at=starts_at, duration_min=duration, url=url, video_url=video,
        )
    ]
    index = 0
    for sp in speakers:
        if not is_person(sp.get("name")):
            continue
        handles, urls = extract([sp.get("bio")], sp.get("fields") or [])
        if sp.get("page"):
            urls = list(dict.fromkeys(urls + [sp["page"]]))
        out.append(
            SpeakerItem(
                site=site, talk=talk_key, index=index, name=sp["name"], bio=sp.get("bio"), handles=handles,
                urls=urls, speaker_id=sp.get("id"),
            )
        )
        index += 1
    return out


class FrabSpider(SiteSpider):
    """Schedules in frab's XML or JSON export; the URL is the export itself."""

    name = "frab"
    platform = "frab"

    async def start(self):
        for site in self.sites:
            yield self.request(site, self.parse, site)

    def parse(self, response) -> Iterator:
        """A frab/pentabarf schedule export.

        @url https://fosdem.org/2025/schedule/xml
        @returns items 2
        @scrapes site
        """
        site = response.meta.get("site") or response.url
        body = response.text if hasattr(response, "text") else response.body.decode("utf-8", "replace")
        if body.lstrip().startswith("{"):
            data = self.json_of(response)
            items, problems = parse_json(data or {}, site, self.site_name(site), self.platform)
        else:
            items, problems = parse_xml(body, site, self.site_name(site), self.platform)
        for p in problems:
            self.problem(site, response.url, p)
        if len(items) <= 1:
            self.problem(site, response.url, "layout changed? no talks found in the schedule")
        yield from items
