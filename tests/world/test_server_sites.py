"""Scrapy fetches the world's conference sites (and robots.txt) like any site; faults apply there too."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import requests

SPIDER = textwrap.dedent('''
    import json, sys
    import scrapy
    from scrapy.crawler import CrawlerProcess

    urls, out = json.loads(sys.argv[1]), sys.argv[2]
    got = []

    class Fetch(scrapy.Spider):
        name = "fetch"
        custom_settings = {"ROBOTSTXT_OBEY": True, "LOG_LEVEL": "ERROR", "TELNETCONSOLE_ENABLED": False,
                           "RETRY_TIMES": 2, "RETRY_HTTP_CODES": [500, 502]}

        async def start(self):
            for u in urls:
                yield scrapy.Request(u, callback=self.parse, errback=self.failed)

        def parse(self, response):
            got.append({"url": response.url, "status": response.status, "type": type(response).__name__,
                        "text": response.text[:200000]})

        def failed(self, failure):
            got.append({"url": failure.request.url, "status": getattr(failure.value, "response", None)
                        and failure.value.response.status, "type": "error", "text": ""})

    process = CrawlerProcess()
    process.crawl(Fetch)
    process.start()
    json.dump(got, open(out, "w"))
''')


def scrapy_fetch(tmp_path, urls: list[str]) -> dict[str, dict]:
    script = tmp_path / "fetch.py"
    script.write_text(SPIDER)
    out = tmp_path / "out.json"
    subprocess.run([sys.executable, str(script), json.dumps(urls), str(out)], cwd=tmp_path, check=True,
                   timeout=60, capture_output=True)
    return {r["url"]: r for r in json.loads(out.read_text())}


def test_scrapy_fetches_every_default_site(world, tmp_path):
    w = world.world
    urls = [world.site_url(e.url) for e in w.events] + [world.site_url(v.url) for v in w.volumes]
    schedule = world.site_url("https://pretalx.com/pydata-berlin-2025/schedule/export/schedule.json")
    got = scrapy_fetch(tmp_path, urls + [schedule])
    for u in urls:
        assert got[u]["status"] == 200, u
    assert got[urls[0]]["type"] == "HtmlResponse"
    fosdem = next(e for e in w.events if e.platform == "frab")
    frab = got[world.site_url(fosdem.url)]
    assert frab["type"] == "XmlResponse" and fosdem.talks[0].title in frab["text"]
    pydata = next(e for e in w.events if e.key == "pydata-berlin-2025")
    assert got[schedule]["type"] == "JsonResponse"
    assert all(t.title in got[schedule]["text"] for t in pydata.talks)
    stats = world.stats()["apis"]["sites"]
    assert stats["200"] >= len(urls) + 1  # robots.txt requests included


def test_site_faults_and_unknown_hosts(world):
    url = world.site_url("https://pyvideo.org/events/scipy-2023.html")
    world.set_faults("sites/502:1:1")
    assert requests.get(url, timeout=10).status_code == 502
    assert requests.get(url, timeout=10).status_code == 200
    assert requests.get(world.site_url("https://example.org/nothing/"), timeout=10).status_code == 404
    assert requests.get(f"{world.url}/elsewhere", timeout=10).status_code == 404
    assert world.stats()["apis"]["sites"] == {"502": 1, "200": 1, "404": 1}
