"""Scrapy contracts (@url/@returns/@scrapes in the spiders' docstrings) checked with `scrapy check`
against the real corpus pages (PyVideo, PMLR) and the offline world (pretalx, frab)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from spiderkit import serve

ROOT = Path(__file__).resolve().parents[2]


def test_scrapy_check_passes_every_contract(corpus):
    from sourcing.world import sites
    from sourcing.world.generate import generate
    from test_corpus import corpus_handler

    real = corpus_handler(corpus)
    world = generate(200, 3)

    def both(host, path, query):
        got = real(host, path, query)
        return got if got[0] != 404 else sites.handle(world, host, path, query)

    with serve(both) as base:
        env = {**os.environ, "SOURCING_SITES_MIRROR": base, "SOURCING_DB_URL": ""}
        out = subprocess.run([sys.executable, "-m", "scrapy", "check"], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=120)
    report = out.stdout + out.stderr
    assert out.returncode == 0, report[-3000:]
    ran = int(next(line.split()[1] for line in report.splitlines() if line.startswith("Ran ")))
    assert ran >= 12, report[-2000:]  # contracts of all four spiders ran
