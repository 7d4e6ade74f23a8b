"""Bounded memories of answers: :class:`Memo` and, for answers that expire,
:class:`TTLCache`. Both are thread-safe and never grow past their bound,
whatever keys clients make up.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from typing import Callable, Deque, Dict, Generic, Hashable, Optional, Tuple, TypeVar

__all__ = ["Memo", "TTLCache"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Memo(Generic[K, V]):
    """Remembers up to *maxsize* answers; when full, the oldest one goes.

    *pinned* answers (those the configuration itself decides) are always kept
    and do not count against the bound. :attr:`get` is the underlying dict's
    own ``get``: a read is one look-up and takes no lock; writes do.
    """

    __slots__ = ("_answers", "_lock", "_order", "get", "maxsize")

    def __init__(self, maxsize: int, pinned: Optional[Dict[K, V]] = None) -> None:
        self.maxsize = maxsize
        self._answers: Dict[K, V] = dict(pinned or {})
        # The remembered keys, oldest first; pinned keys are never in it.
        self._order: Deque[K] = deque()
        self._lock = threading.Lock()
        self.get: Callable[[K], Optional[V]] = self._answers.get

    def __len__(self) -> int:
        return len(self._answers)

    def remember(self, key: K, value: V) -> None:
        """Remember *value* for *key*, unless *key* already has an answer."""
        if self.maxsize <= 0:
            return
        with self._lock:
            if key in self._answers:
                return
            if len(self._order) >= self.maxsize:
                del self._answers[self._order.popleft()]
            self._order.append(key)
            self._answers[key] = value


class TTLCache(Generic[K, V]):
    """At most *maxsize* entries, each forgotten *ttl* seconds after it was set.

    Once full, the oldest entry goes first. *clock* is injectable so that
    tests can move time without sleeping.
    """

    __slots__ = ("_entries", "_lock", "clock", "maxsize")

    def __init__(
        self, maxsize: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.maxsize = maxsize
        self.clock = clock
        self._entries: OrderedDict[K, Tuple[float, V]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: K) -> Optional[V]:
        """The value set for *key*, unless it has expired."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        expiry, value = entry
        if expiry <= self.clock():
            # Expired: forget it unless another thread has replaced it since.
            with self._lock:
                # == rather than is: compiled code does not keep tuples' identity.
                if self._entries.get(key) == entry:
                    del self._entries[key]
            return None
        return value

    def set(self, key: K, value: V, ttl: float) -> None:
        if self.maxsize <= 0:
            return
        entry = (self.clock() + ttl, value)
        entries = self._entries
        with self._lock:
            entries.pop(key, None)
            if len(entries) >= self.maxsize:
                entries.popitem(last=False)
            entries[key] = entry
