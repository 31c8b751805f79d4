"""What the spiders yield: plain Scrapy items, turned into storage rows by the pipeline.

Keys follow the shared conventions: event key = a slug ("pydata-berlin-2025", "pmlr-v199"),
talk key = "<event key>/<talk code>", paper key = "pmlr-v199/<id>". Every item carries `site`,
the configured site URL it came from, so counts and warnings are reported per site.
"""

from __future__ import annotations

import scrapy


class EventItem(scrapy.Item):
    site = scrapy.Field()
    key = scrapy.Field()
    name = scrapy.Field()
    platform = scrapy.Field()  # pretalx | frab | pyvideo | proceedings
    url = scrapy.Field()
    location = scrapy.Field()
    starts_on = scrapy.Field()  # aware UTC datetime
    ends_on = scrapy.Field()


class TalkItem(scrapy.Item):
    site = scrapy.Field()
    key = scrapy.Field()
    event = scrapy.Field()  # event key
    title = scrapy.Field()
    abstract = scrapy.Field()
    track = scrapy.Field()
    room = scrapy.Field()
    kind = scrapy.Field()  # talk | keynote | tutorial | workshop | lightning ...
    language = scrapy.Field()
    starts_at = scrapy.Field()  # aware UTC datetime ("date" of the talk)
    duration_min = scrapy.Field()
    url = scrapy.Field()
    video_url = scrapy.Field()
    tags = scrapy.Field()


class SpeakerItem(scrapy.Item):
    """One speaker slot of one talk: becomes Identity ("talks", "<talk key>#<index>") + Speaking."""

    site = scrapy.Field()
    talk = scrapy.Field()  # talk key
    index = scrapy.Field()  # 0-based position among the talk's speakers
    name = scrapy.Field()
    bio = scrapy.Field()
    handles = scrapy.Field()  # {"github": login, "twitter": h, ...} found in bio/profile fields
    urls = scrapy.Field()  # links found, plus the speaker's page on the platform
    speaker_id = scrapy.Field()  # the platform's own speaker code/id, when it has one
    affiliation = scrapy.Field()


class PaperItem(scrapy.Item):
    """A proceedings paper with its authors (each becomes Identity ("proceedings", "<key>#<pos>"))."""

    site = scrapy.Field()
    key = scrapy.Field()  # "pmlr-v199/abbasi22a"
    event = scrapy.Field()  # volume key, "pmlr-v199"
    title = scrapy.Field()
    abstract = scrapy.Field()
    url = scrapy.Field()
    pdf_url = scrapy.Field()
    video_url = scrapy.Field()
    venue = scrapy.Field()
    published = scrapy.Field()
    authors = scrapy.Field()  # [{"name", "given", "family"}], in paper order
    code_urls = scrapy.Field()  # [(url, "owner/name")] GitHub repositories named in the abstract
