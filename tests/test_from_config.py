"""``CORSMiddleware.from_config``: every option as a string.

API.md, "String configuration": values come from ini files, Paste Deploy
``[filter:cors]`` sections and environment variables: lists split on commas and
white space, booleans true/false/yes/no/on/off/1/0, decimal numbers, ``max_age``
``none`` or empty. The effect of each parsed value is checked on the wire.
"""

from __future__ import annotations

from typing import Dict

import pytest
from werkzeug.middleware.lint import LintMiddleware
from werkzeug.test import TestResponse

from cors_wsgi import ConfigurationError, CORSMiddleware
from tests.helpers import (
    ACAC,
    ACAH,
    ACAM,
    ACAO,
    ACAPN,
    ACEH,
    ACMA,
    EVIL,
    ORIGIN,
    CORSClient,
    EchoApp,
    assert_cors_headers,
    header_lines,
)

OTHER = "https://other.example.org"


def client(config: Dict[str, str]) -> CORSClient:
    """A checked stack around ``CORSMiddleware.from_config(echo, config)``."""
    echo = EchoApp()
    return CORSClient(echo, CORSMiddleware.from_config(LintMiddleware(echo), config))


def allowed(response: TestResponse, origin: str) -> bool:
    return header_lines(response, ACAO) == [origin]


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(f"{ORIGIN} {OTHER}", id="space"),
        pytest.param(f"{ORIGIN},{OTHER}", id="comma"),
        pytest.param(f"{ORIGIN}, {OTHER}", id="comma-space"),
        pytest.param(f"\n  {ORIGIN}\n  {OTHER}\n", id="ini-continuation-lines"),
        pytest.param(f"{ORIGIN}\t{OTHER}", id="tab"),
    ],
)
def test_origin_list_is_split_on_commas_and_white_space(value: str) -> None:
    """API.md: lists are split on commas and white space."""
    app = client({"allow_origins": value})
    assert allowed(app.actual(ORIGIN), ORIGIN)
    assert allowed(app.actual(OTHER), OTHER)
    assert header_lines(app.actual(EVIL), ACAO) == []


def test_star_string_allows_every_origin() -> None:
    """https://fetch.spec.whatwg.org/#http-access-control-allow-origin: ``*``."""
    response = client({"allow_origins": "*"}).actual(EVIL)
    assert_cors_headers(response, {ACAO: "*"}, absent=["Vary"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("true", True, id="true"),
        pytest.param("True", True, id="True"),
        pytest.param("TRUE", True, id="TRUE"),
        pytest.param("yes", True, id="yes"),
        pytest.param("on", True, id="on"),
        pytest.param("1", True, id="1"),
        pytest.param("false", False, id="false"),
        pytest.param("False", False, id="False"),
        pytest.param("no", False, id="no"),
        pytest.param("off", False, id="off"),
        pytest.param("0", False, id="0"),
    ],
)
def test_boolean_words_set_allow_credentials(text: str, expected: bool) -> None:
    """API.md: booleans accept true/false/yes/no/on/off/1/0;
    https://fetch.spec.whatwg.org/#http-access-control-allow-credentials."""
    response = client({"allow_origins": ORIGIN, "allow_credentials": text}).actual(
        ORIGIN
    )
    assert header_lines(response, ACAC) == (["true"] if expected else [])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("3600", "3600", id="3600"),
        pytest.param("0", "0", id="zero"),
        pytest.param(" 60 ", "60", id="surrounding-space"),
    ],
)
def test_max_age_is_parsed_as_a_decimal_number(text: str, expected: str) -> None:
    """https://fetch.spec.whatwg.org/#http-access-control-max-age."""
    app = client({"allow_origins": ORIGIN, "max_age": text})
    response = app.preflight(ORIGIN, "GET")
    assert header_lines(response, ACMA) == [expected]


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("none", id="none"),
        pytest.param("None", id="None"),
        pytest.param("", id="empty"),
    ],
)
def test_max_age_none_or_empty_omits_the_header(text: str) -> None:
    """API.md: ``none`` or an empty value means None: no Access-Control-Max-Age."""
    response = client({"allow_origins": ORIGIN, "max_age": text}).preflight(
        ORIGIN, "GET"
    )
    assert response.status_code == 204
    assert header_lines(response, ACMA) == []


@pytest.mark.parametrize(
    ("option", "text"),
    [
        pytest.param("max_age", "ten", id="max_age-word"),
        pytest.param("max_age", "-5", id="max_age-negative"),
        pytest.param("max_age", "1.5", id="max_age-float"),
        pytest.param("max_age", "0x10", id="max_age-hex"),
        pytest.param("allow_credentials", "maybe", id="allow_credentials-word"),
        pytest.param("allow_credentials", "2", id="allow_credentials-2"),
        pytest.param("allow_private_network", "sure", id="allow_private_network"),
        pytest.param("preflight_passthrough", "y", id="preflight_passthrough"),
        pytest.param("preflight_status", "ok", id="preflight_status-word"),
        pytest.param("preflight_status", "404", id="preflight_status-404"),
        pytest.param("deny_status", "forbidden", id="deny_status-word"),
        pytest.param("preflight_cache_size", "big", id="preflight_cache_size"),
        pytest.param("allow_origins", "https://a.example/", id="allow_origins-path"),
        pytest.param("allow_origin_regex", "(", id="allow_origin_regex"),
        pytest.param("allow_methods", "GET PO(ST", id="allow_methods"),
        pytest.param("allow_headers", "X-A X:B", id="allow_headers"),
    ],
)
def test_value_that_does_not_parse_names_the_option(option: str, text: str) -> None:
    """API.md: a value that does not parse raises ConfigurationError naming it."""
    config = {"allow_origins": ORIGIN, option: text}
    with pytest.raises(ConfigurationError, match=option):
        CORSMiddleware.from_config(EchoApp(), config)


def test_resources_are_refused() -> None:
    """API.md: ``resources`` is Python-only; from_config refuses it."""
    with pytest.raises(ConfigurationError, match="resources"):
        CORSMiddleware.from_config(EchoApp(), {"resources": "/api/*"})


def test_unknown_key_is_refused_with_a_suggestion() -> None:
    """flask-cors logged unknown keys and went on; we refuse and suggest."""
    with pytest.raises(ConfigurationError, match=r"did you mean 'allow_origins'"):
        CORSMiddleware.from_config(EchoApp(), {"allow_origin": ORIGIN})


def test_empty_config_gives_the_defaults() -> None:
    """API.md "Constructor" defaults: no origin is allowed, Vary: Origin is added
    (https://fetch.spec.whatwg.org/#cors-protocol-and-http-caches)."""
    response = client({}).actual(ORIGIN)
    assert_cors_headers(response, {"Vary": "Origin"})


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("GET PUT", id="space"),
        pytest.param("GET,PUT", id="comma"),
        pytest.param("GET, PUT", id="comma-space"),
    ],
)
def test_method_list_is_split(value: str) -> None:
    """https://fetch.spec.whatwg.org/#cors-preflight-fetch: PUT now allowed."""
    app = client({"allow_origins": ORIGIN, "allow_methods": value})
    response = app.preflight(ORIGIN, "PUT")
    assert response.status_code == 204
    assert_cors_headers(
        response, {ACAO: ORIGIN, ACAM: "PUT", ACMA: "600", "Vary": "Origin"}
    )


def test_methods_star_string_allows_any_method() -> None:
    """https://fetch.spec.whatwg.org/#http-access-control-allow-methods: ``*``."""
    app = client({"allow_origins": ORIGIN, "allow_methods": "*"})
    assert app.preflight(ORIGIN, "PURGE").status_code == 204


def test_header_list_is_split() -> None:
    """https://fetch.spec.whatwg.org/#http-access-control-allow-headers."""
    app = client({"allow_origins": ORIGIN, "allow_headers": "X-A, X-B X-C"})
    response = app.preflight(ORIGIN, "GET", "x-a, x-b, x-c")
    assert response.status_code == 204
    assert_cors_headers(
        response,
        {
            ACAO: ORIGIN,
            ACAM: "GET",
            ACAH: "x-a, x-b, x-c",
            ACMA: "600",
            "Vary": "Origin",
        },
    )


def test_expose_header_list_is_split() -> None:
    """https://fetch.spec.whatwg.org/#http-access-control-expose-headers."""
    app = client({"allow_origins": ORIGIN, "expose_headers": "X-Total,X-Page"})
    assert_cors_headers(
        app.actual(ORIGIN), {ACAO: ORIGIN, ACEH: "X-Total, X-Page", "Vary": "Origin"}
    )


def test_origin_regex_string_is_kept_whole() -> None:
    """API.md Origins: a regex is kept whole (not split) and full-matched."""
    app = client({"allow_origin_regex": r"https://(a|b)\.example\.org"})
    assert allowed(app.actual("https://b.example.org"), "https://b.example.org")
    assert header_lines(app.actual("https://c.example.org"), ACAO) == []


def test_private_network_boolean_is_parsed() -> None:
    """https://wicg.github.io/private-network-access/ (CVE-2024-6221: off by
    default, so only an explicit yes enables it)."""
    app = client({"allow_origins": ORIGIN, "allow_private_network": "yes"})
    response = app.preflight(ORIGIN, "GET", private_network=True)
    assert response.status_code == 204
    assert header_lines(response, ACAPN) == ["true"]


def test_preflight_passthrough_boolean_is_parsed() -> None:
    """``on`` lets the app answer the preflight itself (API.md rule 3)."""
    app = client({"allow_origins": ORIGIN, "preflight_passthrough": "on"})
    response = app.preflight(ORIGIN, "GET")
    assert response.status_code == 200
    assert response.data == b"hello from the app"


def test_statuses_are_parsed() -> None:
    """https://fetch.spec.whatwg.org/#cors-preflight-fetch (an ok status)."""
    app = client(
        {"allow_origins": ORIGIN, "preflight_status": "200", "deny_status": "400"}
    )
    assert app.preflight(ORIGIN, "GET").status_code == 200
    assert app.preflight(EVIL, "GET").status_code == 400


def test_cache_size_zero_is_parsed() -> None:
    """API.md: preflight_cache_size "0" disables the cache; answers stay right."""
    app = client({"allow_origins": ORIGIN, "preflight_cache_size": "0"})
    assert app.preflight(ORIGIN, "GET").status_code == 204
    assert app.preflight(ORIGIN, "GET").status_code == 204
