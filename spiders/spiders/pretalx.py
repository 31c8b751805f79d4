"""pretalx conferences: the public REST API (event, speakers with their profile answers,
submissions with slots), falling back to the schedule export (schedule.json, then schedule.xml)
when an event's API is closed.

Site URL: the event's public URL, e.g. https://pretalx.com/pydata-berlin-2025/ or a custom
domain such as https://program.europython.eu/europython-2025/; the API lives at
https://<host>/api/events/<slug>/.
"""

from __future__ import annotations

import re
from typing import Any, Iterator, Optional
from urllib.parse import urlsplit

from spiders.items import EventItem, SpeakerItem, TalkItem
from spiders.links import extract
from spiders.spiders.base import SiteSpider, clean, is_person, localized, minutes, talk_kind, utc
from spiders.spiders.frab import parse_json, parse_xml

EXPAND = "speakers,slots,slots.room,submission_type,track,tags"
KEPT_STATES = {None, "", "accepted", "confirmed"}
# profile questions whose answers are links, by a word of the question
FIELD_LABELS = [
    ("github", "GitHub"), ("gitlab", "GitLab"), ("twitter", "Twitter"), ("mastodon", ""), ("fediverse", ""),
    ("linkedin", ""), ("orcid", "ORCID"), ("homepage", ""), ("website", ""), ("blog", ""), ("web", ""),
]


def event_parts(site: str) -> tuple[str, str]:
    """("https://pretalx.com", "pydata-berlin-2025") for an event URL."""
    parts = urlsplit(site)
    slug = [p for p in parts.path.split("/") if p][-1]
    return f"{parts.scheme or 'https'}://{parts.netloc}", slug


def profile_fields(answers: Any) -> list[str]:
    """Speaker answers to public profile questions, as strings the link extractor understands."""
    out = []
    for a in answers or []:
        if not isinstance(a, dict):
            continue
        value = clean(a.get("answer"))
        if not value:
            continue
        q = a.get("question")
        question = (localized(q.get("question")) if isinstance(q, dict) else None) or ""
        ql = question.lower()
        label = next((lab for word, lab in FIELD_LABELS if word in ql), None)
        if label is None:
            continue  # a question about something else (t-shirt size, dietary needs ...)
        if value.startswith(("http://", "https://", "www.")) or not label:
            out.append(value)
        elif label == "ORCID":
            out.append(f"ORCID {value}")
        else:
            out.append(f"{label}: {value}")
    return out


class PretalxSpider(SiteSpider):
    name = "pretalx"
    platform = "pretalx"

    async def start(self):
        for site in self.sites:
            base, slug = event_parts(site)
            yield self.request(f"{base}/api/events/{slug}/", self.parse_event, site, slug=slug, base=base)

    # -- the API -----------------------------------------------------------------------------

    def parse_event(self, response) -> Iterator:
        """The event object: name, dates; then the speakers' profiles.

        @url https://pretalx.com/api/events/pydata-berlin-2025/
        @returns items 1 1
        @returns requests 1 1
        @scrapes key name platform
        """
        # called by a contract without meta: the event's public URL from the API URL
        site = response.meta.get("site") or re.sub(r"/api/events/([^/]+)/?$", r"/\1/", response.url)
        base, slug = event_parts(site)
        data = self.json_of(response)
        if not isinstance(data, dict) or "slug" not in data and "name" not in data:
            self.problem(site, response.url, "the event API answered without an event; trying the schedule export")
            yield self.request(f"{site}schedule/export/schedule.json", self.parse_export, site)
            return
        yield EventItem(
            site=site, key=slug, name=localized(data.get("name")) or self.site_name(site) or slug,
            platform=self.platform, url=site, starts_on=utc(data.get("date_from")), ends_on=utc(data.get("date_to")),
        )
        self.state.setdefault("profiles", {})[site] = {}
        yield self.request(
            f"{base}/api/events/{slug}/speakers/?expand=answers.question", self.parse_speakers, site,
            on_fail="submissions",
        )

    def parse_speakers(self, response) -> Iterator:
        """Speaker profiles (biography, public answers), kept until the submissions arrive."""
        site = response.meta["site"]
        base, slug = event_parts(site)
        data = self.json_of(response)
        profiles = self.state.setdefault("profiles", {}).setdefault(site, {})
        if isinstance(data, dict) and isinstance(data.get("results"), list):
            for sp in data["results"]:
                if isinstance(sp, dict) and sp.get("code"):
                    profiles[sp["code"]] = {
                        "name": clean(sp.get("name")),
                        "bio": clean(sp.get("biography")),
                        "fields": profile_fields(sp.get("answers")),
                    }
            if data.get("next"):
                yield self.request(data["next"], self.parse_speakers, site, on_fail="submissions")
                return
        elif data is not None:
            self.problem(site, response.url, "speakers list without results")
        yield self.request(f"{base}/api/events/{slug}/submissions/?expand={EXPAND}", self.parse_submissions, site)

    def parse_submissions(self, response) -> Iterator:
        site = response.meta["site"]
        _, slug = event_parts(site)
        data = self.json_of(response)
        if not isinstance(data, dict) or not isinstance(data.get("results"), list):
            self.problem(site, response.url, "layout changed? submissions list without results")
            return
        if response.meta.get("first", True) and not data["results"]:
            self.problem(site, response.url, "no submissions published")
        profiles = self.state.get("profiles", {}).get(site, {})
        for sub in data["results"]:
            if isinstance(sub, dict) and sub.get("code") and sub.get("state") in KEPT_STATES:
                yield from self.submission_items(sub, site, slug, profiles)
        if data.get("next"):
            r = self.request(data["next"], self.parse_submissions, site)
            r.meta["first"] = False
            yield r

    def submission_items(self, sub: dict, site: str, slug: str, profiles: dict) -> Iterator:
        code = sub["code"]
        key = f"{slug}/{code}"
        slots = sub.get("slots")
        slot = sub.get("slot")  # the API before 2025 had one expanded `slot`
        if isinstance(slots, list) and slots and isinstance(slots[0], dict):
            slot = min(slots, key=lambda s: s.get("start") or "~")
        slot = slot if isinstance(slot, dict) else {}
        abstract, description = clean(sub.get("abstract")), clean(sub.get("description"))
        tags = [localized(t.get("tag")) if isinstance(t, dict) else t for t in sub.get("tags") or []]
        yield TalkItem(
            site=site, key=key, event=slug, title=clean(sub.get("title")),
            abstract="\n\n".join(x for x in (abstract, description) if x) or None,
            track=localized(sub.get("track")) if isinstance(sub.get("track"), (dict, str)) else None,
            room=localized(slot.get("room")) if isinstance(slot.get("room"), (dict, str)) else None,
            kind=talk_kind(localized(sub.get("submission_type")) if isinstance(sub.get("submission_type"), (dict, str)) else None),
            language=sub.get("content_locale"), starts_at=utc(slot.get("start")),
            duration_min=minutes(sub.get("duration")), url=f"{site}talk/{code}/",
            tags=[t for t in tags if isinstance(t, str) and t] or None,
        )
        index = 0
        for sp in sub.get("speakers") or []:
            scode = sp.get("code") if isinstance(sp, dict) else sp
            prof = profiles.get(scode) or {}
            name = prof.get("name") or (clean(sp.get("name")) if isinstance(sp, dict) else None)
            if not is_person(name):
                continue
            bio = prof.get("bio") or (clean(sp.get("biography")) if isinstance(sp, dict) else None)
            handles, urls = extract([bio], prof.get("fields") or [])
            if scode:
                urls = list(dict.fromkeys(urls + [f"{site}speaker/{scode}/"]))
            yield SpeakerItem(
                site=site, talk=key, index=index, name=name, bio=bio, handles=handles, urls=urls, speaker_id=scode,
            )
            index += 1

    # -- fallbacks: schedule exports ---------------------------------------------------------

    def on_error(self, failure):
        """The API being closed (401/403/404) is not an error: the schedule export is public."""
        request = failure.request
        site = request.meta.get("site")
        step = request.meta.get("on_fail")
        if "/api/events/" in request.url and request.url.endswith(f"/{event_parts(site)[1]}/"):
            self.problem(site, request.url, "event API not available; reading the schedule export")
            yield self.request(f"{site}schedule/export/schedule.json", self.parse_export, site)
            return
        if step == "submissions":
            base, slug = event_parts(site)
            self.problem(site, request.url, "speaker profiles not available; biographies from submissions only")
            yield self.request(f"{base}/api/events/{slug}/submissions/?expand={EXPAND}", self.parse_submissions, site)
            return
        if request.url.endswith("schedule.json"):
            yield self.request(f"{site}schedule/export/schedule.xml", self.parse_export, site)
            return
        super().on_error(failure)

    def parse_export(self, response) -> Iterator:
        site = response.meta["site"]
        body = response.text
        if body.lstrip().startswith("{"):
            data = self.json_of(response)
            items, problems = parse_json(data or {}, site, self.site_name(site), self.platform)
        else:
            items, problems = parse_xml(body, site, self.site_name(site), self.platform)
        _, slug = event_parts(site)
        for p in problems:
            self.problem(site, response.url, p)
        if len(items) <= 1:
            self.problem(site, response.url, "layout changed? no talks found in the schedule export")
        for it in items:
            # the event key of a pretalx site is its slug, whatever the export calls it
            if isinstance(it, EventItem):
                it["key"] = slug
            elif isinstance(it, TalkItem):
                it["event"] = slug
                it["key"] = f"{slug}/{it['key'].split('/', 1)[1]}"
                it["url"] = it.get("url") or f"{site}talk/{it['key'].split('/', 1)[1]}/"
            elif isinstance(it, SpeakerItem):
                it["talk"] = f"{slug}/{it['talk'].split('/', 1)[1]}"
                if it.get("speaker_id"):
                    it["urls"] = list(dict.fromkeys((it.get("urls") or []) + [f"{site}speaker/{it['speaker_id']}/"]))
            yield it
