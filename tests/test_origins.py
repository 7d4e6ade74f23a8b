"""Origins on the wire: how configured entries are normalised, which request
Origin values are valid, and what each kind of entry matches.

docs/configuration.rst, "allow_origins"; the serialisation a browser sends is
https://html.spec.whatwg.org/multipage/browsers.html#ascii-serialisation-of-an-origin.
Each case is a request through the protocol-checked stack: an origin is
allowed when the response names it in Access-Control-Allow-Origin.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Dict, List

import pytest

from cors_wsgi import ConfigurationError, CORSMiddleware
from tests.support.apps import EchoApp
from tests.support.client import CORSClient, MakeClient
from tests.support.environ import make_environ, run_pep3333
from tests.support.headers import ACAO, header_lines
from tests.support.origins import WILDCARD_MATCHES, WILDCARD_MISSES


def allows(client: CORSClient, origin: str) -> bool:
    """Whether an actual request from *origin* gets its origin echoed back."""
    allowed = header_lines(client.actual(origin), ACAO)
    assert allowed in ([], [origin]), allowed
    return allowed == [origin]


# --- configured entries --------------------------------------------------------------


@pytest.mark.parametrize(
    ("entry", "origin"),
    [
        pytest.param("HTTPS://A.Example", "https://a.example", id="upper-case"),
        pytest.param("https://a.example:443", "https://a.example", id="https-443"),
        pytest.param("http://a.example:80", "http://a.example", id="http-80"),
        pytest.param(
            "http://a.example:443", "http://a.example:443", id="443-is-not-http's"
        ),
        pytest.param(
            "https://a.example:08443", "https://a.example:8443", id="leading-zero"
        ),
        pytest.param("http://[::1]:8000", "http://[::1]:8000", id="ipv6-port"),
        pytest.param("http://[::1]", "http://[::1]", id="ipv6"),
        pytest.param("null", "null", id="null"),
        pytest.param(
            "chrome-extension://abcdef", "chrome-extension://abcdef", id="extension"
        ),
        pytest.param(
            "https://*.Example.com:8443", "https://a.example.com:8443", id="wild-port"
        ),
        pytest.param(
            "https://*.example.com:443", "https://a.example.com", id="wild-443"
        ),
    ],
)
def test_configured_origins_are_normalised(
    make_client: MakeClient, entry: str, origin: str
) -> None:
    """docs/configuration.rst: scheme and host compare case-insensitively and a default
    port (80 for http, 443 for https) is dropped; the browser's form of the origin is
    allowed."""
    assert allows(make_client(allow_origins=[entry]), origin)


@pytest.mark.parametrize(
    ("entry", "origin"),
    [
        pytest.param("http://a.example:443", "http://a.example", id="port-kept"),
        pytest.param("https://a.example:8443", "https://a.example", id="other-port"),
        pytest.param("http://[::1]:8000", "http://[::1]", id="ipv6-port"),
    ],
)
def test_a_port_that_is_not_the_default_stays_part_of_the_origin(
    make_client: MakeClient, entry: str, origin: str
) -> None:
    """https://fetch.spec.whatwg.org/#same-origin: the port is part of the origin."""
    assert not allows(make_client(allow_origins=[entry]), origin)


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        pytest.param("", "an empty string is not an origin", id="empty"),
        pytest.param("example.com", "has no scheme", id="no-scheme"),
        pytest.param("://a.example", "has no scheme", id="empty-scheme"),
        pytest.param("https://a.example/", "a trailing slash", id="trailing-slash"),
        pytest.param("https://a.example/api", "a path", id="path"),
        pytest.param("https://a.example?x=1", "a query", id="query"),
        pytest.param("https://a.example#top", "a fragment", id="fragment"),
        pytest.param("https://user@a.example", "user info", id="user-info"),
        pytest.param(" https://a.example", "white space", id="leading-space"),
        pytest.param("https://a .example", "white space", id="inner-space"),
        pytest.param("https://bücher.example", "non-ASCII", id="non-ascii"),
        pytest.param("https://a.example\x00", "control", id="control"),
        pytest.param("https://a.example:http", "invalid port", id="port-word"),
        pytest.param("https://a.example:70000", "invalid port", id="port-range"),
        pytest.param("https://a*.example.com", "left-most host label", id="star-in"),
        pytest.param("https://*.*.example.com", "left-most host label", id="stars"),
        pytest.param("https://*", "left-most host label", id="star-only"),
        pytest.param("https://", "invalid host", id="no-host"),
        pytest.param("https://a..example", "invalid host", id="empty-label"),
        pytest.param("https://.a.example", "invalid host", id="leading-dot"),
        pytest.param("https://a_b%.example", "invalid host", id="percent"),
    ],
)
def test_bad_configured_origins_say_what_is_wrong(entry: str, message: str) -> None:
    """docs/configuration.rst: the message names the option, shows the entry and says
    what is wrong with it."""
    with pytest.raises(ConfigurationError, match=r"^allow_origins: ") as excinfo:
        CORSMiddleware(EchoApp(), allow_origins=[entry])
    assert message in str(excinfo.value)


# --- request Origin values ------------------------------------------------------------

#: A policy whose regex would match anything: only validation can refuse.
ANYTHING = r"(?s).*"


@pytest.mark.parametrize(
    "origin",
    [
        "https://a.example",
        "http://localhost:8000",
        "null",
        "http://[::1]:80",
        "chrome-extension://abc",
        "https://xn--bcher-kva.example",
        "A://b",
    ],
)
def test_valid_request_origins_are_echoed(make_client: MakeClient, origin: str) -> None:
    """https://fetch.spec.whatwg.org/#origin-header: a serialized origin or ``null`` is
    compared and echoed byte for byte."""
    assert allows(make_client(allow_origin_regex=ANYTHING), origin)


@pytest.mark.parametrize(
    "origin",
    [
        "",
        "https://a.example/",
        "https://a.example\r\nX: y",
        "https://a b",
        "https://a.example,https://b.example",
        "https://bücher.example",
        "https://" + "a" * 300,
        "Null",
        "https://a.example:123456",
        "a.example",
        "https://u@a.example",
        "https://a.example\t",
        "https://a.example\n",
    ],
)
def test_invalid_request_origins_are_never_echoed(
    make_client: MakeClient, origin: str
) -> None:
    """docs/behaviour.rst, "Malformed requests": a value that is not a serialized origin
    is refused before any rule sees it."""
    assert not allows(make_client(allow_origin_regex=ANYTHING), origin)


@pytest.mark.parametrize(
    ("entry", "origin"),
    [
        pytest.param("https://a.example", "HTTPS://A.EXAMPLE", id="upper-case"),
        pytest.param("https://a.example", "https://a.example:443", id="https-443"),
        pytest.param("http://a.example", "http://a.example:80", id="http-80"),
        pytest.param("http://a.example:8080", "http://a.example:8080", id="port"),
        pytest.param("wss://a.example", "wss://a.example:443", id="wss-443"),
        pytest.param("null", "null", id="null"),
    ],
)
def test_request_origins_are_normalised_for_matching_and_echoed_as_sent(
    make_client: MakeClient, entry: str, origin: str
) -> None:
    """docs/configuration.rst: compared after lower-casing and dropping a default port;
    echoed as the request spelt it (docs/behaviour.rst)."""
    assert allows(make_client(allow_origins=[entry]), origin)


# --- wildcard labels ---------------------------------------------------------------

WILDCARD = "https://*.example.com"


@pytest.mark.parametrize("origin", WILDCARD_MATCHES)
def test_label_wildcard_matches_subdomains(
    make_client: MakeClient, origin: str
) -> None:
    """docs/security.rst, "Wildcard labels": one or more labels in front."""
    assert allows(make_client(allow_origins=[WILDCARD]), origin)


@pytest.mark.parametrize("origin", WILDCARD_MISSES)
def test_label_wildcard_never_matches_lookalikes(
    make_client: MakeClient, origin: str
) -> None:
    """docs/security.rst, "Wildcard labels": never the apex, a lookalike, a suffix
    attack, another scheme or port, or ``null``."""
    assert not allows(make_client(allow_origins=[WILDCARD]), origin)


def test_nested_wildcards_each_match_their_own_subdomains(
    make_client: MakeClient,
) -> None:
    """docs/configuration.rst: several ``*.`` entries, one under the other, each allow
    their own subdomains and nothing beside them."""
    client = make_client(
        allow_origins=["https://*.api.example.com", "https://*.example.org"]
    )
    assert allows(client, "https://a.api.example.com")
    assert not allows(client, "https://api.example.com")
    assert not allows(client, "https://a.www.example.com")
    assert allows(client, "https://b.example.org")
    assert not allows(client, "https://b.example.net")


def test_a_wildcard_with_a_port_needs_that_port(make_client: MakeClient) -> None:
    """docs/configuration.rst: the port must match as written."""
    client = make_client(allow_origins=["https://*.example.com:8443"])
    assert allows(client, "https://a.example.com:8443")
    assert not allows(client, "https://a.example.com")


def test_a_wildcard_never_matches_an_ipv6_host(make_client: MakeClient) -> None:
    """An IPv6 literal has no host labels for the ``*`` to stand for."""
    client = make_client(allow_origins=["http://*.example.com"])
    assert not allows(client, "http://[::1]")
    assert not allows(client, "http://[::1]:80")


# --- regexes, callables, null ------------------------------------------------------


def test_a_regex_is_fullmatched_against_the_origin_as_sent(
    make_client: MakeClient,
) -> None:
    """docs/security.rst, "Regular expressions match the whole origin"."""
    client = make_client(allow_origin_regex=re.compile(r"https://.*\.example\.com"))
    assert allows(client, "https://a.example.com")
    assert not allows(client, "https://a.example.com.evil.net")
    assert not allows(client, "HTTPS://A.EXAMPLE.COM")


def test_a_regex_never_sees_an_invalid_origin(make_client: MakeClient) -> None:
    """docs/behaviour.rst, "Malformed requests"."""
    assert not allows(make_client(allow_origin_regex=ANYTHING), "https://a.example\r\n")


def test_a_callable_is_asked_every_time_with_the_environ(
    make_client: MakeClient,
) -> None:
    """docs/configuration.rst, "allow_origins": ``(origin, environ) -> bool``, asked on
    every request, never cached."""
    seen: List[str] = []

    def rule(origin: str, environ: Dict[str, Any]) -> bool:
        seen.append(environ["PATH_INFO"])
        return origin == "https://a.example"

    client = make_client(allow_origins=rule)
    assert header_lines(client.actual("https://a.example", path="/1"), ACAO)
    assert header_lines(client.actual("https://a.example", path="/2"), ACAO)
    assert not header_lines(client.actual("https://b.example", path="/3"), ACAO)
    assert seen == ["/1", "/2", "/3"]


def test_a_callable_that_raises_refuses_and_logs_the_error(
    make_client: MakeClient, caplog: pytest.LogCaptureFixture
) -> None:
    """docs/security.rst: a broken callable refuses the origin instead of a 500, and its
    traceback reaches the logs."""

    def rule(origin: str, environ: Dict[str, Any]) -> bool:
        raise RuntimeError("boom")

    client = make_client(allow_origins=rule)
    with caplog.at_level(logging.ERROR, logger="cors_wsgi"):
        assert not allows(client, "https://a.example")
    [record] = caplog.records
    assert record.levelno == logging.ERROR
    assert "callable raised" in record.getMessage()
    assert record.exc_info is not None


def test_a_callable_is_not_asked_about_invalid_origins(
    make_client: MakeClient,
) -> None:
    """docs/behaviour.rst, "Malformed requests": user code sees only valid origins."""

    def rule(origin: str, environ: Dict[str, Any]) -> bool:
        raise AssertionError("must not be called")

    assert not allows(make_client(allow_origins=rule), "https://a b")


def test_exact_origins_stay_allowed_after_a_flood_of_refused_ones(
    make_client: MakeClient,
) -> None:
    """The answers remembered per origin are bounded: a flood of distinct refused
    origins neither grows memory without end nor evicts the configured ones."""
    client = make_client(allow_origins=["https://a.example", "https://c.example"])
    middleware = client.middleware
    for number in range(10_000):
        environ = make_environ(headers={"Origin": f"https://h{number}.example"})
        result = run_pep3333(middleware, environ)
        assert ACAO not in dict(result.headers)
    assert allows(client, "HTTPS://A.EXAMPLE")
    assert allows(client, "https://c.example")
    assert not allows(client, "https://h1.example")


def test_null_matches_only_a_literal_entry(make_client: MakeClient) -> None:
    """docs/security.rst, "The null origin"."""
    assert allows(make_client(allow_origins=["null"]), "null")
    assert not allows(make_client(allow_origins=["https://a.example"]), "null")
