"""Crawl benchmark: GitHub, arXiv and talk sites against the offline world over local HTTP, with the
real clients (PyGithub, arxiv, Scrapy in its child process), each into a fresh SQLite database.

Per source: records per second, requests per stored record and peak memory (median of runs),
then a no-change re-run into the same database: its counted requests as a share of the first
crawl's (GitHub's goal: under 5%) and its 304s. Requests are read from the world's own
/_world/stats (deltas), so they are what reached the server, not what a client believes it sent.
"""

from __future__ import annotations

import os
import statistics
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional

import requests

from bench.measure import PeakRSS, Result
from bench.stages import fresh_db

# 1,500 people (the size `sourcing demo` serves): 81 watched repos with ~7k pull requests, ~2k
# papers, ~200 talks; the whole stage (three sources, first crawl + re-runs, three runs) takes a
# few minutes on a 2-core machine
DEFAULT_PEOPLE = 1_500
SOURCES = ("github", "arxiv", "talks")
GITHUB_RERUN_GOAL = 0.05  # issue 4: a no-change re-run spends under 5% of the first crawl


_http = requests.Session()
_http.trust_env = False  # the world is on 127.0.0.1: never through a proxy from the environment


def _stats(url: str) -> dict:
    return _http.get(f"{url}/_world/stats", timeout=30).json()


def _delta(before: dict, after: dict, api: str) -> dict:
    """Requests to one API between two /_world/stats snapshots, by status, plus GitHub's accounting."""
    b, a = before["apis"].get(api, {}), after["apis"].get(api, {})
    by_status = {k: v - b.get(k, 0) for k, v in a.items() if v - b.get(k, 0)}
    out = {"requests": sum(by_status.values()), "by_status": by_status}
    if api == "github":
        rb, ra = before["rate_limit"], after["rate_limit"]
        out["counted"] = ra["counted"] - rb["counted"]
        out["not_modified"] = ra["not_modified"] - rb["not_modified"]
    else:  # no rate limit to dodge: every request is spent
        out["counted"] = out["requests"]
        out["not_modified"] = by_status.get("304", 0)
    return out


def _rows(engine) -> int:
    """Rows in every table the crawls write (runs and steps excluded)."""
    from sqlalchemy import inspect, text

    skip = {"run", "step", "alembic_version"}
    with engine.connect() as conn:
        names = [t for t in inspect(conn).get_table_names() if t not in skip]
        return sum(conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one() for t in names)


class ChildPeak:
    """Peak RSS (VmHWM) of this process's descendants while the block runs: the talk spiders run
    in a child process, which the parent's own RSS sampler cannot see."""

    def __init__(self, interval: float = 0.05):
        self.interval = interval
        self.peak = 0  # bytes
        self._stop = threading.Event()

    @staticmethod
    def _children(pid: int) -> list[int]:
        out = []
        try:
            for tid in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{tid}/children") as f:
                    out += [int(x) for x in f.read().split()]
        except OSError:
            pass
        return out

    @staticmethod
    def _hwm(pid: int) -> int:
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1]) * 1024
        except OSError:
            pass
        return 0

    def _sample(self) -> None:
        me = os.getpid()
        while not self._stop.is_set():
            todo, seen = self._children(me), set()
            while todo:
                pid = todo.pop()
                if pid in seen:
                    continue
                seen.add(pid)
                self.peak = max(self.peak, self._hwm(pid))
                todo += self._children(pid)
            self._stop.wait(self.interval)

    def __enter__(self) -> "ChildPeak":
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


# --- one crawl per source --------------------------------------------------------------------


@dataclass
class Target:
    """The served world and everything a crawl of it needs."""

    handle: Any  # sourcing.world.server.WorldHandle
    world: Any  # sourcing.world.model.World
    config: Any  # sourcing.config.Config pointing at the world
    work: Path
    repos: list[str]  # the watched repos the world serves (GitHub crawls only these)


def _crawl_github(engine, t: Target, tag: str) -> dict:
    from sourcing.sources.github import crawl

    stats = crawl(engine, t.config, repos=t.repos, api_url=t.handle.github_url, now=t.world.now)
    x = stats.extra
    return {"records": stats.records, "client_requests": x["requests"], "client_counted": x["counted_requests"],
            "client_not_modified": x["not_modified"], "problems": len(stats.problems),
            "stopped": x.get("stopped")}


def _crawl_arxiv(engine, t: Target, tag: str) -> dict:
    from sourcing.sources.arxiv import crawl

    stats = crawl(engine, t.config, api_url=t.handle.arxiv_url, delay_seconds=0.0, now=t.world.now)
    return {"records": stats.records, "papers": stats.papers, "client_requests": stats.requests,
            "problems": len(stats.problems), "failed_queries": len(stats.failed)}


def _crawl_talks(engine, t: Target, tag: str) -> dict:
    from spiders.runner import crawl

    db_url = engine.url.render_as_string(hide_password=False)
    # job state (JOBDIR) beside its own database: one run never resumes another's
    out = crawl(t.config, db_url, mirror=t.handle.sites_url, state_dir=t.work / f"talks-state-{tag}", child=True)
    if out["status"] != "ok":
        raise RuntimeError(f"talks crawl {out['status']}: {(out['errors'] + out['warnings'])[:3]}")
    return {"records": sum(out["totals"].values()), "items": out["totals"], "client_requests": out["pages"],
            "child_elapsed": out["elapsed"], "problems": len(out["errors"]) + len(out["warnings"])}


CRAWLS: dict[str, Callable] = {"github": _crawl_github, "arxiv": _crawl_arxiv, "talks": _crawl_talks}
API = {"github": "github", "arxiv": "arxiv", "talks": "sites"}


def _measure(source: str, engine, t: Target, tag: str) -> dict:
    """One crawl: seconds, peak memory (this process's growth, or the spider child's peak) and
    the requests the world saw."""
    before = _stats(t.handle.url)
    with PeakRSS() as mem, ChildPeak() as child:
        t0 = time.perf_counter()
        got = CRAWLS[source](engine, t, tag)
        seconds = time.perf_counter() - t0
    after = _stats(t.handle.url)
    d = _delta(before, after, API[source])
    peak = max(mem.delta, child.peak) / 2**20
    return {**got, "seconds": seconds, "peak_mb": peak, "parent_mb": mem.delta / 2**20,
            "child_mb": child.peak / 2**20, "requests": d["requests"], "counted": d["counted"],
            "not_modified": d["not_modified"], "by_status": d["by_status"]}


def _med(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def bench_source(source: str, t: Target, runs: int) -> list[Result]:
    """First crawl into a fresh database and a no-change re-run into it, `runs` times."""
    firsts, reruns = [], []
    for i in range(runs):
        engine = fresh_db(t.work / f"crawl-{source}-{i}.db")
        try:
            first = _measure(source, engine, t, f"{i}a")
            first["rows"] = _rows(engine)
            rerun = _measure(source, engine, t, f"{i}b")
            rerun["rows"] = _rows(engine)
            if source == "github":
                # the first re-run moves the commit cursors (new URLs, no stored ETag yet); the
                # second shows the steady state of a nightly run over unchanged data
                rerun["again"] = _measure(source, engine, t, f"{i}c")
        finally:
            engine.dispose()
        firsts.append(first)
        reruns.append(rerun)

    f = Result("crawl", f"{source}: first crawl, fresh SQLite ({t.world.size:,}-people world)")
    f.seconds = [r["seconds"] for r in firsts]
    f.peak_mb = [r["peak_mb"] for r in firsts]
    records, requests_, counted = _med(firsts, "records"), _med(firsts, "requests"), _med(firsts, "counted")
    # the headline figures first: the harness's table shows only the start of them
    f.extra.update(
        records_per_s=round(statistics.median(r["records"] / r["seconds"] for r in firsts), 1),
        requests_per_record=round(requests_ / records, 3) if records else None,
        records=int(records),
        requests=int(requests_),
        counted_requests=int(counted),
        rows=int(_med(firsts, "rows")),
        requests_per_s=round(statistics.median(r["requests"] / r["seconds"] for r in firsts), 1),
        client_requests=int(_med(firsts, "client_requests")),
        by_status=firsts[-1]["by_status"],
        problems=firsts[-1]["problems"],
    )
    if source == "talks":
        f.extra.update(child_peak_mb=round(max(r["child_mb"] for r in firsts), 1),
                       parent_peak_mb=round(max(r["parent_mb"] for r in firsts), 1),
                       items=firsts[-1]["items"],
                       # the child's own clock (reactor up to last item): without interpreter and import start-up
                       child_elapsed_s=round(_med(firsts, "child_elapsed"), 3),
                       records_per_s_in_child=round(statistics.median(
                           r["records"] / r["child_elapsed"] for r in firsts if r["child_elapsed"]), 1))
    if source == "arxiv":
        f.extra["papers"] = int(_med(firsts, "papers"))
        # issue 5 asks for the time of 10k papers: extrapolated from this run's papers per second
        f.extra["s_per_10k_papers_est"] = round(10_000 / f.extra["records_per_s"], 1) if f.extra["records_per_s"] else None

    r = Result("crawl", f"{source}: no-change re-run into the same database")
    r.seconds = [x["seconds"] for x in reruns]
    r.peak_mb = [x["peak_mb"] for x in reruns]
    re_counted = _med(reruns, "counted")
    share = re_counted / counted if counted else None
    r.extra["rerun_share"] = round(share, 4) if share is not None else None
    if source == "github":
        again = [x["again"] for x in reruns]
        r.extra.update(
            goal_met=share is not None and share < GITHUB_RERUN_GOAL,
            goal_share=GITHUB_RERUN_GOAL,
            rerun2_share=round(_med(again, "counted") / counted, 4) if counted else None,
            rerun2_counted_requests=int(_med(again, "counted")),
            rerun2_304=int(_med(again, "not_modified")),
            rerun2_s=round(_med(again, "seconds"), 3),
        )
    r.extra.update(
        rerun_counted_requests=int(re_counted),
        rerun_304=int(_med(reruns, "not_modified")),
        rerun_requests=int(_med(reruns, "requests")),
        rerun_records=int(_med(reruns, "records")),
        rows_added=int(statistics.median(x["rows"] - y["rows"] for x, y in zip(reruns, firsts))),
        by_status=reruns[-1]["by_status"],
    )
    return [f, r]


def world_config(url: str, work: Path):
    """The config `sourcing world config --url URL` writes, with no token and a budget that never binds."""
    from sourcing.config import load
    from sourcing.world.server import config_text

    text = config_text(url, db_url=f"sqlite:///{work / 'unused.db'}")
    path = work / "crawl-sourcing.toml"
    path.write_text(text, encoding="utf-8")
    config = load(path)
    config.github.token_env = []  # the world needs none; never send a real one from the environment
    config.github.budget_share = 1.0
    config.arxiv.delay_seconds = 0.0
    return config


def bench_crawl(work: Path, runs: int, people: int = DEFAULT_PEOPLE, seed: int = 7,
                sources: Optional[tuple[str, ...]] = None, watched: Optional[int] = None) -> list[Result]:
    """Generate a world of `people`, serve it from a thread and benchmark each source's crawl.

    `watched` crawls only the first that many watched repos on GitHub (a quick smoke run);
    `sources` a subset of github, arxiv, talks.
    """
    from sourcing.world.generate import generate
    from sourcing.world.server import start

    work = Path(work)
    work.mkdir(parents=True, exist_ok=True)
    gen = Result("crawl", f"world: generate {people:,} people and serve it")
    with PeakRSS() as mem:
        t0 = time.perf_counter()
        world = generate(people, seed)
        # generous rate limit: the benchmark measures the crawl, not waiting for a reset
        handle = start(world, rate_limit=1_000_000_000)
        gen.seconds.append(time.perf_counter() - t0)
    gen.peak_mb.append(mem.delta / 2**20)
    repos = [r.full_name for r in world.repos if r.watched][:watched]
    gen.extra.update(people=people, watched_repos=len(repos),
                     watched_pulls=sum(len(world.repo_pulls(r)) for r in repos),
                     watched_commits=sum(len(world.repo_commits(r)) for r in repos),
                     papers=len(world.papers), talks=sum(len(e.talks) for e in world.events))
    out = [gen]
    try:
        target = Target(handle, world, world_config(handle.url, work), work, repos)
        for source in sources or SOURCES:
            out += bench_source(source, target, max(1, runs))
    finally:
        handle.stop()
    return out
