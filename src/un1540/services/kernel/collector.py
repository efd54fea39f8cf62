"""The cyclic garbage collector paused while a bounded piece of work allocates many objects
that live until it ends (a matrix file's rows and cells while it is imported; the global
assignment's items, offers and explained pairs). A full collection scans every tracked object,
and such work set off several, each scanning all it had built so far: a quarter of a matrix
import's CPU time (benchmarks/matrix_io.py), a third of the global assignment's
(benchmarks/matching.py). Reference counting still frees everything else meanwhile; the
collector runs again (if it ran before) as soon as the work ends, however it ends. The
collector is the process's: another thread's work runs without it meanwhile (its cycles are
collected afterwards), and with two such pieces of work at once the collector runs again when
the one that paused it ends.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collection_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
