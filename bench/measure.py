"""Measuring: wall time as the median of several runs, and the peak resident memory of a run.

Peak memory is sampled from /proc (RSS) in a background thread while the measured code runs,
and reported as the high-water mark above the process's size when the run started.
"""

from __future__ import annotations

import gc
import os
import statistics
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable

PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE


class PeakRSS:
    """Context manager: .peak is the highest RSS seen (bytes), .delta the growth over the start."""

    def __init__(self, interval: float = 0.02):
        self.interval = interval
        self.start = self.peak = 0
        self._stop = threading.Event()

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_bytes())
            self._stop.wait(self.interval)

    def __enter__(self) -> "PeakRSS":
        gc.collect()
        self.start = self.peak = rss_bytes()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_bytes())

    @property
    def delta(self) -> int:
        return self.peak - self.start


@dataclass
class Result:
    stage: str
    what: str
    seconds: list[float] = field(default_factory=list)
    peak_mb: list[float] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds) if self.seconds else float("nan")

    @property
    def spread(self) -> float:
        """(max - min) / median: the run-to-run noise seen."""
        if len(self.seconds) < 2 or not self.median:
            return 0.0
        return (max(self.seconds) - min(self.seconds)) / self.median

    def as_dict(self) -> dict:
        return {
            "stage": self.stage,
            "what": self.what,
            "median_s": round(self.median, 4),
            "runs_s": [round(s, 4) for s in self.seconds],
            "noise": round(self.spread, 3),
            "peak_mb": round(max(self.peak_mb), 1) if self.peak_mb else None,
            **self.extra,
        }


def repeat(stage: str, what: str, fn: Callable[[int], Any], runs: int, setup: Callable[[int], Any] | None = None) -> Result:
    """Run `fn(i)` `runs` times (after an untimed `setup(i)`), timing each and its peak memory."""
    res = Result(stage, what)
    for i in range(runs):
        if setup:
            setup(i)
        with PeakRSS() as mem:
            t0 = time.perf_counter()
            out = fn(i)
            res.seconds.append(time.perf_counter() - t0)
        res.peak_mb.append(mem.delta / 2**20)
        if isinstance(out, dict):
            res.extra.update(out)
    return res
