"""The pure rules: request kinds, the Fetch safelists and preflight decisions."""

from __future__ import annotations

from typing import Any, Dict, List, Tuple

import pytest

from cors_wsgi.config import build_policy
from cors_wsgi.rules import (
    RequestKind,
    check_preflight,
    classify,
    cors_unsafe_request_header_names,
    is_cors_safelisted_method,
    is_cors_safelisted_request_header,
    needs_preflight,
)

# https://fetch.spec.whatwg.org/#cors-preflight-request


@pytest.mark.parametrize(
    ("method", "origin", "request_method", "kind"),
    [
        pytest.param("GET", None, None, RequestKind.NOT_CORS, id="no-origin"),
        pytest.param(
            "OPTIONS", None, "PUT", RequestKind.NOT_CORS, id="options-no-origin"
        ),
        pytest.param(
            "OPTIONS", "https://a.example", "PUT", RequestKind.PREFLIGHT, id="preflight"
        ),
        pytest.param(
            "OPTIONS",
            "https://a.example",
            None,
            RequestKind.ACTUAL,
            id="options-without-acrm",
        ),
        pytest.param(
            "GET", "https://a.example", "PUT", RequestKind.ACTUAL, id="get-with-acrm"
        ),
        pytest.param("GET", "https://a.example", None, RequestKind.ACTUAL, id="get"),
    ],
)
def test_classify_follows_the_preflight_request_definition(
    method: str, origin: str, request_method: str, kind: RequestKind
) -> None:
    assert classify(method, origin, request_method) is kind


# https://fetch.spec.whatwg.org/#cors-safelisted-method
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


def _decide(
    options: Dict[str, Any],
    method: str = "PUT",
    headers: str = "",
    private_network: bool = False,
    origin: str = "https://a.example",
) -> Tuple[str, List[str]]:
    policy = build_policy({"allow_origins": ["https://a.example"], **options})
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
