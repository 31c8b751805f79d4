"""Shared fixtures: a fresh migrated database per test, and the path to the real-data corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["sourcing.world.pytest_plugin"]

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"


@pytest.fixture
def db_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'test.db'}"


@pytest.fixture
def engine(db_url):
    from storage import ensure_schema, make_engine

    eng = make_engine(db_url)
    ensure_schema(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def corpus() -> Path:
    """The recorded real-world corpus; tests using it are marked `realdata`."""
    if not CORPUS.is_dir():
        pytest.skip(f"real-data corpus not found at {CORPUS} (../shared is missing)")
    return CORPUS


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "corpus" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.realdata)


def sigkill_when(child, reached, timeout: float, what: str = "half-way") -> None:
    """Wait until `reached()` while `child` runs, then SIGKILL it (a crash at that moment)."""
    import signal
    import time

    try:
        deadline = time.monotonic() + timeout
        while not reached():
            assert child.poll() is None, f"the child ended before it got {what}"
            assert time.monotonic() < deadline, f"the child never got {what}"
            time.sleep(0.05)
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    finally:
        if child.poll() is None:
            child.kill()


@pytest.fixture
def kill_when():
    """`kill_when(child, reached, timeout)`: SIGKILL a child process once `reached()` is true."""
    return sigkill_when
