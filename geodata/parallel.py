"""Run a vectorised geometry function over parts of an array in threads.

shapely 2 and PROJ release the GIL inside their array operations, so on a machine with more
than one core the parts really run at the same time; the results are joined in order.
"""

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import cache

import numpy as np

# Below this many geometries a single call is as fast as splitting the work.
MIN_PARALLEL_SIZE = 4_000
MAX_THREADS = 4


def thread_count() -> int:
    return max(1, min(MAX_THREADS, os.cpu_count() or 1))


@cache
def _executor() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=thread_count(), thread_name_prefix="geometry")


def in_parallel(
    function: Callable[[np.ndarray], np.ndarray], geometries: np.ndarray, *, min_size: int = MIN_PARALLEL_SIZE
) -> np.ndarray:
    """`function(geometries)`, computed on one slice per thread; `function` must work element by element.

    `min_size` is lower for costly functions (make_valid takes milliseconds per polygon).
    """
    threads = thread_count()
    if threads == 1 or len(geometries) < min_size:
        return function(geometries)
    parts = np.array_split(geometries, threads)
    return np.concatenate(list(_executor().map(function, parts)))
