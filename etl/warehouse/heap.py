"""Giving the C heap's free memory back to the operating system (glibc's `malloc_trim`)."""

from __future__ import annotations

import ctypes
import ctypes.util

# glibc keeps memory freed by Python's larger objects and by Arrow's buffers in its heaps,
# where it still counts as resident; `malloc_trim` returns the free pages. Other C libraries
# (musl, macOS) have no such call: there the functions below do nothing.
_LIBC_NAME = ctypes.util.find_library("c")
_LIBC = ctypes.CDLL(_LIBC_NAME) if _LIBC_NAME else None
_MALLOC_TRIM = getattr(_LIBC, "malloc_trim", None)


def give_back() -> bool:
    """Return the C heap's free pages to the system; True if any were returned."""
    if _MALLOC_TRIM is None:
        return False
    return bool(_MALLOC_TRIM(0))
