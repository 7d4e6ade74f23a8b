"""The bounded TTL cache behind the preflight responder."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, List

from cors_wsgi.cache import TTLCache


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_an_entry_is_served_until_its_ttl_ends() -> None:
    clock = Clock()
    cache: TTLCache[str] = TTLCache(4, clock)
    cache.set("k", "v", 10)
    clock.now += 9.99
    assert cache.get("k") == "v"
    clock.now += 0.01
    assert cache.get("k") is None
    assert len(cache) == 0


def test_a_missing_key_is_none() -> None:
    assert TTLCache[str](4).get("nope") is None


def test_the_oldest_entry_goes_first_when_full() -> None:
    cache: TTLCache[int] = TTLCache(3, Clock())
    for number in range(5):
        cache.set(number, number, 60)
    assert len(cache) == 3
    assert cache.get(0) is None and cache.get(1) is None
    assert [cache.get(n) for n in (2, 3, 4)] == [2, 3, 4]


def test_setting_a_key_again_replaces_it() -> None:
    cache: TTLCache[str] = TTLCache(2, Clock())
    cache.set("k", "a", 60)
    cache.set("k", "b", 60)
    assert cache.get("k") == "b"
    assert len(cache) == 1


def test_size_zero_stores_nothing() -> None:
    cache: TTLCache[str] = TTLCache(0, Clock())
    cache.set("k", "v", 60)
    assert cache.get("k") is None


def test_an_expired_entry_replaced_meanwhile_is_kept() -> None:
    """get() deletes an expired entry only if no other thread replaced it."""
    clock = Clock()
    cache: TTLCache[str] = TTLCache(4, clock)
    cache.set("k", "old", 1)
    clock.now += 2
    stale = cache.entries["k"]

    class Racing(OrderedDict):  # type: ignore[type-arg]
        def get(self, key: Any, default: Any = None) -> Any:
            # Another thread stores a fresh entry right after our read.
            value = super().get(key, default)
            self[key] = (clock.now + 60, "new")
            return value

    cache.entries = Racing(cache.entries)
    assert cache.entries["k"] is stale
    assert cache.get("k") is None
    assert cache.entries["k"][1] == "new"


def test_clear_empties_it() -> None:
    cache: TTLCache[str] = TTLCache(4, Clock())
    cache.set("k", "v", 60)
    cache.clear()
    assert len(cache) == 0


def test_many_threads_keep_it_within_its_bound() -> None:
    cache: TTLCache[int] = TTLCache(64, Clock())
    errors: List[BaseException] = []

    def work(offset: int) -> None:
        try:
            for number in range(2000):
                cache.set((offset, number), number, 60)
                value = cache.get((offset, number))
                assert value in (None, number)
        except BaseException as exc:  # pragma: no cover - only on failure
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(cache) <= 64


def test_a_long_flood_keeps_exactly_the_newest_keys() -> None:
    """Eviction stays first-in first-out however many keys went before."""
    cache: TTLCache[int] = TTLCache(100, Clock())
    for i in range(10_000):
        cache.set(("flood", i), i, 60)
    assert len(cache) == 100
    assert list(cache.entries) == [("flood", i) for i in range(9_900, 10_000)]
    assert cache.get(("flood", 9_899)) is None
    assert cache.get(("flood", 9_999)) == 9_999
