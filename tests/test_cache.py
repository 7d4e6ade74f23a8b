"""The bounded memories behind the middleware: ``TTLCache`` (preflight answers)
and ``Memo`` (origin answers), through their own methods.

docs/behaviour.rst, "The preflight cache": at most ``preflight_cache_size``
answers, none older than ``max_age``; whatever keys clients make up, memory
stays bounded (rs/cors bounds its cache the same way).
"""

from __future__ import annotations

import random
import threading
from typing import Callable, List, Optional, Tuple

from cors_wsgi._core.memo import Memo, TTLCache


class Clock:
    """A clock the test moves by hand; *during_read* runs on its next reading."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.during_read: Optional[Callable[[], None]] = None

    def __call__(self) -> float:
        action, self.during_read = self.during_read, None
        if action is not None:
            action()
        return self.now


# --- TTLCache ---------------------------------------------------------------------


def test_an_entry_is_served_until_its_ttl_ends() -> None:
    """A cached answer is never older than its ttl (``max_age``)."""
    clock = Clock()
    cache: TTLCache[str, str] = TTLCache(4, clock)
    cache.set("k", "v", 10)
    clock.now += 9.99
    assert cache.get("k") == "v"
    clock.now += 0.01
    assert cache.get("k") is None
    assert len(cache) == 0


def test_a_missing_key_is_none() -> None:
    assert TTLCache[str, str](4).get("nope") is None


def test_the_oldest_entry_goes_first_when_full() -> None:
    """At most *maxsize* entries; the oldest is evicted first."""
    cache: TTLCache[int, int] = TTLCache(3, Clock())
    for number in range(5):
        cache.set(number, number, 60)
    assert len(cache) == 3
    assert cache.get(0) is None and cache.get(1) is None
    assert [cache.get(n) for n in (2, 3, 4)] == [2, 3, 4]


def test_setting_a_key_again_replaces_it() -> None:
    cache: TTLCache[str, str] = TTLCache(2, Clock())
    cache.set("k", "a", 60)
    cache.set("k", "b", 60)
    assert cache.get("k") == "b"
    assert len(cache) == 1


def test_size_zero_stores_nothing() -> None:
    """docs/configuration.rst, "preflight_cache_size": 0 turns the cache off."""
    cache: TTLCache[str, str] = TTLCache(0, Clock())
    cache.set("k", "v", 60)
    assert cache.get("k") is None
    assert len(cache) == 0


def test_an_expired_entry_replaced_meanwhile_is_kept() -> None:
    """A reader that finds an expired entry forgets it only if no other thread replaced
    it since: the fresh answer another thread stored survives."""
    clock = Clock()
    cache: TTLCache[str, str] = TTLCache(4, clock)
    cache.set("k", "old", 1)
    clock.now += 2
    # Another thread stores a fresh answer between our read and our check.
    clock.during_read = lambda: cache.set("k", "new", 60)
    assert cache.get("k") is None
    assert cache.get("k") == "new"


def test_many_threads_keep_it_within_its_bound() -> None:
    """Thread safety: concurrent writers never push it past its bound."""
    cache: TTLCache[Tuple[int, int], int] = TTLCache(64, Clock())
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
    cache: TTLCache[Tuple[str, int], int] = TTLCache(100, Clock())
    for i in range(10_000):
        cache.set(("flood", i), i, 60)
    assert len(cache) == 100
    assert [cache.get(("flood", i)) for i in range(9_900, 10_000)] == list(
        range(9_900, 10_000)
    )
    assert cache.get(("flood", 9_899)) is None


# --- Memo -------------------------------------------------------------------------


def test_a_memo_answers_what_it_was_told() -> None:
    memo: Memo[str, int] = Memo(4)
    memo.remember("a", 1)
    assert memo.get("a") == 1
    assert memo.get("b") is None


def test_a_memo_keeps_the_first_answer_for_a_key() -> None:
    """An answer, once decided, stays: a second remember does not replace it."""
    memo: Memo[str, int] = Memo(4)
    memo.remember("a", 1)
    memo.remember("a", 2)
    assert memo.get("a") == 1
    assert len(memo) == 1


def test_a_full_memo_makes_room_by_forgetting_one_random_answer() -> None:
    """When full, the new answer takes the place of one chosen by the memo's
    own generator: the bound holds and the newest answer is remembered."""
    memo: Memo[int, int] = Memo(3, rng=random.Random(7))
    for number in range(3):
        memo.remember(number, number)
    victim = int(random.Random(7).random() * 3)
    memo.remember(3, 3)
    assert len(memo) == 3
    assert memo.get(victim) is None
    assert [memo.get(n) for n in range(4) if n != victim] == [
        n for n in range(4) if n != victim
    ]


def test_a_memo_keeps_answering_keys_that_take_turns_beyond_its_bound() -> None:
    """5,000 clients taking turns in a memo of 4,096: first-in first-out
    would forget each one just before it comes back and never answer;
    random replacement answers most of them (about 63 %)."""
    memo: Memo[int, int] = Memo(4096, rng=random.Random(0))
    hits = 0
    for _ in range(4):
        for number in range(5000):
            if memo.get(number) is None:
                memo.remember(number, number)
            else:
                hits += 1
    assert len(memo) == 4096
    # The first turn cannot hit; each later one answers well over half.
    assert hits > 3 * 5000 * 0.55


def test_pinned_answers_are_always_kept_and_do_not_count() -> None:
    """The configured exact origins' answers are pinned: no flood evicts them."""
    memo: Memo[str, str] = Memo(2, pinned={"https://a.example": "pinned"})
    for number in range(1000):
        memo.remember(f"https://h{number}.example", "remembered")
    assert memo.get("https://a.example") == "pinned"
    assert len(memo) == 3


def test_a_memo_of_size_zero_remembers_only_its_pinned_answers() -> None:
    memo: Memo[str, str] = Memo(0, pinned={"a": "pinned"})
    memo.remember("b", "x")
    assert memo.get("b") is None
    assert memo.get("a") == "pinned"


def test_a_memo_shared_by_threads_stays_within_its_bound() -> None:
    """Thread safety: writers racing on the same and on distinct keys."""
    memo: Memo[Tuple[int, int], int] = Memo(32)

    def work(offset: int) -> None:
        for number in range(2000):
            memo.remember((offset, number % 50), number)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(memo) <= 32
