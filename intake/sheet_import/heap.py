"""Keeping Python's full garbage collections off the objects that existed before an import.

A 10,000-row sheet keeps tens of thousands of objects alive while it is checked (its rows, and for
a preview every row's outcome), which sets off full collections. Each walks every object of the
process (Django, the admin, every module loaded: some 400,000) and took 0.15-0.2 s, a third of
the admin's preview. ``gc.freeze()`` moves the objects that exist now out of their reach until the
import ends; the import's own objects are still collected as usual.
"""

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0  # imports running in this process (nested, or in other threads)


@contextmanager
def older_objects_frozen() -> Iterator[None]:
    global _depth
    with _lock:
        if _depth == 0:
            gc.freeze()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                gc.unfreeze()
