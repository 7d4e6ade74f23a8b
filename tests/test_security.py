"""Security classes: origin bypasses, ``null``, reflection of unvalidated bytes,
log injection, floods and oversized headers (docs/behaviour.rst,
"Malformed requests"; docs/security.rst, "Malformed and hostile requests").
"""

from __future__ import annotations

import logging
import tracemalloc
from typing import Any, Callable, Dict, List, Mapping

import pytest

from cors_wsgi import ConfigurationError, CORSMiddleware
from tests.support.apps import EchoApp
from tests.support.client import MakeClient
from tests.support.environ import make_environ, preflight_headers
from tests.support.headers import (
    ACAC,
    ACAH,
    ACAO,
    ACRH,
    ACRM,
    assert_cors_headers,
    header_lines,
    header_pairs,
)
from tests.support.origins import ORIGIN
from tests.support.refusals import REFUSED_HEADERS, REFUSED_METHOD, REFUSED_ORIGIN

WILDCARD = "https://*.example.com"


def allow_everything(origin: str, environ: Mapping[str, Any]) -> bool:
    """The most permissive origin-dependent rule: it would echo anything."""
    return True


# --- bypasses of a "*." label wildcard -------------------------------------------


@pytest.mark.parametrize(
    "origin",
    [
        pytest.param("https://a.example.com.evil.net", id="suffix-appended"),
        pytest.param("https://example.com.evil.net", id="apex-suffix-appended"),
        pytest.param("https://evil-example.com", id="hyphen-prefix"),
        pytest.param("https://evilexample.com", id="glued-prefix"),
        pytest.param("https://example.com", id="apex"),
        pytest.param("https://.example.com", id="empty-label"),
        pytest.param("https://a.example.co", id="shorter-tld"),
        pytest.param("https://a.example.comm", id="longer-tld"),
        pytest.param("http://a.example.com", id="http"),
        pytest.param("https://a.example.com:8443", id="other-port"),
        pytest.param("https://a.example.com@evil.net", id="user-info-trick"),
        pytest.param("https://evil.net#.example.com", id="fragment-trick"),
        pytest.param("https://evil.net/.example.com", id="path-trick"),
        pytest.param("null", id="null"),
    ],
)
def test_wildcard_label_bypass_is_refused(make_client: MakeClient, origin: str) -> None:
    """docs/configuration.rst, "allow_origins": ``https://*.example.com`` never matches
    these; the prefix/suffix mistakes of hand-rolled matchers (django-cors-headers,
    flask-cors)."""
    client = make_client(allow_origins=[WILDCARD])
    assert_cors_headers(client.actual(origin), {"Vary": "Origin"})
    refused = client.preflight(origin, "GET")
    assert (refused.status_code, refused.data) == (403, REFUSED_ORIGIN)


@pytest.mark.parametrize(
    "origin",
    [
        pytest.param("https://example.com.evil.net", id="suffix-appended"),
        pytest.param("https://evil-example.com", id="hyphen-prefix"),
        pytest.param("https://notexample.com", id="glued-prefix"),
        pytest.param("https://sub.example.com", id="subdomain"),
        pytest.param("https://example.co", id="truncated"),
        pytest.param("https://example.com.", id="trailing-dot"),
        pytest.param("http://example.com", id="http"),
        pytest.param("https://example.com:444", id="other-port"),
        pytest.param("https://example.com:443.evil.net", id="port-trick"),
    ],
)
def test_exact_origin_bypass_is_refused(make_client: MakeClient, origin: str) -> None:
    """https://fetch.spec.whatwg.org/#cors-check: exact origins only."""
    client = make_client(allow_origins=["https://example.com"])
    assert_cors_headers(client.actual(origin), {"Vary": "Origin"})


@pytest.mark.parametrize(
    ("allowed", "origin"),
    [
        pytest.param("https://app.example.com", "http://app.example.com", id="https"),
        pytest.param("http://app.example.com", "https://app.example.com", id="http"),
        pytest.param("https://app.example.com", "wss://app.example.com", id="wss"),
    ],
)
def test_scheme_must_match(make_client: MakeClient, allowed: str, origin: str) -> None:
    """https://fetch.spec.whatwg.org/#same-origin: an origin is scheme, host, port."""
    client = make_client(allow_origins=[allowed])
    assert_cors_headers(client.actual(origin), {"Vary": "Origin"})


# --- regexes are full-matched, as the user wrote them ----------------------------


def test_regex_with_unescaped_dot_is_still_full_matched(
    make_client: MakeClient,
) -> None:
    """Starlette 2020 fix: a match must cover the whole origin, so a suffix attack fails
    even when the user forgot to escape the dots."""
    client = make_client(allow_origin_regex=r"https://app.example.com")
    response = client.actual("https://app.example.com.evil.net")
    assert_cors_headers(response, {"Vary": "Origin"})


def test_regex_with_unescaped_dot_means_what_it_says(make_client: MakeClient) -> None:
    """docs/configuration.rst, "allow_origins" (fullmatch, nothing more): the user's
    regex is not rewritten; ``.`` matches any character (the docs warn about it)."""
    client = make_client(allow_origin_regex=r"https://app.example.com")
    response = client.actual("https://appxexample.com")
    assert header_lines(response, ACAO) == ["https://appxexample.com"]


def test_regex_alternation_is_anchored_as_a_whole(make_client: MakeClient) -> None:
    """Starlette 2020 fix: fullmatch anchors every alternative (``^a|b$`` would not)."""
    client = make_client(
        allow_origin_regex=r"https://a\.example\.com|https://b\.example\.com"
    )
    assert_cors_headers(
        client.actual("https://b.example.com.evil.net"), {"Vary": "Origin"}
    )
    assert_cors_headers(
        client.actual("https://evil.net.https://a.example.com"), {"Vary": "Origin"}
    )


def test_regex_with_its_own_anchors_still_works(make_client: MakeClient) -> None:
    """docs/configuration.rst, "allow_origins": anchors the user wrote are harmless
    under fullmatch."""
    client = make_client(allow_origin_regex=r"^https://a\.example\.com$")
    assert header_lines(client.actual("https://a.example.com"), ACAO) == [
        "https://a.example.com"
    ]


@pytest.mark.parametrize(
    "origin",
    [
        pytest.param("https://evil.net/.example.com", id="path"),
        pytest.param("https://evil.net?.example.com", id="query"),
        pytest.param("https://evil.net#.example.com", id="fragment"),
        pytest.param("https://user@x.example.com", id="user-info"),
    ],
)
def test_regex_never_sees_a_malformed_origin(
    make_client: MakeClient, origin: str
) -> None:
    """docs/behaviour.rst, "Malformed requests": a value that is not an origin is
    refused before any rule."""
    client = make_client(allow_origin_regex=r"https://.*\.example\.com")
    assert_cors_headers(client.actual(origin), {"Vary": "Origin"})


# --- null ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "options",
    [
        pytest.param({"allow_origins": [ORIGIN]}, id="exact-list"),
        pytest.param({"allow_origins": [WILDCARD]}, id="wildcard-label"),
        pytest.param({"allow_origin_regex": r"https://.*"}, id="regex-not-matching"),
        pytest.param(
            {"allow_origins": lambda origin, environ: origin != "null"},
            id="callable-saying-no",
        ),
    ],
)
def test_null_origin_is_refused_unless_allowed_explicitly(
    make_client: MakeClient, options: Dict[str, Any]
) -> None:
    """https://fetch.spec.whatwg.org/#origin-header: sandboxed documents and file: URLs
    send ``null``; allowing it by accident lets any of them in."""
    client = make_client(**options)
    assert_cors_headers(client.actual("null"), {"Vary": "Origin"})


@pytest.mark.parametrize(
    "options",
    [
        pytest.param({"allow_origins": ["null"]}, id="literal"),
        pytest.param({"allow_origin_regex": "null"}, id="regex"),
        pytest.param(
            {"allow_origins": lambda origin, environ: origin == "null"}, id="callable"
        ),
    ],
)
def test_null_origin_allowed_explicitly_is_echoed(
    make_client: MakeClient, options: Dict[str, Any]
) -> None:
    """docs/security.rst, "The null origin": the ways ``null`` may be allowed without
    credentials; the answer names ``null`` itself."""
    client = make_client(**options)
    assert_cors_headers(client.actual("null"), {ACAO: "null", "Vary": "Origin"})
    preflight = client.preflight("null", "GET")
    assert preflight.status_code == 204
    assert header_lines(preflight, ACAO) == ["null"]


@pytest.mark.parametrize(
    ("options", "option"),
    [
        pytest.param({"allow_origins": ["null"]}, "allow_origins", id="literal"),
        pytest.param({"allow_origin_regex": "null"}, "allow_origin_regex", id="regex"),
    ],
)
def test_null_origin_with_credentials_is_refused_at_construction(
    options: Dict[str, Any], option: str
) -> None:
    """docs/security.rst, "The null origin": any page can send ``Origin: null`` from a
    sandboxed iframe, so ``null`` with credentials would hand a logged-in user's data to
    any site; the policy is refused when built."""
    with pytest.raises(ConfigurationError, match=rf"^{option}: "):
        CORSMiddleware(EchoApp(), allow_credentials=True, **options)


def test_null_origin_allowed_by_a_callable_is_echoed_with_credentials(
    make_client: MakeClient,
) -> None:
    """docs/security.rst, "The null origin": a callable can still allow anything with
    credentials, deliberately."""
    client = make_client(
        allow_origins=lambda origin, environ: origin == "null",
        allow_credentials=True,
    )
    assert_cors_headers(
        client.actual("null"), {ACAO: "null", ACAC: "true", "Vary": "Origin"}
    )


# --- request bytes that are never reflected ------------------------------------


UNSAFE_ORIGINS = [
    pytest.param("https://a.example.com\r\nSet-Cookie: session=1", id="crlf-injection"),
    pytest.param("https://a.example.com\n", id="lf"),
    pytest.param("https://a.example.com\r", id="cr"),
    pytest.param("https://a.example.com\x00", id="nul"),
    pytest.param("https://a.example.com\t", id="tab"),
    pytest.param("https://a.example.com\x7f", id="del"),
    pytest.param("https://a.example.com\x1b[31m", id="escape-sequence"),
    pytest.param("https://a example.com", id="space-inside"),
    pytest.param("https://a.example.com ", id="trailing-space"),
    pytest.param("https://a.example.com, https://b.example.com", id="comma-list"),
    pytest.param("https://a.example.com,https://b.example.com", id="comma"),
    pytest.param("https://\xe4.example.com", id="latin-1-byte"),
    pytest.param("https://\xc3\xa4.example.com", id="utf-8-bytes"),
    pytest.param("https://" + "a" * 300 + ".example.com", id="over-long"),
    pytest.param("https://" + "a" * 1_000_000 + ".example.com", id="one-megabyte"),
    pytest.param("https://a.example.com/", id="trailing-slash"),
    pytest.param("https://a.example.com/path", id="path"),
    pytest.param("a.example.com", id="no-scheme"),
]

PERMISSIVE = [
    pytest.param({"allow_origins": allow_everything}, id="callable-allows-all"),
    pytest.param({"allow_origin_regex": r"(?s).*"}, id="regex-matches-all"),
    pytest.param(
        {"allow_origins": allow_everything, "allow_credentials": True},
        id="callable-with-credentials",
    ),
]


@pytest.mark.parametrize("options", PERMISSIVE)
@pytest.mark.parametrize("origin", UNSAFE_ORIGINS)
def test_unsafe_origin_is_never_reflected_on_actual_requests(
    make_client: MakeClient, options: Dict[str, Any], origin: str
) -> None:
    """docs/behaviour.rst, "Malformed requests": control characters, spaces, commas,
    non-ASCII or absurd length are refused wherever they would be echoed (header
    injection, response splitting)."""
    response = make_client(**options).actual(origin)
    assert response.status_code == 200
    assert_cors_headers(response, {"Vary": "Origin"})


@pytest.mark.parametrize("options", PERMISSIVE)
@pytest.mark.parametrize("origin", UNSAFE_ORIGINS)
def test_unsafe_origin_is_never_reflected_on_preflights(
    make_client: MakeClient, options: Dict[str, Any], origin: str
) -> None:
    """docs/behaviour.rst, "Malformed requests", https://fetch.spec.whatwg.org/#cors-preflight-fetch."""
    response = make_client(**options).preflight(origin, "GET")
    assert (response.status_code, response.data) == (403, REFUSED_ORIGIN)
    assert_cors_headers(response, {"Vary": "Origin"})


@pytest.mark.parametrize("origin", UNSAFE_ORIGINS)
def test_unsafe_origin_under_a_star_policy_gets_only_a_star(
    make_client: MakeClient, origin: str
) -> None:
    """docs/behaviour.rst, "Malformed requests": a ``*`` policy without credentials
    echoes nothing."""
    response = make_client(allow_origins="*").actual(origin)
    assert_cors_headers(response, {ACAO: "*"}, absent=["Vary"])


def test_callable_is_not_asked_about_a_malformed_origin(
    make_client: MakeClient,
) -> None:
    """docs/behaviour.rst, "Malformed requests": invalid bytes are refused before any
    user code sees them."""
    seen: List[str] = []

    def rule(origin: str, environ: Mapping[str, Any]) -> bool:
        seen.append(origin)
        return True

    make_client(allow_origins=rule).actual("https://a.example.com\r\nX-Evil: 1")
    assert seen == []


@pytest.mark.parametrize(
    "kind",
    [pytest.param("actual", id="actual"), pytest.param("preflight", id="preflight")],
)
def test_callable_that_raises_refuses_instead_of_a_500(
    make_client: MakeClient, kind: str
) -> None:
    """docs/security.rst: the middleware never turns a request into a 500; a broken
    origin callable refuses the origin."""

    def broken(origin: str, environ: Mapping[str, Any]) -> bool:
        raise LookupError("tenant database is down")

    client = make_client(allow_origins=broken)
    if kind == "actual":
        response = client.actual(ORIGIN)
        assert response.status_code == 200
    else:
        response = client.preflight(ORIGIN, "GET")
        assert (response.status_code, response.data) == (403, REFUSED_ORIGIN)
    assert_cors_headers(response, {"Vary": "Origin"})


@pytest.mark.parametrize(
    "method",
    [
        pytest.param("PUT\r\nX-Injected: 1", id="crlf"),
        pytest.param("PU T", id="space"),
        pytest.param("GET,PUT", id="comma"),
        pytest.param("P\xdcT", id="non-ascii"),
        pytest.param("", id="empty"),
    ],
)
def test_requested_method_that_is_not_a_token_is_refused(
    make_client: MakeClient, method: str
) -> None:
    """docs/behaviour.rst, "Malformed requests";
    https://fetch.spec.whatwg.org/#concept-method (a token)."""
    client = make_client(allow_origins=[ORIGIN], allow_methods="*")
    response = client.request("OPTIONS", "/", {"Origin": ORIGIN, ACRM: method})
    assert (response.status_code, response.data) == (403, REFUSED_METHOD)
    assert_cors_headers(response, {"Vary": "Origin"})


@pytest.mark.parametrize(
    "request_headers",
    [
        pytest.param("x-a\r\nX-Injected: 1", id="crlf"),
        pytest.param("x-a, x b", id="space-inside"),
        pytest.param("x-a;x-b", id="semicolon"),
        pytest.param("x-\xe4", id="non-ascii"),
        pytest.param("x-a:1", id="colon"),
    ],
)
def test_requested_header_name_that_is_not_a_token_is_refused(
    make_client: MakeClient, request_headers: str
) -> None:
    """docs/behaviour.rst, "Malformed requests"; https://fetch.spec.whatwg.org/#concept-header-name."""
    client = make_client(allow_origins=[ORIGIN], allow_headers="*")
    response = client.preflight(ORIGIN, "GET", request_headers)
    assert (response.status_code, response.data) == (403, REFUSED_HEADERS)
    assert_cors_headers(response, {"Vary": "Origin"})


# --- log injection (CVE-2024-1681) ----------------------------------------------

FORGED = "\r\n2024-01-01 00:00:00 INFO cors_wsgi forged entry"


@pytest.mark.parametrize(
    ("method", "headers", "path"),
    [
        pytest.param("GET", {"Origin": "https://a.example" + FORGED}, "/", id="origin"),
        pytest.param(
            "OPTIONS",
            preflight_headers("https://a.example" + FORGED, "GET"),
            "/",
            id="preflight-origin",
        ),
        pytest.param(
            "OPTIONS", preflight_headers(ORIGIN, "GET" + FORGED), "/", id="method"
        ),
        pytest.param(
            "OPTIONS",
            preflight_headers(ORIGIN, "GET", "x-a" + FORGED),
            "/",
            id="request-headers",
        ),
        pytest.param(
            "OPTIONS",
            preflight_headers(ORIGIN, "GET", "x-a"),
            "/api/x" + FORGED,
            id="path",
        ),
    ],
)
def test_log_records_never_contain_raw_line_breaks(
    make_client: MakeClient,
    caplog: pytest.LogCaptureFixture,
    method: str,
    headers: Dict[str, str],
    path: str,
) -> None:
    """CVE-2024-1681 (flask-cors logged the raw request path at DEBUG): request values
    go into log lines in repr form only, so no record can forge another."""
    client = make_client(allow_origins=[ORIGIN], allow_headers=["X-A"])
    with caplog.at_level(logging.DEBUG, logger="cors_wsgi"):
        client.request(method, "/", headers, PATH_INFO=path)
    records = [r for r in caplog.records if r.name.startswith("cors_wsgi")]
    assert records, "the decision should be logged at DEBUG"
    for record in records:
        message = record.getMessage()
        assert "\n" not in message and "\r" not in message, message


# --- floods and oversized values -----------------------------------------------


def bare_preflight(
    middleware: CORSMiddleware, base: Dict[str, Any]
) -> Callable[..., List[Any]]:
    """A minimal server loop for floods (no client or checker overhead)."""
    answer: List[Any] = []

    def start_response(status: str, headers: Any, exc_info: Any = None) -> Any:
        answer[:] = [status, headers]
        return None

    def send(**environ: str) -> List[Any]:
        body = middleware({**base, **environ}, start_response)
        try:
            b"".join(body)
        finally:
            getattr(body, "close", lambda: None)()
        return answer

    return send


def test_flood_of_distinct_origins_stays_in_bounded_memory() -> None:
    """docs/behaviour.rst, "The preflight cache": 100,000 distinct, long origins (half
    allowed, half refused) cannot grow the preflight cache beyond preflight_cache_size
    entries (rs/cors bounded cache); traced memory growth stays within a few MB."""
    middleware = CORSMiddleware(EchoApp(), allow_origins=[WILDCARD])
    send = bare_preflight(
        middleware, make_environ("OPTIONS", "/", preflight_headers(ORIGIN, "GET"))
    )
    send(HTTP_ORIGIN=ORIGIN)
    padding = "host" * 50  # 200 characters: long, still a valid origin
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        for i in range(100_000):
            domain = "example.com" if i % 2 else "example.net"
            send(HTTP_ORIGIN=f"https://{padding}-{i}.{domain}")
        after, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    growth = after - before
    # about 1 MB for a full cache; tens of MB if it were unbounded
    assert growth < 4 * 1024 * 1024, f"grew by {growth} bytes"
    status, headers = send(HTTP_ORIGIN="https://last.example.com")
    assert status.startswith("204")
    assert ("Access-Control-Allow-Origin", "https://last.example.com") in headers


def test_flood_of_distinct_request_header_lists_stays_in_bounded_memory() -> None:
    """docs/behaviour.rst, "The preflight cache": hostile Access-Control-Request-Headers
    values cannot flood the cache either (keys are bounded in size and number)."""
    middleware = CORSMiddleware(EchoApp(), allow_origins=[ORIGIN], allow_headers="*")
    send = bare_preflight(
        middleware, make_environ("OPTIONS", "/", preflight_headers(ORIGIN, "GET"))
    )
    padding = ", ".join(f"x-pad-{n}" for n in range(40))
    send(HTTP_ACCESS_CONTROL_REQUEST_HEADERS="x-a")
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        for i in range(5_000):
            send(HTTP_ACCESS_CONTROL_REQUEST_HEADERS=f"x-req-{i}, {padding}")
        after, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    growth = after - before
    # about 1.2 MB for a full cache of 1024 such answers; 6 MB if unbounded
    assert growth < 3 * 1024 * 1024, f"grew by {growth} bytes"


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("x-a, " * 200_000, id="one-megabyte-of-items"),
        pytest.param("x-" + "a" * 1_000_000, id="one-megabyte-name"),
        pytest.param(",".join(f"x-h{i}" for i in range(5000)), id="5000-items"),
        pytest.param(" ," * 500_000, id="one-megabyte-of-empty-items"),
    ],
)
def test_huge_request_headers_value_is_refused(
    make_client: MakeClient, value: str
) -> None:
    """docs/behaviour.rst, "3. Preflight": megabytes or thousands of entries in
    Access-Control-Request-Headers are refused (bounded work), never echoed, never a
    crash."""
    client = make_client(allow_origins=[ORIGIN], allow_headers="*")
    response = client.request(
        "OPTIONS", "/", {"Origin": ORIGIN, ACRM: "GET", ACRH: value}
    )
    assert (response.status_code, response.data) == (403, REFUSED_HEADERS)
    assert_cors_headers(response, {"Vary": "Origin"}, absent=[ACAH])


def test_huge_request_headers_on_actual_request_is_ignored(
    make_client: MakeClient,
) -> None:
    """https://fetch.spec.whatwg.org/#cors-preflight-request: outside a preflight
    Access-Control-Request-Headers means nothing."""
    client = make_client(allow_origins=[ORIGIN])
    response = client.actual(ORIGIN, headers={ACRH: "x-a, " * 200_000})
    assert_cors_headers(response, {ACAO: ORIGIN, "Vary": "Origin"})


def test_thousands_of_configured_origins_are_matched_exactly(
    make_client: MakeClient,
) -> None:
    """docs/configuration.rst, "allow_origins": policies with thousands of entries stay
    exact."""
    origins = [f"https://tenant-{i}.example.org" for i in range(10_000)]
    client = make_client(allow_origins=origins)
    assert header_lines(client.actual(origins[-1]), ACAO) == [origins[-1]]
    assert header_lines(client.actual(origins[0]), ACAO) == [origins[0]]
    assert header_lines(client.actual("https://tenant-10000.example.org"), ACAO) == []


def test_no_response_header_carries_a_line_break(make_client: MakeClient) -> None:
    """docs/behaviour.rst, "Malformed requests" (response splitting): header values stay
    on one line."""
    client = make_client(
        allow_origins=allow_everything, allow_headers="*", allow_methods="*"
    )
    response = client.preflight(
        "https://a.example.com\r\nX: 1", "GET\r\nX: 1", "x-a\r\nX: 1"
    )
    for name, value in header_pairs(response):
        assert "\r" not in value and "\n" not in value, (name, value)
