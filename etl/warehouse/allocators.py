"""Hand the memory a landed batch freed back to the system (DuckDB's jemalloc, glibc's malloc).

Both allocators keep freed pages for reuse: DuckDB's jemalloc for about a second, glibc's
arenas until their top is free. Between batches that is memory no one uses, and what a long
sync kept grew with the catalog; releasing it after each batch keeps the sync's peak flatter.
Either allocator may be absent (DuckDB built without jemalloc, a libc other than glibc): then
nothing is done.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from collections.abc import Callable
from typing import Any

import duckdb

# jemalloc's arena index meaning every arena (MALLCTL_ARENAS_ALL).
_PURGE_ALL = b"arena.4096.purge"


def _function(library: str | None, name: str) -> Callable[..., Any] | None:
    """A C function of a loaded library, or None when the library or the name is missing."""
    if not library:
        return None
    try:
        function: Callable[..., Any] = getattr(ctypes.CDLL(library), name)
    except (OSError, AttributeError):
        return None
    return function


def _duckdb_path() -> str | None:
    """The extension module `import duckdb` loads (`_duckdb`): jemalloc is linked into it."""
    module = sys.modules.get("_duckdb", sys.modules.get(duckdb.__name__))
    return getattr(module, "__file__", None)


_MALLCTL = _function(_duckdb_path(), "duckdb_je_mallctl")
_TRIM = _function(ctypes.util.find_library("c"), "malloc_trim")


def release_freed_memory() -> None:
    """Return the pages both allocators hold free to the system (well under a millisecond)."""
    if _MALLCTL is not None:
        _MALLCTL(_PURGE_ALL, None, None, None, ctypes.c_size_t(0))
    if _TRIM is not None:
        _TRIM(ctypes.c_size_t(0))
