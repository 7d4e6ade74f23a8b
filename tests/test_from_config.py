"""``CORSMiddleware.from_config``: every option as a string.

docs/from_config.rst: values come from ini files, Paste Deploy ``[filter:cors]``
sections and environment variables: lists split on commas and white space,
booleans true/false/yes/no/on/off/1/0, decimal numbers, ``max_age`` ``none`` or
empty. The effect of each parsed value is checked on the wire; the parsing
itself (``cors_wsgi._core.options.coerce_options``) is checked directly too.
"""

from __future__ import annotations

from typing import Any, Dict

import pytest
from werkzeug.test import TestResponse

from cors_wsgi import ConfigurationError, CORSMiddleware
from cors_wsgi._core.options import coerce_options, env_name, relabel
from tests.support.apps import APP_BODY, EchoApp
from tests.support.client import config_client
from tests.support.headers import (
    ACAC,
    ACAH,
    ACAM,
    ACAO,
    ACAPN,
    ACEH,
    ACMA,
    assert_cors_headers,
    header_lines,
)
from tests.support.origins import EVIL, ORIGIN

OTHER = "https://other.example.org"


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
    """docs/from_config.rst: lists are split on commas and white space."""
    client = config_client({"allow_origins": value})
    assert allowed(client.actual(ORIGIN), ORIGIN)
    assert allowed(client.actual(OTHER), OTHER)
    assert header_lines(client.actual(EVIL), ACAO) == []


def test_star_string_allows_every_origin() -> None:
    """https://fetch.spec.whatwg.org/#http-access-control-allow-origin: ``*``."""
    response = config_client({"allow_origins": "*"}).actual(EVIL)
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
    """docs/from_config.rst: booleans accept true/false/yes/no/on/off/1/0;
    https://fetch.spec.whatwg.org/#http-access-control-allow-credentials."""
    response = config_client(
        {"allow_origins": ORIGIN, "allow_credentials": text}
    ).actual(ORIGIN)
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
    client = config_client({"allow_origins": ORIGIN, "max_age": text})
    response = client.preflight(ORIGIN, "GET")
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
    """docs/from_config.rst: ``none`` or an empty value means None: no
    Access-Control-Max-Age."""
    response = config_client({"allow_origins": ORIGIN, "max_age": text}).preflight(
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
    """docs/from_config.rst: a value that does not parse raises ConfigurationError
    naming the option."""
    config = {"allow_origins": ORIGIN, option: text}
    with pytest.raises(ConfigurationError, match=rf"(?m)^{option}: "):
        CORSMiddleware.from_config(EchoApp(), config)


def test_resources_are_refused() -> None:
    """docs/from_config.rst: ``resources`` is Python-only; from_config refuses it."""
    with pytest.raises(ConfigurationError, match="resources"):
        CORSMiddleware.from_config(EchoApp(), {"resources": "/api/*"})


def test_unknown_key_is_refused_with_a_suggestion() -> None:
    """docs/from_config.rst: an unknown key is refused with a suggestion (flask-cors
    logged unknown keys and went on)."""
    with pytest.raises(ConfigurationError, match=r"did you mean 'allow_origins'"):
        CORSMiddleware.from_config(EchoApp(), {"allow_origin": ORIGIN})


def test_empty_config_gives_the_defaults() -> None:
    """docs/configuration.rst defaults: no origin is allowed, Vary: Origin is added
    (https://fetch.spec.whatwg.org/#cors-protocol-and-http-caches)."""
    response = config_client({}).actual(ORIGIN)
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
    client = config_client({"allow_origins": ORIGIN, "allow_methods": value})
    response = client.preflight(ORIGIN, "PUT")
    assert response.status_code == 204
    assert_cors_headers(
        response, {ACAO: ORIGIN, ACAM: "PUT", ACMA: "600", "Vary": "Origin"}
    )


def test_methods_star_string_allows_any_method() -> None:
    """https://fetch.spec.whatwg.org/#http-access-control-allow-methods: ``*``."""
    client = config_client({"allow_origins": ORIGIN, "allow_methods": "*"})
    assert client.preflight(ORIGIN, "PURGE").status_code == 204


def test_header_list_is_split() -> None:
    """https://fetch.spec.whatwg.org/#http-access-control-allow-headers."""
    client = config_client({"allow_origins": ORIGIN, "allow_headers": "X-A, X-B X-C"})
    response = client.preflight(ORIGIN, "GET", "x-a, x-b, x-c")
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
    client = config_client(
        {"allow_origins": ORIGIN, "expose_headers": "X-Total,X-Page"}
    )
    assert_cors_headers(
        client.actual(ORIGIN), {ACAO: ORIGIN, ACEH: "X-Total, X-Page", "Vary": "Origin"}
    )


def test_origin_regex_string_is_kept_whole() -> None:
    """docs/from_config.rst: a regex is kept whole (not split) and full-matched."""
    client = config_client({"allow_origin_regex": r"https://(a|b)\.example\.org"})
    assert allowed(client.actual("https://b.example.org"), "https://b.example.org")
    assert header_lines(client.actual("https://c.example.org"), ACAO) == []


def test_private_network_boolean_is_parsed() -> None:
    """https://wicg.github.io/private-network-access/ (CVE-2024-6221: off by default, so
    only an explicit yes enables it)."""
    client = config_client({"allow_origins": ORIGIN, "allow_private_network": "yes"})
    response = client.preflight(ORIGIN, "GET", private_network=True)
    assert response.status_code == 204
    assert header_lines(response, ACAPN) == ["true"]


def test_preflight_passthrough_boolean_is_parsed() -> None:
    """``on`` lets the app answer the preflight itself (docs/configuration.rst,
    "preflight_passthrough")."""
    client = config_client({"allow_origins": ORIGIN, "preflight_passthrough": "on"})
    response = client.preflight(ORIGIN, "GET")
    assert response.status_code == 200
    assert response.data == APP_BODY


def test_statuses_are_parsed() -> None:
    """https://fetch.spec.whatwg.org/#cors-preflight-fetch (an ok status)."""
    client = config_client(
        {"allow_origins": ORIGIN, "preflight_status": "200", "deny_status": "400"}
    )
    assert client.preflight(ORIGIN, "GET").status_code == 200
    assert client.preflight(EVIL, "GET").status_code == 400


def test_cache_size_zero_is_parsed() -> None:
    """docs/configuration.rst, "preflight_cache_size": "0" disables the cache; answers
    stay right."""
    client = config_client({"allow_origins": ORIGIN, "preflight_cache_size": "0"})
    assert client.preflight(ORIGIN, "GET").status_code == 204
    assert client.preflight(ORIGIN, "GET").status_code == 204


def test_every_value_that_does_not_parse_is_reported_at_once() -> None:
    """docs/configuration.rst: every problem of one call in one error, one line each,
    unknown keys included."""
    config = {
        "max_age": "ten",
        "allow_credentials": "maybe",
        "allow_origin": ORIGIN,
    }
    with pytest.raises(ConfigurationError) as excinfo:
        CORSMiddleware.from_config(EchoApp(), config)
    lines = str(excinfo.value).splitlines()
    assert len(lines) == 3, lines
    assert lines[0].startswith("max_age: 'ten' is not a decimal integer")
    assert lines[1].startswith("allow_credentials: 'maybe' is not a boolean")
    assert lines[2].startswith("unknown option 'allow_origin'")


# --- the parsing itself: cors_wsgi._core.options.coerce_options ----------------------


def test_coerce_options_refuses_resources_given_as_python() -> None:
    """docs/from_config.rst: ``resources`` has no string form, whatever its value."""
    with pytest.raises(ConfigurationError, match=r"^resources: "):
        coerce_options({"resources": {"/api/*": {}}})


def test_coerce_options_accepts_dashes_and_any_case() -> None:
    """docs/from_config.rst: ini keys such as ``Allow-Origins`` name the option."""
    assert coerce_options({"Allow-Origins": "https://a.example"}) == {
        "allow_origins": ("https://a.example",)
    }


def test_coerce_options_takes_python_values_as_they_are() -> None:
    """docs/from_config.rst: values that are not strings are taken as given."""
    assert coerce_options({"max_age": 5, "allow_credentials": True}) == {
        "max_age": 5,
        "allow_credentials": True,
    }


def test_coerce_options_labels_each_line_with_where_the_value_came_from() -> None:
    """docs/from_config.rst: a problem in an environment variable names the variable,
    not the option."""
    with pytest.raises(ConfigurationError) as excinfo:
        coerce_options({"max_age": "ten", "deny_status": "x"}, label=env_name)
    lines = str(excinfo.value).splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "CORS_MAX_AGE",
        "CORS_DENY_STATUS",
    ]


def test_relabel_renames_the_option_of_each_line_it_can() -> None:
    """docs/from_config.rst: an entry point whose options came from variables reports
    every line under the variable's name; other lines stay."""
    error = ConfigurationError(
        "allow_origins: 'x' has no scheme\nunknown option 'y'\nnot: an option"
    )
    assert relabel(error, env_name).splitlines() == [
        "CORS_ALLOW_ORIGINS: 'x' has no scheme",
        "unknown option 'y'",
        "not: an option",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("*", "*", id="star"),
        pytest.param(" * ", "*", id="star-with-space"),
        pytest.param("*, GET", ("*", "GET"), id="star-among-items"),
        pytest.param("", (), id="empty"),
        pytest.param(" , ,", (), id="only-separators"),
    ],
)
def test_list_values_split_and_a_lone_star_means_any(text: str, expected: Any) -> None:
    """docs/from_config.rst: lists split on commas and white space; ``*`` alone means
    any."""
    assert coerce_options({"allow_methods": text}) == {"allow_methods": expected}


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        pytest.param({"allow_origin_regex": "  "}, None, id="blank-regex-is-none"),
        pytest.param({"max_age": " None "}, None, id="max-age-none"),
        pytest.param({"preflight_cache_size": "0"}, 0, id="cache-size"),
        pytest.param({"deny_status": "404"}, 404, id="deny-status"),
    ],
)
def test_scalar_values_parse(config: Dict[str, str], expected: Any) -> None:
    """docs/from_config.rst: numbers are decimal; ``none`` or empty is None."""
    assert list(coerce_options(config).values()) == [expected]


@pytest.mark.parametrize(
    ("option", "text", "fragment"),
    [
        pytest.param("max_age", "-5", "or none to omit", id="max-age"),
        pytest.param("preflight_status", "ok", "write e.g. 204", id="preflight"),
        pytest.param("deny_status", "forbidden", "write e.g. 403", id="deny"),
        pytest.param("preflight_cache_size", "big", "or 0 to turn", id="cache"),
        pytest.param("allow_credentials", "maybe", "use true/false", id="bool"),
    ],
)
def test_a_value_that_does_not_parse_says_what_to_write(
    option: str, text: str, fragment: str
) -> None:
    """docs/from_config.rst: the message shows the value and an example."""
    with pytest.raises(ConfigurationError) as excinfo:
        coerce_options({option: text})
    message = str(excinfo.value)
    assert message.startswith(f"{option}: {text!r} ")
    assert fragment in message


def test_values_that_do_not_parse_and_policy_problems_come_in_one_error() -> None:
    """Every problem of one call is reported at once, whichever stage finds it."""
    with pytest.raises(ConfigurationError) as excinfo:
        CORSMiddleware.from_config(
            EchoApp(), {"allow_origins": "https://a.example/", "max_age": "ten"}
        )
    lines = str(excinfo.value).splitlines()
    assert [line.split(":")[0] for line in lines] == ["max_age", "allow_origins"]
