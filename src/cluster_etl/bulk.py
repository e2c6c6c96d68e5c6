"""Bulk stages without Python's cyclic garbage collector.

normalise, validate and publish allocate millions of small objects (strings, tuples, dicts) that
hold no reference cycles. CPython's collector still traverses every live object each time the
oldest generation is collected, which, with a million memberships held in memory, costs seconds
and grows with the data. Those stages run with the collector paused; reference counting frees
everything as usual, and the collector runs once when the stage ends.
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


def without_cyclic_gc(stage: Callable[P, R]) -> Callable[P, R]:
    """`stage` with the cyclic collector paused while it runs (restored, even on error)."""

    @functools.wraps(stage)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            return stage(*args, **kwargs)
        finally:
            if was_enabled:
                gc.enable()

    return run
