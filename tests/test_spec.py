"""The wire, as a table: one row per case, in the manner of rs/cors's TestSpec.

Each row gives the options, the request (method, path, headers), the expected
status, the expected headers (list-valued ones compared as sets), the headers
that must be absent, and, where it matters, the exact body. The
``Access-Control-*`` headers of every response must be exactly the expected
ones (``tests.helpers.assert_cors_headers``). Each row cites the Fetch Standard
clause (or API.md rule) it comes from.

API.md's "Behaviour on the wire" rules 1-7 and the lead's wire decisions
(/tmp/cors_decisions.md) fix the exact values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Dict, Mapping, Optional, Tuple

import pytest

from tests.helpers import (
    ACAC,
    ACAH,
    ACAM,
    ACAO,
    ACAPN,
    ACEH,
    ACMA,
    ACRPN,
    APP_BODY,
    EVIL,
    ORIGIN,
    REFUSED_HEADERS,
    REFUSED_METHOD,
    REFUSED_ORIGIN,
    REFUSED_PRIVATE_NETWORK,
    MakeApp,
    assert_cors_headers,
    preflight_headers,
)

FETCH = "https://fetch.spec.whatwg.org/"
PNA = "https://wicg.github.io/private-network-access/"

# Policies used by many rows.
ONE: Dict[str, Any] = {"allow_origins": [ORIGIN]}
STAR: Dict[str, Any] = {"allow_origins": "*"}
CREDS: Dict[str, Any] = {"allow_origins": [ORIGIN], "allow_credentials": True}
WILD: Dict[str, Any] = {"allow_origins": ["https://*.example.com"]}
REGEX: Dict[str, Any] = {"allow_origin_regex": r"https://[a-z]+\.example\.org"}
COVERED_API: Dict[str, Any] = {"resources": {"/api/*": {"allow_origins": [ORIGIN]}}}


def only_example_org(origin: str, environ: Mapping[str, Any]) -> bool:
    """A callable policy: allows exactly https://app.example.org."""
    return origin == "https://app.example.org"


CALLABLE: Dict[str, Any] = {"allow_origins": only_example_org}
VARY = "Origin"


@dataclass(frozen=True)
class Case:
    id: str
    ref: str
    options: Mapping[str, Any]
    method: str
    headers: Mapping[str, str]
    expected: Mapping[str, str]
    absent: Tuple[str, ...] = ()
    status: int = 200
    body: Optional[bytes] = None
    path: str = "/"


def pre(
    origin: Optional[str],
    method: str,
    request_headers: Optional[str] = None,
    *,
    pna: bool = False,
) -> Dict[str, str]:
    """Preflight request headers."""
    return preflight_headers(origin, method, request_headers, private_network=pna)


def org(origin: str) -> Dict[str, str]:
    """Actual request headers: just the Origin."""
    return {"Origin": origin}


def ok(
    method: str, origin: str = ORIGIN, max_age: Optional[str] = "600", **extra: str
) -> Dict[str, str]:
    """The headers of an accepted, origin-dependent preflight."""
    headers = {ACAO: origin, ACAM: method, "Vary": VARY}
    if max_age is not None:
        headers[ACMA] = max_age
    headers.update(extra)
    return headers


def refused(reason: bytes, *, status: int = 403) -> Dict[str, Any]:
    """Row fields of a refused, origin-dependent preflight."""
    return {"expected": {"Vary": VARY}, "status": status, "body": reason}


CASES = [
    # --- 1. Not covered: untouched ------------------------------------------------
    Case(
        "not-covered-actual-passes-through",
        "API.md rule 1",
        COVERED_API,
        "GET",
        org(ORIGIN),
        {},
        absent=("Vary",),
        body=APP_BODY,
        path="/other",
    ),
    Case(
        "not-covered-preflight-reaches-the-app",
        "API.md rule 1",
        COVERED_API,
        "OPTIONS",
        pre(ORIGIN, "PUT"),
        {},
        absent=("Vary",),
        body=APP_BODY,
        path="/other",
    ),
    Case(
        "covered-prefix-actual-is-answered",
        "API.md rule 1",
        COVERED_API,
        "GET",
        org(ORIGIN),
        {ACAO: ORIGIN, "Vary": VARY},
        path="/api/users",
    ),
    # --- 2. No Origin -------------------------------------------------------------
    Case(
        "no-origin-dependent-policy-adds-vary-only",
        FETCH + "#cors-protocol-and-http-caches",
        ONE,
        "GET",
        {},
        {"Vary": VARY},
        body=APP_BODY,
    ),
    Case(
        "no-origin-star-policy-adds-star-and-no-vary",
        FETCH + "#cors-protocol-and-http-caches",
        STAR,
        "GET",
        {},
        {ACAO: "*"},
        absent=("Vary",),
        body=APP_BODY,
    ),
    Case(
        "no-origin-star-policy-with-expose-headers",
        FETCH + "#http-access-control-expose-headers",
        {"allow_origins": "*", "expose_headers": ["X-Total-Count"]},
        "GET",
        {},
        {ACAO: "*", ACEH: "X-Total-Count"},
        absent=("Vary",),
    ),
    Case(
        "no-origin-credentials-policy-adds-vary-only",
        FETCH + "#cors-protocol-and-http-caches",
        CREDS,
        "POST",
        {},
        {"Vary": VARY},
    ),
    Case(
        "no-origin-regex-policy-adds-vary-only",
        FETCH + "#cors-protocol-and-http-caches",
        REGEX,
        "GET",
        {},
        {"Vary": VARY},
    ),
    Case(
        "no-origin-callable-policy-adds-vary-only",
        FETCH + "#cors-protocol-and-http-caches",
        CALLABLE,
        "GET",
        {},
        {"Vary": VARY},
    ),
    Case(
        "no-origin-options-with-acrm-is-not-a-preflight",
        FETCH + "#cors-preflight-request",
        ONE,
        "OPTIONS",
        pre(None, "PUT"),
        {"Vary": VARY},
        body=APP_BODY,
    ),
    # --- 4. Actual requests -------------------------------------------------------
    Case(
        "actual-allowed-origin-is-echoed",
        FETCH + "#http-access-control-allow-origin",
        ONE,
        "GET",
        org(ORIGIN),
        {ACAO: ORIGIN, "Vary": VARY},
        body=APP_BODY,
    ),
    Case(
        "actual-refused-origin-gets-no-cors-headers",
        FETCH + "#cors-check",
        ONE,
        "GET",
        org(EVIL),
        {"Vary": VARY},
        body=APP_BODY,
    ),
    Case(
        "actual-post-allowed",
        FETCH + "#http-access-control-allow-origin",
        ONE,
        "POST",
        org(ORIGIN),
        {ACAO: ORIGIN, "Vary": VARY},
    ),
    Case(
        "actual-head-allowed",
        FETCH + "#http-access-control-allow-origin",
        ONE,
        "HEAD",
        org(ORIGIN),
        {ACAO: ORIGIN, "Vary": VARY},
    ),
    Case(
        "actual-method-outside-allow-methods-still-gets-allow-origin",
        FETCH + "#cors-check",
        ONE,
        "PUT",
        org(ORIGIN),
        {ACAO: ORIGIN, "Vary": VARY},
    ),
    Case(
        "actual-options-without-acrm-is-answered-by-the-app",
        FETCH + "#cors-preflight-request",
        ONE,
        "OPTIONS",
        org(ORIGIN),
        {ACAO: ORIGIN, "Vary": VARY},
        body=APP_BODY,
    ),
    Case(
        "actual-with-credentials",
        FETCH + "#http-access-control-allow-credentials",
        CREDS,
        "GET",
        org(ORIGIN),
        {ACAO: ORIGIN, ACAC: "true", "Vary": VARY},
    ),
    Case(
        "actual-refused-with-credentials-policy",
        FETCH + "#cors-check",
        CREDS,
        "GET",
        org(EVIL),
        {"Vary": VARY},
    ),
    Case(
        "actual-expose-headers",
        FETCH + "#http-access-control-expose-headers",
        {"allow_origins": [ORIGIN], "expose_headers": ["X-Total-Count", "X-Page"]},
        "GET",
        org(ORIGIN),
        {ACAO: ORIGIN, ACEH: "X-Total-Count, X-Page", "Vary": VARY},
    ),
    Case(
        "actual-expose-single-string-is-one-item",
        "API.md Constructor (a string is one item)",
        {"allow_origins": [ORIGIN], "expose_headers": "X-Total-Count"},
        "GET",
        org(ORIGIN),
        {ACAO: ORIGIN, ACEH: "X-Total-Count", "Vary": VARY},
    ),
    Case(
        "actual-expose-star-without-credentials",
        FETCH + "#http-access-control-expose-headers",
        {"allow_origins": [ORIGIN], "expose_headers": "*"},
        "GET",
        org(ORIGIN),
        {ACAO: ORIGIN, ACEH: "*", "Vary": VARY},
    ),
    Case(
        "actual-refused-gets-no-expose-headers",
        FETCH + "#cors-check",
        {"allow_origins": [ORIGIN], "expose_headers": ["X-Total-Count"]},
        "GET",
        org(EVIL),
        {"Vary": VARY},
    ),
    Case(
        "actual-star-policy-answers-star",
        FETCH + "#http-access-control-allow-origin",
        STAR,
        "GET",
        org(ORIGIN),
        {ACAO: "*"},
        absent=("Vary",),
    ),
    Case(
        "actual-star-policy-null-origin",
        FETCH + "#http-access-control-allow-origin",
        STAR,
        "GET",
        org("null"),
        {ACAO: "*"},
        absent=("Vary",),
    ),
    Case(
        "actual-config-default-port-matches-origin-without-port",
        "API.md Origins; " + FETCH + "#origin-header",
        {"allow_origins": ["https://app.example.com:443"]},
        "GET",
        org(ORIGIN),
        {ACAO: ORIGIN, "Vary": VARY},
    ),
    Case(
        "actual-request-default-port-is-echoed-byte-for-byte",
        "API.md rule 4",
        ONE,
        "GET",
        org("https://app.example.com:443"),
        {ACAO: "https://app.example.com:443", "Vary": VARY},
    ),
    Case(
        "actual-http-default-port-80",
        "API.md Origins",
        {"allow_origins": ["http://app.example.com"]},
        "GET",
        org("http://app.example.com:80"),
        {ACAO: "http://app.example.com:80", "Vary": VARY},
    ),
    Case(
        "actual-other-port-refused",
        FETCH + "#same-origin",
        ONE,
        "GET",
        org("https://app.example.com:8443"),
        {"Vary": VARY},
    ),
    Case(
        "actual-upper-case-host-compared-lower-cased",
        "API.md Origins",
        ONE,
        "GET",
        org("https://APP.Example.com"),
        {ACAO: "https://APP.Example.com", "Vary": VARY},
    ),
    Case(
        "actual-http-when-https-allowed-refused",
        FETCH + "#same-origin",
        ONE,
        "GET",
        org("http://app.example.com"),
        {"Vary": VARY},
    ),
    Case(
        "actual-second-listed-origin-allowed",
        FETCH + "#http-access-control-allow-origin",
        {"allow_origins": [ORIGIN, "https://second.example.org"]},
        "GET",
        org("https://second.example.org"),
        {ACAO: "https://second.example.org", "Vary": VARY},
    ),
    Case(
        "actual-single-string-origin-is-one-item",
        "API.md Constructor",
        {"allow_origins": ORIGIN},
        "GET",
        org(ORIGIN),
        {ACAO: ORIGIN, "Vary": VARY},
    ),
    Case(
        "actual-localhost-dev-server-with-port",
        FETCH + "#origin-header",
        {"allow_origins": ["http://localhost:3000"]},
        "GET",
        org("http://localhost:3000"),
        {ACAO: "http://localhost:3000", "Vary": VARY},
    ),
    Case(
        "actual-ipv6-literal-origin",
        FETCH + "#origin-header",
        {"allow_origins": ["http://[::1]:8080"]},
        "GET",
        org("http://[::1]:8080"),
        {ACAO: "http://[::1]:8080", "Vary": VARY},
    ),
    # wildcard subdomains
    Case(
        "wildcard-subdomain-allowed",
        "API.md Origins",
        WILD,
        "GET",
        org("https://a.example.com"),
        {ACAO: "https://a.example.com", "Vary": VARY},
    ),
    Case(
        "wildcard-deep-subdomain-allowed",
        "API.md Origins",
        WILD,
        "GET",
        org("https://a.b.example.com"),
        {ACAO: "https://a.b.example.com", "Vary": VARY},
    ),
    Case(
        "wildcard-apex-refused",
        "API.md Origins",
        WILD,
        "GET",
        org("https://example.com"),
        {"Vary": VARY},
    ),
    Case(
        "wildcard-hyphen-prefix-refused",
        "API.md Origins",
        WILD,
        "GET",
        org("https://evil-example.com"),
        {"Vary": VARY},
    ),
    Case(
        "wildcard-suffix-attack-refused",
        "API.md Origins",
        WILD,
        "GET",
        org("https://a.example.com.evil.net"),
        {"Vary": VARY},
    ),
    Case(
        "wildcard-other-scheme-refused",
        "API.md Origins",
        WILD,
        "GET",
        org("http://a.example.com"),
        {"Vary": VARY},
    ),
    Case(
        "wildcard-port-must-match-as-written",
        "API.md Origins",
        {"allow_origins": ["https://*.example.com:8443"]},
        "GET",
        org("https://a.example.com:8443"),
        {ACAO: "https://a.example.com:8443", "Vary": VARY},
    ),
    Case(
        "wildcard-missing-port-refused",
        "API.md Origins",
        {"allow_origins": ["https://*.example.com:8443"]},
        "GET",
        org("https://a.example.com"),
        {"Vary": VARY},
    ),
    # regex, callable, null
    Case(
        "regex-full-match-allowed",
        "API.md Origins (fullmatch)",
        REGEX,
        "GET",
        org("https://app.example.org"),
        {ACAO: "https://app.example.org", "Vary": VARY},
    ),
    Case(
        "regex-partial-match-refused",
        "Starlette 2020 regex fullmatch fix",
        REGEX,
        "GET",
        org("https://app.example.org.evil.net"),
        {"Vary": VARY},
    ),
    Case(
        "regex-compiled-pattern-allowed",
        "API.md Constructor",
        {"allow_origin_regex": re.compile(r"https://(a|b)\.example\.org")},
        "GET",
        org("https://b.example.org"),
        {ACAO: "https://b.example.org", "Vary": VARY},
    ),
    Case(
        "regex-or-list-either-allows",
        "API.md Origins",
        {"allow_origins": [ORIGIN], "allow_origin_regex": r"https://x\.example\.org"},
        "GET",
        org("https://x.example.org"),
        {ACAO: "https://x.example.org", "Vary": VARY},
    ),
    Case(
        "callable-allows",
        "API.md Origins (callable)",
        CALLABLE,
        "GET",
        org("https://app.example.org"),
        {ACAO: "https://app.example.org", "Vary": VARY},
    ),
    Case(
        "callable-refuses",
        "API.md Origins (callable)",
        CALLABLE,
        "GET",
        org(ORIGIN),
        {"Vary": VARY},
    ),
    Case(
        "null-allowed-by-literal-entry",
        FETCH + "#origin-header",
        {"allow_origins": [ORIGIN, "null"]},
        "GET",
        org("null"),
        {ACAO: "null", "Vary": VARY},
    ),
    Case(
        "null-refused-by-default",
        FETCH + "#origin-header",
        ONE,
        "GET",
        org("null"),
        {"Vary": VARY},
    ),
    Case(
        "null-never-allowed-by-wildcard-label",
        "API.md Origins",
        WILD,
        "GET",
        org("null"),
        {"Vary": VARY},
    ),
    Case(
        "null-allowed-by-matching-regex",
        "API.md Origins",
        {"allow_origin_regex": "null|https://.*"},
        "GET",
        org("null"),
        {ACAO: "null", "Vary": VARY},
    ),
    # --- 3. Preflights ------------------------------------------------------------
    Case(
        "preflight-accepted",
        FETCH + "#cors-preflight-fetch",
        {"allow_origins": [ORIGIN], "allow_methods": ["GET", "PUT"]},
        "OPTIONS",
        pre(ORIGIN, "PUT"),
        ok("PUT"),
        status=204,
        body=b"",
    ),
    Case(
        "preflight-safelisted-method-get",
        FETCH + "#cors-safelisted-method",
        ONE,
        "OPTIONS",
        pre(ORIGIN, "GET"),
        ok("GET"),
        status=204,
        body=b"",
    ),
    Case(
        "preflight-safelisted-method-post-even-when-unlisted",
        FETCH + "#cors-safelisted-method",
        {"allow_origins": [ORIGIN], "allow_methods": ["PUT"]},
        "OPTIONS",
        pre(ORIGIN, "POST"),
        ok("POST"),
        status=204,
    ),
    Case(
        "preflight-unlisted-method-refused",
        FETCH + "#cors-preflight-fetch",
        ONE,
        "OPTIONS",
        pre(ORIGIN, "DELETE"),
        **refused(REFUSED_METHOD),
    ),
    Case(
        "preflight-method-compared-case-sensitively",
        FETCH + "#concept-method-normalize",
        {"allow_origins": [ORIGIN], "allow_methods": ["PATCH"]},
        "OPTIONS",
        pre(ORIGIN, "patch"),
        **refused(REFUSED_METHOD),
    ),
    Case(
        "preflight-configured-lower-case-put-is-normalised",
        FETCH + "#concept-method-normalize",
        {"allow_origins": [ORIGIN], "allow_methods": ["put"]},
        "OPTIONS",
        pre(ORIGIN, "PUT"),
        ok("PUT"),
        status=204,
    ),
    Case(
        "preflight-methods-star-echoes-the-method",
        FETCH + "#http-access-control-allow-methods",
        {"allow_origins": [ORIGIN], "allow_methods": "*"},
        "OPTIONS",
        pre(ORIGIN, "PROPFIND"),
        ok("PROPFIND"),
        status=204,
    ),
    Case(
        "preflight-methods-star-with-credentials-names-the-method",
        FETCH + "#http-access-control-allow-methods",
        {"allow_origins": [ORIGIN], "allow_methods": "*", "allow_credentials": True},
        "OPTIONS",
        pre(ORIGIN, "PURGE"),
        ok("PURGE", **{ACAC: "true"}),
        status=204,
    ),
    Case(
        "preflight-methods-single-string-is-one-item",
        "API.md Constructor (a string is one item)",
        {"allow_origins": [ORIGIN], "allow_methods": "PUT"},
        "OPTIONS",
        pre(ORIGIN, "PUT"),
        ok("PUT"),
        status=204,
    ),
    Case(
        "preflight-headers-single-string-is-one-item",
        "API.md Constructor (a string is one item)",
        {"allow_origins": [ORIGIN], "allow_headers": "X-Api-Key"},
        "OPTIONS",
        pre(ORIGIN, "GET", "x-api-key"),
        ok("GET", **{ACAH: "x-api-key"}),
        status=204,
    ),
    Case(
        "preflight-method-not-a-token-refused",
        FETCH + "#concept-method",
        {"allow_origins": [ORIGIN], "allow_methods": "*"},
        "OPTIONS",
        pre(ORIGIN, "PU T"),
        **refused(REFUSED_METHOD),
    ),
    Case(
        "preflight-origin-refused",
        FETCH + "#cors-preflight-fetch",
        ONE,
        "OPTIONS",
        pre(EVIL, "GET"),
        **refused(REFUSED_ORIGIN),
    ),
    Case(
        "preflight-origin-checked-before-method",
        FETCH + "#cors-preflight-fetch",
        ONE,
        "OPTIONS",
        pre(EVIL, "DELETE", "x-unknown"),
        **refused(REFUSED_ORIGIN),
    ),
    Case(
        "preflight-method-checked-before-headers",
        FETCH + "#cors-preflight-fetch",
        ONE,
        "OPTIONS",
        pre(ORIGIN, "DELETE", "x-unknown"),
        **refused(REFUSED_METHOD),
    ),
    Case(
        "preflight-listed-headers-accepted",
        FETCH + "#http-access-control-allow-headers",
        {"allow_origins": [ORIGIN], "allow_headers": ["X-Requested-With", "X-Api-Key"]},
        "OPTIONS",
        pre(ORIGIN, "GET", "x-requested-with,x-api-key"),
        ok("GET", **{ACAH: "x-requested-with, x-api-key"}),
        status=204,
    ),
    Case(
        "preflight-header-names-compared-case-insensitively",
        FETCH + "#concept-header-name",
        {"allow_origins": [ORIGIN], "allow_headers": ["x-api-key"]},
        "OPTIONS",
        pre(ORIGIN, "GET", "X-API-Key"),
        ok("GET", **{ACAH: "x-api-key"}),
        status=204,
    ),
    Case(
        "preflight-unlisted-header-refused",
        FETCH + "#cors-preflight-fetch",
        ONE,
        "OPTIONS",
        pre(ORIGIN, "GET", "x-custom"),
        **refused(REFUSED_HEADERS),
    ),
    Case(
        "preflight-one-unlisted-header-among-listed-refused",
        FETCH + "#cors-preflight-fetch",
        {"allow_origins": [ORIGIN], "allow_headers": ["X-A"]},
        "OPTIONS",
        pre(ORIGIN, "GET", "x-a, x-b"),
        **refused(REFUSED_HEADERS),
    ),
    Case(
        "preflight-content-type-always-allowed",
        FETCH + "#cors-safelisted-request-header",
        ONE,
        "OPTIONS",
        pre(ORIGIN, "POST", "content-type"),
        ok("POST", **{ACAH: "content-type"}),
        status=204,
    ),
    Case(
        "preflight-four-safelisted-names-always-allowed",
        FETCH + "#cors-safelisted-request-header",
        ONE,
        "OPTIONS",
        pre(ORIGIN, "GET", "accept,accept-language,content-language,content-type"),
        ok("GET", **{ACAH: "accept, accept-language, content-language, content-type"}),
        status=204,
    ),
    Case(
        "preflight-headers-star-allows-any-name",
        FETCH + "#http-access-control-allow-headers",
        {"allow_origins": [ORIGIN], "allow_headers": "*"},
        "OPTIONS",
        pre(ORIGIN, "GET", "x-anything,x-other"),
        ok("GET", **{ACAH: "x-anything, x-other"}),
        status=204,
    ),
    Case(
        "preflight-headers-star-names-authorization-literally",
        FETCH + "#cors-non-wildcard-request-header-name",
        {"allow_origins": [ORIGIN], "allow_headers": "*"},
        "OPTIONS",
        pre(ORIGIN, "GET", "authorization"),
        ok("GET", **{ACAH: "authorization"}),
        status=204,
    ),
    Case(
        "preflight-headers-star-with-credentials-names-headers-literally",
        FETCH + "#http-access-control-allow-headers",
        {"allow_origins": [ORIGIN], "allow_headers": "*", "allow_credentials": True},
        "OPTIONS",
        pre(ORIGIN, "GET", "x-anything"),
        ok("GET", **{ACAH: "x-anything", ACAC: "true"}),
        status=204,
    ),
    Case(
        "preflight-empty-items-ignored-and-duplicates-merged",
        FETCH + "#cors-preflight-fetch",
        {"allow_origins": [ORIGIN], "allow_headers": ["X-A"]},
        "OPTIONS",
        pre(ORIGIN, "GET", "x-a,,X-A, "),
        ok("GET", **{ACAH: "x-a"}),
        status=204,
    ),
    Case(
        "preflight-header-not-a-token-refused",
        FETCH + "#concept-header-name",
        {"allow_origins": [ORIGIN], "allow_headers": "*"},
        "OPTIONS",
        pre(ORIGIN, "GET", "x-a, x b"),
        **refused(REFUSED_HEADERS),
    ),
    Case(
        "preflight-with-credentials",
        FETCH + "#http-access-control-allow-credentials",
        CREDS,
        "OPTIONS",
        pre(ORIGIN, "GET"),
        ok("GET", **{ACAC: "true"}),
        status=204,
    ),
    Case(
        "preflight-max-age-none-omits-the-header",
        FETCH + "#http-access-control-max-age",
        {"allow_origins": [ORIGIN], "max_age": None},
        "OPTIONS",
        pre(ORIGIN, "GET"),
        ok("GET", max_age=None),
        absent=(ACMA,),
        status=204,
    ),
    Case(
        "preflight-max-age-zero-is-sent",
        FETCH + "#http-access-control-max-age",
        {"allow_origins": [ORIGIN], "max_age": 0},
        "OPTIONS",
        pre(ORIGIN, "GET"),
        ok("GET", max_age="0"),
        status=204,
    ),
    Case(
        "preflight-max-age-custom",
        FETCH + "#http-access-control-max-age",
        {"allow_origins": [ORIGIN], "max_age": 86400},
        "OPTIONS",
        pre(ORIGIN, "GET"),
        ok("GET", max_age="86400"),
        status=204,
    ),
    Case(
        "preflight-carries-no-expose-headers",
        FETCH + "#http-responses",
        {"allow_origins": [ORIGIN], "expose_headers": ["X-Total-Count"]},
        "OPTIONS",
        pre(ORIGIN, "GET"),
        ok("GET"),
        absent=(ACEH,),
        status=204,
    ),
    Case(
        "preflight-star-policy-answers-star-without-vary",
        FETCH + "#http-access-control-allow-origin",
        STAR,
        "OPTIONS",
        pre(ORIGIN, "GET"),
        {ACAO: "*", ACAM: "GET", ACMA: "600"},
        absent=("Vary",),
        status=204,
        body=b"",
    ),
    Case(
        "preflight-star-policy-null-origin",
        FETCH + "#http-access-control-allow-origin",
        STAR,
        "OPTIONS",
        pre("null", "POST"),
        {ACAO: "*", ACAM: "POST", ACMA: "600"},
        absent=("Vary",),
        status=204,
    ),
    Case(
        "preflight-star-policy-refused-method-has-no-vary",
        FETCH + "#cors-protocol-and-http-caches",
        STAR,
        "OPTIONS",
        pre(ORIGIN, "DELETE"),
        {},
        absent=("Vary",),
        status=403,
        body=REFUSED_METHOD,
    ),
    Case(
        "preflight-wildcard-subdomain-accepted",
        "API.md Origins",
        WILD,
        "OPTIONS",
        pre("https://a.example.com", "GET"),
        ok("GET", origin="https://a.example.com"),
        status=204,
    ),
    Case(
        "preflight-wildcard-suffix-attack-refused",
        "API.md Origins",
        WILD,
        "OPTIONS",
        pre("https://example.com.evil.net", "GET"),
        **refused(REFUSED_ORIGIN),
    ),
    Case(
        "preflight-regex-accepted",
        "API.md Origins",
        REGEX,
        "OPTIONS",
        pre("https://app.example.org", "GET"),
        ok("GET", origin="https://app.example.org"),
        status=204,
    ),
    Case(
        "preflight-callable-refused",
        "API.md Origins",
        CALLABLE,
        "OPTIONS",
        pre(EVIL, "GET"),
        **refused(REFUSED_ORIGIN),
    ),
    Case(
        "preflight-null-allowed-by-literal",
        FETCH + "#origin-header",
        {"allow_origins": ["null"]},
        "OPTIONS",
        pre("null", "GET"),
        ok("GET", origin="null"),
        status=204,
    ),
    Case(
        "preflight-default-port-echoed-byte-for-byte",
        "API.md rule 3",
        ONE,
        "OPTIONS",
        pre("https://app.example.com:443", "GET"),
        ok("GET", origin="https://app.example.com:443"),
        status=204,
    ),
    # private network access
    Case(
        "preflight-private-network-accepted-when-allowed",
        PNA,
        {"allow_origins": [ORIGIN], "allow_private_network": True},
        "OPTIONS",
        pre(ORIGIN, "GET", pna=True),
        ok("GET", **{ACAPN: "true"}),
        status=204,
    ),
    Case(
        "preflight-private-network-refused-by-default",
        PNA + " (CVE-2024-6221)",
        ONE,
        "OPTIONS",
        pre(ORIGIN, "GET", pna=True),
        **refused(REFUSED_PRIVATE_NETWORK),
    ),
    Case(
        "preflight-private-network-not-requested-gets-no-header",
        PNA,
        {"allow_origins": [ORIGIN], "allow_private_network": True},
        "OPTIONS",
        pre(ORIGIN, "GET"),
        ok("GET"),
        absent=(ACAPN,),
        status=204,
    ),
    Case(
        "preflight-private-network-false-is-not-a-request",
        PNA,
        ONE,
        "OPTIONS",
        {**pre(ORIGIN, "GET"), ACRPN: "false"},
        ok("GET"),
        status=204,
    ),
    Case(
        "preflight-headers-checked-before-private-network",
        FETCH + "#cors-preflight-fetch",
        ONE,
        "OPTIONS",
        pre(ORIGIN, "GET", "x-unknown", pna=True),
        **refused(REFUSED_HEADERS),
    ),
    # statuses and passthrough
    Case(
        "preflight-status-option",
        FETCH + "#cors-preflight-fetch (ok status)",
        {"allow_origins": [ORIGIN], "preflight_status": 200},
        "OPTIONS",
        pre(ORIGIN, "GET"),
        ok("GET"),
        status=200,
        body=b"",
    ),
    Case(
        "deny-status-option",
        "API.md Constructor",
        {"allow_origins": [ORIGIN], "deny_status": 400},
        "OPTIONS",
        pre(EVIL, "GET"),
        **refused(REFUSED_ORIGIN, status=400),
    ),
    Case(
        "deny-status-option-applies-to-every-reason",
        "API.md Constructor",
        {"allow_origins": [ORIGIN], "deny_status": 401},
        "OPTIONS",
        pre(ORIGIN, "DELETE"),
        **refused(REFUSED_METHOD, status=401),
    ),
    Case(
        "passthrough-accepted-app-answers-with-preflight-headers",
        "API.md rule 3 (preflight_passthrough)",
        {"allow_origins": [ORIGIN], "preflight_passthrough": True},
        "OPTIONS",
        pre(ORIGIN, "GET"),
        ok("GET"),
        status=200,
        body=APP_BODY,
    ),
    Case(
        "passthrough-refused-app-answers-with-vary-only",
        "API.md rule 3 (preflight_passthrough)",
        {"allow_origins": [ORIGIN], "preflight_passthrough": True},
        "OPTIONS",
        pre(EVIL, "GET"),
        {"Vary": VARY},
        status=200,
        body=APP_BODY,
    ),
    Case(
        "passthrough-star-policy",
        "API.md rule 3 (preflight_passthrough)",
        {"allow_origins": "*", "preflight_passthrough": True},
        "OPTIONS",
        pre(EVIL, "POST"),
        {ACAO: "*", ACAM: "POST", ACMA: "600"},
        absent=("Vary",),
        status=200,
        body=APP_BODY,
    ),
]


def test_table_has_a_unique_id_per_row() -> None:
    """Every row's id names one case (rs/cors TestSpec)."""
    ids = [case.id for case in CASES]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("case", [pytest.param(case, id=case.id) for case in CASES])
def test_wire(case: Case, make_app: MakeApp) -> None:
    """Each row: status, exact CORS header set, absent headers and body; the
    row's ``ref`` names its Fetch Standard clause or API.md rule."""
    app = make_app(**case.options)
    response = app.request(case.method, case.path, case.headers)
    assert response.status_code == case.status, case.ref
    assert_cors_headers(response, case.expected, case.absent)
    if case.body is not None:
        assert response.data == case.body, case.ref


# --- one behaviour per test, beside the table -----------------------------------------


def test_accepted_preflight_does_not_call_the_app(make_app: MakeApp) -> None:
    """https://fetch.spec.whatwg.org/#cors-preflight-fetch: the middleware answers."""
    app = make_app(allow_origins=[ORIGIN])
    app.preflight(ORIGIN, "GET")
    assert app.app.calls == []


def test_refused_preflight_does_not_call_the_app(make_app: MakeApp) -> None:
    """https://fetch.spec.whatwg.org/#cors-preflight-fetch: the middleware answers."""
    app = make_app(allow_origins=[ORIGIN])
    app.preflight(EVIL, "GET")
    assert app.app.calls == []


def test_passthrough_preflight_calls_the_app_once(make_app: MakeApp) -> None:
    """API.md rule 3: with preflight_passthrough the app answers the OPTIONS."""
    app = make_app(allow_origins=[ORIGIN], preflight_passthrough=True)
    app.preflight(ORIGIN, "GET")
    assert len(app.app.calls) == 1


def test_actual_request_calls_the_app_once_even_when_refused(make_app: MakeApp) -> None:
    """API.md rule 4: the app always runs for actual requests."""
    app = make_app(allow_origins=[ORIGIN])
    app.actual(EVIL, "DELETE")
    assert len(app.app.calls) == 1


@pytest.mark.parametrize(
    ("origin", "method", "request_headers", "body"),
    [
        pytest.param(EVIL, "GET", None, REFUSED_ORIGIN, id="origin"),
        pytest.param(ORIGIN, "DELETE", None, REFUSED_METHOD, id="method"),
        pytest.param(ORIGIN, "GET", "x-secret", REFUSED_HEADERS, id="headers"),
    ],
)
def test_refused_preflight_body_is_plain_text_naming_the_reason(
    make_app: MakeApp,
    origin: str,
    method: str,
    request_headers: Optional[str],
    body: bytes,
) -> None:
    """API.md rule 3: a short text/plain body saying which part was refused."""
    response = make_app(allow_origins=[ORIGIN]).preflight(
        origin, method, request_headers
    )
    assert response.mimetype == "text/plain"
    assert response.data == body


def test_refused_preflight_body_does_not_echo_request_values(make_app: MakeApp) -> None:
    """API.md rule 3: the refusal never echoes the request's values."""
    response = make_app(allow_origins=[ORIGIN]).preflight(
        "https://echo-me.example.net", "X-ECHO-METHOD", "x-echo-header"
    )
    assert response.status_code == 403
    for value in (b"echo-me", b"ECHO-METHOD", b"x-echo-header"):
        assert value not in response.data


def test_accepted_preflight_is_204_without_body_or_content_length(
    make_app: MakeApp,
) -> None:
    """https://fetch.spec.whatwg.org/#cors-preflight-fetch; RFC 9110 section 8.6:
    no Content-Length in a 204."""
    response = make_app(allow_origins=[ORIGIN]).preflight(ORIGIN, "GET")
    assert response.status == "204 No Content"
    assert "Content-Length" not in response.headers
    assert response.data == b""


def test_accepted_preflight_with_status_200_has_zero_content_length(
    make_app: MakeApp,
) -> None:
    """https://fetch.spec.whatwg.org/#cors-preflight-fetch (any ok status)."""
    response = make_app(allow_origins=[ORIGIN], preflight_status=200).preflight(
        ORIGIN, "GET"
    )
    assert response.status == "200 OK"
    assert response.headers.get("Content-Length") == "0"
    assert response.data == b""


def test_refused_preflight_status_line_is_the_standard_phrase(
    make_app: MakeApp,
) -> None:
    """Status lines come from http.HTTPStatus (STYLE.md: not hand-written)."""
    response = make_app(allow_origins=[ORIGIN]).preflight(EVIL, "GET")
    assert response.status == "403 Forbidden"
