"""Run one reading job on the machine's other core while this process does the rest.

Scoring is mostly reading: millions of rows turned into Python tuples, which holds the GIL, so a
second *process* (not a thread) reads the activity while this one reads everything else. The
job gets the database URL and opens its own engine: a connection never crosses a fork.
"""

from __future__ import annotations

import multiprocessing as mp
import threading
from typing import Any, Callable

from sqlalchemy.engine import Engine


def _run(fn: Callable, url: str, args: tuple) -> Any:
    from storage.engine import make_engine

    eng = make_engine(url)
    try:
        return fn(eng, *args)
    finally:
        eng.dispose()


def background(fn: Callable[..., Any], engine: Engine, *args: Any, parallel: bool = True) -> Callable[[], Any]:
    """Start `fn(engine, *args)`; returns a function that waits for its result.

    In another process when `parallel` and the database is a file or a server; otherwise (or for
    an in-memory SQLite database) right here, before returning.
    """
    url = engine.url
    in_memory = url.get_backend_name() == "sqlite" and (url.database or "") in ("", ":memory:")
    if not parallel or in_memory:
        got = fn(engine, *args)
        return lambda: got
    from concurrent.futures import ProcessPoolExecutor

    # fork is fast; with other threads running (the daemon's scheduler) a fresh interpreter is
    # the safe way
    method = "fork" if "fork" in mp.get_all_start_methods() and threading.active_count() == 1 else "spawn"
    pool = ProcessPoolExecutor(max_workers=1, mp_context=mp.get_context(method))
    fut = pool.submit(_run, fn, url.render_as_string(hide_password=False), args)

    def wait() -> Any:
        try:
            return fut.result()
        finally:
            pool.shutdown()

    return wait
