"""The wire, as a table: one row per case, in the manner of rs/cors's TestSpec.

Each row gives, by keyword, the options, the request (method, path, headers),
the expected status, the expected headers (list-valued ones compared as sets),
the headers that must be absent, and, where it matters, the exact body. The
``Access-Control-*`` headers of every response must be exactly the expected
ones (``tests.support.headers.assert_cors_headers``). Each row's ``ref`` cites
the Fetch Standard clause it comes from, or the section of the documented
contract (docs/behaviour.rst, docs/configuration.rst, docs/security.rst) that
fixes the exact values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Dict, Mapping, Optional, Tuple

import pytest
from werkzeug.middleware.lint import LintMiddleware

from cors_wsgi import CORSMiddleware
from tests.support.apps import APP_BODY, EchoApp
from tests.support.client import MakeClient
from tests.support.environ import make_environ, preflight_headers, run_pep3333
from tests.support.headers import (
    ACAC,
    ACAH,
    ACAM,
    ACAO,
    ACAPN,
    ACEH,
    ACMA,
    ACRPN,
    assert_cors_headers,
)
from tests.support.origins import EVIL, ORIGIN
from tests.support.refusals import (
    REFUSED_HEADERS,
    REFUSED_METHOD,
    REFUSED_ORIGIN,
    REFUSED_PRIVATE_NETWORK,
)

FETCH = "https://fetch.spec.whatwg.org/"
PNA = "https://wicg.github.io/private-network-access/"
WIRE = "docs/behaviour.rst, "
CONFIG = "docs/configuration.rst, "
SECURITY = "docs/security.rst, "

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
    """One row of the wire table; rows give every field by name."""

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
        id="not-covered-actual-passes-through",
        ref=WIRE + "1. Not covered",
        options=COVERED_API,
        method="GET",
        headers=org(ORIGIN),
        expected={},
        absent=("Vary",),
        body=APP_BODY,
        path="/other",
    ),
    Case(
        id="not-covered-preflight-reaches-the-app",
        ref=WIRE + "1. Not covered",
        options=COVERED_API,
        method="OPTIONS",
        headers=pre(ORIGIN, "PUT"),
        expected={},
        absent=("Vary",),
        body=APP_BODY,
        path="/other",
    ),
    Case(
        id="covered-prefix-actual-is-answered",
        ref=WIRE + "1. Not covered",
        options=COVERED_API,
        method="GET",
        headers=org(ORIGIN),
        expected={ACAO: ORIGIN, "Vary": VARY},
        path="/api/users",
    ),
    # --- 2. No Origin -------------------------------------------------------------
    Case(
        id="no-origin-dependent-policy-adds-vary-only",
        ref=FETCH + "#cors-protocol-and-http-caches",
        options=ONE,
        method="GET",
        headers={},
        expected={"Vary": VARY},
        body=APP_BODY,
    ),
    Case(
        id="no-origin-star-policy-adds-star-and-no-vary",
        ref=FETCH + "#cors-protocol-and-http-caches",
        options=STAR,
        method="GET",
        headers={},
        expected={ACAO: "*"},
        absent=("Vary",),
        body=APP_BODY,
    ),
    Case(
        id="no-origin-star-policy-with-expose-headers",
        ref=FETCH + "#http-access-control-expose-headers",
        options={"allow_origins": "*", "expose_headers": ["X-Total-Count"]},
        method="GET",
        headers={},
        expected={ACAO: "*", ACEH: "X-Total-Count"},
        absent=("Vary",),
    ),
    Case(
        id="no-origin-credentials-policy-adds-vary-only",
        ref=FETCH + "#cors-protocol-and-http-caches",
        options=CREDS,
        method="POST",
        headers={},
        expected={"Vary": VARY},
    ),
    Case(
        id="no-origin-regex-policy-adds-vary-only",
        ref=FETCH + "#cors-protocol-and-http-caches",
        options=REGEX,
        method="GET",
        headers={},
        expected={"Vary": VARY},
    ),
    Case(
        id="no-origin-callable-policy-adds-vary-only",
        ref=FETCH + "#cors-protocol-and-http-caches",
        options=CALLABLE,
        method="GET",
        headers={},
        expected={"Vary": VARY},
    ),
    Case(
        id="no-origin-options-with-acrm-is-not-a-preflight",
        ref=FETCH + "#cors-preflight-request",
        options=ONE,
        method="OPTIONS",
        headers=pre(None, "PUT"),
        expected={"Vary": VARY},
        body=APP_BODY,
    ),
    # --- 4. Actual requests -------------------------------------------------------
    Case(
        id="actual-allowed-origin-is-echoed",
        ref=FETCH + "#http-access-control-allow-origin",
        options=ONE,
        method="GET",
        headers=org(ORIGIN),
        expected={ACAO: ORIGIN, "Vary": VARY},
        body=APP_BODY,
    ),
    Case(
        id="actual-refused-origin-gets-no-cors-headers",
        ref=FETCH + "#cors-check",
        options=ONE,
        method="GET",
        headers=org(EVIL),
        expected={"Vary": VARY},
        body=APP_BODY,
    ),
    Case(
        id="actual-post-allowed",
        ref=FETCH + "#http-access-control-allow-origin",
        options=ONE,
        method="POST",
        headers=org(ORIGIN),
        expected={ACAO: ORIGIN, "Vary": VARY},
    ),
    Case(
        id="actual-head-allowed",
        ref=FETCH + "#http-access-control-allow-origin",
        options=ONE,
        method="HEAD",
        headers=org(ORIGIN),
        expected={ACAO: ORIGIN, "Vary": VARY},
    ),
    Case(
        id="actual-method-outside-allow-methods-still-gets-allow-origin",
        ref=FETCH + "#cors-check",
        options=ONE,
        method="PUT",
        headers=org(ORIGIN),
        expected={ACAO: ORIGIN, "Vary": VARY},
    ),
    Case(
        id="actual-options-without-acrm-is-answered-by-the-app",
        ref=FETCH + "#cors-preflight-request",
        options=ONE,
        method="OPTIONS",
        headers=org(ORIGIN),
        expected={ACAO: ORIGIN, "Vary": VARY},
        body=APP_BODY,
    ),
    Case(
        id="actual-with-credentials",
        ref=FETCH + "#http-access-control-allow-credentials",
        options=CREDS,
        method="GET",
        headers=org(ORIGIN),
        expected={ACAO: ORIGIN, ACAC: "true", "Vary": VARY},
    ),
    Case(
        id="actual-refused-with-credentials-policy",
        ref=FETCH + "#cors-check",
        options=CREDS,
        method="GET",
        headers=org(EVIL),
        expected={"Vary": VARY},
    ),
    Case(
        id="actual-expose-headers",
        ref=FETCH + "#http-access-control-expose-headers",
        options={
            "allow_origins": [ORIGIN],
            "expose_headers": ["X-Total-Count", "X-Page"],
        },
        method="GET",
        headers=org(ORIGIN),
        expected={ACAO: ORIGIN, ACEH: "X-Total-Count, X-Page", "Vary": VARY},
    ),
    Case(
        id="actual-expose-single-string-is-one-item",
        ref=CONFIG + "(a string is one item)",
        options={"allow_origins": [ORIGIN], "expose_headers": "X-Total-Count"},
        method="GET",
        headers=org(ORIGIN),
        expected={ACAO: ORIGIN, ACEH: "X-Total-Count", "Vary": VARY},
    ),
    Case(
        id="actual-expose-star-without-credentials",
        ref=FETCH + "#http-access-control-expose-headers",
        options={"allow_origins": [ORIGIN], "expose_headers": "*"},
        method="GET",
        headers=org(ORIGIN),
        expected={ACAO: ORIGIN, ACEH: "*", "Vary": VARY},
    ),
    Case(
        id="actual-refused-gets-no-expose-headers",
        ref=FETCH + "#cors-check",
        options={"allow_origins": [ORIGIN], "expose_headers": ["X-Total-Count"]},
        method="GET",
        headers=org(EVIL),
        expected={"Vary": VARY},
    ),
    Case(
        id="actual-star-policy-answers-star",
        ref=FETCH + "#http-access-control-allow-origin",
        options=STAR,
        method="GET",
        headers=org(ORIGIN),
        expected={ACAO: "*"},
        absent=("Vary",),
    ),
    Case(
        id="actual-star-policy-null-origin",
        ref=FETCH + "#http-access-control-allow-origin",
        options=STAR,
        method="GET",
        headers=org("null"),
        expected={ACAO: "*"},
        absent=("Vary",),
    ),
    Case(
        id="actual-config-default-port-matches-origin-without-port",
        ref=CONFIG + "allow_origins; " + FETCH + "#origin-header",
        options={"allow_origins": ["https://app.example.com:443"]},
        method="GET",
        headers=org(ORIGIN),
        expected={ACAO: ORIGIN, "Vary": VARY},
    ),
    Case(
        id="actual-request-default-port-is-echoed-byte-for-byte",
        ref=WIRE + "4. Actual request",
        options=ONE,
        method="GET",
        headers=org("https://app.example.com:443"),
        expected={ACAO: "https://app.example.com:443", "Vary": VARY},
    ),
    Case(
        id="actual-http-default-port-80",
        ref=CONFIG + "allow_origins",
        options={"allow_origins": ["http://app.example.com"]},
        method="GET",
        headers=org("http://app.example.com:80"),
        expected={ACAO: "http://app.example.com:80", "Vary": VARY},
    ),
    Case(
        id="actual-other-port-refused",
        ref=FETCH + "#same-origin",
        options=ONE,
        method="GET",
        headers=org("https://app.example.com:8443"),
        expected={"Vary": VARY},
    ),
    Case(
        id="actual-upper-case-host-compared-lower-cased",
        ref=CONFIG + "allow_origins",
        options=ONE,
        method="GET",
        headers=org("https://APP.Example.com"),
        expected={ACAO: "https://APP.Example.com", "Vary": VARY},
    ),
    Case(
        id="actual-http-when-https-allowed-refused",
        ref=FETCH + "#same-origin",
        options=ONE,
        method="GET",
        headers=org("http://app.example.com"),
        expected={"Vary": VARY},
    ),
    Case(
        id="actual-second-listed-origin-allowed",
        ref=FETCH + "#http-access-control-allow-origin",
        options={"allow_origins": [ORIGIN, "https://second.example.org"]},
        method="GET",
        headers=org("https://second.example.org"),
        expected={ACAO: "https://second.example.org", "Vary": VARY},
    ),
    Case(
        id="actual-single-string-origin-is-one-item",
        ref=CONFIG + "(a string is one item)",
        options={"allow_origins": ORIGIN},
        method="GET",
        headers=org(ORIGIN),
        expected={ACAO: ORIGIN, "Vary": VARY},
    ),
    Case(
        id="actual-localhost-dev-server-with-port",
        ref=FETCH + "#origin-header",
        options={"allow_origins": ["http://localhost:3000"]},
        method="GET",
        headers=org("http://localhost:3000"),
        expected={ACAO: "http://localhost:3000", "Vary": VARY},
    ),
    Case(
        id="actual-ipv6-literal-origin",
        ref=FETCH + "#origin-header",
        options={"allow_origins": ["http://[::1]:8080"]},
        method="GET",
        headers=org("http://[::1]:8080"),
        expected={ACAO: "http://[::1]:8080", "Vary": VARY},
    ),
    # wildcard subdomains
    Case(
        id="wildcard-subdomain-allowed",
        ref=CONFIG + "allow_origins",
        options=WILD,
        method="GET",
        headers=org("https://a.example.com"),
        expected={ACAO: "https://a.example.com", "Vary": VARY},
    ),
    Case(
        id="wildcard-deep-subdomain-allowed",
        ref=CONFIG + "allow_origins",
        options=WILD,
        method="GET",
        headers=org("https://a.b.example.com"),
        expected={ACAO: "https://a.b.example.com", "Vary": VARY},
    ),
    Case(
        id="wildcard-apex-refused",
        ref=CONFIG + "allow_origins",
        options=WILD,
        method="GET",
        headers=org("https://example.com"),
        expected={"Vary": VARY},
    ),
    Case(
        id="wildcard-hyphen-prefix-refused",
        ref=CONFIG + "allow_origins",
        options=WILD,
        method="GET",
        headers=org("https://evil-example.com"),
        expected={"Vary": VARY},
    ),
    Case(
        id="wildcard-suffix-attack-refused",
        ref=CONFIG + "allow_origins",
        options=WILD,
        method="GET",
        headers=org("https://a.example.com.evil.net"),
        expected={"Vary": VARY},
    ),
    Case(
        id="wildcard-other-scheme-refused",
        ref=CONFIG + "allow_origins",
        options=WILD,
        method="GET",
        headers=org("http://a.example.com"),
        expected={"Vary": VARY},
    ),
    Case(
        id="wildcard-port-must-match-as-written",
        ref=CONFIG + "allow_origins",
        options={"allow_origins": ["https://*.example.com:8443"]},
        method="GET",
        headers=org("https://a.example.com:8443"),
        expected={ACAO: "https://a.example.com:8443", "Vary": VARY},
    ),
    Case(
        id="wildcard-missing-port-refused",
        ref=CONFIG + "allow_origins",
        options={"allow_origins": ["https://*.example.com:8443"]},
        method="GET",
        headers=org("https://a.example.com"),
        expected={"Vary": VARY},
    ),
    # regex, callable, null
    Case(
        id="regex-full-match-allowed",
        ref=SECURITY + "Regular expressions match the whole origin",
        options=REGEX,
        method="GET",
        headers=org("https://app.example.org"),
        expected={ACAO: "https://app.example.org", "Vary": VARY},
    ),
    Case(
        id="regex-partial-match-refused",
        ref="Starlette 2020 regex fullmatch fix",
        options=REGEX,
        method="GET",
        headers=org("https://app.example.org.evil.net"),
        expected={"Vary": VARY},
    ),
    Case(
        id="regex-compiled-pattern-allowed",
        ref=CONFIG + "allow_origin_regex",
        options={"allow_origin_regex": re.compile(r"https://(a|b)\.example\.org")},
        method="GET",
        headers=org("https://b.example.org"),
        expected={ACAO: "https://b.example.org", "Vary": VARY},
    ),
    Case(
        id="regex-or-list-either-allows",
        ref=CONFIG + "allow_origins",
        options={
            "allow_origins": [ORIGIN],
            "allow_origin_regex": r"https://x\.example\.org",
        },
        method="GET",
        headers=org("https://x.example.org"),
        expected={ACAO: "https://x.example.org", "Vary": VARY},
    ),
    Case(
        id="callable-allows",
        ref=CONFIG + "allow_origins (a callable)",
        options=CALLABLE,
        method="GET",
        headers=org("https://app.example.org"),
        expected={ACAO: "https://app.example.org", "Vary": VARY},
    ),
    Case(
        id="callable-refuses",
        ref=CONFIG + "allow_origins (a callable)",
        options=CALLABLE,
        method="GET",
        headers=org(ORIGIN),
        expected={"Vary": VARY},
    ),
    Case(
        id="null-allowed-by-literal-entry",
        ref=FETCH + "#origin-header",
        options={"allow_origins": [ORIGIN, "null"]},
        method="GET",
        headers=org("null"),
        expected={ACAO: "null", "Vary": VARY},
    ),
    Case(
        id="null-refused-by-default",
        ref=FETCH + "#origin-header",
        options=ONE,
        method="GET",
        headers=org("null"),
        expected={"Vary": VARY},
    ),
    Case(
        id="null-never-allowed-by-wildcard-label",
        ref=CONFIG + "allow_origins",
        options=WILD,
        method="GET",
        headers=org("null"),
        expected={"Vary": VARY},
    ),
    Case(
        id="null-allowed-by-matching-regex",
        ref=CONFIG + "allow_origins",
        options={"allow_origin_regex": "null|https://.*"},
        method="GET",
        headers=org("null"),
        expected={ACAO: "null", "Vary": VARY},
    ),
    # --- 3. Preflights ------------------------------------------------------------
    Case(
        id="preflight-accepted",
        ref=FETCH + "#cors-preflight-fetch",
        options={"allow_origins": [ORIGIN], "allow_methods": ["GET", "PUT"]},
        method="OPTIONS",
        headers=pre(ORIGIN, "PUT"),
        expected=ok("PUT"),
        status=204,
        body=b"",
    ),
    Case(
        id="preflight-safelisted-method-get",
        ref=FETCH + "#cors-safelisted-method",
        options=ONE,
        method="OPTIONS",
        headers=pre(ORIGIN, "GET"),
        expected=ok("GET"),
        status=204,
        body=b"",
    ),
    Case(
        id="preflight-safelisted-method-post-even-when-unlisted",
        ref=FETCH + "#cors-safelisted-method",
        options={"allow_origins": [ORIGIN], "allow_methods": ["PUT"]},
        method="OPTIONS",
        headers=pre(ORIGIN, "POST"),
        expected=ok("POST"),
        status=204,
    ),
    Case(
        id="preflight-unlisted-method-refused",
        ref=FETCH + "#cors-preflight-fetch",
        options=ONE,
        method="OPTIONS",
        headers=pre(ORIGIN, "DELETE"),
        **refused(REFUSED_METHOD),
    ),
    Case(
        id="preflight-method-compared-case-sensitively",
        ref=FETCH + "#concept-method-normalize",
        options={"allow_origins": [ORIGIN], "allow_methods": ["PATCH"]},
        method="OPTIONS",
        headers=pre(ORIGIN, "patch"),
        **refused(REFUSED_METHOD),
    ),
    Case(
        id="preflight-configured-lower-case-put-is-normalised",
        ref=FETCH + "#concept-method-normalize",
        options={"allow_origins": [ORIGIN], "allow_methods": ["put"]},
        method="OPTIONS",
        headers=pre(ORIGIN, "PUT"),
        expected=ok("PUT"),
        status=204,
    ),
    Case(
        id="preflight-methods-star-echoes-the-method",
        ref=FETCH + "#http-access-control-allow-methods",
        options={"allow_origins": [ORIGIN], "allow_methods": "*"},
        method="OPTIONS",
        headers=pre(ORIGIN, "PROPFIND"),
        expected=ok("PROPFIND"),
        status=204,
    ),
    Case(
        id="preflight-methods-star-with-credentials-names-the-method",
        ref=FETCH + "#http-access-control-allow-methods",
        options={
            "allow_origins": [ORIGIN],
            "allow_methods": "*",
            "allow_credentials": True,
        },
        method="OPTIONS",
        headers=pre(ORIGIN, "PURGE"),
        expected=ok("PURGE", **{ACAC: "true"}),
        status=204,
    ),
    Case(
        id="preflight-methods-single-string-is-one-item",
        ref=CONFIG + "(a string is one item)",
        options={"allow_origins": [ORIGIN], "allow_methods": "PUT"},
        method="OPTIONS",
        headers=pre(ORIGIN, "PUT"),
        expected=ok("PUT"),
        status=204,
    ),
    Case(
        id="preflight-headers-single-string-is-one-item",
        ref=CONFIG + "(a string is one item)",
        options={"allow_origins": [ORIGIN], "allow_headers": "X-Api-Key"},
        method="OPTIONS",
        headers=pre(ORIGIN, "GET", "x-api-key"),
        expected=ok("GET", **{ACAH: "x-api-key"}),
        status=204,
    ),
    Case(
        id="preflight-method-not-a-token-refused",
        ref=FETCH + "#concept-method",
        options={"allow_origins": [ORIGIN], "allow_methods": "*"},
        method="OPTIONS",
        headers=pre(ORIGIN, "PU T"),
        **refused(REFUSED_METHOD),
    ),
    Case(
        id="preflight-origin-refused",
        ref=FETCH + "#cors-preflight-fetch",
        options=ONE,
        method="OPTIONS",
        headers=pre(EVIL, "GET"),
        **refused(REFUSED_ORIGIN),
    ),
    Case(
        id="preflight-origin-checked-before-method",
        ref=FETCH + "#cors-preflight-fetch",
        options=ONE,
        method="OPTIONS",
        headers=pre(EVIL, "DELETE", "x-unknown"),
        **refused(REFUSED_ORIGIN),
    ),
    Case(
        id="preflight-method-checked-before-headers",
        ref=FETCH + "#cors-preflight-fetch",
        options=ONE,
        method="OPTIONS",
        headers=pre(ORIGIN, "DELETE", "x-unknown"),
        **refused(REFUSED_METHOD),
    ),
    Case(
        id="preflight-listed-headers-accepted",
        ref=FETCH + "#http-access-control-allow-headers",
        options={
            "allow_origins": [ORIGIN],
            "allow_headers": ["X-Requested-With", "X-Api-Key"],
        },
        method="OPTIONS",
        headers=pre(ORIGIN, "GET", "x-requested-with,x-api-key"),
        expected=ok("GET", **{ACAH: "x-requested-with, x-api-key"}),
        status=204,
    ),
    Case(
        id="preflight-header-names-compared-case-insensitively",
        ref=FETCH + "#concept-header-name",
        options={"allow_origins": [ORIGIN], "allow_headers": ["x-api-key"]},
        method="OPTIONS",
        headers=pre(ORIGIN, "GET", "X-API-Key"),
        expected=ok("GET", **{ACAH: "x-api-key"}),
        status=204,
    ),
    Case(
        id="preflight-unlisted-header-refused",
        ref=FETCH + "#cors-preflight-fetch",
        options=ONE,
        method="OPTIONS",
        headers=pre(ORIGIN, "GET", "x-custom"),
        **refused(REFUSED_HEADERS),
    ),
    Case(
        id="preflight-one-unlisted-header-among-listed-refused",
        ref=FETCH + "#cors-preflight-fetch",
        options={"allow_origins": [ORIGIN], "allow_headers": ["X-A"]},
        method="OPTIONS",
        headers=pre(ORIGIN, "GET", "x-a, x-b"),
        **refused(REFUSED_HEADERS),
    ),
    Case(
        id="preflight-content-type-always-allowed",
        ref=FETCH + "#cors-safelisted-request-header",
        options=ONE,
        method="OPTIONS",
        headers=pre(ORIGIN, "POST", "content-type"),
        expected=ok("POST", **{ACAH: "content-type"}),
        status=204,
    ),
    Case(
        id="preflight-four-safelisted-names-always-allowed",
        ref=FETCH + "#cors-safelisted-request-header",
        options=ONE,
        method="OPTIONS",
        headers=pre(
            ORIGIN, "GET", "accept,accept-language,content-language,content-type"
        ),
        expected=ok(
            "GET", **{ACAH: "accept, accept-language, content-language, content-type"}
        ),
        status=204,
    ),
    Case(
        id="preflight-headers-star-allows-any-name",
        ref=FETCH + "#http-access-control-allow-headers",
        options={"allow_origins": [ORIGIN], "allow_headers": "*"},
        method="OPTIONS",
        headers=pre(ORIGIN, "GET", "x-anything,x-other"),
        expected=ok("GET", **{ACAH: "x-anything, x-other"}),
        status=204,
    ),
    Case(
        id="preflight-headers-star-names-authorization-literally",
        ref=FETCH + "#cors-non-wildcard-request-header-name",
        options={"allow_origins": [ORIGIN], "allow_headers": "*"},
        method="OPTIONS",
        headers=pre(ORIGIN, "GET", "authorization"),
        expected=ok("GET", **{ACAH: "authorization"}),
        status=204,
    ),
    Case(
        id="preflight-headers-star-with-credentials-names-headers-literally",
        ref=FETCH + "#http-access-control-allow-headers",
        options={
            "allow_origins": [ORIGIN],
            "allow_headers": "*",
            "allow_credentials": True,
        },
        method="OPTIONS",
        headers=pre(ORIGIN, "GET", "x-anything"),
        expected=ok("GET", **{ACAH: "x-anything", ACAC: "true"}),
        status=204,
    ),
    Case(
        id="preflight-empty-items-ignored-and-duplicates-merged",
        ref=FETCH + "#cors-preflight-fetch",
        options={"allow_origins": [ORIGIN], "allow_headers": ["X-A"]},
        method="OPTIONS",
        headers=pre(ORIGIN, "GET", "x-a,,X-A, "),
        expected=ok("GET", **{ACAH: "x-a"}),
        status=204,
    ),
    Case(
        id="preflight-header-not-a-token-refused",
        ref=FETCH + "#concept-header-name",
        options={"allow_origins": [ORIGIN], "allow_headers": "*"},
        method="OPTIONS",
        headers=pre(ORIGIN, "GET", "x-a, x b"),
        **refused(REFUSED_HEADERS),
    ),
    Case(
        id="preflight-with-credentials",
        ref=FETCH + "#http-access-control-allow-credentials",
        options=CREDS,
        method="OPTIONS",
        headers=pre(ORIGIN, "GET"),
        expected=ok("GET", **{ACAC: "true"}),
        status=204,
    ),
    Case(
        id="preflight-max-age-none-omits-the-header",
        ref=FETCH + "#http-access-control-max-age",
        options={"allow_origins": [ORIGIN], "max_age": None},
        method="OPTIONS",
        headers=pre(ORIGIN, "GET"),
        expected=ok("GET", max_age=None),
        absent=(ACMA,),
        status=204,
    ),
    Case(
        id="preflight-max-age-zero-is-sent",
        ref=FETCH + "#http-access-control-max-age",
        options={"allow_origins": [ORIGIN], "max_age": 0},
        method="OPTIONS",
        headers=pre(ORIGIN, "GET"),
        expected=ok("GET", max_age="0"),
        status=204,
    ),
    Case(
        id="preflight-max-age-custom",
        ref=FETCH + "#http-access-control-max-age",
        options={"allow_origins": [ORIGIN], "max_age": 86400},
        method="OPTIONS",
        headers=pre(ORIGIN, "GET"),
        expected=ok("GET", max_age="86400"),
        status=204,
    ),
    Case(
        id="preflight-carries-no-expose-headers",
        ref=FETCH + "#http-responses",
        options={"allow_origins": [ORIGIN], "expose_headers": ["X-Total-Count"]},
        method="OPTIONS",
        headers=pre(ORIGIN, "GET"),
        expected=ok("GET"),
        absent=(ACEH,),
        status=204,
    ),
    Case(
        id="preflight-star-policy-answers-star-without-vary",
        ref=FETCH + "#http-access-control-allow-origin",
        options=STAR,
        method="OPTIONS",
        headers=pre(ORIGIN, "GET"),
        expected={ACAO: "*", ACAM: "GET", ACMA: "600"},
        absent=("Vary",),
        status=204,
        body=b"",
    ),
    Case(
        id="preflight-star-policy-null-origin",
        ref=FETCH + "#http-access-control-allow-origin",
        options=STAR,
        method="OPTIONS",
        headers=pre("null", "POST"),
        expected={ACAO: "*", ACAM: "POST", ACMA: "600"},
        absent=("Vary",),
        status=204,
    ),
    Case(
        id="preflight-star-policy-refused-method-has-no-vary",
        ref=FETCH + "#cors-protocol-and-http-caches",
        options=STAR,
        method="OPTIONS",
        headers=pre(ORIGIN, "DELETE"),
        expected={},
        absent=("Vary",),
        status=403,
        body=REFUSED_METHOD,
    ),
    Case(
        id="preflight-wildcard-subdomain-accepted",
        ref=CONFIG + "allow_origins",
        options=WILD,
        method="OPTIONS",
        headers=pre("https://a.example.com", "GET"),
        expected=ok("GET", origin="https://a.example.com"),
        status=204,
    ),
    Case(
        id="preflight-wildcard-suffix-attack-refused",
        ref=CONFIG + "allow_origins",
        options=WILD,
        method="OPTIONS",
        headers=pre("https://example.com.evil.net", "GET"),
        **refused(REFUSED_ORIGIN),
    ),
    Case(
        id="preflight-regex-accepted",
        ref=CONFIG + "allow_origins",
        options=REGEX,
        method="OPTIONS",
        headers=pre("https://app.example.org", "GET"),
        expected=ok("GET", origin="https://app.example.org"),
        status=204,
    ),
    Case(
        id="preflight-callable-refused",
        ref=CONFIG + "allow_origins",
        options=CALLABLE,
        method="OPTIONS",
        headers=pre(EVIL, "GET"),
        **refused(REFUSED_ORIGIN),
    ),
    Case(
        id="preflight-null-allowed-by-literal",
        ref=FETCH + "#origin-header",
        options={"allow_origins": ["null"]},
        method="OPTIONS",
        headers=pre("null", "GET"),
        expected=ok("GET", origin="null"),
        status=204,
    ),
    Case(
        id="preflight-default-port-echoed-byte-for-byte",
        ref=WIRE + "3. Preflight",
        options=ONE,
        method="OPTIONS",
        headers=pre("https://app.example.com:443", "GET"),
        expected=ok("GET", origin="https://app.example.com:443"),
        status=204,
    ),
    # private network access
    Case(
        id="preflight-private-network-accepted-when-allowed",
        ref=PNA,
        options={"allow_origins": [ORIGIN], "allow_private_network": True},
        method="OPTIONS",
        headers=pre(ORIGIN, "GET", pna=True),
        expected=ok("GET", **{ACAPN: "true"}),
        status=204,
    ),
    Case(
        id="preflight-private-network-refused-by-default",
        ref=PNA + " (CVE-2024-6221)",
        options=ONE,
        method="OPTIONS",
        headers=pre(ORIGIN, "GET", pna=True),
        **refused(REFUSED_PRIVATE_NETWORK),
    ),
    Case(
        id="preflight-private-network-not-requested-gets-no-header",
        ref=PNA,
        options={"allow_origins": [ORIGIN], "allow_private_network": True},
        method="OPTIONS",
        headers=pre(ORIGIN, "GET"),
        expected=ok("GET"),
        absent=(ACAPN,),
        status=204,
    ),
    Case(
        id="preflight-private-network-false-is-not-a-request",
        ref=PNA,
        options=ONE,
        method="OPTIONS",
        headers={**pre(ORIGIN, "GET"), ACRPN: "false"},
        expected=ok("GET"),
        status=204,
    ),
    Case(
        id="preflight-headers-checked-before-private-network",
        ref=FETCH + "#cors-preflight-fetch",
        options=ONE,
        method="OPTIONS",
        headers=pre(ORIGIN, "GET", "x-unknown", pna=True),
        **refused(REFUSED_HEADERS),
    ),
    # statuses and passthrough
    Case(
        id="preflight-status-option",
        ref=FETCH + "#cors-preflight-fetch (ok status)",
        options={"allow_origins": [ORIGIN], "preflight_status": 200},
        method="OPTIONS",
        headers=pre(ORIGIN, "GET"),
        expected=ok("GET"),
        status=200,
        body=b"",
    ),
    Case(
        id="deny-status-option",
        ref=CONFIG + "deny_status",
        options={"allow_origins": [ORIGIN], "deny_status": 400},
        method="OPTIONS",
        headers=pre(EVIL, "GET"),
        **refused(REFUSED_ORIGIN, status=400),
    ),
    Case(
        id="deny-status-option-applies-to-every-reason",
        ref=CONFIG + "deny_status",
        options={"allow_origins": [ORIGIN], "deny_status": 401},
        method="OPTIONS",
        headers=pre(ORIGIN, "DELETE"),
        **refused(REFUSED_METHOD, status=401),
    ),
    Case(
        id="passthrough-accepted-app-answers-with-preflight-headers",
        ref=CONFIG + "preflight_passthrough",
        options={"allow_origins": [ORIGIN], "preflight_passthrough": True},
        method="OPTIONS",
        headers=pre(ORIGIN, "GET"),
        expected=ok("GET"),
        status=200,
        body=APP_BODY,
    ),
    Case(
        id="passthrough-refused-app-answers-with-vary-only",
        ref=CONFIG + "preflight_passthrough",
        options={"allow_origins": [ORIGIN], "preflight_passthrough": True},
        method="OPTIONS",
        headers=pre(EVIL, "GET"),
        expected={"Vary": VARY},
        status=200,
        body=APP_BODY,
    ),
    Case(
        id="passthrough-star-policy",
        ref=CONFIG + "preflight_passthrough",
        options={"allow_origins": "*", "preflight_passthrough": True},
        method="OPTIONS",
        headers=pre(EVIL, "POST"),
        expected={ACAO: "*", ACAM: "POST", ACMA: "600"},
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
def test_wire(case: Case, make_client: MakeClient) -> None:
    """Each row: status, exact CORS header set, absent headers and body; the row's
    ``ref`` names its Fetch Standard clause or documented section."""
    client = make_client(**case.options)
    response = client.request(case.method, case.path, case.headers)
    assert response.status_code == case.status, case.ref
    assert_cors_headers(response, case.expected, case.absent)
    if case.body is not None:
        assert response.data == case.body, case.ref


# --- one behaviour per test, beside the table -----------------------------------------


@pytest.mark.parametrize(
    ("method", "headers"),
    [
        pytest.param("OPTIONS", {}, id="options-without-acrm"),
        pytest.param("GET", {"Access-Control-Request-Method": "PUT"}, id="get-acrm"),
        pytest.param(
            "options", {"Access-Control-Request-Method": "PUT"}, id="lower-case-options"
        ),
    ],
)
def test_only_options_with_access_control_request_method_is_a_preflight(
    method: str, headers: Dict[str, str]
) -> None:
    """https://fetch.spec.whatwg.org/#cors-preflight-request: a preflight is an
    ``OPTIONS`` request (methods compare case-sensitively) with
    Access-Control-Request-Method; anything else is an actual request, which
    reaches the app and gets no preflight headers. (A strict PEP 3333 server
    here: wsgiref's validator refuses a lower-case method outright.)"""
    app = EchoApp()
    middleware = CORSMiddleware(app, allow_origins=[ORIGIN], allow_methods=["PUT"])
    result = run_pep3333(
        middleware, make_environ(method, "/", {"Origin": ORIGIN, **headers})
    )
    assert len(app.calls) == 1
    assert ("Access-Control-Allow-Origin", ORIGIN) in result.headers
    assert not any(name == "Access-Control-Allow-Methods" for name, _ in result.headers)


def test_accepted_preflight_does_not_call_the_app(make_client: MakeClient) -> None:
    """https://fetch.spec.whatwg.org/#cors-preflight-fetch: the middleware answers."""
    client = make_client(allow_origins=[ORIGIN])
    client.preflight(ORIGIN, "GET")
    assert client.app.calls == []


def test_refused_preflight_does_not_call_the_app(make_client: MakeClient) -> None:
    """https://fetch.spec.whatwg.org/#cors-preflight-fetch: the middleware answers."""
    client = make_client(allow_origins=[ORIGIN])
    client.preflight(EVIL, "GET")
    assert client.app.calls == []


def test_passthrough_preflight_calls_the_app_once(make_client: MakeClient) -> None:
    """docs/configuration.rst, "preflight_passthrough": the app answers the OPTIONS."""
    client = make_client(allow_origins=[ORIGIN], preflight_passthrough=True)
    client.preflight(ORIGIN, "GET")
    assert len(client.app.calls) == 1


def test_actual_request_calls_the_app_once_even_when_refused(
    make_client: MakeClient,
) -> None:
    """docs/behaviour.rst, "4. Actual request": the app always runs for actual
    requests."""
    client = make_client(allow_origins=[ORIGIN])
    client.actual(EVIL, "DELETE")
    assert len(client.app.calls) == 1


@pytest.mark.parametrize(
    ("origin", "method", "request_headers", "body"),
    [
        pytest.param(EVIL, "GET", None, REFUSED_ORIGIN, id="origin"),
        pytest.param(ORIGIN, "DELETE", None, REFUSED_METHOD, id="method"),
        pytest.param(ORIGIN, "GET", "x-secret", REFUSED_HEADERS, id="headers"),
    ],
)
def test_refused_preflight_body_is_plain_text_naming_the_reason(
    make_client: MakeClient,
    origin: str,
    method: str,
    request_headers: Optional[str],
    body: bytes,
) -> None:
    """docs/behaviour.rst, "3. Preflight": a short text/plain body saying which part was
    refused."""
    response = make_client(allow_origins=[ORIGIN]).preflight(
        origin, method, request_headers
    )
    assert response.mimetype == "text/plain"
    assert response.data == body


def test_refused_preflight_body_does_not_echo_request_values(
    make_client: MakeClient,
) -> None:
    """docs/behaviour.rst, "3. Preflight": the refusal never echoes the request's
    values."""
    response = make_client(allow_origins=[ORIGIN]).preflight(
        "https://echo-me.example.net", "X-ECHO-METHOD", "x-echo-header"
    )
    assert response.status_code == 403
    for value in (b"echo-me", b"ECHO-METHOD", b"x-echo-header"):
        assert value not in response.data


def test_accepted_preflight_is_204_without_body_or_content_length(
    make_client: MakeClient,
) -> None:
    """https://fetch.spec.whatwg.org/#cors-preflight-fetch; RFC 9110 section 8.6: no
    Content-Length in a 204."""
    response = make_client(allow_origins=[ORIGIN]).preflight(ORIGIN, "GET")
    assert response.status == "204 No Content"
    assert "Content-Length" not in response.headers
    assert response.data == b""


def test_accepted_preflight_with_status_200_has_zero_content_length(
    make_client: MakeClient,
) -> None:
    """https://fetch.spec.whatwg.org/#cors-preflight-fetch (any ok status)."""
    response = make_client(allow_origins=[ORIGIN], preflight_status=200).preflight(
        ORIGIN, "GET"
    )
    assert response.status == "200 OK"
    assert response.headers.get("Content-Length") == "0"
    assert response.data == b""


def test_refused_preflight_status_line_is_the_standard_phrase(
    make_client: MakeClient,
) -> None:
    """RFC 9110 section 15.5.4: the status line carries the standard reason phrase."""
    response = make_client(allow_origins=[ORIGIN]).preflight(EVIL, "GET")
    assert response.status == "403 Forbidden"


def test_unregistered_status_gets_a_generic_reason_phrase(
    make_client: MakeClient,
) -> None:
    """RFC 9110 section 15: a status code without a registered reason phrase still gets
    a well-formed status line (PEP 3333 asks for one)."""
    response = make_client(allow_origins=[ORIGIN], preflight_status=299).preflight(
        ORIGIN, "GET"
    )
    assert response.status == "299 Status"


@pytest.mark.parametrize(
    "status",
    [
        pytest.param(204, id="204-no-content"),
        pytest.param(205, id="205-reset-content"),
        pytest.param(304, id="304-not-modified"),
    ],
)
def test_refused_preflight_with_a_bodyless_deny_status_sends_no_body(
    status: int,
) -> None:
    """RFC 9110 sections 15.3.5, 15.3.6 and 15.4.5: 204, 205 and 304 carry no content,
    so the refusal has no body and no Content-Type or Content-Length
    (docs/behaviour.rst, "3. Preflight"). wsgiref's validator insists on a Content-Type
    for 205, so this runs without it."""
    middleware = CORSMiddleware(EchoApp(), allow_origins=[ORIGIN], deny_status=status)
    environ = make_environ("OPTIONS", "/", preflight_headers(EVIL, "PUT"))
    result = run_pep3333(LintMiddleware(middleware), environ)
    assert result.status.startswith(f"{status} ")
    assert result.body == b""
    assert [name for name, _ in result.headers] == ["Vary"]
