"""`python -m bench` (or `make bench`): measure every stage at scale, print one table, save JSON.

Default scale 1.0 = 200,000 people (about 20k repos, 2M activities, 300k papers, 20k talks).
`--growth` repeats the stages at 1/10 and 1/3 of the scale so the cost curve shows.
"""

from __future__ import annotations

import argparse
import json
import platform
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bench import stages
from bench.measure import PeakRSS, Result

console = Console(width=180)
DEFAULT_PEOPLE = 200_000
ALL = ("ingest", "resolve", "score", "leads", "export", "fit", "web", "crawl")


def _new_identities(seed: int, n: int) -> dict:
    """About `n` arXiv author identities of papers the big world has not seen (for incremental resolve)."""
    from sourcing.world.generate import generate
    from sourcing.world.rows import to_rows

    extra = to_rows(generate(max(200, n // 5), seed + 1))
    papers = {p["key"]: p for p in extra["paper"]}
    out = {"paper": [], "identity": [], "authorship": []}
    idents = [i for i in extra["identity"] if i["source"] == "arxiv"][:n]
    keep = {i["external_key"] for i in idents}
    for i in idents:
        out["identity"].append({**i, "external_key": "new-" + i["external_key"]})
    used = set()
    for a in extra["authorship"]:
        src, key = a["identity"]
        if src == "arxiv" and key in keep:
            out["authorship"].append({**a, "paper": "new-" + a["paper"], "identity": ("arxiv", "new-" + key)})
            used.add(a["paper"])
    out["paper"] = [{**papers[k], "key": "new-" + k} for k in used if k in papers]
    return out


def run_scale(people: int, runs: int, only: set[str], work: Path, seed: int, sample: float = 1.0) -> list[Result]:
    from sourcing.world.generate import generate
    from sourcing.world.rows import to_rows

    results: list[Result] = []
    if not only & {"ingest", "resolve", "score", "leads", "export", "fit", "web"}:
        return results
    gen = Result("world", f"generate {people:,} people + rows")
    with PeakRSS() as mem:
        t0 = time.perf_counter()
        world = generate(people, seed)
        rows = to_rows(world)
        gen.seconds.append(time.perf_counter() - t0)
    gen.peak_mb.append(mem.delta / 2**20)
    gen.extra.update({k: len(v) for k, v in rows.items()})
    results.append(gen)
    console.print(f"[bold]{people:,} people[/]: {', '.join(f'{k} {len(v):,}' for k, v in rows.items())}")
    truth = world.truth()
    del world

    def done(rs):
        for r in rs:
            console.print(f"  {r.stage:8} {r.what}: {r.median:.3f} s (runs {', '.join(f'{s:.3f}' for s in r.seconds)})")
        results.extend(rs)

    rs, ingested = stages.bench_ingest(work, rows, runs, sample=sample)
    done(rs)
    del rows
    resolved = scored = None
    if "resolve" in only:
        rs, resolved = stages.bench_resolve(work, ingested, _new_identities(seed, min(10_000, people // 20 or 1)), runs)
        done(rs)
    elif only & {"score", "leads", "export", "fit", "web"}:
        console.print("  (resolve not selected: people are taken from the world's truth)")
        resolved = stages.assign_from_truth(work, ingested, truth)
    if resolved and only & {"score", "leads", "export", "fit", "web"}:
        rs, scored = stages.bench_score(work, resolved, runs)
        done(rs)
    if scored:
        for name, fn in (("leads", stages.bench_leads), ("export", stages.bench_export), ("fit", stages.bench_fit),
                         ("web", stages.bench_web)):
            if name in only:
                done(fn(work, scored, runs))
    return results


def main() -> None:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    ap.add_argument("--scale", type=float, default=1.0, help="fraction of the default 200,000 people")
    ap.add_argument("--runs", type=int, default=3, help="runs per measurement (the median is reported)")
    ap.add_argument("--only", default=",".join(ALL), help=f"comma-separated stages of {','.join(ALL)}")
    ap.add_argument("--growth", action="store_true", help="also measure at 1/10 and 1/3 of the scale")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--ingest-sample", type=float, default=1.0,
                    help="share of child rows for the raw-vs-storage.upsert side-by-side (the full ingest path always writes all)")
    ap.add_argument("--out", default=str(Path(__file__).parent / "results"))
    ap.add_argument("--work", default=None, help="scratch directory (default: a temporary one)")
    args = ap.parse_args()
    only = set(args.only.split(","))
    scales = [args.scale / 10, args.scale / 3, args.scale] if args.growth else [args.scale]
    report = {"started": datetime.now(timezone.utc).isoformat(), "machine": platform.platform(),
              "python": platform.python_version(), "runs": args.runs, "scales": {}}
    all_results = []
    with tempfile.TemporaryDirectory(dir=args.work) as tmp:
        for scale in scales:
            people = max(200, int(DEFAULT_PEOPLE * scale))
            work = Path(tmp) / f"s{people}"
            work.mkdir()
            rs = []
            if "crawl" in only and scale == scales[-1]:
                from bench.crawl import bench_crawl

                rs += bench_crawl(work, runs=args.runs)
            rs = run_scale(people, args.runs, only, work, args.seed, args.ingest_sample) + rs
            report["scales"][str(people)] = [r.as_dict() for r in rs]
            all_results.append((people, rs))
    table = Table(title="sourcing benchmarks (median of runs; noise = (max-min)/median)")
    for col in ("people", "stage", "what", "median s", "noise", "peak MB", "figures"):
        table.add_column(col, overflow="fold")
    for people, rs in all_results:
        for r in rs:
            d = r.as_dict()
            figures = {k: v for k, v in d.items() if k not in ("stage", "what", "median_s", "runs_s", "noise", "peak_mb")}
            table.add_row(f"{people:,}", r.stage, r.what, f"{r.median:.3f}", f"{r.spread:.0%}",
                          f"{d['peak_mb']:.0f}" if d["peak_mb"] is not None else "", json.dumps(figures)[:160])
    console.print(table)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    name = out / f"bench-{datetime.now(timezone.utc):%Y%m%dT%H%M%S}-scale{args.scale:g}.json"
    name.write_text(json.dumps(report, indent=2, default=str))
    console.print(f"saved {name}")


if __name__ == "__main__":
    main()
