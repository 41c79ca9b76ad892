"""Scratch arrays that a batched kernel reuses from one chunk of points to the next.

A kernel over a chunk makes dozens of arrays of a few hundred kB. Fresh numpy
arrays of that size come from ``mmap`` or from a heap that glibc trims when
they are freed, so every chunk, and every call, would fault its memory in
anew: a page fault costs microseconds in a virtual machine, more than the
arithmetic on the page. Writing into the same buffers chunk after chunk, and
keeping them for the thread's next call, keeps them mapped and in cache.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable, Mapping
from math import prod
from typing import TypeVar

import numpy as np

K = TypeVar("K", bound=Hashable)
#: Byte alignment of carved arrays (a cache line).
ALIGN = 64
#: A thread keeps its workspace between calls while it holds at most this many bytes
#: (the tree solver's chunks need less for two-player trees of any size).
KEEP_BYTES = 1 << 26

_threads = threading.local()


class Workspace:
    """Buffers kept by purpose: ``array(key, shape)`` is a view of the one kept under ``key``.

    A view stays valid until the same key is asked for again, so a key names
    one array of one chunk (e.g. ``("value", node)``); a buffer grows when a
    larger shape is asked for.
    """

    def __init__(self) -> None:
        self._buffers: dict[Hashable, np.ndarray] = {}

    @staticmethod
    def of_thread() -> Workspace:
        """The calling thread's workspace, kept from call to call (see ``release``)."""
        if not hasattr(_threads, "workspace"):
            _threads.workspace = Workspace()
        return _threads.workspace

    def release(self) -> None:
        """Drop the buffers if they hold more than KEEP_BYTES (after a very large tree)."""
        if sum(b.nbytes for b in self._buffers.values()) > KEEP_BYTES:
            self._buffers.clear()

    def array(self, key: Hashable, shape: tuple[int, ...], dtype: type = np.float64) -> np.ndarray:
        """An uninitialised array of ``shape`` and ``dtype`` kept under ``key``."""
        size = prod(shape)
        buffer = self._buffers.get(key)
        if buffer is None or buffer.size < size or buffer.dtype != dtype:
            buffer = self._buffers[key] = np.empty(size, dtype=dtype)
        return buffer[:size].reshape(shape)


def carve(layout: Mapping[K, tuple[tuple[int, ...], type]]) -> dict[K, np.ndarray]:
    """Uninitialised arrays (key -> (shape, dtype)) as views of one allocation.

    Results that outlive a kernel call are fresh memory. Freeing one block
    rather than many arrays of a few hundred kB raises glibc's dynamic mmap
    and trim thresholds to its size (up to 32 MB), so the next call's block
    comes from the heap already mapped instead of being faulted in page by
    page (a fault costs microseconds in a virtual machine). Any one of the
    arrays keeps the whole block alive.
    """
    offsets, end = {}, 0
    for key, (shape, dtype) in layout.items():
        offsets[key] = end
        end += -(-prod(shape) * np.dtype(dtype).itemsize // ALIGN) * ALIGN
    raw = np.empty(end + ALIGN, dtype=np.uint8)
    skip = -raw.ctypes.data % ALIGN
    block = raw[skip : skip + end]
    return {
        key: block[offsets[key] : offsets[key] + prod(shape) * np.dtype(dtype).itemsize]
        .view(dtype)
        .reshape(shape)
        for key, (shape, dtype) in layout.items()
    }
