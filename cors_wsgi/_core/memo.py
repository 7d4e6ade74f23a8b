"""Bounded memories of answers: :class:`Memo` and, for answers that expire,
:class:`TTLCache`. Both are thread-safe and never grow past their bound,
whatever keys clients make up.
"""

from __future__ import annotations

import random
import threading
import time
from collections import OrderedDict
from typing import Callable, Dict, Generic, Hashable, List, Optional, Tuple, TypeVar

__all__ = ["Memo", "TTLCache"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Memo(Generic[K, V]):
    """Remembers up to *maxsize* answers; when full, a random one makes room.

    *pinned* answers (those the configuration itself decides) are always kept
    and do not count against the bound. :attr:`get` is the underlying dict's
    own ``get``: a read is one look-up and takes no lock; writes do.

    Random replacement rather than first-in first-out: when clients take
    turns with a few more keys than the bound (5,000 tenants against 4,096
    places), first-in first-out forgets each key just before it comes back
    and never answers, while random replacement keeps answering most of them
    (about 63 % there); nor can any order of requests choose which key goes.
    *rng* is this memo's own generator (no global state is touched),
    injectable so that tests can replay it.
    """

    __slots__ = ("_answers", "_keys", "_lock", "_rng", "get", "maxsize")

    def __init__(
        self,
        maxsize: int,
        pinned: Optional[Dict[K, V]] = None,
        rng: Optional[random.Random] = None,
    ) -> None:
        self.maxsize = maxsize
        self._answers: Dict[K, V] = dict(pinned or {})
        # The remembered keys, in no particular order; pinned keys are never
        # in it.
        self._keys: List[K] = []
        self._lock = threading.Lock()
        self._rng = random.Random() if rng is None else rng
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
            keys = self._keys
            if len(keys) < self.maxsize:
                keys.append(key)
            else:
                place = int(self._rng.random() * len(keys))
                del self._answers[keys[place]]
                keys[place] = key
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
