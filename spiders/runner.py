"""Run the talk spiders over the configured sites, in a child process by default.

Twisted's reactor cannot be restarted inside one process, and the nightly daemon crawls again
and again, so `crawl()` starts `python -m spiders.runner` with a plan (sites, database, settings)
and reads back its result: exit status, items per site, pages, warnings and errors. One Scrapy
crawler runs per site (per-site stats, failures isolated, one JOBDIR each: a crawl that was
stopped resumes where it was; a finished site's job state is removed so the next run starts
afresh).

A site with nothing found (a layout that changed) is a warning, never silence.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Iterable, Optional
from urllib.parse import urlsplit

from spiders.mirror import split_mirrored

SPIDERS = ("pretalx", "frab", "pyvideo", "proceedings")
# per site, the item kinds that mean "something was found"
FOUND = {"pretalx": "talk", "frab": "talk", "pyvideo": "talk", "proceedings": "paper"}


class CrawlError(ValueError):
    """Bad input to crawl(): an unknown spider, a URL that is not http(s)."""


def guess_spider(url: str) -> str:
    """The spider family of a site URL nobody configured."""
    parts = urlsplit(url)
    host, path = parts.netloc.lower(), parts.path.lower()
    if "pyvideo" in host:
        return "pyvideo"
    if "proceedings" in host or "mlr.press" in host or re.search(r"/v\d+/?$", path):
        return "proceedings"
    if re.search(r"schedule(/export)?/?(xml|json)$|\.(xml|json)$", path):
        return "frab"
    return "pretalx"


def plan_sites(config, spider: Optional[str] = None, urls: Optional[Iterable[str]] = None) -> tuple[list[dict], Optional[str]]:
    """[{spider, url, name}] to crawl, and the mirror when the URLs point into the offline world."""
    if spider is not None and spider not in SPIDERS:
        raise CrawlError(f"unknown spider '{spider}' (known: {', '.join(SPIDERS)})")
    configured = list(config.talks.sites)
    mirror = None
    jobs: list[dict] = []
    if urls:
        for u in urls:
            m, real = split_mirrored(u.strip())
            mirror = mirror or m
            if urlsplit(real).scheme not in ("http", "https") or not urlsplit(real).netloc:
                raise CrawlError(f"'{u}' is not an http(s) URL")
            known = next((s for s in configured if s.url == real), None)
            name = spider or (known.spider if known else guess_spider(real))
            jobs.append({"spider": name, "url": real, "name": known.name if known else None})
    else:
        for s in configured:
            if spider and s.spider != spider:
                continue
            m, real = split_mirrored(s.url)
            mirror = mirror or m
            jobs.append({"spider": s.spider, "url": real, "name": s.name})
    return jobs, mirror


def default_state_dir(db_url: str) -> Path:
    """Job state and HTTP cache live next to a SQLite database, else in the user's cache."""
    m = re.match(r"sqlite:///(.+)$", db_url)
    if m and m.group(1) not in (":memory:", ""):
        return Path(m.group(1)).resolve().parent / ".sourcing-crawl"
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "sourcing" / "crawl"


def _is_loopback(mirror: Optional[str]) -> bool:
    host = urlsplit(mirror or "").hostname or ""
    return host in ("127.0.0.1", "localhost", "::1")


def scrapy_settings(config, db_url: str, *, mirror: Optional[str], state_dir: Path) -> dict:
    """Scrapy settings from the operator's config ([talks]) on top of spiders/settings.py."""
    from sourcing import __version__

    t = config.talks
    s = {
        "USER_AGENT": f"sourcing-talks/{__version__} (+mailto:{t.contact}; talent research crawler)",
        "HTTPCACHE_ENABLED": bool(t.http_cache),
        "HTTPCACHE_DIR": str(state_dir / "httpcache"),
        "AUTOTHROTTLE_ENABLED": bool(t.autothrottle),
        "DOWNLOAD_DELAY": float(t.download_delay),
        "SOURCING_DB_URL": db_url,
        "SOURCING_SITES_MIRROR": mirror,
    }
    if _is_loopback(mirror):
        # the offline world on this machine: politeness towards the real hosts does not apply
        s.update({"DOWNLOAD_DELAY": 0.0, "AUTOTHROTTLE_ENABLED": False, "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
                  "RETRY_TIMES": 1})
    return s


def job_dir(state_dir: Path, job: dict) -> Path:
    digest = hashlib.sha1(f"{job['spider']} {job['url']}".encode()).hexdigest()[:12]
    return state_dir / "jobs" / f"{job['spider']}-{digest}"


# --- the parent side -----------------------------------------------------------------------


def crawl(
    config,
    db_url: str,
    *,
    spider: Optional[str] = None,
    urls: Optional[Iterable[str]] = None,
    child: bool = True,
    mirror: Optional[str] = None,
    state_dir: Optional[str | Path] = None,
    settings: Optional[dict] = None,
    progress: Optional[Callable[[dict], None]] = None,
    timeout: Optional[float] = None,
) -> dict:
    """Crawl the configured talk sites (or `urls`, or only `spider`'s) into `db_url`.

    Returns {"status": ok|partial|failed, "exit_code", "elapsed", "pages", "totals": {kind: n},
    "items": {spider: {site: {kind: n}}}, "sites": [...], "warnings": [...], "errors": [...]}.
    With child=True (the default) the crawl runs in a child process; `progress` then receives
    the child's progress events ({"event": "site_done"|"items", ...}) as they come.
    """
    jobs, found_mirror = plan_sites(config, spider, list(urls) if urls else None)
    mirror = mirror or found_mirror
    if mirror:
        mirror = mirror.rstrip("/") + "/"
    state = Path(state_dir) if state_dir else default_state_dir(db_url)
    plan = {
        "jobs": jobs,
        "db_url": db_url,
        "state_dir": str(state),
        "settings": {**scrapy_settings(config, db_url, mirror=mirror, state_dir=state), **(settings or {})},
    }
    if not jobs:
        return _result([], 0, 0.0, warnings=["no talk sites configured"])
    if not child:
        return run_plan(plan, progress=progress)
    return _run_child(plan, progress, timeout)


def _run_child(plan: dict, progress, timeout: Optional[float]) -> dict:
    state = Path(plan["state_dir"])
    state.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="sourcing-crawl-") as tmp:
        plan_file, result_file = Path(tmp) / "plan.json", Path(tmp) / "result.json"
        plan_file.write_text(json.dumps(plan), encoding="utf-8")
        log_file = state / "crawl.log"
        t0 = time.monotonic()
        with open(log_file, "wb") as log:
            proc = subprocess.Popen(
                [sys.executable, "-m", "spiders.runner", str(plan_file), str(result_file)],
                stdout=subprocess.PIPE, stderr=log, env={**os.environ, "PYTHONUNBUFFERED": "1"},
                cwd=str(Path(__file__).resolve().parent.parent),
            )
            try:
                for line in proc.stdout:
                    if progress and line.startswith(b"@progress "):
                        try:
                            progress(json.loads(line[10:]))
                        except ValueError:
                            pass
                    if timeout and time.monotonic() - t0 > timeout:
                        break
                code = _wait(proc, timeout, t0)
            except BaseException:
                _stop(proc)
                raise
        if result_file.exists():
            result = json.loads(result_file.read_text(encoding="utf-8"))
            result["exit_code"] = code
            if code not in (0, 1) and result["status"] == "ok":
                result["status"] = "failed"
            return result
        tail = log_file.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-5:]
        return _result(
            plan["jobs"], code, time.monotonic() - t0,
            errors=[f"crawl process exited with status {code} before reporting"] + tail,
        )


def _wait(proc: subprocess.Popen, timeout: Optional[float], t0: float) -> int:
    left = None if not timeout else max(0.1, timeout - (time.monotonic() - t0))
    try:
        return proc.wait(timeout=left)
    except subprocess.TimeoutExpired:
        return _stop(proc)


def _stop(proc: subprocess.Popen) -> int:
    """Ask the crawl to stop as Ctrl-C does (job state kept for resuming), then insist."""
    proc.send_signal(signal.SIGINT)
    try:
        return proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.wait()


def _result(jobs, code: int, elapsed: float, *, warnings=(), errors=()) -> dict:
    return {
        "status": "failed" if errors else "ok",
        "exit_code": code,
        "elapsed": round(elapsed, 3),
        "pages": 0,
        "totals": {},
        "items": {},
        "sites": [{**j, "finish_reason": None, "items": {}, "pages": 0, "warnings": [], "errors": []} for j in jobs],
        "warnings": list(warnings),
        "errors": list(errors),
    }


# --- the child side ------------------------------------------------------------------------


class Progress:
    """Scrapy extension: progress events on stdout for the parent (`@progress {json}` lines)."""

    def __init__(self, crawler, every: int = 100):
        from scrapy import signals

        self.crawler, self.every, self.n = crawler, every, 0
        crawler.signals.connect(self.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def item_scraped(self, item, response, spider):
        self.n += 1
        if self.n % self.every == 0:
            emit({"event": "items", "spider": spider.name, "sites": spider.sites, "items": self.n})

    def spider_closed(self, spider, reason):
        emit({"event": "site_done", "spider": spider.name, "sites": spider.sites, "items": self.n, "reason": reason})


def emit(event: dict) -> None:
    sys.stdout.write("@progress " + json.dumps(event) + "\n")
    sys.stdout.flush()


def run_plan(plan: dict, progress: Optional[Callable[[dict], None]] = None) -> dict:
    """Run every job of the plan in this process (once per process: the reactor cannot restart)."""
    from scrapy.crawler import Crawler, CrawlerProcess
    from scrapy.settings import Settings
    from scrapy.spiderloader import SpiderLoader

    from storage import ensure_schema, make_engine

    t0 = time.monotonic()
    state = Path(plan["state_dir"])
    state.mkdir(parents=True, exist_ok=True)
    engine = make_engine(plan["db_url"])
    ensure_schema(engine)
    engine.dispose()

    base = Settings()
    base.setmodule("spiders.settings", priority="project")
    for k, v in plan["settings"].items():
        base.set(k, v, priority="cmdline")
    base.set("EXTENSIONS", {**base.getdict("EXTENSIONS"), "spiders.runner.Progress": 900}, priority="cmdline")
    loader = SpiderLoader.from_settings(base)
    process = CrawlerProcess(base)
    crawlers = []
    for job in plan["jobs"]:
        s = base.copy()
        jd = job_dir(state, job)
        s.set("JOBDIR", str(jd), priority="cmdline")
        # the first crawler installs the reactor (as CrawlerProcess does for the crawlers it makes)
        crawler = Crawler(loader.load(job["spider"]), s, init_reactor=not crawlers)
        kwargs = {"url": job["url"]}
        if job.get("name"):
            kwargs["names"] = [job["name"]]
        process.crawl(crawler, **kwargs)
        crawlers.append((job, crawler, jd))
        process._initialized_reactor = True
    process.start()

    sites, warnings, errors = [], [], []
    items: dict[str, dict] = {}
    totals: dict[str, int] = {}
    pages = 0
    for job, crawler, jd in crawlers:
        stats = crawler.stats.get_stats() if crawler.stats else {}
        spider = getattr(crawler, "spider", None)
        prefix = f"sourcing/site/{job['url']}/"
        counts = {k[len(prefix):]: v for k, v in stats.items() if k.startswith(prefix)}
        reason = stats.get("finish_reason")
        n_pages = int(stats.get("response_received_count", 0))
        pages += n_pages
        site_w, site_e = [], []
        for p in getattr(spider, "problems", []):
            msg = f"{job['spider']} {job['url']}: {p['where']}: {p['message']}"
            (site_e if p.get("error") else site_w).append(msg)
        exc = sum(v for k, v in stats.items() if k.startswith("spider_exceptions/"))
        if exc:
            site_e.append(f"{job['spider']} {job['url']}: {exc} page(s) failed to parse (see crawl.log)")
        if not counts.get(FOUND[job["spider"]]):
            site_w.append(f"{job['spider']} {job['url']}: nothing found (layout changed, site down or empty?)")
        if reason != "finished":
            site_e.append(f"{job['spider']} {job['url']}: crawl ended: {reason}")
        elif jd.exists():
            shutil.rmtree(jd, ignore_errors=True)  # finished: the next run starts afresh
        for k, v in counts.items():
            totals[k] = totals.get(k, 0) + v
        items.setdefault(job["spider"], {})[job["url"]] = counts
        warnings += site_w
        errors += site_e
        sites.append({**job, "finish_reason": reason, "items": counts, "pages": n_pages,
                      "warnings": site_w, "errors": site_e})
    elapsed = time.monotonic() - t0
    failed_sites = sum(1 for s in sites if s["errors"] or not s["items"].get(FOUND[s["spider"]]))
    status = "ok" if failed_sites == 0 else "failed" if failed_sites == len(sites) else "partial"
    return {
        "status": status, "exit_code": 0 if status == "ok" else 1, "elapsed": round(elapsed, 3), "pages": pages,
        "totals": totals, "items": items, "sites": sites, "warnings": warnings, "errors": errors,
    }


def main(argv: list[str]) -> int:
    plan = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    result = run_plan(plan)
    Path(argv[1]).write_text(json.dumps(result, default=str), encoding="utf-8")
    return result["exit_code"]


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
