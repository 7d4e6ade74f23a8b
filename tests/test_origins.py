"""Origin normalisation, validation and matching tables.

https://html.spec.whatwg.org/multipage/browsers.html#ascii-serialisation-of-an-origin
"""

from __future__ import annotations

import logging
import re
from typing import Any, Dict, List

import pytest

from cors_wsgi.origins import (
    OriginMatcher,
    is_valid_request_origin,
    normalize_request_origin,
    parse_configured_origin,
)


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ("https://a.example", ("https://a.example", None)),
        ("HTTPS://A.Example", ("https://a.example", None)),
        ("https://a.example:443", ("https://a.example", None)),
        ("http://a.example:80", ("http://a.example", None)),
        ("http://a.example:443", ("http://a.example:443", None)),
        ("https://a.example:08443", ("https://a.example:8443", None)),
        ("http://[::1]:8000", ("http://[::1]:8000", None)),
        ("http://[::1]", ("http://[::1]", None)),
        ("null", ("null", None)),
        ("https://*.example.com", ("https://", ".example.com")),
        ("https://*.Example.com:8443", ("https://", ".example.com:8443")),
        ("https://*.example.com:443", ("https://", ".example.com")),
        ("chrome-extension://abcdef", ("chrome-extension://abcdef", None)),
    ],
)
def test_configured_origins_are_normalised(entry: str, expected: Any) -> None:
    assert parse_configured_origin(entry) == expected


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("", "empty"),
        ("example.com", "no scheme"),
        ("://a.example", "no scheme"),
        ("https://a.example/", "trailing slash"),
        ("https://a.example/api", "a path"),
        ("https://a.example?x=1", "a query"),
        ("https://a.example#top", "a fragment"),
        ("https://user@a.example", "user info"),
        (" https://a.example", "white space"),
        ("https://a .example", "white space"),
        ("https://bücher.example", "non-ASCII"),
        ("https://a.example\x00", "control"),
        ("https://a.example:http", "invalid port"),
        ("https://a.example:70000", "invalid port"),
        ("https://a*.example.com", "left-most host label"),
        ("https://*.*.example.com", "left-most host label"),
        ("https://*", "left-most host label"),
        ("https://", "invalid host"),
        ("https://a..example", "invalid host"),
        ("https://.a.example", "invalid host"),
        ("https://a_b%.example", "invalid host"),
    ],
)
def test_bad_configured_origins_say_what_is_wrong(entry: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_configured_origin(entry)


@pytest.mark.parametrize(
    "value",
    [
        "https://a.example",
        "http://localhost:8000",
        "null",
        "http://[::1]:80",
        "chrome-extension://abc",
        "https://xn--bcher-kva.example",
        "A" * 1 + "://b",
    ],
)
def test_valid_request_origins(value: str) -> None:
    assert is_valid_request_origin(value)


@pytest.mark.parametrize(
    "value",
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
def test_invalid_request_origins(value: str) -> None:
    assert not is_valid_request_origin(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("HTTPS://A.EXAMPLE", "https://a.example"),
        ("https://a.example:443", "https://a.example"),
        ("http://a.example:80", "http://a.example"),
        ("http://a.example:8080", "http://a.example:8080"),
        ("wss://a.example:443", "wss://a.example"),
        ("null", "null"),
    ],
)
def test_request_origins_are_normalised_for_matching(value: str, expected: str) -> None:
    assert normalize_request_origin(value) == expected


WILDCARD = OriginMatcher(wildcards=[parse_configured_origin("https://*.example.com")])  # type: ignore[list-item]


@pytest.mark.parametrize(
    "origin",
    [
        "https://a.example.com",
        "https://a.b.example.com",
        "https://A.Example.COM",
        "https://a.example.com:443",
        "https://xn--bcher-kva.example.com",
        "https://a-b_c.example.com",
    ],
)
def test_label_wildcard_matches_subdomains(origin: str) -> None:
    assert WILDCARD.matches(origin, {})


@pytest.mark.parametrize(
    "origin",
    [
        "https://example.com",
        "https://.example.com",
        "https://evil-example.com",
        "https://example.com.evil.net",
        "https://a.example.com.evil.net",
        "https://a.example.com:8443",
        "http://a.example.com",
        "https://a.exampleXcom",
        "https://a..example.com",
        "null",
    ],
)
def test_label_wildcard_never_matches_lookalikes(origin: str) -> None:
    assert not WILDCARD.matches(origin, {})


def test_wildcard_with_port_needs_that_port() -> None:
    matcher = OriginMatcher(wildcards=[("https://", ".example.com:8443")])
    assert matcher.matches("https://a.example.com:8443", {})
    assert not matcher.matches("https://a.example.com", {})


def test_regex_is_fullmatched_against_the_raw_origin() -> None:
    matcher = OriginMatcher(regex=re.compile(r"https://.*\.example\.com"))
    assert matcher.matches("https://a.example.com", {})
    assert not matcher.matches("https://a.example.com.evil.net", {})


def test_regex_does_not_see_invalid_origins() -> None:
    matcher = OriginMatcher(regex=re.compile(r".*"))
    assert not matcher.matches("https://a.example\r\n", {})


def test_callable_is_asked_every_time_with_the_environ() -> None:
    seen: List[str] = []

    def predicate(origin: str, environ: Dict[str, Any]) -> bool:
        seen.append(environ["tag"])
        return origin == "https://a.example"

    matcher = OriginMatcher(predicate=predicate)
    assert matcher.matches("https://a.example", {"tag": "1"})
    assert matcher.matches("https://a.example", {"tag": "2"})
    assert not matcher.matches("https://b.example", {"tag": "3"})
    assert seen == ["1", "2", "3"]


def test_callable_that_raises_refuses_and_logs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def predicate(origin: str, environ: Dict[str, Any]) -> bool:
        raise RuntimeError("boom")

    matcher = OriginMatcher(predicate=predicate)
    with caplog.at_level(logging.ERROR, logger="cors_wsgi"):
        assert not matcher.matches("https://a.example", {})
    assert "callable raised" in caplog.text


def test_callable_is_not_asked_about_invalid_origins() -> None:
    def predicate(origin: str, environ: Dict[str, Any]) -> bool:
        raise AssertionError("must not be called")

    assert not OriginMatcher(predicate=predicate).matches("https://a b", {})


def test_exact_and_pattern_answers_are_remembered_within_a_bound() -> None:
    matcher = OriginMatcher(exact=["https://a.example"])
    for number in range(10000):
        assert not matcher.matches(f"https://h{number}.example", {})
    assert len(matcher._memo) <= 4096
    assert matcher.matches("HTTPS://A.EXAMPLE", {})
    assert matcher.matches("HTTPS://A.EXAMPLE", {})


def test_null_matches_only_a_literal_entry() -> None:
    assert OriginMatcher(exact=["null"]).matches("null", {})
    assert not OriginMatcher(exact=["https://a.example"]).matches("null", {})
