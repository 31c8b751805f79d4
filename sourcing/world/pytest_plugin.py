"""pytest fixtures for the offline world (enabled in tests/conftest.py via pytest_plugins).

- `world`: a small world (300 people, seed 7) served on a free port in a thread. The world is
  generated and served once per session; before each test its faults are cleared, its stats
  zeroed and its rate-limit budget refilled (5000 per token, reset after an hour). Use
  `world.url`, `world.github_url`, `world.arxiv_url`, `world.site_url(real_url)`, `world.world`
  (the generated World, with `.truth()`), `world.set_faults("502:1:2")`, `world.stats()`,
  `world.set_rate_limit(3, reset_seconds=1)`.
- `world_factory(size=300, seed=7, **options)`: a separately served world (options as
  sourcing.world.server.WorldApp: faults, rate_limit, reset_seconds, retry_after, replay);
  worlds of one (size, seed) are generated once per session, servers stop after the test.
- `world_data`: the session's generated World itself (no server).
"""

from __future__ import annotations

import pytest

DEFAULT_SIZE = 300
DEFAULT_SEED = 7
_cache: dict[tuple[int, int], object] = {}


def _generated(size: int, seed: int):
    from sourcing.world.generate import generate

    key = (size, seed)
    if key not in _cache:
        _cache[key] = generate(size, seed)
    return _cache[key]


@pytest.fixture(scope="session")
def world_data():
    return _generated(DEFAULT_SIZE, DEFAULT_SEED)


@pytest.fixture(scope="session")
def _world_server(world_data):
    from sourcing.world.server import start

    handle = start(world_data)
    yield handle
    handle.stop()


@pytest.fixture
def world(_world_server):
    h = _world_server
    h.clear_faults()
    h.set_rate_limit(5000, reset_seconds=3600)
    h.reset_stats()
    yield h
    h.clear_faults()


@pytest.fixture
def world_factory():
    from sourcing.world.server import start

    started = []

    def make(size: int = DEFAULT_SIZE, seed: int = DEFAULT_SEED, **options):
        h = start(_generated(size, seed), **options)
        started.append(h)
        return h

    yield make
    for h in started:
        h.stop()
