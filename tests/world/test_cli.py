"""`sourcing world config / truth / serve` as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import requests
from typer.testing import CliRunner

from sourcing.cli import app
from sourcing.config import TalksConfig, load
from sourcing.world.generate import generate

runner = CliRunner()


def test_world_config_loads_and_points_everything_at_the_world(tmp_path, world):
    res = runner.invoke(app, ["world", "config", "--url", world.url + "/"])
    assert res.exit_code == 0, res.output
    path = tmp_path / "world.toml"
    path.write_text(res.stdout)
    cfg = load(path)
    assert cfg.github.api_url == world.github_url and cfg.arxiv.api_url == world.arxiv_url
    assert cfg.arxiv.delay_seconds == 0
    assert [s.url for s in cfg.talks.sites] == [world.site_url(s.url) for s in TalksConfig().sites]
    assert [s.spider for s in cfg.talks.sites] == [s.spider for s in TalksConfig().sites]
    assert len(cfg.searches) >= 2
    # every site URL in it is served
    for s in cfg.talks.sites:
        assert requests.get(s.url, timeout=10).status_code == 200, s.url
    assert runner.invoke(app, ["world", "config", "--url", "localhost:1"]).exit_code == 2


def test_world_truth_writes_the_generators_truth(tmp_path):
    out = tmp_path / "truth.json"
    res = runner.invoke(app, ["world", "truth", "--size", "120", "--seed", "4", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert json.loads(out.read_text()) == json.loads(json.dumps(generate(120, 4).truth()))
    assert "people" in res.stdout


def test_world_serve_runs_until_stopped(tmp_path):
    proc = subprocess.Popen(
        [sys.executable, "-m", "sourcing.cli", "world", "serve", "--port", "0", "--size", "60", "--seed", "2",
         "--faults", "arxiv/empty_page:0.5"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        url = None
        deadline = time.monotonic() + 30
        while url is None and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if "serving on" in line:
                url = line.split("serving on", 1)[1].split()[0]
        assert url, "the server never said where it listens"
        repo = requests.get(f"{url}/api/v3/repos/apache/airflow", timeout=10).json()
        assert repo["full_name"] == "apache/airflow"
        assert requests.get(f"{url}/_world/stats", timeout=10).json()["apis"]["github"]["200"] == 1
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    bad = runner.invoke(app, ["world", "serve", "--faults", "teapot"])
    assert bad.exit_code == 2 and "unknown fault" in bad.output
