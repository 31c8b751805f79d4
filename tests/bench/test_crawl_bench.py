"""Smoke test of the crawl benchmark: one run against a tiny world yields sane figures per source."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    from bench.crawl import bench_crawl

    # ten watched repos keep GitHub quick; talks still start Scrapy's child process twice
    rs = bench_crawl(tmp_path_factory.mktemp("crawl"), runs=1, people=40, watched=10)
    return {r.what.split(":")[0] + (" rerun" if "re-run" in r.what else ""): r for r in rs}


def test_every_source_reports_a_first_crawl_and_a_rerun(results):
    assert sorted(results) == ["arxiv", "arxiv rerun", "github", "github rerun", "talks", "talks rerun", "world"]
    for r in results.values():
        assert len(r.seconds) == 1 and r.seconds[0] > 0 and r.peak_mb and r.peak_mb[0] >= 0


def test_first_crawl_figures_are_consistent(results):
    world = results["world"].extra
    for source in ("github", "arxiv", "talks"):
        x = results[source].extra
        assert x["records"] > 0 and x["requests"] > 0 and x["rows"] >= x["records"], (source, x)
        assert x["requests_per_record"] == pytest.approx(x["requests"] / x["records"], abs=1e-3)
        assert x["records_per_s"] == pytest.approx(x["records"] / results[source].seconds[0], rel=1e-2)
        # what the world saw equals what the client says it sent: nothing is lost or double-counted
        assert x["client_requests"] == x["requests"], (source, x)
        assert x["by_status"] == {"200": x["requests"]}, (source, x)
    assert results["arxiv"].extra["papers"] <= world["papers"]
    assert results["talks"].extra["items"]["talk"] == world["talks"]
    # the talk spiders run in a child process: its memory is what the figure reports
    assert results["talks"].extra["child_peak_mb"] > 20


def test_github_rerun_spends_almost_nothing_and_adds_no_rows(results):
    first, rerun = results["github"].extra, results["github rerun"].extra
    assert first["counted_requests"] == first["requests"]  # a fresh database has no validators
    assert rerun["rerun_304"] > 0 and rerun["rows_added"] == 0
    assert rerun["rerun_share"] == pytest.approx(rerun["rerun_counted_requests"] / first["counted_requests"], abs=1e-4)
    assert rerun["goal_met"] is (rerun["rerun_share"] < 0.05)
    assert rerun["rerun2_counted_requests"] <= rerun["rerun_counted_requests"]
    for source in ("arxiv", "talks"):
        assert results[f"{source} rerun"].extra["rows_added"] == 0
