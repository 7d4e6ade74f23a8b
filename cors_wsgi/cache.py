"""A bounded, thread-safe cache whose entries expire; standard library only."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Callable, Generic, Hashable, Optional, Tuple, TypeVar

__all__ = ["TTLCache"]

V = TypeVar("V")


class TTLCache(Generic[V]):
    """At most *maxsize* entries, each dropped *ttl* seconds after it was set.

    Reads take no lock: a single ``dict.get`` is atomic, and an entry is only
    ever replaced whole. A hot path may read :attr:`entries` itself (an
    ``OrderedDict``, oldest first, of key to ``(expiry, value)``, expiry on
    :attr:`clock`) to save a call,
    treating an expired entry as missing; only :meth:`set` writes. Writes
    take a lock and evict the oldest entry first once the cache is full, so
    memory stays bounded whatever the keys are.
    *clock* is injectable so that tests can move time without sleeping.
    """

    __slots__ = ("_lock", "clock", "entries", "maxsize")

    def __init__(
        self, maxsize: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.maxsize = maxsize
        self.clock = clock
        # OrderedDict, not dict: dropping a plain dict's first key must skip
        # every slot deleted before it, which under a flood of new keys makes
        # each eviction cost up to half the cache's size.
        self.entries: OrderedDict[Hashable, Tuple[float, V]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, key: Hashable) -> Optional[V]:
        entry = self.entries.get(key)
        if entry is None:
            return None
        if entry[0] <= self.clock():
            # Expired: forget it unless another thread has replaced it since.
            with self._lock:
                if self.entries.get(key) is entry:
                    del self.entries[key]
            return None
        return entry[1]

    def set(self, key: Hashable, value: V, ttl: float) -> None:
        if self.maxsize <= 0:
            return
        entry = (self.clock() + ttl, value)
        data = self.entries
        with self._lock:
            data.pop(key, None)
            while len(data) >= self.maxsize:
                data.popitem(last=False)
            data[key] = entry

    def clear(self) -> None:
        with self._lock:
            self.entries.clear()
