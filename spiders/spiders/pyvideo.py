"""PyVideo events: the event page lists the talks; each talk page has its title, speakers,
recording date, description, tags and video link (pyvideo.org's Pelican theme).

Site URL: https://pyvideo.org/events/<event slug>.html; talk pages live at
https://pyvideo.org/<event slug>/<talk slug>.html.
"""

from __future__ import annotations

import re
from typing import Iterator
from urllib.parse import urlsplit

from spiders.items import EventItem, SpeakerItem, TalkItem
from spiders.spiders.base import VIDEO, SiteSpider, clean, is_person, utc

EVENT_URL = re.compile(r"/events/([^/]+?)(?:\.html)?/?$")


def event_slug(url: str) -> str:
    m = EVENT_URL.search(urlsplit(url).path)
    return m.group(1) if m else [p for p in urlsplit(url).path.split("/") if p][-1].removesuffix(".html")


class PyVideoSpider(SiteSpider):
    name = "pyvideo"
    platform = "pyvideo"

    async def start(self):
        for site in self.sites:
            yield self.request(site, self.parse, site)

    def parse(self, response) -> Iterator:
        """An event page: the event, and a request per talk listed.

        @url https://pyvideo.org/events/scipy-2023.html
        @returns items 1 1
        @returns requests 1
        @scrapes key name platform
        """
        site = response.meta.get("site") or response.url
        slug = event_slug(site)
        heading = clean(response.css("h2::text").get() or response.css("title::text").get() or "")
        name = re.sub(r"^Event:\s*", "", heading or "") or self.site_name(site) or slug
        yield EventItem(site=site, key=slug, name=name, platform=self.platform, url=site)
        links = response.css("article.list_item a[href]::attr(href), ul.content-list a[href]::attr(href)").getall()
        talk_path = re.compile(rf"/{re.escape(slug)}/[^/]+\.html$")
        talks = [u for u in dict.fromkeys(response.urljoin(h) for h in links) if talk_path.search(urlsplit(u).path)]
        if not talks:
            self.problem(site, response.url, "layout changed? no talk links on the event page")
        for url in talks:
            yield self.request(url, self.parse_talk, site, event=slug)

    def parse_talk(self, response) -> Iterator:
        """A talk page: the talk, then one item per speaker.

        @url https://pyvideo.org/scipy-2023/aaron-meurer-toward-array-interoperability-in-the-scientific-python-ecosystem-scipy-2023.html
        @returns items 1
        @scrapes site
        """
        site = response.meta.get("site") or response.url
        path = urlsplit(response.url).path
        event_link = response.xpath("//a[starts-with(@href, '/events/') or contains(@href, '/events/')]/@href").get()
        slug = response.meta.get("event") or (event_slug(event_link) if event_link else path.strip("/").split("/")[0])
        code = path.rstrip("/").rsplit("/", 1)[-1].removesuffix(".html")
        key = f"{slug}/{code}"
        title = clean(response.css("h2.entry-title a::text, h2.entry-title::text").get()) or clean(
            response.css("title::text").get()
        )
        if not title:
            self.problem(site, response.url, "layout changed? a talk page without a title")
            return
        paragraphs = response.css("div.entry-content")
        abstract = None
        if paragraphs:
            texts = [clean(t) for t in paragraphs.xpath(".//p//text() | .//li//text() | .//pre//text()").getall()]
            abstract = clean("\n".join(t for t in texts if t))
        media = response.xpath("//div[contains(@class,'details-content')]//li[contains(., 'Media URL')]/a/@href").get()
        iframe = response.css("iframe::attr(src)").get()
        video = media or (iframe if iframe and VIDEO.search(iframe) else None)
        tags = response.xpath("//div[contains(@class,'details-content')]//a[contains(@href,'/tag/')]/text()").getall()
        published = response.css("time.published::attr(datetime)").get()
        language = response.xpath("//div[contains(@class,'details-content')]//li[starts-with(normalize-space(.), 'Language:')]/text()").get()
        yield TalkItem(
            site=site, key=key, event=slug, title=title, abstract=abstract, starts_at=utc(published),
            url=response.url, video_url=video, tags=[clean(t) for t in tags if clean(t)] or None,
            language=clean(language.split(":", 1)[1]) if language and ":" in language else None, kind="talk",
        )
        index = 0
        for a in response.css("address.vcard.author a.url, address.author a"):
            name = clean(a.xpath("string(.)").get())
            if not is_person(name):
                continue
            href = a.attrib.get("href")
            yield SpeakerItem(
                site=site, talk=key, index=index, name=name, handles={},
                urls=[response.urljoin(href)] if href else [], speaker_id=href.rsplit("/", 1)[-1].removesuffix(".html") if href else None,
            )
            index += 1
