"""Properties, checked with hypothesis over many generated requests and policies.

- no response carries Access-Control-Allow-Origin for an origin the policy
  refuses, and Allow-Origin is only ever ``*`` or the request's own Origin;
- never ``*`` together with Access-Control-Allow-Credentials;
- ``Origin`` is in Vary on every response of an origin-dependent policy;
- arbitrary latin-1 bytes in Origin, the Access-Control-Request-* headers and
  the path never crash the middleware nor make it answer 5xx.

Every request goes through the protocol-checked stack (wsgiref's validator and
werkzeug's linter), so a reflected control character fails too.
"""

from __future__ import annotations

import re
from typing import Any, Dict, Mapping, Optional

from hypothesis import given, settings
from hypothesis import strategies as st

from cors_wsgi import ConfigurationError, CORSMiddleware
from cors_wsgi._core.http import parse_allowed_header_list, parse_header_list
from tests.support.apps import EchoApp
from tests.support.client import CORSClient, build_client
from tests.support.headers import (
    ACAC,
    ACAO,
    ACEH,
    ACRH,
    ACRM,
    ACRPN,
    header_lines,
    list_items,
)
from tests.support.origins import EVIL, ORIGIN

PROPERTY = settings(max_examples=100, deadline=None, database=None)

LATIN_1 = st.characters(min_codepoint=0, max_codepoint=255)
latin_1_text = st.text(LATIN_1, max_size=40)

#: Origins near the allowed ones: prefixes, suffixes, other schemes and ports.
near_misses = st.builds(
    lambda before, origin, after: before + origin + after,
    st.sampled_from(["", "https://", "http://", "https://evil.", "x", " "]),
    st.sampled_from([ORIGIN, "https://a.example.com", "app.example.com", "null"]),
    st.sampled_from(["", ".evil.net", ":8443", ":443", "/", "\r\n", ",", "com"]),
)
hostnames = st.from_regex(r"[A-Za-z0-9.-]{0,24}", fullmatch=True)
shaped = st.builds(
    lambda scheme, host, port: f"{scheme}://{host}{port}",
    st.sampled_from(["https", "http", "HTTPS", "wss"]),
    st.one_of(hostnames, hostnames.map(lambda h: h + ".example.com")),
    st.sampled_from(["", ":443", ":80", ":8443", ":0"]),
)
origins = st.one_of(
    st.sampled_from([ORIGIN, EVIL, "null", "https://a.example.com", "*"]),
    near_misses,
    shaped,
    latin_1_text,
)
methods = st.sampled_from(["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"])


def optional(strategy: st.SearchStrategy[str]) -> st.SearchStrategy[Optional[str]]:
    return st.one_of(st.none(), strategy)


@st.composite
def request_headers(draw: st.DrawFn) -> Dict[str, str]:
    """Origin, ACRM, ACRH and ACRPN, each present or not, mostly plausible."""
    headers: Dict[str, str] = {}
    values = {
        "Origin": optional(origins),
        ACRM: optional(st.one_of(methods, latin_1_text)),
        ACRH: optional(
            st.one_of(
                st.sampled_from(["x-a", "content-type", "authorization, x-b"]),
                latin_1_text,
            )
        ),
        ACRPN: optional(st.sampled_from(["true", "false", "TRUE", ""])),
    }
    for name, strategy in values.items():
        value = draw(strategy)
        if value is not None:
            headers[name] = value
    return headers


def wildcard_might_allow(origin: str) -> bool:
    """A generous oracle for ``[ORIGIN, "https://*.example.com"]``: False means the
    policy certainly refuses the origin."""
    lowered = origin.lower()
    if lowered.endswith(":443"):
        lowered = lowered[: -len(":443")]
    return re.fullmatch(r"https://(?:[a-z0-9-]+\.)*example\.com", lowered) is not None


EXACT_AND_WILDCARD = build_client(allow_origins=[ORIGIN, "https://*.example.com"])


@PROPERTY
@given(origin=origins, method=methods, preflight=st.booleans())
def test_refused_origin_never_gets_allow_origin(
    origin: str, method: str, preflight: bool
) -> None:
    """https://fetch.spec.whatwg.org/#cors-check: a browser shares the response iff
    Allow-Origin matches; so it must never match a refused origin."""
    headers = {"Origin": origin}
    if preflight:
        headers[ACRM] = method
    response = EXACT_AND_WILDCARD.request(
        "OPTIONS" if preflight else method, "/", headers
    )
    allow_origin = header_lines(response, ACAO)
    if not wildcard_might_allow(origin):
        assert allow_origin == []
    assert allow_origin in ([], [origin])


@st.composite
def policies(draw: st.DrawFn) -> Dict[str, Any]:
    """Random policies over the documented options."""
    return {
        "allow_origins": draw(
            st.sampled_from(
                [
                    "*",
                    [ORIGIN],
                    ["https://*.example.com", "null"],
                    lambda origin, environ: origin.endswith(".example.com"),
                ]
            )
        ),
        "allow_credentials": draw(st.booleans()),
        "expose_headers": draw(st.sampled_from([(), ["X-Total"], "*"])),
        "allow_headers": draw(st.sampled_from([(), ["X-A"], "*"])),
        "allow_methods": draw(st.sampled_from([("GET", "HEAD", "POST"), "*", ["PUT"]])),
        "max_age": draw(st.sampled_from([None, 0, 600])),
        "allow_private_network": draw(st.booleans()),
        "preflight_passthrough": draw(st.booleans()),
        "preflight_cache_size": draw(st.sampled_from([0, 2, 1024])),
    }


def is_refused_by_config(policy: Mapping[str, Any]) -> bool:
    """With credentials, ``*`` (origins or expose headers) and the ``null`` origin are
    ConfigurationErrors (docs/security.rst, "Credentials and "*"" and "The null
    origin")."""
    origins = policy["allow_origins"]
    star = origins == "*" or policy["expose_headers"] == "*"
    null = isinstance(origins, list) and "null" in origins
    return bool(policy["allow_credentials"] and (star or null))


def checked_client(policy: Dict[str, Any]) -> Optional[CORSClient]:
    """The checked stack for *policy*, or None when the policy must be refused."""
    if is_refused_by_config(policy):
        try:
            CORSMiddleware(EchoApp(), **policy)
        except ConfigurationError:
            return None
        raise AssertionError(f"{policy!r} should be refused")
    return build_client(**policy)


@PROPERTY
@given(policy=policies(), method=methods, headers=request_headers())
def test_star_is_never_sent_with_credentials(
    policy: Dict[str, Any], method: str, headers: Dict[str, str]
) -> None:
    """https://fetch.spec.whatwg.org/#cors-protocol-and-credentials: ``*`` with
    credentials fails the CORS check, and is a configuration error here."""
    client = checked_client(policy)
    if client is None:
        return
    response = client.request(method, "/", headers)
    if header_lines(response, ACAC):
        assert header_lines(response, ACAC) == ["true"]
        assert header_lines(response, ACAO) == [headers.get("Origin")]
        assert "*" not in list_items(response, ACEH)
    assert header_lines(response, ACAO) in ([], ["*"], [headers.get("Origin")])


@PROPERTY
@given(policy=policies(), method=methods, headers=request_headers())
def test_origin_is_in_vary_on_every_origin_dependent_response(
    policy: Dict[str, Any], method: str, headers: Dict[str, str]
) -> None:
    """https://fetch.spec.whatwg.org/#cors-protocol-and-http-caches: an answer that
    depends on Origin must say so, or a shared cache serves it to others; and a ``*``
    policy without credentials never adds it."""
    client = checked_client(policy)
    if client is None:
        return
    response = client.request(method, "/", headers)
    vary = [item.lower() for item in list_items(response, "Vary")]
    origin_dependent = policy["allow_origins"] != "*"
    assert ("origin" in vary) is origin_dependent


GARBAGE_CLIENT = build_client(
    resources={
        "/api/*": {"allow_origins": [ORIGIN], "allow_credentials": True},
        "/exact": {"allow_origins": ["https://*.example.com"]},
        re.compile(r"/v[0-9]+/.*"): {"allow_origin_regex": r"https://.*"},
        "/public/*": {"allow_origins": "*", "expose_headers": "*"},
        "/passthrough/*": {"allow_origins": [ORIGIN], "preflight_passthrough": True},
    },
    allow_headers=["X-A"],
    allow_methods="*",
    allow_private_network=True,
)


@PROPERTY
@given(
    method=methods,
    path=st.sampled_from(
        ["/", "/api/", "/exact", "/v1/", "/public/", "/passthrough/"]
    ).flatmap(lambda prefix: latin_1_text.map(lambda rest: prefix + rest)),
    origin=optional(latin_1_text),
    acrm=optional(latin_1_text),
    acrh=optional(latin_1_text),
    acrpn=optional(latin_1_text),
)
def test_arbitrary_header_bytes_never_crash_or_give_5xx(
    method: str,
    path: str,
    origin: Optional[str],
    acrm: Optional[str],
    acrh: Optional[str],
    acrpn: Optional[str],
) -> None:
    """docs/security.rst, "Malformed and hostile requests": bad input is refused, never
    a crash and never a 500; latin-1 text is what a WSGI server hands over for arbitrary
    header bytes (PEP 3333)."""
    headers = {
        name: value
        for name, value in (
            ("Origin", origin),
            (ACRM, acrm),
            (ACRH, acrh),
            (ACRPN, acrpn),
        )
        if value is not None
    }
    response = GARBAGE_CLIENT.request(method, "/", headers, PATH_INFO=path)
    assert response.status_code < 500
    assert header_lines(response, ACAO) in ([], ["*"], [origin])


#: Pieces of Access-Control-Request-Headers values: names, separators, white
#: space, and characters whose lower-case form is ASCII (the Kelvin sign).
header_list_values = st.lists(
    st.sampled_from(
        [
            "x-a",
            "X-B",
            "k",
            "K",
            "\u212a",
            "\u0130",
            "accept",
            "x-",
            ",",
            ", ",
            "\t",
            " ",
        ]
    ),
    max_size=12,
).map("".join)
ALLOWED_NAMES = frozenset({"x-a", "x-b", "k", "accept", "content-type"})


# RFC 9110 5.6.1 (lists) and 5.6.2 (tokens): the shortcut taken for values a
# policy accepts may only ever agree with the full parser.
@PROPERTY
@given(value=header_list_values)
def test_header_list_shortcut_agrees_with_the_full_parser(value: str) -> None:
    quick = parse_allowed_header_list(value, ALLOWED_NAMES)
    if quick is not None:
        assert quick == parse_header_list(value)
        assert ALLOWED_NAMES.issuperset(quick)
