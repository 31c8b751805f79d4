"""Proceedings volumes (PMLR, proceedings.mlr.press/v<N>/): the volume page lists the papers;
each paper's abstract page gives the abstract and the authors in Highwire `citation_*` tags.

Site URL: https://proceedings.mlr.press/v199/. Event key "pmlr-v199", paper key
"pmlr-v199/<paper id>".
"""

from __future__ import annotations

import re
from typing import Iterator, Optional
from urllib.parse import urlsplit

from spiders.items import EventItem, PaperItem
from spiders.links import github_repos
from spiders.spiders.base import SiteSpider, clean, utc


def volume_key(url: str) -> str:
    m = re.search(r"/v(\d+)/?", urlsplit(url).path)
    if m:
        return f"pmlr-v{m.group(1)}"
    return "-".join(p for p in urlsplit(url).path.split("/") if p) or urlsplit(url).netloc


def author_name(text: str) -> Optional[str]:
    """ "Abbasi, Ali" -> "Ali Abbasi"; "Ali Abbasi" stays."""
    text = clean(text)
    if not text:
        return None
    if "," in text:
        family, given = (x.strip() for x in text.split(",", 1))
        return f"{given} {family}".strip()
    return text


class ProceedingsSpider(SiteSpider):
    name = "proceedings"
    platform = "proceedings"

    async def start(self):
        for site in self.sites:
            yield self.request(site, self.parse, site)

    def parse(self, response) -> Iterator:
        """A volume page: the volume as an event, and each paper's abstract page.

        @url https://proceedings.mlr.press/v199/
        @returns items 1 1
        @returns requests 1
        @scrapes key name platform
        """
        site = response.meta.get("site") or response.url
        key = volume_key(site)
        # "<booktitle> | Volume 199 | PMLR", else the heading "Volume 199: CoLLAs 2022"
        name = (
            clean((response.css("title::text").get() or "").split("|")[0])
            or clean(response.css("h2::text").get())
            or self.site_name(site)
            or key
        )
        yield EventItem(site=site, key=key, name=name, platform=self.platform, url=site)
        papers = response.css("div.paper")
        if not papers:
            self.problem(site, response.url, "layout changed? no div.paper on the volume page")
        for p in papers:
            title = clean(p.css("p.title").xpath("string(.)").get())
            authors = [clean(a) for a in (p.css("span.authors").xpath("string(.)").get() or "").split(",")]
            links = p.css("p.links a")
            abs_url = next((a.attrib.get("href") for a in links if clean(a.xpath("string(.)").get()) == "abs"), None)
            pdf = next((a.attrib.get("href") for a in links if "pdf" in (a.xpath("string(.)").get() or "").lower()), None)
            if not abs_url or not title:
                self.problem(site, response.url, f"a paper without {'title' if not title else 'abstract link'}")
                continue
            abs_url = response.urljoin(abs_url)
            listing = {"title": title, "authors": [a for a in authors if a], "pdf": pdf and response.urljoin(pdf)}
            r = self.request(abs_url, self.parse_paper, site, volume=key, venue=name, listing=listing)
            r.errback = self.paper_missing
            yield r

    def parse_paper(self, response) -> Iterator:
        """A paper's abstract page.

        @url https://proceedings.mlr.press/v199/abbasi22a.html
        @returns items 1 1
        @scrapes key title authors url
        """
        site = response.meta.get("site") or response.url
        listing = response.meta.get("listing") or {}
        meta = lambda n: response.xpath(f"//meta[@name='{n}']/@content").getall()  # noqa: E731
        key = response.meta.get("volume") or volume_key(response.url)
        pid = urlsplit(response.url).path.rstrip("/").rsplit("/", 1)[-1].removesuffix(".html")
        names = [author_name(a) for a in meta("citation_author")] or listing.get("authors") or []
        abstract = clean(response.css("#abstract").xpath("string(.)").get())
        title = clean((meta("citation_title") or [None])[0]) or listing.get("title") or clean(response.css("h1::text").get())
        yield PaperItem(
            site=site, key=f"{key}/{pid}", event=key, title=title, abstract=abstract, url=response.url,
            pdf_url=(meta("citation_pdf_url") or [listing.get("pdf")])[0],
            venue=clean((meta("citation_conference_title") or meta("citation_journal_title") or [None])[0])
            or response.meta.get("venue"),
            published=utc((meta("citation_publication_date") or [None])[0]),
            authors=[{"name": n} for n in names if n], code_urls=github_repos(abstract),
        )

    def paper_missing(self, failure):
        """No abstract page: the paper as the volume page lists it, and a problem for the site."""
        request = failure.request
        self.on_error(failure)
        listing = request.meta.get("listing") or {}
        key = request.meta.get("volume")
        pid = urlsplit(request.url).path.rstrip("/").rsplit("/", 1)[-1].removesuffix(".html")
        if key and listing.get("title"):
            yield PaperItem(
                site=request.meta.get("site"), key=f"{key}/{pid}", event=key, title=listing["title"], url=request.url,
                pdf_url=listing.get("pdf"), venue=request.meta.get("venue"),
                authors=[{"name": n} for n in listing.get("authors") or []],
            )
