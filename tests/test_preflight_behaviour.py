"""The preflight cache, as far as the public API can see it (docs/behaviour.rst,
"The preflight cache").

Answers may be served from a bounded in-process cache; a callable origin rule
is never cached; the cache must never mix up answers for different origins,
methods, header lists, private-network flags or resources, never hand out a
list the server may have changed, and must stay correct under threads.
"""

from __future__ import annotations

import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, Iterator, List, Mapping, Optional, Tuple

import pytest

from cors_wsgi import CORSMiddleware
from tests.support.apps import EchoApp
from tests.support.client import MakeClient
from tests.support.environ import make_environ, preflight_headers, run_pep3333
from tests.support.headers import ACAH, ACAO, header_lines
from tests.support.origins import EVIL, ORIGIN
from tests.support.refusals import (
    REFUSED_HEADERS,
    REFUSED_ORIGIN,
    REFUSED_PRIVATE_NETWORK,
)

PREFLIGHT = "https://fetch.spec.whatwg.org/#cors-preflight-fetch"


class CountingRule:
    """A callable origin rule that counts its calls and can change its mind."""

    def __init__(self, answer: bool = True) -> None:
        self.answer = answer
        self.calls: List[Tuple[str, Mapping[str, Any]]] = []
        self.lock = threading.Lock()

    def __call__(self, origin: str, environ: Mapping[str, Any]) -> bool:
        with self.lock:
            self.calls.append((origin, environ))
        return self.answer


def test_callable_origin_rule_is_asked_on_every_preflight(
    make_client: MakeClient,
) -> None:
    """docs/configuration.rst, "allow_origins": a callable's answers are never cached by
    the middleware."""
    rule = CountingRule()
    client = make_client(allow_origins=rule, max_age=3600)
    for _ in range(3):
        assert client.preflight(ORIGIN, "GET").status_code == 204
    assert len(rule.calls) == 3


def test_callable_origin_rule_can_change_its_answer(make_client: MakeClient) -> None:
    """docs/configuration.rst, "allow_origins": a refusal right after an acceptance is
    honoured (no cache)."""
    rule = CountingRule(answer=True)
    client = make_client(allow_origins=rule, max_age=3600)
    assert client.preflight(ORIGIN, "GET").status_code == 204
    rule.answer = False
    response = client.preflight(ORIGIN, "GET")
    assert response.status_code == 403
    assert response.data == REFUSED_ORIGIN


def test_callable_origin_rule_gets_the_origin_and_the_environ(
    make_client: MakeClient,
) -> None:
    """docs/configuration.rst, "allow_origins": a callable ``(origin: str, environ:
    dict) -> bool``."""
    rule = CountingRule()
    make_client(allow_origins=rule).preflight(ORIGIN, "GET", path="/api/things")
    origin, environ = rule.calls[0]
    assert origin == ORIGIN
    assert environ["PATH_INFO"] == "/api/things"
    assert environ["REQUEST_METHOD"] == "OPTIONS"


def test_callable_origin_rule_is_asked_on_actual_requests(
    make_client: MakeClient,
) -> None:
    """docs/behaviour.rst, "4. Actual request": the callable decides per request."""
    rule = CountingRule()
    client = make_client(allow_origins=rule)
    client.actual(ORIGIN)
    client.actual(ORIGIN)
    assert len(rule.calls) == 2


@pytest.mark.parametrize(
    "max_age",
    [
        pytest.param(600, id="default-max-age"),
        pytest.param(0, id="max-age-zero"),
        pytest.param(None, id="max-age-none"),
    ],
)
def test_cache_size_zero_gives_the_same_answers(
    make_client: MakeClient, max_age: Optional[int]
) -> None:
    """docs/configuration.rst, "preflight_cache_size": 0 disables the cache; answers do
    not change."""
    client = make_client(
        allow_origins=[ORIGIN], preflight_cache_size=0, max_age=max_age
    )
    for _ in range(3):
        assert client.preflight(ORIGIN, "GET").status_code == 204
        assert client.preflight(EVIL, "GET").status_code == 403


def test_repeated_preflight_gets_the_same_answer(make_client: MakeClient) -> None:
    """https://fetch.spec.whatwg.org/#cors-preflight-cache: a cached answer is the
    answer."""
    client = make_client(allow_origins=[ORIGIN], allow_headers=["X-A"])
    first = client.preflight(ORIGIN, "GET", "x-a")
    second = client.preflight(ORIGIN, "GET", "x-a")
    assert (second.status, second.headers.to_wsgi_list(), second.data) == (
        first.status,
        first.headers.to_wsgi_list(),
        first.data,
    )


def test_cached_answer_echoes_each_requests_own_origin_spelling(
    make_client: MakeClient,
) -> None:
    """docs/behaviour.rst, "3. Preflight": Allow-Origin is the request's Origin byte for
    byte, even when two spellings normalise to the same origin."""
    client = make_client(allow_origins=[ORIGIN])
    spellings = [ORIGIN, "https://APP.example.com", "https://app.example.com:443"]
    for spelling in spellings + spellings:
        response = client.preflight(spelling, "GET")
        assert header_lines(response, ACAO) == [spelling]


def test_cache_keeps_requested_header_lists_apart(make_client: MakeClient) -> None:
    """https://fetch.spec.whatwg.org/#cors-preflight-cache: the answer depends on the
    requested header names, so the key includes them."""
    client = make_client(allow_origins=[ORIGIN], allow_headers=["X-A"])
    for _ in range(2):
        accepted = client.preflight(ORIGIN, "GET", "x-a")
        refused = client.preflight(ORIGIN, "GET", "x-b")
        assert accepted.status_code == 204
        assert header_lines(accepted, ACAH) == ["x-a"]
        assert refused.data == REFUSED_HEADERS


def test_a_non_ascii_header_list_never_shares_an_ascii_lists_answer() -> None:
    """RFC 9110, section 5.6.2: a header name is a token, ASCII only. ``str.lower()``
    maps the KELVIN SIGN (U+212A) to an ASCII "k", so only ASCII values are
    case-folded for the cache: a value a lax caller passes with U+212A is refused
    even right after its look-alike was accepted and cached."""
    middleware = CORSMiddleware(
        EchoApp(), allow_origins=[ORIGIN], allow_headers=["X-K"]
    )
    for value, expected in [("x-k", "204"), ("x-\u212a", "403"), ("X-\u212a", "403")]:
        environ = make_environ(
            "OPTIONS",
            "/",
            preflight_headers(ORIGIN, "GET", value),
        )
        assert run_pep3333(middleware, environ).status.split()[0] == expected, value


def test_cache_keeps_methods_apart(make_client: MakeClient) -> None:
    """https://fetch.spec.whatwg.org/#cors-preflight-cache: keyed by method."""
    client = make_client(allow_origins=[ORIGIN], allow_methods=["GET", "PUT"])
    for _ in range(2):
        assert client.preflight(ORIGIN, "PUT").status_code == 204
        assert client.preflight(ORIGIN, "DELETE").status_code == 403


def test_cache_keeps_private_network_requests_apart(make_client: MakeClient) -> None:
    """The key includes the private-network flag (CVE-2024-6221: never granted by
    accident)."""
    client = make_client(allow_origins=[ORIGIN])
    for _ in range(2):
        assert client.preflight(ORIGIN, "GET").status_code == 204
        refused = client.preflight(ORIGIN, "GET", private_network=True)
        assert refused.data == REFUSED_PRIVATE_NETWORK


def test_cache_keeps_resources_apart(make_client: MakeClient) -> None:
    """docs/behaviour.rst, "3. Preflight": cached answers are per (resource, origin,
    method, ...)."""
    client = make_client(
        resources={
            "/a/*": {"allow_origins": [ORIGIN]},
            "/b/*": {"allow_origins": [EVIL]},
        }
    )
    for _ in range(2):
        assert client.preflight(ORIGIN, "GET", path="/a/x").status_code == 204
        assert client.preflight(ORIGIN, "GET", path="/b/x").status_code == 403


def test_many_distinct_origins_through_a_small_cache_stay_correct(
    make_client: MakeClient,
) -> None:
    """docs/behaviour.rst, "3. Preflight" (bounded cache): evictions never turn a
    refusal into an acceptance, or the reverse."""
    client = make_client(
        allow_origins=["https://*.example.com"], preflight_cache_size=8
    )
    for round_ in range(2):
        for i in range(100):
            good = f"https://host{i}.example.com"
            bad = f"https://host{i}.example.net"
            accepted = client.preflight(good, "GET")
            refused = client.preflight(bad, "GET")
            assert header_lines(accepted, ACAO) == [good], (round_, i)
            assert refused.status_code == 403, (round_, i)


def test_server_changing_the_header_list_does_not_change_the_next_answer() -> None:
    """PEP 3333 lets a server change the list it is given: a cached answer must hand out
    a fresh list every time (the rs/cors shared-slice lesson)."""
    middleware = CORSMiddleware(EchoApp(), allow_origins=[ORIGIN])
    received: List[List[Tuple[str, str]]] = []

    def vandal(
        status: str, headers: List[Tuple[str, str]], exc_info: Any = None
    ) -> Any:
        received.append(list(headers))
        headers.append(("X-Added-By-Server", "1"))
        headers[0] = ("X-Overwritten", "1")
        return lambda data: None

    headers = preflight_headers(ORIGIN, "GET")
    for _ in range(3):
        body = middleware(make_environ("OPTIONS", "/", headers), vandal)
        try:
            b"".join(body)
        finally:
            getattr(body, "close", lambda: None)()
    assert received[1] == received[0]
    assert received[2] == received[0]


def _expected_for(origin: str) -> Tuple[int, List[str]]:
    allowed = origin.endswith(".example.com")
    return (204, [origin]) if allowed else (403, [])


def test_threads_sharing_one_middleware_get_correct_answers() -> None:
    """Thread safety (gunicorn gthread, waitress share one middleware): 8 threads, a
    small cache under constant eviction, mixed allowed and refused origins."""
    middleware = CORSMiddleware(
        EchoApp(),
        allow_origins=["https://*.example.com"],
        allow_headers=["X-A"],
        preflight_cache_size=4,
    )
    barrier = threading.Barrier(8)

    def worker(worker_id: int) -> int:
        barrier.wait()
        checked = 0
        for i in range(150):
            host = f"w{worker_id}-{i % 12}"
            origin = (
                f"https://{host}.example.com" if i % 3 else f"https://{host}.evil.net"
            )
            environ = make_environ(
                "OPTIONS", "/", preflight_headers(origin, "GET", "x-a")
            )
            result = run_pep3333(middleware, environ)
            status, acao = _expected_for(origin)
            got_acao = [
                v for k, v in result.headers if k == "Access-Control-Allow-Origin"
            ]
            assert int(result.status[:3]) == status, (origin, result)
            assert got_acao == acao, (origin, result)
            checked += 1
        return checked

    old_interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            counts = list(pool.map(worker, range(8)))
    finally:
        sys.setswitchinterval(old_interval)
    assert counts == [150] * 8


def test_threads_mixing_actual_requests_and_preflights_get_correct_answers(
    make_client: MakeClient,
) -> None:
    """Thread safety, through the whole checked stack."""
    client = make_client(allow_origins=[ORIGIN], preflight_cache_size=2)

    def requests() -> Iterator[Tuple[str, Dict[str, str], int, List[str]]]:
        for i in range(40):
            origin = ORIGIN if i % 2 else f"https://x{i % 5}.evil.net"
            ok = origin == ORIGIN
            yield "GET", {"Origin": origin}, 200, [origin] if ok else []
            yield (
                "OPTIONS",
                preflight_headers(origin, "GET"),
                204 if ok else 403,
                [origin] if ok else [],
            )

    def worker(_: int) -> int:
        checked = 0
        for method, headers, status, acao in requests():
            response = client.request(method, "/", headers)
            assert response.status_code == status
            assert header_lines(response, ACAO) == acao
            checked += 1
        return checked

    with ThreadPoolExecutor(max_workers=8) as pool:
        counts = list(pool.map(worker, range(8)))
    assert counts == [80] * 8
