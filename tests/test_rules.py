"""The pure rules, through their own functions: the Fetch safelists (public,
``cors_wsgi.fetch``), the preflight decision (``cors_wsgi._core.decide``) and
the HTTP vocabulary it rests on (``cors_wsgi._core.http``).
"""

from __future__ import annotations

from typing import Any, Dict, List, Tuple

import pytest

from cors_wsgi._core.decide import check_preflight
from cors_wsgi._core.http import (
    MAX_REQUEST_HEADERS_ITEMS,
    MAX_REQUEST_HEADERS_LENGTH,
    is_token,
    merge_vary,
    parse_allowed_header_list,
    parse_header_list,
    status_line,
)
from cors_wsgi._core.options import OPTIONS
from cors_wsgi._core.policy import Policy, build_policy
from cors_wsgi.fetch import (
    CORS_SAFELISTED_METHODS,
    CORS_SAFELISTED_REQUEST_HEADER_NAMES,
    cors_unsafe_request_header_names,
    is_cors_safelisted_method,
    is_cors_safelisted_request_header,
    needs_preflight,
    normalize_method,
)


# https://fetch.spec.whatwg.org/#cors-safelisted-method
def test_the_safelists_are_the_fetch_standards() -> None:
    """https://fetch.spec.whatwg.org/#cors-safelisted-method and
    #cors-safelisted-request-header (Range is handled by value)."""
    assert {"GET", "HEAD", "POST"} == CORS_SAFELISTED_METHODS
    assert {
        "accept",
        "accept-language",
        "content-language",
        "content-type",
    } == CORS_SAFELISTED_REQUEST_HEADER_NAMES


@pytest.mark.parametrize("method", ["GET", "HEAD", "POST"])
def test_get_head_post_are_cors_safelisted_methods(method: str) -> None:
    assert is_cors_safelisted_method(method)


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "OPTIONS", "get", "post"])
def test_other_methods_and_other_cases_are_not_safelisted(method: str) -> None:
    assert not is_cors_safelisted_method(method)


# https://fetch.spec.whatwg.org/#cors-safelisted-request-header
SAFELISTED: List[Tuple[str, str]] = [
    ("Accept", "application/json, text/plain, */*"),
    ("accept", "text/html;q=0.9\t*/*"),
    ("Accept-Language", "en-US,en;q=0.9"),
    ("Content-Language", "de-DE, fr"),
    ("Content-Type", "text/plain"),
    ("Content-Type", "text/plain;charset=UTF-8"),
    ("content-type", "  Multipart/Form-Data ; boundary=x"),
    ("Content-Type", "application/x-www-form-urlencoded"),
    ("Range", "bytes=0-"),
    ("Range", "bytes=0-499"),
    ("Range", "BYTES=5-5"),
    ("Accept", "a" * 128),
]

NOT_SAFELISTED: List[Tuple[str, str, str]] = [
    ("Accept", "a" * 129, "value-over-128-bytes"),
    ("Accept", 'text/"html"', "unsafe-byte-quote"),
    ("Accept", "text/html(", "unsafe-byte-paren"),
    ("Accept", "text\x01html", "unsafe-control-byte"),
    ("Accept", "a\x7f", "unsafe-del"),
    ("Accept", "a{b}", "unsafe-brace"),
    ("Accept-Language", "en_US", "language-underscore"),
    ("Accept-Language", "en\tUS", "language-tab"),
    ("Content-Language", "de/DE", "language-slash"),
    ("Content-Type", "application/json", "json-essence"),
    ("Content-Type", "text/plain:x", "content-type-unsafe-byte"),
    ("Content-Type", "text", "mime-without-slash"),
    ("Content-Type", "/plain", "mime-empty-type"),
    ("Content-Type", "text/", "mime-empty-subtype"),
    ("Content-Type", "te xt/plain", "mime-space-in-type"),
    ("Range", "bytes=-500", "suffix-range"),
    ("Range", "bytes=5-1", "start-after-end"),
    ("Range", "bytes=0-1,3-4", "multiple-ranges"),
    ("Range", "bytes = 0-1", "white-space"),
    ("Range", "items=0-1", "not-bytes"),
    ("Range", "bytes=-", "no-numbers"),
    # The client hints the seed once safelisted: the current Standard does not.
    ("DPR", "2", "client-hint-dpr"),
    ("Downlink", "10", "client-hint-downlink"),
    ("Save-Data", "on", "client-hint-save-data"),
    ("Viewport-Width", "1024", "client-hint-viewport-width"),
    ("Width", "640", "client-hint-width"),
    ("X-Requested-With", "XMLHttpRequest", "custom-header"),
    ("Authorization", "Bearer x", "authorization"),
]


@pytest.mark.parametrize(
    ("name", "value"), SAFELISTED, ids=[f"{n}:{v[:20]}" for n, v in SAFELISTED]
)
def test_safelisted_request_headers(name: str, value: str) -> None:
    assert is_cors_safelisted_request_header(name, value)


@pytest.mark.parametrize(
    ("name", "value"),
    [pytest.param(n, v, id=i) for n, v, i in NOT_SAFELISTED],
)
def test_not_safelisted_request_headers(name: str, value: str) -> None:
    assert not is_cors_safelisted_request_header(name, value)


# https://fetch.spec.whatwg.org/#cors-unsafe-request-header-names
def test_unsafe_names_are_sorted_and_lower_cased() -> None:
    headers = [("X-B", "1"), ("Content-Type", "application/json"), ("Accept", "*/*")]
    assert cors_unsafe_request_header_names(headers) == ["content-type", "x-b"]


def test_unsafe_names_accept_a_dict() -> None:
    assert cors_unsafe_request_header_names({"X-A": "1"}) == ["x-a"]


def test_safelisted_values_over_1024_bytes_together_make_every_name_unsafe() -> None:
    # "If safelistValueSize is greater than 1024, then for each name of
    # potentillyUnsafeNames, append name to unsafeNames."
    headers = [("Accept", "a" * 128)] + [("Accept-Language", "b" * 128)] * 8
    assert cors_unsafe_request_header_names(headers) == ["accept", "accept-language"]


def test_safelisted_values_of_exactly_1024_bytes_stay_safe() -> None:
    headers = [("Accept", "a" * 128)] * 8
    assert cors_unsafe_request_header_names(headers) == []


# https://fetch.spec.whatwg.org/#main-fetch (the use-CORS-preflight conditions)
@pytest.mark.parametrize(
    ("method", "headers", "expected"),
    [
        pytest.param("GET", (), False, id="plain-get"),
        pytest.param("get", (), False, id="normalised-get"),
        pytest.param("POST", [("Content-Type", "text/plain")], False, id="form-post"),
        pytest.param(
            "POST", [("Content-Type", "application/json")], True, id="json-post"
        ),
        pytest.param("PUT", (), True, id="put"),
        pytest.param("patch", (), True, id="patch-is-not-normalised"),
        pytest.param("GET", [("Save-Data", "on")], True, id="client-hint"),
        pytest.param("GET", [("Range", "bytes=0-")], False, id="single-range"),
    ],
)
def test_needs_preflight(method: str, headers: Any, expected: bool) -> None:
    assert needs_preflight(method, headers) is expected


def policy_of(**options: Any) -> Policy:
    """A policy built from the option table's defaults and *options*."""
    merged = {o.name: o.default for o in OPTIONS if o.per_resource}
    merged.update(options)
    errors: List[str] = []
    policy = build_policy(merged, errors)
    assert policy is not None, errors
    return policy


def _decide(
    options: Dict[str, Any],
    method: str = "PUT",
    headers: str = "",
    private_network: bool = False,
    origin: str = "https://a.example",
) -> Tuple[str, List[str]]:
    policy = policy_of(**{"allow_origins": ["https://a.example"], **options})
    return check_preflight(policy, origin, method, headers, private_network, {})


# https://fetch.spec.whatwg.org/#cors-preflight-fetch
def test_check_preflight_refuses_an_unknown_origin_first() -> None:
    assert _decide({}, method="BAD METHOD", origin="https://b.example") == (
        "origin",
        [],
    )


def test_check_preflight_refuses_a_method_that_is_not_a_token() -> None:
    assert _decide({"allow_methods": "*"}, method="GE T") == ("method", [])


def test_check_preflight_refuses_an_unlisted_method() -> None:
    assert _decide({}, method="PUT") == ("method", [])


def test_check_preflight_compares_methods_case_sensitively() -> None:
    assert _decide({"allow_methods": ["PATCH"]}, method="patch") == ("method", [])


def test_check_preflight_normalises_the_six_fetch_methods_in_config() -> None:
    assert _decide({"allow_methods": ["put"]}, method="PUT") == ("", [])


def test_check_preflight_always_accepts_safelisted_methods() -> None:
    assert _decide({"allow_methods": ["PUT"]}, method="GET") == ("", [])


def test_check_preflight_with_any_method_accepts_extension_methods() -> None:
    assert _decide({"allow_methods": "*"}, method="PROPFIND") == ("", [])


def test_check_preflight_echoes_requested_names_lower_cased_once() -> None:
    assert _decide(
        {"allow_headers": ["X-A", "X-B"], "allow_methods": ["PUT"]},
        headers="X-A, x-b,x-a,, ",
    ) == ("", ["x-a", "x-b"])


def test_check_preflight_always_allows_the_safelisted_header_names() -> None:
    decision = _decide(
        {"allow_methods": ["PUT"]},
        headers="content-type,accept,accept-language,content-language",
    )
    assert decision == (
        "",
        ["content-type", "accept", "accept-language", "content-language"],
    )


def test_check_preflight_refuses_an_unlisted_header() -> None:
    assert _decide({"allow_methods": ["PUT"]}, headers="x-a") == ("headers", [])


def test_check_preflight_refuses_a_malformed_header_list() -> None:
    assert _decide(
        {"allow_headers": "*", "allow_methods": ["PUT"]}, headers="x-a, b c"
    ) == ("headers", [])


def test_check_preflight_with_any_header_accepts_authorization() -> None:
    assert _decide(
        {"allow_headers": "*", "allow_methods": ["PUT"]}, headers="authorization"
    ) == ("", ["authorization"])


# https://wicg.github.io/private-network-access/#cors-preflight
def test_check_preflight_refuses_private_network_unless_allowed() -> None:
    assert _decide({"allow_methods": ["PUT"]}, private_network=True) == (
        "private-network",
        [],
    )


def test_check_preflight_accepts_private_network_when_allowed() -> None:
    assert _decide(
        {"allow_methods": ["PUT"], "allow_private_network": True}, private_network=True
    ) == ("", [])


def test_check_preflight_asks_a_callable_with_the_environ() -> None:
    """docs/configuration.rst, "allow_origins": a callable gets the request's environ,
    and its answers are not remembered."""
    seen: List[Dict[str, Any]] = []

    def rule(origin: str, environ: Dict[str, Any]) -> bool:
        seen.append(environ)
        return True

    policy = policy_of(allow_origins=rule)
    environ = {"PATH_INFO": "/x"}
    assert check_preflight(policy, "https://a.example", "GET", "", False, environ) == (
        "",
        [],
    )
    check_preflight(policy, "https://a.example", "GET", "", False, environ)
    assert seen == [environ, environ]


# https://fetch.spec.whatwg.org/#normalizing-a-method
@pytest.mark.parametrize(
    ("method", "sent"),
    [
        pytest.param("delete", "DELETE", id="delete"),
        pytest.param("Get", "GET", id="get"),
        pytest.param("head", "HEAD", id="head"),
        pytest.param("options", "OPTIONS", id="options"),
        pytest.param("post", "POST", id="post"),
        pytest.param("pUt", "PUT", id="put"),
        pytest.param("patch", "patch", id="patch-kept"),
        pytest.param("Propfind", "Propfind", id="extension-kept"),
    ],
)
def test_fetch_upper_cases_only_six_methods(method: str, sent: str) -> None:
    assert normalize_method(method) == sent


# RFC 9110 section 5.6.2: tokens.
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("X-Custom", True, id="header-name"),
        pytest.param("!#$%&'*+-.^_`|~09az", True, id="every-symbol"),
        pytest.param("", False, id="empty"),
        pytest.param("a b", False, id="space"),
        pytest.param("a,b", False, id="comma"),
        pytest.param("a:b", False, id="colon"),
        pytest.param("\u00e4", False, id="non-ascii"),
        pytest.param("a\n", False, id="trailing-newline"),
    ],
)
def test_tokens(value: str, expected: bool) -> None:
    assert is_token(value) is expected


# Bounded parsing of Access-Control-Request-Headers (RFC 9110 section 5.6.1).
def test_too_many_request_header_items_are_refused_before_parsing() -> None:
    value = ",".join(["x"] * (MAX_REQUEST_HEADERS_ITEMS + 1))
    assert parse_header_list(value) is None


def test_a_request_header_value_over_the_length_bound_is_refused() -> None:
    assert parse_header_list("x" * (MAX_REQUEST_HEADERS_LENGTH + 1)) is None
    assert parse_header_list("x" * MAX_REQUEST_HEADERS_LENGTH) == [
        "x" * MAX_REQUEST_HEADERS_LENGTH
    ]


def test_empty_items_of_a_request_header_list_are_skipped() -> None:
    assert parse_header_list(" , x-a ,\t,X-A") == ["x-a"]


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("x-a, x b", id="space-inside-an-item"),
        pytest.param("x-a;x-b", id="semicolon"),
        pytest.param("x-\u00e4", id="non-ascii"),
    ],
)
def test_a_request_header_list_with_a_non_token_item_is_refused(value: str) -> None:
    assert parse_header_list(value) is None


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("x-a, x-b", id="white-space"),
        pytest.param("x-a,,x-b", id="empty-item"),
        pytest.param("x-\u212a", id="kelvin-sign-lowers-to-k"),
        pytest.param("x-a,x-c", id="name-not-allowed"),
        pytest.param(",".join(["x-a"] * (MAX_REQUEST_HEADERS_ITEMS + 1)), id="items"),
        pytest.param("x" * (MAX_REQUEST_HEADERS_LENGTH + 1), id="length"),
        pytest.param("", id="empty"),
    ],
)
def test_header_list_shortcut_leaves_everything_unusual_to_the_parser(
    value: str,
) -> None:
    assert parse_allowed_header_list(value, frozenset({"x-a", "x-b", "x-k"})) is None


def test_header_list_shortcut_lowers_and_deduplicates() -> None:
    names = parse_allowed_header_list("X-B,x-a,X-b", frozenset({"x-a", "x-b"}))
    assert names == ["x-b", "x-a"]


# RFC 9110 section 12.5.5: Vary.
def test_vary_merge_skips_empty_items_and_keeps_first_spelling() -> None:
    assert merge_vary(["accept, , ORIGIN", ""], ["Origin"]) == "accept, ORIGIN"


def test_vary_star_anywhere_wins() -> None:
    assert merge_vary(["Accept", "*"], ["Origin"]) is None


# RFC 9110 section 15: status codes and their reason phrases.
@pytest.mark.parametrize(
    ("code", "line"),
    [
        pytest.param(204, "204 No Content", id="204"),
        pytest.param(403, "403 Forbidden", id="403"),
        pytest.param(299, "299 Status", id="unregistered"),
    ],
)
def test_status_lines_carry_the_standard_reason_phrase(code: int, line: str) -> None:
    assert status_line(code) == line
