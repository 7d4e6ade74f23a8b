"""A bounded, thread-safe cache whose entries expire; standard library only."""

from __future__ import annotations

import threading
import time
from typing import Callable, Dict, Generic, Hashable, Optional, Tuple, TypeVar

__all__ = ["TTLCache"]

V = TypeVar("V")


class TTLCache(Generic[V]):
    """At most *maxsize* entries, each dropped *ttl* seconds after it was set.

    Reads take no lock: a single ``dict.get`` is atomic, and an entry is only
    ever replaced whole. Writes take a lock and evict the oldest entry first
    once the cache is full, so memory stays bounded whatever the keys are.
    *clock* is injectable so that tests can move time without sleeping.
    """

    __slots__ = ("_clock", "_data", "_lock", "maxsize")

    def __init__(
        self, maxsize: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.maxsize = maxsize
        self._clock = clock
        self._data: Dict[Hashable, Tuple[float, V]] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._data)

    def get(self, key: Hashable) -> Optional[V]:
        entry = self._data.get(key)
        if entry is None:
            return None
        if entry[0] <= self._clock():
            # Expired: forget it unless another thread has replaced it since.
            with self._lock:
                if self._data.get(key) is entry:
                    del self._data[key]
            return None
        return entry[1]

    def set(self, key: Hashable, value: V, ttl: float) -> None:
        if self.maxsize <= 0:
            return
        entry = (self._clock() + ttl, value)
        data = self._data
        with self._lock:
            data.pop(key, None)
            while len(data) >= self.maxsize:
                del data[next(iter(data))]
            data[key] = entry

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
